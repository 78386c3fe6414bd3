#![cfg(feature = "full")]
//! TIM `revokeMessage`, scripted against the core: the request and its
//! answers, the notice that tells every device (live, and fetched after a
//! reconnect by a device that had shown the message), the revoked
//! placeholder in history, and hostile input.

mod util;

use tinyim_core::wire::{body, code, kind, records};
use tinyim_core::{CommandError, Elem};
use util::*;

fn notice<'a>(conversation: &'a str, seq: u64, revoked: u64, by: &'a str) -> body::Message<'a> {
    body::Message {
        elem: Elem::RevokeNotice { seq: revoked },
        client_msg_id: 0,
        ..text_message(conversation, seq, by, "")
    }
}

/// Whether `events` report the revocation of `revoked` in `conversation` by `by`.
fn told(events: &[String], conversation: &str, revoked: u64, by: &str) -> bool {
    events.iter().any(|e| {
        e.starts_with("MessageRevoked(")
            && e.contains(&format!("conversation_id: {conversation:?}"))
            && e.contains(&format!("from: {by:?}"))
            && e.contains(&format!("RevokeNotice {{ seq: {revoked} }}"))
    })
}

#[test]
fn a_revocation_is_sent_and_completes_or_fails_with_the_servers_code() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 3);
    let request = h.client.revoke_message(h.now, "C2Cbob", 2).unwrap();
    let (id, payload) = h.sent_request(kind::REVOKE_MESSAGE);
    let sent: body::MessageRef<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((sent.conversation, sent.seq), ("C2Cbob", 2));
    let events = h.feed(&ok(id, &sent));
    assert!(
        events.contains(&format!("RequestCompleted({request:?})")),
        "{events:?}"
    );

    let late = h.client.revoke_message(h.now, "C2Cbob", 1).unwrap();
    let (id, _) = h.sent_request(kind::REVOKE_MESSAGE);
    let events = h.feed(&frame(
        kind::RESPONSE_ERR,
        &(
            id,
            body::ErrorBody {
                code: code::REVOKE_TIME_LIMIT,
                message: "too old",
            },
        ),
    ));
    let failed = format!(
        "RequestFailed {{ request: {late:?}, error: Server({}), message: \"too old\" }}",
        code::REVOKE_TIME_LIMIT
    );
    assert!(events.contains(&failed), "{events:?}");

    assert_eq!(
        h.client.revoke_message(h.now, "bob", 1),
        Err(CommandError::InvalidId)
    );
}

#[test]
fn the_notice_reaches_the_application_and_the_list() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    let events = h.feed(&push(0, &notice("C2Cbob", 3, 2, "bob")));
    assert!(told(&events, "C2Cbob", 2, "bob"), "{events:?}");
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((c.last_seq(), c.preview()), (3, "[a message was revoked]"));
}

#[test]
fn a_device_that_had_shown_the_message_learns_at_its_next_sync() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    let sync = h.reconnect_until_sync();
    // Revoked while this device was away: the conversation moved by one.
    h.feed(&sync_page(
        sync,
        40,
        &[body::ConversationSummary {
            preview: "[a message was revoked]",
            ..summary("C2Cbob", 3, 0)
        }],
    ));
    let (fetch, payload) = h.sent_request(kind::MESSAGE_RANGE);
    let range: body::MessageRange<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(range.start, body::RangeStart::AfterSeq(2));
    let events = h.feed(&page(
        fetch,
        &body::MessagePage {
            conversation: "C2Cbob",
            base_seq: 2,
            more: false,
        },
        &[notice("C2Cbob", 3, 2, "bob")],
    ));
    assert!(told(&events, "C2Cbob", 2, "bob"), "{events:?}");
}

#[test]
fn history_shows_a_revoked_message_as_revoked() {
    let mut h = Harness::logged_in();
    let request = h.client.message_list(h.now, "C2Cbob", 0, 10).unwrap();
    let (id, _) = h.sent_request(kind::MESSAGE_LIST);
    let revoked = body::Message {
        elem: Elem::Revoked { by: "bob" },
        ..text_message("C2Cbob", 2, "bob", "")
    };
    let history = h.feed(&page(
        id,
        &body::MessagePage {
            conversation: "C2Cbob",
            base_seq: 0,
            more: false,
        },
        &[notice("C2Cbob", 3, 2, "bob"), revoked],
    ));
    let shown = |want: &str| {
        history
            .iter()
            .any(|e| e.starts_with("HistoryMessage") && e.contains(want))
    };
    assert!(shown("Revoked { by: \"bob\" }"), "{history:?}");
    assert!(shown("RevokeNotice { seq: 2 }"), "{history:?}");
    assert!(
        history.contains(&format!("RequestCompleted({request:?})")),
        "{history:?}"
    );
}

#[test]
fn the_client_refuses_to_send_what_only_the_server_makes() {
    let mut h = Harness::logged_in();
    for elem in [
        Elem::RevokeNotice { seq: 1 },
        Elem::Revoked { by: "bob" },
        Elem::TooLarge { size: 1 },
    ] {
        let message = tinyim_core::OutgoingMessage {
            elem,
            ..tinyim_core::OutgoingMessage::text("bob", "")
        };
        assert_eq!(
            h.client.send_message(h.now, &message),
            Err(CommandError::NotSendable)
        );
    }
    assert!(h.sent().is_empty(), "nothing was sent");
}
