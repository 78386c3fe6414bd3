//! Frame bodies. Strings borrow from the frame, so decoding never allocates.

use serde::{Deserialize, Serialize};

pub use super::elem::{Degrees, Elem, Image, ImageFormat, ImageInfo, Merger, Video};
pub use super::extra::MessageExtra;
use super::group::Priority;

/// Which class of device a session is; a second login of the same user on the
/// same class kicks the older session, as TIM does, except for
/// [`DeviceClass::Service`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DeviceClass {
    /// Desktop applications.
    Desktop,
    /// Microcontroller firmware.
    Embedded,
    /// Phones and tablets.
    Mobile,
    /// Browsers.
    Web,
    /// A program acting for the user (a bot, a one-shot command): any
    /// number of these coexist with each other and with the user's devices,
    /// and kick none of them. A newer variant: only servers that know it
    /// take it.
    Service,
}

/// Client -> server, first frame.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    /// [`super::PROTOCOL_VERSION`] of the client.
    pub version: u16,
    /// The largest frame, header included, the client can receive.
    pub max_frame: u32,
    /// The client's device class.
    pub device: DeviceClass,
}

/// Server -> client, the handshake answer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelloAck {
    /// The server's protocol version.
    pub version: u16,
    /// The largest frame, header included, the server accepts.
    pub max_frame: u32,
    /// The server's clock, unix milliseconds.
    pub server_time_ms: u64,
    /// Both sides send a heartbeat at least this often; a peer silent for
    /// three intervals is gone.
    pub heartbeat_ms: u32,
}

/// Server -> client, the handshake refused; the server closes after it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelloReject {
    /// Why (see [`super::code`]).
    pub code: u32,
}

/// Request payload: log in.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Login<'a> {
    /// TIM userID.
    pub user_id: &'a str,
    /// What proves it.
    #[serde(borrow)]
    pub credential: Credential<'a>,
}

/// What a [`Login`] proves the user with.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    /// A UserSig in TLSSigAPIv2 format: the application's, at its `login`.
    UserSig(&'a str),
    /// A resume token a [`LoginOk`] gave this user: the client's own login
    /// after a reconnect, so that it need not keep the UserSig.
    Resume(&'a [u8]),
}

/// Response payload to [`Login`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginOk<'a> {
    /// Unix seconds at which the UserSig expires and the session is kicked.
    pub sig_expires_at: u64,
    /// A token that logs this user in again until then, in place of the
    /// UserSig ([`Credential::Resume`]); at most [`MAX_RESUME_TOKEN`] bytes.
    /// Empty when the server gives none: the client keeps the UserSig.
    pub resume: &'a [u8],
}

/// The longest resume token a server gives (and a client keeps).
pub const MAX_RESUME_TOKEN: usize = 32;

/// Request payload: send a message.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendMessage<'a> {
    /// Target conversation id (`C2C<user>` or `GROUP<group>`).
    pub conversation: &'a str,
    /// Random id chosen by the sender; the server deduplicates on (sender, id).
    pub client_msg_id: u64,
    /// Deliver to online recipients only; not stored, no seq, no unread.
    pub online_only: bool,
    /// Over a group's rate limit, lower priorities are refused first.
    pub priority: Priority,
    /// The content.
    #[serde(borrow)]
    pub elem: Elem<'a>,
    /// The fields beside it (the server replaces its stamps).
    #[serde(borrow)]
    pub extra: MessageExtra<'a>,
}

/// Response payload to [`SendMessage`]: the message is durable.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendOk<'a> {
    /// The sender's id of the conversation.
    pub conversation: &'a str,
    /// Sequence number in the conversation; 0 for online-only messages.
    pub seq: u64,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
}

/// A stored message as it travels to a client.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// The receiver's id of the conversation.
    pub conversation: &'a str,
    /// Sequence in the conversation (1, 2, 3 ...); 0 for online-only messages.
    pub seq: u64,
    /// Sender user id.
    pub from: &'a str,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
    /// The sender's client message id.
    pub client_msg_id: u64,
    /// The content.
    #[serde(borrow)]
    pub elem: Elem<'a>,
    /// The fields beside it.
    #[serde(borrow)]
    pub extra: MessageExtra<'a>,
}

