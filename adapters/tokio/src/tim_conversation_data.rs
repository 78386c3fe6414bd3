//! TIM `markConversation`, `setConversationCustomData` and the draft on
//! [`Tim`], and the conversation list's custom data, drafts and last
//! senders' stamps. The core keeps only each conversation's marks and a
//! digest of its data (a device has no room for the rest); this adapter
//! fetches the data when the digest or the last message changes, and
//! keeps what it fetched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tinyim_core::wire::conversation_data::ConversationData;

use crate::driver::Command;
use crate::error::TimError;
use crate::event::ConversationInfo;
use crate::tim::Tim;
use crate::user::{UserCall, UserData};

/// The fetched data by conversation id.
pub(crate) type DataCache = Arc<Mutex<HashMap<String, FetchedData>>>;

/// One conversation's data, as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchedData {
    id: String,
    data_digest: u64,
    custom_data: Vec<u8>,
    draft: String,
    draft_time_ms: u64,
    last_seq: u64,
    last_nick: String,
    last_avatar: String,
    last_name_card: String,
}

impl From<&ConversationData<'_>> for FetchedData {
    fn from(d: &ConversationData<'_>) -> Self {
        FetchedData {
            id: d.conversation.to_owned(),
            data_digest: d.data_digest,
            custom_data: d.custom_data.to_vec(),
            draft: d.draft.to_owned(),
            draft_time_ms: d.draft_time_ms,
            last_seq: d.last_seq,
            last_nick: d.last_nick.to_owned(),
            last_avatar: d.last_avatar.to_owned(),
            last_name_card: d.last_name_card.to_owned(),
        }
    }
}

impl FetchedData {
    /// Whether it is what `info` stands at (its data and last message).
    fn is_current_for(&self, info: &ConversationInfo) -> bool {
        self.data_digest == info.data_digest && self.last_seq == info.last_seq
    }

    fn fill(&self, info: &mut ConversationInfo) {
        info.custom_data.clone_from(&self.custom_data);
        info.draft.clone_from(&self.draft);
        info.draft_time_ms = self.draft_time_ms;
        info.last_nick.clone_from(&self.last_nick);
        info.last_avatar.clone_from(&self.last_avatar);
        info.last_name_card.clone_from(&self.last_name_card);
    }
}

/// Whether a conversation has anything to fetch at all.
fn has_data(info: &ConversationInfo) -> bool {
    info.data_digest != 0 || info.last_seq != 0
}

impl Tim {
    async fn conversation_data_call(&self, call: UserCall) -> Result<Vec<UserData>, TimError> {
        self.call(|reply| Command::User { call, reply }).await
    }

    /// TIM `markConversation`: sets (`enable`) or clears the bits `marks`
    /// (`MARK_STAR`, `MARK_UNREAD`, `MARK_FOLD`, `MARK_HIDE`, or the
    /// application's own from bit 32) on each of `conversation_ids` (at
    /// most 100, each one the user has). A hidden conversation leaves the
    /// list on every device until its next message.
    pub async fn mark_conversation(
        &self,
        conversation_ids: &[&str],
        marks: u64,
        enable: bool,
    ) -> Result<(), TimError> {
        let call = UserCall::Mark(conversation_ids.join(" "), marks, enable);
        self.conversation_data_call(call).await.map(drop)
    }

    /// TIM `setConversationCustomData`: at most 256 bytes of the
    /// application's own on each of `conversation_ids` (at most 100), for
    /// every device of the user; empty removes it.
    pub async fn set_conversation_custom_data(
        &self,
        conversation_ids: &[&str],
        data: &[u8],
    ) -> Result<(), TimError> {
        let call = UserCall::SetConversationCustom(conversation_ids.join(" "), data.to_vec());
        self.conversation_data_call(call).await.map(drop)
    }

    /// The draft of a conversation (TIM's C SDK `setConversationDraft`):
    /// at most 1 KB of text, for every device of the user; empty removes
    /// it.
    pub async fn set_conversation_draft(
        &self,
        conversation_id: &str,
        draft: &str,
    ) -> Result<(), TimError> {
        let call = UserCall::SetDraft(conversation_id.to_owned(), draft.to_owned());
        self.conversation_data_call(call).await.map(drop)
    }

    /// Fills `list` with the data fetched for each conversation, fetching
    /// first what changed since. A fetch that fails (offline) leaves the
    /// data as last fetched.
    pub(crate) async fn fill_data(&self, list: &mut [ConversationInfo]) {
        let stale: Vec<&str> = {
            let cache = self.conversation_data.lock().expect("cache lock");
            list.iter()
                .filter(|c| has_data(c) && !cache.get(&c.id).is_some_and(|d| d.is_current_for(c)))
                .map(|c| c.id.as_str())
                .collect()
        };
        if !stale.is_empty() {
            match self.fetch_data(&stale).await {
                Ok(fetched) => {
                    let mut cache = self.conversation_data.lock().expect("cache lock");
                    for d in fetched {
                        cache.insert(d.id.clone(), d);
                    }
                }
                Err(e) => log::debug!("conversation data not fetched: {e}"),
            }
        }
        let cache = self.conversation_data.lock().expect("cache lock");
        for info in list.iter_mut() {
            if let Some(d) = cache.get(&info.id) {
                d.fill(info);
            }
        }
    }

    async fn fetch_data(&self, ids: &[&str]) -> Result<Vec<FetchedData>, TimError> {
        let mut fetched = Vec::with_capacity(ids.len());
        for batch in ids.chunks(tinyim_core::wire::conversation_data::MAX_DATA_CONVERSATIONS) {
            let ask = |ids: String| self.conversation_data_call(UserCall::ConversationData(ids));
            let records =
                crate::tim::per_user(batch, " ", ask, |records: &[UserData]| {
                    match records.last() {
                        Some(&UserData::Page { next_offset, .. }) => Some(next_offset),
                        _ => None,
                    }
                })
                .await?;
            fetched.extend(records.into_iter().filter_map(|r| match r {
                UserData::ConversationData(d) => Some(d),
                _ => None,
            }));
        }
        Ok(fetched)
    }
}
