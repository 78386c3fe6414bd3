//! End to end: group flows through the real server binary: joins per type,
//! history for late joiners, tips and system notices with their fields,
//! AVChatRoom's online-only delivery, offline delivery, mutes, the group
//! rate, and a dismissed group.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_tokio::{
    ConversationType, EventStream, GroupNoticeInfo, GroupOptions, GroupProfileUpdate, GroupRole,
    GroupTipInfo, GroupType, JoinOption, JoinStatus, Message, NoticeOp, Outgoing, Payload,
    Priority, Tim, TimError, TimEvent, TipDetail, TipOp,
};

fn server_code(e: TimError) -> u32 {
    match e {
        TimError::Request { error, .. } | TimError::SendFailed { error, .. } => error.code(),
        other => panic!("not a server refusal: {other:?}"),
    }
}

/// Waits for a group system notice of `op`.
async fn notice(events: &mut EventStream, op: NoticeOp) -> (Message, GroupNoticeInfo) {
    let event = wait_for(events, |e| {
        matches!(e, TimEvent::MessageReceived(m)
            if matches!(&m.payload, Payload::GroupSystemNotice(n) if n.op == op))
    })
    .await;
    let TimEvent::MessageReceived(m) = event else {
        unreachable!()
    };
    let Payload::GroupSystemNotice(n) = m.payload.clone() else {
        unreachable!()
    };
    (*m, n)
}

/// Waits for a group tip of `op`.
async fn tip(events: &mut EventStream, op: TipOp) -> (Message, GroupTipInfo) {
    let event = wait_for(events, |e| {
        matches!(e, TimEvent::MessageReceived(m)
            if matches!(&m.payload, Payload::GroupTip(t) if t.op == op))
    })
    .await;
    let TimEvent::MessageReceived(m) = event else {
        unreachable!()
    };
    let Payload::GroupTip(t) = m.payload.clone() else {
        unreachable!()
    };
    (*m, *t)
}

fn texts(messages: &[Message]) -> Vec<&str> {
    messages.iter().filter_map(|m| m.payload.text()).collect()
}

fn options(t: GroupType, id: &str, members: &[&str]) -> GroupOptions {
    GroupOptions {
        group_id: Some(id.to_owned()),
        members: members.iter().map(|m| m.to_string()).collect(),
        ..GroupOptions::new(t, "team")
    }
}

async fn group_ids(tim: &Tim) -> Vec<String> {
    let mut ids: Vec<String> = tim
        .group_list()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.group_id)
        .collect();
    ids.sort();
    ids
}

