//! End to end: durability across a SIGKILL, and resends that never duplicate.

mod common;

use std::collections::BTreeSet;

use common::*;
use tinyim_core::wire::{body, kind, records};
use tinyim_tokio::{ConversationType, Outgoing};

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_under_traffic_loses_and_duplicates_nothing() {
    sigkill_loses_nothing(&["--rate", "5000"]).await;
}

/// `--durability os` answers once a commit reached the operating system:
/// a crash of the server itself still loses nothing.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_under_traffic_loses_nothing_when_acknowledging_before_the_disk() {
    sigkill_loses_nothing(&["--rate", "5000", "--durability", "os"]).await;
}

/// Alice sends in waves of 8 concurrent messages to bob and the server
/// (started with `flags`) is killed midway and started again on its file:
/// every message is acknowledged and delivered exactly once, in order.
async fn sigkill_loses_nothing(flags: &[&str]) {
    const TOTAL: usize = 240;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tinyim.db");
    let server = ServerProcess::start_with(&data, "127.0.0.1:0", flags);
    let addr = server.addr.clone();
    let (alice, _alice_events) = client(&addr, "alice").await;
    let (_bob, mut bob_events) = client(&addr, "bob").await;

    let sender = send_in_waves(
        alice.clone(),
        TOTAL,
        Outgoing::text(ConversationType::C2c, "bob", ""),
    );
    // Kill once a third of the messages reached bob, then restart on the same file.
    let first = receive(&mut bob_events, TOTAL / 3).await;
    let addr = server.kill();
    let _server = ServerProcess::start_with(&data, &addr, flags);
    let acked = sender.await.unwrap();
    assert_eq!(acked.len(), TOTAL);

    let mut received = first;
    let acked_seqs: BTreeSet<u64> = acked.iter().map(|s| s.seq).collect();
    assert_eq!(
        acked_seqs.len(),
        TOTAL,
        "every acknowledged message has its own seq"
    );
    while received.len() < TOTAL {
        received.extend(receive(&mut bob_events, 1).await);
    }
    let seqs: Vec<u64> = received.iter().map(|m| m.seq).collect();
    let expected: Vec<u64> = (1..=TOTAL as u64).collect();
    assert_eq!(seqs, expected, "exactly once, in seq order");
    assert_eq!(acked_seqs.into_iter().collect::<Vec<_>>(), expected);
}

/// The syncs the server made so far, from its metrics.
fn syncs(ops: &str) -> f64 {
    let (_, text) = http_get(ops, "/metrics");
    text.lines()
        .find_map(|l| l.strip_prefix("tinyim_fsync_seconds_count "))
        .map_or(0.0, |n| n.trim().parse().unwrap())
}

