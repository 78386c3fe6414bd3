//! Walking and writing "header, then records until the end" bodies.

use serde::{Deserialize, Serialize};

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeError;

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("malformed frame body")
    }
}

impl core::error::Error for DecodeError {}

/// Decodes one `T` from the front of `bytes`, returning it and the rest.
pub fn take<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<(T, &'a [u8]), DecodeError> {
    postcard::take_from_bytes(bytes).map_err(|_| DecodeError)
}

/// Decodes exactly one `T` that fills `bytes`.
pub fn decode_exact<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    match take(bytes)? {
        (value, []) => Ok(value),
        _ => Err(DecodeError),
    }
}

/// Iterator over the records that follow a header.
pub struct Records<'a, T> {
    rest: &'a [u8],
    _marker: core::marker::PhantomData<T>,
}

impl<'a, T> Records<'a, T> {
    /// Records stored back to back in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Records {
            rest: bytes,
            _marker: core::marker::PhantomData,
        }
    }
}

impl<'a, T: Deserialize<'a>> Iterator for Records<'a, T> {
    type Item = Result<T, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match take::<T>(self.rest) {
            Ok((value, rest)) => {
                self.rest = rest;
                Some(Ok(value))
            }
            Err(e) => {
                // Stop after the first error: the rest cannot be framed.
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Appends `value` to `buf` at `at` if it fits, returning the new end.
pub fn put<T: Serialize + ?Sized>(value: &T, buf: &mut [u8], at: usize) -> Option<usize> {
    let room = buf.get_mut(at..)?;
    let used = postcard::to_slice(value, room).ok()?.len();
    Some(at + used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_walk_until_the_end_and_stop_at_garbage() {
        let mut buf = [0u8; 32];
        let mut end = put(&(1u8, "a"), &mut buf, 0).unwrap();
        end = put(&(2u8, "bc"), &mut buf, end).unwrap();
        let all: Result<heapless::Vec<(u8, &str), 4>, _> = Records::new(&buf[..end]).collect();
        assert_eq!(all.unwrap().as_slice(), &[(1, "a"), (2, "bc")]);

        // A record cut short is an error, and iteration ends there.
        let mut it = Records::<(u8, &str)>::new(&buf[..end - 1]);
        assert_eq!(it.next(), Some(Ok((1, "a"))));
        assert_eq!(it.next(), Some(Err(DecodeError)));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn decode_exact_refuses_trailing_bytes() {
        let mut buf = [0u8; 8];
        let end = put(&7u32, &mut buf, 0).unwrap();
        assert_eq!(decode_exact::<u32>(&buf[..end]), Ok(7));
        assert_eq!(decode_exact::<u32>(&buf[..end + 1]), Err(DecodeError));
    }
}
