//! Rows to values and back: the column lists, the statements on the send
//! path, and SQLite's integers as u64.

use rusqlite::{params, Connection, ErrorCode};

use crate::store::{ConversationRow, StoreError, StoredMessage};

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

pub(super) fn message_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
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

pub(super) fn conversation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationRow> {
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

pub(super) const MESSAGE_COLUMNS: &str = message_columns!();
pub(super) const CONVERSATION_COLUMNS: &str = conversation_columns!();

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
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
    ON CONFLICT (owner, conv_id) DO UPDATE SET
      conv_key = excluded.conv_key, last_seq = excluded.last_seq,
      read_seq = excluded.read_seq, last_time_ms = excluded.last_time_ms,
      last_from = excluded.last_from, preview = excluded.preview,
      version = excluded.version, peer_read_seq = excluded.peer_read_seq,
      hidden_seq = excluded.hidden_seq, cleared_seq = excluded.cleared_seq,
      pinned = excluded.pinned"
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
            row.pinned
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
