//! The upload service from a page: a ticket for an upload (the bytes then
//! go over HTTP from `tim.js`, a chunk at a time), and a fresh download URL
//! for a message's upload.

use js_sys::Promise;
use tinyim_core::wire::media::{MediaKind, UploadRequest};
use wasm_bindgen::prelude::*;

use crate::host::Collect;
use crate::Session;

/// TIM's message types as the upload kinds they need.
fn media_kind(message_type: &str) -> Option<MediaKind> {
    Some(match message_type {
        "TIMImageElem" => MediaKind::Image,
        "TIMFileElem" => MediaKind::File,
        "TIMSoundElem" => MediaKind::Sound,
        "TIMVideoFileElem" => MediaKind::Video,
        _ => return None,
    })
}

#[wasm_bindgen]
impl Session {
    /// A ticket to upload `size` bytes named `name` for a message of
    /// `message_type` (`TIMImageElem`, ...), whose SHA-256 is `sha256`
    /// (lowercase hex): resolves with the ticket's record (`uploadUrl`,
    /// `downloadUrl`, `largeUrl`, `thumbnailUrl`, `uuid`).
    #[wasm_bindgen(js_name = uploadTicket)]
    pub fn upload_ticket(
        &self,
        message_type: String,
        size: f64,
        name: String,
        sha256: String,
    ) -> Promise {
        self.request(Collect::Records, move |client, now| {
            let kind =
                media_kind(&message_type).ok_or(tinyim_core::CommandError::InvalidParameter)?;
            let request = UploadRequest {
                kind,
                size: size as u64,
                name: &name,
                sha256: &sha256,
            };
            client.upload_ticket(now, &request)
        })
    }

    /// A fresh URL for the upload of message `sequence` of
    /// `conversation_id` (a stored URL expires): resolves with its record.
    #[wasm_bindgen(js_name = getDownloadUrl)]
    pub fn download_url(&self, conversation_id: String, sequence: f64) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.download_url(now, &conversation_id, sequence as u64)
        })
    }
}
