//! Everything the client knows except the receive buffer, and the bookkeeping
//! shared by every operation: time, ids, events, internal requests, timers.

use heapless::deque::DequeView;
use heapless::Deque;

use super::config::Config;
use super::error::CommandError;
use super::event::{NetState, QueuedEvent, RequestError, RequestId, SendStatus};
use super::groups::{GroupTable, Refresh};
use super::link::{backoff, Link, SILENCE_HEARTBEATS};
use super::outbox::{Op, Outbox, Pending};
use super::rng::Rng;
use super::session::Session;
use super::sync::SyncProgress;
use super::table::Table;
use crate::fmt::log_debug;
use crate::model::UserId;
use crate::time::Instant;
use crate::wire::{body, kind};

/// Requests the application may have in flight leave this many slots for the
/// client's own (login, sync, fetches).
pub(crate) const INTERNAL_RESERVE: usize = 2;

/// Events one step queues besides two per pending request (a kick fails
/// every request: a status and a failure for each send, plus the kick, the
/// not-ready, the login failure, the net state and a completion).
pub(crate) const EVENTS_BESIDES_PENDING: usize = 8;

pub(crate) struct State<'r> {
    pub(crate) config: Config,
    pub(crate) now: Instant,
    pub(crate) rng: Rng,
    /// The next client message id a send without one gets. Ids run on from
    /// a random start: a restart starts elsewhere among 2^64 (so ids stay
    /// unique per sender), and one run's ids are consecutive, so the
    /// server's dedupe index grows at one place per client rather than at
    /// a random page per message.
    pub(crate) next_msg_id: u64,
    pub(crate) link: Link,
    pub(crate) reconnect_attempt: u32,
    pub(crate) session: Session,
    pub(crate) out: Outbox<'r>,
    pub(crate) table: Table<'r>,
    pub(crate) groups: GroupTable<'r>,
    pub(crate) events: &'r mut DequeView<QueuedEvent>,
    pub(crate) sync: SyncProgress,
    /// Whose conversations the table holds: the user logged in or logging
    /// in, while there is one.
    pub(crate) owner: UserId,
    /// Client message ids of own messages already reported as sent, so a
    /// fetch that brings them back does not report them again.
    pub(crate) recent_sends: Deque<u64, 8>,
    /// Sends wait until then: the server refused one over its rate limit.
    pub(crate) sends_held_until: Option<Instant>,
    /// Sends refused in a row, for that backoff; a send answered resets it.
    pub(crate) send_refusals: u32,
    /// The server's words for its latest refusals, by request (handed out
    /// with their `RequestFailed` events).
    pub(crate) refusal_texts: RefusalTexts,
    /// Largest frame this client accepts (its receive buffer).
    pub(crate) rx_capacity: usize,
    pub(crate) next_request: u32,
    reported_net: NetState,
    reported_unread: u64,
    pub(crate) conversations_dirty: bool,
}

/// Longest refusal text kept, in bytes (the server's are shorter).
const REFUSAL_TEXT: usize = 80;

/// Refusal texts kept: the latest four, or without the `full` feature (a
/// device with a request or two of its own in flight) the latest one.
const REFUSAL_TEXTS: usize = if cfg!(feature = "full") { 4 } else { 1 };

/// The server's words for its latest few refusals. A ring: frames are
/// applied as the application reads events, so a refusal's event is
/// usually read before the next refusal is applied; if not, its text is
/// gone and its event carries none (the code still says why).
#[derive(Debug, Default)]
pub(crate) struct RefusalTexts(Deque<(RequestId, heapless::String<REFUSAL_TEXT>), REFUSAL_TEXTS>);

impl RefusalTexts {
    pub(crate) fn keep(&mut self, request: RequestId, text: &str) {
        if self.0.is_full() {
            self.0.pop_front();
        }
        let text = crate::model::cut_at_char_boundary(text, REFUSAL_TEXT);
        let _ = self.0.push_back((
            request,
            heapless::String::try_from(text).unwrap_or_default(),
        ));
    }

