//! End to end: operating the server. SIGTERM under traffic stops it
//! gracefully (exit 0, clients told to reconnect, nothing acknowledged
//! lost or doubled after a restart); a backup taken under traffic restores
//! every message acknowledged before it; `check` finds a sound file sound;
//! logs are plain (no colour codes) off a terminal, or JSON.

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};

use common::*;
use tinyim_tokio::TimEvent;

/// Adds the texts `events` delivers to `seen` until it holds `want`,
/// failing on a text delivered twice.
async fn receive_all(
    events: &mut tinyim_tokio::EventStream,
    seen: &mut HashSet<String>,
    want: impl Fn(&HashSet<String>) -> bool,
) {
    while !want(seen) {
        if let TimEvent::MessageReceived(m) =
            wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await
        {
            let text = m.payload.text().unwrap_or_default().to_owned();
            assert!(seen.insert(text.clone()), "{text} delivered twice");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_under_traffic_stops_cleanly_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let addr = server.addr.clone();
    let (alice, _a) = client(&addr, "alice").await;
    let (_bob, mut bob_events) = client(&addr, "bob").await;
    let sender = tokio::spawn(async move {
        let mut acked = HashSet::new();
        for i in 0..300 {
            let text = format!("m{i}");
            if alice.send_text("bob", &text).await.is_ok() {
                acked.insert(text);
            }
        }
        acked
    });
    // Stop it mid-traffic: once bob has some of them.
    let mut seen = HashSet::new();
    receive_all(&mut bob_events, &mut seen, |seen| seen.len() >= 50).await;
    let status = server.terminate();
    assert!(status.success(), "SIGTERM exits 0: {status:?}");
    let _server = ServerProcess::start(&db, &addr);
    // Both clients connect again by themselves; the sender's unanswered
    // sends go out again.
    let acked = sender.await.unwrap();
    assert!(acked.len() > 50);
    receive_all(&mut bob_events, &mut seen, |seen| acked.is_subset(seen)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_under_traffic_restores_everything_acknowledged_before_it() {
    if common::postgres::skipped_for_sqlite_file("backs the SQLite file up") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let copy = dir.path().join("copy.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let (alice, _a) = client(&server.addr, "alice").await;
    let mut before = HashSet::new();
    for i in 0..100 {
        let text = format!("before {i}");
        alice.send_text("bob", &text).await.unwrap();
        before.insert(text);
    }
    // Traffic goes on while the copy is taken.
    let busy = tokio::spawn(async move {
        for i in 0..200 {
            alice
                .send_text("bob", &format!("during {i}"))
                .await
                .unwrap();
        }
    });
    let backup = Command::new(common::server_binary())
        .arg("backup")
        .arg("--data")
        .arg(&db)
        .arg("--to")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(backup.status.success(), "{backup:?}");
    busy.await.unwrap();
    let check = Command::new(common::server_binary())
        .arg("check")
        .arg("--data")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "ok");
    // A server on the copy delivers every message acknowledged before it.
    let restored = ServerProcess::start(&copy, "127.0.0.1:0");
    let (bob, mut bob_events) = tinyim_tokio::Tim::connect(&restored.addr, Default::default());
    bob.login("bob", &sig("bob")).await.unwrap();
    receive_all(&mut bob_events, &mut HashSet::new(), |seen| {
        before.is_subset(seen)
    })
    .await;
}

#[test]
fn logs_are_plain_off_a_terminal_or_json_lines() {
    for (format, json) in [("text", false), ("json", true)] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(common::server_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", format])
            .arg("--data")
            .arg(dir.path().join("t.db"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The address on stdout means the start-up lines were written.
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert!(line.starts_with("listening on "), "{line}");
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        let logs = String::from_utf8(out.stderr).unwrap();
        assert!(logs.contains("listening"), "{logs}");
        assert!(!logs.contains('\u{1b}'), "no colour codes: {logs}");
        for line in logs.lines() {
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(line).is_ok(),
                json,
                "{format}: {line}"
            );
        }
    }
}

/// The value of the first sample of `metric` whose line contains `labels`.
fn sample(text: &str, metric: &str, labels: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(metric) && l.contains(labels))
        .find_map(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {metric} {labels} in:\n{text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_what_happened_and_health_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("t.db"),
        "127.0.0.1:0",
        &["--metrics-listen", "127.0.0.1:0"],
    );
    let ops = server.metrics_addr.clone().unwrap();
    let (alice, _a) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    for text in ["one", "two", "three"] {
        alice.send_text("bob", text).await.unwrap();
    }
    receive(&mut bob_events, 3).await;
    let mut stranger = RawConn::connect(&server.addr);
    stranger.hello();
    let forged =
        tinyim_core::wire::body::Login {
            user_id: "mallory",
            credential: tinyim_core::wire::body::Credential::UserSig(
                &tinyim_server::usersig::mint(APP_ID, "wrong key", "mallory", 60, unix_now()),
            ),
        };
    assert_eq!(
        stranger.request(tinyim_core::wire::kind::LOGIN, 1, &forged),
        Err(tinyim_core::wire::code::USER_SIG_MISMATCH)
    );

    assert_eq!(http_get(&ops, "/healthz").0, 200);
    assert_eq!(http_get(&ops, "/readyz").0, 200);
    let (status, text) = http_get(&ops, "/metrics");
    assert_eq!(status, 200);
    assert_eq!(sample(&text, "tinyim_messages_stored_total", ""), 3.0);
    assert_eq!(sample(&text, "tinyim_deliveries_total", ""), 3.0);
    assert!(sample(&text, "tinyim_logins_total", "result=\"ok\"") >= 2.0);
    assert_eq!(
        sample(&text, "tinyim_logins_total", "result=\"70009\""),
        1.0
    );
    assert_eq!(
        sample(&text, "tinyim_refusals_total", "code=\"70009\""),
        1.0
    );
    assert!(sample(&text, "tinyim_requests_total", "kind=\"0x22\"") >= 3.0);
    assert!(sample(&text, "tinyim_fsync_seconds_count", "") >= 1.0);
    assert!(sample(&text, "tinyim_commit_batch_inputs_count", "") >= 1.0);
    // Every input the engine applied: at least the three sends.
    assert!(sample(&text, "tinyim_apply_seconds_count", "") >= 3.0);
    assert_eq!(http_get(&ops, "/nothing").0, 404);
}
