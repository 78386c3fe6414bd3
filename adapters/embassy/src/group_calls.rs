//! TIM's group calls on a [`Handle`]. Each returns when the server answers;
//! comma-separated user lists of the core are slices here.

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_core::model::GroupId;
use tinyim_core::wire::group::{CreateGroup, ProfileChange};
use tinyim_core::{Event, GroupRecord, GroupRole, JoinStatus};

use crate::call::{args, Applied, Reply};
use crate::handle::{Handle, HandleError, UserIds};

/// The record a group call answers with, if `event` is one.
fn record<'e, 'a>(event: &'e Event<'a>) -> Option<&'e GroupRecord<'a>> {
    match event {
        Event::GroupData { data, .. } => Some(data),
        _ => None,
    }
}

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// TIM `createGroup`: returns the new group's id (the chosen one, or the
    /// server's `@TGS#...`). The creator joins it at once.
    pub async fn create_group(&self, group: &CreateGroup<'_>) -> Result<GroupId, HandleError> {
        self.answered(
            group,
            |c, now, a| Ok(Applied::Request(c.create_group(now, &args(a)?)?)),
            |event, reply| {
                if let Some(GroupRecord::Created { group_id }) = record(event) {
                    if let Ok(id) = GroupId::try_from(*group_id) {
                        *reply = Reply::Created(id);
                    }
                }
            },
            |reply| match reply {
                Reply::Created(id) => Some(id),
                _ => None,
            },
        )
        .await
    }

    /// TIM `dismissGroup` (the owner).
    pub async fn dismiss_group(&self, group_id: &str) -> Result<(), HandleError> {
        self.done(&group_id, |c, now, a| {
            Ok(Applied::Request(c.dismiss_group(now, args(a)?)?))
        })
        .await
    }

    /// TIM `updateGroupProfile`.
    pub async fn update_group_profile(
        &self,
        group_id: &str,
        change: &ProfileChange<'_>,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, change), |c, now, a| {
            let (group, change) = args(a)?;
            Ok(Applied::Request(
                c.update_group_profile(now, group, &change)?,
            ))
        })
        .await
    }

    /// TIM `joinGroup`: joined, or waiting for an admin's approval.
    pub async fn join_group(
        &self,
        group_id: &str,
        apply_message: &str,
    ) -> Result<JoinStatus, HandleError> {
        self.answered(
            &(group_id, apply_message),
            |c, now, a| {
                let (group, message) = args(a)?;
                Ok(Applied::Request(c.join_group(now, group, message)?))
            },
            |event, reply| {
                if let Some(GroupRecord::Join(status)) = record(event) {
                    *reply = Reply::Joined(*status);
                }
            },
            |reply| match reply {
                Reply::Joined(status) => Some(status),
                _ => None,
            },
        )
        .await
    }

    /// TIM `quitGroup`.
    pub async fn quit_group(&self, group_id: &str) -> Result<(), HandleError> {
        self.done(&group_id, |c, now, a| {
            Ok(Applied::Request(c.quit_group(now, args(a)?)?))
        })
        .await
    }

    /// TIM `handleGroupApplication` (an owner or admin): accepts or rejects
    /// `applicant`'s request to join.
    pub async fn handle_group_application(
        &self,
        group_id: &str,
        applicant: &str,
        agree: bool,
        message: &str,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, applicant, agree, message), |c, now, a| {
            let (group, applicant, agree, message) = args(a)?;
            let request = c.handle_group_application(now, group, applicant, agree, message)?;
            Ok(Applied::Request(request))
        })
        .await
    }

    /// TIM `addGroupMember`.
    pub async fn add_group_member(
        &self,
        group_id: &str,
        users: &[&str],
    ) -> Result<(), HandleError> {
        self.done(&(group_id, UserIds::checked(users)?), |c, now, a| {
            let (group, users) = args(a)?;
            Ok(Applied::Request(c.add_group_member(now, group, users)?))
        })
        .await
    }

    /// TIM `deleteGroupMember`, with the reason the removed members are told.
    pub async fn delete_group_member(
        &self,
        group_id: &str,
        users: &[&str],
        reason: &str,
    ) -> Result<(), HandleError> {
        let a = (group_id, UserIds::checked(users)?, reason);
        self.done(&a, |c, now, a| {
            let (group, users, reason) = args(a)?;
            Ok(Applied::Request(
                c.delete_group_member(now, group, users, reason)?,
            ))
        })
        .await
    }

    /// TIM `setGroupMemberRole` (the owner).
    pub async fn set_group_member_role(
        &self,
        group_id: &str,
        user_id: &str,
        role: GroupRole,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, user_id, role), |c, now, a| {
            let (group, user, role) = args(a)?;
            Ok(Applied::Request(
                c.set_group_member_role(now, group, user, role)?,
            ))
        })
        .await
    }

    /// TIM `setGroupMemberMuteTime`: mutes `user_id` for `mute_secs` (0 unmutes).
    pub async fn set_group_member_mute_time(
        &self,
        group_id: &str,
        user_id: &str,
        mute_secs: u32,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, user_id, mute_secs), |c, now, a| {
            let (group, user, secs) = args(a)?;
            let request = c.set_group_member_mute_time(now, group, user, secs)?;
            Ok(Applied::Request(request))
        })
        .await
    }

    /// TIM `setGroupMemberNameCard`.
    pub async fn set_group_member_name_card(
        &self,
        group_id: &str,
        user_id: &str,
        name_card: &str,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, user_id, name_card), |c, now, a| {
            let (group, user, card) = args(a)?;
            let request = c.set_group_member_name_card(now, group, user, card)?;
            Ok(Applied::Request(request))
        })
        .await
    }

    /// TIM `changeGroupOwner`.
    pub async fn change_group_owner(
        &self,
        group_id: &str,
        new_owner: &str,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, new_owner), |c, now, a| {
            let (group, owner) = args(a)?;
            Ok(Applied::Request(c.change_group_owner(now, group, owner)?))
        })
        .await
    }

    /// TIM `getGroupOnlineMemberCount`.
    pub async fn group_online_member_count(&self, group_id: &str) -> Result<u32, HandleError> {
        self.answered(
            &group_id,
            |c, now, a| {
                Ok(Applied::Request(
                    c.group_online_member_count(now, args(a)?)?,
                ))
            },
            |event, reply| {
                if let Some(GroupRecord::OnlineCount(n)) = record(event) {
                    *reply = Reply::Number(u64::from(*n));
                }
            },
            |reply| match reply {
                Reply::Number(n) => u32::try_from(n).ok(),
                _ => None,
            },
        )
        .await
    }

    /// A custom group system notice (type 255, an owner or admin) with
    /// `data` to `users`, or to every member when `users` is empty.
    pub async fn send_group_notice(
        &self,
        group_id: &str,
        users: &[&str],
        data: &str,
    ) -> Result<(), HandleError> {
        self.done(&(group_id, UserIds::checked(users)?, data), |c, now, a| {
            let (group, users, data) = args(a)?;
            Ok(Applied::Request(
                c.send_group_notice(now, group, users, data)?,
            ))
        })
        .await
    }
}
