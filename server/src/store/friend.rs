//! Friend storage: each user's friend list (one row per direction, as TIM's
//! relations have one), friend custom fields, friend applications and
//! friend groups.

use super::columns::Columns;
use super::StoreResult;

/// One entry of `owner`'s friend list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FriendRow {
    /// Whose list.
    pub owner: String,
    /// The friend.
    pub friend: String,
    /// The owner's remark for them.
    pub remark: String,
    /// Where the request came from (`AddSource_Type_...`).
    pub source: String,
    /// The application's words, if one was made.
    pub wording: String,
    /// When it was added, unix milliseconds.
    pub added_ms: u64,
}

/// The columns of [`friend_at`], in its order.
pub(crate) const FRIEND_COLUMNS: &str = "owner, friend, remark, source, wording, added_ms";

/// A [`FriendRow`] from a row of [`FRIEND_COLUMNS`].
pub(crate) fn friend_at<R: Columns>(r: &R) -> Result<FriendRow, R::Error> {
    Ok(FriendRow {
        owner: r.text(0)?,
        friend: r.text(1)?,
        remark: r.text(2)?,
        source: r.text(3)?,
        wording: r.text(4)?,
        added_ms: r.u64(5)?,
    })
}

/// A friend application waiting for `to_user`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FriendApplicationRow {
    /// Who asks.
    pub from_user: String,
    /// Whom they ask.
    pub to_user: String,
    /// Whether `to_user` gets `from_user` on their list too when accepting
    /// with "agree" alone (TIM's `Add_Type_Both`).
    pub both: bool,
    /// The applicant's remark for `to_user`.
    pub remark: String,
    /// The applicant's friend group for `to_user`.
    pub group_name: String,
    /// Where the request came from.
    pub source: String,
    /// The application's words.
    pub wording: String,
    /// When it was made, unix milliseconds.
    pub time_ms: u64,
    /// Whether `to_user` has read it.
    pub read: bool,
}

/// The columns of [`application_at`], in its order.
pub(crate) const APPLICATION_COLUMNS: &str =
    "from_user, to_user, both_ways, remark, group_name, source, wording, time_ms, was_read";

/// A [`FriendApplicationRow`] from a row of [`APPLICATION_COLUMNS`].
pub(crate) fn application_at<R: Columns>(r: &R) -> Result<FriendApplicationRow, R::Error> {
    Ok(FriendApplicationRow {
        from_user: r.text(0)?,
        to_user: r.text(1)?,
        both: r.flag(2)?,
        remark: r.text(3)?,
        group_name: r.text(4)?,
        source: r.text(5)?,
        wording: r.text(6)?,
        time_ms: r.u64(7)?,
        read: r.flag(8)?,
    })
}

/// Friend operations; calls happen inside the batch transaction like every
/// other store call.
pub trait FriendStore {
    /// `friend`'s entry on `owner`'s list, if there is one.
    fn friend(&mut self, owner: &str, friend: &str) -> StoreResult<Option<FriendRow>>;
    /// Stores an entry (replacing the one for the same pair).
    fn put_friend(&mut self, row: &FriendRow) -> StoreResult<()>;
    /// Takes `friend` off `owner`'s list, with its custom fields and its
    /// places in `owner`'s friend groups; whether it was there.
    fn delete_friend(&mut self, owner: &str, friend: &str) -> StoreResult<bool>;
    /// How many friends `owner` has.
    fn friend_count(&mut self, owner: &str) -> StoreResult<usize>;
    /// Up to `limit` of `owner`'s friends from `offset`, in the order of
    /// adding.
    fn friends(&mut self, owner: &str, offset: u32, limit: usize) -> StoreResult<Vec<FriendRow>>;
    /// The custom fields of `friend`'s entry on `owner`'s list, by key.
    fn friend_customs(&mut self, owner: &str, friend: &str) -> StoreResult<Vec<(String, String)>>;
    /// Sets one custom field; an empty value removes it.
    fn set_friend_custom(
        &mut self,
        owner: &str,
        friend: &str,
        key: &str,
        value: &str,
    ) -> StoreResult<()>;
    /// The application from `from` to `to`, if one waits.
    fn friend_application(
        &mut self,
        from: &str,
        to: &str,
    ) -> StoreResult<Option<FriendApplicationRow>>;
    /// Stores an application (replacing one between the same two, in the
    /// same direction).
    fn put_friend_application(&mut self, row: &FriendApplicationRow) -> StoreResult<()>;
    /// Deletes the application from `from` to `to`; whether there was one.
    fn delete_friend_application(&mut self, from: &str, to: &str) -> StoreResult<bool>;
    /// Up to `limit` of the applications to and from `user`, from
    /// `offset`, newest first.
    fn friend_applications(
        &mut self,
        user: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<FriendApplicationRow>>;
    /// How many applications to `user` are unread.
    fn unread_friend_applications(&mut self, user: &str) -> StoreResult<u32>;
    /// Marks every application to `user` read.
    fn read_friend_applications(&mut self, user: &str) -> StoreResult<()>;
    /// `owner`'s friend groups, in the order they were made.
    fn friend_groups(&mut self, owner: &str) -> StoreResult<Vec<String>>;
    /// Makes a friend group; false if `owner` has one of that name.
    fn create_friend_group(&mut self, owner: &str, name: &str) -> StoreResult<bool>;
    /// Deletes a friend group and its members' places in it; whether it
    /// was there.
    fn delete_friend_group(&mut self, owner: &str, name: &str) -> StoreResult<bool>;
    /// Renames a friend group (the engine checks `new_name` is free).
    fn rename_friend_group(&mut self, owner: &str, name: &str, new_name: &str) -> StoreResult<()>;
    /// The friends in one of `owner`'s friend groups, by id.
    fn friend_group_members(&mut self, owner: &str, name: &str) -> StoreResult<Vec<String>>;
    /// Puts `friend` in a friend group; whether it is new there.
    fn add_to_friend_group(&mut self, owner: &str, name: &str, friend: &str) -> StoreResult<bool>;
    /// Takes `friend` out of a friend group; whether it was there.
    fn remove_from_friend_group(
        &mut self,
        owner: &str,
        name: &str,
        friend: &str,
    ) -> StoreResult<bool>;
    /// The friend groups of `owner`'s that hold `friend`, by name.
    fn groups_of_friend(&mut self, owner: &str, friend: &str) -> StoreResult<Vec<String>>;
    /// Deletes everything of `user`'s and every entry naming them (a
    /// deleted account); returns the users who had them on their list.
    fn delete_friend_data(&mut self, user: &str) -> StoreResult<Vec<String>>;
}

/// The statements of `delete_friend_data` after the owners are read, the
/// user their one parameter: `{u}`, for each database's placeholder.
pub(crate) const FORGET_USER: [&str; 5] = [
    "DELETE FROM friend_custom WHERE owner = {u} OR friend = {u}",
    "DELETE FROM friend_group_members WHERE owner = {u} OR friend = {u}",
    "DELETE FROM friend_groups WHERE owner = {u}",
    "DELETE FROM friend_applications WHERE from_user = {u} OR to_user = {u}",
    "DELETE FROM friends WHERE owner = {u} OR friend = {u}",
];
