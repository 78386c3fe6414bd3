//! The embedded default store: one SQLite file in WAL mode. Opened with
//! [`SqliteStore::open`] every commit waits for the disk (`synchronous=FULL`);
//! the server opens it with [`SqliteStore::open_deferred_sync`] and makes
//! commits durable on its sync thread before answering (see [`WalSync`]).
//! Either way an acknowledged batch survives a crash of the process or the
//! machine.

mod groups;
mod row_cache;
mod users;
mod wal_sync;

use wal_sync::CatchUp;
pub use wal_sync::WalSync;

use std::path::Path;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

use super::{ConversationRow, Store, StoreError, StoreResult, StoredMessage};
use row_cache::RowCache;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    conv_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sender TEXT NOT NULL,
    client_msg_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    body BLOB NOT NULL,
    gseq INTEGER NOT NULL,
    PRIMARY KEY (conv_key, seq)
) WITHOUT ROWID;
-- Server-made messages (group tips, system notices) carry id 0 and are not
-- deduplicated; clients never use 0.
CREATE UNIQUE INDEX IF NOT EXISTS messages_dedupe ON messages (sender, client_msg_id)
    WHERE client_msg_id <> 0;
CREATE TABLE IF NOT EXISTS conversations (
    owner TEXT NOT NULL,
    conv_id TEXT NOT NULL,
    conv_key TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    read_seq INTEGER NOT NULL,
    last_time_ms INTEGER NOT NULL,
    last_from TEXT NOT NULL,
    preview TEXT NOT NULL,
    version INTEGER NOT NULL,
    peer_read_seq INTEGER NOT NULL DEFAULT 0,
    hidden_seq INTEGER NOT NULL DEFAULT 0,
    cleared_seq INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, conv_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_by_version ON conversations (owner, version);
CREATE TABLE IF NOT EXISTS change_log (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT OR IGNORE INTO change_log (id, last) VALUES (1, 0);
";

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

pub(super) fn err(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

// SQLite integers are i64; u64 values round-trip through their bit pattern.
pub(super) fn to_sql(v: u64) -> i64 {
    v as i64
}

pub(super) fn from_sql(v: i64) -> u64 {
    v as u64
}

fn message_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        conv_key: row.get(0)?,
        seq: from_sql(row.get(1)?),
        sender: row.get(2)?,
        client_msg_id: from_sql(row.get(3)?),
        time_ms: from_sql(row.get(4)?),
        body: row.get(5)?,
        gseq: from_sql(row.get(6)?),
    })
}

fn conversation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationRow> {
    Ok(ConversationRow {
        owner: row.get(0)?,
        conv_id: row.get(1)?,
        conv_key: row.get(2)?,
        last_seq: from_sql(row.get(3)?),
        read_seq: from_sql(row.get(4)?),
        last_time_ms: from_sql(row.get(5)?),
        last_from: row.get(6)?,
        preview: row.get(7)?,
        version: from_sql(row.get(8)?),
        peer_read_seq: from_sql(row.get(9)?),
        hidden_seq: from_sql(row.get(10)?),
        cleared_seq: from_sql(row.get(11)?),
        pinned: row.get(12)?,
    })
}

use groups::GROUP_CONVERSATIONS;

// Column lists as macros, so the statements on the send path are constant
// strings (no formatting per call) that share one list.
macro_rules! message_columns {
    () => {
        "conv_key, seq, sender, client_msg_id, time_ms, body, gseq"
    };
}
macro_rules! conversation_columns {
    () => {
        "owner, conv_id, conv_key, last_seq, read_seq, last_time_ms, last_from, preview, version, \
         peer_read_seq, hidden_seq, cleared_seq, pinned"
    };
}

const MESSAGE_COLUMNS: &str = message_columns!();
const CONVERSATION_COLUMNS: &str = conversation_columns!();

const SELECT_CONVERSATION: &str = concat!(
    "SELECT ",
    conversation_columns!(),
    " FROM conversations WHERE owner = ?1 AND conv_id = ?2"
);

