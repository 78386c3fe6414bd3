//! [`FriendStore`] on PostgreSQL: the SQLite store's tables and rules.

use super::PgStore;
use crate::store::columns::{to_sql, Columns};
use crate::store::friend::{
    application_at, friend_at, APPLICATION_COLUMNS, FORGET_USER, FRIEND_COLUMNS,
};
use crate::store::{FriendApplicationRow, FriendRow, FriendStore, StoreResult};

impl FriendStore for PgStore {
    fn friend(&mut self, owner: &str, friend: &str) -> StoreResult<Option<FriendRow>> {
        let sql = format!("SELECT {FRIEND_COLUMNS} FROM friends WHERE owner = $1 AND friend = $2");
        self.query_opt(&sql, &[&owner, &friend])?
            .as_ref()
            .map(friend_at)
            .transpose()
    }

    fn put_friend(&mut self, f: &FriendRow) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO friends ({FRIEND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (owner, friend) DO UPDATE SET remark = excluded.remark,
               source = excluded.source, wording = excluded.wording,
               added_ms = excluded.added_ms"
        );
        self.execute(
            &sql,
            &[
                &f.owner,
                &f.friend,
                &f.remark.as_bytes(),
                &f.source.as_bytes(),
                &f.wording.as_bytes(),
                &to_sql(f.added_ms),
            ],
        )
        .map(drop)
    }

    fn delete_friend(&mut self, owner: &str, friend: &str) -> StoreResult<bool> {
        for sql in [
            "DELETE FROM friend_custom WHERE owner = $1 AND friend = $2",
            "DELETE FROM friend_group_members WHERE owner = $1 AND friend = $2",
        ] {
            self.execute(sql, &[&owner, &friend])?;
        }
        self.execute(
            "DELETE FROM friends WHERE owner = $1 AND friend = $2",
            &[&owner, &friend],
        )
        .map(|n| n > 0)
    }

    fn friend_count(&mut self, owner: &str) -> StoreResult<usize> {
        self.query_int("SELECT COUNT(*) FROM friends WHERE owner = $1", &[&owner])
            .map(|n| usize::try_from(n).unwrap_or(0))
    }

