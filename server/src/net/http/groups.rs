//! `group_open_http_svc`: groups made and run by a backend. The owner's
//! calls are made as the group's owner (an administrator may run any
//! group, as in Tencent's), a message as its sender, a list as the member
//! it names, so every group rule, tip and notice is the one a client's
//! call gets.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tinyim_core::wire::body::{self, SendOk};
use tinyim_core::wire::extra::AT_ALL;
use tinyim_core::wire::group::{
    CreateGroup, GroupRecord, GroupRef, GroupType, ListPage, MemberChange, Priority, UserList,
};
use tinyim_core::wire::kind;
use tinyim_core::wire::records::{decode_exact, Records};

use super::accounts::fields;
use super::msg_body::{Content, MsgElem};
use super::reply::{ok, RestError, Service};
use super::{group_admin, parse, ticket, unknown, Call};
use crate::engine::AdminAct;

pub(super) const SERVICE: Service = Service::Group;

/// Users one call names at most (Tencent's 500).
pub(super) const MAX_USERS: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    #[serde(rename = "Member_Account")]
    account: String,
    #[serde(rename = "Role", default)]
    _role: Option<String>,
    #[serde(rename = "JoinTime", default)]
    _join_time: Option<u64>,
    #[serde(rename = "UnreadMsgNum", default)]
    _unread: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    #[serde(rename = "Owner_Account", default)]
    owner: Option<String>,
    #[serde(rename = "Type")]
    group_type: String,
    #[serde(rename = "GroupId", default)]
    group_id: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Introduction", default)]
    introduction: String,
    #[serde(rename = "Notification", default)]
    notification: String,
    #[serde(rename = "FaceUrl", default)]
    face_url: String,
    #[serde(rename = "MaxMemberCount", default)]
    max_members: u32,
    #[serde(rename = "ApplyJoinOption", default)]
    apply_join_option: Option<String>,
    #[serde(rename = "MemberList", default)]
    members: Vec<Member>,
    #[serde(rename = "AppDefinedData", default)]
    _app_defined_data: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    #[serde(rename = "GroupId")]
    group_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddMembers {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberList")]
    members: Vec<Member>,
    #[serde(rename = "Silence", default)]
    _silence: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteMembers {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberToDel_Account")]
    members: Vec<String>,
    #[serde(rename = "Silence", default)]
    _silence: Option<u32>,
    #[serde(rename = "Reason", default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendGroupMsg {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "From_Account", default)]
    from: Option<String>,
    #[serde(rename = "Random")]
    random: u32,
    #[serde(rename = "MsgBody")]
    body: Vec<MsgElem>,
    #[serde(rename = "MsgPriority", default)]
    priority: Option<String>,
    #[serde(rename = "OnlineOnlyFlag", default)]
    online_only: u32,
    #[serde(rename = "GroupAtInfo", default)]
    at: Vec<GroupAt>,
    #[serde(rename = "To_Account", default)]
    to: Option<Vec<String>>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: Option<String>,
    #[serde(rename = "ForbidCallbackControl", default)]
    forbid_callback: Vec<String>,
    /// `NoUnread`, `NoLastMsg`: TIM's `messageControlInfo`.
    #[serde(rename = "SendMsgControl", default)]
    send_control: Vec<String>,
    #[serde(rename = "OfflinePushInfo", default)]
    _offline_push: Option<Value>,
}

/// One entry of `GroupAtInfo`: everyone, or one member.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupAt {
    #[serde(rename = "GroupAtAllFlag", default)]
    all: u32,
    #[serde(rename = "GroupAt_Account", default)]
    account: Option<String>,
}

