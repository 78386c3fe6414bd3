//! Making and ending friendships: `addFriend` as the target's allow type
//! says, the applications it leaves (accept, refuse, delete, read), and
//! `deleteFriend`.

use tinyim_core::model::valid_user_id;
use tinyim_core::wire::code;
use tinyim_core::wire::friend::{
    AcceptApplication, AddFriend, AddResult, ApplicationRef, ApplicationType, Both, FriendChange,
    FriendRecord, FriendUsers, Response, MAX_ADD_SOURCE, MAX_DELETE_FRIENDS, MAX_FRIENDS,
    MAX_FRIEND_GROUPS, MAX_FRIEND_GROUP_NAME, MAX_REMARK, MAX_WORDING,
};
use tinyim_core::wire::user::AllowType;

use super::super::encode::Reply;
use super::super::groups::rules::check_len;
use super::super::user_list::{no_users, user_set};
use super::super::{Engine, Handled, Refusal};
use super::not_friend;
use crate::store::{FriendApplicationRow, FriendRow, Store};

/// Where an add request comes from: `AddSource_Type_` and a name.
const SOURCE_PREFIX: &str = "AddSource_Type_";

/// One side of a friendship being made.
struct Entry<'a> {
    owner: &'a str,
    friend: &'a str,
    remark: &'a str,
    group_name: &'a str,
    /// The code when `owner`'s list is full.
    full: u32,
}

fn invalid(what: &'static str) -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, what)
}

impl<S: Store> Engine<S> {
    pub(super) fn add_friend(&mut self, reply: Reply, me: &str, req: AddFriend<'_>) -> Handled {
        if !valid_user_id(req.to) || req.to == me {
            return Err(invalid("not a user one can add"));
        }
        check_len(req.remark, MAX_REMARK, "remark over 96 bytes")?;
        check_len(req.wording, MAX_WORDING, "wording over 256 bytes")?;
        check_len(
            req.group_name,
            MAX_FRIEND_GROUP_NAME,
            "friend group name over 30 bytes",
        )?;
        check_len(req.source, MAX_ADD_SOURCE, "add source over 32 bytes")?;
        if !req.source.is_empty() && !req.source.starts_with(SOURCE_PREFIX) {
            return Err(invalid("an add source starts with AddSource_Type_"));
        }
        if self.store.friend(me, req.to)?.is_some() {
            return Err(Refusal::Code(code::ALREADY_FRIEND, "already a friend"));
        }
        if self.store.blocks(me, req.to)? {
            return Err(Refusal::Code(code::IN_OWN_BLOCKLIST, "you block this user"));
        }
        if self.store.blocks(req.to, me)? {
            return Err(Refusal::Code(
                code::IN_PEER_BLOCKLIST,
                "this user blocks you",
            ));
        }
        let allow = self
            .store
            .profile(req.to)?
            .map_or(AllowType::default(), |p| p.allow_type);
        let result = match allow {
            AllowType::DenyAny => {
                return Err(Refusal::Code(
                    code::PEER_DENIES_ANY,
                    "this user lets nobody add them",
                ))
            }
            AllowType::AllowAny => {
                let mine = Entry {
                    owner: me,
                    friend: req.to,
                    remark: req.remark,
                    group_name: req.group_name,
                    full: code::FRIEND_LIST_FULL,
                };
                let theirs = (req.add_type == Both::Both).then_some(Entry {
                    owner: req.to,
                    friend: me,
                    remark: "",
                    group_name: "",
                    full: code::PEER_FRIEND_LIST_FULL,
                });
                self.befriend(mine, theirs, req.source, req.wording)?;
                AddResult::Added
            }
            AllowType::NeedConfirm => {
                if self.store.friend_count(me)? >= MAX_FRIENDS {
                    return Err(Refusal::Code(code::FRIEND_LIST_FULL, "friend list full"));
                }
                let application = FriendApplicationRow {
                    from_user: me.to_owned(),
                    to_user: req.to.to_owned(),
                    both: req.add_type == Both::Both,
                    remark: req.remark.to_owned(),
                    group_name: req.group_name.to_owned(),
                    source: req.source.to_owned(),
                    wording: req.wording.to_owned(),
                    time_ms: self.now_ms,
                    read: false,
                };
                self.store.put_friend_application(&application)?;
                self.friends_changed(me, FriendChange::Applications);
                self.friends_changed(req.to, FriendChange::Applications);
                AddResult::Pending
            }
        };
        self.respond_records(reply, &[FriendRecord::Added(result)]);
        Ok(())
    }

