//! TIM's profile and blocklist calls on [`Tim`]: each resolves when the
//! server answers.

use crate::driver::Command;
use crate::error::TimError;
use crate::tim::Tim;
use crate::user::{MyProfileUpdate, Profile, UserCall, UserData};

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

    /// TIM `getMyProfile`.
    pub async fn my_profile(&self) -> Result<Profile, TimError> {
        let (records, _, _) = page(self.user_call(UserCall::MyProfile).await?)?;
        profiles(records).pop().ok_or(TimError::UnexpectedAnswer)
    }

    /// TIM `getUserProfile`: the profiles of `users` (defaults for one who
    /// never set a profile), in the order asked, fetched as many as fit a
    /// frame at a time.
    pub async fn user_profiles(&self, users: &[&str]) -> Result<Vec<Profile>, TimError> {
        let mut found = Vec::new();
        let mut rest = users;
        while !rest.is_empty() {
            let call = UserCall::Profiles(rest.join(","));
            let (records, next_offset, _) = page(self.user_call(call).await?)?;
            let sent = usize::try_from(next_offset).unwrap_or(usize::MAX);
            if sent == 0 {
                // Not even one profile fits this client's frames.
                return Err(TimError::UnexpectedAnswer);
            }
            found.extend(profiles(records));
            rest = rest.get(sent..).unwrap_or_default();
        }
        Ok(found)
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
