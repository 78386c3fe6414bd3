//! The server's domain logic, without I/O or a clock: inputs in (connection
//! opened, a request frame, connection closed, a tick), frames out. One
//! writer applies a batch of inputs in one transaction and releases the
//! outputs only after the commit, so nothing is acknowledged before it is
//! durable.

mod admin;
mod cluster;
pub(crate) mod content;
mod conversation_data;
mod conversations;
pub(crate) mod delete_messages;
pub(crate) mod encode;
mod friends;
mod groups;
mod handshake;
mod happened;
mod media;
mod messages;
mod modify;
mod paging;
mod presence;
mod revoke;
mod sessions;
mod status;
mod sync;
mod user_list;
mod user_rates;
mod users;

pub(crate) use admin::answer_of;
pub use admin::{AccountImport, AdminAct, Presence};
pub use cluster::Relay;
pub use handshake::{answer_hello, HandshakeLimits};
pub use happened::{Happened, Sender, StateAction, Vetting};
pub use presence::NODE_SILENCE_MS;
pub use sessions::ConnId;

use tinyim_core::wire::body::{self, DeviceClass};
use tinyim_core::wire::records::{decode_exact, take};
use tinyim_core::wire::{code, kind};

use crate::store::{Store, StoreError};
use crate::usersig;
use encode::Reply;
use sessions::Sessions;

/// What happened on the network side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A connection finished its handshake.
    Opened {
        /// The connection.
        conn: ConnId,
        /// Largest frame the client accepts.
        max_frame: u32,
        /// The client's device class.
        device: DeviceClass,
    },
    /// A request frame arrived.
    Frame {
        /// The connection.
        conn: ConnId,
        /// Frame kind.
        kind: u8,
        /// Frame body.
        body: Vec<u8>,
    },
    /// The connection closed.
    Closed {
        /// The connection.
        conn: ConnId,
    },
    /// Time passed: expired sessions are kicked.
    Tick,
    /// A message send of `user`'s that the backend's before-send callback
    /// let through (rewritten, maybe): made now, unless `conn` is no longer
    /// `user`'s session.
    Vetted {
        /// The connection the send came from.
        conn: ConnId,
        /// Whose send it is.
        user: String,
        /// The request id, then the `SendMessage` payload.
        body: Vec<u8>,
        /// Who made it.
        sender: Sender,
    },
    /// A call of the REST API, answered on `conn` (the HTTP request's own
    /// id, never a session) with one response frame like a client's.
    Admin {
        /// Where the answer goes.
        conn: ConnId,
        /// What to do.
        act: AdminAct,
    },
    /// Another node of the cluster tells this one's sessions something.
    Relayed {
        /// Which node.
        node: u64,
        /// What it tells.
        relay: Relay,
    },
}

impl Input {
    /// A request frame from `conn` as a client sends it: the request id,
    /// then the payload (for driving an engine in-process).
    pub fn request<T: serde::Serialize>(conn: ConnId, kind: u8, id: u32, payload: &T) -> Input {
        Input::Frame {
            conn,
            kind,
            body: encode::to_bytes(&(id, payload)),
        }
    }
}

/// What the network side must do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Write this frame to the connection.
    Frame {
        /// The connection.
        conn: ConnId,
        /// A complete frame.
        bytes: Vec<u8>,
    },
    /// Close the connection after writing what is queued.
    Close {
        /// The connection.
        conn: ConnId,
    },
    /// The session was ended by the server (a newer login, an expired
    /// UserSig): drop what is queued for it, write `notice`, close.
    Kick {
        /// The connection.
        conn: ConnId,
        /// The kick notice frame.
        notice: Vec<u8>,
    },
    /// The connection logged in (`true`) or out: the front end answers
    /// the requests of a connection not logged in itself (2024), so they
    /// never reach the engine.
    Session {
        /// The connection.
        conn: ConnId,
        /// Whether it is logged in now.
        logged_in: bool,
    },
    /// Something an application backend may hear of (its callbacks), when
    /// the engine reports (see [`Engine::set_reporting`]).
    Happened(Happened),
    /// A message send to put to the backend's before-send callback (see
    /// [`Engine::set_vetting`]); unanswered until it comes back as
    /// [`Input::Vetted`] or the front end refuses it.
    Vet {
        /// The connection the send came from.
        conn: ConnId,
        /// Whose send it is.
        user: String,
        /// The request id, then the `SendMessage` payload.
        body: Vec<u8>,
        /// Who made it: given back with [`Input::Vetted`].
        sender: Sender,
    },
    /// Tell the cluster's other nodes (see [`Engine::set_cluster_node`]).
    Relay(Relay),
}

