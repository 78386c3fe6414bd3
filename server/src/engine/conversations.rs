//! TIM `deleteConversation`: the conversation leaves the user's list on
//! every device (a tombstone in the user's row, synced like any change),
//! its unread count is cleared, and the next message brings it back. The
//! messages stay: `message_list` still pages them.
//!
//! TIM `pinConversation`: a flag in the user's row (or membership), synced
//! like any change and pushed to the user's other sessions; the client lists
//! pinned conversations first.
//!
//! TIM `clearHistoryMessage`: the user's history of the conversation ends
//! at its last seq (a floor in the user's row that history pages and
//! missed-message fetches respect); it stays listed, with no last message
//! and nothing unread, on every device. Other users keep theirs.

use tinyim_core::wire::{body, code, kind};
use tinyim_core::ConversationType;

use super::messages::invalid_conversation;
use super::{Engine, Handled, Refusal, Reply};
use crate::store::Store;

impl<S: Store> Engine<S> {
    pub(crate) fn delete_conversation(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::ConversationRef<'_>,
    ) -> Handled {
        match ConversationType::parse(req.conversation) {
            Some((ConversationType::Group, group_id)) => {
                // A group the user is not in has no row: nothing to hide.
                let group = self.store.group(group_id)?;
                let member = self.store.member(group_id, me)?;
                if let (Some(group), Some(mut member)) = (group, member) {
                    member.hidden_seq = group.last_seq;
                    member.read_seq = member.read_seq.max(group.last_seq);
                    self.store.put_member(&mut member)?;
                }
            }
            Some(_) => {
                if let Some(mut row) = self.store.conversation(me, req.conversation)? {
                    row.hidden_seq = row.last_seq;
                    row.read_seq = row.last_seq;
                    self.store.put_conversation(row)?;
                }
            }
            None => return Err(invalid_conversation()),
        }
        self.push_to_sessions(me, Some(reply.conn), kind::PUSH_CONVERSATION_DELETED, &req);
        self.respond(reply, &req);
        Ok(())
    }

    pub(crate) fn pin_conversation(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::PinConversation<'_>,
    ) -> Handled {
        let no_such = || Refusal::Code(code::INVALID_PARAMETER, "no such conversation");
        match ConversationType::parse(req.conversation) {
            Some((ConversationType::Group, group_id)) => {
                let mut member = self.store.member(group_id, me)?.ok_or_else(no_such)?;
                if member.pinned != req.pinned {
                    member.pinned = req.pinned;
                    self.store.put_member(&mut member)?;
                }
            }
            Some(_) => {
                let mut row = self
                    .store
                    .conversation(me, req.conversation)?
                    .ok_or_else(no_such)?;
                if row.pinned != req.pinned {
                    row.pinned = req.pinned;
                    self.store.put_conversation(row)?;
                }
            }
            None => return Err(invalid_conversation()),
        }
        self.push_to_sessions(me, Some(reply.conn), kind::PUSH_CONVERSATION_PINNED, &req);
        self.respond(reply, &req);
        Ok(())
    }

    pub(crate) fn clear_history(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::ConversationRef<'_>,
    ) -> Handled {
        match ConversationType::parse(req.conversation) {
            Some((ConversationType::Group, group_id)) => {
                // A group the user is not in has no history of theirs.
                let group = self.store.group(group_id)?;
                let member = self.store.member(group_id, me)?;
                if let (Some(group), Some(mut member)) = (group, member) {
                    member.cleared_seq = group.last_seq;
                    member.read_seq = member.read_seq.max(group.last_seq);
                    self.store.put_member(&mut member)?;
                }
            }
            Some(_) => {
                if let Some(mut row) = self.store.conversation(me, req.conversation)? {
                    row.cleared_seq = row.last_seq;
                    row.read_seq = row.last_seq;
                    row.last_from.clear();
                    row.preview.clear();
                    self.store.put_conversation(row)?;
                }
            }
            None => return Err(invalid_conversation()),
        }
        self.push_to_sessions(me, Some(reply.conn), kind::PUSH_HISTORY_CLEARED, &req);
        self.respond(reply, &req);
        Ok(())
    }
}
