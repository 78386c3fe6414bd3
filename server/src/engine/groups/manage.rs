//! Group lifecycle and profile: create, dismiss, update, profile, search,
//! the user's group list, online count, custom notices.

use tinyim_core::wire::code;
use tinyim_core::wire::group::{
    CreateGroup, CustomField, CustomNotice, GroupNotice, GroupProfile, GroupRecord, GroupRef,
    GroupRole, GroupTip, GroupType, ListPage, NoticeOp, ProfileChange, TipChange, TipOp,
    UpdateGroupProfile, UserList,
};

use super::{page_limit, rules};
use crate::engine::encode::Reply;
use crate::engine::user_list::user_set;
use crate::engine::{Engine, Handled, Happened, Refusal};
use crate::store::{GroupRow, MemberRow, Store};

/// Alphabet of server-made group ids (Crockford's base 32).
const ID_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A server-made id from a fresh number: an odd multiplier is a bijection
/// modulo 2^40, so ids never repeat yet do not count up visibly.
fn server_group_id(number: u64) -> String {
    let mut v = number.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 40) - 1);
    let mut id = String::from(rules::SERVER_ID_PREFIX);
    for _ in 0..8 {
        id.push(char::from(ID_ALPHABET[(v & 31) as usize]));
        v >>= 5;
    }
    id
}

fn check_profile_fields(change: &ProfileChange<'_>) -> Result<(), Refusal> {
    if let Some(name) = change.name {
        if name.is_empty() {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a group needs a name",
            ));
        }
        rules::check_len(name, rules::MAX_NAME, "group name over 30 bytes")?;
    }
    if let Some(v) = change.introduction {
        rules::check_len(v, rules::MAX_INTRODUCTION, "introduction over 240 bytes")?;
    }
    if let Some(v) = change.notification {
        rules::check_len(v, rules::MAX_NOTIFICATION, "notification over 300 bytes")?;
    }
    if let Some(v) = change.avatar {
        rules::check_len(v, rules::MAX_AVATAR, "avatar URL over 256 bytes")?;
    }
    if let Some(CustomField { key, value }) = change.custom {
        if key.is_empty() {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "empty custom field key",
            ));
        }
        rules::check_len(key, rules::MAX_CUSTOM_KEY, "custom field key over 16 bytes")?;
        rules::check_len(
            value,
            rules::MAX_CUSTOM_VALUE,
            "custom field value over 512 bytes",
        )?;
    }
    Ok(())
}

pub(super) fn new_member(group: &GroupRow, user: &str, role: GroupRole, now_ms: u64) -> MemberRow {
    MemberRow {
        group_id: group.group_id.clone(),
        user_id: user.to_owned(),
        role,
        join_ms: now_ms,
        join_seq: group.last_seq,
        name_card: String::new(),
        muted_until_ms: 0,
        read_seq: group.last_seq,
        version: 0,
        hidden_seq: 0,
        cleared_seq: 0,
        pinned: false,
        remind: tinyim_core::wire::body::RemindType::AcceptAndNotify,
        marks: 0,
        data_digest: 0,
    }
}

pub(super) fn profile_record(g: &GroupRow) -> GroupRecord<'_> {
    GroupRecord::Profile(GroupProfile {
        group_id: &g.group_id,
        group_type: g.group_type,
        name: &g.name,
        introduction: &g.introduction,
        notification: &g.notification,
        avatar: &g.avatar,
        owner: &g.owner,
        created_ms: g.created_ms,
        member_count: g.member_count,
        max_members: g.max_members,
        join_option: g.join_option,
        mute_all: g.mute_all,
        last_seq: g.last_seq,
    })
}

