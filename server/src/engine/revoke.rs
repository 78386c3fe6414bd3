//! TIM `revokeMessage`. The sender may take a message back within the
//! revoke window (two minutes, TIM's default); a group's owner and admins
//! may take back any member's. The stored body becomes `Elem::Revoked`, so
//! every history and missed-message fetch returns the placeholder from then
//! on, and a notice (`Elem::RevokeNotice`, sent by the revoker) is posted
//! into the conversation: every device of everyone in it learns of the
//! revocation in order with the messages, also one that was offline or had
//! already shown the message. The notice counts as a message, as group tips
//! do.

use tinyim_core::model::{ConversationType, Counted};
use tinyim_core::wire::body::{self, Elem};
use tinyim_core::wire::code;

use super::content;
use super::groups::notify::{GroupPost, SYSTEM_SENDER};
use super::groups::rules;
use super::messages::{c2c_key, group_key, invalid_conversation};
use super::{Engine, Handled, Refusal, Reply};
use crate::store::{GroupRow, MemberRow, Store, StoredMessage};

/// How long after sending its sender may revoke a message (TIM's default).
pub const REVOKE_WINDOW_MS: u64 = 2 * 60 * 1000;

pub(crate) fn no_such_message() -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, "no such message")
}

/// Whether a stored message can be revoked, and whether it already was.
fn revocable(m: &StoredMessage) -> Result<bool, Refusal> {
    let (elem, _) = content::decode(&m.body)
        .map_err(|_| Refusal::Code(code::INTERNAL, "stored message does not decode"))?;
    match elem {
        Elem::Revoked { .. } => Ok(false),
        Elem::GroupTip(_) | Elem::GroupSystemNotice(_) | Elem::RevokeNotice { .. } => {
            Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "only users' messages can be revoked",
            ))
        }
        _ if m.sender == SYSTEM_SENDER => Err(Refusal::Code(
            code::INVALID_PARAMETER,
            "only users' messages can be revoked",
        )),
        _ => Ok(true),
    }
}

impl<S: Store> Engine<S> {
    pub(crate) fn revoke_message(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::MessageRef<'_>,
    ) -> Handled {
        let revoked = match ConversationType::parse(req.conversation) {
            Some((ConversationType::C2c, peer)) => self.revoke_c2c(me, peer, req.seq)?,
            Some((ConversationType::Group, group_id)) => {
                self.revoke_in_group(me, group_id, req.seq)?
            }
            // SYSTEM notices are the server's.
            Some((ConversationType::System, _)) => return Err(no_such_message()),
            None => return Err(invalid_conversation()),
        };
        if revoked {
            tracing::debug!(
                me,
                conversation = req.conversation,
                seq = req.seq,
                "revoked"
            );
        }
        self.respond(reply, &req);
        Ok(())
    }

    /// The sender's own check: inside the window.
    fn check_window(&self, m: &StoredMessage) -> Result<(), Refusal> {
        if self.now_ms.saturating_sub(m.time_ms) >= self.revoke_window_ms {
            return Err(Refusal::Code(
                code::REVOKE_TIME_LIMIT,
                "the message is older than the revoke window",
            ));
        }
        Ok(())
    }

    /// Replaces the body and builds the notice; `None` if already revoked.
    fn take_back(&mut self, me: &str, m: &StoredMessage) -> Result<Option<Elem<'static>>, Refusal> {
        if !revocable(m)? {
            return Ok(None);
        }
        let placeholder = content::server_made(&Elem::Revoked { by: me });
        self.store.replace_body(&m.conv_key, m.seq, &placeholder)?;
        Ok(Some(Elem::RevokeNotice { seq: m.seq }))
    }

    fn revoke_c2c(&mut self, me: &str, peer: &str, seq: u64) -> Result<bool, Refusal> {
        let key = c2c_key(me, peer);
        let m = self.store.message(&key, seq)?.ok_or_else(no_such_message)?;
        if m.sender != me {
            return Err(Refusal::Code(
                code::NO_PERMISSION,
                "only the sender revokes a one-to-one message",
            ));
        }
        // The notice is a new message into the peer's conversation: a
        // blocked sender may not post one, as it may not send.
        self.refuse_if_blocked(peer, me)?;
        self.check_window(&m)?;
        let Some(notice) = self.take_back(me, &m)? else {
            return Ok(false);
        };
        self.post_c2c_notice(me, peer, &notice)?;
        Ok(true)
    }

    /// Posts `notice` (a revocation's, a modification's) from `me` into
    /// the one-to-one conversation with `peer`. `me`'s own sessions get it
    /// too, the requesting one included: that is how its client learns it.
    pub(crate) fn post_c2c_notice(
        &mut self,
        me: &str,
        peer: &str,
        notice: &Elem<'_>,
    ) -> Result<(), Refusal> {
        let key = c2c_key(me, peer);
        let mine = self.store.conversation(me, &format!("C2C{peer}"))?;
        let last_seq = match &mine {
            Some(row) => row.last_seq,
            None => self.store.last_seq(&key)?,
        };
        let mut posted = StoredMessage {
            conv_key: key,
            seq: last_seq + 1,
            sender: me.to_owned(),
            client_msg_id: 0,
            time_ms: self.now_ms,
            body: content::server_made(notice),
            gseq: 0,
        };
        self.store.insert_message(&mut posted)?;
        // TIM counts no notice as unread.
        self.store.mark_uncounted(&posted.conv_key, posted.seq)?;
        self.post_c2c(peer, mine, &posted, Some(notice.preview()), None)
    }

    /// Posts `notice` from `member` into `group`'s conversation; the
    /// member has read it.
    pub(crate) fn post_group_notice(
        &mut self,
        group: &mut GroupRow,
        member: &mut MemberRow,
        notice: &Elem<'_>,
    ) -> Result<(), Refusal> {
        let me = member.user_id.clone();
        let posted = self.post_group_message(
            group,
            GroupPost {
                sender: &me,
                reader: &me,
                client_msg_id: 0,
                body: content::server_made(notice),
                preview: notice.preview(),
                counted: Counted::NOTICE,
                online_only: false,
                skip: None,
                imported_at: None,
            },
        )?;
        member.read_seq = member.read_seq.max(posted.seq);
        self.store.put_member(member)?;
        Ok(())
    }

    fn revoke_in_group(&mut self, me: &str, group_id: &str, seq: u64) -> Result<bool, Refusal> {
        let (mut group, mut member) = self.group_and_member(group_id, me)?;
        let m = self
            .store
            .message(&group_key(group_id), seq)?
            .ok_or_else(no_such_message)?;
        if m.sender == me {
            self.check_window(&m)?;
        } else {
            rules::may_revoke_others(group.group_type, member.role)?;
        }
        let Some(notice) = self.take_back(me, &m)? else {
            return Ok(false);
        };
        self.post_group_notice(&mut group, &mut member, &notice)?;
        Ok(true)
    }
}
