//! The group permission matrix against the real server: every group call x
//! every group type x owner / admin / member / non-member, each in a fresh
//! group, each outcome asserted. The expectations are DESIGN section 5
//! written out as a table, independent of the server's rule code.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_tokio::{
    ConversationType, GroupOptions, GroupProfileUpdate, GroupRole, GroupType, Outgoing, Tim,
    TimError,
};

const TYPES: [GroupType; 5] = [
    GroupType::Work,
    GroupType::Public,
    GroupType::Meeting,
    GroupType::Community,
    GroupType::AvChatRoom,
];

/// The actors: owner, admin, member, non-member.
const ROLES: [&str; 4] = ["owner", "admin", "member", "outsider"];

/// Expected outcome per type (Work, Public, Meeting, Community, AVChatRoom),
/// four letters per type for owner, admin, member, non-member:
/// `y` succeeds, `p` 10007 no permission, `q` 10009 owner cannot quit,
/// `i` 10004 invalid parameter, `-` no such role in this type.
const MATRIX: &[(&str, &str)] = &[
    ("dismiss", "                y-pp yppp yppp yppp y-pp"),
    ("update profile", "         y-yp yypp yypp yypp y-pp"),
    ("group profile", "          y-yp yyyy yyyy yyyy y-yy"),
    ("search", "                 p-pp yyyy yyyy yyyy y-yy"),
    ("join", "                   y-yp yyyy yyyy yyyy y-yy"),
    ("application list", "       y-yy yyyy yyyy yyyy y-yy"),
    ("handle application", "     i-pp yypp iipp iipp i-pp"),
    ("quit", "                   y-yp qyyp qyyp qyyp q-yp"),
    ("invite", "                 y-yp yyyp yyyp yyyp p-pp"),
    ("kick", "                   y-pp yypp yypp yypp p-pp"),
    ("set role", "               p-pp yppp yppp yppp p-pp"),
    ("mute", "                   p-pp yypp yypp yypp y-pp"),
    ("others' name card", "      y-pp yypp yypp yypp y-pp"),
    ("own name card", "          y-yp yyyp yyyp yyyp y-yp"),
    ("change owner", "           y-pp yppp yppp yppp p-pp"),
    ("member list", "            y-yp yyyp yyyp yyyp y-yp"),
    ("member profile", "         y-yp yyyp yyyp yyyp y-yp"),
    ("online count", "           p-pp pppp pppp pppp y-yp"),
    ("custom notice", "          y-pp yypp yypp yypp y-pp"),
    ("send message", "           y-yp yyyp yyyp yyyp y-yp"),
    ("set read", "               y-yp yyyp yyyp yyyp y-yp"),
    ("history", "                y-yp yyyp yyyp yyyp y-yp"),
];

fn expected(call: &str, type_index: usize, role_index: usize) -> Option<Result<(), u32>> {
    let (_, row) = MATRIX.iter().find(|(name, _)| *name == call).unwrap();
    let cells: Vec<char> = row
        .split_whitespace()
        .nth(type_index)
        .unwrap()
        .chars()
        .collect();
    match cells[role_index] {
        'y' => Some(Ok(())),
        'p' => Some(Err(code::NO_PERMISSION)),
        'q' => Some(Err(code::OWNER_CANNOT_QUIT)),
        'i' => Some(Err(code::INVALID_PARAMETER)),
        '-' => None,
        other => panic!("bad matrix letter {other}"),
    }
}

struct Cast {
    owner: Tim,
    admin: Tim,
    member: Tim,
    outsider: Tim,
    applicant: Tim,
}

impl Cast {
    fn actor(&self, role_index: usize) -> &Tim {
        [&self.owner, &self.admin, &self.member, &self.outsider][role_index]
    }

    /// A fresh group of `t` with the admin (a plain member where the type
    /// has no admins), the member and a target member `m-target` (none in an
    /// AVChatRoom, where nobody invites); in a Public group the applicant
    /// has applied.
    async fn group(&self, t: GroupType) -> String {
        let mut options = GroupOptions::new(t, "matrix");
        if t != GroupType::AvChatRoom {
            options.members = vec!["m-admin".into(), "m-member".into(), "m-target".into()];
        }
        let id = self.owner.create_group(options).await.unwrap();
        if t == GroupType::AvChatRoom {
            for tim in [&self.admin, &self.member] {
                tim.join_group(&id, "").await.unwrap();
            }
        }
        if matches!(
            t,
            GroupType::Public | GroupType::Meeting | GroupType::Community
        ) {
            self.owner
                .set_group_member_role(&id, "m-admin", GroupRole::Admin)
                .await
                .unwrap();
        }
        if t == GroupType::Public {
            self.applicant.join_group(&id, "let me in").await.unwrap();
        }
        id
    }
}

