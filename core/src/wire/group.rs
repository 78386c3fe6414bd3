//! Group bodies: TIM's group calls, their answers, group tips and group
//! system notices. Strings borrow from the frame, as everywhere on the wire.

use serde::{Deserialize, Serialize};

/// TIM's group types (`TIM.TYPES.GRP_*`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum GroupType {
    /// `GRP_WORK` ("Private"): invite only, any member edits the profile.
    Work,
    /// `GRP_PUBLIC`: join with an admin's approval.
    Public,
    /// `GRP_MEETING` ("ChatRoom"): free join, history for late joiners, no unread count.
    Meeting,
    /// `GRP_COMMUNITY`: free join, up to 100 000 members.
    Community,
    /// `GRP_AVCHATROOM`: online members only, nothing stored.
    AvChatRoom,
}

impl GroupType {
    /// TIM's string for the type.
    pub fn tim_name(self) -> &'static str {
        match self {
            GroupType::Work => "Private",
            GroupType::Public => "Public",
            GroupType::Meeting => "ChatRoom",
            GroupType::Community => "Community",
            GroupType::AvChatRoom => "AVChatRoom",
        }
    }

    /// The join option a new group of this type gets unless told otherwise:
    /// approval for Public groups, invitation for Work groups, free for the rest.
    pub fn default_join_option(self) -> JoinOption {
        match self {
            GroupType::Public => JoinOption::NeedPermission,
            GroupType::Work => JoinOption::DisableApply,
            _ => JoinOption::FreeAccess,
        }
    }
}

/// A member's role (`TIM.TYPES.GRP_MBR_ROLE_*`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum GroupRole {
    /// `Owner`: one per group.
    Owner,
    /// `Admin`: Public, Meeting and Community groups only.
    Admin,
    /// `Member`.
    Member,
}

/// How others may join (`TIM.TYPES.JOIN_OPTIONS_*`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum JoinOption {
    /// `FreeAccess`: joining needs nobody's approval.
    FreeAccess,
    /// `NeedPermission`: an owner or admin approves each application.
    NeedPermission,
    /// `DisableApply`: nobody may apply; invitation only.
    DisableApply,
}

/// Message priority (`TIM.TYPES.MSG_PRIORITY_*`): over a group's rate limit,
/// lower priorities are refused first.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Priority {
    /// `High`.
    High,
    /// `Normal`.
    #[default]
    Normal,
    /// `Low`.
    Low,
    /// `Lowest`.
    Lowest,
}

/// A list of user ids joined by commas (user ids never contain one), so a
/// list borrows from the frame like any other string.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(transparent)]
pub struct UserList<'a>(pub &'a str);

impl<'a> UserList<'a> {
    /// The user ids, empty entries skipped.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> {
        self.0.split(',').filter(|s| !s.is_empty())
    }

    /// How many user ids the list holds.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the list holds no user id.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// Request payload: TIM `createGroup`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateGroup<'a> {
    /// The type.
    pub group_type: GroupType,
    /// Name, at most 30 bytes.
    pub name: &'a str,
    /// A chosen group id, or empty for a server-made `@TGS#...` id.
    pub group_id: &'a str,
    /// Introduction, at most 240 bytes.
    pub introduction: &'a str,
    /// Notification, at most 300 bytes.
    pub notification: &'a str,
    /// Avatar URL.
    pub avatar: &'a str,
    /// Member limit, 0 for the type's maximum.
    pub max_members: u32,
    /// How others may join (ignored for Work groups, which are invite only).
    pub join_option: JoinOption,
    /// Initial members besides the creator, at most 500 (none for AVChatRoom).
    pub members: UserList<'a>,
}

