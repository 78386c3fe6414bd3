//! Frame kinds.
//!
//! `0x01..=0x1f`: connection control. `0x20..=0x7f`: client requests, whose
//! body starts with the request id. `0x80..=0xbf`: server replies.
//! `0xc0..=0xff`: server pushes, skipped by a client that does not know them.

/// Either side: keep-alive, empty body.
pub const HEARTBEAT: u8 = 0x01;
/// Client: first frame, [`super::body::Hello`].
pub const HELLO: u8 = 0x02;

/// Request: [`super::body::Login`].
pub const LOGIN: u8 = 0x20;
/// Request: log out, empty payload.
pub const LOGOUT: u8 = 0x21;
/// Request: [`super::body::SendMessage`].
pub const SEND_MESSAGE: u8 = 0x22;
/// Request: [`super::body::SetRead`].
pub const SET_READ: u8 = 0x23;
/// Request: [`super::body::MessageList`], history newest first.
pub const MESSAGE_LIST: u8 = 0x24;
/// Request: [`super::body::MessageRange`], missed messages oldest first.
pub const MESSAGE_RANGE: u8 = 0x25;
/// Request: [`super::body::Sync`].
pub const SYNC: u8 = 0x26;
/// Request: [`super::body::ConversationRef`], TIM `deleteConversation`;
/// answer: the same conversation.
pub const DELETE_CONVERSATION: u8 = 0x27;
/// Request: [`super::body::MessageRef`], TIM `revokeMessage`; answer:
/// the same reference. Everyone in the conversation learns it from the
/// [`super::body::Elem::RevokeNotice`] message it posts.
pub const REVOKE_MESSAGE: u8 = 0x28;
/// Request: [`super::body::ConversationRef`], TIM `clearHistoryMessage`;
/// answer: the same conversation.
pub const CLEAR_HISTORY: u8 = 0x29;
/// Request: [`super::body::PinConversation`], TIM `pinConversation`;
/// answer: the same.
pub const PIN_CONVERSATION: u8 = 0x2a;
/// Request: [`super::body::SyncWindow`]; answer: [`super::body::SyncWindowPage`]
/// then [`super::body::WindowSummary`] records. What clients sync with
/// ([`SYNC`] stays for older ones).
pub const SYNC_WINDOW: u8 = 0x2b;
/// Request: [`super::body::ReadAll`], TIM `setAllMessageRead`; answer:
/// empty (the caller reads what it holds of the scope). Each conversation
/// read comes to the user's other sessions as a [`PUSH_READ`].
pub const READ_ALL: u8 = 0x2c;
/// Request: [`super::body::DeleteConversations`]; answer: empty. Each
/// conversation deleted (and cleared) comes to every session of the user
/// as [`PUSH_CONVERSATION_DELETED`] (and [`PUSH_HISTORY_CLEARED`]).
pub const DELETE_CONVERSATIONS: u8 = 0x2d;
/// Request: [`super::body::DeleteMessages`], TIM `deleteMessage`; answer:
/// the same. The user's other sessions get it as [`PUSH_MESSAGES_DELETED`].
pub const DELETE_MESSAGES: u8 = 0x2e;
/// Request: [`super::body::ModifyMessage`], TIM `modifyMessage`; answer:
/// the message's new version (`u32`). Every party, the editor's sessions
/// included, learns it by an `Elem::Modified` notice posted into the
/// conversation.
pub const MODIFY_MESSAGE: u8 = 0x2f;

