//! TIM `deleteConversation`: the conversation leaves the user's list on
//! every device (a tombstone in the user's row, synced like any change),
//! its unread count is cleared, and the next message brings it back. The
//! messages stay: `message_list` still pages them.
//!
//! TIM `pinConversation`: a flag in the user's row (or membership), synced
//! like any change and pushed to the user's other sessions; the client lists
//! pinned conversations first.
//!
//! TIM `setMessageRemindType`: a remind type in the user's row (or
//! membership), synced and pushed as a pin is; muted conversations are left
//! out of the user's total unread count, and a client discards the new
//! messages of a conversation set to `Discard`.
//!
//! TIM `clearHistoryMessage`: the user's history of the conversation ends
//! at its last seq (a floor in the user's row that history pages and
//! missed-message fetches respect); it stays listed, with no last message
//! and nothing unread, on every device. Other users keep theirs.

use tinyim_core::wire::body::RemindType;
use tinyim_core::wire::{body, code, kind};
use tinyim_core::ConversationType;

use tinyim_core::wire::conversation_data::MARK_HIDE;

use super::messages::invalid_conversation;
use super::{Engine, Handled, Refusal, Reply};
use crate::store::{ConversationRow, GroupRow, MemberRow, Store, StoreResult};

/// Which mark [`Engine::mark_at_last`] moves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `deleteConversation`: out of the list until a later message.
    Deleted,
    /// `clearHistoryMessage`: no history below it.
    Cleared,
}

/// A setting of the user's own, kept in their row or membership.
#[derive(Clone, Copy)]
pub(super) enum Setting {
    /// TIM `pinConversation`.
    Pinned(bool),
    /// TIM `setMessageRemindType`.
    Remind(RemindType),
    /// TIM `markConversation`: set (`enable`) or clear these bits.
    Marks { marks: u64, enable: bool },
    /// The digest of the user's custom data and draft.
    DataDigest(u64),
}

/// The fields of a row or membership that settings change.
struct OwnFields<'r> {
    pinned: &'r mut bool,
    remind: &'r mut RemindType,
    marks: &'r mut u64,
    data_digest: &'r mut u64,
    hidden_seq: &'r mut u64,
    /// The conversation's last seq, where a hide mark hides it up to.
    last_seq: u64,
}

impl Setting {
    /// Sets it in a record's fields; whether that changed them.
    fn apply(self, f: OwnFields<'_>) -> bool {
        match self {
            Setting::Pinned(p) => std::mem::replace(f.pinned, p) != p,
            Setting::Remind(r) => std::mem::replace(f.remind, r) != r,
            Setting::DataDigest(d) => std::mem::replace(f.data_digest, d) != d,
            Setting::Marks { marks, enable } => {
                let before = (*f.marks, *f.hidden_seq);
                if enable {
                    *f.marks |= marks;
                } else {
                    *f.marks &= !marks;
                }
                if marks & MARK_HIDE != 0 {
                    // Hidden like a deleted conversation, up to the next
                    // message, but still unread; shown again when cleared.
                    if enable {
                        *f.hidden_seq = f.last_seq;
                    } else if before.0 & MARK_HIDE != 0 {
                        *f.hidden_seq = 0;
                    }
                }
                before != (*f.marks, *f.hidden_seq)
            }
        }
    }
}

/// The user's own record of one conversation: their conversation row, or
/// for a group their membership (with the group, for its last seq).
pub(super) enum Own {
    Row(ConversationRow),
    Member(GroupRow, MemberRow),
    /// None yet: no message in it, or not a member of the group.
    Nothing,
}

impl<S: Store> Engine<S> {
    /// Every conversation row of `user`'s, a page at a time in the order of
    /// change.
    pub(crate) fn all_conversation_rows(
        &mut self,
        user: &str,
    ) -> StoreResult<Vec<ConversationRow>> {
        const PAGE: usize = 500;
        let mut all = Vec::new();
        let mut cursor = 0;
        loop {
            let rows = self.store.changed_since(user, cursor, PAGE)?;
            let full = rows.len() == PAGE;
            cursor = rows.iter().fold(cursor, |c, row| c.max(row.version));
            all.extend(rows);
            if !full {
                return Ok(all);
            }
        }
    }

    pub(super) fn own(&mut self, me: &str, conversation: &str) -> Result<Own, Refusal> {
        Ok(match ConversationType::parse(conversation) {
            Some((ConversationType::Group, group_id)) => {
                match (
                    self.store.group(group_id)?,
                    self.store.member(group_id, me)?,
                ) {
                    (Some(group), Some(member)) => Own::Member(group, member),
                    _ => Own::Nothing,
                }
            }
            Some(_) => match self.store.conversation(me, conversation)? {
                Some(row) => Own::Row(row),
                None => Own::Nothing,
            },
            None => return Err(invalid_conversation()),
        })
    }

    /// Answers a change to the user's own record and tells their other sessions.
    fn changed_own<T: serde::Serialize>(&mut self, reply: Reply, me: &str, push: u8, req: &T) {
        self.push_to_sessions(me, Some(reply.conn), push, req);
        self.respond(reply, req);
    }

