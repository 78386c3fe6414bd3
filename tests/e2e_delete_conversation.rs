//! End to end: TIM `deleteConversation`. The conversation leaves the list
//! on every device of the user (live, at the next sync, after a restart),
//! its unread count is cleared, its history stays, and the next message
//! brings it back. Real server on 127.0.0.1, real SQLite file.

mod common;

use common::*;
use tinyim_core::wire::{body, kind};
use tinyim_tokio::Tim;

async fn listed(tim: &Tim) -> Vec<(String, u64)> {
    let list = tim.conversation_list().await.unwrap();
    list.into_iter().map(|c| (c.id, c.unread_count)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_conversation_leaves_every_device_and_the_next_message_brings_it_back() {
    let AliceOnTwoDevices {
        dir: _dir,
        server,
        desktop: (desktop, _desktop_events),
        phone: (phone, mut phone_events),
        bob: _bob,
    } = alice_on_two_devices(&["one", "two"]).await;
    assert_eq!(desktop.total_unread().await.unwrap(), 2);

    desktop.delete_conversation("C2Cbob").await.unwrap();
    assert!(listed(&desktop).await.is_empty());
    assert_eq!(
        desktop.total_unread().await.unwrap(),
        0,
        "its unread goes too"
    );
    // The other device is told.
    until_list(&phone, &mut phone_events, |list| {
        list.iter().all(|c| c.id != "C2Cbob")
    })
    .await;
    // Deleting again, or a conversation never had, changes nothing.
    desktop.delete_conversation("C2Cbob").await.unwrap();
    desktop.delete_conversation("C2Cnobody").await.unwrap();

    // A device that syncs from scratch after a restart does not list it.
    let server = server.restart();
    let (later, mut later_events) = client(&server.addr, "alice").await;
    assert!(listed(&later).await.is_empty());
    let (bob, _bob_events) = client(&server.addr, "bob").await;

    // The next message brings it back, with only itself unread, and the
    // history is all there.
    bob.send_text("alice", "three").await.unwrap();
    receive(&mut later_events, 1).await;
    assert_eq!(listed(&later).await, [("C2Cbob".to_owned(), 1)]);
    let texts: Vec<_> = later
        .message_list("C2Cbob", 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.payload.text().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(texts, ["three", "two", "one"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_group_conversation_comes_back_with_the_next_group_message() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    group_with_a_message(&alice, &mut alice_events, (&bob, "bob"), "g-del").await;

    alice.delete_conversation("GROUPg-del").await.unwrap();
    assert!(!listed(&alice).await.iter().any(|(c, _)| c == "GROUPg-del"));
    let (fresh, mut fresh_events) = client(&server.addr, "alice").await;
    assert!(
        !listed(&fresh).await.iter().any(|(c, _)| c == "GROUPg-del"),
        "not at a sync either"
    );
    assert_eq!(
        fresh.group_list().await.unwrap().len(),
        1,
        "still a member of the group"
    );

    bob.send_group_text("g-del", "again").await.unwrap();
    receive(&mut fresh_events, 1).await;
    assert_eq!(
        listed(&fresh)
            .await
            .into_iter()
            .find(|(c, _)| c == "GROUPg-del"),
        Some(("GROUPg-del".to_owned(), 1))
    );
}

#[test]
fn hostile_deletions_get_clear_codes() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    conversation_request_refusals(&mut raw, kind::DELETE_CONVERSATION);
    let target = body::ConversationRef {
        conversation: "C2Cbob",
    };
    // The refusals left the connection serving: a valid deletion (of a
    // conversation alice never had) is answered.
    assert!(raw.request(kind::DELETE_CONVERSATION, 5, &target).is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn several_conversations_go_at_once_with_their_histories_if_asked() {
    let data = alice_on_two_devices(&["hi from bob"]).await;
    let (desktop, phone, bob) = (&data.desktop.0, &data.phone.0, &data.bob.0);
    let (carol, _carol_events) = client(&data.server.addr, "carol").await;
    carol.send_text("alice", "hi from carol").await.unwrap();
    until_listed(phone, 2).await;

    desktop
        .delete_conversations(&["C2Cbob", "C2Ccarol"], true)
        .await
        .unwrap();
    assert!(listed(desktop).await.is_empty());
    until_listed(phone, 0).await;
    for conversation in ["C2Cbob", "C2Ccarol"] {
        assert!(
            phone
                .message_list(conversation, 0, 10)
                .await
                .unwrap()
                .is_empty(),
            "{conversation}: the history ended for alice"
        );
    }
    let bobs = bob.message_list("C2Calice", 0, 10).await.unwrap();
    assert_eq!(bobs.len(), 1, "bob keeps his");

    bob.send_text("alice", "again").await.unwrap();
    until_listed(desktop, 1).await;
    let history = desktop.message_list("C2Cbob", 0, 10).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter_map(|m| m.payload.text())
            .collect::<Vec<_>>(),
        ["again"],
        "back with the new message only"
    );
}

/// Waits until `tim` lists `n` conversations.
async fn until_listed(tim: &Tim, n: usize) {
    tokio::time::timeout(PATIENCE, async {
        while listed(tim).await.len() != n {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the list reaches its length");
}

#[test]
fn hostile_lists_of_deletions_get_clear_codes() {
    use tinyim_core::wire::code;
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let delete = |conversations| body::DeleteConversations {
        conversations,
        clear_history: true,
    };
    assert_eq!(
        raw.request(kind::DELETE_CONVERSATIONS, 1, &delete("C2Cbob"))
            .map(drop),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("mallory");
    let many: String = (0..101).map(|i| format!("C2Cu{i} ")).collect();
    for (id, list, want) in [
        (2, "", code::INVALID_PARAMETER),
        (3, many.as_str(), code::INVALID_PARAMETER),
        (4, "C2Cbob nonsense", code::BAD_CONVERSATION),
    ] {
        assert_eq!(
            raw.request(kind::DELETE_CONVERSATIONS, id, &delete(list))
                .map(drop),
            Err(want),
            "{list:.20}"
        );
    }
    // Conversations that never were: nothing to delete, no error.
    assert_eq!(
        raw.request(kind::DELETE_CONVERSATIONS, 5, &delete("C2Cbob C2Ccarol"))
            .map(drop),
        Ok(())
    );
}
