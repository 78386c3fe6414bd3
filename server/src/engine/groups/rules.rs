//! TIM's group rules (DESIGN section 5 and section 6) as plain functions of
//! the group type and the roles involved. The handlers ask these; nothing
//! else in the engine knows a group type's rules.

use tinyim_core::wire::code;
use tinyim_core::wire::group::{GroupRole, GroupType, JoinOption};

use crate::engine::Refusal;

/// Name at most 30 bytes, and not empty.
pub(crate) const MAX_NAME: usize = 30;
/// Introduction at most 240 bytes.
pub(crate) const MAX_INTRODUCTION: usize = 240;
/// Notification at most 300 bytes.
pub(crate) const MAX_NOTIFICATION: usize = 300;
/// Avatar URL at most 256 bytes.
pub(crate) const MAX_AVATAR: usize = 256;
/// Name card at most 50 bytes.
pub(crate) const MAX_NAME_CARD: usize = 50;
/// Apply, handle and kick messages at most 256 bytes.
pub(crate) const MAX_NOTE: usize = 256;
/// Custom field key at most 16 bytes, value at most 512.
pub(crate) const MAX_CUSTOM_KEY: usize = 16;
/// See [`MAX_CUSTOM_KEY`].
pub(crate) const MAX_CUSTOM_VALUE: usize = 512;
/// At most 16 custom fields per group.
pub(crate) const MAX_CUSTOM_FIELDS: usize = 16;
/// Users named in one create or invite, as in TIM.
pub(crate) const MAX_USERS_PER_CALL: usize = 500;
/// Users in one member profile request, as in TIM.
pub(crate) const MAX_PROFILE_USERS: usize = 50;
/// Server-made group ids start with this; chosen ones may not.
pub(crate) const SERVER_ID_PREFIX: &str = "@TGS#";
/// Group messages a second per group (TIM's figure).
pub(crate) const MESSAGES_PER_SECOND: u32 = 40;

type Rule = Result<(), Refusal>;

fn deny(message: &'static str) -> Rule {
    Err(Refusal::Code(code::NO_PERMISSION, message))
}

fn allow_if(ok: bool, message: &'static str) -> Rule {
    if ok {
        Ok(())
    } else {
        deny(message)
    }
}

/// Whether the type has admins.
pub(crate) fn has_admins(t: GroupType) -> bool {
    matches!(
        t,
        GroupType::Public | GroupType::Meeting | GroupType::Community
    )
}

/// Whether messages are stored (and so have seqs, history and offline delivery).
pub(crate) fn stores_messages(t: GroupType) -> bool {
    t != GroupType::AvChatRoom
}

/// Whether members may ask for read receipts on their messages (TIM: Work,
/// Public and Meeting groups).
pub(crate) fn keeps_read_receipts(t: GroupType) -> bool {
    matches!(t, GroupType::Work | GroupType::Public | GroupType::Meeting)
}

/// Whether a member sees messages from before joining.
pub(crate) fn history_before_join(t: GroupType) -> bool {
    matches!(t, GroupType::Meeting | GroupType::Community)
}

/// Member limit of a type.
pub(crate) fn type_max_members(t: GroupType) -> u32 {
    match t {
        GroupType::Community => 100_000,
        GroupType::AvChatRoom => u32::MAX,
        _ => 6000,
    }
}

/// The join option a group of type `t` gets when `requested` is asked for:
/// Work groups are invite only; Meeting and AVChatRoom are free to join.
pub(crate) fn effective_join_option(t: GroupType, requested: JoinOption) -> JoinOption {
    match t {
        GroupType::Work => JoinOption::DisableApply,
        GroupType::Meeting | GroupType::AvChatRoom => JoinOption::FreeAccess,
        GroupType::Public | GroupType::Community => requested,
    }
}

/// Whether `role` is owner or, where the type has them, admin.
fn manager(t: GroupType, role: GroupRole) -> bool {
    role == GroupRole::Owner || (role == GroupRole::Admin && has_admins(t))
}

/// Who may apply to join.
pub(crate) fn may_apply(t: GroupType, option: JoinOption) -> Rule {
    allow_if(
        t != GroupType::Work && option != JoinOption::DisableApply,
        "this group is invite only",
    )
}

/// Who may invite: any member, except in an AVChatRoom (nobody).
pub(crate) fn may_invite(t: GroupType) -> Rule {
    allow_if(
        t != GroupType::AvChatRoom,
        "nobody invites into an AVChatRoom",
    )
}

/// Who may quit: anyone but the owner, who may quit only a Work group.
pub(crate) fn may_quit(t: GroupType, role: GroupRole) -> Rule {
    if role == GroupRole::Owner && t != GroupType::Work {
        return Err(Refusal::Code(
            code::OWNER_CANNOT_QUIT,
            "the owner cannot quit this group; transfer it or dismiss it",
        ));
    }
    Ok(())
}

/// Who may edit the group profile.
pub(crate) fn may_edit_profile(t: GroupType, role: GroupRole) -> Rule {
    let ok = match t {
        GroupType::Work => true,
        GroupType::AvChatRoom => role == GroupRole::Owner,
        _ => manager(t, role),
    };
    allow_if(ok, "your role cannot edit this group's profile")
}

