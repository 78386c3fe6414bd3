//! TIM's relationship chain, in the `friendship` build only (as TIM keeps
//! it in `tim-js-friendship`; the plain build answers these calls with
//! 2998): friends, applications and friend groups. Each resolves with the
//! answer's records; `tim.js` shapes them into TIM's objects and pages
//! through long lists.

use js_sys::Promise;
use tinyim_core::wire::friend::{AddFriend, ApplicationType, Both, Response, UpdateFriend};
use tinyim_core::wire::group::CustomField;
use wasm_bindgen::prelude::*;

use crate::host::Collect;
use crate::read::{id_list, text};
use crate::Session;

/// Records a friend list, application or friend group page asks for: the
/// most the server gives at once.
const PAGE: u16 = 100;

/// TIM's `Add_Type_*`, `Delete_Type_*` and `CheckResult_Type_*` choices:
/// "Single" is one way, anything else both ways (TIM's default).
fn both(choice: &str) -> Both {
    if choice.ends_with("_Single") {
        Both::Single
    } else {
        Both::Both
    }
}

#[wasm_bindgen]
impl Session {
    /// TIM `addFriend(options)`: a record saying whether they are friends
    /// now or an application waits.
    #[wasm_bindgen(js_name = addFriend)]
    pub fn add_friend(&self, options: JsValue) -> Promise {
        let field = |key: &str| text(&options, key);
        let (to, remark, group_name) = (field("to"), field("remark"), field("groupName"));
        let (source, wording, add_type) = (field("source"), field("wording"), field("type"));
        self.request(Collect::Records, move |client, now| {
            let add = AddFriend {
                to: &to,
                add_type: both(&add_type),
                remark: &remark,
                group_name: &group_name,
                source: &source,
                wording: &wording,
            };
            client.add_friend(now, &add)
        })
    }

    /// TIM `deleteFriend({userIDList, type})`.
    #[wasm_bindgen(js_name = deleteFriend)]
    pub fn delete_friend(&self, users: JsValue, delete_type: String) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.delete_friend(now, &users, both(&delete_type))
        })
    }

    /// TIM `checkFriend({userIDList, type})`: a record per user.
    #[wasm_bindgen(js_name = checkFriend)]
    pub fn check_friend(&self, users: JsValue, check_type: String) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.check_friend(now, &users, both(&check_type))
        })
    }

    /// A page of TIM `getFriendList()` from `offset`.
    #[wasm_bindgen(js_name = getFriendList)]
    pub fn friend_list(&self, offset: u32) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.friend_list(now, offset, PAGE)
        })
    }

    /// TIM `getFriendProfile({userIDList})`.
    #[wasm_bindgen(js_name = getFriendProfile)]
    pub fn friend_profile(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.friend_profile(now, &users)
        })
    }

    /// TIM `updateFriend`: the remark when `remark` is a string, and one
    /// custom field when `key` is not empty (`tim.js` makes a call per
    /// field).
    #[wasm_bindgen(js_name = updateFriend)]
    pub fn update_friend(
        &self,
        user_id: String,
        remark: Option<String>,
        key: String,
        value: String,
    ) -> Promise {
        self.request(Collect::Records, move |client, now| {
            let update = UpdateFriend {
                user_id: &user_id,
                remark: remark.as_deref(),
                custom: (!key.is_empty()).then_some(CustomField {
                    key: &key,
                    value: &value,
                }),
            };
            client.update_friend(now, &update)
        })
    }

    /// A page of TIM `getFriendApplicationList()` from `offset`.
    #[wasm_bindgen(js_name = getFriendApplicationList)]
    pub fn friend_applications(&self, offset: u32) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.friend_applications(now, offset, PAGE)
        })
    }

    /// TIM `acceptFriendApplication({userID, remark, type})`.
    #[wasm_bindgen(js_name = acceptFriendApplication)]
    pub fn accept_friend_application(
        &self,
        user_id: String,
        remark: String,
        accept_type: String,
    ) -> Promise {
        let response = match accept_type.as_str() {
            "Response_Action_AgreeAndAdd" => Response::AgreeAndAdd,
            _ => Response::Agree,
        };
        self.request(Collect::Unit, move |client, now| {
            client.accept_friend_application(now, &user_id, response, &remark)
        })
    }

    /// TIM `refuseFriendApplication({userID})`.
    #[wasm_bindgen(js_name = refuseFriendApplication)]
    pub fn refuse_friend_application(&self, user_id: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.refuse_friend_application(now, &user_id)
        })
    }

    /// TIM `deleteFriendApplication({userID, type})`.
    #[wasm_bindgen(js_name = deleteFriendApplication)]
    pub fn delete_friend_application(&self, user_id: String, application_type: String) -> Promise {
        let application_type = match application_type.as_str() {
            "Pendency_Type_SendOut" => ApplicationType::SendOut,
            _ => ApplicationType::ComeIn,
        };
        self.request(Collect::Unit, move |client, now| {
            client.delete_friend_application(now, &user_id, application_type)
        })
    }

    /// TIM `setFriendApplicationRead()`.
    #[wasm_bindgen(js_name = setFriendApplicationRead)]
    pub fn set_friend_applications_read(&self) -> Promise {
        self.request(Collect::Unit, |client, now| {
            client.set_friend_applications_read(now)
        })
    }

    /// A page of TIM `getFriendGroupList()` from `offset`.
    #[wasm_bindgen(js_name = getFriendGroupList)]
    pub fn friend_groups(&self, offset: u32) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.friend_groups(now, offset, PAGE)
        })
    }

    /// TIM `createFriendGroup({name, userIDList})`.
    #[wasm_bindgen(js_name = createFriendGroup)]
    pub fn create_friend_group(&self, name: String, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.create_friend_group(now, &name, &users)
        })
    }

    /// TIM `deleteFriendGroup({name})`.
    #[wasm_bindgen(js_name = deleteFriendGroup)]
    pub fn delete_friend_group(&self, name: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.delete_friend_group(now, &name)
        })
    }

    /// TIM `renameFriendGroup({oldName, newName})`.
    #[wasm_bindgen(js_name = renameFriendGroup)]
    pub fn rename_friend_group(&self, name: String, new_name: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.rename_friend_group(now, &name, &new_name)
        })
    }

    /// TIM `addToFriendGroup({name, userIDList})`.
    #[wasm_bindgen(js_name = addToFriendGroup)]
    pub fn add_to_friend_group(&self, name: String, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.add_to_friend_group(now, &name, &users)
        })
    }

    /// TIM `removeFromFriendGroup({name, userIDList})`.
    #[wasm_bindgen(js_name = removeFromFriendGroup)]
    pub fn remove_from_friend_group(&self, name: String, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.remove_from_friend_group(now, &name, &users)
        })
    }
}
