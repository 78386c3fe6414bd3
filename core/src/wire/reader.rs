//! A cursor over postcard bytes for the records decoded by hand on the
//! receive path ([`super::body::Message::take`]). It follows postcard's
//! rules exactly (varints of at most `ceil(bits / 7)` bytes whose last byte
//! may not overflow, lengths as `usize` varints, UTF-8 checked strings), so
//! a hand-decoded record accepts and yields what the derived decoder would;
//! the tests compare the two on arbitrary bytes.

use serde::Deserialize;

use super::records::{self, DecodeError};

/// Reads postcard values off the front of a byte slice.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// What has not been read.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let (&b, rest) = self.rest.split_first().ok_or(DecodeError)?;
        self.rest = rest;
        Ok(b)
    }

    /// An unsigned varint of an integer `bits` wide.
    #[inline]
    fn varint(&mut self, bits: u32) -> Result<u64, DecodeError> {
        let max_bytes = bits.div_ceil(7);
        let last_byte_max = (1u8 << (bits % 7)) - 1;
        let mut out = 0u64;
        for i in 0..max_bytes {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == max_bytes - 1 && b > last_byte_max {
                    return Err(DecodeError);
                }
                return Ok(out);
            }
        }
        Err(DecodeError)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, DecodeError> {
        self.varint(u64::BITS)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        // At most 32 bits wide by `varint`'s last-byte rule.
        self.varint(u32::BITS).map(|v| v as u32)
    }

    /// A length-prefixed byte string.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        // At most `usize::BITS` wide by `varint`'s last-byte rule.
        let len = self.varint(usize::BITS)? as usize;
        if len > self.rest.len() {
            return Err(DecodeError);
        }
        let (bytes, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(bytes)
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, DecodeError> {
        core::str::from_utf8(self.bytes()?).map_err(|_| DecodeError)
    }

    /// A value decoded by its derived decoder (the rare, larger records).
    pub(crate) fn serde<T: Deserialize<'a>>(&mut self) -> Result<T, DecodeError> {
        let (value, rest) = records::take(self.rest)?;
        self.rest = rest;
        Ok(value)
    }
}
