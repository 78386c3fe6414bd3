//! The upload service on the HTTP listener. `PUT /uploads/<uuid>` takes an
//! upload's bytes a chunk at a time (`Upload-Offset` says where each
//! starts; one that does not start where the bytes so far end is answered
//! 409 with the offset to resume from), `HEAD` answers how much arrived,
//! and once the bytes are whole and have the ticket's SHA-256 the upload
//! counts (the engine records it) and moves to its place; a mismatch drops
//! it. `GET /media/<uuid>` serves a complete upload, with range requests.
//! Every URL is signed and expires (see `crate::media`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tinyim_core::wire::code;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

use super::super::Shared;
use super::media_objects::{self, Objects};
use super::ticket;
use crate::engine::AdminAct;
use crate::media::{hex, MediaSettings, UploadGrant};
use crate::media_variants;

/// The header that says where a chunk starts, and where to resume.
const OFFSET: &str = "upload-offset";

/// Locks over the uploads, an upload's always the same: one request at a
/// time writes or measures an upload, so a request resuming after a cut
/// waits until the cut one has ended and sees every byte it kept.
const LOCKS: usize = 64;

/// How long a chunk's body may pause before the request ends (what
/// arrived stays, to resume from): a stalled client must not hold its
/// upload's lock for ever.
const BODY_PAUSE: std::time::Duration = std::time::Duration::from_secs(30);

/// What the upload routes share.
#[derive(Clone)]
struct Uploads {
    media: Arc<MediaSettings>,
    shared: Arc<Shared>,
    locks: Arc<Vec<tokio::sync::Mutex<()>>>,
    /// Where complete uploads go, when not the upload directory.
    objects: Option<Objects>,
}

impl Uploads {
    /// The lock of upload `uuid` (a valid one: hex digits).
    fn lock_of(&self, uuid: &str) -> &tokio::sync::Mutex<()> {
        let shard = uuid
            .get(..2)
            .and_then(|h| usize::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        &self.locks[shard % LOCKS]
    }
}

/// The routes, for the HTTP listener's router.
pub(super) fn routes(
    shared: Arc<Shared>,
    media: Arc<MediaSettings>,
    objects: Option<Objects>,
) -> Router {
    let state = Uploads {
        shared,
        media,
        objects,
        locks: Arc::new((0..LOCKS).map(|_| tokio::sync::Mutex::new(())).collect()),
    };
    Router::new()
        .route("/uploads/{uuid}", put(put_chunk).head(head_offset))
        .route("/media/{uuid}", get(download))
        .with_state(state)
}

/// A refusal: the HTTP status, tinyim's code, and words.
fn refuse(status: StatusCode, code: u32, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message }).to_string();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn with_offset(status: StatusCode, offset: u64) -> Response {
    let mut response = status.into_response();
    response
        .headers_mut()
        .insert(OFFSET, HeaderValue::from(offset));
    response
}

/// The grant an upload URL's query names, if its signature holds now.
fn granted(state: &Uploads, uuid: &str, query: &HashMap<String, String>) -> Option<UploadGrant> {
    let number = |name: &str| query.get(name)?.parse::<u64>().ok();
    let grant = UploadGrant {
        uuid: uuid.to_owned(),
        size: number("size")?,
        sha256: query.get("sha256")?.clone(),
        expires_ms: number("expires")?,
        image: number("image")? == 1,
    };
    let sig = query.get("sig")?;
    state
        .media
        .allows_upload(&grant, sig, unix_ms())
        .then_some(grant)
}

/// Now, unix milliseconds: what URLs' expiries count in.
fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn forbidden() -> Response {
    refuse(
        StatusCode::FORBIDDEN,
        code::NO_PERMISSION,
        "no such URL, or it expired",
    )
}

/// How many bytes of `grant` arrived: all once it is complete.
async fn arrived(state: &Uploads, grant: &UploadGrant) -> u64 {
    let media = &state.media;
    let complete = match &state.objects {
        Some(objects) => media_objects::holds(objects, &grant.uuid).await,
        None => tokio::fs::metadata(media.file_path(&grant.uuid))
            .await
            .is_ok(),
    };
    if complete {
        return grant.size;
    }
    tokio::fs::metadata(media.part_path(&grant.uuid))
        .await
        .map_or(0, |m| m.len())
}

async fn head_offset(
    State(state): State<Uploads>,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(grant) = granted(&state, &uuid, &query) else {
        return forbidden();
    };
    let _turn = state.lock_of(&uuid).lock().await;
    with_offset(StatusCode::OK, arrived(&state, &grant).await)
}

