//! The interactive terminal chat: line-oriented, so it works in any terminal
//! and under tmux in tests.

use tinyim_tokio::{
    ConversationType, DirectoryUploader, EventStream, HopDirection, NetState, NoticeOp, Outgoing,
    Payload, ReadScope, RemindType, Tim, TimError, TimEvent, MARK_STAR,
};

use crate::lines::Lines;
use crate::render::show;
use crate::{
    element_commands, friend_commands, group_commands, media_commands, receipt_commands,
    user_commands, Cli,
};

const HELP: &str = "commands: /open <user>  /list  /readall  /history  /notices  /delete [conversation id...]  /clear  /pin  /unpin  /mute  /unmute  /discard  /revoke <seq>  /edit <seq> <text>  /del <seq>...  /help  /quit   (anything else is sent to the open conversation)";

/// The conversation typed lines go to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Open {
    User(String),
    Group(String),
}

impl Open {
    fn conversation_id(&self) -> String {
        match self {
            Open::User(user) => format!("C2C{user}"),
            Open::Group(group) => format!("GROUP{group}"),
        }
    }

    /// Where a message to this conversation goes.
    fn target(&self) -> (ConversationType, &str) {
        match self {
            Open::User(user) => (ConversationType::C2c, user),
            Open::Group(group) => (ConversationType::Group, group),
        }
    }

    fn group(&self) -> Option<&str> {
        match self {
            Open::Group(group) => Some(group),
            Open::User(_) => None,
        }
    }
}

pub(crate) async fn run(
    tim: &Tim,
    mut events: EventStream,
    cli: &Cli,
    sig: &str,
) -> Result<(), TimError> {
    println!("tinyim desktop-chat: {} at {}", cli.user, cli.server);
    crate::render::set_me(&cli.user);
    println!("{HELP}");
    println!("{}", group_commands::HELP);
    println!("{}", user_commands::HELP);
    println!("{}", friend_commands::HELP);
    println!("{}", media_commands::HELP);
    println!("{}", element_commands::HELP);
    println!("{}", receipt_commands::HELP);
    if let Some(dir) = &cli.upload_dir {
        tim.register_uploader(std::sync::Arc::new(DirectoryUploader::new(dir)));
    }
    log_in(tim, &mut events, cli, sig).await?;
    let mut lines = Lines::start();
    let mut open: Option<Open> = None;
    lines.prompt(&prompt(&open));
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { return Ok(()) };
                on_event(tim, &event, &open).await;
                if left_open_group(&event, &open) {
                    println!("[you are no longer in this group]");
                    open = None;
                }
                if let TimEvent::KickedOut(reason) = event {
                    println!("kicked out: {reason:?}");
                    return Ok(());
                }
            }
            line = lines.next() => {
                let Some(line) = line else { return Ok(()) };
                if !on_line(tim, line.trim(), &mut open).await {
                    return Ok(());
                }
                lines.prompt(&prompt(&open));
            }
        }
    }
}

/// Logs in, showing what the connection does meanwhile; a login that gets
/// no answer (an unreachable server) is tried again, so the chat waits for
/// the server instead of exiting.
async fn log_in(tim: &Tim, events: &mut EventStream, cli: &Cli, sig: &str) -> Result<(), TimError> {
    loop {
        let login = tim.login(&cli.user, sig);
        tokio::pin!(login);
        let outcome = loop {
            tokio::select! {
                outcome = &mut login => break outcome,
                event = events.recv() => match event {
                    Some(event) => on_event(tim, &event, &None).await,
                    None => return Err(TimError::Closed),
                },
            }
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) if e.is_retryable() => println!("[not logged in yet ({e}); trying again]"),
            Err(e) => return Err(e),
        }
    }
}

/// The prompt: the open conversation.
fn prompt(open: &Option<Open>) -> String {
    match open {
        Some(Open::User(peer)) => format!("{peer}> "),
        Some(Open::Group(group)) => format!("#{group}> "),
        None => "> ".to_owned(),
    }
}

