//! Storage keys of conversations: what both sides of a one-to-one
//! conversation share, and where a user's SYSTEM and a group's messages are.

/// The key both sides of a C2C conversation share.
pub fn c2c_key(a: &str, b: &str) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("c2c:{lo}|{hi}")
}

/// The storage key of a user's SYSTEM conversation.
pub fn system_key(user: &str) -> String {
    format!("system:{user}")
}

/// The storage key of a group's conversation.
pub fn group_key(group_id: &str) -> String {
    format!("group:{group_id}")
}
