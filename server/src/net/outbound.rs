//! One connection's side shared with the engine thread and the sweeper:
//! the bytes of the frames queued for it in one buffer, whether to close
//! after them, the requests it has waiting for an answer, and the times its
//! deadlines run from. An idle connection holds no buffer.
//!
//! The queue is bounded in bytes by the connection's budget
//! (`--conn-buffer`). A request is read only when the answers of every
//! request in flight, at the client's largest frame each, would still fit
//! (see [`Outbound::admit`]); otherwise the connection stops reading until
//! its queue drains. So a client that asks and never reads holds its budget
//! and no more, and a write that cannot finish closes it. Pushes (live
//! deliveries, heartbeats) that find the budget full close the connection
//! instead: a client too slow to read resyncs when it reconnects.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use tinyim_core::wire::{kind, HEADER_LEN};

#[derive(Default)]
struct Queue {
    bytes: Vec<u8>,
    /// Requests admitted and not answered yet.
    in_flight: u16,
    /// The room kept for each one's answer: the client's largest frame, in
    /// KiB rounded up (a frame is at most 64 KiB).
    answer_room_kib: u16,
    /// The engine logged the connection in (and not out since).
    logged_in: bool,
    close: bool,
    /// Set when something was queued since the task last looked.
    queued: bool,
}

impl Queue {
    fn reserved(&self) -> usize {
        usize::from(self.in_flight) * usize::from(self.answer_room_kib) * 1024
    }
}

/// `heartbeat_due_ms` before the handshake.
const NOT_OPEN: u64 = u64::MAX;

/// The queue between the engine thread and one connection's task. One per
/// connection, however idle, so it is kept to 80 bytes (96 with its `Arc`,
/// a size class below the 112 it took with two more flags of its own).
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

