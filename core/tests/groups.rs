#![cfg(feature = "full")]
//! The client core's groups, driven by a scripted server: the group list
//! refresh, group pushes, the bounded table, group call answers, tips and
//! notices, and hostile group frames.

mod util;

use tinyim_core::wire::group::{
    CreateGroup, GroupInfo, GroupNotice, GroupRecord, GroupTip, JoinStatus, NoticeOp, TipChange,
    TipOp, UserList,
};
use tinyim_core::wire::{body, code, kind, records};
use tinyim_core::{CommandError, Event, GroupRole, GroupType};
use util::*;

fn info(id: &str) -> GroupInfo<'_> {
    GroupInfo {
        group_id: id,
        group_type: GroupType::Public,
        name: "team",
        role: GroupRole::Member,
        mute_all: false,
        muted_until_ms: 0,
    }
}

fn group_push(record: &GroupRecord<'_>) -> Vec<u8> {
    frame(kind::PUSH_GROUP, record)
}

fn listed(h: &Harness) -> Vec<String> {
    let mut ids: Vec<String> = h.client.groups().map(|g| g.group.id().to_owned()).collect();
    ids.sort();
    ids
}

#[test]
fn the_group_list_is_fetched_page_by_page_before_sync_completes() {
    let mut h = Harness::synced_without_groups();
    let (first, payload) = h.sent_request(kind::GROUP_LIST);
    let asked: tinyim_core::wire::group::ListPage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(asked.offset, 0);
    let events = h.feed(&records_frame(
        first,
        &[
            GroupRecord::Info(info("g1")),
            GroupRecord::Info(info("g2")),
            GroupRecord::Page {
                next_offset: 2,
                more: true,
            },
        ],
    ));
    assert!(!events.contains(&"SyncComplete".to_owned()), "{events:?}");
    let (second, payload) = h.sent_request(kind::GROUP_LIST);
    let asked: tinyim_core::wire::group::ListPage<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(asked.offset, 2, "the next page starts where the last ended");
    let events = h.feed(&records_frame(
        second,
        &[
            GroupRecord::Info(info("g3")),
            GroupRecord::Page {
                next_offset: 3,
                more: false,
            },
        ],
    ));
    assert!(
        events.contains(&"GroupListUpdated".to_owned()),
        "{events:?}"
    );
    assert!(events.contains(&"SyncComplete".to_owned()), "{events:?}");
    assert_eq!(listed(&h), ["g1", "g2", "g3"]);
    let g = h.client.group("g2").unwrap();
    assert_eq!(
        (
            g.group.group_type(),
            g.group.name(),
            g.group.role(),
            g.unread
        ),
        (GroupType::Public, "team", GroupRole::Member, 0)
    );

    // After a reconnect the list is fetched again; groups left meanwhile go.
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.open();
    h.answer_login();
    let events = h.answer_group_list(&[info("g2")]);
    assert!(
        events.contains(&"GroupListUpdated".to_owned()),
        "{events:?}"
    );
    assert_eq!(listed(&h), ["g2"]);
}

#[test]
fn group_pushes_keep_the_list_current() {
    let mut h = Harness::logged_in();
    let mut joined = info("g-new");
    joined.role = GroupRole::Admin;
    let events = h.feed(&group_push(&GroupRecord::Info(joined)));
    assert!(
        events.contains(&"GroupListUpdated".to_owned()),
        "{events:?}"
    );
    assert_eq!(
        h.client.group("g-new").unwrap().group.role(),
        GroupRole::Admin
    );
    joined.mute_all = true;
    joined.name = "renamed, and far longer than thirty bytes allow";
    h.feed(&group_push(&GroupRecord::Info(joined)));
    let g = h.client.group("g-new").unwrap().group;
    assert!(g.mute_all());
    assert_eq!(
        g.name(),
        "renamed, and far longer than t",
        "cut to 30 bytes"
    );
    let events = h.feed(&group_push(&GroupRecord::Left { group_id: "g-new" }));
    assert!(
        events.contains(&"GroupListUpdated".to_owned()),
        "{events:?}"
    );
    assert!(h.client.group("g-new").is_none());
}

#[test]
fn a_full_group_table_reports_what_it_dropped_and_refuses_new_groups() {
    let mut h = Harness::synced_without_groups();
    let ids: Vec<String> = (0..10).map(|i| format!("g{i}")).collect();
    let infos: Vec<GroupInfo<'_>> = ids.iter().map(|id| info(id)).collect();
    let events = h.answer_group_list(&infos);
    assert!(
        events.contains(&"GroupsDropped(2)".to_owned()),
        "{events:?}"
    );
    assert_eq!(
        h.client.groups().count(),
        8,
        "DeviceResources holds 8 groups"
    );
    assert_eq!(
        h.client.join_group(h.now, "g-more", ""),
        Err(CommandError::GroupTableFull)
    );
    let create = CreateGroup::new(GroupType::Work, "x");
    assert_eq!(
        h.client.create_group(h.now, &create),
        Err(CommandError::GroupTableFull)
    );
    // Calls on groups the user has do not need room.
    assert!(h.client.group_profile(h.now, "g0").is_ok());
}

