//! Errors of the async calls.

use std::fmt;

use tinyim_core::{CommandError, RequestError};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimError {
    /// The core refused the command at once.
    Command(CommandError),
    /// The request was sent and failed (timeout, disconnect, server code).
    Request {
        /// How it failed.
        error: RequestError,
        /// The server's words for its refusal (which argument, which
        /// limit), or empty.
        message: String,
    },
    /// A message send failed (timeout, disconnect, server code): send it
    /// again with `client_msg_id` (`Tim::send_text_with_id`,
    /// `Outgoing::with_client_msg_id`) and the server stores it once.
    SendFailed {
        /// The client message id it was sent with.
        client_msg_id: u64,
        /// How it failed.
        error: RequestError,
        /// The server's words for its refusal, or empty.
        message: String,
    },
    /// The client's driver task has stopped.
    Closed,
    /// The server's answer lacked what the call returns.
    UnexpectedAnswer,
}

impl TimError {
    /// A request that failed for `error`, without the server's words.
    pub fn request(error: RequestError) -> TimError {
        TimError::Request {
            error,
            message: String::new(),
        }
    }

    /// Whether the same call may succeed if made again later: the request
    /// got no answer (a timeout, a lost connection), the server was busy,
    /// failed inside or could not reach its database, or the client had no
    /// room for it yet. A send made again with the same client message id
    /// is stored once.
    pub fn is_retryable(&self) -> bool {
        use tinyim_core::wire::code;
        match self {
            TimError::Request { error, .. } | TimError::SendFailed { error, .. } => match error {
                RequestError::Timeout | RequestError::Disconnected => true,
                RequestError::Server(c) => matches!(
                    *c,
                    code::RATE_LIMITED
                        | code::INTERNAL
                        | code::GROUP_RATE_LIMITED
                        | code::UNAVAILABLE
                ),
            },
            TimError::Command(CommandError::TooManyInFlight | CommandError::OutboxFull) => true,
            TimError::Command(_) | TimError::Closed | TimError::UnexpectedAnswer => false,
        }
    }

    /// The TIM error code, where one applies.
    pub fn code(&self) -> u32 {
        use tinyim_core::wire::code;
        match self {
            TimError::Command(e) => e.code(),
            TimError::Request { error, .. } | TimError::SendFailed { error, .. } => error.code(),
            TimError::Closed => code::NETWORK,
            TimError::UnexpectedAnswer => code::INTERNAL,
        }
    }
}

impl fmt::Display for TimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimError::Command(e) => write!(f, "{e}"),
            TimError::Request { error, message } => show(f, *error, message),
            TimError::SendFailed {
                client_msg_id,
                error,
                message,
            } => {
                show(f, *error, message)?;
                write!(f, " (message id {client_msg_id})")
            }
            TimError::Closed => f.write_str("client closed"),
            TimError::UnexpectedAnswer => f.write_str("unexpected answer from the server"),
        }
    }
}

/// A failed request in words: the code's own, then the server's where they
/// add something, then the code.
fn show(f: &mut fmt::Formatter<'_>, error: RequestError, message: &str) -> fmt::Result {
    let code = match error {
        RequestError::Timeout => return f.write_str("timed out"),
        RequestError::Disconnected => return f.write_str("disconnected"),
        RequestError::Server(code) => code,
    };
    match (tinyim_core::wire::code::describe(code), message) {
        (Some(words), "") => write!(f, "{words} (server error {code})"),
        (Some(words), said) if said != words => {
            write!(f, "{words}: {said} (server error {code})")
        }
        (Some(words), _) => write!(f, "{words} (server error {code})"),
        (None, "") => write!(f, "server error {code}"),
        (None, said) => write!(f, "{said} (server error {code})"),
    }
}

impl std::error::Error for TimError {}
