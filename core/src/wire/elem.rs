//! Message elements: TIM's `payload` kinds. On the wire each element is its
//! kind number, then its fields as one length-prefixed byte string (see
//! `elem_codec`), so a decoder meets a kind added after it was
//! built as [`Elem::Unknown`] and skips it, and fields appended to a known
//! kind later are skipped by the decoders that predate them.

use serde::{Deserialize, Serialize};

use super::group::{GroupNotice, GroupTip};
use super::merger::{MergedMessage, MergedMessages};

/// A message element. TIM's element types, added as the SDK grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Elem<'a> {
    /// `TIMTextElem`.
    Text {
        /// The text.
        text: &'a str,
    },
    /// `TIMCustomElem`.
    Custom {
        /// Application data.
        data: &'a str,
        /// Description (push text).
        description: &'a str,
        /// Extension.
        extension: &'a str,
    },
    /// Placeholder the server sends instead of a message larger than the
    /// receiver's frame limit: the receiver can skip it or fetch it elsewhere.
    TooLarge {
        /// Size of the stored message body in bytes.
        size: u32,
    },
    /// `TIMGroupTipElem`: a member or profile change, in the group's conversation.
    GroupTip(GroupTip<'a>),
    /// `TIMGroupSystemNoticeElem`: in the SYSTEM conversation.
    GroupSystemNotice(GroupNotice<'a>),
    /// `TIMImageElem`: an image the sender's upload plugin stored.
    Image(Image<'a>),
    /// `TIMFileElem`: a file the sender's upload plugin stored at `url`.
    File {
        /// Where the file can be fetched.
        url: &'a str,
        /// The file's name.
        name: &'a str,
        /// Size in bytes.
        size: u32,
        /// The upload's id (TIM `uuid`; may be empty).
        uuid: &'a str,
    },
    /// A revoked message (TIM `isRevoked`): what the server keeps and
    /// returns in its place once it was revoked; its content is gone.
    Revoked {
        /// Who revoked it (TIM `revoker`): the sender, or a group's owner
        /// or admin.
        by: &'a str,
    },
    /// TIM `MESSAGE_REVOKED`: the message `seq` of this conversation was
    /// revoked by this message's sender. Posted as a message of its own so
    /// that every device learns it in order, also the ones offline then.
    RevokeNotice {
        /// The revoked message.
        seq: u64,
    },
    /// `TIMFaceElem`: an emoji or sticker of the application's set.
    Face {
        /// Its index in the set.
        index: u32,
        /// Application data (a sticker's name, a pack id).
        data: &'a str,
    },
    /// `TIMLocationElem`: a place.
    Location {
        /// What the place is.
        description: &'a str,
        /// Longitude in degrees.
        longitude: Degrees,
        /// Latitude in degrees.
        latitude: Degrees,
    },
    /// `TIMSoundElem`: a voice message the upload plugin stored.
    Sound {
        /// Where the sound can be fetched.
        url: &'a str,
        /// The upload's id (may be empty).
        uuid: &'a str,
        /// Size in bytes.
        size: u32,
        /// Length in seconds.
        seconds: u32,
    },
    /// `TIMVideoFileElem`: a video and its thumbnail.
    Video(Video<'a>),
    /// `TIMRelayElem`: messages merged into one (TIM `createMergerMessage`).
    Merger(Merger<'a>),
    /// TIM `MESSAGE_MODIFIED`: the message `seq` of this conversation was
    /// modified by its sender; `message` holds it as it now is. Posted as a
    /// message of its own, as a revocation is, so every device learns it in
    /// order.
    Modified {
        /// The modified message.
        seq: u64,
        /// It as it now is: one record.
        message: MergedMessages<'a>,
    },
    /// A message this user deleted (TIM `deleteMessage`): what the server
    /// sends this user in its place, so a range stays whole; the core
    /// delivers it to nobody.
    Deleted,
    /// An element of a kind this build does not know (a newer peer's): its
    /// content is skipped; show [`Elem::preview`] or nothing.
    Unknown {
        /// Its kind number.
        kind: u32,
    },
}

/// The kind numbers of the elements on the wire. Never reused: a kind
/// retired stays reserved.
pub mod elem_kind {
    /// [`super::Elem::Text`].
    pub const TEXT: u32 = 0;
    /// [`super::Elem::Custom`].
    pub const CUSTOM: u32 = 1;
    /// [`super::Elem::TooLarge`].
    pub const TOO_LARGE: u32 = 2;
    /// [`super::Elem::GroupTip`].
    pub const GROUP_TIP: u32 = 3;
    /// [`super::Elem::GroupSystemNotice`].
    pub const GROUP_SYSTEM_NOTICE: u32 = 4;
    /// [`super::Elem::Image`].
    pub const IMAGE: u32 = 5;
    /// [`super::Elem::File`].
    pub const FILE: u32 = 6;
    /// [`super::Elem::Revoked`].
    pub const REVOKED: u32 = 7;
    /// [`super::Elem::RevokeNotice`].
    pub const REVOKE_NOTICE: u32 = 8;
    /// [`super::Elem::Face`].
    pub const FACE: u32 = 9;
    /// [`super::Elem::Location`].
    pub const LOCATION: u32 = 10;
    /// [`super::Elem::Sound`].
    pub const SOUND: u32 = 11;
    /// [`super::Elem::Video`].
    pub const VIDEO: u32 = 12;
    /// [`super::Elem::Merger`].
    pub const MERGER: u32 = 13;
    /// [`super::Elem::Deleted`].
    pub const DELETED: u32 = 14;
    /// [`super::Elem::Modified`].
    pub const MODIFIED: u32 = 15;
}

/// An angle in degrees. Compared by its bits, so that elements stay `Eq`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Degrees(pub f64);

impl PartialEq for Degrees {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Degrees {}

/// TIM `imageFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG (TIM 1).
    Jpg,
    /// GIF (TIM 2).
    Gif,
    /// PNG (TIM 3).
    Png,
    /// BMP (TIM 4).
    Bmp,
    /// Anything else (TIM 255).
    #[default]
    Other,
}

impl ImageFormat {
    /// TIM's number for the format.
    pub fn tim_number(self) -> u8 {
        match self {
            ImageFormat::Jpg => 1,
            ImageFormat::Gif => 2,
            ImageFormat::Png => 3,
            ImageFormat::Bmp => 4,
            ImageFormat::Other => 255,
        }
    }

    /// The format TIM's number names; numbers it does not use are
    /// [`ImageFormat::Other`].
    pub fn from_tim_number(n: u8) -> Self {
        match n {
            1 => ImageFormat::Jpg,
            2 => ImageFormat::Gif,
            3 => ImageFormat::Png,
            4 => ImageFormat::Bmp,
            _ => ImageFormat::Other,
        }
    }
}

impl Serialize for ImageFormat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.tim_number())
    }
}

impl<'de> Deserialize<'de> for ImageFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u8::deserialize(d).map(ImageFormat::from_tim_number)
    }
}

