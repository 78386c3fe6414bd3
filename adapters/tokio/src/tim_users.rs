//! TIM's profile, blocklist and status calls on [`Tim`]: each resolves when the
//! server answers.

use crate::driver::Command;
use crate::error::TimError;
use crate::tim::Tim;
use crate::user::{MyProfileUpdate, Profile, UserCall, UserData, UserStatus};

impl Tim {
    async fn user_call(&self, call: UserCall) -> Result<Vec<UserData>, TimError> {
        self.call(|reply| Command::User { call, reply }).await
    }

    /// TIM `addToBlacklist`: these users (at most 1000; the list holds at
    /// most 1000) can no longer send this user one-to-one messages; their
    /// sends fail with 20007.
    pub async fn add_to_blocklist(&self, users: &[&str]) -> Result<(), TimError> {
        self.user_call(UserCall::Block(users.join(",")))
            .await
            .map(drop)
    }

    /// TIM `removeFromBlacklist`.
    pub async fn remove_from_blocklist(&self, users: &[&str]) -> Result<(), TimError> {
        self.user_call(UserCall::Unblock(users.join(",")))
            .await
            .map(drop)
    }

    /// TIM `getBlacklist`: every blocked user, in the order of adding
    /// (fetched a page at a time).
    pub async fn blocklist(&self) -> Result<Vec<String>, TimError> {
        let mut users = Vec::new();
        let mut offset = 0;
        loop {
            let (records, next_offset, more) = page(self.user_call(UserCall::Page(offset)).await?)?;
            users.extend(records.into_iter().filter_map(|r| match r {
                UserData::Blocked(user) => Some(user),
                _ => None,
            }));
            if !more || next_offset <= offset {
                return Ok(users);
            }
            offset = next_offset;
        }
    }

    /// TIM `getMyProfile`, with its custom fields.
    pub async fn my_profile(&self) -> Result<Profile, TimError> {
        let (records, _, _) = page(self.user_call(UserCall::MyProfile).await?)?;
        let mut mine = profiles(records);
        self.fill_custom(&mut mine).await?;
        mine.pop().ok_or(TimError::UnexpectedAnswer)
    }

    /// TIM `getUserProfile`: the profiles of `users` (defaults for one who
    /// never set a profile) with their custom fields, in the order asked,
    /// fetched as many as fit a frame at a time.
    pub async fn user_profiles(&self, users: &[&str]) -> Result<Vec<Profile>, TimError> {
        let records = self.per_user(users, UserCall::Profiles).await?;
        let mut found = profiles(records);
        self.fill_custom(&mut found).await?;
        Ok(found)
    }

    /// Reads the custom fields of `profiles` into them.
    async fn fill_custom(&self, profiles: &mut [Profile]) -> Result<(), TimError> {
        let users: Vec<&str> = profiles.iter().map(|p| p.user_id.as_str()).collect();
        if users.is_empty() {
            return Ok(());
        }
        let fields = self.per_user(&users, UserCall::Customs).await?;
        // By user and key: a user named twice is answered twice.
        let fields: std::collections::BTreeMap<(String, String), String> = fields
            .into_iter()
            .filter_map(|r| match r {
                UserData::Custom(user, key, value) => Some(((user, key), value)),
                _ => None,
            })
            .collect();
        for profile in profiles.iter_mut() {
            profile.custom = fields
                .iter()
                .filter(|((user, _), _)| *user == profile.user_id)
                .map(|((_, key), value)| (key.clone(), value.clone()))
                .collect();
        }
        Ok(())
    }

    /// One field of TIM `updateMyProfile`'s `profileCustomField`: `key` is
    /// `Tag_Profile_Custom_` and 1 to 8 ASCII bytes, `value` at most 500
    /// bytes (empty removes it); at most 20 a profile. The user's sessions
    /// see `PROFILE_UPDATED`.
    pub async fn set_profile_custom(&self, key: &str, value: &str) -> Result<(), TimError> {
        let call = UserCall::SetCustom(key.to_owned(), value.to_owned());
        self.user_call(call).await.map(drop)
    }

    async fn per_user(
        &self,
        users: &[&str],
        call: fn(String) -> UserCall,
    ) -> Result<Vec<UserData>, TimError> {
        let ask = |users: String| self.user_call(call(users));
        crate::tim::per_user(users, ",", ask, |records: &[UserData]| {
            match records.last() {
                Some(&UserData::Page { next_offset, .. }) => Some(next_offset),
                _ => None,
            }
        })
        .await
    }

    /// TIM `setSelfStatus`: the custom status (at most 100 bytes; empty
    /// clears it) that `user_status` reads and subscribers receive; kept
    /// until set again.
    pub async fn set_self_status(&self, custom_status: &str) -> Result<(), TimError> {
        self.user_call(UserCall::SetStatus(custom_status.to_owned()))
            .await
            .map(drop)
    }

    /// TIM `getUserStatus`: the statuses of `users` (at most 500, any user
    /// of the app), in the order asked.
    pub async fn user_status(&self, users: &[&str]) -> Result<Vec<UserStatus>, TimError> {
        let records = self.per_user(users, UserCall::Statuses).await?;
        Ok(records
            .into_iter()
            .filter_map(|r| match r {
                UserData::Status(s) => Some(s),
                _ => None,
            })
            .collect())
    }

    /// TIM `subscribeUserStatus`: `TimEvent::UserStatusUpdated` on every
    /// session of this user when one of `users` (at most 100 a call, 200
    /// in all, not oneself) comes online, goes offline or sets a custom
    /// status. Subscriptions outlive the session.
    pub async fn subscribe_user_status(&self, users: &[&str]) -> Result<(), TimError> {
        self.user_call(UserCall::Subscribe(users.join(",")))
            .await
            .map(drop)
    }

    /// TIM `unsubscribeUserStatus`: ends the subscriptions to `users`, or
    /// every subscription when `users` is empty.
    pub async fn unsubscribe_user_status(&self, users: &[&str]) -> Result<(), TimError> {
        self.user_call(UserCall::Unsubscribe(users.join(",")))
            .await
            .map(drop)
    }

    /// TIM `updateMyProfile`: resolves to the profile as changed.
    pub async fn update_my_profile(&self, update: MyProfileUpdate) -> Result<Profile, TimError> {
        let (records, _, _) = page(self.user_call(UserCall::UpdateProfile(update)).await?)?;
        profiles(records).pop().ok_or(TimError::UnexpectedAnswer)
    }
}

/// A page's records and its closing `Page` record's `(next_offset, more)`.
fn page(records: Vec<UserData>) -> Result<(Vec<UserData>, u32, bool), TimError> {
    match records.last() {
        Some(&UserData::Page { next_offset, more }) => Ok((records, next_offset, more)),
        _ => Err(TimError::UnexpectedAnswer),
    }
}

fn profiles(records: Vec<UserData>) -> Vec<Profile> {
    records
        .into_iter()
        .filter_map(|r| match r {
            UserData::Profile(p) => Some(p),
            _ => None,
        })
        .collect()
}