/// The app's identity, for UserSig verification.
#[derive(Debug, Clone)]
pub struct AppAuth {
    /// SDKAppID.
    pub app_id: u64,
    /// The app's secret key.
    pub key: String,
}

impl AppAuth {
    /// The identity of SDKAppID `app_id` with secret `key`.
    pub fn new(app_id: u64, key: &str) -> Self {
        AppAuth {
            app_id,
            key: key.to_owned(),
        }
    }
}

/// The engine: sessions in memory, everything else in the store.
pub struct Engine<S: Store> {
    store: S,
    auth: AppAuth,
    /// Keys the resume tokens logins get (derived from `auth`'s key).
    resume: crate::resume::ResumeKey,
    sessions: Sessions,
    rates: groups::GroupRates,
    user_rates: user_rates::UserRates,
    /// How long after sending a sender may revoke a message.
    revoke_window_ms: u64,
    /// The upload service, when the server serves HTTP.
    media: Option<std::sync::Arc<crate::media::MediaSettings>>,
    now_ms: u64,
    out: Vec<Output>,
    /// The batch applied and not yet committed.
    batch: Option<OpenBatch>,
    /// The REST API's request being handled, and the user it acts as.
    acting: Option<admin::Acting>,
    /// Whether to report what happened for the backend's callbacks.
    reporting: bool,
    /// Which sends go to the backend's before-send callback first.
    vetting: Vetting,
    /// The connection whose vetted send is being made.
    vetted: Option<ConnId>,
    /// Whether other nodes share the store (and hear of pushes).
    clustered: bool,
    /// This node's id in the cluster.
    node: u64,
    /// The users logged in at the cluster's other nodes.
    other_nodes: presence::OtherNodes,
    /// Set while another node's relay is applied, so it goes no further.
    applying_relay: bool,
}

/// A transaction open over the inputs applied since the last commit.
struct OpenBatch {
    /// Whether the transaction began (if not, requests are refused with
    /// [`code::UNAVAILABLE`]).
    began: bool,
    /// Connections with a request in the batch, closed if the commit fails.
    touched: Vec<ConnId>,
    inputs: usize,
}

/// Opens a batch's transaction; false (and logged) if it cannot be.
fn begin<S: Store>(store: &mut S) -> bool {
    let began = store.begin();
    if let Err(e) = &began {
        tracing::error!("cannot begin a transaction: {e}");
    }
    began.is_ok()
}

/// Requests whose handlers refuse only before their first write, so that a
/// failure after one can only be the store's: they run without a
/// per-request savepoint. A savepoint costs a C2C send about a fifth of the
/// writer's time (the statements opening and releasing it, and the copy of
/// every page the request touches into the statement journal). The group
/// calls, whose rules are checked as they go, keep theirs.
fn refuses_before_writing(frame_kind: u8) -> bool {
    matches!(
        frame_kind,
        kind::LOGIN
            | kind::LOGOUT
            | kind::SEND_MESSAGE
            | kind::SET_READ
            | kind::DELETE_CONVERSATION
            | kind::REVOKE_MESSAGE
            | kind::CLEAR_HISTORY
            | kind::PIN_CONVERSATION
            | kind::MESSAGE_RANGE
            | kind::MESSAGE_LIST
            | kind::SYNC
            | kind::SYNC_WINDOW
    )
}

