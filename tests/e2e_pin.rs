//! End to end: TIM `pinConversation`. A pinned conversation is listed first
//! on every device of the user (live, and at the sync of a device that
//! starts after a restart) until it is unpinned; groups too; hostile
//! requests get clear codes. Real server on 127.0.0.1, real SQLite file.

mod common;

use common::*;
use tinyim_core::wire::{body, code, kind};
use tinyim_tokio::Tim;

/// (id, pinned) in list order.
async fn listed(tim: &Tim) -> Vec<(String, bool)> {
    let list = tim.conversation_list().await.unwrap();
    list.into_iter().map(|c| (c.id, c.is_pinned)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_conversation_is_first_on_every_device_until_unpinned() {
    let AliceOnTwoDevices {
        dir: _dir,
        server,
        desktop: (desktop, mut desktop_events),
        phone: (phone, mut phone_events),
        bob: _bob,
    } = alice_on_two_devices(&["older"]).await;
    let (carol, _carol_events) = client(&server.addr, "carol").await;
    carol.send_text("alice", "newer").await.unwrap();
    receive(&mut desktop_events, 1).await;
    receive(&mut phone_events, 1).await;
    assert_eq!(
        listed(&desktop).await,
        [("C2Ccarol".to_owned(), false), ("C2Cbob".to_owned(), false)]
    );

    desktop.pin_conversation("C2Cbob", true).await.unwrap();
    assert_eq!(
        listed(&desktop).await,
        [("C2Cbob".to_owned(), true), ("C2Ccarol".to_owned(), false)]
    );
    until_list(&phone, &mut phone_events, |list| {
        list.first()
            .is_some_and(|c| c.id == "C2Cbob" && c.is_pinned)
    })
    .await;

    // A device that syncs from scratch after a restart lists it first too,
    // also after a newer message elsewhere.
    let server = server.restart();
    let (carol, _carol_events) = client(&server.addr, "carol").await;
    carol.send_text("alice", "newest").await.unwrap();
    let (later, _later_events) = client(&server.addr, "alice").await;
    assert_eq!(
        listed(&later).await,
        [("C2Cbob".to_owned(), true), ("C2Ccarol".to_owned(), false)]
    );

    later.pin_conversation("C2Cbob", false).await.unwrap();
    assert_eq!(
        listed(&later).await,
        [("C2Ccarol".to_owned(), false), ("C2Cbob".to_owned(), false)]
    );
    // Pinning what is already so changes nothing and succeeds.
    later.pin_conversation("C2Cbob", false).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_pins_a_group_conversation() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    group_with_a_message(&alice, &mut alice_events, (&bob, "bob"), "g-pin").await;
    bob.send_text("alice", "later, one to one").await.unwrap();
    receive(&mut alice_events, 1).await;
    alice.pin_conversation("GROUPg-pin", true).await.unwrap();
    let (fresh, _fresh_events) = client(&server.addr, "alice").await;
    assert_eq!(
        listed(&fresh).await.first(),
        Some(&("GROUPg-pin".to_owned(), true))
    );
    // Only for alice: bob's list is his own.
    assert!(listed(&bob).await.iter().all(|(_, pinned)| !pinned));
}

#[test]
fn hostile_pins_get_clear_codes() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let pin = |conversation| body::PinConversation {
        conversation,
        pinned: true,
    };
    assert_eq!(
        raw.request(kind::PIN_CONVERSATION, 2, &pin("C2Cbob")),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("alice");
    assert_eq!(
        raw.request(kind::PIN_CONVERSATION, 3, &pin("not a conversation")),
        Err(code::BAD_CONVERSATION)
    );
    assert_eq!(
        raw.request(kind::PIN_CONVERSATION, 4, &7u8),
        Err(code::BAD_REQUEST)
    );
    assert_eq!(
        raw.request(kind::PIN_CONVERSATION, 5, &pin("C2Cbob")),
        Err(code::INVALID_PARAMETER),
        "no conversation yet"
    );
    assert_eq!(
        raw.request(kind::PIN_CONVERSATION, 6, &pin("GROUPnot-mine")),
        Err(code::INVALID_PARAMETER),
        "not a member"
    );
}
