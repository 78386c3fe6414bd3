//! The embedded default store: one SQLite file in WAL mode. Opened with
//! [`SqliteStore::open`] every commit waits for the disk (`synchronous=FULL`);
//! the server opens it with [`SqliteStore::open_deferred_sync`] and makes
//! commits durable on its sync thread before answering (see [`WalSync`]).
//! Either way an acknowledged batch survives a crash of the process or the
//! machine.

mod backup;
mod friends;
mod groups;
mod row_cache;
mod rows;
mod schema;
mod status;
mod users;
mod wal_sync;

pub use backup::{backup, check};

use wal_sync::CatchUp;
pub use wal_sync::WalSync;

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::{ConversationRow, OwnData, Store, StoreError, StoreResult, StoredMessage, UploadRow};
use groups::GROUP_CONVERSATIONS;
use row_cache::RowCache;
use rows::{
    conversation_from_row, insert_message_row, is_unique_violation, message_from_row,
    upsert_conversation, CONVERSATION_COLUMNS, MESSAGE_COLUMNS, SELECT_CONVERSATION,
    SELECT_MESSAGE, SELECT_SENT,
};
use rows::{err, from_sql, to_sql};
use schema::{upgrade, SCHEMA};
use tinyim_core::wire::media::MediaKind;

/// SQLite-backed [`Store`].
pub struct SqliteStore {
    conn: Connection,
    /// The change log's newest number, kept in memory and written once per
    /// transaction (at commit) rather than once per change.
    last_change: u64,
    /// What the database holds.
    persisted_change: u64,
    /// Conversation rows, written back to the table before it is read and
    /// at commit.
    rows: RowCache,
    /// With deferred sync: set when the writer should finish a background
    /// checkpoint so the WAL can start over.
    catch_up: Option<CatchUp>,
    /// Rows the store changed on its own account (cached rows written
    /// back, the change log), which are no request's writes.
    own_changes: u64,
    /// Conversation rows put, which reach SQLite only at write-back.
    row_puts: u64,
    /// Users who may have a blocklist entry (a superset: added to on every
    /// block, never taken from), so a send to anyone else skips the lookup.
    blockers: users::Blockers,
}

