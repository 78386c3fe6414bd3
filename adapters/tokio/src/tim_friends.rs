//! TIM's friend calls on [`Tim`]: each resolves when the server answers.

use crate::driver::Command;
use crate::error::TimError;
use crate::friend::{
    AddFriendOptions, AddResult, ApplicationType, Both, Friend, FriendApplication, FriendCall,
    FriendData, FriendGroup, Relation, Response,
};
use crate::tim::Tim;

/// A page's closing `Page` record's `(next_offset, more)`.
fn page_end(records: &[FriendData]) -> Result<(u32, bool), TimError> {
    match records.last() {
        Some(&FriendData::Page { next_offset, more }) => Ok((next_offset, more)),
        _ => Err(TimError::UnexpectedAnswer),
    }
}

impl Tim {
    async fn friend_call(&self, call: FriendCall) -> Result<Vec<FriendData>, TimError> {
        self.call(|reply| Command::Friend { call, reply }).await
    }

    async fn friend_done(&self, call: FriendCall) -> Result<(), TimError> {
        self.friend_call(call).await.map(drop)
    }

    /// Every record of a paged friend call, from offset 0.
    async fn all_pages(&self, call: fn(u32) -> FriendCall) -> Result<Vec<FriendData>, TimError> {
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let records = self.friend_call(call(offset)).await?;
            let (next_offset, more) = page_end(&records)?;
            all.extend(records);
            if !more || next_offset <= offset {
                return Ok(all);
            }
            offset = next_offset;
        }
    }

    async fn per_friend(
        &self,
        users: &[&str],
        call: impl Fn(String) -> FriendCall,
    ) -> Result<Vec<FriendData>, TimError> {
        let ask = |users: String| self.friend_call(call(users));
        crate::tim::per_user(users, ",", ask, |records: &[FriendData]| {
            page_end(records).ok().map(|(next_offset, _)| next_offset)
        })
        .await
    }

    /// TIM `addFriend`: friends at once if `options.to` allows anyone
    /// ([`AddResult::Added`]), an application if they confirm each
    /// ([`AddResult::Pending`]); refused with 30516 if they allow nobody,
    /// 30525 if they block this user, 2701 if already a friend.
    pub async fn add_friend(&self, options: AddFriendOptions) -> Result<AddResult, TimError> {
        let records = self.friend_call(FriendCall::Add(options)).await?;
        records
            .iter()
            .find_map(|r| match r {
                FriendData::Added(result) => Some(*result),
                _ => None,
            })
            .ok_or(TimError::UnexpectedAnswer)
    }

    /// TIM `deleteFriend`: `users` (at most 100, each a friend) off the
    /// list; `Both` takes this user off theirs too.
    pub async fn delete_friend(&self, users: &[&str], both: Both) -> Result<(), TimError> {
        self.friend_done(FriendCall::Delete(users.join(","), both))
            .await
    }

    /// TIM `checkFriend`: how this user and each of `users` (at most 1000)
    /// relate, in the order asked.
    pub async fn check_friend(
        &self,
        users: &[&str],
        both: Both,
    ) -> Result<Vec<(String, Relation)>, TimError> {
        let records = self
            .per_friend(users, |users| FriendCall::Check(users, both))
            .await?;
        Ok(records
            .into_iter()
            .filter_map(|r| match r {
                FriendData::Check(user, relation) => Some((user, relation)),
                _ => None,
            })
            .collect())
    }

    /// TIM `getFriendList`: every friend in the order of adding (without
    /// custom fields: `friend_profiles` reads those).
    pub async fn friend_list(&self) -> Result<Vec<Friend>, TimError> {
        let records = self.all_pages(FriendCall::List).await?;
        Ok(records
            .into_iter()
            .filter_map(|r| match r {
                FriendData::Friend(f) => Some(f),
                _ => None,
            })
            .collect())
    }

    /// TIM `getFriendProfile`: the entries of those of `users` (at most
    /// 100) who are friends, with their custom fields, in the order asked;
    /// the others are left out.
    pub async fn friend_profiles(&self, users: &[&str]) -> Result<Vec<Friend>, TimError> {
        let records = self.per_friend(users, FriendCall::Profiles).await?;
        let mut friends: Vec<Friend> = Vec::new();
        for record in records {
            match record {
                FriendData::Friend(f) => friends.push(f),
                FriendData::Custom(key, value) => {
                    if let Some(f) = friends.last_mut() {
                        f.custom.push((key, value));
                    }
                }
                _ => {}
            }
        }
        Ok(friends)
    }

    /// TIM `updateFriend` with a remark (at most 96 bytes).
    pub async fn set_friend_remark(&self, user: &str, remark: &str) -> Result<(), TimError> {
        self.friend_done(FriendCall::Remark(user.to_owned(), remark.to_owned()))
            .await
    }

    /// TIM `updateFriend` with one custom field: `key` is
    /// `Tag_SNS_Custom_` and 1 to 8 ASCII bytes, `value` at most 500 bytes
    /// (empty removes it); at most 20 a friend.
    pub async fn set_friend_custom(
        &self,
        user: &str,
        key: &str,
        value: &str,
    ) -> Result<(), TimError> {
        let call = FriendCall::Custom(user.to_owned(), key.to_owned(), value.to_owned());
        self.friend_done(call).await
    }

    /// TIM `getFriendApplicationList`: the unread count and every
    /// application to and from this user, newest first.
    pub async fn friend_applications(&self) -> Result<(u32, Vec<FriendApplication>), TimError> {
        let records = self.all_pages(FriendCall::Applications).await?;
        let mut unread = 0;
        let mut applications = Vec::new();
        for record in records {
            match record {
                FriendData::Unread(n) => unread = n,
                FriendData::Application(a) => applications.push(a),
                _ => {}
            }
        }
        Ok((unread, applications))
    }

    /// TIM `acceptFriendApplication`: `user`'s application to this user.
    /// `Agree` gives them what they asked (this user on their list, and
    /// them on this user's if they asked both ways); `AgreeAndAdd` makes it
    /// both ways, with `remark` for them.
    pub async fn accept_friend_application(
        &self,
        user: &str,
        response: Response,
        remark: &str,
    ) -> Result<(), TimError> {
        let call = FriendCall::Accept(user.to_owned(), response, remark.to_owned());
        self.friend_done(call).await
    }

    /// TIM `refuseFriendApplication`: `user`'s application to this user.
    pub async fn refuse_friend_application(&self, user: &str) -> Result<(), TimError> {
        self.friend_done(FriendCall::Refuse(user.to_owned())).await
    }

    /// TIM `deleteFriendApplication`: the application between this user
    /// and `user` (to this user: `ComeIn`; from it: `SendOut`).
    pub async fn delete_friend_application(
        &self,
        user: &str,
        application_type: ApplicationType,
    ) -> Result<(), TimError> {
        let call = FriendCall::DeleteApplication(user.to_owned(), application_type);
        self.friend_done(call).await
    }

    /// TIM `setFriendApplicationRead`.
    pub async fn set_friend_applications_read(&self) -> Result<(), TimError> {
        self.friend_done(FriendCall::ReadApplications).await
    }

    /// TIM `createFriendGroup`: `name` (1 to 30 bytes; at most 30 groups)
    /// holding `users` (friends).
    pub async fn create_friend_group(&self, name: &str, users: &[&str]) -> Result<(), TimError> {
        let call = FriendCall::CreateGroup(name.to_owned(), users.join(","));
        self.friend_done(call).await
    }

    /// TIM `deleteFriendGroup`.
    pub async fn delete_friend_group(&self, name: &str) -> Result<(), TimError> {
        self.friend_done(FriendCall::DeleteGroup(name.to_owned()))
            .await
    }

    /// TIM `renameFriendGroup`.
    pub async fn rename_friend_group(&self, name: &str, new_name: &str) -> Result<(), TimError> {
        let call = FriendCall::RenameGroup(name.to_owned(), new_name.to_owned());
        self.friend_done(call).await
    }

    /// TIM `addToFriendGroup`: friends `users` (at most 100) into `name`.
    pub async fn add_to_friend_group(&self, name: &str, users: &[&str]) -> Result<(), TimError> {
        let call = FriendCall::AddToGroup(name.to_owned(), users.join(","));
        self.friend_done(call).await
    }

    /// TIM `removeFromFriendGroup`.
    pub async fn remove_from_friend_group(
        &self,
        name: &str,
        users: &[&str],
    ) -> Result<(), TimError> {
        let call = FriendCall::RemoveFromGroup(name.to_owned(), users.join(","));
        self.friend_done(call).await
    }

    /// TIM `getFriendGroupList`: every friend group with its friends.
    pub async fn friend_groups(&self) -> Result<Vec<FriendGroup>, TimError> {
        let records = self.all_pages(FriendCall::Groups).await?;
        let mut groups: Vec<FriendGroup> = Vec::new();
        for record in records {
            match record {
                FriendData::Group(name) => groups.push(FriendGroup {
                    name,
                    users: Vec::new(),
                }),
                FriendData::Member(user) => {
                    if let Some(group) = groups.last_mut() {
                        group.users.push(user);
                    }
                }
                _ => {}
            }
        }
        Ok(groups)
    }
}
