//! End to end: hostile input closes only the offending connection, wrong
//! requests get clear codes, and nobody reads another user's conversations.

mod common;

use common::*;
use tinyim_core::wire::{body, code, kind, records};

#[tokio::test(flavor = "multi_thread")]
async fn garbage_and_oversized_frames_close_only_that_connection() {
    let (server, _dir) = fresh_server();
    let (alice, _a) = client(&server.addr, "alice").await;

    // Garbage instead of a hello.
    let mut garbage = RawConn::connect(&server.addr);
    garbage.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(garbage.closed_by_server());

    // A length prefix far over the limit: closed before any body is sent.
    let mut huge = RawConn::connect(&server.addr);
    huge.hello();
    huge.send_raw(&[0xff, 0xff, 0xff, 0x7f, kind::SEND_MESSAGE]);
    assert!(huge.closed_by_server());

    // A zero length.
    let mut empty = RawConn::connect(&server.addr);
    empty.hello();
    empty.send_raw(&[0, 0, 0, 0]);
    assert!(empty.closed_by_server());

    // A server kind from a client.
    let mut wrong_way = RawConn::connect(&server.addr);
    wrong_way.hello();
    wrong_way.send(kind::PUSH_MESSAGE, &());
    assert!(wrong_way.closed_by_server());

    // A request too short to hold its request id.
    let mut truncated = RawConn::connect(&server.addr);
    truncated.hello();
    truncated.send_raw(&[1, 0, 0, 0, kind::SYNC]);
    assert!(truncated.closed_by_server());

    // A hello of another protocol version is refused with its code.
    let mut old = RawConn::connect(&server.addr);
    old.send(
        kind::HELLO,
        &body::Hello {
            version: 999,
            max_frame: 4096,
            device: body::DeviceClass::Web,
        },
    );
    let (k, b) = old.recv().unwrap();
    assert_eq!(k, kind::HELLO_REJECT);
    assert_eq!(
        records::decode_exact::<body::HelloReject>(&b).unwrap().code,
        code::VERSION_MISMATCH
    );
    assert!(old.closed_by_server());

    // Everyone else is unaffected, including the session open all along.
    alice.send_text("bob", "before").await.unwrap();
    still_chatting(&server.addr, "alice", "bob", 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_requests_get_codes_and_the_connection_stays_open() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let sync = body::Sync { cursor: 0 };
    assert_eq!(raw.request(kind::SYNC, 1, &sync), Err(code::NOT_LOGGED_IN));
    raw.login("alice");
    assert_eq!(
        raw.request(
            kind::LOGIN,
            2,
            &body::Login {
                user_id: "alice",
                credential: body::Credential::UserSig(&sig("alice")),
            }
        ),
        Err(code::REPEAT_LOGIN)
    );
    assert_eq!(raw.request(0x7e, 3, &()), Err(code::UNSUPPORTED));
    assert_eq!(
        raw.request(kind::SEND_MESSAGE, 4, &(1u8, 2u8)),
        Err(code::BAD_REQUEST)
    );
    let bad_target = body::SendMessage {
        conversation: "C2Cnot|valid",
        client_msg_id: 1,
        online_only: false,
        priority: Default::default(),
        elem: body::Elem::Text { text: "x" },
        extra: body::MessageExtra::default(),
    };
    assert_eq!(
        raw.request(kind::SEND_MESSAGE, 5, &bad_target),
        Err(code::BAD_CONVERSATION)
    );
    let too_big = "x".repeat(13 * 1024);
    let big = body::SendMessage {
        conversation: "C2Cbob",
        client_msg_id: 2,
        online_only: false,
        priority: Default::default(),
        elem: body::Elem::Text { text: &too_big },
        extra: body::MessageExtra::default(),
    };
    assert_eq!(
        raw.request(kind::SEND_MESSAGE, 6, &big),
        Err(code::MESSAGE_TOO_LARGE)
    );
    let placeholder = body::SendMessage {
        conversation: "C2Cbob",
        elem: body::Elem::TooLarge { size: 1 },
        ..bad_target
    };
    assert_eq!(
        raw.request(kind::SEND_MESSAGE, 7, &placeholder),
        Err(code::BAD_REQUEST)
    );
    // Still open and serving.
    assert!(raw.request(kind::SYNC, 8, &sync).is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_reads_or_marks_another_users_conversations() {
    let (server, _dir) = fresh_server();
    let (bob, _b) = client(&server.addr, "bob").await;
    bob.send_text("carol", "secret for carol").await.unwrap();

    let (mallory, _m) = client(&server.addr, "mallory").await;
    // "C2Ccarol" for mallory is mallory's chat with carol: empty.
    assert!(mallory
        .message_list("C2Ccarol", 0, 50)
        .await
        .unwrap()
        .is_empty());
    assert!(mallory
        .message_list("C2Cbob", 0, 50)
        .await
        .unwrap()
        .is_empty());
    mallory.set_message_read("C2Cbob").await.unwrap();
    // A group that does not exist.
    let err = mallory.message_list("GROUPnope", 0, 10).await.unwrap_err();
    assert_eq!(err.code(), code::GROUP_NOT_FOUND);

    // Carol still has her unread message.
    let (carol, _c) = client(&server.addr, "carol").await;
    assert_eq!(carol.total_unread().await.unwrap(), 1);
    let history = carol.message_list("C2Cbob", 0, 50).await.unwrap();
    assert_eq!(history.len(), 1);
}

/// Sends `total` requests of `kind` with `payload` at once, and counts the
/// refusals among their answers (each is 2996).
fn flood<T: serde::Serialize>(raw: &mut RawConn, kind: u8, payload: &T, total: u32) -> u32 {
    for id in 10..10 + total {
        raw.send(kind, &(id, payload));
    }
    // Refusals come straight from the front end, answers from the engine:
    // their order differs, so count them as they come.
    count_rate_refusals(raw, total)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_requests_is_rate_limited_with_a_code_but_a_sync_is_only_paced() {
    let dir = tempfile::tempdir().unwrap();
    // 100 requests a second, bursts of 200.
    let server =
        ServerProcess::start_with(&dir.path().join("t.db"), "127.0.0.1:0", &["--rate", "100"]);
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    raw.login("alice");
    let history = body::MessageList {
        conversation: "C2Cbob",
        before_seq: 0,
        count: 20,
    };
    let total = 600;
    let limited = flood(&mut raw, kind::MESSAGE_LIST, &history, total);
    assert!(limited > 0, "a flood beyond the burst is refused");
    assert!(limited < total, "requests within the burst are served");
    // The requests a returning client catches up with are never refused:
    // past the burst they wait for their turn.
    let sync = body::Sync { cursor: 0 };
    assert_eq!(flood(&mut raw, kind::SYNC, &sync, 300), 0);
    let range = body::MessageRange {
        conversation: "C2Cbob",
        start: body::RangeStart::AfterSeq(0),
        count: 20,
    };
    assert_eq!(flood(&mut raw, kind::MESSAGE_RANGE, &range, 300), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_that_never_stops_sending_still_gets_its_deliveries() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let (server, _dir) = fresh_server();
    let mut flooder = RawConn::connect(&server.addr);
    flooder.hello();
    let login = body::Login {
        user_id: "carol",
        credential: body::Credential::UserSig(&sig("carol")),
    };
    flooder.request(kind::LOGIN, 1, &login).expect("login");

    // Heartbeats back to back from another thread, so the server always
    // has carol's bytes to read, until her delivery arrives (or 20 s pass,
    // which fails the test: deliveries waited for the flood to end).
    let stop = Arc::new(AtomicBool::new(false));
    let mut writer = flooder.stream.try_clone().unwrap();
    let flood = std::thread::spawn({
        let stop = stop.clone();
        move || {
            let mut heartbeat = vec![0u8; 64];
            let n = tinyim_core::wire::encode_frame(kind::HEARTBEAT, &(), &mut heartbeat).unwrap();
            let burst: Vec<u8> = heartbeat[..n].repeat(4096);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while !stop.load(Ordering::Relaxed) {
                if std::time::Instant::now() > deadline || writer.write_all(&burst).is_err() {
                    return false;
                }
            }
            true
        }
    });

    let (dave, _d) = client(&server.addr, "dave").await;
    dave.send_text("carol", "through the flood").await.unwrap();
    let delivered = tokio::task::spawn_blocking(move || loop {
        match flooder.recv() {
            Some((kind::PUSH_MESSAGE, _)) => return true,
            Some(_) => continue,
            None => return false,
        }
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    assert!(delivered, "the push reached carol");
    assert!(
        flood.join().unwrap(),
        "delivered while carol was still sending, not after her flood ended"
    );
}
