//! A sync round whose snapshot the server says may be behind (a cluster's
//! store that could not wait out an older transaction): the client runs
//! one more round a little later, backing off while rounds stay behind,
//! and stops once one is not.

mod util;

use tinyim_core::wire::{body, kind, records};
use util::*;

/// Answers the round's window request `id` with one page, `behind` or not;
/// the events that follow.
fn answer(h: &mut Harness, id: u32, snapshot: u64, behind: bool) -> Vec<String> {
    let page = body::SyncWindowPage {
        snapshot,
        complete: true,
        total_unread: 0,
        behind,
    };
    h.feed(&util::page::<_, body::WindowSummary<'_>>(id, &page, &[]))
}

/// Logs in and answers the first round's window, `behind` or not, and the
/// group list; the events of both.
fn first_round(behind: bool) -> (Harness, Vec<String>) {
    let mut h = Harness::new();
    h.client.login(h.now, "alice", "sig").unwrap();
    h.open();
    h.answer_login();
    let (sync, _) = h.sent_request(kind::SYNC_WINDOW);
    let mut events = answer(&mut h, sync, 10, behind);
    events.extend(h.answer_group_list(&[]));
    (h, events)
}

/// Advances until the client asks for a window, at most `ms`; its id.
fn window_within(h: &mut Harness, ms: u64) -> Option<u32> {
    for _ in 0..ms / 10 {
        h.advance(10);
        let frames = h.sent();
        if let Some((_, b)) = frames.into_iter().find(|(k, _)| *k == kind::SYNC_WINDOW) {
            let (id, window): (u32, body::SyncWindow<'_>) = records::take(&b)
                .map(|(id, rest)| (id, records::decode_exact(rest).unwrap()))
                .unwrap();
            assert!(window.snapshot.is_none(), "a new round, from the cursor");
            return Some(id);
        }
    }
    None
}

#[test]
fn a_behind_round_brings_another_later_and_the_backoff_grows() {
    let (mut h, mut events) = first_round(true);
    assert!(h.client.is_ready());
    assert!(
        !h.sent().iter().any(|(k, _)| *k == kind::SYNC_WINDOW),
        "not at once"
    );
    // The first follow-up comes within reconnect_min (100 ms here).
    let again = window_within(&mut h, 120).expect("a round after a behind one");
    events.extend(answer(&mut h, again, 20, true));
    // Behind again: the next waits longer (at least 100 ms).
    assert!(window_within(&mut h, 90).is_none(), "backing off");
    let third = window_within(&mut h, 200).expect("another round");
    events.extend(h.events());
    assert!(
        !events.contains(&"SyncComplete".to_owned()),
        "not complete while behind: {events:?}"
    );
    // Caught up: complete now, and no more rounds.
    let caught_up = answer(&mut h, third, 30, false);
    let completes = caught_up.iter().filter(|e| *e == "SyncComplete").count();
    assert_eq!(completes, 1, "{caught_up:?}");
    assert!(window_within(&mut h, 3_000).is_none());
    assert!(!h.events().contains(&"SyncComplete".to_owned()));
}

#[test]
fn a_round_not_behind_completes_at_once() {
    let (_, events) = first_round(false);
    assert!(events.contains(&"SyncComplete".to_owned()), "{events:?}");
}
