//! The upload service's calls on [`Client`]: a ticket to upload a file over
//! HTTP, and a fresh URL for a message's upload. Each queues one request
//! and returns its id; the answer arrives as `Event::UserData` (an
//! `Upload` or `Download` record), then `RequestCompleted` (or
//! `RequestFailed` with the server's code).

use super::{Client, CommandError, RequestId};
use crate::model::ConversationType;
use crate::time::Instant;
use crate::wire::kind;
use crate::wire::media::{DownloadRequest, UploadRequest, MAX_UPLOAD_NAME};

/// Whether `hex` is a SHA-256 in lowercase hex.
fn is_sha256(hex: &str) -> bool {
    hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Client<'_> {
    /// A ticket to upload a file of `request.kind` (its size within TIM's
    /// limit for the kind, else the server's code for it), named and with
    /// its SHA-256 in lowercase hex.
    pub fn upload_ticket(
        &mut self,
        now: Instant,
        request: &UploadRequest<'_>,
    ) -> Result<RequestId, CommandError> {
        if request.name.is_empty()
            || request.name.len() > MAX_UPLOAD_NAME
            || request.size == 0
            || !is_sha256(request.sha256)
        {
            return Err(CommandError::InvalidParameter);
        }
        self.user_call(now, kind::UPLOAD_TICKET, request)
    }

    /// A fresh URL for the upload message `seq` of `conversation_id`
    /// carries (its image, file, sound or video), for a user who may read
    /// that message.
    pub fn download_url(
        &mut self,
        now: Instant,
        conversation_id: &str,
        seq: u64,
    ) -> Result<RequestId, CommandError> {
        ConversationType::parse(conversation_id).ok_or(CommandError::InvalidId)?;
        let request = DownloadRequest {
            conversation: conversation_id,
            seq,
        };
        self.user_call(now, kind::DOWNLOAD_URL, &request)
    }
}
