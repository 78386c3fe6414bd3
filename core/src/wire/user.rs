//! User calls: profiles (TIM `getMyProfile`, `getUserProfile`,
//! `updateMyProfile`) and the blocklist (TIM `getBlacklist`,
//! `addToBlacklist`, `removeFromBlacklist`). A user on someone's blocklist
//! cannot send them one-to-one messages: the send fails with
//! [`super::code::BLOCKED_BY_PEER`].

use serde::{Deserialize, Serialize};

use super::group::UserList;

/// A blocklist holds at most this many users, as in TIM.
pub const MAX_BLOCKLIST: usize = 1000;

/// Most users one `getUserProfile` call names.
pub const MAX_PROFILE_USERS: usize = 100;

/// Longest nickname, in bytes.
pub const MAX_NICK: usize = 500;

/// Longest self signature, in bytes.
pub const MAX_SELF_SIGNATURE: usize = 500;

/// Longest avatar URL, in bytes.
pub const MAX_AVATAR: usize = 500;

/// Longest location, in bytes.
pub const MAX_LOCATION: usize = 16;

/// Every profile custom field key starts with this (TIM
/// `Tag_Profile_Custom_*`).
pub const PROFILE_CUSTOM_PREFIX: &str = "Tag_Profile_Custom_";

/// Longest profile custom field key after its prefix, in bytes.
pub const MAX_PROFILE_CUSTOM_KEY: usize = 8;

/// Longest profile custom field value, in bytes.
pub const MAX_PROFILE_CUSTOM_VALUE: usize = 500;

/// Most custom fields one profile holds.
pub const MAX_PROFILE_CUSTOM_FIELDS: usize = 20;

/// Longest custom status (TIM `setSelfStatus`), in bytes.
pub const MAX_CUSTOM_STATUS: usize = 100;

/// Most users one `getUserStatus` call names, as in TIM.
pub const MAX_STATUS_QUERY: usize = 500;

/// Most users one `subscribeUserStatus` call names, as in TIM.
pub const MAX_STATUS_SUBSCRIBE: usize = 100;

/// Most users one user subscribes to at once, over all calls.
pub const MAX_STATUS_SUBSCRIPTIONS: usize = 200;

/// TIM `TIM.TYPES.GENDER_*`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Gender {
    /// `Gender_Type_Unknown`.
    #[default]
    Unknown,
    /// `Gender_Type_Female`.
    Female,
    /// `Gender_Type_Male`.
    Male,
}

/// TIM `TIM.TYPES.ALLOW_TYPE_*`: how others may add this user as a friend
/// (kept and shown; tinyim has no friend list yet).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AllowType {
    /// `AllowType_Type_AllowAny`.
    AllowAny,
    /// `AllowType_Type_NeedConfirm`.
    #[default]
    NeedConfirm,
    /// `AllowType_Type_DenyAny`.
    DenyAny,
}

/// A user's profile (TIM `Profile`). A user who never set one has the
/// defaults: empty strings, `Unknown`, `NeedConfirm`, zeros.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserProfile<'a> {
    /// TIM `userID`.
    pub user_id: &'a str,
    /// TIM `nick`, at most [`MAX_NICK`] bytes.
    pub nick: &'a str,
    /// TIM `gender`.
    pub gender: Gender,
    /// TIM `birthday`, e.g. 19900101.
    pub birthday: u32,
    /// TIM `location`, at most [`MAX_LOCATION`] bytes.
    pub location: &'a str,
    /// TIM `selfSignature`, at most [`MAX_SELF_SIGNATURE`] bytes.
    pub self_signature: &'a str,
    /// TIM `allowType`.
    pub allow_type: AllowType,
    /// TIM `language`.
    pub language: u32,
    /// TIM `avatar`, at most [`MAX_AVATAR`] bytes.
    pub avatar: &'a str,
    /// TIM `level`.
    pub level: u32,
    /// TIM `role`.
    pub role: u32,
    /// When the profile last changed, unix milliseconds (0: never set).
    pub updated_ms: u64,
}

