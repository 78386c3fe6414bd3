//! End to end: the blocklist. A blocked user's one-to-one sends fail with
//! 20007 and reach nobody; the list pages to the client's frame, survives a
//! restart, holds at most 1000, and hostile calls get clear codes.

mod common;

use common::*;
use tinyim_core::wire::group::UserList;
use tinyim_core::wire::records::Records;
use tinyim_core::wire::user::{BlocklistChange, BlocklistPage, UserRecord};
use tinyim_core::wire::{code, kind};
use tinyim_tokio::{Payload, TimEvent};

fn change(users: &str) -> BlocklistChange<'_> {
    BlocklistChange {
        users: UserList(users),
    }
}

/// The next message `events` delivers: its sender and text.
async fn next_message(events: &mut tinyim_tokio::EventStream) -> (String, String) {
    let TimEvent::MessageReceived(m) =
        wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await
    else {
        unreachable!("wait_for returns what it waited for");
    };
    let text = match m.payload {
        Payload::Text(text) => text,
        other => panic!("not a text message: {other:?}"),
    };
    (m.from, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blocked_user_cannot_send_and_an_unblocked_one_can_again() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    let (carol, _carol_events) = client(&server.addr, "carol").await;

    alice.add_to_blocklist(&["bob"]).await.expect("block");
    assert_eq!(alice.blocklist().await.unwrap(), ["bob"]);
    let refused = bob.send_text("alice", "let me in").await.unwrap_err();
    assert_eq!(refused.code(), code::BLOCKED_BY_PEER);
    assert!(
        refused.to_string().starts_with(
            "the other user has blocked you: blocked by the peer (server error 20007) (message id"
        ),
        "the code's words, the server's, the id to resend with: {refused}"
    );

    // Only bob is refused, and only towards alice.
    carol
        .send_text("alice", "from carol")
        .await
        .expect("carol sends");
    alice
        .send_text("bob", "from alice")
        .await
        .expect("alice still sends");
    assert_eq!(
        next_message(&mut alice_events).await,
        ("carol".to_owned(), "from carol".to_owned())
    );

    alice
        .remove_from_blocklist(&["bob"])
        .await
        .expect("unblock");
    assert!(alice.blocklist().await.unwrap().is_empty());
    bob.send_text("alice", "hello again")
        .await
        .expect("bob sends");
    // The refused message was never stored: the next one from bob is this.
    assert_eq!(
        next_message(&mut alice_events).await,
        ("bob".to_owned(), "hello again".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_blocklist_survives_a_restart_still_blocks_and_pages_in_the_order_of_adding() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinyim.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let users: Vec<String> = (0..250).map(|i| format!("user{i:03}")).collect();
    {
        let (alice, _events) = client(&server.addr, "alice").await;
        // Listed in the order of the calls, not of the ids.
        let (first, second) = users.split_at(125);
        let first: Vec<&str> = first.iter().map(String::as_str).collect();
        let second: Vec<&str> = second.iter().map(String::as_str).collect();
        alice.add_to_blocklist(&second).await.unwrap();
        alice.add_to_blocklist(&first).await.unwrap();
        // Adding one that is already there changes nothing.
        alice.add_to_blocklist(&["user000"]).await.unwrap();
    }
    server.kill();
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    // The restarted server still refuses a blocked sender (it rebuilds its
    // set of users who block anyone from the file).
    let (blocked, _events) = client(&server.addr, "user137").await;
    let refused = blocked.send_text("alice", "after the restart").await;
    assert_eq!(refused.unwrap_err().code(), code::BLOCKED_BY_PEER);

    // Small frames: the list arrives over several pages, each within the frame.
    let mut raw = RawConn::connect(&server.addr);
    raw.hello_with(1024);
    raw.login("alice");
    let (mut listed, mut offset, mut pages) = (Vec::new(), 0, 0);
    loop {
        let page = BlocklistPage { offset, count: 100 };
        let body = raw.request(kind::BLOCKLIST, 10 + pages, &page).unwrap();
        assert!(body.len() < 1024, "a page fits the announced frame");
        pages += 1;
        let mut end = None;
        for record in Records::<UserRecord<'_>>::new(&body) {
            match record.unwrap() {
                UserRecord::Blocked { user_id } => listed.push(user_id.to_owned()),
                UserRecord::Page { next_offset, more } => end = Some((next_offset, more)),
                other => panic!("not a blocklist record: {other:?}"),
            }
        }
        match end.expect("every page ends with its Page record") {
            (next, true) => offset = next,
            (_, false) => break,
        }
    }
    assert!(pages > 2, "{pages} pages");
    let mut expected: Vec<String> = users[125..].to_vec();
    expected.extend(users[..125].iter().cloned());
    assert_eq!(listed, expected);
    drop(raw);
    server.kill();
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_blocklist_calls_get_codes_and_a_full_list_takes_no_more() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    assert_eq!(
        raw.request(kind::ADD_TO_BLOCKLIST, 2, &change("bob")),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("mallory");
    for (i, k) in (kind::ADD_TO_BLOCKLIST..=kind::BLOCKLIST).enumerate() {
        assert_eq!(
            raw.request(k, 100 + i as u32, &(7u8, 0xffu8)),
            Err(code::BAD_REQUEST),
            "kind {k:#x}"
        );
    }
    assert_eq!(
        raw.request(kind::DOWNLOAD_URL + 1, 3, &()),
        Err(code::UNSUPPORTED)
    );
    let too_many: String = (0..1001).map(|i| format!("u{i},")).collect();
    for (i, users) in ["", ",,", "ok,not|valid", "mallory", &too_many]
        .iter()
        .enumerate()
    {
        assert_eq!(
            raw.request(kind::ADD_TO_BLOCKLIST, 200 + i as u32, &change(users)),
            Err(code::INVALID_PARAMETER),
            "{users:.20}"
        );
    }
    assert_eq!(
        raw.request(kind::REMOVE_FROM_BLOCKLIST, 4, &change("bad id")),
        Err(code::INVALID_PARAMETER)
    );

    // Fill the list to its limit; the call that would pass it adds nothing.
    let thousand: String = (0..1000).map(|i| format!("u{i},")).collect();
    raw.request(kind::ADD_TO_BLOCKLIST, 5, &change(&thousand))
        .expect("a list of 1000");
    assert_eq!(
        raw.request(kind::ADD_TO_BLOCKLIST, 6, &change("u5,extra1")),
        Err(code::INVALID_PARAMETER)
    );
    let mut count = 0;
    let mut offset = 0;
    loop {
        let body = raw
            .request(kind::BLOCKLIST, 7, &BlocklistPage { offset, count: 100 })
            .unwrap();
        let mut more = false;
        for record in Records::<UserRecord<'_>>::new(&body) {
            match record.unwrap() {
                UserRecord::Blocked { user_id } => {
                    assert_ne!(user_id, "extra1");
                    count += 1;
                }
                UserRecord::Page {
                    next_offset,
                    more: m,
                } => {
                    offset = next_offset;
                    more = m;
                }
                other => panic!("not a blocklist record: {other:?}"),
            }
        }
        if !more {
            break;
        }
    }
    assert_eq!(count, 1000);
    // Making room lets the next one in, and the connection served it all.
    raw.request(kind::REMOVE_FROM_BLOCKLIST, 8, &change("u1,u2"))
        .unwrap();
    raw.request(kind::ADD_TO_BLOCKLIST, 9, &change("extra1"))
        .expect("room again");
}

/// `tim`'s view of the peer's read watermark in `conversation`, after a
/// round trip to the server (so every push sent before it was applied).
async fn peer_read(tim: &tinyim_tokio::Tim, conversation: &str) -> u64 {
    tim.message_list(conversation, 0, 1).await.unwrap();
    let list = tim.conversation_list().await.unwrap();
    let c = list.iter().find(|c| c.id == conversation).unwrap();
    c.peer_read_seq
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blocked_user_cannot_revoke_into_the_blockers_conversation_and_no_receipt_crosses_the_block(
) {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let from_bob = bob.send_text("alice", "from bob").await.unwrap();
    next_message(&mut alice_events).await;
    alice.send_text("bob", "from alice").await.unwrap();
    next_message(&mut bob_events).await;

    let (bob_saw, alice_saw) = (
        peer_read(&bob, "C2Calice").await,
        peer_read(&alice, "C2Cbob").await,
    );
    alice.add_to_blocklist(&["bob"]).await.expect("block");
    // Bob's revocation would post a notice into alice's conversation.
    let refused = bob
        .revoke_message("C2Calice", from_bob.seq)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), code::BLOCKED_BY_PEER);
    let history = alice.message_list("C2Cbob", 0, 10).await.unwrap();
    assert!(history.iter().any(|m| m.payload.text() == Some("from bob")));

    // Alice reads bob's message: bob is not told.
    alice.set_message_read("C2Cbob").await.unwrap();
    assert_eq!(peer_read(&bob, "C2Calice").await, bob_saw);
    // Bob reads alice's: alice is not told either.
    bob.set_message_read("C2Calice").await.unwrap();
    assert_eq!(peer_read(&alice, "C2Cbob").await, alice_saw);
    // Nor at a later sync, on a device that logs in afresh.
    let (bob_again, _e) = on_phone(&server.addr, "bob").await;
    assert_eq!(peer_read(&bob_again, "C2Calice").await, bob_saw);

    // Unblocked, receipts and revocations work again.
    alice.remove_from_blocklist(&["bob"]).await.unwrap();
    bob.revoke_message("C2Calice", from_bob.seq).await.unwrap();
    alice.set_message_read("C2Cbob").await.unwrap();
    assert!(peer_read(&bob, "C2Calice").await > bob_saw);
}
