//! The fields of a message beside its element: TIM's `cloudCustomData` and
//! what the server stamps on each message about its sender.

#[cfg(not(target_os = "none"))]
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::elem::Elem;
use super::elem_codec::{deserialize_record, next_or_default, serialize_record};
use super::group::UserList;
use super::records::DecodeError;

/// Most bytes of [`MessageExtra::cloud_custom_data`], as in TIM.
pub const MAX_CLOUD_CUSTOM_DATA: usize = 1024;

/// Most users one message mentions ([`MessageExtra::at_users`]).
pub const MAX_AT_USERS: usize = 30;

/// The entry of [`MessageExtra::at_users`] that mentions every member
/// (TIM `TIM.TYPES.MSG_AT_ALL`, the same string).
pub const AT_ALL: &str = "__kImSDK_MesssageAtALL__";

/// A message's fields beside its element. An appendable record on the
/// wire: fields added later go after these, and a decoder fills the ones
/// an older encoder did not write with their defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MessageExtra<'a> {
    /// TIM `cloudCustomData`: the sender's data stored with the message (a
    /// reply's or quote's reference, application flags), at most
    /// [`MAX_CLOUD_CUSTOM_DATA`] bytes.
    pub cloud_custom_data: &'a str,
    /// TIM `nick`: the sender's nickname when it was sent. Stamped by the
    /// server; what a client puts here is replaced.
    pub nick: &'a str,
    /// TIM `avatar`: the sender's avatar URL when it was sent. Stamped by
    /// the server.
    pub avatar: &'a str,
    /// TIM `nameCard`: the sender's name card in the group when it was
    /// sent (empty in one-to-one conversations). Stamped by the server.
    pub name_card: &'a str,
    /// TIM `atUserList`: the group members the message mentions, [`AT_ALL`]
    /// for everyone; at most [`MAX_AT_USERS`], group messages only.
    pub at_users: UserList<'a>,
    /// How many times the sender modified it (TIM `modifyMessage`), 0 if
    /// never. Set by the server; an edit names the version it was made on.
    pub version: u32,
    /// TIM `messageControlInfo.excludedFromUnreadCount`: the sender's
    /// choice that it does not count as unread.
    pub excluded_from_unread: bool,
    /// TIM `messageControlInfo.excludedFromLastMessage`: the sender's
    /// choice that it does not become the conversation's last message
    /// (its preview, sender and time stay those of the one before).
    pub excluded_from_last_message: bool,
    /// TIM `needReadReceipt`: the sender asks the group's members for read
    /// receipts (see [`super::receipt`]).
    pub need_read_receipt: bool,
}

impl<'a> MessageExtra<'a> {
    /// Only the fields a client sets: `cloud_custom_data`.
    pub fn with_cloud_custom_data(cloud_custom_data: &'a str) -> Self {
        MessageExtra {
            cloud_custom_data,
            ..Self::default()
        }
    }

    /// The same fields mentioning `at_users` (comma-separated user ids,
    /// [`AT_ALL`] for everyone).
    pub fn with_at_users(self, at_users: &'a str) -> Self {
        MessageExtra {
            at_users: UserList(at_users),
            ..self
        }
    }

    /// Whether the message mentions `user`: by name, or everyone.
    pub fn mentions(&self, user: &str) -> bool {
        self.at_users.iter().any(|u| u == user) || self.mentions_all()
    }

    /// Whether the message mentions everyone.
    pub fn mentions_all(&self) -> bool {
        // Most messages mention nobody: no list to split.
        !self.at_users.0.is_empty() && self.at_users.iter().any(|u| u == AT_ALL)
    }

    /// The same fields with TIM's `messageControlInfo`.
    pub fn with_control(
        self,
        excluded_from_unread: bool,
        excluded_from_last_message: bool,
    ) -> Self {
        MessageExtra {
            excluded_from_unread,
            excluded_from_last_message,
            ..self
        }
    }

    /// The same fields asking for read receipts (TIM `needReadReceipt`).
    pub fn with_read_receipt(self, need_read_receipt: bool) -> Self {
        MessageExtra {
            need_read_receipt,
            ..self
        }
    }

    /// Whether the message with `elem` counts as unread: not when its
    /// sender excluded it, nor a group tip or a notice of a revocation or
    /// a modification (TIM counts none of them).
    /// Judged by the element's kind, so an element this build does not
    /// read (`Elem::Unknown`) counts as it would had it been read.
    pub fn counts_as_unread(&self, elem: &Elem<'_>) -> bool {
        use crate::wire::elem::elem_kind::{GROUP_TIP, MODIFIED, REVOKE_NOTICE};
        !self.excluded_from_unread && !matches!(elem.kind(), GROUP_TIP | REVOKE_NOTICE | MODIFIED)
    }

