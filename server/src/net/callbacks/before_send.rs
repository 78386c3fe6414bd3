//! The before-send callbacks (`C2C.CallbackBeforeSendMsg`,
//! `Group.CallbackBeforeSendMsg`): the engine hands such a send over
//! unanswered ([`Output::Vet`](crate::engine::Output::Vet)); a worker puts
//! it to the backend and gives it back to the engine as it was, rewritten,
//! or answers the sender with the refusal. A backend that fails or takes
//! longer than the timeout lets it through, as Tencent's does.
//!
//! A connection's sends all go to one worker, in order, so they are stored
//! in the order they were sent; other connections' go on meanwhile on the
//! other workers.

use std::sync::Arc;

use serde_json::{json, Value};
use tinyim_core::model::ConversationType;
use tinyim_core::wire::body::{MessageExtra, SendMessage};
use tinyim_core::wire::code;
use tinyim_core::wire::records::take;
use tokio::sync::mpsc;

use super::super::http::msg_body::{to_msg_body, Content, MsgElem};
use super::super::Shared;
use super::Callbacks;
use crate::engine::{encode, ConnId, Input, Sender};

/// Workers putting sends to the backend at once.
pub(crate) const WORKERS: usize = 8;

/// Sends waiting for each worker, at most; past it a send is refused with
/// 2996 (the client sends it again) rather than kept without bound.
const WAITING: usize = 256;

/// Tencent's codes for a send a before-callback refused.
const C2C_REFUSED: u32 = 20006;
const GROUP_REFUSED: u32 = 10016;

/// A send waiting for the backend.
pub(crate) struct Vet {
    conn: ConnId,
    user: String,
    body: Vec<u8>,
    sender: Sender,
}

/// The workers' queues, by connection.
pub(crate) struct Queues {
    senders: Vec<mpsc::Sender<Vet>>,
}

/// Queues for [`WORKERS`] workers, and their receiving ends.
pub(crate) fn queues() -> (Queues, Vec<mpsc::Receiver<Vet>>) {
    let (senders, receivers) = (0..WORKERS).map(|_| mpsc::channel(WAITING)).unzip();
    (Queues { senders }, receivers)
}

impl Queues {
    /// Hands `user`'s send on `conn` to its connection's worker; false if
    /// that worker has too many waiting.
    pub(crate) fn vet(
        &self,
        conn: ConnId,
        user: String,
        body: Vec<u8>,
        sender: Sender,
    ) -> Result<(), Vec<u8>> {
        let worker = &self.senders[(conn as usize) % self.senders.len()];
        worker
            .try_send(Vet {
                conn,
                user,
                body,
                sender,
            })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(v) | mpsc::error::TrySendError::Closed(v) => v.body,
            })
    }
}

/// Starts the workers over `receivers`.
pub(crate) fn start(
    shared: &Arc<Shared>,
    callbacks: Arc<Callbacks>,
    receivers: Vec<mpsc::Receiver<Vet>>,
) {
    for mut queue in receivers {
        let (shared, callbacks) = (shared.clone(), callbacks.clone());
        tokio::spawn(async move {
            while let Some(vet) = queue.recv().await {
                decide(&shared, &callbacks, vet).await;
            }
        });
    }
}

/// What the backend made of a send.
enum Verdict {
    Through(Vec<u8>),
    Refused(u32),
}

async fn decide(shared: &Shared, callbacks: &Callbacks, vet: Vet) {
    let Ok((request, payload)) = take::<u32>(&vet.body) else {
        return;
    };
    let verdict = match take::<SendMessage<'_>>(payload) {
        Ok((send, _)) => verdict(callbacks, &vet.user, request, send).await,
        Err(_) => Verdict::Through(vet.body.clone()),
    };
    match verdict {
        Verdict::Through(body) => {
            let input = Input::Vetted {
                conn: vet.conn,
                user: vet.user,
                body,
                sender: vet.sender,
            };
            // Stopping: unanswered, the client sends it again elsewhere.
            let _ = shared.engine.send(input.into()).await;
        }
        Verdict::Refused(refusal) => refuse(shared, vet.conn, request, refusal),
    }
}