/// Waits until `group_id` is in (or out of) the client's group list, reading
/// events in between: the list push and a notice may arrive in either order.
async fn wait_listed(tim: &Tim, events: &mut EventStream, group_id: &str, listed: bool) {
    while group_ids(tim).await.iter().any(|g| g == group_id) != listed {
        wait_for(events, |e| *e == TimEvent::GroupListUpdated).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn public_group_joins_through_approval_with_notices_both_ways() {
    let (server, _dir) = fresh_server();
    let (owner, mut owner_events) = client(&server.addr, "p-owner").await;
    let (admin, mut admin_events) = client(&server.addr, "p-admin").await;
    let (applicant, mut applicant_events) = client(&server.addr, "p-app").await;
    let (rejected, mut rejected_events) = client(&server.addr, "p-rej").await;

    let id = owner
        .create_group(options(GroupType::Public, "g-public", &["p-admin"]))
        .await
        .unwrap();
    assert_eq!(id, "g-public");
    owner
        .set_group_member_role(&id, "p-admin", GroupRole::Admin)
        .await
        .unwrap();

    assert_eq!(
        applicant.join_group(&id, "let me in").await.unwrap(),
        JoinStatus::WaitApproval
    );
    for events in [&mut owner_events, &mut admin_events] {
        let (m, n) = notice(events, NoticeOp::JoinRequest).await;
        assert_eq!(m.conversation_id, "@TIM#SYSTEM");
        assert_eq!(m.conversation_type, ConversationType::System);
        assert_eq!(
            (
                n.group_id.as_str(),
                n.group_name.as_str(),
                n.operator.as_str(),
                n.message.as_str()
            ),
            ("g-public", "team", "p-app", "let me in")
        );
    }
    let pending = owner.group_application_list().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].applicant.as_str(), pending[0].message.as_str()),
        ("p-app", "let me in")
    );
    assert_eq!(
        applicant
            .send_group_text(&id, "early")
            .await
            .map_err(server_code),
        Err(code::NO_PERMISSION),
        "not a member while waiting"
    );

    admin
        .handle_group_application(&id, "p-app", true, "welcome")
        .await
        .unwrap();
    let (_, accepted) = notice(&mut applicant_events, NoticeOp::Accepted).await;
    assert_eq!(
        (accepted.operator.as_str(), accepted.message.as_str()),
        ("p-admin", "welcome")
    );
    wait_listed(&applicant, &mut applicant_events, &id, true).await;
    let groups = applicant.group_list().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (
            groups[0].group_id.as_str(),
            groups[0].group_type,
            groups[0].role
        ),
        ("g-public", GroupType::Public, GroupRole::Member)
    );
    let (m, joined) = tip(&mut owner_events, TipOp::Join).await;
    assert_eq!(m.conversation_id, "GROUPg-public");
    assert_eq!(
        (
            joined.operator.as_str(),
            joined.users.clone(),
            joined.member_count
        ),
        ("p-admin", vec!["p-app".to_owned()], 3)
    );
    assert!(owner.group_application_list().await.unwrap().is_empty());
    applicant.send_group_text(&id, "hello all").await.unwrap();

    rejected.join_group(&id, "me too").await.unwrap();
    notice(&mut owner_events, NoticeOp::JoinRequest).await;
    owner
        .handle_group_application(&id, "p-rej", false, "sorry")
        .await
        .unwrap();
    let (_, no) = notice(&mut rejected_events, NoticeOp::Rejected).await;
    assert_eq!(
        (no.operator.as_str(), no.message.as_str()),
        ("p-owner", "sorry")
    );
    assert!(group_ids(&rejected).await.is_empty());
    assert_eq!(
        owner
            .handle_group_application(&id, "p-rej", true, "")
            .await
            .map_err(server_code),
        Err(code::INVALID_PARAMETER),
        "an application is answered once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn free_groups_join_at_once_and_work_groups_by_invitation_only() {
    let (server, _dir) = fresh_server();
    let (owner, mut owner_events) = client(&server.addr, "f-owner").await;
    let (joiner, mut joiner_events) = client(&server.addr, "f-joiner").await;
    for (t, id) in [
        (GroupType::Meeting, "g-meeting"),
        (GroupType::Community, "g-community"),
        (GroupType::AvChatRoom, "g-av"),
    ] {
        owner.create_group(options(t, id, &[])).await.unwrap();
        assert_eq!(
            joiner.join_group(id, "").await.unwrap(),
            JoinStatus::Joined,
            "{t:?}"
        );
        let (m, t_info) = tip(&mut owner_events, TipOp::Join).await;
        assert_eq!(m.conversation_id, format!("GROUP{id}"));
        assert_eq!(t_info.users, ["f-joiner"]);
        assert_eq!(
            joiner.join_group(id, "").await.unwrap(),
            JoinStatus::AlreadyMember
        );
    }
    owner
        .create_group(options(GroupType::Work, "g-work", &[]))
        .await
        .unwrap();
    assert_eq!(
        joiner.join_group("g-work", "").await.map_err(server_code),
        Err(code::NO_PERMISSION)
    );
    owner
        .add_group_member("g-work", &["f-joiner"])
        .await
        .unwrap();
    let (_, invited) = notice(&mut joiner_events, NoticeOp::Invited).await;
    assert_eq!(
        (invited.group_id.as_str(), invited.operator.as_str()),
        ("g-work", "f-owner")
    );
    wait_listed(&joiner, &mut joiner_events, "g-work", true).await;
    assert_eq!(
        group_ids(&joiner).await,
        ["g-av", "g-community", "g-meeting", "g-work"]
    );
    assert_eq!(
        owner
            .add_group_member("g-work", &["f-joiner"])
            .await
            .map_err(server_code),
        Err(code::ALREADY_MEMBER)
    );
    assert_eq!(
        owner
            .create_group(options(GroupType::Work, "g-work", &[]))
            .await
            .map_err(server_code),
        Err(code::GROUP_ID_IN_USE)
    );
    assert_eq!(
        owner
            .create_group(options(GroupType::Work, "@TGS#mine", &[]))
            .await
            .map_err(server_code),
        Err(code::INVALID_GROUP_ID)
    );
    let made = owner
        .create_group(GroupOptions::new(GroupType::Work, "auto"))
        .await
        .unwrap();
    assert!(made.starts_with("@TGS#"), "{made}");
}

