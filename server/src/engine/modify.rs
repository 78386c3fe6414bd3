//! TIM `modifyMessage`: the sender replaces a text message's text, or a
//! custom message's fields, and its cloud custom data. The stored body
//! becomes the new content at the next version (the stamps and mentions
//! stay), and a notice carrying the message as it now is
//! (`Elem::Modified`) is posted into the conversation, as a revocation's
//! is: every device of every party learns it in order, also one offline
//! then. An edit names the version it was made on; an older one is
//! refused (2480), so two editors never overwrite each other unseen.

use tinyim_core::model::ConversationType;
use tinyim_core::wire::body::{self, Elem, MessageExtra};
use tinyim_core::wire::extra::MAX_CLOUD_CUSTOM_DATA;
use tinyim_core::wire::merger::{MergedMessage, MergedMessages};
use tinyim_core::wire::{code, MAX_MESSAGE_BODY};

use super::content;
use super::groups::rules;
use super::messages::{c2c_key, group_key, invalid_conversation};
use super::revoke::no_such_message;
use super::{Engine, Handled, Refusal, Reply};
use crate::store::Store;

impl<S: Store> Engine<S> {
    pub(crate) fn modify_message(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::ModifyMessage<'_>,
    ) -> Handled {
        if req.cloud_custom_data.len() > MAX_CLOUD_CUSTOM_DATA {
            return Err(Refusal::Code(
                code::MESSAGE_TOO_LARGE,
                "cloudCustomData over 1 KB",
            ));
        }
        let target = ConversationType::parse(req.conversation).ok_or_else(invalid_conversation)?;
        let key = match target {
            (ConversationType::C2c, peer) => c2c_key(me, peer),
            (ConversationType::Group, group_id) => {
                self.group_and_member(group_id, me)?;
                group_key(group_id)
            }
            // SYSTEM notices are the server's.
            (ConversationType::System, _) => return Err(no_such_message()),
        };
        let m = self
            .store
            .message(&key, req.seq)?
            .ok_or_else(no_such_message)?;
        if m.sender != me {
            return Err(Refusal::Code(
                code::NO_PERMISSION,
                "only the sender modifies a message",
            ));
        }
        let (old, extra) = content::decode(&m.body)
            .map_err(|_| Refusal::Code(code::INTERNAL, "stored message does not decode"))?;
        match (old, req.elem) {
            (Elem::Text { .. }, Elem::Text { .. }) | (Elem::Custom { .. }, Elem::Custom { .. }) => {
            }
            (Elem::Revoked { .. }, _) => {
                return Err(Refusal::Code(
                    code::INVALID_PARAMETER,
                    "the message was revoked",
                ))
            }
            _ => {
                return Err(Refusal::Code(
                    code::INVALID_PARAMETER,
                    "only a text or custom message is modified, into its own kind",
                ))
            }
        }
        if req.version != extra.version {
            return Err(Refusal::Code(
                code::MODIFY_CONFLICT,
                "the message was modified since that version",
            ));
        }
        let version = extra.version.saturating_add(1);
        let new_extra = MessageExtra::with_cloud_custom_data(req.cloud_custom_data)
            .with_at_users(extra.at_users.0)
            .with_control(extra.excluded_from_unread, extra.excluded_from_last_message)
            .with_read_receipt(extra.need_read_receipt)
            .stamped(extra.nick, extra.avatar, extra.name_card)
            .with_version(version);
        let body = content::encode(&req.elem, &new_extra);
        if body.len() > MAX_MESSAGE_BODY {
            return Err(Refusal::Code(
                code::MESSAGE_TOO_LARGE,
                "message body over 12 KB",
            ));
        }
        let now_is = MergedMessage {
            from: me,
            time_ms: m.time_ms,
            elem: req.elem,
            extra: new_extra,
        };
        let mut buf = vec![0u8; body.len() + me.len() + 32];
        let message = MergedMessages::write(&mut buf, [now_is])
            .map_err(|_| Refusal::Code(code::INTERNAL, "notice does not fit"))?;
        let notice = Elem::Modified {
            seq: req.seq,
            message,
        };
        match target {
            (ConversationType::C2c, peer) => {
                // A notice is a new message into the peer's conversation: a
                // blocked sender may not post one, as it may not send.
                self.refuse_if_blocked(peer, me)?;
                self.store.replace_body(&key, req.seq, &body)?;
                self.post_c2c_notice(me, peer, &notice)?;
            }
            (_, group_id) => {
                let (mut group, mut member) = self.group_and_member(group_id, me)?;
                // The notice is a new message into the group: a muted member
                // may not post one, as it may not send.
                rules::may_send(
                    group.group_type,
                    member.role,
                    group.mute_all,
                    member.muted_until_ms,
                    self.now_ms,
                )?;
                self.store.replace_body(&key, req.seq, &body)?;
                self.post_group_notice(&mut group, &mut member, &notice)?;
            }
        }
        self.respond(reply, &version);
        Ok(())
    }
}
