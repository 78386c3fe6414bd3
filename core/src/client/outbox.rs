//! Requests in flight and the bytes still to send.
//!
//! Each pending request may own a region of the outbox arena holding its
//! encoded frame. Regions lie in the arena in the order of the pending table;
//! a region is freed once sent, except a send's, which stays until the server
//! acknowledges it so it can be sent again after a reconnect (the server
//! deduplicates on the client message id). Control frames (hello, heartbeat)
//! have a small buffer of their own and go first.
//!
//! One frame may be kept at the arena's end, outside that order: the login
//! with the application's UserSig, until the server gives a resume token in
//! its place (so the client keeps no copy of its own of the UserSig). It is
//! sent again, under the same request id, on every new connection.

use heapless::VecView;
use serde::Serialize;

use super::error::CommandError;
use super::event::RequestId;
use crate::time::Instant;
use crate::wire;

/// What a pending request is, to route its answer. The calls beyond the
/// text profile have theirs only with the `full` feature, so a firmware
/// without it links none of their answers' handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// Automatic login on a fresh connection.
    Login,
    Logout,
    Send {
        client_msg_id: u64,
    },
    SetRead,
    /// TIM `setAllMessageRead` over this scope.
    ReadAll(crate::wire::body::ReadScope),
    /// Internal: missed messages of one conversation, by its
    /// [`super::table::id_key`].
    Range(u32),
    /// Internal: one sync page.
    Sync,
    #[cfg(feature = "full")]
    DeleteConversation,
    /// Several conversations deleted: each by its push.
    #[cfg(feature = "full")]
    DeleteConversations,
    /// Messages deleted for this user.
    #[cfg(feature = "full")]
    DeleteMessages,
    /// A message modified: every party learns it by the notice.
    #[cfg(feature = "full")]
    ModifyMessage,
    #[cfg(feature = "full")]
    RevokeMessage,
    #[cfg(feature = "full")]
    ClearHistory,
    #[cfg(feature = "full")]
    PinConversation,
    /// TIM `setMessageRemindType`.
    #[cfg(feature = "full")]
    SetRemind,
    #[cfg(feature = "full")]
    History,
    /// A call answered by records (a group, user or friend call); its
    /// answer is held and each record read into an event by the reader.
    #[cfg(feature = "full")]
    Records(super::rx::RecordReader),
    /// Internal: one page of the group list refresh.
    #[cfg(feature = "full")]
    GroupList,
}

impl Op {
    /// Whether the request's frame must be kept to resend after a reconnect
    /// (a login's may be the arena's kept frame instead, see
    /// [`Outbox::keep_frame`]).
    fn keeps_frame(&self) -> bool {
        matches!(self, Op::Send { .. })
    }

    /// Internal requests produce no application events.
    pub(crate) fn is_internal(&self) -> bool {
        match self {
            Op::Login | Op::Range(_) | Op::Sync => true,
            #[cfg(feature = "full")]
            Op::GroupList => true,
            _ => false,
        }
    }
}

/// Which requests may go out now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gate {
    /// Logged in on this connection.
    pub(crate) logged_in: bool,
    /// No sync is running. Sends wait for it, so that the server's read
    /// watermark (which a send advances) never runs ahead of what this client
    /// has been given.
    pub(crate) synced: bool,
    /// The server refused a send over its rate limit lately: sends wait for
    /// the backoff.
    pub(crate) sends_held: bool,
}

impl Gate {
    fn admits(self, op: &Op) -> bool {
        match op {
            Op::Login => true,
            Op::Send { .. } => self.logged_in && self.synced && !self.sends_held,
            _ => self.logged_in,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    start: usize,
    len: usize,
    sent: usize,
}

/// One request in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub(crate) id: RequestId,
    pub(crate) op: Op,
    pub(crate) deadline: Instant,
    region: Option<Region>,
}

const CONTROL_LEN: usize = 48;

pub(crate) struct Outbox<'r> {
    pending: &'r mut VecView<Pending>,
    arena: &'r mut [u8],
    arena_len: usize,
    control: heapless::Vec<u8, CONTROL_LEN>,
    control_sent: usize,
    /// A request frame partly handed to the transport: it must finish first.
    in_progress: Option<RequestId>,
    /// The frame kept at the arena's end: its request id and length.
    kept: Option<(RequestId, usize)>,
    /// Largest frame the peer accepts.
    pub(crate) peer_max_frame: usize,
}

