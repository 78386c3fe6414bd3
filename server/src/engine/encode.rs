//! Building frames on the server side.

use serde::Serialize;
use tinyim_core::wire::body::ErrorBody;
use tinyim_core::wire::{kind, HEADER_LEN, LEN_PREFIX};

use super::ConnId;

/// Where a request's answer goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reply {
    pub(crate) conn: ConnId,
    pub(crate) request: u32,
}

/// Wraps a postcard body into a frame.
pub(crate) fn frame_from_body(frame_kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    // Bodies are bounded by the frame limits (at most 64 KiB), far below u32::MAX.
    out.extend_from_slice(&((body.len() + 1) as u32).to_le_bytes());
    out.push(frame_kind);
    out.extend_from_slice(body);
    debug_assert_eq!(out.len(), LEN_PREFIX + 1 + body.len());
    out
}

pub(crate) fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Serializing plain structs into a Vec cannot fail.
    postcard::to_stdvec(value).expect("postcard serializes into a Vec")
}

/// A frame serialized in place: the header, then the body's parts appended
/// one after the other into the same buffer, the length written last. Every
/// answer and push is one allocation of about its size, where serializing
/// the body into a growing `Vec` and then copying it behind a header
/// reallocated it four to six times (a fifth of the C2C writer's allocator
/// calls).
pub(crate) struct FrameBuf(Vec<u8>);

impl FrameBuf {
    /// Starts a frame of `frame_kind` with room for `body_hint` body bytes.
    pub(crate) fn new(frame_kind: u8, body_hint: usize) -> Self {
        let mut bytes = Vec::with_capacity(HEADER_LEN + body_hint);
        bytes.extend_from_slice(&[0; LEN_PREFIX]);
        bytes.push(frame_kind);
        FrameBuf(bytes)
    }

    /// Appends `part` to the body.
    pub(crate) fn push<T: Serialize + ?Sized>(&mut self, part: &T) {
        let bytes = std::mem::take(&mut self.0);
        // Serializing plain structs into a Vec cannot fail.
        self.0 = postcard::to_extend(part, bytes).expect("postcard serializes into a Vec");
    }

    /// The whole frame so far, header included.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The finished frame.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        // Bodies are bounded by the frame limits (at most 64 KiB), far below u32::MAX.
        let len = (self.0.len() - LEN_PREFIX) as u32;
        if let Some(prefix) = self.0.get_mut(..LEN_PREFIX) {
            prefix.copy_from_slice(&len.to_le_bytes());
        }
        self.0
    }
}

/// Body bytes most answers fit in.
const SMALL_BODY: usize = 48;

pub(crate) fn frame<T: Serialize + ?Sized>(frame_kind: u8, body: &T) -> Vec<u8> {
    let mut frame = FrameBuf::new(frame_kind, SMALL_BODY);
    frame.push(body);
    frame.finish()
}

pub(crate) fn ok<T: Serialize + ?Sized>(request: u32, payload: &T) -> Vec<u8> {
    frame(kind::RESPONSE_OK, &(request, payload))
}

pub(crate) fn error(request: u32, code: u32, message: &str) -> Vec<u8> {
    frame(kind::RESPONSE_ERR, &(request, ErrorBody { code, message }))
}

/// A list response: `(request, header)` then records, as many as fit
/// `max_frame`. Built in place in the frame it becomes: the room for the
/// header is kept at the front and filled last, and the buffer grows at
/// most to the frame's limit. (Built in a body of its own, serialized record
/// by record and copied twice behind a header, a 64 KiB page allocated and
/// freed some 300 KiB on the way: memory the allocator keeps for a while.)
pub(crate) struct Page {
    frame: Vec<u8>,
    /// Where the records start: after the frame header and `header_len`.
    records_at: usize,
    max_frame: usize,
}

