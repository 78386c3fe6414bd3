//! Frame codec: `len: u32 LE | kind: u8 | body`.

use core::fmt;
use serde::Serialize;

/// Bytes of the length prefix.
pub const LEN_PREFIX: usize = 4;
/// Bytes of the length prefix and the kind byte.
pub const HEADER_LEN: usize = LEN_PREFIX + 1;

/// One complete frame, borrowed from the receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The frame's kind tag (see [`super::kind`]).
    pub kind: u8,
    /// The postcard body.
    pub body: &'a [u8],
}

/// Why a byte stream cannot be framed. Every variant means the stream is broken
/// and the connection must be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameError {
    /// The length prefix says zero: a frame has at least its kind byte.
    Empty,
    /// The frame would be larger than the receiver's limit.
    TooLarge {
        /// Total frame size the prefix announced, header included.
        size: u64,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Empty => f.write_str("frame length is zero"),
            FrameError::TooLarge { size } => write!(f, "frame of {size} bytes is over the limit"),
        }
    }
}

impl core::error::Error for FrameError {}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The output buffer is too small for the frame.
    BufferTooSmall,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("buffer too small for the frame")
    }
}

impl core::error::Error for EncodeError {}

/// Parses the frame at the start of `buf`.
///
/// Returns `Ok(None)` while the frame is incomplete, or the frame with the
/// number of bytes it occupies. `max_frame` is the largest total frame size
/// (header included) the receiver accepts; a larger announced length is an
/// error at once, before any of its body arrives.
pub fn parse_frame(buf: &[u8], max_frame: usize) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    let Some(prefix) = buf.get(..LEN_PREFIX) else {
        return Ok(None);
    };
    let mut len_bytes = [0u8; LEN_PREFIX];
    len_bytes.copy_from_slice(prefix);
    let len = u32::from_le_bytes(len_bytes) as u64;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    let size = len + LEN_PREFIX as u64;
    if size > max_frame as u64 {
        return Err(FrameError::TooLarge { size });
    }
    // `size <= max_frame: usize`, so the cast is lossless.
    let size = size as usize;
    match buf.get(LEN_PREFIX..size) {
        Some(rest) => match rest.split_first() {
            Some((&kind, body)) => Ok(Some((Frame { kind, body }, size))),
            None => Err(FrameError::Empty),
        },
        None => Ok(None),
    }
}

/// Encodes a frame of `kind` with `body` into `out`, returning its size.
pub fn encode_frame<T: Serialize + ?Sized>(
    kind: u8,
    body: &T,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let body_len = {
        let Some(body_buf) = out.get_mut(HEADER_LEN..) else {
            return Err(EncodeError::BufferTooSmall);
        };
        postcard::to_slice(body, body_buf)
            .map_err(|_| EncodeError::BufferTooSmall)?
            .len()
    };
    let len = u32::try_from(body_len + 1).map_err(|_| EncodeError::BufferTooSmall)?;
    // The header's room was checked above; `get` keeps panics out anyway.
    let Some([l0, l1, l2, l3, k, ..]) = out.get_mut(..HEADER_LEN) else {
        return Err(EncodeError::BufferTooSmall);
    };
    [*l0, *l1, *l2, *l3] = len.to_le_bytes();
    *k = kind;
    Ok(HEADER_LEN + body_len)
}

/// The size of the frame that would carry `body`, header included.
pub fn frame_size<T: Serialize + ?Sized>(body: &T) -> usize {
    HEADER_LEN + postcard::experimental::serialized_size(body).unwrap_or(usize::MAX - HEADER_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut buf = [0u8; 64];
        let n = encode_frame(7, &(42u32, "hi"), &mut buf).unwrap();
        let (frame, used) = parse_frame(&buf[..n], 64).unwrap().unwrap();
        assert_eq!(used, n);
        assert_eq!(frame.kind, 7);
        let (id, text): (u32, &str) = postcard::from_bytes(frame.body).unwrap();
        assert_eq!((id, text), (42, "hi"));
    }

    #[test]
    fn every_truncation_is_incomplete_not_an_error() {
        let mut buf = [0u8; 64];
        let n = encode_frame(9, &"payload", &mut buf).unwrap();
        for cut in 0..n {
            assert_eq!(parse_frame(&buf[..cut], 64), Ok(None), "cut at {cut}");
        }
    }

    #[test]
    fn oversized_length_is_refused_before_the_body_arrives() {
        let buf = [0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            parse_frame(&buf, 2048),
            Err(FrameError::TooLarge {
                size: u32::MAX as u64 + 4
            })
        );
    }

    #[test]
    fn zero_length_is_refused() {
        assert_eq!(parse_frame(&[0, 0, 0, 0, 1], 64), Err(FrameError::Empty));
    }

    #[test]
    fn small_output_buffer_is_an_error() {
        let mut buf = [0u8; 6];
        assert_eq!(
            encode_frame(1, &"too long for six", &mut buf),
            Err(EncodeError::BufferTooSmall)
        );
        assert_eq!(
            encode_frame(1, &(), &mut buf[..3]),
            Err(EncodeError::BufferTooSmall)
        );
    }
}
