//! [`FriendStore`] on SQLite: a row per direction of each friendship, per
//! custom field, per application and per friend group membership. Friend
//! groups are numbered in the order an owner makes them, so the list keeps
//! that order through renames.

use rusqlite::{params, OptionalExtension};

use super::{err, to_sql, SqliteStore};
use crate::store::friend::{
    application_at, friend_at, APPLICATION_COLUMNS, FORGET_USER, FRIEND_COLUMNS,
};
use crate::store::{FriendApplicationRow, FriendRow, FriendStore, StoreResult};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS friends (
    owner TEXT NOT NULL,
    friend TEXT NOT NULL,
    remark TEXT NOT NULL,
    source TEXT NOT NULL,
    wording TEXT NOT NULL,
    added_ms INTEGER NOT NULL,
    PRIMARY KEY (owner, friend)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS friends_in_order ON friends (owner, added_ms, friend);
CREATE TABLE IF NOT EXISTS friend_custom (
    owner TEXT NOT NULL,
    friend TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (owner, friend, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS friend_applications (
    from_user TEXT NOT NULL,
    to_user TEXT NOT NULL,
    both_ways INTEGER NOT NULL,
    remark TEXT NOT NULL,
    group_name TEXT NOT NULL,
    source TEXT NOT NULL,
    wording TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    was_read INTEGER NOT NULL,
    PRIMARY KEY (from_user, to_user)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS friend_applications_to ON friend_applications (to_user);
CREATE TABLE IF NOT EXISTS friend_groups (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    made INTEGER NOT NULL,
    PRIMARY KEY (owner, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS friend_group_members (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    friend TEXT NOT NULL,
    PRIMARY KEY (owner, name, friend)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS friend_group_members_by_friend
    ON friend_group_members (owner, friend);
";

impl SqliteStore {
    /// Runs a cached statement; whether it changed a row.
    fn changed(&mut self, sql: &str, params: impl rusqlite::Params) -> StoreResult<bool> {
        self.conn
            .prepare_cached(sql)
            .map_err(err)?
            .execute(params)
            .map(|n| n > 0)
            .map_err(err)
    }

    /// Runs a cached query for one integer.
    fn count(&mut self, sql: &str, params: impl rusqlite::Params) -> StoreResult<i64> {
        self.conn
            .prepare_cached(sql)
            .map_err(err)?
            .query_row(params, |r| r.get(0))
            .map_err(err)
    }
}

impl FriendStore for SqliteStore {
    fn friend(&mut self, owner: &str, friend: &str) -> StoreResult<Option<FriendRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {FRIEND_COLUMNS} FROM friends WHERE owner = ?1 AND friend = ?2"
            ))
            .map_err(err)?
            .query_row(params![owner, friend], |r| friend_at(r))
            .optional()
            .map_err(err)
    }

    fn put_friend(&mut self, f: &FriendRow) -> StoreResult<()> {
        self.run(
            &format!(
                "INSERT OR REPLACE INTO friends ({FRIEND_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                f.owner,
                f.friend,
                f.remark,
                f.source,
                f.wording,
                to_sql(f.added_ms)
            ],
        )
    }

    fn delete_friend(&mut self, owner: &str, friend: &str) -> StoreResult<bool> {
        self.run(
            "DELETE FROM friend_custom WHERE owner = ?1 AND friend = ?2",
            params![owner, friend],
        )?;
        self.run(
            "DELETE FROM friend_group_members WHERE owner = ?1 AND friend = ?2",
            params![owner, friend],
        )?;
        self.changed(
            "DELETE FROM friends WHERE owner = ?1 AND friend = ?2",
            params![owner, friend],
        )
    }

    fn friend_count(&mut self, owner: &str) -> StoreResult<usize> {
        self.count(
            "SELECT COUNT(*) FROM friends WHERE owner = ?1",
            params![owner],
        )
        .map(|n| usize::try_from(n).unwrap_or(0))
    }

    fn friends(&mut self, owner: &str, offset: u32, limit: usize) -> StoreResult<Vec<FriendRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(
            &format!(
                "SELECT {FRIEND_COLUMNS} FROM friends WHERE owner = ?1
                 ORDER BY added_ms, friend LIMIT ?2 OFFSET ?3"
            ),
            params![owner, limit, offset],
            |r| friend_at(r),
        )
    }

    fn friend_customs(&mut self, owner: &str, friend: &str) -> StoreResult<Vec<(String, String)>> {
        self.list(
            "SELECT key, value FROM friend_custom WHERE owner = ?1 AND friend = ?2 ORDER BY key",
            params![owner, friend],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    fn set_friend_custom(
        &mut self,
        owner: &str,
        friend: &str,
        key: &str,
        value: &str,
    ) -> StoreResult<()> {
        if value.is_empty() {
            return self.run(
                "DELETE FROM friend_custom WHERE owner = ?1 AND friend = ?2 AND key = ?3",
                params![owner, friend, key],
            );
        }
        self.run(
            "INSERT OR REPLACE INTO friend_custom (owner, friend, key, value)
             VALUES (?1, ?2, ?3, ?4)",
            params![owner, friend, key, value],
        )
    }

    fn friend_application(
        &mut self,
        from: &str,
        to: &str,
    ) -> StoreResult<Option<FriendApplicationRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {APPLICATION_COLUMNS} FROM friend_applications
                 WHERE from_user = ?1 AND to_user = ?2"
            ))
            .map_err(err)?
            .query_row(params![from, to], |r| application_at(r))
            .optional()
            .map_err(err)
    }

    fn put_friend_application(&mut self, a: &FriendApplicationRow) -> StoreResult<()> {
        self.run(
            &format!(
                "INSERT OR REPLACE INTO friend_applications ({APPLICATION_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                a.from_user,
                a.to_user,
                a.both,
                a.remark,
                a.group_name,
                a.source,
                a.wording,
                to_sql(a.time_ms),
                a.read
            ],
        )
    }

    fn delete_friend_application(&mut self, from: &str, to: &str) -> StoreResult<bool> {
        self.changed(
            "DELETE FROM friend_applications WHERE from_user = ?1 AND to_user = ?2",
            params![from, to],
        )
    }

    fn friend_applications(
        &mut self,
        user: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<FriendApplicationRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(
            &format!(
                "SELECT {APPLICATION_COLUMNS} FROM friend_applications
                 WHERE to_user = ?1 OR from_user = ?1
                 ORDER BY time_ms DESC, from_user, to_user LIMIT ?2 OFFSET ?3"
            ),
            params![user, limit, offset],
            |r| application_at(r),
        )
    }

    fn unread_friend_applications(&mut self, user: &str) -> StoreResult<u32> {
        self.count(
            "SELECT COUNT(*) FROM friend_applications WHERE to_user = ?1 AND NOT was_read",
            params![user],
        )
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn read_friend_applications(&mut self, user: &str) -> StoreResult<()> {
        self.run(
            "UPDATE friend_applications SET was_read = 1 WHERE to_user = ?1 AND NOT was_read",
            params![user],
        )
    }

    fn friend_groups(&mut self, owner: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT name FROM friend_groups WHERE owner = ?1 ORDER BY made",
            params![owner],
            |r| r.get(0),
        )
    }

    fn create_friend_group(&mut self, owner: &str, name: &str) -> StoreResult<bool> {
        self.changed(
            "INSERT OR IGNORE INTO friend_groups (owner, name, made)
             SELECT ?1, ?2, COALESCE(MAX(made), 0) + 1 FROM friend_groups WHERE owner = ?1",
            params![owner, name],
        )
    }

    fn delete_friend_group(&mut self, owner: &str, name: &str) -> StoreResult<bool> {
        self.run(
            "DELETE FROM friend_group_members WHERE owner = ?1 AND name = ?2",
            params![owner, name],
        )?;
        self.changed(
            "DELETE FROM friend_groups WHERE owner = ?1 AND name = ?2",
            params![owner, name],
        )
    }

    fn rename_friend_group(&mut self, owner: &str, name: &str, new_name: &str) -> StoreResult<()> {
        self.run(
            "UPDATE friend_groups SET name = ?3 WHERE owner = ?1 AND name = ?2",
            params![owner, name, new_name],
        )?;
        self.run(
            "UPDATE friend_group_members SET name = ?3 WHERE owner = ?1 AND name = ?2",
            params![owner, name, new_name],
        )
    }

    fn friend_group_members(&mut self, owner: &str, name: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT friend FROM friend_group_members WHERE owner = ?1 AND name = ?2
             ORDER BY friend",
            params![owner, name],
            |r| r.get(0),
        )
    }

    fn add_to_friend_group(&mut self, owner: &str, name: &str, friend: &str) -> StoreResult<bool> {
        self.changed(
            "INSERT OR IGNORE INTO friend_group_members (owner, name, friend) VALUES (?1, ?2, ?3)",
            params![owner, name, friend],
        )
    }

    fn remove_from_friend_group(
        &mut self,
        owner: &str,
        name: &str,
        friend: &str,
    ) -> StoreResult<bool> {
        self.changed(
            "DELETE FROM friend_group_members WHERE owner = ?1 AND name = ?2 AND friend = ?3",
            params![owner, name, friend],
        )
    }

    fn groups_of_friend(&mut self, owner: &str, friend: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT m.name FROM friend_group_members m
             JOIN friend_groups g ON g.owner = m.owner AND g.name = m.name
             WHERE m.owner = ?1 AND m.friend = ?2 ORDER BY g.made",
            params![owner, friend],
            |r| r.get(0),
        )
    }

    fn delete_friend_data(&mut self, user: &str) -> StoreResult<Vec<String>> {
        let owners = self.list(
            "SELECT owner FROM friends WHERE friend = ?1 AND owner <> ?1",
            params![user],
            |r| r.get(0),
        )?;
        for sql in FORGET_USER {
            self.run(&sql.replace("{u}", "?1"), params![user])?;
        }
        Ok(owners)
    }
}
