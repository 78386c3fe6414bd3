#![cfg(feature = "full")]
//! The client core's profile, blocklist and status calls, driven by a scripted server: what goes
//! out, how the answer's records come back, local checks, hostile answers.

mod util;

use tinyim_core::wire::kind;
use tinyim_core::wire::records;
use tinyim_core::wire::user::{
    BlocklistChange, BlocklistPage, Gender, ProfileQuery, ProfileUpdate, SetSelfStatus, StatusType,
    StatusUsers, UserChange, UserProfile, UserRecord, UserStatus,
};
use tinyim_core::CommandError;
use util::*;

#[test]
fn blocklist_pages_arrive_as_user_data_then_completion() {
    let mut h = Harness::logged_in();
    let request = h.client.blocklist(h.now, 40, 20).unwrap();
    let (id, payload) = h.sent_request(kind::BLOCKLIST);
    let asked: BlocklistPage = records::decode_exact(&payload).unwrap();
    assert_eq!((asked.offset, asked.count), (40, 20));
    h.client.handle_input(
        h.now,
        &records_frame(
            id,
            &[
                UserRecord::Blocked { user_id: "bob" },
                UserRecord::Blocked { user_id: "carol" },
                UserRecord::Page {
                    next_offset: 42,
                    more: false,
                },
            ],
        ),
    );
    assert_eq!(
        h.call_answer(request),
        [
            r#"Blocked { user_id: "bob" }"#,
            r#"Blocked { user_id: "carol" }"#,
            "Page { next_offset: 42, more: false }",
            "completed"
        ]
    );
}

#[test]
fn block_and_unblock_send_the_list_and_complete_on_an_empty_answer() {
    let mut h = Harness::logged_in();
    let request = h.client.add_to_blocklist(h.now, "bob,carol").unwrap();
    let (id, payload) = h.sent_request(kind::ADD_TO_BLOCKLIST);
    let sent: BlocklistChange<'_> = records::decode_exact(&payload).unwrap();
    assert!(sent.users.iter().eq(["bob", "carol"]));
    let events = h.feed(&ok(id, &()));
    assert!(
        events.contains(&format!("RequestCompleted({request:?})")),
        "{events:?}"
    );
    h.client.remove_from_blocklist(h.now, "bob").unwrap();
    h.sent_request(kind::REMOVE_FROM_BLOCKLIST);
}

#[test]
fn malformed_user_lists_are_refused_before_sending() {
    let mut h = Harness::logged_in();
    let thousand_and_one: String = (0..1001).map(|i| format!("u{i},")).collect();
    for users in ["", ",", "bad id", "ok,not|valid", &thousand_and_one] {
        assert_eq!(
            h.client.add_to_blocklist(h.now, users),
            Err(CommandError::InvalidUserId),
            "{users:.20}"
        );
        assert_eq!(
            h.client.remove_from_blocklist(h.now, users),
            Err(CommandError::InvalidUserId)
        );
    }
    assert!(h.sent().is_empty(), "nothing went out");
}

#[test]
fn an_undecodable_blocklist_record_closes_the_transport() {
    let mut h = Harness::logged_in();
    h.client.blocklist(h.now, 0, 100).unwrap();
    let (id, _) = h.sent_request(kind::BLOCKLIST);
    h.feed(&records_frame(id, &[(7u8, 0xffu8, 0xffu8)]));
    assert!(h.client.poll_close());
}

