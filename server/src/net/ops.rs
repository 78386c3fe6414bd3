//! The operations routes: Prometheus text at `/metrics`, `/healthz` (the
//! process answers) and `/readyz` (the writer commits and the WAL syncs;
//! not while stopping), over axum, on a listener of their own
//! (`--metrics-listen`) and on the REST API's.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use super::engine_thread::Job;
use super::Shared;

/// How long `/readyz` waits for the writer's round trip.
const READY_WITHIN: Duration = Duration::from_secs(2);

/// The process's metrics recorder, installed at the first call (there is
/// one per process); `None` if another recorder was installed first.
pub(crate) fn recorder() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::warn!("no metrics: {e}");
                None
            }
        })
        .clone()
}

#[derive(Clone)]
struct Ops {
    shared: Arc<Shared>,
    metrics: Option<PrometheusHandle>,
}

/// The operations routes, for this listener and the REST API's.
pub(crate) fn routes(shared: Arc<Shared>) -> Router {
    let ops = Ops {
        shared,
        metrics: recorder(),
    };
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .with_state(ops)
}

/// Serves the operations routes on `listener` for ever.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let headers_within = shared.config.handshake_timeout;
    super::http::serve::serve(listener, routes(shared), headers_within).await;
}

async fn metrics(State(ops): State<Ops>) -> (StatusCode, String) {
    match &ops.metrics {
        Some(handle) => {
            handle.run_upkeep();
            (StatusCode::OK, handle.render())
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no metrics recorder\n".into(),
        ),
    }
}

/// Ready when not stopping and a round trip through the writer and the
/// syncer (a commit and an fdatasync) succeeds in time.
async fn ready(State(ops): State<Ops>) -> (StatusCode, &'static str) {
    let shared = &ops.shared;
    if shared.stopping.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping\n");
    }
    let (done, answered) = tokio::sync::oneshot::channel();
    let round_trip =
        async { shared.engine.send(Job::Drain(done)).await.is_ok() && answered.await.is_ok() };
    match tokio::time::timeout(READY_WITHIN, round_trip).await {
        Ok(true) => (StatusCode::OK, "ready\n"),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the writer does not answer\n",
        ),
    }
}