#[test]
fn group_call_answers_arrive_as_group_data_then_completion() {
    let mut h = Harness::logged_in();
    let request = h.client.join_group(h.now, "g-join", "hi").unwrap();
    let (id, payload) = h.sent_request(kind::JOIN_GROUP);
    let sent: tinyim_core::wire::group::JoinGroup<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((sent.group_id, sent.apply_message), ("g-join", "hi"));
    h.client.handle_input(
        h.now,
        &records_frame(id, &[GroupRecord::Join(JoinStatus::Joined)]),
    );
    assert_eq!(h.call_answer(request), ["Join(Joined)", "completed"]);

    let request = h.client.dismiss_group(h.now, "g-join").unwrap();
    let (id, _) = h.sent_request(kind::DISMISS_GROUP);
    let refused = frame(
        kind::RESPONSE_ERR,
        &(
            id,
            body::ErrorBody {
                code: code::NO_PERMISSION,
                message: "owner only",
            },
        ),
    );
    let events = h.feed(&refused);
    assert!(
        events.contains(&format!(
            "RequestFailed {{ request: {request:?}, error: Server(10007), message: \"owner only\" }}"
        )),
        "{events:?}"
    );
    assert_eq!(
        h.client.quit_group(h.now, "not a valid id"),
        Err(CommandError::InvalidGroupId)
    );
}

#[test]
fn tips_and_notices_have_their_own_events_and_only_notices_count_as_unread() {
    let mut h = Harness::logged_in();
    h.feed(&group_push(&GroupRecord::Info(info("g-tips"))));
    h.know("GROUPg-tips", 1);
    let tip = body::Message {
        conversation: "GROUPg-tips",
        seq: 2,
        from: "@TIM#SYSTEM",
        time_ms: 5,
        client_msg_id: 0,
        extra: body::MessageExtra::default(),
        elem: body::Elem::GroupTip(GroupTip {
            op: TipOp::Kicked,
            group_id: "g-tips",
            operator: "bob",
            users: UserList("carol,dave"),
            member_count: 3,
            change: TipChange::None,
        }),
    };
    h.client.handle_input(h.now, &push(1, &tip));
    let mut kinds = Vec::new();
    while let Some(event) = h.client.poll_event() {
        if let Event::GroupTip(m) = &event {
            let body::Elem::GroupTip(t) = m.elem else {
                panic!("a tip event carries a tip")
            };
            assert_eq!((t.op.code(), t.operator), (3, "bob"));
            assert!(t.users.iter().eq(["carol", "dave"]));
        }
        kinds.push(
            format!("{event:?}")
                .split(['(', ' '])
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(kinds.contains(&"GroupTip".to_owned()), "{kinds:?}");
    // TIM counts no tip as unread: the last seq moves, the count does not.
    let c = h.client.conversation("GROUPg-tips").unwrap();
    assert_eq!((c.last_seq(), c.unread_count()), (2, 0));
    assert_eq!(h.client.group("g-tips").unwrap().unread, 0);
    let after = text_message("GROUPg-tips", 3, "bob", "after the tip");
    h.feed(&push(1, &after));
    assert_eq!(h.client.group("g-tips").unwrap().unread, 1);

    h.know("@TIM#SYSTEM", 4);
    let notice = body::Message {
        conversation: "@TIM#SYSTEM",
        seq: 5,
        from: "@TIM#SYSTEM",
        time_ms: 6,
        client_msg_id: 0,
        extra: body::MessageExtra::default(),
        elem: body::Elem::GroupSystemNotice(GroupNotice {
            op: NoticeOp::Dismissed,
            group_id: "g-tips",
            group_name: "team",
            operator: "bob",
            message: "",
            data: "",
        }),
    };
    assert!(h
        .feed(&push(4, &notice))
        .iter()
        .any(|e| e.starts_with("GroupSystemNotice")));
    // A system notice asks for the user's attention: it counts.
    assert_eq!(
        h.client.conversation("@TIM#SYSTEM").unwrap().unread_count(),
        1
    );
}

#[test]
fn malformed_group_frames_close_the_transport_without_panicking() {
    let mut h = Harness::logged_in();
    h.feed(&frame(kind::PUSH_GROUP, &(9u8, 9u8, 9u8)));
    assert!(h.client.poll_close(), "an undecodable group push closes");

    let mut h = Harness::logged_in();
    h.client.group_member_list(h.now, "g", 0, 100).unwrap();
    let (id, _) = h.sent_request(kind::MEMBER_LIST);
    let mut bad = records_frame(id, &[GroupRecord::OnlineCount(1)]);
    // A record cut short: the length covers one byte less of the body.
    bad.pop();
    let len = u32::from_le_bytes(bad[..4].try_into().unwrap()) - 1;
    bad[..4].copy_from_slice(&len.to_le_bytes());
    h.feed(&bad);
    assert!(h.client.poll_close(), "an undecodable answer record closes");
}