impl<'a> CreateGroup<'a> {
    /// A group of `group_type` named `name` with a server-made id, the
    /// type's default join option, no other fields and no members yet.
    pub fn new(group_type: GroupType, name: &'a str) -> Self {
        CreateGroup {
            group_type,
            name,
            group_id: "",
            introduction: "",
            notification: "",
            avatar: "",
            max_members: 0,
            join_option: group_type.default_join_option(),
            members: UserList(""),
        }
    }
}

/// Request payload of the calls that name only a group: dismiss, profile,
/// search, quit, application list, online member count.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRef<'a> {
    /// The group.
    pub group_id: &'a str,
}

/// One custom profile field (TIM `groupCustomField` entry).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomField<'a> {
    /// Key, at most 16 bytes.
    pub key: &'a str,
    /// Value, at most 512 bytes.
    pub value: &'a str,
}

/// Changed group profile fields: in `updateGroupProfile` requests and in
/// the group tip that reports them. `None` leaves a field as it is.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileChange<'a> {
    /// New name.
    pub name: Option<&'a str>,
    /// New introduction.
    pub introduction: Option<&'a str>,
    /// New notification.
    pub notification: Option<&'a str>,
    /// New avatar URL.
    pub avatar: Option<&'a str>,
    /// New join option.
    pub join_option: Option<JoinOption>,
    /// Mute everyone except the owner and admins.
    pub mute_all: Option<bool>,
    /// One custom field set (an empty value removes it).
    pub custom: Option<CustomField<'a>>,
}

impl ProfileChange<'_> {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == ProfileChange::default()
    }
}

/// Request payload: TIM `updateGroupProfile`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateGroupProfile<'a> {
    /// The group.
    pub group_id: &'a str,
    /// What changes.
    pub change: ProfileChange<'a>,
}

/// Request payload: TIM `joinGroup`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinGroup<'a> {
    /// The group.
    pub group_id: &'a str,
    /// Shown to the owner and admins with a join request.
    pub apply_message: &'a str,
}

/// How a `joinGroup` ended (`TIM.TYPES.JOIN_STATUS_*`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum JoinStatus {
    /// `SUCCESS`: now a member.
    Joined,
    /// `WAIT_APPROVAL`: the owner and admins got the request.
    WaitApproval,
    /// `ALREADY_IN_GROUP`.
    AlreadyMember,
}

/// Request payload: TIM `handleGroupApplication`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandleApplication<'a> {
    /// The group.
    pub group_id: &'a str,
    /// Who applied.
    pub applicant: &'a str,
    /// Agree (the applicant joins) or reject.
    pub agree: bool,
    /// Shown to the applicant.
    pub message: &'a str,
}

/// Request payload: TIM `addGroupMember` (invite) and `deleteGroupMember`
/// (kick), and `getGroupMemberProfile`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberChange<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The users, at most 500 (50 for profiles).
    pub users: UserList<'a>,
    /// Why (kicks), shown to the kicked.
    pub reason: &'a str,
}

/// Request payload: TIM `setGroupMemberRole`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetMemberRole<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The member.
    pub user_id: &'a str,
    /// `Admin` or `Member`.
    pub role: GroupRole,
}

/// Request payload: TIM `setGroupMemberMuteTime`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetMemberMute<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The member.
    pub user_id: &'a str,
    /// Seconds from now; 0 unmutes.
    pub mute_secs: u32,
}

/// Request payload: TIM `setGroupMemberNameCard`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetNameCard<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The member (oneself, or anyone for an owner or admin).
    pub user_id: &'a str,
    /// The name card, at most 50 bytes.
    pub name_card: &'a str,
}

/// Request payload: TIM `changeGroupOwner`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeOwner<'a> {
    /// The group.
    pub group_id: &'a str,
    /// A member who becomes the owner.
    pub new_owner: &'a str,
}

/// Request payload: TIM `getGroupMemberList`, and (with an empty group id)
/// the group list and application list pages.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPage<'a> {
    /// The group (empty for the group list).
    pub group_id: &'a str,
    /// Where the page starts, from the previous page's `next_offset`.
    pub offset: u32,
    /// At most this many records, 1 to 100; fewer when the frame is full.
    pub count: u16,
}

