//! What the store keeps of an upload: its ticket (who, what, how large,
//! its checksum) and whether its bytes arrived. The bytes themselves live
//! in the upload directory (see `crate::media`).

use tinyim_core::wire::media::MediaKind;

/// One upload's ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    /// Its id (TIM's `uuid`).
    pub uuid: String,
    /// Who uploads it.
    pub owner: String,
    /// What it is.
    pub kind: MediaKind,
    /// Its size in bytes.
    pub size: u64,
    /// Its file name.
    pub name: String,
    /// Its SHA-256 in lowercase hex.
    pub sha256: String,
    /// When the ticket was given, unix milliseconds.
    pub created_ms: u64,
    /// Its bytes arrived whole, with the checksum.
    pub complete: bool,
}
