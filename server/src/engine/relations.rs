//! The blocklist calls: add, remove, list. What a block does is checked where
//! one-to-one messages are sent (`BLOCKED_BY_PEER`).

use std::collections::BTreeSet;

use tinyim_core::wire::records::decode_exact;
use tinyim_core::wire::relation::{BlocklistChange, BlocklistPage, RelationRecord, MAX_BLOCKLIST};
use tinyim_core::wire::{code, kind};

use super::encode::Reply;
use super::paging::page_limit;
use super::user_list::user_set;
use super::{Engine, Handled, Refusal};
use crate::store::Store;

impl<S: Store> Engine<S> {
    /// Serves a relationship call (`kind` is one of [`kind::is_relation_call`]).
    pub(crate) fn relation_call(
        &mut self,
        reply: Reply,
        me: &str,
        frame_kind: u8,
        payload: &[u8],
    ) -> Handled {
        let bad = |_| Refusal::Code(code::BAD_REQUEST, "malformed request");
        match frame_kind {
            kind::ADD_TO_BLOCKLIST => self.block(reply, me, decode_exact(payload).map_err(bad)?),
            kind::REMOVE_FROM_BLOCKLIST => {
                self.unblock(reply, me, decode_exact(payload).map_err(bad)?)
            }
            kind::BLOCKLIST => self.blocklist(reply, me, decode_exact(payload).map_err(bad)?),
            _ => Err(Refusal::Code(code::UNSUPPORTED, "unsupported request")),
        }
    }

    fn block(&mut self, reply: Reply, me: &str, req: BlocklistChange<'_>) -> Handled {
        if req.users.iter().any(|user| user == me) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a user cannot block themselves",
            ));
        }
        let users = nonempty(user_set(req.users, me, MAX_BLOCKLIST)?)?;
        for user in &users {
            self.store.block(me, user)?;
        }
        // Checked after adding, so users already on the list do not count
        // twice; the request's savepoint takes the additions back.
        if self.store.blocklist_len(me)? > MAX_BLOCKLIST {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a blocklist holds at most 1000 users",
            ));
        }
        self.respond(reply, &());
        Ok(())
    }

    fn unblock(&mut self, reply: Reply, me: &str, req: BlocklistChange<'_>) -> Handled {
        for user in nonempty(user_set(req.users, me, MAX_BLOCKLIST)?)? {
            self.store.unblock(me, &user)?;
        }
        self.respond(reply, &());
        Ok(())
    }

    fn blocklist(&mut self, reply: Reply, me: &str, req: BlocklistPage) -> Handled {
        let limit = page_limit(req.count);
        // One more than asked for tells whether another page follows.
        let mut users = self.store.blocklist(me, req.offset, limit + 1)?;
        let more = users.len() > limit;
        users.truncate(limit);
        let records = users
            .iter()
            .map(|user_id| RelationRecord::Blocked { user_id });
        self.respond_records_page(reply, req.offset, records, more, |next_offset, more| {
            RelationRecord::Page { next_offset, more }
        });
        Ok(())
    }
}

/// A list call names at least one user.
fn nonempty(users: BTreeSet<String>) -> Result<BTreeSet<String>, Refusal> {
    if users.is_empty() {
        return Err(Refusal::Code(code::INVALID_PARAMETER, "no users named"));
    }
    Ok(users)
}
