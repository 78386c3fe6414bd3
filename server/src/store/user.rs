//! User storage: accounts, profiles and each user's blocklist.

use tinyim_core::wire::user::{AllowType, Gender, UserProfile};

use super::StoreResult;

/// A profile as stored; [`UserProfile`] is its wire form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileRow {
    /// Whose profile.
    pub user_id: String,
    /// Nickname.
    pub nick: String,
    /// Gender.
    pub gender: Gender,
    /// Birthday, e.g. 19900101.
    pub birthday: u32,
    /// Location.
    pub location: String,
    /// Self signature.
    pub self_signature: String,
    /// Friend-adding rule.
    pub allow_type: AllowType,
    /// Language.
    pub language: u32,
    /// Avatar URL.
    pub avatar: String,
    /// Level.
    pub level: u32,
    /// Role.
    pub role: u32,
    /// Last change, unix milliseconds (0: never set).
    pub updated_ms: u64,
}

impl ProfileRow {
    /// The profile of a user who never set one.
    pub fn default_for(user_id: &str) -> ProfileRow {
        ProfileRow {
            user_id: user_id.to_owned(),
            ..ProfileRow::default()
        }
    }

    /// The wire form, borrowing from the row.
    pub fn as_wire(&self) -> UserProfile<'_> {
        UserProfile {
            user_id: &self.user_id,
            nick: &self.nick,
            gender: self.gender,
            birthday: self.birthday,
            location: &self.location,
            self_signature: &self.self_signature,
            allow_type: self.allow_type,
            language: self.language,
            avatar: &self.avatar,
            level: self.level,
            role: self.role,
            updated_ms: self.updated_ms,
        }
    }
}

/// Profile and blocklist operations; calls happen inside the batch
/// transaction like every other store call.
pub trait UserStore {
    /// Records `user`'s account (imported through the REST API, or made by
    /// a first login, as Tencent's are); whether it is new.
    fn put_account(&mut self, user: &str, now_ms: u64) -> StoreResult<bool>;
    /// Whether `user` has an account.
    fn has_account(&mut self, user: &str) -> StoreResult<bool>;
    /// Deletes `user`'s account and profile (with its custom fields);
    /// whether there was an account.
    fn delete_account(&mut self, user: &str) -> StoreResult<bool>;
    /// `user`'s profile, if one was ever set.
    fn profile(&mut self, user: &str) -> StoreResult<Option<ProfileRow>>;
    /// Stores a profile (replacing the user's earlier one).
    fn put_profile(&mut self, row: &ProfileRow) -> StoreResult<()>;
    /// `user`'s profile custom fields, by key.
    fn profile_customs(&mut self, user: &str) -> StoreResult<Vec<(String, String)>>;
    /// Sets one profile custom field; an empty value removes it.
    fn set_profile_custom(&mut self, user: &str, key: &str, value: &str) -> StoreResult<()>;
    /// Puts `blocked` on `owner`'s blocklist (already there: unchanged, and
    /// it keeps its place in the list). Returns whether it was added.
    fn block(&mut self, owner: &str, blocked: &str) -> StoreResult<bool>;
    /// Takes `blocked` off `owner`'s blocklist; whether it was there.
    fn unblock(&mut self, owner: &str, blocked: &str) -> StoreResult<bool>;
    /// How many users `owner` blocks.
    fn blocklist_len(&mut self, owner: &str) -> StoreResult<usize>;
    /// Up to `limit` of the users `owner` blocks, from `offset`, in the order
    /// they were added (one call's users in the order the engine adds them).
    fn blocklist(&mut self, owner: &str, offset: u32, limit: usize) -> StoreResult<Vec<String>>;
    /// Whether `owner` blocks `user`.
    fn blocks(&mut self, owner: &str, user: &str) -> StoreResult<bool>;
}
