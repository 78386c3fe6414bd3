//! Sync: the windows of a sync round (see [`body::SyncWindow`]), and the
//! pages of every conversation changed after a cursor that clients from
//! before windows ask for.

use tinyim_core::wire::body;

use super::conversation_data::shown_marks;
use super::encode::{self, Page, Reply};
use super::{Engine, Handled, Output};
use crate::store::{ConversationRow, Store};

/// Rows read from the store per page.
const ROWS_PER_PAGE: usize = 200;

/// About the bytes of one conversation's summary, for sizing a page.
const SUMMARY_SIZE_HINT: usize = 96;

/// The conversations of one page and where it leaves the cursor.
struct Window {
    bytes: Page,
    next_cursor: u64,
    complete: bool,
}

impl<S: Store> Engine<S> {
    /// [`body::Sync`], from clients before windows: pages as large as
    /// their frame.
    pub(crate) fn sync(&mut self, reply: Reply, me: &str, req: body::Sync) -> Handled {
        let worst = body::SyncPage {
            next_cursor: u64::MAX,
            complete: false,
        };
        let header_len = encode::to_bytes(&(reply.request, worst)).len();
        let w = self.window(reply, me, req.cursor, ROWS_PER_PAGE, header_len)?;
        let header = body::SyncPage {
            next_cursor: w.next_cursor,
            complete: w.complete,
        };
        self.send_window(reply, w.bytes, &header);
        Ok(())
    }

    /// [`body::SyncWindow`]: at most the conversations the client has room
    /// for after `after`, each as of the round's snapshot with its seq as of
    /// the base, and on the last window the user's total unread count.
    pub(crate) fn sync_window(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::SyncWindow<'_>,
    ) -> Handled {
        let (snapshot, behind) = match req.snapshot {
            None => (self.store.last_change()?, self.store.last_change_behind()),
            Some(taken) => (taken, false),
        };
        let worst = body::SyncWindowPage {
            snapshot: u64::MAX,
            complete: false,
            total_unread: u64::MAX,
            behind: true,
        };
        let header_len = encode::to_bytes(&(reply.request, worst)).len();
        let limit = usize::from(req.max_conversations).clamp(1, ROWS_PER_PAGE);
        let rows = self
            .store
            .changed_window(me, req.base.unwrap_or(0), req.after, limit)?;
        let size_hint = rows.len() * SUMMARY_SIZE_HINT;
        let mut bytes = Page::new(self.sessions.max_frame(reply.conn), header_len, size_hint);
        let mut all_fit = true;
        for row in &rows {
            // A first sync (no base) brings what is unread, as TIM does.
            // A first sync (no base) brings what is unread, as TIM does.
            let delivered = match req.base {
                None => None,
                Some(base) => Some(self.store.seq_as_of(&row.conv_key, base)?),
            };
            let last_seq = self.store.seq_as_of(&row.conv_key, snapshot)?;
            let record = body::WindowSummary {
                summary: body::ConversationSummary {
                    last_seq,
                    uncounted: self.uncounted(row, last_seq)?,
                    ..summary(row)
                },
                base_seq: self.window_base(me, &row.conv_id, delivered)?,
            };
            if !bytes.push(&record) {
                all_fit = false;
                break;
            }
        }
        let complete = all_fit && rows.len() < limit;
        let total_unread = if complete {
            self.store.total_unread(me)?
        } else {
            0
        };
        let header = body::SyncWindowPage {
            snapshot,
            complete,
            total_unread,
            behind,
        };
        self.send_window(reply, bytes, &header);
        Ok(())
    }

    /// Up to `limit` of `me`'s conversations changed after `cursor`, as many
    /// as fit the client's frame after a header of `header_len` bytes.
    fn window(
        &mut self,
        reply: Reply,
        me: &str,
        cursor: u64,
        limit: usize,
        header_len: usize,
    ) -> Result<Window, super::Refusal> {
        let rows = self.store.changed_since(me, cursor, limit)?;
        let size_hint = rows.len() * SUMMARY_SIZE_HINT;
        let mut bytes = Page::new(self.sessions.max_frame(reply.conn), header_len, size_hint);
        let mut next_cursor = cursor;
        let mut all_fit = true;
        for row in &rows {
            let record = body::ConversationSummary {
                uncounted: self.uncounted(row, row.last_seq)?,
                ..summary(row)
            };
            if !bytes.push(&record) {
                all_fit = false;
                break;
            }
            next_cursor = row.version;
        }
        let complete = all_fit && rows.len() < limit;
        if complete {
            // Everything this user has up to the newest change is in the pages.
            next_cursor = next_cursor.max(self.store.last_change()?);
        }
        Ok(Window {
            bytes,
            next_cursor,
            complete,
        })
    }

    /// The messages of `row`'s conversation after what its owner read (or
    /// cleared) up to `last_seq` that do not count as unread.
    fn uncounted(&mut self, row: &ConversationRow, last_seq: u64) -> Result<u64, super::Refusal> {
        let read = row.read_seq.max(row.cleared_seq);
        Ok(self
            .store
            .uncounted_between(&row.conv_key, read, last_seq)?)
    }

    /// `row`'s unread messages as its owner's client counts them.
    pub(crate) fn counted_unread(&mut self, row: &ConversationRow) -> Result<u64, super::Refusal> {
        let unread = row.unread();
        if unread == 0 {
            return Ok(0);
        }
        Ok(unread.saturating_sub(self.uncounted(row, row.last_seq)?))
    }

    fn send_window<H: serde::Serialize>(&mut self, reply: Reply, bytes: Page, header: &H) {
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: bytes.finish(reply.request, header),
        });
    }
}

fn summary(row: &ConversationRow) -> body::ConversationSummary<'_> {
    body::ConversationSummary {
        conversation: &row.conv_id,
        last_seq: row.last_seq,
        read_seq: row.read_seq,
        // Filled by the caller, who knows the last seq it is counted to.
        uncounted: 0,
        last_time_ms: row.last_time_ms,
        last_from: &row.last_from,
        preview: &row.preview,
        peer_read_seq: row.peer_read_seq,
        deleted: row.deleted(),
        pinned: row.pinned,
        remind: row.remind,
        marks: shown_marks(row.marks, row.deleted()),
        data_digest: row.data_digest,
    }
}
