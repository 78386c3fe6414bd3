//! One-to-one messages: send with dedupe, read watermarks, history pages.

use tinyim_core::model::{cut_at_char_boundary, ConversationType};
use tinyim_core::wire::body::{self, Elem, MessageExtra};
use tinyim_core::wire::{code, kind};

use super::content::{self, same_message, Sent};
use super::encode::{self, Page, Reply};
use super::groups::rules;
use super::{ConnId, Engine, Handled, Happened, Output, Refusal};
use crate::store::{ConversationRow, Store, StoredMessage};

/// Bytes of a message's text kept as the conversation preview.
pub(crate) const PREVIEW_BYTES: usize = 64;
/// Most messages in one page.
const MAX_PAGE: usize = 100;

pub(crate) use crate::store::keys::{c2c_key, group_key, system_key};

/// What a user may read of a conversation.
pub(crate) struct Access {
    /// Storage key.
    pub(crate) key: String,
    /// History pages stop at this seq (a late joiner's start where the
    /// group type hides older messages, or where the user cleared it).
    pub(crate) history_floor: u64,
    /// Missed-message fetches start no earlier than this (a member is given
    /// what arrived after joining as new; nothing before a clearing).
    delivery_floor: u64,
    /// The user's read watermark.
    read_seq: u64,
}

pub(crate) fn invalid_conversation() -> Refusal {
    Refusal::Code(code::BAD_CONVERSATION, "invalid conversation id")
}

/// Moves `row` to message `m` (a sender's row also to read), shown as
/// the last message with `preview` unless its sender excluded it (`None`).
/// The strings keep their buffers: a conversation's row changes with
/// every message.
pub(crate) fn advance_row(
    row: &mut ConversationRow,
    m: &StoredMessage,
    preview: Option<&str>,
    read: bool,
) {
    row.last_seq = m.seq;
    if let Some(preview) = preview {
        row.last_time_ms = m.time_ms;
        row.last_from.clear();
        row.last_from.push_str(&m.sender);
        row.preview.clear();
        row.preview.push_str(preview);
    }
    if read {
        // Sending into a conversation reads it, as in TIM.
        row.read_seq = m.seq;
    }
}

impl<S: Store> Engine<S> {
    pub(crate) fn send_message(
        &mut self,
        reply: Reply,
        me: &str,
        send: body::SendMessage<'_>,
    ) -> Handled {
        content::check_sendable(&send)?;
        if self.vet(reply, me, &send) {
            return Ok(());
        }
        let peer = match ConversationType::parse(send.conversation) {
            Some((ConversationType::C2c, peer)) => peer,
            Some((ConversationType::Group, group_id)) => {
                return self.send_group_message(reply, me, group_id, send)
            }
            _ => return Err(invalid_conversation()),
        };
        self.refuse_if_blocked(peer, me)?;
        let what = Sent::of(&send);
        let body = self.stamped_body(me, &what, "")?;
        let my_conv = send.conversation;
        let peer_conv = format!("C2C{me}");
        if send.online_only {
            let message = StoredMessage {
                conv_key: String::new(),
                seq: 0,
                sender: me.to_owned(),
                client_msg_id: send.client_msg_id,
                time_ms: self.now_ms,
                body,
                gseq: 0,
            };
            self.deliver(peer, &peer_conv, 0, &message, None);
            self.report_c2c(peer, &message);
            self.respond(
                reply,
                &body::SendOk {
                    conversation: my_conv,
                    seq: 0,
                    time_ms: self.now_ms,
                },
            );
            return Ok(());
        }
        let sent = (send.client_msg_id, self.now_ms);
        let message = match self.store_c2c(me, peer, sent, &what, body)? {
            Stored::Again(existing) => existing,
            Stored::New(message, mine) => {
                let preview = cut_at_char_boundary(send.elem.preview(), PREVIEW_BYTES);
                let shown = what.counted().shown.then_some(preview);
                self.post_c2c(peer, mine, &message, shown, Some(reply.conn))?;
                self.report_c2c(peer, &message);
                message
            }
        };
        self.respond(
            reply,
            &body::SendOk {
                conversation: my_conv,
                seq: message.seq,
                time_ms: message.time_ms,
            },
        );
        Ok(())
    }

