//! Messages decoded by hand: the record every pushed, fetched and history
//! message arrives in, so the receive path's hottest decode. The derived
//! decoder threads the message and its element through serde's visitor
//! layers by value (a move of the 160-byte element at each), which cost the
//! client core more than half of its time per incoming message; this one
//! reads each field straight into place. Same bytes in, same value or error
//! out as the derived decoder (tested against it on arbitrary bytes).
//!
//! Hosts only: on firmware (`target_os = "none"`) the derived decoder is
//! 1.3 KB of flash smaller (its visitor code is shared with every other
//! record), and a device's few messages a second make flash the scarcer.

use super::body::Message;
#[cfg(not(target_os = "none"))]
use super::body::{Elem, MessageExtra};
#[cfg(not(target_os = "none"))]
use super::group::UserList;
#[cfg(not(target_os = "none"))]
use super::reader::Reader;
use super::records::DecodeError;

impl<'a> Message<'a> {
    /// Decodes one message from the front of `bytes`, returning it and the
    /// rest; the same as `records::take::<Message>`, faster on hosts.
    // Out of line on firmware, where inlined into the receive loop it cost
    // 280 bytes of flash; inline on hosts, where the message is then built
    // where the receive loop keeps it instead of moved out of the result.
    #[cfg_attr(target_os = "none", inline(never))]
    #[cfg_attr(not(target_os = "none"), inline)]
    pub fn take(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), DecodeError> {
        #[cfg(target_os = "none")]
        return super::records::take(bytes);
        #[cfg(not(target_os = "none"))]
        {
            let mut r = Reader::new(bytes);
            let message = Message {
                conversation: r.str()?,
                seq: r.u64()?,
                from: r.str()?,
                time_ms: r.u64()?,
                client_msg_id: r.u64()?,
                elem: elem(r.u32()?, r.bytes()?)?,
                extra: extra(&mut r)?,
            };
            Ok((message, r.rest()))
        }
    }
}

/// The element of `kind` from its record `body`: a text read here (most
/// messages are; through the reader's UTF-8 check), any other kind by its
/// own decoder.
#[cfg(not(target_os = "none"))]
fn elem(kind: u32, body: &[u8]) -> Result<Elem<'_>, DecodeError> {
    if kind == super::elem::elem_kind::TEXT {
        // The text leads the record; fields appended after it are skipped.
        return Ok(Elem::Text {
            text: Reader::new(body).str()?,
        });
    }
    Elem::from_body(kind, body)
}

