//! Tencent's `MsgBody` (`[{"MsgType": ..., "MsgContent": {...}}]`) and
//! `CloudCustomData` as tinyim's message element and fields. A tinyim
//! message has one element, so a body of several is refused: a clear code
//! rather than half a message. A relay (merger) carries its messages in
//! `MsgList`; Tencent's `JsonMsgKey` (a relay over 12 KB stored apart) is
//! not taken.

use serde::Deserialize;
use serde_json::{json, Value};
use tinyim_core::wire::body::{
    Degrees, Elem, Image, ImageFormat, ImageInfo, Merger, MessageExtra, Video,
};
use tinyim_core::wire::merger::{MergedMessage, MergedMessages};
use tinyim_core::wire::MAX_MESSAGE_BODY;

use crate::engine::content;

/// One `MsgBody` entry as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MsgElem {
    #[serde(rename = "MsgType")]
    msg_type: String,
    #[serde(rename = "MsgContent")]
    content: Value,
}

#[derive(Deserialize)]
struct Text {
    #[serde(rename = "Text")]
    text: String,
}

#[derive(Deserialize)]
struct Custom {
    #[serde(rename = "Data", default)]
    data: String,
    #[serde(rename = "Desc", default)]
    desc: String,
    #[serde(rename = "Ext", default)]
    ext: String,
    #[serde(rename = "Sound", default)]
    _sound: Option<String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "UUID", default)]
    uuid: String,
    #[serde(rename = "FileSize", default)]
    size: u32,
    #[serde(rename = "FileName", default)]
    name: String,
    #[serde(rename = "Download_Flag", default)]
    _download_flag: Option<u32>,
}

#[derive(Deserialize)]
struct Face {
    #[serde(rename = "Index")]
    index: u32,
    #[serde(rename = "Data", default)]
    data: String,
}

#[derive(Deserialize)]
struct Location {
    #[serde(rename = "Desc", default)]
    desc: String,
    #[serde(rename = "Latitude")]
    latitude: f64,
    #[serde(rename = "Longitude")]
    longitude: f64,
}

#[derive(Deserialize)]
struct Sound {
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "UUID", default)]
    uuid: String,
    #[serde(rename = "Size", default)]
    size: u32,
    #[serde(rename = "Second", default)]
    seconds: u32,
    #[serde(rename = "Download_Flag", default)]
    _download_flag: Option<u32>,
}

#[derive(Deserialize)]
struct VideoFile {
    #[serde(rename = "VideoUrl")]
    url: String,
    #[serde(rename = "VideoUUID", default)]
    uuid: String,
    #[serde(rename = "VideoSize", default)]
    size: u32,
    #[serde(rename = "VideoSecond", default)]
    seconds: u32,
    #[serde(rename = "VideoFormat", default)]
    format: String,
    #[serde(rename = "VideoDownloadFlag", default)]
    _download_flag: Option<u32>,
    #[serde(rename = "ThumbUrl", default)]
    thumb_url: String,
    #[serde(rename = "ThumbUUID", default)]
    _thumb_uuid: Option<String>,
    #[serde(rename = "ThumbSize", default)]
    thumb_size: u32,
    #[serde(rename = "ThumbWidth", default)]
    thumb_width: u32,
    #[serde(rename = "ThumbHeight", default)]
    thumb_height: u32,
    #[serde(rename = "ThumbFormat", default)]
    _thumb_format: Option<String>,
    #[serde(rename = "ThumbDownloadFlag", default)]
    _thumb_download_flag: Option<u32>,
}

/// An `ImageInfoArray` entry: Tencent's type 1 is the original, 2 the
/// large variant, 3 the thumbnail.
#[derive(Deserialize, Default)]
struct Picture {
    #[serde(rename = "Type", default)]
    kind: u32,
    #[serde(rename = "Size", default)]
    size: u32,
    #[serde(rename = "Width", default)]
    width: u32,
    #[serde(rename = "Height", default)]
    height: u32,
    #[serde(rename = "URL")]
    url: String,
}