    /// Keeps `from`'s text for `to` as well (an automatic login's refusal
    /// answers the application's `login` call).
    pub(crate) fn alias(&mut self, from: RequestId, to: RequestId) {
        let text: heapless::String<REFUSAL_TEXT> = self.of(from).try_into().unwrap_or_default();
        self.keep(to, &text);
    }

    /// The text kept for `request`; empty if none.
    pub(crate) fn of(&self, request: RequestId) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(r, _)| *r == request)
            .map_or("", |(_, text)| text.as_str())
    }
}

impl<'r> State<'r> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        config: Config,
        now: Instant,
        seed: u64,
        out: Outbox<'r>,
        table: Table<'r>,
        groups: GroupTable<'r>,
        events: &'r mut DequeView<QueuedEvent>,
        rx_capacity: usize,
    ) -> Self {
        events.clear();
        let mut rng = Rng::new(seed);
        State {
            config,
            now,
            next_msg_id: rng.next_u64(),
            rng,
            link: Link::Idle { retry_at: now },
            reconnect_attempt: 0,
            session: Session::default(),
            out,
            table,
            groups,
            events,
            sync: SyncProgress::default(),
            owner: UserId::new(),
            recent_sends: Deque::new(),
            sends_held_until: None,
            send_refusals: 0,
            refusal_texts: RefusalTexts::default(),
            rx_capacity,
            next_request: 0,
            reported_net: NetState::Disconnected,
            reported_unread: 0,
            conversations_dirty: false,
        }
    }

    /// Start of every call: time never goes backwards.
    pub(crate) fn enter(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    /// End of every call: issue the internal requests the state calls for and
    /// report a changed network state.
    pub(crate) fn finish(&mut self) {
        self.pump_internal();
        let net = self.net_state();
        if net != self.reported_net {
            self.reported_net = net;
            self.queue(QueuedEvent::NetStateChange(net));
        }
    }

    /// The total unread count, if it changed since last reported.
    pub(crate) fn unread_changed(&mut self) -> Option<u64> {
        let total = self.table.total_unread();
        (total != self.reported_unread).then(|| {
            self.reported_unread = total;
            total
        })
    }

    /// Queues an application's request; its answer is routed by `op` (a
    /// record call's records come back as `GroupData` or `UserData`
    /// events), then `RequestCompleted`.
    pub(crate) fn start_request<T: serde::Serialize>(
        &mut self,
        op: Op,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        let id = self.next_id();
        let deadline = self.now + self.config.request_timeout;
        self.out.push(id, op, deadline, frame_kind, payload)?;
        Ok(id)
    }

    pub(crate) fn next_id(&mut self) -> RequestId {
        self.next_request = self.next_request.wrapping_add(1);
        RequestId(self.next_request)
    }

    /// Queues an event. `Resources` guarantees room for everything one step
    /// can queue, and frames are only processed while that much is free; an
    /// application that does not drain between steps can still overflow it,
    /// and then the oldest event is dropped with a warning rather than
    /// failing the transition.
    pub(crate) fn queue(&mut self, event: QueuedEvent) {
        if self.events.is_full() {
            crate::fmt::log_warn!("event queue full; dropping the oldest event");
            self.events.pop_front();
        }
        let _ = self.events.push_back(event);
    }

    pub(crate) fn has_event_room(&self) -> bool {
        let worst = 2 * self.out.capacity() + EVENTS_BESIDES_PENDING;
        self.events.storage_capacity() - self.events.storage_len() >= worst
    }

    pub(crate) fn net_state(&self) -> NetState {
        match self.link {
            Link::Open { .. } => NetState::Connected,
            _ if self.session.credentials.is_some() => NetState::Connecting,
            _ => NetState::Disconnected,
        }
    }

    pub(crate) fn gate(&self) -> super::outbox::Gate {
        super::outbox::Gate {
            logged_in: self.session.logged_in,
            synced: !self.sync.running || self.sync.quiet,
            sends_held: self.sends_held_until.is_some_and(|at| self.now < at),
        }
    }

    /// Whether the application may queue another request.
    pub(crate) fn user_slot_free(&self) -> bool {
        self.out.pending().len() + INTERNAL_RESERVE < self.out_capacity()
    }

    fn out_capacity(&self) -> usize {
        self.out.capacity()
    }

    /// Issues the sync page and gap fetches the state calls for.
    pub(crate) fn pump_internal(&mut self) {
        if !self.session.logged_in {
            return;
        }
        let may_fetch = self.sync.may_fetch(self.now);
        if may_fetch && self.sync.wants_page() {
            let id = self.next_id();
            let deadline = self.now + self.config.request_timeout;
            let window = body::SyncWindow {
                base: self.sync.cursor,
                snapshot: self.sync.snapshot,
                after: &self.sync.after,
                // At least one: a table with no room makes it (see
                // `Room::Delivered`).
                max_conversations: u16::try_from(self.table.room()).unwrap_or(u16::MAX).max(1),
            };
            if self
                .out
                .push(id, Op::Sync, deadline, kind::SYNC_WINDOW, &window)
                .is_ok()
            {
                self.sync.in_flight = true;
            }
        }
        #[cfg(feature = "full")]
        self.pump_group_list();
        while may_fetch && !self.out.is_full() {
            let Some(row) = self.table.next_gap() else {
                break;
            };
            // Marked now; unmarked below if the request cannot be queued.
            row.fetching = true;
            let conversation = row.id.clone();
            let undelivered_after = self.sync.undelivered_after(&conversation);
            let start = match (row.baseline_known, undelivered_after) {
                (true, _) => body::RangeStart::AfterSeq(row.delivered_seq),
                (false, Some(cursor)) => body::RangeStart::SinceCursor(cursor),
                (false, None) => body::RangeStart::Unread,
            };
            let id = self.next_id();
            let deadline = self.now + self.config.request_timeout;
            let range = body::MessageRange {
                conversation: &conversation,
                start,
                count: self.config.fetch_page,
            };
            if self
                .out
                .push(
                    id,
                    Op::Range(super::table::id_key(&conversation)),
                    deadline,
                    kind::MESSAGE_RANGE,
                    &range,
                )
                .is_err()
            {
                if let Some(row) = self.table.find_mut(&conversation) {
                    row.fetching = false;
                }
                break;
            }
        }
        if self.sync.window_open && !self.table.has_gaps() {
            self.close_sync_window();
            // The next window (or the end of the sync) comes next.
            self.pump_internal();
            return;
        }
        if self.sync.running
            && self.sync.pages_done
            && !self.sync.window_open
            && self.groups.refresh == Refresh::Done
        {
            if self.sync.again {
                // Another round, from the snapshot just reached: the sync
                // is complete after it.
                self.start_sync(self.sync.quiet);
                self.pump_internal();
                return;
            }
            self.sync.running = false;
            let caught_up = !self.sync.behind;
            self.follow_up_if_behind();
            if !self.sync.quiet || self.sync.complete_owed {
                self.sync.complete_owed = !caught_up;
                if caught_up {
                    self.queue(QueuedEvent::SyncComplete);
                }
            }
        }
        if !self.sync.running && self.sync.follow_up_at.is_some_and(|at| at <= self.now) {
            // The round after a behind one: from the cursor just reached.
            self.sync.follow_up_at = None;
            self.start_sync(true);
            self.pump_internal();
            return;
        }
        if !self.sync.running && self.sync.again {
            // A live message found no room: a round of our own brings it.
            self.start_sync(true);
            self.pump_internal();
        }
    }

    /// The earliest instant at which `on_timeout` has work.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        let reconnect = match self.link {
            Link::Idle { retry_at } if self.session.credentials.is_some() => Some(retry_at),
            _ => None,
        };
        let sync_retry = self.sync.retry_at.filter(|_| self.session.logged_in);
        let follow_up = self.sync.follow_up_at.filter(|_| self.session.logged_in);
        let sends_resume = self.sends_held_until.filter(|&at| at > self.now);
        [
            reconnect,
            sync_retry,
            follow_up,
            sends_resume,
            self.link.next_timeout(),
            self.out.next_deadline(),
            self.session.user_request.map(|(_, deadline)| deadline),
            self.sig_warning_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub(crate) fn on_timeout(&mut self) {
        self.warn_of_sig_expiry();
        let now = self.now;
        match self.link {
            Link::Dialing { deadline } if now >= deadline => {
                log_debug!("opening the transport timed out");
                self.close_transport();
            }
            Link::Handshaking { deadline } if now >= deadline => {
                log_debug!("handshake timed out");
                self.close_transport();
            }
            Link::Open {
                heartbeat,
                last_rx,
                next_heartbeat,
            } => {
                if now >= last_rx + heartbeat.saturating_mul(SILENCE_HEARTBEATS) {
                    log_debug!("server silent; closing");
                    self.close_transport();
                } else if now >= next_heartbeat {
                    self.out.push_control(kind::HEARTBEAT, &());
                    self.link = Link::Open {
                        heartbeat,
                        last_rx,
                        next_heartbeat: now + heartbeat,
                    };
                }
            }
            _ => {}
        }
        while let Some(p) = self.out.take_expired(now) {
            self.fail_request(p, RequestError::Timeout);
        }
        if let Some((request, deadline)) = self.session.user_request {
            if now >= deadline {
                self.session.user_request = None;
                self.queue(QueuedEvent::RequestFailed {
                    request,
                    error: RequestError::Timeout,
                });
            }
        }
    }

    /// Reports a request that will get no answer, and undoes what it was doing.
    pub(crate) fn fail_request(&mut self, p: Pending, error: RequestError) {
        match p.op {
            // A login not answered in time: the server's answer, if it comes,
            // would find no request (the connection would stay open, not
            // logged in). Dial again and log in afresh.
            Op::Login if error == RequestError::Timeout => self.close_transport(),
            Op::Login => {}
            Op::Sync => {
                self.sync.in_flight = false;
                if error != RequestError::Disconnected {
                    self.retry_sync_later();
                }
            }
            #[cfg(feature = "full")]
            Op::GroupList => self.groups.refresh_failed(),
            Op::Range(key) => self.on_range_failed(key, error),
            Op::Send { client_msg_id } => {
                self.queue(QueuedEvent::MessageStatus {
                    request: p.id,
                    client_msg_id,
                    status: SendStatus::Failed { code: error.code() },
                });
                self.queue(QueuedEvent::RequestFailed {
                    request: p.id,
                    error,
                });
            }
            // Logout, read marks and every call of the `full` feature.
            _ => {
                self.queue(QueuedEvent::RequestFailed {
                    request: p.id,
                    error,
                });
            }
        }
    }

    /// The core gives up on the current transport: the adapter is told to
    /// close it through `poll_close`.
    pub(crate) fn close_transport(&mut self) {
        if matches!(self.link, Link::Idle { .. } | Link::Closing) {
            return;
        }
        // Set first: failing the orphans below may end the session, which
        // closes the transport again.
        self.link = Link::Closing;
        self.after_transport_gone();
    }

    /// The transport is gone (closed by us or by the peer); schedule a retry.
    pub(crate) fn transport_lost(&mut self) {
        let had_transport = self.link.has_transport();
        let delay = backoff(
            self.config.reconnect_min,
            self.config.reconnect_max,
            self.reconnect_attempt,
            self.rng.next_u64(),
        );
        self.reconnect_attempt = self.reconnect_attempt.saturating_add(1);
        self.link = Link::Idle {
            retry_at: self.now + delay,
        };
        if had_transport {
            self.after_transport_gone();
        }
    }

    fn after_transport_gone(&mut self) {
        self.session.logged_in = false;
        // Requests already sent cannot be answered on a new connection.
        while let Some(p) = self.out.take_orphan() {
            if p.op == Op::Logout {
                // The server may or may not have seen it: finish it locally.
                self.end_session(None);
                self.queue(QueuedEvent::RequestCompleted(p.id));
            } else {
                self.fail_request(p, RequestError::Disconnected);
            }
        }
        // The client's own requests are issued afresh after the next login.
        while let Some(id) = self
            .out
            .pending()
            .iter()
            .find(|p| p.op.is_internal())
            .map(|p| p.id)
        {
            if let Some(p) = self.out.remove(id) {
                self.fail_request(p, RequestError::Disconnected);
            }
        }
        self.sync.in_flight = false;
        for c in self.table.rows.iter_mut() {
            c.fetching = false;
        }
    }
}
