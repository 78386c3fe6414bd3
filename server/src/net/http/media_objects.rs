//! Uploads in S3-compatible object storage (`--upload-store s3://BUCKET`)
//! through the `object_store` crate, for servers that outgrow a directory
//! (and the nodes of a cluster, which then share it). Bytes still collect
//! and are checked in the local upload directory; a complete upload and its
//! variants are then written to the bucket (streamed, in bounded parts) and
//! removed locally, and downloads read from the bucket, with ranges.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

/// Object storage holding complete uploads.
pub(crate) type Objects = Arc<dyn ObjectStore>;

/// The bucket of `url` (`s3://BUCKET`) at `endpoint` (an S3-compatible
/// server's URL; AWS's own when `None`) in `region`, with the credentials
/// of the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
pub(crate) fn s3(url: &str, endpoint: Option<&str>, region: &str) -> Result<Objects, String> {
    let bucket = url
        .strip_prefix("s3://")
        .filter(|b| !b.is_empty() && !b.contains('/'))
        .ok_or_else(|| format!("an upload store is s3://BUCKET, not {url:?}"))?;
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_region(region);
    if let Some(endpoint) = endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    // reqwest is built with rustls and no provider of its own (see
    // Cargo.toml): ring, the server's own, becomes the process's default.
    // An error means one is installed already, which serves as well.
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    builder
        .build()
        .map(|store| Arc::new(store) as Objects)
        .map_err(|e| format!("the upload store: {e}"))
}

/// Writes the local file `path` to the bucket as `id`, in parts.
pub(crate) async fn put_file(objects: &Objects, id: &str, path: &Path) -> std::io::Result<()> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut writer = BufWriter::new(objects.clone(), ObjectPath::from(id));
    tokio::io::copy(&mut file, &mut writer).await?;
    writer.shutdown().await
}

/// Whether the bucket holds `id`.
pub(crate) async fn holds(objects: &Objects, id: &str) -> bool {
    objects.head(&ObjectPath::from(id)).await.is_ok()
}

/// `id` from the bucket, whole or the one range the request's `Range`
/// header asks (416 for one past its end).
pub(crate) async fn serve(objects: &Objects, id: &str, headers: &HeaderMap) -> Response {
    let path = ObjectPath::from(id);
    let Ok(meta) = objects.head(&path).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let size = meta.size;
    let wanted = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(value) => match one_range(value, size) {
            Some(range) => Some(range),
            None => {
                let mut refused = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    refused.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return refused;
            }
        },
    };
    let options = GetOptions {
        range: wanted.clone().map(GetRange::Bounded),
        ..GetOptions::default()
    };
    let Ok(got) = objects.get_opts(&path, options).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let body = Body::from_stream(
        got.into_stream()
            .map(|chunk| chunk.map_err(std::io::Error::other)),
    );
    let mut response = Response::new(body);
    let length = wanted.as_ref().map_or(size, |r| r.end - r.start);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(range) = wanted {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        let content_range = format!("bytes {}-{}/{size}", range.start, range.end - 1);
        if let Ok(v) = HeaderValue::from_str(&content_range) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    response
}

/// The byte range a `Range` header asks of `size` bytes, when it asks one
/// that is there (several ranges are served as the first).
fn one_range(value: &str, size: u64) -> Option<Range<u64>> {
    let ranges = http_range_header::parse_range_header(value)
        .ok()?
        .validate(size)
        .ok()?;
    let first = ranges.first()?;
    Some(*first.start()..first.end() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_header_names_the_bytes_it_asks_for() {
        assert_eq!(one_range("bytes=2-5", 10), Some(2..6));
        assert_eq!(one_range("bytes=7-", 10), Some(7..10));
        assert_eq!(one_range("bytes=-3", 10), Some(7..10));
        assert_eq!(one_range("bytes=20-30", 10), None);
        assert_eq!(one_range("lines=1-2", 10), None);
        assert!(s3("s3://", None, "r").is_err());
        assert!(s3("http://bucket", None, "r").is_err());
    }
}
