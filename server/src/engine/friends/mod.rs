//! Friend calls (TIM's relationship chain): adding friends as the target's
//! allow type says and the applications that needs (`adding`), the friend
//! list, relation checks and friend entries (`lists`), friend groups
//! (`groups`). Each change pushes `PUSH_FRIEND` to every session of each
//! user whose data changed.

mod adding;
mod groups;
mod lists;

use tinyim_core::wire::friend::FriendChange;
use tinyim_core::wire::{code, kind};

use super::encode::Reply;
use super::{request_body, Engine, Handled, Refusal};
use crate::store::Store;

impl<S: Store> Engine<S> {
    /// Serves a friend call (`kind` is one of [`kind::is_friend_call`]).
    pub(crate) fn friend_call(
        &mut self,
        reply: Reply,
        me: &str,
        frame_kind: u8,
        payload: &[u8],
    ) -> Handled {
        match frame_kind {
            kind::ADD_FRIEND => self.add_friend(reply, me, request_body(payload)?),
            kind::DELETE_FRIEND => self.delete_friend(reply, me, request_body(payload)?),
            kind::CHECK_FRIEND => self.check_friend(reply, me, request_body(payload)?),
            kind::FRIEND_LIST => self.friend_list(reply, me, request_body(payload)?),
            kind::FRIEND_PROFILE => self.friend_profile(reply, me, request_body(payload)?),
            kind::UPDATE_FRIEND => self.update_friend(reply, me, request_body(payload)?),
            kind::FRIEND_APPLICATIONS => {
                self.friend_applications(reply, me, request_body(payload)?)
            }
            kind::ACCEPT_FRIEND_APPLICATION => {
                self.accept_friend_application(reply, me, request_body(payload)?)
            }
            kind::REFUSE_FRIEND_APPLICATION => {
                self.refuse_friend_application(reply, me, request_body(payload)?)
            }
            kind::DELETE_FRIEND_APPLICATION => {
                self.delete_friend_application(reply, me, request_body(payload)?)
            }
            kind::SET_FRIEND_APPLICATIONS_READ => {
                request_body::<()>(payload)?;
                self.store.read_friend_applications(me)?;
                self.friends_changed(me, FriendChange::Applications);
                self.respond(reply, &());
                Ok(())
            }
            k => self.friend_group_call(reply, me, k, payload),
        }
    }

    /// Tells every session of `user` that its friend data changed.
    fn friends_changed(&mut self, user: &str, change: FriendChange) {
        self.push_to_user(user, kind::PUSH_FRIEND, &change);
    }
}

/// A refusal for a call that names someone not on the caller's list.
fn not_friend() -> Refusal {
    Refusal::Code(code::NOT_FRIEND, "not on the friend list")
}