/// `--durability os`: answers come before any sync, and the store is synced
/// by the interval, not by each write.
#[tokio::test(flavor = "multi_thread")]
async fn acknowledging_before_the_disk_syncs_by_the_interval() {
    // PostgreSQL flushes its own WAL (`synchronous_commit = off`).
    if common::postgres::skipped_for_sqlite_file("the WAL's interval sync") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tinyim.db");
    let never = ServerProcess::start_with(
        &data,
        "127.0.0.1:0",
        &[
            "--metrics-listen",
            "127.0.0.1:0",
            "--durability",
            "os",
            "--durability-interval-ms",
            "3600000",
        ],
    );
    let (alice, _events) = client(&never.addr, "alice").await;
    for text in ["one", "two", "three"] {
        alice.send_text("bob", text).await.unwrap();
    }
    assert_eq!(
        syncs(never.metrics_addr.as_ref().unwrap()),
        0.0,
        "acknowledged unsynced"
    );
    alice.shutdown().await;
    drop(never);

    let soon = ServerProcess::start_with(
        &data,
        "127.0.0.1:0",
        &[
            "--metrics-listen",
            "127.0.0.1:0",
            "--durability",
            "os",
            "--durability-interval-ms",
            "20",
        ],
    );
    let ops = soon.metrics_addr.clone().unwrap();
    let (alice, _events) = client(&soon.addr, "alice").await;
    alice.send_text("bob", "four").await.unwrap();
    let started = std::time::Instant::now();
    while syncs(&ops) == 0.0 {
        assert!(started.elapsed() < PATIENCE, "no sync within the interval");
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_under_group_traffic_loses_and_duplicates_nothing() {
    const TOTAL: usize = 120;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tinyim.db");
    // Above TIM's 40 group messages a second: the burst is the point here.
    let flags = ["--rate", "5000", "--group-rate", "100000"];
    let server = ServerProcess::start_with(&data, "127.0.0.1:0", &flags);
    let addr = server.addr.clone();
    let (alice, _alice_events) = client(&addr, "alice").await;
    let mut options = tinyim_tokio::GroupOptions::new(tinyim_tokio::GroupType::Community, "team");
    options.group_id = Some("g-durable".into());
    options.members = vec!["bob".into(), "carol".into()];
    alice.create_group(options).await.unwrap();
    // Only the group's messages are counted: their invitations (SYSTEM)
    // may come after their first sync.
    let (_bob, mut bob_events) = client(&addr, "bob").await;
    let (_carol, mut carol_events) = client(&addr, "carol").await;

    let to_group = Outgoing::text(ConversationType::Group, "g-durable", "");
    let sender = send_in_waves(alice.clone(), TOTAL, to_group);
    let mut bob_got = receive_in(&mut bob_events, "GROUPg-durable", TOTAL / 3).await;
    let addr = server.kill();
    let _server = ServerProcess::start_with(&data, &addr, &flags);
    let acked = sender.await.unwrap();
    let expected: Vec<u64> = (1..=TOTAL as u64).collect();
    let mut acked_seqs: Vec<u64> = acked.iter().map(|s| s.seq).collect();
    acked_seqs.sort();
    assert_eq!(
        acked_seqs, expected,
        "every acknowledged message has its own seq"
    );
    while bob_got.len() < TOTAL {
        bob_got.extend(receive_in(&mut bob_events, "GROUPg-durable", 1).await);
    }
    let carol_got = receive_in(&mut carol_events, "GROUPg-durable", TOTAL).await;
    for (who, got) in [("bob", bob_got), ("carol", carol_got)] {
        let seqs: Vec<u64> = got.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, expected, "{who}: exactly once, in seq order");
    }
}

/// Sends `total` texts ("m0", "m1", ...) shaped like `message`, in waves of
/// 8 concurrent sends, in a task; resolves to their acknowledgements.
fn send_in_waves(
    tim: tinyim_tokio::Tim,
    total: usize,
    message: Outgoing,
) -> tokio::task::JoinHandle<Vec<tinyim_tokio::SentMessage>> {
    tokio::spawn(async move {
        let mut acked = Vec::new();
        for wave in 0..total / 8 {
            let sends = (0..8).map(|i| {
                let (tim, mut message) = (tim.clone(), message.clone());
                message.payload = tinyim_tokio::Payload::Text(format!("m{}", wave * 8 + i));
                async move { tim.send(message).await }
            });
            for result in futures_join(sends).await {
                acked.push(result.expect("every send is acknowledged in the end"));
            }
        }
        acked
    })
}

/// Runs futures concurrently and returns their results in order.
async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_after_a_lost_ack_makes_no_duplicate() {
    let (server, _dir) = fresh_server();
    let id = 0x5eed_0000_0000_0001u64;
    let send = body::SendMessage {
        conversation: "C2Cbob",
        client_msg_id: id,
        online_only: false,
        priority: Default::default(),
        elem: body::Elem::Text { text: "once" },
        extra: body::MessageExtra::default(),
    };
    // The ack is lost: the connection dies right after the request.
    let mut first = RawConn::connect(&server.addr);
    first.hello();
    first.login("alice");
    first.send(kind::SEND_MESSAGE, &(7u32, send));
    drop(first);

    // A new connection resends with the same client message id.
    let mut second = RawConn::connect(&server.addr);
    second.hello();
    second.login("alice");
    let ok = second.request(kind::SEND_MESSAGE, 8, &send).unwrap();
    let ok: body::SendOk<'_> = records::decode_exact(&ok).unwrap();
    let again = second.request(kind::SEND_MESSAGE, 9, &send).unwrap();
    let again: body::SendOk<'_> = records::decode_exact(&again).unwrap();
    assert_eq!((ok.seq, ok.time_ms), (again.seq, again.time_ms));

    // The adapter's resend with the same id gets the same answer.
    let (alice, _events) = client(&server.addr, "alice").await;
    let via_adapter = alice
        .send(Outgoing {
            client_msg_id: Some(id),
            ..Outgoing::text(ConversationType::C2c, "bob", "once")
        })
        .await
        .unwrap();
    assert_eq!(via_adapter.seq, ok.seq);

    let (bob, _bob_events) = client(&server.addr, "bob").await;
    let history = bob.message_list("C2Calice", 0, 50).await.unwrap();
    assert_eq!(history.len(), 1, "one stored message: {history:?}");
    assert_eq!(history[0].client_msg_id, id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_failure_mid_send_closes_the_connection_and_the_resend_is_stored_once() {
    if common::postgres::skipped_for_sqlite_file("breaks the SQLite file under a send") {
        return;
    }
    let (server, dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    alice
        .create_group(tinyim_tokio::GroupOptions {
            group_id: Some("g-fail".into()),
            members: vec!["bob".into()],
            ..tinyim_tokio::GroupOptions::new(tinyim_tokio::GroupType::Work, "fail")
        })
        .await
        .expect("group created");

    // The disk "fails" on every write of a group row: a group send stores
    // its message, then cannot move the group's last seq.
    let saboteur = rusqlite::Connection::open(dir.path().join("tinyim.db")).unwrap();
    saboteur
        .execute_batch(
            "CREATE TRIGGER fail_group_writes BEFORE INSERT ON groups \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let send = body::SendMessage {
        conversation: "GROUPg-fail",
        client_msg_id: 0x5eed_0000_0000_0002,
        online_only: false,
        priority: Default::default(),
        elem: body::Elem::Text {
            text: "through a failure",
        },
        extra: body::MessageExtra::default(),
    };
    let mut first = RawConn::logged_in(&server.addr, "alice");
    first.send(kind::SEND_MESSAGE, &(7u32, send));
    // Not answered: the server rolled the request back and closed.
    let frames = first.kinds_until_closed();
    assert!(
        !frames.contains(&kind::RESPONSE_OK) && !frames.contains(&kind::RESPONSE_ERR),
        "closed without an answer: {frames:?}"
    );

    saboteur
        .execute_batch("DROP TRIGGER fail_group_writes;")
        .unwrap();
    let mut second = RawConn::connect(&server.addr);
    second.hello();
    second.login("alice");
    let ok = second.request(kind::SEND_MESSAGE, 8, &send).unwrap();
    let ok: body::SendOk<'_> = records::decode_exact(&ok).unwrap();
    assert_eq!(ok.seq, 1, "nothing of the failed attempt was kept");

    let (bob, _bob_events) = client(&server.addr, "bob").await;
    let history = bob.message_list("GROUPg-fail", 0, 50).await.unwrap();
    let texts: Vec<_> = history.iter().filter_map(|m| m.payload.text()).collect();
    assert_eq!(texts, ["through a failure"], "{history:?}");
}
