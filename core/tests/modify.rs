#![cfg(feature = "full")]
//! TIM `modifyMessage` against the core: the request, the notice becoming
//! `MessageModified` with the message as it now is, and refusals.

mod util;

use tinyim_core::wire::body::{self, Elem, MessageExtra};
use tinyim_core::wire::merger::{MergedMessage, MergedMessages};
use tinyim_core::wire::{kind, records};
use tinyim_core::{CommandError, Event, OutgoingMessage};
use util::*;

#[test]
fn an_edit_is_sent_with_its_version_and_its_notice_is_an_event() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    let new = Elem::Text { text: "hello" };
    h.client
        .modify_message(h.now, "C2Cbob", (2, 0), new, "{\"e\":1}")
        .unwrap();
    let (_, payload) = h.sent_request(kind::MODIFY_MESSAGE);
    let sent: body::ModifyMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((sent.seq, sent.version, sent.elem), (2, 0, new));
    assert_eq!(sent.cloud_custom_data, "{\"e\":1}");

    let now_is = MergedMessage {
        from: "bob",
        time_ms: 7,
        elem: new,
        extra: MessageExtra::with_cloud_custom_data("{\"e\":1}").with_version(1),
    };
    let mut buf = [0u8; 128];
    let message = MergedMessages::write(&mut buf, [now_is]).unwrap();
    let notice = body::Message {
        elem: Elem::Modified { seq: 2, message },
        ..text_message("C2Cbob", 3, "bob", "")
    };
    h.client.handle_input(h.now, &push(0, &notice));
    let mut modified = Vec::new();
    while let Some(event) = h.client.poll_event() {
        match event {
            Event::MessageModified(view) => {
                let (seq, message) = view.elem.modified().unwrap();
                assert_eq!(message, now_is);
                modified.push(seq);
            }
            Event::MessageReceived(m) => panic!("a notice is no new message: {m:?}"),
            _ => {}
        }
    }
    assert_eq!(modified, [2]);
    assert_eq!(
        h.client.conversation("C2Cbob").unwrap().preview(),
        "[a message was modified]"
    );
}

#[test]
fn only_text_and_custom_are_edited_in_well_formed_conversations() {
    let mut h = Harness::logged_in();
    let image = OutgoingMessage::image("bob", "https://x/i.png", 1, 1, 1).elem;
    assert_eq!(
        h.client.modify_message(h.now, "C2Cbob", (1, 0), image, ""),
        Err(CommandError::NotSendable)
    );
    let text = Elem::Text { text: "x" };
    assert_eq!(
        h.client.modify_message(h.now, "nope", (1, 0), text, ""),
        Err(CommandError::InvalidId)
    );
}
