//! Relationship storage: each user's blocklist.

use super::StoreResult;

/// Blocklist operations; calls happen inside the batch transaction like
/// every other store call.
pub trait RelationStore {
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
