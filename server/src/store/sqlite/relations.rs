//! [`RelationStore`] on SQLite: one row per blocklist entry, numbered in the
//! order of adding so pages are stable while the list changes at its end.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::{err, SqliteStore};
use crate::store::{RelationStore, StoreResult};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS blocklist (
    owner TEXT NOT NULL,
    blocked TEXT NOT NULL,
    added INTEGER NOT NULL,
    PRIMARY KEY (owner, blocked)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blocklist_in_order ON blocklist (owner, added);
";

/// Owners who may have blocklist entries; see `SqliteStore::blockers`.
#[derive(Debug, Default)]
pub(super) struct Blockers(HashSet<String>);

impl Blockers {
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let mut stmt = conn.prepare("SELECT DISTINCT owner FROM blocklist")?;
        let owners = stmt.query_map([], |r| r.get(0))?;
        Ok(Blockers(owners.collect::<Result<_, _>>()?))
    }
}

impl RelationStore for SqliteStore {
    fn block(&mut self, owner: &str, blocked: &str) -> StoreResult<bool> {
        if !self.blockers.0.contains(owner) {
            // Kept even if this transaction rolls back: a superset is enough.
            self.blockers.0.insert(owner.to_owned());
        }
        // The next number after the owner's newest entry.
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO blocklist (owner, blocked, added)
                 SELECT ?1, ?2, COALESCE(MAX(added), 0) + 1 FROM blocklist WHERE owner = ?1",
            )
            .map_err(err)?
            .execute(params![owner, blocked])
            .map(|n| n > 0)
            .map_err(err)
    }

    fn unblock(&mut self, owner: &str, blocked: &str) -> StoreResult<bool> {
        self.conn
            .prepare_cached("DELETE FROM blocklist WHERE owner = ?1 AND blocked = ?2")
            .map_err(err)?
            .execute(params![owner, blocked])
            .map(|n| n > 0)
            .map_err(err)
    }

    fn blocklist_len(&mut self, owner: &str) -> StoreResult<usize> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM blocklist WHERE owner = ?1")
            .map_err(err)?
            .query_row(params![owner], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(err)
    }

    fn blocklist(&mut self, owner: &str, offset: u32, limit: usize) -> StoreResult<Vec<String>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT blocked FROM blocklist WHERE owner = ?1
                 ORDER BY added LIMIT ?2 OFFSET ?3",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(params![owner, limit, offset], |r| r.get(0))
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn blocks(&mut self, owner: &str, user: &str) -> StoreResult<bool> {
        if !self.blockers.0.contains(owner) {
            return Ok(false);
        }
        self.conn
            .prepare_cached("SELECT 1 FROM blocklist WHERE owner = ?1 AND blocked = ?2")
            .map_err(err)?
            .query_row(params![owner, user], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(err)
    }
}
