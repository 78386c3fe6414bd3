#![cfg(feature = "full")]
//! TIM `deleteMessage`, scripted against the core: the request, another
//! device's push as an event, the server's placeholders for deleted
//! messages hidden from history and from missed-message fetches (their
//! seqs still delivered over, so no gap is fetched again), hostile input.

mod util;

use tinyim_core::wire::{body, kind, records};
use tinyim_core::{CommandError, Event};
use util::*;

fn deleted_in(conversation: &str, seq: u64) -> body::Message<'_> {
    body::Message {
        elem: body::Elem::Deleted,
        ..text_message(conversation, seq, "bob", "")
    }
}

#[test]
fn a_deletion_is_sent_and_another_devices_comes_as_an_event() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 3);
    let request = h.client.delete_messages(h.now, "C2Cbob", "2 3").unwrap();
    let (id, payload) = h.sent_request(kind::DELETE_MESSAGES);
    let sent: body::DeleteMessages<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.conversation, "C2Cbob");
    assert!(sent.seqs().eq([Some(2), Some(3)]));
    let events = h.feed(&ok(id, &sent));
    assert!(events.contains(&format!("RequestCompleted({request:?})")));

    let push = body::DeleteMessages {
        conversation: "C2Cbob",
        seqs: "1",
    };
    h.client
        .handle_input(h.now, &frame(kind::PUSH_MESSAGES_DELETED, &push));
    let mut seen = Vec::new();
    while let Some(event) = h.client.poll_event() {
        if let Event::MessagesDeleted(d) = event {
            seen.push((
                d.conversation.to_owned(),
                d.seqs().flatten().collect::<Vec<_>>(),
            ));
        }
    }
    assert_eq!(seen, [("C2Cbob".to_owned(), vec![1])]);
}

#[test]
fn deleted_placeholders_are_shown_nowhere_and_leave_no_gap() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    // A gap: the client fetches 2..=4, where 3 is one it deleted elsewhere.
    h.feed(&push(0, &text_message("C2Cbob", 4, "bob", "four")));
    let (id, _) = h.sent_request(kind::MESSAGE_RANGE);
    let header = body::MessagePage {
        conversation: "C2Cbob",
        base_seq: 1,
        more: false,
    };
    let records = [
        text_message("C2Cbob", 2, "bob", "two"),
        deleted_in("C2Cbob", 3),
        text_message("C2Cbob", 4, "bob", "four"),
    ];
    let events = h.feed(&page(id, &header, &records));
    let received: Vec<&String> = events
        .iter()
        .filter(|e| e.starts_with("MessageReceived"))
        .collect();
    assert_eq!(received.len(), 2, "{events:?}");
    assert!(!events.iter().any(|e| e.contains("Deleted")), "{events:?}");
    assert_eq!(h.client.conversation("C2Cbob").unwrap().delivered_seq(), 4);
    assert_eq!(h.client.conversation("C2Cbob").unwrap().preview(), "four");

    // History: the placeholder is left out.
    let request = h.client.message_list(h.now, "C2Cbob", 0, 10).unwrap();
    let (id, _) = h.sent_request(kind::MESSAGE_LIST);
    let mut newest_first = records;
    newest_first.reverse();
    let header = body::MessagePage {
        base_seq: u64::MAX,
        ..header
    };
    let events = h.feed(&page(id, &header, &newest_first));
    let history = events
        .iter()
        .filter(|e| e.starts_with("HistoryMessage"))
        .count();
    assert_eq!(history, 2, "{events:?}");
    assert!(events.iter().any(|e| e.contains(&format!("{request:?}"))));
}

#[test]
fn bad_deletions_are_refused_and_a_garbled_push_closes() {
    let mut h = Harness::logged_in();
    let refused = [
        ("nope", "1"),
        ("C2Cbob", ""),
        ("C2Cbob", "0"),
        ("C2Cbob", "one"),
        ("C2Cbob", "-1"),
    ];
    for (conversation, seqs) in refused {
        assert_eq!(
            h.client.delete_messages(h.now, conversation, seqs),
            Err(CommandError::InvalidId),
            "{conversation} {seqs:?}"
        );
    }
    let many: Vec<String> = (1..=31).map(|s| s.to_string()).collect();
    assert_eq!(
        h.client.delete_messages(h.now, "C2Cbob", &many.join(" ")),
        Err(CommandError::InvalidId)
    );
    h.feed(&frame(kind::PUSH_MESSAGES_DELETED, &7u8));
    assert!(h.client.poll_close(), "an undecodable push closes");
}
