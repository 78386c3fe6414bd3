#![cfg(feature = "full")]
//! The client core's media and other element kinds, driven by a scripted
//! server: what a send puts on the wire, how a received one reaches the
//! application and what the conversation list shows for it.

mod util;

use tinyim_core::wire::body::{self, Elem, Merger, MessageExtra, Video};
use tinyim_core::wire::extra::MAX_CLOUD_CUSTOM_DATA;
use tinyim_core::wire::merger::MergedMessages;
use tinyim_core::wire::{kind, records};
use tinyim_core::{CommandError, Event, OutgoingMessage};
use util::*;

#[test]
fn media_sends_carry_their_url_and_received_media_arrive_whole() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let image = OutgoingMessage::image("bob", "https://cdn.example/cat.png", 640, 480, 5000);
    h.client.send_message(h.now, &image).unwrap();
    let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
    let sent: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((sent.conversation, sent.elem), ("C2Cbob", image.elem));

    let file = Elem::File {
        url: "https://cdn.example/notes.txt",
        name: "notes.txt",
        size: 14,
        uuid: "f-1",
    };
    let incoming = body::Message {
        elem: file,
        ..text_message("C2Cbob", 2, "bob", "")
    };
    h.client.handle_input(h.now, &push(0, &incoming));
    let mut received = 0;
    while let Some(event) = h.client.poll_event() {
        if let Event::MessageReceived(m) = event {
            assert_eq!((m.seq, m.elem), (2, file));
            received += 1;
        }
    }
    assert_eq!(received, 1);
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((c.last_seq(), c.preview()), (2, "notes.txt"));

    let picture = body::Message {
        elem: OutgoingMessage::image("alice", "https://cdn.example/dog.png", 1, 1, 9).elem,
        ..text_message("C2Cbob", 3, "bob", "")
    };
    h.feed(&push(0, &picture));
    assert_eq!(
        h.client.conversation("C2Cbob").unwrap().preview(),
        "[image]"
    );
}

#[test]
fn every_kind_of_element_and_the_fields_beside_it_reach_the_application() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let mut merged_buf = [0u8; 128];
    let quoted = body::Message {
        extra: MessageExtra::with_cloud_custom_data("{\"q\":1}").stamped("Bob", "https://a", ""),
        ..text_message("C2Cbob", 2, "bob", "lunch?")
    };
    h.client.handle_input(h.now, &push(0, &quoted));
    let mut messages = None;
    while let Some(event) = h.client.poll_event() {
        if let Event::MessageReceived(view) = event {
            assert_eq!(view.extra, quoted.extra);
            let both = [view.merged(), view.merged()];
            messages = Some(MergedMessages::write(&mut merged_buf, both).unwrap());
        }
    }
    let messages = messages.expect("the first message");
    let elems = [
        OutgoingMessage::face("bob", 4, "smile").elem,
        OutgoingMessage::location("bob", "the quay", 4.3517, 50.8503).elem,
        OutgoingMessage::sound("bob", "https://cdn.example/v.ogg", 900, 3).elem,
        OutgoingMessage::video(
            "bob",
            Video {
                url: "https://cdn.example/v.mp4",
                format: "mp4",
                seconds: 9,
                ..Video::default()
            },
        )
        .elem,
        OutgoingMessage::merger(
            "bob",
            Merger {
                title: "bob's lunch",
                abstracts: "bob: lunch?\nbob: lunch?",
                compatible_text: "[chat history]",
                messages,
            },
        )
        .elem,
    ];
    for (i, elem) in elems.iter().enumerate() {
        let seq = i as u64 + 3;
        let m = body::Message {
            elem: *elem,
            ..text_message("C2Cbob", seq, "bob", "")
        };
        h.client.handle_input(h.now, &push(0, &m));
        let mut got = 0;
        while let Some(event) = h.client.poll_event() {
            if let Event::MessageReceived(view) = event {
                assert_eq!(view.elem, *elem);
                got += 1;
            }
        }
        assert_eq!(got, 1, "element {i}");
        assert_eq!(
            h.client.conversation("C2Cbob").unwrap().preview(),
            elem.preview()
        );
    }
    let Elem::Merger(merger) = elems[4] else {
        unreachable!()
    };
    let inside: Vec<_> = merger.messages.iter().map(Result::unwrap).collect();
    assert_eq!(inside.len(), 2);
    assert_eq!((inside[0].from, inside[0].elem), ("bob", quoted.elem));
    assert_eq!(inside[1].extra.nick, "Bob");
}

#[test]
fn a_send_carries_its_cloud_custom_data_and_refuses_too_much() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let reply = OutgoingMessage::text("bob", "yes").with_cloud_custom_data("{\"reply_to\":7}");
    h.client.send_message(h.now, &reply).unwrap();
    let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
    let sent: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.extra.cloud_custom_data, "{\"reply_to\":7}");
    assert_eq!(sent.extra.nick, "", "stamps are the server's to set");

    let big = "x".repeat(MAX_CLOUD_CUSTOM_DATA + 1);
    let refused = OutgoingMessage::text("bob", "no").with_cloud_custom_data(&big);
    assert_eq!(
        h.client.send_message(h.now, &refused),
        Err(CommandError::TooLarge)
    );
}
