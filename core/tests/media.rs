//! The client core's image and file messages, driven by a scripted server:
//! what a send puts on the wire, how a received one reaches the application
//! and what the conversation list shows for it.

mod util;

use tinyim_core::wire::body::{self, Elem};
use tinyim_core::wire::{kind, records};
use tinyim_core::{Event, OutgoingMessage};
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
        elem: Elem::Image {
            url: "https://cdn.example/dog.png",
            width: 1,
            height: 1,
            size: 9,
        },
        ..text_message("C2Cbob", 3, "bob", "")
    };
    h.feed(&push(0, &picture));
    assert_eq!(
        h.client.conversation("C2Cbob").unwrap().preview(),
        "[image]"
    );
}
