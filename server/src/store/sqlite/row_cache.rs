//! Conversation rows held in memory between the table and the engine. A
//! C2C send reads and rewrites both sides' rows; with the rows here it
//! reads the table once per row ever and writes each changed row once per
//! transaction instead of once per message. The store writes the changed
//! rows back before anything else reads the table and before it commits.
//!
//! A request's changes to the cache are undone with the request (the
//! engine's per-request savepoint): every change inside a request keeps
//! what it replaced until the request is released or rolled back.

use std::collections::HashMap;
use std::mem;

use crate::store::ConversationRow;

/// Rows kept at most; past this the cache empties at the next commit (when
/// nothing in it is unwritten), so memory stays bounded without an LRU.
const MAX_ROWS: usize = 65_536;

#[derive(Clone)]
struct Cached {
    row: ConversationRow,
    /// Changed since the table last saw it.
    dirty: bool,
}

/// What a change inside the current request replaced.
struct Undo {
    owner: String,
    conv_id: String,
    before: Option<Cached>,
}

/// The cache; see the module documentation.
#[derive(Default)]
pub(super) struct RowCache {
    /// owner -> conversation id -> row.
    rows: HashMap<String, HashMap<String, Cached>>,
    len: usize,
    /// Keys of rows that may be dirty (a row's flag is the truth; a key may
    /// be listed twice).
    dirty: Vec<(String, String)>,
    /// Set between a request's start and its end.
    in_request: bool,
    undo: Vec<Undo>,
}

impl RowCache {
    /// The row, if the cache holds it.
    pub(super) fn get(&self, owner: &str, conv_id: &str) -> Option<&ConversationRow> {
        self.rows
            .get(owner)
            .and_then(|convs| convs.get(conv_id))
            .map(|c| &c.row)
    }

    /// Keeps a row just read from the table. Needs no undo: a row missing
    /// here was not changed by this request, so the table's copy is right.
    pub(super) fn keep(&mut self, row: ConversationRow) {
        self.set(row, false);
    }

    /// Changes a row; the table gets it at the next write-back.
    pub(super) fn put(&mut self, row: ConversationRow) {
        // A row already dirty has its key listed (every change from clean
        // to dirty lists it): a C2C send changes the same two rows message
        // after message, so this spares two key copies per change.
        let listed = self
            .rows
            .get(&row.owner)
            .and_then(|convs| convs.get(&row.conv_id))
            .is_some_and(|c| c.dirty);
        if !listed {
            self.dirty.push((row.owner.clone(), row.conv_id.clone()));
        }
        self.set(row, true);
    }

    fn set(&mut self, row: ConversationRow, dirty: bool) {
        let undo = self.in_request && dirty;
        let slot = self
            .rows
            .get_mut(&row.owner)
            .and_then(|convs| convs.get_mut(&row.conv_id));
        // The keys are copied for a row new to the cache and for the undo
        // of a change inside a request, not for every change.
        let (before, keys) = match slot {
            Some(slot) => {
                let keys = undo.then(|| (row.owner.clone(), row.conv_id.clone()));
                (Some(mem::replace(slot, Cached { row, dirty })), keys)
            }
            None => {
                let (owner, conv_id) = (row.owner.clone(), row.conv_id.clone());
                let keys = undo.then(|| (owner.clone(), conv_id.clone()));
                self.rows
                    .entry(owner)
                    .or_default()
                    .insert(conv_id, Cached { row, dirty });
                self.len += 1;
                (None, keys)
            }
        };
        if let Some((owner, conv_id)) = keys {
            self.undo.push(Undo {
                owner,
                conv_id,
                before,
            });
        }
    }

    /// Writes every dirty row with `write` and marks it clean. On an error
    /// the rows not yet written stay dirty.
    pub(super) fn write_back<E>(
        &mut self,
        mut write: impl FnMut(&ConversationRow) -> Result<(), E>,
    ) -> Result<(), E> {
        while let Some((owner, conv_id)) = self.dirty.pop() {
            let Some(cached) = self
                .rows
                .get_mut(&owner)
                .and_then(|convs| convs.get_mut(&conv_id))
            else {
                continue;
            };
            if !cached.dirty {
                continue;
            }
            if let Err(e) = write(&cached.row) {
                self.dirty.push((owner, conv_id));
                return Err(e);
            }
            let before = cached.clone();
            cached.dirty = false;
            if self.in_request {
                // A rolled-back request takes the table's copy back too.
                self.undo.push(Undo {
                    owner,
                    conv_id,
                    before: Some(before),
                });
            }
        }
        Ok(())
    }

