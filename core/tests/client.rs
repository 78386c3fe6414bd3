//! The client core driven by a scripted server.

mod util;

use tinyim_core::time::{Duration, Instant};
use tinyim_core::wire::group::GroupRecord;
use tinyim_core::wire::{body, code, kind, records};
use tinyim_core::{CommandError, Event, NetState, OutgoingMessage, RequestError, SendStatus};
use util::*;

#[test]
fn login_handshake_sync_and_ready() {
    let mut h = Harness::new();
    assert_eq!(h.client.net_state(), NetState::Disconnected);
    assert!(!h.client.poll_connect(h.now), "no connection before login");
    let login = h.client.login(h.now, "alice", "sig").unwrap();
    assert_eq!(h.client.net_state(), NetState::Connecting);
    h.open();
    assert_eq!(h.client.net_state(), NetState::Connected);
    let (id, payload) = h.sent_request(kind::LOGIN);
    let sent: body::Login<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(
        (sent.user_id, sent.credential),
        ("alice", body::Credential::UserSig("sig"))
    );
    let events = h.feed(&ok(
        id,
        &body::LoginOk {
            sig_expires_at: 0,
            resume: &[],
        },
    ));
    assert!(events.contains(&"SdkReady".to_owned()), "{events:?}");
    assert!(
        events.contains(&format!("RequestCompleted({login:?})")),
        "{events:?}"
    );
    let (sync, payload) = h.sent_request(kind::SYNC_WINDOW);
    assert_eq!(
        records::decode_exact::<body::SyncWindow>(&payload)
            .unwrap()
            .base,
        None
    );
    let events = h.feed(&sync_page(sync, 5, &[]));
    if cfg!(feature = "full") {
        assert!(
            !events.contains(&"SyncComplete".to_owned()),
            "the group list is part of the sync: {events:?}"
        );
        let events = h.answer_group_list(&[]);
        assert!(events.contains(&"SyncComplete".to_owned()), "{events:?}");
    } else {
        // No group list to wait for.
        assert!(events.contains(&"SyncComplete".to_owned()), "{events:?}");
    }
    assert_eq!(h.client.login_user(), Some("alice"));
}

#[test]
fn login_refused_reports_the_code_and_stops_connecting() {
    let mut h = Harness::new();
    let login = h.client.login(h.now, "alice", "bad").unwrap();
    h.open();
    let (id, _) = h.sent_request(kind::LOGIN);
    let events = h.feed(&frame(
        kind::RESPONSE_ERR,
        &(
            id,
            body::ErrorBody {
                code: code::USER_SIG_EXPIRED,
                message: "expired",
            },
        ),
    ));
    let failed = format!(
        "RequestFailed {{ request: {login:?}, error: Server({}), message: \"expired\" }}",
        code::USER_SIG_EXPIRED
    );
    assert!(events.contains(&failed), "{events:?}");
    assert!(h.client.poll_close(), "the transport is closed");
    h.advance(60_000);
    assert!(
        !h.client.poll_connect(h.now),
        "no reconnect without a login"
    );
    assert_eq!(h.client.net_state(), NetState::Disconnected);
}

#[test]
fn commands_validate_their_arguments() {
    let mut h = Harness::new();
    assert_eq!(
        h.client
            .send_message(h.now, &OutgoingMessage::text("bob", "x")),
        Err(CommandError::NotLoggedIn)
    );
    assert_eq!(
        h.client.login(h.now, "", "sig"),
        Err(CommandError::InvalidUserId)
    );
    assert_eq!(
        h.client.login(h.now, "alice", &"s".repeat(600)),
        Err(CommandError::UserSigTooLong)
    );
    h.client.login(h.now, "alice", "sig").unwrap();
    assert_eq!(
        h.client.login(h.now, "alice", "sig"),
        Err(CommandError::AlreadyLoggedIn)
    );
    assert_eq!(
        h.client
            .send_message(h.now, &OutgoingMessage::text("no|pipes", "x")),
        Err(CommandError::InvalidId)
    );
    assert_eq!(
        h.client.set_message_read(h.now, "nonsense"),
        Err(CommandError::InvalidId)
    );
    let big = "x".repeat(13 * 1024);
    assert_eq!(
        h.client
            .send_message(h.now, &OutgoingMessage::text("bob", &big)),
        Err(CommandError::TooLarge)
    );
}

