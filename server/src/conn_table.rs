//! Tables keyed by connection id, one entry per slot of a `Vec`.
//!
//! A connection id ([`ConnId`]) is a slot index in its low 32 bits and a
//! count in its high 32: the server hands the slot of a closed connection
//! to the next one (see `net`), so every table stays as dense as the
//! connections open now, where a hash table keyed by ever-growing ids sits
//! at half load or less (at 1 000 idle connections the server's three
//! connection tables took 232 bytes a connection as hash tables). The count
//! tells a connection from an earlier one that had its slot, so a late
//! answer or close meant for that one never reaches the new one.

use crate::engine::ConnId;

/// Slots past this are refused: ids index a `Vec`, and the server's ids
/// stay below the most connections ever open at once.
pub(crate) const MAX_SLOTS: usize = 1 << 24;

/// The slot `id` lives in.
pub(crate) fn slot_of(id: ConnId) -> usize {
    (id & u64::from(u32::MAX)) as usize
}

/// The id of the connection given `slot` as the `count`th one.
pub(crate) fn conn_id(slot: usize, count: u32) -> ConnId {
    (u64::from(count) << 32) | slot as u64
}

/// Entries of `T` by connection id.
#[derive(Debug)]
pub(crate) struct ConnTable<T> {
    slots: Vec<Option<(ConnId, T)>>,
}

impl<T> Default for ConnTable<T> {
    fn default() -> Self {
        ConnTable { slots: Vec::new() }
    }
}

/// Why [`ConnTable::put`] kept nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SlotOutOfRange;

impl<T> ConnTable<T> {
    /// Puts `id`'s entry in its slot. Returns the entry of an earlier
    /// connection that still held the slot (which its owner has since
    /// reused, so that connection is gone).
    pub(crate) fn put(
        &mut self,
        id: ConnId,
        value: T,
    ) -> Result<Option<(ConnId, T)>, SlotOutOfRange> {
        let slot = slot_of(id);
        if slot >= MAX_SLOTS {
            return Err(SlotOutOfRange);
        }
        if slot >= self.slots.len() {
            self.slots.resize_with(slot + 1, || None);
        }
        let entry = self.slots.get_mut(slot).ok_or(SlotOutOfRange)?;
        Ok(entry.replace((id, value)))
    }

    /// `id`'s entry.
    pub(crate) fn get(&self, id: ConnId) -> Option<&T> {
        match self.slots.get(slot_of(id)) {
            Some(Some((held, value))) if *held == id => Some(value),
            _ => None,
        }
    }

    /// `id`'s entry, to change.
    pub(crate) fn get_mut(&mut self, id: ConnId) -> Option<&mut T> {
        match self.slots.get_mut(slot_of(id)) {
            Some(Some((held, value))) if *held == id => Some(value),
            _ => None,
        }
    }

    /// Takes `id`'s entry out.
    pub(crate) fn remove(&mut self, id: ConnId) -> Option<T> {
        let entry = self.slots.get_mut(slot_of(id))?;
        match entry {
            Some((held, _)) if *held == id => entry.take().map(|(_, value)| value),
            _ => None,
        }
    }

    /// How many slots there are, held or not.
    pub(crate) fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Every entry with its id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (ConnId, &T)> {
        self.slots
            .iter()
            .filter_map(|entry| entry.as_ref().map(|(id, value)| (*id, value)))
    }
}

/// A [`ConnTable`] that also hands the ids out (the accepting side's): a
/// new connection takes the slot a closed one left, if any.
#[derive(Debug)]
pub(crate) struct ConnRegistry<T> {
    table: ConnTable<T>,
    free: Vec<usize>,
    /// Connections registered so far (wrapping), the high half of the ids.
    count: u32,
    /// Connections open now.
    open: usize,
}

impl<T> Default for ConnRegistry<T> {
    fn default() -> Self {
        ConnRegistry {
            table: ConnTable::default(),
            free: Vec::new(),
            count: 0,
            open: 0,
        }
    }
}

impl<T> ConnRegistry<T> {
    /// Registers a new connection; `None` only past [`MAX_SLOTS`] open at once.
    pub(crate) fn open(&mut self, value: T) -> Option<ConnId> {
        let slot = self.free.pop().unwrap_or(self.table.slots());
        self.count = self.count.wrapping_add(1);
        let id = conn_id(slot, self.count);
        match self.table.put(id, value) {
            Ok(_) => {
                self.open += 1;
                Some(id)
            }
            Err(SlotOutOfRange) => None,
        }
    }

    /// Forgets a connection and frees its slot.
    pub(crate) fn close(&mut self, id: ConnId) -> Option<T> {
        let value = self.table.remove(id)?;
        self.free.push(slot_of(id));
        self.open -= 1;
        Some(value)
    }

    /// Connections open now.
    pub(crate) fn len(&self) -> usize {
        self.open
    }

    /// `id`'s entry.
    pub(crate) fn get(&self, id: ConnId) -> Option<&T> {
        self.table.get(id)
    }

    /// Every open connection's entry.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.table.iter().map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_answers_only_to_the_connection_that_holds_it() {
        let mut table = ConnTable::default();
        let first = conn_id(3, 1);
        let second = conn_id(3, 2);
        assert_eq!(table.put(first, "first"), Ok(None));
        assert_eq!(table.get(first), Some(&"first"));
        assert_eq!(table.get(second), None, "same slot, later connection");
        assert_eq!(table.remove(second), None);
        assert_eq!(table.put(second, "second"), Ok(Some((first, "first"))));
        assert_eq!(table.get(first), None, "gone once its slot was reused");
        assert_eq!(table.remove(first), None);
        assert_eq!(table.remove(second), Some("second"));
        assert_eq!(table.iter().count(), 0);
    }

    #[test]
    fn a_new_connection_takes_a_closed_ones_slot_under_a_new_id() {
        let mut registry = ConnRegistry::default();
        let a = registry.open("a").unwrap();
        let b = registry.open("b").unwrap();
        assert_ne!(slot_of(a), slot_of(b));
        assert_eq!(registry.close(a), Some("a"));
        assert_eq!(registry.close(a), None, "closed once");
        let c = registry.open("c").unwrap();
        assert_eq!(slot_of(c), slot_of(a), "the freed slot");
        assert_ne!(c, a);
        assert_eq!(registry.get(a), None);
        assert_eq!(registry.get(c), Some(&"c"));
        let mut open: Vec<_> = registry.values().copied().collect();
        open.sort();
        assert_eq!(open, ["b", "c"]);
        assert_eq!(registry.len(), 2);
    }

    #[test]
    fn ids_past_the_last_slot_are_refused_without_growing_the_table() {
        let mut table = ConnTable::default();
        assert_eq!(table.put(conn_id(MAX_SLOTS, 1), ()), Err(SlotOutOfRange));
        assert_eq!(table.put(u64::MAX, ()), Err(SlotOutOfRange));
        assert_eq!(table.slots(), 0);
    }
}
