//! The upload service's requests: a ticket to upload a file, the upload
//! counted once its bytes arrived whole and checked (the HTTP listener
//! says so), and a fresh download URL for a message's upload, for those
//! who may read the message.

use std::sync::Arc;

use tinyim_core::wire::body::Elem;
use tinyim_core::wire::code;
use tinyim_core::wire::media::{
    DownloadRequest, DownloadUrl, MediaKind, UploadRequest, UploadTicket, MAX_UPLOAD_NAME,
};
use tinyim_core::wire::user::UserRecord;

use super::revoke::no_such_message;
use super::{content, Engine, Handled, Refusal, Reply};
use crate::media::{hex, MediaSettings, UploadGrant};
use crate::media_variants::SUFFIXES;
use crate::store::{Store, UploadRow};

fn invalid(what: &'static str) -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, what)
}

/// An image's large and thumbnail URLs (empty for another kind).
fn variant_urls(media: &MediaSettings, uuid: &str, image: bool, expires_ms: u64) -> [String; 2] {
    SUFFIXES.map(|suffix| {
        if image {
            media.download_url(&format!("{uuid}{suffix}"), expires_ms)
        } else {
            String::new()
        }
    })
}

/// The upload id an element carries, if any.
fn upload_of<'a>(elem: &Elem<'a>) -> Option<&'a str> {
    let uuid = match elem {
        Elem::Image(image) => image.uuid,
        Elem::File { uuid, .. } | Elem::Sound { uuid, .. } => uuid,
        Elem::Video(video) => video.uuid,
        _ => return None,
    };
    (!uuid.is_empty()).then_some(uuid)
}

impl<S: Store> Engine<S> {
    /// Where uploads go: set when the server serves HTTP.
    pub fn set_media(&mut self, media: Arc<MediaSettings>) {
        self.media = Some(media);
    }

    fn media(&self) -> Result<Arc<MediaSettings>, Refusal> {
        self.media.clone().ok_or(Refusal::Code(
            code::UNSUPPORTED,
            "this server has no upload service (serve --http-listen)",
        ))
    }

    pub(super) fn upload_ticket(
        &mut self,
        reply: Reply,
        me: &str,
        req: UploadRequest<'_>,
    ) -> Handled {
        let media = self.media()?;
        if req.name.is_empty() || req.name.len() > MAX_UPLOAD_NAME {
            return Err(invalid("a file name of 1 to 256 bytes"));
        }
        let hex_digits = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if req.sha256.len() != 64 || !req.sha256.bytes().all(hex_digits) {
            return Err(invalid("sha256 is 64 lowercase hex digits"));
        }
        if req.size == 0 {
            return Err(invalid("an empty upload"));
        }
        if req.size > req.kind.max_size() {
            return Err(Refusal::Code(
                req.kind.too_large_code(),
                "over the size limit",
            ));
        }
        let open_since = self.now_ms.saturating_sub(media.ttl_ms);
        let used = self.store.upload_usage(me, open_since)?;
        if used.saturating_add(req.size) > media.quota {
            return Err(Refusal::Code(code::UPLOAD_QUOTA, "over the upload quota"));
        }
        let uuid = hex(&rand::random::<[u8; 16]>());
        let grant = UploadGrant {
            uuid: uuid.clone(),
            size: req.size,
            sha256: req.sha256.to_owned(),
            expires_ms: self.now_ms.saturating_add(media.ttl_ms),
            image: req.kind == MediaKind::Image,
        };
        self.store.put_upload(&UploadRow {
            uuid: uuid.clone(),
            owner: me.to_owned(),
            kind: req.kind,
            size: req.size,
            name: req.name.to_owned(),
            sha256: req.sha256.to_owned(),
            created_ms: self.now_ms,
            complete: false,
        })?;
        let upload_url = media.upload_url(&grant);
        let download_url = media.download_url(&uuid, grant.expires_ms);
        let [large_url, thumbnail_url] = variant_urls(&media, &uuid, grant.image, grant.expires_ms);
        let ticket = UserRecord::Upload(UploadTicket {
            uuid: &uuid,
            upload_url: &upload_url,
            download_url: &download_url,
            large_url: &large_url,
            thumbnail_url: &thumbnail_url,
            expires_at_ms: grant.expires_ms,
        });
        self.respond_records_page(
            reply,
            0,
            [ticket].into_iter(),
            false,
            |next_offset, more| UserRecord::Page { next_offset, more },
        );
        Ok(())
    }

    /// The HTTP listener received upload `uuid` whole, with its checksum.
    pub(super) fn complete_upload(&mut self, reply: Reply, uuid: &str) -> Handled {
        self.store.complete_upload(uuid)?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn download_url(
        &mut self,
        reply: Reply,
        me: &str,
        req: DownloadRequest<'_>,
    ) -> Handled {
        let media = self.media()?;
        let access = self.access(me, req.conversation)?;
        if req.seq <= access.history_floor {
            return Err(no_such_message());
        }
        let message = self
            .store
            .message(&access.key, req.seq)?
            .ok_or_else(no_such_message)?;
        let (elem, _) = content::decode(&message.body).map_err(|_| no_such_message())?;
        let uuid = upload_of(&elem).ok_or(invalid("the message carries no upload"))?;
        let upload = self
            .store
            .upload(uuid)?
            .filter(|u| u.complete)
            .ok_or(invalid("no complete upload of this server by that id"))?;
        let expires_at_ms = self.now_ms.saturating_add(media.ttl_ms);
        let url = media.download_url(&upload.uuid, expires_at_ms);
        let image = upload.kind == MediaKind::Image;
        let [large_url, thumbnail_url] = variant_urls(&media, &upload.uuid, image, expires_at_ms);
        let answer = UserRecord::Download(DownloadUrl {
            uuid: &upload.uuid,
            url: &url,
            large_url: &large_url,
            thumbnail_url: &thumbnail_url,
            expires_at_ms,
        });
        self.respond_records_page(
            reply,
            0,
            [answer].into_iter(),
            false,
            |next_offset, more| UserRecord::Page { next_offset, more },
        );
        Ok(())
    }
}