    /// The same fields at `version`.
    pub fn with_version(self, version: u32) -> Self {
        MessageExtra { version, ..self }
    }

    /// The same fields with the server's stamps about the sender.
    pub fn stamped(self, nick: &'a str, avatar: &'a str, name_card: &'a str) -> Self {
        MessageExtra {
            nick,
            avatar,
            name_card,
            ..self
        }
    }

    fn from_record(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut rest = body;
        Ok(MessageExtra {
            cloud_custom_data: next_or_default(&mut rest)?,
            nick: next_or_default(&mut rest)?,
            avatar: next_or_default(&mut rest)?,
            name_card: next_or_default(&mut rest)?,
            at_users: next_or_default(&mut rest)?,
            version: next_or_default(&mut rest)?,
            excluded_from_unread: next_or_default(&mut rest)?,
            excluded_from_last_message: next_or_default(&mut rest)?,
            need_read_receipt: next_or_default(&mut rest)?,
        })
    }
}

impl Serialize for MessageExtra<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[cfg(not(target_os = "none"))]
        return serialize_record(s, &Leading(self));
        // Firmware writes every field: leaving the defaults out cost the
        // text profile 240 bytes of flash for 9 bytes a send; it receives
        // either form.
        #[cfg(target_os = "none")]
        serialize_record(
            s,
            &(
                self.cloud_custom_data,
                self.nick,
                self.avatar,
                self.name_card,
                self.at_users,
                self.version,
                self.excluded_from_unread,
                self.excluded_from_last_message,
                self.need_read_receipt,
            ),
        )
    }
}

/// The fields up to the last one that is not its default. The record is
/// appendable, so a decoder fills in the ones left out after it: a plain
/// message's fields take a byte or two on the wire instead of ten, and a
/// receiver decodes only those. What hosts (the server among them) write.
#[cfg(not(target_os = "none"))]
struct Leading<'e, 'a>(&'e MessageExtra<'a>);

#[cfg(not(target_os = "none"))]
impl Serialize for Leading<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let set = [
            !e.cloud_custom_data.is_empty(),
            !e.nick.is_empty(),
            !e.avatar.is_empty(),
            !e.name_card.is_empty(),
            !e.at_users.0.is_empty(),
            e.version != 0,
            e.excluded_from_unread,
            e.excluded_from_last_message,
            e.need_read_receipt,
        ];
        let written = set.iter().rposition(|&set| set).map_or(0, |last| last + 1);
        // postcard writes no length for a tuple: its elements, one after
        // the other, as many as are written.
        let mut t = s.serialize_tuple(written)?;
        let strings = [e.cloud_custom_data, e.nick, e.avatar, e.name_card];
        for text in strings.iter().take(written) {
            t.serialize_element(text)?;
        }
        if written > 4 {
            t.serialize_element(&e.at_users)?;
        }
        if written > 5 {
            t.serialize_element(&e.version)?;
        }
        let flags = [
            e.excluded_from_unread,
            e.excluded_from_last_message,
            e.need_read_receipt,
        ];
        for flag in flags.iter().take(written.saturating_sub(6)) {
            t.serialize_element(flag)?;
        }
        t.end()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for MessageExtra<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_record(d, MessageExtra::from_record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::records::decode_exact;

    /// The encoding of `extra`, and that it reads back as `extra`.
    fn round_trip(extra: MessageExtra<'_>, buf: &mut [u8]) -> usize {
        let n = postcard::to_slice(&extra, buf).unwrap().len();
        assert_eq!(decode_exact::<MessageExtra<'_>>(&buf[..n]), Ok(extra));
        n
    }

    #[test]
    fn fields_after_the_last_set_one_are_left_out_and_read_back_as_defaults() {
        let mut buf = [0u8; 64];
        // None set: an empty record, its length alone.
        assert_eq!(round_trip(MessageExtra::default(), &mut buf), 1);
        assert_eq!(buf[0], 0);
        // The nick set: the empty cloud data before it, then the nick.
        let n = round_trip(MessageExtra::default().stamped("Bob", "", ""), &mut buf);
        assert_eq!(&buf[..n], &[5, 0, 3, b'B', b'o', b'b']);
        // The last field set: every field is written.
        let n = round_trip(MessageExtra::default().with_read_receipt(true), &mut buf);
        assert_eq!(&buf[..n], &[9, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        // A set field in the middle: the defaults before it are written.
        let mut versioned = MessageExtra::with_cloud_custom_data("{}");
        versioned.version = 2;
        let n = round_trip(versioned, &mut buf);
        assert_eq!(&buf[..n], &[8, 2, b'{', b'}', 0, 0, 0, 0, 2]);
    }
}
