//! `openim`: one-to-one messages from a backend, and who is online.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tinyim_core::wire::body::{self, DeviceClass};
use tinyim_core::wire::kind;
use tinyim_core::wire::records::decode_exact;

use super::accounts::fields;
use super::msg_body::{Content, MsgElem};
use super::reply::{ok, RestError, Service};
use super::{history, parse, ticket, unknown, Call};
use crate::engine::{AdminAct, Presence};

const SERVICE: Service = Service::OpenIm;

/// Recipients one `batchsendmsg` or `query_online_status` takes at most.
const MAX_ACCOUNTS: usize = 500;

/// Tencent's code for a `MsgBody` it cannot take.
const BAD_MSG_BODY: u32 = 90002;

/// `sendmsg` and `batchsendmsg`: what they share. The fields tinyim has no
/// use for (push and callback controls, read receipts, extensions) are
/// taken and ignored, so Tencent's clients can send them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Send<To> {
    /// 1 (the default): the sender's own devices get the message too; 2:
    /// they do not.
    #[serde(rename = "SyncOtherMachine", default)]
    sync_other_machine: Option<u32>,
    #[serde(rename = "From_Account", default)]
    from: Option<String>,
    #[serde(rename = "To_Account")]
    to: To,
    #[serde(rename = "MsgLifeTime", default)]
    life_time: Option<u32>,
    #[serde(rename = "MsgSeq", default)]
    _seq: Option<u64>,
    #[serde(rename = "MsgRandom")]
    random: u32,
    #[serde(rename = "MsgBody")]
    body: Vec<MsgElem>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: Option<String>,
    /// `ForbidBeforeSendMsgCallback` keeps the message from the
    /// before-send callback (the after-callback is always made).
    #[serde(rename = "ForbidCallbackControl", default)]
    forbid_callback: Vec<String>,
    /// `NoUnread`, `NoLastMsg`: TIM's `messageControlInfo`.
    #[serde(rename = "SendMsgControl", default)]
    send_control: Vec<String>,
    #[serde(rename = "OfflinePushInfo", default)]
    _offline_push: Option<Value>,
    #[serde(rename = "IsNeedReadReceipt", default)]
    _read_receipt: Option<u32>,
    #[serde(rename = "SupportMessageExtension", default)]
    _extension: Option<u32>,
}

/// `importmsg`: a message of the past. `SyncFromOldSystem` 1 counts it as
/// unread for the receiver, 2 does not.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Import {
    #[serde(rename = "SyncFromOldSystem")]
    sync_from_old_system: u32,
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: String,
    #[serde(rename = "MsgSeq", default)]
    _seq: Option<u64>,
    #[serde(rename = "MsgRandom")]
    random: u32,
    #[serde(rename = "MsgTimeStamp")]
    time_secs: u64,
    #[serde(rename = "MsgBody")]
    body: Vec<MsgElem>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: Option<String>,
    #[serde(rename = "SyncOtherMachine", default)]
    _sync_other_machine: Option<u32>,
}

