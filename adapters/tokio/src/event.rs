//! Owned events and messages, copied out of the core's borrowed ones.

use tinyim_core::{ConversationType, Elem, Flow, KickReason, MessageView, NetState, Priority};

use crate::group::{GroupNoticeInfo, GroupTipInfo};

/// A message's content (TIM `payload`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// `TIMTextElem`.
    Text(String),
    /// `TIMCustomElem`.
    Custom {
        /// Data.
        data: String,
        /// Description.
        description: String,
        /// Extension.
        extension: String,
    },
    /// The message was larger than this client's frame limit.
    TooLarge {
        /// Its size in bytes.
        size: u32,
    },
    /// `TIMGroupTipElem`: a member or profile change in a group (boxed: it
    /// is the largest payload and the rarest).
    GroupTip(Box<GroupTipInfo>),
    /// `TIMGroupSystemNoticeElem`: in the SYSTEM conversation.
    GroupSystemNotice(GroupNoticeInfo),
    /// `TIMImageElem`: an uploaded image.
    Image {
        /// Where to fetch it.
        url: String,
        /// Width in pixels (0: unknown).
        width: u32,
        /// Height in pixels (0: unknown).
        height: u32,
        /// Size in bytes.
        size: u32,
    },
    /// `TIMFileElem`: an uploaded file.
    File {
        /// Where to fetch it.
        url: String,
        /// Its name.
        name: String,
        /// Size in bytes.
        size: u32,
    },
    /// A revoked message (TIM `isRevoked`); its content is gone.
    Revoked {
        /// Who revoked it (TIM `revoker`).
        by: String,
    },
    /// The notice that the message `seq` was revoked (its sender revoked
    /// it); it also arrives as [`TimEvent::MessageRevoked`].
    RevokeNotice {
        /// The revoked message.
        seq: u64,
    },
}

impl Payload {
    pub(crate) fn from_elem(elem: &Elem<'_>) -> Self {
        match *elem {
            Elem::Text { text } => Payload::Text(text.to_owned()),
            Elem::Custom {
                data,
                description,
                extension,
            } => Payload::Custom {
                data: data.to_owned(),
                description: description.to_owned(),
                extension: extension.to_owned(),
            },
            Elem::TooLarge { size } => Payload::TooLarge { size },
            Elem::GroupTip(ref tip) => Payload::GroupTip(Box::new(GroupTipInfo::from(tip))),
            Elem::GroupSystemNotice(ref notice) => {
                Payload::GroupSystemNotice(GroupNoticeInfo::from(notice))
            }
            Elem::Image {
                url,
                width,
                height,
                size,
            } => Payload::Image {
                url: url.to_owned(),
                width,
                height,
                size,
            },
            Elem::File { url, name, size } => Payload::File {
                url: url.to_owned(),
                name: name.to_owned(),
                size,
            },
            Elem::Revoked { by } => Payload::Revoked { by: by.to_owned() },
            Elem::RevokeNotice { seq } => Payload::RevokeNotice { seq },
        }
    }

