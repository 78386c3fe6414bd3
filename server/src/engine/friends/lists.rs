//! Reading friend data: the friend list, friend entries with their custom
//! fields, relation checks and the applications; and changing an entry
//! (`updateFriend`).

use tinyim_core::wire::code;
use tinyim_core::wire::friend::{
    Application, ApplicationType, Both, Friend, FriendChange, FriendPage, FriendQuery,
    FriendRecord, FriendUsers, Relation, UpdateFriend, FRIEND_CUSTOM_PREFIX, MAX_CHECK_FRIENDS,
    MAX_FRIEND_CUSTOM_FIELDS, MAX_FRIEND_CUSTOM_KEY, MAX_FRIEND_CUSTOM_VALUE, MAX_FRIEND_USERS,
    MAX_REMARK,
};
use tinyim_core::wire::group::CustomField;

use super::super::encode::Reply;
use super::super::groups::rules::check_len;
use super::super::paging::page_limit;
use super::super::user_list::{no_users, user_ids};
use super::super::users::check_custom_key;
use super::super::{Engine, Handled, Refusal};
use super::not_friend;
use crate::store::{FriendRow, Store, StoreResult};

fn page_end<'a>(next_offset: u32, more: bool) -> FriendRecord<'a> {
    FriendRecord::Page { next_offset, more }
}

/// A friend entry as read: the row, its friend groups (comma-joined) and
/// its custom fields.
struct Entry {
    row: FriendRow,
    groups: String,
    customs: Vec<(String, String)>,
}

impl Entry {
    fn records(&self) -> Vec<FriendRecord<'_>> {
        let friend = FriendRecord::Friend(Friend {
            user_id: &self.row.friend,
            remark: &self.row.remark,
            source: &self.row.source,
            wording: &self.row.wording,
            groups: &self.groups,
            added_ms: self.row.added_ms,
        });
        let customs = self
            .customs
            .iter()
            .map(|(key, value)| FriendRecord::Custom(CustomField { key, value }));
        std::iter::once(friend).chain(customs).collect()
    }
}

impl<S: Store> Engine<S> {
    fn entry(&mut self, row: FriendRow, with_customs: bool) -> StoreResult<Entry> {
        let groups = self
            .store
            .groups_of_friend(&row.owner, &row.friend)?
            .join(",");
        let customs = if with_customs {
            self.store.friend_customs(&row.owner, &row.friend)?
        } else {
            Vec::new()
        };
        Ok(Entry {
            row,
            groups,
            customs,
        })
    }

    /// TIM `getFriendList`: `Friend` records (custom fields are read with
    /// `getFriendProfile`), a page at a time.
    pub(super) fn friend_list(&mut self, reply: Reply, me: &str, req: FriendPage) -> Handled {
        let limit = page_limit(req.count);
        let mut rows = self.store.friends(me, req.offset, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            entries.push(self.entry(row, false)?);
        }
        let units = entries.iter().map(Entry::records);
        self.respond_units_page(reply, req.offset, units, more, page_end);
        Ok(())
    }

    /// TIM `getFriendProfile`: per user asked, its entry with its custom
    /// fields, or `NotFriend`; as many users as fit the frame.
    pub(super) fn friend_profile(
        &mut self,
        reply: Reply,
        me: &str,
        req: FriendQuery<'_>,
    ) -> Handled {
        let users = user_ids(req.users, MAX_FRIEND_USERS)?;
        if users.is_empty() {
            return Err(no_users());
        }
        let mut found = Vec::with_capacity(users.len());
        for user in users {
            found.push(match self.store.friend(me, user)? {
                Some(row) => Ok(self.entry(row, true)?),
                None => Err(user),
            });
        }
        let units = found.iter().map(|entry| match entry {
            Ok(entry) => entry.records(),
            Err(user) => vec![FriendRecord::NotFriend { user_id: user }],
        });
        self.respond_units_page(reply, 0, units, false, page_end);
        Ok(())
    }

