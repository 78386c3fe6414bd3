//! `profile` (`portrait_get`, `portrait_set`) and the blocklist calls of
//! `sns`, each made as the user it names through that user's own request.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use tinyim_core::wire::group::UserList;
use tinyim_core::wire::kind;
use tinyim_core::wire::records::Records;
use tinyim_core::wire::user::{
    AllowType, BlocklistChange, BlocklistPage, Gender, ProfileQuery, ProfileUpdate, UserProfile,
    UserRecord,
};

use super::accounts::fields;
use super::reply::{ok, RestError, Service};
use super::{parse, ticket, unknown, Call};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortraitGet {
    #[serde(rename = "To_Account")]
    to: Vec<String>,
    #[serde(rename = "TagList", default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileItem {
    #[serde(rename = "Tag")]
    tag: String,
    #[serde(rename = "Value")]
    value: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortraitSet {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "ProfileItem")]
    items: Vec<ProfileItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockChange {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockGet {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "StartIndex", default)]
    start: u32,
    #[serde(rename = "MaxLimited", default)]
    max: u32,
    #[serde(rename = "LastSequence", default)]
    _last_sequence: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockCheck {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: Vec<String>,
    #[serde(rename = "CheckType", default)]
    check_type: String,
}

/// Users one call names at most (a blocklist's 1 000).
const MAX_USERS: usize = 1000;

/// The profile tags tinyim keeps, in Tencent's names.
const TAGS: [&str; 10] = [
    "Tag_Profile_IM_Nick",
    "Tag_Profile_IM_Gender",
    "Tag_Profile_IM_BirthDay",
    "Tag_Profile_IM_Location",
    "Tag_Profile_IM_SelfSignature",
    "Tag_Profile_IM_AllowType",
    "Tag_Profile_IM_Language",
    "Tag_Profile_IM_Image",
    "Tag_Profile_IM_Level",
    "Tag_Profile_IM_Role",
];

pub(super) async fn profile_call(
    call: &Call<'_>,
    command: &str,
    body: &[u8],
) -> Result<Response, RestError> {
    const SERVICE: Service = Service::Profile;
    match command {
        "portrait_get" => {
            let get: PortraitGet = parse(SERVICE, body)?;
            SERVICE.accounts(&get.to, MAX_USERS)?;
            if let Some(tag) = get.tags.iter().find(|t| !TAGS.contains(&t.as_str())) {
                return Err(SERVICE.invalid(format!("tinyim keeps no {tag}")));
            }
            let users = get.to.join(",");
            let query = ProfileQuery {
                users: UserList(&users),
            };
            let payload =
                ticket::request_as(&call.api.shared, call.admin, kind::USER_PROFILE, &query)
                    .await
                    .map_err(|e| SERVICE.refused(e))?;
            let items: Vec<Value> = Records::<UserRecord<'_>>::new(&payload)
                .filter_map(|r| match r {
                    Ok(UserRecord::Profile(p)) => Some(profile_item(&p, &get.tags)),
                    _ => None,
                })
                .collect();
            Ok(ok(fields([("UserProfileItem", json!(items))])))
        }
        "portrait_set" => {
            let set: PortraitSet = parse(SERVICE, body)?;
            SERVICE.accounts(std::slice::from_ref(&set.from), MAX_USERS)?;
            let update = profile_update(&set.items).map_err(|e| SERVICE.invalid(e))?;
            ticket::request_as(
                &call.api.shared,
                &set.from,
                kind::UPDATE_MY_PROFILE,
                &update,
            )
            .await
            .map_err(|e| SERVICE.refused(e))?;
            Ok(ok(serde_json::Map::new()))
        }
        _ => Err(unknown()),
    }
}

