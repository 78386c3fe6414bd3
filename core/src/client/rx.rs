//! The receive buffer. A frame whose messages the application has not read
//! yet stays here ("held"), so message events can borrow its strings.

#[cfg(feature = "full")]
use super::event::{Event, RequestId};
use crate::model::ConversationId;
#[cfg(feature = "full")]
use crate::wire::records::DecodeError;

/// Reads one record of a call's answer into the event that hands it out,
/// and the bytes after it. Chosen where the call is made, so a firmware
/// links the decoders of the calls it makes and no others.
#[cfg(feature = "full")]
#[derive(Clone, Copy)]
pub(crate) struct RecordReader(pub(crate) ReadRecord);

/// A record read into its event, and the bytes after it.
#[cfg(feature = "full")]
pub(crate) type ReadRecord =
    for<'a> fn(RequestId, &'a [u8]) -> Result<(Event<'a>, &'a [u8]), DecodeError>;

#[cfg(feature = "full")]
impl core::fmt::Debug for RecordReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RecordReader")
    }
}

/// Readers are not told apart: a request's identity is its id.
#[cfg(feature = "full")]
impl PartialEq for RecordReader {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(feature = "full")]
impl Eq for RecordReader {}

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
    /// A history page (`message_list`, `message_list_hopping`);
    /// `complete`: no more messages lie that way.
    #[cfg(feature = "full")]
    History { request: RequestId, complete: bool },
    /// The records of a call's answer, each read into an event by `read`.
    #[cfg(feature = "full")]
    Records {
        request: RequestId,
        read: RecordReader,
    },
    /// A status push's record.
    #[cfg(feature = "full")]
    Status,
    /// A push of messages this user deleted on another device.
    #[cfg(feature = "full")]
    Deleted,
    /// A push of a message's new read receipt counts.
    #[cfg(feature = "full")]
    Receipt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) frame_len: usize,
    /// Offset in the frame of the next message record.
    pub(crate) cursor: usize,
    pub(crate) purpose: Purpose,
}

/// Received bytes live in `buf[start..end]` of the client's receive buffer
/// (kept apart so a message event can borrow it while the rest of the client
/// changes); the held frame, if any, starts at `start`. Consuming a frame
/// only moves `start`, so a large buffer full of small frames costs no
/// copying per frame; the bytes move to the front only when new input needs
/// the room.
#[derive(Debug, Default)]
pub(crate) struct Rx {
    pub(crate) start: usize,
    end: usize,
    pub(crate) held: Option<Held>,
}

impl Rx {
    /// The free tail of `buf`, made at least `want` long when moving the
    /// waiting bytes to the front can.
    pub(crate) fn room<'a>(&mut self, buf: &'a mut [u8], want: usize) -> &'a mut [u8] {
        // Offsets are checked rather than trusted, so no path here can panic.
        let valid = self.start <= self.end && self.end <= buf.len();
        if valid && buf.len() - self.end < want && self.start > 0 {
            buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        buf.get_mut(self.end..).unwrap_or_default()
    }

    /// `n` bytes were written at the start of [`Rx::room`].
    pub(crate) fn filled(&mut self, buf_len: usize, n: usize) {
        self.end = (self.end + n).min(buf_len);
    }

    /// Appends as much of `bytes` as fits in `buf`, returning how much.
    pub(crate) fn push(&mut self, buf: &mut [u8], bytes: &[u8]) -> usize {
        let room = self.room(buf, bytes.len());
        let n = bytes.len().min(room.len());
        if let (Some(to), Some(from)) = (room.get_mut(..n), bytes.get(..n)) {
            to.copy_from_slice(from);
        }
        self.filled(buf.len(), n);
        n
    }

    /// The bytes not yet consumed, the held frame first.
    pub(crate) fn data<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.start..self.end).unwrap_or_default()
    }

    /// Whether no bytes wait.
    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
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
