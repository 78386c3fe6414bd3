//! A user's own data on a conversation: TIM `markConversation`,
//! `setConversationCustomData` and the draft (`setConversationDraft` of
//! TIM's C SDK).
//!
//! The marks travel in every sync summary, since a device sorts and
//! filters its list by them. The custom data and the draft may be a few
//! hundred bytes each, more than a small device wants per conversation
//! slot: a summary carries only their digest, and a client that shows them
//! asks for them ([`ConversationDataQuery`]) when the digest it holds
//! changes.

use serde::{Deserialize, Serialize};

/// TIM `CONV_MARK_TYPE_STAR`.
pub const MARK_STAR: u64 = 0x1;
/// TIM `CONV_MARK_TYPE_UNREAD`: the user marked it unread (the count of
/// unread messages is not changed by it).
pub const MARK_UNREAD: u64 = 0x2;
/// TIM `CONV_MARK_TYPE_FOLD`.
pub const MARK_FOLD: u64 = 0x4;
/// TIM `CONV_MARK_TYPE_HIDE`: out of the conversation list until a new
/// message arrives, which also takes the mark away.
pub const MARK_HIDE: u64 = 0x8;

/// Most bytes of a conversation's custom data (TIM's 256).
pub const MAX_CONVERSATION_CUSTOM_DATA: usize = 256;
/// Most bytes of a draft.
pub const MAX_DRAFT: usize = 1024;
/// Most conversations one [`SetConversationData`] or
/// [`ConversationDataQuery`] names.
pub const MAX_DATA_CONVERSATIONS: usize = 100;

/// The conversation ids of a request, separated by spaces (no id holds
/// one).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationList<'a>(pub &'a str);

impl<'a> ConversationList<'a> {
    /// The ids, empty entries skipped.
    pub fn ids(&self) -> impl Iterator<Item = &'a str> {
        self.0.split(' ').filter(|s| !s.is_empty())
    }
}

/// What a [`SetConversationData`] changes.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataChange<'a> {
    /// TIM `markConversation`: sets (`enable`) or clears these mark bits
    /// ([`MARK_STAR`] and the others, or the application's own from bit
    /// 32 up, as TIM allows).
    Marks {
        /// The bits, not 0.
        marks: u64,
        /// Set them (true) or clear them.
        enable: bool,
    },
    /// TIM `setConversationCustomData`: at most
    /// [`MAX_CONVERSATION_CUSTOM_DATA`] bytes; empty removes it.
    CustomData(&'a [u8]),
    /// The draft: at most [`MAX_DRAFT`] bytes of text; empty removes it.
    Draft(&'a str),
}

/// Request payload: a change to the user's own data on conversations
/// they have. Answer: empty; each conversation changed comes to every
/// session of the user, the caller's too, as a [`ConversationDataState`]
/// push (and one hidden by [`MARK_HIDE`] as a deletion).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetConversationData<'a> {
    /// 1 to [`MAX_DATA_CONVERSATIONS`] conversations.
    #[serde(borrow)]
    pub conversations: ConversationList<'a>,
    /// What changes.
    #[serde(borrow)]
    pub change: DataChange<'a>,
}

/// Push: a conversation's marks and data digest, as they now stand.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationDataState<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// TIM `markList`, as bits.
    pub marks: u64,
    /// Changes whenever the custom data or the draft does; 0 for none.
    pub data_digest: u64,
}

/// Request payload: the custom data, draft and last message's sender
/// stamps of conversations. Answer: a `UserRecord::ConversationData` per
/// conversation the user has, in the order asked, as many as fit a frame,
/// then `Page` (its `next_offset` counts the ids answered: ask again for
/// the rest).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationDataQuery<'a> {
    /// 1 to [`MAX_DATA_CONVERSATIONS`] conversations.
    #[serde(borrow)]
    pub conversations: ConversationList<'a>,
}

/// One conversation's data, as answered to a [`ConversationDataQuery`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationData<'a> {
    /// Conversation id.
    pub conversation: &'a str,
    /// The digest a sync summary carries for what follows.
    pub data_digest: u64,
    /// TIM `customData`.
    pub custom_data: &'a [u8],
    /// The draft's text (TIM's C SDK `draftText`).
    pub draft: &'a str,
    /// When the draft was set, unix milliseconds; 0 without one.
    pub draft_time_ms: u64,
    /// The seq of the last message the stamps below are of.
    pub last_seq: u64,
    /// TIM `lastMessage.nick`: its sender's nickname when it was sent.
    pub last_nick: &'a str,
    /// The sender's avatar when it was sent.
    pub last_avatar: &'a str,
    /// TIM `lastMessage.nameCard`: the sender's name card in the group.
    pub last_name_card: &'a str,
}