/// Push header: followed in the same body by one [`Message`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushMessage {
    /// The receiver's read watermark of that conversation, so a client that
    /// has never seen it knows which messages it has already read elsewhere.
    pub read_seq: u64,
}

/// Request payload: mark a conversation read up to `seq`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetRead<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// Read up to and including this seq; `u64::MAX` means everything.
    pub seq: u64,
}

/// Which way TIM `getMessageListHopping` reads from its seq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HopDirection {
    /// The messages before the seq, newest first.
    Older,
    /// The messages after the seq, oldest first.
    Newer,
}

/// Which conversations TIM `setAllMessageRead` reads (TIM's
/// `READ_ALL_C2C_MSG`, `READ_ALL_GROUP_MSG`, `READ_ALL_MSG`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReadScope {
    /// One-to-one conversations.
    C2c,
    /// Group conversations.
    Group,
    /// Every conversation, the SYSTEM one too.
    All,
}

impl ReadScope {
    /// Whether the conversation `conversation_id` is in this scope.
    pub fn covers(self, conversation_id: &str) -> bool {
        use crate::model::ConversationType;
        matches!(
            (self, ConversationType::parse(conversation_id)),
            (ReadScope::All, _)
                | (ReadScope::C2c, Some((ConversationType::C2c, _)))
                | (ReadScope::Group, Some((ConversationType::Group, _)))
        )
    }
}

/// Request payload: TIM `setAllMessageRead`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAll {
    /// Which conversations.
    pub scope: ReadScope,
}

/// Response payload to [`SetRead`], and the body of a read push.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushRead<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// The new read watermark.
    pub read_seq: u64,
    /// The conversation's last seq at that moment.
    pub last_seq: u64,
    /// Messages after `read_seq` up to `last_seq` that do not count as
    /// unread (see [`MessageExtra::counts_as_unread`]).
    pub uncounted: u64,
}

/// One conversation by id: the request and answer of a deletion or of a
/// clearing of its history, and the push that tells the user's other
/// sessions.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationRef<'a> {
    /// Conversation id.
    pub conversation: &'a str,
}

/// Most conversations one [`DeleteConversations`] names.
pub const MAX_DELETE_CONVERSATIONS: usize = 100;

/// Request payload: TIM `deleteConversation` with `conversationIDList`
/// and `clearHistoryMessage`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteConversations<'a> {
    /// Conversation ids separated by spaces (no id holds one), at most
    /// [`MAX_DELETE_CONVERSATIONS`].
    pub conversations: &'a str,
    /// Their histories end too, for this user (TIM `clearHistoryMessage`).
    pub clear_history: bool,
}

impl<'a> DeleteConversations<'a> {
    /// The conversation ids, empty entries skipped.
    pub fn ids(&self) -> impl Iterator<Item = &'a str> {
        self.conversations.split(' ').filter(|s| !s.is_empty())
    }
}

/// Most messages one [`DeleteMessages`] names (TIM's 30).
pub const MAX_DELETE_MESSAGES: usize = 30;

/// TIM `deleteMessage`: the request, its answer, and the push that tells
/// the user's other sessions. The messages leave this user's history on
/// every device; the other users of the conversation keep theirs.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteMessages<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// The messages' seqs in decimal, separated by spaces, at most
    /// [`MAX_DELETE_MESSAGES`].
    pub seqs: &'a str,
}

impl<'a> DeleteMessages<'a> {
    /// The seqs; `None` for an entry that is not one.
    pub fn seqs(&self) -> impl Iterator<Item = Option<u64>> + 'a {
        seq_list(self.seqs)
    }
}

/// The entries of a list of seqs in decimal separated by spaces (as
/// requests name messages); `None` for an entry that is not one.
pub fn seq_list(seqs: &str) -> impl Iterator<Item = Option<u64>> + '_ {
    seqs.split(' ')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
}