/// Request payload: TIM `updateMyProfile`. `None` leaves a field as it is.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileUpdate<'a> {
    /// New nickname.
    pub nick: Option<&'a str>,
    /// New gender.
    pub gender: Option<Gender>,
    /// New birthday.
    pub birthday: Option<u32>,
    /// New location.
    pub location: Option<&'a str>,
    /// New self signature.
    pub self_signature: Option<&'a str>,
    /// New friend-adding rule.
    pub allow_type: Option<AllowType>,
    /// New language.
    pub language: Option<u32>,
    /// New avatar URL.
    pub avatar: Option<&'a str>,
    /// New level.
    pub level: Option<u32>,
    /// New role.
    pub role: Option<u32>,
}

impl ProfileUpdate<'_> {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == ProfileUpdate::default()
    }
}

/// Request payload: TIM `getUserProfile` (and `getMyProfile`, naming only
/// oneself).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileQuery<'a> {
    /// The users, 1 to [`MAX_PROFILE_USERS`].
    #[serde(borrow)]
    pub users: UserList<'a>,
}

/// Request payload: users to add to or remove from the blocklist.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlocklistChange<'a> {
    /// The users, 1 to [`MAX_BLOCKLIST`].
    #[serde(borrow)]
    pub users: UserList<'a>,
}

/// Request payload: one page of the blocklist, oldest entry first.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlocklistPage {
    /// Where the page starts, from the previous page's `next_offset`.
    pub offset: u32,
    /// At most this many records, 1 to 100; fewer when the frame is full.
    pub count: u16,
}

/// TIM `TIM.TYPES.USER_STATUS_*`. tinyim tells online from offline; a
/// user who never logged in or logged out reads as offline too.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StatusType {
    /// `USER_STATUS_ONLINE`: at least one session is connected.
    Online,
    /// `USER_STATUS_OFFLINE`: no session is connected (the last one logged
    /// out, was closed, or went silent past its heartbeat deadline).
    Offline,
}

/// A user's status (TIM `UserStatus`): an answer record of
/// `getUserStatus`, and the payload of `USER_STATUS_UPDATED`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserStatus<'a> {
    /// TIM `userID`.
    pub user_id: &'a str,
    /// TIM `statusType`.
    pub status_type: StatusType,
    /// TIM `customStatus`, at most [`MAX_CUSTOM_STATUS`] bytes; kept until
    /// the user sets another (empty: none).
    pub custom_status: &'a str,
}

/// Request payload: TIM `setSelfStatus`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetSelfStatus<'a> {
    /// The custom status, at most [`MAX_CUSTOM_STATUS`] bytes; empty clears it.
    pub custom_status: &'a str,
}

/// Request payload: the users of TIM `getUserStatus`,
/// `subscribeUserStatus` or `unsubscribeUserStatus` (where an empty list
/// means every subscription).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusUsers<'a> {
    /// The users.
    #[serde(borrow)]
    pub users: UserList<'a>,
}

/// Push payload: what of the user's own data changed.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UserChange {
    /// The profile (TIM `PROFILE_UPDATED`).
    Profile,
    /// The blocklist (TIM `BLACKLIST_UPDATED`).
    Blocklist,
}

/// One record of a user call's answer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserRecord<'a> {
    /// A user's profile.
    Profile(UserProfile<'a>),
    /// A user on the blocklist.
    Blocked {
        /// The user.
        user_id: &'a str,
    },
    /// Last record of a page: where the next page starts.
    Page {
        /// Offset for the next request.
        next_offset: u32,
        /// Whether more records lie beyond this page.
        more: bool,
    },
    /// A user's status (TIM `getUserStatus`).
    Status(UserStatus<'a>),
    /// A custom field of a user's profile (TIM `profileCustomField`).
    ProfileCustom {
        /// Whose.
        user_id: &'a str,
        /// `Tag_Profile_Custom_` and its name.
        key: &'a str,
        /// Its value.
        value: &'a str,
    },
    /// A conversation's custom data, draft and last message's stamps
    /// (answer to a [`super::conversation_data::ConversationDataQuery`]).
    ConversationData(super::conversation_data::ConversationData<'a>),
    /// Where to upload a file (answer to an upload ticket request).
    Upload(super::media::UploadTicket<'a>),
    /// A fresh URL for a message's upload.
    Download(super::media::DownloadUrl<'a>),
}
