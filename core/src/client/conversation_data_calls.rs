//! TIM `markConversation`, `setConversationCustomData` and the draft on
//! [`Client`], and the query that reads the data back. Each queues one
//! request and returns its id; what changed comes to every session of the
//! user as a push, and a query's records arrive as `Event::UserData`, then
//! `RequestCompleted` (or `RequestFailed` with the server's code).

use super::{Client, CommandError, RequestId};
use crate::model::ConversationType;
use crate::time::Instant;
use crate::wire::conversation_data::{
    ConversationDataQuery, ConversationList, DataChange, SetConversationData,
    MAX_CONVERSATION_CUSTOM_DATA, MAX_DATA_CONVERSATIONS, MAX_DRAFT,
};
use crate::wire::kind;

/// `conversations` (ids separated by spaces) as a list of 1 to
/// [`MAX_DATA_CONVERSATIONS`] well-formed ids.
fn checked(conversations: &str) -> Result<ConversationList<'_>, CommandError> {
    let list = ConversationList(conversations);
    let mut count = 0;
    for id in list.ids() {
        if ConversationType::parse(id).is_none() {
            return Err(CommandError::InvalidId);
        }
        count += 1;
    }
    if count == 0 || count > MAX_DATA_CONVERSATIONS {
        return Err(CommandError::InvalidId);
    }
    Ok(list)
}

impl Client<'_> {
    fn set_conversation_data(
        &mut self,
        now: Instant,
        conversations: &str,
        change: DataChange<'_>,
    ) -> Result<RequestId, CommandError> {
        let conversations = checked(conversations)?;
        let req = SetConversationData {
            conversations,
            change,
        };
        self.user_call(now, kind::SET_CONVERSATION_DATA, &req)
    }

    /// TIM `markConversation`: sets (`enable`) or clears the bits `marks`
    /// (`MARK_STAR`, `MARK_UNREAD`, `MARK_FOLD`, `MARK_HIDE` of
    /// [`crate::wire::conversation_data`], or the application's own from
    /// bit 32) on `conversations` (ids separated by spaces, at most 100).
    /// Hidden ones leave the list until their next message.
    pub fn mark_conversation(
        &mut self,
        now: Instant,
        conversations: &str,
        marks: u64,
        enable: bool,
    ) -> Result<RequestId, CommandError> {
        if marks == 0 {
            return Err(CommandError::InvalidParameter);
        }
        self.set_conversation_data(now, conversations, DataChange::Marks { marks, enable })
    }

    /// TIM `setConversationCustomData`: at most 256 bytes of the
    /// application's own on `conversations` (ids separated by spaces, at
    /// most 100); empty removes it.
    pub fn set_conversation_custom_data(
        &mut self,
        now: Instant,
        conversations: &str,
        data: &[u8],
    ) -> Result<RequestId, CommandError> {
        if data.len() > MAX_CONVERSATION_CUSTOM_DATA {
            return Err(CommandError::TooLarge);
        }
        self.set_conversation_data(now, conversations, DataChange::CustomData(data))
    }

    /// The draft of a conversation (TIM's C SDK `setConversationDraft`):
    /// at most 1 KB of text, kept for every device of the user; empty
    /// removes it.
    pub fn set_conversation_draft(
        &mut self,
        now: Instant,
        conversation: &str,
        draft: &str,
    ) -> Result<RequestId, CommandError> {
        if draft.len() > MAX_DRAFT {
            return Err(CommandError::TooLarge);
        }
        if conversation.contains(' ') {
            return Err(CommandError::InvalidId);
        }
        self.set_conversation_data(now, conversation, DataChange::Draft(draft))
    }

    /// The custom data, draft and last message's sender stamps of
    /// `conversations` (ids separated by spaces, at most 100). Answer: a
    /// `UserRecord::ConversationData` per conversation the user has, as
    /// many as fit the frame, then `Page`, whose `next_offset` counts the
    /// ids answered.
    pub fn conversation_data(
        &mut self,
        now: Instant,
        conversations: &str,
    ) -> Result<RequestId, CommandError> {
        let conversations = checked(conversations)?;
        self.user_call(
            now,
            kind::CONVERSATION_DATA,
            &ConversationDataQuery { conversations },
        )
    }
}
