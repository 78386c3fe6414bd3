//! `im_open_login_svc`: importing, checking and deleting accounts, and
//! kicking a user's sessions.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tinyim_core::model::valid_user_id;
use tinyim_core::wire::records::decode_exact;

use super::reply::{ok, RestError, Service};
use super::{parse, ticket, unknown, Api, Call};
use crate::engine::{AccountImport, AdminAct};

const SERVICE: Service = Service::Accounts;

/// Accounts one `multiaccount_import`, `account_delete` or
/// `account_check` takes at most (Tencent's 100).
const MAX_ACCOUNTS: usize = 100;

/// Tencent's code for an account that does not exist.
const NO_ACCOUNT: u32 = 70107;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Import {
    #[serde(rename = "UserID")]
    user_id: String,
    #[serde(rename = "Nick", default)]
    nick: String,
    #[serde(rename = "FaceUrl", default)]
    face_url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiImport {
    #[serde(rename = "Accounts")]
    accounts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserItem {
    #[serde(rename = "UserID")]
    user_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delete {
    #[serde(rename = "DeleteItem")]
    items: Vec<UserItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    #[serde(rename = "CheckItem")]
    items: Vec<UserItem>,
}

pub(super) async fn call(
    call: &Call<'_>,
    command: &str,
    body: &[u8],
) -> Result<Response, RestError> {
    let api = call.api;
    match command {
        "account_import" => {
            let import: Import = parse(SERVICE, body)?;
            SERVICE.account(&import.user_id)?;
            let account = AccountImport {
                user: import.user_id,
                nick: import.nick,
                avatar: import.face_url,
            };
            ask_unit(api, AdminAct::ImportAccounts(vec![account])).await?;
            Ok(ok(Map::new()))
        }
        "multiaccount_import" => {
            let import: MultiImport = parse(SERVICE, body)?;
            SERVICE.count(import.accounts.len(), MAX_ACCOUNTS)?;
            // Tencent imports the valid ids and lists the others as failed.
            let (good, failed): (Vec<String>, Vec<String>) =
                import.accounts.into_iter().partition(|u| valid_user_id(u));
            let accounts = good
                .into_iter()
                .map(|user| AccountImport {
                    user,
                    nick: String::new(),
                    avatar: String::new(),
                })
                .collect();
            ask_unit(api, AdminAct::ImportAccounts(accounts)).await?;
            Ok(ok(fields([("FailAccounts", json!(failed))])))
        }
        "account_delete" => {
            let delete: Delete = parse(SERVICE, body)?;
            let users = user_ids(delete.items)?;
            let had: Vec<bool> = ask_list(api, AdminAct::DeleteAccounts(users.clone())).await?;
            let items: Vec<Value> = users
                .iter()
                .zip(had)
                .map(|(user, had)| {
                    let (code, info) = if had {
                        (0, "")
                    } else {
                        (NO_ACCOUNT, "Err_TLS_PT_Open_Login_Account_Not_Exist")
                    };
                    json!({"ResultCode": code, "ResultInfo": info, "UserID": user})
                })
                .collect();
            Ok(ok(fields([("ResultItem", json!(items))])))
        }
        "account_check" => {
            let check: Check = parse(SERVICE, body)?;
            let users = user_ids(check.items)?;
            let found: Vec<bool> = ask_list(api, AdminAct::CheckAccounts(users.clone())).await?;
            let items: Vec<Value> = users
                .iter()
                .zip(found)
                .map(|(user, found)| {
                    let status = if found { "Imported" } else { "NotImported" };
                    json!({"UserID": user, "ResultCode": 0, "ResultInfo": "", "AccountStatus": status})
                })
                .collect();
            Ok(ok(fields([("ResultItem", json!(items))])))
        }
        "kick" => {
            let kick: UserItem = parse(SERVICE, body)?;
            SERVICE.account(&kick.user_id)?;
            ask_unit(api, AdminAct::Kick(kick.user_id)).await?;
            Ok(ok(Map::new()))
        }
        _ => Err(unknown()),
    }
}

/// The answer's fields beside the status.
pub(super) fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn user_ids(items: Vec<UserItem>) -> Result<Vec<String>, RestError> {
    let users: Vec<String> = items.into_iter().map(|i| i.user_id).collect();
    SERVICE.accounts(&users, MAX_ACCOUNTS)?;
    Ok(users)
}

async fn ask_unit(api: &Api, act: AdminAct) -> Result<(), RestError> {
    ticket::ask(&api.shared, act)
        .await
        .map(drop)
        .map_err(|e| SERVICE.refused(e))
}

async fn ask_list(api: &Api, act: AdminAct) -> Result<Vec<bool>, RestError> {
    let payload = ticket::ask(&api.shared, act)
        .await
        .map_err(|e| SERVICE.refused(e))?;
    decode_exact(&payload).map_err(|_| SERVICE.internal())
}
