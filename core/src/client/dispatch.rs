//! Applying one complete frame from the server to the state.

use super::event::{QueuedEvent, RequestError};
use super::link::Link;
use super::outbox::Op;
use super::rx::Purpose;
use super::state::State;
use crate::fmt::log_debug;
use crate::model::ConversationId;
use crate::wire::body;
#[cfg(feature = "full")]
use crate::wire::friend::FriendChange;
#[cfg(feature = "full")]
use crate::wire::receipt::ReadReceipt;
use crate::wire::records::{decode_exact, take, DecodeError};
#[cfg(feature = "full")]
use crate::wire::user::UserChange;
use crate::wire::{kind, HEADER_LEN};

/// What to do with a frame after it was applied.
pub(crate) enum Disposition {
    /// Done; drop it.
    Consumed,
    /// It carries messages for the application: keep it in the buffer and
    /// hand them out one `poll_event` at a time, from `records_at` (an
    /// offset in the frame).
    Hold { records_at: usize, purpose: Purpose },
}

/// The server broke the protocol; the connection is closed.
#[derive(Debug)]
pub(crate) struct ProtocolError;

impl From<DecodeError> for ProtocolError {
    fn from(_: DecodeError) -> Self {
        ProtocolError
    }
}

/// Offset in the frame of the first byte of `rest`, a tail of `body`.
fn offset_in_frame(body: &[u8], rest: &[u8]) -> usize {
    HEADER_LEN + body.len() - rest.len()
}

