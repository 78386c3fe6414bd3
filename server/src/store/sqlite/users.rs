//! [`UserStore`] on SQLite: one row per profile set, and one row per
//! blocklist entry, numbered in the order of adding so pages are stable
//! while the list changes at its end.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::{err, to_sql, SqliteStore};
use crate::store::columns::{allow_code, gender_code, profile_at, PROFILE_COLUMNS};
use crate::store::{ProfileRow, StoreResult, UserStore};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    user_id TEXT PRIMARY KEY NOT NULL,
    created_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocklist (
    owner TEXT NOT NULL,
    blocked TEXT NOT NULL,
    added INTEGER NOT NULL,
    PRIMARY KEY (owner, blocked)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blocklist_in_order ON blocklist (owner, added);
CREATE TABLE IF NOT EXISTS profile_custom (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS profiles (
    user_id TEXT PRIMARY KEY NOT NULL,
    nick TEXT NOT NULL,
    gender INTEGER NOT NULL,
    birthday INTEGER NOT NULL,
    location TEXT NOT NULL,
    self_signature TEXT NOT NULL,
    allow_type INTEGER NOT NULL,
    language INTEGER NOT NULL,
    avatar TEXT NOT NULL,
    level INTEGER NOT NULL,
    role INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
";

fn profile_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileRow> {
    profile_at(r)
}

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

impl UserStore for SqliteStore {
    fn put_account(&mut self, user: &str, now_ms: u64) -> StoreResult<bool> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO accounts (user_id, created_ms) VALUES (?1, ?2)")
            .map_err(err)?
            .execute(params![user, to_sql(now_ms)])
            .map(|n| n > 0)
            .map_err(err)
    }

    fn has_account(&mut self, user: &str) -> StoreResult<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM accounts WHERE user_id = ?1")
            .map_err(err)?
            .query_row(params![user], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(err)
    }

    fn delete_account(&mut self, user: &str) -> StoreResult<bool> {
        self.run(
            "DELETE FROM profile_custom WHERE user_id = ?1",
            params![user],
        )?;
        self.conn
            .prepare_cached("DELETE FROM profiles WHERE user_id = ?1")
            .map_err(err)?
            .execute(params![user])
            .map_err(err)?;
        self.conn
            .prepare_cached("DELETE FROM accounts WHERE user_id = ?1")
            .map_err(err)?
            .execute(params![user])
            .map(|n| n > 0)
            .map_err(err)
    }

    fn profile(&mut self, user: &str) -> StoreResult<Option<ProfileRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {PROFILE_COLUMNS} FROM profiles WHERE user_id = ?1"
            ))
            .map_err(err)?
            .query_row(params![user], profile_from_row)
            .optional()
            .map_err(err)
    }

    fn put_profile(&mut self, p: &ProfileRow) -> StoreResult<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT OR REPLACE INTO profiles ({PROFILE_COLUMNS}) VALUES
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ))
            .map_err(err)?
            .execute(params![
                p.user_id,
                p.nick,
                gender_code(p.gender),
                p.birthday,
                p.location,
                p.self_signature,
                allow_code(p.allow_type),
                p.language,
                p.avatar,
                p.level,
                p.role,
                to_sql(p.updated_ms),
            ])
            .map(|_| ())
            .map_err(err)
    }

    fn profile_customs(&mut self, user: &str) -> StoreResult<Vec<(String, String)>> {
        self.list(
            "SELECT key, value FROM profile_custom WHERE user_id = ?1 ORDER BY key",
            params![user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    fn set_profile_custom(&mut self, user: &str, key: &str, value: &str) -> StoreResult<()> {
        if value.is_empty() {
            return self.run(
                "DELETE FROM profile_custom WHERE user_id = ?1 AND key = ?2",
                params![user, key],
            );
        }
        self.run(
            "INSERT OR REPLACE INTO profile_custom (user_id, key, value) VALUES (?1, ?2, ?3)",
            params![user, key, value],
        )
    }

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
