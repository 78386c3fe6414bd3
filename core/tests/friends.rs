#![cfg(feature = "full")]
//! The client core's friend calls, driven by a scripted server: what goes
//! out, how the answer's records come back, local checks, the friend pushes
//! and hostile ones.

mod util;

use tinyim_core::wire::friend::{
    AddFriend, AddResult, ApplicationRef, ApplicationType, Both, Friend, FriendChange,
    FriendGroupChange, FriendRecord, FriendUsers, Relation,
};
use tinyim_core::wire::kind;
use tinyim_core::wire::records;
use tinyim_core::CommandError;
use util::*;

fn add(to: &str) -> AddFriend<'_> {
    AddFriend {
        to,
        add_type: Both::Both,
        remark: "Bobby",
        group_name: "work",
        source: "AddSource_Type_Web",
        wording: "hi, it's alice",
    }
}

#[test]
fn add_friend_sends_the_request_and_answers_with_its_result() {
    let mut h = Harness::logged_in();
    let request = h.client.add_friend(h.now, &add("bob")).unwrap();
    let (id, payload) = h.sent_request(kind::ADD_FRIEND);
    assert_eq!(
        records::decode_exact::<AddFriend<'_>>(&payload),
        Ok(add("bob"))
    );
    h.client.handle_input(
        h.now,
        &records_frame(id, &[FriendRecord::Added(AddResult::Pending)]),
    );
    assert_eq!(h.call_answer(request), ["Added(Pending)", "completed"]);
    assert_eq!(
        h.client.add_friend(h.now, &add("not valid")),
        Err(CommandError::InvalidUserId)
    );
}

#[test]
fn list_calls_send_their_users_and_pages_come_back_as_records() {
    let mut h = Harness::logged_in();
    let request = h.client.friend_list(h.now, 0, 50).unwrap();
    let (id, _) = h.sent_request(kind::FRIEND_LIST);
    let bob = Friend {
        user_id: "bob",
        remark: "Bobby",
        source: "AddSource_Type_Web",
        wording: "",
        groups: "work",
        added_ms: 5,
    };
    h.client.handle_input(
        h.now,
        &records_frame(
            id,
            &[
                FriendRecord::Friend(bob),
                FriendRecord::Page {
                    next_offset: 1,
                    more: false,
                },
            ],
        ),
    );
    let answer = h.call_answer(request);
    assert_eq!(answer.len(), 3, "{answer:?}");
    assert!(answer[0].contains("Bobby"), "{answer:?}");

    h.client
        .check_friend(h.now, "bob,carol", Both::Both)
        .unwrap();
    let (id, payload) = h.sent_request(kind::CHECK_FRIEND);
    let asked: FriendUsers<'_> = records::decode_exact(&payload).unwrap();
    assert!(asked.users.iter().eq(["bob", "carol"]));
    let check = FriendRecord::Check {
        user_id: "bob",
        relation: Relation::BothWay,
    };
    let events = h.feed(&records_frame(id, &[check]));
    assert!(events.iter().any(|e| e.contains("BothWay")), "{events:?}");

    h.client
        .delete_friend_application(h.now, "carol", ApplicationType::SendOut)
        .unwrap();
    let (_, payload) = h.sent_request(kind::DELETE_FRIEND_APPLICATION);
    let asked: ApplicationRef<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(asked.application_type, ApplicationType::SendOut);

    h.client.create_friend_group(h.now, "work", "bob").unwrap();
    let (_, payload) = h.sent_request(kind::CREATE_FRIEND_GROUP);
    let asked: FriendGroupChange<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(asked.name, "work");
    assert!(asked.users.iter().eq(["bob"]));
}

#[test]
fn user_lists_over_their_limits_are_refused_before_sending() {
    let mut h = Harness::logged_in();
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("u{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        h.client.delete_friend(h.now, &list(101), Both::Single),
        Err(CommandError::InvalidUserId)
    );
    assert_eq!(
        h.client.check_friend(h.now, &list(1001), Both::Single),
        Err(CommandError::InvalidUserId)
    );
    assert_eq!(
        h.client.add_to_friend_group(h.now, "g", &list(101)),
        Err(CommandError::InvalidUserId)
    );
    assert_eq!(
        h.client.friend_profile(h.now, ""),
        Err(CommandError::InvalidUserId)
    );
    assert!(h.sent().is_empty(), "nothing went out");
}

#[test]
fn friend_pushes_become_events_and_garbage_closes() {
    let mut h = Harness::logged_in();
    for (change, event) in [
        (FriendChange::List, "FriendListUpdated"),
        (FriendChange::Applications, "FriendApplicationListUpdated"),
        (FriendChange::Groups, "FriendGroupListUpdated"),
    ] {
        let events = h.feed(&frame(kind::PUSH_FRIEND, &change));
        assert!(events.contains(&event.to_owned()), "{events:?}");
    }
    h.feed(&frame(kind::PUSH_FRIEND, &9u8));
    assert!(h.client.poll_close(), "an undecodable friend push closes");
}

#[test]
fn an_undecodable_friend_record_closes_the_transport() {
    let mut h = Harness::logged_in();
    h.client.friend_list(h.now, 0, 100).unwrap();
    let (id, _) = h.sent_request(kind::FRIEND_LIST);
    h.feed(&records_frame(id, &[(42u8, 0xffu8)]));
    assert!(h.client.poll_close());
}