async fn put_chunk(
    State(state): State<Uploads>,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(grant) = granted(&state, &uuid, &query) else {
        return forbidden();
    };
    let _turn = state.lock_of(&uuid).lock().await;
    let have = arrived(&state, &grant).await;
    let from = headers
        .get(OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if from != Some(have) || have == grant.size {
        // Not where the bytes so far end (or nothing is missing): resume
        // from where they do.
        return with_offset(StatusCode::CONFLICT, have);
    }
    match write_chunk(&state.media, &grant, have, body).await {
        Ok(total) if total < grant.size => with_offset(StatusCode::OK, total),
        Ok(_) => finish(&state, &grant).await,
        Err(response) => response,
    }
}

/// Appends the body to the upload's part file, refusing bytes past its
/// size; the part's length after.
async fn write_chunk(
    media: &MediaSettings,
    grant: &UploadGrant,
    have: u64,
    body: Body,
) -> Result<u64, Response> {
    let internal = |_| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            "cannot store the upload",
        )
    };
    media.ensure_dir().map_err(internal)?;
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(media.part_path(&grant.uuid))
        .await
        .map_err(internal)?;
    let mut total = have;
    let mut body = body;
    while let Ok(Some(frame)) = tokio::time::timeout(BODY_PAUSE, body.frame()).await {
        let Ok(frame) = frame else {
            // The connection was cut: what arrived stays, to resume from.
            break;
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if total > grant.size {
            let _ = file.set_len(have).await;
            return Err(refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::INVALID_PARAMETER,
                "more bytes than the ticket's size",
            ));
        }
        file.write_all(&data).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    Ok(total)
}

/// The bytes are whole: checked against the ticket's SHA-256, moved to
/// their place and counted; dropped on a mismatch.
async fn finish(state: &Uploads, grant: &UploadGrant) -> Response {
    let part = state.media.part_path(&grant.uuid);
    let digest = tokio::task::spawn_blocking({
        let part = part.clone();
        move || -> std::io::Result<String> {
            let mut file = std::fs::File::open(part)?;
            let mut hasher = Sha256::new();
            std::io::copy(&mut file, &mut hasher)?;
            Ok(hex(&hasher.finalize()))
        }
    })
    .await;
    let internal = || {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            "cannot check the upload",
        )
    };
    let Ok(Ok(digest)) = digest else {
        return internal();
    };
    if digest != grant.sha256 {
        let _ = tokio::fs::remove_file(&part).await;
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            code::CHECKSUM_MISMATCH,
            "the bytes do not have the ticket's SHA-256; the upload was dropped",
        );
    }
    let file = state.media.file_path(&grant.uuid);
    if tokio::fs::rename(&part, &file).await.is_err() {
        return internal();
    }
    let variants = if grant.image {
        let original = file.clone();
        tokio::task::spawn_blocking(move || media_variants::make(&original))
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    if let Some(objects) = &state.objects {
        if to_objects(objects, &grant.uuid, &file).await.is_err() {
            return internal();
        }
    }
    if ticket::ask(&state.shared, AdminAct::CompleteUpload(grant.uuid.clone()))
        .await
        .is_err()
    {
        return internal();
    }
    let mut response = with_offset(StatusCode::CREATED, grant.size);
    if let Some(v) = variants {
        let headers = response.headers_mut();
        for (name, picture) in [
            ("image-original", v.original),
            ("image-large", v.large),
            ("image-thumbnail", v.thumbnail),
        ] {
            if let Ok(value) = HeaderValue::from_str(&picture.header()) {
                headers.insert(name, value);
            }
        }
    }
    response
}

async fn download(
    State(state): State<Uploads>,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let expires = query.get("expires").and_then(|e| e.parse::<u64>().ok());
    let allowed = match (expires, query.get("sig")) {
        (Some(expires), Some(sig)) => state.media.allows_download(&uuid, expires, sig, unix_ms()),
        _ => false,
    };
    if !allowed {
        return forbidden();
    }
    if let Some(objects) = &state.objects {
        let mut response = media_objects::serve(objects, &uuid, request.headers()).await;
        served_as(&mut response, None);
        return response;
    }
    let path = state.media.file_path(&uuid);
    let head = first_bytes(&path).await;
    let file = tower_http::services::ServeFile::new(path);
    let mut response = match file.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    served_as(&mut response, head.as_deref());
    response
}

/// The first bytes of a stored upload, enough to tell an image's format.
async fn first_bytes(path: &std::path::Path) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut head = vec![0; 32];
    let n = tokio::fs::File::open(path)
        .await
        .ok()?
        .read(&mut head)
        .await
        .ok()?;
    head.truncate(n);
    Some(head)
}

/// Says what a download is: an image as its own type when its first bytes
/// (`head`) show one, so that pages show it; anything else as bytes to
/// save. Never as something a browser would run: uploads share an origin
/// with the web app the server may serve (`--web-root`), so a page an
/// upload smuggled in would run with that app's storage.
fn served_as(response: &mut Response, head: Option<&[u8]>) {
    use axum::http::header;
    let image = head
        .and_then(|head| image::guess_format(head).ok())
        .map(|format| format.to_mime_type());
    let success = response.status().is_success();
    let headers = response.headers_mut();
    if success {
        let kind = image.unwrap_or("application/octet-stream");
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        if image.is_none() {
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
}

/// Moves a complete upload (and an image's variants, if made) from the
/// upload directory into object storage.
async fn to_objects(objects: &Objects, uuid: &str, file: &std::path::Path) -> std::io::Result<()> {
    for suffix in ["", media_variants::SUFFIXES[0], media_variants::SUFFIXES[1]] {
        let id = format!("{uuid}{suffix}");
        let local = file.with_file_name(&id);
        if suffix.is_empty() || tokio::fs::metadata(&local).await.is_ok() {
            media_objects::put_file(objects, &id, &local).await?;
            tokio::fs::remove_file(&local).await?;
        }
    }
    Ok(())
}
