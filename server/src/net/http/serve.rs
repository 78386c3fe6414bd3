//! Serving a router over HTTP/1 with bounds a public listener needs and
//! `axum::serve` does not set: connections open at most, the time a
//! request's headers may take (`--handshake-timeout-ms`, as a client's
//! hello), and the time its body may take. A peer that connects and sends
//! nothing, or a header a byte a minute, is closed rather than held.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Semaphore;

/// HTTP connections open at once on one listener, at most; past it a new
/// one is closed at once.
pub(crate) const MAX_CONNECTIONS: usize = 1024;

/// Something that hands out connections: plain TCP, or TLS over it.
pub(crate) trait Accept: Send + 'static {
    /// The connection.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// The next connection.
    fn next(&mut self) -> impl std::future::Future<Output = Self::Io> + Send;
}

impl<L: axum::serve::Listener> Accept for L {
    type Io = L::Io;
    async fn next(&mut self) -> L::Io {
        self.accept().await.0
    }
}

/// Serves `app` on the connections `listener` accepts, for ever; request
/// headers must arrive within `headers_within`.
pub(crate) async fn serve(mut listener: impl Accept, app: Router, headers_within: Duration) {
    let open = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let io = listener.next().await;
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::info!("at the HTTP listener's connection limit; closed");
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(headers_within)
                .serve_connection(TokioIo::new(io), service);
            if let Err(e) = connection.await {
                tracing::debug!("HTTP connection ended: {e}");
            }
            drop(permit);
        });
    }
}