    /// The stored body of `what`, sent by `sender`: stamped with their
    /// nickname and avatar as they are now, and `name_card` (in a group).
    pub(crate) fn stamped_body(
        &mut self,
        sender: &str,
        what: &Sent<'_>,
        name_card: &str,
    ) -> Result<Vec<u8>, Refusal> {
        let profile = self.store.profile(sender)?;
        let (nick, avatar) = profile
            .as_ref()
            .map_or(("", ""), |p| (p.nick.as_str(), p.avatar.as_str()));
        Ok(what.stamped(nick, avatar, name_card))
    }

    /// Stores `me`'s message to `peer` (`what`, stored as `body`; `sent`:
    /// its client message id and time) as the conversation's next, unless
    /// `me` stored one of that client message id there before: then that
    /// one, which must have the same content (a resend).
    pub(crate) fn store_c2c(
        &mut self,
        me: &str,
        peer: &str,
        sent: (u64, u64),
        what: &Sent<'_>,
        body: Vec<u8>,
    ) -> Result<Stored, Refusal> {
        let (client_msg_id, time_ms) = sent;
        let key = c2c_key(me, peer);
        let mine = self.store.conversation(me, &format!("C2C{peer}"))?;
        // Both sides' rows carry the conversation's last seq; without a row
        // of ours there is no message yet, but ask the messages to be sure.
        let last_seq = match &mine {
            Some(row) => row.last_seq,
            None => self.store.last_seq(&key)?,
        };
        let mut message = StoredMessage {
            seq: last_seq + 1,
            conv_key: key,
            sender: me.to_owned(),
            client_msg_id,
            time_ms,
            body,
            gseq: 0,
        };
        if let Some(existing) = self.store.insert_unless_sent(&mut message)? {
            // A resend of a stored message: nothing stored twice.
            same_message(&existing, what)?;
            return Ok(Stored::Again(existing));
        }
        if !what.counted().counts {
            self.store.mark_uncounted(&message.conv_key, message.seq)?;
        }
        Ok(Stored::New(message, mine))
    }

    fn report_c2c(&mut self, peer: &str, m: &StoredMessage) {
        self.report(|| Happened::C2cSent {
            from: m.sender.clone(),
            to: peer.to_owned(),
            seq: m.seq,
            random: m.client_msg_id,
            time_ms: m.time_ms,
            body: m.body.clone(),
        });
    }

    /// Moves both users' rows of a one-to-one conversation to the stored
    /// message `m` (the sender's, `mine` if it had one, also to read) and
    /// pushes it to every session of both but `skip`.
    pub(crate) fn post_c2c(
        &mut self,
        peer: &str,
        mine: Option<ConversationRow>,
        m: &StoredMessage,
        preview: Option<&str>,
        skip: Option<u64>,
    ) -> Result<(), Refusal> {
        let (my_read, their_read) = self.record_c2c(peer, mine, m, preview, false)?;
        let me = m.sender.as_str();
        self.deliver(peer, &format!("C2C{me}"), their_read, m, None);
        if peer != me && !self.quiet_to_user() {
            self.deliver(me, &format!("C2C{peer}"), my_read, m, skip);
        }
        Ok(())
    }

    /// Moves both users' rows of a one-to-one conversation to the stored
    /// message `m` (the sender's, `mine` if it had one, also to read; the
    /// receiver's too when `read_by_peer`); their read watermarks after.
    pub(crate) fn record_c2c(
        &mut self,
        peer: &str,
        mine: Option<ConversationRow>,
        m: &StoredMessage,
        preview: Option<&str>,
        read_by_peer: bool,
    ) -> Result<(u64, u64), Refusal> {
        let me = m.sender.as_str();
        let my_conv = format!("C2C{peer}");
        let peer_conv = format!("C2C{me}");
        let mut mine =
            mine.unwrap_or_else(|| ConversationRow::new(me, my_conv.clone(), &m.conv_key));
        advance_row(&mut mine, m, preview, true);
        let my_read = mine.read_seq;
        self.store.put_conversation(mine)?;
        // A chat with oneself has one row, read as the sender reads it.
        let their_read = if peer == me {
            my_read
        } else {
            let mut theirs = self
                .store
                .conversation(peer, &peer_conv)?
                .unwrap_or_else(|| ConversationRow::new(peer, peer_conv.clone(), &m.conv_key));
            advance_row(&mut theirs, m, preview, read_by_peer);
            // Sending read the conversation for the sender (above): for the
            // receiver, the peer has read up to here.
            theirs.peer_read_seq = theirs.peer_read_seq.max(m.seq);
            let read = theirs.read_seq;
            self.store.put_conversation(theirs)?;
            read
        };
        Ok((my_read, their_read))
    }