    /// The text of a text message.
    pub fn text(&self) -> Option<&str> {
        match self {
            Payload::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A message (TIM `Message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// TIM `conversationID`.
    pub conversation_id: String,
    /// TIM `conversationType`.
    pub conversation_type: ConversationType,
    /// TIM `sequence`.
    pub seq: u64,
    /// TIM `from`.
    pub from: String,
    /// TIM `flow`.
    pub flow: Flow,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
    /// The sender's client message id (TIM `random`).
    pub client_msg_id: u64,
    /// TIM `payload`.
    pub payload: Payload,
}

impl From<&MessageView<'_>> for Message {
    fn from(m: &MessageView<'_>) -> Self {
        Message {
            conversation_id: m.conversation_id.to_owned(),
            conversation_type: m.conversation_type,
            seq: m.seq,
            from: m.from.to_owned(),
            flow: m.flow,
            time_ms: m.time_ms,
            client_msg_id: m.client_msg_id,
            payload: Payload::from_elem(&m.elem),
        }
    }
}

/// A message the server acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentMessage {
    /// Its sequence in the conversation (0 for online-only messages).
    pub seq: u64,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
    /// Its client message id; reuse it to resend without a duplicate.
    pub client_msg_id: u64,
}

/// A conversation in the list (TIM `Conversation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationInfo {
    /// TIM `conversationID`.
    pub id: String,
    /// TIM `type`.
    pub kind: ConversationType,
    /// TIM `unreadCount`.
    pub unread_count: u64,
    /// TIM `lastMessage.lastSequence`.
    pub last_seq: u64,
    /// TIM `lastMessage.lastTime`, unix milliseconds.
    pub last_time_ms: u64,
    /// TIM `lastMessage.fromAccount`.
    pub last_from: String,
    /// TIM `lastMessage.messageForShow`.
    pub preview: String,
    /// One-to-one: the peer read every message up to this seq (TIM
    /// `isPeerRead`); 0 for groups.
    pub peer_read_seq: u64,
    /// TIM `isPinned`: listed before the others.
    pub is_pinned: bool,
}

impl From<&tinyim_core::Conversation> for ConversationInfo {
    fn from(c: &tinyim_core::Conversation) -> Self {
        ConversationInfo {
            id: c.id().to_owned(),
            kind: c.kind(),
            unread_count: c.unread_count(),
            last_seq: c.last_seq(),
            last_time_ms: c.last_time_ms(),
            last_from: c.last_from().to_owned(),
            preview: c.preview().to_owned(),
            peer_read_seq: c.peer_read_seq(),
            is_pinned: c.is_pinned(),
        }
    }
}

/// TIM events (`tim.on(...)`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimEvent {
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
    /// The UserSig ends in five minutes or less (`expires_at`, unix
    /// seconds): log in again with a fresh one before, or the session is
    /// kicked then (`KickedOut(UserSigExpired)`). Once per UserSig.
    UserSigExpiring {
        /// When it expires, as the server said at login.
        expires_at: u64,
    },
    /// The server could not be reached (the reason, such as "connection
    /// refused"); the client dials again after its backoff. Comes at each
    /// failed attempt, so an application can tell an unreachable server
    /// at once instead of waiting for a call's timeout.
    ConnectFailed(String),
    /// `MESSAGE_RECEIVED`: messages, group tips and group system notices
    /// (the payload says which).
    MessageReceived(Message),
    /// `GROUP_LIST_UPDATED`: read it with `Tim::group_list`.
    GroupListUpdated,
    /// `MESSAGE_READ_BY_PEER`: the other user of a one-to-one conversation
    /// read every message up to `peer_read_seq`.
    MessageReadByPeer {
        /// The conversation (`C2C<peer>`).
        conversation_id: String,
        /// Every message up to this seq was read.
        peer_read_seq: u64,
    },
    /// `MESSAGE_REVOKED`: the message `seq` of a conversation was revoked
    /// (here or elsewhere, by its sender or a group admin); its history
    /// entry now reads `Payload::Revoked`.
    MessageRevoked {
        /// The conversation.
        conversation_id: String,
        /// The revoked message.
        seq: u64,
        /// Who revoked it.
        revoker: String,
    },
    /// `PROFILE_UPDATED`: this user's profile changed (here or on another
    /// device): read it with `Tim::my_profile`.
    ProfileUpdated,
    /// `BLACKLIST_UPDATED`: this user's blocklist changed (here or on
    /// another device): read it with `Tim::blocklist`.
    BlocklistUpdated,
    /// `FRIEND_LIST_UPDATED`: the friend list changed (here, on another
    /// device, or by another user's call): read it with `Tim::friend_list`.
    FriendListUpdated,
    /// `FRIEND_APPLICATION_LIST_UPDATED`: read them with
    /// `Tim::friend_applications`.
    FriendApplicationListUpdated,
    /// `FRIEND_GROUP_LIST_UPDATED`: read them with `Tim::friend_groups`.
    FriendGroupListUpdated,
    /// `USER_STATUS_UPDATED`: a user this user subscribes to came online,
    /// went offline or set a custom status (or this user set their own on
    /// another device).
    UserStatusUpdated(crate::user::UserStatus),
    /// The core's group table had no room for this many groups.
    GroupsDropped(u32),
    /// A sent message failed for good, and the call that sent it is no
    /// longer awaited (otherwise the call's error says it, once).
    MessageFailed {
        /// Its conversation.
        conversation_id: String,
        /// Its client message id: send it again with this id and the
        /// server stores it once.
        client_msg_id: u64,
        /// TIM error code.
        code: u32,
    },
    /// `CONVERSATION_LIST_UPDATED`.
    ConversationListUpdated,
    /// `TOTAL_UNREAD_MESSAGE_COUNT_UPDATED`.
    TotalUnreadCountUpdated(u64),
    /// The core's conversation table evicted this many conversations.
    ConversationsEvicted(u32),
    /// Everything missed while away has been delivered.
    SyncComplete,
}

/// A page of a conversation's history (TIM `getMessageList`'s answer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryPage {
    /// The messages: newest first going back, oldest first going forward.
    pub messages: Vec<Message>,
    /// TIM `isCompleted`: no more messages lie that way.
    pub complete: bool,
}

/// A message to send (TIM `createXxxMessage` options), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// A user id (C2C) or a group id (GROUP).
    pub to: String,
    /// C2C or GROUP.
    pub conversation_type: ConversationType,
    /// The content (`TooLarge` is refused).
    pub payload: Payload,
    /// Online recipients only: not stored, no seq, no unread.
    pub online_only: bool,
    /// Reuse an id to resend a message whose outcome is unknown.
    pub client_msg_id: Option<u64>,
    /// Over a group's rate limit, lower priorities are refused first.
    pub priority: Priority,
}

impl Outgoing {
    /// This message with `client_msg_id`: to send again a message whose
    /// send failed or went unanswered (the id its error or its event
    /// gave), which the server stores once.
    pub fn with_client_msg_id(self, client_msg_id: u64) -> Self {
        Outgoing {
            client_msg_id: Some(client_msg_id),
            ..self
        }
    }