/// Request payload: TIM `modifyMessage`: the sender replaces a text
/// message's text, or a custom message's fields, and its cloud custom data.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModifyMessage<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// The message's seq.
    pub seq: u64,
    /// The version the edit was made on ([`MessageExtra::version`]); the
    /// server refuses an edit of an older one (`code::MODIFY_CONFLICT`).
    pub version: u32,
    /// The new content, of the message's own kind (text or custom).
    #[serde(borrow)]
    pub elem: Elem<'a>,
    /// The new cloud custom data.
    pub cloud_custom_data: &'a str,
}

/// TIM `setMessageRemindType`: how a conversation's new messages reach the
/// user (`TIM.TYPES.MSG_REMIND_*`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RemindType {
    /// `MSG_REMIND_ACPT_AND_NOTE`: received, counted, notified.
    #[default]
    AcceptAndNotify,
    /// `MSG_REMIND_ACPT_NOT_NOTE`: received, but left out of the total
    /// unread count (the application shows no notification).
    AcceptNotNotify,
    /// `MSG_REMIND_DISCARD`: not delivered as new messages (history keeps
    /// them) and left out of the total unread count.
    Discard,
}

impl RemindType {
    /// Its number in the stores.
    pub fn number(self) -> u8 {
        match self {
            RemindType::AcceptAndNotify => 0,
            RemindType::AcceptNotNotify => 1,
            RemindType::Discard => 2,
        }
    }

    /// The type a stored number names (an unknown one notifies).
    pub fn from_number(n: u8) -> Self {
        match n {
            1 => RemindType::AcceptNotNotify,
            2 => RemindType::Discard,
            _ => RemindType::AcceptAndNotify,
        }
    }

    /// Whether the conversation's unread messages count in the total.
    pub fn counts_in_total(self) -> bool {
        self == RemindType::AcceptAndNotify
    }
}

/// TIM `setMessageRemindType`: the request, its answer, and the push that
/// tells the user's other sessions.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemindSetting<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// How its messages reach the user.
    pub remind: RemindType,
}

/// TIM `pinConversation`: the request, its answer, and the push that tells
/// the user's other sessions.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinConversation<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// Pinned (true) or not.
    pub pinned: bool,
}

/// One message by its place: TIM `revokeMessage`'s request and answer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef<'a> {
    /// Conversation id, as the requester names it.
    pub conversation: &'a str,
    /// The message's seq.
    pub seq: u64,
}

/// Body of a peer-read push (TIM `MESSAGE_READ_BY_PEER`): the other user of
/// a one-to-one conversation has read up to `peer_read_seq`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushPeerRead<'a> {
    /// The receiver's id of the conversation (`C2C<reader>`).
    pub conversation: &'a str,
    /// The reader's read watermark.
    pub peer_read_seq: u64,
}

/// Request payload: history, newest first, strictly before `before_seq`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageList<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// Page starts below this seq; 0 means from the newest message.
    pub before_seq: u64,
    /// At most this many messages (the server may send fewer to fit a frame).
    pub count: u16,
}

/// Where a [`MessageRange`] starts.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeStart {
    /// After this seq: the client knows everything up to it.
    AfterSeq(u64),
    /// After the conversation's last message as of this sync cursor: for a
    /// conversation new to a client that has synced before.
    SinceCursor(u64),
    /// After the requester's read watermark: for a client that never synced.
    Unread,
}

/// Request payload: missed messages, oldest first.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRange<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// Where the page starts.
    pub start: RangeStart,
    /// At most this many messages (the server may send fewer to fit a frame).
    pub count: u16,
}

/// Response header to [`MessageList`] and [`MessageRange`], followed by
/// [`Message`] records until the end of the body.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessagePage<'a> {
    /// Conversation id the page belongs to.
    pub conversation: &'a str,
    /// The seq the page starts after (where a [`RangeStart`] resolved to).
    pub base_seq: u64,
    /// Whether more messages lie beyond this page.
    pub more: bool,
}

/// Request payload: every conversation changed since `cursor`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sync {
    /// The cursor from the last complete sync, 0 for everything.
    pub cursor: u64,
}

