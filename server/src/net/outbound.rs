//! One connection's side shared with the engine thread and the sweeper:
//! the frames queued for it, whether to close after them, the requests it
//! has waiting for an answer, and the times its deadlines run from. An idle
//! connection holds no buffer.
//!
//! Frames are queued as the engine built them, each its own allocation, and
//! written together with one vectored write: never copied into a buffer of
//! the connection's, whose growth would free and allocate again the bytes it
//! holds (and leave the allocator with pages the budget did not count).
//!
//! The queue is bounded in bytes by the connection's budget
//! (`--conn-buffer`), counting what each frame's allocation holds. A
//! request is read only when the answers of every request in flight would
//! still fit, at [`SEND_ANSWER_LEN`] for a send's and the client's largest
//! frame for any other (see [`Outbound::admit`]); otherwise the connection
//! stops reading until its queue drains. So a client that asks and never
//! reads holds its budget and no more, and a write that cannot finish
//! closes it. Pushes (live
//! deliveries, heartbeats) that find the budget full close the connection
//! instead: a client too slow to read resyncs when it reconnects.
//!
//! Over plain TCP the engine's side may push a frame "directly": if nothing
//! is queued or being written it goes straight to the socket from the
//! thread that pushes it, as far as the socket takes it, and only what is
//! left is queued for the connection's task. It does so for small batches
//! (see `engine_thread`): waking the task for every frame was a thread
//! hand-off per delivery and per answer, about a quarter of a message's
//! latency at 1000 messages a second, while under load the tasks' writes,
//! vectored and on other threads, keep the engine's thread free.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::net::TcpStream;

use futures_util::task::AtomicWaker;
use tinyim_core::wire::{kind, HEADER_LEN, MAX_FRAME};

#[derive(Default)]
struct Queue {
    frames: Vec<Vec<u8>>,
    /// What the frames queued and those taken and not yet written hold:
    /// each one's allocation and its place in the list. Counting the ones
    /// being written keeps a client that stopped reading at its budget:
    /// answers arriving during a write that stalls wait in the same bytes.
    bytes: u32,
    /// Requests admitted and not answered yet, but sends. A byte, like the
    /// next fields, so that the queue fits in 32 bytes: at most 255 in
    /// flight, and a client that pipelines more waits for answers.
    in_flight: u8,
    /// Sends admitted and not answered yet: their answers are small (see
    /// [`SEND_ANSWER_LEN`]), so each keeps only that much room, and a
    /// client keeps as many sends in flight as its budget holds answers.
    /// (Keeping the client's largest frame for each, a 64 KiB client had
    /// three sends in flight in the default budget, whatever its window:
    /// durable C2C at a third of what the server carries.)
    sends_in_flight: u8,
    /// The room kept for each one's answer: the client's largest frame, in
    /// KiB rounded up (a frame is at most 64 KiB).
    answer_room_kib: u8,
    /// [`LOGGED_IN`], [`CLOSE`], [`STALLED`], [`FREED`] and [`PARTIAL`]:
    /// one byte for all.
    flags: u8,
    /// The socket, while frames may be written to it directly (plain TCP,
    /// until the connection closes).
    direct: Option<Arc<TcpStream>>,
}

/// The engine logged the connection in (and not out since).
const LOGGED_IN: u8 = 1;
/// Close once the frames are written. Something for the task to do is this,
/// a frame queued, or [`FREED`].
const CLOSE: u8 = 2;
/// The task stopped reading: the answers in flight left no room in the
/// budget for another request's.
const STALLED: u8 = 4;
/// An answer written directly freed room while the task was stalled: it
/// has to look again.
const FREED: u8 = 8;
/// The first frame queued is what the socket did not take of one written
/// directly: whatever else is dropped, it is written, or the stream would
/// carry half a frame.
const PARTIAL: u8 = 16;

impl Queue {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    /// What one answer may hold: the client's largest frame, and its entry.
    fn answer_room(&self) -> usize {
        cost(usize::from(self.answer_room_kib) * 1024)
    }

    fn reserved(&self) -> usize {
        usize::from(self.in_flight) * self.answer_room()
            + usize::from(self.sends_in_flight) * SEND_ANSWER_ROOM
    }

    /// An answer of `len` bytes ends a request's time in flight. Answers
    /// do not say which request they answer, so the count they end is
    /// chosen so that what stays kept is never less than what the requests
    /// still in flight need: a small answer ends a send's while any is in
    /// flight (were it another request's, the room kept for one of those
    /// stays, and it is larger), a larger one another request's.
    fn answered(&mut self, len: usize) {
        let send = (len <= SEND_ANSWER_LEN && self.sends_in_flight > 0) || self.in_flight == 0;
        if send {
            self.sends_in_flight = self.sends_in_flight.saturating_sub(1);
        } else {
            self.in_flight -= 1;
        }
    }

