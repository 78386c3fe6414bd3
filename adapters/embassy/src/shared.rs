//! What the runner and the handles share: one call in transit, its reply, and
//! the event queue. `const`-constructible, so it can be a `static`.

use core::cell::{Cell, RefCell};

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::blocking_mutex::Mutex as BlockingMutex;
use embassy_sync::channel::Channel;
use embassy_sync::mutex::Mutex;
use embassy_sync::signal::Signal;
use heapless::String;
use tinyim_core::model::{from_json, ConversationId, GroupId, JsonError, UserId};
use tinyim_core::wire::body::{Degrees, MAX_DELETE_MESSAGES};
use tinyim_core::wire::group::NoticeOp;
use tinyim_core::wire::user::{StatusType, MAX_CUSTOM_STATUS};
use tinyim_core::{KickReason, NetState};

use crate::call::{AnswerSlot, Slot, Taken};
use crate::handle::Handle;

/// Longest text a handle sends or an event carries; longer received texts
/// are cut (and marked) in the event, while the server keeps them whole.
pub const MAX_TEXT: usize = 256;

/// Longest description or extension of a custom message an event carries
/// (cut at a character boundary beyond it).
pub const MAX_DETAIL: usize = 32;

/// What kind of element a received message carries (its `text` holds
/// the kind's main string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum MessageKind {
    /// A text message: `text` is its text.
    Text,
    /// A custom message (commands, readings): `text` is its data.
    Custom,
    /// An image: `text` is its URL.
    Image,
    /// A file: `text` is its URL.
    File,
    /// A group tip, a revoked message or a revocation: `text` is what a
    /// conversation list shows.
    Notice,
    /// A message too large for this device's frames: `text` is empty.
    TooLarge,
    /// An emoji of the application's set: `text` is its data.
    Face {
        /// Its index in the set.
        index: u32,
    },
    /// A place: `text` is its description.
    Location {
        /// Longitude in degrees.
        longitude: Degrees,
        /// Latitude in degrees.
        latitude: Degrees,
    },
    /// A voice message: `text` is its URL.
    Sound {
        /// Length in seconds.
        seconds: u32,
    },
    /// A video: `text` is its URL.
    Video {
        /// Length in seconds.
        seconds: u32,
    },
    /// Merged messages: `text` is the merger's title.
    Merger,
    /// An element of a kind this build does not know: `text` is empty.
    Unknown,
}

/// A received message, copied out of the client for another task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// TIM `conversationID`.
    pub conversation: ConversationId,
    /// Sender.
    pub from: UserId,
    /// Sequence in the conversation (0 for online-only messages).
    pub seq: u64,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
    /// The sender's client message id.
    pub client_msg_id: u64,
    /// What the message is: a firmware tells its commands (custom) from chat
    /// (text) by it.
    pub kind: MessageKind,
    /// The text (a custom message's data, an image's or a file's URL).
    pub text: String<MAX_TEXT>,
    /// The text was longer than [`MAX_TEXT`] and was cut.
    pub truncated: bool,
    /// How many times its sender modified it (TIM `modifyMessage`).
    pub version: u32,
    /// A custom message's description (its push text); empty otherwise.
    pub description: String<MAX_DETAIL>,
    /// A custom message's extension; empty otherwise.
    pub extension: String<MAX_DETAIL>,
}

impl ReceivedMessage {
    /// A custom message's data read as JSON of `T` (a command such as
    /// `{"cmd":"led","on":true}`); an error for another kind, a cut or
    /// malformed data, never a panic.
    pub fn custom_json<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, JsonError> {
        if self.kind != MessageKind::Custom {
            return Err(JsonError::NotCustom);
        }
        if self.truncated {
            return Err(JsonError::TooLarge);
        }
        from_json(&self.text)
    }
}

/// A group system notice (TIM `TIMGroupSystemNoticeElem`), copied out of
/// the client: a join request to an owner or admin, the result to the
/// applicant, a kick, a dismissal, a custom notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedNotice {
    /// What happened.
    pub op: NoticeOp,
    /// The group.
    pub group_id: GroupId,
    /// Who did it (the applicant for a join request).
    pub operator: UserId,
    /// Sequence in the SYSTEM conversation.
    pub seq: u64,
    /// The apply or handle message, the kick reason, or a custom notice's data.
    pub text: String<MAX_TEXT>,
    /// The text was longer than [`MAX_TEXT`] and was cut.
    pub truncated: bool,
}