// With the `Arc`'s two counts, the allocator's 96-byte size class.
const _: () = assert!(std::mem::size_of::<Outbound>() <= 80);

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

    /// The handshake succeeded at `now_ms` with a client whose largest
    /// frame is `max_frame`; heartbeats start.
    pub(crate) fn opened(&self, now_ms: u64, d: Deadlines, max_frame: u32) {
        let room_kib = max_frame.div_ceil(1024).min(u32::from(u16::MAX));
        self.lock().answer_room_kib = u16::try_from(room_kib).unwrap_or(u16::MAX);
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
    /// An answer ends its request's time in flight. An owned frame that
    /// finds the queue empty becomes the queue, not a copy in it.
    pub(crate) fn push<'a>(&self, frame: impl Into<Cow<'a, [u8]>>, budget: usize) -> bool {
        let frame = frame.into();
        let mut q = self.lock();
        let answer = matches!(
            frame.get(HEADER_LEN - 1),
            Some(&(kind::RESPONSE_OK | kind::RESPONSE_ERR))
        );
        if answer {
            q.in_flight = q.in_flight.saturating_sub(1);
        }
        let fits = q.bytes.len() + frame.len() <= budget;
        if fits {
            if q.bytes.is_empty() {
                q.bytes = frame.into_owned();
            } else {
                q.bytes.extend_from_slice(&frame);
            }
        } else {
            q.close = true;
        }
        q.queued = true;
        drop(q);
        self.task.wake();
        fits
    }

    /// Whether one more request may be read: what is queued, and room for
    /// the answer of every request in flight and of this one, fit in
    /// `budget`. If so it counts as in flight until its answer is pushed.
    pub(crate) fn admit(&self, budget: usize) -> bool {
        let mut q = self.lock();
        let room = usize::from(q.answer_room_kib) * 1024;
        let fits = q.bytes.len() + q.reserved() + room <= budget && q.in_flight < u16::MAX;
        if fits {
            q.in_flight += 1;
        }
        fits
    }

    /// Bytes queued and kept for answers in flight.
    #[cfg(test)]
    fn held(&self) -> usize {
        let q = self.lock();
        q.bytes.len() + q.reserved()
    }

    /// The session was ended by the server: what was queued is dropped at
    /// once (a kicked client resyncs wherever it logs in next), `notice`
    /// alone is written, then the connection closes.
    pub(crate) fn kick(&self, notice: &[u8]) {
        let mut q = self.lock();
        q.bytes = notice.to_vec();
        q.logged_in = false;
        q.close = true;
        q.queued = true;
        drop(q);
        self.task.wake();
    }

    /// The engine logged the connection in or out.
    pub(crate) fn set_logged_in(&self, logged_in: bool) {
        self.lock().logged_in = logged_in;
    }

    /// Bytes queued and not yet taken by the connection's task.
    pub(crate) fn queued_len(&self) -> usize {
        self.lock().bytes.len()
    }

    /// Whether the engine has logged the connection in.
    pub(crate) fn is_logged_in(&self) -> bool {
        self.lock().logged_in
    }

    /// Asks the connection to close once what is queued is written.
    pub(crate) fn close(&self) {
        let mut q = self.lock();
        q.close = true;
        q.queued = true;
        drop(q);
        self.task.wake();
    }

    /// Ready once something was queued since the last time it was.
    pub(crate) fn poll_queued(&self, cx: &mut Context<'_>) -> Poll<()> {
        // Register first, so a wake between the check and the return is
        // not lost.
        self.task.register(cx.waker());
        if std::mem::take(&mut self.lock().queued) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Everything queued, and whether to close after writing it.
    pub(crate) fn take(&self) -> (Vec<u8>, bool) {
        let mut q = self.lock();
        (std::mem::take(&mut q.bytes), q.close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Deadlines = Deadlines {
        handshake_ms: 100,
        heartbeat_ms: 30,
        idle_ms: 90,
    };

    #[test]
    fn the_sweeper_closes_late_handshakes_and_silent_peers_and_sends_heartbeats() {
        let late = Outbound::new(1_000);
        late.sweep(1_100, D, b"hb", 8);
        assert_eq!(late.take(), (Vec::new(), false), "still in time");
        late.sweep(1_101, D, b"hb", 8);
        assert_eq!(late.take(), (Vec::new(), true), "no hello in time");

        let chatty = Outbound::new(1_000);
        chatty.opened(1_010, D, 4096);
        chatty.sweep(1_039, D, b"hb", 8);
        assert_eq!(chatty.take(), (Vec::new(), false));
        chatty.sweep(1_040, D, b"hb", 8);
        assert_eq!(chatty.take(), (b"hb".to_vec(), false), "a heartbeat is due");
        chatty.heard(1_090);
        chatty.sweep(1_120, D, b"hb", 8);
        assert_eq!(chatty.take(), (b"hb".to_vec(), false), "heard lately: open");
        chatty.sweep(1_180, D, b"hb", 8);
        assert_eq!(
            chatty.take(),
            (b"hb".to_vec(), false),
            "exactly 90 ms: open"
        );
        chatty.sweep(1_181, D, b"hb", 8);
        assert_eq!(chatty.take(), (Vec::new(), true), "silent for over 90 ms");
    }

    #[test]
    fn frames_queue_in_order_and_a_push_past_the_budget_closes() {
        let out = Outbound::new(0);
        assert!(out.push(&b"ab"[..], 4));
        assert!(out.push(&b"cd"[..], 4));
        assert!(!out.push(&b"e"[..], 4), "a fifth byte is over the budget");
        assert_eq!(out.take(), (b"abcd".to_vec(), true));
        let idle = Outbound::new(0);
        assert_eq!(idle.take(), (Vec::new(), false));
        idle.close();
        assert_eq!(idle.take(), (Vec::new(), true));
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
        assert!(out.admit(3 * 1024));
        assert!(out.admit(3 * 1024));
        assert!(out.admit(3 * 1024));
        assert!(!out.admit(3 * 1024), "three answers fill the budget");
        assert_eq!(out.held(), 3 * 1024);
        // One answer arrives: its room becomes its bytes, the rest is free.
        assert!(out.push(answer(100), 3 * 1024));
        assert_eq!(out.held(), 2 * 1024 + 100);
        assert!(!out.admit(3 * 1024), "the queued answer still counts");
        assert_eq!(out.take().0.len(), 100);
        assert!(out.admit(3 * 1024), "written: room again");
        // A push is no answer: nothing in flight ends.
        assert!(out.push(&b"push"[..], 3 * 1024));
        assert_eq!(out.held(), 3 * 1024 + 4);
    }

    #[test]
    fn a_kick_drops_what_was_queued_and_leaves_the_notice_alone() {
        let out = Outbound::new(0);
        out.set_logged_in(true);
        assert!(out.push(vec![7u8; 1000], 4096));
        out.kick(b"kicked");
        assert!(!out.is_logged_in());
        assert_eq!(out.take(), (b"kicked".to_vec(), true));
    }
}