pub(super) async fn call(
    call: &Call<'_>,
    command: &str,
    body: &[u8],
) -> Result<Response, RestError> {
    const SERVICE: Service = Service::Sns;
    match command {
        "black_list_add" | "black_list_delete" => {
            let change: BlockChange = parse(SERVICE, body)?;
            SERVICE.accounts(std::slice::from_ref(&change.from), MAX_USERS)?;
            SERVICE.accounts(&change.to, MAX_USERS)?;
            let users = change.to.join(",");
            let request = BlocklistChange {
                users: UserList(&users),
            };
            let request_kind = if command == "black_list_add" {
                kind::ADD_TO_BLOCKLIST
            } else {
                kind::REMOVE_FROM_BLOCKLIST
            };
            ticket::request_as(&call.api.shared, &change.from, request_kind, &request)
                .await
                .map_err(|e| SERVICE.refused(e))?;
            let items: Vec<Value> = change
                .to
                .iter()
                .map(|to| json!({"To_Account": to, "ResultCode": 0, "ResultInfo": ""}))
                .collect();
            Ok(ok(fields([("ResultItem", json!(items))])))
        }
        "black_list_get" => {
            let get: BlockGet = parse(SERVICE, body)?;
            SERVICE.accounts(std::slice::from_ref(&get.from), MAX_USERS)?;
            let count = u16::try_from(get.max.clamp(1, 100)).unwrap_or(100);
            let (blocked, next) = blocklist_page(call, &get.from, get.start, count).await?;
            let items: Vec<Value> = blocked
                .iter()
                .map(|to| json!({"To_Account": to, "AddBlackTimeStamp": 0}))
                .collect();
            Ok(ok(fields([
                ("BlackListItem", json!(items)),
                ("StartIndex", json!(next.unwrap_or(0))),
                ("CurruentSequence", json!(0)),
            ])))
        }
        "black_list_check" => {
            let check: BlockCheck = parse(SERVICE, body)?;
            SERVICE.accounts(std::slice::from_ref(&check.from), MAX_USERS)?;
            SERVICE.accounts(&check.to, MAX_USERS)?;
            let both = check.check_type == "BlackCheckResult_Type_Both";
            let mine = whole_blocklist(call, &check.from).await?;
            let mut items = Vec::with_capacity(check.to.len());
            for to in &check.to {
                let a_blocks_b = mine.contains(to);
                let b_blocks_a = both && whole_blocklist(call, to).await?.contains(&check.from);
                let relation = match (a_blocks_b, b_blocks_a) {
                    (false, false) => "BlackCheckResult_Type_NO",
                    (true, false) => "BlackCheckResult_Type_AWithB",
                    (false, true) => "BlackCheckResult_Type_BWithA",
                    (true, true) => "BlackCheckResult_Type_BothWay",
                };
                items.push(json!({"To_Account": to, "Relation": relation, "ResultCode": 0, "ResultInfo": ""}));
            }
            Ok(ok(fields([("BlackListCheckItem", json!(items))])))
        }
        _ => Err(unknown()),
    }
}

/// One page of `user`'s blocklist from `offset`, and where the next starts
/// (`None`: it was the last).
async fn blocklist_page(
    call: &Call<'_>,
    user: &str,
    offset: u32,
    count: u16,
) -> Result<(Vec<String>, Option<u32>), RestError> {
    let page = BlocklistPage { offset, count };
    let payload = ticket::request_as(&call.api.shared, user, kind::BLOCKLIST, &page)
        .await
        .map_err(|e| Service::Sns.refused(e))?;
    let mut blocked = Vec::new();
    let mut next = None;
    for record in Records::<UserRecord<'_>>::new(&payload) {
        match record.map_err(|_| Service::Sns.internal())? {
            UserRecord::Blocked { user_id } => blocked.push(user_id.to_owned()),
            UserRecord::Page { next_offset, more } => next = more.then_some(next_offset),
            _ => {}
        }
    }
    Ok((blocked, next))
}

/// Everything `user` blocks (at most 1 000).
async fn whole_blocklist(call: &Call<'_>, user: &str) -> Result<Vec<String>, RestError> {
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let (page, next) = blocklist_page(call, user, offset, 100).await?;
        all.extend(page);
        match next {
            Some(n) if n > offset => offset = n,
            _ => return Ok(all),
        }
    }
}