/// Events for application tasks (TIM's events), owned.
// Without an allocator nothing can be boxed; queue slots hold the largest.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnedEvent {
    /// `SDK_READY`.
    SdkReady,
    /// `SDK_NOT_READY`.
    SdkNotReady,
    /// `NET_STATE_CHANGE`.
    NetStateChange(NetState),
    /// `KICKED_OUT`.
    KickedOut(KickReason),
    /// The server refused the handshake.
    ConnectionRejected(u32),
    /// `MESSAGE_RECEIVED`.
    MessageReceived(ReceivedMessage),
    /// `MESSAGE_RECEIVED` with a group system notice, in the SYSTEM
    /// conversation (group tips arrive as [`OwnedEvent::MessageReceived`]
    /// with what a conversation list shows as their text).
    GroupSystemNotice(ReceivedNotice),
    /// A message of a [`Handle::message_list`] page (TIM `getMessageList`),
    /// newest first; they all arrive before the call returns.
    HistoryMessage(ReceivedMessage),
    /// A send failed for good.
    MessageFailed {
        /// Its client message id.
        client_msg_id: u64,
        /// TIM error code.
        code: u32,
    },
    /// `CONVERSATION_LIST_UPDATED`.
    ConversationListUpdated,
    /// `TOTAL_UNREAD_MESSAGE_COUNT_UPDATED`.
    TotalUnreadCountUpdated(u64),
    /// Conversations dropped from the full table.
    ConversationsEvicted(u32),
    /// `GROUP_LIST_UPDATED`.
    GroupListUpdated,
    /// `MESSAGE_READ_BY_PEER`: the other user of a one-to-one conversation
    /// read every message up to `peer_read_seq`.
    MessageReadByPeer {
        /// The conversation (`C2C<peer>`).
        conversation: ConversationId,
        /// Every message up to this seq was read.
        peer_read_seq: u64,
    },
    /// `MESSAGE_REVOKED`: the message `seq` of a conversation was revoked;
    /// its history entry now reads "[message revoked]".
    MessageRevoked {
        /// The conversation.
        conversation: ConversationId,
        /// The revoked message.
        seq: u64,
        /// Who revoked it: its sender, or a group's owner or admin.
        revoker: UserId,
    },
    /// `MESSAGE_MODIFIED`: a message's sender modified it; the message as
    /// it now is (its `seq` is the modified message's).
    MessageModified(ReceivedMessage),
    /// The user deleted messages on another device (TIM `deleteMessage`).
    MessagesDeleted {
        /// The conversation.
        conversation: ConversationId,
        /// The deleted messages' seqs.
        seqs: heapless::Vec<u64, MAX_DELETE_MESSAGES>,
    },
    /// `MESSAGE_READ_RECEIPT_RECEIVED`: a member sent a read receipt for a
    /// group message of this user's.
    MessageReadReceiptReceived {
        /// The group.
        group: GroupId,
        /// The message.
        seq: u64,
        /// Members who read it.
        read_count: u32,
        /// Members it went to who have not.
        unread_count: u32,
    },
    /// `PROFILE_UPDATED`: this user's profile changed.
    ProfileUpdated,
    /// `BLACKLIST_UPDATED`: this user's blocklist changed.
    BlocklistUpdated,
    /// `FRIEND_LIST_UPDATED`: this user's friend list changed.
    FriendListUpdated,
    /// `FRIEND_APPLICATION_LIST_UPDATED`: an application to or from this
    /// user came, was answered or was deleted.
    FriendApplicationListUpdated,
    /// `FRIEND_GROUP_LIST_UPDATED`: this user's friend groups changed.
    FriendGroupListUpdated,
    /// `USER_STATUS_UPDATED`: a user this one subscribes to came online,
    /// went offline or set a custom status (or this user set their own on
    /// another device).
    UserStatusUpdated {
        /// Whose status.
        user: UserId,
        /// Online or offline.
        status_type: StatusType,
        /// Their custom status.
        custom_status: String<MAX_CUSTOM_STATUS>,
    },
    /// Groups the full group table could not hold.
    GroupsDropped(u32),
    /// Everything missed while away has been delivered.
    SyncComplete,
    /// The UserSig expires at `expires_at` (unix seconds), when the session
    /// is kicked: log in again with a fresh one before.
    UserSigExpiring {
        /// When it expires, unix seconds.
        expires_at: u64,
    },
}

/// The state shared by a [`crate::Runner`] and its [`Handle`]s; `EVENTS` is
/// the depth of the event queue.
pub struct Shared<M: RawMutex, const EVENTS: usize> {
    pub(crate) calls: Mutex<M, ()>,
    /// A call for the runner, or a record of its answer for the handle.
    pub(crate) slot: BlockingMutex<M, RefCell<Slot>>,
    pub(crate) request: Signal<M, ()>,
    /// Raised when `answer` holds the runner's answer.
    pub(crate) reply: Signal<M, ()>,
    pub(crate) answer: BlockingMutex<M, RefCell<AnswerSlot>>,
    pub(crate) events: Channel<M, OwnedEvent, EVENTS>,
    /// Raised when `slot` holds a record of a list call's answer.
    pub(crate) record_ready: Signal<M, ()>,
    /// The handle took the record, or stopped waiting.
    pub(crate) record_taken: Signal<M, Taken>,
    /// The generation of the latest call (see `Call::generation`).
    pub(crate) generation: BlockingMutex<M, Cell<u32>>,
}

impl<M: RawMutex, const EVENTS: usize> Shared<M, EVENTS> {
    /// Empty shared state.
    pub const fn new() -> Self {
        Shared {
            calls: Mutex::new(()),
            slot: BlockingMutex::new(RefCell::new(Slot::Empty)),
            request: Signal::new(),
            reply: Signal::new(),
            answer: BlockingMutex::new(RefCell::new(AnswerSlot::Empty)),
            events: Channel::new(),
            record_ready: Signal::new(),
            record_taken: Signal::new(),
            generation: BlockingMutex::new(Cell::new(0)),
        }
    }

    /// A handle for application tasks.
    pub fn handle(&self) -> Handle<'_, M, EVENTS> {
        Handle { shared: self }
    }
}

impl<M: RawMutex, const EVENTS: usize> Default for Shared<M, EVENTS> {
    fn default() -> Self {
        Self::new()
    }
}
