//! What the engine reported, as Tencent's callback commands and bodies.

use super::super::http::msg_body::to_msg_body;
use crate::engine::{content, Happened, StateAction};
use serde_json::{json, Value};

/// Tencent's command for `what`.
pub(crate) fn command_of(what: &Happened) -> &'static str {
    match what {
        Happened::C2cSent { .. } => "C2C.CallbackAfterSendMsg",
        Happened::GroupSent { .. } => "Group.CallbackAfterSendMsg",
        Happened::State { .. } => "State.StateChange",
        Happened::GroupCreated { .. } => "Group.CallbackAfterCreateGroup",
        Happened::Joined { .. } => "Group.CallbackAfterNewMemberJoin",
        Happened::Left { .. } => "Group.CallbackAfterMemberExit",
    }
}

/// The body Tencent posts for `what`, with `CallbackCommand` in it too.
pub(crate) fn body_of(what: &Happened) -> Value {
    let command = command_of(what);
    let mut body = match what {
        Happened::C2cSent {
            from,
            to,
            seq,
            random,
            time_ms,
            body,
        } => json!({
            "From_Account": from,
            "To_Account": to,
            "MsgSeq": seq,
            "MsgRandom": random,
            "MsgTime": time_ms / 1000,
            "MsgKey": format!("{seq}_{random}_{}", time_ms / 1000),
            "OnlineOnlyFlag": u8::from(*seq == 0),
            "MsgBody": msg_body(body),
            "CloudCustomData": cloud_custom_data(body),
            "SendMsgResult": 0,
            "ErrorInfo": "send msg succeed",
        }),
        Happened::GroupSent {
            group_id,
            group_type,
            from,
            seq,
            random,
            time_ms,
            body,
        } => json!({
            "GroupId": group_id,
            "Type": group_type.tim_name(),
            "From_Account": from,
            "Operator_Account": from,
            "Random": random,
            "MsgSeq": seq,
            "MsgTime": time_ms / 1000,
            "OnlineOnlyFlag": u8::from(*seq == 0),
            "MsgBody": msg_body(body),
            "CloudCustomData": cloud_custom_data(body),
        }),
        Happened::State { user, action } => {
            let (action, reason) = match action {
                StateAction::Login => ("Login", "Register"),
                StateAction::Logout => ("Logout", "Unregister"),
                StateAction::Disconnect => ("Disconnect", "LinkClose"),
            };
            json!({
                "Info": {"Action": action, "To_Account": user, "Reason": reason},
                "EventTime": crate::net::engine_thread::now_ms(),
            })
        }
        Happened::GroupCreated {
            group_id,
            group_type,
            name,
            owner,
            members,
        } => json!({
            "GroupId": group_id,
            "Operator_Account": owner,
            "Owner_Account": owner,
            "Type": group_type.tim_name(),
            "Name": name,
            "MemberList": accounts("Member_Account", members),
        }),
        Happened::Joined {
            group_id,
            group_type,
            operator,
            users,
        } => {
            let how = if users.iter().all(|u| u == operator) {
                "Apply"
            } else {
                "Invited"
            };
            json!({
                "GroupId": group_id,
                "Type": group_type.tim_name(),
                "JoinType": how,
                "Operator_Account": operator,
                "NewMemberList": accounts("Member_Account", users),
            })
        }
        Happened::Left {
            group_id,
            group_type,
            kicked,
            operator,
            users,
        } => json!({
            "GroupId": group_id,
            "Type": group_type.tim_name(),
            "ExitType": if *kicked { "Kicked" } else { "Quit" },
            "Operator_Account": operator,
            "ExitMemberList": accounts("Member_Account", users),
        }),
    };
    if let Some(fields) = body.as_object_mut() {
        fields.insert("CallbackCommand".into(), command.into());
    }
    body
}

fn accounts(field: &str, users: &[String]) -> Value {
    users.iter().map(|u| json!({ field: u })).collect()
}

/// A stored body's cloud custom data.
fn cloud_custom_data(body: &[u8]) -> &str {
    content::decode(body).map_or("", |(_, extra)| extra.cloud_custom_data)
}

/// A stored body's element as `MsgBody`.
pub(crate) fn msg_body(body: &[u8]) -> Value {
    match content::decode(body) {
        Ok((elem, _)) => to_msg_body(&elem),
        Err(_) => json!([]),
    }
}
