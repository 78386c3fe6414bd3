//! The tables in PostgreSQL: the SQLite store's, with 64-bit integers,
//! booleans, and ids compared byte by byte (`COLLATE "C"`, as SQLite
//! compares them), so pages by id come in the same order on both. Text
//! that users write (names, previews, profiles) is kept as its UTF-8
//! bytes: PostgreSQL's text refuses the NUL character, which is valid
//! UTF-8 and which SQLite keeps (ids are ASCII, checked before storing).

use postgres::Transaction;

use crate::store::body_format::{upgrade_v0, BODY_FORMAT};

/// The tables and indexes, created where missing; nodes starting together
/// make them one at a time (see [`SCHEMA_LOCK`]).
pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS messages (
    conv_key TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    sender TEXT COLLATE "C" NOT NULL,
    client_msg_id BIGINT NOT NULL,
    time_ms BIGINT NOT NULL,
    body BYTEA NOT NULL,
    gseq BIGINT NOT NULL,
    PRIMARY KEY (conv_key, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_sent ON messages (sender, conv_key, client_msg_id)
    WHERE client_msg_id <> 0;
CREATE TABLE IF NOT EXISTS conversations (
    owner TEXT COLLATE "C" NOT NULL,
    conv_id TEXT COLLATE "C" NOT NULL,
    conv_key TEXT COLLATE "C" NOT NULL,
    last_seq BIGINT NOT NULL,
    read_seq BIGINT NOT NULL,
    last_time_ms BIGINT NOT NULL,
    last_from TEXT NOT NULL,
    preview BYTEA NOT NULL,
    version BIGINT NOT NULL,
    peer_read_seq BIGINT NOT NULL,
    hidden_seq BIGINT NOT NULL,
    cleared_seq BIGINT NOT NULL,
    pinned BOOLEAN NOT NULL,
    remind BIGINT NOT NULL DEFAULT 0,
    marks BIGINT NOT NULL DEFAULT 0,
    data_digest BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, conv_id)
);
CREATE INDEX IF NOT EXISTS conversations_by_version ON conversations (owner, version);
CREATE TABLE IF NOT EXISTS groups (
    group_id TEXT COLLATE "C" PRIMARY KEY,
    group_type BIGINT NOT NULL,
    name BYTEA NOT NULL,
    introduction BYTEA NOT NULL,
    notification BYTEA NOT NULL,
    avatar BYTEA NOT NULL,
    owner TEXT COLLATE "C" NOT NULL,
    created_ms BIGINT NOT NULL,
    max_members BIGINT NOT NULL,
    join_option BIGINT NOT NULL,
    mute_all BOOLEAN NOT NULL,
    member_count BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    last_time_ms BIGINT NOT NULL,
    last_from TEXT NOT NULL,
    preview BYTEA NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    role BIGINT NOT NULL,
    join_ms BIGINT NOT NULL,
    join_seq BIGINT NOT NULL,
    name_card BYTEA NOT NULL,
    muted_until_ms BIGINT NOT NULL,
    read_seq BIGINT NOT NULL,
    version BIGINT NOT NULL,
    hidden_seq BIGINT NOT NULL,
    cleared_seq BIGINT NOT NULL,
    pinned BOOLEAN NOT NULL,
    remind BIGINT NOT NULL DEFAULT 0,
    marks BIGINT NOT NULL DEFAULT 0,
    data_digest BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX IF NOT EXISTS group_members_by_user ON group_members (user_id, group_id);
CREATE TABLE IF NOT EXISTS group_custom (
    group_id TEXT COLLATE "C" NOT NULL,
    key BYTEA NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (group_id, key)
);
CREATE TABLE IF NOT EXISTS group_applications (
    group_id TEXT COLLATE "C" NOT NULL,
    applicant TEXT COLLATE "C" NOT NULL,
    message BYTEA NOT NULL,
    time_ms BIGINT NOT NULL,
    PRIMARY KEY (group_id, applicant)
);
CREATE SEQUENCE IF NOT EXISTS group_numbers;
CREATE TABLE IF NOT EXISTS accounts (
    user_id TEXT COLLATE "C" PRIMARY KEY,
    created_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS blocklist (
    owner TEXT COLLATE "C" NOT NULL,
    blocked TEXT COLLATE "C" NOT NULL,
    added BIGINT NOT NULL,
    PRIMARY KEY (owner, blocked)
);
CREATE INDEX IF NOT EXISTS blocklist_in_order ON blocklist (owner, added);
CREATE TABLE IF NOT EXISTS profiles (
    user_id TEXT COLLATE "C" PRIMARY KEY,
    nick BYTEA NOT NULL,
    gender BIGINT NOT NULL,
    birthday BIGINT NOT NULL,
    location BYTEA NOT NULL,
    self_signature BYTEA NOT NULL,
    allow_type BIGINT NOT NULL,
    language BIGINT NOT NULL,
    avatar BYTEA NOT NULL,
    level BIGINT NOT NULL,
    role BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS profile_custom (
    user_id TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE TABLE IF NOT EXISTS custom_status (
    user_id TEXT COLLATE "C" PRIMARY KEY,
    status BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS status_subscriptions (
    subscriber TEXT COLLATE "C" NOT NULL,
    target TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (subscriber, target)
);
CREATE INDEX IF NOT EXISTS status_subscribers ON status_subscriptions (target);
CREATE TABLE IF NOT EXISTS friends (
    owner TEXT COLLATE "C" NOT NULL,
    friend TEXT COLLATE "C" NOT NULL,
    remark BYTEA NOT NULL,
    source BYTEA NOT NULL,
    wording BYTEA NOT NULL,
    added_ms BIGINT NOT NULL,
    PRIMARY KEY (owner, friend)
);
CREATE INDEX IF NOT EXISTS friends_in_order ON friends (owner, added_ms, friend);
CREATE TABLE IF NOT EXISTS friend_custom (
    owner TEXT COLLATE "C" NOT NULL,
    friend TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (owner, friend, key)
);
CREATE TABLE IF NOT EXISTS friend_applications (
    from_user TEXT COLLATE "C" NOT NULL,
    to_user TEXT COLLATE "C" NOT NULL,
    both_ways BOOLEAN NOT NULL,
    remark BYTEA NOT NULL,
    group_name BYTEA NOT NULL,
    source BYTEA NOT NULL,
    wording BYTEA NOT NULL,
    time_ms BIGINT NOT NULL,
    was_read BOOLEAN NOT NULL,
    PRIMARY KEY (from_user, to_user)
);
CREATE INDEX IF NOT EXISTS friend_applications_to ON friend_applications (to_user);
CREATE TABLE IF NOT EXISTS friend_groups (
    owner TEXT COLLATE "C" NOT NULL,
    name BYTEA NOT NULL,
    made BIGINT NOT NULL,
    PRIMARY KEY (owner, name)
);
CREATE TABLE IF NOT EXISTS friend_group_members (
    owner TEXT COLLATE "C" NOT NULL,
    name BYTEA NOT NULL,
    friend TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, name, friend)
);
CREATE INDEX IF NOT EXISTS friend_group_members_by_friend
    ON friend_group_members (owner, friend);
-- Columns added since the first data files, with what older rows hold.
-- Only where missing: ALTER TABLE locks the table whole even when the
-- column exists, and a node starting beside busy ones would deadlock with
-- their sends.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'conversations' AND column_name = 'remind') THEN
        ALTER TABLE conversations ADD COLUMN remind BIGINT NOT NULL DEFAULT 0;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'group_members' AND column_name = 'remind') THEN
        ALTER TABLE group_members ADD COLUMN remind BIGINT NOT NULL DEFAULT 0;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'conversations' AND column_name = 'marks') THEN
        ALTER TABLE conversations ADD COLUMN marks BIGINT NOT NULL DEFAULT 0,
                                  ADD COLUMN data_digest BIGINT NOT NULL DEFAULT 0;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'group_members' AND column_name = 'marks') THEN
        ALTER TABLE group_members ADD COLUMN marks BIGINT NOT NULL DEFAULT 0,
                                  ADD COLUMN data_digest BIGINT NOT NULL DEFAULT 0;
    END IF;
END $$;
-- Messages a user deleted for themselves (TIM deleteMessage).
CREATE TABLE IF NOT EXISTS deleted_messages (
    owner TEXT COLLATE "C" NOT NULL,
    conv_key TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (owner, conv_key, seq)
);
-- Messages that do not count as unread (group tips, notices, those their
-- sender excluded): few, so counting them in a range is cheap.
CREATE TABLE IF NOT EXISTS uncounted_messages (
    conv_key TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (conv_key, seq)
);
-- Uploads: their tickets, and whether their bytes arrived.
CREATE TABLE IF NOT EXISTS uploads (
    uuid TEXT COLLATE "C" PRIMARY KEY,
    owner TEXT COLLATE "C" NOT NULL,
    kind BIGINT NOT NULL,
    size BIGINT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    complete BOOLEAN NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_owner ON uploads (owner);
-- Group read receipts: who read which message.
CREATE TABLE IF NOT EXISTS read_receipts (
    conv_key TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    reader TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (conv_key, seq, reader)
);
-- A user's custom data and draft on a conversation (rows only for
-- conversations that have either).
CREATE TABLE IF NOT EXISTS conversation_data (
    owner TEXT COLLATE "C" NOT NULL,
    conv_id TEXT COLLATE "C" NOT NULL,
    custom_data BYTEA NOT NULL,
    draft TEXT NOT NULL,
    draft_time_ms BIGINT NOT NULL,
    PRIMARY KEY (owner, conv_id)
);
-- Which form the stored message bodies are in (see body_format.rs).
CREATE TABLE IF NOT EXISTS store_format (
    id INT PRIMARY KEY CHECK (id = 1),
    body_format BIGINT NOT NULL
);
INSERT INTO store_format (id, body_format) VALUES (1, 0) ON CONFLICT DO NOTHING;
"#;

/// Bodies rewritten per statement while upgrading their form.
const REWRITE_BATCH: i64 = 1000;

/// Brings the stored bodies to [`BODY_FORMAT`], within `tx` (the one that
/// makes the tables, under [`SCHEMA_LOCK`]): one node rewrites them, the
/// others find them done.
pub(super) fn upgrade_bodies(tx: &mut Transaction<'_>) -> Result<(), postgres::Error> {
    let format: i64 = tx
        .query_one("SELECT body_format FROM store_format WHERE id = 1", &[])?
        .get(0);
    if format >= BODY_FORMAT {
        return Ok(());
    }
    let mut after = (String::new(), -1i64);
    loop {
        let rows = tx.query(
            "SELECT conv_key, seq, body FROM messages WHERE (conv_key, seq) > ($1, $2)
             ORDER BY conv_key, seq LIMIT $3",
            &[&after.0, &after.1, &REWRITE_BATCH],
        )?;
        let Some(last) = rows.last() else {
            break;
        };
        after = (last.get(0), last.get(1));
        for row in &rows {
            let body: &[u8] = row.get(2);
            if let Some(body) = upgrade_v0(body) {
                let key: &str = row.get(0);
                let seq: i64 = row.get(1);
                tx.execute(
                    "UPDATE messages SET body = $3 WHERE conv_key = $1 AND seq = $2",
                    &[&key, &seq, &body],
                )?;
            }
        }
    }
    tx.execute(
        "UPDATE store_format SET body_format = $1 WHERE id = 1",
        &[&BODY_FORMAT],
    )?;
    Ok(())
}

/// The advisory lock a node holds while it makes the tables: `CREATE ..
/// IF NOT EXISTS` run by two nodes at once can still collide.
pub(super) const SCHEMA_LOCK: i64 = 0x7469_6e79_696d;

/// A user's group conversations as conversation rows, for the sync queries
/// ($1 the user, $2 the cursor); see the SQLite store's for the rules.
pub(super) const GROUP_CONVERSATIONS: &str = "
SELECT m.user_id, 'GROUP' || g.group_id, 'group:' || g.group_id, g.last_seq,
       CASE WHEN g.group_type = 2 THEN g.last_seq ELSE GREATEST(m.read_seq, m.join_seq) END,
       g.last_time_ms,
       CASE WHEN m.cleared_seq >= g.last_seq THEN '' ELSE g.last_from END,
       CASE WHEN m.cleared_seq >= g.last_seq THEN '' ELSE g.preview END,
       GREATEST(g.version, m.version), 0::BIGINT, m.hidden_seq, m.cleared_seq, m.pinned,
       m.remind, m.marks, m.data_digest
FROM group_members m JOIN groups g ON g.group_id = m.group_id
WHERE m.user_id = $1 AND (g.version > $2 OR m.version > $2) AND g.group_type <> 4";
