//! What the engine thread queued for one connection: the bytes of its frames
//! in one buffer, and whether to close after them. An idle connection holds
//! no buffer; a connection whose queue passes its limit is closed (a client
//! too slow to read resyncs when it reconnects).

use std::sync::Mutex;

use tokio::sync::Notify;

#[derive(Default)]
struct Queue {
    bytes: Vec<u8>,
    frames: usize,
    close: bool,
}

/// The queue between the engine thread and one connection's task.
#[derive(Default)]
pub(crate) struct Outbound {
    queue: Mutex<Queue>,
    /// Wakes the connection task; a wake with no task waiting is kept.
    pub(crate) wake: Notify,
}

impl Outbound {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a frame; with `limit` frames already waiting, the connection
    /// is marked to close instead. Returns false in that case.
    pub(crate) fn push(&self, frame: &[u8], limit: usize) -> bool {
        let mut q = self.lock();
        let fits = q.frames < limit;
        if fits {
            q.bytes.extend_from_slice(frame);
            q.frames += 1;
        } else {
            q.close = true;
        }
        drop(q);
        self.wake.notify_one();
        fits
    }

    /// Asks the connection to close once what is queued is written.
    pub(crate) fn close(&self) {
        self.lock().close = true;
        self.wake.notify_one();
    }

    /// Everything queued, and whether to close after writing it.
    pub(crate) fn take(&self) -> (Vec<u8>, bool) {
        let mut q = self.lock();
        q.frames = 0;
        (std::mem::take(&mut q.bytes), q.close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_queue_in_order_and_a_full_queue_closes() {
        let out = Outbound::default();
        assert!(out.push(b"ab", 2));
        assert!(out.push(b"cd", 2));
        assert!(!out.push(b"ef", 2), "the third frame is over the limit");
        assert_eq!(out.take(), (b"abcd".to_vec(), true));
        let idle = Outbound::default();
        assert_eq!(idle.take(), (Vec::new(), false));
        idle.close();
        assert_eq!(idle.take(), (Vec::new(), true));
    }
}
