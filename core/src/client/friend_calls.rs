//! TIM's friend calls on [`Client`]: friends, applications and friend
//! groups. Each queues one request and returns its id; the answer's records
//! arrive as `Event::FriendData` for that id, then `RequestCompleted` (or
//! `RequestFailed` with the server's code). Lengths and limits are the
//! server's to check (see [`crate::wire::friend`]).

use super::user_calls::checked;
use super::Event;
use super::{Client, CommandError, RequestId};
use crate::model::valid_user_id;
use crate::time::Instant;
use crate::wire::friend::FriendRecord;
use crate::wire::friend::{
    AcceptApplication, AddFriend, ApplicationRef, ApplicationType, Both, FriendGroupChange,
    FriendPage, FriendQuery, FriendUsers, Response, UpdateFriend, MAX_CHECK_FRIENDS,
    MAX_DELETE_FRIENDS, MAX_FRIEND_USERS,
};
use crate::wire::group::UserList;
use crate::wire::kind;
use crate::wire::records::{self, DecodeError};

fn one(user: &str) -> Result<&str, CommandError> {
    if valid_user_id(user) {
        Ok(user)
    } else {
        Err(CommandError::InvalidUserId)
    }
}

impl Client<'_> {
    fn friend_call<T: serde::Serialize>(
        &mut self,
        now: Instant,
        frame_kind: u8,
        payload: &T,
    ) -> Result<RequestId, CommandError> {
        self.records_call(now, read_friend_record, frame_kind, payload)
    }

    /// TIM `addFriend`: as `add.to`'s allow type says, friends at once
    /// (answer `FriendRecord::Added(Added)`), an application for them to
    /// accept (`Added(Pending)`), or refused (30516). `Both` puts the
    /// caller on their list too when it takes effect.
    pub fn add_friend(
        &mut self,
        now: Instant,
        add: &AddFriend<'_>,
    ) -> Result<RequestId, CommandError> {
        one(add.to)?;
        self.friend_call(now, kind::ADD_FRIEND, add)
    }

    /// TIM `deleteFriend`: `users` (comma-separated, at most 100) off the
    /// list; `Both` takes the caller off theirs too.
    pub fn delete_friend(
        &mut self,
        now: Instant,
        users: &str,
        both: Both,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_DELETE_FRIENDS)?;
        self.friend_call(now, kind::DELETE_FRIEND, &FriendUsers { users, both })
    }

    /// TIM `checkFriend`: how the caller and each of `users` (at most 1000)
    /// relate. Answer: a `FriendRecord::Check` per user, then `Page` (as
    /// many as fit the frame: ask again for the rest).
    pub fn check_friend(
        &mut self,
        now: Instant,
        users: &str,
        both: Both,
    ) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_CHECK_FRIENDS)?;
        self.friend_call(now, kind::CHECK_FRIEND, &FriendUsers { users, both })
    }

    /// TIM `getFriendList`, a page at a time in the order of adding.
    /// Answer: `FriendRecord::Friend`s (each followed by its `Custom`
    /// fields), then `Page`.
    pub fn friend_list(
        &mut self,
        now: Instant,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        self.friend_call(now, kind::FRIEND_LIST, &FriendPage { offset, count })
    }

    /// TIM `getFriendProfile`: `users` (at most 100). Answer: a `Friend`
    /// (with its `Custom` fields) or `NotFriend` per user, then `Page`.
    pub fn friend_profile(&mut self, now: Instant, users: &str) -> Result<RequestId, CommandError> {
        let users = checked(users, MAX_FRIEND_USERS)?;
        self.friend_call(now, kind::FRIEND_PROFILE, &FriendQuery { users })
    }

    /// TIM `updateFriend`: a friend's remark or one custom field.
    pub fn update_friend(
        &mut self,
        now: Instant,
        update: &UpdateFriend<'_>,
    ) -> Result<RequestId, CommandError> {
        one(update.user_id)?;
        self.friend_call(now, kind::UPDATE_FRIEND, update)
    }

    /// TIM `getFriendApplicationList`, a page at a time, newest first.
    /// Answer: `UnreadApplications(n)`, `Application`s, then `Page`.
    pub fn friend_applications(
        &mut self,
        now: Instant,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        self.friend_call(
            now,
            kind::FRIEND_APPLICATIONS,
            &FriendPage { offset, count },
        )
    }

    /// TIM `acceptFriendApplication`: `user`'s application to this user.
    pub fn accept_friend_application(
        &mut self,
        now: Instant,
        user: &str,
        response: Response,
        remark: &str,
    ) -> Result<RequestId, CommandError> {
        let accept = AcceptApplication {
            user_id: one(user)?,
            response,
            remark,
        };
        self.friend_call(now, kind::ACCEPT_FRIEND_APPLICATION, &accept)
    }

    /// TIM `refuseFriendApplication`: `user`'s application to this user.
    pub fn refuse_friend_application(
        &mut self,
        now: Instant,
        user: &str,
    ) -> Result<RequestId, CommandError> {
        let refuse = ApplicationRef {
            user_id: one(user)?,
            application_type: ApplicationType::ComeIn,
        };
        self.friend_call(now, kind::REFUSE_FRIEND_APPLICATION, &refuse)
    }

    /// TIM `deleteFriendApplication`: the application between this user
    /// and `user`, either way.
    pub fn delete_friend_application(
        &mut self,
        now: Instant,
        user: &str,
        application_type: ApplicationType,
    ) -> Result<RequestId, CommandError> {
        let delete = ApplicationRef {
            user_id: one(user)?,
            application_type,
        };
        self.friend_call(now, kind::DELETE_FRIEND_APPLICATION, &delete)
    }

    /// TIM `setFriendApplicationRead`: the unread count goes to zero.
    pub fn set_friend_applications_read(
        &mut self,
        now: Instant,
    ) -> Result<RequestId, CommandError> {
        self.friend_call(now, kind::SET_FRIEND_APPLICATIONS_READ, &())
    }

    fn friend_group_call(
        &mut self,
        now: Instant,
        frame_kind: u8,
        name: &str,
        new_name: &str,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        let users = if users.is_empty() {
            UserList("")
        } else {
            checked(users, MAX_FRIEND_USERS)?
        };
        let change = FriendGroupChange {
            name,
            new_name,
            users,
        };
        self.friend_call(now, frame_kind, &change)
    }

    /// TIM `createFriendGroup`: `name` holding `users` (friends, at most
    /// 100; may be empty).
    pub fn create_friend_group(
        &mut self,
        now: Instant,
        name: &str,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        self.friend_group_call(now, kind::CREATE_FRIEND_GROUP, name, "", users)
    }

    /// TIM `deleteFriendGroup` (the friends stay friends).
    pub fn delete_friend_group(
        &mut self,
        now: Instant,
        name: &str,
    ) -> Result<RequestId, CommandError> {
        self.friend_group_call(now, kind::DELETE_FRIEND_GROUP, name, "", "")
    }

    /// TIM `renameFriendGroup`.
    pub fn rename_friend_group(
        &mut self,
        now: Instant,
        name: &str,
        new_name: &str,
    ) -> Result<RequestId, CommandError> {
        self.friend_group_call(now, kind::RENAME_FRIEND_GROUP, name, new_name, "")
    }

    /// TIM `addToFriendGroup`: friends `users` (at most 100) into `name`.
    pub fn add_to_friend_group(
        &mut self,
        now: Instant,
        name: &str,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        self.friend_group_call(now, kind::ADD_TO_FRIEND_GROUP, name, "", users)
    }

    /// TIM `removeFromFriendGroup`: `users` (at most 100) out of `name`.
    pub fn remove_from_friend_group(
        &mut self,
        now: Instant,
        name: &str,
        users: &str,
    ) -> Result<RequestId, CommandError> {
        self.friend_group_call(now, kind::REMOVE_FROM_FRIEND_GROUP, name, "", users)
    }

    /// TIM `getFriendGroupList`, a page of records at a time. Answer:
    /// `FriendRecord::Group`s, each followed by its `Member`s, then `Page`.
    pub fn friend_groups(
        &mut self,
        now: Instant,
        offset: u32,
        count: u16,
    ) -> Result<RequestId, CommandError> {
        self.friend_call(now, kind::FRIEND_GROUPS, &FriendPage { offset, count })
    }
}

/// Reads a friend call's record into `Event::FriendData`.
fn read_friend_record(request: RequestId, bytes: &[u8]) -> Result<(Event<'_>, &[u8]), DecodeError> {
    records::take::<FriendRecord<'_>>(bytes)
        .map(|(data, rest)| (Event::FriendData { request, data }, rest))
}