#[derive(Deserialize)]
struct ImageElem {
    #[serde(rename = "UUID", default)]
    uuid: String,
    #[serde(rename = "ImageFormat", default)]
    format: u8,
    #[serde(rename = "ImageInfoArray")]
    infos: Vec<Picture>,
}

/// A `TIMRelayElem`: merged messages, each with its own `MsgBody`.
#[derive(Deserialize)]
struct Relay {
    #[serde(rename = "Title", default)]
    title: String,
    #[serde(rename = "MsgNum", default)]
    _count: Option<u32>,
    #[serde(rename = "CompatibleText", default)]
    compatible_text: String,
    #[serde(rename = "AbstractList", default)]
    abstracts: Vec<String>,
    #[serde(rename = "MsgList")]
    messages: Vec<Relayed>,
}

/// One message of a relay.
#[derive(Deserialize)]
struct Relayed {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "MsgTimeStamp", default)]
    time_secs: u64,
    #[serde(rename = "MsgBody")]
    body: Vec<MsgElem>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: Option<String>,
    #[serde(rename = "To_Account", default)]
    _to: Option<String>,
    #[serde(rename = "GroupId", default)]
    _group_id: Option<String>,
    #[serde(rename = "MsgSeq", default)]
    _seq: Option<u64>,
    #[serde(rename = "MsgRandom", default)]
    _random: Option<u64>,
}

/// A message's content, owned, from which the wire element borrows.
pub(crate) struct Content {
    elem: Owned,
    cloud_custom_data: String,
    /// Tencent's `SendMsgControl`: `NoUnread`, `NoLastMsg` (TIM's
    /// `messageControlInfo`).
    control: (bool, bool),
}

enum Owned {
    Text(String),
    Custom(Custom),
    Image {
        uuid: String,
        format: u8,
        /// Original, large, thumbnail.
        pictures: [Picture; 3],
    },
    File(File),
    Face(Face),
    Location(Location),
    Sound(Sound),
    Video(VideoFile),
    Relay {
        title: String,
        abstracts: String,
        compatible_text: String,
        /// The messages as a merger carries them.
        messages: Vec<u8>,
    },
}

impl Content {
    /// The content of `body` with `CloudCustomData`, or why it cannot be sent.
    pub(crate) fn from_body(
        body: Vec<MsgElem>,
        cloud_custom_data: Option<String>,
    ) -> Result<Content, String> {
        let mut body = body.into_iter();
        let (Some(elem), None) = (body.next(), body.next()) else {
            return Err("MsgBody must hold exactly one element in tinyim".into());
        };
        let field = |e: serde_json::Error| format!("{}: {e}", elem.msg_type);
        let content = elem.content.clone();
        let owned = match elem.msg_type.as_str() {
            "TIMTextElem" => {
                Owned::Text(serde_json::from_value::<Text>(content).map_err(field)?.text)
            }
            "TIMCustomElem" => Owned::Custom(serde_json::from_value(content).map_err(field)?),
            "TIMFileElem" => Owned::File(serde_json::from_value(content).map_err(field)?),
            "TIMFaceElem" => Owned::Face(serde_json::from_value(content).map_err(field)?),
            "TIMLocationElem" => Owned::Location(serde_json::from_value(content).map_err(field)?),
            "TIMSoundElem" => Owned::Sound(serde_json::from_value(content).map_err(field)?),
            "TIMVideoFileElem" => Owned::Video(serde_json::from_value(content).map_err(field)?),
            "TIMImageElem" => {
                let image: ImageElem = serde_json::from_value(content).map_err(field)?;
                image_of(image)?
            }
            "TIMRelayElem" => relay_of(serde_json::from_value(content).map_err(field)?)?,
            other => return Err(format!("{other} is not a message type tinyim takes here")),
        };
        Ok(Content {
            elem: owned,
            cloud_custom_data: cloud_custom_data.unwrap_or_default(),
            control: (false, false),
        })
    }

