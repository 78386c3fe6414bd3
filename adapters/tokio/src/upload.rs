//! TIM's upload plugin: where image and file messages put their bytes
//! before the message, which carries only the URL, is sent. By default the
//! server's upload service takes them (`Tim::upload_file`); an application
//! with storage of its own registers an [`Uploader`] for it (an object
//! store, another HTTP server, ...). [`DirectoryUploader`] serves one
//! machine or a shared file system (and tests).

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::error::TimError;

/// A file handed to the upload plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFile {
    /// The file's name, as the sender gave it.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Why the plugin could not store a file; the message is its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadError(pub String);

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "upload failed: {}", self.0)
    }
}

impl std::error::Error for UploadError {}

/// The future an [`Uploader`] returns.
pub type UploadFuture<'a> = Pin<Box<dyn Future<Output = Result<String, UploadError>> + Send + 'a>>;

/// TIM's upload plugin (`tim.registerPlugin({'tim-upload-plugin': ...})`):
/// stores a file and resolves to the URL recipients fetch it from.
pub trait Uploader: Send + Sync + 'static {
    /// Stores `file`; the URL it resolves to goes into the message.
    fn upload<'a>(&'a self, file: &'a UploadFile) -> UploadFuture<'a>;
}

/// Stores each file under a fresh name in a directory and hands out a
/// `file://` URL to it.
#[derive(Debug, Clone)]
pub struct DirectoryUploader {
    dir: PathBuf,
}

impl DirectoryUploader {
    /// Files go into `dir` (made if missing; an absolute path makes
    /// absolute URLs).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DirectoryUploader { dir: dir.into() }
    }
}

/// `name` reduced to characters that are safe in a file name and a URL.
fn safe_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No hidden files and no way out of the directory.
    kept.trim_start_matches('.').to_owned()
}

impl Uploader for DirectoryUploader {
    fn upload<'a>(&'a self, file: &'a UploadFile) -> UploadFuture<'a> {
        Box::pin(async move {
            let path = self.dir.join(format!(
                "{:016x}-{}",
                rand::random::<u64>(),
                safe_name(&file.name)
            ));
            let bytes = file.bytes.clone();
            let dir = self.dir.clone();
            let written = path.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&dir)?;
                std::fs::write(&written, bytes)
            })
            .await
            .map_err(|e| UploadError(e.to_string()))?
            .map_err(|e| UploadError(e.to_string()))?;
            let path = std::path::absolute(&path).map_err(|e| UploadError(e.to_string()))?;
            Ok(format!("file://{}", path.display()))
        })
    }
}

/// A file uploaded: where it is fetched from, its upload id (TIM `uuid`;
/// empty from a plugin) and its size.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadedFile {
    /// The URL recipients fetch it from (from the server's service: signed
    /// and expiring; a receiver asks `Tim::download_url` for a fresh one).
    pub url: String,
    /// The server's upload id, which the message carries.
    pub uuid: String,
    /// Size in bytes.
    pub size: u32,
    /// An image's dimensions as the server decoded them (0 when it did
    /// not: another kind, a plugin, an image it could not read).
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// An image's large variant, made by the server (empty `url`: none).
    pub large: crate::Picture,
    /// An image's thumbnail, made by the server (empty `url`: none).
    pub thumbnail: crate::Picture,
}

/// Why an image or file message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// The server's upload service refused a ticket (TIM's code for a file
    /// over its kind's limit, 9011 over the quota, 9001 when the server
    /// serves no uploads); nothing was sent.
    Ticket(TimError),
    /// The upload failed; nothing was sent.
    Upload(UploadError),
    /// The file is over 4 GiB, more than a message can describe.
    TooLarge,
    /// The upload worked; sending the message did not.
    Send(TimError),
}

impl MediaError {
    /// The error code: TIM's for a failed send, tinyim's for the upload.
    pub fn code(&self) -> u32 {
        use tinyim_core::wire::code;
        match self {
            MediaError::Ticket(e) => e.code(),
            MediaError::Upload(_) => code::UPLOAD_FAILED,
            MediaError::TooLarge => code::MESSAGE_TOO_LARGE,
            MediaError::Send(e) => e.code(),
        }
    }
}

impl fmt::Display for MediaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediaError::Ticket(e) => write!(f, "no upload ticket: {e}"),
            MediaError::Upload(e) => write!(f, "{e}"),
            MediaError::TooLarge => f.write_str("file over 4 GiB"),
            MediaError::Send(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for MediaError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_directory_or_hide() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name("photo 1.png"), "photo_1.png");
    }
}