/// Request payload: a custom group system notice (type 255) from an owner or
/// admin to some or all members.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomNotice<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The recipients; empty for every member.
    pub users: UserList<'a>,
    /// Application data (TIM `userDefinedField`).
    pub data: &'a str,
}

/// A group's profile (TIM `Group`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupProfile<'a> {
    /// The id.
    pub group_id: &'a str,
    /// The type.
    pub group_type: GroupType,
    /// Name.
    pub name: &'a str,
    /// Introduction.
    pub introduction: &'a str,
    /// Notification.
    pub notification: &'a str,
    /// Avatar URL.
    pub avatar: &'a str,
    /// Owner's user id.
    pub owner: &'a str,
    /// Creation time, unix milliseconds.
    pub created_ms: u64,
    /// Current members.
    pub member_count: u32,
    /// Member limit.
    pub max_members: u32,
    /// Join option.
    pub join_option: JoinOption,
    /// Everyone but the owner and admins is muted.
    pub mute_all: bool,
    /// Seq of the newest message (TIM `nextMessageSeq` minus one).
    pub last_seq: u64,
}

/// A member (TIM `GroupMember`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupMember<'a> {
    /// The user.
    pub user_id: &'a str,
    /// Role.
    pub role: GroupRole,
    /// When the user joined, unix milliseconds.
    pub join_ms: u64,
    /// Name card.
    pub name_card: &'a str,
    /// Muted until this unix millisecond; 0 or past when not muted.
    pub muted_until_ms: u64,
}

/// A pending join request (TIM group application).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupApplication<'a> {
    /// The group.
    pub group_id: &'a str,
    /// Who applied.
    pub applicant: &'a str,
    /// The apply message.
    pub message: &'a str,
    /// When, unix milliseconds.
    pub time_ms: u64,
}

/// One group of the logged-in user, as the group list shows it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupInfo<'a> {
    /// The id.
    pub group_id: &'a str,
    /// The type.
    pub group_type: GroupType,
    /// Name.
    pub name: &'a str,
    /// The user's role.
    pub role: GroupRole,
    /// Everyone but the owner and admins is muted.
    pub mute_all: bool,
    /// The user is muted until this unix millisecond.
    pub muted_until_ms: u64,
}