/// Whether `event` says the user is out of the open group: kicked from it,
/// or it was dismissed, or they quit it elsewhere.
fn left_open_group(event: &TimEvent, open: &Option<Open>) -> bool {
    let (TimEvent::MessageReceived(m), Some(group)) = (event, open.as_ref().and_then(Open::group))
    else {
        return false;
    };
    matches!(&m.payload, Payload::GroupSystemNotice(n)
        if n.group_id == group
            && matches!(n.op, NoticeOp::Kicked | NoticeOp::Dismissed | NoticeOp::Quit))
}

async fn on_event(tim: &Tim, event: &TimEvent, open: &Option<Open>) {
    match event {
        TimEvent::MessageReceived(m) => {
            println!("\r{}", show(m));
            if open.as_ref().map(Open::conversation_id).as_ref() == Some(&m.conversation_id) {
                let _ = tim.set_message_read(&m.conversation_id).await;
                if let (true, Some(group)) =
                    (m.need_read_receipt, open.as_ref().and_then(Open::group))
                {
                    // Shown in the open group: read, as its sender asked to know.
                    let _ = tim.send_message_read_receipt(group, &[m.seq]).await;
                }
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
        TimEvent::ConnectFailed(why) => println!("\r[cannot connect to {why}; retrying]"),
        TimEvent::BlocklistUpdated => println!("\r[blocklist changed]"),
        TimEvent::ProfileUpdated => println!("\r[profile changed]"),
        TimEvent::FriendListUpdated => println!("\r[friends changed]"),
        TimEvent::FriendApplicationListUpdated => println!("\r[friend applications changed]"),
        TimEvent::FriendGroupListUpdated => println!("\r[friend groups changed]"),
        TimEvent::UserStatusUpdated(status) => {
            println!("\r[{}]", crate::user_commands::show_status(status))
        }
        TimEvent::MessageRevoked {
            conversation_id,
            seq,
            revoker,
        } => println!("\r[{revoker} revoked {conversation_id} #{seq}]"),
        TimEvent::MessageModified {
            conversation_id,
            seq,
            payload,
            version,
            ..
        } => {
            let text = payload.text().unwrap_or("[custom]");
            println!("\r[{conversation_id} #{seq} edited (v{version}): {text}]");
        }
        TimEvent::MessagesDeleted {
            conversation_id,
            seqs,
        } => println!("\r[deleted for you in {conversation_id}: {seqs:?}]"),
        TimEvent::UploadProgress { name, sent, total } => {
            let percent = sent.saturating_mul(100) / (*total).max(1);
            println!("\r[uploading {name}: {percent}%]");
        }
        TimEvent::MessageReadReceiptReceived(r) => println!(
            "\r[#{} in {}: read by {}, not yet by {}]",
            r.seq, r.group_id, r.read_count, r.unread_count
        ),
        TimEvent::MessageReadByPeer {
            conversation_id,
            peer_read_seq,
        } => {
            let peer = conversation_id
                .strip_prefix("C2C")
                .unwrap_or(conversation_id);
            println!("\r[read by {peer} up to #{peer_read_seq}]");
        }
        TimEvent::SyncComplete => {
            if let Ok(unread) = tim.total_unread().await {
                println!("\r[synced; {unread} unread]");
            }
        }
        TimEvent::MessageFailed {
            conversation_id,
            client_msg_id,
            code,
        } => println!("\r[message {client_msg_id} to {conversation_id} failed: {code}]"),
        _ => {}
    }
}

/// Handles one typed line; false to quit.
async fn on_line(tim: &Tim, line: &str, open: &mut Option<Open>) -> bool {
    if line.is_empty() {
        return true;
    }
    let (command, arg) = line.split_once(' ').unwrap_or((line, ""));
    if user_commands::run(tim, command, arg).await || friend_commands::run(tim, command, arg).await
    {
        return true;
    }
    let target = open.as_ref().map(Open::target);
    if media_commands::run(tim, command, arg, target).await
        || element_commands::run(tim, command, arg, target).await
    {
        return true;
    }
    let with_id = open.as_ref().map(|o| (o.target(), o.conversation_id()));
    if receipt_commands::run(tim, command, arg, with_id).await {
        return true;
    }
    let group = open.as_ref().and_then(Open::group);
    if let Some(opened) = group_commands::run(tim, command, arg, group).await {
        if let Some(id) = opened {
            // Only a conversation whose history could be read is opened.
            if show_history(tim, &format!("GROUP{id}")).await {
                *open = Some(Open::Group(id));
            }
        }
        return true;
    }
    match command {
        "/quit" | "/exit" => return false,
        "/help" => println!(
            "{HELP}\n{}\n{}\n{}\n{}\n{}",
            group_commands::HELP,
            user_commands::HELP,
            friend_commands::HELP,
            media_commands::HELP,
            element_commands::HELP
        ),
        "/readall" => match tim.set_all_message_read(ReadScope::All).await {
            Ok(()) => println!("[everything read]"),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        "/list" => match tim.conversation_list().await {
            Ok(list) if list.is_empty() => println!("no conversations yet"),
            Ok(list) => {
                for c in list {
                    let pin = if c.is_pinned { "^" } else { " " };
                    let star = if c.marks & MARK_STAR != 0 { " *" } else { "" };
                    let draft = if c.draft.is_empty() {
                        String::new()
                    } else {
                        format!("  (draft: {})", c.draft)
                    };
                    let muted = match c.remind_type {
                        RemindType::AcceptAndNotify => "",
                        _ => " (muted)",
                    };
                    let at = match (c.group_at_info.at_me, c.group_at_info.at_all) {
                        (true, _) => " [@me]",
                        (false, true) => " [@all]",
                        (false, false) => "",
                    };
                    let from = if c.last_nick.is_empty() {
                        &c.last_from
                    } else {
                        &c.last_nick
                    };
                    println!(
                        "{pin}{:<24} unread {:>3}{star}{at}{muted}  {from}: {}{draft}",
                        c.id, c.unread_count, c.preview
                    );
                }
            }
            Err(e) => println!("[error {}]", e.code()),
        },
        "/open" if !arg.trim().is_empty() => {
            let peer = Open::User(arg.trim().to_owned());
            if show_history(tim, &peer.conversation_id()).await {
                *open = Some(peer);
            }
        }
        "/delete" => {
            let open_id = open.as_ref().map(Open::conversation_id);
            let ids: Vec<&str> = match (arg.split_whitespace().collect::<Vec<_>>(), &open_id) {
                (named, _) if !named.is_empty() => named,
                (_, Some(id)) => vec![id.as_str()],
                (_, None) => {
                    println!("open a conversation first, or: /delete <conversation id>...");
                    return true;
                }
            };
            match tim.delete_conversations(&ids, false).await {
                Ok(()) => println!("[deleted {}]", ids.join(" ")),
                Err(e) => println!("[delete failed {}: {e}]", e.code()),
            }
        }
        "/mute" | "/unmute" | "/discard" => match open {
            Some(o) => {
                let remind = match command {
                    "/mute" => RemindType::AcceptNotNotify,
                    "/discard" => RemindType::Discard,
                    _ => RemindType::AcceptAndNotify,
                };
                match tim
                    .set_message_remind_type(&o.conversation_id(), remind)
                    .await
                {
                    Ok(()) => println!("[{} is now {remind:?}]", o.conversation_id()),
                    Err(e) => println!("[failed {}: {e}]", e.code()),
                }
            }
            None => println!("open a conversation first: /open <user>"),
        },
        "/pin" | "/unpin" => match open {
            Some(o) => {
                let pinned = command == "/pin";
                match tim.pin_conversation(&o.conversation_id(), pinned).await {
                    Ok(()) if pinned => println!("[pinned {}]", o.conversation_id()),
                    Ok(()) => println!("[unpinned {}]", o.conversation_id()),
                    Err(e) => println!("[pin failed {}: {e}]", e.code()),
                }
            }
            None => println!("open a conversation first: /open <user>"),
        },
        "/clear" => match open {
            Some(o) => match tim.clear_history_message(&o.conversation_id()).await {
                Ok(()) => println!("[cleared {}]", o.conversation_id()),
                Err(e) => println!("[clear failed {}: {e}]", e.code()),
            },
            None => println!("open a conversation first: /open <user>"),
        },
        "/revoke" => match (open, arg.trim().parse::<u64>()) {
            (Some(o), Ok(seq)) => match tim.revoke_message(&o.conversation_id(), seq).await {
                Ok(()) => println!("[revoked #{seq}]"),
                Err(e) => println!("[revoke failed {}: {e}]", e.code()),
            },
            (Some(_), Err(_)) => println!("/revoke takes the seq of a message you sent: /revoke 3"),
            (None, _) => println!("open a conversation first, then: /revoke <seq>"),
        },
        "/edit" => match (open, arg.split_once(' ')) {
            (Some(o), Some((seq, text))) => match seq.parse::<u64>() {
                Ok(seq) => edit(tim, &o.conversation_id(), seq, text).await,
                Err(_) => println!("/edit takes a seq and the new text: /edit 3 hello"),
            },
            (Some(_), None) => println!("/edit takes a seq and the new text: /edit 3 hello"),
            (None, _) => println!("open a conversation first, then: /edit <seq> <text>"),
        },
        "/del" => {
            let seqs: Result<Vec<u64>, _> = arg.split_whitespace().map(str::parse).collect();
            match (open, seqs) {
                (Some(o), Ok(seqs)) if !seqs.is_empty() => {
                    match tim.delete_messages(&o.conversation_id(), &seqs).await {
                        Ok(()) => println!("[deleted for you: {arg}]"),
                        Err(e) => println!("[delete failed {}: {e}]", e.code()),
                    }
                }
                (Some(_), _) => println!("/del takes the seqs of messages: /del 3 4"),
                (None, _) => println!("open a conversation first, then: /del <seq>..."),
            }
        }
        // The group system notices (@TIM#SYSTEM), read: their unread count
        // clears.
        "/notices" => {
            show_history(tim, "@TIM#SYSTEM").await;
        }
        "/history" => match open {
            Some(o) => {
                show_history(tim, &o.conversation_id()).await;
            }
            None => println!("open a conversation first: /open <user>"),
        },
        _ if command.starts_with('/') => println!("{HELP}"),
        _ => match (open, crate::unsendable(line)) {
            (Some(_), Some(why)) => println!("[not sent: {why}]"),
            (Some(target), None) => {
                println!("[sending] {line}");
                let sent = match target {
                    Open::User(peer) => tim.send_text(peer, line).await,
                    Open::Group(group) => {
                        let at = crate::render::mentions_in(line);
                        let message = Outgoing::text(ConversationType::Group, group, line);
                        tim.send(message.with_at_users(&at)).await
                    }
                };
                match sent {
                    Ok(sent) => println!("[sent #{}]", sent.seq),
                    Err(e) => println!("[failed {}: {e}]", e.code()),
                }
            }
            (None, _) => println!("open a conversation first: /open <user>"),
        },
    }
    true
}

/// Replaces the text of message `seq` of `conversation` (one this user
/// sent), edited on the version the server has now.
async fn edit(tim: &Tim, conversation: &str, seq: u64, text: &str) {
    let found = tim
        .message_list_hopping(conversation, seq.saturating_sub(1), HopDirection::Newer, 1)
        .await;
    let Ok(Some(mut message)) = found.map(|page| page.messages.into_iter().find(|m| m.seq == seq))
    else {
        println!("[no message #{seq} here]");
        return;
    };
    message.payload = Payload::Text(text.to_owned());
    match tim.modify_message(&message).await {
        Ok(()) => {}
        Err(e) => println!("[edit failed {}: {e}]", e.code()),
    }
}

/// Prints a conversation's latest messages and reads it; false (with the
/// reason) if its history cannot be read.
async fn show_history(tim: &Tim, conversation: &str) -> bool {
    match tim.message_list(conversation, 0, 10).await {
        Ok(mut messages) => {
            messages.reverse();
            println!("-- {conversation}: last {} messages --", messages.len());
            for m in &messages {
                println!("{}", show(m));
            }
            let _ = tim.set_message_read(conversation).await;
            true
        }
        Err(e) => {
            println!("[cannot open {conversation}: error {}: {e}]", e.code());
            false
        }
    }
}
