//! A TIM `Message` object made by the `create*Message` calls, copied out of
//! JavaScript into owned fields the core's outgoing message borrows.

use js_sys::Array;
use tinyim_core::wire::body::{Degrees, Elem};
use tinyim_core::wire::elem::{Image, ImageFormat, ImageInfo, Merger, Video};
use tinyim_core::wire::extra::MessageExtra;
use tinyim_core::wire::merger::{MergedMessage, MergedMessages};
use tinyim_core::wire::MAX_MESSAGE_BODY;
use tinyim_core::{CommandError, OutgoingMessage, Priority};
use wasm_bindgen::JsValue;

use crate::read::{field, flag, id_list, number, text};

/// A number field as a u32 (sizes, seconds, dimensions): what does not fit
/// reads as 0, which the server refuses where it matters.
fn count(object: &JsValue, key: &str) -> u32 {
    let n = number(object, key);
    if (0.0..=f64::from(u32::MAX)).contains(&n) {
        n as u32
    } else {
        0
    }
}

/// One of an image's variants (`imageInfoArray` entry).
#[derive(Default)]
struct Picture {
    url: String,
    size: u32,
    width: u32,
    height: u32,
}

impl Picture {
    fn read(info: &JsValue) -> Self {
        Self {
            url: text(info, "url"),
            size: count(info, "size"),
            width: count(info, "width"),
            height: count(info, "height"),
        }
    }

    fn info(&self) -> ImageInfo<'_> {
        ImageInfo {
            url: &self.url,
            size: self.size,
            width: self.width,
            height: self.height,
        }
    }
}

/// The element, by TIM's `type`.
enum Body {
    Text(String),
    Custom {
        data: String,
        description: String,
        extension: String,
    },
    Face {
        index: u32,
        data: String,
    },
    Location {
        description: String,
        longitude: f64,
        latitude: f64,
    },
    Image {
        uuid: String,
        format: u8,
        /// Original, large, thumbnail (TIM's types 0, 1, 2).
        pictures: [Picture; 3],
    },
    File {
        uuid: String,
        url: String,
        name: String,
        size: u32,
    },
    Sound {
        uuid: String,
        url: String,
        size: u32,
        seconds: u32,
    },
    Video {
        uuid: String,
        url: String,
        size: u32,
        seconds: u32,
        format: String,
        thumbnail: Picture,
    },
    /// Messages merged into one (`TIMRelayElem`), encoded as they were
    /// read; `None` when one of them cannot be merged or together they
    /// are over a message's size.
    Merger {
        title: String,
        abstracts: String,
        compatible_text: String,
        messages: Option<Vec<u8>>,
    },
    /// A type this adapter does not send.
    Other,
}

/// A message of a merger's `messageList`, copied out.
struct Merged {
    from: String,
    time_ms: u64,
    body: Body,
    cloud_custom_data: String,
    nick: String,
    avatar: String,
}

impl Merged {
    fn read(message: &JsValue) -> Self {
        Self {
            from: text(message, "from"),
            time_ms: (number(message, "time").max(0.0) as u64).saturating_mul(1000),
            body: Body::read(&text(message, "type"), &field(message, "payload")),
            cloud_custom_data: text(message, "cloudCustomData"),
            nick: text(message, "nick"),
            avatar: text(message, "avatar"),
        }
    }

    fn merged(&self) -> Option<MergedMessage<'_>> {
        Some(MergedMessage {
            from: &self.from,
            time_ms: self.time_ms,
            elem: self.body.elem()?,
            extra: MessageExtra::with_cloud_custom_data(&self.cloud_custom_data).stamped(
                &self.nick,
                &self.avatar,
                "",
            ),
        })
    }
}

/// `list`'s messages encoded as a merger carries them; `None` when one
/// cannot be merged or they do not fit a message.
fn merge(list: &JsValue) -> Option<Vec<u8>> {
    let list: Vec<Merged> = if Array::is_array(list) {
        Array::from(list).iter().map(|m| Merged::read(&m)).collect()
    } else {
        Vec::new()
    };
    let merged: Option<Vec<MergedMessage<'_>>> = list.iter().map(Merged::merged).collect();
    let mut buf = vec![0; MAX_MESSAGE_BODY];
    let len = MergedMessages::write(&mut buf, merged?)
        .ok()?
        .as_bytes()
        .len();
    buf.truncate(len);
    Some(buf)
}