/// Request: [`super::group::CreateGroup`]; answer: `Created`.
pub const CREATE_GROUP: u8 = 0x30;
/// Request: [`super::group::GroupRef`]; owner only.
pub const DISMISS_GROUP: u8 = 0x31;
/// Request: [`super::group::UpdateGroupProfile`].
pub const UPDATE_GROUP_PROFILE: u8 = 0x32;
/// Request: [`super::group::GroupRef`]; answer: `Profile` then `Custom` records.
pub const GROUP_PROFILE: u8 = 0x33;
/// Request: [`super::group::GroupRef`]; answer: `Profile` (not Work groups).
pub const SEARCH_GROUP: u8 = 0x34;
/// Request: [`super::group::ListPage`] with an empty group id; answer: `Info` records, `Page`.
pub const GROUP_LIST: u8 = 0x35;
/// Request: [`super::group::JoinGroup`]; answer: `Join`.
pub const JOIN_GROUP: u8 = 0x36;
/// Request: [`super::group::ListPage`]; answer: `Application` records, `Page`.
pub const GROUP_APPLICATIONS: u8 = 0x37;
/// Request: [`super::group::HandleApplication`].
pub const HANDLE_APPLICATION: u8 = 0x38;
/// Request: [`super::group::GroupRef`].
pub const QUIT_GROUP: u8 = 0x39;
/// Request: [`super::group::MemberChange`]: invite.
pub const ADD_MEMBERS: u8 = 0x3a;
/// Request: [`super::group::MemberChange`]: kick.
pub const DELETE_MEMBERS: u8 = 0x3b;
/// Request: [`super::group::SetMemberRole`].
pub const SET_MEMBER_ROLE: u8 = 0x3c;
/// Request: [`super::group::SetMemberMute`].
pub const SET_MEMBER_MUTE: u8 = 0x3d;
/// Request: [`super::group::SetNameCard`].
pub const SET_NAME_CARD: u8 = 0x3e;
/// Request: [`super::group::ChangeOwner`].
pub const CHANGE_OWNER: u8 = 0x3f;
/// Request: [`super::group::ListPage`]; answer: `Member` records, `Page`.
pub const MEMBER_LIST: u8 = 0x40;
/// Request: [`super::group::MemberChange`]; answer: `Member` records.
pub const MEMBER_PROFILE: u8 = 0x41;
/// Request: [`super::group::GroupRef`]; answer: `OnlineCount` (AVChatRoom).
pub const ONLINE_MEMBER_COUNT: u8 = 0x42;
/// Request: [`super::group::CustomNotice`]; owner and admins.
pub const CUSTOM_NOTICE: u8 = 0x43;
/// Request: [`super::body::RemindSetting`], TIM `setMessageRemindType`;
/// answer: the same. The user's other sessions get it as
/// [`PUSH_REMIND_TYPE`].
pub const SET_REMIND_TYPE: u8 = 0x44;
/// Request: [`super::receipt::ReceiptMessages`], TIM
/// `sendMessageReadReceipt`: the caller read these messages of a group;
/// answer: empty. Each sender learns by [`PUSH_READ_RECEIPT`].
pub const SEND_READ_RECEIPTS: u8 = 0x45;
/// Request: [`super::receipt::ReceiptMessages`], TIM
/// `getMessageReadReceiptList`; answer: a `ReadReceipt` record per message.
pub const READ_RECEIPTS: u8 = 0x46;
/// Request: [`super::receipt::ReceiptMembers`], TIM
/// `getGroupMessageReadMemberList`; answer: `ReceiptMember` records, `Page`.
pub const READ_RECEIPT_MEMBERS: u8 = 0x47;

/// Request: [`super::user::BlocklistChange`]: block these users.
pub const ADD_TO_BLOCKLIST: u8 = 0x50;
/// Request: [`super::user::BlocklistChange`]: unblock these users.
pub const REMOVE_FROM_BLOCKLIST: u8 = 0x51;
/// Request: [`super::user::BlocklistPage`]; answer: `Blocked` records, `Page`.
pub const BLOCKLIST: u8 = 0x52;

