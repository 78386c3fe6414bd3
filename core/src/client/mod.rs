//! The client state machine.
//!
//! [`Client`] never reads a clock and never does I/O. Its methods come in
//! four kinds:
//!
//! - **views** (`conversations`, `total_unread`, `net_state`, ...) read state;
//! - **`handle_*`** feed it what happened: bytes arrived, a timer fired, the
//!   transport opened or was lost;
//! - **commands** (`login`, `send_message`, ...) each return a [`RequestId`] at
//!   once; the outcome arrives later as an event carrying that id;
//! - **`poll_*`** drain what it wants done: bytes to write, when to wake up,
//!   whether to dial or close, and events for the application.
//!
//! After every `handle_*` call or command, drain in this order:
//! `poll_close` / `poll_connect`, `poll_transmit` until `None`, `poll_timeout`,
//! then `poll_event` until `None`. Reading events can release buffered frames
//! that produce more output, so a driver loops until all of them are empty.

mod config;
#[cfg(feature = "full")]
mod conversation_data_calls;
mod dispatch;
mod error;
mod event;
#[cfg(feature = "full")]
mod friend_calls;
#[cfg(feature = "full")]
mod group_calls;
mod groups;
mod link;
#[cfg(feature = "full")]
mod media_calls;
#[cfg(feature = "full")]
mod message_admin_calls;
mod message_calls;
mod messages;
mod outbox;
#[cfg(feature = "full")]
mod receipt_calls;
mod resources;
mod rng;
mod rx;
mod session;
mod state;
mod sync;
mod table;
#[cfg(feature = "full")]
mod user_calls;
mod views;

pub use config::Config;
pub use error::{CommandError, SyncStateError};
pub use event::{Event, KickReason, NetState, RequestError, RequestId, SendStatus};
pub use resources::{DeviceResources, HostResources, Resources};
pub use session::{MAX_USER_SIG, USER_SIG_WARNING};

use event::QueuedEvent;
use rx::{Held, Purpose, Rx};
use state::State;

use crate::model::{valid_user_id, UserId};
use crate::time::Instant;
#[cfg(feature = "full")]
use crate::wire::body::Elem;
#[cfg(feature = "full")]
use crate::wire::receipt::ReadReceipt;
#[cfg(feature = "full")]
use crate::wire::user::UserStatus;
use crate::wire::{self, body, records};

/// A tinyim client: login, messages, conversations and sync as a pure state
/// machine over byte buffers. See the [module docs](self) for the drain order.
pub struct Client<'r> {
    rx_buf: &'r mut [u8],
    rx: Rx,
    st: State<'r>,
}

impl<'r> Client<'r> {
    /// Creates a client over caller-supplied storage. `seed` drives client
    /// message ids and reconnect jitter: take it from a hardware RNG or
    /// other entropy, different on every start. Message ids run on from a
    /// point the seed picks, and the server treats a repeated (user, id) as
    /// a resend, so a seed repeated across restarts would make new messages
    /// look like old ones.
    pub fn new<
        const C: usize,
        const G: usize,
        const P: usize,
        const E: usize,
        const RX: usize,
        const OUT: usize,
    >(
        config: &Config,
        resources: &'r mut Resources<C, G, P, E, RX, OUT>,
        now: Instant,
        seed: u64,
    ) -> Self {
        let rx_capacity = RX.min(wire::MAX_FRAME as usize);
        let out = outbox::Outbox::new(resources.pending.as_mut_view(), &mut resources.outbox[..]);
        let table = table::Table::new(resources.conversations.as_mut_view());
        let groups = groups::GroupTable::new(resources.groups.as_mut_view());
        let st = State::new(
            *config,
            now,
            seed,
            out,
            table,
            groups,
            resources.events.as_mut_view(),
            rx_capacity,
        );
        Client {
            rx_buf: &mut resources.rx[..rx_capacity],
            rx: Rx::default(),
            st,
        }
    }

    // ----- handle_* -----

