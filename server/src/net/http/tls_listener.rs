//! HTTPS for the REST API: the server's certificate over the HTTP
//! listener. TCP connections are accepted by a task of their own and each
//! handshake runs in its own task (bounded in time and in number, as the
//! client listener's are), so a slow handshake never holds up the others;
//! axum takes the finished streams.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::super::Shared;

/// Finished handshakes waiting for axum, at most.
const READY: usize = 64;

/// A listener whose streams have finished their TLS handshake.
pub(crate) struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: std::io::Result<SocketAddr>,
}

impl TlsListener {
    /// Accepts on `listener` and shakes hands with `tls` from now on.
    pub(crate) fn new(listener: TcpListener, tls: Arc<ServerConfig>, shared: &Shared) -> Self {
        let local = listener.local_addr();
        let (tx, ready) = mpsc::channel(READY);
        let acceptor = TlsAcceptor::from(tls);
        let handshakes = Arc::new(Semaphore::new(shared.config.max_tls_handshakes));
        let within = shared.config.handshake_timeout;
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!("HTTPS accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = handshakes.clone().try_acquire_owned() else {
                    tracing::info!(%peer, "too many TLS handshakes; closed");
                    continue;
                };
                let (acceptor, ready) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let shaken = tokio::time::timeout(within, acceptor.accept(stream)).await;
                    drop(permit);
                    match shaken {
                        Ok(Ok(stream)) => {
                            let _ = ready.send((stream, peer)).await;
                        }
                        Ok(Err(e)) => tracing::info!(%peer, "HTTPS handshake failed: {e}"),
                        Err(_) => tracing::info!(%peer, "HTTPS handshake timed out"),
                    }
                });
                if tx.is_closed() {
                    return;
                }
            }
        });
        TlsListener { ready, local }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        match &self.local {
            Ok(addr) => Ok(*addr),
            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }
}
