//! The tables, and bringing a data file made by an older server to them.

use rusqlite::{params, Connection};

use crate::store::body_format::{upgrade_v0, BODY_FORMAT};

/// The tables and indexes, created where missing.
pub(super) const SCHEMA: &str = "
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
-- A sender's client message id is unique in a conversation: a resend is
-- found, and the same id in another conversation is another message.
-- Server-made messages (group tips, system notices) carry id 0 and are not
-- deduplicated; clients never use 0.
CREATE UNIQUE INDEX IF NOT EXISTS messages_sent ON messages (sender, conv_key, client_msg_id)
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
    remind INTEGER NOT NULL DEFAULT 0,
    marks INTEGER NOT NULL DEFAULT 0,
    data_digest INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, conv_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_by_version ON conversations (owner, version);
-- Messages a user deleted for themselves (TIM deleteMessage).
CREATE TABLE IF NOT EXISTS deleted_messages (
    owner TEXT NOT NULL,
    conv_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (owner, conv_key, seq)
) WITHOUT ROWID;
-- Messages that do not count as unread (group tips, notices, those their
-- sender excluded): few, so counting them in a range is cheap.
CREATE TABLE IF NOT EXISTS uncounted_messages (
    conv_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (conv_key, seq)
) WITHOUT ROWID;
-- Uploads: their tickets, and whether their bytes arrived.
CREATE TABLE IF NOT EXISTS uploads (
    uuid TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    kind INTEGER NOT NULL,
    size INTEGER NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    complete INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_owner ON uploads (owner);
-- Group read receipts: who read which message.
CREATE TABLE IF NOT EXISTS read_receipts (
    conv_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reader TEXT NOT NULL,
    PRIMARY KEY (conv_key, seq, reader)
) WITHOUT ROWID;
-- A user's custom data and draft on a conversation (rows only for
-- conversations that have either).
CREATE TABLE IF NOT EXISTS conversation_data (
    owner TEXT NOT NULL,
    conv_id TEXT NOT NULL,
    custom_data BLOB NOT NULL,
    draft TEXT NOT NULL,
    draft_time_ms INTEGER NOT NULL,
    PRIMARY KEY (owner, conv_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS change_log (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT OR IGNORE INTO change_log (id, last) VALUES (1, 0);
";

/// Columns added to existing tables since the first data files, each with
/// the value every older row has: (table, column).
const ADDED_COLUMNS: [(&str, &str); 13] = [
    ("conversations", "peer_read_seq"),
    ("conversations", "hidden_seq"),
    ("group_members", "hidden_seq"),
    ("conversations", "cleared_seq"),
    ("group_members", "cleared_seq"),
    ("conversations", "pinned"),
    ("group_members", "pinned"),
    ("conversations", "remind"),
    ("group_members", "remind"),
    ("conversations", "marks"),
    ("group_members", "marks"),
    ("conversations", "data_digest"),
    ("group_members", "data_digest"),
];

/// Indexes older servers made that this one replaced: `messages_dedupe`
/// keyed a sender's ids across conversations (so reusing an id in another
/// conversation found the wrong message); `messages_sent` replaces it.
const DROPPED_INDEXES: [&str; 1] = ["messages_dedupe"];

/// Bodies rewritten per statement while upgrading their form.
const REWRITE_BATCH: i64 = 1000;

/// Brings the stored bodies to [`BODY_FORMAT`] (SQLite's `user_version`
/// says which form they are in), in one transaction: a server stopped
/// half-way finds them all in the old form again.
fn upgrade_bodies(conn: &Connection) -> rusqlite::Result<()> {
    let format: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if format >= BODY_FORMAT {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    let mut after: (String, i64) = (String::new(), -1);
    loop {
        let batch: Vec<(String, i64, Vec<u8>)> = tx
            .prepare(
                "SELECT conv_key, seq, body FROM messages WHERE (conv_key, seq) > (?1, ?2)
                 ORDER BY conv_key, seq LIMIT ?3",
            )?
            .query_map(params![after.0, after.1, REWRITE_BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some((key, seq, _)) = batch.last() else {
            break;
        };
        after = (key.clone(), *seq);
        for (key, seq, body) in &batch {
            if let Some(body) = upgrade_v0(body) {
                tx.execute(
                    "UPDATE messages SET body = ?3 WHERE conv_key = ?1 AND seq = ?2",
                    params![key, seq, body],
                )?;
            }
        }
    }
    tx.pragma_update(None, "user_version", BODY_FORMAT)?;
    tx.commit()
}

/// Brings a data file made by an older server to this schema.
pub(super) fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    upgrade_bodies(conn)?;
    for index in DROPPED_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {index}"))?;
    }
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
