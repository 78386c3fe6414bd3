//! TIM's profile, blocklist and status calls on [`Client`]. Each queues one request and returns
//! its id; the answer's records arrive as `Event::UserData` for that id,
//! then `RequestCompleted` (or `RequestFailed` with the server's code).

use super::outbox::Op;
use super::rx::RecordReader;
use super::Event;
use super::{Client, CommandError, RequestId};
use crate::model::valid_user_id;
use crate::time::Instant;
use crate::wire::group::{CustomField, UserList};
use crate::wire::kind;
use crate::wire::records::{self, DecodeError};
use crate::wire::user::UserRecord;
use crate::wire::user::{
    BlocklistChange, BlocklistPage, ProfileQuery, ProfileUpdate, SetSelfStatus, StatusUsers,
    MAX_BLOCKLIST, MAX_PROFILE_USERS, MAX_STATUS_QUERY, MAX_STATUS_SUBSCRIBE,
};

/// `users` as a list of 1 to `max` well-formed user ids.
pub(super) fn checked(users: &str, max: usize) -> Result<UserList<'_>, CommandError> {
    let list = UserList(users);
    let mut count = 0;
    for user in list.iter() {
        if !valid_user_id(user) {
            return Err(CommandError::InvalidUserId);
        }
        count += 1;
    }
    if count == 0 || count > max {
        return Err(CommandError::InvalidUserId);
    }
    Ok(list)
}

impl Client<'_> {
    pub(super) fn user_call<T: serde::Serialize>(
        &mut self,
        now: Instant,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        self.records_call(now, read_user_record, frame_kind, payload)
    }

    /// TIM `addToBlacklist`: `users` (comma-separated, at most 1000) may no
    /// longer send this user one-to-one messages (their sends fail with
    /// 20007). Users already on the list stay; the list holds at most 1000.
    pub fn add_to_blocklist(
        &mut self,
        now: Instant,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_BLOCKLIST)?;
        self.user_call(now, kind::ADD_TO_BLOCKLIST, &BlocklistChange { users })
    }

    /// TIM `removeFromBlacklist`: `users` (comma-separated) may send again.
    pub fn remove_from_blocklist(
        &mut self,
        now: Instant,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_BLOCKLIST)?;
        self.user_call(now, kind::REMOVE_FROM_BLOCKLIST, &BlocklistChange { users })
    }

    /// TIM `getBlacklist`, a page at a time, in the order of adding (the
    /// users of one call in id order). Answer:
    /// `UserRecord::Blocked` per user, then `Page` (ask again from its
    /// `next_offset` while `more`).
    pub fn blocklist(
        &mut self,
        now: Instant,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        self.user_call(now, kind::BLOCKLIST, &BlocklistPage { offset, count })
    }

    /// TIM `getMyProfile`. Answer: one `UserRecord::Profile`.
    pub fn my_profile(&mut self, now: Instant) -> Result<RequestId, CommandError> {
        self.command(now, |st| {
            let owner = st.owner.clone();
            let users = UserList(owner.as_str());
            st.start_request(
                Op::Records(RecordReader(read_user_record)),
                kind::USER_PROFILE,
                &ProfileQuery { users },
            )
        })
    }

    /// TIM `getUserProfile`: `users` (comma-separated, at most 100). Answer:
    /// a `UserRecord::Profile` per user (defaults for one who never set a
    /// profile).
    pub fn user_profile(&mut self, now: Instant, users: &str) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_PROFILE_USERS)?;
        self.user_call(now, kind::USER_PROFILE, &ProfileQuery { users })
    }

    /// TIM `updateMyProfile`: the fields set in `update`. Answer: the new
    /// profile as a `UserRecord::Profile`.
    pub fn update_my_profile(
        &mut self,
        now: Instant,
        update: &ProfileUpdate<'_>,
    ) -> Result<RequestId, CommandError> {
        self.user_call(now, kind::UPDATE_MY_PROFILE, update)
    }

    /// TIM `setSelfStatus`: the custom status others read with
    /// `user_status` and subscribers receive (at most 100 bytes, or the
    /// server refuses it with 10004; empty clears it). Kept until set again.
    pub fn set_self_status(
        &mut self,
        now: Instant,
        custom_status: &str,
    ) -> Result<RequestId, CommandError> {
        self.user_call(now, kind::SET_SELF_STATUS, &SetSelfStatus { custom_status })
    }

    /// TIM `getUserStatus`: `users` (comma-separated, at most 500; any
    /// user of the app). Answer: a `UserRecord::Status` per user.
    pub fn user_status(&mut self, now: Instant, users: &str) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_STATUS_QUERY)?;
        self.user_call(now, kind::USER_STATUS, &StatusUsers { users })
    }

    /// TIM `subscribeUserStatus`: `users` (comma-separated, at most 100 a
    /// call, 200 in all, not oneself). From now on every session of this
    /// user gets `Event::UserStatusUpdated` when one of them comes online,
    /// goes offline or sets a custom status; subscriptions outlive the
    /// session.
    pub fn subscribe_user_status(
        &mut self,
        now: Instant,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_STATUS_SUBSCRIBE)?;
        self.user_call(now, kind::SUBSCRIBE_USER_STATUS, &StatusUsers { users })
    }

    /// TIM `unsubscribeUserStatus`: `users` (comma-separated, at most 100),
    /// or every subscription when `users` is empty.
    pub fn unsubscribe_user_status(
        &mut self,
        now: Instant,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = if users.is_empty() {
            UserList("")
        } else {
            checked(users, MAX_STATUS_SUBSCRIBE)?
        };
        self.user_call(now, kind::UNSUBSCRIBE_USER_STATUS, &StatusUsers { users })
    }

    /// One custom field of TIM `updateMyProfile`'s `profileCustomField`:
    /// `key` is `Tag_Profile_Custom_` and 1 to 8 ASCII bytes, `value` at
    /// most 500 bytes (empty removes it); at most 20 a profile.
    pub fn set_profile_custom(
        &mut self,
        now: Instant,
        key: &str,
        value: &str,
    ) -> Result<RequestId, CommandError> {
        self.user_call(now, kind::SET_PROFILE_CUSTOM, &CustomField { key, value })
    }

    /// The profile custom fields of `users` (comma-separated, at most 100).
    /// Answer: each user's `UserRecord::ProfileCustom`s, then `Page`, whose
    /// `next_offset` counts the users answered (as many as fit the frame).
    pub fn profile_custom(&mut self, now: Instant, users: &str) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_PROFILE_USERS)?;
        self.user_call(now, kind::PROFILE_CUSTOM, &ProfileQuery { users })
    }
}

/// Reads a user call's record into `Event::UserData`.
fn read_user_record(request: RequestId, bytes: &[u8]) -> Result<(Event<'_>, &[u8]), DecodeError> {
    records::take::<UserRecord<'_>>(bytes)
        .map(|(data, rest)| (Event::UserData { request, data }, rest))
}