    fn queued(&self) -> usize {
        self.bytes as usize
    }

    /// Writes `frame` to the socket directly if nothing waits before it;
    /// `None` if the socket took it all, else what is left to queue.
    fn write_directly(&mut self, mut frame: Vec<u8>) -> Option<Vec<u8>> {
        if self.bytes > 0 || self.has(CLOSE) {
            // Frames are queued or being written: this one goes after them.
            return Some(frame);
        }
        let Some(stream) = &self.direct else {
            return Some(frame);
        };
        // Not the runtime's thread: `try_write` only asks the socket, and
        // a full one (or a broken one) leaves the frame to the task, which
        // waits for room or finds the error.
        match stream.try_write(&frame) {
            Ok(n) if n == frame.len() => None,
            Ok(n) => {
                frame.drain(..n);
                self.set(PARTIAL, true);
                Some(frame)
            }
            Err(_) => Some(frame),
        }
    }
}

/// What a queued frame whose allocation holds `held` bytes costs the
/// budget: those and its entry in the list.
const fn cost(held: usize) -> usize {
    held + std::mem::size_of::<Vec<u8>>()
}

/// The most a send's answer takes: a `SendOk` with the longest
/// conversation id (56 bytes), or a refusal with its code and one of the
/// server's short texts, each well under it (the engine's tests check the
/// first against this).
pub(crate) const SEND_ANSWER_LEN: usize = 192;

/// The room kept for a send's answer.
const SEND_ANSWER_ROOM: usize = cost(SEND_ANSWER_LEN);

/// `heartbeat_due_ms` before the handshake.
const NOT_OPEN: u64 = u64::MAX;

/// The queue between the engine thread and one connection's task. One per
/// connection, however idle, so it is kept to 88 bytes (104 with its `Arc`,
/// in the allocator's 112-byte size class).
pub(crate) struct Outbound {
    queue: Mutex<Queue>,
    /// A waker rather than a `Notify`, whose waiting takes a node in the task.
    task: AtomicWaker,
    /// When the peer was last heard from (before the handshake: when it
    /// connected), in the server clock's milliseconds.
    heard_ms: AtomicU64,
    /// When the next heartbeat is due; [`NOT_OPEN`] before the handshake.
    heartbeat_due_ms: AtomicU64,
}

// With the `Arc`'s two counts, the allocator's 112-byte size class.
const _: () = assert!(std::mem::size_of::<Outbound>() <= 96);

/// The deadlines the sweeper enforces, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    /// From connecting to the hello.
    pub(crate) handshake_ms: u64,
    /// Between two heartbeats sent.
    pub(crate) heartbeat_ms: u64,
    /// Silence after which an open connection is closed.
    pub(crate) idle_ms: u64,
}

impl Outbound {
    /// A connection accepted at `now_ms`.
    pub(crate) fn new(now_ms: u64) -> Self {
        Outbound {
            queue: Mutex::default(),
            task: AtomicWaker::new(),
            heard_ms: AtomicU64::new(now_ms),
            heartbeat_due_ms: AtomicU64::new(NOT_OPEN),
        }
    }

    /// Frames may be written to `stream` directly while nothing is queued,
    /// until [`Outbound::end_direct_writes`].
    pub(crate) fn write_directly_to(&self, stream: Arc<TcpStream>) {
        self.lock().direct = Some(stream);
    }

    /// No more direct writes: the connection is closing, and its socket
    /// must close with its task.
    pub(crate) fn end_direct_writes(&self) {
        self.lock().direct = None;
    }

    /// The handshake succeeded at `now_ms` with a client whose largest
    /// frame is `max_frame`; heartbeats start.
    pub(crate) fn opened(&self, now_ms: u64, d: Deadlines, max_frame: u32) {
        let room_kib = max_frame.min(MAX_FRAME).div_ceil(1024);
        self.lock().answer_room_kib = u8::try_from(room_kib).unwrap_or(u8::MAX);
        self.heard_ms.store(now_ms, Ordering::Relaxed);
        self.heartbeat_due_ms.store(
            (now_ms + d.heartbeat_ms).min(NOT_OPEN - 1),
            Ordering::Relaxed,
        );
    }

    /// Past the handshake: the engine is told of the connection as this
    /// turns true, so a close from here on is reported to it.
    pub(crate) fn is_open(&self) -> bool {
        self.heartbeat_due_ms.load(Ordering::Relaxed) != NOT_OPEN
    }

