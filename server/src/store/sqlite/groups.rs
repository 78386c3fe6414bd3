//! SQLite tables for groups.

use rusqlite::{params, OptionalExtension, Row};
use tinyim_core::wire::group::GroupType;

use super::{err, from_sql, to_sql, SqliteStore};
use crate::store::columns::{
    application_at, group_at, join_code, member_at, role_code, type_at, type_code,
    APPLICATION_COLUMNS, GROUP_COLUMNS, GROUP_COLUMN_COUNT, MEMBER_COLUMNS,
};
use crate::store::group::{ApplicationRow, GroupRow, GroupStore, MemberRow};
use crate::store::StoreResult;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS groups (
    group_id TEXT PRIMARY KEY,
    group_type INTEGER NOT NULL,
    name TEXT NOT NULL,
    introduction TEXT NOT NULL,
    notification TEXT NOT NULL,
    avatar TEXT NOT NULL,
    owner TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    max_members INTEGER NOT NULL,
    join_option INTEGER NOT NULL,
    mute_all INTEGER NOT NULL,
    member_count INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    last_time_ms INTEGER NOT NULL,
    last_from TEXT NOT NULL,
    preview TEXT NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role INTEGER NOT NULL,
    join_ms INTEGER NOT NULL,
    join_seq INTEGER NOT NULL,
    name_card TEXT NOT NULL,
    muted_until_ms INTEGER NOT NULL,
    read_seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    hidden_seq INTEGER NOT NULL DEFAULT 0,
    cleared_seq INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    remind INTEGER NOT NULL DEFAULT 0,
    marks INTEGER NOT NULL DEFAULT 0,
    data_digest INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_members_by_user ON group_members (user_id, group_id);
CREATE TABLE IF NOT EXISTS group_custom (
    group_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (group_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_applications (
    group_id TEXT NOT NULL,
    applicant TEXT NOT NULL,
    message TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    PRIMARY KEY (group_id, applicant)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_numbers (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT OR IGNORE INTO group_numbers (id, last) VALUES (1, 0);
";

/// A user's group conversations as conversation rows, for the sync query
/// (parameters: ?1 the user, ?2 the cursor). Meeting groups have no unread
/// count, so their read watermark is reported at the last seq; AVChatRoom
/// stores nothing, so it has no conversation to sync.
pub(super) const GROUP_CONVERSATIONS: &str = "
SELECT m.user_id, 'GROUP' || g.group_id, 'group:' || g.group_id, g.last_seq,
       CASE WHEN g.group_type = 2 THEN g.last_seq ELSE MAX(m.read_seq, m.join_seq) END,
       g.last_time_ms,
       CASE WHEN m.cleared_seq >= g.last_seq THEN '' ELSE g.last_from END,
       CASE WHEN m.cleared_seq >= g.last_seq THEN '' ELSE g.preview END,
       MAX(g.version, m.version), 0, m.hidden_seq, m.cleared_seq, m.pinned, m.remind,
       m.marks, m.data_digest
FROM group_members m JOIN groups g ON g.group_id = m.group_id
WHERE m.user_id = ?1 AND (g.version > ?2 OR m.version > ?2) AND g.group_type <> 4";

fn group_from_row(row: &Row<'_>) -> rusqlite::Result<GroupRow> {
    group_at(row, 0)
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<MemberRow> {
    member_at(row, 0)
}

fn application_from_row(row: &Row<'_>) -> rusqlite::Result<ApplicationRow> {
    application_at(row)
}

impl GroupStore for SqliteStore {
    fn next_group_number(&mut self) -> StoreResult<u64> {
        self.conn
            .prepare_cached("UPDATE group_numbers SET last = last + 1 WHERE id = 1 RETURNING last")
            .map_err(err)?
            .query_row([], |r| r.get::<_, i64>(0))
            .map(from_sql)
            .map_err(err)
    }

    fn all_groups(
        &mut self,
        group_type: Option<GroupType>,
        offset: u64,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(String, GroupType)>)> {
        // -1: any type.
        let wanted = group_type.map_or(-1, type_code);
        let total = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM groups WHERE ?1 < 0 OR group_type = ?1")
            .map_err(err)?
            .query_row(params![wanted], |r| r.get::<_, i64>(0))
            .map(from_sql)
            .map_err(err)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT group_id, group_type FROM groups WHERE ?1 < 0 OR group_type = ?1
                 ORDER BY group_id LIMIT ?2 OFFSET ?3",
            )
            .map_err(err)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![wanted, limit, to_sql(offset)], |r| {
                Ok((r.get(0)?, type_at(r, 1)?))
            })
            .map_err(err)?;
        let groups = rows.collect::<Result<_, _>>().map_err(err)?;
        Ok((total, groups))
    }

    fn group(&mut self, group_id: &str) -> StoreResult<Option<GroupRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {GROUP_COLUMNS} FROM groups WHERE group_id = ?1"
            ))
            .map_err(err)?
            .query_row(params![group_id], group_from_row)
            .optional()
            .map_err(err)
    }

    fn put_group(&mut self, g: &mut GroupRow, bump: bool) -> StoreResult<()> {
        if bump {
            g.version = self.next_change()?;
        }
        self.conn
            .prepare_cached(&format!(
                "INSERT OR REPLACE INTO groups ({GROUP_COLUMNS}) VALUES
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            ))
            .map_err(err)?
            .execute(params![
                g.group_id,
                type_code(g.group_type),
                g.name,
                g.introduction,
                g.notification,
                g.avatar,
                g.owner,
                to_sql(g.created_ms),
                g.max_members,
                join_code(g.join_option),
                g.mute_all,
                g.member_count,
                to_sql(g.last_seq),
                to_sql(g.last_time_ms),
                g.last_from,
                g.preview,
                to_sql(g.version),
            ])
            .map(|_| ())
            .map_err(err)
    }

    fn delete_group(&mut self, group_id: &str) -> StoreResult<()> {
        for sql in [
            "DELETE FROM groups WHERE group_id = ?1",
            "DELETE FROM group_members WHERE group_id = ?1",
            "DELETE FROM group_custom WHERE group_id = ?1",
            "DELETE FROM group_applications WHERE group_id = ?1",
            "DELETE FROM messages WHERE conv_key = 'group:' || ?1",
        ] {
            self.conn
                .prepare_cached(sql)
                .map_err(err)?
                .execute(params![group_id])
                .map_err(err)?;
        }
        Ok(())
    }

    fn member(&mut self, group_id: &str, user_id: &str) -> StoreResult<Option<MemberRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = ?1 AND user_id = ?2"
            ))
            .map_err(err)?
            .query_row(params![group_id, user_id], member_from_row)
            .optional()
            .map_err(err)
    }

    fn put_member(&mut self, m: &mut MemberRow) -> StoreResult<()> {
        m.version = self.next_change()?;
        self.conn
            .prepare_cached(&format!(
                "INSERT OR REPLACE INTO group_members ({MEMBER_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
            ))
            .map_err(err)?
            .execute(params![
                m.group_id,
                m.user_id,
                role_code(m.role),
                to_sql(m.join_ms),
                to_sql(m.join_seq),
                m.name_card,
                to_sql(m.muted_until_ms),
                to_sql(m.read_seq),
                to_sql(m.version),
                to_sql(m.hidden_seq),
                to_sql(m.cleared_seq),
                m.pinned,
                m.remind.number(),
                to_sql(m.marks),
                to_sql(m.data_digest),
            ])
            .map(|_| ())
            .map_err(err)
    }

    fn delete_member(&mut self, group_id: &str, user_id: &str) -> StoreResult<bool> {
        self.conn
            .prepare_cached("DELETE FROM group_members WHERE group_id = ?1 AND user_id = ?2")
            .map_err(err)?
            .execute(params![group_id, user_id])
            .map(|n| n > 0)
            .map_err(err)
    }

    fn members(&mut self, group_id: &str) -> StoreResult<Vec<MemberRow>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = ?1");
        self.list(&sql, params![group_id], member_from_row)
    }

    fn member_page(
        &mut self,
        group_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<MemberRow>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = ?1
             ORDER BY role, join_ms, user_id LIMIT ?2 OFFSET ?3"
        );
        self.list(
            &sql,
            params![group_id, limit as i64, offset],
            member_from_row,
        )
    }

    fn groups_of(
        &mut self,
        user_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<(GroupRow, MemberRow)>> {
        let group_columns = GROUP_COLUMNS.replace(", ", ", g.");
        let member_columns = MEMBER_COLUMNS.replace(", ", ", m.");
        let sql = format!(
            "SELECT g.{group_columns}, m.{member_columns}
             FROM group_members m JOIN groups g ON g.group_id = m.group_id
             WHERE m.user_id = ?1 ORDER BY m.group_id LIMIT ?2 OFFSET ?3"
        );
        self.list(&sql, params![user_id, limit as i64, offset], |r| {
            Ok((group_at(r, 0)?, member_at(r, GROUP_COLUMN_COUNT)?))
        })
    }

    fn custom_fields(&mut self, group_id: &str) -> StoreResult<Vec<(String, String)>> {
        self.list(
            "SELECT key, value FROM group_custom WHERE group_id = ?1 ORDER BY key",
            params![group_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    fn put_custom_field(&mut self, group_id: &str, key: &str, value: &str) -> StoreResult<()> {
        let done = if value.is_empty() {
            self.conn
                .prepare_cached("DELETE FROM group_custom WHERE group_id = ?1 AND key = ?2")
                .map_err(err)?
                .execute(params![group_id, key])
        } else {
            self.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO group_custom (group_id, key, value) VALUES (?1, ?2, ?3)",
                )
                .map_err(err)?
                .execute(params![group_id, key, value])
        };
        done.map(|_| ()).map_err(err)
    }

    fn application(
        &mut self,
        group_id: &str,
        applicant: &str,
    ) -> StoreResult<Option<ApplicationRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {APPLICATION_COLUMNS} FROM group_applications
                     WHERE group_id = ?1 AND applicant = ?2"
            ))
            .map_err(err)?
            .query_row(params![group_id, applicant], application_from_row)
            .optional()
            .map_err(err)
    }

    fn put_application(&mut self, a: &ApplicationRow) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO group_applications (group_id, applicant, message, time_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(err)?
            .execute(params![
                a.group_id,
                a.applicant,
                a.message,
                to_sql(a.time_ms)
            ])
            .map(|_| ())
            .map_err(err)
    }

    fn delete_application(&mut self, group_id: &str, applicant: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM group_applications WHERE group_id = ?1 AND applicant = ?2")
            .map_err(err)?
            .execute(params![group_id, applicant])
            .map(|_| ())
            .map_err(err)
    }

    fn applications_for(
        &mut self,
        user_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<ApplicationRow>> {
        self.list(
            "SELECT a.group_id, a.applicant, a.message, a.time_ms
             FROM group_applications a JOIN group_members m
               ON m.group_id = a.group_id AND m.user_id = ?1 AND m.role IN (0, 1)
             ORDER BY a.time_ms, a.group_id, a.applicant LIMIT ?2 OFFSET ?3",
            params![user_id, limit as i64, offset],
            application_from_row,
        )
    }
}
