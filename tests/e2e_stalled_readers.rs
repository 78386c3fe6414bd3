//! End to end: clients that flood requests for large answers and never read
//! hold at most their connection's budget in the server, and everyone else
//! is still served.

mod common;

use common::*;
use tinyim_core::wire::{body, kind};

/// Connections that ask and never read.
const STALLED: usize = 6;
/// History requests each one sends.
const REQUESTS: u32 = 2000;
/// The server's default `--conn-buffer`.
const BUDGET: u64 = 256 * 1024;

#[tokio::test(flavor = "multi_thread")]
async fn readers_that_never_read_hold_no_more_than_their_budget() {
    let (server, _dir) = fresh_server();
    // Twenty messages of 11 KB from bob: every history page alice asks for
    // is as large as her frame limit allows (64 KiB).
    let (bob, _b) = client(&server.addr, "bob").await;
    let big = "x".repeat(11 * 1024);
    for _ in 0..20 {
        bob.send_text("alice", &big).await.unwrap();
    }
    // The server settled (one round trip) before the baseline.
    still_chatting(&server.addr, "carol", "dave", 0).await;
    let baseline = server.rss_bytes();

    let addr = server.addr.clone();
    let stalled: Vec<RawConn> = tokio::task::spawn_blocking(move || {
        (0..STALLED)
            .map(|_| {
                let mut raw = RawConn::connect(&addr);
                raw.hello_with(64 * 1024);
                raw.login("alice");
                let page = body::MessageList {
                    conversation: "C2Cbob",
                    before_seq: 0,
                    count: 20,
                };
                let mut frames = Vec::new();
                for id in 0..REQUESTS {
                    let mut buf = [0u8; 64];
                    let n = tinyim_core::wire::encode_frame(
                        kind::MESSAGE_LIST,
                        &(10 + id, &page),
                        &mut buf,
                    )
                    .unwrap();
                    frames.extend_from_slice(&buf[..n]);
                }
                raw.send_raw(&frames);
                raw
            })
            .collect()
    })
    .await
    .unwrap();

    // Others are served meanwhile, through the same engine.
    still_chatting(&server.addr, "carol", "dave", 1).await;
    let grown = server.rss_bytes().saturating_sub(baseline);
    // The budget each, and as much again for the allocator's slack and the
    // requests in the engine's queue: far below the 64 KiB a request the
    // server took when it queued every answer (over 20 MB a connection).
    let bound = 2 * STALLED as u64 * BUDGET + 8 * 1024 * 1024;
    assert!(
        grown < bound,
        "the server grew by {grown} bytes for {STALLED} stalled readers (bound {bound})"
    );
    drop(stalled);
    still_chatting(&server.addr, "carol", "dave", 2).await;
}
