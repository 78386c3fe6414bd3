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
    assert_eq!(alice.server_time_ms().await.unwrap(), None);
    assert_eq!(alice.user_sig_expires_at().await.unwrap(), None);
    let before_ms = unix_now() * 1000;
    // A UserSig made now for an hour: the server says it ends then.
    let issued = unix_now();
    let user_sig = tinyim_server::usersig::mint(APP_ID, KEY, "alice", 3600, issued);
    alice.login("alice", &user_sig).await.unwrap();
    wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
    assert_eq!(alice.login_user().await.unwrap().as_deref(), Some("alice"));
    assert!(alice.is_ready().await.unwrap());
    assert_eq!(
        alice.user_sig_expires_at().await.unwrap(),
        Some(issued + 3600)
    );
    let server_ms = alice
        .server_time_ms()
        .await
        .unwrap()
        .expect("known after the handshake");
    assert!(
        server_ms >= before_ms,
        "the server's clock, not a count from zero"
    );

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

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_send_says_its_id_once_and_can_be_sent_again_with_it() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    alice.add_to_blocklist(&["bob"]).await.unwrap();

    let failed = bob.send_text("alice", "let me in").await.unwrap_err();
    let tinyim_tokio::TimError::SendFailed { client_msg_id, .. } = failed else {
        panic!("not a send failure: {failed:?}");
    };
    assert_eq!(failed.code(), 20007);
    assert!(!failed.is_retryable(), "blocked stays blocked");
    assert!(
        failed.to_string().contains(&client_msg_id.to_string()),
        "{failed}"
    );
    // Reported once: the call's error, no event beside it (the next event
    // bob sees is alice's message).
    alice.send_text("bob", "marker").await.unwrap();
    let next = wait_for(&mut bob_events, |e| {
        matches!(
            e,
            TimEvent::MessageReceived(_) | TimEvent::MessageFailed { .. }
        )
    })
    .await;
    assert!(matches!(next, TimEvent::MessageReceived(_)), "{next:?}");

    // Unblocked, the same message again with its id: stored once.
    alice.remove_from_blocklist(&["bob"]).await.unwrap();
    let sent = bob
        .send_text_with_id("alice", "let me in", client_msg_id)
        .await
        .unwrap();
    let again = bob
        .send_text_with_id("alice", "let me in", client_msg_id)
        .await
        .unwrap();
    assert_eq!((sent.client_msg_id, again.seq), (client_msg_id, sent.seq));
    let got = wait_for(&mut alice_events, |e| {
        matches!(e, TimEvent::MessageReceived(_))
    })
    .await;
    let TimEvent::MessageReceived(m) = got else {
        unreachable!()
    };
    assert_eq!((m.payload.text(), m.seq), (Some("let me in"), sent.seq));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_usersig_about_to_expire_is_told_of_ahead_of_time() {
    let (server, _dir) = fresh_server();
    let (alice, mut events) = Tim::connect(server.addr.clone(), Options::default());
    // Five minutes and a second left: the warning comes a second after.
    let issued = unix_now();
    let user_sig = tinyim_server::usersig::mint(APP_ID, KEY, "alice", 301, issued);
    alice.login("alice", &user_sig).await.unwrap();
    let warned = wait_for(&mut events, |e| {
        matches!(e, TimEvent::UserSigExpiring { .. })
    })
    .await;
    assert_eq!(
        warned,
        TimEvent::UserSigExpiring {
            expires_at: issued + 301
        }
    );
}
