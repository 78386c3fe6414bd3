//! Writing group messages (user messages and tips) into a group's
//! conversation with their fan-out, and group system notices into a user's
//! SYSTEM conversation.

use tinyim_core::model::{cut_at_char_boundary, Counted, SYSTEM_CONVERSATION};
use tinyim_core::wire::body::Elem;
use tinyim_core::wire::group::{GroupNotice, GroupTip, GroupType};

use super::rules;
use crate::engine::content;
use crate::engine::messages::{advance_row, group_key, push_frame, system_key, PREVIEW_BYTES};
use crate::engine::{ConnId, Output, Refusal};
use crate::store::{ConversationRow, GroupRow, Store, StoredMessage};

/// The sender of server-made messages (tips and notices), as in TIM.
pub(crate) const SYSTEM_SENDER: &str = SYSTEM_CONVERSATION;

/// A message to post into a group's conversation.
pub(crate) struct GroupPost<'a> {
    pub(crate) sender: &'a str,
    /// Whose read watermark moves to the new message: the sender of a
    /// message, the operator of a tip (their own doing is not news to them).
    pub(crate) reader: &'a str,
    /// 0 for server-made messages.
    pub(crate) client_msg_id: u64,
    /// The postcard-encoded element.
    pub(crate) body: Vec<u8>,
    pub(crate) preview: &'a str,
    /// Whether it counts as unread and becomes the last message.
    pub(crate) counted: Counted,
    pub(crate) online_only: bool,
    /// The sender's connection, which gets the acknowledgement instead.
    pub(crate) skip: Option<ConnId>,
    /// History imported by the REST API: sent at this time (unix
    /// milliseconds), stored without a push.
    pub(crate) imported_at: Option<u64>,
}

impl<S: Store> crate::engine::Engine<S> {
    /// Stores `post` as the group's next message (unless the type stores
    /// nothing or it is online-only: then it gets seq 0) and pushes it to
    /// every online member.
    pub(crate) fn post_group_message(
        &mut self,
        group: &mut GroupRow,
        post: GroupPost<'_>,
    ) -> Result<StoredMessage, Refusal> {
        let mut m = StoredMessage {
            conv_key: group_key(&group.group_id),
            seq: 0,
            sender: post.sender.to_owned(),
            client_msg_id: post.client_msg_id,
            time_ms: post.imported_at.unwrap_or(self.now_ms),
            body: post.body,
            gseq: 0,
        };
        if rules::stores_messages(group.group_type) && !post.online_only {
            m.seq = group.last_seq + 1;
            self.store.insert_message(&mut m)?;
            if !post.counted.counts {
                self.store.mark_uncounted(&m.conv_key, m.seq)?;
            }
            group.last_seq = m.seq;
            if post.counted.shown {
                group.last_time_ms = m.time_ms;
                group.last_from = m.sender.clone();
                group.preview = cut_at_char_boundary(post.preview, PREVIEW_BYTES).to_owned();
            }
            self.store.put_group(group, true)?;
        }
        if post.imported_at.is_none() {
            self.fan_out(
                &group.group_id,
                group.group_type,
                &m,
                post.reader,
                post.skip,
            )?;
        }
        Ok(m)
    }

    /// Pushes `m` to the sessions of every online member of `group_id`
    /// but `skip`, on every node.
    pub(crate) fn fan_out(
        &mut self,
        group_id: &str,
        group_type: GroupType,
        m: &StoredMessage,
        reader: &str,
        skip: Option<ConnId>,
    ) -> Result<(), Refusal> {
        self.relay(|| crate::engine::Relay::FanOut {
            group_id: group_id.to_owned(),
            group_type,
            reader: reader.to_owned(),
            message: m.clone(),
        });
        let members = self.store.members(group_id)?;
        let conv_id = format!("GROUP{group_id}");
        let no_unread = matches!(group_type, GroupType::Meeting | GroupType::AvChatRoom);
        for member in members {
            let conns: Vec<ConnId> = self
                .sessions
                .sessions_of(&member.user_id)
                .filter(|&c| Some(c) != skip)
                .collect();
            if conns.is_empty() {
                continue;
            }
            let read_seq = if no_unread || member.user_id == reader {
                m.seq
            } else {
                member.read_seq.max(member.join_seq)
            };
            crate::stats::deliveries(conns.len());
            for conn in conns {
                let frame = push_frame(&conv_id, read_seq, m, self.sessions.max_frame(conn));
                self.out.push(Output::Frame { conn, bytes: frame });
            }
        }
        Ok(())
    }

    /// Posts a group tip into the group's conversation; the operator has
    /// read it.
    pub(crate) fn post_tip(
        &mut self,
        group: &mut GroupRow,
        tip: GroupTip<'_>,
    ) -> Result<(), Refusal> {
        self.report_tip(group.group_type, &tip);
        let elem = Elem::GroupTip(tip);
        let m = self.post_group_message(
            group,
            GroupPost {
                sender: SYSTEM_SENDER,
                reader: tip.operator,
                client_msg_id: 0,
                body: content::server_made(&elem),
                preview: elem.preview(),
                counted: Counted::NOTICE,
                online_only: false,
                skip: None,
                imported_at: None,
            },
        )?;
        if m.seq > 0 {
            if let Some(mut operator) = self.store.member(&group.group_id, tip.operator)? {
                operator.read_seq = m.seq;
                self.store.put_member(&mut operator)?;
            }
        }
        Ok(())
    }

    /// Stores a group system notice in `user`'s SYSTEM conversation and
    /// pushes it to the user's sessions.
    pub(crate) fn notify(&mut self, user: &str, notice: GroupNotice<'_>) -> Result<(), Refusal> {
        let elem = Elem::GroupSystemNotice(notice);
        let key = system_key(user);
        let mut m = StoredMessage {
            seq: self.store.last_seq(&key)? + 1,
            conv_key: key.clone(),
            sender: SYSTEM_SENDER.to_owned(),
            client_msg_id: 0,
            time_ms: self.now_ms,
            body: content::server_made(&elem),
            gseq: 0,
        };
        self.store.insert_message(&mut m)?;
        let mut row = self
            .store
            .conversation(user, SYSTEM_CONVERSATION)?
            .unwrap_or_else(|| ConversationRow::new(user, SYSTEM_CONVERSATION.to_owned(), &key));
        advance_row(&mut row, &m, Some(elem.preview()), false);
        let read_seq = row.read_seq;
        self.store.put_conversation(row)?;
        self.deliver(user, SYSTEM_CONVERSATION, read_seq, &m, None);
        Ok(())
    }
}
