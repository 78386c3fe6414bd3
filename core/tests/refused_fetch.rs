//! A fetch of missed messages that the server refuses or never answers is
//! not the end of the gap: the core asks again after a backoff until the
//! messages arrive, and the sync completes only then. Only a refusal that
//! says the conversation is gone for this user ends the gap.

mod util;

use tinyim_core::wire::{body, code, kind, records};
use util::*;

/// Logged in; the sync page says bob's conversation has 3 messages, none
/// delivered. Returns the harness with the first fetch's request id.
fn three_missed() -> (Harness, u32) {
    let mut h = Harness::new();
    h.client.login(h.now, "alice", "sig").unwrap();
    h.open();
    h.answer_login();
    h.answer_group_list(&[]);
    let (sync, _) = h.sent_request(kind::SYNC_WINDOW);
    h.feed(&sync_page(sync, 10, &[summary("C2Cbob", 3, 0)]));
    let (fetch, _) = h.sent_request(kind::MESSAGE_RANGE);
    (h, fetch)
}

fn fetch_answer(id: u32) -> Vec<u8> {
    let messages = [
        text_message("C2Cbob", 1, "bob", "one"),
        text_message("C2Cbob", 2, "bob", "two"),
        text_message("C2Cbob", 3, "bob", "three"),
    ];
    page(
        id,
        &body::MessagePage {
            conversation: "C2Cbob",
            base_seq: 0,
            more: false,
        },
        &messages,
    )
}

fn received(events: &[String]) -> usize {
    events
        .iter()
        .filter(|e| e.starts_with("MessageReceived"))
        .count()
}

#[test]
fn a_rate_limited_fetch_is_asked_again_after_a_backoff_and_completes_the_sync() {
    let (mut h, fetch) = three_missed();
    let events = h.feed(&refusal(fetch, code::RATE_LIMITED));
    assert!(!events.iter().any(|e| e == "SyncComplete"), "{events:?}");
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((c.delivered_seq(), c.unread_count()), (0, 3), "still a gap");
    assert!(
        h.sent().iter().all(|(k, _)| *k != kind::MESSAGE_RANGE),
        "not asked again at once"
    );
    let retry = h.client.poll_timeout().expect("a retry is scheduled");
    let first_wait = retry.saturating_since(h.now).as_millis();
    assert!(first_wait > 0);
    h.advance(first_wait - 1);
    assert!(
        h.sent().iter().all(|(k, _)| *k != kind::MESSAGE_RANGE),
        "not before the backoff"
    );

    // Refused again: the backoff grows, the gap stays.
    h.advance(1);
    let (second, _) = h.sent_request(kind::MESSAGE_RANGE);
    h.feed(&refusal(second, code::INTERNAL));
    let later = h.client.poll_timeout().unwrap();
    assert!(later.saturating_since(h.now).as_millis() >= first_wait);

    h.advance(later.saturating_since(h.now).as_millis());
    let (third, payload) = h.sent_request(kind::MESSAGE_RANGE);
    let range: body::MessageRange<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(range.conversation, "C2Cbob");
    let events = h.feed(&fetch_answer(third));
    assert_eq!(received(&events), 3, "{events:?}");
    let done = events.iter().position(|e| e == "SyncComplete");
    let last_message = events
        .iter()
        .rposition(|e| e.starts_with("MessageReceived"))
        .unwrap();
    assert!(
        done.is_some_and(|d| d > last_message),
        "the sync completes after the messages: {events:?}"
    );
}

#[test]
fn a_fetch_that_times_out_is_asked_again() {
    let (mut h, _) = three_missed();
    // No answer (the server otherwise alive): past the request timeout the
    // fetch fails, then is asked again.
    let mut retried = None;
    for _ in 0..100 {
        h.advance(500);
        h.feed(&frame(kind::HEARTBEAT, &()));
        if let Some((_, b)) = h
            .sent()
            .into_iter()
            .find(|(k, _)| *k == kind::MESSAGE_RANGE)
        {
            retried = Some(records::take::<u32>(&b).unwrap().0);
            break;
        }
    }
    let id = retried.expect("the fetch was asked again");
    assert_eq!(received(&h.feed(&fetch_answer(id))), 3);
}

#[test]
fn a_conversation_the_user_may_no_longer_read_ends_its_gap() {
    let (mut h, fetch) = three_missed();
    let events = h.feed(&refusal(fetch, code::NO_PERMISSION));
    assert!(events.iter().any(|e| e == "SyncComplete"), "{events:?}");
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!(c.delivered_seq(), 3);
}