impl<'r> Outbox<'r> {
    pub(crate) fn new(pending: &'r mut VecView<Pending>, arena: &'r mut [u8]) -> Self {
        pending.clear();
        Outbox {
            pending,
            arena,
            arena_len: 0,
            control: heapless::Vec::new(),
            control_sent: 0,
            in_progress: None,
            kept: None,
            peer_max_frame: wire::MAX_FRAME as usize,
        }
    }

    pub(crate) fn pending(&self) -> &[Pending] {
        self.pending
    }

    pub(crate) fn capacity(&self) -> usize {
        self.pending.capacity()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.pending.is_full()
    }

    /// Encodes `(id, payload)` as a frame of `kind` and queues it.
    pub(crate) fn push<T: Serialize>(
        &mut self,
        id: RequestId,
        op: Op,
        deadline: Instant,
        kind: u8,
        payload: &T,
    ) -> Result<(), CommandError> {
        if self.pending.is_full() {
            return Err(CommandError::TooManyInFlight);
        }
        let len = self.encode(id, kind, payload)?;
        if len > self.peer_max_frame {
            return Err(CommandError::TooLarge);
        }
        let region = Region {
            start: self.arena_len,
            len,
            sent: 0,
        };
        self.arena_len += len;
        // Cannot fail: fullness was checked above.
        let _ = self.pending.push(Pending {
            id,
            op,
            deadline,
            region: Some(region),
        });
        Ok(())
    }

    /// Encodes `(id, payload)` as a frame of `kind` into the free arena,
    /// after the frames in order; its length.
    fn encode<T: Serialize>(
        &mut self,
        id: RequestId,
        kind: u8,
        payload: &T,
    ) -> Result<usize, CommandError> {
        let free_end = self.kept_start();
        let free = self
            .arena
            .get_mut(self.arena_len..free_end)
            .unwrap_or_default();
        wire::encode_frame(kind, &(id.0, payload), free).map_err(|_| {
            // Would it fit an empty arena? Then it is a matter of waiting.
            let size = wire::frame_size(&(id.0, payload));
            if size <= self.arena.len() && size <= self.peer_max_frame {
                CommandError::OutboxFull
            } else {
                CommandError::TooLarge
            }
        })
    }

    /// Where the kept frame starts: the end of the arena's ordered part.
    fn kept_start(&self) -> usize {
        let kept_len = self.kept.map_or(0, |(_, len)| len);
        self.arena.len().saturating_sub(kept_len)
    }

    /// Encodes a request frame and keeps it at the arena's end until
    /// [`Outbox::drop_kept`], to be sent on each connection by
    /// [`Outbox::send_kept`]; it replaces the frame kept before.
    pub(crate) fn keep_frame<T: Serialize>(
        &mut self,
        id: RequestId,
        kind: u8,
        payload: &T,
    ) -> Result<(), CommandError> {
        self.drop_kept();
        let len = self.encode(id, kind, payload)?;
        let from = self.arena_len;
        // Moved from the free arena's start to its end (the two may overlap).
        let start = self.arena.len().checked_sub(len).filter(|&s| from <= s);
        let Some(start) = start else {
            return Err(CommandError::OutboxFull);
        };
        self.arena.copy_within(from..from + len, start);
        self.kept = Some((id, len));
        Ok(())
    }

