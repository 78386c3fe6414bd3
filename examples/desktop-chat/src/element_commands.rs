//! The commands that send the other element kinds to the open
//! conversation: a place and an emoji.

use tinyim_tokio::{ConversationType, Outgoing, Tim};

pub(crate) const HELP: &str =
    "elements: /loc <longitude> <latitude> <description>  /face <index> [data]   (to the open conversation)";

/// Runs an element command for the open conversation `target`; false if
/// `command` is not one.
pub(crate) async fn run(
    tim: &Tim,
    command: &str,
    arg: &str,
    target: Option<(ConversationType, &str)>,
) -> bool {
    let message = |(kind, to): (ConversationType, &str)| -> Option<Outgoing> {
        match command {
            "/loc" => {
                let mut words = arg.splitn(3, ' ');
                let longitude = words.next()?.parse().ok()?;
                let latitude = words.next()?.parse().ok()?;
                let description = words.next().unwrap_or("").trim();
                Some(Outgoing::location(
                    kind,
                    to,
                    description,
                    longitude,
                    latitude,
                ))
            }
            "/face" => {
                let (index, data) = arg.split_once(' ').unwrap_or((arg, ""));
                Some(Outgoing::face(
                    kind,
                    to,
                    index.trim().parse().ok()?,
                    data.trim(),
                ))
            }
            _ => None,
        }
    };
    if !matches!(command, "/loc" | "/face") {
        return false;
    }
    let Some(target) = target else {
        println!("open a conversation first: /open <user> or /group <id>");
        return true;
    };
    let Some(message) = message(target) else {
        println!("{HELP}");
        return true;
    };
    match tim.send(message).await {
        Ok(sent) => println!("[sent #{}]", sent.seq),
        Err(e) => println!("[failed {}: {e}]", e.code()),
    }
    true
}