/// The records of a group call's answer and of a group push: a response is
/// a run of these until the end of the body.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRecord<'a> {
    /// `createGroup`: the new group's id.
    Created {
        /// The id.
        group_id: &'a str,
    },
    /// `joinGroup`: the outcome.
    Join(JoinStatus),
    /// `getGroupProfile`, `searchGroupByID`.
    Profile(GroupProfile<'a>),
    /// A custom profile field, after a `Profile`.
    Custom(CustomField<'a>),
    /// `getGroupMemberList`, `getGroupMemberProfile`.
    Member(GroupMember<'a>),
    /// `getGroupApplicationList`.
    Application(GroupApplication<'a>),
    /// `getGroupOnlineMemberCount`.
    OnlineCount(u32),
    /// A group list entry; pushed when the user joins or the entry changes.
    Info(GroupInfo<'a>),
    /// Pushed when the user is no longer a member (quit, kicked, dismissed).
    Left {
        /// The group.
        group_id: &'a str,
    },
    /// Last record of a paged list: where the next page starts.
    Page {
        /// Offset for the next request.
        next_offset: u32,
        /// Whether more records lie beyond this page.
        more: bool,
    },
    /// `getMessageReadReceiptList`: one message's counts.
    ReadReceipt(super::receipt::ReadReceipt<'a>),
    /// `getGroupMessageReadMemberList`: one member.
    ReceiptMember {
        /// The member.
        user_id: &'a str,
    },
}

/// Group tip operation (`TIM.TYPES.GRP_TIP_*`); [`TipOp::code`] is TIM's number.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TipOp {
    /// 1: members joined.
    Join,
    /// 2: a member quit.
    Quit,
    /// 3: members were kicked.
    Kicked,
    /// 4: members became admins.
    SetAdmin,
    /// 5: admins became members.
    CancelAdmin,
    /// 6: the group profile changed.
    GroupProfile,
    /// 7: a member's profile (mute, name card) changed.
    MemberProfile,
}

impl TipOp {
    /// TIM's `operationType` number.
    pub fn code(self) -> u8 {
        match self {
            TipOp::Join => 1,
            TipOp::Quit => 2,
            TipOp::Kicked => 3,
            TipOp::SetAdmin => 4,
            TipOp::CancelAdmin => 5,
            TipOp::GroupProfile => 6,
            TipOp::MemberProfile => 7,
        }
    }
}

/// What a tip reports beyond who did it to whom.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipChange<'a> {
    /// Nothing more (joins, quits, kicks, role changes).
    None,
    /// The changed group profile fields.
    Profile(ProfileChange<'a>),
    /// The group has a new owner.
    Owner(&'a str),
    /// Members muted until this unix millisecond (0: unmuted).
    Mute(u64),
    /// A member's new name card.
    NameCard(&'a str),
}

/// A group tip (TIM `GroupTipPayload`): a message in the group conversation.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupTip<'a> {
    /// What happened.
    pub op: TipOp,
    /// The group.
    pub group_id: &'a str,
    /// Who did it.
    pub operator: &'a str,
    /// To whom.
    pub users: UserList<'a>,
    /// Members after the change.
    pub member_count: u32,
    /// Details.
    pub change: TipChange<'a>,
}

/// Group system notice type (`TIM.TYPES.GRP_SYS_NOTICE` operation types);
/// [`NoticeOp::code`] is TIM's number.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NoticeOp {
    /// 1: someone applied to join (to the owner and admins).
    JoinRequest,
    /// 2: the application was accepted (to the applicant).
    Accepted,
    /// 3: the application was rejected (to the applicant).
    Rejected,
    /// 4: you were kicked.
    Kicked,
    /// 5: the group was dismissed.
    Dismissed,
    /// 6: you created the group.
    Created,
    /// 7: you were invited in.
    Invited,
    /// 8: you quit.
    Quit,
    /// 9: you became an admin.
    AdminSet,
    /// 10: you are no longer an admin.
    AdminRevoked,
    /// 255: an application-defined notice.
    Custom,
}

impl NoticeOp {
    /// TIM's `operationType` number.
    pub fn code(self) -> u8 {
        match self {
            NoticeOp::JoinRequest => 1,
            NoticeOp::Accepted => 2,
            NoticeOp::Rejected => 3,
            NoticeOp::Kicked => 4,
            NoticeOp::Dismissed => 5,
            NoticeOp::Created => 6,
            NoticeOp::Invited => 7,
            NoticeOp::Quit => 8,
            NoticeOp::AdminSet => 9,
            NoticeOp::AdminRevoked => 10,
            NoticeOp::Custom => 255,
        }
    }
}

/// A group system notice (TIM `GroupSystemNoticePayload`): a message in the
/// recipient's SYSTEM conversation.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupNotice<'a> {
    /// What happened.
    pub op: NoticeOp,
    /// The group.
    pub group_id: &'a str,
    /// The group's name.
    pub group_name: &'a str,
    /// Who did it (the applicant for a join request).
    pub operator: &'a str,
    /// The apply or handle message, or the kick reason.
    pub message: &'a str,
    /// Application data (custom notices).
    pub data: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_lists_skip_empty_entries() {
        let list = UserList("bob,,carol,");
        assert_eq!(list.len(), 2);
        assert!(list.iter().eq(["bob", "carol"]));
        assert!(UserList("").is_empty());
    }
}
