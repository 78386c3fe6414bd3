//! Readers that ask for large answers and never read, over any transport:
//! the history they ask for, and the check that they held the server to
//! their budget while everyone else was served.

use super::{client, still_chatting, ServerProcess};

/// Connections that ask and never read.
pub const STALLED: usize = 6;
/// The server's default `--conn-buffer`.
pub const BUDGET: u64 = 256 * 1024;

/// Twenty messages of 11 KB from bob to alice, so that each history page
/// alice asks for is as large as her frame limit allows; then the server's
/// memory once it has settled (a round trip of others), the baseline.
pub async fn large_history(server: &ServerProcess) -> u64 {
    let (bob, _b) = client(&server.addr, "bob").await;
    let big = "x".repeat(11 * 1024);
    for _ in 0..20 {
        bob.send_text("alice", &big).await.unwrap();
    }
    still_chatting(&server.addr, "carol", "dave", 0).await;
    server.rss_bytes()
}

/// With the stalled `readers` open: others are served, the server grew
/// from `baseline` by less than the budget each twice over (the allocator's
/// slack) plus 8 MB (the requests in the engine's queue); and once they are
/// gone, others are still served.
pub async fn held_to_budget<C>(server: &ServerProcess, baseline: u64, readers: Vec<C>) {
    still_chatting(&server.addr, "carol", "dave", 1).await;
    let grown = server.rss_bytes().saturating_sub(baseline);
    let bound = 2 * STALLED as u64 * BUDGET + 8 * 1024 * 1024;
    assert!(
        grown < bound,
        "the server grew by {grown} bytes for {STALLED} stalled readers (bound {bound})"
    );
    drop(readers);
    still_chatting(&server.addr, "carol", "dave", 2).await;
}
