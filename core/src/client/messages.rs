//! Sending, receiving and history: the seq watermarks that make delivery
//! exactly-once and in order per conversation.

use super::error::CommandError;
use super::event::{QueuedEvent, RequestError, RequestId, SendStatus};
use super::outbox::{Op, Pending};
use super::state::State;
use super::table::{id_key, Room};
use crate::model::{ConversationId, ConversationType, Counted, Flow, MessageView, OutgoingMessage};
use crate::wire::body::{self, Elem, MessageExtra};
#[cfg(feature = "full")]
use crate::wire::conversation_data::ConversationDataState;
use crate::wire::extra::MAX_CLOUD_CUSTOM_DATA;
use crate::wire::{code, kind, records, MAX_MESSAGE_BODY};

/// Builds the TIM conversation id for a target.
pub(crate) fn conversation_id(
    kind: ConversationType,
    target: &str,
) -> Result<ConversationId, CommandError> {
    let prefix = match kind {
        ConversationType::C2c => "C2C",
        ConversationType::Group => "GROUP",
        ConversationType::System => return Err(CommandError::InvalidId),
    };
    let mut id = ConversationId::new();
    id.push_str(prefix).map_err(|_| CommandError::InvalidId)?;
    id.push_str(target).map_err(|_| CommandError::InvalidId)?;
    match ConversationType::parse(&id) {
        Some(_) => Ok(id),
        None => Err(CommandError::InvalidId),
    }
}

