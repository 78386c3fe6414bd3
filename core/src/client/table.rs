//! The conversation table: lookup, creation with eviction of the least
//! recently active conversation, and the totals derived from it.

use heapless::VecView;

use crate::model::{Conversation, ConversationId, ConversationType};

pub(crate) struct Table<'r> {
    pub(crate) rows: &'r mut VecView<Conversation>,
    /// Logical clock for recency. 32 bits keep each record 8 bytes
    /// smaller on 32-bit targets; [`Table::tick`] halves every stamp
    /// before it would wrap, which keeps their order.
    clock: u32,
    /// Conversations evicted since the application was last told.
    pub(crate) evicted: u32,
}

/// A 32-bit key for a conversation id (FNV-1a), so a pending fetch need not
/// keep the whole id: a collision only clears the flag of another fetch,
/// which then runs again.
pub(crate) fn id_key(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

impl<'r> Table<'r> {
    pub(crate) fn new(rows: &'r mut VecView<Conversation>) -> Self {
        rows.clear();
        Table {
            rows,
            clock: 0,
            evicted: 0,
        }
    }

    /// The conversations whose id has [`id_key`] `key`.
    pub(crate) fn with_key(&mut self, key: u32) -> impl Iterator<Item = &mut Conversation> + '_ {
        self.rows.iter_mut().filter(move |c| id_key(&c.id) == key)
    }

    pub(crate) fn find(&self, id: &str) -> Option<&Conversation> {
        self.rows.iter().find(|c| c.id.as_str() == id)
    }

    pub(crate) fn find_mut(&mut self, id: &str) -> Option<&mut Conversation> {
        self.rows.iter_mut().find(|c| c.id.as_str() == id)
    }

    /// Finds the conversation `id`, or inserts it, evicting the least recently
    /// active one (preferring one with nothing left to fetch) when full; in
    /// both cases it becomes the most recently active. `None` if `id` is not
    /// a conversation id. Hands out the row itself, never an index, so no
    /// caller indexes the table.
    pub(crate) fn get_or_insert(&mut self, id: &str) -> Option<&mut Conversation> {
        let clock = self.tick();
        if let Some(i) = self.rows.iter().position(|c| c.id.as_str() == id) {
            let c = self.rows.get_mut(i)?;
            c.active = clock;
            return Some(c);
        }
        let (kind, _) = ConversationType::parse(id)?;
        let owned = ConversationId::try_from(id).ok()?;
        if self.rows.is_full() {
            let victim = self
                .rows
                .iter()
                .enumerate()
                .min_by_key(|(_, c)| (c.needs_fetch(), c.active))
                .map(|(i, _)| i)?;
            // Checked again so the removal's own assertion is provably never hit.
            if victim < self.rows.len() {
                self.rows.swap_remove(victim);
                self.evicted = self.evicted.saturating_add(1);
            }
        }
        let mut row = Conversation::new(owned, kind);
        row.active = clock;
        self.rows.push(row).ok()?;
        self.rows.last_mut()
    }

    /// The next recency stamp. Before the clock would wrap, every stamp is
    /// halved: the order of distinct stamps is kept (two neighbours may
    /// become equal, which only matters to which of them a full table
    /// evicts).
    fn tick(&mut self) -> u32 {
        if self.clock == u32::MAX {
            self.clock /= 2;
            for row in self.rows.iter_mut() {
                row.active /= 2;
            }
        }
        self.clock += 1;
        self.clock
    }

    /// TIM `getTotalUnreadMessageCount`.
    pub(crate) fn total_unread(&self) -> u64 {
        self.rows.iter().map(Conversation::unread_count).sum()
    }

    /// A conversation with messages to fetch and no fetch running.
    pub(crate) fn next_gap(&mut self) -> Option<&mut Conversation> {
        self.rows
            .iter_mut()
            .find(|c| c.needs_fetch() && !c.fetching)
    }

    pub(crate) fn has_gaps(&self) -> bool {
        self.rows.iter().any(Conversation::needs_fetch)
    }

    pub(crate) fn clear(&mut self) {
        self.rows.clear();
    }

    /// Drops the conversation `id`; whether it was there.
    pub(crate) fn remove(&mut self, id: &str) -> bool {
        let before = self.rows.len();
        self.rows.retain(|c| c.id.as_str() != id);
        self.rows.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recency_survives_the_clock_reaching_its_end() {
        let mut rows: heapless::Vec<Conversation, 2> = heapless::Vec::new();
        let mut table = Table::new(rows.as_mut_view());
        table.get_or_insert("C2Cbob").unwrap();
        table.get_or_insert("C2Ccarol").unwrap();
        table.clock = u32::MAX - 1;
        // carol is active last, at the very end of the clock, then bob
        // after the wrap point: bob is the more recent.
        table.get_or_insert("C2Ccarol").unwrap();
        table.get_or_insert("C2Cbob").unwrap();
        assert!(table.clock < u32::MAX / 2 + 2, "the stamps were halved");
        // A third conversation evicts the least recently active: carol.
        table.get_or_insert("C2Cdave").unwrap();
        assert!(table.find("C2Cbob").is_some());
        assert!(table.find("C2Ccarol").is_none());
        assert_eq!(table.evicted, 1);
    }
}
