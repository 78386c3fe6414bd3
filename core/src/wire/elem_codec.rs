//! How elements and the message fields beside them travel: as a kind
//! number (elements only), then their fields as one length-prefixed byte
//! string. The length is what makes them grow without breaking older
//! decoders: a kind they do not know is skipped whole ([`Elem::Unknown`]),
//! and fields appended to a known kind, after the ones they read, are
//! skipped too. In postcard terms an element is the tuple `(u32, &[u8])`.
//!
//! Encoding measures the fields first (`postcard::serialized_size`) and
//! writes the length, then the fields, straight into the output: no buffer
//! in between, so the core stays free of an allocator.

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::{self, SerializeTuple};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::elem::{elem_kind, Elem};
#[cfg(feature = "full")]
use super::elem::{Merger, Video};
use super::records::{take, DecodeError};

/// Writes `prefix` (if any), the length of `fields`, then `fields`.
fn write_framed<S: Serializer, T: Serialize>(
    s: S,
    prefix: Option<u32>,
    fields: &T,
) -> Result<S::Ok, S::Error> {
    let len = postcard::experimental::serialized_size(fields).map_err(ser::Error::custom)?;
    let mut t = s.serialize_tuple(if prefix.is_some() { 3 } else { 2 })?;
    if let Some(kind) = prefix {
        t.serialize_element(&kind)?;
    }
    t.serialize_element(&len)?;
    t.serialize_element(fields)?;
    t.end()
}

/// Decodes the fields a frame's body starts with; bytes after them were
/// appended by a newer encoder and are skipped.
pub(crate) fn leading<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, DecodeError> {
    take(body).map(|(value, _appended)| value)
}

/// Decodes the next field of an appendable record, or its default when an
/// older encoder ended the record before it.
pub(crate) fn next_or_default<'a, T: Deserialize<'a> + Default>(
    rest: &mut &'a [u8],
) -> Result<T, DecodeError> {
    if rest.is_empty() {
        return Ok(T::default());
    }
    let (value, after) = take(rest)?;
    *rest = after;
    Ok(value)
}

impl Serialize for Elem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let kind = Some(self.kind());
        match *self {
            Elem::Text { text } => write_framed(s, kind, &text),
            Elem::Custom {
                data,
                description,
                extension,
            } => write_framed(s, kind, &(data, description, extension)),
            Elem::TooLarge { size } => write_framed(s, kind, &size),
            #[cfg(feature = "full")]
            Elem::GroupTip(ref tip) => write_framed(s, kind, tip),
            #[cfg(feature = "full")]
            Elem::GroupSystemNotice(ref notice) => write_framed(s, kind, notice),
            #[cfg(feature = "full")]
            Elem::Image(ref image) => write_framed(s, kind, image),
            #[cfg(feature = "full")]
            Elem::File {
                url,
                name,
                size,
                uuid,
            } => write_framed(s, kind, &(url, name, size, uuid)),
            Elem::Revoked { by } => write_framed(s, kind, &by),
            Elem::RevokeNotice { seq } => write_framed(s, kind, &seq),
            #[cfg(feature = "full")]
            Elem::Face { index, data } => write_framed(s, kind, &(index, data)),
            #[cfg(feature = "full")]
            Elem::Location {
                description,
                longitude,
                latitude,
            } => write_framed(s, kind, &(description, longitude, latitude)),
            #[cfg(feature = "full")]
            Elem::Sound {
                url,
                uuid,
                size,
                seconds,
            } => write_framed(s, kind, &(url, uuid, size, seconds)),
            #[cfg(feature = "full")]
            Elem::Video(ref video) => write_framed(s, kind, video),
            #[cfg(feature = "full")]
            Elem::Merger(ref merger) => write_framed(s, kind, merger),
            #[cfg(feature = "full")]
            Elem::Modified { seq, message } => write_framed(s, kind, &(seq, message)),
            // No fields; an unknown one's were never read: it travels on empty.
            Elem::Deleted | Elem::Unknown { .. } => write_framed(s, kind, &()),
            // Without `full`, what this build does not read it does not
            // write either (`Elem::sendable_by_client` keeps them from being
            // sent): their fields stay out of a text-only firmware.
            #[cfg(not(feature = "full"))]
            _ => write_framed(s, kind, &()),
        }
    }
}

