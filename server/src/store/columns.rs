//! Stored rows read into the store's row types, written once for every
//! database: each database's row type says how it reads a column of each
//! kind, and the enums' numbers are the same in every database.

use tinyim_core::wire::body::RemindType;
use tinyim_core::wire::group::{GroupRole, GroupType, JoinOption};
use tinyim_core::wire::user::{AllowType, Gender};

use super::{ApplicationRow, ConversationRow, GroupRow, MemberRow, ProfileRow, StoredMessage};

/// A result row of one database, read column by column (from 0).
pub(crate) trait Columns {
    /// The database's error.
    type Error;
    /// A text column.
    fn text(&self, at: usize) -> Result<String, Self::Error>;
    /// An integer column.
    fn int(&self, at: usize) -> Result<i64, Self::Error>;
    /// A byte-string column.
    fn bytes(&self, at: usize) -> Result<Vec<u8>, Self::Error>;
    /// A boolean column.
    fn flag(&self, at: usize) -> Result<bool, Self::Error>;
    /// The error for a value no row of ours holds.
    fn out_of_range(at: usize, value: i64) -> Self::Error;

    /// An unsigned 64-bit column: stored as the signed integer of the same
    /// bits, since neither database has unsigned 64-bit integers.
    fn u64(&self, at: usize) -> Result<u64, Self::Error> {
        self.int(at).map(|v| v as u64)
    }

    /// An unsigned 32-bit column.
    fn u32(&self, at: usize) -> Result<u32, Self::Error> {
        let v = self.int(at)?;
        u32::try_from(v).map_err(|_| Self::out_of_range(at, v))
    }
}

/// A stored u64 as the database's signed integer of the same bits.
pub(crate) fn to_sql(v: u64) -> i64 {
    v as i64
}

// The two lists on the send path as macros too, so its statements are
// constant strings (no formatting per call) that share them.
macro_rules! message_columns {
    () => {
        "conv_key, seq, sender, client_msg_id, time_ms, body, gseq"
    };
}
macro_rules! conversation_columns {
    () => {
        "owner, conv_id, conv_key, last_seq, read_seq, last_time_ms, last_from, preview, version, \
         peer_read_seq, hidden_seq, cleared_seq, pinned, remind, marks, data_digest"
    };
}
pub(crate) use {conversation_columns, message_columns};

/// The columns of [`message_at`], in its order.
pub(crate) const MESSAGE_COLUMNS: &str = message_columns!();

/// The columns of [`conversation_at`], in its order.
pub(crate) const CONVERSATION_COLUMNS: &str = conversation_columns!();

/// The columns of [`group_at`], in its order.
pub(crate) const GROUP_COLUMNS: &str = "group_id, group_type, name, introduction, notification, \
     avatar, owner, created_ms, max_members, join_option, mute_all, member_count, last_seq, \
     last_time_ms, last_from, preview, version";

/// How many columns [`group_at`] reads.
pub(crate) const GROUP_COLUMN_COUNT: usize = 17;

/// The columns of [`member_at`], in its order.
pub(crate) const MEMBER_COLUMNS: &str =
    "group_id, user_id, role, join_ms, join_seq, name_card, muted_until_ms, read_seq, version, \
     hidden_seq, cleared_seq, pinned, remind, marks, data_digest";

/// The columns of [`application_at`], in its order.
pub(crate) const APPLICATION_COLUMNS: &str = "group_id, applicant, message, time_ms";

/// The columns of [`profile_at`], in its order.
pub(crate) const PROFILE_COLUMNS: &str = "user_id, nick, gender, birthday, location, \
     self_signature, allow_type, language, avatar, level, role, updated_ms";

/// A message from the columns of [`MESSAGE_COLUMNS`].
pub(crate) fn message_at<R: Columns>(r: &R) -> Result<StoredMessage, R::Error> {
    Ok(StoredMessage {
        conv_key: r.text(0)?,
        seq: r.u64(1)?,
        sender: r.text(2)?,
        client_msg_id: r.u64(3)?,
        time_ms: r.u64(4)?,
        body: r.bytes(5)?,
        gseq: r.u64(6)?,
    })
}

/// A conversation row from the columns of [`CONVERSATION_COLUMNS`].
pub(crate) fn conversation_at<R: Columns>(r: &R) -> Result<ConversationRow, R::Error> {
    Ok(ConversationRow {
        owner: r.text(0)?,
        conv_id: r.text(1)?,
        conv_key: r.text(2)?,
        last_seq: r.u64(3)?,
        read_seq: r.u64(4)?,
        last_time_ms: r.u64(5)?,
        last_from: r.text(6)?,
        preview: r.text(7)?,
        version: r.u64(8)?,
        peer_read_seq: r.u64(9)?,
        hidden_seq: r.u64(10)?,
        cleared_seq: r.u64(11)?,
        pinned: r.flag(12)?,
        remind: remind_at(r, 13)?,
        marks: r.u64(14)?,
        data_digest: r.u64(15)?,
    })
}

/// A group from the columns of [`GROUP_COLUMNS`], starting at column `at`.
pub(crate) fn group_at<R: Columns>(r: &R, at: usize) -> Result<GroupRow, R::Error> {
    Ok(GroupRow {
        group_id: r.text(at)?,
        group_type: type_at(r, at + 1)?,
        name: r.text(at + 2)?,
        introduction: r.text(at + 3)?,
        notification: r.text(at + 4)?,
        avatar: r.text(at + 5)?,
        owner: r.text(at + 6)?,
        created_ms: r.u64(at + 7)?,
        max_members: r.u32(at + 8)?,
        join_option: join_from_code(r.int(at + 9)?).ok_or_else(|| bad(r, at + 9))?,
        mute_all: r.flag(at + 10)?,
        member_count: r.u32(at + 11)?,
        last_seq: r.u64(at + 12)?,
        last_time_ms: r.u64(at + 13)?,
        last_from: r.text(at + 14)?,
        preview: r.text(at + 15)?,
        version: r.u64(at + 16)?,
    })
}

