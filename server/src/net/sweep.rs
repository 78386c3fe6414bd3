//! Heartbeats and deadlines for every connection from one task. A timer in
//! each connection's task made every idle connection carry two timers in
//! its future; here a connection holds three numbers and the sweeper visits
//! them all a few times per heartbeat interval.

use std::sync::Arc;
use std::time::Duration;

use tinyim_core::wire::kind;

use super::Shared;
use crate::engine::encode::frame;

/// The sweep period: a quarter of the shortest deadline, within bounds, so
/// a deadline is enforced at most a quarter late.
fn period(shared: &Shared) -> Duration {
    let shortest = shared
        .deadlines
        .heartbeat_ms
        .min(shared.deadlines.handshake_ms);
    Duration::from_millis(shortest / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// Visits every connection each period until the server's state is gone.
pub(crate) async fn run(shared: Arc<Shared>) {
    let heartbeat = frame(kind::HEARTBEAT, &());
    let mut every = tokio::time::interval(period(&shared));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let now = shared.clock_ms();
        let conns = shared
            .conns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut queued = 0;
        for out in conns.values() {
            out.sweep(now, shared.deadlines, &heartbeat, shared.config.conn_buffer);
            queued += out.queued_len();
        }
        crate::stats::connections(conns.len(), shared.pending_logins.len(), queued);
    }
}