    /// Pushes `m` to every session of `user` except `skip`.
    pub(crate) fn deliver(
        &mut self,
        user: &str,
        conv_id: &str,
        read_seq: u64,
        m: &StoredMessage,
        skip: Option<u64>,
    ) {
        let conns: Vec<u64> = self
            .sessions
            .sessions_of(user)
            .filter(|&c| Some(c) != skip)
            .collect();
        crate::stats::deliveries(conns.len());
        for conn in conns {
            let max_frame = self.sessions.max_frame(conn);
            let frame = push_frame(conv_id, read_seq, m, max_frame);
            self.out.push(Output::Frame { conn, bytes: frame });
        }
        self.relay(|| super::Relay::Deliver {
            user: user.to_owned(),
            conv_id: conv_id.to_owned(),
            read_seq,
            message: m.clone(),
        });
    }

    /// Refuses a one-to-one write of `me`'s into `peer`'s conversation when
    /// `peer` blocked `me` (TIM 20007): sends, revoke notices.
    pub(crate) fn refuse_if_blocked(&mut self, peer: &str, me: &str) -> Handled {
        if self.store.blocks(peer, me)? {
            return Err(Refusal::Code(code::BLOCKED_BY_PEER, "blocked by the peer"));
        }
        Ok(())
    }

    pub(crate) fn set_read(&mut self, reply: Reply, me: &str, req: body::SetRead<'_>) -> Handled {
        let read = self.read_up_to(me, req.conversation, req.seq, Some(reply.conn))?;
        self.respond(reply, &read);
        Ok(())
    }

    /// TIM `setAllMessageRead`: each conversation of the scope with unread
    /// messages is read up to its last, as `set_read` reads one, and the
    /// user's other sessions are told by a read push each.
    pub(crate) fn read_all(&mut self, reply: Reply, me: &str, req: body::ReadAll) -> Handled {
        let unread: Vec<String> = self
            .all_conversation_rows(me)?
            .into_iter()
            .filter(|row| row.unread() > 0 && req.scope.covers(&row.conv_id))
            .map(|row| row.conv_id)
            .collect();
        // The caller's client reads what it holds from the answer: however
        // many conversations, one frame to it; the other sessions get a
        // push per conversation.
        for conversation in unread {
            self.read_up_to(me, &conversation, u64::MAX, Some(reply.conn))?;
        }
        self.respond(reply, &());
        Ok(())
    }

