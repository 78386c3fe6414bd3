//! Requests a second per user, counting all of the user's sessions
//! together (one user on four device classes gets no more than one). The
//! connections' own limit in the front end stays in place before this one.

use std::collections::HashMap;

use tinyim_core::wire::kind;

use crate::rate::TokenBucket;

/// A bucket per user with a session.
pub(crate) struct UserRates {
    per_second: u32,
    buckets: HashMap<String, TokenBucket>,
}

/// The requests that go through: logging in and out, and the sync a client
/// catches up with, which the front end paces rather than refuses (a
/// refused fetch is a gap the client can only ask for again).
fn exempt(frame_kind: u8) -> bool {
    matches!(
        frame_kind,
        kind::LOGIN
            | kind::LOGOUT
            | kind::SYNC
            | kind::SYNC_WINDOW
            | kind::MESSAGE_RANGE
            | kind::GROUP_LIST
    )
}

impl UserRates {
    /// `per_second` requests a second per user, bursts of twice that.
    pub(crate) fn new(per_second: u32) -> Self {
        UserRates {
            per_second,
            buckets: HashMap::new(),
        }
    }

    /// Whether `user` may make a request of `frame_kind` at `now_ms`.
    pub(crate) fn admit(&mut self, user: &str, frame_kind: u8, now_ms: u64) -> bool {
        if exempt(frame_kind) {
            return true;
        }
        let per_second = self.per_second;
        let bucket = match self.buckets.get_mut(user) {
            Some(bucket) => bucket,
            None => self
                .buckets
                .entry(user.to_owned())
                .or_insert_with(|| TokenBucket::new(per_second, now_ms)),
        };
        bucket.take(per_second, now_ms)
    }

    /// `user` has no session left: its bucket goes (a user who comes back
    /// starts with a full one, as a new connection does).
    pub(crate) fn forget(&mut self, user: &str) {
        self.buckets.remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_requests_share_one_bucket_and_the_sync_is_exempt() {
        let mut rates = UserRates::new(10);
        let sent = (0..30)
            .filter(|_| rates.admit("alice", kind::SEND_MESSAGE, 1_000))
            .count();
        assert_eq!(sent, 20, "the burst, whichever session asks");
        assert!(rates.admit("alice", kind::MESSAGE_RANGE, 1_000));
        assert!(rates.admit("bob", kind::SEND_MESSAGE, 1_000), "bob's own");
        rates.forget("alice");
        assert!(rates.admit("alice", kind::SEND_MESSAGE, 1_000));
    }
}
