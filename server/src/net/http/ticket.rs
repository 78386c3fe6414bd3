//! A REST call's way through the engine: the call takes a connection id of
//! its own (a ticket) with a queue like a client's, the engine answers on it
//! after the commit and its sync (so an answer means what as asked is
//! durable, as for clients), and the ticket is given back. No session is
//! ever bound to it, so no push reaches it.

use std::future::poll_fn;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tinyim_core::wire::body::SendMessage;
use tinyim_core::wire::{code, kind, HEADER_LEN};

use super::super::outbound::Outbound;
use super::super::Shared;
use crate::engine::{answer_of, encode, AdminAct, Input};

/// How long a call waits for the engine's answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// Gives the ticket back however the call ends.
struct Ticket<'a> {
    shared: &'a Shared,
    conn: u64,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.shared
            .conns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .close(self.conn);
    }
}

/// Asks the engine `act`; the payload of its answer, or the code and words
/// it refused with.
pub(crate) async fn ask(shared: &Arc<Shared>, act: AdminAct) -> Result<Vec<u8>, (u32, String)> {
    let unavailable = |why: &str| (code::INTERNAL, why.to_owned());
    let outbound = Arc::new(Outbound::new(shared.clock_ms()));
    let conn = shared
        .conns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .open(outbound.clone())
        .ok_or_else(|| unavailable("the server has no room for another call"))?;
    let _ticket = Ticket {
        shared: shared.as_ref(),
        conn,
    };
    let input = Input::Admin { conn, act };
    if shared.engine.send(input.into()).await.is_err() {
        return Err(unavailable("the server is stopping"));
    }
    let answer = async {
        loop {
            poll_fn(|cx| outbound.poll_queued(cx)).await;
            let (frames, close) = outbound.take();
            outbound.written(&frames);
            let response = frames.iter().find(|f| {
                matches!(
                    f.get(HEADER_LEN - 1),
                    Some(&(kind::RESPONSE_OK | kind::RESPONSE_ERR))
                )
            });
            if let Some(frame) = response {
                return answer_of(frame).map(<[u8]>::to_vec);
            }
            if close {
                // The batch's commit failed: nothing was done.
                return Err(unavailable("the store failed"));
            }
        }
    };
    tokio::time::timeout(ANSWER_WITHIN, answer)
        .await
        .unwrap_or_else(|_| Err(unavailable("the server did not answer in time")))
}

/// Asks the engine to make client request `kind` with `payload` as `user`.
pub(crate) async fn request_as<T: Serialize>(
    shared: &Arc<Shared>,
    user: &str,
    kind: u8,
    payload: &T,
) -> Result<Vec<u8>, (u32, String)> {
    let act = AdminAct::As {
        user: user.to_owned(),
        kind,
        body: encode::to_bytes(&(0u32, payload)),
        quiet_to_user: false,
        vet: true,
    };
    ask(shared, act).await
}

/// Asks the engine to send `message` as `user`, its push left out of
/// `user`'s own sessions when `quiet_to_user`, put to the backend's
/// before-send callback first when `vet`.
pub(crate) async fn send_as(
    shared: &Arc<Shared>,
    user: &str,
    message: &SendMessage<'_>,
    quiet_to_user: bool,
    vet: bool,
) -> Result<Vec<u8>, (u32, String)> {
    let act = AdminAct::As {
        user: user.to_owned(),
        kind: kind::SEND_MESSAGE,
        body: encode::to_bytes(&(0u32, message)),
        quiet_to_user,
        vet,
    };
    ask(shared, act).await
}