    /// Moves one of the user's marks (a deletion's `hidden_seq`, a
    /// clearing's `cleared_seq`) to the conversation's last seq, with the
    /// read watermark: everything so far is read and behind the mark.
    /// Nothing of the user's yet: nothing to mark.
    fn mark_at_last(&mut self, me: &str, conversation: &str, mark: Mark) -> Handled {
        match self.own(me, conversation)? {
            Own::Member(group, mut member) => {
                *match mark {
                    Mark::Deleted => &mut member.hidden_seq,
                    Mark::Cleared => &mut member.cleared_seq,
                } = group.last_seq;
                member.read_seq = member.read_seq.max(group.last_seq);
                self.store.put_member(&mut member)?;
            }
            Own::Row(mut row) => {
                *match mark {
                    Mark::Deleted => &mut row.hidden_seq,
                    Mark::Cleared => &mut row.cleared_seq,
                } = row.last_seq;
                row.read_seq = row.last_seq;
                if mark == Mark::Cleared {
                    // No last message to show any more (a group's is
                    // blanked per member by the sync query).
                    row.last_from.clear();
                    row.preview.clear();
                }
                self.store.put_conversation(row)?;
            }
            Own::Nothing => {}
        }
        Ok(())
    }

    pub(crate) fn delete_conversation(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::ConversationRef<'_>,
    ) -> Handled {
        self.mark_at_last(me, req.conversation, Mark::Deleted)?;
        self.changed_own(reply, me, kind::PUSH_CONVERSATION_DELETED, &req);
        Ok(())
    }

    /// TIM `deleteConversation` with a list, and its `clearHistoryMessage`:
    /// each conversation as `delete_conversation` (and `clear_history`)
    /// does it, pushed to every session of the user, the caller's too.
    pub(crate) fn delete_conversations(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::DeleteConversations<'_>,
    ) -> Handled {
        let ids: Vec<&str> = req.ids().collect();
        if ids.is_empty() || ids.len() > body::MAX_DELETE_CONVERSATIONS {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "1 to 100 conversations a call",
            ));
        }
        if ids.iter().any(|id| ConversationType::parse(id).is_none()) {
            return Err(invalid_conversation());
        }
        for conversation in ids {
            let named = body::ConversationRef { conversation };
            if req.clear_history {
                self.mark_at_last(me, conversation, Mark::Cleared)?;
                self.push_to_sessions(me, None, kind::PUSH_HISTORY_CLEARED, &named);
            }
            self.mark_at_last(me, conversation, Mark::Deleted)?;
            self.push_to_sessions(me, None, kind::PUSH_CONVERSATION_DELETED, &named);
        }
        self.respond(reply, &());
        Ok(())
    }

    pub(crate) fn pin_conversation(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::PinConversation<'_>,
    ) -> Handled {
        self.set_own(me, req.conversation, Setting::Pinned(req.pinned))?;
        self.changed_own(reply, me, kind::PUSH_CONVERSATION_PINNED, &req);
        Ok(())
    }

    pub(crate) fn set_remind_type(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::RemindSetting<'_>,
    ) -> Handled {
        self.set_own(me, req.conversation, Setting::Remind(req.remind))?;
        self.changed_own(reply, me, kind::PUSH_REMIND_TYPE, &req);
        Ok(())
    }

    /// Applies `setting` to `me`'s own record of `conversation` (their row,
    /// or their membership of the group), stored only if it changed; 10004
    /// if they have none.
    pub(super) fn set_own(&mut self, me: &str, conversation: &str, setting: Setting) -> Handled {
        let own = self.own(me, conversation)?;
        self.set_in(own, setting)
    }

    /// Applies `setting` to a record read by [`Engine::own`].
    pub(super) fn set_in(&mut self, own: Own, setting: Setting) -> Handled {
        match own {
            Own::Member(group, mut member) => {
                let fields = OwnFields {
                    pinned: &mut member.pinned,
                    remind: &mut member.remind,
                    marks: &mut member.marks,
                    data_digest: &mut member.data_digest,
                    hidden_seq: &mut member.hidden_seq,
                    last_seq: group.last_seq,
                };
                if setting.apply(fields) {
                    self.store.put_member(&mut member)?;
                }
            }
            Own::Row(mut row) => {
                let fields = OwnFields {
                    pinned: &mut row.pinned,
                    remind: &mut row.remind,
                    marks: &mut row.marks,
                    data_digest: &mut row.data_digest,
                    hidden_seq: &mut row.hidden_seq,
                    last_seq: row.last_seq,
                };
                if setting.apply(fields) {
                    self.store.put_conversation(row)?;
                }
            }
            Own::Nothing => return Err(no_such_conversation()),
        }
        Ok(())
    }

    pub(crate) fn clear_history(
        &mut self,
        reply: Reply,
        me: &str,
        req: body::ConversationRef<'_>,
    ) -> Handled {
        self.mark_at_last(me, req.conversation, Mark::Cleared)?;
        self.changed_own(reply, me, kind::PUSH_HISTORY_CLEARED, &req);
        Ok(())
    }
}

/// 10004: the user has no such conversation (no message in it yet, or not
/// a member of the group).
pub(super) fn no_such_conversation() -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, "no such conversation")
}
