//! PostgreSQL store, written by several nodes at once (each a connection of
//! its own, as each node's engine is), with the commits forced to
//! interleave: the sync position never passes a change that commits later,
//! and concurrent senders into one conversation take seqs with no gap and
//! no duplicate.

// The end-to-end suites' helpers, for their PostgreSQL instance.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::sync::{Mutex, MutexGuard};

use tinyim_server::store::{ConversationRow, PgStore, Store, StoredMessage};

fn row(owner: &str, conv_id: &str, last_seq: u64) -> ConversationRow {
    ConversationRow {
        last_seq,
        ..ConversationRow::new(owner, conv_id.into(), &format!("key-{conv_id}"))
    }
}

/// Positions depend on every transaction of the PostgreSQL instance (a
/// running one holds them back, as it should): these tests take turns.
fn alone() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn ids(rows: &[ConversationRow]) -> Vec<&str> {
    rows.iter().map(|r| r.conv_id.as_str()).collect()
}

#[test]
fn a_sync_position_never_passes_a_change_that_commits_later() {
    let _turn = alone();
    let url = common::postgres::instance().fresh_database();
    let (mut early, mut late, mut reader) = (
        PgStore::open(&url, false).unwrap(),
        PgStore::open(&url, false).unwrap(),
        PgStore::open(&url, false).unwrap(),
    );
    // `early` changes a row first and commits last; `late` changes and
    // commits in between (with a single counter, its number would be the
    // higher one, and a reader at it would skip `early`'s).
    early.begin().unwrap();
    early.put_conversation(row("u", "C2Cearly", 1)).unwrap();
    late.begin().unwrap();
    late.put_conversation(row("u", "C2Clate", 1)).unwrap();
    late.commit().unwrap();

    reader.begin().unwrap();
    let position = reader.last_change().unwrap();
    assert!(
        reader.last_change_behind(),
        "a position below a transaction it did not wait out says so"
    );
    let seen = reader.changed_window("u", 0, "", 100).unwrap();
    reader.commit().unwrap();
    assert_eq!(ids(&seen), ["C2Clate"], "only committed rows are read");

    early.commit().unwrap();
    reader.begin().unwrap();
    let next = reader.changed_window("u", position, "", 100).unwrap();
    let next_position = reader.last_change().unwrap();
    assert!(!reader.last_change_behind(), "nothing older runs now");
    reader.commit().unwrap();
    assert!(
        ids(&next).contains(&"C2Cearly"),
        "the change committed after the position was handed out is after it: {next:?}"
    );
    // Nothing runs now: the position covers both, and a sync from it
    // lists nothing again.
    reader.begin().unwrap();
    let after = reader.changed_window("u", next_position, "", 100).unwrap();
    reader.commit().unwrap();
    assert_eq!(ids(&after), Vec::<&str>::new());
}

#[test]
fn a_rolled_back_change_holds_no_position_back() {
    let _turn = alone();
    let url = common::postgres::instance().fresh_database();
    let (mut writer, mut reader) = (
        PgStore::open(&url, false).unwrap(),
        PgStore::open(&url, false).unwrap(),
    );
    writer.begin().unwrap();
    writer.put_conversation(row("u", "C2Cgone", 1)).unwrap();
    writer.rollback();
    writer.begin().unwrap();
    writer.put_conversation(row("u", "C2Ckept", 1)).unwrap();
    writer.commit().unwrap();
    reader.begin().unwrap();
    let position = reader.last_change().unwrap();
    let rows = reader.changed_since("u", 0, 100).unwrap();
    reader.commit().unwrap();
    assert_eq!(ids(&rows), ["C2Ckept"]);
    assert!(
        rows[0].version <= position,
        "a finished change is inside the position"
    );
}

