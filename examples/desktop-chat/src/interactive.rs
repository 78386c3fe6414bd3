//! The interactive terminal chat: line-oriented, so it works in any terminal
//! and under tmux in tests.

use std::io::Write;

use tinyim_tokio::{EventStream, Flow, Message, NetState, Tim, TimError, TimEvent};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use crate::Cli;

const HELP: &str = "commands: /open <user>  /list  /history  /help  /quit   (anything else is sent to the open conversation)";

fn show(message: &Message) -> String {
    let arrow = if message.flow == Flow::Out {
        "->"
    } else {
        "<-"
    };
    let text = message.payload.text().unwrap_or("[non-text message]");
    format!(
        "[{} #{}] {} {}: {}",
        message.conversation_id, message.seq, arrow, message.from, text
    )
}

pub(crate) async fn run(
    tim: &Tim,
    mut events: EventStream,
    cli: &Cli,
    sig: &str,
) -> Result<(), TimError> {
    println!("tinyim desktop-chat: {} at {}", cli.user, cli.server);
    println!("{HELP}");
    tim.login(&cli.user, sig).await?;
    let (lines_tx, mut lines) = mpsc::channel::<String>(16);
    tokio::spawn(async move {
        let mut stdin = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = stdin.next_line().await {
            if lines_tx.send(line).await.is_err() {
                break;
            }
        }
    });
    let mut open: Option<String> = None;
    prompt(&open);
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { return Ok(()) };
                on_event(tim, &event, &open).await;
                if let TimEvent::KickedOut(reason) = event {
                    println!("kicked out: {reason:?}");
                    return Ok(());
                }
            }
            line = lines.recv() => {
                let Some(line) = line else { return Ok(()) };
                if !on_line(tim, line.trim(), &mut open).await {
                    return Ok(());
                }
                prompt(&open);
            }
        }
    }
}

fn prompt(open: &Option<String>) {
    match open {
        Some(peer) => print!("{peer}> "),
        None => print!("> "),
    }
    let _ = std::io::stdout().flush();
}

async fn on_event(tim: &Tim, event: &TimEvent, open: &Option<String>) {
    match event {
        TimEvent::MessageReceived(m) => {
            println!("\r{}", show(m));
            if open.as_deref().map(|peer| format!("C2C{peer}")).as_deref()
                == Some(&m.conversation_id)
            {
                let _ = tim.set_message_read(&m.conversation_id).await;
            }
        }
        TimEvent::NetStateChange(state) => {
            let text = match state {
                NetState::Connected => "connected",
                NetState::Connecting => "connecting...",
                NetState::Disconnected => "disconnected",
            };
            println!("\r[{text}]");
        }
        TimEvent::SdkReady => println!("\r[ready]"),
        TimEvent::SyncComplete => {
            if let Ok(unread) = tim.total_unread().await {
                println!("\r[synced; {unread} unread]");
            }
        }
        TimEvent::MessageFailed {
            client_msg_id,
            code,
        } => println!("\r[message {client_msg_id} failed: {code}]"),
        _ => {}
    }
}

/// Handles one typed line; false to quit.
async fn on_line(tim: &Tim, line: &str, open: &mut Option<String>) -> bool {
    if line.is_empty() {
        return true;
    }
    let (command, arg) = line.split_once(' ').unwrap_or((line, ""));
    match command {
        "/quit" | "/exit" => return false,
        "/help" => println!("{HELP}"),
        "/list" => match tim.conversation_list().await {
            Ok(list) if list.is_empty() => println!("no conversations yet"),
            Ok(list) => {
                for c in list {
                    println!(
                        "{:<24} unread {:>3}  {}: {}",
                        c.id, c.unread_count, c.last_from, c.preview
                    );
                }
            }
            Err(e) => println!("[error {}]", e.code()),
        },
        "/open" if !arg.trim().is_empty() => {
            let peer = arg.trim().to_owned();
            *open = Some(peer.clone());
            show_history(tim, &peer).await;
        }
        "/history" => match open {
            Some(peer) => show_history(tim, peer).await,
            None => println!("open a conversation first: /open <user>"),
        },
        _ if command.starts_with('/') => println!("{HELP}"),
        _ => match open {
            Some(peer) => {
                println!("[sending] {line}");
                match tim.send_text(peer, line).await {
                    Ok(sent) => println!("[sent #{}]", sent.seq),
                    Err(e) => println!("[failed {}: {e}]", e.code()),
                }
            }
            None => println!("open a conversation first: /open <user>"),
        },
    }
    true
}

async fn show_history(tim: &Tim, peer: &str) {
    let conversation = format!("C2C{peer}");
    match tim.message_list(&conversation, 0, 10).await {
        Ok(mut messages) => {
            messages.reverse();
            println!("-- {conversation}: last {} messages --", messages.len());
            for m in &messages {
                println!("{}", show(m));
            }
            let _ = tim.set_message_read(&conversation).await;
        }
        Err(e) => println!("[history failed {}]", e.code()),
    }
}
