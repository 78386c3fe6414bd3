//! TIM's group calls on [`Tim`]: each resolves when the server answers.

use crate::driver::{Answer, Command, Query};
use crate::error::TimError;
use crate::group::{
    GroupApplicationInfo, GroupCall, GroupData, GroupListEntry, GroupMemberInfo, GroupOptions,
    GroupProfileInfo, GroupProfileUpdate, GroupRole, JoinStatus, MemberPage,
};
use crate::tim::Tim;

impl Tim {
    pub(crate) async fn group(&self, call: GroupCall) -> Result<Vec<GroupData>, TimError> {
        self.call(|reply| Command::Group { call, reply }).await
    }

    async fn group_unit(&self, call: GroupCall) -> Result<(), TimError> {
        self.group(call).await.map(drop)
    }

    /// TIM `createGroup`: resolves to the group id.
    pub async fn create_group(&self, options: GroupOptions) -> Result<String, TimError> {
        match self.group(GroupCall::Create(options)).await?.as_slice() {
            [GroupData::Created(id), ..] => Ok(id.clone()),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// TIM `dismissGroup`.
    pub async fn dismiss_group(&self, group_id: &str) -> Result<(), TimError> {
        self.group_unit(GroupCall::Dismiss(group_id.to_owned()))
            .await
    }

    /// TIM `updateGroupProfile`.
    pub async fn update_group_profile(
        &self,
        group_id: &str,
        update: GroupProfileUpdate,
    ) -> Result<(), TimError> {
        self.group_unit(GroupCall::UpdateProfile(group_id.to_owned(), update))
            .await
    }

    async fn profile(&self, call: GroupCall) -> Result<GroupProfileInfo, TimError> {
        let mut records = self.group(call).await?.into_iter();
        let Some(GroupData::Profile(mut profile)) = records.next() else {
            return Err(TimError::UnexpectedAnswer);
        };
        profile.custom = records
            .filter_map(|r| match r {
                GroupData::Custom(k, v) => Some((k, v)),
                _ => None,
            })
            .collect();
        Ok(profile)
    }

    /// TIM `getGroupProfile`.
    pub async fn group_profile(&self, group_id: &str) -> Result<GroupProfileInfo, TimError> {
        self.profile(GroupCall::Profile(group_id.to_owned())).await
    }

    /// TIM `searchGroupByID` (not Work groups).
    pub async fn search_group_by_id(&self, group_id: &str) -> Result<GroupProfileInfo, TimError> {
        self.profile(GroupCall::Search(group_id.to_owned())).await
    }

    /// TIM `getGroupList`: the groups the client holds (refreshed at every
    /// login, kept current by the server's pushes).
    pub async fn group_list(&self) -> Result<Vec<GroupListEntry>, TimError> {
        match self.state(Query::Groups).await? {
            Answer::Groups(groups) => Ok(groups),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// TIM `joinGroup`.
    pub async fn join_group(
        &self,
        group_id: &str,
        apply_message: &str,
    ) -> Result<JoinStatus, TimError> {
        let call = GroupCall::Join(group_id.to_owned(), apply_message.to_owned());
        match self.group(call).await?.as_slice() {
            [GroupData::Join(status), ..] => Ok(*status),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// TIM `getGroupApplicationList`: every pending join request of the
    /// groups the user owns or administers.
    pub async fn group_application_list(&self) -> Result<Vec<GroupApplicationInfo>, TimError> {
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let mut next = None;
            for record in self.group(GroupCall::Applications(offset)).await? {
                match record {
                    GroupData::Application(a) => all.push(a),
                    GroupData::Page { next_offset, more } => {
                        next = more.then_some(next_offset);
                    }
                    _ => return Err(TimError::UnexpectedAnswer),
                }
            }
            match next {
                None => return Ok(all),
                Some(n) if n > offset => offset = n,
                // "More" from where this page began: asking again would
                // loop for ever.
                Some(_) => return Err(TimError::UnexpectedAnswer),
            }
        }
    }

    /// TIM `handleGroupApplication`.
    pub async fn handle_group_application(
        &self,
        group_id: &str,
        applicant: &str,
        agree: bool,
        message: &str,
    ) -> Result<(), TimError> {
        self.group_unit(GroupCall::HandleApplication {
            group_id: group_id.to_owned(),
            applicant: applicant.to_owned(),
            agree,
            message: message.to_owned(),
        })
        .await
    }

    /// TIM `quitGroup`.
    pub async fn quit_group(&self, group_id: &str) -> Result<(), TimError> {
        self.group_unit(GroupCall::Quit(group_id.to_owned())).await
    }

    /// TIM `addGroupMember` (invite).
    pub async fn add_group_member(&self, group_id: &str, users: &[&str]) -> Result<(), TimError> {
        self.group_unit(GroupCall::AddMembers(group_id.to_owned(), users.join(",")))
            .await
    }

    /// TIM `deleteGroupMember` (kick), telling them `reason`.
    pub async fn delete_group_member(
        &self,
        group_id: &str,
        users: &[&str],
        reason: &str,
    ) -> Result<(), TimError> {
        let call =
            GroupCall::DeleteMembers(group_id.to_owned(), users.join(","), reason.to_owned());
        self.group_unit(call).await
    }

    /// TIM `setGroupMemberRole`.
    pub async fn set_group_member_role(
        &self,
        group_id: &str,
        user_id: &str,
        role: GroupRole,
    ) -> Result<(), TimError> {
        self.group_unit(GroupCall::SetRole(
            group_id.to_owned(),
            user_id.to_owned(),
            role,
        ))
        .await
    }

    /// TIM `setGroupMemberMuteTime` (seconds; 0 unmutes).
    pub async fn set_group_member_mute_time(
        &self,
        group_id: &str,
        user_id: &str,
        mute_secs: u32,
    ) -> Result<(), TimError> {
        self.group_unit(GroupCall::Mute(
            group_id.to_owned(),
            user_id.to_owned(),
            mute_secs,
        ))
        .await
    }

    /// TIM `setGroupMemberNameCard`.
    pub async fn set_group_member_name_card(
        &self,
        group_id: &str,
        user_id: &str,
        name_card: &str,
    ) -> Result<(), TimError> {
        let call = GroupCall::NameCard(
            group_id.to_owned(),
            user_id.to_owned(),
            name_card.to_owned(),
        );
        self.group_unit(call).await
    }

    /// TIM `changeGroupOwner`.
    pub async fn change_group_owner(
        &self,
        group_id: &str,
        new_owner: &str,
    ) -> Result<(), TimError> {
        self.group_unit(GroupCall::ChangeOwner(
            group_id.to_owned(),
            new_owner.to_owned(),
        ))
        .await
    }

    /// TIM `getGroupMemberList`: one page of up to `count` (at most 100).
    pub async fn group_member_list(
        &self,
        group_id: &str,
        offset: u32,
        count: u16,
    ) -> Result<MemberPage, TimError> {
        let mut page = MemberPage {
            members: Vec::new(),
            next_offset: offset,
            more: false,
        };
        for record in self
            .group(GroupCall::MemberList(group_id.to_owned(), offset, count))
            .await?
        {
            match record {
                GroupData::Member(m) => page.members.push(m),
                GroupData::Page { next_offset, more } => {
                    page.next_offset = next_offset;
                    page.more = more;
                }
                _ => return Err(TimError::UnexpectedAnswer),
            }
        }
        Ok(page)
    }

    /// TIM `getGroupMemberProfile` (at most 50 users).
    pub async fn group_member_profile(
        &self,
        group_id: &str,
        users: &[&str],
    ) -> Result<Vec<GroupMemberInfo>, TimError> {
        let call = GroupCall::MemberProfile(group_id.to_owned(), users.join(","));
        Ok(self
            .group(call)
            .await?
            .into_iter()
            .filter_map(|r| match r {
                GroupData::Member(m) => Some(m),
                _ => None,
            })
            .collect())
    }

    /// TIM `getGroupOnlineMemberCount` (AVChatRoom).
    pub async fn group_online_member_count(&self, group_id: &str) -> Result<u32, TimError> {
        match self
            .group(GroupCall::OnlineCount(group_id.to_owned()))
            .await?
            .as_slice()
        {
            [GroupData::OnlineCount(n), ..] => Ok(*n),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// A custom group system notice (type 255) to `users`, or to every
    /// member when empty (owner and admins).
    pub async fn send_group_notice(
        &self,
        group_id: &str,
        users: &[&str],
        data: &str,
    ) -> Result<(), TimError> {
        let call = GroupCall::Notice(group_id.to_owned(), users.join(","), data.to_owned());
        self.group_unit(call).await
    }
}
