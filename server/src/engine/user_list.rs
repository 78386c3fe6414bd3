//! User lists in requests (comma-separated ids), checked once for every call
//! that takes one.

use std::collections::BTreeSet;

use tinyim_core::model::valid_user_id;
use tinyim_core::wire::code;
use tinyim_core::wire::group::UserList;

use super::Refusal;

/// The users of `list` in its order (repeats kept), at most `max`, each a
/// valid user id; or why not.
pub(crate) fn user_ids<'a>(list: UserList<'a>, max: usize) -> Result<Vec<&'a str>, Refusal> {
    let mut users = Vec::new();
    for user in list.iter() {
        if !valid_user_id(user) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "invalid user id in the list",
            ));
        }
        if users.len() == max {
            return Err(too_many());
        }
        users.push(user);
    }
    Ok(users)
}

/// The distinct, valid users of `list` other than `me`, or why not.
pub(crate) fn user_set(
    list: UserList<'_>,
    me: &str,
    max: usize,
) -> Result<BTreeSet<String>, Refusal> {
    let users: BTreeSet<String> = user_ids(list, usize::MAX)?
        .into_iter()
        .filter(|user| *user != me)
        .map(str::to_owned)
        .collect();
    if users.len() > max {
        return Err(too_many());
    }
    Ok(users)
}

/// The refusal of a call that must name at least one user.
pub(crate) fn no_users() -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, "no users named")
}

fn too_many() -> Refusal {
    Refusal::Code(code::INVALID_PARAMETER, "too many users in one call")
}