/// A request that could not be served, answered with its code.
pub(crate) enum Refusal {
    Code(u32, &'static str),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

pub(crate) type Handled = Result<(), Refusal>;

/// The refusal of a request the store cannot take now.
fn store_unreachable() -> Refusal {
    Refusal::Code(code::UNAVAILABLE, "the database is unreachable; try again")
}

/// A request's payload, or the refusal of a malformed one.
pub(crate) fn request_body<'a, T: serde::Deserialize<'a>>(payload: &'a [u8]) -> Result<T, Refusal> {
    decode_exact(payload).map_err(|_| Refusal::Code(code::BAD_REQUEST, "malformed request"))
}

impl<S: Store> Engine<S> {
    /// An engine over `store`, verifying UserSigs with `auth`.
    pub fn new(store: S, auth: AppAuth) -> Self {
        Engine {
            store,
            resume: crate::resume::ResumeKey::derive(&auth.key),
            auth,
            sessions: Sessions::default(),
            rates: groups::GroupRates::new(groups::rules::MESSAGES_PER_SECOND),
            user_rates: user_rates::UserRates::new(u32::MAX),
            revoke_window_ms: revoke::REVOKE_WINDOW_MS,
            media: None,
            now_ms: 0,
            out: Vec::new(),
            batch: None,
            acting: None,
            reporting: false,
            vetting: Vetting::default(),
            vetted: None,
            clustered: false,
            node: 0,
            other_nodes: presence::OtherNodes::default(),
            applying_relay: false,
        }
    }

    /// Sets the most messages a second one group may carry (TIM's 40 by
    /// default); lower priorities are refused first above it.
    pub fn set_group_rate(&mut self, per_second: u32) {
        self.rates = groups::GroupRates::new(per_second);
    }

    /// Sets the requests a second one user may make over all of its
    /// sessions together (bursts of twice that), beyond which requests are
    /// refused with 2996; the sync a client catches up with is exempt. No
    /// limit until set.
    pub fn set_user_rate(&mut self, per_second: u32) {
        self.user_rates = user_rates::UserRates::new(per_second);
    }

    /// Sets how long after sending a sender may revoke a message (TIM's
    /// two minutes by default).
    pub fn set_revoke_window(&mut self, window: std::time::Duration) {
        self.revoke_window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
    }

    /// Number of logged-in sessions.
    pub fn online_sessions(&self) -> usize {
        self.sessions.logged_in_count()
    }

    /// A web connection `conn` opening and logging in as `user`, with a
    /// UserSig minted from the engine's own key (request id one), applied
    /// and committed at `now_ms`: the start of a session for driving an
    /// engine in-process (benchmarks, fuzzing, tests). Returns the answers.
    pub fn open_logged_in(
        &mut self,
        now_ms: u64,
        conn: ConnId,
        max_frame: u32,
        user: &str,
    ) -> Vec<Output> {
        let sig = usersig::mint(
            self.auth.app_id,
            &self.auth.key,
            user,
            86_400,
            now_ms / 1000,
        );
        let login = body::Login {
            user_id: user,
            credential: body::Credential::UserSig(&sig),
        };
        let inputs = vec![
            Input::Opened {
                conn,
                max_frame,
                device: DeviceClass::Web,
            },
            Input::request(conn, kind::LOGIN, 1, &login),
        ];
        self.handle_batch(now_ms, inputs)
    }

    /// Applies a batch of inputs in one transaction; returns what to send.
    /// If the commit fails, every connection with a request in the batch is
    /// closed instead: nothing was acknowledged, and clients resend.
    pub fn handle_batch(&mut self, now_ms: u64, inputs: Vec<Input>) -> Vec<Output> {
        for input in inputs {
            self.apply(now_ms, input);
        }
        self.commit_batch()
    }

    /// Applies one input to the open batch, opening one (a transaction) if
    /// none is. Its outputs wait for [`Engine::commit_batch`].
    pub fn apply(&mut self, now_ms: u64, input: Input) {
        self.now_ms = now_ms;
        let batch = self.batch.get_or_insert_with(|| OpenBatch {
            began: begin(&mut self.store),
            touched: Vec::new(),
            inputs: 0,
        });
        batch.inputs += 1;
        let began = batch.began;
        match input {
            Input::Opened {
                conn,
                max_frame,
                device,
            } => self.sessions.open(conn, max_frame, device),
            Input::Closed { conn } => {
                if let Some(user) = self.sessions.user_of(conn).map(str::to_owned) {
                    self.report(|| Happened::State {
                        user,
                        action: StateAction::Disconnect,
                    });
                }
                self.end_session(conn);
                self.sessions.close(conn);
            }
            Input::Tick => {
                self.kick_expired();
                self.presence_tick();
            }
            Input::Relayed { node, relay } => self.apply_relay(node, relay),
            Input::Frame { conn, kind, body } => {
                batch.touched.push(conn);
                if began {
                    self.handle_frame(conn, kind, &body);
                } else {
                    self.unavailable(conn, kind, &body);
                }
            }
            Input::Vetted {
                conn,
                user,
                body,
                sender,
            } => {
                batch.touched.push(conn);
                if !began {
                    self.unavailable(conn, kind::SEND_MESSAGE, &body);
                } else if let Sender::Rest { quiet_to_user } = sender {
                    self.vetted = Some(conn);
                    self.act_as(conn, user, kind::SEND_MESSAGE, &body, quiet_to_user, false);
                    self.vetted = None;
                } else if self.sessions.user_of(conn) == Some(user.as_str()) {
                    self.vetted = Some(conn);
                    self.handle_frame(conn, kind::SEND_MESSAGE, &body);
                    self.vetted = None;
                } else if let Ok((request, _)) = take::<u32>(&body) {
                    // Logged out (or in as another user) while it was vetted.
                    let reply = Reply { conn, request };
                    self.refuse(reply, Refusal::Code(code::NOT_LOGGED_IN, "log in first"));
                }
            }
            Input::Admin { conn, act } => {
                batch.touched.push(conn);
                if began {
                    self.handle_admin(conn, act);
                } else {
                    self.refuse(Reply { conn, request: 0 }, store_unreachable());
                }
            }
        }
    }

    /// Inputs applied since the last commit.
    pub fn batch_len(&self) -> usize {
        self.batch.as_ref().map_or(0, |b| b.inputs)
    }

    /// Commits the open batch and returns what to send. If the commit
    /// fails, every connection with a request in the batch is closed
    /// instead: nothing was acknowledged, and clients resend.
    pub fn commit_batch(&mut self) -> Vec<Output> {
        let Some(batch) = self.batch.take() else {
            return Vec::new();
        };
        if batch.began {
            if let Err(e) = self.store.commit() {
                tracing::error!("commit failed: {e}; closing the batch's connections");
                crate::stats::store_error();
                self.abandon(batch.touched);
            }
        }
        std::mem::take(&mut self.out)
    }

    /// Rolls the batch back and closes every connection with a request in
    /// it instead of answering: nothing was acknowledged, and clients resend
    /// (the server deduplicates what they sent before).
    fn abandon(&mut self, touched: Vec<ConnId>) {
        self.store.rollback();
        self.out.retain(|o| {
            !matches!(
                o,
                Output::Frame { .. }
                    | Output::Session { .. }
                    | Output::Happened(_)
                    | Output::Vet { .. }
                    | Output::Relay(_)
            )
        });
        self.out
            .extend(touched.into_iter().map(|conn| Output::Close { conn }));
    }

    /// A request that came while the store could not begin a transaction:
    /// refused with [`code::UNAVAILABLE`], nothing of it done (clients send
    /// messages and logins again by themselves). A frame that is not a
    /// request closes its connection, as it would anyway.
    fn unavailable(&mut self, conn: ConnId, frame_kind: u8, frame_body: &[u8]) {
        match take::<u32>(frame_body) {
            Ok((request, _)) if kind::is_request(frame_kind) => {
                self.refuse(Reply { conn, request }, store_unreachable());
            }
            _ => self.out.push(Output::Close { conn }),
        }
    }

    fn handle_frame(&mut self, conn: ConnId, frame_kind: u8, frame_body: &[u8]) {
        if !kind::is_request(frame_kind) {
            self.out.push(Output::Close { conn });
            return;
        }
        let Ok((request, payload)) = take::<u32>(frame_body) else {
            self.out.push(Output::Close { conn });
            return;
        };
        let reply = Reply { conn, request };
        crate::stats::request(frame_kind);
        if refuses_before_writing(frame_kind) {
            self.handle_unguarded(reply, frame_kind, payload);
            return;
        }
        if let Err(e) = self.store.savepoint() {
            self.refuse(reply, Refusal::Store(e));
            return;
        }
        let mark = self.out.len();
        let result = self.route(reply, frame_kind, payload);
        match result {
            Ok(()) => {
                if let Err(e) = self.store.release() {
                    self.out.truncate(mark);
                    self.store.rollback_to_savepoint();
                    self.refuse(reply, Refusal::Store(e));
                }
            }
            Err(refusal) => {
                self.out.truncate(mark);
                self.store.rollback_to_savepoint();
                self.refuse(reply, refusal);
            }
        }
    }

    /// A request without a savepoint (see [`refuses_before_writing`]). One
    /// that fails having written (only the store can make it) takes the
    /// requests before it in the batch down with it, as a failed commit
    /// does, rather than leaving half a request in the batch.
    fn handle_unguarded(&mut self, reply: Reply, frame_kind: u8, payload: &[u8]) {
        let writes = self.store.writes();
        let mark = self.out.len();
        let Err(refusal) = self.route(reply, frame_kind, payload) else {
            return;
        };
        self.out.truncate(mark);
        if self.store.writes() == writes {
            self.refuse(reply, refusal);
            return;
        }
        match &refusal {
            Refusal::Store(e) => {
                tracing::error!("request failed in the store: {e}");
                crate::stats::store_error();
            }
            Refusal::Code(code, _) => {
                tracing::error!(code, "request refused after writing; abandoning its batch")
            }
        }
        let touched = self
            .batch
            .as_mut()
            .map(|b| std::mem::take(&mut b.touched))
            .unwrap_or_default();
        self.abandon(touched);
        // The rest of the batch goes on in a new transaction.
        let began = begin(&mut self.store);
        if let Some(batch) = self.batch.as_mut() {
            batch.began = began;
        }
    }

    fn route(&mut self, reply: Reply, frame_kind: u8, payload: &[u8]) -> Handled {
        if frame_kind == kind::LOGIN {
            let login =
                decode_exact(payload).map_err(|_| Refusal::Code(code::BAD_REQUEST, "bad login"))?;
            return self.login(reply, login);
        }
        if let Some(user) = self.acting_for(reply.conn) {
            // The REST API has a rate of its own.
            return self.route_as(reply, &user, frame_kind, payload);
        }
        let Some(user) = self.sessions.user_of(reply.conn).map(str::to_owned) else {
            return Err(Refusal::Code(code::NOT_LOGGED_IN, "log in first"));
        };
        if !self.user_rates.admit(&user, frame_kind, self.now_ms) {
            crate::stats::rate_limited("user");
            return Err(Refusal::Code(
                code::RATE_LIMITED,
                "over the user's request rate",
            ));
        }
        if frame_kind == kind::LOGOUT {
            return self.logout(reply);
        }
        self.route_as(reply, &user, frame_kind, payload)
    }

    /// A request of `user`'s, logged in or acted for by the REST API.
    fn route_as(&mut self, reply: Reply, user: &str, frame_kind: u8, payload: &[u8]) -> Handled {
        match frame_kind {
            kind::SEND_MESSAGE => self.send_message(reply, user, request_body(payload)?),
            kind::SET_READ => self.set_read(reply, user, request_body(payload)?),
            kind::READ_ALL => self.read_all(reply, user, request_body(payload)?),
            kind::DELETE_CONVERSATIONS => {
                self.delete_conversations(reply, user, request_body(payload)?)
            }
            kind::DELETE_MESSAGES => self.delete_messages(reply, user, request_body(payload)?),
            kind::MODIFY_MESSAGE => self.modify_message(reply, user, request_body(payload)?),
            kind::DELETE_CONVERSATION => {
                self.delete_conversation(reply, user, request_body(payload)?)
            }
            kind::REVOKE_MESSAGE => self.revoke_message(reply, user, request_body(payload)?),
            kind::CLEAR_HISTORY => self.clear_history(reply, user, request_body(payload)?),
            kind::PIN_CONVERSATION => self.pin_conversation(reply, user, request_body(payload)?),
            kind::SET_REMIND_TYPE => self.set_remind_type(reply, user, request_body(payload)?),
            kind::MESSAGE_RANGE => self.message_range(reply, user, request_body(payload)?),
            kind::MESSAGE_LIST => self.message_list(reply, user, request_body(payload)?),
            kind::SYNC => self.sync(reply, user, request_body(payload)?),
            kind::SYNC_WINDOW => self.sync_window(reply, user, request_body(payload)?),
            k if kind::is_group_call(k) => self.group_call(reply, user, k, payload),
            k if kind::is_user_call(k) => self.user_call(reply, user, k, payload),
            k if kind::is_friend_call(k) => self.friend_call(reply, user, k, payload),
            _ => Err(Refusal::Code(code::UNSUPPORTED, "unsupported request")),
        }
    }

    fn refuse(&mut self, reply: Reply, refusal: Refusal) {
        let (code, message) = match &refusal {
            Refusal::Code(code, message) => (*code, *message),
            Refusal::Store(e) => {
                tracing::error!("request failed in the store: {e}");
                crate::stats::store_error();
                (code::INTERNAL, "internal error")
            }
        };
        crate::stats::refusal(code);
        let frame = encode::error(reply.request, code, message);
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: frame,
        });
    }