impl GroupAt {
    /// The entry of `MessageExtra::at_users` it stands for.
    fn user(&self) -> Result<&str, RestError> {
        match (self.all, self.account.as_deref()) {
            (1, _) => Ok(AT_ALL),
            (0, Some(account)) => Ok(account),
            _ => Err(SERVICE.invalid("GroupAtInfo: GroupAtAllFlag 1, or 0 with GroupAt_Account")),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportedMsg {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "SendTime")]
    time_secs: u64,
    #[serde(rename = "Random")]
    random: u32,
    #[serde(rename = "MsgBody")]
    body: Vec<MsgElem>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportGroupMsg {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "RecentContactFlag", default)]
    _recent_contact: Option<u32>,
    #[serde(rename = "MsgList")]
    messages: Vec<ImportedMsg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppGroups {
    #[serde(rename = "Limit", default)]
    limit: Option<u32>,
    #[serde(rename = "Next", default)]
    next: u64,
    #[serde(rename = "GroupType", default)]
    group_type: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupHistory {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "ReqMsgNumber")]
    count: u32,
    #[serde(rename = "ReqMsgSeq", default)]
    seq: Option<u64>,
    #[serde(rename = "WithRecalledMsg", default)]
    _with_recalled: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinedList {
    #[serde(rename = "Member_Account")]
    member: String,
    #[serde(rename = "Limit", default)]
    limit: Option<u32>,
    #[serde(rename = "Offset", default)]
    offset: u32,
    #[serde(rename = "GroupType", default)]
    group_type: Option<String>,
    #[serde(rename = "ResponseFilter", default)]
    _filter: Option<Value>,
}

pub(super) async fn call(
    call: &Call<'_>,
    command: &str,
    body: &[u8],
) -> Result<Response, RestError> {
    match command {
        "create_group" => create(call, parse(SERVICE, body)?).await,
        "destroy_group" => {
            let group: Group = parse(SERVICE, body)?;
            let owner = owner_of(call, &group.group_id).await?;
            let request = GroupRef {
                group_id: &group.group_id,
            };
            ask_as(call, &owner, kind::DISMISS_GROUP, &request).await?;
            Ok(ok(Map::new()))
        }
        "add_group_member" => {
            let add: AddMembers = parse(SERVICE, body)?;
            let users: Vec<String> = add.members.into_iter().map(|m| m.account).collect();
            SERVICE.accounts(&users, MAX_USERS)?;
            let owner = owner_of(call, &add.group_id).await?;
            let list = users.join(",");
            let change = MemberChange {
                group_id: &add.group_id,
                users: UserList(&list),
                reason: "",
            };
            ask_as(call, &owner, kind::ADD_MEMBERS, &change).await?;
            let results: Vec<Value> = users
                .iter()
                .map(|u| json!({"Member_Account": u, "Result": 1}))
                .collect();
            Ok(ok(fields([("MemberList", json!(results))])))
        }
        "delete_group_member" => {
            let delete: DeleteMembers = parse(SERVICE, body)?;
            SERVICE.accounts(&delete.members, MAX_USERS)?;
            let owner = owner_of(call, &delete.group_id).await?;
            let list = delete.members.join(",");
            let change = MemberChange {
                group_id: &delete.group_id,
                users: UserList(&list),
                reason: &delete.reason,
            };
            ask_as(call, &owner, kind::DELETE_MEMBERS, &change).await?;
            Ok(ok(Map::new()))
        }
        "send_group_msg" => send(call, parse(SERVICE, body)?).await,
        "get_joined_group_list" => joined(call, parse(SERVICE, body)?).await,
        "get_appid_group_list" => app_groups(call, parse(SERVICE, body)?).await,
        "import_group_msg" => import(call, parse(SERVICE, body)?).await,
        "group_msg_get_simple" => history(call, parse(SERVICE, body)?).await,
        "modify_group_base_info" => group_admin::modify_base(call, parse(SERVICE, body)?).await,
        "get_group_info" => group_admin::group_info(call, parse(SERVICE, body)?).await,
        "get_group_member_info" => group_admin::member_info(call, parse(SERVICE, body)?).await,
        "forbid_send_msg" => group_admin::forbid(call, parse(SERVICE, body)?).await,
        // Tencent's name, and the older one its Python client uses.
        "get_group_muted_account" | "get_group_shutted_uin" => {
            let group: Group = parse(SERVICE, body)?;
            group_admin::muted(call, &group.group_id).await
        }
        "change_group_owner" => group_admin::change_owner(call, parse(SERVICE, body)?).await,
        "get_online_member_num" => {
            let group: Group = parse(SERVICE, body)?;
            group_admin::online(call, &group.group_id).await
        }
        "modify_group_member_info" => group_admin::member(call, parse(SERVICE, body)?).await,
        "send_group_system_notification" => group_admin::notice(call, parse(SERVICE, body)?).await,
        "group_msg_recall" => group_admin::recall(call, parse(SERVICE, body)?).await,
        "get_role_in_group" => group_admin::roles(call, parse(SERVICE, body)?).await,
        _ => Err(unknown()),
    }
}

/// A group type by its REST name (or TIM's).
fn group_type(name: &str) -> Option<GroupType> {
    Some(match name {
        "Private" | "Work" => GroupType::Work,
        "Public" => GroupType::Public,
        "ChatRoom" | "Meeting" => GroupType::Meeting,
        "AVChatRoom" => GroupType::AvChatRoom,
        "Community" => GroupType::Community,
        _ => return None,
    })
}

async fn create(call: &Call<'_>, create: Create) -> Result<Response, RestError> {
    let group_type = group_type(&create.group_type)
        .ok_or_else(|| SERVICE.invalid(format!("no group type {:?}", create.group_type)))?;
    let join_option = match create.apply_join_option.as_deref() {
        None => group_type.default_join_option(),
        Some(name) => group_admin::join_option(name)?,
    };
    // Without an owner the administrator owns it: tinyim's groups always
    // have one.
    let owner = create
        .owner
        .as_deref()
        .filter(|o| !o.is_empty())
        .unwrap_or(call.admin);
    let members: Vec<String> = create
        .members
        .into_iter()
        .map(|m| m.account)
        .filter(|m| m != owner)
        .collect();
    members.iter().try_for_each(|m| SERVICE.account(m))?;
    let members = members.join(",");
    let request = CreateGroup {
        group_type,
        name: &create.name,
        group_id: &create.group_id,
        introduction: &create.introduction,
        notification: &create.notification,
        avatar: &create.face_url,
        max_members: create.max_members,
        join_option,
        members: UserList(&members),
    };
    let payload = ask_as(call, owner, kind::CREATE_GROUP, &request).await?;
    let group_id = Records::<GroupRecord<'_>>::new(&payload)
        .find_map(|r| match r {
            Ok(GroupRecord::Created { group_id }) => Some(group_id.to_owned()),
            _ => None,
        })
        .ok_or_else(|| SERVICE.internal())?;
    Ok(ok(fields([("GroupId", json!(group_id))])))
}

async fn send(call: &Call<'_>, send: SendGroupMsg) -> Result<Response, RestError> {
    if send.to.is_some() {
        return Err(SERVICE.invalid("tinyim has no messages to some members only (To_Account)"));
    }
    let content = Content::from_body(send.body, send.cloud_custom_data)
        .map_err(|why| SERVICE.invalid(why))?
        .with_send_control(&send.send_control);
    let priority = match send.priority.as_deref() {
        None | Some("Normal") => Priority::Normal,
        Some("High") => Priority::High,
        Some("Low") => Priority::Low,
        Some("Lowest") => Priority::Lowest,
        Some(other) => return Err(SERVICE.invalid(format!("no MsgPriority {other:?}"))),
    };
    let from = send
        .from
        .as_deref()
        .filter(|f| !f.is_empty())
        .unwrap_or(call.admin);
    SERVICE.account(from)?;
    let conversation = format!("GROUP{}", send.group_id);
    let at = send
        .at
        .iter()
        .map(GroupAt::user)
        .collect::<Result<Vec<_>, _>>()?
        .join(",");
    let request = body::SendMessage {
        conversation: &conversation,
        client_msg_id: u64::from(send.random),
        online_only: send.online_only == 1,
        priority,
        elem: content.elem(),
        extra: content.extra().with_at_users(&at),
    };
    let vet = !super::openim::forbids_before_send(&send.forbid_callback);
    let payload = ticket::send_as(&call.api.shared, from, &request, false, vet)
        .await
        .map_err(|e| SERVICE.refused(e))?;
    let sent: SendOk<'_> = decode_exact(&payload).map_err(|_| SERVICE.internal())?;
    Ok(ok(fields([
        ("MsgTime", json!(sent.time_ms / 1000)),
        ("MsgSeq", json!(sent.seq)),
    ])))
}

async fn joined(call: &Call<'_>, list: JoinedList) -> Result<Response, RestError> {
    SERVICE.account(&list.member)?;
    let wanted = match list.group_type.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            group_type(name).ok_or_else(|| SERVICE.invalid(format!("no group type {name:?}")))?,
        ),
    };
    // Every page of the member's list, then Tencent's window of it.
    let mut groups = Vec::new();
    let mut offset = 0;
    loop {
        let page = ListPage {
            group_id: "",
            offset,
            count: 100,
        };
        let payload = ask_as(call, &list.member, kind::GROUP_LIST, &page).await?;
        let mut next = None;
        for record in Records::<GroupRecord<'_>>::new(&payload) {
            match record.map_err(|_| SERVICE.internal())? {
                GroupRecord::Info(info) if wanted.is_none_or(|t| t == info.group_type) => {
                    groups.push((info.group_id.to_owned(), info.group_type));
                }
                GroupRecord::Page { next_offset, more } => next = more.then_some(next_offset),
                _ => {}
            }
        }
        match next {
            Some(n) if n > offset => offset = n,
            _ => break,
        }
    }
    let total = groups.len();
    let limit = list.limit.map_or(usize::MAX, |l| l as usize);
    let ids: Vec<Value> = groups
        .iter()
        .skip(list.offset as usize)
        .take(limit)
        .map(|(id, t)| json!({"GroupId": id, "Type": t.tim_name()}))
        .collect();
    Ok(ok(fields([
        ("TotalCount", json!(total)),
        ("GroupIdList", json!(ids)),
    ])))
}

