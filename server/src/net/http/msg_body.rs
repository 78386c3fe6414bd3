//! Tencent's `MsgBody` (`[{"MsgType": ..., "MsgContent": {...}}]`) as
//! tinyim's message element. A tinyim message has one element, so a body
//! of several is refused, as are the element types tinyim does not carry
//! (location, face, sound, video, relay): a clear code rather than half a
//! message.

use serde::Deserialize;
use serde_json::{json, Value};
use tinyim_core::wire::body::Elem;

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
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "FileSize", default)]
    size: u32,
    #[serde(rename = "FileName", default)]
    name: String,
}

#[derive(Deserialize)]
struct ImageInfo {
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
struct Image {
    #[serde(rename = "ImageInfoArray")]
    infos: Vec<ImageInfo>,
}

/// A message's content, owned, from which the wire element borrows.
pub(crate) struct Content(Owned);

enum Owned {
    Text(String),
    Custom(Custom),
    Image(ImageInfo),
    File(File),
}

impl Content {
    /// The content of `body`, or why it cannot be sent.
    pub(crate) fn from_body(body: Vec<MsgElem>) -> Result<Content, String> {
        let mut body = body.into_iter();
        let (Some(elem), None) = (body.next(), body.next()) else {
            return Err("MsgBody must hold exactly one element in tinyim".into());
        };
        let field = |e: serde_json::Error| format!("{}: {e}", elem.msg_type);
        let content = elem.content.clone();
        match elem.msg_type.as_str() {
            "TIMTextElem" => serde_json::from_value::<Text>(content)
                .map(|t| Content(Owned::Text(t.text)))
                .map_err(field),
            "TIMCustomElem" => serde_json::from_value(content)
                .map(|c| Content(Owned::Custom(c)))
                .map_err(field),
            "TIMFileElem" => serde_json::from_value(content)
                .map(|f| Content(Owned::File(f)))
                .map_err(field),
            "TIMImageElem" => {
                let image: Image = serde_json::from_value(content).map_err(field)?;
                // The original (type 1) if given, else the first.
                let mut infos = image.infos.into_iter();
                let first = infos
                    .next()
                    .ok_or("TIMImageElem: no ImageInfoArray entry")?;
                let original = if first.kind == 1 {
                    first
                } else {
                    infos.find(|i| i.kind == 1).unwrap_or(first)
                };
                Ok(Content(Owned::Image(original)))
            }
            other => Err(format!("{other} is not a message type tinyim carries")),
        }
    }

    /// The wire element.
    pub(crate) fn elem(&self) -> Elem<'_> {
        match &self.0 {
            Owned::Text(text) => Elem::Text { text },
            Owned::Custom(c) => Elem::Custom {
                data: &c.data,
                description: &c.desc,
                extension: &c.ext,
            },
            Owned::Image(i) => Elem::Image {
                url: &i.url,
                width: i.width,
                height: i.height,
                size: i.size,
            },
            Owned::File(f) => Elem::File {
                url: &f.url,
                name: &f.name,
                size: f.size,
            },
        }
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
        Elem::Image {
            url,
            width,
            height,
            size,
        } => (
            "TIMImageElem",
            json!({"ImageInfoArray": [{"Type": 1, "Size": size, "Width": width, "Height": height, "URL": url}]}),
        ),
        Elem::File { url, name, size } => (
            "TIMFileElem",
            json!({"Url": url, "FileSize": size, "FileName": name, "Download_Flag": 2}),
        ),
        other => (
            "TIMCustomElem",
            json!({"Data": "", "Desc": other.preview(), "Ext": ""}),
        ),
    };
    json!([{ "MsgType": msg_type, "MsgContent": content }])
}