#[test]
fn live_messages_are_delivered_once_in_order_and_gaps_are_fetched() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    let m3 = text_message("C2Cbob", 3, "bob", "three");
    let events = h.feed(&push(2, &m3));
    assert!(
        events
            .iter()
            .any(|e| e.contains("seq: 3") && e.contains("three")),
        "{events:?}"
    );
    // A duplicate is dropped.
    let events = h.feed(&push(2, &m3));
    assert!(
        !events.iter().any(|e| e.starts_with("MessageReceived")),
        "{events:?}"
    );
    // Seq 6 arrives before 4 and 5: nothing is delivered out of order...
    let m6 = text_message("C2Cbob", 6, "bob", "six");
    let events = h.feed(&push(2, &m6));
    assert!(
        !events.iter().any(|e| e.starts_with("MessageReceived")),
        "{events:?}"
    );
    // ...the client fetches from 3...
    let (id, payload) = h.sent_request(kind::MESSAGE_RANGE);
    let range: body::MessageRange<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(range.start, body::RangeStart::AfterSeq(3));
    // ...and delivers 4, 5, 6 in order.
    let page_msgs = [
        text_message("C2Cbob", 4, "bob", "four"),
        text_message("C2Cbob", 5, "bob", "five"),
        m6,
    ];
    let events = h.feed(&page(
        id,
        &body::MessagePage {
            conversation: "C2Cbob",
            base_seq: 3,
            more: false,
        },
        &page_msgs,
    ));
    let seqs: Vec<&String> = events
        .iter()
        .filter(|e| e.starts_with("MessageReceived"))
        .collect();
    assert_eq!(seqs.len(), 3, "{events:?}");
    assert!(seqs[0].contains("four") && seqs[1].contains("five") && seqs[2].contains("six"));
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!(
        (c.delivered_seq(), c.last_seq(), c.unread_count()),
        (6, 6, 4)
    );
}

#[test]
fn sends_complete_with_their_seq_and_survive_a_reconnect() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let msg = OutgoingMessage::text("bob", "hello").with_client_msg_id(99);
    let request = h.client.send_message(h.now, &msg).unwrap();
    let (id, payload) = h.sent_request(kind::SEND_MESSAGE);
    let send: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((send.conversation, send.client_msg_id), ("C2Cbob", 99));

    // The connection drops before the ack: the send is kept and resent.
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.client.login_user().unwrap();
    h.open();
    h.answer_login();
    let frames = h.sent();
    assert!(
        frames.iter().all(|(k, _)| *k != kind::SEND_MESSAGE),
        "sends wait for the sync"
    );
    let (sync, _) = frames
        .iter()
        .find(|(k, _)| *k == kind::SYNC_WINDOW)
        .map(|(_, b)| records::take::<u32>(b).unwrap())
        .unwrap();
    h.feed(&sync_page(sync, 11, &[]));
    if cfg!(feature = "full") {
        let (groups, _) = frames
            .iter()
            .find(|(k, _)| *k == kind::GROUP_LIST)
            .map(|(_, b)| records::take::<u32>(b).unwrap())
            .unwrap();
        h.feed(&records_frame(
            groups,
            &[GroupRecord::Page {
                next_offset: 0,
                more: false,
            }],
        ));
    }
    let (resent, payload) = h.sent_request(kind::SEND_MESSAGE);
    assert_eq!(resent, id, "the same pending request goes out again");
    let again: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(again.client_msg_id, 99, "the same client message id");
    let events = h.feed(&ok(
        resent,
        &body::SendOk {
            conversation: "C2Cbob",
            seq: 2,
            time_ms: 5,
        },
    ));
    let sent = format!("MessageStatus {{ request: {request:?}, client_msg_id: 99, status: Sent {{ seq: 2, time_ms: 5 }} }}");
    assert!(events.contains(&sent), "{events:?}");
    let c = h.client.conversation("C2Cbob").unwrap();
    assert_eq!(
        (c.last_seq(), c.unread_count(), c.preview()),
        (2, 0, "hello")
    );
    // The own message coming back as a push is not a new message.
    let own = body::Message {
        client_msg_id: 99,
        ..text_message("C2Cbob", 2, "alice", "hello")
    };
    assert!(!h
        .feed(&push(2, &own))
        .iter()
        .any(|e| e.starts_with("MessageReceived")));
}

#[test]
fn requests_time_out_and_sends_fail_with_2801() {
    let mut h = Harness::with_config(tinyim_core::Config {
        send_timeout: Duration::from_secs(5),
        ..config()
    });
    h.client.login(h.now, "alice", "sig").unwrap();
    let request = h
        .client
        .send_message(h.now, &OutgoingMessage::text("bob", "x"))
        .unwrap();
    // Never connected: the deadline still passes.
    let wake = h.client.poll_timeout().unwrap();
    assert!(wake <= Instant::from_millis(5_000));
    h.now = Instant::from_millis(5_000);
    h.client.handle_timeout(h.now);
    let events = h.events();
    assert!(
        events.contains(&format!(
            "RequestFailed {{ request: {request:?}, error: Timeout, message: \"\" }}"
        )),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| e.contains("Failed { code: 2801 }")),
        "{events:?}"
    );
    assert_eq!(RequestError::Timeout.code(), 2801);
}

#[test]
fn heartbeats_go_out_and_a_silent_server_is_dropped() {
    let mut h = Harness::logged_in();
    h.advance(1_000);
    assert!(h.sent().iter().any(|(k, _)| *k == kind::HEARTBEAT));
    // Three intervals of silence: the core asks to close, then reconnects.
    h.advance(1_000);
    h.advance(1_000);
    assert!(h.client.poll_close(), "closing after silence");
    assert_eq!(h.client.net_state(), NetState::Connecting);
    let retry = h.client.poll_timeout().unwrap();
    h.now = retry;
    assert!(h.client.poll_connect(h.now), "reconnects after the backoff");
}