impl Body {
    fn read(kind: &str, p: &JsValue) -> Self {
        match kind {
            "TIMTextElem" => Body::Text(text(p, "text")),
            "TIMCustomElem" => Body::Custom {
                data: text(p, "data"),
                description: text(p, "description"),
                extension: text(p, "extension"),
            },
            "TIMFaceElem" => Body::Face {
                index: count(p, "index"),
                data: text(p, "data"),
            },
            "TIMLocationElem" => Body::Location {
                description: text(p, "description"),
                longitude: number(p, "longitude"),
                latitude: number(p, "latitude"),
            },
            "TIMImageElem" => {
                let mut pictures: [Picture; 3] = Default::default();
                let infos = field(p, "imageInfoArray");
                if Array::is_array(&infos) {
                    for info in Array::from(&infos).iter() {
                        if let Some(slot) = pictures.get_mut(count(&info, "type") as usize) {
                            *slot = Picture::read(&info);
                        }
                    }
                }
                Body::Image {
                    uuid: text(p, "uuid"),
                    format: count(p, "imageFormat").min(255) as u8,
                    pictures,
                }
            }
            "TIMFileElem" => Body::File {
                uuid: text(p, "uuid"),
                url: text(p, "fileUrl"),
                name: text(p, "fileName"),
                size: count(p, "fileSize"),
            },
            "TIMSoundElem" => Body::Sound {
                uuid: text(p, "uuid"),
                url: text(p, "url"),
                size: count(p, "size"),
                seconds: count(p, "second"),
            },
            "TIMVideoFileElem" => Body::Video {
                uuid: text(p, "videoUUID"),
                url: text(p, "videoUrl"),
                size: count(p, "videoSize"),
                seconds: count(p, "videoSecond"),
                format: text(p, "videoFormat"),
                thumbnail: Picture {
                    url: text(p, "thumbUrl"),
                    size: count(p, "thumbSize"),
                    width: count(p, "thumbWidth"),
                    height: count(p, "thumbHeight"),
                },
            },
            "TIMRelayElem" => {
                let abstracts = field(p, "abstractList");
                let abstracts = if Array::is_array(&abstracts) {
                    let lines: Vec<String> = Array::from(&abstracts)
                        .iter()
                        .filter_map(|line| line.as_string())
                        .collect();
                    lines.join("\n")
                } else {
                    String::new()
                };
                Body::Merger {
                    title: text(p, "title"),
                    abstracts,
                    compatible_text: text(p, "compatibleText"),
                    messages: merge(&field(p, "messageList")),
                }
            }
            _ => Body::Other,
        }
    }

    fn elem(&self) -> Option<Elem<'_>> {
        Some(match self {
            Body::Text(text) => Elem::Text { text },
            Body::Custom {
                data,
                description,
                extension,
            } => Elem::Custom {
                data,
                description,
                extension,
            },
            Body::Face { index, data } => Elem::Face {
                index: *index,
                data,
            },
            Body::Location {
                description,
                longitude,
                latitude,
            } => Elem::Location {
                description,
                longitude: Degrees(*longitude),
                latitude: Degrees(*latitude),
            },
            Body::Image {
                uuid,
                format,
                pictures: [original, large, thumbnail],
            } => Elem::Image(Image {
                uuid,
                format: ImageFormat::from_tim_number(*format),
                original: original.info(),
                large: large.info(),
                thumbnail: thumbnail.info(),
            }),
            Body::File {
                uuid,
                url,
                name,
                size,
            } => Elem::File {
                url,
                name,
                size: *size,
                uuid,
            },
            Body::Sound {
                uuid,
                url,
                size,
                seconds,
            } => Elem::Sound {
                url,
                uuid,
                size: *size,
                seconds: *seconds,
            },
            Body::Video {
                uuid,
                url,
                size,
                seconds,
                format,
                thumbnail,
            } => Elem::Video(Video {
                url,
                uuid,
                size: *size,
                seconds: *seconds,
                format,
                thumbnail: thumbnail.info(),
            }),
            Body::Merger {
                title,
                abstracts,
                compatible_text,
                messages,
            } => Elem::Merger(Merger {
                title,
                abstracts,
                compatible_text,
                messages: MergedMessages::from_bytes(messages.as_deref()?),
            }),
            Body::Other => return None,
        })
    }
}

/// A message's sendable fields.
pub(crate) struct Draft {
    /// The id of an earlier attempt (TIM `ID`), which a resend keeps.
    client_msg_id: Option<u64>,
    to: String,
    group: bool,
    body: Body,
    cloud_custom_data: String,
    at_users: String,
    priority: Priority,
    need_read_receipt: bool,
    online_only: bool,
}

impl Draft {
    pub(crate) fn read(message: &JsValue, online_only: bool) -> Self {
        let priority = match text(message, "priority").as_str() {
            "High" => Priority::High,
            "Low" => Priority::Low,
            "Lowest" => Priority::Lowest,
            _ => Priority::Normal,
        };
        Self {
            client_msg_id: text(message, "ID").parse().ok(),
            to: text(message, "to"),
            group: text(message, "conversationType") == "GROUP",
            body: Body::read(&text(message, "type"), &field(message, "payload")),
            cloud_custom_data: text(message, "cloudCustomData"),
            at_users: id_list(&field(message, "atUserList")),
            priority,
            need_read_receipt: flag(message, "needReadReceipt"),
            online_only,
        }
    }

    /// The core's message, or `InvalidParameter` for a type this adapter
    /// does not send (tips, notices) or a merger it could not make.
    pub(crate) fn outgoing(&self) -> Result<OutgoingMessage<'_>, CommandError> {
        let elem = self.body.elem().ok_or(CommandError::InvalidParameter)?;
        let mut message = OutgoingMessage::with_elem(&self.to, elem);
        if self.group {
            message = message.to_group();
        }
        if self.online_only {
            message = message.online_only();
        }
        if self.need_read_receipt {
            message = message.with_read_receipt();
        }
        if let Some(id) = self.client_msg_id {
            message = message.with_client_msg_id(id);
        }
        Ok(message
            .with_priority(self.priority)
            .with_cloud_custom_data(&self.cloud_custom_data)
            .with_at_users(&self.at_users))
    }
}
