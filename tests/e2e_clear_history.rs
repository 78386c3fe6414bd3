//! End to end: TIM `clearHistoryMessage`. The user's history of the
//! conversation is gone on every device (live, at a sync, after a restart)
//! while the other users keep theirs; the conversation stays listed with no
//! last message and nothing unread, and later messages show as usual. Real
//! server on 127.0.0.1, real SQLite file.

mod common;

use common::*;
use tinyim_core::wire::{body, kind};
use tinyim_tokio::Tim;

async fn texts(tim: &Tim, conversation: &str) -> Vec<String> {
    let page = tim.message_list(conversation, 0, 20).await.unwrap();
    page.into_iter()
        .rev()
        .map(|m| m.payload.text().unwrap_or_default().to_owned())
        .collect()
}

/// (preview, unread) of `conversation` in `tim`'s list, if listed.
async fn listed(tim: &Tim, conversation: &str) -> Option<(String, u64)> {
    let list = tim.conversation_list().await.unwrap();
    list.into_iter()
        .find(|c| c.id == conversation)
        .map(|c| (c.preview, c.unread_count))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cleared_history_is_gone_for_the_user_on_every_device_and_kept_by_the_peer() {
    let AliceOnTwoDevices {
        dir: _dir,
        server,
        desktop: (desktop, _desktop_events),
        phone: (phone, mut phone_events),
        bob: (bob, _bob_events),
    } = alice_on_two_devices(&["one", "two"]).await;
    assert_eq!(listed(&desktop, "C2Cbob").await, Some(("two".into(), 2)));

    desktop.clear_history_message("C2Cbob").await.unwrap();
    assert!(texts(&desktop, "C2Cbob").await.is_empty());
    assert_eq!(
        listed(&desktop, "C2Cbob").await,
        Some((String::new(), 0)),
        "still listed, nothing to show, nothing unread"
    );
    until_list(&phone, &mut phone_events, |list| {
        list.iter()
            .any(|c| c.id == "C2Cbob" && c.preview.is_empty() && c.unread_count == 0)
    })
    .await;
    assert!(texts(&phone, "C2Cbob").await.is_empty());
    assert_eq!(
        texts(&bob, "C2Calice").await,
        ["one", "two"],
        "bob keeps his"
    );

    // A device that syncs from scratch after a restart sees it cleared.
    let server = server.restart();
    let (later, mut later_events) = client(&server.addr, "alice").await;
    assert_eq!(listed(&later, "C2Cbob").await, Some((String::new(), 0)));
    assert!(texts(&later, "C2Cbob").await.is_empty());

    // Later messages show as usual.
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    bob.send_text("alice", "three").await.unwrap();
    receive(&mut later_events, 1).await;
    assert_eq!(texts(&later, "C2Cbob").await, ["three"]);
    assert_eq!(listed(&later, "C2Cbob").await, Some(("three".into(), 1)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_clears_a_group_history_for_themselves_only() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    group_with_a_message(&alice, &mut alice_events, (&bob, "bob"), "g-clear").await;

    alice.clear_history_message("GROUPg-clear").await.unwrap();
    assert!(texts(&alice, "GROUPg-clear").await.is_empty());
    assert!(texts(&bob, "GROUPg-clear").await.contains(&"hi".to_owned()));
    let (fresh, mut fresh_events) = client(&server.addr, "alice").await;
    assert_eq!(
        listed(&fresh, "GROUPg-clear").await,
        Some((String::new(), 0)),
        "a sync lists it with nothing to show"
    );
    bob.send_group_text("g-clear", "again").await.unwrap();
    receive(&mut fresh_events, 1).await;
    assert_eq!(texts(&fresh, "GROUPg-clear").await, ["again"]);
}

#[test]
fn hostile_clearings_get_clear_codes() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    conversation_request_refusals(&mut raw, kind::CLEAR_HISTORY);
    let target = body::ConversationRef {
        conversation: "C2Cbob",
    };
    // One alice never had, or a group she is not in: nothing to clear.
    assert!(raw.request(kind::CLEAR_HISTORY, 5, &target).is_ok());
    let group = body::ConversationRef {
        conversation: "GROUPnobody-s",
    };
    assert!(raw.request(kind::CLEAR_HISTORY, 6, &group).is_ok());
}
