//! Friend calls (TIM's relationship chain): adding friends as the target's
//! allow type says (at once, through an application, or not at all), the
//! applications, the friend list with remarks and custom fields, relation
//! checks, and friend groups. Relations have a direction, as in TIM: "A
//! with B" means B is on A's list.

use serde::{Deserialize, Serialize};

use super::group::{CustomField, UserList};

/// A friend list holds at most this many users, as in TIM.
pub const MAX_FRIENDS: usize = 3000;

/// Longest application wording, in bytes.
pub const MAX_WORDING: usize = 256;

/// Longest remark, in bytes.
pub const MAX_REMARK: usize = 96;

/// Longest add source (`AddSource_Type_` and a name), in bytes.
pub const MAX_ADD_SOURCE: usize = 32;

/// Longest friend group name, in bytes.
pub const MAX_FRIEND_GROUP_NAME: usize = 30;

/// Most friend groups one user has.
pub const MAX_FRIEND_GROUPS: usize = 30;

/// Most users one `deleteFriend` call names, as in TIM.
pub const MAX_DELETE_FRIENDS: usize = 100;

/// Most users one `checkFriend` call names, as in TIM.
pub const MAX_CHECK_FRIENDS: usize = 1000;

/// Most users one friend group call or `getFriendProfile` names.
pub const MAX_FRIEND_USERS: usize = 100;

/// Every friend custom field key starts with this (TIM
/// `Tag_SNS_Custom_*`).
pub const FRIEND_CUSTOM_PREFIX: &str = "Tag_SNS_Custom_";

/// Most custom fields a friend entry holds.
pub const MAX_FRIEND_CUSTOM_FIELDS: usize = 20;

/// Longest friend custom field key after its prefix, in bytes.
pub const MAX_FRIEND_CUSTOM_KEY: usize = 8;

/// Longest friend custom field value, in bytes.
pub const MAX_FRIEND_CUSTOM_VALUE: usize = 500;

/// TIM `TIM.TYPES.SNS_ADD_TYPE_*` and `SNS_DELETE_TYPE_*`: one direction,
/// or both.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Both {
    /// `Add_Type_Single` / `Delete_Type_Single`: the caller's list only.
    Single,
    /// `Add_Type_Both` / `Delete_Type_Both`: the other's list too.
    #[default]
    Both,
}

/// Request payload: TIM `addFriend`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddFriend<'a> {
    /// Whom to add.
    pub to: &'a str,
    /// `Both`: the other gets the caller on their list too.
    pub add_type: Both,
    /// The caller's remark for them, at most [`MAX_REMARK`] bytes.
    pub remark: &'a str,
    /// A friend group of the caller's to put them in (made if missing).
    pub group_name: &'a str,
    /// Where the request comes from, `AddSource_Type_...`.
    pub source: &'a str,
    /// The application's words, at most [`MAX_WORDING`] bytes.
    pub wording: &'a str,
}

/// How an `addFriend` ended.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AddResult {
    /// Friends now (the target allows anyone).
    Added,
    /// An application waits for the target (TIM's 30539).
    Pending,
}

/// TIM `TIM.TYPES.SNS_APPLICATION_TYPE_*`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ApplicationType {
    /// `Pendency_Type_ComeIn`: someone asks to add this user.
    ComeIn,
    /// `Pendency_Type_SendOut`: this user asked to add someone.
    SendOut,
}

/// TIM `TIM.TYPES.SNS_APPLICATION_AGREE*`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Response {
    /// `Response_Action_Agree`: the applicant gets this user on their list.
    Agree,
    /// `Response_Action_AgreeAndAdd`: and this user gets the applicant.
    AgreeAndAdd,
}

/// Request payload: TIM `acceptFriendApplication`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptApplication<'a> {
    /// The applicant.
    pub user_id: &'a str,
    /// Agree, or agree and add.
    pub response: Response,
    /// A remark for the applicant, when added back.
    pub remark: &'a str,
}

/// Request payload: TIM `refuseFriendApplication` (a `ComeIn` one) and
/// `deleteFriendApplication`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationRef<'a> {
    /// The other user of the application.
    pub user_id: &'a str,
    /// Which way it goes.
    pub application_type: ApplicationType,
}

/// Request payload: TIM `deleteFriend` and `checkFriend`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriendUsers<'a> {
    /// The users.
    #[serde(borrow)]
    pub users: UserList<'a>,
    /// `deleteFriend`: the others' lists too. `checkFriend`: `Single` asks
    /// only whether they are on the caller's list.
    pub both: Both,
}

