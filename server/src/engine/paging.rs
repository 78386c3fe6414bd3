//! Paged answers of record calls (group lists, member lists, the blocklist):
//! as many records as fit the client's frame, then a closing page record that
//! tells where the next page starts.

use serde::Serialize;

use super::encode::{self, Page, Reply};
use super::{Engine, Output};
use crate::store::Store;

/// Most records in one list page.
const MAX_PAGE: usize = 100;

/// Room kept at the end of a list page for its closing record.
const PAGE_RECORD_ROOM: usize = 16;

/// About the bytes of one record (a group, a member), for sizing a page.
const RECORD_SIZE_HINT: usize = 64;

/// Clamps a list request's count to 1..=100.
pub(crate) fn page_limit(count: u16) -> usize {
    usize::from(count).clamp(1, MAX_PAGE)
}

impl<S: Store> Engine<S> {
    /// Answers with as many of `records` as fit the client's frame, then
    /// `page_end(next_offset, more)`.
    pub(crate) fn respond_records_page<R: Serialize>(
        &mut self,
        reply: Reply,
        offset: u32,
        records: impl Iterator<Item = R>,
        more_in_store: bool,
        page_end: impl FnOnce(u32, bool) -> R,
    ) {
        let header_len = encode::to_bytes(&reply.request).len() + PAGE_RECORD_ROOM;
        let (size_hint, _) = records.size_hint();
        let mut page = Page::new(
            self.sessions.max_frame(reply.conn),
            header_len,
            size_hint * RECORD_SIZE_HINT,
        );
        let mut sent = 0u32;
        let mut more = more_in_store;
        for record in records {
            if !page.push(&record) {
                more = true;
                break;
            }
            sent += 1;
        }
        let last = page_end(offset.saturating_add(sent), more);
        let pushed = page.push_reserved(&last, PAGE_RECORD_ROOM);
        debug_assert!(pushed, "the page record has its room");
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: page.finish(reply.request, &()),
        });
    }
}
