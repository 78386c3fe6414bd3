//! What a stored message holds: its element and the fields beside it
//! ([`MessageExtra`]), encoded as they travel, so a body is written into
//! pushes and pages as it is. Also what a client may put in one: the
//! element kinds it may send, their required fields, the sizes, and the
//! stamps only the server sets.

use tinyim_core::model::{valid_user_id, Counted};
use tinyim_core::wire::body::{self, Elem, MessageExtra};
use tinyim_core::wire::code;
use tinyim_core::wire::extra::{AT_ALL, MAX_AT_USERS, MAX_CLOUD_CUSTOM_DATA};
use tinyim_core::wire::group::UserList;
use tinyim_core::wire::records::{decode_exact, DecodeError};
use tinyim_core::wire::MAX_MESSAGE_BODY;

use super::{encode, Refusal};
use crate::store::StoredMessage;

/// Mergers may hold mergers this deep (TIM allows nesting; a bound keeps a
/// hostile one from exhausting the stack of whoever reads it).
pub(crate) const MAX_MERGER_DEPTH: usize = 8;

/// A stored body's element and fields.
pub(crate) fn decode(body: &[u8]) -> Result<(Elem<'_>, MessageExtra<'_>), DecodeError> {
    decode_exact(body)
}

/// The stored body of `elem` with `extra`.
pub(crate) fn encode(elem: &Elem<'_>, extra: &MessageExtra<'_>) -> Vec<u8> {
    encode::to_bytes(&(elem, extra))
}

/// The stored body of a message the server makes (tips, notices, revocations).
pub(crate) fn server_made(elem: &Elem<'_>) -> Vec<u8> {
    encode(elem, &MessageExtra::default())
}

/// What a client chose of a message: its element, cloud custom data,
/// mentions and control flags (the rest of [`MessageExtra`] is the
/// server's stamps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sent<'a> {
    pub(crate) elem: Elem<'a>,
    pub(crate) cloud_custom_data: &'a str,
    pub(crate) at_users: UserList<'a>,
    /// TIM `messageControlInfo`: excluded from the unread count, from
    /// being the last message.
    pub(crate) control: (bool, bool),
    /// TIM `needReadReceipt`.
    pub(crate) need_read_receipt: bool,
}

impl<'a> Sent<'a> {
    /// What `send` carries.
    pub(crate) fn of(send: &body::SendMessage<'a>) -> Self {
        Sent::stored(send.elem, &send.extra)
    }

    /// What a stored body holds of a client's choice.
    pub(crate) fn stored(elem: Elem<'a>, extra: &MessageExtra<'a>) -> Self {
        Sent {
            elem,
            cloud_custom_data: extra.cloud_custom_data,
            at_users: extra.at_users,
            control: (extra.excluded_from_unread, extra.excluded_from_last_message),
            need_read_receipt: extra.need_read_receipt,
        }
    }

    /// How the message weighs on its conversation.
    pub(crate) fn counted(&self) -> Counted {
        let (excluded_from_unread, excluded_from_last_message) = self.control;
        let extra =
            MessageExtra::default().with_control(excluded_from_unread, excluded_from_last_message);
        Counted::of(&self.elem, &extra)
    }

    /// The stored body: with the sender's nickname, avatar and (in a
    /// group) name card stamped over whatever the client put there.
    pub(crate) fn stamped(&self, nick: &str, avatar: &str, name_card: &str) -> Vec<u8> {
        let extra = MessageExtra::with_cloud_custom_data(self.cloud_custom_data)
            .with_at_users(self.at_users.0)
            .with_control(self.control.0, self.control.1)
            .with_read_receipt(self.need_read_receipt)
            .stamped(nick, avatar, name_card);
        encode(&self.elem, &extra)
    }
}

