//! Events the client hands to the application through `poll_event`.

use crate::model::MessageView;
pub use crate::wire::body::KickReason;
use crate::wire::body::{self, Elem};
use crate::wire::friend::FriendRecord;
use crate::wire::group::GroupRecord;
use crate::wire::user::{UserRecord, UserStatus};

/// The handle of a command; its outcome arrives as an event carrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestId(pub(crate) u32);

impl RequestId {
    /// The raw number, unique per client.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// TIM `NET_STATE_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NetState {
    /// A connection is open and the handshake is done.
    Connected,
    /// The client wants a connection and is opening one or waiting to retry.
    Connecting,
    /// No connection and none wanted (logged out, kicked, or never logged in).
    Disconnected,
}

/// Why a request did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RequestError {
    /// No answer before the request's deadline (TIM 2801).
    Timeout,
    /// The connection closed while the request was in flight (TIM 2800).
    Disconnected,
    /// The server answered with this error code.
    Server(u32),
}

impl RequestError {
    /// The TIM error code for this failure.
    pub fn code(self) -> u32 {
        match self {
            RequestError::Timeout => crate::wire::code::TIMEOUT,
            RequestError::Disconnected => crate::wire::code::NETWORK,
            RequestError::Server(code) => code,
        }
    }
}

/// Where a sent message stands (TIM message `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendStatus {
    /// Durable on the server.
    Sent {
        /// Its sequence in the conversation (0 for online-only messages).
        seq: u64,
        /// Server time, unix milliseconds.
        time_ms: u64,
    },
    /// Not sent; the code says why. The same client message id may be reused
    /// to try again without risk of a duplicate.
    Failed {
        /// TIM error code.
        code: u32,
    },
}

