//! The server's heartbeats and deadlines over real TCP: a connection that
//! never says hello is closed after the handshake timeout, a silent one is
//! sent heartbeats and closed after three intervals, and one that keeps
//! talking stays open.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{RawConn, ServerProcess};
use tinyim_core::wire::{self, kind};

const HEARTBEAT_MS: u64 = 200;
const HANDSHAKE_MS: u64 = 300;

fn server() -> (ServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &[
            "--heartbeat-ms",
            &HEARTBEAT_MS.to_string(),
            "--handshake-timeout-ms",
            &HANDSHAKE_MS.to_string(),
        ],
    );
    (server, dir)
}

/// Reads until the server closes; returns the kinds of the frames it sent.
fn kinds_until_closed(raw: &mut RawConn) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut kinds = Vec::new();
    loop {
        while let Some((frame, size)) = wire::parse_frame(&buf, 64 * 1024).unwrap() {
            kinds.push(frame.kind);
            buf.drain(..size);
        }
        let mut chunk = [0u8; 4096];
        match raw.stream.read(&mut chunk) {
            Ok(0) => return kinds,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return kinds,
            Err(e) => panic!("read failed: {e}"),
        }
    }
}

#[test]
fn a_connection_without_a_hello_is_closed_after_the_handshake_timeout() {
    let (server, _dir) = server();
    let started = Instant::now();
    let mut raw = RawConn::connect(&server.addr);
    assert_eq!(
        kinds_until_closed(&mut raw),
        Vec::<u8>::new(),
        "closed without a frame"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(HANDSHAKE_MS),
        "not before its deadline"
    );
}

#[test]
fn a_silent_connection_gets_heartbeats_then_is_closed_after_three_intervals() {
    let (server, _dir) = server();
    let mut raw = RawConn::connect(&server.addr);
    // Silence starts with the hello, the last byte this side sends.
    let since_hello = Instant::now();
    raw.hello();
    let kinds = kinds_until_closed(&mut raw);
    assert!(
        since_hello.elapsed() >= Duration::from_millis(3 * HEARTBEAT_MS),
        "not before three silent intervals"
    );
    assert!(
        kinds.iter().filter(|&&k| k == kind::HEARTBEAT).count() >= 2,
        "heartbeats while it was open: {kinds:?}"
    );
}

#[test]
fn a_connection_that_keeps_talking_stays_open_past_the_idle_limit() {
    let (server, _dir) = server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let talked_until = Instant::now() + Duration::from_millis(8 * HEARTBEAT_MS);
    while Instant::now() < talked_until {
        raw.send(kind::HEARTBEAT, &());
        // The client's own pace: one heartbeat per half interval.
        std::thread::sleep(Duration::from_millis(HEARTBEAT_MS / 2));
    }
    // Still open: a request is answered (refused, as nobody logged in).
    let answer = raw.request(kind::SYNC, 7, &());
    assert_eq!(answer, Err(wire::code::NOT_LOGGED_IN));
}