impl SqliteStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::setup(Connection::open(path).map_err(err)?, "FULL")
    }

    /// Opens the store with commits that do not wait for the disk, and the
    /// [`WalSync`] that makes them durable: its caller must release nothing
    /// a commit decided before a `sync` begun after that commit returns.
    pub fn open_deferred_sync(path: &Path) -> StoreResult<(Self, WalSync)> {
        let mut store = Self::setup(Connection::open(path).map_err(err)?, "NORMAL")?;
        // WalSync's own thread checkpoints instead of the writer.
        store
            .conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(err)?;
        let catch_up = CatchUp::default();
        store.catch_up = Some(catch_up.clone());
        let wal = WalSync::new(path, catch_up).map_err(|e| StoreError(e.to_string()))?;
        Ok((store, wal))
    }

    /// An in-memory store, for in-process tests.
    pub fn in_memory() -> StoreResult<Self> {
        Self::setup(Connection::open_in_memory().map_err(err)?, "FULL")
    }

    /// An in-memory copy of this store's committed data: a fresh store
    /// for each of many in-process runs (fuzzing) without making the
    /// tables again each time.
    pub fn in_memory_copy(&self) -> StoreResult<Self> {
        let mut conn = Connection::open_in_memory().map_err(err)?;
        rusqlite::backup::Backup::new(&self.conn, &mut conn)
            .and_then(|copy| copy.step(-1).map(drop))
            .map_err(err)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(err)?;
        Self::loaded(conn)
    }

    fn setup(conn: Connection, synchronous: &str) -> StoreResult<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", synchronous)
            .map_err(err)?;
        // Savepoints (one per group call) journal into temporary storage: keep
        // it in memory rather than in a temporary file.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        conn.execute_batch(groups::SCHEMA).map_err(err)?;
        conn.execute_batch(users::SCHEMA).map_err(err)?;
        conn.execute_batch(status::SCHEMA).map_err(err)?;
        conn.execute_batch(friends::SCHEMA).map_err(err)?;
        upgrade(&conn).map_err(err)?;
        Self::loaded(conn)
    }

    /// The store over `conn`, whose tables are made: what it keeps in
    /// memory is read from them.
    fn loaded(conn: Connection) -> StoreResult<Self> {
        let blockers = users::Blockers::load(&conn).map_err(err)?;
        let last_change = conn
            .query_row("SELECT last FROM change_log WHERE id = 1", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(from_sql)
            .map_err(err)?;
        Ok(SqliteStore {
            conn,
            last_change,
            persisted_change: last_change,
            rows: RowCache::default(),
            catch_up: None,
            own_changes: 0,
            row_puts: 0,
            blockers,
        })
    }

    /// The next change number. Numbers of a rolled-back transaction are not
    /// reused: a gap in the log is harmless, a repeat would not be.
    pub(super) fn next_change(&mut self) -> StoreResult<u64> {
        self.last_change += 1;
        if self.conn.is_autocommit() {
            self.persist_change()?;
        }
        Ok(self.last_change)
    }

    fn persist_change(&mut self) -> StoreResult<()> {
        if self.persisted_change != self.last_change {
            let before = self.conn.total_changes();
            self.run(
                "UPDATE change_log SET last = ?1 WHERE id = 1",
                [to_sql(self.last_change)],
            )?;
            self.own_changes += self.conn.total_changes() - before;
            self.persisted_change = self.last_change;
        }
        Ok(())
    }

    /// Writes the cache's changed conversation rows to the table.
    fn write_back_rows(&mut self) -> StoreResult<()> {
        let conn = &self.conn;
        let before = conn.total_changes();
        let written = self
            .rows
            .write_back(|row| upsert_conversation(conn, row))
            .map_err(err);
        self.own_changes += conn.total_changes() - before;
        written
    }

    /// Runs a cached statement that returns no rows.
    fn run(&mut self, sql: &str, params: impl rusqlite::Params) -> StoreResult<()> {
        self.conn
            .prepare_cached(sql)
            .map_err(err)?
            .execute(params)
            .map(drop)
            .map_err(err)
    }
}

impl SqliteStore {
    /// Runs a cached query and collects its rows.
    pub(super) fn list<T>(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
        from_row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
        let rows = stmt.query_map(params, from_row).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }
}

impl Store for SqliteStore {
    fn begin(&mut self) -> StoreResult<()> {
        self.run("BEGIN IMMEDIATE", [])
    }

    fn commit(&mut self) -> StoreResult<()> {
        let persisted = self.persisted_change;
        let result = self
            .write_back_rows()
            .and_then(|()| self.persist_change())
            .and_then(|()| self.run("COMMIT", []));
        match result {
            Ok(()) => {
                self.rows.committed();
                if self.catch_up.as_ref().is_some_and(CatchUp::take) {
                    // Between transactions, so it copies everything and the
                    // next transaction starts the WAL over.
                    if let Err(e) = wal_sync::checkpoint(&self.conn) {
                        tracing::warn!("catch-up checkpoint failed: {e}");
                    }
                }
            }
            // The update is undone with the transaction; write it next time.
            Err(_) => self.persisted_change = persisted,
        }
        result
    }

    fn rollback(&mut self) {
        // Fails only when no transaction is open, which is the goal anyway.
        let _ = self.run("ROLLBACK", []);
        self.rows.forget();
    }

    fn savepoint(&mut self) -> StoreResult<()> {
        self.run("SAVEPOINT request", [])?;
        self.rows.begin_request();
        Ok(())
    }

    fn release(&mut self) -> StoreResult<()> {
        self.run("RELEASE request", [])?;
        self.rows.end_request();
        Ok(())
    }

    fn rollback_to_savepoint(&mut self) {
        let _ = self.run("ROLLBACK TO request", []);
        let _ = self.run("RELEASE request", []);
        self.rows.undo_request();
    }

    fn writes(&self) -> u64 {
        // SQLite's count includes every row any statement changed, so the
        // store's own changes are taken out.
        self.conn.total_changes() - self.own_changes + self.row_puts
    }

