//! User calls: profiles (read anyone's, change one's own) and the blocklist
//! (add, remove, list); the status calls are in `status`. What a block does is checked where one-to-one
//! messages are sent (`BLOCKED_BY_PEER`).

use std::collections::BTreeSet;

use tinyim_core::wire::group::CustomField;
use tinyim_core::wire::user::{
    BlocklistChange, BlocklistPage, ProfileQuery, ProfileUpdate, UserChange, UserRecord,
    MAX_AVATAR, MAX_BLOCKLIST, MAX_LOCATION, MAX_NICK, MAX_PROFILE_CUSTOM_FIELDS,
    MAX_PROFILE_CUSTOM_KEY, MAX_PROFILE_CUSTOM_VALUE, MAX_PROFILE_USERS, MAX_SELF_SIGNATURE,
    PROFILE_CUSTOM_PREFIX,
};
use tinyim_core::wire::{code, kind};

use super::encode::Reply;
use super::groups::rules::check_len;
use super::paging::page_limit;
use super::user_list::{no_users, user_ids, user_set};
use super::{request_body, Engine, Handled, Refusal};
use crate::store::{ProfileRow, Store};

impl<S: Store> Engine<S> {
    /// Serves a user call (`kind` is one of [`kind::is_user_call`]).
    pub(crate) fn user_call(
        &mut self,
        reply: Reply,
        me: &str,
        frame_kind: u8,
        payload: &[u8],
    ) -> Handled {
        match frame_kind {
            kind::ADD_TO_BLOCKLIST => self.block(reply, me, request_body(payload)?),
            kind::REMOVE_FROM_BLOCKLIST => self.unblock(reply, me, request_body(payload)?),
            kind::BLOCKLIST => self.blocklist(reply, me, request_body(payload)?),
            kind::USER_PROFILE => self.user_profile(reply, request_body(payload)?),
            kind::UPDATE_MY_PROFILE => self.update_my_profile(reply, me, request_body(payload)?),
            kind::SET_SELF_STATUS => self.set_self_status(reply, me, request_body(payload)?),
            kind::USER_STATUS => self.user_status(reply, request_body(payload)?),
            kind::SUBSCRIBE_USER_STATUS => {
                self.subscribe_user_status(reply, me, request_body(payload)?)
            }
            kind::UNSUBSCRIBE_USER_STATUS => {
                self.unsubscribe_user_status(reply, me, request_body(payload)?)
            }
            kind::SET_PROFILE_CUSTOM => self.set_profile_custom(reply, me, request_body(payload)?),
            kind::PROFILE_CUSTOM => self.profile_custom(reply, request_body(payload)?),
            kind::SET_CONVERSATION_DATA => {
                self.set_conversation_data(reply, me, request_body(payload)?)
            }
            kind::CONVERSATION_DATA => self.conversation_data(reply, me, request_body(payload)?),
            kind::UPLOAD_TICKET => self.upload_ticket(reply, me, request_body(payload)?),
            kind::DOWNLOAD_URL => self.download_url(reply, me, request_body(payload)?),
            _ => Err(Refusal::Code(code::UNSUPPORTED, "unsupported request")),
        }
    }

    fn user_profile(&mut self, reply: Reply, req: ProfileQuery<'_>) -> Handled {
        // In the order asked: the caller asks again from `next_offset`.
        let users = user_ids(req.users, MAX_PROFILE_USERS)?;
        if users.is_empty() {
            return Err(no_users());
        }
        let mut rows = Vec::with_capacity(users.len());
        for user in users {
            rows.push(match self.store.profile(user)? {
                Some(row) => row,
                None => ProfileRow::default_for(user),
            });
        }
        // As many as fit the frame.
        let records = rows.iter().map(|row| UserRecord::Profile(row.as_wire()));
        self.respond_records_page(reply, 0, records, false, page_end);
        Ok(())
    }

