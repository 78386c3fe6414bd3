//! Messages and conversations: `sendMessage`, `getMessageList`,
//! `setMessageRead`, `revokeMessage`, and the conversation list calls.

use js_sys::Promise;
use tinyim_core::{CommandError, OutgoingMessage, Priority};
use wasm_bindgen::prelude::*;

use crate::host::Collect;
use crate::js_object::{self, num};
use crate::read::{field, flag, id_list, number, text};
use crate::Session;

/// A TIM `Message` object's sendable fields, copied out of JavaScript.
struct Draft {
    kind: String,
    to: String,
    group: bool,
    /// Text, or a custom or face element's data.
    text: String,
    description: String,
    extension: String,
    index: u32,
    longitude: f64,
    latitude: f64,
    cloud_custom_data: String,
    at_users: String,
    priority: Priority,
    need_read_receipt: bool,
    online_only: bool,
}

impl Draft {
    fn read(message: &JsValue, online_only: bool) -> Self {
        let payload = field(message, "payload");
        let priority = match text(message, "priority").as_str() {
            "High" => Priority::High,
            "Low" => Priority::Low,
            "Lowest" => Priority::Lowest,
            _ => Priority::Normal,
        };
        let kind = text(message, "type");
        let body = if kind == "TIMTextElem" {
            "text"
        } else {
            "data"
        };
        Self {
            to: text(message, "to"),
            group: text(message, "conversationType") == "GROUP",
            text: text(&payload, body),
            description: text(&payload, "description"),
            extension: text(&payload, "extension"),
            index: number(&payload, "index") as u32,
            longitude: number(&payload, "longitude"),
            latitude: number(&payload, "latitude"),
            cloud_custom_data: text(message, "cloudCustomData"),
            at_users: id_list(&field(message, "atUserList")),
            priority,
            need_read_receipt: flag(message, "needReadReceipt"),
            online_only,
            kind,
        }
    }

    /// The core's message, or `InvalidParameter` for a kind a page cannot
    /// send without an upload (images, files, sound and video need the
    /// upload service, which this adapter does not drive yet).
    fn outgoing(&self) -> Result<OutgoingMessage<'_>, CommandError> {
        let mut message = match self.kind.as_str() {
            "TIMTextElem" => OutgoingMessage::text(&self.to, &self.text),
            "TIMCustomElem" => {
                OutgoingMessage::custom(&self.to, &self.text, &self.description, &self.extension)
            }
            "TIMFaceElem" => OutgoingMessage::face(&self.to, self.index, &self.text),
            "TIMLocationElem" => OutgoingMessage::location(
                &self.to,
                &self.description,
                self.longitude,
                self.latitude,
            ),
            _ => return Err(CommandError::InvalidParameter),
        };
        if self.group {
            message = message.to_group();
        }
        if self.online_only {
            message = message.online_only();
        }
        if self.need_read_receipt {
            message = message.with_read_receipt();
        }
        Ok(message
            .with_priority(self.priority)
            .with_cloud_custom_data(&self.cloud_custom_data)
            .with_at_users(&self.at_users))
    }
}

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
