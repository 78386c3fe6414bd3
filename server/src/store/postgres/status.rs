//! [`StatusStore`] on PostgreSQL: the SQLite store's tables and rules.

use super::PgStore;
use crate::store::columns::Columns;
use crate::store::{StatusStore, StoreResult};

impl StatusStore for PgStore {
    fn custom_status(&mut self, user: &str) -> StoreResult<String> {
        match self.query_opt(
            "SELECT status FROM custom_status WHERE user_id = $1",
            &[&user],
        )? {
            Some(row) => row.text(0),
            None => Ok(String::new()),
        }
    }

    fn set_custom_status(&mut self, user: &str, status: &str) -> StoreResult<()> {
        if status.is_empty() {
            self.execute("DELETE FROM custom_status WHERE user_id = $1", &[&user])?;
        } else {
            self.execute(
                "INSERT INTO custom_status (user_id, status) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET status = excluded.status",
                &[&user, &status.as_bytes()],
            )?;
        }
        Ok(())
    }

    fn subscribe_status(&mut self, subscriber: &str, target: &str) -> StoreResult<bool> {
        self.execute(
            "INSERT INTO status_subscriptions (subscriber, target) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
            &[&subscriber, &target],
        )
        .map(|n| n > 0)
    }

    fn unsubscribe_status(&mut self, subscriber: &str, target: Option<&str>) -> StoreResult<()> {
        match target {
            Some(target) => self.execute(
                "DELETE FROM status_subscriptions WHERE subscriber = $1 AND target = $2",
                &[&subscriber, &target],
            )?,
            None => self.execute(
                "DELETE FROM status_subscriptions WHERE subscriber = $1",
                &[&subscriber],
            )?,
        };
        Ok(())
    }

    fn status_subscriptions(&mut self, subscriber: &str) -> StoreResult<usize> {
        self.query_int(
            "SELECT COUNT(*) FROM status_subscriptions WHERE subscriber = $1",
            &[&subscriber],
        )
        .map(|n| usize::try_from(n).unwrap_or(0))
    }

    fn status_subscribers(&mut self, target: &str) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT subscriber FROM status_subscriptions WHERE target = $1",
            &[&target],
            |r| r.text(0),
        )
    }
}
