//! How messages, group tips and group system notices look in the terminal.

use std::sync::OnceLock;

use tinyim_tokio::{
    Flow, GroupNoticeInfo, GroupTipInfo, Message, NoticeOp, Payload, TipDetail, TipOp, AT_ALL,
};

/// The user this chat runs as, for its whole life: set once at start, read
/// by every line that may mention them.
static ME: OnceLock<String> = OnceLock::new();

/// Sets who "me" is for [`show`]'s highlighting of mentions.
pub(crate) fn set_me(user: &str) {
    let _ = ME.set(user.to_owned());
}

/// The users a group line mentions: its words `@user`, and `@all` for
/// everyone (TIM's `AT_ALL`).
pub(crate) fn mentions_in(line: &str) -> Vec<&str> {
    line.split_whitespace()
        .filter_map(|word| word.strip_prefix('@'))
        .map(|name| name.trim_end_matches([',', '.', ':', '!', '?']))
        .filter(|name| !name.is_empty())
        .map(|name| if name == "all" { AT_ALL } else { name })
        .collect()
}

fn tip(t: &GroupTipInfo) -> String {
    let users = t.users.join(", ");
    let what = match (t.op, &t.detail) {
        (TipOp::Join, _) => format!("{users} joined"),
        (TipOp::Quit, _) => format!("{users} left"),
        (TipOp::Kicked, _) => format!("{users} removed by {}", t.operator),
        (TipOp::SetAdmin, _) => format!("{users} made admin by {}", t.operator),
        (TipOp::CancelAdmin, _) => format!("{users} no longer admin"),
        (_, TipDetail::Owner(owner)) => format!("{owner} is the new owner"),
        (_, TipDetail::Mute(0)) => format!("{users} unmuted by {}", t.operator),
        (_, TipDetail::Mute(_)) => format!("{users} muted by {}", t.operator),
        (_, TipDetail::NameCard(card)) => format!("{users} is now called {card:?}"),
        (_, TipDetail::Profile(p)) => match &p.name {
            Some(name) => format!("{} renamed the group to {name:?}", t.operator),
            None => format!("{} changed the group profile", t.operator),
        },
        (_, TipDetail::None) => format!("{} changed something", t.operator),
    };
    format!("* {what} ({} members)", t.member_count)
}

fn notice(n: &GroupNoticeInfo) -> String {
    let group = format!("{} ({})", n.group_id, n.group_name);
    match n.op {
        NoticeOp::JoinRequest => format!(
            "* {} asks to join {group}: {:?}  (/approve {} {})",
            n.operator, n.message, n.group_id, n.operator
        ),
        NoticeOp::Accepted => format!("* you joined {group}"),
        NoticeOp::Rejected => format!("* {group} declined: {:?}", n.message),
        NoticeOp::Kicked => format!("* removed from {group} by {}: {:?}", n.operator, n.message),
        NoticeOp::Dismissed => format!("* {group} was dismissed"),
        NoticeOp::Created => format!("* you created {group}"),
        NoticeOp::Invited => format!("* {} added you to {group}", n.operator),
        NoticeOp::Quit => format!("* you left {group}"),
        NoticeOp::AdminSet => format!("* you are an admin of {group}"),
        NoticeOp::AdminRevoked => format!("* you are no longer an admin of {group}"),
        NoticeOp::Custom => format!("* {group}: {}", n.data),
    }
}

/// One line for a message.
pub(crate) fn show(message: &Message) -> String {
    let body = match &message.payload {
        Payload::Text(text) => text.clone(),
        Payload::GroupTip(t) => tip(t),
        Payload::GroupSystemNotice(n) => notice(n),
        Payload::Custom { description, .. } => format!("[custom] {description}"),
        Payload::TooLarge { size } => format!("[message of {size} bytes, too large here]"),
        Payload::Image { original: p, .. } => {
            format!(
                "[image {}x{}, {} bytes] {}",
                p.width, p.height, p.size, p.url
            )
        }
        Payload::File {
            url, name, size, ..
        } => format!("[file {name}, {size} bytes] {url}"),
        Payload::Face { index, data } => format!("[face {index} {data}]"),
        Payload::Location {
            description,
            longitude,
            latitude,
        } => format!(
            "[location {description} at {}, {}]",
            longitude.0, latitude.0
        ),
        Payload::Sound { url, seconds, .. } => format!("[voice {seconds} s] {url}"),
        Payload::Video(v) => format!("[video {} s, {} bytes] {}", v.seconds, v.size, v.url),
        Payload::Merger(m) => format!("[{} messages: {}]", m.messages.len(), m.title),
        Payload::Revoked { by } => format!("[revoked by {by}]"),
        Payload::RevokeNotice { seq } => format!("* revoked #{seq}"),
        _ => "[a kind of message this chat cannot show]".to_owned(),
    };
    let arrow = if message.flow == Flow::Out {
        "->"
    } else {
        "<-"
    };
    // TIM shows the group name card, else the nickname, else the id.
    let name = [&message.name_card, &message.nick]
        .into_iter()
        .find(|n| !n.is_empty());
    let who = match name {
        Some(name) => format!("{name} ({})", message.from),
        None => message.from.clone(),
    };
    // Mentions of this user stand out, as TIM's UI kits show them.
    let me = ME.get().map_or("", String::as_str);
    let mentioned = message.at_users.iter().any(|u| u == me || u == AT_ALL);
    let mark = if mentioned && message.flow == Flow::In {
        "\x1b[1;33m(@you)\x1b[0m "
    } else {
        ""
    };
    format!(
        "[{} #{}] {} {}: {mark}{}",
        message.conversation_id, message.seq, arrow, who, body
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lines_at_words_are_its_mentions() {
        let line = "@bob, look: @all and @carol. mail me@x";
        assert_eq!(mentions_in(line), ["bob", AT_ALL, "carol"]);
        assert!(mentions_in("no one @ all").is_empty());
    }
}
