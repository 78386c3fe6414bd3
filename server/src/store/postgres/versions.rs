//! Change numbers and sync positions when several nodes write at once.
//!
//! The trap: with one counter shared by every writer, a transaction that
//! took number 10 can commit after one that took 11, and a client whose
//! sync reached 11 never sees 10. So a change's number is made of the id
//! PostgreSQL gives the writing transaction (`pg_current_xact_id`, which
//! only grows) and the change's place in that transaction, and the
//! position a sync hands out ([`horizon`]) stops below the oldest
//! transaction still running (`pg_snapshot_xmin`): every change numbered
//! at or below it has committed (or never will), and every change still to
//! commit is numbered above it. Rows changed above the horizon are listed
//! again by the next sync; a row is state, not an event, so seeing it twice
//! changes nothing.

use crate::store::{StoreError, StoreResult};

/// Bits of a change number that count changes within one transaction.
const CHANGE_BITS: u32 = 20;

/// The change numbers of one transaction.
#[derive(Debug, Default)]
pub(super) struct Versions {
    transaction_id: Option<u64>,
    changes: u64,
}

impl Versions {
    /// Whether the transaction has its id yet (taken at its first change).
    pub(super) fn has_transaction_id(&self) -> bool {
        self.transaction_id.is_some()
    }

    /// Sets the transaction's id.
    pub(super) fn set_transaction_id(&mut self, id: u64) {
        self.transaction_id = Some(id);
    }

    /// The next change number: above every number of an older transaction.
    pub(super) fn next(&mut self) -> StoreResult<u64> {
        let id = self
            .transaction_id
            .ok_or_else(|| StoreError("a change outside a transaction".to_owned()))?;
        self.changes += 1;
        if self.changes >= 1 << CHANGE_BITS || id >= 1 << (63 - CHANGE_BITS) {
            return Err(StoreError("too many changes in one transaction".to_owned()));
        }
        Ok(id << CHANGE_BITS | self.changes)
    }
}

/// The sync position below every change not yet committed, when the oldest
/// transaction still running has id `oldest_running`.
pub(super) fn horizon(oldest_running: u64) -> u64 {
    (oldest_running << CHANGE_BITS).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_transaction_numbers_above_every_change_of_an_earlier_one() {
        let mut earlier = Versions::default();
        earlier.set_transaction_id(7);
        let last_of_earlier = (0..1000).map(|_| earlier.next().unwrap()).last().unwrap();
        let mut later = Versions::default();
        later.set_transaction_id(8);
        assert!(later.next().unwrap() > last_of_earlier);
    }

    #[test]
    fn the_horizon_stops_below_the_oldest_running_transaction() {
        let mut running = Versions::default();
        running.set_transaction_id(9);
        let first = running.next().unwrap();
        assert!(horizon(9) < first);
        let mut done = Versions::default();
        done.set_transaction_id(8);
        let mut last = 0;
        for _ in 0..10 {
            last = done.next().unwrap();
        }
        assert!(horizon(9) >= last);
    }

    #[test]
    fn a_change_outside_a_transaction_is_refused() {
        assert!(Versions::default().next().is_err());
    }
}