/// Whether `actor` outranks `target` for kicks, mutes and others' name
/// cards: the owner acts on anyone else, an admin on plain members.
fn outranks(actor: GroupRole, target: GroupRole) -> bool {
    match actor {
        GroupRole::Owner => target != GroupRole::Owner,
        GroupRole::Admin => target == GroupRole::Member,
        GroupRole::Member => false,
    }
}

/// Who may kick whom.
pub(crate) fn may_kick(t: GroupType, actor: GroupRole, target: GroupRole) -> Rule {
    let ok = match t {
        GroupType::AvChatRoom => false,
        GroupType::Work => actor == GroupRole::Owner && target != GroupRole::Owner,
        _ => outranks(actor, target),
    };
    allow_if(ok, "your role cannot remove this member")
}

/// Who may mute whom.
pub(crate) fn may_mute(t: GroupType, actor: GroupRole, target: GroupRole) -> Rule {
    let ok = match t {
        GroupType::Work => false,
        GroupType::AvChatRoom => actor == GroupRole::Owner && target != GroupRole::Owner,
        _ => outranks(actor, target),
    };
    allow_if(ok, "your role cannot mute this member")
}

/// Who may set another member's name card (one's own is always allowed).
pub(crate) fn may_set_name_card(t: GroupType, actor: GroupRole, target: GroupRole) -> Rule {
    allow_if(
        manager(t, actor) && outranks(actor, target),
        "your role cannot change this member's name card",
    )
}

/// Who may make members admins or back: the owner, where admins exist.
pub(crate) fn may_set_role(t: GroupType, actor: GroupRole) -> Rule {
    allow_if(
        has_admins(t) && actor == GroupRole::Owner,
        "only the owner sets roles, in groups with admins",
    )
}

/// Who may hand the group over: the owner, except in an AVChatRoom.
pub(crate) fn may_change_owner(t: GroupType, actor: GroupRole) -> Rule {
    allow_if(
        t != GroupType::AvChatRoom && actor == GroupRole::Owner,
        "only the owner hands the group over",
    )
}

/// Who may dismiss: the owner.
pub(crate) fn may_dismiss(actor: GroupRole) -> Rule {
    allow_if(
        actor == GroupRole::Owner,
        "only the owner dismisses the group",
    )
}

/// Who may answer join applications and send custom notices.
pub(crate) fn may_manage(t: GroupType, actor: GroupRole) -> Rule {
    allow_if(manager(t, actor), "only the owner and admins may do this")
}

/// Who may revoke other members' messages (at any age).
pub(crate) fn may_revoke_others(t: GroupType, actor: GroupRole) -> Rule {
    allow_if(
        manager(t, actor),
        "only the owner and admins revoke others' messages",
    )
}

/// Who may send while the group or the member is muted.
pub(crate) fn may_send(
    t: GroupType,
    role: GroupRole,
    mute_all: bool,
    muted_until_ms: u64,
    now_ms: u64,
) -> Rule {
    if muted_until_ms > now_ms || (mute_all && !manager(t, role)) {
        return Err(Refusal::Code(code::MUTED, "you are muted in this group"));
    }
    Ok(())
}

/// Who may see a group they are not in: any group but a Work group.
pub(crate) fn may_view_as_outsider(t: GroupType) -> Rule {
    allow_if(
        t != GroupType::Work,
        "work groups are visible to members only",
    )
}

/// Checks a text field's length.
pub(crate) fn check_len(value: &str, max: usize, what: &'static str) -> Rule {
    if value.len() > max {
        return Err(Refusal::Code(code::INVALID_PARAMETER, what));
    }
    Ok(())
}

/// Checks a chosen group id: printable ASCII, at most 48 bytes, not in the
/// server's `@TGS#` space.
pub(crate) fn check_chosen_id(group_id: &str) -> Rule {
    if !tinyim_core::model::valid_group_id(group_id) || group_id.starts_with(SERVER_ID_PREFIX) {
        return Err(Refusal::Code(code::INVALID_GROUP_ID, "invalid group id"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use GroupRole::*;

    #[test]
    fn admins_act_on_members_only_and_nobody_on_the_owner() {
        for t in [GroupType::Public, GroupType::Meeting, GroupType::Community] {
            assert!(may_kick(t, Admin, Member).is_ok());
            assert!(may_kick(t, Admin, Admin).is_err());
            assert!(may_kick(t, Owner, Admin).is_ok());
            assert!(may_kick(t, Owner, Owner).is_err());
            assert!(may_kick(t, Member, Member).is_err());
        }
    }

    #[test]
    fn work_groups_are_invite_only_and_their_owner_may_quit() {
        assert!(may_apply(GroupType::Work, JoinOption::FreeAccess).is_err());
        assert!(may_quit(GroupType::Work, Owner).is_ok());
        assert!(may_quit(GroupType::Public, Owner).is_err());
        assert_eq!(
            effective_join_option(GroupType::Meeting, JoinOption::DisableApply),
            JoinOption::FreeAccess
        );
    }
}