/// Something the application should know. Borrowed events pin the client
/// until they are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// TIM `SDK_READY`: logged in, commands are served.
    SdkReady,
    /// TIM `SDK_NOT_READY`: logged out, kicked, or the login failed.
    SdkNotReady,
    /// TIM `NET_STATE_CHANGE`.
    NetStateChange(NetState),
    /// TIM `KICKED_OUT`.
    KickedOut(KickReason),
    /// The server refused the handshake with this code. For a protocol
    /// version or a frame limit it cannot serve (9003, 9005) the session
    /// ends, as a refused login does: `SdkNotReady` if it was ready, and a
    /// pending `login` fails with the code; for any other code the client
    /// dials again.
    ConnectionRejected {
        /// Why (see [`crate::wire::code`]).
        code: u32,
    },
    /// TIM `MESSAGE_RECEIVED`: a new message, delivered once, in seq order
    /// per conversation.
    MessageReceived(MessageView<'a>),
    /// TIM `MESSAGE_RECEIVED` with a group tip (`Elem::GroupTip`): a member
    /// or profile change, in the group's conversation.
    GroupTip(MessageView<'a>),
    /// TIM `MESSAGE_RECEIVED` with a group system notice
    /// (`Elem::GroupSystemNotice`), in the SYSTEM conversation.
    GroupSystemNotice(MessageView<'a>),
    /// TIM `MESSAGE_REVOKED`: a message of the conversation was revoked.
    /// The view is the notice (`Elem::RevokeNotice { seq }` names the
    /// revoked message; its sender is who revoked it); the message itself
    /// reads as `Elem::Revoked` in the history from now on.
    MessageRevoked(MessageView<'a>),
    /// One record of a group call's answer (the created group's id, a
    /// profile, a member, an application, ...); `RequestCompleted` follows
    /// the last one.
    GroupData {
        /// The group call.
        request: RequestId,
        /// The record.
        data: GroupRecord<'a>,
    },
    /// One record of a user call's answer (a blocked user, then the
    /// page's end); `RequestCompleted` follows the last one.
    UserData {
        /// The user call.
        request: RequestId,
        /// The record.
        data: UserRecord<'a>,
    },
    /// One record of a friend call's answer (a friend, an application, a
    /// relation, a friend group, then the page's end); `RequestCompleted`
    /// follows the last one.
    FriendData {
        /// The friend call.
        request: RequestId,
        /// The record.
        data: FriendRecord<'a>,
    },
    /// TIM `FRIEND_LIST_UPDATED`: the friend list changed (on this device
    /// or another, or by another user's call); read it with `friend_list`.
    FriendListUpdated,
    /// TIM `FRIEND_APPLICATION_LIST_UPDATED`; read it with
    /// `friend_applications`.
    FriendApplicationListUpdated,
    /// TIM `FRIEND_GROUP_LIST_UPDATED`; read them with `friend_groups`.
    FriendGroupListUpdated,
    /// TIM `GROUP_LIST_UPDATED`; read the list with `groups()`.
    GroupListUpdated,
    /// TIM `MESSAGE_READ_BY_PEER`: the other user of a one-to-one
    /// conversation has read every message up to `peer_read_seq` (the
    /// conversation's `peer_read_seq()` says the same). Live, or at the
    /// sync after a reconnect; one event per conversation however far it
    /// moved meanwhile.
    MessageReadByPeer {
        /// The conversation (`C2C<peer>`).
        conversation_id: &'a str,
        /// Every message up to this seq was read by the peer.
        peer_read_seq: u64,
    },
    /// TIM `PROFILE_UPDATED`: the user's own profile changed, on this device
    /// or another; read it with `my_profile`.
    ProfileUpdated,
    /// TIM `BLACKLIST_UPDATED`: the user's blocklist changed, on this device
    /// or another; read it with `blocklist`.
    BlocklistUpdated,
    /// TIM `USER_STATUS_UPDATED`: a subscribed user came online, went
    /// offline or set a custom status (or this user set their own on
    /// another device).
    UserStatusUpdated(UserStatus<'a>),
    /// TIM `MESSAGE_MODIFIED`: a message of this conversation was modified
    /// by its sender (this user too, on any device): the notice, whose
    /// [`Elem::modified`] gives the seq and the message as it now is.
    MessageModified(MessageView<'a>),
    /// The user deleted messages on another device (TIM `deleteMessage`):
    /// take them off what is shown ([`crate::wire::body::DeleteMessages::seqs`]).
    MessagesDeleted(crate::wire::body::DeleteMessages<'a>),
    /// TIM `MESSAGE_READ_RECEIPT_RECEIVED`: a member sent a read receipt
    /// for a group message of this user's; its counts now.
    MessageReadReceiptReceived(crate::wire::receipt::ReadReceipt<'a>),
    /// The group table was full: this many groups could not be listed since
    /// the last such event.
    GroupsDropped(u32),
    /// One message of a `message_list` page, newest first.
    HistoryMessage {
        /// The `message_list` request.
        request: RequestId,
        /// The message.
        message: MessageView<'a>,
    },
    /// The end of a history page, after its `HistoryMessage`s and before
    /// `RequestCompleted` (TIM `isCompleted`).
    HistoryEnd {
        /// The `message_list` or `message_list_hopping` request.
        request: RequestId,
        /// No more messages lie that way in the conversation's history.
        complete: bool,
    },
    /// A sent message reached a final status.
    MessageStatus {
        /// The `send_message` request.
        request: RequestId,
        /// The message's client message id.
        client_msg_id: u64,
        /// Sent or failed.
        status: SendStatus,
    },
    /// A command succeeded.
    RequestCompleted(RequestId),
    /// A command failed.
    RequestFailed {
        /// The command.
        request: RequestId,
        /// Why.
        error: RequestError,
        /// The server's words for its refusal (which argument, which
        /// limit), or empty: the code's own words are
        /// [`crate::wire::code::describe`]'s.
        message: &'a str,
    },
    /// TIM `CONVERSATION_LIST_UPDATED`; read the list with `conversations()`.
    ConversationListUpdated,
    /// TIM `TOTAL_UNREAD_MESSAGE_COUNT_UPDATED`.
    TotalUnreadCountUpdated(u64),
    /// The conversation table was full: this many least recently active
    /// conversations were dropped from it since the last such event. The
    /// server still has them; they return when they change.
    ConversationsEvicted(u32),
    /// Every conversation that changed while away is known and every missed
    /// message has been delivered. When the server says a round's snapshot
    /// may be behind (a store waiting out an older transaction), it comes
    /// at the end of the first round after it that is not.
    SyncComplete,
    /// The UserSig expires at `expires_at` (unix seconds) and the session
    /// is kicked then: log in again with a fresh one before. Told
    /// [`crate::USER_SIG_WARNING`] ahead, once per UserSig.
    UserSigExpiring {
        /// When it expires, unix seconds.
        expires_at: u64,
    },
}

impl<'a> Event<'a> {
    /// The event for a new `message`, seen through `view`: tips and notices
    /// have their own. The view is made in the event's own place, where
    /// making it first and moving it in copied it twice (a tenth of a
    /// received message's instructions).
    #[inline]
    pub(crate) fn received(
        message: body::Message<'a>,
        view: impl FnOnce(body::Message<'a>) -> MessageView<'a>,
    ) -> Self {
        match &message.elem {
            Elem::GroupTip(_) => Event::GroupTip(view(message)),
            Elem::GroupSystemNotice(_) => Event::GroupSystemNotice(view(message)),
            Elem::RevokeNotice { .. } => Event::MessageRevoked(view(message)),
            Elem::Modified { .. } => Event::MessageModified(view(message)),
            _ => Event::MessageReceived(view(message)),
        }
    }
}

/// Events kept in the queue: everything except the ones that borrow frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueuedEvent {
    SdkReady,
    SdkNotReady,
    NetStateChange(NetState),
    KickedOut(KickReason),
    ConnectionRejected(u32),
    MessageStatus {
        request: RequestId,
        client_msg_id: u64,
        status: SendStatus,
    },
    RequestCompleted(RequestId),
    RequestFailed {
        request: RequestId,
        error: RequestError,
    },
    ConversationsEvicted(u32),
    SyncComplete,
    #[cfg(feature = "full")]
    HistoryEnd {
        request: RequestId,
        complete: bool,
    },
    ConversationListUpdated,
    TotalUnreadCountUpdated(u64),
    #[cfg(feature = "full")]
    ProfileUpdated,
    #[cfg(feature = "full")]
    BlocklistUpdated,
    #[cfg(feature = "full")]
    FriendListUpdated,
    #[cfg(feature = "full")]
    FriendApplicationListUpdated,
    #[cfg(feature = "full")]
    FriendGroupListUpdated,
    UserSigExpiring(u64),
}

impl QueuedEvent {
    pub(crate) fn into_event<'a>(self) -> Event<'a> {
        match self {
            QueuedEvent::SdkReady => Event::SdkReady,
            QueuedEvent::SdkNotReady => Event::SdkNotReady,
            QueuedEvent::NetStateChange(s) => Event::NetStateChange(s),
            QueuedEvent::KickedOut(r) => Event::KickedOut(r),
            QueuedEvent::ConnectionRejected(code) => Event::ConnectionRejected { code },
            QueuedEvent::MessageStatus {
                request,
                client_msg_id,
                status,
            } => Event::MessageStatus {
                request,
                client_msg_id,
                status,
            },
            QueuedEvent::RequestCompleted(r) => Event::RequestCompleted(r),
            QueuedEvent::RequestFailed { request, error } => Event::RequestFailed {
                request,
                error,
                message: "",
            },
            QueuedEvent::ConversationsEvicted(n) => Event::ConversationsEvicted(n),
            QueuedEvent::SyncComplete => Event::SyncComplete,
            #[cfg(feature = "full")]
            QueuedEvent::HistoryEnd { request, complete } => {
                Event::HistoryEnd { request, complete }
            }
            QueuedEvent::ConversationListUpdated => Event::ConversationListUpdated,
            QueuedEvent::TotalUnreadCountUpdated(n) => Event::TotalUnreadCountUpdated(n),
            #[cfg(feature = "full")]
            QueuedEvent::ProfileUpdated => Event::ProfileUpdated,
            #[cfg(feature = "full")]
            QueuedEvent::BlocklistUpdated => Event::BlocklistUpdated,
            #[cfg(feature = "full")]
            QueuedEvent::FriendListUpdated => Event::FriendListUpdated,
            #[cfg(feature = "full")]
            QueuedEvent::FriendApplicationListUpdated => Event::FriendApplicationListUpdated,
            #[cfg(feature = "full")]
            QueuedEvent::FriendGroupListUpdated => Event::FriendGroupListUpdated,
            QueuedEvent::UserSigExpiring(expires_at) => Event::UserSigExpiring { expires_at },
        }
    }
}