/// Response header to [`Sync`], followed by [`ConversationSummary`] records.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPage {
    /// Cursor covering the records of this page; on the last page, the
    /// server's whole change log as of the answer.
    pub next_cursor: u64,
    /// Whether this is the last page; otherwise ask again from `next_cursor`.
    pub complete: bool,
}

/// Request payload: one window of a sync round. A round delivers every
/// message stored between the client's cursor (`base`) and a snapshot of
/// the server's change log taken when it starts, conversation by
/// conversation in the order of their ids, in windows no larger than the
/// room the client's table has. Since a window's conversations are
/// delivered up to the snapshot before the next is asked for, a client
/// with fewer slots than conversations forgets only conversations it owes
/// nothing, and a reconnect resumes after the last complete window.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncWindow<'a> {
    /// Every message up to this change was delivered; `None` for a client
    /// that never synced (it is given what is unread).
    pub base: Option<u64>,
    /// The round's snapshot; `None` to start a round (the server takes one).
    pub snapshot: Option<u64>,
    /// The window starts after this conversation id ("" for the first).
    pub after: &'a str,
    /// Conversations in the window at most (the server sends at least one
    /// when there are any).
    pub max_conversations: u16,
}

/// Response header to [`SyncWindow`], followed by [`WindowSummary`] records
/// in the order of their conversation ids.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncWindowPage {
    /// The round's snapshot (the one asked with, or the one just taken).
    pub snapshot: u64,
    /// Whether no conversation follows this window's last: the round ends.
    pub complete: bool,
    /// On the last window: the user's unread messages over every
    /// conversation (TIM `getTotalUnreadMessageCount`), also those a small
    /// client holds no slot for; 0 on the others.
    pub total_unread: u64,
    /// The snapshot may lie below a change committed before the round
    /// began (a cluster's store could not wait out an older transaction):
    /// the client runs one more round a little later.
    pub behind: bool,
}

/// One record of a [`SyncWindowPage`]: a conversation changed since the
/// round's base, as of the round's snapshot.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSummary<'a> {
    /// Its state; `last_seq` is its newest seq as of the snapshot.
    #[serde(borrow)]
    pub summary: ConversationSummary<'a>,
    /// Its newest seq as of the base: the round delivers the messages
    /// after it up to `last_seq`.
    pub base_seq: u64,
}

/// One conversation's state in a sync page.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationSummary<'a> {
    /// The receiver's id of the conversation.
    pub conversation: &'a str,
    /// Seq of the newest stored message.
    pub last_seq: u64,
    /// The receiver's read watermark.
    pub read_seq: u64,
    /// Messages after `read_seq` up to `last_seq` that do not count as
    /// unread (see [`MessageExtra::counts_as_unread`]).
    pub uncounted: u64,
    /// Time of the newest message, unix milliseconds.
    pub last_time_ms: u64,
    /// Sender of the newest message.
    pub last_from: &'a str,
    /// Start of the newest message's text, for the conversation list.
    pub preview: &'a str,
    /// One-to-one conversations: the peer's read watermark (TIM
    /// `isPeerRead` for every message up to it); 0 for groups.
    pub peer_read_seq: u64,
    /// The user deleted the conversation (TIM `deleteConversation`) and
    /// nothing arrived since: it leaves the conversation list.
    pub deleted: bool,
    /// The user pinned it to the top of the list (TIM `isPinned`).
    pub pinned: bool,
    /// TIM `messageRemindType`.
    pub remind: RemindType,
    /// TIM `markList`, as bits (see [`super::conversation_data`]).
    pub marks: u64,
    /// Digest of the user's custom data and draft on it; 0 for none.
    pub data_digest: u64,
}

/// Why a session was ended by the server.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum KickReason {
    /// The same user logged in on another device of the same class.
    MultiDevice,
    /// The UserSig expired.
    UserSigExpired,
    /// An administrator ended the session.
    Admin,
}

/// Push: the session is over.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kicked {
    /// Why.
    pub reason: KickReason,
}

/// Error response payload.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorBody<'a> {
    /// Error code (see [`super::code`]).
    pub code: u32,
    /// Human-readable explanation.
    pub message: &'a str,
}