/// A profile as Tencent lists it: the tags asked for (all when none are).
fn profile_item(p: &UserProfile<'_>, tags: &[String]) -> Value {
    let wanted = |tag: &str| tags.is_empty() || tags.iter().any(|t| t == tag);
    let items: Vec<Value> = TAGS
        .iter()
        .filter(|tag| wanted(tag))
        .map(|&tag| {
            let value = match tag {
                "Tag_Profile_IM_Nick" => json!(p.nick),
                "Tag_Profile_IM_Gender" => json!(gender_name(p.gender)),
                "Tag_Profile_IM_BirthDay" => json!(p.birthday),
                "Tag_Profile_IM_Location" => json!(p.location),
                "Tag_Profile_IM_SelfSignature" => json!(p.self_signature),
                "Tag_Profile_IM_AllowType" => json!(allow_name(p.allow_type)),
                "Tag_Profile_IM_Language" => json!(p.language),
                "Tag_Profile_IM_Image" => json!(p.avatar),
                "Tag_Profile_IM_Level" => json!(p.level),
                _ => json!(p.role),
            };
            json!({"Tag": tag, "Value": value})
        })
        .collect();
    json!({"To_Account": p.user_id, "ProfileItem": items, "ResultCode": 0, "ResultInfo": ""})
}

fn gender_name(g: Gender) -> &'static str {
    match g {
        Gender::Unknown => "Gender_Type_Unknown",
        Gender::Female => "Gender_Type_Female",
        Gender::Male => "Gender_Type_Male",
    }
}

fn allow_name(a: AllowType) -> &'static str {
    match a {
        AllowType::AllowAny => "AllowType_Type_AllowAny",
        AllowType::NeedConfirm => "AllowType_Type_NeedConfirm",
        AllowType::DenyAny => "AllowType_Type_DenyAny",
    }
}

/// The update `items` ask for, or what is wrong with one.
fn profile_update(items: &[ProfileItem]) -> Result<ProfileUpdate<'_>, String> {
    let mut update = ProfileUpdate::default();
    for item in items {
        let text = || {
            item.value
                .as_str()
                .ok_or_else(|| format!("{} takes a string", item.tag))
        };
        let number = || {
            item.value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| format!("{} takes a number", item.tag))
        };
        match item.tag.as_str() {
            "Tag_Profile_IM_Nick" => update.nick = Some(text()?),
            "Tag_Profile_IM_Gender" => {
                update.gender = Some(match text()? {
                    "Gender_Type_Unknown" => Gender::Unknown,
                    "Gender_Type_Female" => Gender::Female,
                    "Gender_Type_Male" => Gender::Male,
                    other => return Err(format!("no gender {other:?}")),
                })
            }
            "Tag_Profile_IM_BirthDay" => update.birthday = Some(number()?),
            "Tag_Profile_IM_Location" => update.location = Some(text()?),
            "Tag_Profile_IM_SelfSignature" => update.self_signature = Some(text()?),
            "Tag_Profile_IM_AllowType" => {
                update.allow_type = Some(match text()? {
                    "AllowType_Type_AllowAny" => AllowType::AllowAny,
                    "AllowType_Type_NeedConfirm" => AllowType::NeedConfirm,
                    "AllowType_Type_DenyAny" => AllowType::DenyAny,
                    other => return Err(format!("no allow type {other:?}")),
                })
            }
            "Tag_Profile_IM_Language" => update.language = Some(number()?),
            "Tag_Profile_IM_Image" => update.avatar = Some(text()?),
            "Tag_Profile_IM_Level" => update.level = Some(number()?),
            "Tag_Profile_IM_Role" => update.role = Some(number()?),
            other => return Err(format!("tinyim keeps no {other}")),
        }
    }
    if update.is_empty() {
        return Err("no ProfileItem".into());
    }
    Ok(update)
}
