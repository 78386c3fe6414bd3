//! The upload service's HTTP side, as a client: `PUT` an upload's bytes to
//! its ticket's URL a chunk at a time, resuming from the offset the server
//! answers after a cut (hyper's HTTP/1 client; over TLS with the client's
//! own [`Tls`] when the URL is `https`).

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::tls::Tls;
use crate::upload::UploadError;

/// Bytes a `PUT` carries at most.
pub(crate) const CHUNK: usize = 1 << 20;
/// Connections an upload may open before it gives up (each resumes where
/// the bytes so far end).
const ATTEMPTS: u32 = 8;
/// How long one request may take.
const REQUEST_WITHIN: Duration = Duration::from_secs(60);

/// The header that says where a chunk starts, and where to resume.
const OFFSET: &str = "upload-offset";

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

fn failed(why: impl std::fmt::Display) -> UploadError {
    UploadError(why.to_string())
}

/// Opens a connection to `uri`'s host.
async fn connect(uri: &Uri, tls: Option<&Tls>) -> Result<Sender, UploadError> {
    let host = uri.host().ok_or_else(|| failed("the URL has no host"))?;
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let stream = TcpStream::connect((host, port)).await.map_err(failed)?;
    stream.set_nodelay(true).map_err(failed)?;
    if https {
        let tls = tls.ok_or_else(|| failed("an https URL, and no TLS set in the options"))?;
        let stream = tls
            .connector
            .connect(tls.server_name.clone(), stream)
            .await
            .map_err(failed)?;
        handshake(TokioIo::new(stream)).await
    } else {
        handshake(TokioIo::new(stream)).await
    }
}

async fn handshake<T>(io: TokioIo<T>) -> Result<Sender, UploadError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(failed)?;
    tokio::spawn(async move {
        // Ends with the connection; its error is the request's.
        let _ = connection.await;
    });
    Ok(sender)
}

/// What a request was answered.
struct Answer {
    status: StatusCode,
    /// `Upload-Offset`.
    at: Option<u64>,
    headers: hyper::HeaderMap,
    body: Bytes,
}

/// One request.
async fn send(
    sender: &mut Sender,
    uri: &Uri,
    method: Method,
    offset: Option<u64>,
    body: Bytes,
) -> Result<Answer, UploadError> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(
            hyper::header::HOST,
            uri.authority().map_or("", |a| a.as_str()),
        );
    if let Some(offset) = offset {
        request = request.header(OFFSET, offset);
    }
    let request = request.body(Full::new(body)).map_err(failed)?;
    let exchange = async {
        sender.ready().await.map_err(failed)?;
        let response = sender.send_request(request).await.map_err(failed)?;
        let status = response.status();
        let at = response
            .headers()
            .get(OFFSET)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.map_err(failed)?;
        Ok(Answer {
            status,
            at,
            headers,
            body: body.to_bytes(),
        })
    };
    tokio::time::timeout(REQUEST_WITHIN, exchange)
        .await
        .map_err(|_| failed("no answer in time"))?
}

/// What the server made of an image: its dimensions, and its large
/// variant's and thumbnail's (each width, height, size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ImageFacts {
    pub(crate) original: (u32, u32, u64),
    pub(crate) large: (u32, u32, u64),
    pub(crate) thumbnail: (u32, u32, u64),
}

/// A picture's facts from a header value `WIDTHxHEIGHT SIZE`.
fn picture_facts(value: &str) -> Option<(u32, u32, u64)> {
    let (dimensions, size) = value.split_once(' ')?;
    let (width, height) = dimensions.split_once('x')?;
    Some((
        width.parse().ok()?,
        height.parse().ok()?,
        size.parse().ok()?,
    ))
}

fn image_facts(headers: &hyper::HeaderMap) -> Option<ImageFacts> {
    let facts = |name: &str| picture_facts(headers.get(name)?.to_str().ok()?);
    Some(ImageFacts {
        original: facts("image-original")?,
        large: facts("image-large")?,
        thumbnail: facts("image-thumbnail")?,
    })
}

/// Sends `bytes` to the ticket's `url` from where the server has them,
/// telling `progress` (bytes there, of all) after each chunk; done when
/// the server took the last one and checked the whole. For an image, what
/// the server made of it, if the last answer said (an upload an earlier
/// attempt finished does not say again).
pub(crate) async fn put_all(
    url: &str,
    bytes: &[u8],
    tls: Option<&Tls>,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Option<ImageFacts>, UploadError> {
    let uri: Uri = url.parse().map_err(failed)?;
    let total = bytes.len() as u64;
    let mut last_error = failed("no attempt");
    for _ in 0..ATTEMPTS {
        let mut sender = match connect(&uri, tls).await {
            Ok(sender) => sender,
            Err(e) => {
                last_error = e;
                continue;
            }
        };
        // Where the server's bytes end: after a cut, some of a chunk may
        // have arrived.
        let head = match send(&mut sender, &uri, Method::HEAD, None, Bytes::new()).await {
            Ok(answer) => answer,
            Err(e) => {
                last_error = e;
                continue;
            }
        };
        if !head.status.is_success() {
            let status = head.status;
            return Err(failed(format!("the upload URL was refused ({status})")));
        }
        let mut at = head.at.unwrap_or(0);
        if at >= total {
            return Ok(None);
        }
        loop {
            let start = usize::try_from(at).map_err(failed)?;
            let end = (start + CHUNK).min(bytes.len());
            let chunk = Bytes::copy_from_slice(&bytes[start..end]);
            let answer = match send(&mut sender, &uri, Method::PUT, Some(at), chunk).await {
                Ok(answer) => answer,
                Err(e) => {
                    last_error = e;
                    break;
                }
            };
            match answer.status {
                StatusCode::CREATED => {
                    progress(total, total);
                    return Ok(image_facts(&answer.headers));
                }
                StatusCode::OK | StatusCode::CONFLICT => {
                    at = answer.at.ok_or_else(|| failed("no offset in the answer"))?;
                    progress(at, total);
                    if at >= total {
                        return Ok(None);
                    }
                }
                status => {
                    let words = String::from_utf8_lossy(&answer.body);
                    return Err(failed(format!(
                        "the upload was refused ({status}): {words}"
                    )));
                }
            }
        }
    }
    Err(last_error)
}
