//! `openim`: one-to-one messages from a backend, and who is online.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tinyim_core::model::valid_user_id;
use tinyim_core::wire::body::{self, DeviceClass};
use tinyim_core::wire::kind;
use tinyim_core::wire::records::decode_exact;

use super::accounts::fields;
use super::msg_body::{Content, MsgElem};
use super::reply::{ok, RestError, Service};
use super::{parse, ticket, unknown, Call};
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
    #[serde(rename = "SyncOtherMachine", default)]
    _sync_other_machine: Option<u32>,
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
    _cloud_custom_data: Option<String>,
    #[serde(rename = "ForbidCallbackControl", default)]
    _forbid_callback: Option<Value>,
    #[serde(rename = "SendMsgControl", default)]
    _send_control: Option<Value>,
    #[serde(rename = "OfflinePushInfo", default)]
    _offline_push: Option<Value>,
    #[serde(rename = "IsNeedReadReceipt", default)]
    _read_receipt: Option<u32>,
    #[serde(rename = "SupportMessageExtension", default)]
    _extension: Option<u32>,
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
            let content = content(send.body)?;
            let from = sender(call, send.from.as_deref())?;
            user(&send.to)?;
            let online_only = send.life_time == Some(0);
            let sent = send_one(call, from, &send.to, send.random, online_only, &content).await?;
            Ok(ok(fields([
                ("MsgTime", json!(sent.time_ms / 1000)),
                ("MsgKey", json!(msg_key(&sent, send.random))),
            ])))
        }
        "batchsendmsg" => {
            let send: Send<Vec<String>> = parse(SERVICE, body)?;
            let content = content(send.body)?;
            let from = sender(call, send.from.as_deref())?;
            bounded(send.to.len())?;
            let online_only = send.life_time == Some(0);
            let mut errors = Vec::new();
            let mut key = None;
            for to in &send.to {
                let sent = match user(to) {
                    Ok(()) => send_one(call, from, to, send.random, online_only, &content).await,
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
            bounded(query.to.len())?;
            query.to.iter().try_for_each(|u| user(u))?;
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
        _ => Err(unknown()),
    }
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
    }
}

/// Tencent's `MsgKey`: the seq, the random and the time in seconds.
fn msg_key(sent: &Sent, random: u32) -> String {
    format!("{}_{random}_{}", sent.seq, sent.time_ms / 1000)
}

fn content(body: Vec<MsgElem>) -> Result<Content, RestError> {
    Content::from_body(body).map_err(|why| RestError::new(BAD_MSG_BODY, why))
}

/// The sender: `From_Account`, or the administrator making the call.
fn sender<'a>(call: &'a Call<'_>, from: Option<&'a str>) -> Result<&'a str, RestError> {
    let from = from.filter(|f| !f.is_empty()).unwrap_or(call.admin);
    user(from).map(|()| from)
}

fn user(id: &str) -> Result<(), RestError> {
    if valid_user_id(id) {
        Ok(())
    } else {
        Err(SERVICE.invalid(format!("invalid account {id:?}")))
    }
}

fn bounded(n: usize) -> Result<(), RestError> {
    if (1..=MAX_ACCOUNTS).contains(&n) {
        Ok(())
    } else {
        Err(SERVICE.invalid(format!("1 to {MAX_ACCOUNTS} accounts a call")))
    }
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
    online_only: bool,
    content: &Content,
) -> Result<Sent, RestError> {
    let conversation = format!("C2C{to}");
    let send = body::SendMessage {
        conversation: &conversation,
        client_msg_id: u64::from(random),
        online_only,
        priority: Default::default(),
        elem: content.elem(),
    };
    let payload = ticket::request_as(&call.api.shared, from, kind::SEND_MESSAGE, &send)
        .await
        .map_err(|e| SERVICE.refused(e))?;
    let ok: body::SendOk<'_> = decode_exact(&payload).map_err(|_| SERVICE.internal())?;
    Ok(Sent {
        seq: ok.seq,
        time_ms: ok.time_ms,
    })
}