    /// Makes `mine` (and `theirs`, if given) friends: entries that exist
    /// already stay as they are; applications between the two are done
    /// with. Every list that changed is told of.
    fn befriend(
        &mut self,
        mine: Entry<'_>,
        theirs: Option<Entry<'_>>,
        source: &str,
        wording: &str,
    ) -> Handled {
        let (a, b) = (mine.owner, mine.friend);
        let mut changed = Vec::new();
        for entry in std::iter::once(mine).chain(theirs) {
            if self.store.friend(entry.owner, entry.friend)?.is_some() {
                continue;
            }
            if self.store.friend_count(entry.owner)? >= MAX_FRIENDS {
                return Err(Refusal::Code(entry.full, "friend list full"));
            }
            self.store.put_friend(&FriendRow {
                owner: entry.owner.to_owned(),
                friend: entry.friend.to_owned(),
                remark: entry.remark.to_owned(),
                source: source.to_owned(),
                wording: wording.to_owned(),
                added_ms: self.now_ms,
            })?;
            if !entry.group_name.is_empty() {
                self.file_in_group(entry.owner, entry.group_name, entry.friend)?;
            }
            changed.push(entry.owner.to_owned());
        }
        let mut applications = false;
        for (from, to) in [(a, b), (b, a)] {
            applications |= self.store.delete_friend_application(from, to)?;
        }
        for user in [a, b] {
            if changed.iter().any(|c| c == user) {
                self.friends_changed(user, FriendChange::List);
            }
            if applications {
                self.friends_changed(user, FriendChange::Applications);
            }
        }
        Ok(())
    }

    /// Puts `friend` in `owner`'s friend group `name`, made if missing.
    pub(super) fn file_in_group(&mut self, owner: &str, name: &str, friend: &str) -> Handled {
        if !self.store.friend_groups(owner)?.iter().any(|g| g == name) {
            if self.store.friend_groups(owner)?.len() >= MAX_FRIEND_GROUPS {
                return Err(invalid("at most 30 friend groups"));
            }
            self.store.create_friend_group(owner, name)?;
            self.friends_changed(owner, FriendChange::Groups);
        }
        if self.store.add_to_friend_group(owner, name, friend)? {
            self.friends_changed(owner, FriendChange::Groups);
        }
        Ok(())
    }

    pub(super) fn accept_friend_application(
        &mut self,
        reply: Reply,
        me: &str,
        req: AcceptApplication<'_>,
    ) -> Handled {
        check_len(req.remark, MAX_REMARK, "remark over 96 bytes")?;
        let Some(application) = self.store.friend_application(req.user_id, me)? else {
            return Err(invalid("no application from this user"));
        };
        let applicant = Entry {
            owner: &application.from_user,
            friend: me,
            remark: &application.remark,
            group_name: &application.group_name,
            full: code::PEER_FRIEND_LIST_FULL,
        };
        // "Agree" gives the applicant what they asked for; "agree and add"
        // makes it both ways whatever they asked.
        let back = (application.both || req.response == Response::AgreeAndAdd).then_some(Entry {
            owner: me,
            friend: &application.from_user,
            remark: req.remark,
            group_name: "",
            full: code::FRIEND_LIST_FULL,
        });
        self.befriend(applicant, back, &application.source, &application.wording)?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn refuse_friend_application(
        &mut self,
        reply: Reply,
        me: &str,
        req: ApplicationRef<'_>,
    ) -> Handled {
        if req.application_type != ApplicationType::ComeIn {
            return Err(invalid("only an application to oneself is refused"));
        }
        self.end_application(req.user_id, me)?;
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn delete_friend_application(
        &mut self,
        reply: Reply,
        me: &str,
        req: ApplicationRef<'_>,
    ) -> Handled {
        match req.application_type {
            ApplicationType::ComeIn => self.end_application(req.user_id, me)?,
            ApplicationType::SendOut => self.end_application(me, req.user_id)?,
        }
        self.respond(reply, &());
        Ok(())
    }

    /// Deletes the application from `from` to `to` and tells both.
    fn end_application(&mut self, from: &str, to: &str) -> Handled {
        if !self.store.delete_friend_application(from, to)? {
            return Err(invalid("no such application"));
        }
        self.friends_changed(from, FriendChange::Applications);
        self.friends_changed(to, FriendChange::Applications);
        Ok(())
    }

    /// TIM `deleteFriend`: every named user must be on the list.
    pub(super) fn delete_friend(
        &mut self,
        reply: Reply,
        me: &str,
        req: FriendUsers<'_>,
    ) -> Handled {
        let users = user_set(req.users, me, MAX_DELETE_FRIENDS)?;
        if users.is_empty() {
            return Err(no_users());
        }
        let mut groups = false;
        for user in &users {
            groups |= !self.store.groups_of_friend(me, user)?.is_empty();
            if !self.store.delete_friend(me, user)? {
                return Err(not_friend());
            }
            if req.both == Both::Both && self.store.delete_friend(user, me)? {
                self.friends_changed(user, FriendChange::List);
            }
        }
        self.friends_changed(me, FriendChange::List);
        if groups {
            self.friends_changed(me, FriendChange::Groups);
        }
        self.respond(reply, &());
        Ok(())
    }
}