/// Request: [`super::user::ProfileQuery`]; answer: a `Profile` record per user.
pub const USER_PROFILE: u8 = 0x53;
/// Request: [`super::user::ProfileUpdate`]; answer: the new `Profile`.
pub const UPDATE_MY_PROFILE: u8 = 0x54;
/// Request: [`super::user::SetSelfStatus`], TIM `setSelfStatus`.
pub const SET_SELF_STATUS: u8 = 0x55;
/// Request: [`super::user::StatusUsers`], TIM `getUserStatus`; answer: a
/// `Status` record per user.
pub const USER_STATUS: u8 = 0x56;
/// Request: [`super::user::StatusUsers`], TIM `subscribeUserStatus`.
pub const SUBSCRIBE_USER_STATUS: u8 = 0x57;
/// Request: [`super::user::StatusUsers`], TIM `unsubscribeUserStatus`.
pub const UNSUBSCRIBE_USER_STATUS: u8 = 0x58;
/// Request: [`super::group::CustomField`], one of TIM `updateMyProfile`'s
/// `profileCustomField` (an empty value removes it).
pub const SET_PROFILE_CUSTOM: u8 = 0x59;
/// Request: [`super::user::ProfileQuery`]; answer: each user's
/// `ProfileCustom` records, `Page` (counting users).
pub const PROFILE_CUSTOM: u8 = 0x5a;
/// Request: [`super::conversation_data::SetConversationData`], TIM
/// `markConversation`, `setConversationCustomData` and the draft; answer:
/// empty. Each conversation changed comes to every session of the user as
/// [`PUSH_CONVERSATION_DATA`].
pub const SET_CONVERSATION_DATA: u8 = 0x5b;
/// Request: [`super::conversation_data::ConversationDataQuery`]; answer:
/// `ConversationData` records, `Page`.
pub const CONVERSATION_DATA: u8 = 0x5c;
/// Request: [`super::media::UploadRequest`]; answer: an `Upload` record.
pub const UPLOAD_TICKET: u8 = 0x5d;
/// Request: [`super::media::DownloadRequest`]; answer: a `Download` record.
pub const DOWNLOAD_URL: u8 = 0x5e;

/// Request: [`super::friend::AddFriend`]; answer: `Added`.
pub const ADD_FRIEND: u8 = 0x60;
/// Request: [`super::friend::FriendUsers`] (at most 100).
pub const DELETE_FRIEND: u8 = 0x61;
/// Request: [`super::friend::FriendUsers`] (at most 1000); answer: a
/// `Check` record per user, `Page`.
pub const CHECK_FRIEND: u8 = 0x62;
/// Request: [`super::friend::FriendPage`]; answer: `Friend` records (each
/// followed by its `Custom` ones), `Page`.
pub const FRIEND_LIST: u8 = 0x63;
/// Request: [`super::friend::FriendQuery`]; answer: a `Friend` (with its
/// `Custom`s) or `NotFriend` record per user, `Page`.
pub const FRIEND_PROFILE: u8 = 0x64;
/// Request: [`super::friend::UpdateFriend`].
pub const UPDATE_FRIEND: u8 = 0x65;
/// Request: [`super::friend::FriendPage`]; answer: `UnreadApplications`,
/// `Application` records, `Page`.
pub const FRIEND_APPLICATIONS: u8 = 0x66;
/// Request: [`super::friend::AcceptApplication`].
pub const ACCEPT_FRIEND_APPLICATION: u8 = 0x67;
/// Request: [`super::friend::ApplicationRef`] (a `ComeIn` application).
pub const REFUSE_FRIEND_APPLICATION: u8 = 0x68;
/// Request: [`super::friend::ApplicationRef`].
pub const DELETE_FRIEND_APPLICATION: u8 = 0x69;
/// Request: empty payload; the applications to this user are read.
pub const SET_FRIEND_APPLICATIONS_READ: u8 = 0x6a;
/// Request: [`super::friend::FriendGroupChange`]: `name` with `users`.
pub const CREATE_FRIEND_GROUP: u8 = 0x6b;
/// Request: [`super::friend::FriendGroupChange`]: `name`.
pub const DELETE_FRIEND_GROUP: u8 = 0x6c;
/// Request: [`super::friend::FriendGroupChange`]: `name` to `new_name`.
pub const RENAME_FRIEND_GROUP: u8 = 0x6d;
/// Request: [`super::friend::FriendGroupChange`]: `users` into `name`.
pub const ADD_TO_FRIEND_GROUP: u8 = 0x6e;
/// Request: [`super::friend::FriendGroupChange`]: `users` out of `name`.
pub const REMOVE_FROM_FRIEND_GROUP: u8 = 0x6f;
/// Request: [`super::friend::FriendPage`]; answer: `Group` records, each
/// followed by its `Member`s, `Page`.
pub const FRIEND_GROUPS: u8 = 0x70;

/// Whether `kind` is a friend call, whose answer is a run of
/// [`super::friend::FriendRecord`]s.
pub const fn is_friend_call(kind: u8) -> bool {
    kind >= ADD_FRIEND && kind <= FRIEND_GROUPS
}

/// Whether `kind` is a user call, whose answer is a run of
/// [`super::user::UserRecord`]s.
pub const fn is_user_call(kind: u8) -> bool {
    kind >= ADD_TO_BLOCKLIST && kind <= DOWNLOAD_URL
}

