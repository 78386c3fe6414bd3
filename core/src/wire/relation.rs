//! Relationship calls: the blocklist (TIM `getBlacklist`, `addToBlacklist`,
//! `removeFromBlacklist`). A user on someone's blocklist cannot send them
//! one-to-one messages: the send fails with [`super::code::BLOCKED_BY_PEER`].

use serde::{Deserialize, Serialize};

use super::group::UserList;

/// A blocklist holds at most this many users, as in TIM.
pub const MAX_BLOCKLIST: usize = 1000;

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

/// One record of a relationship call's answer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationRecord<'a> {
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
}
