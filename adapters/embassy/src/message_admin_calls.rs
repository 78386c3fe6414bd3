//! TIM's calls on a [`Handle`] that change or page through a conversation
//! (the `full` feature): delete, remind, receipts, pin, marks, custom data,
//! clear, revoke, delete and modify messages, history.

use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::call::{args, Applied};
use crate::handle::{Handle, HandleError};

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// TIM `deleteConversation`: the conversation leaves the list on every
    /// device of this user and its unread count is cleared, until a later
    /// message brings it back.
    pub async fn delete_conversation(&self, conversation_id: &str) -> Result<(), HandleError> {
        self.done(&conversation_id, |c, now, a| {
            Ok(Applied::Request(c.delete_conversation(now, args(a)?)?))
        })
        .await
    }

    /// TIM `setMessageRemindType`: muted (`AcceptNotNotify`, `Discard`)
    /// conversations leave `total_unread`, and a discarded one's new
    /// messages reach no event; on every device of this user.
    pub async fn set_message_remind_type(
        &self,
        conversation_id: &str,
        remind: tinyim_core::wire::body::RemindType,
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, remind), |c, now, a| {
            let (id, remind) = args(a)?;
            Ok(Applied::Request(
                c.set_message_remind_type(now, id, remind)?,
            ))
        })
        .await
    }

    /// TIM `sendMessageReadReceipt`: this device's user read messages
    /// `seqs` (decimal, separated by spaces, as `"3 4"`) of a group, each
    /// another member's asking for receipts.
    pub async fn send_message_read_receipt(
        &self,
        group_id: &str,
        seqs: &str,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, seqs), |c, now, a| {
            let (group, seqs) = args(a)?;
            Ok(Applied::Request(
                c.send_message_read_receipt(now, group, seqs)?,
            ))
        })
        .await
    }

    /// TIM `pinConversation`: pins (or unpins) a conversation to the top of
    /// the list (`conversation_at`) on every device of this user.
    pub async fn pin_conversation(
        &self,
        conversation_id: &str,
        pinned: bool,
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, pinned), |c, now, a| {
            let (id, pinned) = args(a)?;
            Ok(Applied::Request(c.pin_conversation(now, id, pinned)?))
        })
        .await
    }

    /// TIM `markConversation`: sets (`enable`) or clears the bits `marks`
    /// (`MARK_STAR` and the others of `tinyim_core::wire::conversation_data`)
    /// on a conversation, read back as `Conversation::marks`; on every
    /// device of this user.
    pub async fn mark_conversation(
        &self,
        conversation_id: &str,
        marks: u64,
        enable: bool,
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, marks, enable), |c, now, a| {
            let (id, marks, enable) = args(a)?;
            Ok(Applied::Request(
                c.mark_conversation(now, id, marks, enable)?,
            ))
        })
        .await
    }

    /// TIM `setConversationCustomData`: at most 256 bytes on a
    /// conversation, for every device of this user; empty removes it.
    pub async fn set_conversation_custom_data(
        &self,
        conversation_id: &str,
        data: &[u8],
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, data), |c, now, a| {
            let (id, data): (&str, &[u8]) = args(a)?;
            Ok(Applied::Request(
                c.set_conversation_custom_data(now, id, data)?,
            ))
        })
        .await
    }

    /// TIM `clearHistoryMessage`: the conversation's messages so far are
    /// gone for this user on every device; it stays listed with no last
    /// message and nothing unread.
    pub async fn clear_history_message(&self, conversation_id: &str) -> Result<(), HandleError> {
        self.done(&conversation_id, |c, now, a| {
            Ok(Applied::Request(c.clear_history_message(now, args(a)?)?))
        })
        .await
    }

    /// TIM `revokeMessage`: takes back the message `seq` of a conversation
    /// (its sender within two minutes, else 20016; a group's owner or admins
    /// any member's). Everyone in the conversation gets
    /// [`crate::OwnedEvent::MessageRevoked`].
    pub async fn revoke_message(&self, conversation_id: &str, seq: u64) -> Result<(), HandleError> {
        self.done(&(conversation_id, seq), |c, now, a| {
            let (id, seq) = args(a)?;
            Ok(Applied::Request(c.revoke_message(now, id, seq)?))
        })
        .await
    }

    /// TIM `deleteMessage`: the messages `seqs` (decimal, separated by
    /// spaces, at most 30) leave this user's history on every device.
    pub async fn delete_messages(
        &self,
        conversation_id: &str,
        seqs: &str,
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, seqs), |c, now, a| {
            let (id, seqs) = args(a)?;
            Ok(Applied::Request(c.delete_messages(now, id, seqs)?))
        })
        .await
    }

    /// TIM `modifyMessage` of a text message this user sent: its new
    /// `text`, made on `version` (`ReceivedMessage::version`; 2480 if the
    /// message was modified since); its cloud custom data is cleared.
    /// Every party gets [`crate::OwnedEvent::MessageModified`].
    pub async fn modify_text(
        &self,
        conversation_id: &str,
        (seq, version): (u64, u32),
        text: &str,
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, seq, version, text), |c, now, a| {
            let (id, seq, version, text) = args(a)?;
            let elem = tinyim_core::Elem::Text { text };
            Ok(Applied::Request(c.modify_message(
                now,
                id,
                (seq, version),
                elem,
                "",
            )?))
        })
        .await
    }

    /// TIM `getMessageList`: up to `count` messages of a conversation older
    /// than `before_seq` (0: the newest), delivered newest first as
    /// [`crate::OwnedEvent::HistoryMessage`] events before this returns. Read
    /// events in another task: the runner waits for room in the queue.
    pub async fn message_list(
        &self,
        conversation_id: &str,
        before_seq: u64,
        count: u16,
    ) -> Result<(), HandleError> {
        self.done(&(conversation_id, before_seq, count), |c, now, a| {
            let (id, before, count) = args(a)?;
            Ok(Applied::Request(c.message_list(now, id, before, count)?))
        })
        .await
    }
}
