//! TIM's calls that change or page through a conversation's messages:
//! delete conversations and messages, modify, pin, remind, clear, revoke
//! and history (the `full` feature). Each queues one request and returns
//! its id; the outcome arrives as an event carrying it.

use super::outbox::Op;
use super::{Client, CommandError, RequestId};
#[cfg(doc)]
use crate::model::Conversation;
use crate::model::ConversationType;
use crate::time::Instant;
use crate::wire::body::{
    DeleteConversations, DeleteMessages, Elem, HopDirection, ModifyMessage, RemindType,
    MAX_DELETE_CONVERSATIONS, MAX_DELETE_MESSAGES,
};
use crate::wire::kind;

impl Client<'_> {
    /// TIM `deleteConversation`: the conversation leaves the list on every
    /// device of this user and its unread count is cleared; a later message
    /// brings it back. Its messages stay on the server (`message_list`).
    /// `RequestCompleted` once the server keeps the deletion.
    pub fn delete_conversation(
        &mut self,
        now: Instant,
        conversation_id: &str,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_delete_conversation(conversation_id))
    }

    /// TIM `deleteConversation` with a list: `conversation_ids` (separated
    /// by spaces, at most 100) leave the list on every device of this user,
    /// and with `clear_history` their histories end too (for this user).
    /// Each arrives deleted by a push before `RequestCompleted`.
    pub fn delete_conversations(
        &mut self,
        now: Instant,
        conversation_ids: &str,
        clear_history: bool,
    ) -> Result<RequestId, CommandError> {
        let req = DeleteConversations {
            conversations: conversation_ids,
            clear_history,
        };
        let mut count = 0;
        for id in req.ids() {
            ConversationType::parse(id).ok_or(CommandError::InvalidId)?;
            count += 1;
        }
        if count == 0 || count > MAX_DELETE_CONVERSATIONS {
            return Err(CommandError::InvalidId);
        }
        self.command(now, |st| {
            st.start_request(Op::DeleteConversations, kind::DELETE_CONVERSATIONS, &req)
        })
    }

    /// TIM `deleteMessage`: the messages `seqs` (decimal, separated by
    /// spaces, at most 30) of `conversation_id` leave this user's history
    /// on every device (the other users keep theirs). The user's other
    /// sessions get `Event::MessagesDeleted`; history pages and fetches no
    /// longer bring them. `RequestCompleted` once the server keeps it.
    pub fn delete_messages(
        &mut self,
        now: Instant,
        conversation_id: &str,
        seqs: &str,
    ) -> Result<RequestId, CommandError> {
        ConversationType::parse(conversation_id).ok_or(CommandError::InvalidId)?;
        let req = DeleteMessages {
            conversation: conversation_id,
            seqs,
        };
        let mut count = 0;
        for seq in req.seqs() {
            seq.filter(|&s| s > 0).ok_or(CommandError::InvalidId)?;
            count += 1;
        }
        if count == 0 || count > MAX_DELETE_MESSAGES {
            return Err(CommandError::InvalidId);
        }
        self.command(now, |st| {
            st.start_request(Op::DeleteMessages, kind::DELETE_MESSAGES, &req)
        })
    }

    /// TIM `modifyMessage`: the sender replaces message `seq` of
    /// `conversation_id` (a text message's text, a custom message's
    /// fields: `elem` of the same kind) and its cloud custom data.
    /// `version` is the one the edit was made on (`MessageView::extra`);
    /// an older one is refused with 2480. Every party, this client too,
    /// gets `Event::MessageModified`.
    pub fn modify_message(
        &mut self,
        now: Instant,
        conversation_id: &str,
        (seq, version): (u64, u32),
        elem: Elem<'_>,
        cloud_custom_data: &str,
    ) -> Result<RequestId, CommandError> {
        ConversationType::parse(conversation_id).ok_or(CommandError::InvalidId)?;
        if !matches!(elem, Elem::Text { .. } | Elem::Custom { .. }) {
            return Err(CommandError::NotSendable);
        }
        let req = ModifyMessage {
            conversation: conversation_id,
            seq,
            version,
            elem,
            cloud_custom_data,
        };
        self.command(now, |st| {
            st.start_request(Op::ModifyMessage, kind::MODIFY_MESSAGE, &req)
        })
    }

    /// TIM `pinConversation`: pins (or unpins) a conversation to the top of
    /// the list (`conversation_at`, [`Conversation::is_pinned`]) on every
    /// device of this user. The conversation must exist on the server (a
    /// message was sent or received in it), else the server refuses with
    /// 10004. `RequestCompleted` once the server keeps it.
    pub fn pin_conversation(
        &mut self,
        now: Instant,
        conversation_id: &str,
        pinned: bool,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_pin(conversation_id, pinned))
    }

    /// TIM `setMessageRemindType`: how the conversation's new messages
    /// reach this user on every device: `AcceptNotNotify` and `Discard`
    /// leave it out of `total_unread`, and `Discard` delivers its new
    /// messages to nobody (history keeps them). The conversation must
    /// exist on the server (10004 otherwise). `RequestCompleted` once kept.
    pub fn set_message_remind_type(
        &mut self,
        now: Instant,
        conversation_id: &str,
        remind: RemindType,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_remind(conversation_id, remind))
    }

    /// TIM `clearHistoryMessage`: the conversation's messages so far are
    /// gone for this user on every device (no history page or fetch reaches
    /// them; the other users keep theirs); it stays listed with no last
    /// message and nothing unread. `RequestCompleted` once the server keeps
    /// it.
    pub fn clear_history_message(
        &mut self,
        now: Instant,
        conversation_id: &str,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_clear_history(conversation_id))
    }

    /// TIM `revokeMessage`: takes back the message `seq` of a conversation.
    /// The sender may revoke a message for two minutes after sending it (the
    /// server's window, TIM's default: later ones fail with 20016); a
    /// group's owner and admins may revoke any member's message. The message
    /// becomes `Elem::Revoked` in every history, and a notice message
    /// (`Event::MessageRevoked`) tells every device of everyone in the
    /// conversation, in order with its messages. `RequestCompleted` once the
    /// server keeps it; revoking a revoked message succeeds again.
    pub fn revoke_message(
        &mut self,
        now: Instant,
        conversation_id: &str,
        seq: u64,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_revoke(conversation_id, seq))
    }

    /// TIM `getMessageList`: up to `count` messages before `before_seq` (0 for
    /// the newest), delivered newest first as `HistoryMessage` events, then
    /// `HistoryEnd` (whether the history is complete that way) and
    /// `RequestCompleted`.
    pub fn message_list(
        &mut self,
        now: Instant,
        conversation_id: &str,
        before_seq: u64,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| {
            st.start_history(conversation_id, before_seq, count)
        })
    }

    /// TIM `getMessageListHopping`: up to `count` messages of a
    /// conversation's history from `seq` (not included; `Older` from 0 is
    /// from the newest), `Older` newest first or `Newer` oldest first, as `HistoryMessage` events, then
    /// `HistoryEnd` and `RequestCompleted`. Only what the history holds for
    /// this user (a cleared history stays cleared); nothing is delivered
    /// as received.
    pub fn message_list_hopping(
        &mut self,
        now: Instant,
        conversation_id: &str,
        seq: u64,
        direction: HopDirection,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        match direction {
            HopDirection::Older => self.message_list(now, conversation_id, seq, count),
            HopDirection::Newer => self.command(now, |st| {
                st.start_history_after(conversation_id, seq, count)
            }),
        }
    }
}
