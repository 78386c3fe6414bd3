//! End to end: TIM `MESSAGE_READ_BY_PEER`. When one user of a one-to-one
//! conversation reads it, the other is told, live or at the next sync, and
//! the watermark is kept across a server restart. Real server on 127.0.0.1,
//! real SQLite file.

mod common;

use common::*;
use tinyim_tokio::{ConversationInfo, GroupOptions, GroupType, Options, Tim, TimEvent};

fn read_by_peer(conversation: &str, seq: u64) -> TimEvent {
    TimEvent::MessageReadByPeer {
        conversation_id: conversation.to_owned(),
        peer_read_seq: seq,
    }
}

async fn listed(tim: &Tim, id: &str) -> ConversationInfo {
    let list = tim.conversation_list().await.unwrap();
    list.into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} not listed"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sender_is_told_when_the_peer_reads() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;

    for text in ["one", "two"] {
        alice.send_text("bob", text).await.unwrap();
    }
    receive(&mut bob_events, 2).await;
    assert_eq!(
        listed(&alice, "C2Cbob").await.peer_read_seq,
        0,
        "not read yet"
    );

    bob.set_message_read("C2Calice").await.unwrap();
    let want = read_by_peer("C2Cbob", 2);
    wait_for(&mut alice_events, |e| *e == want).await;
    assert_eq!(listed(&alice, "C2Cbob").await.peer_read_seq, 2);
    // alice's sends count as her reading up to them.
    assert_eq!(listed(&bob, "C2Calice").await.peer_read_seq, 2);

    // Group conversations have no peer.
    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some("g-read".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    alice.send_group_text("g-read", "hello").await.unwrap();
    bob.set_message_read("GROUPg-read").await.unwrap();
    assert_eq!(listed(&alice, "GROUPg-read").await.peer_read_seq, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sender_away_during_the_read_learns_it_at_the_sync_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinyim.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    {
        let (alice, _events) = client(&server.addr, "alice").await;
        for text in ["one", "two", "three"] {
            alice.send_text("bob", text).await.unwrap();
        }
        alice.shutdown().await;
    }
    {
        // Synced: bob's client knows the three messages.
        let (bob, _events) = client(&server.addr, "bob").await;
        bob.set_message_read("C2Calice").await.unwrap();
    }
    server.kill();
    let server = ServerProcess::start(&db, "127.0.0.1:0");

    // Not `client()`: the event may come before the sync completes.
    let (alice, mut alice_events) = Tim::connect(server.addr.clone(), Options::default());
    alice.login("alice", &sig("alice")).await.unwrap();
    let want = read_by_peer("C2Cbob", 3);
    wait_for(&mut alice_events, |e| *e == want).await;
    assert_eq!(listed(&alice, "C2Cbob").await.peer_read_seq, 3);
}
