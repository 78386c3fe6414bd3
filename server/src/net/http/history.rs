//! History for a backend: a one-to-one conversation's messages
//! (`openim/admin_getroammsg`) and a group's (`group_open_http_svc/
//! group_msg_get_simple`), read page by page as a member's client reads
//! them, newest first.

use tinyim_core::wire::body::{Elem, Message, MessageList, MessagePage};
use tinyim_core::wire::kind;
use tinyim_core::wire::records::{take, Records};

use super::msg_body::to_msg_body;
use super::reply::{RestError, Service};
use super::{ticket, Call};

/// Messages a page of the engine's holds at most.
const PAGE: u16 = 100;

/// A message as the backend reads it.
pub(super) struct Read {
    pub(super) from: String,
    pub(super) seq: u64,
    pub(super) random: u64,
    pub(super) time_secs: u64,
    pub(super) body: serde_json::Value,
    pub(super) cloud_custom_data: String,
}

/// Up to `count` of `conversation`'s messages below `before_seq` (0: from
/// the newest) sent within `times` (unix seconds, both ends in), newest
/// first, read as `reader`; and whether older ones in `times` may remain.
pub(super) async fn read_back(
    call: &Call<'_>,
    service: Service,
    reader: &str,
    conversation: &str,
    mut before_seq: u64,
    count: usize,
    times: std::ops::RangeInclusive<u64>,
) -> Result<(Vec<Read>, bool), RestError> {
    let mut found = Vec::new();
    loop {
        let request = MessageList {
            conversation,
            before_seq,
            count: PAGE,
        };
        let payload = ticket::request_as(&call.api.shared, reader, kind::MESSAGE_LIST, &request)
            .await
            .map_err(|e| service.refused(e))?;
        let (page, records) = take::<MessagePage<'_>>(&payload).map_err(|_| service.internal())?;
        let mut oldest = None;
        let mut before_times = false;
        for record in Records::<Message<'_>>::new(records) {
            let m = record.map_err(|_| service.internal())?;
            oldest = Some(oldest.map_or(m.seq, |o: u64| o.min(m.seq)));
            before_times |= m.time_ms / 1000 < *times.start();
            if m.elem == Elem::Deleted {
                // The reader deleted it for themselves.
                continue;
            }
            let read = Read {
                from: m.from.to_owned(),
                seq: m.seq,
                random: m.client_msg_id,
                time_secs: m.time_ms / 1000,
                body: to_msg_body(&m.elem),
                cloud_custom_data: m.extra.cloud_custom_data.to_owned(),
            };
            if times.contains(&read.time_secs) {
                found.push(read);
            }
        }
        found.sort_by_key(|m| std::cmp::Reverse(m.seq));
        // Seqs follow time: past the window's start, nothing older is in it.
        let more = page.more && !before_times && oldest.is_some_and(|o| o > 1);
        if found.len() >= count || !more {
            let left = found.len() > count || more;
            found.truncate(count);
            return Ok((found, left));
        }
        before_seq = oldest.unwrap_or(1);
    }
}
