//! Membership: join and applications, quit, invite, kick, roles, mutes,
//! name cards, ownership, member lists.

use tinyim_core::wire::code;
use tinyim_core::wire::group::{
    ChangeOwner, GroupApplication, GroupMember, GroupNotice, GroupRecord, GroupRef, GroupRole,
    GroupTip, HandleApplication, JoinGroup, JoinOption, JoinStatus, ListPage, MemberChange,
    NoticeOp, SetMemberMute, SetMemberRole, SetNameCard, TipChange, TipOp, UserList,
};

use super::manage::new_member;
use super::{page_limit, rules};
use crate::engine::encode::Reply;
use crate::engine::user_list::user_set;
use crate::engine::{Engine, Handled, Refusal};
use crate::store::{ApplicationRow, GroupRow, MemberRow, Store};

fn member_record(m: &MemberRow) -> GroupRecord<'_> {
    GroupRecord::Member(GroupMember {
        user_id: &m.user_id,
        role: m.role,
        join_ms: m.join_ms,
        name_card: &m.name_card,
        muted_until_ms: m.muted_until_ms,
    })
}

fn application_record(a: &ApplicationRow) -> GroupRecord<'_> {
    GroupRecord::Application(GroupApplication {
        group_id: &a.group_id,
        applicant: &a.applicant,
        message: &a.message,
        time_ms: a.time_ms,
    })
}

fn full(group: &GroupRow, adding: usize) -> Result<(), Refusal> {
    if group.member_count as usize + adding > group.max_members as usize {
        return Err(Refusal::Code(code::GROUP_FULL, "the group is full"));
    }
    Ok(())
}

impl<S: Store> Engine<S> {
    /// Adds members (already checked): the join tip goes to the members
    /// before them, and their history and unread count start after it.
    fn admit(
        &mut self,
        group: &mut GroupRow,
        users: &[String],
        operator: &str,
    ) -> Result<(), Refusal> {
        group.member_count += users.len() as u32;
        self.tip(group, TipOp::Join, operator, users, TipChange::None)?;
        for user in users {
            let mut member = new_member(group, user, GroupRole::Member, self.now_ms);
            self.store.put_member(&mut member)?;
            self.store.delete_application(&group.group_id, user)?;
            self.push_group_info(group, &member);
        }
        self.store.put_group(group, false)?;
        Ok(())
    }

    /// Removes members and tells them; the caller posts the tip.
    fn remove(&mut self, group: &mut GroupRow, users: &[String]) -> Result<(), Refusal> {
        for user in users {
            if self.store.delete_member(&group.group_id, user)? {
                group.member_count -= 1;
                self.push_group_left(user, &group.group_id);
            }
        }
        self.store.put_group(group, false)?;
        Ok(())
    }

    fn tip(
        &mut self,
        group: &mut GroupRow,
        op: TipOp,
        operator: &str,
        users: &[String],
        change: TipChange<'_>,
    ) -> Result<(), Refusal> {
        let users = users.join(",");
        let group_id = group.group_id.clone();
        let member_count = group.member_count;
        self.post_tip(
            group,
            GroupTip {
                op,
                group_id: &group_id,
                operator,
                users: UserList(&users),
                member_count,
                change,
            },
        )
    }

    fn notice(
        &mut self,
        to: &str,
        group: &GroupRow,
        op: NoticeOp,
        operator: &str,
        message: &str,
    ) -> Result<(), Refusal> {
        self.notify(
            to,
            GroupNotice {
                op,
                group_id: &group.group_id,
                group_name: &group.name,
                operator,
                message,
                data: "",
            },
        )
    }

    pub(super) fn join_group(&mut self, reply: Reply, me: &str, req: JoinGroup<'_>) -> Handled {
        let mut group = self.existing_group(req.group_id)?;
        if self.store.member(req.group_id, me)?.is_some() {
            self.respond_records(reply, &[GroupRecord::Join(JoinStatus::AlreadyMember)]);
            return Ok(());
        }
        rules::may_apply(group.group_type, group.join_option)?;
        rules::check_len(
            req.apply_message,
            rules::MAX_NOTE,
            "apply message over 256 bytes",
        )?;
        full(&group, 1)?;
        if group.join_option == JoinOption::NeedPermission {
            self.store.put_application(&ApplicationRow {
                group_id: group.group_id.clone(),
                applicant: me.to_owned(),
                message: req.apply_message.to_owned(),
                time_ms: self.now_ms,
            })?;
            let managers: Vec<String> = self
                .store
                .members(&group.group_id)?
                .into_iter()
                .filter(|m| m.role != GroupRole::Member)
                .map(|m| m.user_id)
                .collect();
            for manager in &managers {
                self.notice(
                    manager,
                    &group,
                    NoticeOp::JoinRequest,
                    me,
                    req.apply_message,
                )?;
            }
            self.respond_records(reply, &[GroupRecord::Join(JoinStatus::WaitApproval)]);
            return Ok(());
        }
        self.admit(&mut group, &[me.to_owned()], me)?;
        self.respond_records(reply, &[GroupRecord::Join(JoinStatus::Joined)]);
        Ok(())
    }