impl State<'_> {
    pub(crate) fn start_send(
        &mut self,
        message: &OutgoingMessage<'_>,
    ) -> Result<RequestId, CommandError> {
        let conversation = conversation_id(message.conversation_type, message.to)?;
        if !message.elem.sendable_by_client() {
            return Err(CommandError::NotSendable);
        }
        let extra = MessageExtra::with_cloud_custom_data(message.cloud_custom_data)
            .with_at_users(message.at_users)
            .with_control(
                message.excluded_from_unread,
                message.excluded_from_last_message,
            )
            .with_read_receipt(message.need_read_receipt);
        // What the server stores: the element and the fields beside it.
        let body_size =
            postcard::experimental::serialized_size(&(message.elem, extra)).unwrap_or(usize::MAX);
        if body_size > MAX_MESSAGE_BODY || message.cloud_custom_data.len() > MAX_CLOUD_CUSTOM_DATA {
            return Err(CommandError::TooLarge);
        }
        let client_msg_id = match message.client_msg_id {
            Some(id) => id,
            None => {
                // 0 is the server's own messages' id.
                let id = self.next_msg_id.max(1);
                self.next_msg_id = id.wrapping_add(1);
                id
            }
        };
        let id = self.next_id();
        let deadline = self.now + self.config.send_timeout;
        let send = body::SendMessage {
            conversation: &conversation,
            client_msg_id,
            online_only: message.online_only,
            priority: message.priority,
            elem: message.elem,
            extra,
        };
        self.out.push(
            id,
            Op::Send { client_msg_id },
            deadline,
            kind::SEND_MESSAGE,
            &send,
        )?;
        Ok(id)
    }

    /// The server refused a send over its rate limit; the send stays, to
    /// go again (the same client message id, so stored once) after a
    /// backoff, until its deadline. A refused resend may well be of a
    /// message stored on the first attempt: failing it would tell the
    /// application that a stored message failed.
    pub(crate) fn hold_sends(&mut self) {
        let delay = super::link::backoff(
            self.config.reconnect_min,
            self.config.reconnect_max,
            self.send_refusals,
            self.rng.next_u64(),
        );
        self.send_refusals = self.send_refusals.saturating_add(1);
        self.sends_held_until = Some(self.now + delay);
    }

    /// The server stored our message.
    pub(crate) fn on_send_ok(&mut self, p: Pending, ok: body::SendOk<'_>) {
        self.send_refusals = 0;
        let Op::Send { client_msg_id } = p.op else {
            return;
        };
        if ok.seq > 0 {
            // The preview comes from our own copy of the request.
            let frame = self
                .out
                .frame_of(p.id)
                .and_then(|f| f.get(crate::wire::HEADER_LEN..));
            let sent =
                frame.and_then(|b| records::decode_exact::<(u32, body::SendMessage<'_>)>(b).ok());
            // No room: the table forgets this conversation's view, and a
            // later sync lists it again.
            if let Some(c) = self.table.get_or_insert(ok.conversation, Room::Settled) {
                c.unsettle();
                if c.baseline_known && c.delivered_seq + 1 == ok.seq {
                    c.delivered_seq = ok.seq;
                } else if !c.baseline_known || c.delivered_seq < ok.seq {
                    // Messages are still to be fetched before ours: when the
                    // fetch brings ours back, it must not be reported twice.
                    if self.recent_sends.is_full() {
                        self.recent_sends.pop_front();
                    }
                    let _ = self.recent_sends.push_back(client_msg_id);
                }
                if let Some((_, sent)) = sent {
                    let shown = Counted::of(&sent.elem, &sent.extra).shown;
                    c.extend(ok.seq, ok.time_ms, &self.owner, sent.elem.preview(), shown);
                }
                c.last_seq = c.last_seq.max(ok.seq);
                c.read_to(ok.seq);
                self.conversations_dirty = true;
            }
        }
        self.out.remove(p.id);
        self.queue(QueuedEvent::MessageStatus {
            request: p.id,
            client_msg_id,
            status: SendStatus::Sent {
                seq: ok.seq,
                time_ms: ok.time_ms,
            },
        });
        self.queue(QueuedEvent::RequestCompleted(p.id));
    }

    /// Decides whether an incoming message is new to the application, and
    /// moves the watermarks. `push_read_seq` is the read watermark a live
    /// push carries, used when the conversation is new to this client.
    pub(crate) fn accept(&mut self, msg: &body::Message<'_>, push_read_seq: Option<u64>) -> bool {
        if msg.seq == 0 {
            // Online-only: no seq, no watermark, no unread.
            return true;
        }
        let from_me = msg.from == self.owner.as_str();
        let held = self.table.find(msg.conversation).is_some();
        let Some(c) = self.table.get_or_insert(msg.conversation, Room::Settled) else {
            // Every slot holds a conversation the cursor does not cover:
            // a sync brings this one once there is room.
            self.sync.again = true;
            return false;
        };
        if let Some(read_seq) = push_read_seq {
            if !held {
                // New to the table (a first message, or one that brings
                // back a deleted or hidden conversation): the user's
                // settings on it (pin, remind type, marks, data) come
                // with its summary, in a round of the client's own.
                self.sync.again = true;
            }
            c.read_to(read_seq);
            // A live message: after the cursor.
            c.unsettle();
        }
        #[cfg(feature = "full")]
        if !from_me && c.kind == ConversationType::C2c {
            // The server counts a send as the sender's read: the peer has
            // read up to its own message (known from the message itself, so
            // no `MessageReadByPeer` for it).
            c.extras.peer_read_seq = c.extras.peer_read_seq.max(msg.seq);
        }
        if c.baseline_known && msg.seq <= c.delivered_seq {
            return false;
        }
        let how = Counted::of(&msg.elem, &msg.extra);
        if msg.seq > c.last_seq {
            c.extend(
                msg.seq,
                msg.time_ms,
                msg.from,
                msg.elem.preview(),
                how.shown,
            );
            // Newer than the sync round's snapshot: not covered by it.
            c.unsettle();
        }
        self.conversations_dirty = true;
        if !c.baseline_known || msg.seq > c.delivered_seq + 1 {
            // New to this client, or a gap: the fetch brings this one too, in order.
            return false;
        }
        c.delivered_seq = msg.seq;
        c.count_delivered(msg.seq, how.counts);
        if msg.elem == Elem::Deleted || (c.remind == body::RemindType::Discard && !from_me) {
            // This user deleted it, or discards the conversation's new
            // messages: its place is kept, nothing is shown.
            return false;
        }
        #[cfg(feature = "full")]
        if !from_me {
            let me = self.owner.as_str();
            if !msg.extra.at_users.0.is_empty() && msg.extra.at_users.iter().any(|u| u == me) {
                c.mentioned(msg.seq, false);
            }
            if msg.extra.mentions_all() {
                c.mentioned(msg.seq, true);
            }
        }
        if from_me {
            c.read_to(msg.seq);
            if self.recent_sends.iter().any(|&id| id == msg.client_msg_id) {
                // Already reported to the application as sent.
                return false;
            }
            let id = msg.client_msg_id;
            if self
                .out
                .pending()
                .iter()
                .any(|p| matches!(p.op, Op::Send { client_msg_id } if client_msg_id == id))
            {
                // Stored, but its answer was lost with the connection: the
                // resend's answer reports it as sent, not as received.
                return false;
            }
        }
        true
    }

    /// A view of a decoded message for the application.
    #[inline]
    pub(crate) fn view<'a>(&self, msg: body::Message<'a>) -> MessageView<'a> {
        MessageView {
            conversation_id: msg.conversation,
            conversation_type: ConversationType::split(msg.conversation)
                .map_or(ConversationType::C2c, |(k, _)| k),
            seq: msg.seq,
            from: msg.from,
            flow: if msg.from == self.owner.as_str() {
                Flow::Out
            } else {
                Flow::In
            },
            time_ms: msg.time_ms,
            client_msg_id: msg.client_msg_id,
            elem: msg.elem,
            extra: msg.extra,
        }
    }

    /// Queues a request about one conversation, after checking its id; the
    /// answer is routed by `op`.
    fn start_conversation_request<T: serde::Serialize>(
        &mut self,
        conversation: &str,
        op: Op,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        ConversationType::parse(conversation).ok_or(CommandError::InvalidId)?;
        self.start_request(op, frame_kind, payload)
    }

    pub(crate) fn start_set_read(&mut self, conversation: &str) -> Result<RequestId, CommandError> {
        let req = body::SetRead {
            conversation,
            seq: u64::MAX,
        };
        self.start_conversation_request(conversation, Op::SetRead, kind::SET_READ, &req)
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_delete_conversation(
        &mut self,
        conversation: &str,
    ) -> Result<RequestId, CommandError> {
        let req = body::ConversationRef { conversation };
        self.start_conversation_request(
            conversation,
            Op::DeleteConversation,
            kind::DELETE_CONVERSATION,
            &req,
        )
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_revoke(
        &mut self,
        conversation: &str,
        seq: u64,
    ) -> Result<RequestId, CommandError> {
        let req = body::MessageRef { conversation, seq };
        self.start_conversation_request(conversation, Op::RevokeMessage, kind::REVOKE_MESSAGE, &req)
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_clear_history(
        &mut self,
        conversation: &str,
    ) -> Result<RequestId, CommandError> {
        let req = body::ConversationRef { conversation };
        self.start_conversation_request(conversation, Op::ClearHistory, kind::CLEAR_HISTORY, &req)
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_pin(
        &mut self,
        conversation: &str,
        pinned: bool,
    ) -> Result<RequestId, CommandError> {
        let req = body::PinConversation {
            conversation,
            pinned,
        };
        self.start_conversation_request(
            conversation,
            Op::PinConversation,
            kind::PIN_CONVERSATION,
            &req,
        )
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_remind(
        &mut self,
        conversation: &str,
        remind: body::RemindType,
    ) -> Result<RequestId, CommandError> {
        let req = body::RemindSetting {
            conversation,
            remind,
        };
        self.start_conversation_request(conversation, Op::SetRemind, kind::SET_REMIND_TYPE, &req)
    }

    /// The user set a conversation's remind type (here, or on another
    /// device): the total unread count follows.
    pub(crate) fn on_remind(&mut self, setting: body::RemindSetting<'_>) {
        if let Some(c) = self.table.find_mut(setting.conversation) {
            if c.remind != setting.remind {
                c.remind = setting.remind;
                self.conversations_dirty = true;
            }
        }
    }

    #[cfg(feature = "full")]
    /// The user changed a conversation's marks, custom data or draft
    /// (here, or on another device). One the table lacks may have just
    /// been shown again (its hide mark cleared): a round of the client's
    /// own brings it if so.
    pub(crate) fn on_conversation_data(&mut self, state: ConversationDataState<'_>) {
        match self.table.find_mut(state.conversation) {
            Some(c) => {
                if (c.marks(), c.data_digest()) != (state.marks, state.data_digest) {
                    c.extras.marks = state.marks;
                    c.extras.data_digest = state.data_digest;
                    self.conversations_dirty = true;
                }
            }
            None => self.sync.again = true,
        }
    }

    #[cfg(feature = "full")]
    /// The user pinned or unpinned a conversation (here, or on another device).
    pub(crate) fn on_pinned(&mut self, pin: body::PinConversation<'_>) {
        if let Some(c) = self.table.find_mut(pin.conversation) {
            if c.pinned != pin.pinned {
                c.pinned = pin.pinned;
                self.conversations_dirty = true;
            }
        }
    }

    /// The user cleared a conversation's history (here, or on another
    /// device): it stays listed, with no last message and nothing unread.
    pub(crate) fn on_history_cleared(&mut self, conversation: &str) {
        if let Some(c) = self.table.find_mut(conversation) {
            c.clear_last_message();
            self.conversations_dirty = true;
        }
    }

    /// The user deleted a conversation (here, or on another device): it
    /// leaves the list until a message brings it back.
    pub(crate) fn on_conversation_deleted(&mut self, conversation: &str) {
        let fetching = self.table.find(conversation).is_some_and(|c| c.fetching);
        if !self.table.remove(conversation) {
            return;
        }
        self.conversations_dirty = true;
        if fetching {
            // Its missed messages are not wanted any more: forget the fetch,
            // so that its answer cannot bring the conversation back.
            let key = id_key(conversation);
            let fetch = self.out.pending().iter().find(|p| p.op == Op::Range(key));
            if let Some(id) = fetch.map(|p| p.id) {
                self.out.remove(id);
            }
            // A conversation sharing the key fetches again.
            for c in self.table.with_key(key) {
                c.fetching = false;
            }
        }
    }

    /// A read watermark moved (our request, or another device's).
    pub(crate) fn on_read(&mut self, read: body::PushRead<'_>) {
        if let Some(c) = self.table.find_mut(read.conversation) {
            c.last_seq = c.last_seq.max(read.last_seq);
            c.uncounted_as_of(read.read_seq, read.last_seq, read.uncounted);
            self.conversations_dirty = true;
        }
    }

    /// `setAllMessageRead` answered: every conversation of `scope` held
    /// here is read up to its last message (the server read each up to
    /// its last before answering, and a message stored after that comes
    /// behind the answer); with every scope, those not held too.
    pub(crate) fn on_read_all(&mut self, scope: body::ReadScope) {
        for c in self.table.rows.iter_mut() {
            if scope.covers(c.id()) {
                c.read_to(c.last_seq);
            }
        }
        if scope == body::ReadScope::All {
            self.table.unread_elsewhere = 0;
        }
        self.conversations_dirty = true;
    }

    #[cfg(feature = "full")]
    /// The peer of a one-to-one conversation read up to a seq.
    pub(crate) fn on_peer_read(&mut self, conversation: &str, seq: u64) {
        if let Some(c) = self.table.find_mut(conversation) {
            c.peer_read(seq);
        }
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_history(
        &mut self,
        conversation: &str,
        before_seq: u64,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        let req = body::MessageList {
            conversation,
            before_seq,
            count,
        };
        self.start_conversation_request(conversation, Op::History, kind::MESSAGE_LIST, &req)
    }

    #[cfg(feature = "full")]
    pub(crate) fn start_history_after(
        &mut self,
        conversation: &str,
        after_seq: u64,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        let req = body::MessageRange {
            conversation,
            start: body::RangeStart::AfterSeq(after_seq),
            count,
        };
        self.start_conversation_request(conversation, Op::History, kind::MESSAGE_RANGE, &req)
    }

    /// A fetch answered: a conversation without a baseline gets the server's.
    pub(crate) fn on_range_base(&mut self, conversation: &str, base_seq: u64) {
        if let Some(c) = self.table.find_mut(conversation) {
            if !c.baseline_known {
                c.baseline_known = true;
                c.delivered_seq = base_seq;
            }
        }
    }

    /// A fetch of missed messages got no messages. Only a refusal saying
    /// the conversation is gone for this user ends its gap (what it would
    /// have brought stays in the history); anything else (a rate limit, a
    /// failure inside the server, a timeout) is fetched again after a
    /// backoff, and the sync does not complete before it succeeds. After a
    /// disconnect it is asked for again once logged in.
    pub(crate) fn on_range_failed(&mut self, key: u32, error: RequestError) {
        let gone = matches!(error, RequestError::Server(code) if conversation_gone(code));
        for c in self.table.with_key(key) {
            c.fetching = false;
            if gone {
                crate::fmt::log_warn!("fetch of missed messages refused; skipping to the newest");
                c.baseline_known = true;
                c.delivered_seq = c.delivered_seq.max(c.last_seq);
                self.conversations_dirty = true;
            }
        }
        if !gone && error != RequestError::Disconnected {
            self.retry_sync_later();
        }
    }

    /// A fetch of missed messages was fully read. Without `more`, the server
    /// had nothing after it: its last seq is what was delivered.
    pub(crate) fn on_range_done(&mut self, conversation: &str, more: bool) {
        self.sync.failures = 0;
        if let Some(c) = self.table.find_mut(conversation) {
            c.fetching = false;
            if !more && c.last_seq > c.delivered_seq {
                c.last_seq = c.delivered_seq;
                self.conversations_dirty = true;
            }
        }
    }
}

/// Whether a fetch refused with `code` can never succeed: the conversation
/// is malformed, or the user may not read it (no longer a member, the group
/// dismissed), or the server cannot serve the request at all. Every other
/// code is a refusal that may pass.
fn conversation_gone(code: u32) -> bool {
    matches!(
        code,
        code::BAD_CONVERSATION
            | code::NO_PERMISSION
            | code::GROUP_NOT_FOUND
            | code::BAD_REQUEST
            | code::UNSUPPORTED
    )
}
