//! Sync: the cursor, the rounds and windows that bring what changed since
//! it, and the `SyncState` a device keeps in flash to resume without
//! refetching.
//!
//! A round delivers every message stored between the cursor and a
//! snapshot the server takes when the round starts, conversation by
//! conversation in the order of their ids, in windows no larger than the
//! room the table has (see [`body::SyncWindow`]). Each window is delivered
//! in full before the next is asked for, and its conversations are then
//! covered (`Conversation::settled`): only those may leave a full table,
//! since whatever comes for them later is fetched from a point known
//! exactly (the snapshot for ids the round has passed, the cursor for the
//! others). So a device with C slots receives every message of any number
//! of conversations once, and a reconnect resumes after the last complete
//! window. When the round ends, the snapshot becomes the cursor.

use serde::{Deserialize, Serialize};

use super::dispatch::ProtocolError;
use super::error::SyncStateError;
use super::state::State;
use super::table::Room;
use crate::model::{ConversationId, ConversationType, UserId};
use crate::time::Instant;
use crate::wire::body;
use crate::wire::records::{self, Records};

/// Where the current sync stands.
#[derive(Debug, Default, Clone)]
pub(crate) struct SyncProgress {
    /// Every message up to this change reached this client; `None` until
    /// the first round ends.
    pub(crate) cursor: Option<u64>,
    /// The running round's snapshot; `None` before the server took one
    /// (and when no round is under way).
    pub(crate) snapshot: Option<u64>,
    /// The last conversation of the round's complete windows: every
    /// message of the conversations up to it (by id) up to the snapshot
    /// reached this client.
    pub(crate) after: ConversationId,
    /// The last conversation of the open window.
    pub(crate) window_last: ConversationId,
    /// A round runs until its last window is delivered.
    pub(crate) running: bool,
    /// The last window of the round was applied.
    pub(crate) pages_done: bool,
    pub(crate) in_flight: bool,
    /// A window was applied and its messages are not all delivered yet.
    pub(crate) window_open: bool,
    /// A live message could not be placed (no conversation could leave the
    /// table): another round follows this one and brings it.
    pub(crate) again: bool,
    /// A round of the client's own (for `again`), not the one after a
    /// login: sends do not wait for it and it reports no `SyncComplete`.
    pub(crate) quiet: bool,
    /// After a window or a fetch of missed messages failed for a reason
    /// that may pass (a refusal such as 2996, a timeout), none is asked for
    /// before this instant: the gap stays open and is fetched again.
    pub(crate) retry_at: Option<Instant>,
    /// Failures in a row, for the backoff; a window or fetch answered resets it.
    pub(crate) failures: u32,
    /// The round's snapshot was behind (see [`body::SyncWindowPage::behind`]):
    /// another round follows once this one ends, after a backoff.
    pub(crate) behind: bool,
    /// When the round after a behind one starts.
    pub(crate) follow_up_at: Option<Instant>,
    /// Behind rounds in a row, for that backoff.
    pub(crate) behind_rounds: u32,
    /// A round that reports `SyncComplete` ended behind: the first round
    /// after it that is not reports it instead (the behind one's snapshot
    /// may have left out what was committed just before it).
    pub(crate) complete_owed: bool,
}

impl SyncProgress {
    /// A round from the cursor, or the rest of the one under way (a
    /// snapshot was taken); `quiet` for one of the client's own.
    pub(crate) fn start(&mut self, quiet: bool) {
        // The rest of a round brings nothing stored after its snapshot to
        // the conversations it has passed, and while the connection was
        // down their live messages were lost: a round from the snapshot
        // follows.
        self.again = self.snapshot.is_some();
        if self.snapshot.is_none() {
            self.after.clear();
        }
        self.window_last = self.after.clone();
        self.running = true;
        self.pages_done = false;
        self.in_flight = false;
        self.window_open = false;
        self.quiet = quiet;
        self.retry_at = None;
        self.failures = 0;
    }

