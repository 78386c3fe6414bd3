//! The SQLite store against its own file: schema upgrades, paging, dedupe,
//! write counts, rollbacks, the change log and the WAL's life.

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
        remind: tinyim_core::wire::body::RemindType::AcceptAndNotify,
        marks: 0,
        data_digest: 0,
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
fn a_data_file_deduplicating_across_conversations_opens_deduplicating_per_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // The messages table and dedupe index as servers before made them.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE messages (
                conv_key TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL,
                client_msg_id INTEGER NOT NULL, time_ms INTEGER NOT NULL,
                body BLOB NOT NULL, gseq INTEGER NOT NULL,
                PRIMARY KEY (conv_key, seq)) WITHOUT ROWID;
             CREATE UNIQUE INDEX messages_dedupe ON messages (sender, client_msg_id)
                WHERE client_msg_id <> 0;
             INSERT INTO messages VALUES ('c2c:a|b', 1, 'a', 42, 1, x'0102', 1);",
        )
        .unwrap();
    }
    let mut s = SqliteStore::open(&path).unwrap();
    s.begin().unwrap();
    let resend = s.insert_unless_sent(&mut message(2, 42)).unwrap();
    assert_eq!(resend.map(|m| m.seq), Some(1), "a resend is still found");
    let elsewhere = StoredMessage {
        conv_key: "c2c:a|c".into(),
        ..message(1, 42)
    };
    assert_eq!(s.insert_unless_sent(&mut elsewhere.clone()).unwrap(), None);
    s.commit().unwrap();
    assert_eq!(
        s.last_seq("c2c:a|c").unwrap(),
        1,
        "stored in its conversation"
    );
}

#[test]
fn messages_page_both_ways_and_dedupe_by_sender_conversation_and_id() {
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
    assert_eq!(
        s.find_sent("a", "c2c:a|b", u64::MAX - 3)
            .unwrap()
            .unwrap()
            .seq,
        3
    );
    assert_eq!(
        s.find_sent("a", "c2c:a|c", u64::MAX - 3).unwrap(),
        None,
        "the same id in another conversation is another message"
    );
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
    s.find_sent("a", "c2c:a|b", 42).unwrap();
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
    // Transactions back to back at 20 000 messages a second (twice the
    // rate the checkpoint pause is sized for; unpaced, a test build on a
    // busy machine outruns the checkpoint thread, which no server reaches):
    // the background checkpoint never finds the WAL idle, so only the
    // writer's catch-ups let it start over.
    let (mut next_id, mut restarts, mut last_salt) = (1, 0, salt());
    let start = std::time::Instant::now();
    let deadline = start + std::time::Duration::from_secs(60);
    while restarts < 2 {
        let due = start + std::time::Duration::from_micros(next_id * 50);
        std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
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
    assert_eq!(
        reopened.find_sent("a", "c2c:a|b", 7).unwrap().unwrap().seq,
        1
    );
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
    assert_eq!(
        reopened.find_sent("a", "c2c:a|b", 7).unwrap().unwrap().seq,
        1
    );
}

#[test]
fn an_in_memory_copy_holds_the_committed_data_and_goes_its_own_way() {
    let mut original = SqliteStore::in_memory().unwrap();
    original.begin().unwrap();
    original.insert_message(&mut message(1, 1)).unwrap();
    original.commit().unwrap();
    let mut copy = original.in_memory_copy().unwrap();
    assert_eq!(copy.last_seq("c2c:a|b").unwrap(), 1);
    copy.begin().unwrap();
    copy.insert_message(&mut message(2, 2)).unwrap();
    copy.commit().unwrap();
    assert_eq!(copy.last_seq("c2c:a|b").unwrap(), 2);
    assert_eq!(
        original.last_seq("c2c:a|b").unwrap(),
        1,
        "the original is untouched"
    );
}

#[test]
fn a_data_file_with_bodies_of_protocol_5_opens_with_them_rewritten_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE messages (
                conv_key TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL,
                client_msg_id INTEGER NOT NULL, time_ms INTEGER NOT NULL,
                body BLOB NOT NULL, gseq INTEGER NOT NULL,
                PRIMARY KEY (conv_key, seq)) WITHOUT ROWID;",
        )
        .unwrap();
        // Protocol 5's text "hi" and image (url "u", 10 x 20, 30 bytes),
        // more rows than one rewriting batch.
        for seq in 1..=1500i64 {
            let body: &[u8] = if seq % 2 == 0 {
                &[0, 2, b'h', b'i']
            } else {
                &[5, 1, b'u', 10, 20, 30]
            };
            conn.execute(
                "INSERT INTO messages VALUES ('c2c:a|b', ?1, 'a', ?1, 1, ?2, ?1)",
                rusqlite::params![seq, body],
            )
            .unwrap();
        }
    }
    let check = |s: &mut SqliteStore| {
        let found = s.messages_after("c2c:a|b", 1498, 10).unwrap();
        assert_eq!(found.len(), 2);
        let (text, _) = crate::engine::content::decode(&found[1].body).unwrap();
        assert_eq!(text, tinyim_core::Elem::Text { text: "hi" });
        let (image, _) = crate::engine::content::decode(&found[0].body).unwrap();
        let tinyim_core::Elem::Image(image) = image else {
            panic!("an image: {image:?}")
        };
        assert_eq!(
            (
                image.original.url,
                image.original.width,
                image.original.size
            ),
            ("u", 10, 30)
        );
    };
    check(&mut SqliteStore::open(&path).unwrap());
    // Opened again: already in today's form, left as it is.
    check(&mut SqliteStore::open(&path).unwrap());
}
