//! The upload service: TIM's upload plugin backed by the server. A client
//! asks over its connection for an upload ticket ([`UploadRequest`] →
//! [`UploadTicket`]), sends the bytes over HTTP to the ticket's URL in
//! chunks that resume after a cut, and puts the upload's id (`uuid`) and
//! URL in the message. A stored URL expires, so a receiver asks for a
//! fresh one ([`DownloadRequest`] → [`DownloadUrl`]), which only those who
//! may read the message get.

use serde::{Deserialize, Serialize};

/// What an upload holds, with TIM's size limits.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MediaKind {
    /// An image: at most 28 MB.
    Image,
    /// A file: at most 100 MB.
    File,
    /// A voice message: at most 28 MB.
    Sound,
    /// A video: at most 100 MB.
    Video,
}

impl MediaKind {
    /// The largest upload of this kind, in bytes (TIM's limits).
    pub fn max_size(self) -> u64 {
        const MB: u64 = 1024 * 1024;
        match self {
            MediaKind::Image | MediaKind::Sound => 28 * MB,
            MediaKind::File | MediaKind::Video => 100 * MB,
        }
    }

    /// TIM's code for an upload of this kind over its size.
    pub fn too_large_code(self) -> u32 {
        match self {
            MediaKind::Image => super::code::IMAGE_TOO_LARGE,
            MediaKind::File => super::code::FILE_TOO_LARGE,
            MediaKind::Sound => super::code::SOUND_TOO_LARGE,
            MediaKind::Video => super::code::VIDEO_TOO_LARGE,
        }
    }

    /// Its number in the stores.
    pub fn number(self) -> u8 {
        match self {
            MediaKind::Image => 1,
            MediaKind::File => 2,
            MediaKind::Sound => 3,
            MediaKind::Video => 4,
        }
    }

    /// The kind a stored number names.
    pub fn from_number(n: u8) -> Option<Self> {
        Some(match n {
            1 => MediaKind::Image,
            2 => MediaKind::File,
            3 => MediaKind::Sound,
            4 => MediaKind::Video,
            _ => return None,
        })
    }
}

/// Most bytes of an upload's file name.
pub const MAX_UPLOAD_NAME: usize = 256;

/// Request payload: a ticket to upload a file. Answer: `UserRecord::Upload`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadRequest<'a> {
    /// What it is (its limit).
    pub kind: MediaKind,
    /// Its size in bytes, at least 1.
    pub size: u64,
    /// Its file name, 1 to [`MAX_UPLOAD_NAME`] bytes.
    pub name: &'a str,
    /// Its SHA-256, 64 lowercase hex digits: the upload counts only once
    /// the bytes received have it.
    pub sha256: &'a str,
}

/// Where to send an upload's bytes.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadTicket<'a> {
    /// The upload's id: TIM's `uuid`, for the message.
    pub uuid: &'a str,
    /// `PUT` the bytes here (a chunk at a time: the `Upload-Offset` header
    /// says where each starts; `HEAD` answers how much arrived), until
    /// `expires_at_ms`. The answer to the last chunk of an image says what
    /// the server made of it: `Image-Original`, `Image-Large`,
    /// `Image-Thumbnail`, each `WIDTHxHEIGHT SIZE`.
    pub upload_url: &'a str,
    /// Where the upload is fetched from once complete, with the sender's
    /// own signature (it expires too; receivers ask for their own).
    pub download_url: &'a str,
    /// An image's large variant (made by the server; empty for another
    /// kind).
    pub large_url: &'a str,
    /// An image's thumbnail (empty for another kind).
    pub thumbnail_url: &'a str,
    /// The ticket's and the URLs' end, unix milliseconds.
    pub expires_at_ms: u64,
}

/// Request payload: a fresh URL for the upload a message carries (its
/// image, file, sound or video). Answer: `UserRecord::Download`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadRequest<'a> {
    /// The message's conversation, as the requester names it.
    pub conversation: &'a str,
    /// The message's seq.
    pub seq: u64,
}

/// A signed URL to fetch an upload (range requests work), until
/// `expires_at_ms`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadUrl<'a> {
    /// The upload's id.
    pub uuid: &'a str,
    /// The URL.
    pub url: &'a str,
    /// An image's large variant (empty for another kind).
    pub large_url: &'a str,
    /// An image's thumbnail (empty for another kind).
    pub thumbnail_url: &'a str,
    /// Its end, unix milliseconds.
    pub expires_at_ms: u64,
}
