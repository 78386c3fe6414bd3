//! Owned copies of the core's borrowed events, for application tasks: the
//! strings move out of the client's receive buffer into fixed capacities.

use heapless::String;
use tinyim_core::model::{ConversationId, GroupId};
use tinyim_core::wire::body::MAX_DELETE_MESSAGES;
use tinyim_core::wire::group::{GroupNotice, NoticeOp};
use tinyim_core::wire::user::MAX_CUSTOM_STATUS;
use tinyim_core::{Elem, Event, MessageView, SendStatus};

use crate::shared::{
    MessageKind, OwnedEvent, ReceivedMessage, ReceivedNotice, MAX_DETAIL, MAX_TEXT,
};

/// The owned copy of an event for application tasks; `None` for the events
/// that only answer calls (the runner routed those already).
pub(crate) fn owned(event: Event<'_>) -> Option<OwnedEvent> {
    Some(match event {
        Event::RequestCompleted(_)
        | Event::GroupData { .. }
        | Event::UserData { .. }
        | Event::FriendData { .. }
        | Event::RequestFailed { .. }
        | Event::MessageStatus {
            status: SendStatus::Sent { .. },
            ..
        } => return None,
        Event::MessageStatus {
            client_msg_id,
            status: SendStatus::Failed { code },
            ..
        } => OwnedEvent::MessageFailed {
            client_msg_id,
            code,
        },
        Event::HistoryMessage { message, .. } => OwnedEvent::HistoryMessage(received(&message)),
        Event::GroupSystemNotice(MessageView {
            elem: Elem::GroupSystemNotice(notice),
            seq,
            ..
        }) => OwnedEvent::GroupSystemNotice(received_notice(seq, &notice)),
        Event::MessageRevoked(MessageView {
            elem: Elem::RevokeNotice { seq },
            conversation_id,
            from,
            ..
        }) => OwnedEvent::MessageRevoked {
            conversation: owned_id(conversation_id),
            seq,
            revoker: heapless::String::try_from(from).unwrap_or_default(),
        },
        Event::MessageModified(notice) => {
            let (seq, now_is) = notice.elem.modified()?;
            OwnedEvent::MessageModified(received(&MessageView {
                seq,
                from: now_is.from,
                time_ms: now_is.time_ms,
                elem: now_is.elem,
                extra: now_is.extra,
                ..notice
            }))
        }
        Event::MessagesDeleted(deleted) => OwnedEvent::MessagesDeleted {
            conversation: owned_id(deleted.conversation),
            // The server sends at most as many as fit.
            seqs: deleted.seqs().flatten().take(MAX_DELETE_MESSAGES).collect(),
        },
        Event::MessageReadReceiptReceived(r) => OwnedEvent::MessageReadReceiptReceived {
            group: GroupId::try_from(r.group_id).unwrap_or_default(),
            seq: r.seq,
            read_count: r.read_count,
            unread_count: r.unread_count,
        },
        Event::MessageReceived(m)
        | Event::GroupTip(m)
        | Event::GroupSystemNotice(m)
        | Event::MessageRevoked(m) => OwnedEvent::MessageReceived(received(&m)),
        Event::SdkReady => OwnedEvent::SdkReady,
        Event::SdkNotReady => OwnedEvent::SdkNotReady,
        Event::NetStateChange(s) => OwnedEvent::NetStateChange(s),
        Event::KickedOut(r) => OwnedEvent::KickedOut(r),
        Event::ConnectionRejected { code } => OwnedEvent::ConnectionRejected(code),
        Event::ConversationListUpdated => OwnedEvent::ConversationListUpdated,
        Event::TotalUnreadCountUpdated(n) => OwnedEvent::TotalUnreadCountUpdated(n),
        Event::ConversationsEvicted(n) => OwnedEvent::ConversationsEvicted(n),
        Event::GroupListUpdated => OwnedEvent::GroupListUpdated,
        Event::MessageReadByPeer {
            conversation_id,
            peer_read_seq,
        } => OwnedEvent::MessageReadByPeer {
            conversation: owned_id(conversation_id),
            peer_read_seq,
        },
        Event::ProfileUpdated => OwnedEvent::ProfileUpdated,
        Event::BlocklistUpdated => OwnedEvent::BlocklistUpdated,
        Event::FriendListUpdated => OwnedEvent::FriendListUpdated,
        Event::FriendApplicationListUpdated => OwnedEvent::FriendApplicationListUpdated,
        Event::FriendGroupListUpdated => OwnedEvent::FriendGroupListUpdated,
        Event::UserStatusUpdated(status) => OwnedEvent::UserStatusUpdated {
            user: String::try_from(status.user_id).unwrap_or_default(),
            status_type: status.status_type,
            // The server refuses longer ones; a longer one would be cut.
            custom_status: copy_status(status.custom_status),
        },
        Event::GroupsDropped(n) => OwnedEvent::GroupsDropped(n),
        Event::SyncComplete => OwnedEvent::SyncComplete,
        Event::UserSigExpiring { expires_at } => OwnedEvent::UserSigExpiring { expires_at },
        // Events a newer core knows and this adapter does not yet.
        _ => return None,
    })
}