    fn login(&mut self, reply: Reply, login: body::Login<'_>) -> Handled {
        if self.sessions.user_of(reply.conn).is_some() {
            return Err(Refusal::Code(code::REPEAT_LOGIN, "already logged in"));
        }
        if !tinyim_core::model::valid_user_id(login.user_id) {
            return Err(Refusal::Code(code::INVALID_USER_ID, "invalid user id"));
        }
        let now_secs = self.now_ms / 1000;
        let app_id = self.auth.app_id;
        let (credential, verified) = match login.credential {
            body::Credential::UserSig(sig) => (
                "user_sig",
                usersig::verify(app_id, &self.auth.key, login.user_id, sig, now_secs)
                    .map(|info| info.expires_at()),
            ),
            body::Credential::Resume(token) => (
                "resume",
                self.resume.verify(app_id, login.user_id, token, now_secs),
            ),
        };
        let expires_at = verified.map_err(|e| {
            crate::stats::login(credential, Some(e.code()));
            Refusal::Code(e.code(), sig_message(e))
        })?;
        crate::stats::login(credential, None);
        // A first login makes the account, as Tencent's do.
        self.store.put_account(login.user_id, self.now_ms)?;
        let was_online = self.is_online(login.user_id);
        for old in self.sessions.bind(reply.conn, login.user_id, expires_at) {
            tracing::info!(
                user = login.user_id,
                conn = old,
                "kicked by a newer login on the same device class"
            );
            self.kick(old, body::KickReason::MultiDevice);
        }
        if let Some(device) = self.sessions.device_of(reply.conn) {
            self.relay(|| Relay::LoggedIn {
                user: login.user_id.to_owned(),
                device,
            });
        }
        self.sessions_changed(login.user_id, was_online);
        let token = self.resume.mint(app_id, login.user_id, expires_at);
        let ok = body::LoginOk {
            sig_expires_at: expires_at,
            resume: &token,
        };
        // Before the answer: the client's next request finds it logged in.
        self.out.push(Output::Session {
            conn: reply.conn,
            logged_in: true,
        });
        self.report(|| Happened::State {
            user: login.user_id.to_owned(),
            action: StateAction::Login,
        });
        self.respond(reply, &ok);
        Ok(())
    }