/// The answer refusing `request` with `code`.
fn refusal(request: u32, code: u32) -> Vec<u8> {
    let words = match code {
        C2C_REFUSED | GROUP_REFUSED => "refused by the application's backend",
        other => code::describe(other).unwrap_or("refused by the application's backend"),
    };
    encode::error(request, code, words)
}

/// Answers `request` on `conn` with `code`, from the front end: the send
/// never reached the engine.
fn refuse(shared: &Shared, conn: ConnId, request: u32, code: u32) {
    let frame = refusal(request, code);
    let conns = shared
        .conns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(out) = conns.get(conn) {
        out.push(frame, shared.config.conn_buffer);
    }
}

async fn verdict(
    callbacks: &Callbacks,
    from: &str,
    request: u32,
    send: SendMessage<'_>,
) -> Verdict {
    let body_of = |send: &SendMessage<'_>| encode::to_bytes(&(request, send));
    let (command, refused, mut body) = match ConversationType::parse(send.conversation) {
        Some((ConversationType::Group, group_id)) => (
            "Group.CallbackBeforeSendMsg",
            GROUP_REFUSED,
            json!({"GroupId": group_id, "From_Account": from, "Operator_Account": from, "Random": send.client_msg_id}),
        ),
        Some((_, peer)) => (
            "C2C.CallbackBeforeSendMsg",
            C2C_REFUSED,
            json!({"From_Account": from, "To_Account": peer, "MsgRandom": send.client_msg_id}),
        ),
        None => return Verdict::Through(body_of(&send)),
    };
    if let Some(fields) = body.as_object_mut() {
        fields.insert("CallbackCommand".into(), command.into());
        fields.insert("OnlineOnlyFlag".into(), u8::from(send.online_only).into());
        fields.insert("MsgBody".into(), to_msg_body(&send.elem));
        fields.insert(
            "CloudCustomData".into(),
            send.extra.cloud_custom_data.into(),
        );
    }
    // Failed, timed out or not JSON: through, as Tencent's.
    let Some(answer) = callbacks.post(command, &body).await else {
        return Verdict::Through(body_of(&send));
    };
    match answer.get("ErrorCode").and_then(Value::as_u64) {
        // Tencent's 1 refuses; its 2 drops the message silently, which
        // tinyim does not do (an answer means stored): refused too.
        Some(1 | 2) => Verdict::Refused(refused),
        // The backend's own codes reach the sender as they are.
        Some(own @ 120_001..=130_000) => Verdict::Refused(own as u32),
        _ => {
            // The backend may rewrite the body, the cloud custom data, or both.
            let cloud = answer.get("CloudCustomData").and_then(Value::as_str);
            let kept_cloud = cloud.unwrap_or(send.extra.cloud_custom_data);
            match (rewritten(&answer, kept_cloud), cloud) {
                (Some(content), _) => Verdict::Through(body_of(&SendMessage {
                    elem: content.elem(),
                    extra: content.extra(),
                    ..send
                })),
                (None, Some(cloud)) => Verdict::Through(body_of(&SendMessage {
                    extra: MessageExtra::with_cloud_custom_data(cloud),
                    ..send
                })),
                (None, None) => Verdict::Through(body_of(&send)),
            }
        }
    }
}

/// The `MsgBody` a backend answered with, if it gave one tinyim carries,
/// with `cloud_custom_data`.
fn rewritten(answer: &Value, cloud_custom_data: &str) -> Option<Content> {
    let body: Vec<MsgElem> = serde_json::from_value(answer.get("MsgBody")?.clone()).ok()?;
    match Content::from_body(body, Some(cloud_custom_data.to_owned())) {
        Ok(content) => Some(content),
        Err(why) => {
            tracing::info!("the backend's MsgBody is ignored: {why}");
            None
        }
    }
}

/// The answer to a send no worker could take: 2996, which the client
/// sends again after a while.
pub(crate) fn overloaded(body: &[u8]) -> Option<Vec<u8>> {
    let (request, _) = take::<u32>(body).ok()?;
    Some(refusal(request, code::RATE_LIMITED))
}