    /// One field of TIM `profileCustomField`.
    fn set_profile_custom(&mut self, reply: Reply, me: &str, req: CustomField<'_>) -> Handled {
        check_custom_key(req.key, PROFILE_CUSTOM_PREFIX, MAX_PROFILE_CUSTOM_KEY)?;
        check_len(
            req.value,
            MAX_PROFILE_CUSTOM_VALUE,
            "profile custom value over 500 bytes",
        )?;
        self.store.set_profile_custom(me, req.key, req.value)?;
        // Counted after setting, so replacing a field never counts twice;
        // the call's savepoint takes an extra one back.
        if self.store.profile_customs(me)?.len() > MAX_PROFILE_CUSTOM_FIELDS {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "at most 20 profile custom fields",
            ));
        }
        self.push_to_user(me, kind::PUSH_USER, &UserChange::Profile);
        self.respond(reply, &());
        Ok(())
    }

    /// Each user's profile custom fields, as many users as fit the frame.
    fn profile_custom(&mut self, reply: Reply, req: ProfileQuery<'_>) -> Handled {
        let users = user_ids(req.users, MAX_PROFILE_USERS)?;
        if users.is_empty() {
            return Err(no_users());
        }
        let mut fields = Vec::with_capacity(users.len());
        for user in users {
            fields.push((user, self.store.profile_customs(user)?));
        }
        let units = fields.iter().map(|(user_id, fields)| {
            fields
                .iter()
                .map(|(key, value)| UserRecord::ProfileCustom {
                    user_id,
                    key,
                    value,
                })
                .collect()
        });
        self.respond_units_page(reply, 0, units, false, page_end);
        Ok(())
    }

    fn update_my_profile(&mut self, reply: Reply, me: &str, req: ProfileUpdate<'_>) -> Handled {
        let limits = [
            (req.nick, MAX_NICK, "nick over 500 bytes"),
            (req.location, MAX_LOCATION, "location over 16 bytes"),
            (
                req.self_signature,
                MAX_SELF_SIGNATURE,
                "self signature over 500 bytes",
            ),
            (req.avatar, MAX_AVATAR, "avatar URL over 500 bytes"),
        ];
        for (value, max, what) in limits {
            check_len(value.unwrap_or_default(), max, what)?;
        }
        let mut row = self
            .store
            .profile(me)?
            .unwrap_or_else(|| ProfileRow::default_for(me));
        let text = |field: &mut String, value: Option<&str>| {
            if let Some(value) = value {
                value.clone_into(field);
            }
        };
        text(&mut row.nick, req.nick);
        text(&mut row.location, req.location);
        text(&mut row.self_signature, req.self_signature);
        text(&mut row.avatar, req.avatar);
        row.gender = req.gender.unwrap_or(row.gender);
        row.birthday = req.birthday.unwrap_or(row.birthday);
        row.allow_type = req.allow_type.unwrap_or(row.allow_type);
        row.language = req.language.unwrap_or(row.language);
        row.level = req.level.unwrap_or(row.level);
        row.role = req.role.unwrap_or(row.role);
        row.updated_ms = self.now_ms;
        self.store.put_profile(&row)?;
        self.push_to_user(me, kind::PUSH_USER, &UserChange::Profile);
        let record = UserRecord::Profile(row.as_wire());
        self.respond_records_page(reply, 0, [record].into_iter(), false, page_end);
        Ok(())
    }

    fn block(&mut self, reply: Reply, me: &str, req: BlocklistChange<'_>) -> Handled {
        if req.users.iter().any(|user| user == me) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a user cannot block themselves",
            ));
        }
        let users = nonempty(user_set(req.users, me, MAX_BLOCKLIST)?)?;
        let mut changed = false;
        for user in &users {
            changed |= self.store.block(me, user)?;
        }
        // Checked after adding, so users already on the list do not count
        // twice; the request's savepoint takes the additions back.
        if self.store.blocklist_len(me)? > MAX_BLOCKLIST {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a blocklist holds at most 1000 users",
            ));
        }
        if changed {
            self.push_to_user(me, kind::PUSH_USER, &UserChange::Blocklist);
        }
        self.respond(reply, &());
        Ok(())
    }

    fn unblock(&mut self, reply: Reply, me: &str, req: BlocklistChange<'_>) -> Handled {
        let mut changed = false;
        for user in nonempty(user_set(req.users, me, MAX_BLOCKLIST)?)? {
            changed |= self.store.unblock(me, &user)?;
        }
        if changed {
            self.push_to_user(me, kind::PUSH_USER, &UserChange::Blocklist);
        }
        self.respond(reply, &());
        Ok(())
    }

    fn blocklist(&mut self, reply: Reply, me: &str, req: BlocklistPage) -> Handled {
        let limit = page_limit(req.count);
        // One more than asked for tells whether another page follows.
        let mut users = self.store.blocklist(me, req.offset, limit + 1)?;
        let more = users.len() > limit;
        users.truncate(limit);
        let records = users.iter().map(|user_id| UserRecord::Blocked { user_id });
        self.respond_records_page(reply, req.offset, records, more, page_end);
        Ok(())
    }
}

/// The closing record of a user call's page.
fn page_end<'a>(next_offset: u32, more: bool) -> UserRecord<'a> {
    UserRecord::Page { next_offset, more }
}

/// A list call names at least one user.
fn nonempty(users: BTreeSet<String>) -> Result<BTreeSet<String>, Refusal> {
    if users.is_empty() {
        return Err(no_users());
    }
    Ok(users)
}

/// A custom field key: `prefix` and 1 to `max_name` ASCII bytes.
pub(crate) fn check_custom_key(key: &str, prefix: &str, max_name: usize) -> Result<(), Refusal> {
    let name = key.strip_prefix(prefix).unwrap_or("");
    if name.is_empty() || name.len() > max_name || !name.is_ascii() {
        return Err(Refusal::Code(
            code::INVALID_PARAMETER,
            "a custom field key is its prefix and 1 to 8 ASCII bytes",
        ));
    }
    Ok(())
}