/// One stored picture: an image's variant or a video's thumbnail (an entry
/// of TIM's `imageInfoArray`). An empty `url` means there is none.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImageInfo<'a> {
    /// Where it can be fetched.
    pub url: &'a str,
    /// Size in bytes.
    pub size: u32,
    /// Width in pixels (0: unknown).
    pub width: u32,
    /// Height in pixels (0: unknown).
    pub height: u32,
}

/// `TIMImageElem`'s fields.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Image<'a> {
    /// The upload's id (TIM `uuid`; may be empty).
    pub uuid: &'a str,
    /// TIM `imageFormat`.
    pub format: ImageFormat,
    /// The image as sent (TIM type 0, "original").
    pub original: ImageInfo<'a>,
    /// A larger preview (TIM type 1, "big"); empty if none was made.
    pub large: ImageInfo<'a>,
    /// A thumbnail (TIM type 2, "small"); empty if none was made.
    pub thumbnail: ImageInfo<'a>,
}

/// `TIMVideoFileElem`'s fields.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Video<'a> {
    /// Where the video can be fetched.
    pub url: &'a str,
    /// The upload's id (may be empty).
    pub uuid: &'a str,
    /// Size in bytes.
    pub size: u32,
    /// Length in seconds.
    pub seconds: u32,
    /// Container format (TIM `videoFormat`: "mp4", "mov"...).
    pub format: &'a str,
    /// A frame to show before it plays; empty if none.
    pub thumbnail: ImageInfo<'a>,
}

