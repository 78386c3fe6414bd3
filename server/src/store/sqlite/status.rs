//! [`StatusStore`] on SQLite: a row per user with a custom status, a row
//! per subscription (indexed both ways: a change is looked up by its
//! target, a limit by its subscriber).

use rusqlite::{params, OptionalExtension};

use super::{err, SqliteStore};
use crate::store::{StatusStore, StoreResult};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS custom_status (
    user_id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS status_subscriptions (
    subscriber TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (subscriber, target)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS status_subscribers ON status_subscriptions (target);
";

impl StatusStore for SqliteStore {
    fn custom_status(&mut self, user: &str) -> StoreResult<String> {
        self.conn
            .prepare_cached("SELECT status FROM custom_status WHERE user_id = ?1")
            .map_err(err)?
            .query_row(params![user], |r| r.get(0))
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(err)
    }

    fn set_custom_status(&mut self, user: &str, status: &str) -> StoreResult<()> {
        let changed = if status.is_empty() {
            self.conn
                .prepare_cached("DELETE FROM custom_status WHERE user_id = ?1")
                .map_err(err)?
                .execute(params![user])
        } else {
            self.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO custom_status (user_id, status) VALUES (?1, ?2)",
                )
                .map_err(err)?
                .execute(params![user, status])
        };
        changed.map(drop).map_err(err)
    }

    fn subscribe_status(&mut self, subscriber: &str, target: &str) -> StoreResult<bool> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO status_subscriptions (subscriber, target) VALUES (?1, ?2)",
            )
            .map_err(err)?
            .execute(params![subscriber, target])
            .map(|n| n > 0)
            .map_err(err)
    }

    fn unsubscribe_status(&mut self, subscriber: &str, target: Option<&str>) -> StoreResult<()> {
        let deleted = match target {
            Some(target) => self
                .conn
                .prepare_cached(
                    "DELETE FROM status_subscriptions WHERE subscriber = ?1 AND target = ?2",
                )
                .map_err(err)?
                .execute(params![subscriber, target]),
            None => self
                .conn
                .prepare_cached("DELETE FROM status_subscriptions WHERE subscriber = ?1")
                .map_err(err)?
                .execute(params![subscriber]),
        };
        deleted.map(drop).map_err(err)
    }

    fn status_subscriptions(&mut self, subscriber: &str) -> StoreResult<usize> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM status_subscriptions WHERE subscriber = ?1")
            .map_err(err)?
            .query_row(params![subscriber], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(err)
    }

    fn status_subscribers(&mut self, target: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT subscriber FROM status_subscriptions WHERE target = ?1")
            .map_err(err)?;
        let rows = stmt.query_map(params![target], |r| r.get(0)).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }
}
