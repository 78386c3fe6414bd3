//! The HTTP listener (`--http-listen`): Tencent's REST API under
//! `/v4/<service>/<command>` for application backends, beside the
//! operations routes (`/metrics`, `/healthz`, `/readyz`). Over HTTPS when
//! the server has a certificate.
//!
//! Every call is authenticated as Tencent's are (an administrator's
//! `identifier` and its UserSig in the query string, checked by the code
//! that checks client logins), counted against the API's own rate, and
//! then made through the engine like a client's request (see [`ticket`]).

mod accounts;
mod group_admin;
mod groups;
mod history;
mod media;
pub(crate) mod media_objects;
pub(super) mod msg_body;
mod openim;
mod reply;
pub(super) mod serve;
mod sns;
mod ticket;
mod tls_listener;
mod websocket;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;

use super::Shared;
use crate::rate::TokenBucket;
use crate::usersig;
use reply::{fail, rest_code, RestError, Service};

/// The services served, by Tencent's names.
const SERVICES: [&str; 5] = [
    "im_open_login_svc",
    "openim",
    "profile",
    "sns",
    "group_open_http_svc",
];

/// The largest body a call may have: a batch of 500 accounts or a message
/// of 12 KB with its envelope fit many times over.
const MAX_BODY: usize = 256 * 1024;

/// One call's context: the API and the administrator making it.
pub(crate) struct Call<'a> {
    api: &'a Api,
    /// The administrator (`identifier`): the sender when a call names none.
    admin: &'a str,
}

/// What every call's handler gets.
#[derive(Clone)]
pub(crate) struct Api {
    shared: Arc<Shared>,
    /// The REST API's own rate, over all administrators.
    bucket: Arc<Mutex<TokenBucket>>,
}

/// Serves the REST API and the operations routes on `listener` for ever.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let api = Api {
        bucket: Arc::new(Mutex::new(TokenBucket::new(
            shared.config.admin_requests_per_second,
            shared.clock_ms(),
        ))),
        shared: shared.clone(),
    };
    let rest = Router::new()
        .route(
            "/v4/{service}/{command}",
            post(call).fallback(|| async {
                fail(&RestError::new(
                    rest_code::HTTP_PARSE,
                    "REST calls are POSTs",
                ))
            }),
        )
        .fallback(|| async { fail(&RestError::new(rest_code::UNKNOWN_API, "no such API")) })
        .with_state(api);
    let mut app = super::ops::routes(shared.clone())
        .merge(rest)
        .merge(websocket::routes(shared.clone()));
    if let Some(media) = shared.media.clone() {
        let objects = shared.media_objects.clone();
        app = app.merge(media::routes(shared.clone(), media, objects));
    }
    if let Some(root) = &shared.config.web_root {
        // Paths no route takes are the web app's files (the REST API's
        // "no such API" stays under /v4/, which its route owns).
        app = app.fallback_service(tower_http::services::ServeDir::new(root));
    }
    let headers_within = shared.config.handshake_timeout;
    match shared.config.tls.clone() {
        Some(tls) => {
            let listener = tls_listener::TlsListener::new(listener, tls, &shared);
            serve::serve(listener, app, headers_within).await;
        }
        None => serve::serve(listener, app, headers_within).await,
    }
}

/// One call: authentication, the rate, the body, then the command.
async fn call(
    State(api): State<Api>,
    Path((service, command)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: Body,
) -> Response {
    let result = async {
        let admin = admit(&api, &query)?;
        // As long as its headers may take; a body that is too large or too
        // slow has Tencent's one code for both.
        let within = api.shared.config.handshake_timeout;
        let body = tokio::time::timeout(within, axum::body::to_bytes(body, MAX_BODY))
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| {
                RestError::new(
                    rest_code::BODY_TOO_LARGE,
                    "the body is too large or too slow",
                )
            })?;
        let call = Call { api: &api, admin };
        route(&call, &service, &command, &body).await
    }
    .await;
    result.unwrap_or_else(|e| fail(&e))
}

/// The administrator the query names, if it names this app and an
/// administrator with a valid UserSig, and the API's rate has room for one
/// more call.
fn admit<'q>(api: &Api, query: &'q HashMap<String, String>) -> Result<&'q str, RestError> {
    let param = |name: &str| {
        query.get(name).ok_or_else(|| {
            RestError::new(rest_code::HTTP_PARSE, format!("the query has no {name}"))
        })
    };
    let config = &api.shared.config;
    let app_id = param("sdkappid")?;
    if app_id.parse::<u64>().ok() != Some(config.auth.app_id) {
        return Err(RestError::new(
            rest_code::SDKAPPID,
            "not this server's sdkappid",
        ));
    }
    let identifier = param("identifier")?;
    if !config.admins.iter().any(|admin| admin == identifier) {
        return Err(RestError::new(
            rest_code::ADMIN_REQUIRED,
            "the identifier is not an administrator",
        ));
    }
    let sig = param("usersig")?;
    let now_secs = super::engine_thread::now_ms() / 1000;
    usersig::verify(
        config.auth.app_id,
        &config.auth.key,
        identifier,
        sig,
        now_secs,
    )
    .map_err(|e| RestError::new(e.code(), "the administrator's UserSig does not verify"))?;
    let now = api.shared.clock_ms();
    let admitted = api
        .bucket
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take(config.admin_requests_per_second, now);
    if !admitted {
        crate::stats::rate_limited("rest");
        return Err(RestError::new(
            rest_code::RATE_LIMITED,
            "over the REST API's rate",
        ));
    }
    Ok(identifier)
}

async fn route(
    call: &Call<'_>,
    service: &str,
    command: &str,
    body: &[u8],
) -> Result<Response, RestError> {
    // Counted under the API's own names only: the path is the caller's.
    let Some(&service) = SERVICES.iter().find(|&&known| known == service) else {
        return Err(unknown());
    };
    crate::stats::rest_call(service);
    match service {
        "im_open_login_svc" => accounts::call(call, command, body).await,
        "openim" => openim::call(call, command, body).await,
        "profile" => sns::profile_call(call, command, body).await,
        "sns" => sns::call(call, command, body).await,
        _ => groups::call(call, command, body).await,
    }
}

/// The answer to a command the service does not have.
fn unknown() -> RestError {
    RestError::new(rest_code::UNKNOWN_API, "no such API")
}

/// A call's body as `T`: not JSON at all is 60003, JSON of the wrong
/// shape (a field missing, unknown or of another type) the service's
/// invalid-parameter code.
fn parse<T: DeserializeOwned>(service: Service, body: &[u8]) -> Result<T, RestError> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => service.invalid(e.to_string()),
        _ => RestError::new(rest_code::JSON_PARSE, format!("the body is not JSON: {e}")),
    })
}
