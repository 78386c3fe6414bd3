//! The cluster's store: PostgreSQL, shared by every node. Each node's
//! engine is its only writer on one connection; nodes write at once, so
//! this store adds what a single writer never needed:
//!
//! - **Seqs.** A conversation's next seq is read and the message stored
//!   under a transaction-long advisory lock on the conversation's key,
//!   taken before its rows are read ([`PgStore::lock_conversation`]); a
//!   group's under the lock on its row (`SELECT .. FOR UPDATE`). Senders on
//!   several nodes wait for each other: no gap, no duplicate.
//! - **Sync positions.** See [`versions`]: change numbers come from the
//!   writing transaction's id, and the position a sync hands out never
//!   passes a transaction still running.
//! - **Failures.** A failed statement aborts PostgreSQL's whole
//!   transaction, so outside a savepoint it counts as a write (the engine
//!   then abandons the batch, closing its connections: nothing in it was
//!   acknowledged, and clients resend), and a commit after one is refused
//!   rather than silently rolled back. A lost connection is made again at
//!   the next batch.

mod friends;
mod groups;
mod schema;
mod status;
mod users;
mod versions;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use super::columns::{
    conversation_at, message_at, to_sql, Columns, CONVERSATION_COLUMNS, MESSAGE_COLUMNS,
};
use super::keys::{c2c_key, system_key};
use super::{ConversationRow, OwnData, Store, StoreError, StoreResult, StoredMessage, UploadRow};
use tinyim_core::wire::media::MediaKind;
use versions::Versions;

/// Longest a sync round's start waits for older transactions to end: a
/// batch's transaction lasts milliseconds.
const HORIZON_WAIT: Duration = Duration::from_millis(200);

/// How often it looks while it waits.
const HORIZON_POLL: Duration = Duration::from_millis(1);

/// Statement parameters.
type Params<'a> = [&'a (dyn ToSql + Sync)];

/// PostgreSQL-backed [`Store`]; see the module documentation.
pub struct PgStore {
    url: String,
    /// Commits return before PostgreSQL has flushed them (`--durability os`).
    relaxed: bool,
    client: Client,
    /// Prepared statements by their text: each is parsed once per connection.
    statements: HashMap<String, Statement>,
    versions: Versions,
    /// Statements that changed rows or failed, ever (see [`Store::writes`]):
    /// one that changed nothing (an insert the dedupe index skipped) left
    /// nothing behind.
    writes: u64,
    /// A statement failed since the transaction (or the savepoint, when
    /// one is open) began: PostgreSQL refuses everything until it ends.
    failed: bool,
    /// Whether a statement had failed before the open savepoint.
    failed_before_savepoint: bool,
    /// Conversation keys this transaction holds the lock of: a C2C send
    /// reads both users' rows under one key, and asks for it once.
    locked: HashSet<String>,
    /// The oldest running transaction when a wait last ran out: one left
    /// open (an idle session elsewhere in the database) is not waited for
    /// again, or every client's sync would stall this node's one writer.
    outwaited: Option<i64>,
    /// The last position `last_change` took lies below a transaction it
    /// did not wait out (see `Store::last_change_behind`).
    behind: bool,
}

fn err(e: postgres::Error) -> StoreError {
    // The error's own text is only "db error" for the database's errors.
    match e.as_db_error() {
        Some(db) => StoreError(format!(
            "{}: {} ({})",
            db.severity(),
            db.message(),
            db.code().code()
        )),
        None => StoreError(e.to_string()),
    }
}

impl Columns for Row {
    type Error = StoreError;

    fn text(&self, at: usize) -> StoreResult<String> {
        if self.columns()[at].type_() != &postgres::types::Type::BYTEA {
            return self.try_get(at).map_err(err);
        }
        // Text users write, kept as bytes (see `schema`).
        let bytes: Vec<u8> = self.try_get(at).map_err(err)?;
        String::from_utf8(bytes).map_err(|e| StoreError(format!("column {at}: {e}")))
    }

    fn int(&self, at: usize) -> StoreResult<i64> {
        self.try_get(at).map_err(err)
    }

    fn bytes(&self, at: usize) -> StoreResult<Vec<u8>> {
        self.try_get(at).map_err(err)
    }