#[test]
fn spurious_timeouts_and_time_going_backwards_are_harmless() {
    let mut h = Harness::logged_in();
    h.advance(500);
    let before = h.client.poll_timeout();
    for _ in 0..10 {
        h.client.handle_timeout(Instant::ZERO);
    }
    assert_eq!(h.client.poll_timeout(), before);
    assert!(h.sent().is_empty());
    assert_eq!(h.client.net_state(), NetState::Connected);
}

#[test]
fn kicked_out_ends_the_session() {
    let mut h = Harness::logged_in();
    let events = h.feed(&frame(
        kind::PUSH_KICKED,
        &body::Kicked {
            reason: body::KickReason::MultiDevice,
        },
    ));
    assert!(
        events.contains(&"KickedOut(MultiDevice)".to_owned()),
        "{events:?}"
    );
    assert!(events.contains(&"SdkNotReady".to_owned()), "{events:?}");
    assert!(h.client.poll_close());
    assert_eq!(
        h.client
            .send_message(h.now, &OutgoingMessage::text("bob", "x")),
        Err(CommandError::NotLoggedIn)
    );
}

#[test]
fn unknown_push_kinds_are_skipped_and_unknown_replies_close() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let mut bytes = frame(0xee, &(1u32, "from the future"));
    bytes.extend(push(1, &text_message("C2Cbob", 2, "bob", "after")));
    let events = h.feed(&bytes);
    assert!(events.iter().any(|e| e.contains("after")), "{events:?}");
    assert!(!h.client.poll_close());
    h.feed(&frame(0x9f, &()));
    assert!(
        h.client.poll_close(),
        "an unknown reply kind breaks the protocol"
    );
}

#[test]
fn oversized_and_garbage_input_close_the_transport_without_panicking() {
    let mut h = Harness::logged_in();
    h.feed(&[0xff, 0xff, 0xff, 0xff]);
    assert!(h.client.poll_close());
    let mut h = Harness::logged_in();
    // An error answer whose body is cut short.
    h.feed(&[4, 0, 0, 0, kind::RESPONSE_ERR, 1, 0x80, 0x80]);
    assert!(h.client.poll_close());
    // Before the handshake anything but a hello answer is wrong.
    let mut h = Harness::new();
    h.client.login(h.now, "alice", "sig").unwrap();
    assert!(h.client.poll_connect(h.now));
    h.client.connection_opened(h.now);
    h.feed(&push(0, &text_message("C2Cbob", 1, "bob", "early")));
    assert!(h.client.poll_close());
}

#[test]
fn a_full_receive_buffer_applies_back_pressure_without_losing_messages() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let text = "y".repeat(200);
    let mut bytes = Vec::new();
    for seq in 2..=61 {
        bytes.extend(push(0, &text_message("C2Cbob", seq, "bob", &text)));
    }
    assert!(bytes.len() > 2048 * 4, "more than the receive buffer holds");
    let first = h.client.handle_input(h.now, &bytes);
    assert!(first < bytes.len(), "the client takes what fits");
    let mut events = h.events();
    events.extend(h.feed(&bytes[first..]));
    let received = events
        .iter()
        .filter(|e| e.starts_with("MessageReceived"))
        .count();
    assert_eq!(received, 60);
}

fn in_window(conversation: &str) -> body::WindowSummary<'_> {
    body::WindowSummary {
        summary: summary(conversation, 1, 0),
        base_seq: 0,
    }
}

#[test]
fn a_message_that_finds_the_table_full_comes_through_a_sync_and_only_a_covered_conversation_goes() {
    let mut h = Harness::logged_in();
    // Sixteen conversations known from live messages: none is covered by
    // the sync cursor, so none may be forgotten.
    let users: Vec<String> = (0..16).map(|i| format!("C2Cu{i:02}")).collect();
    for u in &users {
        h.know(u, 1);
    }
    let events = h.feed(&push(0, &text_message("C2Czed", 1, "zed", "hi")));
    assert!(
        !events.iter().any(|e| e.starts_with("MessageReceived")),
        "{events:?}"
    );
    assert_eq!(h.client.conversations().count(), 16);
    // A round of the client's own asks for a window of one.
    let (first, payload) = h.sent_request(kind::SYNC_WINDOW);
    let window: body::SyncWindow<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(
        (
            window.base,
            window.snapshot,
            window.after,
            window.max_conversations
        ),
        (Some(10), None, "", 1)
    );
    let header = body::SyncWindowPage {
        snapshot: 50,
        complete: false,
        total_unread: 0,
        behind: false,
    };
    h.feed(&page(first, &header, &[in_window(&users[0])]));
    // u00 is covered now: the next window has room for one.
    let (second, payload) = h.sent_request(kind::SYNC_WINDOW);
    let window: body::SyncWindow<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(
        (
            window.base,
            window.snapshot,
            window.after,
            window.max_conversations
        ),
        (Some(10), Some(50), "C2Cu00", 1)
    );
    let rest: Vec<body::WindowSummary<'_>> = users[1..]
        .iter()
        .map(|u| in_window(u))
        .chain([in_window("C2Czed")])
        .collect();
    let last = body::SyncWindowPage {
        snapshot: 50,
        complete: true,
        // The server counts u00's message too.
        total_unread: 17,
        behind: false,
    };
    let events = h.feed(&page(second, &last, &rest));
    assert!(
        events.iter().any(|e| e == "ConversationsEvicted(1)"),
        "{events:?}"
    );
    assert!(
        h.client.conversation("C2Cu00").is_none(),
        "the covered one went"
    );
    let (fetch, payload) = h.sent_request(kind::MESSAGE_RANGE);
    let range: body::MessageRange<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(range.conversation, "C2Czed");
    assert_eq!(range.start, body::RangeStart::AfterSeq(0));
    let events = h.feed(&page(
        fetch,
        &body::MessagePage {
            conversation: "C2Czed",
            base_seq: 0,
            more: false,
        },
        &[text_message("C2Czed", 1, "zed", "hi")],
    ));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.starts_with("MessageReceived"))
            .count(),
        1,
        "{events:?}"
    );
    assert!(
        !events.iter().any(|e| e == "SyncComplete"),
        "a round of the client's own is not reported"
    );
    assert_eq!(h.client.total_unread(), 17, "u00's unread counts on");
    // The round ended: its snapshot is the cursor a reconnect starts from.
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.open();
    h.answer_login();
    let (_, payload) = h.sent_request(kind::SYNC_WINDOW);
    let window: body::SyncWindow<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((window.base, window.snapshot), (Some(50), None));
}

