//! Owned forms of the profile, blocklist and status calls and their
//! answers, for the driver and the application.

use tinyim_core::time::Instant;
use tinyim_core::wire::media::{MediaKind, UploadRequest};
use tinyim_core::wire::user::{self as wire, UserRecord};
use tinyim_core::{Client, CommandError, RequestId};

pub use tinyim_core::wire::user::{AllowType, Gender, StatusType};

/// A user's profile (TIM `Profile`), owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// TIM `userID`.
    pub user_id: String,
    /// TIM `nick`.
    pub nick: String,
    /// TIM `gender`.
    pub gender: Gender,
    /// TIM `birthday`, e.g. 19900101.
    pub birthday: u32,
    /// TIM `location`.
    pub location: String,
    /// TIM `selfSignature`.
    pub self_signature: String,
    /// TIM `allowType`.
    pub allow_type: AllowType,
    /// TIM `language`.
    pub language: u32,
    /// TIM `avatar`.
    pub avatar: String,
    /// TIM `level`.
    pub level: u32,
    /// TIM `role`.
    pub role: u32,
    /// When the profile last changed, unix milliseconds (0: never set).
    pub updated_ms: u64,
    /// TIM `profileCustomField`: `(key, value)` pairs, by key.
    pub custom: Vec<(String, String)>,
}

impl From<&wire::UserProfile<'_>> for Profile {
    fn from(p: &wire::UserProfile<'_>) -> Self {
        Profile {
            user_id: p.user_id.to_owned(),
            nick: p.nick.to_owned(),
            gender: p.gender,
            birthday: p.birthday,
            location: p.location.to_owned(),
            self_signature: p.self_signature.to_owned(),
            allow_type: p.allow_type,
            language: p.language,
            avatar: p.avatar.to_owned(),
            level: p.level,
            role: p.role,
            updated_ms: p.updated_ms,
            custom: Vec::new(),
        }
    }
}

/// A user's status (TIM `UserStatus`), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatus {
    /// TIM `userID`.
    pub user_id: String,
    /// TIM `statusType`: online while any session of the user is connected.
    pub status_type: StatusType,
    /// TIM `customStatus` (empty: none).
    pub custom_status: String,
}

impl From<&wire::UserStatus<'_>> for UserStatus {
    fn from(s: &wire::UserStatus<'_>) -> Self {
        UserStatus {
            user_id: s.user_id.to_owned(),
            status_type: s.status_type,
            custom_status: s.custom_status.to_owned(),
        }
    }
}

/// TIM `updateMyProfile` options: the fields to change (`None` keeps one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MyProfileUpdate {
    /// New nickname, at most 500 bytes.
    pub nick: Option<String>,
    /// New gender.
    pub gender: Option<Gender>,
    /// New birthday, e.g. 19900101.
    pub birthday: Option<u32>,
    /// New location, at most 16 bytes.
    pub location: Option<String>,
    /// New self signature, at most 500 bytes.
    pub self_signature: Option<String>,
    /// New friend-adding rule.
    pub allow_type: Option<AllowType>,
    /// New language.
    pub language: Option<u32>,
    /// New avatar URL, at most 500 bytes.
    pub avatar: Option<String>,
    /// New level.
    pub level: Option<u32>,
    /// New role.
    pub role: Option<u32>,
}

impl MyProfileUpdate {
    fn as_wire(&self) -> wire::ProfileUpdate<'_> {
        wire::ProfileUpdate {
            nick: self.nick.as_deref(),
            gender: self.gender,
            birthday: self.birthday,
            location: self.location.as_deref(),
            self_signature: self.self_signature.as_deref(),
            allow_type: self.allow_type,
            language: self.language,
            avatar: self.avatar.as_deref(),
            level: self.level,
            role: self.role,
        }
    }
}

/// A user call in transit to the driver.
#[derive(Debug, Clone)]
pub(crate) enum UserCall {
    /// The logged-in user's profile.
    MyProfile,
    /// These users' profiles (comma-joined).
    Profiles(String),
    /// Change the logged-in user's profile.
    UpdateProfile(MyProfileUpdate),
    /// Block these users (comma-joined).
    Block(String),
    /// Unblock these users (comma-joined).
    Unblock(String),
    /// One page of the blocklist, from this offset.
    Page(u32),
    /// Set the custom status.
    SetStatus(String),
    /// These users' statuses (comma-joined).
    Statuses(String),
    /// Subscribe to these users' statuses (comma-joined).
    Subscribe(String),
    /// Unsubscribe from these (comma-joined; empty: everyone).
    Unsubscribe(String),
    /// Set one profile custom field: key, value.
    SetCustom(String, String),
    /// These users' profile custom fields (comma-joined).
    Customs(String),
    /// Set or clear marks on these conversations (space-joined).
    Mark(String, u64, bool),
    /// Set the custom data of these conversations (space-joined).
    SetConversationCustom(String, Vec<u8>),
    /// Set a conversation's draft.
    SetDraft(String, String),
    /// These conversations' data (space-joined).
    ConversationData(String),
    /// A ticket to upload: kind, size, name, SHA-256 in hex.
    UploadTicket(MediaKind, u64, String, String),
    /// A fresh URL for a message's upload: conversation, seq.
    DownloadUrl(String, u64),
}

