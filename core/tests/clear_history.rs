#![cfg(feature = "full")]
//! TIM `clearHistoryMessage`, scripted against the core: the request, the
//! conversation kept with no last message and nothing unread on the answer
//! and on another device's push, and the next message shown as usual.

mod util;

use tinyim_core::wire::{body, kind, records};
use tinyim_core::CommandError;
use util::*;

fn cleared(conversation: &str) -> Vec<u8> {
    frame(
        kind::PUSH_HISTORY_CLEARED,
        &body::ConversationRef { conversation },
    )
}

#[test]
fn clearing_keeps_the_conversation_with_nothing_to_show_or_read() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    h.feed(&push(0, &text_message("C2Cbob", 3, "bob", "unread")));
    assert_eq!(h.client.total_unread(), 1);

    let request = h.client.clear_history_message(h.now, "C2Cbob").unwrap();
    let (id, payload) = h.sent_request(kind::CLEAR_HISTORY);
    let sent: body::ConversationRef<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.conversation, "C2Cbob");
    let events = h.feed(&ok(id, &sent));
    for want in [
        format!("RequestCompleted({request:?})"),
        "ConversationListUpdated".to_owned(),
        "TotalUnreadCountUpdated(0)".to_owned(),
    ] {
        assert!(events.contains(&want), "{want} in {events:?}");
    }
    let c = h.client.conversation("C2Cbob").expect("still listed");
    assert_eq!((c.preview(), c.last_from(), c.unread_count()), ("", "", 0));
    assert_eq!(c.last_seq(), 3, "the seqs stay");

    // The next message shows as usual.
    let events = h.feed(&push(0, &text_message("C2Cbob", 4, "bob", "next")));
    assert!(
        events.iter().any(|e| e.starts_with("MessageReceived")),
        "{events:?}"
    );
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((c.preview(), c.unread_count()), ("next", 1));

    assert_eq!(
        h.client.clear_history_message(h.now, "nobody"),
        Err(CommandError::InvalidId)
    );
}

#[test]
fn a_clearing_on_another_device_clears_here() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    h.feed(&push(0, &text_message("C2Cbob", 3, "bob", "unread")));
    let events = h.feed(&cleared("C2Cbob"));
    assert!(
        events.contains(&"TotalUnreadCountUpdated(0)".to_owned()),
        "{events:?}"
    );
    assert_eq!(h.client.conversation("C2Cbob").unwrap().preview(), "");
    // One it does not have: nothing happens.
    let events = h.feed(&cleared("C2Cnobody"));
    assert!(events.is_empty(), "{events:?}");
    assert!(h.client.conversation("C2Cnobody").is_none());
}
