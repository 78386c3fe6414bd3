//! TIM's blocklist, profile updates and status calls on a [`Handle`].

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_core::wire::user::ProfileUpdate;

use crate::call::{args, Applied};
use crate::handle::{Handle, HandleError, UserIds};

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// TIM `addToBlacklist`: the server refuses these users' one-to-one
    /// messages to this user (at most 1 000 entries in all).
    pub async fn add_to_blocklist(&self, users: &[&str]) -> Result<(), HandleError> {
        self.done(&UserIds::checked(users)?, |c, now, a| {
            Ok(Applied::Request(c.add_to_blocklist(now, args(a)?)?))
        })
        .await
    }

    /// TIM `removeFromBlacklist`.
    pub async fn remove_from_blocklist(&self, users: &[&str]) -> Result<(), HandleError> {
        self.done(&UserIds::checked(users)?, |c, now, a| {
            Ok(Applied::Request(c.remove_from_blocklist(now, args(a)?)?))
        })
        .await
    }

    /// TIM `updateMyProfile`: sets the fields that are `Some`; the user's
    /// other sessions see `PROFILE_UPDATED`.
    pub async fn update_my_profile(&self, update: &ProfileUpdate<'_>) -> Result<(), HandleError> {
        self.done(update, |c, now, a| {
            Ok(Applied::Request(c.update_my_profile(now, &args(a)?)?))
        })
        .await
    }

    /// TIM `setSelfStatus`: the custom status (at most 100 bytes; empty
    /// clears it) that subscribers receive and `getUserStatus` reads.
    pub async fn set_self_status(&self, custom_status: &str) -> Result<(), HandleError> {
        self.done(&custom_status, |c, now, a| {
            Ok(Applied::Request(c.set_self_status(now, args(a)?)?))
        })
        .await
    }

    /// TIM `subscribeUserStatus`: `OwnedEvent::UserStatusUpdated` when one
    /// of `users` (at most 100, not oneself) comes online, goes offline or
    /// sets a custom status; kept by the server across sessions.
    pub async fn subscribe_user_status(&self, users: &[&str]) -> Result<(), HandleError> {
        self.done(&UserIds::checked(users)?, |c, now, a| {
            Ok(Applied::Request(c.subscribe_user_status(now, args(a)?)?))
        })
        .await
    }

    /// TIM `unsubscribeUserStatus`: from `users`, or from everyone when
    /// `users` is empty.
    pub async fn unsubscribe_user_status(&self, users: &[&str]) -> Result<(), HandleError> {
        self.done(&UserIds::checked(users)?, |c, now, a| {
            Ok(Applied::Request(c.unsubscribe_user_status(now, args(a)?)?))
        })
        .await
    }
}