/// A member from the columns of [`MEMBER_COLUMNS`], starting at column `at`.
pub(crate) fn member_at<R: Columns>(r: &R, at: usize) -> Result<MemberRow, R::Error> {
    Ok(MemberRow {
        group_id: r.text(at)?,
        user_id: r.text(at + 1)?,
        role: role_from_code(r.int(at + 2)?).ok_or_else(|| bad(r, at + 2))?,
        join_ms: r.u64(at + 3)?,
        join_seq: r.u64(at + 4)?,
        name_card: r.text(at + 5)?,
        muted_until_ms: r.u64(at + 6)?,
        read_seq: r.u64(at + 7)?,
        version: r.u64(at + 8)?,
        hidden_seq: r.u64(at + 9)?,
        cleared_seq: r.u64(at + 10)?,
        pinned: r.flag(at + 11)?,
        remind: remind_at(r, at + 12)?,
        marks: r.u64(at + 13)?,
        data_digest: r.u64(at + 14)?,
    })
}

/// A remind type's stored number.
fn remind_at<R: Columns>(r: &R, at: usize) -> Result<RemindType, R::Error> {
    let n = u8::try_from(r.int(at)?).map_err(|_| bad(r, at))?;
    Ok(RemindType::from_number(n))
}

/// An application from the columns of [`APPLICATION_COLUMNS`].
pub(crate) fn application_at<R: Columns>(r: &R) -> Result<ApplicationRow, R::Error> {
    Ok(ApplicationRow {
        group_id: r.text(0)?,
        applicant: r.text(1)?,
        message: r.text(2)?,
        time_ms: r.u64(3)?,
    })
}

/// A profile from the columns of [`PROFILE_COLUMNS`].
pub(crate) fn profile_at<R: Columns>(r: &R) -> Result<ProfileRow, R::Error> {
    Ok(ProfileRow {
        user_id: r.text(0)?,
        nick: r.text(1)?,
        gender: gender_from_code(r.int(2)?),
        birthday: r.u32(3)?,
        location: r.text(4)?,
        self_signature: r.text(5)?,
        allow_type: allow_from_code(r.int(6)?),
        language: r.u32(7)?,
        avatar: r.text(8)?,
        level: r.u32(9)?,
        role: r.u32(10)?,
        updated_ms: r.u64(11)?,
    })
}

/// A group type from column `at`.
pub(crate) fn type_at<R: Columns>(r: &R, at: usize) -> Result<GroupType, R::Error> {
    type_from_code(r.int(at)?).ok_or_else(|| bad(r, at))
}

fn bad<R: Columns>(r: &R, at: usize) -> R::Error {
    match r.int(at) {
        Ok(v) => R::out_of_range(at, v),
        Err(e) => e,
    }
}

/// A group type's stored number.
pub(crate) fn type_code(t: GroupType) -> i64 {
    match t {
        GroupType::Work => 0,
        GroupType::Public => 1,
        GroupType::Meeting => 2,
        GroupType::Community => 3,
        GroupType::AvChatRoom => 4,
    }
}

fn type_from_code(v: i64) -> Option<GroupType> {
    Some(match v {
        0 => GroupType::Work,
        1 => GroupType::Public,
        2 => GroupType::Meeting,
        3 => GroupType::Community,
        4 => GroupType::AvChatRoom,
        _ => return None,
    })
}

/// A member role's stored number.
pub(crate) fn role_code(r: GroupRole) -> i64 {
    match r {
        GroupRole::Owner => 0,
        GroupRole::Admin => 1,
        GroupRole::Member => 2,
    }
}

fn role_from_code(v: i64) -> Option<GroupRole> {
    Some(match v {
        0 => GroupRole::Owner,
        1 => GroupRole::Admin,
        2 => GroupRole::Member,
        _ => return None,
    })
}

/// A join option's stored number.
pub(crate) fn join_code(j: JoinOption) -> i64 {
    match j {
        JoinOption::FreeAccess => 0,
        JoinOption::NeedPermission => 1,
        JoinOption::DisableApply => 2,
    }
}

fn join_from_code(v: i64) -> Option<JoinOption> {
    Some(match v {
        0 => JoinOption::FreeAccess,
        1 => JoinOption::NeedPermission,
        2 => JoinOption::DisableApply,
        _ => return None,
    })
}

/// A gender's stored number.
pub(crate) fn gender_code(g: Gender) -> i64 {
    match g {
        Gender::Unknown => 0,
        Gender::Female => 1,
        Gender::Male => 2,
    }
}

fn gender_from_code(v: i64) -> Gender {
    match v {
        1 => Gender::Female,
        2 => Gender::Male,
        _ => Gender::Unknown,
    }
}

/// A friend-adding rule's stored number.
pub(crate) fn allow_code(a: AllowType) -> i64 {
    match a {
        AllowType::AllowAny => 0,
        AllowType::NeedConfirm => 1,
        AllowType::DenyAny => 2,
    }
}

fn allow_from_code(v: i64) -> AllowType {
    match v {
        0 => AllowType::AllowAny,
        2 => AllowType::DenyAny,
        _ => AllowType::NeedConfirm,
    }
}
