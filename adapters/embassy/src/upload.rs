//! Uploads from a device to the server's upload service: a small file (a
//! sensor snapshot, a log) through the same ticket and HTTP path the hosts
//! use, with bounded buffers. [`crate::Handle::upload_ticket`] asks for
//! the ticket; the application opens a TCP connection to the ticket's
//! [`endpoint`] on its own stack and [`put`]s the bytes over it (reqwless
//! writes the request and reads the answer's head into the caller's
//! buffer). A cut connection resumes: `put` again on a new connection from
//! the offset it returned.

use embedded_io_async::{Read, Write};
use reqwless::client::HttpConnection;
use reqwless::request::{Request, RequestBuilder};
use sha2::{Digest, Sha256};

pub use tinyim_core::wire::media::{MediaKind, UploadTicket};

/// Why a `put` did not deliver its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UploadError {
    /// The ticket's URL is not a plain `http` one this device can reach.
    Url,
    /// The connection failed; `put` again on a new one from the offset the
    /// server has (ask with an offset of 0: the answer says where).
    Connection,
    /// The server refused the bytes (its HTTP status): a checksum that did
    /// not match (422), an expired or forged URL (403), more than the
    /// ticket's size (413).
    Refused(u16),
}

/// What a `put` achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Put {
    /// Every byte arrived and had the ticket's checksum: the upload counts.
    Complete,
    /// The server has the bytes up to here: `put` the rest from it.
    ResumeFrom(u64),
}

/// The SHA-256 of `bytes` in lowercase hex, as a ticket names it.
pub fn sha256_hex(bytes: &[u8]) -> heapless::String<64> {
    let digest = Sha256::digest(bytes);
    let mut hex = heapless::String::new();
    for b in digest {
        for nibble in [b >> 4, b & 0xf] {
            // 64 digits always fit.
            let _ = hex.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    hex
}

/// The host and port a ticket's `upload_url` is reached at (plain `http`
/// only: a device's HTTPS would go through embedded-tls on its own
/// connection).
pub fn endpoint(url: &str) -> Option<(&str, u16)> {
    let url = nourl::Url::parse(url).ok()?;
    (url.scheme() == nourl::UrlScheme::HTTP).then(|| (url.host(), url.port_or_default()))
}

/// Sends `bytes[offset..]` to the ticket's `upload_url` over `conn`, an
/// open connection to its [`endpoint`]; `head_buf` takes the answer's head
/// (256 bytes are plenty). An `offset` that is not where the server's bytes
/// end sends nothing and learns where they do.
pub async fn put<C: Read + Write>(
    conn: C,
    upload_url: &str,
    bytes: &[u8],
    offset: u64,
    head_buf: &mut [u8],
) -> Result<Put, UploadError> {
    let url = nourl::Url::parse(upload_url).map_err(|_| UploadError::Url)?;
    let start = usize::try_from(offset).map_err(|_| UploadError::Url)?;
    let body = bytes.get(start..).ok_or(UploadError::Url)?;
    let mut at = heapless::String::<20>::new();
    // A u64 has at most 20 digits.
    let _ = core::fmt::write(&mut at, format_args!("{offset}"));
    let headers = [("Upload-Offset", at.as_str())];
    let request = Request::put(url.path())
        .host(url.host())
        .headers(&headers)
        .body(body)
        .build();
    let mut connection = HttpConnection::Plain(conn);
    let response = connection
        .send(request, head_buf)
        .await
        .map_err(|_| UploadError::Connection)?;
    let status = response.status.0;
    let server_has = response
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("upload-offset"))
        .and_then(|(_, value)| core::str::from_utf8(value).ok()?.parse::<u64>().ok());
    match (status, server_has) {
        (201, _) => Ok(Put::Complete),
        (200 | 409, Some(has)) if has >= bytes.len() as u64 => Ok(Put::Complete),
        (200 | 409, Some(has)) => Ok(Put::ResumeFrom(has)),
        (status, _) => Err(UploadError::Refused(status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_and_the_endpoint_read_as_the_server_writes_them() {
        assert_eq!(
            sha256_hex(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            endpoint("http://10.0.0.2:8080/uploads/ab?size=1&sig=00"),
            Some(("10.0.0.2", 8080))
        );
        assert_eq!(
            endpoint("http://media.example/uploads/ab"),
            Some(("media.example", 80))
        );
        assert_eq!(endpoint("https://media.example/uploads/ab"), None);
        assert_eq!(endpoint("not a url"), None);
    }
}
