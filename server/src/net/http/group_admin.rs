//! `group_open_http_svc`, the calls that run an existing group: its
//! profile, its members' roles and mutes, its owner, custom notices and
//! recalls. Each is the owner's client call, made as the owner.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tinyim_core::wire::body::MessageRef;
use tinyim_core::wire::group::{
    ChangeOwner, CustomField, CustomNotice, GroupMember, GroupProfile, GroupRecord, GroupRef,
    GroupRole, JoinOption, ListPage, MemberChange, ProfileChange, SetMemberMute, SetMemberRole,
    SetNameCard, UpdateGroupProfile, UserList,
};
use tinyim_core::wire::kind;
use tinyim_core::wire::records::Records;

use super::accounts::fields;
use super::groups::{ask_as, owner_of, MAX_USERS, SERVICE};
use super::reply::{ok, RestError};
use super::Call;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ModifyBase {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "Introduction", default)]
    introduction: Option<String>,
    #[serde(rename = "Notification", default)]
    notification: Option<String>,
    #[serde(rename = "FaceUrl", default)]
    face_url: Option<String>,
    #[serde(rename = "ApplyJoinOption", default)]
    apply_join_option: Option<String>,
    /// Tencent's newer name, and the older one its Python client sends.
    #[serde(rename = "MuteAllMember", alias = "ShutUpAllMember", default)]
    mute_all: Option<String>,
    #[serde(rename = "MaxMemberNum", default)]
    max_members: Option<u32>,
    #[serde(rename = "AppDefinedData", default)]
    custom: Vec<AppData>,
}

