//! In-process, over a real SQLite file: what a batch of requests leaves
//! behind when one of them fails in the store after it has written. Sends
//! run without a per-request savepoint, so such a failure must take the
//! batch's earlier requests down with it (their connections closed, nothing
//! of them committed) and let the requests after it go on.

use tinyim_core::wire::body::{self, Elem};
use tinyim_core::wire::group::{CreateGroup, UserList};
use tinyim_core::wire::{kind, records};
use tinyim_core::GroupType;
use tinyim_server::engine::{AppAuth, Engine, Input, Output};
use tinyim_server::store::SqliteStore;

const NOW_MS: u64 = 1_800_000_000_000;
const ALICE: u64 = 1;
const BOB: u64 = 2;
const CAROL: u64 = 3;

fn send(conn: u64, id: u32, conversation: &str, client_msg_id: u64) -> Input {
    let send = body::SendMessage {
        conversation,
        client_msg_id,
        online_only: false,
        priority: Default::default(),
        elem: Elem::Text { text: "hi" },
        extra: body::MessageExtra::default(),
    };
    Input::request(conn, kind::SEND_MESSAGE, id, &send)
}

/// The answer to request `id` on `conn`: `Some(seq)` for a stored send.
fn sent_seq(outputs: &[Output], conn: u64, id: u32) -> Option<u64> {
    outputs.iter().find_map(|o| match o {
        Output::Frame { conn: c, bytes }
            if *c == conn && bytes.get(4) == Some(&kind::RESPONSE_OK) =>
        {
            let (answer, ok) = records::take::<u32>(&bytes[5..]).ok()?;
            let ok: body::SendOk<'_> = records::decode_exact(ok).ok()?;
            (answer == id).then_some(ok.seq)
        }
        _ => None,
    })
}

fn closed(outputs: &[Output], conn: u64) -> bool {
    outputs
        .iter()
        .any(|o| matches!(o, Output::Close { conn: c } if *c == conn))
}

#[test]
fn a_store_failure_after_a_write_abandons_the_batch_before_it_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("batches.db");
    let store = SqliteStore::open(&path).expect("store");
    let mut engine = Engine::new(store, AppAuth::new(1_400_000_000, "k"));
    for (conn, user) in [(ALICE, "alice"), (BOB, "bob"), (CAROL, "carol")] {
        engine.open_logged_in(NOW_MS, conn, 16 * 1024, user);
    }
    let create = CreateGroup {
        group_id: "g1",
        members: UserList("bob"),
        ..CreateGroup::new(GroupType::Work, "g1")
    };
    let created = engine.handle_batch(
        NOW_MS,
        vec![Input::request(ALICE, kind::CREATE_GROUP, 1, &create)],
    );
    assert!(
        !closed(&created, ALICE),
        "the group was created: {created:?}"
    );

    // From here every write of a group row fails: a group send stores its
    // message, then fails updating the group's last seq.
    let saboteur = rusqlite::Connection::open(&path).expect("second connection");
    saboteur
        .execute_batch(
            "CREATE TRIGGER fail_group_writes BEFORE INSERT ON groups \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .expect("trigger");

    let outputs = engine.handle_batch(
        NOW_MS,
        vec![
            send(CAROL, 10, "C2Calice", 100),
            send(ALICE, 11, "GROUPg1", 200),
            send(BOB, 12, "C2Calice", 300),
        ],
    );
    // Carol's send came before the failure in the same transaction: not
    // answered, her connection closed so that her client resends.
    assert_eq!(sent_seq(&outputs, CAROL, 10), None);
    assert!(closed(&outputs, CAROL), "{outputs:?}");
    assert!(closed(&outputs, ALICE), "{outputs:?}");
    // Bob's came after it and went on in a new transaction.
    assert_eq!(sent_seq(&outputs, BOB, 12), Some(1));
    assert!(!closed(&outputs, BOB));

    saboteur
        .execute_batch("DROP TRIGGER fail_group_writes;")
        .expect("drop trigger");
    // Nothing of the abandoned requests was kept, not even the group
    // message the failing request had stored; Bob's message was.
    let stored = |sender: &str| -> i64 {
        saboteur
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE sender = ?1",
                [sender],
                |r| r.get(0),
            )
            .expect("count")
    };
    assert_eq!((stored("carol"), stored("alice"), stored("bob")), (0, 0, 1));
    // Their resends are stored now, as the first messages of their
    // conversations.
    let resent = engine.handle_batch(
        NOW_MS,
        vec![
            send(CAROL, 20, "C2Calice", 100),
            send(ALICE, 21, "GROUPg1", 200),
        ],
    );
    assert_eq!(sent_seq(&resent, CAROL, 20), Some(1), "{resent:?}");
    assert_eq!(sent_seq(&resent, ALICE, 21), Some(1), "{resent:?}");
}