#[test]
fn the_conversation_list_reads_most_recent_first_one_entry_at_a_time() {
    let mut h = Harness::logged_in();
    // Last messages at 1 005, 1 009 and 1 005 (a tie, kept in table order).
    h.know("C2Ca", 5);
    h.know("C2Cb", 9);
    h.know("C2Cc", 5);
    let listed: Vec<&str> = (0..)
        .map_while(|i| h.client.conversation_at(i))
        .map(|c| c.id())
        .collect();
    assert_eq!(listed, ["C2Cb", "C2Ca", "C2Cc"]);
    assert!(h.client.conversation_at(usize::MAX).is_none());
}

/// Dials, says hello, and gets `answer` back.
fn handshake_answered(answer: &[u8]) -> (Harness, tinyim_core::RequestId, Vec<String>) {
    let mut h = Harness::new();
    let login = h.client.login(h.now, "alice", "sig").unwrap();
    assert!(h.client.poll_connect(h.now));
    h.client.connection_opened(h.now);
    assert_eq!(h.sent()[0].0, kind::HELLO);
    let events = h.feed(answer);
    (h, login, events)
}

#[test]
fn a_server_that_cannot_serve_this_version_fails_the_login_at_once() {
    let reject = frame(
        kind::HELLO_REJECT,
        &body::HelloReject {
            code: code::VERSION_MISMATCH,
        },
    );
    let (mut h, login, events) = handshake_answered(&reject);
    assert!(
        events.contains(&"ConnectionRejected { code: 9003 }".to_owned()),
        "{events:?}"
    );
    assert!(
        events.contains(&format!(
            "RequestFailed {{ request: {login:?}, error: Server(9003), message: \"\" }}"
        )),
        "the login fails with the server's code, not a timeout: {events:?}"
    );
    // No redial: the same refusal would come back.
    h.client.connection_lost(h.now);
    h.advance(60_000);
    assert!(!h.client.poll_connect(h.now));
    assert_eq!(h.client.login_user(), None);

    // A newer server (an ack of another version) is refused the same way.
    let ack = frame(
        kind::HELLO_ACK,
        &body::HelloAck {
            version: tinyim_core::wire::PROTOCOL_VERSION + 1,
            max_frame: 16 * 1024,
            server_time_ms: 0,
            heartbeat_ms: 1000,
        },
    );
    let (_, login, events) = handshake_answered(&ack);
    assert!(
        events.contains(&format!(
            "RequestFailed {{ request: {login:?}, error: Server(9003), message: \"\" }}"
        )),
        "{events:?}"
    );
}

#[test]
fn a_transport_that_does_not_open_in_time_is_given_up_and_dialed_again() {
    let mut h = Harness::with_config(tinyim_core::Config {
        connect_timeout: Duration::from_millis(2_000),
        request_timeout: Duration::from_millis(60_000),
        ..util::config()
    });
    h.client.login(h.now, "alice", "sig").unwrap();
    assert!(h.client.poll_connect(h.now));
    // The transport never opens: the core's next deadline is the attempt's.
    assert_eq!(
        h.client.poll_timeout(),
        Some(h.now + Duration::from_millis(2_000))
    );
    h.advance(1_999);
    assert!(!h.client.poll_close(), "not yet");
    h.advance(1);
    assert!(h.client.poll_close(), "the attempt is given up");
    assert_eq!(h.client.net_state(), NetState::Connecting);
    assert!(!h.client.poll_connect(h.now), "not before the backoff");
    h.now = h.client.poll_timeout().unwrap();
    assert!(
        h.client.poll_connect(h.now),
        "dials again after the backoff"
    );
    // The login request is still waiting: the session goes on.
    assert!(!h.events().iter().any(|e| e.starts_with("RequestFailed")));
}

#[test]
fn a_refusal_for_another_reason_dials_again() {
    let reject = frame(kind::HELLO_REJECT, &body::HelloReject { code: 9999 });
    let (mut h, _, events) = handshake_answered(&reject);
    assert!(events.contains(&"ConnectionRejected { code: 9999 }".to_owned()));
    assert!(!events.iter().any(|e| e.starts_with("RequestFailed")));
    h.client.connection_lost(h.now);
    h.advance(60_000);
    h.client.handle_timeout(h.now);
    assert!(
        h.client.poll_connect(h.now),
        "still logging in: dials again"
    );
}