    fn logout(&mut self, reply: Reply) -> Handled {
        self.report_logout(reply.conn);
        self.end_session(reply.conn);
        self.out.push(Output::Session {
            conn: reply.conn,
            logged_in: false,
        });
        self.respond(reply, &());
        Ok(())
    }

    fn kick(&mut self, conn: ConnId, reason: body::KickReason) {
        self.report_logout(conn);
        self.end_session(conn);
        self.out.push(Output::Kick {
            conn,
            notice: encode::frame(kind::PUSH_KICKED, &body::Kicked { reason }),
        });
    }

    fn report_logout(&mut self, conn: ConnId) {
        if let Some(user) = self.sessions.user_of(conn).map(str::to_owned) {
            self.report(|| Happened::State {
                user,
                action: StateAction::Logout,
            });
        }
    }

    /// `conn` is logged in no longer; a user with no session left loses
    /// their rate bucket.
    fn end_session(&mut self, conn: ConnId) {
        let Some(user) = self.sessions.user_of(conn).map(str::to_owned) else {
            return;
        };
        let was_online = self.is_online(&user);
        self.sessions.unbind(conn);
        if self.sessions.sessions_of(&user).next().is_none() {
            self.user_rates.forget(&user);
        }
        self.sessions_changed(&user, was_online);
    }

