//! Groups on the tokio client: owned forms of the core's group records,
//! tips and notices, and the calls that turn into core group commands.

use tinyim_core::wire::group::{
    CreateGroup, CustomField, GroupNotice, GroupRecord, GroupTip, ProfileChange, TipChange,
    UserList,
};
pub use tinyim_core::wire::group::{NoticeOp, TipOp};
use tinyim_core::{Client, CommandError, RequestId};
pub use tinyim_core::{GroupRole, GroupType, JoinOption, JoinStatus};

use tinyim_core::time::Instant;

/// TIM `createGroup` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOptions {
    /// The type.
    pub group_type: GroupType,
    /// Name, at most 30 bytes.
    pub name: String,
    /// A chosen id, or `None` for a server-made `@TGS#...` id.
    pub group_id: Option<String>,
    /// Introduction.
    pub introduction: String,
    /// Notification.
    pub notification: String,
    /// Avatar URL.
    pub avatar: String,
    /// Member limit, 0 for the type's maximum.
    pub max_members: u32,
    /// How others may join (Public and Community groups).
    pub join_option: JoinOption,
    /// Initial members besides the creator.
    pub members: Vec<String>,
}

impl GroupOptions {
    /// A group of `group_type` named `name` with every other option default
    /// (Public groups need approval to join).
    pub fn new(group_type: GroupType, name: &str) -> Self {
        GroupOptions {
            group_type,
            name: name.to_owned(),
            group_id: None,
            introduction: String::new(),
            notification: String::new(),
            avatar: String::new(),
            max_members: 0,
            join_option: group_type.default_join_option(),
            members: Vec::new(),
        }
    }
}

/// TIM `updateGroupProfile` options; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupProfileUpdate {
    /// New name.
    pub name: Option<String>,
    /// New introduction.
    pub introduction: Option<String>,
    /// New notification.
    pub notification: Option<String>,
    /// New avatar URL.
    pub avatar: Option<String>,
    /// New join option.
    pub join_option: Option<JoinOption>,
    /// Mute everyone but the owner and admins.
    pub mute_all: Option<bool>,
    /// One custom field to set (an empty value removes it).
    pub custom: Option<(String, String)>,
}

impl GroupProfileUpdate {
    fn as_change(&self) -> ProfileChange<'_> {
        ProfileChange {
            name: self.name.as_deref(),
            introduction: self.introduction.as_deref(),
            notification: self.notification.as_deref(),
            avatar: self.avatar.as_deref(),
            join_option: self.join_option,
            mute_all: self.mute_all,
            custom: self
                .custom
                .as_ref()
                .map(|(key, value)| CustomField { key, value }),
        }
    }

    fn from_change(c: &ProfileChange<'_>) -> Self {
        GroupProfileUpdate {
            name: c.name.map(str::to_owned),
            introduction: c.introduction.map(str::to_owned),
            notification: c.notification.map(str::to_owned),
            avatar: c.avatar.map(str::to_owned),
            join_option: c.join_option,
            mute_all: c.mute_all,
            custom: c.custom.map(|f| (f.key.to_owned(), f.value.to_owned())),
        }
    }
}

/// A group's profile (TIM `Group`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProfileInfo {
    /// TIM `groupID`.
    pub group_id: String,
    /// TIM `type`.
    pub group_type: GroupType,
    /// TIM `name`.
    pub name: String,
    /// TIM `introduction`.
    pub introduction: String,
    /// TIM `notification`.
    pub notification: String,
    /// TIM `avatar`.
    pub avatar: String,
    /// TIM `ownerID`.
    pub owner: String,
    /// TIM `createTime`, unix milliseconds.
    pub created_ms: u64,
    /// TIM `memberCount`.
    pub member_count: u32,
    /// TIM `maxMemberCount`.
    pub max_members: u32,
    /// TIM `joinOption`.
    pub join_option: JoinOption,
    /// TIM `muteAllMembers`.
    pub mute_all: bool,
    /// Seq of the newest message.
    pub last_seq: u64,
    /// TIM `groupCustomField` (members only).
    pub custom: Vec<(String, String)>,
}

