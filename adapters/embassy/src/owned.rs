//! Owned copies of the core's borrowed events, for application tasks: the
//! strings move out of the client's receive buffer into fixed capacities.

use heapless::String;
use tinyim_core::model::ConversationId;
use tinyim_core::wire::group::{GroupNotice, NoticeOp};
use tinyim_core::{Elem, MessageView};

use crate::shared::{ReceivedMessage, ReceivedNotice, MAX_TEXT};

/// A message copied out of the client's receive buffer, its payload as text.
pub(crate) fn received(m: &MessageView<'_>) -> ReceivedMessage {
    let (text, truncated) = match m.elem {
        Elem::Text { text } => copy_text(text),
        Elem::Custom { data, .. } => copy_text(data),
        Elem::Image { url, .. } | Elem::File { url, .. } => copy_text(url),
        Elem::TooLarge { .. } => (String::new(), true),
        // Tips, notices and revoked messages arrive as what a conversation
        // list shows.
        Elem::GroupTip(_)
        | Elem::GroupSystemNotice(_)
        | Elem::Revoked { .. }
        | Elem::RevokeNotice { .. } => copy_text(m.elem.preview()),
    };
    ReceivedMessage {
        conversation: owned_id(m.conversation_id),
        from: String::try_from(m.from).unwrap_or_default(),
        seq: m.seq,
        time_ms: m.time_ms,
        client_msg_id: m.client_msg_id,
        text,
        truncated,
    }
}

/// A group system notice copied out; the text is what the notice says: the
/// apply or handle message, the kick reason, or a custom notice's data.
pub(crate) fn received_notice(seq: u64, notice: &GroupNotice<'_>) -> ReceivedNotice {
    let text = match notice.op {
        NoticeOp::Custom => notice.data,
        _ => notice.message,
    };
    let (text, truncated) = copy_text(text);
    ReceivedNotice {
        op: notice.op,
        group_id: String::try_from(notice.group_id).unwrap_or_default(),
        operator: String::try_from(notice.operator).unwrap_or_default(),
        seq,
        text,
        truncated,
    }
}

/// A conversation id copied out (the core's are valid, so it fits).
pub(crate) fn owned_id(id: &str) -> ConversationId {
    String::try_from(id).unwrap_or_default()
}

fn copy_text(text: &str) -> (String<MAX_TEXT>, bool) {
    let cut = tinyim_core::model::cut_at_char_boundary(text, MAX_TEXT);
    // `cut` is at most MAX_TEXT bytes, so it fits.
    (
        String::try_from(cut).unwrap_or_default(),
        cut.len() < text.len(),
    )
}
