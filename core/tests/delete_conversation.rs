#![cfg(feature = "full")]
//! TIM `deleteConversation`, scripted against the core: the request, the
//! conversation leaving the table on the answer, on another device's push
//! and at a sync, a message bringing it back, and hostile input.

mod util;

use tinyim_core::wire::{body, kind, records};
use tinyim_core::CommandError;
use util::*;

fn deleted(conversation: &str) -> Vec<u8> {
    frame(
        kind::PUSH_CONVERSATION_DELETED,
        &body::ConversationRef { conversation },
    )
}

#[test]
fn a_deletion_removes_the_conversation_once_the_server_keeps_it() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    h.feed(&push(0, &text_message("C2Cbob", 3, "bob", "unread")));
    assert_eq!(h.client.total_unread(), 1);

    let request = h.client.delete_conversation(h.now, "C2Cbob").unwrap();
    let (id, payload) = h.sent_request(kind::DELETE_CONVERSATION);
    let sent: body::ConversationRef<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.conversation, "C2Cbob");
    assert!(
        h.client.conversation("C2Cbob").is_some(),
        "kept until the server answers"
    );

    let events = h.feed(&ok(id, &sent));
    assert!(h.client.conversation("C2Cbob").is_none());
    assert_eq!(h.client.total_unread(), 0);
    for want in [
        format!("RequestCompleted({request:?})"),
        "ConversationListUpdated".to_owned(),
        "TotalUnreadCountUpdated(0)".to_owned(),
    ] {
        assert!(events.contains(&want), "{want} in {events:?}");
    }

    // The next message brings it back.
    let events = h.feed(&push(3, &text_message("C2Cbob", 4, "bob", "back")));
    assert!(h.client.conversation("C2Cbob").is_some(), "{events:?}");
}

#[test]
fn a_deletion_on_another_device_or_at_a_sync_removes_it_here() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.know("C2Ccarol", 1);
    let events = h.feed(&deleted("C2Cbob"));
    assert!(h.client.conversation("C2Cbob").is_none());
    assert!(events.contains(&"ConversationListUpdated".to_owned()));
    // One it does not have: nothing happens.
    let events = h.feed(&deleted("C2Cnobody"));
    assert!(events.is_empty(), "{events:?}");

    // At a sync: a deleted one goes, and one not in the table is not added.
    let sync = h.reconnect_until_sync();
    let summary = |conversation| body::ConversationSummary {
        conversation,
        last_seq: 1,
        read_seq: 1,
        uncounted: 0,
        last_time_ms: 1_001,
        last_from: "x",
        preview: "x",
        peer_read_seq: 0,
        deleted: true,
        pinned: false,
        remind: body::RemindType::AcceptAndNotify,
        marks: 0,
        data_digest: 0,
    };
    h.feed(&sync_page(
        sync,
        30,
        &[summary("C2Ccarol"), summary("C2Cdave")],
    ));
    assert!(h.client.conversation("C2Ccarol").is_none());
    assert!(h.client.conversation("C2Cdave").is_none());
}

#[test]
fn a_fetch_running_when_the_conversation_is_deleted_does_not_bring_it_back() {
    let mut h = Harness::logged_in();
    // A message of a conversation new to the client starts a fetch of what
    // it missed.
    h.feed(&push(0, &text_message("C2Cbob", 5, "bob", "new")));
    let (fetch, _) = h.sent_request(kind::MESSAGE_RANGE);
    h.feed(&deleted("C2Cbob"));
    assert!(h.client.conversation("C2Cbob").is_none());

    // The fetch's answer arrives after the deletion: nothing of it shows.
    let old = [
        text_message("C2Cbob", 4, "bob", "old"),
        text_message("C2Cbob", 5, "bob", "new"),
    ];
    let events = h.feed(&page(
        fetch,
        &body::MessagePage {
            conversation: "C2Cbob",
            base_seq: 3,
            more: false,
        },
        &old,
    ));
    assert!(h.client.conversation("C2Cbob").is_none(), "{events:?}");
    assert!(
        !events.iter().any(|e| e.starts_with("MessageReceived")),
        "{events:?}"
    );
    assert!(
        !h.client.poll_close(),
        "an answer it forgot is not an error"
    );
}

#[test]
fn bad_deletions_are_refused_and_a_garbled_push_closes() {
    let mut h = Harness::logged_in();
    assert_eq!(
        h.client.delete_conversation(h.now, "nope"),
        Err(CommandError::InvalidId)
    );
    h.feed(&frame(kind::PUSH_CONVERSATION_DELETED, &7u8));
    assert!(h.client.poll_close(), "an undecodable push closes");

    let mut fresh = Harness::new();
    assert_eq!(
        fresh.client.delete_conversation(fresh.now, "C2Cbob"),
        Err(CommandError::NotLoggedIn)
    );
}

#[test]
fn several_conversations_go_in_one_request_and_bad_lists_are_refused_before_sending() {
    let mut h = Harness::logged_in();
    let request = h
        .client
        .delete_conversations(h.now, "C2Cbob GROUPg,1", true)
        .unwrap();
    let (id, payload) = h.sent_request(kind::DELETE_CONVERSATIONS);
    let sent: body::DeleteConversations<'_> = records::decode_exact(&payload).unwrap();
    assert!(
        sent.ids().eq(["C2Cbob", "GROUPg,1"]),
        "a group id may hold a comma"
    );
    assert!(sent.clear_history);
    let events = h.feed(&ok(id, &()));
    assert!(
        events.contains(&format!("RequestCompleted({request:?})")),
        "{events:?}"
    );
    let many: String = (0..101).map(|i| format!("C2Cu{i} ")).collect();
    for bad in ["", "  ", "C2Cbob nonsense", &many] {
        assert_eq!(
            h.client.delete_conversations(h.now, bad, false),
            Err(CommandError::InvalidId),
            "{bad:.20}"
        );
    }
    assert!(h.sent().is_empty(), "nothing went out");
}