impl Page {
    /// Starts a page; `header_len` bytes are kept for the header that is
    /// written last (at least its size, whatever values it gets), and room
    /// is made for `size_hint` bytes of records.
    pub(crate) fn new(max_frame: usize, header_len: usize, size_hint: usize) -> Self {
        let records_at = HEADER_LEN + header_len;
        let room = max_frame.saturating_sub(records_at);
        let mut frame = Vec::with_capacity(records_at + size_hint.min(room));
        frame.resize(records_at, 0);
        Page {
            frame,
            records_at,
            max_frame,
        }
    }

    /// Appends a record if it fits; false otherwise.
    pub(crate) fn push<T: Serialize>(&mut self, record: &T) -> bool {
        self.push_reserved(record, 0)
    }

    /// Appends all of `records` if they fit together; none otherwise.
    pub(crate) fn push_all<T: Serialize>(&mut self, records: &[T]) -> bool {
        let size: usize = records
            .iter()
            .map(|r| {
                postcard::serialize_with_flavor(r, postcard::ser_flavors::Size::default())
                    .unwrap_or(usize::MAX / 2)
            })
            .sum();
        let limit = self.max_frame.saturating_sub(self.records_at);
        if self.frame.len() - self.records_at + size > limit {
            return false;
        }
        records.iter().all(|r| self.push(r))
    }

    /// Appends a record, allowed into the `reserved` bytes the page was
    /// told to keep free (for a record written after the others); false if
    /// it does not fit.
    pub(crate) fn push_reserved<T: Serialize>(&mut self, record: &T, reserved: usize) -> bool {
        let size = postcard::serialize_with_flavor(record, postcard::ser_flavors::Size::default());
        let Ok(size) = size else {
            return false;
        };
        let limit = self.max_frame.saturating_sub(self.records_at) + reserved;
        let records = self.frame.len() - self.records_at;
        if records + size > limit {
            return false;
        }
        let needed = self.frame.len() + size;
        if needed > self.frame.capacity() {
            // Doubling, but never past what the page may reach.
            let grown = (self.frame.capacity() * 2).clamp(needed, self.records_at + limit);
            self.frame.reserve_exact(grown - self.frame.len());
        }
        let frame = std::mem::take(&mut self.frame);
        // Serializing plain structs into a Vec cannot fail.
        self.frame = postcard::to_extend(record, frame).expect("postcard serializes into a Vec");
        true
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.frame.len() == self.records_at
    }

    /// The finished frame: `(request, header)` written into the room kept
    /// for it, the records moved up behind it if it took less.
    pub(crate) fn finish<H: Serialize>(mut self, request: u32, header: &H) -> Vec<u8> {
        let head = to_bytes(&(request, header));
        self.frame.splice(HEADER_LEN..self.records_at, head);
        // Bounded by the frame limits (at most 64 KiB), far below u32::MAX.
        let len = (self.frame.len() - LEN_PREFIX) as u32;
        self.frame[..LEN_PREFIX].copy_from_slice(&len.to_le_bytes());
        self.frame[LEN_PREFIX] = kind::RESPONSE_OK;
        self.frame
    }
}

#[cfg(test)]
mod tests {
    use tinyim_core::model::ConversationId;
    use tinyim_core::wire::body::SendOk;

    use super::*;
    use crate::net::SEND_ANSWER_LEN;

    /// A connection keeps [`SEND_ANSWER_LEN`] bytes for each send's answer
    /// (many sends in flight, one budget): the largest answer a send can
    /// have fits, and so does a refusal with a text longer than any the
    /// server writes.
    #[test]
    fn a_sends_answer_fits_the_room_kept_for_it() {
        let longest_id = "G".repeat(ConversationId::new().capacity());
        let sent = SendOk {
            conversation: &longest_id,
            seq: u64::MAX,
            time_ms: u64::MAX,
        };
        assert!(ok(u32::MAX, &sent).len() <= SEND_ANSWER_LEN);
        assert!(error(u32::MAX, u32::MAX, &"x".repeat(120)).len() <= SEND_ANSWER_LEN);
    }
}
