#![cfg(feature = "full")]
//! Group read receipts, scripted against the core: the requests, the
//! refusals before sending, the push that tells a sender, the records of
//! an answer.

mod util;

use tinyim_core::wire::group::GroupRecord;
use tinyim_core::wire::receipt::{ReadReceipt, ReceiptMembers, ReceiptMessages};
use tinyim_core::wire::{body, kind, records};
use tinyim_core::{CommandError, Event, OutgoingMessage};
use util::*;

#[test]
fn a_send_asks_for_receipts_and_a_receipt_names_its_messages() {
    let mut h = Harness::logged_in();
    let ask = OutgoingMessage::text("team", "read me")
        .to_group()
        .with_read_receipt();
    h.client.send_message(h.now, &ask).unwrap();
    let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
    let send: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert!(send.extra.need_read_receipt);

    let request = h
        .client
        .send_message_read_receipt(h.now, "team", "3 4")
        .unwrap();
    let (id, payload) = h.sent_request(kind::SEND_READ_RECEIPTS);
    let sent: ReceiptMessages<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.seqs().collect::<Vec<_>>(), [Some(3), Some(4)]);
    h.client
        .handle_input(h.now, &records_frame::<GroupRecord<'_>>(id, &[]));
    assert_eq!(h.call_answer(request), ["completed"]);
}

#[test]
fn calls_outside_their_limits_are_refused_before_sending() {
    let mut h = Harness::logged_in();
    let thirty_one = (1..=31)
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    for seqs in ["", "x", "0", thirty_one.as_str()] {
        assert_eq!(
            h.client.send_message_read_receipt(h.now, "team", seqs),
            Err(CommandError::InvalidParameter),
            "{seqs:?}"
        );
    }
    assert_eq!(
        h.client.message_read_receipts(h.now, "bad id!", "1"),
        Err(CommandError::InvalidGroupId)
    );
    for count in [0, 101] {
        assert_eq!(
            h.client
                .group_message_read_members(h.now, "team", 1, true, (0, count)),
            Err(CommandError::InvalidParameter)
        );
    }
    assert!(h.sent().is_empty(), "nothing was sent");
}

#[test]
fn a_receipt_push_reaches_the_sender_and_a_garbled_one_closes() {
    let mut h = Harness::logged_in();
    let receipt = ReadReceipt {
        group_id: "team",
        seq: 7,
        read_count: 2,
        unread_count: 5,
    };
    h.client
        .handle_input(h.now, &frame(kind::PUSH_READ_RECEIPT, &receipt));
    assert!(
        h.event_matching(|e| matches!(e, Event::MessageReadReceiptReceived(r) if *r == receipt))
    );

    h.feed(&frame(kind::PUSH_READ_RECEIPT, &("team", 7u8)));
    assert!(h.client.poll_close());
}

#[test]
fn counts_and_member_pages_arrive_as_records() {
    let mut h = Harness::logged_in();
    let request = h.client.message_read_receipts(h.now, "team", "7").unwrap();
    let (id, _) = h.sent_request(kind::READ_RECEIPTS);
    let counts = ReadReceipt {
        group_id: "team",
        seq: 7,
        read_count: 1,
        unread_count: 1,
    };
    h.client.handle_input(
        h.now,
        &records_frame(
            id,
            &[
                GroupRecord::ReadReceipt(counts),
                GroupRecord::Page {
                    next_offset: 1,
                    more: false,
                },
            ],
        ),
    );
    let seen = h.call_answer(request);
    assert!(seen[0].starts_with("ReadReceipt"), "{seen:?}");

    let request = h
        .client
        .group_message_read_members(h.now, "team", 7, false, (0, 50))
        .unwrap();
    let (id, payload) = h.sent_request(kind::READ_RECEIPT_MEMBERS);
    let asked: ReceiptMembers<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((asked.seq, asked.read, asked.count), (7, false, 50));
    h.client.handle_input(
        h.now,
        &records_frame(
            id,
            &[
                GroupRecord::ReceiptMember { user_id: "carol" },
                GroupRecord::Page {
                    next_offset: 1,
                    more: false,
                },
            ],
        ),
    );
    let seen = h.call_answer(request);
    assert!(seen[0].contains("carol"), "{seen:?}");
}
