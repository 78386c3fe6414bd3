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

/// A list response: `(request, header)` then records, as many as fit `max_frame`.
pub(crate) struct Page {
    body: Vec<u8>,
    limit: usize,
}

impl Page {
    /// Starts a page; `header_len` bytes are reserved for the header that is
    /// written last (its size must not depend on the values it gets).
    pub(crate) fn new(max_frame: usize, header_len: usize) -> Self {
        Page {
            body: Vec::new(),
            limit: max_frame.saturating_sub(HEADER_LEN + header_len),
        }
    }

    /// Appends a record if it fits; false otherwise.
    pub(crate) fn push<T: Serialize>(&mut self, record: &T) -> bool {
        let bytes = to_bytes(record);
        if self.body.len() + bytes.len() > self.limit {
            return false;
        }
        self.body.extend_from_slice(&bytes);
        true
    }

    /// Appends a record into the `reserved` bytes the page was told to keep
    /// free (for a record written after the others); false if it does not fit.
    pub(crate) fn push_reserved<T: Serialize>(&mut self, record: &T, reserved: usize) -> bool {
        let bytes = to_bytes(record);
        if self.body.len() + bytes.len() > self.limit + reserved {
            return false;
        }
        self.body.extend_from_slice(&bytes);
        true
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    pub(crate) fn finish<H: Serialize>(self, request: u32, header: &H) -> Vec<u8> {
        let mut body = to_bytes(&(request, header));
        body.extend_from_slice(&self.body);
        frame_from_body(kind::RESPONSE_OK, &body)
    }
}