    pub(crate) fn wants_page(&self) -> bool {
        self.running && !self.pages_done && !self.in_flight && !self.window_open
    }

    /// Whether windows and fetches may be asked for at `now`; a passed
    /// retry time is cleared.
    pub(crate) fn may_fetch(&mut self, now: Instant) -> bool {
        match self.retry_at {
            Some(at) if now < at => false,
            _ => {
                self.retry_at = None;
                true
            }
        }
    }

    /// Where the messages of `conversation` not delivered yet start, for a
    /// conversation the table does not hold: after the snapshot if the
    /// round has passed it, else after the cursor; `None` before any
    /// cursor (its unread messages, then).
    pub(crate) fn undelivered_after(&self, conversation: &str) -> Option<u64> {
        match self.snapshot {
            Some(snapshot) if !self.after.is_empty() && conversation <= self.after.as_str() => {
                Some(snapshot)
            }
            _ => self.cursor,
        }
    }
}

impl State<'_> {
    // Out of line: inlined into the frame loop it cost firmware 0.9 KB more
    // flash (`scripts/footprint`), and a sync page is not the hot path.
    #[inline(never)]
    pub(crate) fn apply_sync_window(
        &mut self,
        page: body::SyncWindowPage,
        bytes: &[u8],
    ) -> Result<(), ProtocolError> {
        self.sync.in_flight = false;
        self.sync.failures = 0;
        if self.sync.snapshot.is_none() {
            self.sync.snapshot = Some(page.snapshot);
            self.sync.behind = page.behind;
        }
        let mut cut = false;
        for (applied, record) in Records::<body::WindowSummary<'_>>::new(bytes).enumerate() {
            let body::WindowSummary {
                summary: s,
                base_seq,
            } = record?;
            if s.deleted {
                self.on_conversation_deleted(s.conversation);
            } else if !self.apply_summary(&s, base_seq, applied == 0) {
                // Live messages took the room the window was asked with: the
                // window ends before this one, and the next starts there.
                crate::fmt::log_debug!("sync window cut short for lack of room");
                cut = true;
                break;
            }
            let id = ConversationId::try_from(s.conversation).map_err(|_| ProtocolError)?;
            self.sync.window_last = id;
        }
        self.sync.window_open = true;
        self.sync.pages_done = page.complete && !cut;
        if self.sync.pages_done {
            self.table.unread_elsewhere =
                page.total_unread.saturating_sub(self.table.held_unread());
        }
        Ok(())
    }

    /// Puts a window's conversation in the table, to be delivered from
    /// `base_seq` up to its `last_seq`; false if the table has no room.
    /// The window's `first` may take the place of any delivered
    /// conversation (see `Room::Delivered`): a window always moves on.
    fn apply_summary(
        &mut self,
        s: &body::ConversationSummary<'_>,
        base_seq: u64,
        first: bool,
    ) -> bool {
        let held = self.table.find(s.conversation).is_some();
        let room = if first {
            Room::Delivered
        } else {
            Room::Settled
        };
        let Some(c) = self.table.get_or_insert(s.conversation, room) else {
            return false;
        };
        if !c.baseline_known {
            c.baseline_known = true;
            c.delivered_seq = base_seq;
        }
        if s.last_seq >= c.last_seq {
            c.set_last(s.last_seq, s.last_time_ms, s.last_from, s.preview);
        }
        c.uncounted_as_of(s.read_seq, s.last_seq, s.uncounted);
        c.remind = s.remind;
        #[cfg(feature = "full")]
        {
            c.peer_read(s.peer_read_seq);
            c.pinned = s.pinned;
            c.extras.marks = s.marks;
            c.extras.data_digest = s.data_digest;
        }
        // Delivered past the snapshot (live messages): not covered by it.
        c.in_window = c.delivered_seq <= s.last_seq;
        if !held {
            // Its unread count was among the others' (if it counts).
            let unread = c.unread_in_total();
            self.table.unread_elsewhere = self.table.unread_elsewhere.saturating_sub(unread);
        }
        self.conversations_dirty = true;
        true
    }

    /// Starts a round from the cursor, or the rest of the one under way
    /// (`quiet`: one of the client's own). A window a lost connection left
    /// open is abandoned: what it listed is not covered, and the next
    /// window lists it again.
    pub(crate) fn start_sync(&mut self, quiet: bool) {
        self.sync.start(quiet);
        self.table.abandon_window();
    }

    /// The open window's messages are all delivered: the round moves past
    /// it, and what it listed settles; after the last window the snapshot
    /// becomes the cursor.
    pub(crate) fn close_sync_window(&mut self) {
        self.sync.window_open = false;
        self.sync.after = self.sync.window_last.clone();
        self.table.settle_window();
        if self.sync.pages_done {
            self.sync.cursor = self.sync.snapshot.take().or(self.sync.cursor);
            self.sync.after.clear();
        }
    }

    /// A round ended: if its snapshot was behind, the next one is due
    /// after a backoff (growing while rounds stay behind, as while a
    /// cluster's store is stuck behind a long transaction).
    pub(crate) fn follow_up_if_behind(&mut self) {
        if !core::mem::take(&mut self.sync.behind) {
            self.sync.behind_rounds = 0;
            return;
        }
        let delay = super::link::backoff(
            self.config.reconnect_min,
            self.config.reconnect_max,
            self.sync.behind_rounds,
            self.rng.next_u64(),
        );
        self.sync.behind_rounds = self.sync.behind_rounds.saturating_add(1);
        self.sync.follow_up_at = Some(self.now + delay);
    }

    /// A window or a fetch failed in a way that may pass: ask again
    /// after a backoff (the same as reconnecting's), never give the gap up.
    pub(crate) fn retry_sync_later(&mut self) {
        let delay = super::link::backoff(
            self.config.reconnect_min,
            self.config.reconnect_max,
            self.sync.failures,
            self.rng.next_u64(),
        );
        self.sync.failures = self.sync.failures.saturating_add(1);
        self.sync.retry_at = Some(self.now + delay);
    }
}