/// Whether `kind` is a group call, whose answer is a run of
/// [`super::group::GroupRecord`]s.
pub const fn is_group_call(kind: u8) -> bool {
    (kind >= CREATE_GROUP && kind <= CUSTOM_NOTICE)
        || (kind >= SEND_READ_RECEIPTS && kind <= READ_RECEIPT_MEMBERS)
}

/// Server: [`super::body::HelloAck`].
pub const HELLO_ACK: u8 = 0x80;
/// Server: [`super::body::HelloReject`]; the server closes after it.
pub const HELLO_REJECT: u8 = 0x81;
/// Server: success, `(request_id, payload)` where the payload type follows the request kind.
pub const RESPONSE_OK: u8 = 0x82;
/// Server: failure, `(request_id, `[`super::body::ErrorBody`]`)`.
pub const RESPONSE_ERR: u8 = 0x83;

/// Push: [`super::body::PushMessage`] header followed by one [`super::body::Message`].
pub const PUSH_MESSAGE: u8 = 0xc0;
/// Push: [`super::body::Kicked`]; the server closes after it.
pub const PUSH_KICKED: u8 = 0xc1;
/// Push: [`super::body::PushRead`], a read watermark moved on another device.
pub const PUSH_READ: u8 = 0xc2;
/// Push: one [`super::group::GroupRecord`] (`Info` or `Left`): the user's
/// group list changed.
pub const PUSH_GROUP: u8 = 0xc3;
/// Push: [`super::user::UserChange`]: the user's own profile or blocklist
/// changed (on this device or another).
pub const PUSH_USER: u8 = 0xc4;
/// Push: [`super::body::PushPeerRead`], the peer of a one-to-one
/// conversation read up to a seq.
pub const PUSH_PEER_READ: u8 = 0xc5;
/// Push: [`super::body::ConversationRef`], a conversation the user deleted
/// on another device.
pub const PUSH_CONVERSATION_DELETED: u8 = 0xc6;
/// Push: [`super::body::ConversationRef`], the user cleared a conversation's
/// history on another device (TIM `clearHistoryMessage`).
pub const PUSH_HISTORY_CLEARED: u8 = 0xc7;
/// Push: [`super::body::PinConversation`], the user pinned or unpinned a
/// conversation on another device.
pub const PUSH_CONVERSATION_PINNED: u8 = 0xc8;
/// Push, empty body: the server is shutting down; connect again (to it
/// once it is back, or to another node). Everything acknowledged is stored;
/// requests without an answer are sent again after the next login.
pub const PUSH_RECONNECT: u8 = 0xc9;
/// Push: one [`super::user::UserStatus`], TIM `USER_STATUS_UPDATED`: a
/// subscribed user came online, went offline or set a custom status (or
/// the user set their own on another device).
pub const PUSH_USER_STATUS: u8 = 0xca;
/// Push: [`super::friend::FriendChange`]: the user's friends,
/// applications or friend groups changed (on this device or another, or
/// by another user's call).
pub const PUSH_FRIEND: u8 = 0xcb;
/// Push: [`super::body::DeleteMessages`], the user deleted messages on
/// another device (TIM `deleteMessage`).
pub const PUSH_MESSAGES_DELETED: u8 = 0xcc;
/// Push: [`super::body::RemindSetting`], the user set a conversation's
/// remind type on another device.
pub const PUSH_REMIND_TYPE: u8 = 0xcd;
/// Push: [`super::conversation_data::ConversationDataState`], the user
/// changed a conversation's marks, custom data or draft (on this device
/// or another).
pub const PUSH_CONVERSATION_DATA: u8 = 0xce;
/// Push: one [`super::receipt::ReadReceipt`], TIM
/// `MESSAGE_READ_RECEIPT_RECEIVED`: a member sent a receipt for a message
/// of this user's.
pub const PUSH_READ_RECEIPT: u8 = 0xcf;

/// Whether `kind` is a client request (its body starts with a request id).
pub const fn is_request(kind: u8) -> bool {
    kind >= 0x20 && kind < 0x80
}

/// Whether `kind` is a server push.
pub const fn is_push(kind: u8) -> bool {
    kind >= 0xc0
}