    /// Feeds bytes received from the transport. Returns how many were taken:
    /// fewer than given when the receive buffer is full of frames the
    /// application has not read yet. Drain events, then offer the rest again.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) -> usize {
        self.st.enter(now);
        if !self.st.link.is_receiving() {
            // Bytes of a transport the core has given up on.
            return bytes.len();
        }
        let taken = self.rx.push(self.rx_buf, bytes);
        if taken > 0 {
            self.st.link.note_rx(self.st.now);
        }
        process_rx(&mut self.rx, &mut self.st, self.rx_buf);
        self.finish();
        taken
    }

    /// Zero-copy input, step one: the free part of the receive buffer, for
    /// the transport to read into directly. Empty when the buffer is full of
    /// frames the application has not read yet: drain events first.
    pub fn input_buffer(&mut self) -> &mut [u8] {
        self.rx.room(self.rx_buf, usize::MAX)
    }

    /// Zero-copy input, step two: `n` bytes were written at the start of
    /// [`Client::input_buffer`]. Then the same as `handle_input`.
    pub fn input_written(&mut self, now: Instant, n: usize) {
        self.st.enter(now);
        if !self.st.link.is_receiving() {
            // Bytes of a transport the core has given up on.
            return;
        }
        self.rx.filled(self.rx_buf.len(), n);
        if n > 0 {
            self.st.link.note_rx(self.st.now);
        }
        process_rx(&mut self.rx, &mut self.st, self.rx_buf);
        self.finish();
    }

    /// Lets timers run: handshake and heartbeat deadlines, request deadlines.
    /// Calling it early or twice is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.st.enter(now);
        self.st.on_timeout();
        self.finish();
    }

    /// The transport asked for by `poll_connect` is open: the handshake starts.
    pub fn connection_opened(&mut self, now: Instant) {
        self.st.enter(now);
        self.rx.discard_unprocessed();
        self.st.on_transport_opened();
        self.finish();
    }

    /// The transport closed or could not be opened. The client retries after
    /// a backoff (see `poll_connect`) while a login is wanted.
    pub fn connection_lost(&mut self, now: Instant) {
        self.st.enter(now);
        self.st.transport_lost();
        self.finish();
    }

    // ----- commands -----

    /// TIM `login({userID, userSig})`. The client connects, logs in, syncs,
    /// and logs in again after every reconnect until `logout` or a kick.
    /// Completes with `SdkReady` and `RequestCompleted`.
    ///
    /// The client keeps no copy of the UserSig of its own: the login request
    /// is encoded at once and kept at the outbox's end (so the outbox must
    /// hold it: `OutboxFull` or `TooLarge` otherwise) until the server's
    /// answer gives a resume token, which logs in again after a reconnect
    /// (the server honours it until the UserSig's expiry). A token the
    /// server refuses ends the session as a refused UserSig does.
    pub fn login(
        &mut self,
        now: Instant,
        user_id: &str,
        user_sig: &str,
    ) -> Result<RequestId, CommandError> {
        self.st.enter(now);
        if self.st.session.credentials.is_some() {
            return Err(CommandError::AlreadyLoggedIn);
        }
        if !valid_user_id(user_id) {
            return Err(CommandError::InvalidUserId);
        }
        let user = UserId::try_from(user_id).map_err(|_| CommandError::InvalidUserId)?;
        if user_sig.len() > MAX_USER_SIG {
            return Err(CommandError::UserSigTooLong);
        }
        let id = self.st.start_login(user, user_sig)?;
        self.finish();
        Ok(id)
    }

    /// TIM `logout()`. Unacknowledged sends fail; the conversation table is
    /// kept for the same user's next login.
    pub fn logout(&mut self, now: Instant) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_logout())
    }

    fn command(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut State<'r>) -> Result<RequestId, CommandError>,
    ) -> Result<RequestId, CommandError> {
        self.st.enter(now);
        if self.st.session.credentials.is_none() {
            return Err(CommandError::NotLoggedIn);
        }
        if !self.st.user_slot_free() {
            return Err(CommandError::TooManyInFlight);
        }
        let result = f(&mut self.st);
        self.finish();
        result
    }

    // ----- sync state -----

    /// Writes the sync cursor and every conversation's watermarks into `buf`
    /// (postcard), for a device to keep across reboots. Returns the length.
    pub fn save_sync_state(&self, buf: &mut [u8]) -> Result<usize, SyncStateError> {
        self.st.save_sync_state(buf)
    }

    /// Restores what `save_sync_state` wrote. Only before `login`; the next
    /// login of the same user resumes from it without refetching.
    pub fn restore_sync_state(&mut self, bytes: &[u8]) -> Result<(), SyncStateError> {
        self.st.restore_sync_state(bytes)
    }

    // ----- poll_* -----

    /// Whether the adapter should open a transport now (then call
    /// `connection_opened` or `connection_lost`). Opening it has until
    /// `Config::connect_timeout`: past it `poll_close` says to give the
    /// attempt up, and the client dials again after the backoff.
    pub fn poll_connect(&mut self, now: Instant) -> bool {
        self.st.enter(now);
        match self.st.link {
            link::Link::Idle { retry_at }
                if self.st.session.credentials.is_some() && self.st.now >= retry_at =>
            {
                self.st.link = link::Link::Dialing {
                    deadline: self.st.now + self.st.config.connect_timeout,
                };
                true
            }
            _ => false,
        }
    }

    /// Whether the adapter should close its transport now (protocol error,
    /// silent server, logout, kick). Closing is the adapter's only action.
    pub fn poll_close(&mut self) -> bool {
        if self.st.link == link::Link::Closing {
            self.st.transport_lost();
            self.finish();
            true
        } else {
            false
        }
    }

    /// Copies bytes to write to the transport into `buf`. `None` when there is
    /// nothing to send; never `Some(0)`.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        if !self.st.link.is_receiving() {
            return None;
        }
        let n = self.st.out.poll_transmit(buf, self.st.gate());
        (n > 0).then_some(n)
    }

    /// Zero-copy output, step one: the next bytes to write, in place. Write
    /// what the transport takes, then report it with
    /// [`Client::transmit_done`]. `None` when there is nothing to send.
    pub fn transmit_chunk(&mut self) -> Option<&[u8]> {
        if !self.st.link.is_receiving() {
            return None;
        }
        let gate = self.st.gate();
        self.st.out.peek(gate)
    }

    /// Zero-copy output, step two: `n` bytes of the last
    /// [`Client::transmit_chunk`] were written.
    pub fn transmit_done(&mut self, n: usize) {
        self.st.out.advance(n);
    }

    /// Whether `poll_transmit` has nothing to give.
    pub fn transmit_idle(&self) -> bool {
        !self.st.link.is_receiving() || self.st.out.is_idle(self.st.gate())
    }

    /// When to call `handle_timeout` (or `poll_connect`) next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.st.next_timeout()
    }

    /// Queues a request answered by records, each read into an event by
    /// `read` (the call's own decoder, linked only where the call is made).
    #[cfg(feature = "full")]
    pub(crate) fn records_call<T: serde::Serialize>(
        &mut self,
        now: Instant,
        read: rx::ReadRecord,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| {
            st.start_request(
                outbox::Op::Records(rx::RecordReader(read)),
                frame_kind,
                payload,
            )
        })
    }

    /// The next event for the application. A message event borrows the
    /// receive buffer; drop it before calling anything else.
    ///
    /// Queued events come first, then the messages of the held frame (each
    /// decoded once, then judged new or duplicate), releasing it and reading
    /// further frames when it is done, then the coalesced list and unread
    /// notifications.
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        let Client { rx_buf, rx, st } = self;
        // Only this shared borrow of the buffer is ever returned; the loop
        // changes the read position and the state, never the bytes.
        let buf: &[u8] = rx_buf;
        loop {
            if let Some(event) = st.events.pop_front() {
                if let QueuedEvent::RequestFailed { request, error } = event {
                    let message = st.refusal_texts.of(request);
                    return Some(Event::RequestFailed {
                        request,
                        error,
                        message,
                    });
                }
                return Some(event.into_event());
            }
            if let Some(held) = rx.held.as_mut() {
                if held.cursor < held.frame_len {
                    let record = buf
                        .get(rx.start + held.cursor..rx.start + held.frame_len)
                        .unwrap_or_default();
                    let call_record = records_event(&held.purpose, record);
                    match call_record {
                        Some(Ok((event, rest))) => {
                            held.cursor = held.frame_len - rest.len();
                            return Some(event);
                        }
                        Some(Err(_)) => {
                            broken_page(rx, st);
                            continue;
                        }
                        None => {}
                    }
                    let Ok((message, rest)) = body::Message::take(record) else {
                        broken_page(rx, st);
                        continue;
                    };
                    held.cursor = held.frame_len - rest.len();
                    let deliver = match &held.purpose {
                        Purpose::Push { read_seq } => st.accept(&message, Some(*read_seq)),
                        Purpose::Range { .. } => st.accept(&message, None),
                        // A message this user deleted: no longer theirs to see.
                        #[cfg(feature = "full")]
                        Purpose::History { .. } if message.elem == Elem::Deleted => continue,
                        #[cfg(feature = "full")]
                        Purpose::History { request, .. } => {
                            return Some(Event::HistoryMessage {
                                request: *request,
                                message: st.view(message),
                            })
                        }
                        // Records were read into their events above.
                        #[cfg(feature = "full")]
                        _ => false,
                    };
                    if deliver {
                        return Some(Event::received(message, |m| st.view(m)));
                    }
                    continue;
                }
                if let Some(purpose) = rx.release_held() {
                    st.finish_held(purpose);
                }
                process_rx(rx, st, buf);
                finish(rx, st);
                continue;
            }
            if !rx.is_empty() && st.has_event_room() && st.link.is_receiving() {
                // Frames left waiting for queue room.
                let before = rx.data(buf).len();
                process_rx(rx, st, buf);
                finish(rx, st);
                if rx.data(buf).len() != before || rx.held.is_some() || !st.events.is_empty() {
                    continue;
                }
            }
            if st.table.evicted > 0 {
                let n = core::mem::take(&mut st.table.evicted);
                return Some(QueuedEvent::ConversationsEvicted(n).into_event());
            }
            if st.groups.dropped > 0 {
                let n = core::mem::take(&mut st.groups.dropped);
                return Some(Event::GroupsDropped(n));
            }
            if st.groups.dirty {
                st.groups.dirty = false;
                return Some(Event::GroupListUpdated);
            }
            // By position: a borrow kept from the search would outlive this
            // turn of the loop.
            #[cfg(feature = "full")]
            if let Some(i) = st.table.rows.iter().position(|c| c.peer_read_unreported) {
                if let Some(c) = st.table.rows.get_mut(i) {
                    c.peer_read_unreported = false;
                }
                let c = st.table.rows.get(i)?;
                return Some(Event::MessageReadByPeer {
                    conversation_id: c.id(),
                    peer_read_seq: c.peer_read_seq(),
                });
            }
            if st.conversations_dirty {
                st.conversations_dirty = false;
                return Some(QueuedEvent::ConversationListUpdated.into_event());
            }
            if let Some(total) = st.unread_changed() {
                return Some(QueuedEvent::TotalUnreadCountUpdated(total).into_event());
            }
            return None;
        }
    }

    fn finish(&mut self) {
        finish(&mut self.rx, &mut self.st);
    }
}