impl<'a> Elem<'a> {
    /// The element of kind `kind` whose fields `body` holds. Without the
    /// `full` feature only the text profile's elements are read (text,
    /// custom, and the placeholders of a message too large, revoked or
    /// deleted); the others arrive as `Unknown` with their kind, so they
    /// still count (or not) as unread.
    pub(crate) fn from_body(kind: u32, body: &'a [u8]) -> Result<Self, DecodeError> {
        use elem_kind::*;
        Ok(match kind {
            TEXT => Elem::Text {
                text: leading(body)?,
            },
            CUSTOM => {
                let (data, description, extension) = leading(body)?;
                Elem::Custom {
                    data,
                    description,
                    extension,
                }
            }
            TOO_LARGE => Elem::TooLarge {
                size: leading(body)?,
            },
            #[cfg(feature = "full")]
            GROUP_TIP => Elem::GroupTip(leading(body)?),
            #[cfg(feature = "full")]
            GROUP_SYSTEM_NOTICE => Elem::GroupSystemNotice(leading(body)?),
            #[cfg(feature = "full")]
            IMAGE => Elem::Image(leading(body)?),
            #[cfg(feature = "full")]
            FILE => {
                let (url, name, size, uuid) = leading(body)?;
                Elem::File {
                    url,
                    name,
                    size,
                    uuid,
                }
            }
            REVOKED => Elem::Revoked { by: leading(body)? },
            REVOKE_NOTICE => Elem::RevokeNotice {
                seq: leading(body)?,
            },
            #[cfg(feature = "full")]
            FACE => {
                let (index, data) = leading(body)?;
                Elem::Face { index, data }
            }
            #[cfg(feature = "full")]
            LOCATION => {
                let (description, longitude, latitude) = leading(body)?;
                Elem::Location {
                    description,
                    longitude,
                    latitude,
                }
            }
            #[cfg(feature = "full")]
            SOUND => {
                let (url, uuid, size, seconds) = leading(body)?;
                Elem::Sound {
                    url,
                    uuid,
                    size,
                    seconds,
                }
            }
            #[cfg(feature = "full")]
            VIDEO => Elem::Video(leading::<Video<'a>>(body)?),
            #[cfg(feature = "full")]
            MERGER => Elem::Merger(leading::<Merger<'a>>(body)?),
            DELETED => Elem::Deleted,
            #[cfg(feature = "full")]
            MODIFIED => {
                let (seq, message) = leading(body)?;
                Elem::Modified { seq, message }
            }
            kind => Elem::Unknown { kind },
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Elem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Framed;
        impl<'de> Visitor<'de> for Framed {
            type Value = Elem<'de>;

            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                f.write_str("an element: kind, then its fields as bytes")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Elem<'de>, A::Error> {
                let kind: u32 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let body: &'de [u8] = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                Elem::from_body(kind, body).map_err(|_| de::Error::custom("malformed element"))
            }
        }
        d.deserialize_tuple(2, Framed)
    }
}

/// Serializes `fields` as an appendable record: their length, then them.
pub(crate) fn serialize_record<S: Serializer, T: Serialize>(
    s: S,
    fields: &T,
) -> Result<S::Ok, S::Error> {
    write_framed(s, None, fields)
}

/// Deserializes an appendable record's bytes and hands them to `read`.
pub(crate) fn deserialize_record<'de, D: Deserializer<'de>, T>(
    d: D,
    read: fn(&'de [u8]) -> Result<T, DecodeError>,
) -> Result<T, D::Error> {
    let body = <&'de [u8]>::deserialize(d)?;
    read(body).map_err(|_| de::Error::custom("malformed record"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::body::{Message, MessageExtra};
    extern crate std;
    use std::vec::Vec;

    use crate::wire::records::{decode_exact, put, Records};

    /// A message as a newer encoder writes it: `elem` is the element's
    /// (kind, fields) pair and `extra` the fields beside it, with whatever
    /// they hold that this build does not know.
    fn future_message<E: Serialize, X: Serialize>(
        buf: &mut [u8],
        seq: u64,
        kind: u32,
        elem: &E,
        extra: &X,
    ) -> usize {
        let mut fields = [0u8; 64];
        let n = put(elem, &mut fields, 0).unwrap();
        let mut extra_bytes = [0u8; 64];
        let x = put(extra, &mut extra_bytes, 0).unwrap();
        let head = ("C2Cbob", seq, "bob", 7u64, 9u64);
        let at = put(&head, buf, 0).unwrap();
        put(&(kind, &fields[..n], &extra_bytes[..x]), buf, at).unwrap()
    }

    #[test]
    fn a_newer_encoders_elements_and_fields_are_skipped_not_refused() {
        let mut buf = [0u8; 256];
        // A kind this build does not know, with fields of its own.
        let mut end = future_message(&mut buf, 1, 99, &("sticker", 42u32), &("", "Bob"));
        // A text whose element gained a field, and an extra that gained two
        // after its control flags and read receipt request.
        let at = end;
        end += future_message(
            &mut buf[at..],
            2,
            elem_kind::TEXT,
            &("hello", true),
            &(
                "{}", "Bob", "", "", "", 3u32, false, true, false, "later", 5u32,
            ),
        );
        // A custom element from an older encoder's extra (one field only).
        let at = end;
        end += future_message(
            &mut buf[at..],
            3,
            elem_kind::CUSTOM,
            &("d", "", ""),
            &("x",),
        );

        let messages: Vec<Message<'_>> = Records::new(&buf[..end]).map(Result::unwrap).collect();
        assert_eq!(messages.len(), 3, "every message decodes, none is cut");
        assert_eq!(messages[0].elem, Elem::Unknown { kind: 99 });
        assert_eq!(messages[0].elem.preview(), "[unsupported message]");
        assert_eq!(messages[0].extra.nick, "Bob");
        assert_eq!(messages[1].elem, Elem::Text { text: "hello" });
        assert_eq!(
            messages[1].extra,
            MessageExtra::with_cloud_custom_data("{}")
                .stamped("Bob", "", "")
                .with_version(3)
                .with_control(false, true)
        );
        assert_eq!(messages[2].extra, MessageExtra::with_cloud_custom_data("x"));
        // The hand decoder reads them the same.
        let (first, _) = Message::take(&buf[..end]).unwrap();
        assert_eq!(first, messages[0]);
    }

    #[test]
    fn a_known_element_cut_short_is_refused() {
        let mut buf = [0u8; 64];
        // A custom element whose fields end after its data.
        let n = future_message(&mut buf, 1, elem_kind::CUSTOM, &("data",), &());
        assert!(decode_exact::<Message<'_>>(&buf[..n]).is_err());
        assert!(Message::take(&buf[..n]).is_err());
    }

    #[test]
    #[cfg(not(feature = "full"))]
    fn without_full_an_element_beyond_the_text_profile_travels_as_its_kind_alone() {
        let mut buf = [0u8; 16];
        let face = Elem::Face {
            index: 3,
            data: "x",
        };
        assert!(!face.sendable_by_client(), "kept from being sent");
        let n = put(&face, &mut buf, 0).unwrap();
        assert_eq!(&buf[..n], &[elem_kind::FACE as u8, 0]);
        assert_eq!(
            decode_exact::<Elem<'_>>(&buf[..n]),
            Ok(Elem::Unknown {
                kind: elem_kind::FACE
            })
        );
    }

    #[test]
    fn an_element_encodes_as_its_kind_then_its_fields_with_their_length() {
        let mut buf = [0u8; 16];
        let n = put(&Elem::Text { text: "hi" }, &mut buf, 0).unwrap();
        assert_eq!(&buf[..n], &[0, 3, 2, b'h', b'i']);
        let n = put(&Elem::Unknown { kind: 300 }, &mut buf, 0).unwrap();
        assert_eq!(&buf[..n], &[0xac, 0x02, 0]);
        assert_eq!(
            decode_exact::<Elem<'_>>(&buf[..n]),
            Ok(Elem::Unknown { kind: 300 })
        );
    }
}
