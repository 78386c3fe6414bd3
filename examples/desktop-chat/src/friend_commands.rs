//! The friend commands of the interactive chat: the list, adding and
//! removing friends, applications, remarks and friend groups.

use tinyim_tokio::{AddFriendOptions, AddResult, ApplicationType, Both, Response, Tim};

pub(crate) const HELP: &str = "friends: /friends  /befriend <user> [words]  /unfriend <user>...  /check <user>...  /applications  /accept <user>  /refuse <user>  /withdraw <user>  /remark <user> <text>  /fcustom <user> <key> <value>\n\
     friend groups: /fgroups  /fgroup <name> <user>...  /fgroup-rm <name> <user>...  /fgroup-rename <name> <new name>  /fgroup-del <name>";

/// Runs a friend command; false if `command` is not one.
pub(crate) async fn run(tim: &Tim, command: &str, arg: &str) -> bool {
    let words: Vec<&str> = arg.split_whitespace().collect();
    let outcome = match (command, words.as_slice()) {
        ("/friends", []) => friends(tim).await,
        ("/befriend", [user, ..]) => {
            let mut options = AddFriendOptions::new(user);
            options.wording = arg.trim()[user.len()..].trim().to_owned();
            tim.add_friend(options).await.map(|result| match result {
                AddResult::Added => println!("[{user} is a friend]"),
                AddResult::Pending => println!("[asked {user}]"),
            })
        }
        ("/unfriend", [_, ..]) => tim
            .delete_friend(&words, Both::Both)
            .await
            .map(|()| println!("[no longer friends with {}]", words.join(" "))),
        ("/check", [_, ..]) => tim.check_friend(&words, Both::Both).await.map(|relations| {
            for (user, relation) in relations {
                println!("{user}: {relation:?}");
            }
        }),
        ("/applications", []) => applications(tim).await,
        ("/withdraw", [user]) => tim
            .delete_friend_application(user, ApplicationType::SendOut)
            .await
            .map(|()| println!("[withdrew the application to {user}]")),
        ("/fcustom", [user, key, value]) => tim
            .set_friend_custom(user, key, value)
            .await
            .map(|()| println!("[{user}: {key} = {value}]")),
        ("/fgroup-rm", [name, users @ ..]) => tim
            .remove_from_friend_group(name, users)
            .await
            .map(|()| println!("[{name}: without {}]", users.join(" "))),
        ("/fgroup-rename", [name, new_name]) => tim
            .rename_friend_group(name, new_name)
            .await
            .map(|()| println!("[{name} is now {new_name}]")),
        ("/fgroup-del", [name]) => tim
            .delete_friend_group(name)
            .await
            .map(|()| println!("[deleted friend group {name}]")),
        ("/accept", [user]) => tim
            .accept_friend_application(user, Response::AgreeAndAdd, "")
            .await
            .map(|()| println!("[{user} is a friend]")),
        ("/refuse", [user]) => tim
            .refuse_friend_application(user)
            .await
            .map(|()| println!("[refused {user}]")),
        ("/remark", [user, _, ..]) => {
            let remark = arg.trim()[user.len()..].trim();
            tim.set_friend_remark(user, remark)
                .await
                .map(|()| println!("[{user}: {remark}]"))
        }
        ("/fgroups", []) => tim.friend_groups().await.map(|groups| {
            if groups.is_empty() {
                println!("[no friend groups]");
            }
            for g in groups {
                println!("{}: {}", g.name, g.users.join(" "));
            }
        }),
        ("/fgroup", [name, users @ ..]) => {
            let exists = match tim.friend_groups().await {
                Ok(groups) => groups.iter().any(|g| g.name == *name),
                Err(e) => {
                    println!("[failed {}: {e}]", e.code());
                    return true;
                }
            };
            let done = if exists {
                tim.add_to_friend_group(name, users).await
            } else {
                tim.create_friend_group(name, users).await
            };
            done.map(|()| println!("[{name}: {}]", users.join(" ")))
        }
        _ => return false,
    };
    if let Err(e) = outcome {
        println!("[failed {}: {e}]", e.code());
    }
    true
}

/// Shows the friend list, each friend with their custom fields.
async fn friends(tim: &Tim) -> Result<(), tinyim_tokio::TimError> {
    let list = tim.friend_list().await?;
    if list.is_empty() {
        println!("[no friends yet]");
        return Ok(());
    }
    let ids: Vec<&str> = list.iter().map(|f| f.user_id.as_str()).collect();
    for f in tim.friend_profiles(&ids).await? {
        let custom: Vec<String> = f.custom.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!(
            "{}  {}  {}  {}",
            f.user_id,
            f.remark,
            f.groups.join(","),
            custom.join(" ")
        );
    }
    Ok(())
}

/// Shows the applications, then marks those to this user read.
async fn applications(tim: &Tim) -> Result<(), tinyim_tokio::TimError> {
    let (unread, applications) = tim.friend_applications().await?;
    println!("[{} applications, {unread} unread]", applications.len());
    for a in &applications {
        let way = match a.application_type {
            ApplicationType::ComeIn => "from",
            _ => "to",
        };
        println!("{way} {}: {}", a.user_id, a.wording);
    }
    tim.set_friend_applications_read().await
}
