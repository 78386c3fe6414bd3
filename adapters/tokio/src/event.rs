//! Owned events and messages, copied out of the core's borrowed ones.

use tinyim_core::{
    ConversationType, Flow, GroupAtInfo, KickReason, MessageView, NetState, Priority,
};

use tinyim_core::wire::body::{Degrees, RemindType};

use crate::payload::{MergerError, MergerInfo, Payload, Picture, VideoInfo};

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
    /// TIM `cloudCustomData`.
    pub cloud_custom_data: String,
    /// TIM `nick`: the sender's nickname when it was sent.
    pub nick: String,
    /// TIM `avatar`: the sender's avatar URL when it was sent.
    pub avatar: String,
    /// TIM `nameCard`: the sender's name card in the group when it was sent.
    pub name_card: String,
    /// TIM `atUserList`: the members it mentions, [`crate::AT_ALL`] for
    /// everyone.
    pub at_users: Vec<String>,
    /// How many times its sender modified it (TIM `modifyMessage`).
    pub version: u32,
    /// TIM `messageControlInfo.excludedFromUnreadCount`.
    pub excluded_from_unread: bool,
    /// TIM `messageControlInfo.excludedFromLastMessage`.
    pub excluded_from_last_message: bool,
    /// TIM `needReadReceipt`: its sender asks for read receipts.
    pub need_read_receipt: bool,
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
            cloud_custom_data: m.extra.cloud_custom_data.to_owned(),
            nick: m.extra.nick.to_owned(),
            avatar: m.extra.avatar.to_owned(),
            name_card: m.extra.name_card.to_owned(),
            at_users: m.extra.at_users.iter().map(str::to_owned).collect(),
            version: m.extra.version,
            excluded_from_unread: m.extra.excluded_from_unread,
            excluded_from_last_message: m.extra.excluded_from_last_message,
            need_read_receipt: m.extra.need_read_receipt,
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
    /// TIM `groupAtInfoList`: whether unread messages mention this user.
    pub group_at_info: GroupAtInfo,
    /// TIM `messageRemindType`.
    pub remind_type: RemindType,
    /// TIM `markList`, as bits (`MARK_STAR` and the others).
    pub marks: u64,
    /// TIM `customData`.
    pub custom_data: Vec<u8>,
    /// The draft (TIM's C SDK `draftText`); empty without one.
    pub draft: String,
    /// When the draft was set, unix milliseconds; 0 without one.
    pub draft_time_ms: u64,
    /// TIM `lastMessage.nick`: the last sender's nickname when they sent it.
    pub last_nick: String,
    /// The last sender's avatar when they sent it.
    pub last_avatar: String,
    /// TIM `lastMessage.nameCard`: the last sender's name card in the group.
    pub last_name_card: String,
    /// The digest the custom data and draft were fetched for.
    pub(crate) data_digest: u64,
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
            group_at_info: c.group_at_info(),
            remind_type: c.remind_type(),
            marks: c.marks(),
            custom_data: Vec::new(),
            draft: String::new(),
            draft_time_ms: 0,
            last_nick: String::new(),
            last_avatar: String::new(),
            last_name_card: String::new(),
            data_digest: c.data_digest(),
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
    MessageReceived(Box<Message>),
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
    /// `MESSAGE_MODIFIED`: a message's sender modified it (this user too,
    /// on any device): show it as it now is.
    MessageModified {
        /// The conversation.
        conversation_id: String,
        /// The modified message.
        seq: u64,
        /// Its new content.
        payload: Payload,
        /// Its new TIM `cloudCustomData`.
        cloud_custom_data: String,
        /// Its version now.
        version: u32,
    },
    /// The user deleted messages on another device (TIM `deleteMessage`):
    /// take them off what is shown.
    MessagesDeleted {
        /// The conversation.
        conversation_id: String,
        /// The deleted messages' seqs.
        seqs: Vec<u64>,
    },
    /// `MESSAGE_READ_RECEIPT_RECEIVED`: a member sent a read receipt for a
    /// group message of this user's; its counts now.
    MessageReadReceiptReceived(crate::ReadReceiptInfo),
    /// An upload to the server's service moved on (TIM's `onProgress`):
    /// `sent` of `total` bytes are there.
    UploadProgress {
        /// The file's name.
        name: String,
        /// Bytes the server has.
        sent: u64,
        /// The file's size.
        total: u64,
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
    /// TIM `cloudCustomData` (at most 1 KB).
    pub cloud_custom_data: String,
    /// TIM `atUserList`: the members it mentions, [`crate::AT_ALL`] for
    /// everyone (group messages only).
    pub at_users: Vec<String>,
    /// TIM `messageControlInfo.excludedFromUnreadCount`: it does not count
    /// as unread for its receivers.
    pub excluded_from_unread: bool,
    /// TIM `messageControlInfo.excludedFromLastMessage`: it does not become
    /// the conversation's last message.
    pub excluded_from_last_message: bool,
    /// TIM `needReadReceipt`: the group's members are asked for read
    /// receipts (Work, Public and Meeting groups).
    pub need_read_receipt: bool,
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
        let original = Picture {
            url: url.to_owned(),
            size,
            width,
            height,
        };
        Outgoing::with_payload(conversation_type, to, Payload::image(original))
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
            uuid: String::new(),
        };
        Outgoing::with_payload(conversation_type, to, payload)
    }

    /// Entry `index` of the application's emoji set (TIM `createFaceMessage`).
    pub fn face(conversation_type: ConversationType, to: &str, index: u32, data: &str) -> Self {
        let data = data.to_owned();
        Outgoing::with_payload(conversation_type, to, Payload::Face { index, data })
    }

    /// A place (TIM `createLocationMessage`), in degrees.
    pub fn location(
        conversation_type: ConversationType,
        to: &str,
        description: &str,
        longitude: f64,
        latitude: f64,
    ) -> Self {
        let payload = Payload::Location {
            description: description.to_owned(),
            longitude: Degrees(longitude),
            latitude: Degrees(latitude),
        };
        Outgoing::with_payload(conversation_type, to, payload)
    }

    /// A voice message already uploaded to `url` (TIM `createAudioMessage`).
    pub fn sound(
        conversation_type: ConversationType,
        to: &str,
        url: &str,
        size: u32,
        seconds: u32,
    ) -> Self {
        let payload = Payload::Sound {
            url: url.to_owned(),
            uuid: String::new(),
            size,
            seconds,
        };
        Outgoing::with_payload(conversation_type, to, payload)
    }

    /// A video already uploaded (TIM `createVideoMessage`): its URL, size,
    /// length, format and thumbnail in `video`.
    pub fn video(conversation_type: ConversationType, to: &str, video: VideoInfo) -> Self {
        Outgoing::with_payload(conversation_type, to, Payload::Video(Box::new(video)))
    }

    /// `messages` merged into one (TIM `createMergerMessage`), with a title,
    /// one abstract line each, and what clients that cannot open it show.
    pub fn merger(
        conversation_type: ConversationType,
        to: &str,
        title: &str,
        messages: &[Message],
        compatible_text: &str,
    ) -> Result<Self, MergerError> {
        let merger = MergerInfo::new(title, messages, compatible_text)?;
        let payload = Payload::Merger(Box::new(merger));
        Ok(Outgoing::with_payload(conversation_type, to, payload))
    }

    /// `message` sent again, as this user's, to a user or a group (TIM
    /// `createForwardMessage`): its payload and cloud custom data.
    pub fn forward(conversation_type: ConversationType, to: &str, message: &Message) -> Self {
        Outgoing {
            cloud_custom_data: message.cloud_custom_data.clone(),
            ..Outgoing::with_payload(conversation_type, to, message.payload.clone())
        }
    }

    /// This message mentioning `users` (TIM `createTextAtMessage`'s
    /// `atUserList`; [`crate::AT_ALL`] for everyone).
    pub fn with_at_users(self, users: &[&str]) -> Self {
        Outgoing {
            at_users: users.iter().map(|u| u.to_string()).collect(),
            ..self
        }
    }

    /// This message with TIM `cloudCustomData` (a reply's or a quote's
    /// reference, application flags; at most 1 KB).
    pub fn with_cloud_custom_data(self, cloud_custom_data: &str) -> Self {
        Outgoing {
            cloud_custom_data: cloud_custom_data.to_owned(),
            ..self
        }
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
            cloud_custom_data: String::new(),
            at_users: Vec::new(),
            excluded_from_unread: false,
            excluded_from_last_message: false,
            need_read_receipt: false,
        }
    }

    /// This message carrying the server's upload id (TIM `uuid`) of its
    /// image, file, sound or video; another kind is left as it is.
    pub fn with_upload_id(mut self, upload_id: &str) -> Self {
        match &mut self.payload {
            Payload::Image { uuid, .. }
            | Payload::File { uuid, .. }
            | Payload::Sound { uuid, .. } => {
                upload_id.clone_into(uuid);
            }
            Payload::Video(video) => upload_id.clone_into(&mut video.uuid),
            _ => {}
        }
        self
    }

    /// This message asking the group's members for read receipts (TIM
    /// `needReadReceipt`).
    pub fn with_read_receipt(self) -> Self {
        Outgoing {
            need_read_receipt: true,
            ..self
        }
    }

    /// This message with TIM `messageControlInfo`: not counted as unread
    /// (`excluded_from_unread`), not shown as the conversation's last
    /// message (`excluded_from_last_message`).
    pub fn with_control(
        self,
        excluded_from_unread: bool,
        excluded_from_last_message: bool,
    ) -> Self {
        Outgoing {
            excluded_from_unread,
            excluded_from_last_message,
            ..self
        }
    }
}