    fn find_sent(
        &mut self,
        sender: &str,
        conv_key: &str,
        client_msg_id: u64,
    ) -> StoreResult<Option<StoredMessage>> {
        self.conn
            .prepare_cached(SELECT_SENT)
            .map_err(err)?
            .query_row(
                params![sender, conv_key, to_sql(client_msg_id)],
                message_from_row,
            )
            .optional()
            .map_err(err)
    }

    fn last_seq(&mut self, conv_key: &str) -> StoreResult<u64> {
        self.conn
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conv_key = ?1")
            .map_err(err)?
            .query_row(params![conv_key], |r| r.get::<_, i64>(0))
            .map(from_sql)
            .map_err(err)
    }

    fn insert_message(&mut self, m: &mut StoredMessage) -> StoreResult<()> {
        m.gseq = self.next_change()?;
        insert_message_row(&self.conn, m).map_err(err)?;
        crate::stats::message_stored();
        Ok(())
    }

    fn message(&mut self, conv_key: &str, seq: u64) -> StoreResult<Option<StoredMessage>> {
        self.conn
            .prepare_cached(SELECT_MESSAGE)
            .map_err(err)?
            .query_row(params![conv_key, to_sql(seq)], message_from_row)
            .optional()
            .map_err(err)
    }

    fn replace_body(&mut self, conv_key: &str, seq: u64, body: &[u8]) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE messages SET body = ?3 WHERE conv_key = ?1 AND seq = ?2")
            .map_err(err)?
            .execute(params![conv_key, to_sql(seq), body])
            .map(drop)
            .map_err(err)
    }

    fn delete_for(&mut self, owner: &str, conv_key: &str, seqs: &[u64]) -> StoreResult<()> {
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO deleted_messages (owner, conv_key, seq) VALUES (?1, ?2, ?3)",
            )
            .map_err(err)?;
        for &seq in seqs {
            insert
                .execute(params![owner, conv_key, to_sql(seq)])
                .map_err(err)?;
        }
        Ok(())
    }

    fn mark_uncounted(&mut self, conv_key: &str, seq: u64) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO uncounted_messages (conv_key, seq) VALUES (?1, ?2)",
            )
            .map_err(err)?
            .execute(params![conv_key, to_sql(seq)])
            .map(drop)
            .map_err(err)
    }

    fn uncounted_between(&mut self, conv_key: &str, after: u64, upto: u64) -> StoreResult<u64> {
        if upto <= after {
            return Ok(0);
        }
        self.conn
            .prepare_cached(
                "SELECT COUNT(*) FROM uncounted_messages WHERE conv_key = ?1 AND seq > ?2 AND seq <= ?3",
            )
            .map_err(err)?
            .query_row(params![conv_key, to_sql(after), to_sql(upto)], |r| r.get::<_, i64>(0))
            .map(from_sql)
            .map_err(err)
    }

    fn put_upload(&mut self, u: &UploadRow) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO uploads (uuid, owner, kind, size, name, sha256, created_ms, complete)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(err)?
            .execute(params![
                u.uuid,
                u.owner,
                u.kind.number(),
                to_sql(u.size),
                u.name,
                u.sha256,
                to_sql(u.created_ms),
                u.complete
            ])
            .map(drop)
            .map_err(err)
    }

    fn upload(&mut self, uuid: &str) -> StoreResult<Option<UploadRow>> {
        self.conn
            .prepare_cached(
                "SELECT uuid, owner, kind, size, name, sha256, created_ms, complete
                 FROM uploads WHERE uuid = ?1",
            )
            .map_err(err)?
            .query_row(params![uuid], |r| {
                Ok(UploadRow {
                    uuid: r.get(0)?,
                    owner: r.get(1)?,
                    kind: MediaKind::from_number(r.get(2)?).unwrap_or(MediaKind::File),
                    size: from_sql(r.get(3)?),
                    name: r.get(4)?,
                    sha256: r.get(5)?,
                    created_ms: from_sql(r.get(6)?),
                    complete: r.get(7)?,
                })
            })
            .optional()
            .map_err(err)
    }

    fn complete_upload(&mut self, uuid: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE uploads SET complete = 1 WHERE uuid = ?1")
            .map_err(err)?
            .execute(params![uuid])
            .map(drop)
            .map_err(err)
    }

    fn upload_usage(&mut self, owner: &str, since_ms: u64) -> StoreResult<u64> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(SUM(size), 0) FROM uploads
                 WHERE owner = ?1 AND (complete = 1 OR created_ms > ?2)",
            )
            .map_err(err)?
            .query_row(params![owner, to_sql(since_ms)], |r| r.get::<_, i64>(0))
            .map(from_sql)
            .map_err(err)
    }

    fn add_read_receipt(&mut self, conv_key: &str, seq: u64, reader: &str) -> StoreResult<bool> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO read_receipts (conv_key, seq, reader) VALUES (?1, ?2, ?3)",
            )
            .map_err(err)?
            .execute(params![conv_key, to_sql(seq), reader])
            .map(|inserted| inserted > 0)
            .map_err(err)
    }

    fn receipt_readers(&mut self, conv_key: &str, seq: u64) -> StoreResult<Vec<String>> {
        self.list(
            "SELECT reader FROM read_receipts WHERE conv_key = ?1 AND seq = ?2",
            params![conv_key, to_sql(seq)],
            |r| r.get(0),
        )
    }

    fn own_data(&mut self, owner: &str, conv_id: &str) -> StoreResult<OwnData> {
        self.conn
            .prepare_cached(
                "SELECT custom_data, draft, draft_time_ms FROM conversation_data
                 WHERE owner = ?1 AND conv_id = ?2",
            )
            .map_err(err)?
            .query_row(params![owner, conv_id], |r| {
                Ok(OwnData {
                    custom_data: r.get(0)?,
                    draft: r.get(1)?,
                    draft_time_ms: from_sql(r.get(2)?),
                })
            })
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(err)
    }

    fn put_own_data(&mut self, owner: &str, conv_id: &str, data: &OwnData) -> StoreResult<()> {
        if data.is_empty() {
            self.conn
                .prepare_cached("DELETE FROM conversation_data WHERE owner = ?1 AND conv_id = ?2")
                .map_err(err)?
                .execute(params![owner, conv_id])
                .map_err(err)?;
            return Ok(());
        }
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO conversation_data
                 (owner, conv_id, custom_data, draft, draft_time_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(err)?
            .execute(params![
                owner,
                conv_id,
                data.custom_data,
                data.draft,
                to_sql(data.draft_time_ms)
            ])
            .map(drop)
            .map_err(err)
    }

    fn deleted_for(
        &mut self,
        owner: &str,
        conv_key: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> StoreResult<Vec<u64>> {
        self.conn
            .prepare_cached(
                "SELECT seq FROM deleted_messages
                 WHERE owner = ?1 AND conv_key = ?2 AND seq BETWEEN ?3 AND ?4",
            )
            .map_err(err)?
            .query_map(
                params![
                    owner,
                    conv_key,
                    to_sql(*range.start()),
                    to_sql(*range.end())
                ],
                |r| r.get::<_, i64>(0).map(from_sql),
            )
            .and_then(Iterator::collect)
            .map_err(err)
    }

    fn insert_unless_sent(&mut self, m: &mut StoredMessage) -> StoreResult<Option<StoredMessage>> {
        // The dedupe index answers whether it was sent before as the insert
        // runs, rather than a lookup beforehand for the rare resend.
        m.gseq = self.next_change()?;
        match insert_message_row(&self.conn, m) {
            Ok(()) => {
                crate::stats::message_stored();
                Ok(None)
            }
            Err(e) if is_unique_violation(&e) && m.client_msg_id != 0 => {
                match self.find_sent(&m.sender, &m.conv_key, m.client_msg_id)? {
                    Some(existing) => Ok(Some(existing)),
                    None => Err(err(e)),
                }
            }
            Err(e) => Err(err(e)),
        }
    }

    fn conversation(&mut self, owner: &str, conv_id: &str) -> StoreResult<Option<ConversationRow>> {
        if let Some(row) = self.rows.get(owner, conv_id) {
            return Ok(Some(row.clone()));
        }
        let row = self
            .conn
            .prepare_cached(SELECT_CONVERSATION)
            .map_err(err)?
            .query_row(params![owner, conv_id], conversation_from_row)
            .optional()
            .map_err(err)?;
        if let Some(row) = &row {
            self.rows.keep(row.clone());
        }
        Ok(row)
    }

    fn put_conversation(&mut self, mut row: ConversationRow) -> StoreResult<()> {
        row.version = self.next_change()?;
        self.rows.put(row);
        self.row_puts += 1;
        Ok(())
    }

    fn last_change(&mut self) -> StoreResult<u64> {
        Ok(self.last_change)
    }

    fn seq_as_of(&mut self, conv_key: &str, change: u64) -> StoreResult<u64> {
        // Seq and change numbers grow together within a conversation, so the
        // newest row not after `change` is found walking back from the end.
        self.conn
            .prepare_cached(
                "SELECT seq FROM messages WHERE conv_key = ?1 AND gseq <= ?2 ORDER BY seq DESC LIMIT 1",
            )
            .map_err(err)?
            .query_row(params![conv_key, to_sql(change)], |r| r.get::<_, i64>(0))
            .optional()
            .map(|seq| seq.map_or(0, from_sql))
            .map_err(err)
    }

    fn changed_since(
        &mut self,
        owner: &str,
        cursor: u64,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>> {
        self.write_back_rows()?;
        // The user's own rows, and one row per group conversation made from
        // the group's row and the user's member row (read diffusion).
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations
             WHERE owner = ?1 AND version > ?2
             UNION ALL
             {GROUP_CONVERSATIONS}
             ORDER BY version LIMIT ?3"
        );
        self.list(
            &sql,
            params![owner, to_sql(cursor), limit as i64],
            conversation_from_row,
        )
    }

    fn changed_window(
        &mut self,
        owner: &str,
        base: u64,
        after: &str,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>> {
        self.write_back_rows()?;
        let sql = format!(
            "SELECT * FROM (
                 SELECT {CONVERSATION_COLUMNS} FROM conversations
                 WHERE owner = ?1 AND version > ?2
                 UNION ALL
                 {GROUP_CONVERSATIONS})
             WHERE conv_id > ?3 ORDER BY conv_id LIMIT ?4"
        );
        self.list(
            &sql,
            params![owner, to_sql(base), after, limit as i64],
            conversation_from_row,
        )
    }

    fn total_unread(&mut self, owner: &str) -> StoreResult<u64> {
        self.write_back_rows()?;
        // The rows `changed_since` lists, all of them (every version is
        // above -1), counted as the client counts them: muted ones (a
        // remind type other than 0) left out, as TIM does, and in the others the
        // messages that do not count (`uncounted_messages`).
        let sql = format!(
            "SELECT COALESCE(SUM(CASE
                 WHEN hidden_seq > 0 AND last_seq <= hidden_seq THEN 0
                 WHEN remind <> 0 THEN 0
                 ELSE MAX(last_seq - MAX(read_seq, cleared_seq)
                      - (SELECT COUNT(*) FROM uncounted_messages u WHERE u.conv_key = every.conv_key
                         AND u.seq > MAX(every.read_seq, every.cleared_seq)
                         AND u.seq <= every.last_seq), 0) END), 0)
             FROM (SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE owner = ?1 AND version > ?2
                   UNION ALL {GROUP_CONVERSATIONS}) AS every"
        );
        self.conn
            .prepare_cached(&sql)
            .map_err(err)?
            .query_row(params![owner, -1i64], |r| r.get::<_, i64>(0))
            .map(from_sql)
            .map_err(err)
    }

    fn messages_after(
        &mut self,
        conv_key: &str,
        after_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<StoredMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conv_key = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
        );
        self.list(
            &sql,
            params![conv_key, to_sql(after_seq), limit as i64],
            message_from_row,
        )
    }

    fn messages_before(
        &mut self,
        conv_key: &str,
        before_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<StoredMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conv_key = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
        );
        self.list(
            &sql,
            params![conv_key, to_sql(before_seq), limit as i64],
            message_from_row,
        )
    }
}

#[cfg(test)]
mod tests;