    /// The wire element.
    pub(crate) fn elem(&self) -> Elem<'_> {
        match &self.elem {
            Owned::Text(text) => Elem::Text { text },
            Owned::Custom(c) => Elem::Custom {
                data: &c.data,
                description: &c.desc,
                extension: &c.ext,
            },
            Owned::Image {
                uuid,
                format,
                pictures: [original, large, thumbnail],
            } => Elem::Image(Image {
                uuid,
                format: ImageFormat::from_tim_number(*format),
                original: info(original),
                large: info(large),
                thumbnail: info(thumbnail),
            }),
            Owned::File(f) => Elem::File {
                url: &f.url,
                name: &f.name,
                size: f.size,
                uuid: &f.uuid,
            },
            Owned::Face(f) => Elem::Face {
                index: f.index,
                data: &f.data,
            },
            Owned::Location(l) => Elem::Location {
                description: &l.desc,
                longitude: Degrees(l.longitude),
                latitude: Degrees(l.latitude),
            },
            Owned::Sound(s) => Elem::Sound {
                url: &s.url,
                uuid: &s.uuid,
                size: s.size,
                seconds: s.seconds,
            },
            Owned::Relay {
                title,
                abstracts,
                compatible_text,
                messages,
            } => Elem::Merger(Merger {
                title,
                abstracts,
                compatible_text,
                messages: MergedMessages::from_bytes(messages),
            }),
            Owned::Video(v) => Elem::Video(Video {
                url: &v.url,
                uuid: &v.uuid,
                size: v.size,
                seconds: v.seconds,
                format: &v.format,
                thumbnail: ImageInfo {
                    url: &v.thumb_url,
                    size: v.thumb_size,
                    width: v.thumb_width,
                    height: v.thumb_height,
                },
            }),
        }
    }

    /// The fields beside the element a sender sets.
    pub(crate) fn extra(&self) -> MessageExtra<'_> {
        MessageExtra::with_cloud_custom_data(&self.cloud_custom_data)
            .with_control(self.control.0, self.control.1)
    }

    /// The same content sent under Tencent's `SendMsgControl`: `NoUnread`
    /// (not counted as unread), `NoLastMsg` (not the conversation's last
    /// message); its other words change nothing here.
    pub(crate) fn with_send_control(self, control: &[String]) -> Content {
        let has = |word: &str| control.iter().any(|c| c == word);
        Content {
            control: (has("NoUnread"), has("NoLastMsg")),
            ..self
        }
    }

    /// The body an import stores (the engine stamps the sender on it).
    pub(crate) fn stored_body(&self) -> Vec<u8> {
        content::encode(&self.elem(), &self.extra())
    }
}

/// An image's variants by Tencent's types; the original (type 1) is the
/// first entry when none says type 1.
fn image_of(image: ImageElem) -> Result<Owned, String> {
    let mut pictures: [Picture; 3] = Default::default();
    let mut infos = image.infos.into_iter().peekable();
    if infos.peek().is_none() {
        return Err("TIMImageElem: no ImageInfoArray entry".into());
    }
    let mut first = None;
    for picture in infos {
        match picture.kind {
            1..=3 => {
                let at = picture.kind as usize - 1;
                pictures[at] = picture;
            }
            _ => first = first.or(Some(picture)),
        }
    }
    if pictures[0].url.is_empty() {
        if let Some(first) = first {
            pictures[0] = first;
        }
    }
    Ok(Owned::Image {
        uuid: image.uuid,
        format: image.format,
        pictures,
    })
}

/// A relay's messages, each read as a message body of its own (relays
/// nest), encoded as a merger carries them.
fn relay_of(relay: Relay) -> Result<Owned, String> {
    let mut contents = Vec::with_capacity(relay.messages.len());
    for m in relay.messages {
        let content = Content::from_body(m.body, m.cloud_custom_data)?;
        contents.push((m.from, m.time_secs, content));
    }
    let merged = contents
        .iter()
        .map(|(from, time_secs, content)| MergedMessage {
            from,
            time_ms: time_secs.saturating_mul(1000),
            elem: content.elem(),
            extra: content.extra(),
        });
    let mut buf = vec![0u8; MAX_MESSAGE_BODY];
    let written = MergedMessages::write(&mut buf, merged)
        .map_err(|_| "TIMRelayElem: MsgList over 12 KB".to_owned())?
        .as_bytes()
        .len();
    buf.truncate(written);
    Ok(Owned::Relay {
        title: relay.title,
        abstracts: relay.abstracts.join("\n"),
        compatible_text: relay.compatible_text,
        messages: buf,
    })
}

