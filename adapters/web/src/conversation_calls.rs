//! Reading, deleting and editing on the conversation's side:
//! `setAllMessageRead`, `deleteMessage`, `modifyMessage`,
//! `clearHistoryMessage`, `getMessageListHopping`, `setMessageRemindType`,
//! `deleteConversation` for several, `markConversation`,
//! `setConversationCustomData`, `setConversationDraft`.

use js_sys::Promise;
use tinyim_core::wire::body::{HopDirection, ReadScope, RemindType};
use tinyim_core::CommandError;
use wasm_bindgen::prelude::*;

use crate::draft::Draft;
use crate::host::Collect;
use crate::read::{number, text};
use crate::Session;

#[wasm_bindgen]
impl Session {
    /// TIM `setAllMessageRead({scope})`: `readAllC2CMessage`,
    /// `readAllGroupMessage` or `readAllMsg`.
    #[wasm_bindgen(js_name = setAllMessageRead)]
    pub fn set_all_message_read(&self, scope: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            let scope = match scope.as_str() {
                "readAllC2CMessage" => ReadScope::C2c,
                "readAllGroupMessage" => ReadScope::Group,
                "readAllMsg" => ReadScope::All,
                _ => return Err(CommandError::InvalidParameter),
            };
            client.set_all_message_read(now, scope)
        })
    }

    /// TIM `deleteMessage(messageList)`: the messages `sequences`
    /// (separated by spaces) of one conversation, for this user.
    #[wasm_bindgen(js_name = deleteMessage)]
    pub fn delete_message(&self, conversation_id: String, sequences: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.delete_messages(now, &conversation_id, &sequences)
        })
    }

    /// TIM `modifyMessage(message)`: the sender's message as it now is
    /// (its payload and `cloudCustomData`), at the `version` it was read.
    #[wasm_bindgen(js_name = modifyMessage)]
    pub fn modify_message(&self, message: JsValue) -> Promise {
        let draft = Draft::read(&message, false);
        let conversation = text(&message, "conversationID");
        let seq = number(&message, "sequence") as u64;
        let version = number(&message, "version") as u32;
        self.request(Collect::Unit, move |client, now| {
            let outgoing = draft.outgoing()?;
            client.modify_message(
                now,
                &conversation,
                (seq, version),
                outgoing.elem,
                outgoing.cloud_custom_data,
            )
        })
    }

    /// TIM `clearHistoryMessage(conversationID)`.
    #[wasm_bindgen(js_name = clearHistoryMessage)]
    pub fn clear_history_message(&self, conversation_id: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.clear_history_message(now, &conversation_id)
        })
    }

    /// TIM `getMessageListHopping({conversationID, sequence, direction,
    /// count})`: `direction` 0 older, 1 newer.
    #[wasm_bindgen(js_name = getMessageListHopping)]
    pub fn message_list_hopping(
        &self,
        conversation_id: String,
        sequence: f64,
        direction: u8,
        count: u16,
    ) -> Promise {
        let direction = if direction == 1 {
            HopDirection::Newer
        } else {
            HopDirection::Older
        };
        self.request(Collect::History, move |client, now| {
            client.message_list_hopping(now, &conversation_id, sequence as u64, direction, count)
        })
    }

    /// TIM `setMessageRemindType`, one conversation:
    /// `AcceptAndNotify`, `AcceptNotNotify` or `Discard`.
    #[wasm_bindgen(js_name = setMessageRemindType)]
    pub fn set_message_remind_type(&self, conversation_id: String, remind: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            let remind = match remind.as_str() {
                "AcceptAndNotify" => RemindType::AcceptAndNotify,
                "AcceptNotNotify" => RemindType::AcceptNotNotify,
                "Discard" => RemindType::Discard,
                _ => return Err(CommandError::InvalidParameter),
            };
            client.set_message_remind_type(now, &conversation_id, remind)
        })
    }

    /// TIM `deleteConversation({conversationIDList, clearHistoryMessage})`:
    /// the ids separated by spaces.
    #[wasm_bindgen(js_name = deleteConversations)]
    pub fn delete_conversations(&self, conversation_ids: String, clear_history: bool) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.delete_conversations(now, &conversation_ids, clear_history)
        })
    }

    /// TIM `markConversation({conversationIDList, markType, enableMark})`:
    /// the ids separated by spaces, `mark_type` TIM's bit (1 star, 2
    /// unread, 4 fold, 8 hide).
    #[wasm_bindgen(js_name = markConversation)]
    pub fn mark_conversation(
        &self,
        conversation_ids: String,
        mark_type: f64,
        enable: bool,
    ) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.mark_conversation(now, &conversation_ids, mark_type as u64, enable)
        })
    }

    /// TIM `setConversationCustomData({conversationIDList, customData})`.
    #[wasm_bindgen(js_name = setConversationCustomData)]
    pub fn set_conversation_custom_data(&self, conversation_ids: String, data: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_conversation_custom_data(now, &conversation_ids, data.as_bytes())
        })
    }

    /// `setConversationDraft({conversationID, draftText})`, on every
    /// device of the user.
    #[wasm_bindgen(js_name = setConversationDraft)]
    pub fn set_conversation_draft(&self, conversation_id: String, draft: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_conversation_draft(now, &conversation_id, &draft)
        })
    }
}
