//! Groups: `getGroupList`, `createGroup`, `joinGroup`, `quitGroup`,
//! `dismissGroup`, `getGroupProfile`, and the member calls.

use js_sys::{Array, Promise};
use tinyim_core::wire::group::{CreateGroup, GroupType, JoinOption, UserList};
use tinyim_core::CommandError;
use wasm_bindgen::prelude::*;

use crate::host::Collect;
use crate::js_object;
use crate::read::{field, id_list, number, text};
use crate::Session;

/// TIM's group type names (`TIM.TYPES.GRP_*`).
fn group_type(name: &str) -> Option<GroupType> {
    Some(match name {
        "Private" => GroupType::Work,
        "Public" => GroupType::Public,
        "ChatRoom" => GroupType::Meeting,
        "AVChatRoom" => GroupType::AvChatRoom,
        "Community" => GroupType::Community,
        _ => return None,
    })
}

/// TIM's join options (`TIM.TYPES.JOIN_OPTIONS_*`); `None` for the type's
/// default.
pub(crate) fn join_option(name: &str) -> Option<JoinOption> {
    Some(match name {
        "FreeAccess" => JoinOption::FreeAccess,
        "NeedPermission" => JoinOption::NeedPermission,
        "DisableApply" => JoinOption::DisableApply,
        _ => return None,
    })
}

/// `createGroup`'s options, copied out of JavaScript.
struct NewGroup {
    group_type: String,
    name: String,
    group_id: String,
    introduction: String,
    notification: String,
    avatar: String,
    max_members: u32,
    join_option: String,
    members: String,
}

impl NewGroup {
    fn read(options: &JsValue) -> Self {
        // TIM's `memberList` holds `{userID}` objects.
        let list = field(options, "memberList");
        let members: Array = if Array::is_array(&list) {
            Array::from(&list)
                .iter()
                .map(|member| field(&member, "userID"))
                .collect()
        } else {
            Array::new()
        };
        Self {
            group_type: text(options, "type"),
            name: text(options, "name"),
            group_id: text(options, "groupID"),
            introduction: text(options, "introduction"),
            notification: text(options, "notification"),
            avatar: text(options, "avatar"),
            max_members: number(options, "maxMemberNum") as u32,
            join_option: text(options, "joinOption"),
            members: id_list(&members.into()),
        }
    }

    fn request(&self) -> Result<CreateGroup<'_>, CommandError> {
        // TIM's default type is Work.
        let kind = match self.group_type.as_str() {
            "" => GroupType::Work,
            name => group_type(name).ok_or(CommandError::InvalidParameter)?,
        };
        let mut request = CreateGroup::new(kind, &self.name);
        request.group_id = &self.group_id;
        request.introduction = &self.introduction;
        request.notification = &self.notification;
        request.avatar = &self.avatar;
        request.max_members = self.max_members;
        request.members = UserList(&self.members);
        if let Some(option) = join_option(&self.join_option) {
            request.join_option = option;
        }
        Ok(request)
    }
}

#[wasm_bindgen]
impl Session {
    /// TIM `getGroupList()`: the groups this user is in.
    #[wasm_bindgen(js_name = getGroupList)]
    pub fn group_list(&self) -> Promise {
        self.value(|client| {
            let groups: Array = client.groups().map(js_object::group_entry).collect();
            groups.into()
        })
    }

    /// TIM `createGroup(options)`: resolves with the records (the new
    /// group's id).
    #[wasm_bindgen(js_name = createGroup)]
    pub fn create_group(&self, options: JsValue) -> Promise {
        let group = NewGroup::read(&options);
        self.request(Collect::Records, move |client, now| {
            client.create_group(now, &group.request()?)
        })
    }

    /// TIM `joinGroup({groupID, applyMessage})`: resolves with the join
    /// status record.
    #[wasm_bindgen(js_name = joinGroup)]
    pub fn join_group(&self, group_id: String, apply_message: String) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.join_group(now, &group_id, &apply_message)
        })
    }

    /// TIM `quitGroup(groupID)`.
    #[wasm_bindgen(js_name = quitGroup)]
    pub fn quit_group(&self, group_id: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.quit_group(now, &group_id)
        })
    }

    /// TIM `dismissGroup(groupID)`.
    #[wasm_bindgen(js_name = dismissGroup)]
    pub fn dismiss_group(&self, group_id: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.dismiss_group(now, &group_id)
        })
    }

    /// TIM `getGroupProfile({groupID})`: resolves with the profile record.
    #[wasm_bindgen(js_name = getGroupProfile)]
    pub fn group_profile(&self, group_id: String) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.group_profile(now, &group_id)
        })
    }

    /// TIM `getGroupMemberList({groupID, offset, count})`: member records,
    /// then the page record.
    #[wasm_bindgen(js_name = getGroupMemberList)]
    pub fn group_member_list(&self, group_id: String, offset: u32, count: u16) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.group_member_list(now, &group_id, offset, count)
        })
    }

    /// TIM `addGroupMember({groupID, userIDList})`.
    #[wasm_bindgen(js_name = addGroupMember)]
    pub fn add_group_member(&self, group_id: String, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.add_group_member(now, &group_id, &users)
        })
    }

    /// TIM `deleteGroupMember({groupID, userIDList, reason})`.
    #[wasm_bindgen(js_name = deleteGroupMember)]
    pub fn delete_group_member(&self, group_id: String, users: JsValue, reason: String) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.delete_group_member(now, &group_id, &users, &reason)
        })
    }
}
