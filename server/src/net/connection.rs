//! One connection: framing, handshake, heartbeats, deadlines, rate limit.

use std::sync::Arc;
use std::time::Instant;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;

use tokio::time::{sleep_until, timeout};

use tinyim_core::wire::records::{decode_exact, take};
use tinyim_core::wire::{self, body, code, kind};

use super::engine_thread::now_ms;
use super::outbound::Outbound;
use super::rate::TokenBucket;
use super::{Shared, SERVER_MAX_FRAME};
use crate::engine::encode::frame;
use crate::engine::{answer_hello, ConnId, Input};

/// Room made in the receive buffer for each read. The buffer exists only
/// while bytes are waiting: an idle connection waits for readability with no
/// buffer at all, and a large frame grows it only until it is consumed.
const READ_ROOM: usize = 2048;

/// A write that takes longer than this means the peer stopped reading.
const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

async fn write(wr: &mut OwnedWriteHalf, bytes: &[u8]) -> bool {
    matches!(
        timeout(WRITE_TIMEOUT, wr.write_all(bytes)).await,
        Ok(Ok(()))
    )
}

enum Step {
    Continue,
    Close,
}

struct Conn {
    id: ConnId,
    shared: Arc<Shared>,
    open: bool,
    bucket: TokenBucket,
}

pub(crate) async fn run(stream: TcpStream, id: ConnId, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let (rd, mut wr) = stream.into_split();
    let outbound = Arc::new(Outbound::default());
    let heartbeat = shared.config.heartbeat;
    let idle_limit = heartbeat * 3;
    let mut deadline = tokio::time::Instant::now() + shared.config.handshake_timeout;
    let mut next_heartbeat = tokio::time::Instant::now() + heartbeat;
    let mut conn = Conn {
        id,
        bucket: TokenBucket::new(shared.config.requests_per_second, Instant::now()),
        shared,
        open: false,
    };
    let mut inbuf: Vec<u8> = Vec::new();
    loop {
        if inbuf.is_empty() {
            // Nothing waiting: hold no buffer while idle.
            inbuf = Vec::new();
        }
        tokio::select! {
            ready = rd.readable() => {
                if ready.is_err() {
                    break;
                }
                inbuf.reserve(READ_ROOM);
                match rd.try_read_buf(&mut inbuf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(_) => break,
                }
                if conn.open {
                    deadline = tokio::time::Instant::now() + idle_limit;
                }
                match conn.process(&mut inbuf, &mut wr, &outbound).await {
                    Step::Continue => {}
                    Step::Close => break,
                }
                if conn.open && deadline < tokio::time::Instant::now() + idle_limit {
                    deadline = tokio::time::Instant::now() + idle_limit;
                }
            }
            _ = outbound.wake.notified() => {
                // What the engine queued, then the close it asked for (after
                // a kick notice, say).
                let (bytes, close) = outbound.take();
                if (!bytes.is_empty() && !write(&mut wr, &bytes).await) || close {
                    break;
                }
            }
            _ = sleep_until(next_heartbeat), if conn.open => {
                next_heartbeat = tokio::time::Instant::now() + heartbeat;
                if !write(&mut wr, &frame(kind::HEARTBEAT, &())).await {
                    break;
                }
            }
            _ = sleep_until(deadline) => {
                tracing::debug!(conn = id, "deadline passed (handshake or idle); closing");
                break;
            }
        }
    }
    let _ = wr.shutdown().await;
    conn.shared
        .conns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .remove(&id);
    if conn.open {
        let _ = conn
            .shared
            .engine
            .send(Input::Closed { conn: id }.into())
            .await;
    }
    tracing::debug!(conn = id, "closed");
}

impl Conn {
    /// Handles every complete frame in `inbuf`.
    async fn process(
        &mut self,
        inbuf: &mut Vec<u8>,
        wr: &mut OwnedWriteHalf,
        out: &Arc<Outbound>,
    ) -> Step {
        let mut used = 0;
        let step = loop {
            let parsed = wire::parse_frame(&inbuf[used..], SERVER_MAX_FRAME as usize);
            let (frame_kind, body_range, size) = match parsed {
                Ok(None) => break Step::Continue,
                Ok(Some((f, size))) => (f.kind, used + wire::HEADER_LEN..used + size, size),
                Err(e) => {
                    tracing::info!(conn = self.id, "unframeable input ({e}); closing");
                    break Step::Close;
                }
            };
            used += size;
            let frame_body = &inbuf[body_range];
            if !self.open {
                match self.handshake(frame_kind, frame_body, wr, out).await {
                    Step::Continue => continue,
                    Step::Close => break Step::Close,
                }
            }
            if frame_kind == kind::HEARTBEAT {
                continue;
            }
            if !kind::is_request(frame_kind) {
                tracing::info!(conn = self.id, frame_kind, "not a request kind; closing");
                break Step::Close;
            }
            if !self.bucket.take(Instant::now()) {
                let Ok((request, _)) = take::<u32>(frame_body) else {
                    break Step::Close;
                };
                let refusal = (
                    request,
                    body::ErrorBody {
                        code: code::RATE_LIMITED,
                        message: "over the request rate limit",
                    },
                );
                let limit = self.shared.config.outbound_queue;
                if !out.push(&frame(kind::RESPONSE_ERR, &refusal), limit) {
                    break Step::Close;
                }
                continue;
            }
            let input = Input::Frame {
                conn: self.id,
                kind: frame_kind,
                body: frame_body.to_vec(),
            };
            if self.shared.engine.send(input.into()).await.is_err() {
                break Step::Close;
            }
        };
        inbuf.drain(..used);
        step
    }

    async fn handshake(
        &mut self,
        frame_kind: u8,
        frame_body: &[u8],
        wr: &mut OwnedWriteHalf,
        out: &Arc<Outbound>,
    ) -> Step {
        let hello = match (frame_kind, decode_exact::<body::Hello>(frame_body)) {
            (kind::HELLO, Ok(hello)) => hello,
            _ => {
                tracing::info!(conn = self.id, "first frame is not a hello; closing");
                return Step::Close;
            }
        };
        match answer_hello(&hello, self.shared.limits, now_ms()) {
            Ok((ack, client_max)) => {
                self.shared
                    .conns
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(self.id, out.clone());
                let opened = Input::Opened {
                    conn: self.id,
                    max_frame: client_max,
                    device: hello.device,
                };
                if self.shared.engine.send(opened.into()).await.is_err()
                    || !write(wr, &frame(kind::HELLO_ACK, &ack)).await
                {
                    return Step::Close;
                }
                self.open = true;
                Step::Continue
            }
            Err(reject) => {
                let _ = write(wr, &frame(kind::HELLO_REJECT, &reject)).await;
                Step::Close
            }
        }
    }
}
