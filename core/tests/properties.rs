//! Property tests: chunking never changes what the application sees, codecs
//! round-trip, and no byte sequence from a peer makes the client panic.

mod util;

use proptest::prelude::*;
use tinyim_core::wire::{self, body, kind, records};
use util::*;

/// A server stream after login: pushes (with duplicates), heartbeats,
/// unknown push kinds and read-watermark moves.
fn server_stream(dups: &[bool], texts: &[String]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let seq = i as u64 + 2;
        let m = text_message("C2Cbob", seq, "bob", text);
        bytes.extend(push(1, &m));
        if dups.get(i).copied().unwrap_or(false) {
            bytes.extend(push(1, &m));
            bytes.extend(frame(kind::HEARTBEAT, &()));
            bytes.extend(frame(0xe7, &(seq, "unknown push")));
        }
        if i % 5 == 4 {
            let read = body::PushRead {
                conversation: "C2Cbob",
                read_seq: seq - 1,
                last_seq: seq,
                uncounted: 0,
            };
            bytes.extend(frame(kind::PUSH_READ, &read));
        }
    }
    bytes
}

/// Feeds `bytes` in pieces of the given sizes; returns the application's view.
fn run(bytes: &[u8], cuts: &[usize]) -> (Vec<String>, u64) {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let mut events = Vec::new();
    let mut rest = bytes;
    let mut cut = cuts.iter().cycle();
    while !rest.is_empty() {
        let n = (*cut.next().unwrap()).clamp(1, rest.len());
        events.extend(h.feed(&rest[..n]));
        rest = &rest[n..];
    }
    // Coalesced notifications depend on when the application drains; the
    // messages and the final state must not.
    events.retain(|e| {
        !e.starts_with("ConversationListUpdated") && !e.starts_with("TotalUnreadCountUpdated")
    });
    (events, h.client.total_unread())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_chunking_gives_the_same_events(
        texts in prop::collection::vec("[a-z]{0,40}", 1..40),
        dups in prop::collection::vec(any::<bool>(), 0..40),
        cuts in prop::collection::vec(1usize..300, 1..20),
    ) {
        let bytes = server_stream(&dups, &texts);
        let whole = run(&bytes, &[bytes.len()]);
        let received = whole.0.iter().filter(|e| e.starts_with("MessageReceived")).count();
        prop_assert_eq!(received, texts.len());
        prop_assert_eq!(run(&bytes, &cuts), whole);
    }

    #[test]
    fn messages_round_trip(
        conversation in "C2C[a-z]{1,32}",
        seq in any::<u64>(),
        from in "[a-z0-9_]{1,32}",
        time_ms in any::<u64>(),
        client_msg_id in any::<u64>(),
        text in ".{0,200}",
    ) {
        let m = body::Message { conversation: &conversation, seq, from: &from, time_ms, client_msg_id, elem: body::Elem::Text { text: &text }, extra: body::MessageExtra::default() };
        let bytes = frame(kind::PUSH_MESSAGE, &m);
        let (f, size) = wire::parse_frame(&bytes, 1 << 16).unwrap().unwrap();
        prop_assert_eq!(size, bytes.len());
        prop_assert_eq!(records::decode_exact::<body::Message<'_>>(f.body).unwrap(), m);
    }

    #[test]
    fn arbitrary_bytes_after_login_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let mut h = Harness::logged_in();
        h.know("C2Cbob", 1);
        h.feed(&bytes);
        // Whatever happened, the client still answers its API.
        let _ = h.client.poll_close();
        let _ = h.client.poll_timeout();
        let _ = h.sent();
    }

    #[test]
    fn arbitrary_frames_with_valid_headers_never_panic(
        frames in prop::collection::vec((any::<u8>(), prop::collection::vec(any::<u8>(), 0..200)), 0..30),
    ) {
        let mut h = Harness::logged_in();
        for (k, payload) in frames {
            let mut bytes = ((payload.len() + 1) as u32).to_le_bytes().to_vec();
            bytes.push(k);
            bytes.extend(payload);
            h.feed(&bytes);
            if h.client.poll_close() {
                break;
            }
        }
    }

    #[test]
    fn arbitrary_bytes_during_the_handshake_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..500)) {
        let mut h = Harness::new();
        h.client.login(h.now, "alice", "sig").unwrap();
        prop_assert!(h.client.poll_connect(h.now));
        h.client.connection_opened(h.now);
        h.feed(&bytes);
        let _ = h.client.poll_close();
    }
}
