//! TIM `deleteMessage`: messages gone for the user who deletes them, on
//! every device of theirs; the other users of the conversation keep theirs.
//! The deletion is kept per user ([`crate::store::Store::delete_for`]); the
//! user's pages carry `Elem::Deleted` in each one's place, so a range of
//! seqs stays whole (a client fetching missed messages must not see a gap
//! it would fetch again) and the core shows nothing for it. The user's
//! other sessions hear of it by a push.

use tinyim_core::wire::body::{self, MAX_DELETE_MESSAGES};
use tinyim_core::wire::{code, kind};

use super::revoke::no_such_message;
use super::{Engine, Handled, Refusal, Reply};
use crate::store::Store;

/// The seqs a request names: numbers (else 9002), 1 to `max` of them
/// (else 10004).
pub(crate) fn checked_seqs(
    seqs: impl Iterator<Item = Option<u64>>,
    max: usize,
) -> Result<Vec<u64>, Refusal> {
    let seqs = seqs
        .collect::<Option<Vec<u64>>>()
        .ok_or(Refusal::Code(code::BAD_REQUEST, "a seq that is no number"))?;
    if seqs.is_empty() || seqs.len() > max {
        return Err(Refusal::Code(
            code::INVALID_PARAMETER,
            "too many or too few messages for a call",
        ));
    }
    Ok(seqs)
}

impl<S: Store> Engine<S> {
    pub(crate) fn delete_messages(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::DeleteMessages<'_>,
    ) -> Handled {
        let access = self.access(me, req.conversation)?;
        let seqs = checked_seqs(req.seqs(), MAX_DELETE_MESSAGES)?;
        // Only messages this user can read: none past the last, none the
        // user's history no longer reaches (cleared, or before joining).
        let last = self.store.last_seq(&access.key)?;
        if seqs
            .iter()
            .any(|&seq| seq > last || seq <= access.history_floor)
        {
            return Err(no_such_message());
        }
        self.store.delete_for(me, &access.key, &seqs)?;
        self.respond(reply, &req);
        self.push_to_sessions(me, Some(reply.conn), kind::PUSH_MESSAGES_DELETED, &req);
        Ok(())
    }
}
