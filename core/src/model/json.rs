//! JSON in custom messages, the usual carrier of a device's commands and
//! readings, through serde-json-core: a serde type is written into and read
//! from the caller's buffers, without an allocator. Every function is
//! generic, so a firmware that never calls them links none of it (JSON
//! decoding costs several KB of flash).

use serde::{Deserialize, Serialize};

use super::message::{MessageView, OutgoingMessage};
use crate::wire::body::Elem;

/// Why a custom message's JSON could not be written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum JsonError {
    /// The message is not a custom one.
    NotCustom,
    /// The JSON does not fit the buffer given for it.
    TooLarge,
    /// The data is not JSON of the type asked for.
    Invalid,
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            JsonError::NotCustom => "not a custom message",
            JsonError::TooLarge => "the JSON does not fit its buffer",
            JsonError::Invalid => "not JSON of the expected shape",
        })
    }
}

impl core::error::Error for JsonError {}

/// `text` read as JSON of `T`, whose strings borrow from it (for a copy of
/// a custom message's data, such as the embassy adapter's). A borrowed
/// string keeps its JSON escapes as written (`\n` stays two characters).
pub fn from_json<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, JsonError> {
    serde_json_core::from_str::<T>(text)
        .map(|(value, _)| value)
        .map_err(|_| JsonError::Invalid)
}

impl<'a> OutgoingMessage<'a> {
    /// A C2C custom message whose data is `value` as JSON, written into
    /// `buf` (which the message then borrows).
    pub fn custom_json<T: Serialize>(
        to_user: &'a str,
        value: &T,
        buf: &'a mut [u8],
    ) -> Result<Self, JsonError> {
        let written =
            serde_json_core::to_slice(value, &mut *buf).map_err(|_| JsonError::TooLarge)?;
        let buf: &'a [u8] = buf;
        let data = buf
            .get(..written)
            .and_then(|json| core::str::from_utf8(json).ok())
            .ok_or(JsonError::Invalid)?;
        Ok(OutgoingMessage::custom(to_user, data, "", ""))
    }
}

impl<'a> MessageView<'a> {
    /// A custom message's data read as JSON of `T`, whose strings borrow
    /// from the message.
    pub fn custom_json<T: Deserialize<'a>>(&self) -> Result<T, JsonError> {
        match self.elem {
            Elem::Custom { data, .. } => from_json(data),
            _ => Err(JsonError::NotCustom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConversationType, Flow};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Led<'a> {
        cmd: &'a str,
        on: bool,
    }

    fn received(elem: Elem<'_>) -> MessageView<'_> {
        MessageView {
            conversation_id: "C2Calice",
            conversation_type: ConversationType::C2c,
            seq: 1,
            from: "alice",
            flow: Flow::In,
            time_ms: 0,
            client_msg_id: 1,
            elem,
            extra: crate::wire::body::MessageExtra::default(),
        }
    }

    #[test]
    fn a_command_goes_out_as_json_and_comes_back_as_the_type() {
        let mut buf = [0u8; 64];
        let led = Led {
            cmd: "led",
            on: true,
        };
        let out = OutgoingMessage::custom_json("pico", &led, &mut buf).unwrap();
        let Elem::Custom { data, .. } = out.elem else {
            panic!("a custom element");
        };
        assert_eq!(data, r#"{"cmd":"led","on":true}"#);
        let back = received(out.elem);
        assert_eq!(back.custom_json::<Led<'_>>(), Ok(led));
    }

    #[test]
    fn json_that_does_not_fit_or_is_not_the_type_is_an_error_never_a_panic() {
        let mut small = [0u8; 8];
        let led = Led {
            cmd: "led",
            on: true,
        };
        assert_eq!(
            OutgoingMessage::custom_json("pico", &led, &mut small),
            Err(JsonError::TooLarge)
        );
        let hostile = [
            "",
            "{",
            "null",
            r#"{"cmd":"led"}"#,
            r#"{"cmd":1,"on":true}"#,
            r#"{"cmd":"led","on":"yes"}"#,
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "\u{0}\u{ffff}",
        ];
        for data in hostile {
            let view = received(Elem::Custom {
                data,
                description: "",
                extension: "",
            });
            assert_eq!(
                view.custom_json::<Led<'_>>(),
                Err(JsonError::Invalid),
                "{data:?}"
            );
        }
        let text = received(Elem::Text { text: "{}" });
        assert_eq!(text.custom_json::<Led<'_>>(), Err(JsonError::NotCustom));
    }
}