/// Messages one `import_group_msg` takes at most (Tencent's 20).
const MAX_IMPORTED: usize = 20;

async fn import(call: &Call<'_>, import: ImportGroupMsg) -> Result<Response, RestError> {
    if import.messages.is_empty() || import.messages.len() > MAX_IMPORTED {
        return Err(SERVICE.invalid(format!("1 to {MAX_IMPORTED} messages a call")));
    }
    let mut messages = Vec::with_capacity(import.messages.len());
    for m in import.messages {
        SERVICE.account(&m.from)?;
        let content =
            Content::from_body(m.body, m.cloud_custom_data).map_err(|why| SERVICE.invalid(why))?;
        messages.push((
            m.from,
            u64::from(m.random),
            m.time_secs.saturating_mul(1000),
            content.stored_body(),
        ));
    }
    let act = AdminAct::ImportGroup {
        group_id: import.group_id,
        messages,
    };
    let payload = ticket::ask(&call.api.shared, act)
        .await
        .map_err(|e| SERVICE.refused(e))?;
    let stored: Vec<(u64, u64)> = decode_exact(&payload).map_err(|_| SERVICE.internal())?;
    let results: Vec<Value> = stored
        .iter()
        .map(|(seq, time_ms)| json!({"MsgSeq": seq, "MsgTime": time_ms / 1000, "Result": 0}))
        .collect();
    Ok(ok(fields([("ImportMsgResult", json!(results))])))
}

