//! [`GroupStore`] on PostgreSQL. A group's row is read `FOR UPDATE`: every
//! call on a group reads its row first, so calls on one group take turns
//! across nodes (its seq, member count and rules stay consistent), and
//! calls on different groups do not wait for each other.

use tinyim_core::wire::group::GroupType;

use super::PgStore;
use crate::store::columns::{
    application_at, group_at, join_code, member_at, role_code, to_sql, type_at, type_code, Columns,
    APPLICATION_COLUMNS, GROUP_COLUMNS, GROUP_COLUMN_COUNT, MEMBER_COLUMNS,
};
use crate::store::group::{ApplicationRow, GroupRow, GroupStore, MemberRow};
use crate::store::keys::group_key;
use crate::store::StoreResult;

impl GroupStore for PgStore {
    fn next_group_number(&mut self) -> StoreResult<u64> {
        self.query_int("SELECT nextval('group_numbers')", &[])
            .map(|v| v as u64)
    }

    fn all_groups(
        &mut self,
        group_type: Option<GroupType>,
        offset: u64,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(String, GroupType)>)> {
        // -1: any type.
        let wanted = group_type.map_or(-1, type_code);
        let total = self.query_int(
            "SELECT COUNT(*) FROM groups WHERE $1::BIGINT < 0 OR group_type = $1",
            &[&wanted],
        )? as u64;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let groups = self.list(
            "SELECT group_id, group_type FROM groups WHERE $1::BIGINT < 0 OR group_type = $1
             ORDER BY group_id LIMIT $2 OFFSET $3",
            &[&wanted, &limit, &to_sql(offset)],
            |r| Ok((r.text(0)?, type_at(r, 1)?)),
        )?;
        Ok((total, groups))
    }