    fn kick_expired(&mut self) {
        let now_secs = self.now_ms / 1000;
        for conn in self.sessions.expired(now_secs) {
            self.kick(conn, body::KickReason::UserSigExpired);
        }
    }

    /// Pushes a frame to every session of `user`.
    pub(crate) fn push_to_user<T: serde::Serialize>(&mut self, user: &str, kind: u8, body: &T) {
        self.push_to_sessions(user, None, kind, body);
    }

    /// Pushes a frame to `user`'s sessions other than `except` (the one a
    /// change came from, which has its answer).
    pub(crate) fn push_to_sessions<T: serde::Serialize>(
        &mut self,
        user: &str,
        except: Option<ConnId>,
        kind: u8,
        body: &T,
    ) {
        let frame = encode::frame(kind, body);
        self.push_frame_to_sessions(user, except, frame);
    }

    /// Pushes a complete frame to `user`'s sessions other than `except`,
    /// on every node.
    pub(crate) fn push_frame_to_sessions(
        &mut self,
        user: &str,
        except: Option<ConnId>,
        frame: Vec<u8>,
    ) {
        self.push_frame_here(user, except, &frame);
        self.relay(|| Relay::Push {
            user: user.to_owned(),
            frame,
        });
    }

    /// Pushes a complete frame to `user`'s sessions on this node other
    /// than `except`.
    pub(crate) fn push_frame_here(&mut self, user: &str, except: Option<ConnId>, frame: &[u8]) {
        let conns: Vec<ConnId> = self
            .sessions
            .sessions_of(user)
            .filter(|&c| Some(c) != except)
            .collect();
        for conn in conns {
            self.out.push(Output::Frame {
                conn,
                bytes: frame.to_vec(),
            });
        }
    }