    fn friends(&mut self, owner: &str, offset: u32, limit: usize) -> StoreResult<Vec<FriendRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {FRIEND_COLUMNS} FROM friends WHERE owner = $1
             ORDER BY added_ms, friend LIMIT $2 OFFSET $3"
        );
        self.list(&sql, &[&owner, &limit, &i64::from(offset)], friend_at)
    }

    fn friend_customs(&mut self, owner: &str, friend: &str) -> StoreResult<Vec<(String, String)>> {
        self.list(
            "SELECT key, value FROM friend_custom WHERE owner = $1 AND friend = $2 ORDER BY key",
            &[&owner, &friend],
            |r| Ok((r.text(0)?, r.text(1)?)),
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
            self.execute(
                "DELETE FROM friend_custom WHERE owner = $1 AND friend = $2 AND key = $3",
                &[&owner, &friend, &key],
            )?;
        } else {
            self.execute(
                "INSERT INTO friend_custom (owner, friend, key, value) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (owner, friend, key) DO UPDATE SET value = excluded.value",
                &[&owner, &friend, &key, &value.as_bytes()],
            )?;
        }
        Ok(())
    }

    fn friend_application(
        &mut self,
        from: &str,
        to: &str,
    ) -> StoreResult<Option<FriendApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM friend_applications
             WHERE from_user = $1 AND to_user = $2"
        );
        self.query_opt(&sql, &[&from, &to])?
            .as_ref()
            .map(application_at)
            .transpose()
    }

    fn put_friend_application(&mut self, a: &FriendApplicationRow) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO friend_applications ({APPLICATION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (from_user, to_user) DO UPDATE SET both_ways = excluded.both_ways,
               remark = excluded.remark, group_name = excluded.group_name,
               source = excluded.source, wording = excluded.wording,
               time_ms = excluded.time_ms, was_read = excluded.was_read"
        );
        self.execute(
            &sql,
            &[
                &a.from_user,
                &a.to_user,
                &a.both,
                &a.remark.as_bytes(),
                &a.group_name.as_bytes(),
                &a.source.as_bytes(),
                &a.wording.as_bytes(),
                &to_sql(a.time_ms),
                &a.read,
            ],
        )
        .map(drop)
    }

    fn delete_friend_application(&mut self, from: &str, to: &str) -> StoreResult<bool> {
        self.execute(
            "DELETE FROM friend_applications WHERE from_user = $1 AND to_user = $2",
            &[&from, &to],
        )
        .map(|n| n > 0)
    }

    fn friend_applications(
        &mut self,
        user: &str,
        offset: u32,
        limit: usize,
    ) -> StoreResult<Vec<FriendApplicationRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM friend_applications
             WHERE to_user = $1 OR from_user = $1
             ORDER BY time_ms DESC, from_user, to_user LIMIT $2 OFFSET $3"
        );
        self.list(&sql, &[&user, &limit, &i64::from(offset)], application_at)
    }

    fn unread_friend_applications(&mut self, user: &str) -> StoreResult<u32> {
        self.query_int(
            "SELECT COUNT(*) FROM friend_applications WHERE to_user = $1 AND NOT was_read",
            &[&user],
        )
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn read_friend_applications(&mut self, user: &str) -> StoreResult<()> {
        self.execute(
            "UPDATE friend_applications SET was_read = TRUE WHERE to_user = $1 AND NOT was_read",
            &[&user],
        )
        .map(drop)
    }

    fn friend_groups(&mut self, owner: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT name FROM friend_groups WHERE owner = $1 ORDER BY made",
            &[&owner],
            |r| r.text(0),
        )
    }

    fn create_friend_group(&mut self, owner: &str, name: &str) -> StoreResult<bool> {
        self.execute(
            "INSERT INTO friend_groups (owner, name, made)
             SELECT $1, $2, COALESCE(MAX(made), 0) + 1 FROM friend_groups WHERE owner = $1
             ON CONFLICT DO NOTHING",
            &[&owner, &name.as_bytes()],
        )
        .map(|n| n > 0)
    }

    fn delete_friend_group(&mut self, owner: &str, name: &str) -> StoreResult<bool> {
        self.execute(
            "DELETE FROM friend_group_members WHERE owner = $1 AND name = $2",
            &[&owner, &name.as_bytes()],
        )?;
        self.execute(
            "DELETE FROM friend_groups WHERE owner = $1 AND name = $2",
            &[&owner, &name.as_bytes()],
        )
        .map(|n| n > 0)
    }

    fn rename_friend_group(&mut self, owner: &str, name: &str, new_name: &str) -> StoreResult<()> {
        for sql in [
            "UPDATE friend_groups SET name = $3 WHERE owner = $1 AND name = $2",
            "UPDATE friend_group_members SET name = $3 WHERE owner = $1 AND name = $2",
        ] {
            self.execute(sql, &[&owner, &name.as_bytes(), &new_name.as_bytes()])?;
        }
        Ok(())
    }

    fn friend_group_members(&mut self, owner: &str, name: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT friend FROM friend_group_members WHERE owner = $1 AND name = $2
             ORDER BY friend",
            &[&owner, &name.as_bytes()],
            |r| r.text(0),
        )
    }

    fn add_to_friend_group(&mut self, owner: &str, name: &str, friend: &str) -> StoreResult<bool> {
        self.execute(
            "INSERT INTO friend_group_members (owner, name, friend) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&owner, &name.as_bytes(), &friend],
        )
        .map(|n| n > 0)
    }

    fn remove_from_friend_group(
        &mut self,
        owner: &str,
        name: &str,
        friend: &str,
    ) -> StoreResult<bool> {
        self.execute(
            "DELETE FROM friend_group_members WHERE owner = $1 AND name = $2 AND friend = $3",
            &[&owner, &name.as_bytes(), &friend],
        )
        .map(|n| n > 0)
    }

    fn groups_of_friend(&mut self, owner: &str, friend: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT m.name FROM friend_group_members m
             JOIN friend_groups g ON g.owner = m.owner AND g.name = m.name
             WHERE m.owner = $1 AND m.friend = $2 ORDER BY g.made",
            &[&owner, &friend],
            |r| r.text(0),
        )
    }

    fn delete_friend_data(&mut self, user: &str) -> StoreResult<Vec<String>> {
        let owners = self.list(
            "SELECT owner FROM friends WHERE friend = $1 AND owner <> $1",
            &[&user],
            |r| r.text(0),
        )?;
        for sql in FORGET_USER {
            self.execute(&sql.replace("{u}", "$1"), &[&user])?;
        }
        Ok(owners)
    }
}