    fn flag(&self, at: usize) -> StoreResult<bool> {
        self.try_get(at).map_err(err)
    }

    fn out_of_range(at: usize, value: i64) -> StoreError {
        StoreError(format!("column {at}: {value} is out of range"))
    }
}

/// A connection to the database, its commits relaxed or not.
fn connect(url: &str, relaxed: bool) -> StoreResult<Client> {
    let mut client = Client::connect(url, NoTls).map_err(err)?;
    if relaxed {
        client
            .batch_execute("SET synchronous_commit = off")
            .map_err(err)?;
    }
    Ok(client)
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://USER@HOST:PORT/DB`)
    /// and makes the tables where missing. `relaxed`: commits return before
    /// PostgreSQL has flushed them (`synchronous_commit = off`: its WAL
    /// writer flushes within three `wal_writer_delay`s, 600 ms by default).
    pub fn open(url: &str, relaxed: bool) -> StoreResult<Self> {
        let mut client = connect(url, relaxed)?;
        let mut setup = client.transaction().map_err(err)?;
        setup
            .execute("SELECT pg_advisory_xact_lock($1)", &[&schema::SCHEMA_LOCK])
            .map_err(err)?;
        setup.batch_execute(schema::SCHEMA).map_err(err)?;
        schema::upgrade_bodies(&mut setup).map_err(err)?;
        setup.commit().map_err(err)?;
        Ok(PgStore {
            url: url.to_owned(),
            relaxed,
            client,
            statements: HashMap::new(),
            versions: Versions::default(),
            writes: 0,
            failed: false,
            failed_before_savepoint: false,
            locked: HashSet::new(),
            outwaited: None,
            behind: false,
        })
    }

    /// The statement `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> StoreResult<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(|e| self.failure(e))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Records a failed statement (see the module documentation).
    fn failure(&mut self, e: postgres::Error) -> StoreError {
        self.failed = true;
        self.writes += 1;
        err(e)
    }

    /// Runs a statement that changes rows; how many it changed.
    fn execute(&mut self, sql: &str, params: &Params<'_>) -> StoreResult<u64> {
        let statement = self.statement(sql)?;
        let changed = self
            .client
            .execute(&statement, params)
            .map_err(|e| self.failure(e))?;
        if changed > 0 {
            self.writes += 1;
        }
        Ok(changed)
    }

    /// Runs a query; its rows.
    fn query(&mut self, sql: &str, params: &Params<'_>) -> StoreResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        self.client
            .query(&statement, params)
            .map_err(|e| self.failure(e))
    }

    /// Runs a query of at most one row.
    fn query_opt(&mut self, sql: &str, params: &Params<'_>) -> StoreResult<Option<Row>> {
        let statement = self.statement(sql)?;
        self.client
            .query_opt(&statement, params)
            .map_err(|e| self.failure(e))
    }

    /// Runs a query of exactly one integer.
    fn query_int(&mut self, sql: &str, params: &Params<'_>) -> StoreResult<i64> {
        let statement = self.statement(sql)?;
        self.client
            .query_one(&statement, params)
            .and_then(|row| row.try_get(0))
            .map_err(|e| self.failure(e))
    }

    /// Runs a query and reads each row with `from_row`.
    fn list<T>(
        &mut self,
        sql: &str,
        params: &Params<'_>,
        from_row: impl Fn(&Row) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.query(sql, params)?.iter().map(from_row).collect()
    }

    /// Runs statements without parameters or rows (transaction control).
    fn control(&mut self, sql: &str) -> StoreResult<()> {
        self.client.batch_execute(sql).map_err(|e| self.failure(e))
    }

    /// Holds the conversation `key` until the transaction ends: whoever
    /// reads its seq or its rows to write them takes this first, so
    /// writers on every node take turns (see the module documentation).
    fn lock_conversation(&mut self, key: &str) -> StoreResult<()> {
        if self.locked.contains(key) {
            return Ok(());
        }
        self.query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&key],
        )?;
        self.locked.insert(key.to_owned());
        Ok(())
    }

    /// The next change number of this transaction.
    fn next_change(&mut self) -> StoreResult<u64> {
        if !self.versions.has_transaction_id() {
            let id = self.query_int("SELECT pg_current_xact_id()::text::bigint", &[])?;
            self.versions.set_transaction_id(id as u64);
        }
        self.versions.next()
    }

    /// Makes the connection again if it was lost (the database restarted).
    fn reconnect_if_lost(&mut self) -> StoreResult<()> {
        if self.client.is_closed() {
            self.client = connect(&self.url, self.relaxed)?;
            self.statements.clear();
            tracing::info!("reconnected to the database");
        }
        Ok(())
    }

    /// Inserts `m` as the conversation's next message unless its sender
    /// sent one with that client message id there: whether it was stored.
    fn insert_row(&mut self, m: &mut StoredMessage, dedupe: bool) -> StoreResult<bool> {
        m.gseq = self.next_change()?;
        let sql = if dedupe {
            // A unique violation would abort the transaction, so the
            // index is asked to skip the row instead.
            "INSERT INTO messages (conv_key, seq, sender, client_msg_id, time_ms, body, gseq)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (sender, conv_key, client_msg_id) WHERE client_msg_id <> 0 DO NOTHING"
        } else {
            "INSERT INTO messages (conv_key, seq, sender, client_msg_id, time_ms, body, gseq)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        };
        let stored = self.execute(
            sql,
            &[
                &m.conv_key,
                &to_sql(m.seq),
                &m.sender,
                &to_sql(m.client_msg_id),
                &to_sql(m.time_ms),
                &m.body,
                &to_sql(m.gseq),
            ],
        )? > 0;
        if stored {
            crate::stats::message_stored();
        }
        Ok(stored)
    }
}