/// A member (TIM `GroupMember`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMemberInfo {
    /// TIM `userID`.
    pub user_id: String,
    /// TIM `role`.
    pub role: GroupRole,
    /// TIM `joinTime`, unix milliseconds.
    pub join_ms: u64,
    /// TIM `nameCard`.
    pub name_card: String,
    /// TIM `muteUntil`, unix milliseconds.
    pub muted_until_ms: u64,
}

/// One page of `group_member_list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    /// The members.
    pub members: Vec<GroupMemberInfo>,
    /// Offset of the next page.
    pub next_offset: u32,
    /// Whether there are more.
    pub more: bool,
}

/// A pending join request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupApplicationInfo {
    /// The group.
    pub group_id: String,
    /// Who applied.
    pub applicant: String,
    /// The apply message.
    pub message: String,
    /// When, unix milliseconds.
    pub time_ms: u64,
}

/// One of the user's groups (TIM `getGroupList` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListEntry {
    /// TIM `groupID`.
    pub group_id: String,
    /// TIM `type`.
    pub group_type: GroupType,
    /// TIM `name`.
    pub name: String,
    /// TIM `selfInfo.role`.
    pub role: GroupRole,
    /// Unread messages.
    pub unread: u64,
    /// TIM `muteAllMembers`.
    pub mute_all: bool,
    /// The user is muted until this unix millisecond.
    pub muted_until_ms: u64,
}

impl From<tinyim_core::GroupView<'_>> for GroupListEntry {
    fn from(v: tinyim_core::GroupView<'_>) -> Self {
        GroupListEntry {
            group_id: v.group.id().to_owned(),
            group_type: v.group.group_type(),
            name: v.group.name().to_owned(),
            role: v.group.role(),
            unread: v.unread,
            mute_all: v.group.mute_all(),
            muted_until_ms: v.group.muted_until_ms(),
        }
    }
}

/// What a group tip reports beyond who did it to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipDetail {
    /// Nothing more.
    None,
    /// The changed group profile fields.
    Profile(GroupProfileUpdate),
    /// The new owner.
    Owner(String),
    /// Muted until this unix millisecond (0: unmuted).
    Mute(u64),
    /// A new name card.
    NameCard(String),
}

/// A group tip (TIM `GroupTipPayload`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTipInfo {
    /// TIM `operationType` (`TipOp::code` is the number).
    pub op: TipOp,
    /// The group.
    pub group_id: String,
    /// TIM `operatorID`.
    pub operator: String,
    /// TIM `userIDList`.
    pub users: Vec<String>,
    /// TIM `memberCount`.
    pub member_count: u32,
    /// Details.
    pub detail: TipDetail,
}

impl From<&GroupTip<'_>> for GroupTipInfo {
    fn from(t: &GroupTip<'_>) -> Self {
        GroupTipInfo {
            op: t.op,
            group_id: t.group_id.to_owned(),
            operator: t.operator.to_owned(),
            users: t.users.iter().map(str::to_owned).collect(),
            member_count: t.member_count,
            detail: match t.change {
                TipChange::None => TipDetail::None,
                TipChange::Profile(c) => TipDetail::Profile(GroupProfileUpdate::from_change(&c)),
                TipChange::Owner(o) => TipDetail::Owner(o.to_owned()),
                TipChange::Mute(until) => TipDetail::Mute(until),
                TipChange::NameCard(card) => TipDetail::NameCard(card.to_owned()),
            },
        }
    }
}

/// A group system notice (TIM `GroupSystemNoticePayload`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNoticeInfo {
    /// TIM `operationType` (`NoticeOp::code` is the number).
    pub op: NoticeOp,
    /// The group.
    pub group_id: String,
    /// The group's name.
    pub group_name: String,
    /// TIM `operatorID`.
    pub operator: String,
    /// TIM `handleMessage` (apply or handle message, kick reason).
    pub message: String,
    /// TIM `userDefinedField`.
    pub data: String,
}