    /// Reads `conversation` up to `seq` for `me` (the peer of a one-to-one
    /// conversation is told), and pushes the new watermark to `me`'s
    /// sessions other than `except`; returns it.
    fn read_up_to<'c>(
        &mut self,
        me: &str,
        conversation: &'c str,
        seq: u64,
        except: Option<ConnId>,
    ) -> Result<body::PushRead<'c>, Refusal> {
        let req = body::SetRead { conversation, seq };
        let (read_seq, last_seq, key) = match ConversationType::parse(req.conversation) {
            Some((ConversationType::Group, group_id)) => {
                let (read_seq, last_seq) = self.set_group_read(me, group_id, req.seq)?;
                (read_seq, last_seq, group_key(group_id))
            }
            Some((kind, peer)) => match self.store.conversation(me, req.conversation)? {
                Some(mut row) => {
                    let target = req.seq.min(row.last_seq);
                    let seqs = (row.read_seq.max(target), row.last_seq, row.conv_key.clone());
                    if target > row.read_seq {
                        row.read_seq = target;
                        self.store.put_conversation(row)?;
                        // A chat with oneself has no one else to tell.
                        if kind == ConversationType::C2c && peer != me {
                            self.tell_peer_read(me, peer, target)?;
                        }
                    }
                    seqs
                }
                None => (0, 0, String::new()),
            },
            None => return Err(invalid_conversation()),
        };
        let read = body::PushRead {
            conversation,
            read_seq,
            last_seq,
            uncounted: self.store.uncounted_between(&key, read_seq, last_seq)?,
        };
        self.push_to_sessions(me, except, kind::PUSH_READ, &read);
        Ok(read)
    }

    /// TIM `MESSAGE_READ_BY_PEER`: `reader` read their one-to-one
    /// conversation with `peer` up to `seq`. Kept in the peer's row (a peer
    /// offline now learns it at its next sync) and pushed to the peer's
    /// sessions.
    fn tell_peer_read(&mut self, reader: &str, peer: &str, seq: u64) -> Handled {
        // A receipt is a write into the peer's row and a push to the peer:
        // between a blocker and the user blocked, neither way.
        if self.store.blocks(peer, reader)? || self.store.blocks(reader, peer)? {
            return Ok(());
        }
        let conversation = format!("C2C{reader}");
        let Some(mut row) = self.store.conversation(peer, &conversation)? else {
            return Ok(());
        };
        if seq <= row.peer_read_seq {
            return Ok(());
        }
        row.peer_read_seq = seq;
        self.store.put_conversation(row)?;
        let push = body::PushPeerRead {
            conversation: &conversation,
            peer_read_seq: seq,
        };
        self.push_to_user(peer, kind::PUSH_PEER_READ, &push);
        Ok(())
    }

    pub(crate) fn message_range(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::MessageRange<'_>,
    ) -> Handled {
        let access = self.access(me, req.conversation)?;
        let limit = usize::from(req.count).clamp(1, MAX_PAGE);
        let base = match req.start {
            body::RangeStart::AfterSeq(seq) => seq,
            body::RangeStart::SinceCursor(cursor) => self.store.seq_as_of(&access.key, cursor)?,
            body::RangeStart::Unread => access.read_seq,
        }
        .max(access.delivery_floor);
        let key = access.key;
        let found = self.store.messages_after(&key, base, limit + 1)?;
        let deleted = self.deleted_among(me, &key, &found)?;
        self.page(reply, req.conversation, base, (found, &deleted), limit);
        Ok(())
    }

    pub(crate) fn message_list(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::MessageList<'_>,
    ) -> Handled {
        let access = self.access(me, req.conversation)?;
        let limit = usize::from(req.count).clamp(1, MAX_PAGE);
        let before = if req.before_seq == 0 {
            i64::MAX as u64
        } else {
            req.before_seq
        };
        let mut found = self.store.messages_before(&access.key, before, limit + 1)?;
        found.retain(|m| m.seq > access.history_floor);
        let deleted = self.deleted_among(me, &access.key, &found)?;
        self.page(reply, req.conversation, before, (found, &deleted), limit);
        Ok(())
    }

    /// Where a sync round's delivery of `me`'s messages of `conversation`
    /// starts: after `delivered` (its seq as of the round's base), or for
    /// a client that never synced after its read watermark, as a fetch of
    /// what is unread does; never before the delivery floor (a clearing,
    /// or a group's join), as a fetch would not either.
    pub(crate) fn window_base(
        &mut self,
        me: &str,
        conversation: &str,
        delivered: Option<u64>,
    ) -> Result<u64, Refusal> {
        let access = self.access(me, conversation)?;
        Ok(delivered
            .unwrap_or(access.read_seq)
            .max(access.delivery_floor))
    }

    /// What `me` may read of `conversation`, or why not.
    pub(crate) fn access(&mut self, me: &str, conversation: &str) -> Result<Access, Refusal> {
        let key = match ConversationType::parse(conversation) {
            Some((ConversationType::C2c, peer)) => c2c_key(me, peer),
            Some((ConversationType::System, _)) => system_key(me),
            Some((ConversationType::Group, group_id)) => {
                let (group, member) = self.group_and_member(group_id, me)?;
                let join_floor = if rules::history_before_join(group.group_type) {
                    0
                } else {
                    member.join_seq
                };
                return Ok(Access {
                    key: group_key(group_id),
                    history_floor: join_floor.max(member.cleared_seq),
                    delivery_floor: member.join_seq.max(member.cleared_seq),
                    read_seq: member.read_seq.max(member.join_seq),
                });
            }
            None => return Err(invalid_conversation()),
        };
        let (read_seq, cleared_seq) = self
            .store
            .conversation(me, conversation)?
            .map_or((0, 0), |row| (row.read_seq, row.cleared_seq));
        Ok(Access {
            key,
            history_floor: cleared_seq,
            delivery_floor: cleared_seq,
            read_seq,
        })
    }

    /// Which of `found` `me` deleted (TIM `deleteMessage`).
    fn deleted_among(
        &mut self,
        me: &str,
        key: &str,
        found: &[StoredMessage],
    ) -> Result<Vec<u64>, Refusal> {
        let seqs = found.iter().map(|m| m.seq);
        match (seqs.clone().min(), seqs.max()) {
            (Some(lo), Some(hi)) => Ok(self.store.deleted_for(me, key, lo..=hi)?),
            _ => Ok(Vec::new()),
        }
    }

    /// Answers with as many of `found` as fit the client's frame, at most
    /// `limit`; those the requester deleted (`deleted`) as `Elem::Deleted`.
    fn page(
        &mut self,
        reply: Reply,
        conversation: &str,
        base_seq: u64,
        (found, deleted): (Vec<StoredMessage>, &[u64]),
        limit: usize,
    ) {
        let header = body::MessagePage {
            conversation,
            base_seq,
            more: true,
        };
        let header_len = encode::to_bytes(&(reply.request, header)).len();
        // Each record is the stored body and a few numbers and names.
        let size_hint = found
            .iter()
            .take(limit)
            .map(|m| m.body.len() + conversation.len() + m.sender.len() + 32)
            .sum();
        let mut page = Page::new(self.sessions.max_frame(reply.conn), header_len, size_hint);
        let mut more = found.len() > limit;
        for m in found.iter().take(limit) {
            let content = if deleted.contains(&m.seq) {
                Ok((Elem::Deleted, MessageExtra::default()))
            } else {
                content::decode(&m.body)
            };
            let Some((elem, extra)) = content.ok() else {
                tracing::error!(
                    conv = m.conv_key,
                    seq = m.seq,
                    "stored message does not decode"
                );
                continue;
            };
            let record = wire_message(conversation, m, elem, extra);
            if page.push(&record) {
                continue;
            }
            if page.is_empty() {
                // Too large for this client even alone: send the notice instead.
                let notice = wire_message(conversation, m, too_large(m), MessageExtra::default());
                if page.push(&notice) {
                    continue;
                }
            }
            more = true;
            break;
        }
        let frame = page.finish(
            reply.request,
            &body::MessagePage {
                conversation,
                base_seq,
                more,
            },
        );
        self.out.push(Output::Frame {
            conn: reply.conn,
            bytes: frame,
        });
    }
}

