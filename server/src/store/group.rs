//! Group storage: profiles, members, custom fields, join applications.
//!
//! Group conversations are read-diffused: a message updates the group's one
//! row (last seq, preview, change number), never one row per member; each
//! member row keeps only that member's read watermark. A 6000-member group
//! costs one row write per message.

use tinyim_core::wire::group::{GroupRole, GroupType, JoinOption};

use super::StoreResult;

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The id.
    pub group_id: String,
    /// The type.
    pub group_type: GroupType,
    /// Name.
    pub name: String,
    /// Introduction.
    pub introduction: String,
    /// Notification.
    pub notification: String,
    /// Avatar URL.
    pub avatar: String,
    /// Owner's user id.
    pub owner: String,
    /// Creation time, unix milliseconds.
    pub created_ms: u64,
    /// Member limit.
    pub max_members: u32,
    /// Join option.
    pub join_option: JoinOption,
    /// Everyone but the owner and admins is muted.
    pub mute_all: bool,
    /// Current members.
    pub member_count: u32,
    /// Newest message seq.
    pub last_seq: u64,
    /// Newest message time.
    pub last_time_ms: u64,
    /// Newest message sender.
    pub last_from: String,
    /// Newest message preview.
    pub preview: String,
    /// Change number of the newest message (members' sync sees it after this).
    pub version: u64,
}

/// A member as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// The group.
    pub group_id: String,
    /// The user.
    pub user_id: String,
    /// Role.
    pub role: GroupRole,
    /// Join time, unix milliseconds.
    pub join_ms: u64,
    /// The group's last seq when the user joined: where history starts for
    /// types that hide older messages from late joiners.
    pub join_seq: u64,
    /// Name card.
    pub name_card: String,
    /// Muted until this unix millisecond.
    pub muted_until_ms: u64,
    /// Read watermark.
    pub read_seq: u64,
    /// Change number of the row's last change.
    pub version: u64,
    /// The member deleted the group's conversation at this seq (TIM
    /// `deleteConversation`): it stays out of the list until a later message.
    pub hidden_seq: u64,
    /// The member cleared the group's history up to this seq (TIM
    /// `clearHistoryMessage`).
    pub cleared_seq: u64,
    /// The member pinned the group's conversation (TIM `pinConversation`).
    pub pinned: bool,
    /// How the group's new messages reach the member (TIM
    /// `setMessageRemindType`).
    pub remind: tinyim_core::wire::body::RemindType,
    /// The member's marks on the group's conversation, as bits.
    pub marks: u64,
    /// Digest of the member's [`super::OwnData`] on it; 0 for none.
    pub data_digest: u64,
}

/// A pending join application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// The group.
    pub group_id: String,
    /// Who applied.
    pub applicant: String,
    /// The apply message.
    pub message: String,
    /// When, unix milliseconds.
    pub time_ms: u64,
}

/// Group storage operations, inside the same batch transaction as the rest.
pub trait GroupStore {
    /// A fresh number for a server-made group id, never given twice.
    fn next_group_number(&mut self) -> StoreResult<u64>;
    /// A group by id.
    fn group(&mut self, group_id: &str) -> StoreResult<Option<GroupRow>>;
    /// Writes a group. With `bump`, the row takes the next change number
    /// (a message was added), so members' sync picks the group up.
    fn put_group(&mut self, group: &mut GroupRow, bump: bool) -> StoreResult<()>;
    /// Removes a group with its members, custom fields, applications and
    /// messages.
    fn delete_group(&mut self, group_id: &str) -> StoreResult<()>;
    /// A member row.
    fn member(&mut self, group_id: &str, user_id: &str) -> StoreResult<Option<MemberRow>>;
    /// Writes a member row, giving it the next change number.
    fn put_member(&mut self, member: &mut MemberRow) -> StoreResult<()>;
    /// Removes a member row; true if there was one.
    fn delete_member(&mut self, group_id: &str, user_id: &str) -> StoreResult<bool>;
    /// Every member of a group (user id, role, read watermark, join seq),
    /// for fan-out.
    fn members(&mut self, group_id: &str) -> StoreResult<Vec<MemberRow>>;
    /// A page of members, owner first, then admins, then by join time.
    fn member_page(
        &mut self,
        group_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<MemberRow>>;
    /// The groups a user is in, with the user's row, by group id.
    fn groups_of(
        &mut self,
        user_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<(GroupRow, MemberRow)>>;
    /// Every group (of `group_type` only, when given), by id: how many,
    /// and up to `limit` of them from `offset`, with their types.
    fn all_groups(
        &mut self,
        group_type: Option<GroupType>,
        offset: u64,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(String, GroupType)>)>;
    /// A group's custom fields, by key.
    fn custom_fields(&mut self, group_id: &str) -> StoreResult<Vec<(String, String)>>;
    /// Sets a custom field; an empty value removes it.
    fn put_custom_field(&mut self, group_id: &str, key: &str, value: &str) -> StoreResult<()>;
    /// A pending application.
    fn application(
        &mut self,
        group_id: &str,
        applicant: &str,
    ) -> StoreResult<Option<ApplicationRow>>;
    /// Records (or refreshes) an application.
    fn put_application(&mut self, application: &ApplicationRow) -> StoreResult<()>;
    /// Removes an application.
    fn delete_application(&mut self, group_id: &str, applicant: &str) -> StoreResult<()>;
    /// Pending applications of the groups `user_id` owns or administers,
    /// oldest first.
    fn applications_for(
        &mut self,
        user_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<ApplicationRow>>;
}