fn info(p: &Picture) -> ImageInfo<'_> {
    ImageInfo {
        url: &p.url,
        size: p.size,
        width: p.width,
        height: p.height,
    }
}

/// `elem` as Tencent's `MsgBody` (for callbacks and history): tinyim's
/// elements as Tencent names them, and those only the server makes as the
/// custom element they are closest to, with `Desc` saying what they are.
pub(crate) fn to_msg_body(elem: &Elem<'_>) -> Value {
    let (msg_type, content) = match *elem {
        Elem::Text { text } => ("TIMTextElem", json!({ "Text": text })),
        Elem::Custom {
            data,
            description,
            extension,
        } => (
            "TIMCustomElem",
            json!({"Data": data, "Desc": description, "Ext": extension}),
        ),
        Elem::Image(ref image) => {
            let pictures = [(1, image.original), (2, image.large), (3, image.thumbnail)];
            let infos: Vec<Value> = pictures
                .iter()
                .filter(|(_, p)| !p.url.is_empty())
                .map(|(kind, p)| {
                    json!({"Type": kind, "Size": p.size, "Width": p.width, "Height": p.height, "URL": p.url})
                })
                .collect();
            (
                "TIMImageElem",
                json!({"UUID": image.uuid, "ImageFormat": image.format.tim_number(), "ImageInfoArray": infos}),
            )
        }
        Elem::File {
            url,
            name,
            size,
            uuid,
        } => (
            "TIMFileElem",
            json!({"Url": url, "UUID": uuid, "FileSize": size, "FileName": name, "Download_Flag": 2}),
        ),
        Elem::Face { index, data } => ("TIMFaceElem", json!({"Index": index, "Data": data})),
        Elem::Location {
            description,
            longitude,
            latitude,
        } => (
            "TIMLocationElem",
            json!({"Desc": description, "Latitude": latitude.0, "Longitude": longitude.0}),
        ),
        Elem::Sound {
            url,
            uuid,
            size,
            seconds,
        } => (
            "TIMSoundElem",
            json!({"Url": url, "UUID": uuid, "Size": size, "Second": seconds, "Download_Flag": 2}),
        ),
        Elem::Video(ref v) => (
            "TIMVideoFileElem",
            json!({
                "VideoUrl": v.url, "VideoUUID": v.uuid, "VideoSize": v.size,
                "VideoSecond": v.seconds, "VideoFormat": v.format, "VideoDownloadFlag": 2,
                "ThumbUrl": v.thumbnail.url, "ThumbSize": v.thumbnail.size,
                "ThumbWidth": v.thumbnail.width, "ThumbHeight": v.thumbnail.height,
                "ThumbDownloadFlag": 2,
            }),
        ),
        Elem::Merger(ref m) => {
            // What a malformed entry ends is left out, as clients read it.
            let list: Vec<Value> = m
                .messages
                .iter()
                .map_while(Result::ok)
                .map(|merged| {
                    json!({
                        "From_Account": merged.from,
                        "MsgTimeStamp": merged.time_ms / 1000,
                        "MsgBody": to_msg_body(&merged.elem),
                        "CloudCustomData": merged.extra.cloud_custom_data,
                    })
                })
                .collect();
            (
                "TIMRelayElem",
                json!({
                    "Title": m.title,
                    "MsgNum": list.len(),
                    "CompatibleText": m.compatible_text,
                    "AbstractList": m.abstracts.lines().collect::<Vec<_>>(),
                    "MsgList": list,
                }),
            )
        }
        ref other => (
            "TIMCustomElem",
            json!({"Data": "", "Desc": other.preview(), "Ext": ""}),
        ),
    };
    json!([{ "MsgType": msg_type, "MsgContent": content }])
}
