#![cfg(feature = "full")]
//! TIM `atUserList` and `groupAtInfoList` in the client core: a delivered
//! group message of someone else that mentions this user (by name or as
//! everyone) marks the conversation until it is read, across a restart.

mod util;

use tinyim_core::wire::body::{self, MessageExtra, PushRead};
use tinyim_core::wire::extra::AT_ALL;
use tinyim_core::wire::{kind, records};
use tinyim_core::{GroupAtInfo, OutgoingMessage};
use util::*;

const GROUP: &str = "GROUPteam";

fn mentioning<'a>(seq: u64, from: &'a str, at_users: &'a str) -> body::Message<'a> {
    body::Message {
        extra: MessageExtra::default().with_at_users(at_users),
        ..text_message(GROUP, seq, from, "look")
    }
}

fn at_info(h: &Harness) -> GroupAtInfo {
    h.client.conversation(GROUP).unwrap().group_at_info()
}

#[test]
fn mentions_mark_the_conversation_until_read_and_survive_a_restart() {
    let mut h = Harness::logged_in();
    h.know(GROUP, 1);
    assert_eq!(at_info(&h), GroupAtInfo::default());

    // Someone else mentioned: not this user.
    h.feed(&push(0, &mentioning(2, "bob", "carol")));
    assert_eq!(at_info(&h), GroupAtInfo::default());
    // This user by name, then everyone.
    h.feed(&push(0, &mentioning(3, "bob", "carol,alice")));
    let me = GroupAtInfo {
        at_me: true,
        at_all: false,
    };
    assert_eq!(at_info(&h), me);
    h.feed(&push(0, &mentioning(4, "carol", AT_ALL)));
    let both = GroupAtInfo {
        at_me: true,
        at_all: true,
    };
    assert_eq!(at_info(&h), both);

    // Kept across a restart.
    let mut buf = [0u8; 1024];
    let n = h.client.save_sync_state(&mut buf).unwrap();
    let mut fresh = Harness::new();
    fresh.client.restore_sync_state(&buf[..n]).unwrap();
    assert_eq!(at_info(&fresh), both);

    // Read up to 3 (elsewhere): the mention by name is read, everyone's is not.
    let read = PushRead {
        conversation: GROUP,
        read_seq: 3,
        last_seq: 4,
        uncounted: 0,
    };
    h.feed(&frame(kind::PUSH_READ, &read));
    assert_eq!(
        at_info(&h),
        GroupAtInfo {
            at_me: false,
            at_all: true,
        }
    );
    // This user's own message mentioning everyone: not news to its sender,
    // and sending reads the conversation.
    h.feed(&push(0, &mentioning(5, "alice", AT_ALL)));
    assert_eq!(at_info(&h), GroupAtInfo::default());
}

#[test]
fn a_send_carries_its_mentions() {
    let mut h = Harness::logged_in();
    h.know(GROUP, 1);
    let m = OutgoingMessage::text("team", "@bob look")
        .to_group()
        .with_at_users("bob");
    h.client.send_message(h.now, &m).unwrap();
    let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
    let sent: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert!(sent.extra.at_users.iter().eq(["bob"]));
    assert!(sent.extra.mentions("bob") && !sent.extra.mentions("carol"));
}
