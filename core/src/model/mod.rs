//! The data model: ids, conversations and messages, with TIM's vocabulary.

mod conversation;
mod group;
mod ids;
mod json;
mod message;

pub use crate::wire::body::Elem;
pub use conversation::Counted;
#[cfg(feature = "full")]
pub(crate) use conversation::Extras;
pub use conversation::{
    cut_at_char_boundary, Conversation, ConversationId, ConversationType, GroupAtInfo, PREVIEW_LEN,
};
pub use group::{Group, GroupId, GroupView, MAX_GROUP_NAME};
pub use ids::{
    valid_group_id, valid_user_id, UserId, MAX_GROUP_ID, MAX_USER_ID, SYSTEM_CONVERSATION,
};
pub use json::{from_json, JsonError};
pub use message::{Flow, MessageView, OutgoingMessage};