/// The fields beside the element, an appendable record: each field in
/// order, a default for each one an older writer did not write, anything
/// after the last known field skipped (as `MessageExtra`'s derived
/// decoder).
#[cfg(not(target_os = "none"))]
fn extra<'a>(r: &mut Reader<'a>) -> Result<MessageExtra<'a>, DecodeError> {
    let mut f = Reader::new(r.bytes()?);
    Ok(MessageExtra {
        cloud_custom_data: f.or_default(Reader::str)?,
        nick: f.or_default(Reader::str)?,
        avatar: f.or_default(Reader::str)?,
        name_card: f.or_default(Reader::str)?,
        at_users: UserList(f.or_default(Reader::str)?),
        version: f.or_default(Reader::u32)?,
        excluded_from_unread: f.or_default(Reader::bool)?,
        excluded_from_last_message: f.or_default(Reader::bool)?,
        need_read_receipt: f.or_default(Reader::bool)?,
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use proptest::prelude::*;

    use super::*;
    use crate::wire::body::{Degrees, Image, ImageFormat, ImageInfo, Merger, MessageExtra, Video};
    use crate::wire::group::{GroupNotice, GroupTip, NoticeOp, TipChange, TipOp, UserList};
    use crate::wire::merger::{MergedMessage, MergedMessages};
    use crate::wire::records::{self, decode_exact};

    fn encode(message: &Message<'_>) -> Vec<u8> {
        encode_value(message)
    }

    /// The hand decoder and the derived one agree on `bytes`.
    fn agree(bytes: &[u8]) {
        let by_hand = Message::take(bytes).ok();
        let derived = records::take::<Message<'_>>(bytes).ok();
        assert_eq!(by_hand, derived, "bytes {bytes:02x?}");
    }

    fn message(elem: Elem<'_>, seq: u64, time_ms: u64) -> Message<'_> {
        Message {
            conversation: "C2Cbob",
            seq,
            from: "bob",
            time_ms,
            client_msg_id: seq ^ time_ms,
            elem,
            extra: MessageExtra::with_cloud_custom_data("{\"reply\":3}").stamped("Bob", "", ""),
        }
    }

    /// One element of each kind, its fields drawn from `s` and `n`;
    /// `merged` holds encoded merged messages.
    fn elems<'a>(s: &'a str, n: u32, merged: &'a [u8]) -> [Elem<'a>; 15] {
        let picture = ImageInfo {
            url: s,
            size: n,
            width: n / 2,
            height: 3,
        };
        [
            Elem::Text { text: s },
            Elem::Custom {
                data: s,
                description: "d",
                extension: "",
            },
            Elem::TooLarge { size: n },
            Elem::GroupTip(GroupTip {
                op: TipOp::Join,
                group_id: "g1",
                operator: s,
                users: UserList("bob,carol"),
                member_count: n,
                change: TipChange::NameCard(s),
            }),
            Elem::GroupSystemNotice(GroupNotice {
                op: NoticeOp::JoinRequest,
                group_id: "g1",
                group_name: s,
                operator: "bob",
                message: "let me in",
                data: "",
            }),
            Elem::Image(Image {
                uuid: s,
                format: ImageFormat::Png,
                original: picture,
                large: ImageInfo::default(),
                thumbnail: picture,
            }),
            Elem::File {
                url: "https://f",
                name: s,
                size: n,
                uuid: "u",
            },
            Elem::Revoked { by: s },
            Elem::RevokeNotice {
                seq: u64::from(n) << 20,
            },
            Elem::Face { index: n, data: s },
            Elem::Location {
                description: s,
                longitude: Degrees(f64::from(n) / 1e7),
                latitude: Degrees(-33.5),
            },
            Elem::Sound {
                url: s,
                uuid: "",
                size: n,
                seconds: 7,
            },
            Elem::Video(Video {
                url: s,
                uuid: s,
                size: n,
                seconds: 12,
                format: "mp4",
                thumbnail: picture,
            }),
            Elem::Merger(Merger {
                title: "history",
                abstracts: s,
                compatible_text: "[merged]",
                messages: decode_exact(merged).expect("merged bytes"),
            }),
            Elem::Unknown {
                kind: 200 + n % 1000,
            },
        ]
    }

    /// Two merged messages, as the bytes of a [`MergedMessages`].
    fn merged(s: &str) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let m = MergedMessage {
            from: "carol",
            time_ms: 5,
            elem: Elem::Text { text: s },
            extra: MessageExtra::default(),
        };
        let messages = MergedMessages::write(&mut buf, [m, m]).expect("fits");
        encode_value(&messages)
    }

    fn encode_value<T: serde::Serialize>(value: &T) -> Vec<u8> {
        let mut buf = [0u8; 2048];
        let n = postcard::to_slice(value, &mut buf).expect("fits").len();
        buf[..n].to_vec()
    }

    #[test]
    fn varints_at_their_limits() {
        // seq: ten bytes, the last holding bit 63 (u64::MAX) or beyond it.
        let max = encode(&message(Elem::Text { text: "x" }, u64::MAX, 0));
        assert_eq!(Message::take(&max).unwrap().0.seq, u64::MAX);
        let mut over = max.clone();
        over[7 + 9] = 0x02;
        assert!(Message::take(&over).is_err());
        agree(&over);
        // An unfinished varint (eleven continuation bytes).
        let mut long = max.clone();
        long[7 + 9] = 0x81;
        assert!(Message::take(&long).is_err());
        agree(&long);
        // A u32 field one past its limit: the fifth byte may hold 4 bits.
        let size = encode(&message(Elem::TooLarge { size: u32::MAX }, 1, 1));
        assert_eq!(
            Message::take(&size).unwrap().0.elem,
            Elem::TooLarge { size: u32::MAX }
        );
        let mut over = size.clone();
        // The size's last byte, before the fields beside the element.
        let extra = encode_value(&message(Elem::TooLarge { size: 0 }, 1, 1).extra);
        let last = over.len() - 1 - extra.len();
        over[last] = 0x10;
        assert!(Message::take(&over).is_err());
        agree(&over);
        // A non-canonical varint (zero in two bytes) is accepted, as postcard does.
        let mut padded = encode(&message(Elem::Text { text: "x" }, 0, 0));
        padded.splice(7..8, [0x80, 0x00]);
        assert_eq!(Message::take(&padded).unwrap().0.seq, 0);
        agree(&padded);
    }

    #[test]
    fn bad_text_is_refused() {
        let text = encode(&message(Elem::Text { text: "hé" }, 3, 4));
        let mut broken = text.clone();
        // The é's last byte: before the fields beside the element (their
        // length, then the 11-byte cloud data and the 3-byte nick with
        // theirs; the defaults after them are left out).
        let at = text.len() - 1 - (1 + 12 + 4);
        assert_eq!(broken[at], 0xa9);
        broken[at] = 0xff;
        assert!(Message::take(&broken).is_err());
        agree(&broken);
    }

    #[test]
    fn fields_an_older_writer_left_out_or_a_newer_one_added_read_as_derived() {
        use crate::wire::elem::elem_kind::TEXT;
        // A newer writer appended a field to the text element.
        let text = encode_value(&("hi", 7u8));
        let frame = |extra: &[u8]| {
            encode_value(&(
                "C2Cbob",
                1u64,
                "bob",
                2u64,
                3u64,
                TEXT,
                text.as_slice(),
                extra,
            ))
        };
        // An older writer of the fields beside it: cloud data and nick only.
        let older = frame(&encode_value(&("{}", "Bob")));
        let (m, rest) = Message::take(&older).unwrap();
        assert!(rest.is_empty());
        assert_eq!(m.elem, Elem::Text { text: "hi" });
        let x = m.extra;
        assert_eq!((x.cloud_custom_data, x.nick, x.avatar), ("{}", "Bob", ""));
        assert_eq!(
            (x.version, x.excluded_from_unread, x.need_read_receipt),
            (0, false, false)
        );
        agree(&older);
        // A newer writer: every field this build knows, then one it does not.
        let fields = ("", "", "", "", "", 4u32, true, false, true, "future");
        let newer = frame(&encode_value(&fields));
        let x = Message::take(&newer).unwrap().0.extra;
        assert_eq!((x.version, x.excluded_from_unread), (4, true));
        assert_eq!(
            (x.excluded_from_last_message, x.need_read_receipt),
            (false, true)
        );
        agree(&newer);
        // A flag that is neither 0 nor 1 is refused, as postcard refuses it.
        let bad = frame(&encode_value(&("", "", "", "", "", 4u32, 2u8)));
        assert!(Message::take(&bad).is_err());
        agree(&bad);
        // Text that is not UTF-8 in a field beside the element is refused.
        let bad_nick = frame(&encode_value(&("", [0xffu8].as_slice())));
        assert!(Message::take(&bad_nick).is_err());
        agree(&bad_nick);
    }

    /// The element as this build reads it: without the `full` feature the
    /// kinds beyond the text profile arrive as `Unknown`, with their kind.
    fn as_read(elem: Elem<'_>) -> Elem<'_> {
        use crate::wire::elem::elem_kind::*;
        match elem.kind() {
            TEXT | CUSTOM | TOO_LARGE | REVOKED | REVOKE_NOTICE | DELETED => elem,
            _ if cfg!(feature = "full") => elem,
            kind => Elem::Unknown { kind },
        }
    }

    proptest! {
        #[test]
        fn every_element_decodes_as_derived(
            s in "\\PC{0,40}",
            n in any::<u32>(),
            seq in any::<u64>(),
            time_ms in any::<u64>(),
            tail in prop::collection::vec(any::<u8>(), 0..8),
        ) {
            let merged = merged(&s);
            for elem in elems(&s, n, &merged) {
                let m = message(elem, seq, time_ms);
                let mut bytes = encode(&m);
                let body_len = bytes.len();
                bytes.extend_from_slice(&tail);
                let (decoded, rest) = Message::take(&bytes).expect("decodes");
                prop_assert_eq!(decoded, message(as_read(elem), seq, time_ms));
                prop_assert_eq!(rest, &bytes[body_len..]);
                agree(&bytes);
            }
        }

        #[test]
        fn damaged_messages_fail_or_decode_as_derived(
            s in "\\PC{0,20}",
            n in any::<u32>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let merged = merged(&s);
            for elem in elems(&s, n, &merged) {
                let mut bytes = encode(&message(elem, 9, 1_700_000_000_000));
                for (at, byte) in &edits {
                    let i = at.index(bytes.len());
                    bytes[i] = *byte;
                }
                agree(&bytes);
                agree(&bytes[..cut.index(bytes.len() + 1)]);
            }
        }

        #[test]
        fn arbitrary_bytes_decode_as_derived(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            agree(&bytes);
        }
    }
}
