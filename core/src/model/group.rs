//! Groups as the client keeps them: the logged-in user's group list.

use super::ids::MAX_GROUP_ID;
use crate::wire::group::{GroupRole, GroupType};
#[cfg(feature = "full")]
use {
    super::conversation::cut_at_char_boundary, super::ids::valid_group_id,
    crate::wire::group::GroupInfo,
};

/// A group name is at most this many bytes (TIM's limit).
pub const MAX_GROUP_NAME: usize = 30;

/// An owned group id.
pub type GroupId = heapless::String<MAX_GROUP_ID>;

/// One group of the logged-in user (TIM `Group`, the fields a group list
/// shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub(crate) id: GroupId,
    pub(crate) group_type: GroupType,
    pub(crate) name: heapless::String<MAX_GROUP_NAME>,
    pub(crate) role: GroupRole,
    pub(crate) mute_all: bool,
    pub(crate) muted_until_ms: u64,
    /// Seen in the group list refresh that is running.
    pub(crate) listed: bool,
}

impl Group {
    /// A group from a group list record; `None` for a malformed id.
    #[cfg(feature = "full")]
    pub(crate) fn from_info(info: &GroupInfo<'_>) -> Option<Self> {
        if !valid_group_id(info.group_id) {
            return None;
        }
        let mut group = Group {
            id: GroupId::try_from(info.group_id).ok()?,
            group_type: info.group_type,
            name: heapless::String::new(),
            role: info.role,
            mute_all: false,
            muted_until_ms: 0,
            listed: true,
        };
        group.update(info);
        Some(group)
    }

    /// Takes the fields of a newer record of the same group.
    #[cfg(feature = "full")]
    pub(crate) fn update(&mut self, info: &GroupInfo<'_>) {
        self.name.clear();
        // Cut at a character boundary, so this cannot fail.
        let _ = self
            .name
            .push_str(cut_at_char_boundary(info.name, MAX_GROUP_NAME));
        self.group_type = info.group_type;
        self.role = info.role;
        self.mute_all = info.mute_all;
        self.muted_until_ms = info.muted_until_ms;
        self.listed = true;
    }

    /// TIM `groupID`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// TIM `type`.
    pub fn group_type(&self) -> GroupType {
        self.group_type
    }

    /// TIM `name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// TIM `selfInfo.role`.
    pub fn role(&self) -> GroupRole {
        self.role
    }

    /// TIM `muteAllMembers`.
    pub fn mute_all(&self) -> bool {
        self.mute_all
    }

    /// The user is muted in this group until this unix millisecond.
    pub fn muted_until_ms(&self) -> u64 {
        self.muted_until_ms
    }
}

/// A group with its unread count, as `Client::groups` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupView<'a> {
    /// The group.
    pub group: &'a Group,
    /// Unread messages in its conversation (0 for types without unread counts).
    pub unread: u64,
}
