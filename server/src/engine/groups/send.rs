//! Group messages from members: who may send, the group's rate, dedupe,
//! and the sender's own read watermark.

use tinyim_core::model::cut_at_char_boundary;
use tinyim_core::wire::body;
use tinyim_core::wire::code;
use tinyim_core::wire::extra::AT_ALL;

use super::notify::GroupPost;
use super::rules;
use crate::engine::content::{same_message, Sent};
use crate::engine::encode::Reply;
use crate::engine::messages::{group_key, PREVIEW_BYTES};
use crate::engine::{Engine, Handled, Happened, Refusal};
use crate::store::Store;

impl<S: Store> Engine<S> {
    pub(crate) fn send_group_message(
        &mut self,
        reply: Reply,
        me: &str,
        group_id: &str,
        send: body::SendMessage<'_>,
    ) -> Handled {
        let (mut group, mut member) = self.group_and_member(group_id, me)?;
        rules::may_send(
            group.group_type,
            member.role,
            group.mute_all,
            member.muted_until_ms,
            self.now_ms,
        )?;
        let stored = rules::stores_messages(group.group_type) && !send.online_only;
        let what = Sent::of(&send);
        if what.need_read_receipt && !rules::keeps_read_receipts(group.group_type) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "read receipts are for Work, Public and Meeting groups",
            ));
        }
        for user in what.at_users.iter().filter(|u| *u != AT_ALL) {
            self.target_member(group_id, user)?;
        }
        if stored {
            let key = group_key(group_id);
            if let Some(existing) = self.store.find_sent(me, &key, send.client_msg_id)? {
                // A resend of a stored message: same answer, nothing stored twice.
                same_message(&existing, &what)?;
                self.respond(
                    reply,
                    &body::SendOk {
                        conversation: send.conversation,
                        seq: existing.seq,
                        time_ms: existing.time_ms,
                    },
                );
                return Ok(());
            }
        }
        if !self.rates.admit(group_id, send.priority, self.now_ms) {
            crate::stats::rate_limited("group");
            return Err(Refusal::Code(
                code::GROUP_RATE_LIMITED,
                "the group is over its message rate",
            ));
        }
        let body = self.stamped_body(me, &what, &member.name_card)?;
        let preview = cut_at_char_boundary(send.elem.preview(), PREVIEW_BYTES);
        let m = self.post_group_message(
            &mut group,
            GroupPost {
                sender: me,
                reader: me,
                client_msg_id: send.client_msg_id,
                body,
                preview,
                counted: what.counted(),
                online_only: send.online_only,
                skip: Some(reply.conn),
                imported_at: None,
            },
        )?;
        self.report(|| Happened::GroupSent {
            group_id: group_id.to_owned(),
            group_type: group.group_type,
            from: me.to_owned(),
            seq: m.seq,
            random: m.client_msg_id,
            time_ms: m.time_ms,
            body: m.body.clone(),
        });
        if m.seq > 0 {
            // Sending into a conversation reads it, as in TIM.
            member.read_seq = m.seq;
            self.store.put_member(&mut member)?;
        }
        self.respond(
            reply,
            &body::SendOk {
                conversation: send.conversation,
                seq: m.seq,
                time_ms: m.time_ms,
            },
        );
        Ok(())
    }

    /// Moves `me`'s read watermark in a group; returns (read, last).
    pub(crate) fn set_group_read(
        &mut self,
        me: &str,
        group_id: &str,
        seq: u64,
    ) -> Result<(u64, u64), Refusal> {
        let (group, mut member) = self.group_and_member(group_id, me)?;
        let target = seq.min(group.last_seq);
        if target > member.read_seq {
            member.read_seq = target;
            self.store.put_member(&mut member)?;
        }
        Ok((member.read_seq.max(member.join_seq), group.last_seq))
    }
}