#[test]
fn an_image_is_sent_by_a_build_with_full_and_refused_at_once_without() {
    let mut h = Harness::logged_in();
    let image = OutgoingMessage::image("bob", "https://example.invalid/a.png", 2, 2, 9);
    let sent = h.client.send_message(h.now, &image);
    if cfg!(feature = "full") {
        assert!(sent.is_ok(), "{sent:?}");
        h.sent_request(kind::SEND_MESSAGE);
    } else {
        assert_eq!(sent, Err(CommandError::NotSendable));
        assert!(h.sent().is_empty(), "nothing goes out");
    }
}

#[test]
fn a_garbled_push_of_a_feature_the_build_leaves_out_is_skipped_and_with_it_closes() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    // A group push whose body is no group record.
    h.feed(&frame(kind::PUSH_GROUP, &[0xffu8, 0xff, 0xff][..]));
    if cfg!(feature = "full") {
        assert!(h.client.poll_close(), "a broken push closes");
    } else {
        // No group list is kept: the push is not read, and the
        // connection goes on.
        assert!(!h.client.poll_close());
        let events = h.feed(&push(1, &text_message("C2Cbob", 2, "bob", "after")));
        assert!(events.iter().any(|e| e.contains("after")), "{events:?}");
    }
}

#[test]
fn too_many_requests_in_flight_is_an_error_not_a_panic() {
    let mut h = Harness::logged_in();
    let mut results = Vec::new();
    for _ in 0..10 {
        results.push(h.client.set_message_read(h.now, "C2Cbob"));
    }
    assert!(results.contains(&Err(CommandError::TooManyInFlight)));
    assert!(results.iter().filter(|r| r.is_ok()).count() >= 1);
}

#[test]
#[cfg(feature = "full")]
fn history_pages_arrive_as_history_events_then_their_end_then_completion() {
    let mut h = Harness::logged_in();
    let request = h.client.message_list(h.now, "C2Cbob", 0, 2).unwrap();
    let (id, _) = h.sent_request(kind::MESSAGE_LIST);
    let msgs = [
        text_message("C2Cbob", 9, "bob", "nine"),
        text_message("C2Cbob", 8, "alice", "eight"),
    ];
    let events = h.feed(&page(
        id,
        &body::MessagePage {
            conversation: "C2Cbob",
            base_seq: 0,
            more: true,
        },
        &msgs,
    ));
    let history: Vec<&String> = events
        .iter()
        .filter(|e| e.starts_with("HistoryMessage"))
        .collect();
    assert_eq!(history.len(), 2);
    assert!(history[0].contains("nine") && history[1].contains("Out"));
    assert_eq!(
        events[events.len() - 2..],
        [
            format!("HistoryEnd {{ request: {request:?}, complete: false }}"),
            format!("RequestCompleted({request:?})")
        ],
        "more lies beyond the page: not complete"
    );
    assert!(
        h.client.conversation("C2Cbob").is_none(),
        "history does not touch watermarks"
    );
}

#[test]
fn sync_state_round_trips_and_is_refused_after_login() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 4);
    h.know("C2Ccarol", 2);
    let mut buf = [0u8; 1024];
    let n = h.client.save_sync_state(&mut buf).unwrap();
    assert!(
        h.client.restore_sync_state(&buf[..n]).is_err(),
        "not while logged in"
    );
    assert!(h.client.save_sync_state(&mut buf[..10]).is_err());

    let mut fresh = Harness::new();
    assert!(
        fresh.client.restore_sync_state(&buf[..n - 1]).is_err(),
        "truncated"
    );
    assert!(
        fresh.client.restore_sync_state(&[0xff; 16]).is_err(),
        "garbage"
    );
    fresh.client.restore_sync_state(&buf[..n]).unwrap();
    let c = fresh.client.conversation("C2Cbob").unwrap();
    assert_eq!((c.delivered_seq(), c.last_seq()), (4, 4));
    // The resumed client syncs from its cursor instead of from zero.
    fresh.client.login(fresh.now, "alice", "sig").unwrap();
    fresh.open();
    fresh.answer_login();
    let (_, payload) = fresh.sent_request(kind::SYNC_WINDOW);
    assert_eq!(
        records::decode_exact::<body::SyncWindow>(&payload)
            .unwrap()
            .base,
        Some(10)
    );
}

#[test]
fn a_kick_with_every_request_in_flight_loses_no_event() {
    let mut h = Harness::logged_in();
    let mut requests = Vec::new();
    while let Ok(id) = h
        .client
        .send_message(h.now, &OutgoingMessage::text("bob", "x"))
    {
        requests.push(id);
    }
    assert!(requests.len() >= 6);
    let events = h.feed(&frame(
        kind::PUSH_KICKED,
        &body::Kicked {
            reason: body::KickReason::MultiDevice,
        },
    ));
    for id in requests {
        assert!(
            events.contains(&format!(
                "RequestFailed {{ request: {id:?}, error: Server(2024), message: \"\" }}"
            )),
            "{events:?}"
        );
    }
    assert!(events.contains(&"KickedOut(MultiDevice)".to_owned()));
    assert!(events.contains(&"SdkNotReady".to_owned()));
}

