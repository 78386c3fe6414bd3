//! Running a group: `updateGroupProfile`, `searchGroupByID`,
//! `changeGroupOwner`, join requests (`getGroupApplicationList`,
//! `handleGroupApplication`), the member calls of owners and admins
//! (`setGroupMemberRole`, `setGroupMemberMuteTime`,
//! `setGroupMemberNameCard`), `getGroupMemberProfile` and
//! `getGroupOnlineMemberCount`.

use js_sys::Promise;
use tinyim_core::wire::group::{GroupRole, ProfileChange};
use tinyim_core::CommandError;
use wasm_bindgen::prelude::*;

use crate::group_calls::join_option;
use crate::host::Collect;
use crate::read::{field, id_list, text};
use crate::Session;

/// Join requests a page lists at once (TIM lists them all).
const APPLICATION_PAGE: u16 = 100;

/// `updateGroupProfile`'s fields, copied out of JavaScript; `None` where
/// the page did not set one.
struct Change {
    name: Option<String>,
    introduction: Option<String>,
    notification: Option<String>,
    avatar: Option<String>,
    join_option: Option<String>,
    mute_all: Option<bool>,
}

impl Change {
    fn read(options: &JsValue) -> Self {
        let set = |key: &str| field(options, key).as_string();
        Self {
            name: set("name"),
            introduction: set("introduction"),
            notification: set("notification"),
            avatar: set("avatar"),
            join_option: set("joinOption"),
            mute_all: field(options, "muteAllMembers").as_bool(),
        }
    }

    fn change(&self) -> Result<ProfileChange<'_>, CommandError> {
        let join_option = match &self.join_option {
            None => None,
            Some(name) => Some(join_option(name).ok_or(CommandError::InvalidParameter)?),
        };
        Ok(ProfileChange {
            name: self.name.as_deref(),
            introduction: self.introduction.as_deref(),
            notification: self.notification.as_deref(),
            avatar: self.avatar.as_deref(),
            join_option,
            mute_all: self.mute_all,
            ..ProfileChange::default()
        })
    }
}

#[wasm_bindgen]
impl Session {
    /// TIM `updateGroupProfile({groupID, name, introduction, notification,
    /// avatar, joinOption, muteAllMembers})`.
    #[wasm_bindgen(js_name = updateGroupProfile)]
    pub fn update_group_profile(&self, options: JsValue) -> Promise {
        let group_id = text(&options, "groupID");
        let change = Change::read(&options);
        self.request(Collect::Unit, move |client, now| {
            client.update_group_profile(now, &group_id, &change.change()?)
        })
    }

    /// TIM `searchGroupByID(groupID)`: the profile record.
    #[wasm_bindgen(js_name = searchGroupByID)]
    pub fn search_group_by_id(&self, group_id: String) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.search_group_by_id(now, &group_id)
        })
    }

    /// TIM `changeGroupOwner({groupID, newOwnerID})`.
    #[wasm_bindgen(js_name = changeGroupOwner)]
    pub fn change_group_owner(&self, group_id: String, new_owner: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.change_group_owner(now, &group_id, &new_owner)
        })
    }

    /// TIM `getGroupApplicationList()`: the requests to groups this user
    /// runs.
    #[wasm_bindgen(js_name = getGroupApplicationList)]
    pub fn group_application_list(&self) -> Promise {
        self.request(Collect::Records, |client, now| {
            client.group_application_list(now, 0, APPLICATION_PAGE)
        })
    }

    /// TIM `handleGroupApplication({handleAction, handleMessage, ...})`:
    /// `agree` or not, `applicant`'s request to join `group_id`.
    #[wasm_bindgen(js_name = handleGroupApplication)]
    pub fn handle_group_application(
        &self,
        group_id: String,
        applicant: String,
        agree: bool,
        message: String,
    ) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.handle_group_application(now, &group_id, &applicant, agree, &message)
        })
    }

    /// TIM `setGroupMemberRole({groupID, userID, role})`, `role` `Admin` or
    /// `Member`.
    #[wasm_bindgen(js_name = setGroupMemberRole)]
    pub fn set_group_member_role(
        &self,
        group_id: String,
        user_id: String,
        role: String,
    ) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            let role = match role.as_str() {
                "Admin" => GroupRole::Admin,
                "Member" => GroupRole::Member,
                _ => return Err(CommandError::InvalidParameter),
            };
            client.set_group_member_role(now, &group_id, &user_id, role)
        })
    }

    /// TIM `setGroupMemberMuteTime({groupID, userID, muteTime})`, seconds
    /// (0 unmutes).
    #[wasm_bindgen(js_name = setGroupMemberMuteTime)]
    pub fn set_group_member_mute_time(
        &self,
        group_id: String,
        user_id: String,
        seconds: u32,
    ) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_group_member_mute_time(now, &group_id, &user_id, seconds)
        })
    }

    /// TIM `setGroupMemberNameCard({groupID, userID, nameCard})`.
    #[wasm_bindgen(js_name = setGroupMemberNameCard)]
    pub fn set_group_member_name_card(
        &self,
        group_id: String,
        user_id: String,
        name_card: String,
    ) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_group_member_name_card(now, &group_id, &user_id, &name_card)
        })
    }

    /// TIM `getGroupMemberProfile({groupID, userIDList})`: member records.
    #[wasm_bindgen(js_name = getGroupMemberProfile)]
    pub fn group_member_profile(&self, group_id: String, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.group_member_profile(now, &group_id, &users)
        })
    }

    /// TIM `getGroupOnlineMemberCount(groupID)`: the count record.
    #[wasm_bindgen(js_name = getGroupOnlineMemberCount)]
    pub fn group_online_member_count(&self, group_id: String) -> Promise {
        self.request(Collect::Records, move |client, now| {
            client.group_online_member_count(now, &group_id)
        })
    }
}
