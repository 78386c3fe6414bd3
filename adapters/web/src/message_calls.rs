//! Messages and conversations: `sendMessage`, `getMessageList`,
//! `setMessageRead`, `revokeMessage`, and the conversation list calls.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::draft::Draft;
use crate::host::Collect;
use crate::js_object::{self, num};
use crate::Session;

#[wasm_bindgen]
impl Session {
    /// TIM `sendMessage(message, {onlineUserOnly})` for a message made by
    /// the `create*Message` calls: resolves with `{ID, sequence, time}`
    /// once the server stored it.
    #[wasm_bindgen(js_name = sendMessage)]
    pub fn send_message(&self, message: JsValue, online_only: bool) -> Promise {
        let draft = Draft::read(&message, online_only);
        self.request(Collect::Send, move |client, now| {
            client.send_message(now, &draft.outgoing()?)
        })
    }

    /// TIM `getMessageList({conversationID})`: up to `count` messages before
    /// `before_sequence` (0: the newest), oldest first, with `isCompleted`.
    #[wasm_bindgen(js_name = getMessageList)]
    pub fn message_list(
        &self,
        conversation_id: String,
        before_sequence: f64,
        count: u16,
    ) -> Promise {
        self.request(Collect::History, move |client, now| {
            client.message_list(now, &conversation_id, before_sequence as u64, count)
        })
    }

    /// TIM `setMessageRead({conversationID})`.
    #[wasm_bindgen(js_name = setMessageRead)]
    pub fn set_message_read(&self, conversation_id: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_message_read(now, &conversation_id)
        })
    }

    /// TIM `revokeMessage(message)`, by conversation and sequence.
    #[wasm_bindgen(js_name = revokeMessage)]
    pub fn revoke_message(&self, conversation_id: String, sequence: f64) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.revoke_message(now, &conversation_id, sequence as u64)
        })
    }

    /// TIM `getConversationList()`: the array of conversations.
    #[wasm_bindgen(js_name = getConversationList)]
    pub fn conversation_list(&self) -> Promise {
        self.value(|client| crate::conversation_list(client).into())
    }

    /// TIM `getConversationProfile(conversationID)`: the conversation, or
    /// `null` when the client has no such conversation.
    #[wasm_bindgen(js_name = getConversationProfile)]
    pub fn conversation_profile(&self, conversation_id: String) -> Promise {
        self.value(move |client| match client.conversation(&conversation_id) {
            Some(c) => js_object::conversation(c, client.group(c.target())),
            None => JsValue::NULL,
        })
    }

    /// TIM `getTotalUnreadMessageCount()`.
    #[wasm_bindgen(js_name = getTotalUnreadMessageCount)]
    pub fn total_unread(&self) -> Promise {
        self.value(|client| num(client.total_unread()))
    }

    /// TIM `deleteConversation(conversationID)`.
    #[wasm_bindgen(js_name = deleteConversation)]
    pub fn delete_conversation(&self, conversation_id: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.delete_conversation(now, &conversation_id)
        })
    }

    /// TIM `pinConversation({conversationID, isPinned})`.
    #[wasm_bindgen(js_name = pinConversation)]
    pub fn pin_conversation(&self, conversation_id: String, pinned: bool) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.pin_conversation(now, &conversation_id, pinned)
        })
    }
}
