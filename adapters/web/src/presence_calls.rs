//! Read receipts in groups (`sendMessageReadReceipt`,
//! `getMessageReadReceiptList`) and presence (`setSelfStatus`,
//! `getUserStatus`, `subscribeUserStatus`, `unsubscribeUserStatus`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::host::Collect;
use crate::read::id_list;
use crate::Session;

#[wasm_bindgen]
impl Session {
    /// TIM `sendMessageReadReceipt(messageList)`: messages `sequences`
    /// (separated by spaces) of group `group_id`.
    #[wasm_bindgen(js_name = sendMessageReadReceipt)]
    pub fn send_message_read_receipt(&self, group_id: String, sequences: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.send_message_read_receipt(now, &group_id, &sequences)
        })
    }

    /// TIM `getMessageReadReceiptList(messageList)`: a receipt record per
    /// message (read and unread counts).
    #[wasm_bindgen(js_name = getMessageReadReceiptList)]
    pub fn message_read_receipts(&self, group_id: String, sequences: String) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.message_read_receipts(now, &group_id, &sequences)
        })
    }

    /// TIM `setSelfStatus({customStatus})`.
    #[wasm_bindgen(js_name = setSelfStatus)]
    pub fn set_self_status(&self, custom_status: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_self_status(now, &custom_status)
        })
    }

    /// TIM `getUserStatus({userIDList})`: a status record per user.
    #[wasm_bindgen(js_name = getUserStatus)]
    pub fn user_status(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.user_status(now, &users)
        })
    }

    /// TIM `subscribeUserStatus({userIDList})`: `USER_STATUS_UPDATED` as
    /// they come and go.
    #[wasm_bindgen(js_name = subscribeUserStatus)]
    pub fn subscribe_user_status(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.subscribe_user_status(now, &users)
        })
    }

    /// TIM `unsubscribeUserStatus({userIDList})`.
    #[wasm_bindgen(js_name = unsubscribeUserStatus)]
    pub fn unsubscribe_user_status(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.unsubscribe_user_status(now, &users)
        })
    }
}
