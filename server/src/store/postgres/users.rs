//! [`UserStore`] on PostgreSQL: the SQLite store's tables and rules.

use super::PgStore;
use crate::store::columns::{
    allow_code, gender_code, profile_at, to_sql, Columns, PROFILE_COLUMNS,
};
use crate::store::{ProfileRow, StoreResult, UserStore};

impl UserStore for PgStore {
    fn put_account(&mut self, user: &str, now_ms: u64) -> StoreResult<bool> {
        self.execute(
            "INSERT INTO accounts (user_id, created_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&user, &to_sql(now_ms)],
        )
        .map(|n| n > 0)
    }

    fn has_account(&mut self, user: &str) -> StoreResult<bool> {
        self.query_opt("SELECT 1 FROM accounts WHERE user_id = $1", &[&user])
            .map(|found| found.is_some())
    }

    fn delete_account(&mut self, user: &str) -> StoreResult<bool> {
        self.execute("DELETE FROM profile_custom WHERE user_id = $1", &[&user])?;
        self.execute("DELETE FROM profiles WHERE user_id = $1", &[&user])?;
        self.execute("DELETE FROM accounts WHERE user_id = $1", &[&user])
            .map(|n| n > 0)
    }

    fn profile(&mut self, user: &str) -> StoreResult<Option<ProfileRow>> {
        let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE user_id = $1");
        self.query_opt(&sql, &[&user])?
            .as_ref()
            .map(profile_at)
            .transpose()
    }

    fn put_profile(&mut self, p: &ProfileRow) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO profiles ({PROFILE_COLUMNS}) VALUES
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (user_id) DO UPDATE SET
               nick = excluded.nick, gender = excluded.gender, birthday = excluded.birthday,
               location = excluded.location, self_signature = excluded.self_signature,
               allow_type = excluded.allow_type, language = excluded.language,
               avatar = excluded.avatar, level = excluded.level, role = excluded.role,
               updated_ms = excluded.updated_ms"
        );
        self.execute(
            &sql,
            &[
                &p.user_id,
                &p.nick.as_bytes(),
                &gender_code(p.gender),
                &i64::from(p.birthday),
                &p.location.as_bytes(),
                &p.self_signature.as_bytes(),
                &allow_code(p.allow_type),
                &i64::from(p.language),
                &p.avatar.as_bytes(),
                &i64::from(p.level),
                &i64::from(p.role),
                &to_sql(p.updated_ms),
            ],
        )
        .map(drop)
    }

    fn profile_customs(&mut self, user: &str) -> StoreResult<Vec<(String, String)>> {
        self.list(
            "SELECT key, value FROM profile_custom WHERE user_id = $1 ORDER BY key",
            &[&user],
            |r| Ok((r.text(0)?, r.text(1)?)),
        )
    }

    fn set_profile_custom(&mut self, user: &str, key: &str, value: &str) -> StoreResult<()> {
        if value.is_empty() {
            self.execute(
                "DELETE FROM profile_custom WHERE user_id = $1 AND key = $2",
                &[&user, &key],
            )?;
        } else {
            self.execute(
                "INSERT INTO profile_custom (user_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
                &[&user, &key, &value.as_bytes()],
            )?;
        }
        Ok(())
    }

    fn block(&mut self, owner: &str, blocked: &str) -> StoreResult<bool> {
        // The next number after the owner's newest entry.
        self.execute(
            "INSERT INTO blocklist (owner, blocked, added)
             SELECT $1, $2, COALESCE(MAX(added), 0) + 1 FROM blocklist WHERE owner = $1
             ON CONFLICT DO NOTHING",
            &[&owner, &blocked],
        )
        .map(|n| n > 0)
    }

    fn unblock(&mut self, owner: &str, blocked: &str) -> StoreResult<bool> {
        self.execute(
            "DELETE FROM blocklist WHERE owner = $1 AND blocked = $2",
            &[&owner, &blocked],
        )
        .map(|n| n > 0)
    }

    fn blocklist_len(&mut self, owner: &str) -> StoreResult<usize> {
        self.query_int("SELECT COUNT(*) FROM blocklist WHERE owner = $1", &[&owner])
            .map(|n| usize::try_from(n).unwrap_or(0))
    }

    fn blocklist(&mut self, owner: &str, offset: u32, limit: usize) -> StoreResult<Vec<String>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(
            "SELECT blocked FROM blocklist WHERE owner = $1 ORDER BY added LIMIT $2 OFFSET $3",
            &[&owner, &limit, &i64::from(offset)],
            |r| r.text(0),
        )
    }

    fn blocks(&mut self, owner: &str, user: &str) -> StoreResult<bool> {
        self.query_opt(
            "SELECT 1 FROM blocklist WHERE owner = $1 AND blocked = $2",
            &[&owner, &user],
        )
        .map(|found| found.is_some())
    }
}
