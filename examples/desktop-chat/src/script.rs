//! The non-interactive modes: `--send` and `--dump`.

use std::time::Duration;

use serde_json::json;
use tinyim_tokio::{EventStream, Tim, TimError, TimEvent};

use crate::Cli;

/// Sends one message; returns once the server acknowledged it.
pub(crate) async fn send(
    tim: &Tim,
    cli: &Cli,
    sig: &str,
    to: &str,
    text: &str,
) -> Result<(), TimError> {
    tim.login(&cli.user, sig).await?;
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
) -> Result<(), TimError> {
    tim.login(&cli.user, sig).await?;
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
        return Err(TimError::Request(tinyim_core::RequestError::Timeout));
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
