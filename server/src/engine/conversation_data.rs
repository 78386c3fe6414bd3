//! TIM `markConversation`, `setConversationCustomData` and the draft: the
//! user's own data on conversations they have. Marks and the data's digest
//! live in the user's row (or membership) and travel in sync summaries;
//! the data itself lives apart (`Store::own_data`) and is read on request,
//! with the stamps of the conversation's last message (TIM
//! `lastMessage.nick`, `nameCard`), so a list needs no profile call per row.

use tinyim_core::wire::conversation_data::{
    ConversationData, ConversationDataQuery, ConversationDataState, ConversationList, DataChange,
    SetConversationData, MARK_HIDE, MAX_CONVERSATION_CUSTOM_DATA, MAX_DATA_CONVERSATIONS,
    MAX_DRAFT,
};
use tinyim_core::wire::user::UserRecord;
use tinyim_core::wire::{body, code, kind};
use tinyim_core::ConversationType;

use super::content;
use super::conversations::{no_such_conversation, Own, Setting};
use super::messages::invalid_conversation;
use super::{Engine, Handled, Refusal, Reply};
use crate::store::keys::group_key;
use crate::store::{OwnData, Store};

/// The marks a user's list shows: a hide mark only while it hides (the
/// next message takes it away).
pub(super) fn shown_marks(marks: u64, hidden: bool) -> u64 {
    if hidden {
        marks
    } else {
        marks & !MARK_HIDE
    }
}

/// The ids of a request: 1 to [`MAX_DATA_CONVERSATIONS`] well-formed ones.
fn checked_ids(list: ConversationList<'_>) -> Result<Vec<&str>, Refusal> {
    let ids: Vec<&str> = list.ids().collect();
    if ids.is_empty() || ids.len() > MAX_DATA_CONVERSATIONS {
        return Err(Refusal::Code(
            code::INVALID_PARAMETER,
            "1 to 100 conversations a call",
        ));
    }
    if ids.iter().any(|id| ConversationType::parse(id).is_none()) {
        return Err(invalid_conversation());
    }
    Ok(ids)
}

/// Refuses a change no conversation may take.
fn check_change(change: &DataChange<'_>) -> Result<(), Refusal> {
    let refused = match change {
        DataChange::Marks { marks: 0, .. } => "no mark to change",
        DataChange::CustomData(data) if data.len() > MAX_CONVERSATION_CUSTOM_DATA => {
            "custom data over 256 bytes"
        }
        DataChange::Draft(draft) if draft.len() > MAX_DRAFT => "draft over 1024 bytes",
        _ => return Ok(()),
    };
    Err(Refusal::Code(code::INVALID_PARAMETER, refused))
}

/// What a user's record of a conversation says of its marks and data, and
/// where its last message is.
struct Standing {
    marks: u64,
    data_digest: u64,
    hidden: bool,
    conv_key: String,
    last_seq: u64,
    /// Cleared up to its last message: no last message to show.
    cleared: bool,
}

impl Standing {
    fn of(own: &Own) -> Option<Standing> {
        Some(match own {
            Own::Row(row) => Standing {
                marks: row.marks,
                data_digest: row.data_digest,
                hidden: row.deleted(),
                conv_key: row.conv_key.clone(),
                last_seq: row.last_seq,
                cleared: row.cleared_seq >= row.last_seq,
            },
            Own::Member(group, member) => Standing {
                marks: member.marks,
                data_digest: member.data_digest,
                hidden: member.hidden_seq > 0 && group.last_seq <= member.hidden_seq,
                conv_key: group_key(&group.group_id),
                last_seq: group.last_seq,
                cleared: member.cleared_seq >= group.last_seq,
            },
            Own::Nothing => return None,
        })
    }
}