    /// Queues the kept frame to be sent, as a login in flight until
    /// `deadline`; false if there is none (or no room for it in flight).
    pub(crate) fn send_kept(&mut self, deadline: Instant) -> bool {
        let Some((id, len)) = self.kept else {
            return false;
        };
        if self.pending.iter().any(|p| p.id == id) {
            return true;
        }
        let region = Region {
            start: self.kept_start(),
            len,
            sent: 0,
        };
        self.pending
            .push(Pending {
                id,
                op: Op::Login,
                deadline,
                region: Some(region),
            })
            .is_ok()
    }

    /// Forgets the kept frame (its request, if in flight, stays without it).
    pub(crate) fn drop_kept(&mut self) {
        let Some((id, _)) = self.kept.take() else {
            return;
        };
        if let Some(p) = self.pending.iter_mut().find(|p| p.id == id) {
            p.region = None;
        }
        if self.in_progress == Some(id) {
            self.in_progress = None;
        }
    }

    /// Queues a control frame; dropped if the control buffer is full, which
    /// only happens when the transport is not draining (a heartbeat then
    /// carries no news anyway).
    pub(crate) fn push_control<T: Serialize>(&mut self, kind: u8, body: &T) {
        let at = self.control.len();
        let mut frame = [0u8; CONTROL_LEN];
        if let Ok(len) = wire::encode_frame(kind, body, &mut frame) {
            if let Some(bytes) = frame.get(..len).filter(|_| at + len <= CONTROL_LEN) {
                let _ = self.control.extend_from_slice(bytes);
            }
        }
    }

    /// The encoded frame of a pending request, if it still has one.
    pub(crate) fn frame_of(&self, id: RequestId) -> Option<&[u8]> {
        let p = self.pending.iter().find(|p| p.id == id)?;
        let r = p.region?;
        self.arena.get(r.start..r.start + r.len)
    }

    /// Removes a request, freeing its frame.
    pub(crate) fn remove(&mut self, id: RequestId) -> Option<Pending> {
        let index = self.pending.iter().position(|p| p.id == id)?;
        self.free_region(index);
        if self.in_progress == Some(id) {
            // Unreachable in practice: a partly sent frame gets no answer yet.
            self.in_progress = None;
        }
        self.take_at(index)
    }

    /// Removes the pending request at `index`, keeping the others in order,
    /// without a panicking path (heapless's `remove` asserts the index).
    fn take_at(&mut self, index: usize) -> Option<Pending> {
        let tail = self.pending.get_mut(index..).filter(|t| !t.is_empty())?;
        tail.rotate_left(1);
        self.pending.pop()
    }

    fn free_region(&mut self, index: usize) {
        let kept = self.kept.map(|(id, _)| id);
        let Some(pending) = self.pending.get_mut(index) else {
            return;
        };
        let is_kept = Some(pending.id) == kept;
        let Some(region) = pending.region.take() else {
            return;
        };
        if is_kept {
            // The kept frame stays where it is, for the next connection.
            return;
        }
        let end = region.start + region.len;
        // Regions lie inside the used arena; checked, so nothing can panic.
        if region.start <= end && end <= self.arena_len && self.arena_len <= self.arena.len() {
            self.arena.copy_within(end..self.arena_len, region.start);
            self.arena_len -= region.len;
        }
        for p in self.pending.iter_mut() {
            if Some(p.id) == kept {
                continue;
            }
            if let Some(r) = p.region.as_mut() {
                if r.start > region.start {
                    r.start -= region.len;
                }
            }
        }
    }

    /// Copies what is ready into `buf`: the frame in progress, then control
    /// frames, then the request frames `gate` admits, in order.
    pub(crate) fn poll_transmit(&mut self, buf: &mut [u8], gate: Gate) -> usize {
        let mut written = 0;
        while written < buf.len() {
            let Some(chunk) = self.peek(gate) else {
                break;
            };
            let n = chunk.len().min(buf.len() - written);
            let (Some(to), Some(from)) = (buf.get_mut(written..written + n), chunk.get(..n)) else {
                break;
            };
            to.copy_from_slice(from);
            self.advance(n);
            written += n;
        }
        written
    }

