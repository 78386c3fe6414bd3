//! Clients over WebSocket (`GET /ws` on the HTTP listener; `wss` when the
//! server has a certificate), for browsers: binary messages carry the same
//! byte stream of frames a TCP connection does (a message may hold part of
//! a frame, or several), and the connection is served by the same loop as a
//! TCP one, with the same limits, rates and byte budgets.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use tinyim_core::wire::MAX_FRAME;

use super::super::link::{Link, WRITE_TIMEOUT};
use super::super::{connection, Shared};

/// The routes, for the HTTP listener's router.
pub(super) fn routes(shared: Arc<Shared>) -> Router {
    Router::new().route("/ws", get(upgrade)).with_state(shared)
}

async fn upgrade(
    State(shared): State<Arc<Shared>>,
    Extension(peer): Extension<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    // A message never needs to be larger than a frame (the stream is cut
    // wherever the sender likes).
    let max = MAX_FRAME as usize;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            let link = WsLink {
                socket,
                ip: peer.ip(),
            };
            if let Some(conn) = connection::run(link, shared) {
                tracing::debug!(%peer, "accepted over WebSocket");
                conn.await;
            }
        })
}

/// A WebSocket as a connection's byte stream.
struct WsLink {
    socket: WebSocket,
    ip: IpAddr,
}

impl Link for WsLink {
    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<io::Result<usize>> {
        loop {
            return match std::pin::Pin::new(&mut self.socket).poll_next(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Ok(Message::Binary(bytes)))) if bytes.is_empty() => continue,
                Poll::Ready(Some(Ok(Message::Binary(bytes)))) => {
                    buf.extend_from_slice(&bytes);
                    Poll::Ready(Ok(bytes.len()))
                }
                // Pings are answered by the socket; text is no frame.
                Poll::Ready(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Poll::Ready(Some(Ok(Message::Text(_)))) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a text message: frames travel as binary",
                ))),
                Poll::Ready(Some(Ok(Message::Close(_))) | None) => Poll::Ready(Ok(0)),
                Poll::Ready(Some(Err(e))) => Poll::Ready(Err(io::Error::other(e))),
            };
        }
    }

    async fn write_frames(&mut self, frames: &[Vec<u8>]) -> bool {
        // One message for the batch, as one system call for TCP.
        let bytes: Vec<u8> = frames.concat();
        let sent = self.socket.send(Message::Binary(bytes.into()));
        matches!(tokio::time::timeout(WRITE_TIMEOUT, sent).await, Ok(Ok(())))
    }

    async fn shutdown(&mut self) {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, self.socket.send(Message::Close(None))).await;
    }

    fn peer_ip(&self) -> Option<IpAddr> {
        Some(self.ip)
    }
}