#[test]
fn profile_calls_name_the_right_users_and_answer_with_profiles() {
    let mut h = Harness::logged_in();
    let request = h.client.my_profile(h.now).unwrap();
    let (id, payload) = h.sent_request(kind::USER_PROFILE);
    let asked: ProfileQuery<'_> = records::decode_exact(&payload).unwrap();
    assert!(
        asked.users.iter().eq(["alice"]),
        "my profile is the login user's"
    );
    let profile = UserProfile {
        user_id: "alice",
        nick: "Alice",
        gender: Gender::Female,
        ..UserProfile::default()
    };
    h.client.handle_input(
        h.now,
        &records_frame(
            id,
            &[
                UserRecord::Profile(profile),
                UserRecord::Page {
                    next_offset: 1,
                    more: false,
                },
            ],
        ),
    );
    let answer = h.call_answer(request);
    assert_eq!(answer.len(), 3, "{answer:?}");
    assert!(answer[0].contains(r#"nick: "Alice""#), "{answer:?}");

    let update = ProfileUpdate {
        nick: Some("Al"),
        ..ProfileUpdate::default()
    };
    h.client.update_my_profile(h.now, &update).unwrap();
    let (_, payload) = h.sent_request(kind::UPDATE_MY_PROFILE);
    assert_eq!(
        records::decode_exact::<ProfileUpdate<'_>>(&payload),
        Ok(update)
    );

    let hundred_and_one: String = (0..101).map(|i| format!("u{i},")).collect();
    assert_eq!(
        h.client.user_profile(h.now, &hundred_and_one),
        Err(CommandError::InvalidUserId)
    );
    h.client.user_profile(h.now, "bob,carol").unwrap();
    h.sent_request(kind::USER_PROFILE);
}

#[test]
fn user_change_pushes_become_events_and_garbage_closes() {
    let mut h = Harness::logged_in();
    let events = h.feed(&frame(kind::PUSH_USER, &UserChange::Blocklist));
    assert!(
        events.contains(&"BlocklistUpdated".to_owned()),
        "{events:?}"
    );
    let events = h.feed(&frame(kind::PUSH_USER, &UserChange::Profile));
    assert!(events.contains(&"ProfileUpdated".to_owned()), "{events:?}");
    h.feed(&frame(kind::PUSH_USER, &9u8));
    assert!(h.client.poll_close(), "an undecodable user push closes");
}

#[test]
fn status_calls_send_their_users_and_answer_with_status_records() {
    let mut h = Harness::logged_in();
    h.client.set_self_status(h.now, "on battery").unwrap();
    let (_, payload) = h.sent_request(kind::SET_SELF_STATUS);
    let sent: SetSelfStatus<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent.custom_status, "on battery");

    let request = h.client.user_status(h.now, "bob,carol").unwrap();
    let (id, payload) = h.sent_request(kind::USER_STATUS);
    let asked: StatusUsers<'_> = records::decode_exact(&payload).unwrap();
    assert!(asked.users.iter().eq(["bob", "carol"]));
    let bob = UserStatus {
        user_id: "bob",
        status_type: StatusType::Online,
        custom_status: "busy",
    };
    h.client
        .handle_input(h.now, &records_frame(id, &[UserRecord::Status(bob)]));
    let answer = h.call_answer(request);
    assert_eq!(answer.len(), 2, "{answer:?}");
    assert!(answer[0].contains("Online") && answer[0].contains("busy"));

    h.client.subscribe_user_status(h.now, "bob").unwrap();
    let (_, payload) = h.sent_request(kind::SUBSCRIBE_USER_STATUS);
    let asked: StatusUsers<'_> = records::decode_exact(&payload).unwrap();
    assert!(asked.users.iter().eq(["bob"]));
    h.client.unsubscribe_user_status(h.now, "").unwrap();
    let (_, payload) = h.sent_request(kind::UNSUBSCRIBE_USER_STATUS);
    let asked: StatusUsers<'_> = records::decode_exact(&payload).unwrap();
    assert!(
        asked.users.is_empty(),
        "an empty list ends every subscription"
    );
}

#[test]
fn status_lists_over_their_limits_are_refused_before_sending() {
    let mut h = Harness::logged_in();
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("u{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        h.client.user_status(h.now, &list(501)),
        Err(CommandError::InvalidUserId)
    );
    assert_eq!(
        h.client.subscribe_user_status(h.now, &list(101)),
        Err(CommandError::InvalidUserId)
    );
    assert_eq!(
        h.client.subscribe_user_status(h.now, ""),
        Err(CommandError::InvalidUserId),
        "subscribing names someone"
    );
    assert_eq!(
        h.client.unsubscribe_user_status(h.now, "ok,not|valid"),
        Err(CommandError::InvalidUserId)
    );
    assert!(h.sent().is_empty(), "nothing went out");
    // At the limits the lists are taken (the harness's small outbox may
    // still find 500 ids too large to send at once).
    assert_ne!(
        h.client.user_status(h.now, &list(500)),
        Err(CommandError::InvalidUserId)
    );
    assert_ne!(
        h.client.subscribe_user_status(h.now, &list(100)),
        Err(CommandError::InvalidUserId)
    );
}

#[test]
fn a_status_push_becomes_an_event_and_garbage_closes() {
    let mut h = Harness::logged_in();
    let status = UserStatus {
        user_id: "bob",
        status_type: StatusType::Offline,
        custom_status: "",
    };
    let events = h.feed(&frame(kind::PUSH_USER_STATUS, &status));
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("UserStatusUpdated") && e.contains("Offline")),
        "{events:?}"
    );
    h.feed(&frame(kind::PUSH_USER_STATUS, &(3u8, 0xffu8)));
    assert!(h.client.poll_close(), "an undecodable status push closes");
}
