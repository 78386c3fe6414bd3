//! Serving a router over HTTP/1 with bounds a public listener needs and
//! `axum::serve` does not set: connections open at most, the time a
//! request's headers may take (`--handshake-timeout-ms`, as a client's
//! hello), and the time its body may take. A peer that connects and sends
//! nothing, or a header a byte a minute, is closed rather than held.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// HTTP connections open at once on one listener, at most; past it a new
/// one is closed at once.
pub(crate) const MAX_CONNECTIONS: usize = 1024;

/// Something that hands out connections: plain TCP, or TLS over it.
pub(crate) trait Accept: Send + 'static {
    /// The connection.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// The next connection, and its peer's address.
    fn next(&mut self) -> impl std::future::Future<Output = (Self::Io, SocketAddr)> + Send;
}

impl<L: axum::serve::Listener<Addr = SocketAddr>> Accept for L {
    type Io = L::Io;
    async fn next(&mut self) -> (L::Io, SocketAddr) {
        self.accept().await
    }
}

/// Serves `app` on the connections `listener` accepts, for ever; request
/// headers must arrive within `headers_within`. Each request carries its
/// peer's address (an `Extension<SocketAddr>`), and a connection may be
/// upgraded (to a WebSocket).
pub(crate) async fn serve(mut listener: impl Accept, app: Router, headers_within: Duration) {
    let open = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (io, peer) = listener.next().await;
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::info!("at the HTTP listener's connection limit; closed");
            continue;
        };
        let app =
            app.clone()
                .map_request(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(peer);
                    request
                });
        let service = TowerToHyperService::new(app);
        tokio::spawn(async move {
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(headers_within)
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades();
            if let Err(e) = connection.await {
                tracing::debug!("HTTP connection ended: {e}");
            }
            drop(permit);
        });
    }
}
