//! End to end: clients that flood requests for large answers and never read
//! hold at most their connection's budget in the server, and everyone else
//! is still served.

mod common;

use common::*;
use tinyim_core::wire::{body, kind};

/// History requests each one sends.
const REQUESTS: u32 = 2000;

#[tokio::test(flavor = "multi_thread")]
async fn readers_that_never_read_hold_no_more_than_their_budget() {
    let (server, _dir) = fresh_server();
    // Every history page alice asks for fills her frame limit (64 KiB).
    let baseline = stalled::large_history(&server).await;

    let addr = server.addr.clone();
    let readers: Vec<RawConn> = tokio::task::spawn_blocking(move || {
        (0..stalled::STALLED)
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

    // Others are served meanwhile, through the same engine, and the
    // server holds no more than the budgets: far below the 64 KiB a
    // request it took when it queued every answer (over 20 MB a connection).
    stalled::held_to_budget(&server, baseline, readers).await;
}
