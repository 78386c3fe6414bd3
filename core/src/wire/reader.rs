//! A cursor over postcard bytes for the records decoded by hand on the
//! receive path ([`super::body::Message::take`]). It follows postcard's
//! rules exactly (varints of at most `ceil(bits / 7)` bytes whose last byte
//! may not overflow, lengths as `usize` varints, UTF-8 checked strings), so
//! a hand-decoded record accepts and yields what the derived decoder would;
//! the tests compare the two on arbitrary bytes.

use super::records::DecodeError;

/// `bytes` as UTF-8 text. On hosts through simdutf8 (its SIMD check takes
/// a fraction of the standard library's three instructions a byte on the
/// receive path's strings; same answer for every input); firmware keeps
/// the standard library's, which its flash already holds.
fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    #[cfg(not(target_os = "none"))]
    return simdutf8::basic::from_utf8(bytes).map_err(|_| DecodeError);
    #[cfg(target_os = "none")]
    return core::str::from_utf8(bytes).map_err(|_| DecodeError);
}

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
        utf8(self.bytes()?)
    }

    /// The next field of an appendable record, or `T`'s default where the
    /// record ends (a writer older than the field), as
    /// `elem_codec::next_or_default` reads it.
    pub(crate) fn or_default<T: Default>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        if self.rest.is_empty() {
            Ok(T::default())
        } else {
            read(self)
        }
    }

    /// A bool as postcard writes it: one byte, 0 or 1.
    pub(crate) fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError),
        }
    }
}
