//! The REST API's answers in Tencent's shape: `{"ActionStatus": "OK" |
//! "FAIL", "ErrorCode": n, "ErrorInfo": "..."}` with the call's own fields
//! beside them, always with HTTP status 200 as Tencent's are (its clients
//! read the JSON, not the status).

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use tinyim_core::wire::code;

/// Tencent's REST codes that tinyim's own client codes do not cover.
pub(crate) mod rest_code {
    /// The URL or its query string is malformed (a parameter missing).
    pub const HTTP_PARSE: u32 = 60002;
    /// The body is not JSON.
    pub const JSON_PARSE: u32 = 60003;
    /// The `sdkappid` is not this server's.
    pub const SDKAPPID: u32 = 60006;
    /// Over the REST API's rate.
    pub const RATE_LIMITED: u32 = 60007;
    /// No such call.
    pub const UNKNOWN_API: u32 = 60009;
    /// The `identifier` is not an administrator.
    pub const ADMIN_REQUIRED: u32 = 60010;
    /// The body is larger than the API takes, or took too long to come.
    pub const BODY_TOO_LARGE: u32 = 60008;
}

/// Why a call failed: Tencent's code and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RestError {
    pub(crate) code: u32,
    pub(crate) info: String,
}

impl RestError {
    pub(crate) fn new(code: u32, info: impl Into<String>) -> Self {
        RestError {
            code,
            info: info.into(),
        }
    }
}

/// The service a call belongs to, for the codes Tencent gives each one
/// for a bad field and for its own failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Accounts,
    OpenIm,
    Profile,
    Sns,
    Group,
}

impl Service {
    /// A field missing, of the wrong type, unknown or out of range.
    pub(crate) fn invalid(self, info: impl Into<String>) -> RestError {
        let code = match self {
            Service::Accounts => 70402,
            Service::OpenIm => 90001,
            Service::Profile => 40001,
            Service::Sns => 30001,
            Service::Group => code::INVALID_PARAMETER,
        };
        RestError::new(code, info)
    }

    /// Nothing, if `user` is a user id tinyim takes.
    pub(crate) fn account(self, user: &str) -> Result<(), RestError> {
        if tinyim_core::model::valid_user_id(user) {
            Ok(())
        } else {
            Err(self.invalid(format!("invalid account {user:?}")))
        }
    }

    /// Nothing, if there are 1 to `max` of `users` and each is a user id
    /// tinyim takes.
    pub(crate) fn accounts(self, users: &[String], max: usize) -> Result<(), RestError> {
        self.count(users.len(), max)?;
        users.iter().try_for_each(|u| self.account(u))
    }

    /// Nothing, if a list of `n` entries has 1 to `max`.
    pub(crate) fn count(self, n: usize, max: usize) -> Result<(), RestError> {
        if (1..=max).contains(&n) {
            Ok(())
        } else {
            Err(self.invalid(format!("1 to {max} entries a call, not {n}")))
        }
    }

    /// The server failed (its store, most likely).
    pub(crate) fn internal(self) -> RestError {
        let code = match self {
            Service::Accounts => 70500,
            Service::OpenIm => 90994,
            Service::Profile => 40006,
            Service::Sns => 30006,
            Service::Group => 10002,
        };
        RestError::new(code, "internal server error")
    }

    /// A refusal of the engine's (tinyim's codes reuse Tencent's numbers
    /// where it has one) as this service reports it.
    pub(crate) fn refused(self, refusal: (u32, String)) -> RestError {
        match refusal.0 {
            code::BAD_REQUEST | code::UNSUPPORTED => self.invalid(refusal.1),
            code::INTERNAL => self.internal(),
            other => RestError::new(other, refusal.1),
        }
    }
}

/// A successful call's answer with `fields` beside the status.
pub(crate) fn ok(fields: Map<String, Value>) -> Response {
    let mut body = Map::new();
    body.insert("ActionStatus".into(), "OK".into());
    body.insert("ErrorCode".into(), 0.into());
    body.insert("ErrorInfo".into(), "".into());
    body.extend(fields);
    json(Value::Object(body))
}

/// A failed call's answer.
pub(crate) fn fail(e: &RestError) -> Response {
    let body = serde_json::json!({
        "ActionStatus": "FAIL",
        "ErrorCode": e.code,
        "ErrorInfo": e.info,
    });
    json(body)
}

fn json(body: Value) -> Response {
    ([(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