/// `admin_getroammsg`: Tencent's newer field names, and the older ones its
/// Python client sends.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Roam {
    #[serde(rename = "Operator_Account", alias = "From_Account")]
    operator: String,
    #[serde(rename = "Peer_Account", alias = "To_Account")]
    peer: String,
    #[serde(rename = "MaxCnt")]
    max: u32,
    #[serde(rename = "MinTime")]
    min_time: u64,
    #[serde(rename = "MaxTime")]
    max_time: u64,
    #[serde(rename = "LastMsgKey", default)]
    last_key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Withdraw {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: String,
    #[serde(rename = "MsgKey")]
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetRead {
    #[serde(rename = "Report_Account")]
    reader: String,
    #[serde(rename = "Peer_Account")]
    peer: String,
    #[serde(rename = "MsgReadTime", default)]
    _read_time: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unread {
    #[serde(rename = "To_Account")]
    user: String,
    #[serde(rename = "Peer_Account", default)]
    peers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnlineQuery {
    #[serde(rename = "To_Account")]
    to: Vec<String>,
    #[serde(rename = "IsNeedDetail", default)]
    need_detail: u32,
}

pub(super) async fn call(
    call: &Call<'_>,
    command: &str,
    body: &[u8],
) -> Result<Response, RestError> {
    match command {
        "sendmsg" => {
            let send: Send<String> = parse(SERVICE, body)?;
            let how = how(&send)?;
            let content =
                content(send.body, send.cloud_custom_data)?.with_send_control(&send.send_control);
            let from = sender(call, send.from.as_deref())?;
            SERVICE.account(&send.to)?;
            let sent = send_one(call, from, &send.to, send.random, how, &content).await?;
            Ok(ok(fields([
                ("MsgTime", json!(sent.time_ms / 1000)),
                ("MsgKey", json!(msg_key(&sent, send.random))),
            ])))
        }
        "batchsendmsg" => {
            let send: Send<Vec<String>> = parse(SERVICE, body)?;
            let how = how(&send)?;
            let content =
                content(send.body, send.cloud_custom_data)?.with_send_control(&send.send_control);
            let from = sender(call, send.from.as_deref())?;
            SERVICE.count(send.to.len(), MAX_ACCOUNTS)?;
            let mut errors = Vec::new();
            let mut key = None;
            for to in &send.to {
                let sent = match SERVICE.account(to) {
                    Ok(()) => send_one(call, from, to, send.random, how, &content).await,
                    Err(e) => Err(e),
                };
                match sent {
                    Ok(sent) => key = key.or_else(|| Some(msg_key(&sent, send.random))),
                    Err(e) => errors.push(json!({"To_Account": to, "ErrorCode": e.code})),
                }
            }
            let mut answer = fields([("MsgKey", json!(key.unwrap_or_default()))]);
            if !errors.is_empty() {
                answer.insert("ErrorList".into(), json!(errors));
            }
            Ok(ok(answer))
        }
        "query_online_status" => {
            let query: OnlineQuery = parse(SERVICE, body)?;
            SERVICE.accounts(&query.to, MAX_ACCOUNTS)?;
            let payload = ticket::ask(&call.api.shared, AdminAct::Online(query.to.clone()))
                .await
                .map_err(|e| SERVICE.refused(e))?;
            let presence: Vec<Presence> = decode_exact(&payload).map_err(|_| SERVICE.internal())?;
            let results: Vec<Value> = query
                .to
                .iter()
                .zip(presence)
                .map(|(user, p)| online_entry(user, &p, query.need_detail == 1))
                .collect();
            Ok(ok(fields([("QueryResult", json!(results))])))
        }
        "admin_getroammsg" => roam(call, parse(SERVICE, body)?).await,
        "importmsg" => {
            let import: Import = parse(SERVICE, body)?;
            let unread = match import.sync_from_old_system {
                1 => true,
                2 => false,
                other => {
                    return Err(SERVICE.invalid(format!("SyncFromOldSystem is 1 or 2, not {other}")))
                }
            };
            SERVICE.account(&import.from)?;
            SERVICE.account(&import.to)?;
            let content = content(import.body, import.cloud_custom_data)?;
            let act = AdminAct::ImportC2c {
                from: import.from,
                to: import.to,
                random: u64::from(import.random),
                time_ms: import.time_secs.saturating_mul(1000),
                body: content.stored_body(),
                unread,
            };
            ticket::ask(&call.api.shared, act)
                .await
                .map_err(|e| SERVICE.refused(e))?;
            Ok(ok(Map::new()))
        }
        "admin_msgwithdraw" => {
            let w: Withdraw = parse(SERVICE, body)?;
            SERVICE.account(&w.from)?;
            SERVICE.account(&w.to)?;
            let conversation = format!("C2C{}", w.to);
            let request = body::MessageRef {
                conversation: &conversation,
                seq: seq_of_key(&w.key)?,
            };
            ticket::request_as(&call.api.shared, &w.from, kind::REVOKE_MESSAGE, &request)
                .await
                .map_err(|e| SERVICE.refused(e))?;
            Ok(ok(Map::new()))
        }
        "admin_set_msg_read" => {
            let r: SetRead = parse(SERVICE, body)?;
            SERVICE.account(&r.reader)?;
            SERVICE.account(&r.peer)?;
            let conversation = format!("C2C{}", r.peer);
            let request = body::SetRead {
                conversation: &conversation,
                seq: u64::MAX,
            };
            ticket::request_as(&call.api.shared, &r.reader, kind::SET_READ, &request)
                .await
                .map_err(|e| SERVICE.refused(e))?;
            Ok(ok(Map::new()))
        }
        "get_c2c_unread_msg_num" => {
            let u: Unread = parse(SERVICE, body)?;
            SERVICE.account(&u.user)?;
            u.peers.iter().try_for_each(|p| SERVICE.account(p))?;
            let act = AdminAct::C2cUnread {
                user: u.user,
                peers: u.peers.clone(),
            };
            let payload = ticket::ask(&call.api.shared, act)
                .await
                .map_err(|e| SERVICE.refused(e))?;
            let (total, each): (u64, Vec<u64>) =
                decode_exact(&payload).map_err(|_| SERVICE.internal())?;
            let mut answer = fields([("AllC2CUnreadMsgNum", json!(total))]);
            if !u.peers.is_empty() {
                let list: Vec<Value> = u
                    .peers
                    .iter()
                    .zip(each)
                    .map(|(peer, n)| json!({"Peer_Account": peer, "C2CUnreadMsgNum": n}))
                    .collect();
                answer.insert("C2CUnreadMsgNumList".into(), json!(list));
            }
            Ok(ok(answer))
        }
        _ => Err(unknown()),
    }
}

/// The seq a `MsgKey` (`seq_random_time`) names.
fn seq_of_key(key: &str) -> Result<u64, RestError> {
    key.split('_')
        .next()
        .and_then(|seq| seq.parse().ok())
        .filter(|&seq| seq > 0)
        .ok_or_else(|| SERVICE.invalid(format!("MsgKey {key:?} names no message")))
}

async fn roam(call: &Call<'_>, r: Roam) -> Result<Response, RestError> {
    SERVICE.account(&r.operator)?;
    SERVICE.account(&r.peer)?;
    if r.min_time > r.max_time {
        return Err(SERVICE.invalid("MinTime is after MaxTime"));
    }
    let before = if r.last_key.is_empty() {
        0
    } else {
        seq_of_key(&r.last_key)?
    };
    let count = r.max.clamp(1, 100) as usize;
    let conversation = format!("C2C{}", r.peer);
    let (found, more) = history::read_back(
        call,
        SERVICE,
        &r.operator,
        &conversation,
        before,
        count,
        r.min_time..=r.max_time,
    )
    .await?;
    let key = |m: &history::Read| format!("{}_{}_{}", m.seq, m.random, m.time_secs);
    let list: Vec<Value> = found
        .iter()
        .map(|m| {
            let to = if m.from == r.operator {
                &r.peer
            } else {
                &r.operator
            };
            json!({
                "From_Account": m.from,
                "To_Account": to,
                "MsgSeq": m.seq,
                "MsgRandom": m.random,
                "MsgTimeStamp": m.time_secs,
                "MsgFlagBits": 0,
                "MsgKey": key(m),
                "MsgBody": m.body,
                "CloudCustomData": m.cloud_custom_data,
            })
        })
        .collect();
    let last = found.last();
    Ok(ok(fields([
        ("Complete", json!(u8::from(!more))),
        ("MsgCnt", json!(list.len())),
        ("LastMsgTime", json!(last.map_or(0, |m| m.time_secs))),
        ("LastMsgKey", json!(last.map(key).unwrap_or_default())),
        ("MsgList", json!(list)),
    ])))
}

fn online_entry(user: &str, presence: &Presence, detail: bool) -> Value {
    let status = if presence.devices.is_empty() {
        "Offline"
    } else {
        "Online"
    };
    let mut entry = Map::new();
    entry.insert("To_Account".into(), json!(user));
    entry.insert("Status".into(), json!(status));
    if detail && !presence.devices.is_empty() {
        let details: Vec<Value> = presence
            .devices
            .iter()
            .map(|d| json!({"Platform": platform(*d), "Status": "Online"}))
            .collect();
        entry.insert("Detail".into(), json!(details));
    }
    Value::Object(entry)
}

/// Tencent's platform name for a device class.
fn platform(device: DeviceClass) -> &'static str {
    match device {
        DeviceClass::Desktop => "PC",
        DeviceClass::Embedded => "IoT",
        DeviceClass::Mobile => "Android",
        DeviceClass::Web => "Web",
        DeviceClass::Service => "Service",
        // A class this server was built before.
        _ => "Unknown",
    }
}

/// Tencent's `MsgKey`: the seq, the random and the time in seconds.
fn msg_key(sent: &Sent, random: u32) -> String {
    format!("{}_{random}_{}", sent.seq, sent.time_ms / 1000)
}

fn content(body: Vec<MsgElem>, cloud_custom_data: Option<String>) -> Result<Content, RestError> {
    Content::from_body(body, cloud_custom_data).map_err(|why| RestError::new(BAD_MSG_BODY, why))
}

/// The sender: `From_Account`, or the administrator making the call.
fn sender<'a>(call: &'a Call<'_>, from: Option<&'a str>) -> Result<&'a str, RestError> {
    let from = from.filter(|f| !f.is_empty()).unwrap_or(call.admin);
    SERVICE.account(from).map(|()| from)
}

