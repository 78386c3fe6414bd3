//! The client core's profile and blocklist calls, driven by a scripted server: what goes
//! out, how the answer's records come back, local checks, hostile answers.

mod util;

use tinyim_core::wire::kind;
use tinyim_core::wire::records;
use tinyim_core::wire::user::{
    BlocklistChange, BlocklistPage, Gender, ProfileQuery, ProfileUpdate, UserChange, UserProfile,
    UserRecord,
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
