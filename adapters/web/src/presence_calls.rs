//! Read receipts in groups (`sendMessageReadReceipt`,
//! `getMessageReadReceiptList`, `getGroupMessageReadMemberList`) and presence (`setSelfStatus`,
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

    /// A page of TIM `getGroupMessageReadMemberList`: the members of group
    /// `group_id` who read message `sequence` (`read`) or have not, from
    /// `offset`.
    #[wasm_bindgen(js_name = getGroupMessageReadMemberList)]
    pub fn group_message_read_members(
        &self,
        group_id: String,
        sequence: f64,
        read: bool,
        offset: u32,
        count: u16,
    ) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.group_message_read_members(
                now,
                &group_id,
                sequence as u64,
                read,
                (offset, count),
            )
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