/// Request payload: a page of the friend list or the applications.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriendPage {
    /// Where the page starts, from the previous page's `next_offset`.
    pub offset: u32,
    /// At most this many records, 1 to 100; fewer when the frame is full.
    pub count: u16,
}

/// Request payload: TIM `getFriendProfile`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriendQuery<'a> {
    /// The users, at most [`MAX_FRIEND_USERS`].
    #[serde(borrow)]
    pub users: UserList<'a>,
}

/// Request payload: TIM `updateFriend`. `None` leaves a field as it is.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateFriend<'a> {
    /// The friend.
    pub user_id: &'a str,
    /// A new remark.
    pub remark: Option<&'a str>,
    /// One custom field set (`Tag_SNS_Custom_*`; an empty value removes it).
    pub custom: Option<CustomField<'a>>,
}

/// Request payload: the friend group calls. Which fields count depends on
/// the call: create (`name`, `users`), delete (`name`), rename (`name`,
/// `new_name`), add to and remove from (`name`, `users`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriendGroupChange<'a> {
    /// The group.
    pub name: &'a str,
    /// Its new name.
    pub new_name: &'a str,
    /// Friends to put in or take out, at most [`MAX_FRIEND_USERS`].
    #[serde(borrow)]
    pub users: UserList<'a>,
}

/// TIM `TIM.TYPES.SNS_CHECK_TYPE_*` results.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Relation {
    /// `CheckResult_Type_NoRelation`.
    NoRelation,
    /// `CheckResult_Type_AWithB`: they are on the caller's list only.
    AWithB,
    /// `CheckResult_Type_BWithA`: the caller is on theirs only.
    BWithA,
    /// `CheckResult_Type_BothWay`.
    BothWay,
}

/// A friend entry (TIM `Friend`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Friend<'a> {
    /// TIM `userID`.
    pub user_id: &'a str,
    /// TIM `remark`.
    pub remark: &'a str,
    /// TIM `source`.
    pub source: &'a str,
    /// TIM `wording`: the application's words, if added through one.
    pub wording: &'a str,
    /// TIM `groupList`: the friend groups it is in, comma-separated.
    pub groups: &'a str,
    /// When it was added, unix milliseconds.
    pub added_ms: u64,
}

/// A friend application (TIM `FriendApplication`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Application<'a> {
    /// TIM `userID`: the other user.
    pub user_id: &'a str,
    /// TIM `type`.
    pub application_type: ApplicationType,
    /// TIM `wording`.
    pub wording: &'a str,
    /// TIM `source`.
    pub source: &'a str,
    /// TIM `time`, unix milliseconds.
    pub time_ms: u64,
}

/// One record of a friend call's answer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FriendRecord<'a> {
    /// How an `addFriend` ended.
    Added(AddResult),
    /// A friend entry (the list, `getFriendProfile`).
    Friend(Friend<'a>),
    /// A custom field of the friend entry before it.
    Custom(CustomField<'a>),
    /// A user asked of `getFriendProfile` who is no friend.
    NotFriend {
        /// The user.
        user_id: &'a str,
    },
    /// An application.
    Application(Application<'a>),
    /// Applications to this user not read yet (first in an application
    /// list's answer: TIM `unreadCount`).
    UnreadApplications(u32),
    /// A `checkFriend` answer for one user.
    Check {
        /// The user.
        user_id: &'a str,
        /// How they relate.
        relation: Relation,
    },
    /// A friend group; its members follow as `Member` records.
    Group {
        /// Its name.
        name: &'a str,
        /// How many friends it holds.
        count: u32,
    },
    /// A friend in the friend group before it.
    Member {
        /// The friend.
        user_id: &'a str,
    },
    /// Last record of a page: where the next page starts.
    Page {
        /// Offset for the next request.
        next_offset: u32,
        /// Whether more records lie beyond this page.
        more: bool,
    },
}

/// Push payload: what of the user's relationship data changed.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FriendChange {
    /// The friend list (TIM `FRIEND_LIST_UPDATED`).
    List,
    /// The applications (TIM `FRIEND_APPLICATION_LIST_UPDATED`).
    Applications,
    /// The friend groups (TIM `FRIEND_GROUP_LIST_UPDATED`).
    Groups,
}