async fn app_groups(call: &Call<'_>, q: AppGroups) -> Result<Response, RestError> {
    let group_type = match q.group_type.as_str() {
        "" => None,
        name => Some(
            group_type(name).ok_or_else(|| SERVICE.invalid(format!("no group type {name:?}")))?,
        ),
    };
    let limit = q.limit.unwrap_or(10_000).clamp(1, 10_000) as usize;
    let act = AdminAct::AllGroups {
        group_type,
        offset: q.next,
        limit,
    };
    let payload = ticket::ask(&call.api.shared, act)
        .await
        .map_err(|e| SERVICE.refused(e))?;
    let (total, groups): (u64, Vec<(String, GroupType)>) =
        decode_exact(&payload).map_err(|_| SERVICE.internal())?;
    // The offset of the next page; 0 once there is none.
    let next = q.next + groups.len() as u64;
    let next = if next < total { next } else { 0 };
    let ids: Vec<Value> = groups
        .iter()
        .map(|(id, _)| json!({"GroupId": id}))
        .collect();
    Ok(ok(fields([
        ("TotalCount", json!(total)),
        ("GroupIdList", json!(ids)),
        ("Next", json!(next)),
    ])))
}

/// A group's messages, newest first, read as its owner.
async fn history(call: &Call<'_>, q: GroupHistory) -> Result<Response, RestError> {
    let owner = owner_of(call, &q.group_id).await?;
    let conversation = format!("GROUP{}", q.group_id);
    // `ReqMsgSeq` is the newest wanted; the engine reads below a seq.
    let before = q.seq.map_or(0, |seq| seq.saturating_add(1));
    let count = q.count.clamp(1, 20) as usize;
    let (found, more) = super::history::read_back(
        call,
        SERVICE,
        &owner,
        &conversation,
        before,
        count,
        0..=u64::MAX,
    )
    .await?;
    let list: Vec<Value> = found
        .iter()
        .map(|m| {
            json!({
                "From_Account": m.from,
                "IsPlaceMsg": 0,
                "MsgBody": m.body,
                "CloudCustomData": m.cloud_custom_data,
                "MsgPriority": 1,
                "MsgRandom": m.random,
                "MsgSeq": m.seq,
                "MsgTimeStamp": m.time_secs,
            })
        })
        .collect();
    Ok(ok(fields([
        ("GroupId", json!(q.group_id)),
        ("IsFinished", json!(u8::from(!more))),
        ("RspMsgList", json!(list)),
    ])))
}

pub(super) async fn owner_of(call: &Call<'_>, group_id: &str) -> Result<String, RestError> {
    let payload = ticket::ask(&call.api.shared, AdminAct::GroupOwner(group_id.to_owned()))
        .await
        .map_err(|e| SERVICE.refused(e))?;
    decode_exact::<String>(&payload).map_err(|_| SERVICE.internal())
}

pub(super) async fn ask_as<T: serde::Serialize>(
    call: &Call<'_>,
    user: &str,
    request_kind: u8,
    payload: &T,
) -> Result<Vec<u8>, RestError> {
    ticket::request_as(&call.api.shared, user, request_kind, payload)
        .await
        .map_err(|e| SERVICE.refused(e))
}
