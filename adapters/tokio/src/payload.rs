//! A message's content, owned: TIM's `payload` copied out of the core's
//! borrowed element, and lent back to it for a send.

use tinyim_core::wire::body::{
    Degrees, Image, ImageFormat, ImageInfo, Merger, MessageExtra, Video,
};
use tinyim_core::wire::merger::{MergedMessage, MergedMessages};
use tinyim_core::wire::MAX_MESSAGE_BODY;
use tinyim_core::Elem;

use crate::event::Message;
use crate::group::{GroupNoticeInfo, GroupTipInfo};

/// Mergers nested deeper than this are read as [`Payload::Unknown`]: the
/// server refuses deeper ones, and a hostile peer's must not exhaust the
/// stack.
const MAX_MERGER_DEPTH: usize = 8;

/// A message's content (TIM `payload`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// `TIMTextElem`.
    Text(String),
    /// `TIMCustomElem`.
    Custom {
        /// Data.
        data: String,
        /// Description.
        description: String,
        /// Extension.
        extension: String,
    },
    /// The message was larger than this client's frame limit.
    TooLarge {
        /// Its size in bytes.
        size: u32,
    },
    /// `TIMGroupTipElem`: a member or profile change in a group (boxed: it
    /// is the largest payload and the rarest).
    GroupTip(Box<GroupTipInfo>),
    /// `TIMGroupSystemNoticeElem`: in the SYSTEM conversation.
    GroupSystemNotice(GroupNoticeInfo),
    /// `TIMImageElem`: an uploaded image and the variants made of it.
    Image {
        /// The upload's id (TIM `uuid`; may be empty).
        uuid: String,
        /// TIM `imageFormat`.
        format: ImageFormat,
        /// The image as sent.
        original: Picture,
        /// A larger preview (empty `url`: none).
        large: Picture,
        /// A thumbnail (empty `url`: none).
        thumbnail: Picture,
    },
    /// `TIMFileElem`: an uploaded file.
    File {
        /// Where to fetch it.
        url: String,
        /// Its name.
        name: String,
        /// Size in bytes.
        size: u32,
        /// The upload's id (may be empty).
        uuid: String,
    },
    /// A revoked message (TIM `isRevoked`); its content is gone.
    Revoked {
        /// Who revoked it (TIM `revoker`).
        by: String,
    },
    /// The notice that the message `seq` was revoked (its sender revoked
    /// it); it also arrives as [`crate::TimEvent::MessageRevoked`].
    RevokeNotice {
        /// The revoked message.
        seq: u64,
    },
    /// `TIMFaceElem`: an entry of the application's emoji set.
    Face {
        /// Its index.
        index: u32,
        /// Application data.
        data: String,
    },
    /// `TIMLocationElem`: a place.
    Location {
        /// What the place is.
        description: String,
        /// Longitude in degrees.
        longitude: Degrees,
        /// Latitude in degrees.
        latitude: Degrees,
    },
    /// `TIMSoundElem`: an uploaded voice message.
    Sound {
        /// Where to fetch it.
        url: String,
        /// The upload's id (may be empty).
        uuid: String,
        /// Size in bytes.
        size: u32,
        /// Length in seconds.
        seconds: u32,
    },
    /// `TIMVideoFileElem`: an uploaded video.
    Video(Box<VideoInfo>),
    /// `TIMRelayElem`: messages merged into one.
    Merger(Box<MergerInfo>),
    /// An element of a kind this build does not know (a newer peer's).
    Unknown {
        /// Its kind number.
        kind: u32,
    },
}

/// One stored picture: an image's variant or a video's thumbnail. An empty
/// `url` means there is none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Picture {
    /// Where to fetch it.
    pub url: String,
    /// Size in bytes.
    pub size: u32,
    /// Width in pixels (0: unknown).
    pub width: u32,
    /// Height in pixels (0: unknown).
    pub height: u32,
}

/// `TIMVideoFileElem`'s fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VideoInfo {
    /// Where to fetch it.
    pub url: String,
    /// The upload's id (may be empty).
    pub uuid: String,
    /// Size in bytes.
    pub size: u32,
    /// Length in seconds.
    pub seconds: u32,
    /// Container format ("mp4").
    pub format: String,
    /// A frame to show before it plays (empty `url`: none).
    pub thumbnail: Picture,
}