    /// The next bytes to send, in place: the rest of the request frame in
    /// progress, else the control frames, else the next request frame `gate`
    /// admits (which becomes the frame in progress, so frames never
    /// interleave). Never empty.
    pub(crate) fn peek(&mut self, gate: Gate) -> Option<&[u8]> {
        if let Some(id) = self.in_progress {
            let unfinished = self
                .pending
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.region)
                .is_some_and(|r| r.sent < r.len);
            if !unfinished {
                self.in_progress = None;
            }
        }
        if self.in_progress.is_none() && self.control_sent == self.control.len() {
            self.in_progress = self
                .pending
                .iter()
                .find(|p| p.region.is_some_and(|r| r.sent < r.len) && gate.admits(&p.op))
                .map(|p| p.id);
        }
        match self.in_progress {
            Some(id) => {
                let region = self.pending.iter().find(|p| p.id == id)?.region?;
                self.arena
                    .get(region.start + region.sent..region.start + region.len)
                    .filter(|rest| !rest.is_empty())
            }
            None => self
                .control
                .get(self.control_sent..)
                .filter(|rest| !rest.is_empty()),
        }
    }

    /// `n` bytes of what [`Outbox::peek`] gave were sent.
    pub(crate) fn advance(&mut self, n: usize) {
        let Some(id) = self.in_progress else {
            self.control_sent = (self.control_sent + n).min(self.control.len());
            if self.control_sent == self.control.len() {
                self.control.clear();
                self.control_sent = 0;
            }
            return;
        };
        let Some(index) = self.pending.iter().position(|p| p.id == id) else {
            self.in_progress = None;
            return;
        };
        let Some(pending) = self.pending.get_mut(index) else {
            self.in_progress = None;
            return;
        };
        let keeps_frame = pending.op.keeps_frame();
        let Some(region) = pending.region.as_mut() else {
            self.in_progress = None;
            return;
        };
        region.sent = (region.sent + n).min(region.len);
        if region.sent == region.len {
            self.in_progress = None;
            if !keeps_frame {
                self.free_region(index);
            }
        }
    }

    /// Whether nothing is waiting to be sent.
    pub(crate) fn is_idle(&self, gate: Gate) -> bool {
        self.in_progress.is_none()
            && self.control.is_empty()
            && !self
                .pending
                .iter()
                .any(|p| p.region.is_some_and(|r| r.sent < r.len) && gate.admits(&p.op))
    }

    /// The transport closed. Frames not fully sent are kept and start over;
    /// sends are kept whole to be sent again. Returns, one at a time, the
    /// requests that were sent and now cannot be answered.
    pub(crate) fn take_orphan(&mut self) -> Option<Pending> {
        self.in_progress = None;
        self.control.clear();
        self.control_sent = 0;
        for p in self.pending.iter_mut() {
            if let Some(r) = p.region.as_mut() {
                r.sent = 0;
            }
        }
        let index = self.pending.iter().position(|p| p.region.is_none())?;
        self.take_at(index)
    }

    /// Sends request `id`'s frame again from its start (a send the server
    /// refused for a reason that passes); false if it keeps no frame.
    pub(crate) fn send_again(&mut self, id: RequestId) -> bool {
        let Some(region) = self
            .pending
            .iter_mut()
            .find(|p| p.id == id)
            .and_then(|p| p.region.as_mut())
        else {
            return false;
        };
        region.sent = 0;
        if self.in_progress == Some(id) {
            self.in_progress = None;
        }
        true
    }

    /// The earliest deadline of any pending request.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    /// Removes and returns one request whose deadline has passed.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<Pending> {
        let id = self.pending.iter().find(|p| p.deadline <= now)?.id;
        self.remove(id)
    }

    /// Removes and returns any pending request (used at logout and kick).
    pub(crate) fn take_any(&mut self) -> Option<Pending> {
        let id = self.pending.first()?.id;
        self.remove(id)
    }
}