/// 2 added the peer's read watermark, 3 whether it is pinned, 4 the round
/// under way, whether the cursor covers each conversation, and the unread
/// count of conversations not held, 5 whether each one's delivered seq was
/// known (without it a restored client delivered again what had come live
/// after the cursor), 6 where its mentions stand, 7 its remind type, 8 its
/// marks and data digest, 9 how many of its unread messages do not count.
const SYNC_STATE_VERSION: u8 = 9;

#[derive(Serialize, Deserialize)]
struct Header<'a> {
    version: u8,
    owner: &'a str,
    cursor: Option<u64>,
    snapshot: Option<u64>,
    after: &'a str,
    unread_elsewhere: u64,
}

#[derive(Serialize, Deserialize)]
struct Record<'a> {
    id: &'a str,
    last_seq: u64,
    read_seq: u64,
    delivered_seq: u64,
    last_time_ms: u64,
    last_from: &'a str,
    preview: &'a str,
    peer_read_seq: u64,
    pinned: bool,
    settled: bool,
    /// `delivered_seq` was known: a restored client delivers after it,
    /// not from where the server's next window starts (which would repeat
    /// the messages that came live after the cursor).
    baseline_known: bool,
    /// Where the mentions of this user stand (the messages are not
    /// delivered again after a restart).
    at_me_seq: u64,
    at_all_seq: u64,
    remind: crate::wire::body::RemindType,
    marks: u64,
    data_digest: u64,
    uncounted: u64,
    counted_to: u64,
}