/// The conversation key `owner`'s row `conv_id` belongs to, for its lock.
fn lock_key(owner: &str, conv_id: &str) -> String {
    match conv_id.strip_prefix("C2C") {
        Some(peer) => c2c_key(owner, peer),
        None if conv_id == "SYSTEM" => system_key(owner),
        None => format!("{owner}\u{1}{conv_id}"),
    }
}

impl Store for PgStore {
    fn begin(&mut self) -> StoreResult<()> {
        self.reconnect_if_lost()?;
        self.failed = false;
        self.versions = Versions::default();
        self.locked.clear();
        self.control("BEGIN")
    }

    fn commit(&mut self) -> StoreResult<()> {
        if self.failed {
            // PostgreSQL would answer COMMIT with a rollback, not an error.
            self.rollback();
            return Err(StoreError(
                "a statement of the transaction failed".to_owned(),
            ));
        }
        self.control("COMMIT")
    }

    fn rollback(&mut self) {
        // Fails only with no transaction open (or no connection), which
        // leaves nothing to undo.
        let _ = self.client.batch_execute("ROLLBACK");
        self.failed = false;
    }

    fn savepoint(&mut self) -> StoreResult<()> {
        self.failed_before_savepoint = self.failed;
        self.control("SAVEPOINT request")
    }

    fn release(&mut self) -> StoreResult<()> {
        if self.failed {
            return Err(StoreError("a statement of the request failed".to_owned()));
        }
        self.control("RELEASE SAVEPOINT request")
    }

    fn rollback_to_savepoint(&mut self) {
        // Locks taken since the savepoint may go with it: ask again.
        self.locked.clear();
        if self
            .client
            .batch_execute("ROLLBACK TO SAVEPOINT request; RELEASE SAVEPOINT request")
            .is_ok()
        {
            self.failed = self.failed_before_savepoint;
        }
    }

    fn writes(&self) -> u64 {
        self.writes
    }

