//! TIM's status calls: a custom status of one's own, anyone's status, and
//! subscriptions to others' (kept in the store, for every session of the
//! subscriber); and the `USER_STATUS_UPDATED` pushes (who is online:
//! `presence`). Any user of the app may read and subscribe to any other's
//! status, as in TIM.

use tinyim_core::wire::user::{
    SetSelfStatus, StatusType, StatusUsers, UserRecord, UserStatus, MAX_CUSTOM_STATUS,
    MAX_STATUS_QUERY, MAX_STATUS_SUBSCRIBE, MAX_STATUS_SUBSCRIPTIONS,
};
use tinyim_core::wire::{code, kind};

use super::encode::{self, Reply};
use super::groups::rules::check_len;
use super::user_list::{no_users, user_ids};
use super::{ConnId, Engine, Handled, Refusal, Relay};
use crate::store::{Store, StoreResult};

impl<S: Store> Engine<S> {
    /// TIM `setSelfStatus`.
    pub(super) fn set_self_status(
        &mut self,
        reply: Reply,
        me: &str,
        req: SetSelfStatus<'_>,
    ) -> Handled {
        check_len(
            req.custom_status,
            MAX_CUSTOM_STATUS,
            "custom status over 100 bytes",
        )?;
        self.store.set_custom_status(me, req.custom_status)?;
        self.respond(reply, &());
        self.tell_subscribers(me);
        self.tell_own_sessions(me, Some(reply.conn));
        self.relay(|| Relay::StatusChanged {
            user: me.to_owned(),
        });
        Ok(())
    }

    /// TIM `getUserStatus`: a `Status` record per user, as many as fit the
    /// frame, then `Page` (its `next_offset` says how many).
    pub(super) fn user_status(&mut self, reply: Reply, req: StatusUsers<'_>) -> Handled {
        let users = user_ids(req.users, MAX_STATUS_QUERY)?;
        if users.is_empty() {
            return Err(no_users());
        }
        let mut rows = Vec::with_capacity(users.len());
        for user in users {
            rows.push((
                user,
                self.status_type(user),
                self.store.custom_status(user)?,
            ));
        }
        let records = rows.iter().map(|(user, status_type, custom_status)| {
            UserRecord::Status(UserStatus {
                user_id: user,
                status_type: *status_type,
                custom_status,
            })
        });
        self.respond_records_page(reply, 0, records, false, |next_offset, more| {
            UserRecord::Page { next_offset, more }
        });
        Ok(())
    }

    /// TIM `subscribeUserStatus`.
    pub(super) fn subscribe_user_status(
        &mut self,
        reply: Reply,
        me: &str,
        req: StatusUsers<'_>,
    ) -> Handled {
        let users = user_ids(req.users, MAX_STATUS_SUBSCRIBE)?;
        if users.is_empty() {
            return Err(no_users());
        }
        if users.contains(&me) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "one's own status cannot be subscribed to",
            ));
        }
        for user in users {
            self.store.subscribe_status(me, user)?;
        }
        // The call's savepoint takes the subscriptions back.
        if self.store.status_subscriptions(me)? > MAX_STATUS_SUBSCRIPTIONS {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "over 200 status subscriptions",
            ));
        }
        self.respond(reply, &());
        Ok(())
    }

    /// TIM `unsubscribeUserStatus`; an empty list ends every subscription.
    pub(super) fn unsubscribe_user_status(
        &mut self,
        reply: Reply,
        me: &str,
        req: StatusUsers<'_>,
    ) -> Handled {
        let users = user_ids(req.users, MAX_STATUS_SUBSCRIBE)?;
        if users.is_empty() {
            self.store.unsubscribe_status(me, None)?;
        }
        for user in users {
            self.store.unsubscribe_status(me, Some(user))?;
        }
        self.respond(reply, &());
        Ok(())
    }

    fn status_type(&self, user: &str) -> StatusType {
        if self.is_online(user) {
            StatusType::Online
        } else {
            StatusType::Offline
        }
    }

    /// `user`'s status as a push frame.
    fn status_push(&mut self, user: &str) -> StoreResult<Vec<u8>> {
        let custom_status = self.store.custom_status(user)?;
        let status = UserStatus {
            user_id: user,
            status_type: self.status_type(user),
            custom_status: &custom_status,
        };
        Ok(encode::frame(kind::PUSH_USER_STATUS, &status))
    }

    /// Pushes `user`'s status to this node's sessions of its subscribers.
    pub(crate) fn tell_subscribers(&mut self, user: &str) {
        let told = self.store.status_subscribers(user).and_then(|subscribers| {
            if subscribers.is_empty() {
                return Ok(());
            }
            let frame = self.status_push(user)?;
            for subscriber in subscribers {
                self.push_frame_here(&subscriber, None, &frame);
            }
            Ok(())
        });
        if let Err(e) = told {
            tracing::warn!(user, "a status change not pushed: {e}");
        }
    }

    /// Pushes `user`'s status to this node's sessions of `user` other than
    /// `except`: their custom status changed on another device.
    pub(crate) fn tell_own_sessions(&mut self, user: &str, except: Option<ConnId>) {
        match self.status_push(user) {
            Ok(frame) => self.push_frame_here(user, except, &frame),
            Err(e) => tracing::warn!(user, "a status change not pushed: {e}"),
        }
    }
}
