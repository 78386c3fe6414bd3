//! The conversation table: lookup, creation with eviction of the least
//! recently active conversation that can be forgotten without losing a
//! message, and the totals derived from it.

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
    /// Unread messages of conversations the table does not hold: the
    /// server's total at the last complete sync, less what the table held
    /// then, plus what evicted conversations had unread.
    pub(crate) unread_elsewhere: u64,
}

/// Which conversation a full table may give up for a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Room {
    /// Only one whose loss loses nothing ([`Conversation::evictable`]).
    Settled,
    /// Failing that, any with nothing left to fetch: the last resort of a
    /// sync whose every slot holds a conversation changed since the cursor.
    /// A fetch after it comes back may repeat messages already delivered
    /// (never lose one).
    Delivered,
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
            unread_elsewhere: 0,
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
    /// active one that `room` allows when full (`None` if none may go); in
    /// both cases it becomes the most recently active. `None` if `id` is not
    /// a conversation id. Hands out the row itself, never an index, so no
    /// caller indexes the table.
    pub(crate) fn get_or_insert(&mut self, id: &str, room: Room) -> Option<&mut Conversation> {
        let clock = self.tick();
        if let Some(i) = self.rows.iter().position(|c| c.id.as_str() == id) {
            let c = self.rows.get_mut(i)?;
            c.active = clock;
            return Some(c);
        }
        let (kind, _) = ConversationType::parse(id)?;
        let owned = ConversationId::try_from(id).ok()?;
        if self.rows.is_full() {
            let may_go = |c: &Conversation| match room {
                Room::Settled => c.evictable(),
                Room::Delivered => !c.needs_fetch() && !c.fetching,
            };
            let victim = self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, c)| may_go(c))
                .min_by_key(|(_, c)| c.active)
                .map(|(i, _)| i)?;
            // Checked again so the removal's own assertion is provably never hit.
            if victim < self.rows.len() {
                let gone = self.rows.swap_remove(victim);
                self.unread_elsewhere += gone.unread_in_total();
                self.evicted = self.evicted.saturating_add(1);
            }
        }
        let mut row = Conversation::new(owned, kind);
        row.active = clock;
        self.rows.push(row).ok()?;
        self.rows.last_mut()
    }

    /// Conversations a sync window may bring that the table does not hold:
    /// free slots and conversations it may forget.
    pub(crate) fn room(&self) -> usize {
        let free = self.rows.capacity() - self.rows.len();
        free + self.rows.iter().filter(|c| c.evictable()).count()
    }

    /// The sync window was given up: what it listed stays unsettled.
    pub(crate) fn abandon_window(&mut self) {
        for c in self.rows.iter_mut() {
            c.in_window = false;
        }
    }

    /// The sync window completed: what it listed is covered by the cursor.
    pub(crate) fn settle_window(&mut self) {
        for c in self.rows.iter_mut().filter(|c| c.in_window) {
            c.in_window = false;
            c.settled = true;
        }
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

    /// TIM `getTotalUnreadMessageCount`: the table's and the others'.
    pub(crate) fn total_unread(&self) -> u64 {
        self.held_unread() + self.unread_elsewhere
    }

    /// Unread messages of the conversations the table holds, as the total
    /// counts them.
    pub(crate) fn held_unread(&self) -> u64 {
        self.rows.iter().map(Conversation::unread_in_total).sum()
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
        self.unread_elsewhere = 0;
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

    /// Inserts `id` as a conversation delivered up to its end and covered
    /// by the cursor.
    fn settled(table: &mut Table<'_>, id: &str) {
        let c = table.get_or_insert(id, Room::Settled).unwrap();
        c.baseline_known = true;
        c.settled = true;
    }

    #[test]
    fn recency_survives_the_clock_reaching_its_end() {
        let mut rows: heapless::Vec<Conversation, 2> = heapless::Vec::new();
        let mut table = Table::new(rows.as_mut_view());
        settled(&mut table, "C2Cbob");
        settled(&mut table, "C2Ccarol");
        table.clock = u32::MAX - 1;
        // carol is active last, at the very end of the clock, then bob
        // after the wrap point: bob is the more recent.
        settled(&mut table, "C2Ccarol");
        settled(&mut table, "C2Cbob");
        assert!(table.clock < u32::MAX / 2 + 2, "the stamps were halved");
        // A third conversation evicts the least recently active: carol.
        settled(&mut table, "C2Cdave");
        assert!(table.find("C2Cbob").is_some());
        assert!(table.find("C2Ccarol").is_none());
        assert_eq!(table.evicted, 1);
    }

    #[test]
    fn a_full_table_forgets_only_what_loses_nothing() {
        let mut rows: heapless::Vec<Conversation, 2> = heapless::Vec::new();
        let mut table = Table::new(rows.as_mut_view());
        settled(&mut table, "C2Cbob");
        // carol has messages to fetch; bob got a live message since the
        // cursor.
        table.get_or_insert("C2Ccarol", Room::Settled).unwrap();
        table.find_mut("C2Cbob").unwrap().unsettle();
        assert_eq!(table.room(), 0);
        assert!(table.get_or_insert("C2Cdave", Room::Settled).is_none());
        // The last resort takes bob (delivered), never carol.
        table.find_mut("C2Cbob").unwrap().last_seq = 3;
        table.find_mut("C2Cbob").unwrap().delivered_seq = 3;
        assert!(table.get_or_insert("C2Cdave", Room::Delivered).is_some());
        assert!(table.find("C2Ccarol").is_some());
        assert!(table.find("C2Cbob").is_none());
        assert_eq!(table.unread_elsewhere, 3, "bob's unread counts on");
        assert_eq!(table.total_unread(), 3);
    }
}
