//! Messages that do not count as unread (TIM `messageControlInfo`, and the
//! tips and notices TIM never counts), scripted against the core: live,
//! from the server's word in summaries and read pushes, across a reboot,
//! and the flags a send carries.

mod util;

use tinyim_core::wire::{body, kind, records};
use tinyim_core::OutgoingMessage;
use util::*;

/// A message of bob's in `conversation` with its control flags.
fn controlled<'a>(
    conversation: &'a str,
    seq: u64,
    text: &'static str,
    control: (bool, bool),
) -> body::Message<'a> {
    body::Message {
        extra: body::MessageExtra::default().with_control(control.0, control.1),
        ..text_message(conversation, seq, "bob", text)
    }
}

#[test]
fn a_message_its_sender_excluded_moves_neither_the_count_nor_the_last_message() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.feed(&push(1, &text_message("C2Cbob", 2, "bob", "counted")));
    let unread = |h: &Harness| h.client.conversation("C2Cbob").unwrap().unread_count();
    assert_eq!(unread(&h), 1);
    h.feed(&push(
        1,
        &controlled("C2Cbob", 3, "typing-state", (true, true)),
    ));
    let bob = h.client.conversation("C2Cbob").unwrap();
    assert_eq!(
        (bob.unread_count(), bob.last_seq(), bob.preview()),
        (1, 3, "counted")
    );
    assert_eq!(h.client.total_unread(), 1);
    // Excluded from the count only: shown as the last message.
    h.feed(&push(1, &controlled("C2Cbob", 4, "silent", (true, false))));
    let bob = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((bob.unread_count(), bob.preview()), (1, "silent"));
    // Excluded from the last message only: counted.
    h.feed(&push(1, &controlled("C2Cbob", 5, "hidden", (false, true))));
    let bob = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((bob.unread_count(), bob.preview()), (2, "silent"));

    // Read to the end: nothing left, uncounted or not.
    h.client.set_message_read(h.now, "C2Cbob").unwrap();
    let (id, _) = h.sent_request(kind::SET_READ);
    let read = body::PushRead {
        conversation: "C2Cbob",
        read_seq: 5,
        last_seq: 5,
        uncounted: 0,
    };
    h.feed(&ok(id, &read));
    assert_eq!(unread(&h), 0);
    // A later excluded one after the read counts nothing either.
    h.feed(&push(5, &controlled("C2Cbob", 6, "x", (true, false))));
    assert_eq!(unread(&h), 0);
}

#[test]
fn revoke_and_modification_notices_do_not_count() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.feed(&push(1, &text_message("C2Cbob", 2, "bob", "oops")));
    let notice = body::Message {
        elem: body::Elem::RevokeNotice { seq: 2 },
        ..text_message("C2Cbob", 3, "bob", "")
    };
    h.feed(&push(1, &notice));
    let bob = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((bob.last_seq(), bob.unread_count()), (3, 1));
}

#[test]
fn the_servers_word_on_uncounted_messages_comes_with_summaries_and_read_pushes() {
    let mut h = Harness::logged_in();
    h.know("GROUPg1", 1);
    let sync = h.reconnect_until_sync();
    h.feed(&sync_page(
        sync,
        30,
        &[body::ConversationSummary {
            uncounted: 3,
            ..summary("GROUPg1", 9, 1)
        }],
    ));
    let unread = |h: &Harness| h.client.conversation("GROUPg1").unwrap().unread_count();
    assert_eq!(unread(&h), 5, "eight after the read, three of them tips");
    assert_eq!(h.client.total_unread(), 5);

    // Read to 6 on another device: two of the three left after it.
    let read = body::PushRead {
        conversation: "GROUPg1",
        read_seq: 6,
        last_seq: 9,
        uncounted: 2,
    };
    h.feed(&frame(kind::PUSH_READ, &read));
    assert_eq!(unread(&h), 1);

    // Kept across a reboot.
    let mut buf = [0u8; 1024];
    let n = h.client.save_sync_state(&mut buf).unwrap();
    let mut rebooted = Harness::new();
    rebooted.client.restore_sync_state(&buf[..n]).unwrap();
    assert_eq!(
        rebooted
            .client
            .conversation("GROUPg1")
            .unwrap()
            .unread_count(),
        1
    );
}

#[test]
fn a_send_carries_its_control_flags() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let msg = OutgoingMessage::text("bob", "quiet").with_control(true, true);
    h.client.send_message(h.now, &msg).unwrap();
    let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
    let send: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert!(send.extra.excluded_from_unread && send.extra.excluded_from_last_message);
}

#[test]
fn a_group_tip_does_not_count_and_an_image_does_whether_or_not_this_build_reads_them() {
    use tinyim_core::wire::body::{Elem, Image, ImageFormat, ImageInfo};
    use tinyim_core::wire::group::{GroupTip, TipChange, TipOp, UserList};
    let mut h = Harness::logged_in();
    h.know("GROUPg1", 1);
    let tip = body::Message {
        elem: Elem::GroupTip(GroupTip {
            op: TipOp::Join,
            group_id: "g1",
            operator: "bob",
            users: UserList("bob"),
            member_count: 2,
            change: TipChange::None,
        }),
        ..text_message("GROUPg1", 2, "bob", "")
    };
    h.feed(&push(1, &tip));
    let picture = ImageInfo {
        url: "https://example.invalid/a.png",
        size: 10,
        width: 1,
        height: 1,
    };
    let image = body::Message {
        elem: Elem::Image(Image {
            uuid: "u",
            format: ImageFormat::Png,
            original: picture,
            large: picture,
            thumbnail: picture,
        }),
        ..text_message("GROUPg1", 3, "bob", "")
    };
    let events = h.feed(&push(1, &image));
    let group = h.client.conversation("GROUPg1").unwrap();
    assert_eq!((group.last_seq(), group.unread_count()), (3, 1));
    // Without `full` the image is an element of a kind this build does not
    // read: delivered, with its kind, as TIM's SDKs deliver a newer kind.
    let read_as = if cfg!(feature = "full") {
        "Image("
    } else {
        "Unknown { kind: 5 }"
    };
    assert!(events.iter().any(|e| e.contains(read_as)), "{events:?}");
}