/// Whether `existing` (the sender's message under a send's client message
/// id) was sent with the same content as `sent`: then the send is a resend,
/// answered as that one was. The stamps are left out: a nickname changed
/// between the two must not turn a resend into a refusal. A revoked
/// message has lost its content; a resend of it is still a resend.
pub(crate) fn same_message(existing: &StoredMessage, sent: &Sent<'_>) -> Result<(), Refusal> {
    let same = match decode(&existing.body) {
        Ok((Elem::Revoked { .. }, _)) => true,
        Ok((elem, extra)) => elem == sent.elem && extra.cloud_custom_data == sent.cloud_custom_data,
        Err(_) => false,
    };
    if same {
        Ok(())
    } else {
        Err(Refusal::Code(
            code::CLIENT_MSG_ID_REUSED,
            "this client message id was used for another message",
        ))
    }
}

/// Refuses what a client may not send: an element only the server makes
/// (or one this server does not know), media without its URL, a place off
/// the globe, a malformed or too deeply nested merger, oversized content.
pub(crate) fn check_sendable(send: &body::SendMessage<'_>) -> Result<(), Refusal> {
    check_elem(&send.elem, 0)?;
    if send.client_msg_id == 0 && !send.online_only {
        return Err(Refusal::Code(
            code::BAD_REQUEST,
            "client message id 0 is reserved",
        ));
    }
    check_mentions(send)?;
    if send.extra.cloud_custom_data.len() > MAX_CLOUD_CUSTOM_DATA {
        return Err(Refusal::Code(
            code::MESSAGE_TOO_LARGE,
            "cloudCustomData over 1 KB",
        ));
    }
    let size = postcard::serialize_with_flavor(
        &(send.elem, send.extra),
        postcard::ser_flavors::Size::default(),
    );
    if size.map_or(true, |size| size > MAX_MESSAGE_BODY) {
        return Err(Refusal::Code(
            code::MESSAGE_TOO_LARGE,
            "message body over 12 KB",
        ));
    }
    Ok(())
}

/// Mentions: in group messages only, at most [`MAX_AT_USERS`], each a
/// user id or [`AT_ALL`]. (Whether each is a member, the group send checks.)
fn check_mentions(send: &body::SendMessage<'_>) -> Result<(), Refusal> {
    let at = send.extra.at_users;
    if at.is_empty() {
        return Ok(());
    }
    let refused = |why| Err(Refusal::Code(code::INVALID_PARAMETER, why));
    if !send.conversation.starts_with("GROUP") {
        return refused("mentions are for group messages");
    }
    if at.len() > MAX_AT_USERS {
        return refused("more than 30 mentions");
    }
    if !at.iter().all(|u| u == AT_ALL || valid_user_id(u)) {
        return refused("a mention that is no user id");
    }
    Ok(())
}

fn check_elem(elem: &Elem<'_>, depth: usize) -> Result<(), Refusal> {
    if let Elem::Unknown { .. } = elem {
        return Err(Refusal::Code(
            code::BAD_REQUEST,
            "an element of a kind this server does not know",
        ));
    }
    if !elem.sendable_by_client() {
        return Err(Refusal::Code(
            code::BAD_REQUEST,
            "only the server makes this element",
        ));
    }
    let missing_url = match elem {
        Elem::Image(image) => image.original.url.is_empty(),
        Elem::File { url, .. } | Elem::Sound { url, .. } => url.is_empty(),
        Elem::Video(video) => video.url.is_empty(),
        _ => false,
    };
    if missing_url {
        return Err(Refusal::Code(
            code::INVALID_PARAMETER,
            "a media message needs its URL",
        ));
    }
    if let Elem::Location {
        longitude,
        latitude,
        ..
    } = elem
    {
        if !(-180.0..=180.0).contains(&longitude.0) || !(-90.0..=90.0).contains(&latitude.0) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a location's longitude or latitude is off the globe",
            ));
        }
    }
    if let Elem::Merger(merger) = elem {
        if depth >= MAX_MERGER_DEPTH {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "mergers nested too deeply",
            ));
        }
        let mut count = 0;
        for merged in merger.messages.iter() {
            let merged = merged.map_err(|_| {
                Refusal::Code(code::BAD_REQUEST, "a merged message does not decode")
            })?;
            check_elem(&merged.elem, depth + 1)?;
            count += 1;
        }
        if count == 0 {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a merger needs at least one message",
            ));
        }
    }
    Ok(())
}