    /// TIM `checkFriend`: a `Check` per user, as many as fit the frame.
    pub(super) fn check_friend(&mut self, reply: Reply, me: &str, req: FriendUsers<'_>) -> Handled {
        let users = user_ids(req.users, MAX_CHECK_FRIENDS)?;
        if users.is_empty() {
            return Err(no_users());
        }
        let mut relations = Vec::with_capacity(users.len());
        for user in users {
            let mine = self.store.friend(me, user)?.is_some();
            let theirs = req.both == Both::Both && self.store.friend(user, me)?.is_some();
            let relation = match (mine, theirs) {
                (true, true) => Relation::BothWay,
                (true, false) => Relation::AWithB,
                (false, true) => Relation::BWithA,
                (false, false) => Relation::NoRelation,
            };
            relations.push((user, relation));
        }
        let records = relations
            .iter()
            .map(|&(user_id, relation)| FriendRecord::Check { user_id, relation });
        self.respond_records_page(reply, 0, records, false, page_end);
        Ok(())
    }

    /// TIM `updateFriend`: the remark, or one custom field.
    pub(super) fn update_friend(
        &mut self,
        reply: Reply,
        me: &str,
        req: UpdateFriend<'_>,
    ) -> Handled {
        let Some(mut row) = self.store.friend(me, req.user_id)? else {
            return Err(not_friend());
        };
        if let Some(remark) = req.remark {
            check_len(remark, MAX_REMARK, "remark over 96 bytes")?;
            remark.clone_into(&mut row.remark);
            self.store.put_friend(&row)?;
        }
        if let Some(custom) = req.custom {
            check_custom_key(custom.key, FRIEND_CUSTOM_PREFIX, MAX_FRIEND_CUSTOM_KEY)?;
            check_len(
                custom.value,
                MAX_FRIEND_CUSTOM_VALUE,
                "friend custom value over 500 bytes",
            )?;
            self.store
                .set_friend_custom(me, req.user_id, custom.key, custom.value)?;
            // Counted after setting, so replacing a field never counts twice;
            // the call's savepoint takes an extra one back.
            if self.store.friend_customs(me, req.user_id)?.len() > MAX_FRIEND_CUSTOM_FIELDS {
                return Err(Refusal::Code(
                    code::INVALID_PARAMETER,
                    "at most 20 custom fields a friend",
                ));
            }
        }
        self.friends_changed(me, FriendChange::List);
        self.respond(reply, &());
        Ok(())
    }

    /// TIM `getFriendApplicationList`: the unread count, then the
    /// applications to and from the user, newest first, a page at a time.
    pub(super) fn friend_applications(
        &mut self,
        reply: Reply,
        me: &str,
        req: FriendPage,
    ) -> Handled {
        let limit = page_limit(req.count);
        let mut rows = self.store.friend_applications(me, req.offset, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let unread = self.store.unread_friend_applications(me)?;
        let applications = rows.iter().map(|a| {
            let (user_id, application_type) = if a.to_user == me {
                (a.from_user.as_str(), ApplicationType::ComeIn)
            } else {
                (a.to_user.as_str(), ApplicationType::SendOut)
            };
            vec![FriendRecord::Application(Application {
                user_id,
                application_type,
                wording: &a.wording,
                source: &a.source,
                time_ms: a.time_ms,
            })]
        });
        // The count rides with the first application, so it is always on
        // the page that starts the list.
        let mut units: Vec<Vec<FriendRecord<'_>>> = applications.collect();
        let Some(first) = units.first_mut() else {
            let records = [
                FriendRecord::UnreadApplications(unread),
                page_end(req.offset, false),
            ];
            self.respond_records(reply, &records);
            return Ok(());
        };
        first.insert(0, FriendRecord::UnreadApplications(unread));
        self.respond_units_page(reply, req.offset, units.into_iter(), more, page_end);
        Ok(())
    }
}
