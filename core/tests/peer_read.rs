#![cfg(feature = "full")]
//! TIM `MESSAGE_READ_BY_PEER`, scripted against the core: the peer's read
//! watermark of a one-to-one conversation arrives live or at a sync, moves
//! only forward, is said once, survives a saved sync state, and a garbled
//! push closes the connection.

mod util;

use tinyim_core::time::Instant;
use tinyim_core::wire::{body, kind};
use tinyim_core::{Client, DeviceResources};
use util::*;

fn peer_read(conversation: &str, seq: u64) -> Vec<u8> {
    frame(
        kind::PUSH_PEER_READ,
        &body::PushPeerRead {
            conversation,
            peer_read_seq: seq,
        },
    )
}

fn read_by_peer(events: &[String]) -> Vec<&String> {
    events
        .iter()
        .filter(|e| e.starts_with("MessageReadByPeer"))
        .collect()
}

#[test]
fn a_peer_read_push_moves_the_watermark_forward_and_says_so_once() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 3);
    // bob's own message 3 says bob read up to 3: known, not news.
    assert_eq!(h.client.conversation("C2Cbob").unwrap().peer_read_seq(), 3);

    let events = h.feed(&peer_read("C2Cbob", 5));
    assert_eq!(
        read_by_peer(&events),
        ["MessageReadByPeer { conversation_id: \"C2Cbob\", peer_read_seq: 5 }"]
    );
    assert_eq!(h.client.conversation("C2Cbob").unwrap().peer_read_seq(), 5);

    // The same or an older watermark again: nothing moves, nothing said.
    for seq in [5, 4] {
        let events = h.feed(&peer_read("C2Cbob", seq));
        assert!(read_by_peer(&events).is_empty(), "{events:?}");
    }
    assert_eq!(h.client.conversation("C2Cbob").unwrap().peer_read_seq(), 5);

    // A conversation the client does not have is not made up.
    let events = h.feed(&peer_read("C2Cnobody", 9));
    assert!(read_by_peer(&events).is_empty());
    assert!(h.client.conversation("C2Cnobody").is_none());
}

#[test]
fn a_message_from_the_peer_counts_as_its_read_without_an_event() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let events = h.feed(&push(0, &text_message("C2Cbob", 2, "bob", "hi")));
    assert!(events.iter().any(|e| e.starts_with("MessageReceived")));
    assert!(read_by_peer(&events).is_empty(), "{events:?}");
    assert_eq!(h.client.conversation("C2Cbob").unwrap().peer_read_seq(), 2);
}

#[test]
fn the_peer_read_while_away_arrives_with_the_sync() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let sync = h.reconnect_until_sync();
    let summary = body::ConversationSummary {
        conversation: "C2Cbob",
        last_seq: 4,
        read_seq: 4,
        uncounted: 0,
        last_time_ms: 2_000,
        last_from: "alice",
        preview: "mine",
        peer_read_seq: 4,
        deleted: false,
        pinned: false,
        remind: body::RemindType::AcceptAndNotify,
        marks: 0,
        data_digest: 0,
    };
    let events = h.feed(&sync_page(sync, 20, &[summary]));
    assert_eq!(
        read_by_peer(&events),
        ["MessageReadByPeer { conversation_id: \"C2Cbob\", peer_read_seq: 4 }"]
    );
}

#[test]
fn the_peer_read_watermark_survives_a_saved_sync_state_quietly() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.feed(&peer_read("C2Cbob", 7));
    let mut saved = vec![0u8; 4096];
    let n = h.client.save_sync_state(&mut saved).unwrap();

    let resources = Box::leak(Box::new(DeviceResources::new()));
    let mut rebooted = Client::new(&config(), resources, Instant::ZERO, 9);
    rebooted.restore_sync_state(&saved[..n]).unwrap();
    assert_eq!(rebooted.conversation("C2Cbob").unwrap().peer_read_seq(), 7);
    while let Some(event) = rebooted.poll_event() {
        let shown = format!("{event:?}");
        assert!(!shown.starts_with("MessageReadByPeer"), "{shown}");
    }
}

#[test]
fn a_garbled_peer_read_push_closes_the_connection() {
    let mut h = Harness::logged_in();
    h.feed(&frame(kind::PUSH_PEER_READ, &7u8));
    assert!(h.client.poll_close(), "an undecodable push closes");
}