const SELECT_SENT: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE sender = ?1 AND client_msg_id = ?2 AND client_msg_id <> 0"
);

const SELECT_MESSAGE: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE conv_key = ?1 AND seq = ?2"
);

const INSERT_MESSAGE: &str = concat!(
    "INSERT INTO messages (",
    message_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
);

// An upsert changes the row in place; REPLACE would delete and reinsert
// it, index entries and all.
const UPSERT_CONVERSATION: &str = concat!(
    "INSERT INTO conversations (",
    conversation_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
    ON CONFLICT (owner, conv_id) DO UPDATE SET
      conv_key = excluded.conv_key, last_seq = excluded.last_seq,
      read_seq = excluded.read_seq, last_time_ms = excluded.last_time_ms,
      last_from = excluded.last_from, preview = excluded.preview,
      version = excluded.version, peer_read_seq = excluded.peer_read_seq,
      hidden_seq = excluded.hidden_seq, cleared_seq = excluded.cleared_seq,
      pinned = excluded.pinned"
);

fn insert_message_row(conn: &Connection, m: &StoredMessage) -> rusqlite::Result<()> {
    conn.prepare_cached(INSERT_MESSAGE)?
        .execute(params![
            m.conv_key,
            to_sql(m.seq),
            m.sender,
            to_sql(m.client_msg_id),
            to_sql(m.time_ms),
            m.body,
            to_sql(m.gseq)
        ])
        .map(drop)
}

fn upsert_conversation(conn: &Connection, row: &ConversationRow) -> rusqlite::Result<()> {
    conn.prepare_cached(UPSERT_CONVERSATION)?
        .execute(params![
            row.owner,
            row.conv_id,
            row.conv_key,
            to_sql(row.last_seq),
            to_sql(row.read_seq),
            to_sql(row.last_time_ms),
            row.last_from,
            row.preview,
            to_sql(row.version),
            to_sql(row.peer_read_seq),
            to_sql(row.hidden_seq),
            to_sql(row.cleared_seq),
            row.pinned
        ])
        .map(drop)
}

/// Columns added to existing tables since the first data files, each with
/// the value every older row has: (table, column).
const ADDED_COLUMNS: [(&str, &str); 7] = [
    ("conversations", "peer_read_seq"),
    ("conversations", "hidden_seq"),
    ("group_members", "hidden_seq"),
    ("conversations", "cleared_seq"),
    ("group_members", "cleared_seq"),
    ("conversations", "pinned"),
    ("group_members", "pinned"),
];

/// Brings a data file made by an older server to this schema.
fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column) in ADDED_COLUMNS {
        let present: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
            params![table, column],
            |r| r.get(0),
        )?;
        if !present {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0"
            ))?;
        }
    }
    Ok(())
}

