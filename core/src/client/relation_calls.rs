//! TIM's blocklist calls on [`Client`]. Each queues one request and returns
//! its id; the answer's records arrive as `Event::RelationData` for that id,
//! then `RequestCompleted` (or `RequestFailed` with the server's code).

use super::outbox::Op;
use super::{Client, CommandError, RequestId};
use crate::model::valid_user_id;
use crate::time::Instant;
use crate::wire::group::UserList;
use crate::wire::kind;
use crate::wire::relation::{BlocklistChange, BlocklistPage, MAX_BLOCKLIST};

/// `users` as a list of 1 to [`MAX_BLOCKLIST`] well-formed user ids.
fn checked(users: &str) -> Result<UserList<'_>, CommandError> {
    let list = UserList(users);
    let mut count = 0;
    for user in list.iter() {
        if !valid_user_id(user) {
            return Err(CommandError::InvalidId);
        }
        count += 1;
    }
    if count == 0 || count > MAX_BLOCKLIST {
        return Err(CommandError::InvalidId);
    }
    Ok(list)
}

impl Client<'_> {
    fn relation_call<T: serde::Serialize>(
        &mut self,
        now: Instant,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| {
            st.start_record_call(Op::Relation, frame_kind, payload)
        })
    }

    /// TIM `addToBlacklist`: `users` (comma-separated, at most 1000) may no
    /// longer send this user one-to-one messages (their sends fail with
    /// 20007). Users already on the list stay; the list holds at most 1000.
    pub fn add_to_blocklist(
        &mut self,
        now: Instant,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users)?;
        self.relation_call(now, kind::ADD_TO_BLOCKLIST, &BlocklistChange { users })
    }

    /// TIM `removeFromBlacklist`: `users` (comma-separated) may send again.
    pub fn remove_from_blocklist(
        &mut self,
        now: Instant,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users)?;
        self.relation_call(now, kind::REMOVE_FROM_BLOCKLIST, &BlocklistChange { users })
    }

    /// TIM `getBlacklist`, a page at a time, in the order of adding (the
    /// users of one call in id order). Answer:
    /// `RelationRecord::Blocked` per user, then `Page` (ask again from its
    /// `next_offset` while `more`).
    pub fn blocklist(
        &mut self,
        now: Instant,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        self.relation_call(now, kind::BLOCKLIST, &BlocklistPage { offset, count })
    }
}
