//! The group commands of the interactive chat.

use tinyim_tokio::{GroupOptions, GroupType, JoinStatus, Tim, TimError};

pub(crate) const HELP: &str = "groups: /create <work|public|meeting|community|avchatroom> <name> [id]  /join <id> [message]  /group <id>  /groups  /members  /invite <user>...  /kick <user> [reason]  /requests  /approve <id> <user>  /reject <id> <user>  /leave  /dismiss";

fn group_type(name: &str) -> Option<GroupType> {
    Some(match name.to_ascii_lowercase().as_str() {
        "work" | "private" => GroupType::Work,
        "public" => GroupType::Public,
        "meeting" | "chatroom" => GroupType::Meeting,
        "community" => GroupType::Community,
        "avchatroom" | "live" => GroupType::AvChatRoom,
        _ => return None,
    })
}

fn report(result: Result<(), TimError>, done: &str) {
    match result {
        Ok(()) => println!("[{done}]"),
        Err(e) => println!("[failed {}: {e}]", e.code()),
    }
}

/// Runs a group command; `group` is the open group, if any. Returns the
/// group to open, when the command opens one; `None` if `command` is not a
/// group command.
pub(crate) async fn run(
    tim: &Tim,
    command: &str,
    arg: &str,
    group: Option<&str>,
) -> Option<Option<String>> {
    let words: Vec<&str> = arg.split_whitespace().collect();
    let needs_group = || {
        if group.is_none() {
            println!("open a group first: /group <id>");
        }
        group
    };
    match (command, words.as_slice()) {
        ("/create", [kind, name, rest @ ..]) => {
            let Some(t) = group_type(kind) else {
                println!("{HELP}");
                return Some(None);
            };
            let mut options = GroupOptions::new(t, name);
            options.group_id = rest.first().map(|id| id.to_string());
            match tim.create_group(options).await {
                Ok(id) => {
                    println!("[created {id}]");
                    return Some(Some(id));
                }
                Err(e) => println!("[failed {}: {e}]", e.code()),
            }
        }
        ("/join", [id, message @ ..]) => match tim.join_group(id, &message.join(" ")).await {
            Ok(JoinStatus::WaitApproval) => println!("[asked to join {id}; waiting for an admin]"),
            Ok(_) => {
                println!("[in {id}]");
                return Some(Some(id.to_string()));
            }
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/group", [id]) => return Some(Some(id.to_string())),
        ("/groups", []) => match tim.group_list().await {
            Ok(groups) if groups.is_empty() => println!("no groups yet"),
            Ok(groups) => {
                for g in groups {
                    println!(
                        "{:<24} {:<10} {:<6} unread {:>3}  {}",
                        g.group_id,
                        g.group_type.tim_name(),
                        format!("{:?}", g.role),
                        g.unread,
                        g.name
                    );
                }
            }
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/members", []) => {
            let id = needs_group()?;
            match tim.group_member_list(id, 0, 100).await {
                Ok(page) => {
                    for m in page.members {
                        println!("{:<32} {:?} {}", m.user_id, m.role, m.name_card);
                    }
                    if page.more {
                        println!("...");
                    }
                }
                Err(e) => println!("[failed {}: {e}]", e.code()),
            }
        }
        ("/invite", users) if !users.is_empty() => {
            let id = needs_group()?;
            report(tim.add_group_member(id, users).await, "invited");
        }
        ("/kick", [user, reason @ ..]) => {
            let id = needs_group()?;
            report(
                tim.delete_group_member(id, &[user], &reason.join(" "))
                    .await,
                "removed",
            );
        }
        ("/requests", []) => match tim.group_application_list().await {
            Ok(list) if list.is_empty() => println!("no pending requests"),
            Ok(list) => {
                for a in list {
                    println!("{:<24} {:<32} {:?}", a.group_id, a.applicant, a.message);
                }
            }
            Err(e) => println!("[failed {}: {e}]", e.code()),
        },
        ("/approve" | "/reject", [id, user]) => {
            let agree = command == "/approve";
            report(
                tim.handle_group_application(id, user, agree, "").await,
                if agree { "approved" } else { "rejected" },
            );
        }
        ("/leave", []) => {
            let id = needs_group()?;
            report(tim.quit_group(id).await, "left");
        }
        ("/dismiss", []) => {
            let id = needs_group()?;
            report(tim.dismiss_group(id).await, "dismissed");
        }
        _ => return None,
    }
    Some(None)
}