#[test]
fn logout_completes_and_clears_the_session() {
    let mut h = Harness::logged_in();
    let request = h.client.logout(h.now).unwrap();
    let (id, _) = h.sent_request(kind::LOGOUT);
    let events = h.feed(&ok(id, &()));
    assert!(events.contains(&format!("RequestCompleted({request:?})")));
    assert!(events.contains(&"SdkNotReady".to_owned()));
    assert!(h.client.poll_close());
    assert_eq!(h.client.login_user(), None);
}

#[test]
fn send_status_failed_is_reported_for_server_refusals() {
    let mut h = Harness::logged_in();
    h.client
        .send_message(h.now, &OutgoingMessage::text("bob", "x"))
        .unwrap();
    let (id, _) = h.sent_request(kind::SEND_MESSAGE);
    let refusal = frame(
        kind::RESPONSE_ERR,
        &(
            id,
            body::ErrorBody {
                code: code::BLOCKED_BY_PEER,
                message: "blocked",
            },
        ),
    );
    h.client.handle_input(h.now, &refusal);
    assert!(h.event_matching(|e| matches!(
        e,
        Event::MessageStatus {
            status: SendStatus::Failed {
                code: code::BLOCKED_BY_PEER
            },
            ..
        }
    )));
}

#[test]
fn zero_copy_input_gives_the_same_events_as_handle_input() {
    let mut bytes = Vec::new();
    for seq in 2..=40 {
        bytes.extend(push(
            1,
            &text_message("C2Cbob", seq, "bob", &"z".repeat(90)),
        ));
    }
    let mut copied = Harness::logged_in();
    copied.know("C2Cbob", 1);
    let expected = copied.feed(&bytes);

    let mut direct = Harness::logged_in();
    direct.know("C2Cbob", 1);
    let mut events = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let room = direct.client.input_buffer();
        if room.is_empty() {
            // Full of frames not yet read: reading events frees it.
            let drained = direct.events();
            assert!(
                !drained.is_empty(),
                "a full buffer always has events to drain"
            );
            events.extend(drained);
            continue;
        }
        let n = room.len().min(rest.len()).min(333);
        room[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        direct.client.input_written(direct.now, n);
        events.extend(direct.events());
    }
    events.extend(direct.events());
    let messages = |v: &[String]| {
        v.iter()
            .filter(|e| e.starts_with("MessageReceived"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(messages(&events).len(), 39);
    assert_eq!(messages(&events), messages(&expected));
}

#[test]
fn zero_copy_output_sends_whole_frames_across_partial_writes() {
    let mut copied = Harness::logged_in();
    let mut direct = Harness::logged_in();
    for h in [&mut copied, &mut direct] {
        for i in 0..3u64 {
            let text = format!("message {i}");
            let msg = OutgoingMessage::text("bob", &text).with_client_msg_id(100 + i);
            h.client.send_message(h.now, &msg).unwrap();
        }
        h.advance(1_000); // a heartbeat joins the queue
    }
    let expected = copied.sent();
    // The transport takes at most 7 bytes a write.
    let mut bytes = Vec::new();
    while let Some(chunk) = direct.client.transmit_chunk() {
        assert!(!chunk.is_empty(), "never an empty chunk");
        let n = chunk.len().min(7);
        bytes.extend_from_slice(&chunk[..n]);
        direct.client.transmit_done(n);
    }
    let mut frames = Vec::new();
    let mut rest = &bytes[..];
    while let Some((f, size)) = tinyim_core::wire::parse_frame(rest, 1 << 16).unwrap() {
        frames.push((f.kind, f.body.to_vec()));
        rest = &rest[size..];
    }
    assert!(rest.is_empty(), "only whole frames");
    assert_eq!(frames, expected);
    assert_eq!(
        frames
            .iter()
            .filter(|(k, _)| *k == kind::SEND_MESSAGE)
            .count(),
        3
    );
}

#[test]
fn sends_without_an_id_get_distinct_nonzero_ids_that_run_on() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let ids: Vec<u64> = (0..3)
        .map(|_| {
            h.client
                .send_message(h.now, &OutgoingMessage::text("bob", "hi"))
                .unwrap();
            let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
            let send: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
            send.client_msg_id
        })
        .collect();
    assert!(ids.iter().all(|&id| id != 0), "0 is the server's own id");
    // Consecutive, so the server's dedupe index grows at one place.
    assert_eq!(ids[1], ids[0].wrapping_add(1));
    assert_eq!(ids[2], ids[1].wrapping_add(1));
}

#[test]
fn a_server_going_away_is_left_and_dialed_again_with_the_session_kept() {
    let mut h = Harness::logged_in();
    h.client
        .send_message(h.now, &OutgoingMessage::text("bob", "in flight"))
        .unwrap();
    let _ = h.sent_request(kind::SEND_MESSAGE);
    h.feed(&frame(kind::PUSH_RECONNECT, &()));
    assert!(h.client.poll_close(), "the transport is closed");
    h.client.connection_lost(h.now);
    // The backoff, then a new connection and a login with the same user;
    // the send waits for it and goes out again.
    let sync = h.reconnect_until_sync();
    h.feed(&sync_page(sync, 20, &[]));
    h.answer_group_list(&[]);
    let (_, payload) = h.sent_request(kind::SEND_MESSAGE);
    let send: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(send.elem, tinyim_core::Elem::Text { text: "in flight" });
}

#[test]
fn a_login_refused_for_a_reason_that_passes_is_tried_again() {
    for passing in [code::RATE_LIMITED, code::INTERNAL, code::UNAVAILABLE] {
        login_refused_then_tried_again(passing);
    }
}

fn login_refused_then_tried_again(passing: u32) {
    let mut h = Harness::new();
    h.client.login(h.now, "alice", "sig").unwrap();
    h.open();
    let (login, _) = h.sent_request(kind::LOGIN);
    let events = h.feed(&refusal(login, passing));
    assert!(
        !events.iter().any(|e| e.starts_with("RequestFailed")),
        "{events:?}"
    );
    assert!(h.client.poll_close(), "this connection is given up");
    h.client.connection_lost(h.now);
    assert_eq!(h.client.login_user(), Some("alice"), "the session is kept");
    h.advance(2_000);
    h.open();
    let (again, _) = h.sent_request(kind::LOGIN);
    let events = h.feed(&ok(
        again,
        &body::LoginOk {
            sig_expires_at: 0,
            resume: &[],
        },
    ));
    assert!(events.contains(&"SdkReady".to_owned()), "{events:?}");
}

#[test]
fn a_send_refused_over_the_rate_limit_or_with_the_database_down_goes_again_after_a_backoff() {
    for passing in [code::RATE_LIMITED, code::UNAVAILABLE] {
        send_refused_then_sent_again(passing);
    }
}

fn send_refused_then_sent_again(passing: u32) {
    let mut h = Harness::logged_in();
    let message = OutgoingMessage::text("bob", "later").with_client_msg_id(77);
    let request = h.client.send_message(h.now, &message).unwrap();
    let (first, _) = h.sent_request(kind::SEND_MESSAGE);
    let events = h.feed(&refusal(first, passing));
    assert!(
        !events.iter().any(|e| e.contains("Failed")),
        "not a failure: {events:?}"
    );
    assert!(h.sent().is_empty(), "not at once");
    let resume = h.client.poll_timeout().unwrap();
    h.advance(resume.saturating_since(h.now).as_millis());
    let (again, payload) = h.sent_request(kind::SEND_MESSAGE);
    let send: body::SendMessage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(send.client_msg_id, 77, "the same message");
    let ok_frame = ok(
        again,
        &body::SendOk {
            conversation: "C2Cbob",
            seq: 1,
            time_ms: 5,
        },
    );
    let events = h.feed(&ok_frame);
    assert!(
        events.contains(&format!("RequestCompleted({request:?})")),
        "{events:?}"
    );
}

#[test]
fn the_servers_clock_runs_on_from_the_handshake_and_a_hostile_value_does_not_overflow() {
    let (mut h, _, _) = handshake_answered(&hello_ack(1_800_000_000_000));
    h.advance(250);
    assert_eq!(h.client.server_time_ms(h.now), Some(1_800_000_000_250));
    let (mut h, _, _) = handshake_answered(&hello_ack(u64::MAX));
    h.advance(250);
    assert_eq!(h.client.server_time_ms(h.now), Some(u64::MAX));
    assert_eq!(
        Harness::new().client.server_time_ms(h.now),
        None,
        "before a handshake"
    );
}

#[test]
fn a_tls_answer_to_the_hello_fails_the_login_without_a_redial() {
    // What a TLS server sends a plain hello: a fatal alert record.
    let (mut h, login, events) = handshake_answered(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]);
    assert!(
        events.contains(&format!(
            "RequestFailed {{ request: {login:?}, error: Server(9009), message: \"\" }}"
        )),
        "{events:?}"
    );
    h.client.connection_lost(h.now);
    h.advance(60_000);
    assert!(!h.client.poll_connect(h.now), "no redial");
    // Other garbage is only a broken connection, dialed again.
    let (mut h, _, events) = handshake_answered(&[0xff; 8]);
    assert!(!events.iter().any(|e| e.contains("9009")), "{events:?}");
    h.client.connection_lost(h.now);
    h.advance(60_000);
    assert!(h.client.poll_connect(h.now), "redialed");
}

#[test]
fn the_usersig_expiry_is_told_five_minutes_ahead_by_the_servers_clock_once() {
    const SERVER_NOW_MS: u64 = 1_800_000_000_000;
    let (mut h, _, _) = handshake_answered(&hello_ack(SERVER_NOW_MS));
    // It expires ten minutes after the server's now, whatever this
    // machine's clock says.
    let expires_at = SERVER_NOW_MS / 1000 + 600;
    let (login, _) = h.sent_request(kind::LOGIN);
    h.feed(&ok(
        login,
        &body::LoginOk {
            sig_expires_at: expires_at,
            resume: &[],
        },
    ));
    let warned = |events: &[String]| {
        events
            .iter()
            .filter(|e| e.starts_with("UserSigExpiring"))
            .count()
    };
    h.advance(299_000);
    assert_eq!(warned(&h.events()), 0, "not before five minutes ahead");
    h.advance(1_000);
    let events = h.events();
    assert!(
        events.contains(&format!("UserSigExpiring {{ expires_at: {expires_at} }}")),
        "{events:?}"
    );
    h.advance(200_000);
    assert_eq!(warned(&h.events()), 0, "once");
}

#[test]
fn an_own_send_whose_answer_was_lost_is_reported_sent_not_received() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    let msg = OutgoingMessage::text("bob", "mine").with_client_msg_id(77);
    h.client.send_message(h.now, &msg).unwrap();
    let (id, _) = h.sent_request(kind::SEND_MESSAGE);
    // The server stored it, but its answer was lost (the node that took it
    // died); the message comes back first, as a push or a fetch does.
    let stored = body::Message {
        client_msg_id: 77,
        ..text_message("C2Cbob", 2, "alice", "mine")
    };
    let events = h.feed(&push(2, &stored));
    assert!(
        !events.iter().any(|e| e.starts_with("MessageReceived")),
        "{events:?}"
    );
    // The resend's answer reports it as sent.
    let events = h.feed(&ok(
        id,
        &body::SendOk {
            conversation: "C2Cbob",
            seq: 2,
            time_ms: 5,
        },
    ));
    assert!(
        events.iter().any(|e| e.contains("Sent { seq: 2")),
        "{events:?}"
    );
}

