//! End to end: two users chat through the real server binary.

mod common;

use common::*;
use tinyim_tokio::{Flow, Options, Tim, TimError, TimEvent};

#[tokio::test(flavor = "multi_thread")]
async fn two_users_chat_live_with_unread_counts() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;

    let sent = alice.send_text("bob", "hi bob").await.unwrap();
    assert_eq!(sent.seq, 1);
    let got = receive(&mut bob_events, 1).await;
    assert_eq!(got[0].conversation_id, "C2Calice");
    assert_eq!(got[0].payload.text(), Some("hi bob"));
    assert_eq!(
        (got[0].seq, got[0].flow, got[0].from.as_str()),
        (1, Flow::In, "alice")
    );

    // Bob has one unread; reading clears it on the server too.
    assert_eq!(bob.total_unread().await.unwrap(), 1);
    let list = bob.conversation_list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].id.as_str(),
            list[0].unread_count,
            list[0].preview.as_str()
        ),
        ("C2Calice", 1, "hi bob")
    );
    bob.set_message_read("C2Calice").await.unwrap();
    assert_eq!(bob.total_unread().await.unwrap(), 0);

    // The reply shares the conversation's sequence.
    let reply = bob.send_text("alice", "hello alice").await.unwrap();
    assert_eq!(reply.seq, 2);
    let history = alice.message_list("C2Cbob", 0, 10).await.unwrap();
    let texts: Vec<_> = history
        .iter()
        .map(|m| (m.seq, m.payload.text().unwrap().to_owned()))
        .collect();
    assert_eq!(
        texts,
        [(2, "hello alice".to_owned()), (1, "hi bob".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_sent_while_offline_arrive_at_login_in_order() {
    let (server, _dir) = fresh_server();
    let (alice, _events) = client(&server.addr, "alice").await;
    for i in 1..=5 {
        alice
            .send_text("bob", &format!("offline {i}"))
            .await
            .unwrap();
    }
    let (bob, mut bob_events) = Tim::connect(server.addr.clone(), Options::default());
    bob.login("bob", &sig("bob")).await.unwrap();
    let got = receive(&mut bob_events, 5).await;
    let seqs: Vec<u64> = got.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_eq!(got[4].payload.text(), Some("offline 5"));
    wait_for(&mut bob_events, |e| *e == TimEvent::SyncComplete).await;
    assert_eq!(bob.total_unread().await.unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn second_login_on_the_same_device_class_kicks_the_first() {
    let (server, _dir) = fresh_server();
    let (_first, mut first_events) = client(&server.addr, "alice").await;
    let (second, _second_events) = client(&server.addr, "alice").await;
    wait_for(&mut first_events, |e| {
        *e == TimEvent::KickedOut(tinyim_tokio::KickReason::MultiDevice)
    })
    .await;
    wait_for(&mut first_events, |e| *e == TimEvent::SdkNotReady).await;
    // The newer session works.
    second.send_text("bob", "still here").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_before_login_are_refused_at_once() {
    let (server, _dir) = fresh_server();
    let (tim, _events) = Tim::connect(server.addr.clone(), Options::default());
    let err = tim.send_text("bob", "too early").await.unwrap_err();
    assert_eq!(
        err,
        TimError::Command(tinyim_core::CommandError::NotLoggedIn)
    );
    assert_eq!(err.code(), 2024);
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_ends_the_session_and_fails_nothing_silently() {
    let (server, _dir) = fresh_server();
    let (alice, mut events) = client(&server.addr, "alice").await;
    alice.logout().await.unwrap();
    wait_for(&mut events, |e| *e == TimEvent::SdkNotReady).await;
    let err = alice.send_text("bob", "after logout").await.unwrap_err();
    assert_eq!(err.code(), 2024);
    // Logging in again works on the same client.
    alice.login("alice", &sig("alice")).await.unwrap();
    alice.send_text("bob", "back").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_conversation_list_reads_most_recent_first() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    for sender in ["bob", "carol", "dave"] {
        let (peer, _events) = client(&server.addr, sender).await;
        peer.send_text("alice", "hi").await.unwrap();
    }
    receive(&mut alice_events, 3).await;
    let list = alice.conversation_list().await.unwrap();
    let mut ids: Vec<&str> = list.iter().map(|c| c.id.as_str()).collect();
    // Newest last message first (they arrived bob, carol, dave).
    assert!(
        list.windows(2)
            .all(|w| w[0].last_time_ms >= w[1].last_time_ms),
        "{list:?}"
    );
    assert_eq!(ids.first(), Some(&"C2Cdave"), "{list:?}");
    ids.sort();
    assert_eq!(ids, ["C2Cbob", "C2Ccarol", "C2Cdave"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_events_read_as_a_futures_stream() {
    use futures_util::StreamExt;
    let (server, _dir) = fresh_server();
    let (alice, events) = tinyim_tokio::Tim::connect(&server.addr, Default::default());
    alice.login("alice", &sig("alice")).await.unwrap();
    let mut synced =
        events.filter(|e| std::future::ready(*e == tinyim_tokio::TimEvent::SyncComplete));
    let first = tokio::time::timeout(PATIENCE, synced.next()).await.unwrap();
    assert_eq!(first, Some(tinyim_tokio::TimEvent::SyncComplete));
}
