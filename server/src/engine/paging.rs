//! Paged answers of record calls (group lists, member lists, the blocklist):
//! as many records as fit the client's frame, then a closing page record that
//! tells where the next page starts.

use serde::Serialize;

use tinyim_core::wire::kind;

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
    /// Answers with `records`, which fit any frame (single small records).
    pub(crate) fn respond_records<R: Serialize>(&mut self, reply: Reply, records: &[R]) {
        let mut body = encode::to_bytes(&reply.request);
        for record in records {
            body.extend(encode::to_bytes(record));
        }
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: encode::frame_from_body(kind::RESPONSE_OK, &body),
        });
    }

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
        let units = records.map(|record| vec![record]);
        self.respond_units_page(reply, offset, units, more_in_store, page_end);
    }

    /// Answers with as many of `units` (records that go together, such as a
    /// friend and its custom fields) as fit the client's frame whole, then
    /// `page_end(next_offset, more)`, `next_offset` counting units.
    pub(crate) fn respond_units_page<R: Serialize>(
        &mut self,
        reply: Reply,
        offset: u32,
        units: impl Iterator<Item = Vec<R>>,
        more_in_store: bool,
        page_end: impl FnOnce(u32, bool) -> R,
    ) {
        let header_len = encode::to_bytes(&reply.request).len() + PAGE_RECORD_ROOM;
        let (size_hint, _) = units.size_hint();
        let mut page = Page::new(
            self.sessions.max_frame(reply.conn),
            header_len,
            size_hint * RECORD_SIZE_HINT,
        );
        let mut sent = 0u32;
        let mut more = more_in_store;
        for unit in units {
            if !page.push_all(&unit) {
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
