//! The wire protocol, shared by the client core and the server.
//!
//! A frame is a 4-byte little-endian length, then a one-byte [`kind`], then a
//! postcard body. The length counts the kind byte and the body. Request bodies
//! start with the client-chosen request id, so a receiver can answer a request
//! kind it does not know with [`code::UNSUPPORTED`]. Push kinds a receiver does
//! not know are skipped, so new features never break old firmware.
//!
//! List responses (sync pages, message pages) are a header followed by records
//! until the end of the body; [`records`] walks them without allocating.

pub mod body;
pub mod code;
pub mod conversation_data;
pub mod elem;
mod elem_codec;
pub mod extra;
mod frame;
pub mod friend;
pub mod group;
pub mod kind;
pub mod media;
pub mod merger;
mod message_decode;
#[cfg(not(target_os = "none"))]
mod reader;
pub mod receipt;
pub mod records;
pub mod user;

pub use frame::{
    encode_frame, frame_size, parse_frame, EncodeError, Frame, FrameError, HEADER_LEN, LEN_PREFIX,
};

/// The protocol version this build speaks.
/// 3 added the image and file elements, which a version 2 client could not
/// decode; 4 the peer's read watermark in sync summaries; 5 revoked
/// messages and revoke notices, new elements a version 4 client could not
/// decode (and clearing a conversation's history, and pinned conversations
/// in sync summaries); 6 framed elements (a kind, then its fields with
/// their length, so later kinds decode as [`elem::Elem::Unknown`] and need
/// no new version), the fields beside them ([`extra::MessageExtra`]), and
/// faces, locations, sounds, videos and mergers; 7 resume tokens (a login
/// proves the user with a UserSig or with the token the last login gave).
pub const PROTOCOL_VERSION: u16 = 7;

/// The smallest frame limit a peer may announce; below it no login fits.
pub const MIN_FRAME: u32 = 512;

/// The largest frame limit any side uses; announced larger values are clamped.
pub const MAX_FRAME: u32 = 64 * 1024;

/// A message body (its element) may be at most this many bytes, as in TIM.
pub const MAX_MESSAGE_BODY: usize = 12 * 1024;
