//! A graceful stop: no new connections and no new requests, everything
//! the writer took made durable and answered, then every client told to
//! connect again (`PUSH_RECONNECT`) and its connection closed once what is
//! queued for it is written, all within a grace period.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tinyim_core::wire::kind;

use super::engine_thread::Job;
use super::Shared;
use crate::engine::encode::frame;

/// How often the stop looks whether every connection has closed.
const POLL: Duration = Duration::from_millis(20);

/// Runs the stop (the listeners are already dropped); returns whether
/// every connection closed within `grace`.
pub(crate) async fn drain(shared: &Arc<Shared>, grace: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + grace;
    // Connections forward no request from here (see `connection`).
    shared.stopping.store(true, Ordering::Relaxed);
    let (done, drained) = tokio::sync::oneshot::channel();
    if shared.engine.send(Job::Drain(done)).await.is_ok()
        && tokio::time::timeout_at(deadline, drained).await.is_err()
    {
        tracing::warn!("the writer did not finish within the grace period");
    }
    ask_every_client_to_reconnect(shared);
    loop {
        let open = shared
            .conns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len();
        if open == 0 {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!(
                open,
                "connections still open at the end of the grace period"
            );
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Pushes `PUSH_RECONNECT` to every client and closes its connection once
/// that is written: the client connects again (to this server or another
/// node) and its sync brings whatever it has not seen.
pub(crate) fn ask_every_client_to_reconnect(shared: &Shared) {
    let notice = frame(kind::PUSH_RECONNECT, &());
    let conns = shared
        .conns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for out in conns.values() {
        out.push(&notice[..], shared.config.conn_buffer);
        out.close();
    }
}