/// `TIMRelayElem`'s fields: a title, abstract lines, the merged messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergerInfo {
    /// TIM `title`.
    pub title: String,
    /// TIM `abstractList`, one line each.
    pub abstracts: String,
    /// TIM `compatibleText`.
    pub compatible_text: String,
    /// The merged messages (TIM `downloadMergerMessage`'s answer: they
    /// travel inside the merger).
    pub messages: Vec<MergedItem>,
    /// `messages` as the wire carries them, kept for a forward.
    encoded: Vec<u8>,
}

/// One message inside a merger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedItem {
    /// Its sender.
    pub from: String,
    /// When it was sent, unix milliseconds.
    pub time_ms: u64,
    /// Its content.
    pub payload: Payload,
    /// Its TIM `cloudCustomData`.
    pub cloud_custom_data: String,
    /// The sender's nickname when it was sent.
    pub nick: String,
}

/// Why messages could not be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergerError {
    /// Together they are larger than a message may be (12 KB).
    TooLarge,
    /// One of them is of a kind no client sends (a tip, a revoked message).
    NotMergeable,
}

impl std::fmt::Display for MergerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MergerError::TooLarge => "the merged messages are larger than a message may be",
            MergerError::NotMergeable => "a message of this kind cannot be merged",
        })
    }
}

impl std::error::Error for MergerError {}

impl Payload {
    /// An image of which only the original is known (before the server
    /// made variants).
    pub(crate) fn image(original: Picture) -> Self {
        Payload::Image {
            uuid: String::new(),
            format: ImageFormat::Other,
            original,
            large: Picture::default(),
            thumbnail: Picture::default(),
        }
    }

    pub(crate) fn from_elem(elem: &Elem<'_>) -> Self {
        Self::from_elem_at(elem, 0)
    }

    fn from_elem_at(elem: &Elem<'_>, depth: usize) -> Self {
        match *elem {
            Elem::Text { text } => Payload::Text(text.to_owned()),
            Elem::Custom {
                data,
                description,
                extension,
            } => Payload::Custom {
                data: data.to_owned(),
                description: description.to_owned(),
                extension: extension.to_owned(),
            },
            Elem::TooLarge { size } => Payload::TooLarge { size },
            Elem::GroupTip(ref tip) => Payload::GroupTip(Box::new(GroupTipInfo::from(tip))),
            Elem::GroupSystemNotice(ref notice) => {
                Payload::GroupSystemNotice(GroupNoticeInfo::from(notice))
            }
            Elem::Image(ref image) => Payload::Image {
                uuid: image.uuid.to_owned(),
                format: image.format,
                original: Picture::from(&image.original),
                large: Picture::from(&image.large),
                thumbnail: Picture::from(&image.thumbnail),
            },
            Elem::File {
                url,
                name,
                size,
                uuid,
            } => Payload::File {
                url: url.to_owned(),
                name: name.to_owned(),
                size,
                uuid: uuid.to_owned(),
            },
            Elem::Revoked { by } => Payload::Revoked { by: by.to_owned() },
            Elem::RevokeNotice { seq } => Payload::RevokeNotice { seq },
            Elem::Face { index, data } => Payload::Face {
                index,
                data: data.to_owned(),
            },
            Elem::Location {
                description,
                longitude,
                latitude,
            } => Payload::Location {
                description: description.to_owned(),
                longitude,
                latitude,
            },
            Elem::Sound {
                url,
                uuid,
                size,
                seconds,
            } => Payload::Sound {
                url: url.to_owned(),
                uuid: uuid.to_owned(),
                size,
                seconds,
            },
            Elem::Video(ref video) => Payload::Video(Box::new(VideoInfo {
                url: video.url.to_owned(),
                uuid: video.uuid.to_owned(),
                size: video.size,
                seconds: video.seconds,
                format: video.format.to_owned(),
                thumbnail: Picture::from(&video.thumbnail),
            })),
            Elem::Merger(ref merger) if depth < MAX_MERGER_DEPTH => {
                Payload::Merger(Box::new(MergerInfo::from_wire(merger, depth)))
            }
            ref other => Payload::Unknown { kind: other.kind() },
        }
    }

