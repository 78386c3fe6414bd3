//! Messages as the application sees them.

use super::conversation::ConversationType;
use crate::wire::body::Elem;
use crate::wire::group::Priority;

/// Direction of a message, TIM `flow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Flow {
    /// Received from someone else.
    In,
    /// Sent by this user (from this or another device).
    Out,
}

/// A received or fetched message, borrowed from the client's receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageView<'a> {
    /// TIM `conversationID`.
    pub conversation_id: &'a str,
    /// TIM `conversationType`.
    pub conversation_type: ConversationType,
    /// TIM `sequence`; 0 for online-only messages.
    pub seq: u64,
    /// TIM `from`.
    pub from: &'a str,
    /// TIM `flow`.
    pub flow: Flow,
    /// Server time in unix milliseconds (TIM `time` is this divided by 1000).
    pub time_ms: u64,
    /// The sender's random message id (TIM `random`).
    pub client_msg_id: u64,
    /// TIM `payload`.
    pub elem: Elem<'a>,
}

impl MessageView<'_> {
    /// The text of a text message.
    pub fn text(&self) -> Option<&str> {
        match self.elem {
            Elem::Text { text } => Some(text),
            _ => None,
        }
    }
}

/// A message to send: TIM `createTextMessage` / `createCustomMessage` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingMessage<'a> {
    /// Target: a user id for C2C, a group id for GROUP.
    pub to: &'a str,
    /// C2C or GROUP.
    pub conversation_type: ConversationType,
    /// The content.
    pub elem: Elem<'a>,
    /// Deliver to online recipients only (typing indicators): not stored, no
    /// seq, no unread count.
    pub online_only: bool,
    /// Reuse a client message id to resend a message whose outcome is not
    /// known; the server never stores it twice. `None` picks a fresh one.
    pub client_msg_id: Option<u64>,
    /// TIM `priority`: over a group's rate limit, lower priorities are
    /// refused first.
    pub priority: Priority,
}

impl<'a> OutgoingMessage<'a> {
    /// A C2C text message to `to_user`.
    pub fn text(to_user: &'a str, text: &'a str) -> Self {
        OutgoingMessage {
            to: to_user,
            conversation_type: ConversationType::C2c,
            elem: Elem::Text { text },
            online_only: false,
            client_msg_id: None,
            priority: Priority::Normal,
        }
    }

    /// A C2C custom message to `to_user`.
    pub fn custom(
        to_user: &'a str,
        data: &'a str,
        description: &'a str,
        extension: &'a str,
    ) -> Self {
        OutgoingMessage {
            elem: Elem::Custom {
                data,
                description,
                extension,
            },
            ..Self::text(to_user, "")
        }
    }

    /// A C2C image message to `to_user` (TIM `createImageMessage`): the image
    /// is already uploaded to `url` (the tokio adapter's upload plugin does
    /// that step).
    pub fn image(to_user: &'a str, url: &'a str, width: u32, height: u32, size: u32) -> Self {
        OutgoingMessage {
            elem: Elem::Image {
                url,
                width,
                height,
                size,
            },
            ..Self::text(to_user, "")
        }
    }

    /// A C2C file message to `to_user` (TIM `createFileMessage`), the file
    /// already uploaded to `url`.
    pub fn file(to_user: &'a str, url: &'a str, name: &'a str, size: u32) -> Self {
        OutgoingMessage {
            elem: Elem::File { url, name, size },
            ..Self::text(to_user, "")
        }
    }

    /// The same message sent to a group instead of a user.
    pub fn to_group(self) -> Self {
        OutgoingMessage {
            conversation_type: ConversationType::Group,
            ..self
        }
    }

    /// The same message, online-only.
    pub fn online_only(self) -> Self {
        OutgoingMessage {
            online_only: true,
            ..self
        }
    }

    /// The same message with another priority.
    pub fn with_priority(self, priority: Priority) -> Self {
        OutgoingMessage { priority, ..self }
    }

    /// The same message with a chosen client message id (for a resend).
    pub fn with_client_msg_id(self, id: u64) -> Self {
        OutgoingMessage {
            client_msg_id: Some(id),
            ..self
        }
    }
}
