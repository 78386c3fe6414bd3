//! The profile, blocklist and status commands of the interactive chat.

use tinyim_tokio::{MyProfileUpdate, Profile, StatusType, Tim, UserStatus};

pub(crate) const HELP: &str =
    "people: /me  /nick <name>  /pcustom <key> <value>  /whois <user>...  /block <user>...  /unblock <user>...  /blocklist\n\
     status: /status [text]  /who <user>...  /watch <user>...  /unwatch [user...]";

/// A user's status as a line: `bob: online  on battery`.
pub(crate) fn show_status(s: &UserStatus) -> String {
    let state = match s.status_type {
        StatusType::Online => "online",
        StatusType::Offline => "offline",
    };
    format!("{}: {state}  {}", s.user_id, s.custom_status)
        .trim_end()
        .to_owned()
}

fn show(p: &Profile) -> String {
    let nick = if p.nick.is_empty() {
        "(no nick)"
    } else {
        &p.nick
    };
    let custom: Vec<String> = p.custom.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{}: {nick}  {:?}  {}  {}",
        p.user_id,
        p.gender,
        p.self_signature,
        custom.join(" ")
    )
    .trim_end()
    .to_owned()
}

/// Runs a profile or blocklist command; false if `command` is not one.
pub(crate) async fn run(tim: &Tim, command: &str, arg: &str) -> bool {
    let users: Vec<&str> = arg.split_whitespace().collect();
    match (command, users.as_slice()) {
        ("/me", []) => match tim.my_profile().await {
            Ok(p) => println!("{}", show(&p)),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/nick", [_, ..]) => {
            let update = MyProfileUpdate {
                nick: Some(arg.trim().to_owned()),
                ..MyProfileUpdate::default()
            };
            match tim.update_my_profile(update).await {
                Ok(p) => println!("[nick set] {}", show(&p)),
                Err(e) => println!("[failed {}: {e}]", e.code()),
            }
        }
        ("/pcustom", [key, value]) => match tim.set_profile_custom(key, value).await {
            Ok(()) => println!("[{key} = {value}]"),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/whois", [_, ..]) => match tim.user_profiles(&users).await {
            Ok(profiles) => profiles.iter().for_each(|p| println!("{}", show(p))),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/block", [_, ..]) => match tim.add_to_blocklist(&users).await {
            Ok(()) => println!("[blocked {}]", users.join(" ")),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/unblock", [_, ..]) => match tim.remove_from_blocklist(&users).await {
            Ok(()) => println!("[unblocked {}]", users.join(" ")),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/status", _) => match tim.set_self_status(arg.trim()).await {
            Ok(()) if arg.trim().is_empty() => println!("[status cleared]"),
            Ok(()) => println!("[status set] {}", arg.trim()),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/who", [_, ..]) => match tim.user_status(&users).await {
            Ok(statuses) => statuses.iter().for_each(|s| println!("{}", show_status(s))),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/watch", [_, ..]) => match tim.subscribe_user_status(&users).await {
            Ok(()) => println!("[watching {}]", users.join(" ")),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/unwatch", _) => match tim.unsubscribe_user_status(&users).await {
            Ok(()) if users.is_empty() => println!("[watching nobody]"),
            Ok(()) => println!("[no longer watching {}]", users.join(" ")),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/blocklist", []) => match tim.blocklist().await {
            Ok(list) if list.is_empty() => println!("[blocklist empty]"),
            Ok(list) => println!("[blocklist] {}", list.join(" ")),
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        _ => return false,
    }
    true
}
