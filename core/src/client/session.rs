//! Login intent and session life: handshake answer, login, logout, kick.

use super::event::{QueuedEvent, RequestError, RequestId};
use super::link::Link;
use super::outbox::Op;
use super::state::State;
use crate::fmt::log_debug;
use crate::model::UserId;
use crate::time::{Duration, Instant};
use crate::wire::body::{self, KickReason, MAX_RESUME_TOKEN};
use crate::wire::{code, kind, PROTOCOL_VERSION};

/// The longest UserSig the client takes (Tencent's are about 200 to 400
/// bytes). It is kept only inside the encoded login request, at the
/// outbox's end, until the server's first answer gives a resume token.
pub const MAX_USER_SIG: usize = 512;

/// What the client needs to log in again after a reconnect, besides the
/// user (the state's owner): the resume token of the last login, or (while
/// it has none) the login request with the UserSig kept in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) resume: heapless::Vec<u8, MAX_RESUME_TOKEN>,
}

#[derive(Debug, Default)]
pub(crate) struct Session {
    /// Present while the application wants to be logged in.
    pub(crate) credentials: Option<Credentials>,
    /// Logged in on the current connection.
    pub(crate) logged_in: bool,
    /// `SdkReady` was reported and `SdkNotReady` not since.
    pub(crate) ready: bool,
    /// The application's `login` call, answered by the first successful login.
    pub(crate) user_request: Option<(RequestId, Instant)>,
    /// When the UserSig expires (unix seconds, the server's word at the
    /// last login); 0 before one.
    pub(crate) sig_expires_at: u64,
    /// The server's clock at the last handshake (unix milliseconds), and
    /// this client's instant then.
    pub(crate) server_clock: Option<(u64, Instant)>,
    /// The UserSig expiry the application was last warned of (see
    /// [`USER_SIG_WARNING`]).
    pub(crate) sig_warned_for: u64,
}

/// How long before its UserSig expires the application is told
/// ([`crate::Event::UserSigExpiring`]), by the server's clock.
pub const USER_SIG_WARNING: Duration = Duration::from_secs(300);

