//! The receive buffer. A frame whose messages the application has not read
//! yet stays here ("held"), so message events can borrow its strings.

use super::event::RequestId;
use crate::model::ConversationId;

/// What a held frame carries, which decides how its messages are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A live push; the header carried the receiver's read watermark.
    Push { read_seq: u64 },
    /// Missed messages of one conversation, oldest first.
    Range {
        conversation: ConversationId,
        more: bool,
    },
    /// A `message_list` page, newest first.
    History { request: RequestId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) frame_len: usize,
    /// Offset in the frame of the next message record.
    pub(crate) cursor: usize,
    pub(crate) purpose: Purpose,
}

/// Received bytes live in `buf[start..end]`; the held frame, if any, starts
/// at `start`. Consuming a frame only moves `start`, so a large buffer full
/// of small frames costs no copying per frame; the bytes move to the front
/// only when new input needs the room.
pub(crate) struct Rx<'r> {
    pub(crate) buf: &'r mut [u8],
    pub(crate) start: usize,
    end: usize,
    pub(crate) held: Option<Held>,
}

impl<'r> Rx<'r> {
    pub(crate) fn new(buf: &'r mut [u8]) -> Self {
        Rx {
            buf,
            start: 0,
            end: 0,
            held: None,
        }
    }

    /// Appends as much of `bytes` as fits, returning how much.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> usize {
        if self.buf.len() - self.end < bytes.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = bytes.len().min(self.buf.len() - self.end);
        self.buf[self.end..self.end + n].copy_from_slice(&bytes[..n]);
        self.end += n;
        n
    }

    /// The bytes not yet consumed, the held frame first.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Drops the first `n` bytes.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Drops everything.
    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.held = None;
    }

    /// Drops everything after the held frame (or everything): the connection
    /// those bytes came from is gone. A held frame is complete and still
    /// delivered.
    pub(crate) fn discard_unprocessed(&mut self) {
        match &self.held {
            Some(h) => self.end = self.start + h.frame_len,
            None => self.clear(),
        }
    }

    /// Releases the held frame.
    pub(crate) fn release_held(&mut self) -> Option<Purpose> {
        let held = self.held.take()?;
        self.consume(held.frame_len);
        Some(held.purpose)
    }
}
