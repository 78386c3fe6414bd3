//! User lists in requests (comma-separated ids), checked once for every call
//! that takes one.

use std::collections::BTreeSet;

use tinyim_core::model::valid_user_id;
use tinyim_core::wire::code;
use tinyim_core::wire::group::UserList;

use super::Refusal;

/// The distinct, valid users of `list` other than `me`, or why not.
pub(crate) fn user_set(
    list: UserList<'_>,
    me: &str,
    max: usize,
) -> Result<BTreeSet<String>, Refusal> {
    let mut users = BTreeSet::new();
    for user in list.iter() {
        if !valid_user_id(user) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "invalid user id in the list",
            ));
        }
        if user != me {
            users.insert(user.to_owned());
        }
    }
    if users.len() > max {
        return Err(Refusal::Code(
            code::INVALID_PARAMETER,
            "too many users in one call",
        ));
    }
    Ok(users)
}
