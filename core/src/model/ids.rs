//! User and group ids and their limits (TIM's figures).

/// A user id is at most this many bytes.
pub const MAX_USER_ID: usize = 32;
/// A group id is at most this many bytes.
pub const MAX_GROUP_ID: usize = 48;
/// The id of the SYSTEM conversation, as in TIM.
pub const SYSTEM_CONVERSATION: &str = "@TIM#SYSTEM";

/// An owned user id.
pub type UserId = heapless::String<MAX_USER_ID>;

/// Whether `id` is a valid user id: 1 to 32 bytes of ASCII letters, digits,
/// `_`, `-`, `.` or `@`.
pub fn valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_USER_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@'))
}

/// Whether `id` is a valid group id: 1 to 48 printable ASCII bytes without spaces.
pub fn valid_group_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_GROUP_ID && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_limits() {
        assert!(valid_user_id("alice"));
        assert!(valid_user_id(&"a".repeat(32)));
        assert!(!valid_user_id(&"a".repeat(33)));
        assert!(!valid_user_id(""));
        assert!(!valid_user_id("bob|eve"));
        assert!(!valid_user_id("bø"));
    }

    #[test]
    fn group_id_limits() {
        assert!(valid_group_id("@TGS#abc"));
        assert!(!valid_group_id("with space"));
        assert!(!valid_group_id(&"g".repeat(49)));
    }
}