/// A custom group field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AppData {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupInfoQuery {
    #[serde(rename = "GroupIdList")]
    groups: Vec<String>,
    #[serde(rename = "ResponseFilter", default)]
    _filter: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MemberInfoQuery {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Limit", default)]
    limit: Option<u32>,
    #[serde(rename = "Offset", default)]
    offset: u32,
    #[serde(rename = "Next", default)]
    _next: Option<String>,
    #[serde(rename = "MemberInfoFilter", default)]
    _member_filter: Option<Value>,
    #[serde(rename = "MemberRoleFilter", default)]
    _role_filter: Option<Value>,
    #[serde(rename = "AppDefinedDataFilter_GroupMember", default)]
    _data_filter: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Forbid {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Members_Account")]
    members: Vec<String>,
    #[serde(rename = "MuteTime", alias = "ShutUpTime")]
    mute_secs: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MemberInfo {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Member_Account")]
    member: String,
    #[serde(rename = "Role", default)]
    role: Option<String>,
    #[serde(rename = "NameCard", default)]
    name_card: Option<String>,
    #[serde(rename = "MuteTime", alias = "ShutUpTime", default)]
    mute_secs: Option<u32>,
    #[serde(rename = "MsgFlag", default)]
    _msg_flag: Option<String>,
    #[serde(rename = "AppMemberDefinedData", default)]
    custom: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewOwner {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "NewOwner_Account")]
    new_owner: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Notice {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "ToMembers_Account", default)]
    to: Vec<String>,
    #[serde(rename = "Content")]
    content: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeqItem {
    /// A number, or (as Tencent's Python client sends it) a string of one.
    #[serde(rename = "MsgSeq")]
    seq: Value,
}

impl SeqItem {
    fn seq(&self) -> Result<u64, RestError> {
        match &self.seq {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| SERVICE.invalid(format!("MsgSeq {} is not a seq", self.seq)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Recall {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgSeqList")]
    seqs: Vec<SeqItem>,
    #[serde(rename = "Reason", default)]
    _reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Roles {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "User_Account")]
    users: Vec<String>,
}

/// Tencent's name for a role.
fn role_name(role: GroupRole) -> &'static str {
    match role {
        GroupRole::Owner => "Owner",
        GroupRole::Admin => "Admin",
        GroupRole::Member => "Member",
    }
}

fn join_option_name(option: JoinOption) -> &'static str {
    match option {
        JoinOption::FreeAccess => "FreeAccess",
        JoinOption::NeedPermission => "NeedPermission",
        JoinOption::DisableApply => "DisableApply",
    }
}

/// `JoinOption` by Tencent's name.
pub(super) fn join_option(name: &str) -> Result<JoinOption, RestError> {
    match name {
        "FreeAccess" => Ok(JoinOption::FreeAccess),
        "NeedPermission" => Ok(JoinOption::NeedPermission),
        "DisableApply" => Ok(JoinOption::DisableApply),
        other => Err(SERVICE.invalid(format!("no ApplyJoinOption {other:?}"))),
    }
}

pub(super) async fn modify_base(call: &Call<'_>, m: ModifyBase) -> Result<Response, RestError> {
    let mute_all = match m.mute_all.as_deref() {
        None => None,
        Some("On") => Some(true),
        Some("Off") => Some(false),
        Some(other) => {
            return Err(SERVICE.invalid(format!("MuteAllMember is On or Off, not {other:?}")))
        }
    };
    if m.max_members.is_some() {
        return Err(SERVICE.invalid("tinyim keeps a group's MaxMemberNum as it was made"));
    }
    let custom = match m.custom.as_slice() {
        [] => None,
        [one] => Some(CustomField {
            key: &one.key,
            value: &one.value,
        }),
        _ => return Err(SERVICE.invalid("one AppDefinedData field a call")),
    };
    let change = ProfileChange {
        name: m.name.as_deref(),
        introduction: m.introduction.as_deref(),
        notification: m.notification.as_deref(),
        avatar: m.face_url.as_deref(),
        join_option: m
            .apply_join_option
            .as_deref()
            .map(join_option)
            .transpose()?,
        mute_all,
        custom,
    };
    if change.is_empty() {
        return Err(SERVICE.invalid("nothing to change"));
    }
    let owner = owner_of(call, &m.group_id).await?;
    let request = UpdateGroupProfile {
        group_id: &m.group_id,
        change,
    };
    ask_as(call, &owner, kind::UPDATE_GROUP_PROFILE, &request).await?;
    Ok(ok(Map::new()))
}

pub(super) async fn group_info(call: &Call<'_>, q: GroupInfoQuery) -> Result<Response, RestError> {
    if q.groups.is_empty() || q.groups.len() > 50 {
        return Err(SERVICE.invalid("1 to 50 groups a call"));
    }
    let mut infos = Vec::with_capacity(q.groups.len());
    for group_id in &q.groups {
        let info = match profile(call, group_id).await {
            Ok(info) => info,
            Err(e) => json!({"GroupId": group_id, "ErrorCode": e.code, "ErrorInfo": e.info}),
        };
        infos.push(info);
    }
    Ok(ok(fields([("GroupInfo", json!(infos))])))
}

/// One group's profile in Tencent's words.
async fn profile(call: &Call<'_>, group_id: &str) -> Result<Value, RestError> {
    let owner = owner_of(call, group_id).await?;
    let payload = ask_as(call, &owner, kind::GROUP_PROFILE, &GroupRef { group_id }).await?;
    let profile: GroupProfile<'_> = Records::<GroupRecord<'_>>::new(&payload)
        .find_map(|r| match r {
            Ok(GroupRecord::Profile(p)) => Some(p),
            _ => None,
        })
        .ok_or_else(|| SERVICE.internal())?;
    Ok(json!({
        "GroupId": profile.group_id,
        "ErrorCode": 0,
        "ErrorInfo": "",
        "Type": profile.group_type.tim_name(),
        "Name": profile.name,
        "Introduction": profile.introduction,
        "Notification": profile.notification,
        "FaceUrl": profile.avatar,
        "Owner_Account": profile.owner,
        "CreateTime": profile.created_ms / 1000,
        "MemberNum": profile.member_count,
        "MaxMemberNum": profile.max_members,
        "ApplyJoinOption": join_option_name(profile.join_option),
        "ShutUpAllMember": if profile.mute_all { "On" } else { "Off" },
        "NextMsgSeq": profile.last_seq + 1,
    }))
}

/// Every member of `group_id` from `offset`, a page at a time.
async fn members(
    call: &Call<'_>,
    owner: &str,
    group_id: &str,
    mut offset: u32,
    limit: usize,
) -> Result<Vec<Value>, RestError> {
    let mut all = Vec::new();
    while all.len() < limit {
        let page = ListPage {
            group_id,
            offset,
            count: 100,
        };
        let payload = ask_as(call, owner, kind::MEMBER_LIST, &page).await?;
        let mut next = None;
        for record in Records::<GroupRecord<'_>>::new(&payload) {
            match record.map_err(|_| SERVICE.internal())? {
                GroupRecord::Member(m) => all.push(member_json(&m)),
                GroupRecord::Page { next_offset, more } => next = more.then_some(next_offset),
                _ => {}
            }
        }
        match next {
            Some(n) if n > offset => offset = n,
            _ => break,
        }
    }
    all.truncate(limit);
    Ok(all)
}

fn member_json(m: &GroupMember<'_>) -> Value {
    json!({
        "Member_Account": m.user_id,
        "Role": role_name(m.role),
        "JoinTime": m.join_ms / 1000,
        "NameCard": m.name_card,
        "ShutUpUntil": m.muted_until_ms / 1000,
    })
}

pub(super) async fn member_info(
    call: &Call<'_>,
    q: MemberInfoQuery,
) -> Result<Response, RestError> {
    let owner = owner_of(call, &q.group_id).await?;
    let limit = q.limit.map_or(usize::MAX, |l| l as usize);
    let list = members(call, &owner, &q.group_id, q.offset, limit).await?;
    let total = members(call, &owner, &q.group_id, 0, usize::MAX)
        .await?
        .len();
    Ok(ok(fields([
        ("MemberNum", json!(total)),
        ("MemberList", json!(list)),
    ])))
}

pub(super) async fn muted(call: &Call<'_>, group_id: &str) -> Result<Response, RestError> {
    let owner = owner_of(call, group_id).await?;
    let now_secs = super::super::engine_thread::now_ms() / 1000;
    let muted: Vec<Value> = members(call, &owner, group_id, 0, usize::MAX)
        .await?
        .into_iter()
        .filter(|m| {
            m["ShutUpUntil"]
                .as_u64()
                .is_some_and(|until| until > now_secs)
        })
        .map(|m| json!({"Member_Account": m["Member_Account"], "ShuttedUntil": m["ShutUpUntil"]}))
        .collect();
    Ok(ok(fields([("ShuttedUinList", json!(muted))])))
}

/// `get_online_member_num`: an AVChatRoom's members online now.
pub(super) async fn online(call: &Call<'_>, group_id: &str) -> Result<Response, RestError> {
    let owner = owner_of(call, group_id).await?;
    let payload = ask_as(
        call,
        &owner,
        kind::ONLINE_MEMBER_COUNT,
        &GroupRef { group_id },
    )
    .await?;
    let online = Records::<GroupRecord<'_>>::new(&payload)
        .find_map(|r| match r {
            Ok(GroupRecord::OnlineCount(n)) => Some(n),
            _ => None,
        })
        .ok_or_else(|| SERVICE.internal())?;
    Ok(ok(fields([("OnlineMemberNum", json!(online))])))
}

pub(super) async fn forbid(call: &Call<'_>, f: Forbid) -> Result<Response, RestError> {
    SERVICE.accounts(&f.members, MAX_USERS)?;
    let owner = owner_of(call, &f.group_id).await?;
    for user in &f.members {
        let request = SetMemberMute {
            group_id: &f.group_id,
            user_id: user,
            mute_secs: f.mute_secs,
        };
        ask_as(call, &owner, kind::SET_MEMBER_MUTE, &request).await?;
    }
    Ok(ok(Map::new()))
}

/// `modify_group_member_info`: a member's role, name card and mute, each
/// the owner's call.
pub(super) async fn member(call: &Call<'_>, m: MemberInfo) -> Result<Response, RestError> {
    SERVICE.accounts(std::slice::from_ref(&m.member), MAX_USERS)?;
    let role = match m.role.as_deref() {
        None => None,
        Some("Admin") => Some(GroupRole::Admin),
        Some("Member") => Some(GroupRole::Member),
        Some(other) => {
            return Err(SERVICE.invalid(format!("Role is Admin or Member, not {other:?}")))
        }
    };
    if !m.custom.is_empty() {
        return Err(SERVICE.invalid("tinyim keeps no custom member fields"));
    }
    if role.is_none() && m.name_card.is_none() && m.mute_secs.is_none() {
        return Err(SERVICE.invalid("nothing to change"));
    }
    let owner = owner_of(call, &m.group_id).await?;
    let (group_id, user_id) = (m.group_id.as_str(), m.member.as_str());
    if let Some(role) = role {
        let request = SetMemberRole {
            group_id,
            user_id,
            role,
        };
        ask_as(call, &owner, kind::SET_MEMBER_ROLE, &request).await?;
    }
    if let Some(name_card) = m.name_card.as_deref() {
        let request = SetNameCard {
            group_id,
            user_id,
            name_card,
        };
        ask_as(call, &owner, kind::SET_NAME_CARD, &request).await?;
    }
    if let Some(mute_secs) = m.mute_secs {
        let request = SetMemberMute {
            group_id,
            user_id,
            mute_secs,
        };
        ask_as(call, &owner, kind::SET_MEMBER_MUTE, &request).await?;
    }
    Ok(ok(Map::new()))
}

pub(super) async fn change_owner(call: &Call<'_>, n: NewOwner) -> Result<Response, RestError> {
    SERVICE.accounts(std::slice::from_ref(&n.new_owner), MAX_USERS)?;
    let owner = owner_of(call, &n.group_id).await?;
    let request = ChangeOwner {
        group_id: &n.group_id,
        new_owner: &n.new_owner,
    };
    ask_as(call, &owner, kind::CHANGE_OWNER, &request).await?;
    Ok(ok(Map::new()))
}

pub(super) async fn notice(call: &Call<'_>, n: Notice) -> Result<Response, RestError> {
    if !n.to.is_empty() {
        SERVICE.accounts(&n.to, MAX_USERS)?;
    }
    let owner = owner_of(call, &n.group_id).await?;
    let users = n.to.join(",");
    let request = CustomNotice {
        group_id: &n.group_id,
        users: UserList(&users),
        data: &n.content,
    };
    ask_as(call, &owner, kind::CUSTOM_NOTICE, &request).await?;
    Ok(ok(Map::new()))
}

pub(super) async fn recall(call: &Call<'_>, r: Recall) -> Result<Response, RestError> {
    if r.seqs.is_empty() {
        return Err(SERVICE.invalid("no MsgSeqList entry"));
    }
    let owner = owner_of(call, &r.group_id).await?;
    let conversation = format!("GROUP{}", r.group_id);
    let seqs: Vec<u64> = r.seqs.iter().map(SeqItem::seq).collect::<Result<_, _>>()?;
    let mut results = Vec::with_capacity(seqs.len());
    for seq in seqs {
        let request = MessageRef {
            conversation: &conversation,
            seq,
        };
        let code = match ask_as(call, &owner, kind::REVOKE_MESSAGE, &request).await {
            Ok(_) => 0,
            Err(e) => e.code,
        };
        results.push(json!({"MsgSeq": seq, "RetCode": code}));
    }
    Ok(ok(fields([("RecallRetList", json!(results))])))
}

pub(super) async fn roles(call: &Call<'_>, r: Roles) -> Result<Response, RestError> {
    SERVICE.accounts(&r.users, MAX_USERS)?;
    let owner = owner_of(call, &r.group_id).await?;
    let users = r.users.join(",");
    let request = MemberChange {
        group_id: &r.group_id,
        users: UserList(&users),
        reason: "",
    };
    let payload = ask_as(call, &owner, kind::MEMBER_PROFILE, &request).await?;
    let mut found = std::collections::HashMap::new();
    for record in Records::<GroupRecord<'_>>::new(&payload) {
        if let GroupRecord::Member(m) = record.map_err(|_| SERVICE.internal())? {
            found.insert(m.user_id.to_owned(), role_name(m.role));
        }
    }
    let roles: Vec<Value> = r
        .users
        .iter()
        .map(|u| json!({"Member_Account": u, "Role": found.get(u).copied().unwrap_or("NotMember")}))
        .collect();
    Ok(ok(fields([("UserIdList", json!(roles))])))
}