    /// A request starts: its changes are recorded for undoing.
    pub(super) fn begin_request(&mut self) {
        self.in_request = true;
        self.undo.clear();
    }

    /// The request's changes stay.
    pub(super) fn end_request(&mut self) {
        self.in_request = false;
        self.undo.clear();
    }

    /// The request's changes are undone, newest first.
    pub(super) fn undo_request(&mut self) {
        for Undo {
            owner,
            conv_id,
            before,
        } in mem::take(&mut self.undo).into_iter().rev()
        {
            let convs = self.rows.entry(owner.clone()).or_default();
            match before {
                Some(cached) => {
                    if cached.dirty {
                        self.dirty.push((owner, conv_id.clone()));
                    }
                    convs.insert(conv_id, cached);
                }
                None => {
                    if convs.remove(&conv_id).is_some() {
                        self.len -= 1;
                    }
                }
            }
        }
        self.in_request = false;
    }

    /// The transaction committed with every row written back: drop
    /// everything if the cache has grown past its bound.
    pub(super) fn committed(&mut self) {
        if self.len > MAX_ROWS && self.dirty.is_empty() {
            self.forget();
        }
    }

    /// The transaction was abandoned: what the cache holds may be ahead of
    /// the table, so it starts over from the table.
    pub(super) fn forget(&mut self) {
        *self = RowCache::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(owner: &str, conv: &str, last_seq: u64) -> ConversationRow {
        ConversationRow {
            owner: owner.into(),
            conv_id: conv.into(),
            conv_key: "k".into(),
            last_seq,
            read_seq: 0,
            last_time_ms: 0,
            last_from: String::new(),
            preview: String::new(),
            version: last_seq,
            peer_read_seq: 0,
            hidden_seq: 0,
            cleared_seq: 0,
            pinned: false,
            remind: tinyim_core::wire::body::RemindType::AcceptAndNotify,
            marks: 0,
            data_digest: 0,
        }
    }

    fn written(cache: &mut RowCache) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        cache
            .write_back(|r| {
                out.push((r.conv_id.clone(), r.last_seq));
                Ok::<(), ()>(())
            })
            .unwrap();
        out.sort();
        out
    }

    #[test]
    fn a_row_changed_many_times_is_written_once_with_its_last_value() {
        let mut cache = RowCache::default();
        for seq in 1..=5 {
            cache.put(row("a", "C2Cb", seq));
        }
        assert_eq!(written(&mut cache), [("C2Cb".to_string(), 5)]);
        assert_eq!(written(&mut cache), [], "clean after the write-back");
        assert_eq!(cache.get("a", "C2Cb").unwrap().last_seq, 5);
    }

    #[test]
    fn an_undone_request_restores_rows_and_their_dirtiness() {
        let mut cache = RowCache::default();
        cache.put(row("a", "C2Cb", 1));
        cache.begin_request();
        cache.put(row("a", "C2Cb", 2));
        cache.put(row("a", "C2Cc", 1));
        // Written back inside the request (a sync reads the table), then
        // the request fails: the table's write is undone by the savepoint,
        // so the row must be dirty again.
        assert_eq!(written(&mut cache).len(), 2);
        cache.undo_request();
        assert!(cache.get("a", "C2Cc").is_none(), "new row gone");
        assert_eq!(cache.get("a", "C2Cb").unwrap().last_seq, 1);
        assert_eq!(written(&mut cache), [("C2Cb".to_string(), 1)]);
    }

    #[test]
    fn a_failed_write_back_keeps_the_rest_dirty() {
        let mut cache = RowCache::default();
        cache.put(row("a", "C2Cb", 1));
        cache.put(row("a", "C2Cc", 1));
        let mut calls = 0;
        let failed = cache.write_back(|_| {
            calls += 1;
            if calls == 2 {
                Err(())
            } else {
                Ok(())
            }
        });
        assert!(failed.is_err());
        assert_eq!(
            written(&mut cache).len(),
            1,
            "the unwritten row is still dirty"
        );
    }
}
