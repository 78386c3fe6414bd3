//! Friend groups: named sets of one's friends (TIM's `FriendGroup`), at
//! most 30 a user. A friend may be in several; a group holds only friends,
//! and leaving the friend list leaves its groups.

use tinyim_core::wire::code;
use tinyim_core::wire::friend::{
    FriendChange, FriendGroupChange, FriendPage, FriendRecord, MAX_FRIEND_GROUPS,
    MAX_FRIEND_GROUP_NAME, MAX_FRIEND_USERS,
};
use tinyim_core::wire::kind;

use super::super::encode::Reply;
use super::super::paging::page_limit;
use super::super::user_list::user_set;
use super::super::{request_body, Engine, Handled, Refusal};
use super::not_friend;
use crate::store::Store;

fn invalid(what: &'static str) -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, what)
}

/// A friend group name: 1 to 30 bytes.
fn check_name(name: &str) -> Handled {
    if name.is_empty() || name.len() > MAX_FRIEND_GROUP_NAME {
        return Err(invalid("a friend group name is 1 to 30 bytes"));
    }
    Ok(())
}

impl<S: Store> Engine<S> {
    /// Serves the friend group calls.
    pub(super) fn friend_group_call(
        &mut self,
        reply: Reply,
        me: &str,
        frame_kind: u8,
        payload: &[u8],
    ) -> Handled {
        if frame_kind == kind::FRIEND_GROUPS {
            return self.friend_groups(reply, me, request_body(payload)?);
        }
        let req: FriendGroupChange<'_> = request_body(payload)?;
        check_name(req.name)?;
        let users = user_set(req.users, me, MAX_FRIEND_USERS)?;
        let exists = self.store.friend_groups(me)?.iter().any(|g| g == req.name);
        match frame_kind {
            kind::CREATE_FRIEND_GROUP => {
                if exists {
                    return Err(invalid("a friend group of that name exists"));
                }
                if self.store.friend_groups(me)?.len() >= MAX_FRIEND_GROUPS {
                    return Err(invalid("at most 30 friend groups"));
                }
                self.store.create_friend_group(me, req.name)?;
            }
            _ if !exists => return Err(invalid("no friend group of that name")),
            kind::DELETE_FRIEND_GROUP => {
                self.store.delete_friend_group(me, req.name)?;
            }
            kind::RENAME_FRIEND_GROUP => {
                check_name(req.new_name)?;
                if self
                    .store
                    .friend_groups(me)?
                    .iter()
                    .any(|g| g == req.new_name)
                {
                    return Err(invalid("a friend group of that name exists"));
                }
                self.store.rename_friend_group(me, req.name, req.new_name)?;
            }
            kind::REMOVE_FROM_FRIEND_GROUP => {
                for user in &users {
                    self.store.remove_from_friend_group(me, req.name, user)?;
                }
            }
            kind::ADD_TO_FRIEND_GROUP => {}
            _ => return Err(Refusal::Code(code::UNSUPPORTED, "unsupported request")),
        }
        if matches!(
            frame_kind,
            kind::CREATE_FRIEND_GROUP | kind::ADD_TO_FRIEND_GROUP
        ) {
            for user in &users {
                if self.store.friend(me, user)?.is_none() {
                    return Err(not_friend());
                }
                self.store.add_to_friend_group(me, req.name, user)?;
            }
        }
        self.friends_changed(me, FriendChange::Groups);
        self.respond(reply, &());
        Ok(())
    }

    /// TIM `getFriendGroupList`: each group's `Group` record then its
    /// `Member`s, as one run of records paged by position (a page may
    /// start inside a group: its members follow the last `Group` seen).
    fn friend_groups(&mut self, reply: Reply, me: &str, req: FriendPage) -> Handled {
        let mut groups = Vec::new();
        for name in self.store.friend_groups(me)? {
            let members = self.store.friend_group_members(me, &name)?;
            groups.push((name, members));
        }
        let records = groups.iter().flat_map(|(name, members)| {
            let group = FriendRecord::Group {
                name,
                count: u32::try_from(members.len()).unwrap_or(u32::MAX),
            };
            std::iter::once(group).chain(
                members
                    .iter()
                    .map(|user_id| FriendRecord::Member { user_id }),
            )
        });
        let total = records.clone().count();
        let offset = usize::try_from(req.offset).unwrap_or(usize::MAX);
        let limit = page_limit(req.count);
        let more = total > offset.saturating_add(limit);
        let page = records.skip(offset).take(limit);
        self.respond_records_page(reply, req.offset, page, more, |next_offset, more| {
            FriendRecord::Page { next_offset, more }
        });
        Ok(())
    }
}