impl From<&GroupNotice<'_>> for GroupNoticeInfo {
    fn from(n: &GroupNotice<'_>) -> Self {
        GroupNoticeInfo {
            op: n.op,
            group_id: n.group_id.to_owned(),
            group_name: n.group_name.to_owned(),
            operator: n.operator.to_owned(),
            message: n.message.to_owned(),
            data: n.data.to_owned(),
        }
    }
}

/// An owned record of a group call's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GroupData {
    Created(String),
    Join(JoinStatus),
    Profile(GroupProfileInfo),
    Custom(String, String),
    Member(GroupMemberInfo),
    Application(GroupApplicationInfo),
    OnlineCount(u32),
    Page { next_offset: u32, more: bool },
    Receipt(ReadReceiptInfo),
    ReceiptMember(String),
}

impl GroupData {
    /// The owned form of a record; `None` for records that only pushes carry.
    pub(crate) fn from_record(r: &GroupRecord<'_>) -> Option<Self> {
        Some(match *r {
            GroupRecord::Created { group_id } => GroupData::Created(group_id.to_owned()),
            GroupRecord::Join(status) => GroupData::Join(status),
            GroupRecord::Profile(p) => GroupData::Profile(GroupProfileInfo {
                group_id: p.group_id.to_owned(),
                group_type: p.group_type,
                name: p.name.to_owned(),
                introduction: p.introduction.to_owned(),
                notification: p.notification.to_owned(),
                avatar: p.avatar.to_owned(),
                owner: p.owner.to_owned(),
                created_ms: p.created_ms,
                member_count: p.member_count,
                max_members: p.max_members,
                join_option: p.join_option,
                mute_all: p.mute_all,
                last_seq: p.last_seq,
                custom: Vec::new(),
            }),
            GroupRecord::Custom(f) => GroupData::Custom(f.key.to_owned(), f.value.to_owned()),
            GroupRecord::Member(m) => GroupData::Member(GroupMemberInfo {
                user_id: m.user_id.to_owned(),
                role: m.role,
                join_ms: m.join_ms,
                name_card: m.name_card.to_owned(),
                muted_until_ms: m.muted_until_ms,
            }),
            GroupRecord::Application(a) => GroupData::Application(GroupApplicationInfo {
                group_id: a.group_id.to_owned(),
                applicant: a.applicant.to_owned(),
                message: a.message.to_owned(),
                time_ms: a.time_ms,
            }),
            GroupRecord::OnlineCount(n) => GroupData::OnlineCount(n),
            GroupRecord::Page { next_offset, more } => GroupData::Page { next_offset, more },
            GroupRecord::ReadReceipt(r) => GroupData::Receipt(ReadReceiptInfo::from(&r)),
            GroupRecord::ReceiptMember { user_id } => GroupData::ReceiptMember(user_id.to_owned()),
            GroupRecord::Info(_) | GroupRecord::Left { .. } => return None,
        })
    }
}

/// A group call, owned so it can cross to the driver task.
#[derive(Debug, Clone)]
pub(crate) enum GroupCall {
    Create(GroupOptions),
    Dismiss(String),
    UpdateProfile(String, GroupProfileUpdate),
    Profile(String),
    Search(String),
    Join(String, String),
    Applications(u32),
    HandleApplication {
        group_id: String,
        applicant: String,
        agree: bool,
        message: String,
    },
    Quit(String),
    AddMembers(String, String),
    DeleteMembers(String, String, String),
    SetRole(String, String, GroupRole),
    Mute(String, String, u32),
    NameCard(String, String, String),
    ChangeOwner(String, String),
    MemberList(String, u32, u16),
    MemberProfile(String, String),
    OnlineCount(String),
    Notice(String, String, String),
    /// Receipts for these messages (seqs joined by spaces).
    SendReceipts(String, String),
    /// The receipt counts of these messages (seqs joined by spaces).
    Receipts(String, String),
    /// A page of a message's readers (`read`) or non-readers: group,
    /// seq, read, offset.
    ReceiptMembers(String, u64, bool, u32),
}

