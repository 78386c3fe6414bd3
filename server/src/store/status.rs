//! Status storage: each user's custom status (TIM `setSelfStatus`) and
//! whose status each user subscribes to. Who is online is not stored: the
//! nodes know their own sessions and tell each other (see
//! `engine::presence`).

use super::StoreResult;

/// Custom status and subscription operations; calls happen inside the batch
/// transaction like every other store call.
pub trait StatusStore {
    /// `user`'s custom status (empty: none).
    fn custom_status(&mut self, user: &str) -> StoreResult<String>;
    /// Sets `user`'s custom status; empty clears it.
    fn set_custom_status(&mut self, user: &str, status: &str) -> StoreResult<()>;
    /// `subscriber` now gets `target`'s status changes; whether it is new.
    fn subscribe_status(&mut self, subscriber: &str, target: &str) -> StoreResult<bool>;
    /// Ends `subscriber`'s subscription to `target`, or to everyone when
    /// `target` is `None`.
    fn unsubscribe_status(&mut self, subscriber: &str, target: Option<&str>) -> StoreResult<()>;
    /// How many users `subscriber` subscribes to.
    fn status_subscriptions(&mut self, subscriber: &str) -> StoreResult<usize>;
    /// Who subscribes to `target`'s status.
    fn status_subscribers(&mut self, target: &str) -> StoreResult<Vec<String>>;
}
