//! The records of the friend calls as tagged JavaScript objects with TIM's
//! field names (`friendship` build); `tim.js` assembles TIM's `Friend`,
//! `FriendApplication` and `FriendGroup` from them.

use tinyim_core::wire::friend::{AddResult, ApplicationType, FriendRecord, Relation};
use wasm_bindgen::JsValue;

use crate::js_object::{num, page, tagged, Obj};

/// TIM's `CheckResult_Type_*`.
fn relation(relation: Relation) -> &'static str {
    match relation {
        Relation::NoRelation => "CheckResult_Type_NoRelation",
        Relation::AWithB => "CheckResult_Type_AWithB",
        Relation::BWithA => "CheckResult_Type_BWithA",
        Relation::BothWay => "CheckResult_Type_BothWay",
    }
}

/// One record of a friend call's answer; `None` for kinds this build does
/// not know.
pub(crate) fn friend_record(record: &FriendRecord<'_>) -> Option<JsValue> {
    Some(match record {
        FriendRecord::Added(result) => tagged(
            "added",
            Obj::new()
                .set("pending", *result == AddResult::Pending)
                .done(),
        ),
        FriendRecord::Friend(friend) => tagged(
            "friend",
            Obj::new()
                .set("userID", friend.user_id)
                .set("remark", friend.remark)
                .set("source", friend.source)
                .set("wording", friend.wording)
                .set("groups", friend.groups)
                .set("addTime", num(friend.added_ms / 1000))
                .done(),
        ),
        FriendRecord::Custom(field) => tagged(
            "custom",
            Obj::new()
                .set("key", field.key)
                .set("value", field.value)
                .done(),
        ),
        FriendRecord::NotFriend { user_id } => {
            tagged("notFriend", Obj::new().set("userID", *user_id).done())
        }
        FriendRecord::Application(application) => {
            let kind = match application.application_type {
                ApplicationType::ComeIn => "Pendency_Type_ComeIn",
                ApplicationType::SendOut => "Pendency_Type_SendOut",
            };
            tagged(
                "application",
                Obj::new()
                    .set("userID", application.user_id)
                    .set("type", kind)
                    .set("wording", application.wording)
                    .set("source", application.source)
                    .set("time", num(application.time_ms / 1000))
                    .done(),
            )
        }
        FriendRecord::UnreadApplications(count) => {
            tagged("unread", Obj::new().set("unreadCount", *count).done())
        }
        FriendRecord::Check {
            user_id,
            relation: r,
        } => tagged(
            "check",
            Obj::new()
                .set("userID", *user_id)
                .set("relation", relation(*r))
                .done(),
        ),
        FriendRecord::Group { name, count } => tagged(
            "friendGroup",
            Obj::new().set("name", *name).set("count", *count).done(),
        ),
        FriendRecord::Member { user_id } => {
            tagged("member", Obj::new().set("userID", *user_id).done())
        }
        FriendRecord::Page { next_offset, more } => page(*next_offset, *more),
        _ => return None,
    })
}