/// `TIMRelayElem`'s fields: messages merged into one.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merger<'a> {
    /// TIM `title` ("Chat history of alice and bob").
    pub title: &'a str,
    /// TIM `abstractList`, one line each ("alice: hi").
    pub abstracts: &'a str,
    /// TIM `compatibleText`: what a client that cannot open a merger shows.
    pub compatible_text: &'a str,
    /// The merged messages.
    #[serde(borrow)]
    pub messages: MergedMessages<'a>,
}

impl<'a> Elem<'a> {
    /// A modification notice's message as it now is; `None` for another
    /// element (or a malformed notice).
    pub fn modified(&self) -> Option<(u64, MergedMessage<'a>)> {
        match self {
            Elem::Modified { seq, message } => Some((*seq, message.iter().next()?.ok()?)),
            _ => None,
        }
    }

    /// The element's kind number on the wire.
    pub fn kind(&self) -> u32 {
        use elem_kind::*;
        match self {
            Elem::Text { .. } => TEXT,
            Elem::Custom { .. } => CUSTOM,
            Elem::TooLarge { .. } => TOO_LARGE,
            Elem::GroupTip(_) => GROUP_TIP,
            Elem::GroupSystemNotice(_) => GROUP_SYSTEM_NOTICE,
            Elem::Image(_) => IMAGE,
            Elem::File { .. } => FILE,
            Elem::Revoked { .. } => REVOKED,
            Elem::RevokeNotice { .. } => REVOKE_NOTICE,
            Elem::Face { .. } => FACE,
            Elem::Location { .. } => LOCATION,
            Elem::Sound { .. } => SOUND,
            Elem::Video(_) => VIDEO,
            Elem::Merger(_) => MERGER,
            Elem::Deleted => DELETED,
            Elem::Modified { .. } => MODIFIED,
            Elem::Unknown { kind } => *kind,
        }
    }

    /// Whether a client may send this element. The others only the server
    /// makes (a revocation, a group's tips and notices, the placeholder of a
    /// message too large), and it refuses them from clients with 9002: a
    /// forged revoke notice would make every device hide another user's
    /// message. An unknown kind is refused too: the server cannot check
    /// what it does not know. Deliberately one exhaustive match without a
    /// wildcard, so an element added later must be placed on one side here.
    ///
    /// Without the `full` feature a client sends text and custom elements
    /// only: the build neither reads nor writes the others' fields.
    pub fn sendable_by_client(&self) -> bool {
        match self {
            Elem::Text { .. } | Elem::Custom { .. } => true,
            Elem::Image(_)
            | Elem::File { .. }
            | Elem::Face { .. }
            | Elem::Location { .. }
            | Elem::Sound { .. }
            | Elem::Video(_)
            | Elem::Merger(_) => cfg!(feature = "full"),
            Elem::TooLarge { .. }
            | Elem::GroupTip(_)
            | Elem::GroupSystemNotice(_)
            | Elem::Revoked { .. }
            | Elem::RevokeNotice { .. }
            | Elem::Deleted
            | Elem::Modified { .. }
            | Elem::Unknown { .. } => false,
        }
    }

    /// What a conversation list shows for this element (TIM `messageForShow`).
    pub fn preview(&self) -> &'a str {
        match *self {
            Elem::Text { text } => text,
            Elem::Custom { description, .. } => description,
            Elem::TooLarge { .. } => "[message too large]",
            Elem::GroupTip(_) => "[group tip]",
            Elem::GroupSystemNotice(_) => "[group system notice]",
            Elem::Image(_) => "[image]",
            Elem::File { name, .. } => name,
            Elem::Revoked { .. } => "[message revoked]",
            Elem::RevokeNotice { .. } => "[a message was revoked]",
            Elem::Face { .. } => "[face]",
            Elem::Location { .. } => "[location]",
            Elem::Sound { .. } => "[voice]",
            Elem::Video(_) => "[video]",
            Elem::Merger(Merger { title, .. }) => title,
            Elem::Deleted => "",
            Elem::Modified { .. } => "[a message was modified]",
            Elem::Unknown { .. } => "[unsupported message]",
        }
    }
}
