//! Rows to values and back: the column lists, the statements on the send
//! path, and SQLite's integers as u64.

use rusqlite::{params, Connection, ErrorCode};

use crate::store::columns::{
    conversation_at, conversation_columns, message_at, message_columns, Columns,
};
pub(super) use crate::store::columns::{to_sql, CONVERSATION_COLUMNS, MESSAGE_COLUMNS};
use crate::store::{ConversationRow, StoreError, StoredMessage};

pub(super) fn err(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

pub(super) fn from_sql(v: i64) -> u64 {
    v as u64
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;

    fn text(&self, at: usize) -> rusqlite::Result<String> {
        self.get(at)
    }

    fn int(&self, at: usize) -> rusqlite::Result<i64> {
        self.get(at)
    }

    fn bytes(&self, at: usize) -> rusqlite::Result<Vec<u8>> {
        self.get(at)
    }

    fn flag(&self, at: usize) -> rusqlite::Result<bool> {
        self.get(at)
    }

    fn out_of_range(at: usize, value: i64) -> rusqlite::Error {
        rusqlite::Error::IntegralValueOutOfRange(at, value)
    }
}

pub(super) fn message_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    message_at(row)
}

pub(super) fn conversation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationRow> {
    conversation_at(row)
}

pub(super) const SELECT_CONVERSATION: &str = concat!(
    "SELECT ",
    conversation_columns!(),
    " FROM conversations WHERE owner = ?1 AND conv_id = ?2"
);

pub(super) const SELECT_SENT: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE sender = ?1 AND conv_key = ?2 AND client_msg_id = ?3",
    " AND client_msg_id <> 0"
);

pub(super) const SELECT_MESSAGE: &str = concat!(
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
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
    ON CONFLICT (owner, conv_id) DO UPDATE SET
      conv_key = excluded.conv_key, last_seq = excluded.last_seq,
      read_seq = excluded.read_seq, last_time_ms = excluded.last_time_ms,
      last_from = excluded.last_from, preview = excluded.preview,
      version = excluded.version, peer_read_seq = excluded.peer_read_seq,
      hidden_seq = excluded.hidden_seq, cleared_seq = excluded.cleared_seq,
      pinned = excluded.pinned, remind = excluded.remind,
      marks = excluded.marks, data_digest = excluded.data_digest"
);

pub(super) fn insert_message_row(conn: &Connection, m: &StoredMessage) -> rusqlite::Result<()> {
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

pub(super) fn upsert_conversation(
    conn: &Connection,
    row: &ConversationRow,
) -> rusqlite::Result<()> {
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
            row.pinned,
            row.remind.number(),
            to_sql(row.marks),
            to_sql(row.data_digest)
        ])
        .map(drop)
}

/// A unique index refused the row (the dedupe index; the primary key
/// reports a code of its own).
pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == ErrorCode::ConstraintViolation
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}
