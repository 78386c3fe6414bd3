//! [`UserStore`] on SQLite: one row per profile set, and one row per
//! blocklist entry, numbered in the order of adding so pages are stable
//! while the list changes at its end.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use tinyim_core::wire::user::{AllowType, Gender};

use super::{err, from_sql, to_sql, SqliteStore};
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

const PROFILE_COLUMNS: &str = "user_id, nick, gender, birthday, location, self_signature, \
     allow_type, language, avatar, level, role, updated_ms";

fn gender_to_sql(g: Gender) -> i64 {
    match g {
        Gender::Unknown => 0,
        Gender::Female => 1,
        Gender::Male => 2,
    }
}

fn gender_from_sql(v: i64) -> Gender {
    match v {
        1 => Gender::Female,
        2 => Gender::Male,
        _ => Gender::Unknown,
    }
}

fn allow_to_sql(a: AllowType) -> i64 {
    match a {
        AllowType::AllowAny => 0,
        AllowType::NeedConfirm => 1,
        AllowType::DenyAny => 2,
    }
}

fn allow_from_sql(v: i64) -> AllowType {
    match v {
        0 => AllowType::AllowAny,
        2 => AllowType::DenyAny,
        _ => AllowType::NeedConfirm,
    }
}

fn profile_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok(ProfileRow {
        user_id: r.get(0)?,
        nick: r.get(1)?,
        gender: gender_from_sql(r.get(2)?),
        birthday: r.get(3)?,
        location: r.get(4)?,
        self_signature: r.get(5)?,
        allow_type: allow_from_sql(r.get(6)?),
        language: r.get(7)?,
        avatar: r.get(8)?,
        level: r.get(9)?,
        role: r.get(10)?,
        updated_ms: from_sql(r.get(11)?),
    })
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
                gender_to_sql(p.gender),
                p.birthday,
                p.location,
                p.self_signature,
                allow_to_sql(p.allow_type),
                p.language,
                p.avatar,
                p.level,
                p.role,
                to_sql(p.updated_ms),
            ])
            .map(|_| ())
            .map_err(err)
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
