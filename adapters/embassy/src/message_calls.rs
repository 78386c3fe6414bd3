//! TIM's message calls on a [`Handle`]: sends (text, custom, and with the
//! `full` feature image and file) and read marks (the others are `message_admin_calls`, with the `full`
//! feature).

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_core::time::Instant;
use tinyim_core::{Client, OutgoingMessage};

use crate::call::{args, no_records, Applied, Apply, Reply};
use crate::handle::{Handle, HandleError, Sent};
use crate::shared::MAX_TEXT;

/// Refuses a text longer than events carry.
fn text(text: &str) -> Result<&str, HandleError> {
    if text.len() > MAX_TEXT {
        return Err(HandleError::TooLong);
    }
    Ok(text)
}

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// TIM `createTextMessage` + `sendMessage`: returns once the message is
    /// durable on the server.
    pub async fn send_text(&self, to_user: &str, text: &str) -> Result<Sent, HandleError> {
        self.send(&(to_user, false, self::text(text)?, "", ""), send_text)
            .await
    }

    /// TIM `createTextMessage` + `sendMessage` to a group: returns once the
    /// message is durable on the server (seq 0 in an AVChatRoom).
    pub async fn send_group_text(&self, group_id: &str, text: &str) -> Result<Sent, HandleError> {
        self.send(&(group_id, true, self::text(text)?, "", ""), send_text)
            .await
    }

    /// TIM `createCustomMessage({data, description, extension})` +
    /// `sendMessage` to a user: returns once the message is durable on the
    /// server. `data` is at most [`MAX_TEXT`] bytes, and all three together
    /// fit the call's buffer.
    pub async fn send_custom(
        &self,
        to_user: &str,
        data: &str,
        description: &str,
        extension: &str,
    ) -> Result<Sent, HandleError> {
        let a = (to_user, false, text(data)?, description, extension);
        self.send(&a, send_custom).await
    }

    /// [`Handle::send_custom`] with `value` as JSON for its data (a status
    /// such as `{"led":true}`), written through serde-json-core; at most
    /// [`MAX_TEXT`] bytes of it, or [`HandleError::TooLong`].
    pub async fn send_custom_json<T: serde::Serialize>(
        &self,
        to_user: &str,
        value: &T,
    ) -> Result<Sent, HandleError> {
        let mut buf = [0u8; MAX_TEXT];
        let message = tinyim_core::OutgoingMessage::custom_json(to_user, value, &mut buf)
            .map_err(|_| HandleError::TooLong)?;
        let tinyim_core::Elem::Custom { data, .. } = message.elem else {
            return Err(HandleError::TooLong);
        };
        self.send_custom(to_user, data, "", "").await
    }

    /// [`Handle::send_custom`] to a group.
    pub async fn send_group_custom(
        &self,
        group_id: &str,
        data: &str,
        description: &str,
        extension: &str,
    ) -> Result<Sent, HandleError> {
        let a = (group_id, true, text(data)?, description, extension);
        self.send(&a, send_custom).await
    }

    #[cfg(feature = "full")]
    /// TIM `createImageMessage` + `sendMessage` to a user, the image
    /// already uploaded at `url` (the device's own upload, or any URL the
    /// receivers can fetch); `width`, `height` in pixels (0: unknown) and
    /// `size` in bytes.
    pub async fn send_image(
        &self,
        to_user: &str,
        url: &str,
        width: u32,
        height: u32,
        size: u32,
    ) -> Result<Sent, HandleError> {
        self.send(&(to_user, false, url, width, height, size), send_image)
            .await
    }

    #[cfg(feature = "full")]
    /// [`Handle::send_image`] to a group.
    pub async fn send_group_image(
        &self,
        group_id: &str,
        url: &str,
        width: u32,
        height: u32,
        size: u32,
    ) -> Result<Sent, HandleError> {
        self.send(&(group_id, true, url, width, height, size), send_image)
            .await
    }

    #[cfg(feature = "full")]
    /// TIM `createFileMessage` + `sendMessage` to a user, the file already
    /// uploaded at `url`.
    pub async fn send_file(
        &self,
        to_user: &str,
        url: &str,
        name: &str,
        size: u32,
    ) -> Result<Sent, HandleError> {
        self.send(&(to_user, false, url, name, size), send_file)
            .await
    }

    #[cfg(feature = "full")]
    /// [`Handle::send_file`] to a group.
    pub async fn send_group_file(
        &self,
        group_id: &str,
        url: &str,
        name: &str,
        size: u32,
    ) -> Result<Sent, HandleError> {
        self.send(&(group_id, true, url, name, size), send_file)
            .await
    }

    /// A send: answered by the message's status, not the request's end.
    async fn send<A: serde::Serialize>(&self, a: &A, apply: Apply) -> Result<Sent, HandleError> {
        self.answered(a, apply, no_records, |reply| match reply {
            Reply::Sent(sent) => Some(sent),
            _ => None,
        })
        .await
    }

    /// TIM `setMessageRead`.
    pub async fn set_message_read(&self, conversation_id: &str) -> Result<(), HandleError> {
        self.done(&conversation_id, |c, now, a| {
            Ok(Applied::Request(c.set_message_read(now, args(a)?)?))
        })
        .await
    }
}

/// A send's arguments: the target, whether it is a group, then the text or
/// a custom message's data, description and extension.
type Message<'a> = (&'a str, bool, &'a str, &'a str, &'a str);

fn target(message: OutgoingMessage<'_>, group: bool) -> OutgoingMessage<'_> {
    if group {
        message.to_group()
    } else {
        message
    }
}

fn send_text(c: &mut Client<'_>, now: Instant, a: &[u8]) -> Result<Applied, HandleError> {
    let (to, group, text, _, _): Message<'_> = args(a)?;
    let message = target(OutgoingMessage::text(to, text), group);
    Ok(Applied::Send(c.send_message(now, &message)?))
}

#[cfg(feature = "full")]
fn send_image(c: &mut Client<'_>, now: Instant, a: &[u8]) -> Result<Applied, HandleError> {
    let (to, group, url, width, height, size) = args(a)?;
    let message = OutgoingMessage::image(to, url, width, height, size);
    Ok(Applied::Send(c.send_message(now, &target(message, group))?))
}

#[cfg(feature = "full")]
fn send_file(c: &mut Client<'_>, now: Instant, a: &[u8]) -> Result<Applied, HandleError> {
    let (to, group, url, name, size) = args(a)?;
    let message = OutgoingMessage::file(to, url, name, size);
    Ok(Applied::Send(c.send_message(now, &target(message, group))?))
}

fn send_custom(c: &mut Client<'_>, now: Instant, a: &[u8]) -> Result<Applied, HandleError> {
    let (to, group, data, description, extension): Message<'_> = args(a)?;
    let message = OutgoingMessage::custom(to, data, description, extension);
    Ok(Applied::Send(c.send_message(now, &target(message, group))?))
}