    /// Bytes arrived at `now_ms`.
    pub(crate) fn heard(&self, now_ms: u64) {
        if self.is_open() {
            self.heard_ms.store(now_ms, Ordering::Relaxed);
        }
    }

    /// The sweeper's visit at `now_ms`: closes a connection past its
    /// deadline, queues `heartbeat` when one is due.
    pub(crate) fn sweep(&self, now_ms: u64, d: Deadlines, heartbeat: &[u8], budget: usize) {
        let heard = self.heard_ms.load(Ordering::Relaxed);
        if !self.is_open() {
            // Strictly past: both times are whole milliseconds, rounded
            // down, so equal could still be a fraction early.
            if now_ms > heard + d.handshake_ms {
                tracing::debug!("no hello in time; closing");
                self.close();
            }
            return;
        }
        if now_ms > heard + d.idle_ms {
            tracing::debug!("silent for too long; closing");
            self.close();
            return;
        }
        if now_ms >= self.heartbeat_due_ms.load(Ordering::Relaxed) {
            self.heartbeat_due_ms
                .store(now_ms + d.heartbeat_ms, Ordering::Relaxed);
            self.push(heartbeat, budget);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a frame; if it would take the queue past `budget` bytes, the
    /// connection is marked to close instead. Returns false in that case.
    /// An answer ends its request's time in flight. An owned frame is
    /// queued as it is, not copied.
    pub(crate) fn push<'a>(&self, frame: impl Into<Cow<'a, [u8]>>, budget: usize) -> bool {
        self.push_frame(frame.into().into_owned(), budget, false)
    }

    /// [`Outbound::push`], but the frame goes straight to the socket if
    /// nothing waits before it (over plain TCP), as far as the socket takes
    /// it; only the rest is queued for the task.
    pub(crate) fn push_directly(&self, frame: Vec<u8>, budget: usize) -> bool {
        self.push_frame(frame, budget, true)
    }

    fn push_frame(&self, mut frame: Vec<u8>, budget: usize, direct: bool) -> bool {
        let mut q = self.lock();
        let answer = matches!(
            frame.get(HEADER_LEN - 1),
            Some(&(kind::RESPONSE_OK | kind::RESPONSE_ERR))
        );
        let room = if answer && frame.len() <= SEND_ANSWER_LEN {
            SEND_ANSWER_ROOM
        } else {
            q.answer_room()
        };
        if cost(frame.capacity()) > room {
            // Built in a buffer grown past the room kept for it: only then
            // is the slack given back, so that an answer always fits the
            // room kept for it. (Shrinking every frame to its length split
            // the allocator's blocks into pieces it could not reuse: a
            // third more memory held for the same frames.)
            frame.shrink_to_fit();
        }
        if answer {
            q.answered(frame.len());
        }
        let written = if direct {
            q.write_directly(frame)
        } else {
            Some(frame)
        };
        let Some(frame) = written else {
            if q.has(STALLED) {
                q.set(FREED, true);
                drop(q);
                self.task.wake();
            }
            return true;
        };
        let queued = q.queued() + cost(frame.capacity());
        let fits = queued <= budget;
        if fits {
            // Within the budget, which is far below 4 GiB.
            q.bytes = u32::try_from(queued).unwrap_or(u32::MAX);
            q.frames.push(frame);
        } else {
            q.set(CLOSE, true);
        }
        drop(q);
        self.task.wake();
        fits
    }

    /// Whether one more request, of `frame_kind`, may be read: what is
    /// queued, and room for the answer of every request in flight and of
    /// this one, fit in `budget`. If so it counts as in flight until its
    /// answer is pushed.
    pub(crate) fn admit(&self, budget: usize, frame_kind: u8) -> bool {
        let mut q = self.lock();
        let send = frame_kind == kind::SEND_MESSAGE;
        let (room, count) = if send {
            (SEND_ANSWER_ROOM, q.sends_in_flight)
        } else {
            (q.answer_room(), q.in_flight)
        };
        let fits = q.queued() + q.reserved() + room <= budget && count < u8::MAX;
        if fits && send {
            q.sends_in_flight += 1;
        } else if fits {
            q.in_flight += 1;
        }
        q.set(STALLED, !fits);
        fits
    }

    /// Bytes queued and kept for answers in flight.
    #[cfg(test)]
    fn held(&self) -> usize {
        let q = self.lock();
        q.queued() + q.reserved()
    }

    /// The session was ended by the server: what was queued is dropped at
    /// once (a kicked client resyncs wherever it logs in next), `notice`
    /// alone is written (after the rest of a frame begun directly), then
    /// the connection closes.
    pub(crate) fn kick(&self, notice: &[u8]) {
        let mut q = self.lock();
        let partial = q.has(PARTIAL).then(|| q.frames.drain(..).next()).flatten();
        q.frames = partial.into_iter().chain([notice.to_vec()]).collect();
        let held: usize = q.frames.iter().map(|f| cost(f.capacity())).sum();
        q.bytes = u32::try_from(held).unwrap_or(u32::MAX);
        q.set(LOGGED_IN, false);
        q.set(CLOSE, true);
        drop(q);
        self.task.wake();
    }

    /// The engine logged the connection in or out.
    pub(crate) fn set_logged_in(&self, logged_in: bool) {
        self.lock().set(LOGGED_IN, logged_in);
    }

    /// Bytes queued and not yet written.
    pub(crate) fn queued_len(&self) -> usize {
        self.lock().queued()
    }

    /// Whether the engine has logged the connection in.
    pub(crate) fn is_logged_in(&self) -> bool {
        self.lock().has(LOGGED_IN)
    }

    /// Asks the connection to close once what is queued is written.
    pub(crate) fn close(&self) {
        let mut q = self.lock();
        q.set(CLOSE, true);
        drop(q);
        self.task.wake();
    }

    /// Ready while there is something for the task to do: frames to write
    /// or a close.
    pub(crate) fn poll_queued(&self, cx: &mut Context<'_>) -> Poll<()> {
        // Register first, so a wake between the check and the return is
        // not lost.
        self.task.register(cx.waker());
        let q = self.lock();
        if !q.frames.is_empty() || q.has(CLOSE) || q.has(FREED) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Every frame queued, in order, and whether to close after writing
    /// them. They count against the budget until [`Outbound::written`].
    pub(crate) fn take(&self) -> (Vec<Vec<u8>>, bool) {
        let mut q = self.lock();
        q.set(FREED, false);
        q.set(PARTIAL, false);
        (std::mem::take(&mut q.frames), q.has(CLOSE))
    }

    /// The frames `take` gave were written: their bytes are free.
    pub(crate) fn written(&self, frames: &[Vec<u8>]) {
        let held: usize = frames.iter().map(|f| cost(f.capacity())).sum();
        let mut q = self.lock();
        let held = u32::try_from(held).unwrap_or(u32::MAX);
        // A kick in between already dropped the count to its notice.
        q.bytes = q.bytes.saturating_sub(held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `take` gave, as the bytes written.
    fn taken(out: &Outbound) -> (Vec<u8>, bool) {
        let (frames, close) = out.take();
        out.written(&frames);
        (frames.concat(), close)
    }

    /// A budget of exactly these frames.
    fn budget_of(frames: &[&[u8]]) -> usize {
        frames.iter().map(|f| cost(f.len())).sum()
    }

    const D: Deadlines = Deadlines {
        handshake_ms: 100,
        heartbeat_ms: 30,
        idle_ms: 90,
    };

    #[test]
    fn the_sweeper_closes_late_handshakes_and_silent_peers_and_sends_heartbeats() {
        let late = Outbound::new(1_000);
        late.sweep(1_100, D, b"hb", 64);
        assert_eq!(taken(&late), (Vec::new(), false), "still in time");
        late.sweep(1_101, D, b"hb", 64);
        assert_eq!(taken(&late), (Vec::new(), true), "no hello in time");

        let chatty = Outbound::new(1_000);
        chatty.opened(1_010, D, 4096);
        chatty.sweep(1_039, D, b"hb", 64);
        assert_eq!(taken(&chatty), (Vec::new(), false));
        chatty.sweep(1_040, D, b"hb", 64);
        assert_eq!(
            taken(&chatty),
            (b"hb".to_vec(), false),
            "a heartbeat is due"
        );
        chatty.heard(1_090);
        chatty.sweep(1_120, D, b"hb", 64);
        assert_eq!(
            taken(&chatty),
            (b"hb".to_vec(), false),
            "heard lately: open"
        );
        chatty.sweep(1_180, D, b"hb", 64);
        assert_eq!(
            taken(&chatty),
            (b"hb".to_vec(), false),
            "exactly 90 ms: open"
        );
        chatty.sweep(1_181, D, b"hb", 64);
        assert_eq!(taken(&chatty), (Vec::new(), true), "silent for over 90 ms");
    }

    #[test]
    fn frames_queue_in_order_and_a_push_past_the_budget_closes() {
        let out = Outbound::new(0);
        let budget = budget_of(&[b"ab", b"cd"]);
        assert!(out.push(&b"ab"[..], budget));
        assert!(out.push(vec![b'c', b'd'], budget));
        assert!(
            !out.push(&b"e"[..], budget),
            "a third frame is over the budget"
        );
        assert_eq!(out.take(), (vec![b"ab".to_vec(), b"cd".to_vec()], true));
        let idle = Outbound::new(0);
        assert_eq!(taken(&idle), (Vec::new(), false));
        idle.close();
        assert_eq!(taken(&idle), (Vec::new(), true));
    }

    fn answer(len: usize) -> Vec<u8> {
        let mut frame = vec![0u8; len];
        frame[HEADER_LEN - 1] = kind::RESPONSE_OK;
        frame
    }

    #[test]
    fn requests_are_admitted_while_their_answers_fit_and_again_once_answered() {
        let out = Outbound::new(0);
        // A client taking frames of 1000 bytes: 1 KiB kept for each answer.
        out.opened(0, D, 1000);
        let room = cost(1024);
        let budget = 3 * room;
        assert!(out.admit(budget, kind::MESSAGE_LIST));
        assert!(out.admit(budget, kind::MESSAGE_LIST));
        assert!(out.admit(budget, kind::MESSAGE_LIST));
        assert!(
            !out.admit(budget, kind::MESSAGE_LIST),
            "three answers fill the budget"
        );
        assert_eq!(out.held(), budget);
        // One answer arrives: its room becomes its bytes, the rest is free.
        assert!(out.push(answer(100), budget));
        assert_eq!(out.held(), 2 * room + cost(100));
        assert!(
            !out.admit(budget, kind::MESSAGE_LIST),
            "the queued answer still counts"
        );
        let (frames, _) = out.take();
        assert!(
            !out.admit(budget, kind::MESSAGE_LIST),
            "and so it does while it is written"
        );
        out.written(&frames);
        assert!(out.admit(budget, kind::MESSAGE_LIST), "written: room again");
        // A push is no answer: nothing in flight ends.
        assert!(out.push(&b"push"[..], budget + 64));
        assert_eq!(out.held(), budget + cost(4));
    }

    #[test]
    fn sends_keep_room_for_a_small_answer_each() {
        let out = Outbound::new(0);
        // A host client: 64 KiB frames, the default budget.
        out.opened(0, D, 64 * 1024);
        let budget = super::super::DEFAULT_CONN_BUFFER;
        let sends = (0..)
            .take_while(|_| out.admit(budget, kind::SEND_MESSAGE))
            .count();
        assert_eq!(
            sends, 255,
            "a window of sends, where 3 pages would fill the budget"
        );
        assert_eq!(out.held(), 255 * SEND_ANSWER_ROOM);
        assert!(
            out.admit(budget, kind::MESSAGE_LIST),
            "a page's room still fits beside them"
        );
        // The page is answered first, by an answer as small as a send's:
        // what stays kept is more than the sends left need, never less.
        assert!(out.push(answer(40), budget));
        assert!(out.held() >= 255 * SEND_ANSWER_ROOM + cost(40));
        for _ in 0..255 {
            assert!(out.push(answer(40), budget));
        }
        assert_eq!(out.held(), 256 * cost(40), "every room given back");
        // A send's answer built in a large buffer fits its room.
        assert!(out.admit(budget, kind::SEND_MESSAGE));
        let mut ack = Vec::with_capacity(4096);
        ack.extend_from_slice(&answer(SEND_ANSWER_LEN));
        assert!(out.push(ack, budget));
        assert_eq!(out.held(), 256 * cost(40) + SEND_ANSWER_ROOM);
    }

    #[test]
    fn an_answer_always_fits_the_room_kept_for_it() {
        let out = Outbound::new(0);
        out.opened(0, D, 64 * 1024);
        let budget = cost(64 * 1024);
        assert!(out.admit(budget, kind::MESSAGE_LIST));
        // The largest answer, built in a buffer that grew to twice its size.
        let mut page = Vec::with_capacity(128 * 1024);
        page.extend_from_slice(&answer(64 * 1024));
        assert!(out.push(page, budget), "its slack is given back");
        let (frames, _) = out.take();
        assert_eq!(frames[0].capacity(), 64 * 1024);
    }

    #[test]
    fn a_kick_drops_what_was_queued_and_leaves_the_notice_alone() {
        let out = Outbound::new(0);
        out.set_logged_in(true);
        assert!(out.push(vec![7u8; 1000], 4096));
        out.kick(b"kicked");
        assert!(!out.is_logged_in());
        assert_eq!(taken(&out), (b"kicked".to_vec(), true));
    }
}

#[cfg(test)]
#[path = "outbound_direct_tests.rs"]
mod direct_tests;