impl State<'_> {
    /// Writes the cursor and every conversation's watermarks with postcard.
    pub(crate) fn save_sync_state(&self, buf: &mut [u8]) -> Result<usize, SyncStateError> {
        let header = Header {
            version: SYNC_STATE_VERSION,
            owner: &self.owner,
            cursor: self.sync.cursor,
            snapshot: self.sync.snapshot,
            after: &self.sync.after,
            unread_elsewhere: self.table.unread_elsewhere,
        };
        let mut end = records::put(&header, buf, 0).ok_or(SyncStateError::BufferTooSmall)?;
        for c in self.table.rows.iter() {
            let (at_me_seq, at_all_seq) = c.mention_seqs();
            let record = Record {
                id: &c.id,
                last_seq: c.last_seq,
                read_seq: c.read_seq,
                delivered_seq: c.delivered_seq,
                last_time_ms: c.last_time_ms,
                last_from: &c.last_from,
                preview: &c.preview,
                peer_read_seq: c.peer_read_seq(),
                pinned: c.is_pinned(),
                // A window not closed yet is not covered by the cursor saved.
                settled: c.settled,
                baseline_known: c.baseline_known,
                at_me_seq,
                at_all_seq,
                remind: c.remind,
                marks: c.marks(),
                data_digest: c.data_digest(),
                uncounted: c.uncounted,
                counted_to: c.counted_to,
            };
            end = records::put(&record, buf, end).ok_or(SyncStateError::BufferTooSmall)?;
        }
        Ok(end)
    }

    /// Replaces the table and cursor with a saved state. Only before login.
    pub(crate) fn restore_sync_state(&mut self, bytes: &[u8]) -> Result<(), SyncStateError> {
        if self.session.credentials.is_some() {
            return Err(SyncStateError::WrongState);
        }
        let (header, rest): (Header<'_>, _) =
            records::take(bytes).map_err(|_| SyncStateError::Malformed)?;
        if header.version != SYNC_STATE_VERSION {
            return Err(SyncStateError::Malformed);
        }
        let owner = UserId::try_from(header.owner).map_err(|_| SyncStateError::Malformed)?;
        let after =
            ConversationId::try_from(header.after).map_err(|_| SyncStateError::Malformed)?;
        // Validate everything before touching the table.
        let mut count = 0;
        for record in Records::<Record<'_>>::new(rest) {
            let r = record.map_err(|_| SyncStateError::Malformed)?;
            if ConversationType::parse(r.id).is_none() {
                return Err(SyncStateError::Malformed);
            }
            count += 1;
        }
        if count > self.table.rows.capacity() {
            return Err(SyncStateError::TableFull);
        }
        self.table.clear();
        for record in Records::<Record<'_>>::new(rest).flatten() {
            if let Some(c) = self.table.get_or_insert(record.id, Room::Settled) {
                c.read_seq = record.read_seq;
                c.delivered_seq = record.delivered_seq;
                c.settled = record.settled;
                c.baseline_known = record.baseline_known;
                c.remind = record.remind;
                // Without `full` these are not kept (and saved as none).
                #[cfg(feature = "full")]
                {
                    // Known before the reboot: not news to report again.
                    c.pinned = record.pinned;
                    c.extras = crate::model::Extras {
                        peer_read_seq: record.peer_read_seq,
                        at_me_seq: record.at_me_seq,
                        at_all_seq: record.at_all_seq,
                        marks: record.marks,
                        data_digest: record.data_digest,
                    };
                }
                c.uncounted = record.uncounted;
                c.counted_to = record.counted_to;
                c.set_last(
                    record.last_seq,
                    record.last_time_ms,
                    record.last_from,
                    record.preview,
                );
            }
        }
        self.owner = owner;
        self.table.unread_elsewhere = header.unread_elsewhere;
        self.sync = SyncProgress {
            cursor: header.cursor,
            snapshot: header.snapshot,
            after,
            ..SyncProgress::default()
        };
        self.recent_sends.clear();
        self.conversations_dirty = true;
        Ok(())
    }
}
