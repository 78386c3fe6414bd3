//! Groups: TIM's group calls over the store, with the rules of
//! [`rules`], group tips in the group conversation and group system notices
//! in the SYSTEM conversation of the people concerned.

mod manage;
mod members;
pub(crate) mod notify;
mod rate;
mod receipts;
pub(crate) mod rules;
mod send;

pub(crate) use rate::GroupRates;

use tinyim_core::wire::group::{GroupInfo, GroupRecord};
use tinyim_core::wire::{code, kind};

use super::encode::Reply;
use super::paging::page_limit;
use super::{request_body, Engine, Handled, Refusal};
use crate::store::{GroupRow, MemberRow, Store};

impl<S: Store> Engine<S> {
    /// Serves a group call (`kind` is one of [`kind::is_group_call`]).
    pub(crate) fn group_call(
        &mut self,
        reply: Reply,
        me: &str,
        frame_kind: u8,
        payload: &[u8],
    ) -> Handled {
        match frame_kind {
            kind::CREATE_GROUP => self.create_group(reply, me, request_body(payload)?),
            kind::DISMISS_GROUP => self.dismiss_group(reply, me, request_body(payload)?),
            kind::UPDATE_GROUP_PROFILE => {
                self.update_group_profile(reply, me, request_body(payload)?)
            }
            kind::GROUP_PROFILE => self.group_profile(reply, me, request_body(payload)?, false),
            kind::SEARCH_GROUP => self.group_profile(reply, me, request_body(payload)?, true),
            kind::GROUP_LIST => self.group_list(reply, me, request_body(payload)?),
            kind::JOIN_GROUP => self.join_group(reply, me, request_body(payload)?),
            kind::GROUP_APPLICATIONS => self.application_list(reply, me, request_body(payload)?),
            kind::HANDLE_APPLICATION => self.handle_application(reply, me, request_body(payload)?),
            kind::QUIT_GROUP => self.quit_group(reply, me, request_body(payload)?),
            kind::ADD_MEMBERS => self.add_members(reply, me, request_body(payload)?),
            kind::DELETE_MEMBERS => self.delete_members(reply, me, request_body(payload)?),
            kind::SET_MEMBER_ROLE => self.set_member_role(reply, me, request_body(payload)?),
            kind::SET_MEMBER_MUTE => self.set_member_mute(reply, me, request_body(payload)?),
            kind::SET_NAME_CARD => self.set_name_card(reply, me, request_body(payload)?),
            kind::CHANGE_OWNER => self.change_owner(reply, me, request_body(payload)?),
            kind::MEMBER_LIST => self.member_list(reply, me, request_body(payload)?),
            kind::MEMBER_PROFILE => self.member_profile(reply, me, request_body(payload)?),
            kind::ONLINE_MEMBER_COUNT => {
                self.online_member_count(reply, me, request_body(payload)?)
            }
            kind::CUSTOM_NOTICE => self.custom_notice(reply, me, request_body(payload)?),
            kind::SEND_READ_RECEIPTS => self.send_read_receipts(reply, me, request_body(payload)?),
            kind::READ_RECEIPTS => self.read_receipts(reply, me, request_body(payload)?),
            kind::READ_RECEIPT_MEMBERS => {
                self.read_receipt_members(reply, me, request_body(payload)?)
            }
            _ => Err(Refusal::Code(code::UNSUPPORTED, "unsupported request")),
        }
    }

    /// A group by id, or `GROUP_NOT_FOUND`.
    pub(crate) fn existing_group(&mut self, group_id: &str) -> Result<GroupRow, Refusal> {
        self.store
            .group(group_id)?
            .ok_or(Refusal::Code(code::GROUP_NOT_FOUND, "group not found"))
    }

    /// A group and `user`'s membership, or why not (`GROUP_NOT_FOUND`,
    /// `NO_PERMISSION` for a non-member).
    pub(crate) fn group_and_member(
        &mut self,
        group_id: &str,
        user: &str,
    ) -> Result<(GroupRow, MemberRow), Refusal> {
        let group = self.existing_group(group_id)?;
        let member = self.store.member(group_id, user)?.ok_or(Refusal::Code(
            code::NO_PERMISSION,
            "not a member of this group",
        ))?;
        Ok((group, member))
    }

    /// A member of `group`, or `INVALID_PARAMETER` naming a non-member.
    fn target_member(&mut self, group_id: &str, user: &str) -> Result<MemberRow, Refusal> {
        self.store.member(group_id, user)?.ok_or(Refusal::Code(
            code::INVALID_PARAMETER,
            "that user is not a member",
        ))
    }

    /// Answers with as many of `records` as fit the client's frame, then a
    /// `Page` record telling where the next page starts.
    fn respond_page<'a>(
        &mut self,
        reply: Reply,
        offset: u32,
        records: impl Iterator<Item = GroupRecord<'a>>,
        more_in_store: bool,
    ) {
        self.respond_records_page(
            reply,
            offset,
            records,
            more_in_store,
            |next_offset, more| GroupRecord::Page { next_offset, more },
        );
    }

    /// Tells every session of `user` about its entry in the group list.
    fn push_group_info(&mut self, group: &GroupRow, member: &MemberRow) {
        let record = GroupRecord::Info(GroupInfo {
            group_id: &group.group_id,
            group_type: group.group_type,
            name: &group.name,
            role: member.role,
            mute_all: group.mute_all,
            muted_until_ms: member.muted_until_ms,
        });
        self.push_to_user(&member.user_id, kind::PUSH_GROUP, &record);
    }

    /// Tells every session of `user` that the group left its list.
    fn push_group_left(&mut self, user: &str, group_id: &str) {
        self.push_to_user(user, kind::PUSH_GROUP, &GroupRecord::Left { group_id });
    }
}
