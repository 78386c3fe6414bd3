//! Sync: the cursor, the pages of changed conversations, and the `SyncState`
//! a device keeps in flash to resume without refetching.

use serde::{Deserialize, Serialize};

use super::dispatch::ProtocolError;
use super::error::SyncStateError;
use super::state::State;
use crate::model::{ConversationType, UserId};
use crate::time::Instant;
use crate::wire::body;
use crate::wire::records::{self, Records};

/// Where the current sync stands.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SyncProgress {
    /// The cursor of the last complete sync: every change up to it reached
    /// this client. `None` until the first sync completes.
    pub(crate) cursor: Option<u64>,
    /// How far the pages of the running sync have come.
    pub(crate) page_cursor: u64,
    /// A sync runs until pages are done and every gap is filled.
    pub(crate) running: bool,
    pub(crate) pages_done: bool,
    pub(crate) in_flight: bool,
    /// After a sync page or a fetch of missed messages failed for a reason
    /// that may pass (a refusal such as 2996, a timeout), none is asked for
    /// before this instant: the gap stays open and is fetched again.
    pub(crate) retry_at: Option<Instant>,
    /// Failures in a row, for the backoff; a page or fetch answered resets it.
    pub(crate) failures: u32,
}

impl SyncProgress {
    pub(crate) fn start(&mut self) {
        self.page_cursor = self.cursor.unwrap_or(0);
        self.running = true;
        self.pages_done = false;
        self.in_flight = false;
        self.retry_at = None;
        self.failures = 0;
    }

    pub(crate) fn wants_page(&self) -> bool {
        self.running && !self.pages_done && !self.in_flight
    }

    /// Whether sync pages and fetches may be asked for at `now`; a passed
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
}

impl State<'_> {
    // Out of line: inlined into the frame loop it cost firmware 0.9 KB more
    // flash (`scripts/footprint`), and a sync page is not the hot path.
    #[inline(never)]
    pub(crate) fn apply_sync_page(
        &mut self,
        page: body::SyncPage,
        bytes: &[u8],
    ) -> Result<(), ProtocolError> {
        for summary in Records::<body::ConversationSummary<'_>>::new(bytes) {
            let s = summary?;
            if s.deleted {
                self.on_conversation_deleted(s.conversation);
                continue;
            }
            let Some(c) = self.table.get_or_insert(s.conversation) else {
                continue;
            };
            c.read_seq = c.read_seq.max(s.read_seq);
            if s.last_seq >= c.last_seq {
                c.set_last(s.last_seq, s.last_time_ms, s.last_from, s.preview);
            }
            c.peer_read(s.peer_read_seq);
            c.pinned = s.pinned;
            self.conversations_dirty = true;
        }
        self.sync.page_cursor = self.sync.page_cursor.max(page.next_cursor);
        self.sync.in_flight = false;
        self.sync.failures = 0;
        self.sync.pages_done = page.complete;
        Ok(())
    }

    /// A sync page or a fetch failed in a way that may pass: ask again
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

/// 2 added the peer's read watermark, 3 whether it is pinned.
const SYNC_STATE_VERSION: u8 = 3;

#[derive(Serialize, Deserialize)]
struct Header<'a> {
    version: u8,
    owner: &'a str,
    cursor: Option<u64>,
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
}

impl State<'_> {
    /// Writes the cursor and every conversation's watermarks with postcard.
    pub(crate) fn save_sync_state(&self, buf: &mut [u8]) -> Result<usize, SyncStateError> {
        let header = Header {
            version: SYNC_STATE_VERSION,
            owner: &self.owner,
            cursor: self.sync.cursor,
        };
        let mut end = records::put(&header, buf, 0).ok_or(SyncStateError::BufferTooSmall)?;
        for c in self.table.rows.iter() {
            let record = Record {
                id: &c.id,
                last_seq: c.last_seq,
                read_seq: c.read_seq,
                delivered_seq: c.delivered_seq,
                last_time_ms: c.last_time_ms,
                last_from: &c.last_from,
                preview: &c.preview,
                peer_read_seq: c.peer_read_seq,
                pinned: c.pinned,
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
            if let Some(c) = self.table.get_or_insert(record.id) {
                c.read_seq = record.read_seq;
                c.delivered_seq = record.delivered_seq;
                // Known before the reboot: not news to report again.
                c.peer_read_seq = record.peer_read_seq;
                c.pinned = record.pinned;
                c.set_last(
                    record.last_seq,
                    record.last_time_ms,
                    record.last_from,
                    record.preview,
                );
            }
        }
        self.owner = owner;
        self.sync = SyncProgress {
            cursor: header.cursor,
            ..SyncProgress::default()
        };
        self.recent_sends.clear();
        self.conversations_dirty = true;
        Ok(())
    }
}
