//! TIM's group calls on [`Client`]. Each queues one request and returns its
//! id; the answer's records arrive as `Event::GroupData` for that id, then
//! `RequestCompleted` (or `RequestFailed` with the server's code). The rules
//! (who may do what in which group type) are the server's.

use super::Event;
use super::{Client, CommandError, RequestId};
use crate::model::valid_group_id;
use crate::time::Instant;
use crate::wire::group::GroupRecord;
use crate::wire::group::{
    ChangeOwner, CreateGroup, CustomNotice, GroupRef, GroupRole, HandleApplication, JoinGroup,
    ListPage, MemberChange, ProfileChange, SetMemberMute, SetMemberRole, SetNameCard,
    UpdateGroupProfile, UserList,
};
use crate::wire::kind;
use crate::wire::records::{self, DecodeError};

pub(super) fn checked(group_id: &str) -> Result<&str, CommandError> {
    if valid_group_id(group_id) {
        Ok(group_id)
    } else {
        Err(CommandError::InvalidGroupId)
    }
}

impl Client<'_> {
    pub(super) fn group_call<T: serde::Serialize>(
        &mut self,
        now: Instant,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        self.records_call(now, read_group_record, frame_kind, payload)
    }

    /// A group call that adds a group to the user's list needs room for it.
    fn needs_group_room(&self) -> Result<(), CommandError> {
        if self.st.groups.rows.is_full() {
            return Err(CommandError::GroupTableFull);
        }
        Ok(())
    }

    /// TIM `createGroup`. Answer: `GroupRecord::Created` with the group id
    /// (server-made `@TGS#...` when `group_id` is empty).
    pub fn create_group(
        &mut self,
        now: Instant,
        request: &CreateGroup<'_>,
    ) -> Result<RequestId, CommandError> {
        if !request.group_id.is_empty() {
            checked(request.group_id)?;
        }
        self.needs_group_room()?;
        self.group_call(now, kind::CREATE_GROUP, request)
    }

    /// TIM `dismissGroup` (owner only).
    pub fn dismiss_group(
        &mut self,
        now: Instant,
        group_id: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        self.group_call(now, kind::DISMISS_GROUP, &GroupRef { group_id })
    }

    /// TIM `updateGroupProfile`: the fields set in `change`.
    pub fn update_group_profile(
        &mut self,
        now: Instant,
        group_id: &str,
        change: &ProfileChange<'_>,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = UpdateGroupProfile {
            group_id,
            change: *change,
        };
        self.group_call(now, kind::UPDATE_GROUP_PROFILE, &request)
    }

    /// TIM `getGroupProfile`. Answer: `GroupRecord::Profile`, then one
    /// `GroupRecord::Custom` per custom field (members only), then `Page`.
    pub fn group_profile(
        &mut self,
        now: Instant,
        group_id: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        self.group_call(now, kind::GROUP_PROFILE, &GroupRef { group_id })
    }

    /// TIM `searchGroupByID` (any type but Work). Answer as `group_profile`.
    pub fn search_group_by_id(
        &mut self,
        now: Instant,
        group_id: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        self.group_call(now, kind::SEARCH_GROUP, &GroupRef { group_id })
    }

    /// TIM `joinGroup`. Answer: `GroupRecord::Join` (joined, waiting for an
    /// admin's approval, or already a member).
    pub fn join_group(
        &mut self,
        now: Instant,
        group_id: &str,
        apply_message: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        self.needs_group_room()?;
        let request = JoinGroup {
            group_id,
            apply_message,
        };
        self.group_call(now, kind::JOIN_GROUP, &request)
    }

    /// TIM `getGroupApplicationList`: pending join requests of the groups the
    /// user owns or administers. Answer: `GroupRecord::Application`s, then
    /// `Page` (ask again from its `next_offset` while `more`).
    pub fn group_application_list(
        &mut self,
        now: Instant,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        let request = ListPage {
            group_id: "",
            offset,
            count,
        };
        self.group_call(now, kind::GROUP_APPLICATIONS, &request)
    }

    /// TIM `handleGroupApplication`: agree (the applicant joins) or reject.
    pub fn handle_group_application(
        &mut self,
        now: Instant,
        group_id: &str,
        applicant: &str,
        agree: bool,
        message: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = HandleApplication {
            group_id,
            applicant,
            agree,
            message,
        };
        self.group_call(now, kind::HANDLE_APPLICATION, &request)
    }

    /// TIM `quitGroup`.
    pub fn quit_group(&mut self, now: Instant, group_id: &str) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        self.group_call(now, kind::QUIT_GROUP, &GroupRef { group_id })
    }

    /// TIM `addGroupMember`: invite `users` (comma-separated user ids).
    pub fn add_group_member(
        &mut self,
        now: Instant,
        group_id: &str,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = MemberChange {
            group_id,
            users: UserList(users),
            reason: "",
        };
        self.group_call(now, kind::ADD_MEMBERS, &request)
    }

    /// TIM `deleteGroupMember`: kick `users` (comma-separated), telling them
    /// `reason`.
    pub fn delete_group_member(
        &mut self,
        now: Instant,
        group_id: &str,
        users: &str,
        reason: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = MemberChange {
            group_id,
            users: UserList(users),
            reason,
        };
        self.group_call(now, kind::DELETE_MEMBERS, &request)
    }

    /// TIM `setGroupMemberRole`: `Admin` or `Member` (owner only).
    pub fn set_group_member_role(
        &mut self,
        now: Instant,
        group_id: &str,
        user_id: &str,
        role: GroupRole,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = SetMemberRole {
            group_id,
            user_id,
            role,
        };
        self.group_call(now, kind::SET_MEMBER_ROLE, &request)
    }

    /// TIM `setGroupMemberMuteTime`: mute for `mute_secs` seconds, 0 unmutes.
    pub fn set_group_member_mute_time(
        &mut self,
        now: Instant,
        group_id: &str,
        user_id: &str,
        mute_secs: u32,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = SetMemberMute {
            group_id,
            user_id,
            mute_secs,
        };
        self.group_call(now, kind::SET_MEMBER_MUTE, &request)
    }

    /// TIM `setGroupMemberNameCard`.
    pub fn set_group_member_name_card(
        &mut self,
        now: Instant,
        group_id: &str,
        user_id: &str,
        name_card: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = SetNameCard {
            group_id,
            user_id,
            name_card,
        };
        self.group_call(now, kind::SET_NAME_CARD, &request)
    }

    /// TIM `changeGroupOwner`: the owner becomes a plain member.
    pub fn change_group_owner(
        &mut self,
        now: Instant,
        group_id: &str,
        new_owner: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = ChangeOwner {
            group_id,
            new_owner,
        };
        self.group_call(now, kind::CHANGE_OWNER, &request)
    }

    /// TIM `getGroupMemberList`: up to `count` (at most 100) members from
    /// `offset`, fewer when the client's frame is full. Answer:
    /// `GroupRecord::Member`s, then `Page`.
    pub fn group_member_list(
        &mut self,
        now: Instant,
        group_id: &str,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = ListPage {
            group_id,
            offset,
            count,
        };
        self.group_call(now, kind::MEMBER_LIST, &request)
    }

    /// TIM `getGroupMemberProfile`: `users` (comma-separated, at most 50).
    /// Answer: a `GroupRecord::Member` per member found, then `Page`.
    pub fn group_member_profile(
        &mut self,
        now: Instant,
        group_id: &str,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = MemberChange {
            group_id,
            users: UserList(users),
            reason: "",
        };
        self.group_call(now, kind::MEMBER_PROFILE, &request)
    }

    /// TIM `getGroupOnlineMemberCount` (AVChatRoom). Answer:
    /// `GroupRecord::OnlineCount`.
    pub fn group_online_member_count(
        &mut self,
        now: Instant,
        group_id: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        self.group_call(now, kind::ONLINE_MEMBER_COUNT, &GroupRef { group_id })
    }

    /// A custom group system notice (type 255) from an owner or admin to
    /// `users` (comma-separated; empty for every member).
    pub fn send_group_notice(
        &mut self,
        now: Instant,
        group_id: &str,
        users: &str,
        data: &str,
    ) -> Result<RequestId, CommandError> {
        let group_id = checked(group_id)?;
        let request = CustomNotice {
            group_id,
            users: UserList(users),
            data,
        };
        self.group_call(now, kind::CUSTOM_NOTICE, &request)
    }
}

/// Reads a group call's record into `Event::GroupData`.
fn read_group_record(request: RequestId, bytes: &[u8]) -> Result<(Event<'_>, &[u8]), DecodeError> {
    records::take::<GroupRecord<'_>>(bytes)
        .map(|(data, rest)| (Event::GroupData { request, data }, rest))
}
