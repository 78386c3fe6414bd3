//! The upload service's settings and its signed URLs. The engine hands out
//! tickets and download URLs; the HTTP listener takes the bytes and serves
//! them (`net::http::media`), checking the signature and expiry the URL
//! carries, so it needs no store lookup per request.
//!
//! A URL's signature is an HMAC-SHA256, with a key derived from the app's
//! secret key, over what the URL allows: uploading exactly `size` bytes
//! with one SHA-256 to one upload id, or reading one upload, until one
//! instant.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Where uploads live, how they are reached, how much a user may store.
#[derive(Clone)]
pub struct MediaSettings {
    /// The directory the bytes go into.
    pub dir: PathBuf,
    /// The start of every URL handed out (`http://host:port`), the HTTP
    /// listener as clients reach it.
    pub base_url: String,
    /// Bytes one user's uploads may hold.
    pub quota: u64,
    /// How long tickets and download URLs last, milliseconds.
    pub ttl_ms: u64,
    key: Vec<u8>,
}

impl std::fmt::Debug for MediaSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaSettings")
            .field("dir", &self.dir)
            .field("base_url", &self.base_url)
            .field("quota", &self.quota)
            .field("ttl_ms", &self.ttl_ms)
            .finish_non_exhaustive()
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Whether `uuid` is an upload id this server made (32 lowercase hex
/// digits): nothing else may name a file in the directory.
pub fn valid_uuid(uuid: &str) -> bool {
    uuid.len() == 32
        && uuid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `id` names a file to serve: an upload, or an image's variant
/// (`<uuid>-large`, `<uuid>-thumb`).
pub fn valid_media_id(id: &str) -> bool {
    let (uuid, suffix) = id.split_at(id.len().min(32));
    valid_uuid(uuid) && (suffix.is_empty() || crate::media_variants::SUFFIXES.contains(&suffix))
}

/// What an upload URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadGrant {
    /// The upload.
    pub uuid: String,
    /// Its size.
    pub size: u64,
    /// Its SHA-256 in lowercase hex.
    pub sha256: String,
    /// Until then, unix milliseconds.
    pub expires_ms: u64,
    /// An image: the server makes its variants.
    pub image: bool,
}

impl MediaSettings {
    /// Settings signing with a key derived from the app's `app_key`.
    pub fn new(dir: PathBuf, base_url: String, quota: u64, ttl_ms: u64, app_key: &str) -> Self {
        let key = Sha256::new()
            .chain_update(b"tinyim media URLs\0")
            .chain_update(app_key.as_bytes())
            .finalize()
            .to_vec();
        MediaSettings {
            dir,
            base_url: base_url.trim_end_matches('/').to_owned(),
            quota,
            ttl_ms,
            key,
        }
    }

    fn sign(&self, what: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(what.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    fn verify(&self, what: &str, sig: &str) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(what.as_bytes());
        let Some(sig) = unhex(sig) else {
            return false;
        };
        mac.verify_slice(&sig).is_ok()
    }

    /// The URL to `PUT` an upload's bytes to.
    pub fn upload_url(&self, grant: &UploadGrant) -> String {
        let what = upload_claim(grant);
        format!(
            "{}/uploads/{}?size={}&sha256={}&image={}&expires={}&sig={}",
            self.base_url,
            grant.uuid,
            grant.size,
            grant.sha256,
            u8::from(grant.image),
            grant.expires_ms,
            self.sign(&what)
        )
    }

    /// The URL to read an upload from, until `expires_ms`.
    pub fn download_url(&self, uuid: &str, expires_ms: u64) -> String {
        let what = download_claim(uuid, expires_ms);
        format!(
            "{}/media/{uuid}?expires={expires_ms}&sig={}",
            self.base_url,
            self.sign(&what)
        )
    }

    /// Whether `sig` signs `grant` and it has not expired at `now_ms`.
    pub fn allows_upload(&self, grant: &UploadGrant, sig: &str, now_ms: u64) -> bool {
        valid_uuid(&grant.uuid)
            && now_ms < grant.expires_ms
            && self.verify(&upload_claim(grant), sig)
    }

    /// Whether `sig` lets `uuid` be read until `expires_ms`, past `now_ms`.
    pub fn allows_download(&self, uuid: &str, expires_ms: u64, sig: &str, now_ms: u64) -> bool {
        valid_media_id(uuid)
            && now_ms < expires_ms
            && self.verify(&download_claim(uuid, expires_ms), sig)
    }

    /// Where an upload's bytes collect until they are whole and checked.
    pub fn part_path(&self, uuid: &str) -> PathBuf {
        self.dir.join(format!("{uuid}.part"))
    }

    /// Where a complete upload lives.
    pub fn file_path(&self, uuid: &str) -> PathBuf {
        self.dir.join(uuid)
    }

    /// The directory, made if missing.
    pub fn ensure_dir(&self) -> std::io::Result<&Path> {
        std::fs::create_dir_all(&self.dir)?;
        Ok(&self.dir)
    }
}

fn upload_claim(g: &UploadGrant) -> String {
    let (uuid, size, sha256, image) = (&g.uuid, g.size, &g.sha256, g.image);
    format!("put|{uuid}|{size}|{sha256}|{image}|{}", g.expires_ms)
}

fn download_claim(uuid: &str, expires_ms: u64) -> String {
    format!("get|{uuid}|{expires_ms}")
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MediaSettings {
        MediaSettings::new("u".into(), "http://h:1/".into(), 10, 1000, "key")
    }

    #[test]
    fn a_url_allows_what_it_was_signed_for_until_it_expires_and_nothing_else() {
        let s = settings();
        let grant = UploadGrant {
            uuid: "0123456789abcdef0123456789abcdef".into(),
            size: 5,
            sha256: "ab".repeat(32),
            expires_ms: 100,
            image: false,
        };
        let url = s.upload_url(&grant);
        assert!(url.starts_with("http://h:1/uploads/0123456789abcdef"));
        let sig = url.rsplit_once("sig=").unwrap().1;
        assert!(s.allows_upload(&grant, sig, 99));
        assert!(!s.allows_upload(&grant, sig, 100), "expired");
        let bigger = UploadGrant {
            size: 6,
            ..grant.clone()
        };
        assert!(!s.allows_upload(&bigger, sig, 0), "another size");
        let image = UploadGrant {
            image: true,
            ..grant.clone()
        };
        assert!(
            !s.allows_upload(&image, sig, 0),
            "variants it was not signed for"
        );
        let other_key = MediaSettings::new("u".into(), "x".into(), 1, 1, "other");
        assert!(
            !other_key.allows_upload(&grant, sig, 0),
            "another server's key"
        );
        assert!(
            !s.allows_download(&grant.uuid, 100, sig, 0),
            "an upload's sig reads nothing"
        );
        let get = s.download_url(&grant.uuid, 100);
        let sig = get.rsplit_once("sig=").unwrap().1;
        assert!(s.allows_download(&grant.uuid, 100, sig, 50));
        assert!(
            !s.allows_download(&grant.uuid, 101, sig, 50),
            "a later expiry"
        );
        assert!(!s.allows_download("../../etc/passwd", 100, sig, 50));
        let thumb = format!("{}-thumb", grant.uuid);
        let url = s.download_url(&thumb, 100);
        let thumb_sig = url.rsplit_once("sig=").unwrap().1;
        assert!(s.allows_download(&thumb, 100, thumb_sig, 50));
        assert!(
            !s.allows_download(&thumb, 100, sig, 50),
            "not with another's sig"
        );
        assert!(!valid_media_id(&format!("{}-other", grant.uuid)));
        assert!(!s.allows_download(&grant.uuid, 100, "zz", 50));
    }
}
