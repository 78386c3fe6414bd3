#![cfg(feature = "full")]
//! TIM `setMessageRemindType` against the core: the request, the answer and
//! another device's push setting it, muted conversations left out of the
//! total unread count, a discarded conversation's new messages delivered to
//! nobody, and the setting kept across a restart.

mod util;

use tinyim_core::wire::body::{self, RemindSetting, RemindType};
use tinyim_core::wire::{kind, records};
use tinyim_core::Event;
use util::*;

fn unread_from_bob(h: &mut Harness) {
    h.know("C2Cbob", 1);
    h.feed(&push(0, &text_message("C2Cbob", 2, "bob", "two")));
    h.feed(&push(0, &text_message("C2Cbob", 3, "bob", "three")));
}

#[test]
fn a_muted_conversation_leaves_the_total_and_a_discarded_one_delivers_nothing() {
    let mut h = Harness::logged_in();
    unread_from_bob(&mut h);
    let before = h.client.total_unread();
    let own = h.client.conversation("C2Cbob").unwrap().unread_count();
    assert!(own >= 2 && before >= own, "{own} of {before}");

    let request = h
        .client
        .set_message_remind_type(h.now, "C2Cbob", RemindType::AcceptNotNotify)
        .unwrap();
    let (id, payload) = h.sent_request(kind::SET_REMIND_TYPE);
    let sent: RemindSetting<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.remind, RemindType::AcceptNotNotify);
    let events = h.feed(&ok(id, &sent));
    assert!(events.contains(&format!("RequestCompleted({request:?})")));
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!(c.remind_type(), RemindType::AcceptNotNotify);
    assert_eq!(c.unread_count(), own, "its own count stays");
    assert_eq!(
        h.client.total_unread(),
        before - own,
        "left out of the total"
    );

    // Discarded on another device: new messages advance it, reach nobody.
    let discard = RemindSetting {
        conversation: "C2Cbob",
        remind: RemindType::Discard,
    };
    h.feed(&frame(kind::PUSH_REMIND_TYPE, &discard));
    h.client
        .handle_input(h.now, &push(0, &text_message("C2Cbob", 4, "bob", "four")));
    while let Some(event) = h.client.poll_event() {
        assert!(
            !matches!(event, Event::MessageReceived(_)),
            "discarded: {event:?}"
        );
    }
    assert_eq!(h.client.conversation("C2Cbob").unwrap().last_seq(), 4);

    // Kept across a restart.
    let mut buf = [0u8; 1024];
    let n = h.client.save_sync_state(&mut buf).unwrap();
    let mut fresh = Harness::new();
    fresh.client.restore_sync_state(&buf[..n]).unwrap();
    let c = fresh.client.conversation("C2Cbob").unwrap();
    assert_eq!(c.remind_type(), RemindType::Discard);
}

#[test]
fn a_garbled_remind_push_closes() {
    let mut h = Harness::logged_in();
    h.feed(&frame(kind::PUSH_REMIND_TYPE, &7u8));
    assert!(h.client.poll_close());
    // An unknown conversation: nothing happens.
    let mut h = Harness::logged_in();
    let events = h.feed(&frame(
        kind::PUSH_REMIND_TYPE,
        &body::RemindSetting {
            conversation: "C2Cnobody",
            remind: RemindType::Discard,
        },
    ));
    assert!(events.is_empty(), "{events:?}");
}