/// A unique index refused the row (the dedupe index; the primary key
/// reports a code of its own).
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == ErrorCode::ConstraintViolation
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
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
        upgrade(&conn).map_err(err)?;
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
        client_msg_id: u64,
    ) -> StoreResult<Option<StoredMessage>> {
        self.conn
            .prepare_cached(SELECT_SENT)
            .map_err(err)?
            .query_row(params![sender, to_sql(client_msg_id)], message_from_row)
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
        insert_message_row(&self.conn, m).map_err(err)
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

    fn insert_unless_sent(&mut self, m: &mut StoredMessage) -> StoreResult<Option<StoredMessage>> {
        // The dedupe index answers whether it was sent before as the insert
        // runs, rather than a lookup beforehand for the rare resend.
        m.gseq = self.next_change()?;
        match insert_message_row(&self.conn, m) {
            Ok(()) => Ok(None),
            Err(e) if is_unique_violation(&e) && m.client_msg_id != 0 => {
                match self.find_sent(&m.sender, m.client_msg_id)? {
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
mod tests {
    use super::*;

    fn message(seq: u64, id: u64) -> StoredMessage {
        StoredMessage {
            conv_key: "c2c:a|b".into(),
            seq,
            sender: "a".into(),
            client_msg_id: id,
            time_ms: 1,
            body: vec![1, 2],
            gseq: 0,
        }
    }

    /// User a's row of its chat with b, one message in.
    fn row_of_a_with_b(preview: &str) -> ConversationRow {
        ConversationRow {
            owner: "a".into(),
            conv_id: "C2Cb".into(),
            conv_key: "c2c:a|b".into(),
            last_seq: 1,
            read_seq: 0,
            last_time_ms: 0,
            last_from: "b".into(),
            preview: preview.into(),
            version: 0,
            peer_read_seq: 0,
            hidden_seq: 0,
            cleared_seq: 0,
            pinned: false,
        }
    }

    #[test]
    fn a_data_file_from_before_added_columns_opens_with_them_at_zero() {
        use crate::store::GroupStore;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // The conversations table as servers before protocol 4 made it.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE conversations (
                    owner TEXT NOT NULL, conv_id TEXT NOT NULL, conv_key TEXT NOT NULL,
                    last_seq INTEGER NOT NULL, read_seq INTEGER NOT NULL,
                    last_time_ms INTEGER NOT NULL, last_from TEXT NOT NULL,
                    preview TEXT NOT NULL, version INTEGER NOT NULL,
                    PRIMARY KEY (owner, conv_id)) WITHOUT ROWID;
                 INSERT INTO conversations VALUES ('a', 'C2Cb', 'c2c:a|b', 4, 2, 9, 'b', 'hi', 1);
                 CREATE TABLE group_members (
                    group_id TEXT NOT NULL, user_id TEXT NOT NULL, role INTEGER NOT NULL,
                    join_ms INTEGER NOT NULL, join_seq INTEGER NOT NULL, name_card TEXT NOT NULL,
                    muted_until_ms INTEGER NOT NULL, read_seq INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    PRIMARY KEY (group_id, user_id)) WITHOUT ROWID;
                 INSERT INTO group_members VALUES ('g', 'a', 2, 5, 3, '', 0, 3, 2);",
            )
            .unwrap();
        }
        let mut s = SqliteStore::open(&path).unwrap();
        let row = s.conversation("a", "C2Cb").unwrap().unwrap();
        assert_eq!(
            (
                row.last_seq,
                row.read_seq,
                row.peer_read_seq,
                row.hidden_seq,
                row.cleared_seq,
                row.pinned
            ),
            (4, 2, 0, 0, 0, false)
        );
        let member = s.member("g", "a").unwrap().unwrap();
        assert_eq!(
            (
                member.read_seq,
                member.hidden_seq,
                member.cleared_seq,
                member.pinned
            ),
            (3, 0, 0, false)
        );
        s.begin().unwrap();
        s.put_conversation(ConversationRow {
            peer_read_seq: 3,
            ..row
        })
        .unwrap();
        s.commit().unwrap();
        drop(s);
        // Opened again (the column is there now): the value was kept.
        let mut s = SqliteStore::open(&path).unwrap();
        assert_eq!(
            s.conversation("a", "C2Cb").unwrap().unwrap().peer_read_seq,
            3
        );
    }

    #[test]
    fn messages_page_both_ways_and_dedupe_by_sender_and_id() {
        let mut s = SqliteStore::in_memory().unwrap();
        s.begin().unwrap();
        for seq in 1..=5 {
            s.insert_message(&mut message(seq, u64::MAX - seq)).unwrap();
        }
        assert!(
            s.insert_message(&mut message(6, u64::MAX - 1)).is_err(),
            "same sender and id twice"
        );
        s.commit().unwrap();
        assert_eq!(s.last_seq("c2c:a|b").unwrap(), 5);
        let after: Vec<u64> = s
            .messages_after("c2c:a|b", 2, 2)
            .unwrap()
            .iter()
            .map(|m| m.seq)
            .collect();
        assert_eq!(after, [3, 4]);
        let before: Vec<u64> = s
            .messages_before("c2c:a|b", 5, 10)
            .unwrap()
            .iter()
            .map(|m| m.seq)
            .collect();
        assert_eq!(before, [4, 3, 2, 1]);
        assert_eq!(s.find_sent("a", u64::MAX - 3).unwrap().unwrap().seq, 3);
    }

    #[test]
    fn writes_count_what_requests_change_and_nothing_the_store_does_itself() {
        let mut s = SqliteStore::in_memory().unwrap();
        s.begin().unwrap();
        let start = s.writes();
        s.insert_unless_sent(&mut message(1, 42)).unwrap();
        assert_eq!(s.writes(), start + 1, "a stored message");
        s.insert_unless_sent(&mut message(2, 42)).unwrap();
        assert_eq!(s.writes(), start + 1, "a resend stores nothing");
        s.find_sent("a", 42).unwrap();
        assert_eq!(s.writes(), start + 1, "a read");
        s.put_conversation(row_of_a_with_b("hi")).unwrap();
        assert_eq!(s.writes(), start + 2, "a row put, still in memory");
        // Reading changed rows writes them back first; committing writes
        // the change log: neither is a request's write.
        s.changed_since("a", 0, 10).unwrap();
        s.commit().unwrap();
        assert_eq!(s.writes(), start + 2);
    }

    #[test]
    fn a_resend_is_answered_with_the_stored_message_and_stores_nothing() {
        let mut s = SqliteStore::in_memory().unwrap();
        s.begin().unwrap();
        assert_eq!(s.insert_unless_sent(&mut message(1, 42)).unwrap(), None);
        let again = s.insert_unless_sent(&mut message(2, 42)).unwrap();
        assert_eq!(again.map(|m| m.seq), Some(1), "the first one's seq");
        s.commit().unwrap();
        assert_eq!(s.last_seq("c2c:a|b").unwrap(), 1, "nothing stored twice");
    }

    #[test]
    fn a_rolled_back_request_leaves_rows_as_before_even_after_they_were_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.db");
        let row = row_of_a_with_b("one");
        {
            let mut s = SqliteStore::open(&path).unwrap();
            s.begin().unwrap();
            s.put_conversation(row.clone()).unwrap();
            s.savepoint().unwrap();
            let other = ConversationRow {
                conv_id: "C2Cc".into(),
                ..row
            };
            s.put_conversation(other).unwrap();
            // A sync in the same request reads the table: both rows go
            // there, and the savepoint's rollback takes both back out.
            assert_eq!(s.changed_since("a", 0, 10).unwrap().len(), 2);
            s.rollback_to_savepoint();
            assert_eq!(s.conversation("a", "C2Cc").unwrap(), None);
            s.commit().unwrap();
        }
        let mut reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.conversation("a", "C2Cc").unwrap(), None);
        let stored = reopened.conversation("a", "C2Cb").unwrap().unwrap();
        assert_eq!((stored.last_seq, stored.preview.as_str()), (1, "one"));
    }

    #[test]
    fn conversation_versions_order_the_change_log() {
        let mut s = SqliteStore::in_memory().unwrap();
        let mut row = row_of_a_with_b("hi");
        s.put_conversation(row.clone()).unwrap();
        let other = ConversationRow {
            conv_id: "C2Cc".into(),
            ..row.clone()
        };
        s.put_conversation(other).unwrap();
        row.last_seq = 2;
        s.put_conversation(row).unwrap();
        let changed: Vec<String> = s
            .changed_since("a", 0, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.conv_id)
            .collect();
        assert_eq!(changed, ["C2Cc", "C2Cb"]);
        let newest = s.last_change().unwrap();
        assert_eq!(s.changed_since("a", newest, 10).unwrap(), []);
    }

    #[test]
    fn change_numbers_leave_gaps_after_a_rollback_and_resume_from_the_committed_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("changes.db");
        let row = row_of_a_with_b("");
        let committed = {
            let mut s = SqliteStore::open(&path).unwrap();
            s.begin().unwrap();
            s.put_conversation(row.clone()).unwrap();
            s.put_conversation(row.clone()).unwrap();
            s.commit().unwrap();
            let committed = s.conversation("a", "C2Cb").unwrap().unwrap().version;
            s.begin().unwrap();
            s.put_conversation(row.clone()).unwrap();
            s.rollback();
            assert_eq!(
                s.last_change().unwrap(),
                committed + 1,
                "a gap, not a reuse"
            );
            committed
        };
        // A new process resumes from what was committed; the rolled-back
        // number was never part of any answer, so taking it again is safe.
        let mut s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.last_change().unwrap(), committed);
        s.put_conversation(row).unwrap();
        let version = s.conversation("a", "C2Cb").unwrap().unwrap().version;
        assert_eq!(version, committed + 1);
    }

    /// The length of the WAL file of the database at `path`.
    fn wal_len(path: &Path) -> u64 {
        std::fs::metadata(wal_sync::wal_path(path)).unwrap().len()
    }

    #[test]
    fn the_wal_starts_over_within_its_preallocation_under_steady_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("restart.db");
        let (mut s, mut wal) = SqliteStore::open_deferred_sync(&path).unwrap();
        // Syncs run beside the commits, as the server's sync thread does
        // (each asks for a background checkpoint).
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let syncer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    wal.sync().unwrap();
                }
            })
        };
        // The WAL header's first salt changes each time the WAL starts over
        // (read from the file: a checkpoint from this connection, even to
        // count frames, would itself be the catch-up under test).
        let salt = || {
            use std::os::unix::fs::FileExt;
            let mut bytes = [0u8; 4];
            std::fs::File::open(wal_sync::wal_path(&path))
                .and_then(|f| f.read_exact_at(&mut bytes, 16))
                .map(|()| u32::from_be_bytes(bytes))
                .unwrap()
        };
        // Transactions back to back: the background checkpoint never finds
        // the WAL idle, so only the writer's catch-ups let it start over.
        let (mut next_id, mut restarts, mut last_salt) = (1, 0, salt());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while restarts < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the WAL never started over"
            );
            s.begin().unwrap();
            for _ in 0..50 {
                s.insert_message(&mut message(next_id, next_id)).unwrap();
                next_id += 1;
            }
            s.commit().unwrap();
            if salt() != last_salt {
                restarts += 1;
                last_salt = salt();
            }
            assert!(
                wal_len(&path) <= wal_sync::WAL_PREALLOCATION,
                "the WAL grew past its preallocation after {next_id} messages"
            );
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        syncer.join().unwrap();
        assert!(restarts >= 2, "the WAL started over {restarts} times");
    }

    #[test]
    fn the_wal_is_preallocated_and_commits_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prealloc.db");
        {
            let (mut s, mut wal) = SqliteStore::open_deferred_sync(&path).unwrap();
            assert!(
                wal_len(&path) >= wal_sync::WAL_PREALLOCATION,
                "filled at open"
            );
            s.begin().unwrap();
            s.insert_message(&mut message(1, 7)).unwrap();
            s.commit().unwrap();
            wal.sync().unwrap();
            // A second open (as after a restart) keeps what is there.
            let (mut again, _wal) = SqliteStore::open_deferred_sync(&path).unwrap();
            assert_eq!(again.last_seq("c2c:a|b").unwrap(), 1);
        }
        let mut reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.find_sent("a", 7).unwrap().unwrap().seq, 1);
    }

    #[test]
    fn deferred_sync_commits_are_there_after_a_sync_and_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deferred.db");
        let (mut s, mut wal) = SqliteStore::open_deferred_sync(&path).unwrap();
        wal.sync().expect("a sync right after opening succeeds");
        s.begin().unwrap();
        s.insert_message(&mut message(1, 7)).unwrap();
        s.commit().unwrap();
        wal.sync().expect("the WAL exists and syncs");
        drop((s, wal));
        let mut reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.last_seq("c2c:a|b").unwrap(), 1);
        assert_eq!(reopened.find_sent("a", 7).unwrap().unwrap().seq, 1);
    }
}