    /// A text message to a user (C2C) or a group.
    pub fn text(conversation_type: ConversationType, to: &str, text: &str) -> Self {
        Outgoing::with_payload(conversation_type, to, Payload::Text(text.to_owned()))
    }

    /// A custom message (TIM `createCustomMessage`): application data, the
    /// description a notification shows, an extension.
    pub fn custom(
        conversation_type: ConversationType,
        to: &str,
        data: &str,
        description: &str,
        extension: &str,
    ) -> Self {
        let payload = Payload::Custom {
            data: data.to_owned(),
            description: description.to_owned(),
            extension: extension.to_owned(),
        };
        Outgoing::with_payload(conversation_type, to, payload)
    }

    /// An image already uploaded to `url` (TIM `createImageMessage`; the
    /// upload plugin's step is `Tim::send_image`).
    pub fn image(
        conversation_type: ConversationType,
        to: &str,
        url: &str,
        (width, height): (u32, u32),
        size: u32,
    ) -> Self {
        let payload = Payload::Image {
            url: url.to_owned(),
            width,
            height,
            size,
        };
        Outgoing::with_payload(conversation_type, to, payload)
    }

    /// A file already uploaded to `url` (TIM `createFileMessage`).
    pub fn file(
        conversation_type: ConversationType,
        to: &str,
        url: &str,
        name: &str,
        size: u32,
    ) -> Self {
        let payload = Payload::File {
            url: url.to_owned(),
            name: name.to_owned(),
            size,
        };
        Outgoing::with_payload(conversation_type, to, payload)
    }

    /// A message of `payload`, stored, of normal priority, with a fresh id.
    pub(crate) fn with_payload(
        conversation_type: ConversationType,
        to: &str,
        payload: Payload,
    ) -> Self {
        Outgoing {
            to: to.to_owned(),
            conversation_type,
            payload,
            online_only: false,
            client_msg_id: None,
            priority: Priority::Normal,
        }
    }
}
