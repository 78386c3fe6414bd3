//! Messages as the application sees them.

use super::conversation::ConversationType;
use crate::wire::body::{Degrees, Elem, Image, ImageInfo, Merger, MessageExtra, Video};
use crate::wire::group::Priority;
use crate::wire::merger::MergedMessage;

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
    /// TIM `cloudCustomData`, and the sender's `nick`, `avatar` and
    /// `nameCard` as the server stamped them when it was sent.
    pub extra: MessageExtra<'a>,
}

impl<'a> MessageView<'a> {
    /// The text of a text message.
    pub fn text(&self) -> Option<&str> {
        match self.elem {
            Elem::Text { text } => Some(text),
            _ => None,
        }
    }

    /// This message as an entry of a merger (TIM `createMergerMessage`).
    pub fn merged(&self) -> MergedMessage<'a> {
        MergedMessage {
            from: self.from,
            time_ms: self.time_ms,
            elem: self.elem,
            extra: self.extra,
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
    /// TIM `cloudCustomData`, at most
    /// [`crate::wire::extra::MAX_CLOUD_CUSTOM_DATA`] bytes.
    pub cloud_custom_data: &'a str,
    /// TIM `atUserList` (`createTextAtMessage`, group messages only): user
    /// ids joined by commas, [`crate::wire::extra::AT_ALL`] for everyone.
    pub at_users: &'a str,
    /// TIM `messageControlInfo.excludedFromUnreadCount`.
    pub excluded_from_unread: bool,
    /// TIM `messageControlInfo.excludedFromLastMessage`.
    pub excluded_from_last_message: bool,
    /// TIM `needReadReceipt` (group messages of Work, Public and Meeting
    /// groups).
    pub need_read_receipt: bool,
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
            cloud_custom_data: "",
            at_users: "",
            excluded_from_unread: false,
            excluded_from_last_message: false,
            need_read_receipt: false,
        }
    }

    /// A C2C message to `to_user` with the element `elem` (any element a
    /// client may send; the constructors below name the usual ones).
    pub fn with_elem(to_user: &'a str, elem: Elem<'a>) -> Self {
        OutgoingMessage {
            elem,
            ..Self::text(to_user, "")
        }
    }

    /// A C2C custom message to `to_user`.
    pub fn custom(
        to_user: &'a str,
        data: &'a str,
        description: &'a str,
        extension: &'a str,
    ) -> Self {
        Self::with_elem(
            to_user,
            Elem::Custom {
                data,
                description,
                extension,
            },
        )
    }

    /// A C2C image message to `to_user` (TIM `createImageMessage`): the image
    /// is already uploaded to `url` (the tokio adapter's upload plugin does
    /// that step).
    pub fn image(to_user: &'a str, url: &'a str, width: u32, height: u32, size: u32) -> Self {
        let original = ImageInfo {
            url,
            size,
            width,
            height,
        };
        Self::with_elem(
            to_user,
            Elem::Image(Image {
                original,
                ..Image::default()
            }),
        )
    }

    /// A C2C file message to `to_user` (TIM `createFileMessage`), the file
    /// already uploaded to `url`.
    pub fn file(to_user: &'a str, url: &'a str, name: &'a str, size: u32) -> Self {
        let uuid = "";
        Self::with_elem(
            to_user,
            Elem::File {
                url,
                name,
                size,
                uuid,
            },
        )
    }

    /// A C2C face message (TIM `createFaceMessage`): entry `index` of the
    /// application's emoji set.
    pub fn face(to_user: &'a str, index: u32, data: &'a str) -> Self {
        Self::with_elem(to_user, Elem::Face { index, data })
    }

    /// A C2C location message (TIM `createLocationMessage`).
    pub fn location(to_user: &'a str, description: &'a str, longitude: f64, latitude: f64) -> Self {
        Self::with_elem(
            to_user,
            Elem::Location {
                description,
                longitude: Degrees(longitude),
                latitude: Degrees(latitude),
            },
        )
    }

    /// A C2C voice message (TIM `createAudioMessage`), the sound already
    /// uploaded to `url`.
    pub fn sound(to_user: &'a str, url: &'a str, size: u32, seconds: u32) -> Self {
        let uuid = "";
        Self::with_elem(
            to_user,
            Elem::Sound {
                url,
                uuid,
                size,
                seconds,
            },
        )
    }

    /// A C2C video message (TIM `createVideoMessage`), the video already
    /// uploaded.
    pub fn video(to_user: &'a str, video: Video<'a>) -> Self {
        Self::with_elem(to_user, Elem::Video(video))
    }

    /// A C2C merger of messages (TIM `createMergerMessage`); encode the
    /// messages with [`crate::wire::merger::MergedMessages::write`].
    pub fn merger(to_user: &'a str, merger: Merger<'a>) -> Self {
        Self::with_elem(to_user, Elem::Merger(merger))
    }

    /// `message` sent again to `to_user` (TIM `createForwardMessage`): its
    /// element and cloud custom data, as a new message of this user.
    pub fn forward(to_user: &'a str, message: &MessageView<'a>) -> Self {
        OutgoingMessage {
            cloud_custom_data: message.extra.cloud_custom_data,
            ..Self::with_elem(to_user, message.elem)
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

    /// The same message with TIM `cloudCustomData`.
    pub fn with_cloud_custom_data(self, cloud_custom_data: &'a str) -> Self {
        OutgoingMessage {
            cloud_custom_data,
            ..self
        }
    }

    /// The same message mentioning `at_users` (TIM `createTextAtMessage`'s
    /// `atUserList`): user ids joined by commas, with
    /// [`crate::wire::extra::AT_ALL`] for everyone. The server refuses
    /// mentions outside groups and of non-members (10004).
    pub fn with_at_users(self, at_users: &'a str) -> Self {
        OutgoingMessage { at_users, ..self }
    }

    /// The same message with TIM `messageControlInfo`: it does not count
    /// as unread (`excluded_from_unread`), it does not become the
    /// conversation's last message (`excluded_from_last_message`).
    pub fn with_control(
        self,
        excluded_from_unread: bool,
        excluded_from_last_message: bool,
    ) -> Self {
        OutgoingMessage {
            excluded_from_unread,
            excluded_from_last_message,
            ..self
        }
    }

    /// The same message asking the group's members for read receipts (TIM
    /// `needReadReceipt`; Work, Public and Meeting groups, else the server
    /// refuses it with 10004).
    pub fn with_read_receipt(self) -> Self {
        OutgoingMessage {
            need_read_receipt: true,
            ..self
        }
    }

    /// The same message with a chosen client message id (for a resend).
    pub fn with_client_msg_id(self, id: u64) -> Self {
        OutgoingMessage {
            client_msg_id: Some(id),
            ..self
        }
    }
}