impl State<'_> {
    pub(crate) fn start_login(
        &mut self,
        user_id: UserId,
        user_sig: &str,
    ) -> Result<RequestId, super::CommandError> {
        // Encoded once, under a request id of its own, and sent as it is on
        // every connection until a resume token replaces it.
        let login_request = self.next_id();
        let login = body::Login {
            user_id: &user_id,
            credential: body::Credential::UserSig(user_sig),
        };
        self.out.keep_frame(login_request, kind::LOGIN, &login)?;
        if self.owner != user_id {
            // Another user's conversations must not leak into this session.
            self.table.clear();
            self.sync = Default::default();
            self.owner = user_id;
        }
        let id = self.next_id();
        self.session.credentials = Some(Credentials {
            resume: heapless::Vec::new(),
        });
        self.session.user_request = Some((id, self.now + self.config.request_timeout));
        self.reconnect_attempt = 0;
        match self.link {
            Link::Open { .. } => self.send_login(),
            Link::Idle { .. } => self.link = Link::Idle { retry_at: self.now },
            _ => {}
        }
        Ok(id)
    }

    /// Queues the login request on the current connection: with the resume
    /// token of the last login, else the kept one with the UserSig.
    fn send_login(&mut self) {
        let Some(creds) = self.session.credentials.as_ref() else {
            return;
        };
        let deadline = self.now + self.config.request_timeout;
        // Cannot fail for lack of room: the application's requests leave a
        // reserve, and every internal request was dropped with the old transport.
        if creds.resume.is_empty() {
            self.out.send_kept(deadline);
            return;
        }
        let login = body::Login {
            user_id: &self.owner,
            credential: body::Credential::Resume(&creds.resume),
        };
        self.next_request = self.next_request.wrapping_add(1);
        let id = RequestId(self.next_request);
        let _ = self.out.push(id, Op::Login, deadline, kind::LOGIN, &login);
    }

    /// The server took the login: it answers with the UserSig's expiry and
    /// (a server of protocol 7 on) a token to log in with again, which
    /// replaces the UserSig kept in the outbox.
    pub(crate) fn on_login_answer(&mut self, ok: body::LoginOk<'_>) {
        self.session.sig_expires_at = ok.sig_expires_at;
        let token = heapless::Vec::from_slice(ok.resume).ok();
        if let (Some(creds), Some(token)) = (self.session.credentials.as_mut(), token) {
            if !token.is_empty() {
                creds.resume = token;
                self.out.drop_kept();
            }
        }
        self.on_login_ok();
    }

    pub(crate) fn on_transport_opened(&mut self) {
        if self.session.credentials.is_none() {
            // Logged out while dialing.
            self.link = Link::Closing;
            return;
        }
        let hello = body::Hello {
            version: PROTOCOL_VERSION,
            max_frame: self.rx_capacity as u32,
            device: self.config.device,
        };
        self.out.push_control(kind::HELLO, &hello);
        self.link = Link::Handshaking {
            deadline: self.now + self.config.handshake_timeout,
        };
    }

    /// The server refused the handshake. A protocol version or a frame
    /// limit it cannot serve, or TLS where the client speaks plain TCP,
    /// stays so however often the client dials: the
    /// session ends and a pending login fails with the server's code, where
    /// reconnecting would only end in the login's timeout.
    pub(crate) fn on_hello_refused(&mut self, code: u32) {
        self.queue(QueuedEvent::ConnectionRejected(code));
        if matches!(
            code,
            code::VERSION_MISMATCH | code::FRAME_LIMIT_TOO_SMALL | code::SERVER_SPEAKS_TLS
        ) {
            self.end_session(Some(RequestError::Server(code)));
        } else {
            self.close_transport();
        }
    }

    pub(crate) fn on_hello_ack(&mut self, ack: body::HelloAck) {
        if ack.version != PROTOCOL_VERSION {
            return self.on_hello_refused(code::VERSION_MISMATCH);
        }
        self.session.server_clock = Some((ack.server_time_ms, self.now));
        let heartbeat = Duration::from_millis(u64::from(ack.heartbeat_ms.max(100)));
        self.out.peer_max_frame =
            ack.max_frame
                .clamp(crate::wire::MIN_FRAME, crate::wire::MAX_FRAME) as usize;
        self.link = Link::Open {
            heartbeat,
            last_rx: self.now,
            next_heartbeat: self.now + heartbeat,
        };
        self.send_login();
    }

    pub(crate) fn on_login_ok(&mut self) {
        self.session.logged_in = true;
        self.reconnect_attempt = 0;
        if !self.session.ready {
            self.session.ready = true;
            self.queue(QueuedEvent::SdkReady);
        }
        if let Some((request, _)) = self.session.user_request.take() {
            self.queue(QueuedEvent::RequestCompleted(request));
        }
        self.start_sync(false);
        #[cfg(feature = "full")]
        self.groups.begin_refresh();
    }

    pub(crate) fn on_login_failed(&mut self, code: u32) {
        log_debug!("login refused: {}", code);
        if matches!(
            code,
            code::RATE_LIMITED | code::INTERNAL | code::UNAVAILABLE
        ) {
            // A refusal that passes (the server is busy, failed inside, or
            // cannot reach its database):
            // dial again after the backoff, the session and what waits for
            // it kept, as after a lost connection.
            self.close_transport();
            return;
        }
        if code == code::USER_SIG_EXPIRED && self.session.ready {
            self.queue(QueuedEvent::KickedOut(KickReason::UserSigExpired));
        }
        self.end_session(Some(RequestError::Server(code)));
    }

    /// When to warn of the UserSig's expiry: [`USER_SIG_WARNING`] before it
    /// by the server's clock (now, if that has passed); `None` while logged
    /// out or once warned of this expiry.
    pub(crate) fn sig_warning_at(&self) -> Option<Instant> {
        let expires_at = self.session.sig_expires_at;
        if !self.session.ready || expires_at == 0 || self.session.sig_warned_for == expires_at {
            return None;
        }
        let (server_ms, at) = self.session.server_clock?;
        let warn_ms = expires_at
            .saturating_mul(1000)
            .saturating_sub(USER_SIG_WARNING.as_millis());
        Some(at + Duration::from_millis(warn_ms.saturating_sub(server_ms)))
    }

    /// Tells the application its UserSig expires soon, once per expiry.
    pub(crate) fn warn_of_sig_expiry(&mut self) {
        if self.sig_warning_at().is_some_and(|at| at <= self.now) {
            let expires_at = self.session.sig_expires_at;
            self.session.sig_warned_for = expires_at;
            self.queue(QueuedEvent::UserSigExpiring(expires_at));
        }
    }

    pub(crate) fn on_kicked(&mut self, reason: KickReason) {
        self.queue(QueuedEvent::KickedOut(reason));
        self.end_session(Some(RequestError::Disconnected));
    }

    /// The session is over (logout, kick, refused login): forget the
    /// credentials, fail whatever is in flight, and drop the transport.
    /// `error` is what the application's pending login call gets.
    pub(crate) fn end_session(&mut self, error: Option<RequestError>) {
        self.session.credentials = None;
        self.out.drop_kept();
        self.session.logged_in = false;
        if let Some((request, _)) = self.session.user_request.take() {
            self.queue(QueuedEvent::RequestFailed {
                request,
                error: error.unwrap_or(RequestError::Disconnected),
            });
        }
        while let Some(p) = self.out.take_any() {
            self.fail_request(p, RequestError::Server(code::NOT_LOGGED_IN));
        }
        self.sync.running = false;
        self.sync.in_flight = false;
        for c in self.table.rows.iter_mut() {
            c.fetching = false;
        }
        if self.session.ready {
            self.session.ready = false;
            self.queue(QueuedEvent::SdkNotReady);
        }
        self.close_transport();
    }

    pub(crate) fn start_logout(&mut self) -> Result<RequestId, super::CommandError> {
        let id = self.next_id();
        if self.session.logged_in {
            let deadline = self.now + self.config.request_timeout;
            self.out.push(id, Op::Logout, deadline, kind::LOGOUT, &())?;
        } else {
            self.end_session(None);
            self.queue(QueuedEvent::RequestCompleted(id));
        }
        Ok(id)
    }
}