    /// The core's element for this payload, borrowing it; `None` for the
    /// kinds only the server makes.
    pub(crate) fn to_elem(&self) -> Option<Elem<'_>> {
        let elem = match self {
            Payload::Text(text) => Elem::Text { text },
            Payload::Custom {
                data,
                description,
                extension,
            } => Elem::Custom {
                data,
                description,
                extension,
            },
            Payload::Image {
                uuid,
                format,
                original,
                large,
                thumbnail,
            } => Elem::Image(Image {
                uuid,
                format: *format,
                original: original.to_info(),
                large: large.to_info(),
                thumbnail: thumbnail.to_info(),
            }),
            Payload::File {
                url,
                name,
                size,
                uuid,
            } => Elem::File {
                url,
                name,
                size: *size,
                uuid,
            },
            Payload::Face { index, data } => Elem::Face {
                index: *index,
                data,
            },
            Payload::Location {
                description,
                longitude,
                latitude,
            } => Elem::Location {
                description,
                longitude: *longitude,
                latitude: *latitude,
            },
            Payload::Sound {
                url,
                uuid,
                size,
                seconds,
            } => Elem::Sound {
                url,
                uuid,
                size: *size,
                seconds: *seconds,
            },
            Payload::Video(video) => Elem::Video(Video {
                url: &video.url,
                uuid: &video.uuid,
                size: video.size,
                seconds: video.seconds,
                format: &video.format,
                thumbnail: video.thumbnail.to_info(),
            }),
            Payload::Merger(merger) => Elem::Merger(merger.to_wire()),
            Payload::TooLarge { .. }
            | Payload::GroupTip(_)
            | Payload::GroupSystemNotice(_)
            | Payload::Revoked { .. }
            | Payload::RevokeNotice { .. }
            | Payload::Unknown { .. } => return None,
        };
        elem.sendable_by_client().then_some(elem)
    }

    /// The text of a text message.
    pub fn text(&self) -> Option<&str> {
        match self {
            Payload::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl Picture {
    fn to_info(&self) -> ImageInfo<'_> {
        ImageInfo {
            url: &self.url,
            size: self.size,
            width: self.width,
            height: self.height,
        }
    }
}

impl From<&ImageInfo<'_>> for Picture {
    fn from(info: &ImageInfo<'_>) -> Self {
        Picture {
            url: info.url.to_owned(),
            size: info.size,
            width: info.width,
            height: info.height,
        }
    }
}

impl MergerInfo {
    /// `messages` merged, an abstract line ("from: preview") for each of
    /// the first three, as TIM's UI kits do.
    pub(crate) fn new(
        title: &str,
        messages: &[Message],
        compatible_text: &str,
    ) -> Result<Self, MergerError> {
        let mut buf = vec![0u8; MAX_MESSAGE_BODY];
        let mut merged = Vec::with_capacity(messages.len());
        let mut abstracts = Vec::new();
        for m in messages {
            let elem = m.payload.to_elem().ok_or(MergerError::NotMergeable)?;
            if abstracts.len() < 3 {
                abstracts.push(format!("{}: {}", m.from, elem.preview()));
            }
            let extra = MessageExtra::with_cloud_custom_data(&m.cloud_custom_data).stamped(
                &m.nick,
                &m.avatar,
                &m.name_card,
            );
            merged.push(MergedMessage {
                from: &m.from,
                time_ms: m.time_ms,
                elem,
                extra,
            });
        }
        let encoded = MergedMessages::write(&mut buf, merged)
            .map_err(|_| MergerError::TooLarge)?
            .as_bytes()
            .to_vec();
        let messages = messages
            .iter()
            .map(|m| MergedItem {
                from: m.from.clone(),
                time_ms: m.time_ms,
                payload: m.payload.clone(),
                cloud_custom_data: m.cloud_custom_data.clone(),
                nick: m.nick.clone(),
            })
            .collect();
        Ok(MergerInfo {
            title: title.to_owned(),
            abstracts: abstracts.join("\n"),
            compatible_text: compatible_text.to_owned(),
            messages,
            encoded,
        })
    }

    fn from_wire(merger: &Merger<'_>, depth: usize) -> Self {
        // A malformed entry ends the list: what came before it stays.
        let messages = merger
            .messages
            .iter()
            .map_while(Result::ok)
            .map(|m| MergedItem {
                from: m.from.to_owned(),
                time_ms: m.time_ms,
                payload: Payload::from_elem_at(&m.elem, depth + 1),
                cloud_custom_data: m.extra.cloud_custom_data.to_owned(),
                nick: m.extra.nick.to_owned(),
            })
            .collect();
        MergerInfo {
            title: merger.title.to_owned(),
            abstracts: merger.abstracts.to_owned(),
            compatible_text: merger.compatible_text.to_owned(),
            messages,
            encoded: merger.messages.as_bytes().to_vec(),
        }
    }

    fn to_wire(&self) -> Merger<'_> {
        Merger {
            title: &self.title,
            abstracts: &self.abstracts,
            compatible_text: &self.compatible_text,
            messages: MergedMessages::from_bytes(&self.encoded),
        }
    }
}