impl GroupCall {
    /// Hands the call to the core.
    pub(crate) fn issue(
        &self,
        client: &mut Client<'_>,
        now: Instant,
    ) -> Result<RequestId, CommandError> {
        match self {
            GroupCall::Create(o) => {
                let members = o.members.join(",");
                client.create_group(
                    now,
                    &CreateGroup {
                        group_type: o.group_type,
                        name: &o.name,
                        group_id: o.group_id.as_deref().unwrap_or(""),
                        introduction: &o.introduction,
                        notification: &o.notification,
                        avatar: &o.avatar,
                        max_members: o.max_members,
                        join_option: o.join_option,
                        members: UserList(&members),
                    },
                )
            }
            GroupCall::Dismiss(g) => client.dismiss_group(now, g),
            GroupCall::UpdateProfile(g, u) => client.update_group_profile(now, g, &u.as_change()),
            GroupCall::Profile(g) => client.group_profile(now, g),
            GroupCall::Search(g) => client.search_group_by_id(now, g),
            GroupCall::Join(g, message) => client.join_group(now, g, message),
            GroupCall::Applications(offset) => client.group_application_list(now, *offset, 100),
            GroupCall::HandleApplication {
                group_id,
                applicant,
                agree,
                message,
            } => client.handle_group_application(now, group_id, applicant, *agree, message),
            GroupCall::Quit(g) => client.quit_group(now, g),
            GroupCall::AddMembers(g, users) => client.add_group_member(now, g, users),
            GroupCall::DeleteMembers(g, users, reason) => {
                client.delete_group_member(now, g, users, reason)
            }
            GroupCall::SetRole(g, user, role) => client.set_group_member_role(now, g, user, *role),
            GroupCall::Mute(g, user, secs) => {
                client.set_group_member_mute_time(now, g, user, *secs)
            }
            GroupCall::NameCard(g, user, card) => {
                client.set_group_member_name_card(now, g, user, card)
            }
            GroupCall::ChangeOwner(g, user) => client.change_group_owner(now, g, user),
            GroupCall::MemberList(g, offset, count) => {
                client.group_member_list(now, g, *offset, *count)
            }
            GroupCall::MemberProfile(g, users) => client.group_member_profile(now, g, users),
            GroupCall::OnlineCount(g) => client.group_online_member_count(now, g),
            GroupCall::Notice(g, users, data) => client.send_group_notice(now, g, users, data),
            GroupCall::SendReceipts(g, seqs) => client.send_message_read_receipt(now, g, seqs),
            GroupCall::Receipts(g, seqs) => client.message_read_receipts(now, g, seqs),
            GroupCall::ReceiptMembers(g, seq, read, offset) => {
                client.group_message_read_members(now, g, *seq, *read, (*offset, 100))
            }
        }
    }
}

/// A group message's read receipt counts (TIM `readReceiptInfo`, and
/// `MESSAGE_READ_RECEIPT_RECEIVED`'s entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadReceiptInfo {
    /// TIM `groupID`.
    pub group_id: String,
    /// The message's seq.
    pub seq: u64,
    /// TIM `readCount`: members who read it.
    pub read_count: u32,
    /// TIM `unreadCount`: members it went to who have not.
    pub unread_count: u32,
}

impl From<&tinyim_core::wire::receipt::ReadReceipt<'_>> for ReadReceiptInfo {
    fn from(r: &tinyim_core::wire::receipt::ReadReceipt<'_>) -> Self {
        ReadReceiptInfo {
            group_id: r.group_id.to_owned(),
            seq: r.seq,
            read_count: r.read_count,
            unread_count: r.unread_count,
        }
    }
}