#[test]
fn hostile_clock_and_expiry_values_warn_at_most_once_and_never_panic() {
    for (server_time_ms, expires_at) in [(u64::MAX, u64::MAX), (0, u64::MAX), (u64::MAX, 1), (0, 1)]
    {
        let (mut h, _, _) = handshake_answered(&hello_ack(server_time_ms));
        let (login, _) = h.sent_request(kind::LOGIN);
        h.feed(&ok(
            login,
            &body::LoginOk {
                sig_expires_at: expires_at,
                resume: &[],
            },
        ));
        let mut warned = 0;
        for _ in 0..3 {
            h.advance(400_000);
            warned += h
                .events()
                .iter()
                .filter(|e| e.starts_with("UserSigExpiring"))
                .count();
        }
        assert!(warned <= 1, "({server_time_ms}, {expires_at}): {warned}");
    }
}

#[test]
#[cfg(feature = "full")]
fn refusals_carry_the_servers_words_cut_to_fit() {
    let mut h = Harness::logged_in();
    let requests: Vec<_> = (0..6)
        .map(|i| h.client.user_profile(h.now, &format!("u{i}")).unwrap())
        .collect();
    let long = "é".repeat(60);
    let mut answers = Vec::new();
    for (i, _) in requests.iter().enumerate() {
        let (id, _) = h.sent_request(kind::USER_PROFILE);
        let words = if i == 5 {
            long.clone()
        } else {
            format!("no {i}")
        };
        answers.extend(frame(
            kind::RESPONSE_ERR,
            &(
                id,
                body::ErrorBody {
                    code: code::INVALID_PARAMETER,
                    message: &words,
                },
            ),
        ));
    }
    // All six refusals arrive before the application reads an event.
    h.client.handle_input(h.now, &answers);
    let mut texts = Vec::new();
    while let Some(event) = h.client.poll_event() {
        if let Event::RequestFailed { message, .. } = event {
            texts.push(message.to_owned());
        }
    }
    // Frames are applied as events are read, so each kept its words.
    assert_eq!(&texts[..5], ["no 0", "no 1", "no 2", "no 3", "no 4"]);
    assert_eq!(texts[5], "é".repeat(40), "cut at a character boundary");
}