    fn respond<T: serde::Serialize>(&mut self, reply: Reply, payload: &T) {
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: encode::ok(reply.request, payload),
        });
    }
}

fn sig_message(e: usersig::SigError) -> &'static str {
    match e {
        usersig::SigError::Encoding => "UserSig is malformed",
        usersig::SigError::Signature => "UserSig signature does not match",
        usersig::SigError::WrongApp => "UserSig is for another SDKAppID",
        usersig::SigError::WrongUser => "UserSig is for another user",
        usersig::SigError::Expired => "UserSig expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    #[test]
    fn open_logged_in_logs_the_user_in() {
        const NOW_MS: u64 = 1_800_000_000_000;
        let auth = AppAuth::new(1_400_000_000, "k");
        let mut engine = Engine::new(SqliteStore::in_memory().unwrap(), auth);
        let outputs = engine.open_logged_in(NOW_MS, 7, 4096, "alice");
        assert_eq!(
            outputs.first(),
            Some(&Output::Session {
                conn: 7,
                logged_in: true
            }),
            "the front end learns it before the answer goes out"
        );
        let Some(Output::Frame { conn: 7, bytes }) = outputs.get(1) else {
            panic!("no answer: {outputs:?}");
        };
        assert_eq!(bytes.get(4), Some(&kind::RESPONSE_OK), "login answered ok");
        assert_eq!(engine.online_sessions(), 1);
    }
}
