//! The tokio adapter's API as an application meets it, against the real
//! server: several event streams, and the getters that read the client's
//! own tables.

mod common;

use common::*;
use tinyim_tokio::{Options, Tim, TimEvent};

#[tokio::test(flavor = "multi_thread")]
async fn every_event_stream_gets_every_event() {
    let (server, _dir) = fresh_server();
    let (alice, mut first) = Tim::connect(server.addr.clone(), Options::default());
    let mut second = alice.subscribe().await.unwrap();
    alice.login("alice", &sig("alice")).await.unwrap();
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    bob.send_text("alice", "to both").await.unwrap();
    for stream in [&mut first, &mut second] {
        wait_for(stream, |e| matches!(e, TimEvent::SyncComplete)).await;
        wait_for(
            stream,
            |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("to both")),
        )
        .await;
    }
    // A dropped stream is forgotten; the others go on.
    drop(second);
    bob.send_text("alice", "to one").await.unwrap();
    wait_for(
        &mut first,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("to one")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_getters_read_the_clients_own_tables() {
    let (server, _dir) = fresh_server();
    let (alice, mut events) = Tim::connect(server.addr.clone(), Options::default());
    assert_eq!(alice.login_user().await.unwrap(), None);
    assert!(!alice.is_ready().await.unwrap());
    alice.login("alice", &sig("alice")).await.unwrap();
    wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
    assert_eq!(alice.login_user().await.unwrap().as_deref(), Some("alice"));
    assert!(alice.is_ready().await.unwrap());

    let (bob, _bob_events) = client(&server.addr, "bob").await;
    bob.send_text("alice", "one").await.unwrap();
    bob.send_text("alice", "two").await.unwrap();
    until_list(&alice, &mut events, |list| {
        list.first().is_some_and(|c| c.unread_count == 2)
    })
    .await;
    let profile = alice.conversation_profile("C2Cbob").await.unwrap().unwrap();
    assert_eq!((profile.unread_count, profile.last_seq), (2, 2));
    assert_eq!(alice.conversation_profile("C2Cnobody").await.unwrap(), None);
    assert_eq!(alice.total_unread().await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_awaited_inside_the_event_loop_is_served_however_far_behind_it_is() {
    let (server, _dir) = fresh_server();
    let (alice, mut events) = Tim::connect(server.addr.clone(), Options::default());
    alice.login("alice", &sig("alice")).await.unwrap();
    wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
    // More messages than an event stream holds, while alice reads none.
    const MESSAGES: usize = 1_500;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    for i in 0..MESSAGES {
        bob.send_text("alice", &format!("m{i}")).await.unwrap();
    }
    // The pattern that deadlocked: a call awaited for each event.
    let read_all = async {
        let mut received = 0;
        while received < MESSAGES {
            if let Some(TimEvent::MessageReceived(m)) = events.recv().await {
                assert_eq!(m.payload.text(), Some(format!("m{received}").as_str()));
                alice.set_message_read("C2Cbob").await.unwrap();
                received += 1;
            }
        }
    };
    tokio::time::timeout(PATIENCE, read_all)
        .await
        .expect("every call inside the loop was served");
    assert_eq!(alice.total_unread().await.unwrap(), 0);
}