#[test]
fn read_all_sends_its_scope_and_reads_what_the_table_holds_of_it_on_the_answer() {
    use tinyim_core::wire::body::{ReadAll, ReadScope};
    let mut h = Harness::logged_in();
    h.feed(&push(0, &text_message("C2Cbob", 1, "bob", "one")));
    h.feed(&push(0, &text_message("C2Cbob", 2, "bob", "two")));
    h.feed(&push(0, &text_message("GROUPg1", 1, "bob", "hi all")));
    assert_eq!(h.client.total_unread(), 3);
    let request = h
        .client
        .set_all_message_read(h.now, ReadScope::C2c)
        .unwrap();
    let (id, payload) = h.sent_request(kind::READ_ALL);
    assert_eq!(
        records::decode_exact::<ReadAll>(&payload),
        Ok(ReadAll {
            scope: ReadScope::C2c
        })
    );
    assert_eq!(h.client.total_unread(), 3, "not before the answer");
    let events = h.feed(&ok(id, &()));
    assert!(
        events.contains(&format!("RequestCompleted({request:?})")),
        "{events:?}"
    );
    assert_eq!(h.client.conversation("C2Cbob").unwrap().unread_count(), 0);
    assert_eq!(h.client.total_unread(), 1, "the group is out of scope");
    let request = h
        .client
        .set_all_message_read(h.now, ReadScope::All)
        .unwrap();
    let (id, _) = h.sent_request(kind::READ_ALL);
    h.client.handle_input(h.now, &ok(id, &()));
    assert!(h.call_answer(request).contains(&"completed".to_owned()));
    assert_eq!(h.client.total_unread(), 0);
}
