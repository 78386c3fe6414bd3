//! One connection: framing, handshake, rate limit. (Heartbeats and
//! deadlines are the sweeper's.)
//!
//! Most connections are idle most of the time, so what an idle one holds is
//! kept small: while it waits, its task's future is the stream, its shared
//! queue, a few numbers, and one `poll_fn` over read readiness and the
//! queue's wake (no receive buffer, no timer, no waiter nodes); the work
//! done between waits is boxed and exists only while it runs.

use std::future::poll_fn;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Poll;

use tinyim_core::wire::records::{decode_exact, take};
use tinyim_core::wire::{self, body, code, kind};

use super::engine_thread::now_ms;
use super::link::Link;
use super::outbound::Outbound;
use super::{Shared, SERVER_MAX_FRAME};
use crate::engine::encode::frame;
use crate::engine::{answer_hello, ConnId, Input};
use crate::rate::TokenBucket;

/// What woke an idle connection. One byte: it lives on across the awaits
/// that follow, in the future every idle connection keeps.
enum Wake {
    /// Bytes were read into the buffer.
    Read,
    /// The stream ended or broke.
    Ended,
    /// The engine or the sweeper queued something.
    Queued,
}

enum Step {
    Continue,
    /// A request waits in the buffer until the connection's queue has room
    /// for its answer: read no more until then.
    Full,
    Close,
}

/// What the rate limit makes of a request.
enum Turn {
    Go,
    Refuse,
    /// The connection closed while the request waited.
    Close,
}

/// The requests a client needs to catch up after a reconnect: over the
/// rate limit they wait for their turn rather than being refused, since a
/// refused fetch would leave a gap the client can only ask for again.
fn paced_not_refused(frame_kind: u8) -> bool {
    matches!(
        frame_kind,
        kind::SYNC | kind::SYNC_WINDOW | kind::MESSAGE_RANGE | kind::GROUP_LIST
    )
}

struct Conn {
    id: ConnId,
    shared: Arc<Shared>,
    bucket: TokenBucket,
}

/// The connection's task, or `None` if the server cannot take another
/// connection (`--max-connections` are open, or its address has
/// `--max-pending-logins` connections not logged in yet). Set up before the
/// future is made, so the future holds the state once rather than also the
/// arguments it was made from.
pub(crate) fn run<L: Link>(
    stream: L,
    shared: Arc<Shared>,
) -> Option<impl std::future::Future<Output = ()> + Send> {
    let outbound = Arc::new(Outbound::new(shared.clock_ms()));
    if let Some(direct) = stream.direct() {
        outbound.write_directly_to(direct);
    }
    let address = stream.peer_ip()?;
    let id = {
        let mut conns = shared
            .conns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if conns.len() >= shared.config.max_connections {
            tracing::info!(%address, "at --max-connections; closed");
            return None;
        }
        // From here the sweeper enforces the handshake deadline.
        let id = conns.open(outbound.clone())?;
        if !shared.pending_logins.opened(id, address) {
            tracing::info!(%address, "too many connections not logged in from there; closed");
            conns.close(id);
            return None;
        }
        id
    };
    let conn = Conn {
        id,
        bucket: TokenBucket::new(shared.config.requests_per_second, shared.clock_ms()),
        shared,
    };
    Some(serve(stream, outbound, conn))
}

/// The task's loop: an async block rather than an async fn, whose
/// arguments would be stored twice (as arguments and as the locals they
/// move into). Its size is what every idle connection pays, in steps:
/// at 144 bytes over plain TCP it fits the task allocation that the load
/// tool's idle shape measures at about 750 bytes a client; 16 bytes more
/// (a `Wake` that carried the read's `io::Result`) cost 140 bytes a client.
#[allow(clippy::manual_async_fn)]
fn serve<L: Link>(
    mut stream: L,
    outbound: Arc<Outbound>,
    mut conn: Conn,
) -> impl std::future::Future<Output = ()> + Send {
    async move {
        let mut inbuf: Vec<u8> = Vec::new();
        let mut reads_first = false;
        // At its budget: the queue is served, the stream is not read.
        let mut full = false;
        loop {
            if inbuf.is_empty() {
                // Nothing waiting: hold no buffer while idle.
                inbuf = Vec::new();
            }
            // Whichever was served last goes second, so a peer that keeps
            // sending cannot starve its deliveries, nor a busy queue its reads.
            reads_first = !reads_first;
            let wake = poll_fn(|cx| {
                let mut read = |cx: &mut std::task::Context<'_>| {
                    stream
                        .poll_read_into(cx, &mut inbuf)
                        .map(|read| match read {
                            Ok(n) if n > 0 => Wake::Read,
                            _ => Wake::Ended,
                        })
                };
                if reads_first && !full {
                    if let Poll::Ready(wake) = read(cx) {
                        return Poll::Ready(wake);
                    }
                }
                if outbound.poll_queued(cx).is_ready() {
                    return Poll::Ready(Wake::Queued);
                }
                if reads_first || full {
                    // Polled above, or not to be read: nothing else to wait on.
                    return Poll::Pending;
                }
                read(cx)
            })
            .await;
            match wake {
                Wake::Ended => break,
                Wake::Read => outbound.heard(conn.shared.clock_ms()),
                Wake::Queued => {
                    // What the engine or the sweeper queued, then the close
                    // either asked for (after a kick notice, say).
                    let (frames, close) = outbound.take();
                    if (!frames.is_empty() && !Box::pin(stream.write_frames(&frames)).await)
                        || close
                    {
                        break;
                    }
                    outbound.written(&frames);
                    if !full {
                        continue;
                    }
                }
            }
            // New bytes, or room for the request that waited for it.
            full = match Box::pin(conn.process(&mut inbuf, &mut stream, &outbound)).await {
                Step::Continue => false,
                Step::Full => true,
                Step::Close => break,
            };
        }
        Box::pin(conn.close(stream, &outbound)).await;
    }
}

