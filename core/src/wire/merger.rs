//! The messages a merger element carries (TIM `createMergerMessage`):
//! records back to back in one byte string, read on demand, so a merger
//! costs its reader no memory beyond the frame it came in.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::elem::Elem;
use super::extra::MessageExtra;
use super::records::{put, Records};

/// One message inside a merger.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergedMessage<'a> {
    /// Its sender.
    pub from: &'a str,
    /// When it was sent, unix milliseconds.
    pub time_ms: u64,
    /// Its content.
    #[serde(borrow)]
    pub elem: Elem<'a>,
    /// Its fields beside the element.
    #[serde(borrow)]
    pub extra: MessageExtra<'a>,
}

/// The merged messages, encoded ([`MergedMessages::write`]) and read
/// ([`MergedMessages::iter`]) in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergedMessages<'a>(&'a [u8]);

/// The buffer given to [`MergedMessages::write`] cannot hold the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MergerTooLarge;

impl<'a> MergedMessages<'a> {
    /// Encodes `messages` into `buf`.
    pub fn write<'m>(
        buf: &'a mut [u8],
        messages: impl IntoIterator<Item = MergedMessage<'m>>,
    ) -> Result<Self, MergerTooLarge> {
        let mut end = 0;
        for message in messages {
            end = put(&message, buf, end).ok_or(MergerTooLarge)?;
        }
        Ok(MergedMessages(&buf[..end]))
    }

    /// The messages in order; an item is an error where the bytes are
    /// malformed, and the walk stops there.
    pub fn iter(&self) -> Records<'a, MergedMessage<'a>> {
        Records::new(self.0)
    }

    /// Messages encoded before (by [`MergedMessages::write`] or as
    /// [`MergedMessages::as_bytes`] gave them); read lazily, so malformed
    /// bytes show as an error item of [`MergedMessages::iter`].
    pub fn from_bytes(bytes: &'a [u8]) -> Self {
        MergedMessages(bytes)
    }

    /// The encoded messages.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl Serialize for MergedMessages<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for MergedMessages<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(d).map(MergedMessages)
    }
}