impl State<'_> {
    pub(crate) fn apply_frame(
        &mut self,
        frame_kind: u8,
        body_bytes: &[u8],
    ) -> Result<Disposition, ProtocolError> {
        match (self.link, frame_kind) {
            (_, kind::HEARTBEAT) => {}
            (Link::Handshaking { .. }, kind::HELLO_ACK) => {
                self.on_hello_ack(decode_exact(body_bytes)?);
            }
            (Link::Handshaking { .. }, kind::HELLO_REJECT) => {
                let reject: body::HelloReject = decode_exact(body_bytes)?;
                self.on_hello_refused(reject.code);
            }
            (Link::Open { .. }, kind::RESPONSE_OK) => return self.on_response_ok(body_bytes),
            (Link::Open { .. }, kind::RESPONSE_ERR) => {
                let (request, error): (u32, body::ErrorBody<'_>) = decode_exact(body_bytes)?;
                self.refusal_texts
                    .keep(super::RequestId(request), error.message);
                self.on_response_err(request, error.code);
            }
            (Link::Open { .. }, kind::PUSH_MESSAGE) => {
                let (header, rest): (body::PushMessage, _) = take(body_bytes)?;
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, rest),
                    purpose: Purpose::Push {
                        read_seq: header.read_seq,
                    },
                });
            }
            (Link::Open { .. }, kind::PUSH_KICKED) => {
                let kicked: body::Kicked = decode_exact(body_bytes)?;
                self.on_kicked(kicked.reason);
            }
            (Link::Open { .. }, kind::PUSH_READ) => self.on_read(decode_exact(body_bytes)?),
            (Link::Open { .. }, kind::PUSH_CONVERSATION_DELETED) => {
                let deleted: body::ConversationRef<'_> = decode_exact(body_bytes)?;
                self.on_conversation_deleted(deleted.conversation);
            }
            (Link::Open { .. }, kind::PUSH_HISTORY_CLEARED) => {
                let cleared: body::ConversationRef<'_> = decode_exact(body_bytes)?;
                self.on_history_cleared(cleared.conversation);
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_CONVERSATION_PINNED) => {
                self.on_pinned(decode_exact(body_bytes)?);
            }
            (Link::Open { .. }, kind::PUSH_REMIND_TYPE) => {
                self.on_remind(decode_exact(body_bytes)?);
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_CONVERSATION_DATA) => {
                self.on_conversation_data(decode_exact(body_bytes)?);
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_PEER_READ) => {
                let read: body::PushPeerRead<'_> = decode_exact(body_bytes)?;
                self.on_peer_read(read.conversation, read.peer_read_seq);
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_GROUP) => self.groups.apply_all(body_bytes)?,
            (Link::Open { .. }, kind::PUSH_RECONNECT) => {
                log_debug!("the server is going away; connecting again");
                self.close_transport();
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_USER) => {
                self.queue(match decode_exact(body_bytes)? {
                    UserChange::Profile => QueuedEvent::ProfileUpdated,
                    UserChange::Blocklist => QueuedEvent::BlocklistUpdated,
                });
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_FRIEND) => {
                self.queue(match decode_exact(body_bytes)? {
                    FriendChange::List => QueuedEvent::FriendListUpdated,
                    FriendChange::Applications => QueuedEvent::FriendApplicationListUpdated,
                    FriendChange::Groups => QueuedEvent::FriendGroupListUpdated,
                });
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_USER_STATUS) => {
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, body_bytes),
                    purpose: Purpose::Status,
                });
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_READ_RECEIPT) => {
                // Checked now: a garbled push closes, as any other does.
                decode_exact::<ReadReceipt<'_>>(body_bytes)?;
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, body_bytes),
                    purpose: Purpose::Receipt,
                });
            }
            #[cfg(feature = "full")]
            (Link::Open { .. }, kind::PUSH_MESSAGES_DELETED) => {
                // Checked now: a garbled push closes, as any other does.
                decode_exact::<body::DeleteMessages<'_>>(body_bytes)?;
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, body_bytes),
                    purpose: Purpose::Deleted,
                });
            }
            (Link::Open { .. }, k) if kind::is_push(k) => {
                log_debug!("skipping unknown push kind {}", k);
            }
            _ => return Err(ProtocolError),
        }
        Ok(Disposition::Consumed)
    }

    fn on_response_ok(&mut self, body_bytes: &[u8]) -> Result<Disposition, ProtocolError> {
        let (request, payload): (u32, _) = take(body_bytes)?;
        let Some(op) = self
            .out
            .pending()
            .iter()
            .find(|p| p.id.0 == request)
            .map(|p| p.op.clone())
        else {
            // An answer to a request that already timed out.
            return Ok(Disposition::Consumed);
        };
        let id = super::RequestId(request);
        match op {
            Op::Login => {
                let ok: body::LoginOk<'_> = decode_exact(payload)?;
                self.out.remove(id);
                self.on_login_answer(ok);
            }
            Op::Logout => {
                self.out.remove(id);
                self.end_session(None);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            Op::Send { .. } => {
                let ok: body::SendOk<'_> = decode_exact(payload)?;
                if let Some(p) = self.out.pending().iter().find(|p| p.id == id).cloned() {
                    self.on_send_ok(p, ok);
                }
            }
            Op::SetRead => {
                self.on_read(decode_exact(payload)?);
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            Op::ReadAll(scope) => {
                self.on_read_all(scope);
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            #[cfg(feature = "full")]
            Op::DeleteConversations | Op::DeleteMessages | Op::ModifyMessage => {
                // Conversations: each deletion came by its push, before this
                // answer. Messages: the caller knows which it deleted. A
                // modification: its notice comes as a message.
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            #[cfg(feature = "full")]
            Op::DeleteConversation => {
                let deleted: body::ConversationRef<'_> = decode_exact(payload)?;
                self.on_conversation_deleted(deleted.conversation);
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            #[cfg(feature = "full")]
            Op::PinConversation => {
                self.on_pinned(decode_exact(payload)?);
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            #[cfg(feature = "full")]
            Op::SetRemind => {
                self.on_remind(decode_exact(payload)?);
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            #[cfg(feature = "full")]
            Op::ClearHistory => {
                let cleared: body::ConversationRef<'_> = decode_exact(payload)?;
                self.on_history_cleared(cleared.conversation);
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            #[cfg(feature = "full")]
            Op::RevokeMessage => {
                // Its notice arrives as a message of the conversation.
                let _: body::MessageRef<'_> = decode_exact(payload)?;
                self.out.remove(id);
                self.queue(QueuedEvent::RequestCompleted(id));
            }
            Op::Sync => {
                let (page, records): (body::SyncWindowPage, _) = take(payload)?;
                self.out.remove(id);
                self.apply_sync_window(page, records)?;
            }
            #[cfg(feature = "full")]
            Op::History => {
                let (page, rest): (body::MessagePage<'_>, _) = take(payload)?;
                self.out.remove(id);
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, rest),
                    purpose: Purpose::History {
                        request: id,
                        complete: !page.more,
                    },
                });
            }
            #[cfg(feature = "full")]
            Op::GroupList => {
                self.out.remove(id);
                self.groups.apply_all(payload)?;
                if self.groups.refresh == super::groups::Refresh::InFlight {
                    // A page without its closing record: stop here.
                    self.groups.refresh_failed();
                }
            }
            #[cfg(feature = "full")]
            Op::Records(read) => {
                self.out.remove(id);
                let purpose = Purpose::Records { request: id, read };
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, payload),
                    purpose,
                });
            }
            Op::Range(_) => {
                let (page, rest): (body::MessagePage<'_>, _) = take(payload)?;
                self.out.remove(id);
                self.on_range_base(page.conversation, page.base_seq);
                let conversation =
                    ConversationId::try_from(page.conversation).map_err(|_| ProtocolError)?;
                return Ok(Disposition::Hold {
                    records_at: offset_in_frame(body_bytes, rest),
                    purpose: Purpose::Range {
                        conversation,
                        more: page.more,
                    },
                });
            }
        }
        Ok(Disposition::Consumed)
    }

    fn on_response_err(&mut self, request: u32, code: u32) {
        let id = super::RequestId(request);
        let is_send = self
            .out
            .pending()
            .iter()
            .any(|p| p.id == id && matches!(p.op, Op::Send { .. }));
        // Refusals that pass: the message goes again after a backoff.
        let passing = matches!(
            code,
            crate::wire::code::RATE_LIMITED | crate::wire::code::UNAVAILABLE
        );
        if is_send && passing && self.out.send_again(id) {
            self.hold_sends();
            return;
        }
        let Some(p) = self.out.remove(id) else {
            return;
        };
        if p.op == Op::Login {
            if let Some((call, _)) = self.session.user_request {
                self.refusal_texts.alias(id, call);
            }
            self.on_login_failed(code);
            return;
        }
        self.fail_request(p, RequestError::Server(code));
    }

    /// A held frame has been read to its end.
    pub(crate) fn finish_held(&mut self, purpose: Purpose) {
        match purpose {
            Purpose::Range { conversation, more } => self.on_range_done(&conversation, more),
            #[cfg(feature = "full")]
            Purpose::History { request, complete } => {
                self.queue(QueuedEvent::HistoryEnd { request, complete });
                self.queue(QueuedEvent::RequestCompleted(request));
            }
            #[cfg(feature = "full")]
            Purpose::Records { request, .. } => self.queue(QueuedEvent::RequestCompleted(request)),
            // Pushes whose records were the events.
            _ => {}
        }
    }
}