impl Conn {
    /// Shuts the stream and forgets the connection; the engine hears of it
    /// once it has heard of the opening.
    async fn close<L: Link>(self, mut stream: L, out: &Outbound) {
        out.end_direct_writes();
        stream.shutdown().await;
        self.shared
            .conns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .close(self.id);
        self.shared.pending_logins.done(self.id);
        if out.is_open() {
            let closed = Input::Closed { conn: self.id };
            let _ = self.shared.engine.send(closed.into()).await;
        }
        tracing::debug!(conn = self.id, "closed");
    }

    /// Handles the complete frames in `inbuf`, up to one whose answer
    /// would not fit the connection's budget.
    async fn process<L: Link>(
        &mut self,
        inbuf: &mut Vec<u8>,
        stream: &mut L,
        out: &Arc<Outbound>,
    ) -> Step {
        let budget = self.shared.config.conn_buffer;
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
            let frame_body = &inbuf[body_range];
            if !out.is_open() {
                used += size;
                match self.handshake(frame_kind, frame_body, stream, out).await {
                    Step::Close => break Step::Close,
                    _ => continue,
                }
            }
            if frame_kind == kind::HEARTBEAT {
                used += size;
                continue;
            }
            if !kind::is_request(frame_kind) {
                tracing::info!(conn = self.id, frame_kind, "not a request kind; closing");
                break Step::Close;
            }
            if self.shared.stopping.load(Ordering::Relaxed) {
                // Unanswered: the client sends it again after it reconnects.
                break Step::Full;
            }
            if !out.admit(budget, frame_kind) {
                break Step::Full;
            }
            used += size;
            // Bytes waiting to be served mean the peer is alive, however
            // long they waited.
            out.heard(self.shared.clock_ms());
            let refusal = if frame_kind != kind::LOGIN && !out.is_logged_in() {
                // Answered here: the engine never sees a stranger's requests.
                Some((code::NOT_LOGGED_IN, "log in first"))
            } else {
                match self.take_turn(frame_kind, stream, out).await {
                    Turn::Go => None,
                    Turn::Close => break Step::Close,
                    Turn::Refuse => {
                        crate::stats::rate_limited("connection");
                        Some((code::RATE_LIMITED, "over the request rate limit"))
                    }
                }
            };
            if let Some((code, message)) = refusal {
                let Ok((request, _)) = take::<u32>(frame_body) else {
                    break Step::Close;
                };
                let answer = (request, body::ErrorBody { code, message });
                if !out.push(frame(kind::RESPONSE_ERR, &answer), budget) {
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

    /// Whether a request of `frame_kind` may go to the engine now under the
    /// rate limit. One the client needs to catch up waits for its token
    /// (writing what is queued meanwhile) and is never refused.
    async fn take_turn<L: Link>(&mut self, frame_kind: u8, stream: &mut L, out: &Outbound) -> Turn {
        let rate = self.shared.config.requests_per_second;
        loop {
            let now = self.shared.clock_ms();
            if self.bucket.take(rate, now) {
                return Turn::Go;
            }
            if !paced_not_refused(frame_kind) {
                return Turn::Refuse;
            }
            let wait = self.bucket.wait_ms(rate, now);
            let (frames, close) = out.take();
            if (!frames.is_empty() && !stream.write_frames(&frames).await) || close {
                return Turn::Close;
            }
            out.written(&frames);
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        }
    }

    async fn handshake<L: Link>(
        &mut self,
        frame_kind: u8,
        frame_body: &[u8],
        stream: &mut L,
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
                out.opened(self.shared.clock_ms(), self.shared.deadlines, client_max);
                let opened = Input::Opened {
                    conn: self.id,
                    max_frame: client_max,
                    device: hello.device,
                };
                if self.shared.engine.send(opened.into()).await.is_err()
                    || !stream.write_frames(&[frame(kind::HELLO_ACK, &ack)]).await
                {
                    return Step::Close;
                }
                Step::Continue
            }
            Err(reject) => {
                let _ = stream
                    .write_frames(&[frame(kind::HELLO_REJECT, &reject)])
                    .await;
                Step::Close
            }
        }
    }
}