impl<S: Store> Engine<S> {
    pub(super) fn set_conversation_data(
        &mut self,
        reply: Reply,
        me: &str,
        req: SetConversationData<'_>,
    ) -> Handled {
        let ids = checked_ids(req.conversations)?;
        check_change(&req.change)?;
        // Every one first: a call naming one the user lacks changes none.
        let mut owns = Vec::with_capacity(ids.len());
        for &id in &ids {
            match self.own(me, id)? {
                Own::Nothing => return Err(no_such_conversation()),
                own => owns.push(own),
            }
        }
        for (&id, own) in ids.iter().zip(owns) {
            let setting = match req.change {
                DataChange::Marks { marks, enable } => Setting::Marks { marks, enable },
                DataChange::CustomData(data) => {
                    let mut stored = self.store.own_data(me, id)?;
                    stored.custom_data = data.to_vec();
                    Setting::DataDigest(self.put_own_data(me, id, &stored)?)
                }
                DataChange::Draft(draft) => {
                    let mut stored = self.store.own_data(me, id)?;
                    stored.draft = draft.to_owned();
                    stored.draft_time_ms = if draft.is_empty() { 0 } else { self.now_ms };
                    Setting::DataDigest(self.put_own_data(me, id, &stored)?)
                }
            };
            self.set_in(own, setting)?;
            let standing = self.own(me, id)?;
            let Some(now) = Standing::of(&standing) else {
                continue;
            };
            let state = ConversationDataState {
                conversation: id,
                marks: shown_marks(now.marks, now.hidden),
                data_digest: now.data_digest,
            };
            self.push_to_sessions(me, None, kind::PUSH_CONVERSATION_DATA, &state);
            let hiding = matches!(req.change, DataChange::Marks { marks, enable: true } if marks & MARK_HIDE != 0);
            if hiding && now.hidden {
                let hidden = body::ConversationRef { conversation: id };
                self.push_to_sessions(me, None, kind::PUSH_CONVERSATION_DELETED, &hidden);
            }
        }
        self.respond(reply, &());
        Ok(())
    }

    /// Stores `data` as `me`'s on `conversation`; its digest.
    fn put_own_data(
        &mut self,
        me: &str,
        conversation: &str,
        data: &OwnData,
    ) -> Result<u64, Refusal> {
        self.store.put_own_data(me, conversation, data)?;
        Ok(data.digest())
    }

    pub(super) fn conversation_data(
        &mut self,
        reply: Reply,
        me: &str,
        req: ConversationDataQuery<'_>,
    ) -> Handled {
        let ids = checked_ids(req.conversations)?;
        // One record per id, in the order asked (empty for one the user
        // lacks), so `next_offset` counts ids.
        let mut found = Vec::with_capacity(ids.len());
        for &id in &ids {
            let own = self.own(me, id)?;
            let Some(standing) = Standing::of(&own) else {
                found.push((id, OwnData::default(), 0, 0, None));
                continue;
            };
            let data = if standing.data_digest == 0 {
                OwnData::default()
            } else {
                self.store.own_data(me, id)?
            };
            let last = if standing.cleared || standing.last_seq == 0 {
                None
            } else {
                self.store.message(&standing.conv_key, standing.last_seq)?
            };
            found.push((id, data, standing.data_digest, standing.last_seq, last));
        }
        let records = found.iter().map(|(id, data, digest, last_seq, last)| {
            let extra = last
                .as_ref()
                .and_then(|m| content::decode(&m.body).ok())
                .map(|(_, extra)| extra)
                .unwrap_or_default();
            UserRecord::ConversationData(ConversationData {
                conversation: id,
                data_digest: *digest,
                custom_data: &data.custom_data,
                draft: &data.draft,
                draft_time_ms: data.draft_time_ms,
                last_seq: *last_seq,
                last_nick: extra.nick,
                last_avatar: extra.avatar,
                last_name_card: extra.name_card,
            })
        });
        self.respond_records_page(reply, 0, records, false, |next_offset, more| {
            UserRecord::Page { next_offset, more }
        });
        Ok(())
    }
}
