#![cfg(feature = "full")]
//! TIM `pinConversation`, scripted against the core: the request and its
//! answer, pinned conversations first in the list, the push from another
//! device, the sync summary, and the saved sync state.

mod util;

use tinyim_core::wire::{body, kind, records};
use tinyim_core::CommandError;
use util::*;

fn pin(conversation: &str, pinned: bool) -> body::PinConversation<'_> {
    body::PinConversation {
        conversation,
        pinned,
    }
}

/// The conversation ids in list order.
fn order(h: &Harness) -> Vec<String> {
    (0..)
        .map_while(|i| h.client.conversation_at(i))
        .map(|c| c.id().to_owned())
        .collect()
}

#[test]
fn a_pinned_conversation_is_listed_first_once_the_server_keeps_it() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.know("C2Ccarol", 1);
    h.feed(&push(0, &text_message("C2Ccarol", 2, "carol", "newer")));
    assert_eq!(order(&h), ["C2Ccarol", "C2Cbob"]);

    let request = h.client.pin_conversation(h.now, "C2Cbob", true).unwrap();
    let (id, payload) = h.sent_request(kind::PIN_CONVERSATION);
    let sent: body::PinConversation<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent, pin("C2Cbob", true));
    assert_eq!(order(&h), ["C2Ccarol", "C2Cbob"], "not before the answer");
    let events = h.feed(&ok(id, &sent));
    assert!(
        events.contains(&format!("RequestCompleted({request:?})")),
        "{events:?}"
    );
    assert!(events.contains(&"ConversationListUpdated".to_owned()));
    assert!(h.client.conversation("C2Cbob").unwrap().is_pinned());
    assert_eq!(order(&h), ["C2Cbob", "C2Ccarol"]);

    assert_eq!(
        h.client.pin_conversation(h.now, "bob", true),
        Err(CommandError::InvalidId)
    );
}

#[test]
fn pins_from_another_device_and_from_a_sync_apply_and_survive_a_reboot() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.know("C2Ccarol", 2);
    let events = h.feed(&frame(kind::PUSH_CONVERSATION_PINNED, &pin("C2Cbob", true)));
    assert!(events.contains(&"ConversationListUpdated".to_owned()));
    assert_eq!(order(&h)[0], "C2Cbob");
    // Unknown conversations are left alone.
    let events = h.feed(&frame(
        kind::PUSH_CONVERSATION_PINNED,
        &pin("C2Cdave", true),
    ));
    assert!(events.is_empty(), "{events:?}");

    // At a sync: bob was unpinned and carol pinned elsewhere.
    let sync = h.reconnect_until_sync();
    let summary = |conversation, pinned| body::ConversationSummary {
        conversation,
        last_seq: 2,
        read_seq: 2,
        uncounted: 0,
        last_time_ms: 1_002,
        last_from: "x",
        preview: "x",
        peer_read_seq: 0,
        deleted: false,
        pinned,
        remind: body::RemindType::AcceptAndNotify,
        marks: 0,
        data_digest: 0,
    };
    h.feed(&sync_page(
        sync,
        30,
        &[summary("C2Cbob", false), summary("C2Ccarol", true)],
    ));
    assert!(!h.client.conversation("C2Cbob").unwrap().is_pinned());
    assert_eq!(order(&h)[0], "C2Ccarol");

    // A rebooted device restores it.
    let mut buf = [0u8; 1024];
    let n = h.client.save_sync_state(&mut buf).unwrap();
    let mut rebooted = Harness::new();
    rebooted.client.restore_sync_state(&buf[..n]).unwrap();
    assert!(rebooted
        .client
        .conversation("C2Ccarol")
        .unwrap()
        .is_pinned());
    assert!(!rebooted.client.conversation("C2Cbob").unwrap().is_pinned());
}
