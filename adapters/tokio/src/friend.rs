//! Owned forms of the friend calls and their answers, for the driver and
//! the application.

use tinyim_core::time::Instant;
use tinyim_core::wire::friend::{self as wire, FriendRecord};
use tinyim_core::wire::group::CustomField;
use tinyim_core::{Client, CommandError, RequestId};

pub use tinyim_core::wire::friend::{AddResult, ApplicationType, Both, Relation, Response};

/// A friend entry (TIM `Friend`), owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Friend {
    /// TIM `userID`.
    pub user_id: String,
    /// TIM `remark`.
    pub remark: String,
    /// TIM `source`.
    pub source: String,
    /// TIM `wording`.
    pub wording: String,
    /// TIM `groupList`: the friend groups it is in.
    pub groups: Vec<String>,
    /// When it was added, unix milliseconds.
    pub added_ms: u64,
    /// TIM `friendCustomField`: `(key, value)` pairs (filled by
    /// `Tim::friend_profiles`; the list leaves them out).
    pub custom: Vec<(String, String)>,
}

impl From<&wire::Friend<'_>> for Friend {
    fn from(f: &wire::Friend<'_>) -> Self {
        Friend {
            user_id: f.user_id.to_owned(),
            remark: f.remark.to_owned(),
            source: f.source.to_owned(),
            wording: f.wording.to_owned(),
            groups: f
                .groups
                .split(',')
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect(),
            added_ms: f.added_ms,
            custom: Vec::new(),
        }
    }
}

/// A friend application (TIM `FriendApplication`), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendApplication {
    /// TIM `userID`: the other user.
    pub user_id: String,
    /// TIM `type`: to this user, or from it.
    pub application_type: ApplicationType,
    /// TIM `wording`.
    pub wording: String,
    /// TIM `source`.
    pub source: String,
    /// TIM `time`, unix milliseconds.
    pub time_ms: u64,
}

/// TIM `addFriend` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddFriendOptions {
    /// Whom to add.
    pub to: String,
    /// `Both` (the default): they get this user on their list too.
    pub add_type: Both,
    /// A remark for them (at most 96 bytes).
    pub remark: String,
    /// A friend group to put them in (made if missing; at most 30 bytes).
    pub group_name: String,
    /// Where the request comes from: `AddSource_Type_` and a name.
    pub source: String,
    /// Words for the application (at most 256 bytes).
    pub wording: String,
}

impl AddFriendOptions {
    /// Adds `to` both ways, with nothing else set.
    pub fn new(to: &str) -> Self {
        AddFriendOptions {
            to: to.to_owned(),
            add_type: Both::Both,
            remark: String::new(),
            group_name: String::new(),
            source: String::new(),
            wording: String::new(),
        }
    }
}

/// A friend group (TIM `FriendGroup`), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendGroup {
    /// TIM `name`.
    pub name: String,
    /// TIM `userIDList`.
    pub users: Vec<String>,
}

/// A friend call in transit to the driver.
#[derive(Debug, Clone)]
pub(crate) enum FriendCall {
    Add(AddFriendOptions),
    Delete(String, Both),
    Check(String, Both),
    List(u32),
    Profiles(String),
    Remark(String, String),
    Custom(String, String, String),
    Applications(u32),
    Accept(String, Response, String),
    Refuse(String),
    DeleteApplication(String, ApplicationType),
    ReadApplications,
    CreateGroup(String, String),
    DeleteGroup(String),
    RenameGroup(String, String),
    AddToGroup(String, String),
    RemoveFromGroup(String, String),
    Groups(u32),
}

impl FriendCall {
    /// Hands the call to the core.
    pub(crate) fn issue(
        &self,
        client: &mut Client<'_>,
        now: Instant,
    ) -> Result<RequestId, CommandError> {
        match self {
            FriendCall::Add(o) => client.add_friend(
                now,
                &wire::AddFriend {
                    to: &o.to,
                    add_type: o.add_type,
                    remark: &o.remark,
                    group_name: &o.group_name,
                    source: &o.source,
                    wording: &o.wording,
                },
            ),
            FriendCall::Delete(users, both) => client.delete_friend(now, users, *both),
            FriendCall::Check(users, both) => client.check_friend(now, users, *both),
            FriendCall::List(offset) => client.friend_list(now, *offset, 100),
            FriendCall::Profiles(users) => client.friend_profile(now, users),
            FriendCall::Remark(user, remark) => client.update_friend(
                now,
                &wire::UpdateFriend {
                    user_id: user,
                    remark: Some(remark),
                    custom: None,
                },
            ),
            FriendCall::Custom(user, key, value) => client.update_friend(
                now,
                &wire::UpdateFriend {
                    user_id: user,
                    remark: None,
                    custom: Some(CustomField { key, value }),
                },
            ),
            FriendCall::Applications(offset) => client.friend_applications(now, *offset, 100),
            FriendCall::Accept(user, response, remark) => {
                client.accept_friend_application(now, user, *response, remark)
            }
            FriendCall::Refuse(user) => client.refuse_friend_application(now, user),
            FriendCall::DeleteApplication(user, t) => {
                client.delete_friend_application(now, user, *t)
            }
            FriendCall::ReadApplications => client.set_friend_applications_read(now),
            FriendCall::CreateGroup(name, users) => client.create_friend_group(now, name, users),
            FriendCall::DeleteGroup(name) => client.delete_friend_group(now, name),
            FriendCall::RenameGroup(name, new) => client.rename_friend_group(now, name, new),
            FriendCall::AddToGroup(name, users) => client.add_to_friend_group(now, name, users),
            FriendCall::RemoveFromGroup(name, users) => {
                client.remove_from_friend_group(now, name, users)
            }
            FriendCall::Groups(offset) => client.friend_groups(now, *offset, 100),
        }
    }
}

/// One record of a friend call's answer, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FriendData {
    Added(AddResult),
    Friend(Friend),
    Custom(String, String),
    NotFriend(String),
    Application(FriendApplication),
    Unread(u32),
    Check(String, Relation),
    Group(String),
    Member(String),
    Page { next_offset: u32, more: bool },
}

impl FriendData {
    /// The owned form of a record this version knows.
    pub(crate) fn from_record(record: &FriendRecord<'_>) -> Option<Self> {
        Some(match *record {
            FriendRecord::Added(result) => FriendData::Added(result),
            FriendRecord::Friend(ref f) => FriendData::Friend(Friend::from(f)),
            FriendRecord::Custom(c) => FriendData::Custom(c.key.to_owned(), c.value.to_owned()),
            FriendRecord::NotFriend { user_id } => FriendData::NotFriend(user_id.to_owned()),
            FriendRecord::Application(a) => FriendData::Application(FriendApplication {
                user_id: a.user_id.to_owned(),
                application_type: a.application_type,
                wording: a.wording.to_owned(),
                source: a.source.to_owned(),
                time_ms: a.time_ms,
            }),
            FriendRecord::UnreadApplications(n) => FriendData::Unread(n),
            FriendRecord::Check { user_id, relation } => {
                FriendData::Check(user_id.to_owned(), relation)
            }
            FriendRecord::Group { name, .. } => FriendData::Group(name.to_owned()),
            FriendRecord::Member { user_id } => FriendData::Member(user_id.to_owned()),
            FriendRecord::Page { next_offset, more } => FriendData::Page { next_offset, more },
            _ => return None,
        })
    }
}