/// A message copied out of the client's receive buffer, its payload as text.
fn received(m: &MessageView<'_>) -> ReceivedMessage {
    let (description, extension) = match m.elem {
        Elem::Custom {
            description,
            extension,
            ..
        } => (description, extension),
        _ => ("", ""),
    };
    let (kind, (text, truncated)) = match m.elem {
        Elem::Text { text } => (MessageKind::Text, copy_text(text)),
        Elem::Custom { data, .. } => (MessageKind::Custom, copy_text(data)),
        Elem::Image(ref image) => (MessageKind::Image, copy_text(image.original.url)),
        Elem::File { url, .. } => (MessageKind::File, copy_text(url)),
        Elem::TooLarge { .. } => (MessageKind::TooLarge, (String::new(), true)),
        Elem::Face { index, data } => (MessageKind::Face { index }, copy_text(data)),
        Elem::Location {
            description,
            longitude,
            latitude,
        } => (
            MessageKind::Location {
                longitude,
                latitude,
            },
            copy_text(description),
        ),
        Elem::Sound { url, seconds, .. } => (MessageKind::Sound { seconds }, copy_text(url)),
        Elem::Video(ref video) => (
            MessageKind::Video {
                seconds: video.seconds,
            },
            copy_text(video.url),
        ),
        Elem::Merger(ref merger) => (MessageKind::Merger, copy_text(merger.title)),
        // Tips, notices and revoked messages arrive as what a conversation
        // list shows.
        Elem::GroupTip(_)
        | Elem::GroupSystemNotice(_)
        | Elem::Revoked { .. }
        | Elem::RevokeNotice { .. } => (MessageKind::Notice, copy_text(m.elem.preview())),
        // Kinds a newer core knows and this adapter does not yet.
        _ => (MessageKind::Unknown, (String::new(), false)),
    };
    ReceivedMessage {
        conversation: owned_id(m.conversation_id),
        from: String::try_from(m.from).unwrap_or_default(),
        seq: m.seq,
        time_ms: m.time_ms,
        client_msg_id: m.client_msg_id,
        kind,
        text,
        truncated,
        version: m.extra.version,
        description: copy_detail(description),
        extension: copy_detail(extension),
    }
}

/// A custom message's description or extension, cut to [`MAX_DETAIL`].
fn copy_detail(text: &str) -> String<MAX_DETAIL> {
    let cut = tinyim_core::model::cut_at_char_boundary(text, MAX_DETAIL);
    String::try_from(cut).unwrap_or_default()
}

/// A group system notice copied out; the text is what the notice says: the
/// apply or handle message, the kick reason, or a custom notice's data.
fn received_notice(seq: u64, notice: &GroupNotice<'_>) -> ReceivedNotice {
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

/// A custom status copied out, cut at a character boundary if the server
/// sent more than the limit.
fn copy_status(status: &str) -> String<MAX_CUSTOM_STATUS> {
    let cut = tinyim_core::model::cut_at_char_boundary(status, MAX_CUSTOM_STATUS);
    String::try_from(cut).unwrap_or_default()
}

/// A conversation id copied out (the core's are valid, so it fits).
fn owned_id(id: &str) -> ConversationId {
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