impl UserCall {
    /// Hands the call to the core.
    pub(crate) fn issue(
        &self,
        client: &mut Client<'_>,
        now: Instant,
    ) -> Result<RequestId, CommandError> {
        match self {
            UserCall::MyProfile => client.my_profile(now),
            UserCall::Profiles(users) => client.user_profile(now, users),
            UserCall::UpdateProfile(update) => client.update_my_profile(now, &update.as_wire()),
            UserCall::Block(users) => client.add_to_blocklist(now, users),
            UserCall::Unblock(users) => client.remove_from_blocklist(now, users),
            UserCall::Page(offset) => client.blocklist(now, *offset, 100),
            UserCall::SetStatus(status) => client.set_self_status(now, status),
            UserCall::Statuses(users) => client.user_status(now, users),
            UserCall::Subscribe(users) => client.subscribe_user_status(now, users),
            UserCall::Unsubscribe(users) => client.unsubscribe_user_status(now, users),
            UserCall::SetCustom(key, value) => client.set_profile_custom(now, key, value),
            UserCall::Customs(users) => client.profile_custom(now, users),
            UserCall::Mark(ids, marks, enable) => {
                client.mark_conversation(now, ids, *marks, *enable)
            }
            UserCall::SetConversationCustom(ids, data) => {
                client.set_conversation_custom_data(now, ids, data)
            }
            UserCall::SetDraft(id, draft) => client.set_conversation_draft(now, id, draft),
            UserCall::ConversationData(ids) => client.conversation_data(now, ids),
            UserCall::UploadTicket(kind, size, name, sha256) => client.upload_ticket(
                now,
                &UploadRequest {
                    kind: *kind,
                    size: *size,
                    name,
                    sha256,
                },
            ),
            UserCall::DownloadUrl(id, seq) => client.download_url(now, id, *seq),
        }
    }
}

/// One record of a user call's answer, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserData {
    /// A profile.
    Profile(Profile),
    /// A blocked user.
    Blocked(String),
    /// The page's end.
    Page { next_offset: u32, more: bool },
    /// A user's status.
    Status(UserStatus),
    /// A profile custom field: user, key, value.
    Custom(String, String, String),
    /// A conversation's data.
    ConversationData(crate::tim_conversation_data::FetchedData),
    /// An upload ticket.
    Upload(UploadTicketInfo),
    /// A download URL.
    Download(DownloadUrlInfo),
}

impl UserData {
    /// The owned form of a record this version knows.
    pub(crate) fn from_record(record: &UserRecord<'_>) -> Option<Self> {
        Some(match record {
            UserRecord::Profile(p) => UserData::Profile(Profile::from(p)),
            UserRecord::Blocked { user_id } => UserData::Blocked((*user_id).to_owned()),
            UserRecord::Page { next_offset, more } => UserData::Page {
                next_offset: *next_offset,
                more: *more,
            },
            UserRecord::Status(s) => UserData::Status(UserStatus::from(s)),
            UserRecord::ProfileCustom {
                user_id,
                key,
                value,
            } => UserData::Custom(
                (*user_id).to_owned(),
                (*key).to_owned(),
                (*value).to_owned(),
            ),
            UserRecord::Upload(t) => UserData::Upload(UploadTicketInfo {
                uuid: t.uuid.to_owned(),
                upload_url: t.upload_url.to_owned(),
                download_url: t.download_url.to_owned(),
                large_url: t.large_url.to_owned(),
                thumbnail_url: t.thumbnail_url.to_owned(),
                expires_at_ms: t.expires_at_ms,
            }),
            UserRecord::Download(d) => UserData::Download(DownloadUrlInfo {
                uuid: d.uuid.to_owned(),
                url: d.url.to_owned(),
                large_url: d.large_url.to_owned(),
                thumbnail_url: d.thumbnail_url.to_owned(),
                expires_at_ms: d.expires_at_ms,
            }),
            UserRecord::ConversationData(d) => {
                UserData::ConversationData(crate::tim_conversation_data::FetchedData::from(d))
            }
            _ => return None,
        })
    }
}

/// Where to upload a file's bytes (the server's upload ticket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadTicketInfo {
    /// The upload's id (TIM `uuid`), for the message.
    pub uuid: String,
    /// `PUT` the bytes here, a chunk at a time (`Upload-Offset`).
    pub upload_url: String,
    /// Where the upload is read from once complete (it expires).
    pub download_url: String,
    /// An image's large variant, once made (empty for another kind).
    pub large_url: String,
    /// An image's thumbnail, once made (empty for another kind).
    pub thumbnail_url: String,
    /// The ticket's end, unix milliseconds.
    pub expires_at_ms: u64,
}

/// A signed URL to a message's upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadUrlInfo {
    /// The upload's id.
    pub uuid: String,
    /// The URL (range requests work).
    pub url: String,
    /// An image's large variant (empty for another kind).
    pub large_url: String,
    /// An image's thumbnail (empty for another kind).
    pub thumbnail_url: String,
    /// Its end, unix milliseconds.
    pub expires_at_ms: u64,
}