/// One node's send into the conversation `conv`, as the engine makes it:
/// the seq read under the conversation's lock, the message stored, both
/// users' rows moved, one transaction.
fn send(store: &mut PgStore, from: &str, to: &str, n: u64) -> u64 {
    store.begin().unwrap();
    let mine = store.conversation(from, &format!("C2C{to}")).unwrap();
    let key = tinyim_server::store::keys::c2c_key(from, to);
    let last = match &mine {
        Some(row) => row.last_seq,
        None => store.last_seq(&key).unwrap(),
    };
    let mut message = StoredMessage {
        conv_key: key.clone(),
        seq: last + 1,
        sender: from.into(),
        client_msg_id: n,
        time_ms: 0,
        body: vec![1],
        gseq: 0,
    };
    assert!(store.insert_unless_sent(&mut message).unwrap().is_none());
    for (owner, peer) in [(from, to), (to, from)] {
        let mut row = store
            .conversation(owner, &format!("C2C{peer}"))
            .unwrap()
            .unwrap_or_else(|| ConversationRow {
                conv_key: key.clone(),
                ..row(owner, &format!("C2C{peer}"), 0)
            });
        row.last_seq = message.seq;
        store.put_conversation(row).unwrap();
    }
    store.commit().unwrap();
    message.seq
}

#[test]
fn senders_on_two_nodes_take_every_seq_once() {
    let _turn = alone();
    const EACH: u64 = 150;
    let url = common::postgres::instance().fresh_database();
    let nodes: Vec<_> = [("alice", "bob"), ("bob", "alice")]
        .into_iter()
        .map(|(from, to)| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = PgStore::open(&url, false).unwrap();
                (1..=EACH)
                    .map(|n| send(&mut store, from, to, n))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = nodes
        .into_iter()
        .flat_map(|node| node.join().unwrap())
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=2 * EACH).collect::<Vec<_>>());
    let mut store = PgStore::open(&url, false).unwrap();
    store.begin().unwrap();
    for (owner, peer) in [("alice", "bob"), ("bob", "alice")] {
        let row = store
            .conversation(owner, &format!("C2C{peer}"))
            .unwrap()
            .unwrap();
        assert_eq!(row.last_seq, 2 * EACH, "{owner}'s row");
    }
    let key = tinyim_server::store::keys::c2c_key("alice", "bob");
    let stored = store.messages_after(&key, 0, 1000).unwrap();
    store.commit().unwrap();
    let stored: Vec<u64> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(stored, (1..=2 * EACH).collect::<Vec<_>>());
}

#[test]
fn a_database_of_an_older_server_gains_the_added_columns_once() {
    let _turn = alone();
    let url = common::postgres::instance().fresh_database();
    {
        // The conversations table as the first PostgreSQL servers made it.
        let mut old = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        old.batch_execute(
            "CREATE TABLE conversations (
                owner TEXT COLLATE \"C\" NOT NULL, conv_id TEXT COLLATE \"C\" NOT NULL,
                conv_key TEXT COLLATE \"C\" NOT NULL, last_seq BIGINT NOT NULL,
                read_seq BIGINT NOT NULL, last_time_ms BIGINT NOT NULL,
                last_from TEXT NOT NULL, preview BYTEA NOT NULL, version BIGINT NOT NULL,
                peer_read_seq BIGINT NOT NULL, hidden_seq BIGINT NOT NULL,
                cleared_seq BIGINT NOT NULL, pinned BOOLEAN NOT NULL,
                PRIMARY KEY (owner, conv_id));
             INSERT INTO conversations VALUES
                ('alice', 'C2Cbob', 'c2c:alice|bob', 3, 1, 0, 'bob', 'x', 1, 0, 0, 0, false);",
        )
        .unwrap();
    }
    for _ in 0..2 {
        let mut store = PgStore::open(&url, false).unwrap();
        store.begin().unwrap();
        let row = store.conversation("alice", "C2Cbob").unwrap().unwrap();
        assert_eq!((row.last_seq, row.remind.number()), (3, 0));
        store.commit().unwrap();
    }
}
