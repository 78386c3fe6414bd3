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
/// An empty string, which most of a message's optional fields are, is
/// answered without a call. On hosts, strings shorter than simdutf8's
/// 64-byte block (ids, names: most strings but the text) are checked a
/// byte at a time by `utf8_chunks`, where simdutf8 would hand them to the
/// standard library's check, whose set-up for its word-at-a-time loop costs
/// more than such a string's bytes.
fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    if bytes.is_empty() {
        return Ok("");
    }
    #[cfg(not(target_os = "none"))]
    if bytes.len() < 64 {
        return match bytes.utf8_chunks().next() {
            Some(chunk) if chunk.invalid().is_empty() => Ok(chunk.valid()),
            _ => Err(DecodeError),
        };
    }
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
        // Lengths and small numbers fit one byte, valid at any width.
        if let Some((&b, rest)) = self.rest.split_first() {
            if b < 0x80 {
                self.rest = rest;
                return Ok(u64::from(b));
            }
        }
        self.long_varint(bits)
    }

    /// A varint of more than one byte (or none).
    fn long_varint(&mut self, bits: u32) -> Result<u64, DecodeError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn str_of(bytes: &[u8]) -> Result<&str, DecodeError> {
        Reader::new(bytes).str()
    }

    /// Each path of the UTF-8 check (empty, short, a block or more) accepts
    /// what the standard library accepts and nothing else.
    #[test]
    fn strings_are_checked_on_every_path() {
        assert_eq!(str_of(&[0]), Ok(""));
        assert_eq!(str_of(&[3, b'b', b'o', b'b']), Ok("bob"));
        assert_eq!(str_of(&[2, 0xc3, 0xa9]), Ok("é"));
        // A lone continuation byte; a sequence cut short; a surrogate.
        assert_eq!(str_of(&[1, 0x80]), Err(DecodeError));
        assert_eq!(str_of(&[3, b'a', b'b', 0xc3]), Err(DecodeError));
        assert_eq!(str_of(&[3, 0xed, 0xa0, 0x80]), Err(DecodeError));
        for len in [63usize, 64, 100] {
            let mut record = std::vec![len as u8];
            record.extend(core::iter::repeat_n(b'x', len));
            assert_eq!(str_of(&record).map(str::len), Ok(len));
            *record.last_mut().unwrap() = 0xff;
            assert_eq!(str_of(&record), Err(DecodeError), "{len} bytes");
        }
    }

    /// One-byte varints take the short path, longer ones the loop; both
    /// keep postcard's limits.
    #[test]
    fn varints_keep_postcards_limits() {
        assert_eq!(Reader::new(&[0x7f]).u64(), Ok(0x7f));
        assert_eq!(Reader::new(&[0x80, 0x01]).u64(), Ok(0x80));
        assert_eq!(Reader::new(&[0x80]).u64(), Err(DecodeError));
        assert_eq!(Reader::new(&[]).u64(), Err(DecodeError));
        // u32's fifth byte carries at most four bits.
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).u32(),
            Ok(u32::MAX)
        );
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x10]).u32(),
            Err(DecodeError)
        );
        // A length past the end.
        assert_eq!(Reader::new(&[2, b'a']).bytes(), Err(DecodeError));
    }
}