/// A one-to-one message as [`Engine::store_c2c`] left it.
pub(crate) enum Stored {
    /// Stored now; with the sender's row as it was before.
    New(StoredMessage, Option<ConversationRow>),
    /// Stored before under that client message id, with the same content.
    Again(StoredMessage),
}

fn too_large(m: &StoredMessage) -> Elem<'static> {
    Elem::TooLarge {
        size: m.body.len() as u32,
    }
}

fn wire_message<'a>(
    conversation: &'a str,
    m: &'a StoredMessage,
    elem: Elem<'a>,
    extra: MessageExtra<'a>,
) -> body::Message<'a> {
    body::Message {
        conversation,
        seq: m.seq,
        from: &m.sender,
        time_ms: m.time_ms,
        client_msg_id: m.client_msg_id,
        elem,
        extra,
    }
}

/// A push frame for `m`, replaced by a too-large notice if the client's frame
/// limit cannot hold it.
pub(crate) fn push_frame(
    conv_id: &str,
    read_seq: u64,
    m: &StoredMessage,
    max_frame: usize,
) -> Vec<u8> {
    let header = body::PushMessage { read_seq };
    let (elem, extra) = content::decode(&m.body).unwrap_or((too_large(m), MessageExtra::default()));
    // The message's strings and numbers, and their lengths and varints.
    let hint = m.body.len() + conv_id.len() + m.sender.len() + 40;
    let mut frame = encode::FrameBuf::new(kind::PUSH_MESSAGE, hint);
    frame.push(&header);
    frame.push(&wire_message(conv_id, m, elem, extra));
    if frame.len() > max_frame {
        frame = encode::FrameBuf::new(kind::PUSH_MESSAGE, hint);
        frame.push(&header);
        frame.push(&wire_message(
            conv_id,
            m,
            too_large(m),
            MessageExtra::default(),
        ));
    }
    frame.finish()
}