    fn group(&mut self, group_id: &str) -> StoreResult<Option<GroupRow>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM groups WHERE group_id = $1 FOR UPDATE");
        self.query_opt(&sql, &[&group_id])?
            .map(|r| group_at(&r, 0))
            .transpose()
    }

    fn put_group(&mut self, g: &mut GroupRow, bump: bool) -> StoreResult<()> {
        if bump {
            g.version = self.next_change()?;
        }
        let sql = format!(
            "INSERT INTO groups ({GROUP_COLUMNS}) VALUES
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (group_id) DO UPDATE SET
               group_type = excluded.group_type, name = excluded.name,
               introduction = excluded.introduction, notification = excluded.notification,
               avatar = excluded.avatar, owner = excluded.owner,
               created_ms = excluded.created_ms, max_members = excluded.max_members,
               join_option = excluded.join_option, mute_all = excluded.mute_all,
               member_count = excluded.member_count, last_seq = excluded.last_seq,
               last_time_ms = excluded.last_time_ms, last_from = excluded.last_from,
               preview = excluded.preview, version = excluded.version"
        );
        self.execute(
            &sql,
            &[
                &g.group_id,
                &type_code(g.group_type),
                &g.name.as_bytes(),
                &g.introduction.as_bytes(),
                &g.notification.as_bytes(),
                &g.avatar.as_bytes(),
                &g.owner,
                &to_sql(g.created_ms),
                &i64::from(g.max_members),
                &join_code(g.join_option),
                &g.mute_all,
                &i64::from(g.member_count),
                &to_sql(g.last_seq),
                &to_sql(g.last_time_ms),
                &g.last_from,
                &g.preview.as_bytes(),
                &to_sql(g.version),
            ],
        )
        .map(drop)
    }

    fn delete_group(&mut self, group_id: &str) -> StoreResult<()> {
        for sql in [
            "DELETE FROM groups WHERE group_id = $1",
            "DELETE FROM group_members WHERE group_id = $1",
            "DELETE FROM group_custom WHERE group_id = $1",
            "DELETE FROM group_applications WHERE group_id = $1",
        ] {
            self.execute(sql, &[&group_id])?;
        }
        self.execute(
            "DELETE FROM messages WHERE conv_key = $1",
            &[&group_key(group_id)],
        )
        .map(drop)
    }

    fn member(&mut self, group_id: &str, user_id: &str) -> StoreResult<Option<MemberRow>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = $1 AND user_id = $2"
        );
        self.query_opt(&sql, &[&group_id, &user_id])?
            .map(|r| member_at(&r, 0))
            .transpose()
    }

    fn put_member(&mut self, m: &mut MemberRow) -> StoreResult<()> {
        m.version = self.next_change()?;
        let sql = format!(
            "INSERT INTO group_members ({MEMBER_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (group_id, user_id) DO UPDATE SET
               role = excluded.role, join_ms = excluded.join_ms, join_seq = excluded.join_seq,
               name_card = excluded.name_card, muted_until_ms = excluded.muted_until_ms,
               read_seq = excluded.read_seq, version = excluded.version,
               hidden_seq = excluded.hidden_seq, cleared_seq = excluded.cleared_seq,
               pinned = excluded.pinned, remind = excluded.remind,
               marks = excluded.marks, data_digest = excluded.data_digest"
        );
        self.execute(
            &sql,
            &[
                &m.group_id,
                &m.user_id,
                &role_code(m.role),
                &to_sql(m.join_ms),
                &to_sql(m.join_seq),
                &m.name_card.as_bytes(),
                &to_sql(m.muted_until_ms),
                &to_sql(m.read_seq),
                &to_sql(m.version),
                &to_sql(m.hidden_seq),
                &to_sql(m.cleared_seq),
                &m.pinned,
                &i64::from(m.remind.number()),
                &to_sql(m.marks),
                &to_sql(m.data_digest),
            ],
        )
        .map(drop)
    }

    fn delete_member(&mut self, group_id: &str, user_id: &str) -> StoreResult<bool> {
        self.execute(
            "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2",
            &[&group_id, &user_id],
        )
        .map(|n| n > 0)
    }

    fn members(&mut self, group_id: &str) -> StoreResult<Vec<MemberRow>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = $1");
        self.list(&sql, &[&group_id], |r| member_at(r, 0))
    }

    fn member_page(
        &mut self,
        group_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<MemberRow>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = $1
             ORDER BY role, join_ms, user_id LIMIT $2 OFFSET $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(&sql, &[&group_id, &limit, &i64::from(offset)], |r| {
            member_at(r, 0)
        })
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
             WHERE m.user_id = $1 ORDER BY m.group_id LIMIT $2 OFFSET $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(&sql, &[&user_id, &limit, &i64::from(offset)], |r| {
            Ok((group_at(r, 0)?, member_at(r, GROUP_COLUMN_COUNT)?))
        })
    }

    fn custom_fields(&mut self, group_id: &str) -> StoreResult<Vec<(String, String)>> {
        self.list(
            "SELECT key, value FROM group_custom WHERE group_id = $1 ORDER BY key",
            &[&group_id],
            |r| Ok((r.text(0)?, r.text(1)?)),
        )
    }

    fn put_custom_field(&mut self, group_id: &str, key: &str, value: &str) -> StoreResult<()> {
        if value.is_empty() {
            self.execute(
                "DELETE FROM group_custom WHERE group_id = $1 AND key = $2",
                &[&group_id, &key.as_bytes()],
            )
        } else {
            self.execute(
                "INSERT INTO group_custom (group_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value",
                &[&group_id, &key.as_bytes(), &value.as_bytes()],
            )
        }
        .map(drop)
    }

    fn application(
        &mut self,
        group_id: &str,
        applicant: &str,
    ) -> StoreResult<Option<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM group_applications
             WHERE group_id = $1 AND applicant = $2"
        );
        self.query_opt(&sql, &[&group_id, &applicant])?
            .as_ref()
            .map(application_at)
            .transpose()
    }

    fn put_application(&mut self, a: &ApplicationRow) -> StoreResult<()> {
        self.execute(
            "INSERT INTO group_applications (group_id, applicant, message, time_ms)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (group_id, applicant) DO UPDATE SET
               message = excluded.message, time_ms = excluded.time_ms",
            &[
                &a.group_id,
                &a.applicant,
                &a.message.as_bytes(),
                &to_sql(a.time_ms),
            ],
        )
        .map(drop)
    }

    fn delete_application(&mut self, group_id: &str, applicant: &str) -> StoreResult<()> {
        self.execute(
            "DELETE FROM group_applications WHERE group_id = $1 AND applicant = $2",
            &[&group_id, &applicant],
        )
        .map(drop)
    }

    fn applications_for(
        &mut self,
        user_id: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<ApplicationRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(
            "SELECT a.group_id, a.applicant, a.message, a.time_ms
             FROM group_applications a JOIN group_members m
               ON m.group_id = a.group_id AND m.user_id = $1 AND m.role IN (0, 1)
             ORDER BY a.time_ms, a.group_id, a.applicant LIMIT $2 OFFSET $3",
            &[&user_id, &limit, &i64::from(offset)],
            application_at,
        )
    }
}