    fn find_sent(
        &mut self,
        sender: &str,
        conv_key: &str,
        client_msg_id: u64,
    ) -> StoreResult<Option<StoredMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE sender = $1 AND conv_key = $2 AND client_msg_id = $3 AND client_msg_id <> 0"
        );
        self.query_opt(&sql, &[&sender, &conv_key, &to_sql(client_msg_id)])?
            .as_ref()
            .map(message_at)
            .transpose()
    }

    fn last_seq(&mut self, conv_key: &str) -> StoreResult<u64> {
        self.lock_conversation(conv_key)?;
        self.query_int(
            "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conv_key = $1",
            &[&conv_key],
        )
        .map(|v| v as u64)
    }

    fn insert_message(&mut self, m: &mut StoredMessage) -> StoreResult<()> {
        self.insert_row(m, false).map(drop)
    }

    fn message(&mut self, conv_key: &str, seq: u64) -> StoreResult<Option<StoredMessage>> {
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE conv_key = $1 AND seq = $2");
        self.query_opt(&sql, &[&conv_key, &to_sql(seq)])?
            .as_ref()
            .map(message_at)
            .transpose()
    }

    fn replace_body(&mut self, conv_key: &str, seq: u64, body: &[u8]) -> StoreResult<()> {
        self.execute(
            "UPDATE messages SET body = $3 WHERE conv_key = $1 AND seq = $2",
            &[&conv_key, &to_sql(seq), &body],
        )
        .map(drop)
    }

    fn delete_for(&mut self, owner: &str, conv_key: &str, seqs: &[u64]) -> StoreResult<()> {
        for &seq in seqs {
            self.execute(
                "INSERT INTO deleted_messages (owner, conv_key, seq) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&owner, &conv_key, &to_sql(seq)],
            )?;
        }
        Ok(())
    }

    fn mark_uncounted(&mut self, conv_key: &str, seq: u64) -> StoreResult<()> {
        self.execute(
            "INSERT INTO uncounted_messages (conv_key, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&conv_key, &to_sql(seq)],
        )
        .map(drop)
    }

    fn uncounted_between(&mut self, conv_key: &str, after: u64, upto: u64) -> StoreResult<u64> {
        if upto <= after {
            return Ok(0);
        }
        let rows = self.query(
            "SELECT COUNT(*) FROM uncounted_messages WHERE conv_key = $1 AND seq > $2 AND seq <= $3",
            &[&conv_key, &to_sql(after), &to_sql(upto)],
        )?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64))
    }

    fn put_upload(&mut self, u: &UploadRow) -> StoreResult<()> {
        self.execute(
            "INSERT INTO uploads (uuid, owner, kind, size, name, sha256, created_ms, complete)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &u.uuid,
                &u.owner,
                &i64::from(u.kind.number()),
                &to_sql(u.size),
                &u.name,
                &u.sha256,
                &to_sql(u.created_ms),
                &u.complete,
            ],
        )
        .map(drop)
    }

    fn upload(&mut self, uuid: &str) -> StoreResult<Option<UploadRow>> {
        let row = self.query_opt(
            "SELECT uuid, owner, kind, size, name, sha256, created_ms, complete
             FROM uploads WHERE uuid = $1",
            &[&uuid],
        )?;
        Ok(row.map(|r| UploadRow {
            uuid: r.get(0),
            owner: r.get(1),
            kind: u8::try_from(r.get::<_, i64>(2))
                .ok()
                .and_then(MediaKind::from_number)
                .unwrap_or(MediaKind::File),
            size: r.get::<_, i64>(3) as u64,
            name: r.get(4),
            sha256: r.get(5),
            created_ms: r.get::<_, i64>(6) as u64,
            complete: r.get(7),
        }))
    }

    fn complete_upload(&mut self, uuid: &str) -> StoreResult<()> {
        self.execute(
            "UPDATE uploads SET complete = TRUE WHERE uuid = $1",
            &[&uuid],
        )
        .map(drop)
    }

    fn upload_usage(&mut self, owner: &str, since_ms: u64) -> StoreResult<u64> {
        self.query_int(
            "SELECT COALESCE(SUM(size), 0)::BIGINT FROM uploads
             WHERE owner = $1 AND (complete OR created_ms > $2)",
            &[&owner, &to_sql(since_ms)],
        )
        .map(|v| v as u64)
    }

    fn add_read_receipt(&mut self, conv_key: &str, seq: u64, reader: &str) -> StoreResult<bool> {
        self.execute(
            "INSERT INTO read_receipts (conv_key, seq, reader) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&conv_key, &to_sql(seq), &reader],
        )
        .map(|inserted| inserted > 0)
    }

    fn receipt_readers(&mut self, conv_key: &str, seq: u64) -> StoreResult<Vec<String>> {
        let rows = self.query(
            "SELECT reader FROM read_receipts WHERE conv_key = $1 AND seq = $2",
            &[&conv_key, &to_sql(seq)],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn own_data(&mut self, owner: &str, conv_id: &str) -> StoreResult<OwnData> {
        let row = self.query_opt(
            "SELECT custom_data, draft, draft_time_ms FROM conversation_data
             WHERE owner = $1 AND conv_id = $2",
            &[&owner, &conv_id],
        )?;
        Ok(row.map_or_else(OwnData::default, |r| OwnData {
            custom_data: r.get(0),
            draft: r.get(1),
            draft_time_ms: r.get::<_, i64>(2) as u64,
        }))
    }

    fn put_own_data(&mut self, owner: &str, conv_id: &str, data: &OwnData) -> StoreResult<()> {
        if data.is_empty() {
            self.execute(
                "DELETE FROM conversation_data WHERE owner = $1 AND conv_id = $2",
                &[&owner, &conv_id],
            )?;
            return Ok(());
        }
        self.execute(
            "INSERT INTO conversation_data (owner, conv_id, custom_data, draft, draft_time_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (owner, conv_id) DO UPDATE SET custom_data = excluded.custom_data,
               draft = excluded.draft, draft_time_ms = excluded.draft_time_ms",
            &[
                &owner,
                &conv_id,
                &data.custom_data,
                &data.draft,
                &to_sql(data.draft_time_ms),
            ],
        )
        .map(drop)
    }

    fn deleted_for(
        &mut self,
        owner: &str,
        conv_key: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> StoreResult<Vec<u64>> {
        let rows = self.query(
            "SELECT seq FROM deleted_messages
             WHERE owner = $1 AND conv_key = $2 AND seq BETWEEN $3 AND $4",
            &[
                &owner,
                &conv_key,
                &to_sql(*range.start()),
                &to_sql(*range.end()),
            ],
        )?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect())
    }

    fn insert_unless_sent(&mut self, m: &mut StoredMessage) -> StoreResult<Option<StoredMessage>> {
        if self.insert_row(m, m.client_msg_id != 0)? {
            return Ok(None);
        }
        match self.find_sent(&m.sender, &m.conv_key, m.client_msg_id)? {
            Some(existing) => Ok(Some(existing)),
            None => Err(StoreError("a skipped message is not stored".to_owned())),
        }
    }

    fn conversation(&mut self, owner: &str, conv_id: &str) -> StoreResult<Option<ConversationRow>> {
        self.lock_conversation(&lock_key(owner, conv_id))?;
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE owner = $1 AND conv_id = $2"
        );
        self.query_opt(&sql, &[&owner, &conv_id])?
            .as_ref()
            .map(conversation_at)
            .transpose()
    }

    fn put_conversation(&mut self, mut row: ConversationRow) -> StoreResult<()> {
        row.version = self.next_change()?;
        let sql = format!(
            "INSERT INTO conversations ({CONVERSATION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT (owner, conv_id) DO UPDATE SET
               conv_key = excluded.conv_key, last_seq = excluded.last_seq,
               read_seq = excluded.read_seq, last_time_ms = excluded.last_time_ms,
               last_from = excluded.last_from, preview = excluded.preview,
               version = excluded.version, peer_read_seq = excluded.peer_read_seq,
               hidden_seq = excluded.hidden_seq, cleared_seq = excluded.cleared_seq,
               pinned = excluded.pinned, remind = excluded.remind,
               marks = excluded.marks, data_digest = excluded.data_digest"
        );
        self.execute(
            &sql,
            &[
                &row.owner,
                &row.conv_id,
                &row.conv_key,
                &to_sql(row.last_seq),
                &to_sql(row.read_seq),
                &to_sql(row.last_time_ms),
                &row.last_from,
                &row.preview.as_bytes(),
                &to_sql(row.version),
                &to_sql(row.peer_read_seq),
                &to_sql(row.hidden_seq),
                &to_sql(row.cleared_seq),
                &row.pinned,
                &i64::from(row.remind.number()),
                &to_sql(row.marks),
                &to_sql(row.data_digest),
            ],
        )
        .map(drop)
    }

    fn last_change(&mut self) -> StoreResult<u64> {
        // The position is taken once every transaction begun before now has
        // ended, so it holds everything committed before the sync began (a
        // position below a commit made before the sync would leave that
        // commit's messages to a later round). Transactions are a batch
        // long, so the wait is short. It is only made while this
        // transaction holds no lock (no id yet, no conversation locked):
        // one that waits on a lock of ours would make us wait it out. Past
        // `HORIZON_WAIT`, or holding locks, or behind a transaction a wait
        // already ran out on, the position is taken as it is, which skips
        // nothing (see `versions`).
        let wanted = self.query_int(
            "SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL
                         THEN pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                         ELSE 0 END",
            &[],
        )?;
        let may_wait = wanted > 0 && self.locked.is_empty();
        let deadline = Instant::now() + HORIZON_WAIT;
        loop {
            let oldest_running = self.query_int(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
                &[],
            )?;
            let caught_up = may_wait && oldest_running >= wanted;
            let done = !may_wait || caught_up || self.outwaited == Some(oldest_running);
            if done || Instant::now() >= deadline {
                if !done {
                    self.outwaited = Some(oldest_running);
                }
                self.behind = !caught_up;
                return Ok(versions::horizon(oldest_running as u64));
            }
            std::thread::sleep(HORIZON_POLL);
        }
    }

    fn last_change_behind(&self) -> bool {
        self.behind
    }

    fn seq_as_of(&mut self, conv_key: &str, change: u64) -> StoreResult<u64> {
        self.query_opt(
            "SELECT MAX(seq) FROM messages WHERE conv_key = $1 AND gseq <= $2",
            &[&conv_key, &to_sql(change)],
        )?
        .map_or(Ok(None), |row| {
            row.try_get::<_, Option<i64>>(0).map_err(err)
        })
        .map(|seq| seq.map_or(0, |s| s as u64))
    }

    fn changed_since(
        &mut self,
        owner: &str,
        cursor: u64,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations
             WHERE owner = $1 AND version > $2
             UNION ALL
             {}
             ORDER BY version LIMIT $3",
            schema::GROUP_CONVERSATIONS
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(&sql, &[&owner, &to_sql(cursor), &limit], conversation_at)
    }

    fn changed_window(
        &mut self,
        owner: &str,
        base: u64,
        after: &str,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>> {
        let sql = format!(
            "SELECT * FROM (
                 SELECT {CONVERSATION_COLUMNS} FROM conversations
                 WHERE owner = $1 AND version > $2
                 UNION ALL
                 {}) AS changed
             WHERE conv_id > $3 ORDER BY conv_id LIMIT $4",
            schema::GROUP_CONVERSATIONS
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(
            &sql,
            &[&owner, &to_sql(base), &after, &limit],
            conversation_at,
        )
    }

    fn total_unread(&mut self, owner: &str) -> StoreResult<u64> {
        let sql = format!(
            "SELECT COALESCE(SUM(CASE
                 WHEN hidden_seq > 0 AND last_seq <= hidden_seq THEN 0
                 WHEN remind <> 0 THEN 0
                 ELSE GREATEST(last_seq - GREATEST(read_seq, cleared_seq)
                      - (SELECT COUNT(*) FROM uncounted_messages u WHERE u.conv_key = every.conv_key
                         AND u.seq > GREATEST(every.read_seq, every.cleared_seq)
                         AND u.seq <= every.last_seq), 0) END), 0)::BIGINT
             FROM (SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE owner = $1 AND version > $2
                   UNION ALL {}) AS every",
            schema::GROUP_CONVERSATIONS
        );
        self.query_int(&sql, &[&owner, &-1i64]).map(|v| v as u64)
    }

    fn messages_after(
        &mut self,
        conv_key: &str,
        after_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<StoredMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conv_key = $1 AND seq > $2
             ORDER BY seq LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(&sql, &[&conv_key, &to_sql(after_seq), &limit], message_at)
    }

    fn messages_before(
        &mut self,
        conv_key: &str,
        before_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<StoredMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conv_key = $1 AND seq < $2
             ORDER BY seq DESC LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(&sql, &[&conv_key, &to_sql(before_seq), &limit], message_at)
    }
}