async fn run(call: &str, t: GroupType, actor: &Tim, me: &str, id: &str) -> Result<(), TimError> {
    // An AVChatRoom has no target member (nobody can invite one): calls aimed
    // at a member aim at the admin there, who is a plain member.
    let target = if t == GroupType::AvChatRoom {
        "m-admin"
    } else {
        "m-target"
    };
    let conversation = format!("GROUP{id}");
    match call {
        "dismiss" => actor.dismiss_group(id).await,
        "update profile" => {
            let update = GroupProfileUpdate {
                name: Some("renamed".into()),
                ..GroupProfileUpdate::default()
            };
            actor.update_group_profile(id, update).await
        }
        "group profile" => actor.group_profile(id).await.map(drop),
        "search" => actor.search_group_by_id(id).await.map(drop),
        "join" => actor.join_group(id, "hello").await.map(drop),
        "application list" => actor.group_application_list().await.map(drop),
        "handle application" => {
            actor
                .handle_group_application(id, "m-applicant", true, "welcome")
                .await
        }
        "quit" => actor.quit_group(id).await,
        "invite" => actor.add_group_member(id, &["m-invitee"]).await,
        "kick" => actor.delete_group_member(id, &[target], "bye").await,
        "set role" => {
            actor
                .set_group_member_role(id, target, GroupRole::Admin)
                .await
        }
        "mute" => actor.set_group_member_mute_time(id, target, 60).await,
        "others' name card" => actor.set_group_member_name_card(id, target, "card").await,
        "own name card" => actor.set_group_member_name_card(id, me, "mine").await,
        "change owner" => actor.change_group_owner(id, target).await,
        "member list" => actor.group_member_list(id, 0, 100).await.map(drop),
        "member profile" => actor.group_member_profile(id, &[target]).await.map(drop),
        "online count" => actor.group_online_member_count(id).await.map(drop),
        "custom notice" => actor.send_group_notice(id, &[], "{\"x\":1}").await,
        "send message" => actor
            .send(Outgoing::text(ConversationType::Group, id, "hi"))
            .await
            .map(drop),
        "set read" => actor.set_message_read(&conversation).await,
        "history" => actor.message_list(&conversation, 0, 20).await.map(drop),
        other => panic!("no such call {other}"),
    }
}

fn code_of(result: Result<(), TimError>) -> Result<(), u32> {
    result.map_err(|e| match e {
        TimError::Request { error, .. } | TimError::SendFailed { error, .. } => error.code(),
        other => panic!("not a server refusal: {other:?}"),
    })
}

/// Logs a user in and throws its events away, so its stream never fills.
async fn drained_client(addr: &str, user: &str) -> Tim {
    let (tim, mut events) = client(addr, user).await;
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    tim
}

#[tokio::test(flavor = "multi_thread")]
async fn every_group_call_by_every_role_in_every_type() {
    let (server, _dir) = fresh_server();
    let addr = &server.addr;
    let cast = Cast {
        owner: drained_client(addr, "m-owner").await,
        admin: drained_client(addr, "m-admin").await,
        member: drained_client(addr, "m-member").await,
        outsider: drained_client(addr, "m-outsider").await,
        applicant: drained_client(addr, "m-applicant").await,
    };
    let users = ["m-owner", "m-admin", "m-member", "m-outsider"];
    let mut cases = 0;
    let mut failures = Vec::new();
    for (call, _) in MATRIX {
        for (ti, &t) in TYPES.iter().enumerate() {
            for ri in 0..ROLES.len() {
                let Some(want) = expected(call, ti, ri) else {
                    continue;
                };
                let id = cast.group(t).await;
                let got = code_of(run(call, t, cast.actor(ri), users[ri], &id).await);
                cases += 1;
                if got != want {
                    failures.push(format!(
                        "{call} in {t:?} by {}: got {got:?}, want {want:?}",
                        ROLES[ri]
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cases, MATRIX.len() * (3 * 4 + 2 * 3));
}
