//! Message bodies as older servers stored them, and rewriting them once
//! into today's form. Before protocol 6 a body was a bare postcard enum
//! (the element's variant number, then its fields); since then it is the
//! framed element with the fields beside it
//! ([`tinyim_core::wire::body::MessageExtra`]). A store records which form
//! its bodies are in and rewrites them at open, in one transaction.

use tinyim_core::wire::body::{Elem, Image, ImageInfo, MessageExtra};
use tinyim_core::wire::elem::elem_kind;
use tinyim_core::wire::records::take;

/// The form this server writes: 1 is protocol 6's.
pub(crate) const BODY_FORMAT: i64 = 1;

/// A body of form 0 in form 1; `None` if it is not a body of form 0
/// (left as it is: it reads as too large, as any undecodable body does).
pub(crate) fn upgrade_v0(old: &[u8]) -> Option<Vec<u8>> {
    let (kind, fields): (u32, &[u8]) = take(old).ok()?;
    let mut body = match kind {
        // The image and the file gained fields: read the old ones.
        elem_kind::IMAGE => {
            let ((url, width, height, size), _) = take::<(&str, u32, u32, u32)>(fields).ok()?;
            let original = ImageInfo {
                url,
                size,
                width,
                height,
            };
            postcard::to_stdvec(&Elem::Image(Image {
                original,
                ..Image::default()
            }))
        }
        elem_kind::FILE => {
            let ((url, name, size), _) = take::<(&str, &str, u32)>(fields).ok()?;
            let uuid = "";
            postcard::to_stdvec(&Elem::File {
                url,
                name,
                size,
                uuid,
            })
        }
        // The others kept their fields: frame them.
        kind => postcard::to_stdvec(&(kind, fields)),
    }
    .ok()?;
    body.extend(postcard::to_stdvec(&MessageExtra::default()).ok()?);
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::content;
    use tinyim_core::wire::group::{GroupTip, TipChange, TipOp, UserList};

    #[test]
    fn old_bodies_read_as_the_same_elements() {
        // Protocol 5's bodies, byte by byte: the variant, then the fields.
        let text = [0, 2, b'h', b'i'];
        let custom = [1, 1, b'd', 0, 1, b'x'];
        let image = [5, 3, b'u', b'r', b'l', 10, 20, 0xe8, 0x07];
        let file = [6, 1, b'f', 1, b'n', 9];
        let revoked = [7, 3, b'b', b'o', b'b'];
        let notice = [8, 0x2a];
        let expected = [
            Elem::Text { text: "hi" },
            Elem::Custom {
                data: "d",
                description: "",
                extension: "x",
            },
            Elem::Image(Image {
                original: ImageInfo {
                    url: "url",
                    size: 1000,
                    width: 10,
                    height: 20,
                },
                ..Image::default()
            }),
            Elem::File {
                url: "f",
                name: "n",
                size: 9,
                uuid: "",
            },
            Elem::Revoked { by: "bob" },
            Elem::RevokeNotice { seq: 42 },
        ];
        let olds: [&[u8]; 6] = [&text, &custom, &image, &file, &revoked, &notice];
        for (old, want) in olds.iter().zip(expected) {
            let new = upgrade_v0(old).expect("upgrades");
            assert_eq!(content::decode(&new), Ok((want, MessageExtra::default())));
        }
        // A group tip, whose fields are a derived struct.
        let tip = GroupTip {
            op: TipOp::Join,
            group_id: "g",
            operator: "op",
            users: UserList("a,b"),
            member_count: 3,
            change: TipChange::None,
        };
        let mut old = vec![3];
        old.extend(postcard::to_stdvec(&tip).unwrap());
        let new = upgrade_v0(&old).unwrap();
        assert_eq!(content::decode(&new).unwrap().0, Elem::GroupTip(tip));
        assert_eq!(upgrade_v0(&[0x80]), None, "not a body");
    }
}