#[tokio::test(flavor = "multi_thread")]
async fn late_joiners_see_history_only_where_the_type_allows() {
    let (server, _dir) = fresh_server();
    let (owner, _owner_events) = client(&server.addr, "h-owner").await;
    let (late, _late_events) = client(&server.addr, "h-late").await;
    for (t, sees_history) in [
        (GroupType::Work, false),
        (GroupType::Public, false),
        (GroupType::Meeting, true),
        (GroupType::Community, true),
    ] {
        let id = format!("g-history-{t:?}");
        let mut o = options(t, &id, &[]);
        o.join_option = JoinOption::FreeAccess;
        owner.create_group(o).await.unwrap();
        owner.send_group_text(&id, "before 1").await.unwrap();
        owner.send_group_text(&id, "before 2").await.unwrap();
        if t == GroupType::Work {
            owner.add_group_member(&id, &["h-late"]).await.unwrap();
        } else {
            late.join_group(&id, "").await.unwrap();
        }
        owner.send_group_text(&id, "after").await.unwrap();
        let history = late
            .message_list(&format!("GROUP{id}"), 0, 50)
            .await
            .unwrap();
        let want: &[&str] = if sees_history {
            &["after", "before 2", "before 1"]
        } else {
            &["after"]
        };
        assert_eq!(texts(&history), want, "{t:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_members_get_group_messages_on_sync_with_unread_counts() {
    let (server, _dir) = fresh_server();
    let (owner, _owner_events) = client(&server.addr, "o-owner").await;
    owner
        .create_group(options(GroupType::Community, "g-c", &["o-away"]))
        .await
        .unwrap();
    owner
        .create_group(options(GroupType::Meeting, "g-m", &["o-away"]))
        .await
        .unwrap();
    for i in 0..3 {
        owner
            .send_group_text("g-c", &format!("c{i}"))
            .await
            .unwrap();
        owner
            .send_group_text("g-m", &format!("m{i}"))
            .await
            .unwrap();
    }
    let (away, mut away_events) = tinyim_tokio::Tim::connect(&server.addr, Default::default());
    away.login("o-away", &sig("o-away")).await.unwrap();
    let mut got = Vec::new();
    wait_for(&mut away_events, |e| {
        if let TimEvent::MessageReceived(m) = e {
            if let Some(t) = m.payload.text() {
                got.push((m.conversation_id.clone(), t.to_owned(), m.seq));
            }
        }
        *e == TimEvent::SyncComplete
    })
    .await;
    let of = |conv: &str| -> Vec<String> {
        got.iter()
            .filter(|(c, _, _)| c == conv)
            .map(|(_, t, _)| t.clone())
            .collect()
    };
    assert_eq!(of("GROUPg-c"), ["c0", "c1", "c2"], "in seq order, once");
    assert_eq!(of("GROUPg-m"), ["m0", "m1", "m2"]);
    let list = away.conversation_list().await.unwrap();
    let unread = |id: &str| list.iter().find(|c| c.id == id).unwrap().unread_count;
    assert_eq!(unread("GROUPg-c"), 3);
    assert_eq!(unread("GROUPg-m"), 0, "Meeting groups keep no unread count");
    let groups = away.group_list().await.unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(
        groups.iter().find(|g| g.group_id == "g-c").unwrap().unread,
        3
    );
    away.set_message_read("GROUPg-c").await.unwrap();
    assert_eq!(
        away.total_unread().await.unwrap(),
        2,
        "the SYSTEM notices remain"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn avchatroom_delivers_to_online_members_and_stores_nothing() {
    let (server, _dir) = fresh_server();
    let (owner, _owner_events) = client(&server.addr, "a-owner").await;
    let (here, mut here_events) = client(&server.addr, "a-here").await;
    let (gone, _gone_events) = client(&server.addr, "a-gone").await;
    let id = owner
        .create_group(options(GroupType::AvChatRoom, "g-live", &[]))
        .await
        .unwrap();
    here.join_group(&id, "").await.unwrap();
    gone.join_group(&id, "").await.unwrap();
    gone.logout().await.unwrap();
    assert_eq!(owner.group_online_member_count(&id).await.unwrap(), 2);

    let sent = owner.send_group_text(&id, "live only").await.unwrap();
    assert_eq!(sent.seq, 0, "nothing stored, no seq");
    let m = wait_for(
        &mut here_events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("live only")),
    )
    .await;
    let TimEvent::MessageReceived(m) = m else {
        unreachable!()
    };
    assert_eq!((m.seq, m.conversation_id.as_str()), (0, "GROUPg-live"));

    let (back, mut back_events) = client(&server.addr, "a-gone").await;
    let _ = &mut back_events;
    assert!(back
        .message_list("GROUPg-live", 0, 50)
        .await
        .unwrap()
        .is_empty());
    assert!(back
        .conversation_list()
        .await
        .unwrap()
        .iter()
        .all(|c| c.id != "GROUPg-live"));
    assert!(owner
        .message_list("GROUPg-live", 0, 50)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(here.total_unread().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn tips_and_notices_carry_their_fields() {
    let (server, _dir) = fresh_server();
    let (owner, mut owner_events) = client(&server.addr, "t-owner").await;
    let (admin, mut admin_events) = client(&server.addr, "t-admin").await;
    let (member, mut member_events) = client(&server.addr, "t-member").await;
    let id = owner
        .create_group(options(
            GroupType::Public,
            "g-tips",
            &["t-admin", "t-member", "t-kicked"],
        ))
        .await
        .unwrap();
    notice(&mut owner_events, NoticeOp::Created).await;
    notice(&mut member_events, NoticeOp::Invited).await;

    owner
        .set_group_member_role(&id, "t-admin", GroupRole::Admin)
        .await
        .unwrap();
    let (_, set) = tip(&mut member_events, TipOp::SetAdmin).await;
    assert_eq!(
        (set.operator.as_str(), set.users.clone()),
        ("t-owner", vec!["t-admin".to_owned()])
    );
    notice(&mut admin_events, NoticeOp::AdminSet).await;

    admin
        .delete_group_member(&id, &["t-kicked"], "spam")
        .await
        .unwrap();
    let (_, kicked) = tip(&mut member_events, TipOp::Kicked).await;
    assert_eq!(
        (
            kicked.operator.as_str(),
            kicked.users.clone(),
            kicked.member_count
        ),
        ("t-admin", vec!["t-kicked".to_owned()], 3)
    );
    // Offline when kicked: the notice arrives with the first sync.
    let (kicked_user, mut kicked_events) = Tim::connect(&server.addr, Default::default());
    kicked_user
        .login("t-kicked", &sig("t-kicked"))
        .await
        .unwrap();
    let (_, n) = notice(&mut kicked_events, NoticeOp::Kicked).await;
    assert_eq!(
        (n.operator.as_str(), n.message.as_str()),
        ("t-admin", "spam")
    );
    assert_eq!(
        kicked_user
            .send_group_text(&id, "still here?")
            .await
            .map_err(server_code),
        Err(code::NO_PERMISSION)
    );

    admin
        .set_group_member_mute_time(&id, "t-member", 600)
        .await
        .unwrap();
    let (_, muted) = tip(&mut owner_events, TipOp::MemberProfile).await;
    assert!(
        matches!(muted.detail, TipDetail::Mute(until) if until > 0),
        "{muted:?}"
    );
    assert_eq!(
        member
            .send_group_text(&id, "muted?")
            .await
            .map_err(server_code),
        Err(code::MUTED)
    );
    admin
        .set_group_member_mute_time(&id, "t-member", 0)
        .await
        .unwrap();
    let (_, unmuted) = tip(&mut owner_events, TipOp::MemberProfile).await;
    assert_eq!(unmuted.detail, TipDetail::Mute(0));
    member.send_group_text(&id, "free again").await.unwrap();

    member
        .set_group_member_name_card(&id, "t-member", "Mem")
        .await
        .unwrap();
    let (_, card) = tip(&mut owner_events, TipOp::MemberProfile).await;
    assert_eq!(card.detail, TipDetail::NameCard("Mem".into()));

    let update = GroupProfileUpdate {
        name: Some("renamed".into()),
        mute_all: Some(true),
        custom: Some(("level".into(), "gold".into())),
        ..GroupProfileUpdate::default()
    };
    admin
        .update_group_profile(&id, update.clone())
        .await
        .unwrap();
    let (_, profile) = tip(&mut member_events, TipOp::GroupProfile).await;
    assert_eq!(profile.detail, TipDetail::Profile(update));
    assert_eq!(
        member
            .send_group_text(&id, "all muted?")
            .await
            .map_err(server_code),
        Err(code::MUTED)
    );
    admin
        .send_group_text(&id, "admins still speak")
        .await
        .unwrap();
    let p = member.group_profile(&id).await.unwrap();
    assert_eq!((p.name.as_str(), p.mute_all), ("renamed", true));
    assert_eq!(p.custom, [("level".to_owned(), "gold".to_owned())]);

    owner
        .set_group_member_role(&id, "t-admin", GroupRole::Member)
        .await
        .unwrap();
    notice(&mut admin_events, NoticeOp::AdminRevoked).await;
    let (_, cancel) = tip(&mut member_events, TipOp::CancelAdmin).await;
    assert_eq!(cancel.users, ["t-admin"]);

    owner
        .send_group_notice(&id, &["t-member"], "{\"poll\":1}")
        .await
        .unwrap();
    let (_, custom) = notice(&mut member_events, NoticeOp::Custom).await;
    assert_eq!(custom.data, "{\"poll\":1}");

    owner.change_group_owner(&id, "t-admin").await.unwrap();
    let (_, owner_tip) = tip(&mut member_events, TipOp::GroupProfile).await;
    assert_eq!(owner_tip.detail, TipDetail::Owner("t-admin".into()));
    let p = member.group_profile(&id).await.unwrap();
    assert_eq!(p.owner, "t-admin");
    owner.quit_group(&id).await.unwrap();
    notice(&mut owner_events, NoticeOp::Quit).await;
    let (_, quit) = tip(&mut member_events, TipOp::Quit).await;
    assert_eq!((quit.operator.as_str(), quit.member_count), ("t-owner", 2));
    let members = admin.group_member_list(&id, 0, 100).await.unwrap();
    let roles: Vec<(&str, GroupRole, &str)> = members
        .members
        .iter()
        .map(|m| (m.user_id.as_str(), m.role, m.name_card.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("t-admin", GroupRole::Owner, ""),
            ("t-member", GroupRole::Member, "Mem")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dismissed_group_refuses_everything() {
    let (server, _dir) = fresh_server();
    let (owner, _owner_events) = client(&server.addr, "d-owner").await;
    let (member, mut member_events) = client(&server.addr, "d-member").await;
    let id = owner
        .create_group(options(GroupType::Community, "g-gone", &["d-member"]))
        .await
        .unwrap();
    owner.send_group_text(&id, "last words").await.unwrap();
    wait_for(
        &mut member_events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("last words")),
    )
    .await;
    owner.dismiss_group(&id).await.unwrap();
    let (_, n) = notice(&mut member_events, NoticeOp::Dismissed).await;
    assert_eq!(
        (n.group_id.as_str(), n.operator.as_str()),
        ("g-gone", "d-owner")
    );
    wait_listed(&member, &mut member_events, "g-gone", false).await;
    assert!(
        group_ids(&owner).await.is_empty(),
        "pushed before the answer"
    );

    let gone = |r: Result<(), TimError>| r.map_err(server_code);
    let not_found = Err(code::GROUP_NOT_FOUND);
    assert_eq!(
        gone(member.send_group_text(&id, "hello?").await.map(drop)),
        not_found
    );
    assert_eq!(gone(member.group_profile(&id).await.map(drop)), not_found);
    assert_eq!(gone(member.join_group(&id, "").await.map(drop)), not_found);
    assert_eq!(gone(member.quit_group(&id).await), not_found);
    assert_eq!(gone(owner.dismiss_group(&id).await), not_found);
    assert_eq!(gone(owner.add_group_member(&id, &["x"]).await), not_found);
    assert_eq!(
        gone(member.group_member_list(&id, 0, 10).await.map(drop)),
        not_found
    );
    assert_eq!(
        gone(member.message_list("GROUPg-gone", 0, 10).await.map(drop)),
        not_found
    );
    assert_eq!(
        gone(member.set_message_read("GROUPg-gone").await),
        not_found
    );
    // The id is free again, with no trace of the old group's messages.
    owner
        .create_group(options(GroupType::Community, "g-gone", &[]))
        .await
        .unwrap();
    assert!(owner
        .message_list("GROUPg-gone", 0, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_over_its_rate_refuses_normal_priority_first() {
    let (server, _dir) = fresh_server();
    let (owner, _owner_events) = client(&server.addr, "r-owner").await;
    owner
        .create_group(options(GroupType::Community, "g-busy", &[]))
        .await
        .unwrap();
    // A burst far over 40 a second, all at once (within the client's 62
    // requests in flight): the bucket holds one second, and normal priority
    // leaves a quarter of it to high priority.
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..60 {
        let owner = owner.clone();
        burst.spawn(async move { owner.send_group_text("g-busy", &format!("n{i}")).await });
    }
    let results = burst.join_all().await;
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(e) if server_code(e.clone()) == code::GROUP_RATE_LIMITED))
        .count();
    let stored = results.iter().filter(|r| r.is_ok()).count();
    assert!(refused > 0, "60 at once must exceed 40 a second");
    assert_eq!(
        stored + refused,
        60,
        "every send is stored or refused with the rate code"
    );
    let high = Outgoing {
        priority: Priority::High,
        ..Outgoing::text(ConversationType::Group, "g-busy", "urgent")
    };
    owner
        .send(high)
        .await
        .expect("high priority uses the reserve");
}