/// How a message goes: online only (`MsgLifeTime` 0), and whether the
/// sender's own devices are left out (`SyncOtherMachine` 2).
#[derive(Clone, Copy)]
struct How {
    online_only: bool,
    quiet_to_sender: bool,
    /// Put to the backend's before-send callback first.
    vet: bool,
}

fn how<To>(send: &Send<To>) -> Result<How, RestError> {
    let quiet_to_sender = match send.sync_other_machine {
        None | Some(1) => false,
        Some(2) => true,
        Some(other) => {
            return Err(SERVICE.invalid(format!("SyncOtherMachine is 1 or 2, not {other}")))
        }
    };
    Ok(How {
        online_only: send.life_time == Some(0),
        quiet_to_sender,
        vet: !forbids_before_send(&send.forbid_callback),
    })
}

/// Whether Tencent's `ForbidCallbackControl` keeps a message from the
/// before-send callback.
pub(super) fn forbids_before_send(control: &[String]) -> bool {
    control.iter().any(|c| c == "ForbidBeforeSendMsgCallback")
}

/// A message's place once stored.
struct Sent {
    seq: u64,
    time_ms: u64,
}

/// Sends `content` from `from` to `to` as `from`'s own client would, with
/// `random` as its client message id: a retry with the same random and
/// content is stored once.
async fn send_one(
    call: &Call<'_>,
    from: &str,
    to: &str,
    random: u32,
    how: How,
    content: &Content,
) -> Result<Sent, RestError> {
    let conversation = format!("C2C{to}");
    let send = body::SendMessage {
        conversation: &conversation,
        client_msg_id: u64::from(random),
        online_only: how.online_only,
        priority: Default::default(),
        elem: content.elem(),
        extra: content.extra(),
    };
    let payload = ticket::send_as(&call.api.shared, from, &send, how.quiet_to_sender, how.vet)
        .await
        .map_err(|e| SERVICE.refused(e))?;
    let ok: body::SendOk<'_> = decode_exact(&payload).map_err(|_| SERVICE.internal())?;
    Ok(Sent {
        seq: ok.seq,
        time_ms: ok.time_ms,
    })
}