    pub(super) fn application_list(
        &mut self,
        reply: Reply,
        me: &str,
        req: ListPage<'_>,
    ) -> Handled {
        let limit = page_limit(req.count);
        let rows = self.store.applications_for(me, req.offset, limit + 1)?;
        let more = rows.len() > limit;
        let records = rows.iter().take(limit).map(application_record);
        self.respond_page(reply, req.offset, records, more);
        Ok(())
    }

    pub(super) fn handle_application(
        &mut self,
        reply: Reply,
        me: &str,
        req: HandleApplication<'_>,
    ) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        rules::may_manage(group.group_type, member.role)?;
        rules::check_len(
            req.message,
            rules::MAX_NOTE,
            "handle message over 256 bytes",
        )?;
        if self
            .store
            .application(req.group_id, req.applicant)?
            .is_none()
        {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "no such application",
            ));
        }
        self.store.delete_application(req.group_id, req.applicant)?;
        let op = if req.agree {
            if self.store.member(req.group_id, req.applicant)?.is_none() {
                full(&group, 1)?;
                self.admit(&mut group, &[req.applicant.to_owned()], me)?;
            }
            NoticeOp::Accepted
        } else {
            NoticeOp::Rejected
        };
        self.notice(req.applicant, &group, op, me, req.message)?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn quit_group(&mut self, reply: Reply, me: &str, req: GroupRef<'_>) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        rules::may_quit(group.group_type, member.role)?;
        let users = [me.to_owned()];
        if member.role == GroupRole::Owner {
            // Only a Work group's owner may quit: the longest-standing member
            // takes the group over; with nobody left, it is gone.
            let heir = self
                .store
                .member_page(&group.group_id, 0, 2)?
                .into_iter()
                .find(|m| m.user_id != me);
            let Some(mut heir) = heir else {
                self.push_group_left(me, &group.group_id);
                self.store.delete_group(&group.group_id)?;
                self.notice(me, &group, NoticeOp::Quit, me, "")?;
                self.respond(reply, &());
                return Ok(());
            };
            heir.role = GroupRole::Owner;
            self.store.put_member(&mut heir)?;
            group.owner = heir.user_id.clone();
            self.push_group_info(&group, &heir);
        }
        self.remove(&mut group, &users)?;
        self.tip(&mut group, TipOp::Quit, me, &users, TipChange::None)?;
        self.notice(me, &group, NoticeOp::Quit, me, "")?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn add_members(&mut self, reply: Reply, me: &str, req: MemberChange<'_>) -> Handled {
        let (mut group, _) = self.group_and_member(req.group_id, me)?;
        rules::may_invite(group.group_type)?;
        let mut users = Vec::new();
        for user in user_set(req.users, me, rules::MAX_USERS_PER_CALL)? {
            if self.store.member(req.group_id, &user)?.is_none() {
                users.push(user);
            }
        }
        if users.is_empty() {
            return Err(Refusal::Code(code::ALREADY_MEMBER, "already members"));
        }
        full(&group, users.len())?;
        self.admit(&mut group, &users, me)?;
        for user in &users {
            self.notice(user, &group, NoticeOp::Invited, me, "")?;
        }
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn delete_members(
        &mut self,
        reply: Reply,
        me: &str,
        req: MemberChange<'_>,
    ) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        rules::check_len(req.reason, rules::MAX_NOTE, "reason over 256 bytes")?;
        let mut users = Vec::new();
        for user in user_set(req.users, me, rules::MAX_USERS_PER_CALL)? {
            if let Some(target) = self.store.member(req.group_id, &user)? {
                rules::may_kick(group.group_type, member.role, target.role)?;
                users.push(user);
            }
        }
        if users.is_empty() {
            // Checked after the roles so a member learns nothing by probing.
            rules::may_kick(group.group_type, member.role, GroupRole::Member)?;
            return Err(Refusal::Code(code::INVALID_PARAMETER, "nobody to remove"));
        }
        self.remove(&mut group, &users)?;
        self.tip(&mut group, TipOp::Kicked, me, &users, TipChange::None)?;
        for user in &users {
            self.notice(user, &group, NoticeOp::Kicked, me, req.reason)?;
        }
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn set_member_role(
        &mut self,
        reply: Reply,
        me: &str,
        req: SetMemberRole<'_>,
    ) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        rules::may_set_role(group.group_type, member.role)?;
        let mut target = self.target_member(req.group_id, req.user_id)?;
        if req.role == GroupRole::Owner || target.role == GroupRole::Owner {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "ownership moves with change_group_owner",
            ));
        }
        if target.role != req.role {
            target.role = req.role;
            self.store.put_member(&mut target)?;
            let (tip, notice) = match req.role {
                GroupRole::Admin => (TipOp::SetAdmin, NoticeOp::AdminSet),
                _ => (TipOp::CancelAdmin, NoticeOp::AdminRevoked),
            };
            let users = [target.user_id.clone()];
            self.tip(&mut group, tip, me, &users, TipChange::None)?;
            self.notice(&target.user_id, &group, notice, me, "")?;
            self.push_group_info(&group, &target);
        }
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn set_member_mute(
        &mut self,
        reply: Reply,
        me: &str,
        req: SetMemberMute<'_>,
    ) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        let mut target = self.target_member(req.group_id, req.user_id)?;
        rules::may_mute(group.group_type, member.role, target.role)?;
        target.muted_until_ms = match req.mute_secs {
            0 => 0,
            secs => self.now_ms + u64::from(secs) * 1000,
        };
        self.store.put_member(&mut target)?;
        let users = [target.user_id.clone()];
        self.tip(
            &mut group,
            TipOp::MemberProfile,
            me,
            &users,
            TipChange::Mute(target.muted_until_ms),
        )?;
        self.push_group_info(&group, &target);
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn set_name_card(
        &mut self,
        reply: Reply,
        me: &str,
        req: SetNameCard<'_>,
    ) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        rules::check_len(
            req.name_card,
            rules::MAX_NAME_CARD,
            "name card over 50 bytes",
        )?;
        let mut target = if req.user_id == me {
            member
        } else {
            let target = self.target_member(req.group_id, req.user_id)?;
            rules::may_set_name_card(group.group_type, member.role, target.role)?;
            target
        };
        target.name_card = req.name_card.to_owned();
        self.store.put_member(&mut target)?;
        let users = [target.user_id.clone()];
        self.tip(
            &mut group,
            TipOp::MemberProfile,
            me,
            &users,
            TipChange::NameCard(req.name_card),
        )?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn change_owner(&mut self, reply: Reply, me: &str, req: ChangeOwner<'_>) -> Handled {
        let (mut group, mut member) = self.group_and_member(req.group_id, me)?;
        rules::may_change_owner(group.group_type, member.role)?;
        if req.new_owner == me {
            return Err(Refusal::Code(code::INVALID_PARAMETER, "already the owner"));
        }
        let mut heir = self.target_member(req.group_id, req.new_owner)?;
        heir.role = GroupRole::Owner;
        self.store.put_member(&mut heir)?;
        member.role = GroupRole::Member;
        self.store.put_member(&mut member)?;
        group.owner = heir.user_id.clone();
        self.store.put_group(&mut group, false)?;
        self.tip(
            &mut group,
            TipOp::GroupProfile,
            me,
            &[],
            TipChange::Owner(req.new_owner),
        )?;
        self.push_group_info(&group, &heir);
        self.push_group_info(&group, &member);
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn member_list(&mut self, reply: Reply, me: &str, req: ListPage<'_>) -> Handled {
        self.group_and_member(req.group_id, me)?;
        let limit = page_limit(req.count);
        let rows = self
            .store
            .member_page(req.group_id, req.offset, limit + 1)?;
        let more = rows.len() > limit;
        self.respond_page(
            reply,
            req.offset,
            rows.iter().take(limit).map(member_record),
            more,
        );
        Ok(())
    }

    pub(super) fn member_profile(
        &mut self,
        reply: Reply,
        me: &str,
        req: MemberChange<'_>,
    ) -> Handled {
        self.group_and_member(req.group_id, me)?;
        let mut rows = Vec::new();
        for user in user_set(req.users, "", rules::MAX_PROFILE_USERS)? {
            if let Some(m) = self.store.member(req.group_id, &user)? {
                rows.push(m);
            }
        }
        self.respond_page(reply, 0, rows.iter().map(member_record), false);
        Ok(())
    }
}
