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

pub(crate) struct Rx<'r> {
    pub(crate) buf: &'r mut [u8],
    pub(crate) len: usize,
    pub(crate) held: Option<Held>,
}

impl<'r> Rx<'r> {
    pub(crate) fn new(buf: &'r mut [u8]) -> Self {
        Rx {
            buf,
            len: 0,
            held: None,
        }
    }

    /// Appends as much of `bytes` as fits, returning how much.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        n
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Drops the first `n` bytes.
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }

    /// Drops everything after the held frame (or everything): the connection
    /// those bytes came from is gone. A held frame is complete and still
    /// delivered.
    pub(crate) fn discard_unprocessed(&mut self) {
        self.len = self.held.as_ref().map_or(0, |h| h.frame_len);
    }

    /// Releases the held frame.
    pub(crate) fn release_held(&mut self) -> Option<Purpose> {
        let held = self.held.take()?;
        self.consume(held.frame_len);
        Some(held.purpose)
    }
}
