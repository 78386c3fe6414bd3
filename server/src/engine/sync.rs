//! Sync pages: every conversation of a user changed after a cursor.

use tinyim_core::wire::body;

use super::encode::{self, Page, Reply};
use super::{Engine, Handled, Output};
use crate::store::Store;

/// Rows read from the store per page.
const ROWS_PER_PAGE: usize = 200;

impl<S: Store> Engine<S> {
    pub(crate) fn sync(&mut self, reply: Reply, me: &str, req: body::Sync) -> Handled {
        let rows = self.store.changed_since(me, req.cursor, ROWS_PER_PAGE)?;
        let worst_header = body::SyncPage {
            next_cursor: u64::MAX,
            complete: false,
        };
        let header_len = encode::to_bytes(&(reply.request, worst_header)).len();
        let mut page = Page::new(self.sessions.max_frame(reply.conn), header_len);
        let mut next_cursor = req.cursor;
        let mut all_fit = true;
        for row in &rows {
            let summary = body::ConversationSummary {
                conversation: &row.conv_id,
                last_seq: row.last_seq,
                read_seq: row.read_seq,
                last_time_ms: row.last_time_ms,
                last_from: &row.last_from,
                preview: &row.preview,
                peer_read_seq: row.peer_read_seq,
                deleted: row.deleted(),
                pinned: row.pinned,
            };
            if !page.push(&summary) {
                all_fit = false;
                break;
            }
            next_cursor = row.version;
        }
        let complete = all_fit && rows.len() < ROWS_PER_PAGE;
        if complete {
            // Everything this user has up to the newest change is in the pages.
            next_cursor = next_cursor.max(self.store.last_change()?);
        }
        let header = body::SyncPage {
            next_cursor,
            complete,
        };
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: page.finish(reply.request, &header),
        });
        Ok(())
    }
}
