//! The non-interactive modes: `--send` and `--dump`.

use std::time::Duration;

use serde_json::json;
use tinyim_tokio::{EventStream, Tim, TimError, TimEvent};

use crate::Cli;

/// Why a script failed.
pub(crate) enum ScriptError {
    /// A call failed.
    Call(TimError),
    /// The server could not be reached (the address, then the reason): a
    /// script says so at once rather than wait for the login's timeout.
    Unreachable(String),
}

impl From<TimError> for ScriptError {
    fn from(e: TimError) -> Self {
        ScriptError::Call(e)
    }
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScriptError::Call(e) => write!(f, "error {}: {e}", e.code()),
            ScriptError::Unreachable(why) => write!(f, "cannot connect to {why}"),
        }
    }
}

/// Logs in; fails at the first connection attempt that fails.
async fn log_in(
    tim: &Tim,
    events: &mut EventStream,
    cli: &Cli,
    sig: &str,
) -> Result<(), ScriptError> {
    let login = tim.login(&cli.user, sig);
    tokio::pin!(login);
    loop {
        tokio::select! {
            // The login first: once it is answered, the events after it
            // (the sync's end, which `dump` waits for) stay in the stream.
            biased;
            done = &mut login => return Ok(done?),
            event = events.recv() => {
                if let Some(TimEvent::ConnectFailed(why)) = event {
                    return Err(ScriptError::Unreachable(why));
                }
            }
        }
    }
}

/// Sends one message; returns once the server acknowledged it.
pub(crate) async fn send(
    tim: &Tim,
    mut events: EventStream,
    cli: &Cli,
    sig: &str,
    to: &str,
    text: &str,
) -> Result<(), ScriptError> {
    log_in(tim, &mut events, cli, sig).await?;
    // Not read from here on: the send's answer does not wait for them.
    drop(events);
    let sent = tim.send_text(to, text).await?;
    println!(
        "{}",
        json!({"conversation": format!("C2C{to}"), "seq": sent.seq, "time": sent.time_ms / 1000, "client_msg_id": sent.client_msg_id})
    );
    Ok(())
}

/// Logs in, waits for the sync, prints conversations and recent messages.
pub(crate) async fn dump(
    tim: &Tim,
    mut events: EventStream,
    cli: &Cli,
    sig: &str,
) -> Result<(), ScriptError> {
    log_in(tim, &mut events, cli, sig).await?;
    let synced = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(event) = events.recv().await {
            if event == TimEvent::SyncComplete {
                return true;
            }
        }
        false
    })
    .await;
    if synced != Ok(true) {
        return Err(TimError::request(tinyim_core::RequestError::Timeout).into());
    }
    drop(events);
    for conversation in tim.conversation_list().await? {
        println!(
            "{}",
            json!({"conversation": conversation.id, "unread": conversation.unread_count, "last_seq": conversation.last_seq, "peer_read_seq": conversation.peer_read_seq, "pinned": conversation.is_pinned, "preview": conversation.preview})
        );
        let mut messages = tim.message_list(&conversation.id, 0, 20).await?;
        messages.reverse();
        for m in messages {
            println!(
                "{}",
                json!({"conversation": m.conversation_id, "seq": m.seq, "from": m.from, "text": m.payload.text(), "time": m.time_ms / 1000})
            );
        }
    }
    Ok(())
}