impl<S: Store> Engine<S> {
    pub(super) fn create_group(&mut self, reply: Reply, me: &str, req: CreateGroup<'_>) -> Handled {
        check_profile_fields(&ProfileChange {
            name: Some(req.name),
            introduction: Some(req.introduction),
            notification: Some(req.notification),
            avatar: Some(req.avatar),
            ..ProfileChange::default()
        })?;
        let members = user_set(req.members, me, rules::MAX_USERS_PER_CALL)?;
        if req.group_type == GroupType::AvChatRoom && !members.is_empty() {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "an AVChatRoom starts without members",
            ));
        }
        let type_max = rules::type_max_members(req.group_type);
        let max_members = match req.max_members {
            0 => type_max,
            n if n > type_max => {
                return Err(Refusal::Code(
                    code::INVALID_PARAMETER,
                    "member limit over the type's",
                ))
            }
            n => n,
        };
        if members.len() + 1 > max_members as usize {
            return Err(Refusal::Code(
                code::GROUP_FULL,
                "more members than the limit",
            ));
        }
        let group_id = if req.group_id.is_empty() {
            server_group_id(self.store.next_group_number()?)
        } else {
            rules::check_chosen_id(req.group_id)?;
            req.group_id.to_owned()
        };
        if self.store.group(&group_id)?.is_some() {
            return Err(Refusal::Code(
                code::GROUP_ID_IN_USE,
                "the group id is taken",
            ));
        }
        let mut group = GroupRow {
            group_id: group_id.clone(),
            group_type: req.group_type,
            name: req.name.to_owned(),
            introduction: req.introduction.to_owned(),
            notification: req.notification.to_owned(),
            avatar: req.avatar.to_owned(),
            owner: me.to_owned(),
            created_ms: self.now_ms,
            max_members,
            join_option: rules::effective_join_option(req.group_type, req.join_option),
            mute_all: false,
            member_count: 1 + members.len() as u32,
            last_seq: 0,
            last_time_ms: 0,
            last_from: String::new(),
            preview: String::new(),
            version: 0,
        };
        self.store.put_group(&mut group, false)?;
        let mut owner = new_member(&group, me, GroupRole::Owner, self.now_ms);
        self.store.put_member(&mut owner)?;
        let mut added = Vec::with_capacity(members.len());
        for user in &members {
            let mut member = new_member(&group, user, GroupRole::Member, self.now_ms);
            self.store.put_member(&mut member)?;
            added.push(member);
        }
        let notice = |op| GroupNotice {
            op,
            group_id: &group_id,
            group_name: req.name,
            operator: me,
            message: "",
            data: "",
        };
        self.notify(me, notice(NoticeOp::Created))?;
        for member in &added {
            self.notify(&member.user_id, notice(NoticeOp::Invited))?;
        }
        self.push_group_info(&group, &owner);
        for member in &added {
            self.push_group_info(&group, member);
        }
        self.report(|| Happened::GroupCreated {
            group_id: group_id.clone(),
            group_type: group.group_type,
            name: group.name.clone(),
            owner: me.to_owned(),
            members: added.iter().map(|m| m.user_id.clone()).collect(),
        });
        self.respond_records(
            reply,
            &[GroupRecord::Created {
                group_id: &group_id,
            }],
        );
        Ok(())
    }

    pub(super) fn dismiss_group(&mut self, reply: Reply, me: &str, req: GroupRef<'_>) -> Handled {
        let (group, member) = self.group_and_member(req.group_id, me)?;
        rules::may_dismiss(member.role)?;
        let members = self.store.members(&group.group_id)?;
        for m in &members {
            if m.user_id != me {
                self.notify(
                    &m.user_id,
                    GroupNotice {
                        op: NoticeOp::Dismissed,
                        group_id: &group.group_id,
                        group_name: &group.name,
                        operator: me,
                        message: "",
                        data: "",
                    },
                )?;
            }
            self.push_group_left(&m.user_id, &group.group_id);
        }
        self.store.delete_group(&group.group_id)?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn update_group_profile(
        &mut self,
        reply: Reply,
        me: &str,
        req: UpdateGroupProfile<'_>,
    ) -> Handled {
        let (mut group, member) = self.group_and_member(req.group_id, me)?;
        let change = req.change;
        if change.is_empty() {
            return Err(Refusal::Code(code::INVALID_PARAMETER, "nothing to change"));
        }
        rules::may_edit_profile(group.group_type, member.role)?;
        check_profile_fields(&change)?;
        if change.mute_all.is_some() {
            rules::may_mute(group.group_type, member.role, GroupRole::Member)?;
        }
        if let Some(option) = change.join_option {
            if rules::effective_join_option(group.group_type, option) != option {
                return Err(Refusal::Code(
                    code::INVALID_PARAMETER,
                    "this group type's join option is fixed",
                ));
            }
            group.join_option = option;
        }
        if let Some(CustomField { key, value }) = change.custom {
            let fields = self.store.custom_fields(&group.group_id)?;
            let exists = fields.iter().any(|(k, _)| k == key);
            if !exists && !value.is_empty() && fields.len() >= rules::MAX_CUSTOM_FIELDS {
                return Err(Refusal::Code(
                    code::INVALID_PARAMETER,
                    "at most 16 custom fields",
                ));
            }
            self.store.put_custom_field(&group.group_id, key, value)?;
        }
        let listed_fields_changed = change.name.is_some() || change.mute_all.is_some();
        if let Some(v) = change.name {
            group.name = v.to_owned();
        }
        if let Some(v) = change.introduction {
            group.introduction = v.to_owned();
        }
        if let Some(v) = change.notification {
            group.notification = v.to_owned();
        }
        if let Some(v) = change.avatar {
            group.avatar = v.to_owned();
        }
        if let Some(v) = change.mute_all {
            group.mute_all = v;
        }
        self.store.put_group(&mut group, false)?;
        let group_id = group.group_id.clone();
        let member_count = group.member_count;
        self.post_tip(
            &mut group,
            GroupTip {
                op: TipOp::GroupProfile,
                group_id: &group_id,
                operator: me,
                users: UserList(""),
                member_count,
                change: TipChange::Profile(change),
            },
        )?;
        if listed_fields_changed {
            for m in self.store.members(&group_id)? {
                self.push_group_info(&group, &m);
            }
        }
        self.respond(reply, &());
        Ok(())
    }

    /// `getGroupProfile` (members see any type, others any but Work) and
    /// `searchGroupByID` (never Work groups).
    pub(super) fn group_profile(
        &mut self,
        reply: Reply,
        me: &str,
        req: GroupRef<'_>,
        search: bool,
    ) -> Handled {
        let group = self.existing_group(req.group_id)?;
        let member = self.store.member(req.group_id, me)?.is_some();
        if search || !member {
            rules::may_view_as_outsider(group.group_type)?;
        }
        let custom = if member {
            self.store.custom_fields(&group.group_id)?
        } else {
            Vec::new()
        };
        let mut records = vec![profile_record(&group)];
        records.extend(
            custom
                .iter()
                .map(|(key, value)| GroupRecord::Custom(CustomField { key, value })),
        );
        self.respond_page(reply, 0, records.into_iter(), false);
        Ok(())
    }

    pub(super) fn group_list(&mut self, reply: Reply, me: &str, req: ListPage<'_>) -> Handled {
        let limit = page_limit(req.count);
        let rows = self.store.groups_of(me, req.offset, limit + 1)?;
        let more = rows.len() > limit;
        let records = rows.iter().take(limit).map(|(g, m)| {
            GroupRecord::Info(tinyim_core::wire::group::GroupInfo {
                group_id: &g.group_id,
                group_type: g.group_type,
                name: &g.name,
                role: m.role,
                mute_all: g.mute_all,
                muted_until_ms: m.muted_until_ms,
            })
        });
        self.respond_page(reply, req.offset, records, more);
        Ok(())
    }

    pub(super) fn online_member_count(
        &mut self,
        reply: Reply,
        me: &str,
        req: GroupRef<'_>,
    ) -> Handled {
        let (group, _) = self.group_and_member(req.group_id, me)?;
        if group.group_type != GroupType::AvChatRoom {
            return Err(Refusal::Code(
                code::NO_PERMISSION,
                "online member counts are for AVChatRooms",
            ));
        }
        let online = self
            .store
            .members(&group.group_id)?
            .iter()
            .filter(|m| self.is_online(&m.user_id))
            .count();
        self.respond_records(reply, &[GroupRecord::OnlineCount(online as u32)]);
        Ok(())
    }

    pub(super) fn custom_notice(
        &mut self,
        reply: Reply,
        me: &str,
        req: CustomNotice<'_>,
    ) -> Handled {
        let (group, member) = self.group_and_member(req.group_id, me)?;
        rules::may_manage(group.group_type, member.role)?;
        rules::check_len(
            req.data,
            rules::MAX_CUSTOM_VALUE,
            "notice data over 512 bytes",
        )?;
        let named = user_set(req.users, me, usize::MAX)?;
        let recipients: Vec<String> = if named.is_empty() {
            self.store
                .members(&group.group_id)?
                .into_iter()
                .map(|m| m.user_id)
                .filter(|u| u != me)
                .collect()
        } else {
            for user in &named {
                self.target_member(&group.group_id, user)?;
            }
            named.into_iter().collect()
        };
        for user in &recipients {
            self.notify(
                user,
                GroupNotice {
                    op: NoticeOp::Custom,
                    group_id: &group.group_id,
                    group_name: &group.name,
                    operator: me,
                    message: "",
                    data: req.data,
                },
            )?;
        }
        self.respond(reply, &());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn server_made_ids_are_distinct_and_valid() {
        let ids: BTreeSet<String> = (1..=10_000).map(server_group_id).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids
            .iter()
            .all(|id| id.starts_with("@TGS#") && tinyim_core::model::valid_group_id(id)));
    }
}