/// The event a held frame's next record makes when its records are not
/// messages (a call's records, a status, deletion or receipt push), and the
/// bytes after it; `None` for messages.
#[cfg(feature = "full")]
fn records_event<'a>(
    purpose: &Purpose,
    record: &'a [u8],
) -> Option<Result<(Event<'a>, &'a [u8]), records::DecodeError>> {
    Some(match *purpose {
        Purpose::Records { request, read } => (read.0)(request, record),
        Purpose::Status => records::take::<UserStatus<'_>>(record)
            .map(|(status, rest)| (Event::UserStatusUpdated(status), rest)),
        Purpose::Deleted => records::take::<body::DeleteMessages<'_>>(record)
            .map(|(deleted, rest)| (Event::MessagesDeleted(deleted), rest)),
        Purpose::Receipt => records::take::<ReadReceipt<'_>>(record)
            .map(|(receipt, rest)| (Event::MessageReadReceiptReceived(receipt), rest)),
        _ => return None,
    })
}

/// Without the `full` feature every held frame carries messages.
#[cfg(not(feature = "full"))]
fn records_event<'a>(
    _: &Purpose,
    _: &'a [u8],
) -> Option<Result<(Event<'a>, &'a [u8]), records::DecodeError>> {
    None
}

/// Applies complete frames from the receive buffer until one must be held
/// for the application or the event queue needs draining.
fn process_rx(rx: &mut Rx, st: &mut State<'_>, buf: &[u8]) {
    while rx.held.is_none() && st.has_event_room() && st.link.is_receiving() {
        match wire::parse_frame(rx.data(buf), buf.len()) {
            Ok(None) => break,
            Ok(Some((frame, size))) => match st.apply_frame(frame.kind, frame.body) {
                Ok(dispatch::Disposition::Consumed) => rx.consume(size),
                Ok(dispatch::Disposition::Hold {
                    records_at,
                    purpose,
                }) => {
                    rx.held = Some(Held {
                        frame_len: size,
                        cursor: records_at,
                        purpose,
                    });
                }
                Err(dispatch::ProtocolError) => {
                    crate::fmt::log_warn!("malformed frame from the server; closing");
                    rx.clear();
                    st.close_transport();
                }
            },
            Err(_) => {
                let tls = st.link.is_handshaking() && looks_like_tls(rx.data(buf));
                rx.clear();
                if tls {
                    crate::fmt::log_warn!("the server answered in TLS; connect with TLS");
                    st.on_hello_refused(wire::code::SERVER_SPEAKS_TLS);
                } else {
                    crate::fmt::log_warn!("unframeable bytes from the server; closing");
                    st.close_transport();
                }
            }
        }
    }
}

/// Whether `bytes` begin as a TLS record does (a handshake or an alert,
/// version 3.x): what a TLS server answers a plain hello with.
fn looks_like_tls(bytes: &[u8]) -> bool {
    matches!(bytes, [0x15 | 0x16, 0x03, ..])
}

/// A held page whose records do not decode: the server is broken.
fn broken_page(rx: &mut Rx, st: &mut State<'_>) {
    rx.clear();
    st.close_transport();
    finish(rx, st);
}

/// End of every step: bytes of a transport given up on are dropped, then the
/// state issues what it needs and reports a changed network state.
fn finish(rx: &mut Rx, st: &mut State<'_>) {
    if !st.link.is_receiving() {
        rx.discard_unprocessed();
    }
    st.finish();
}
