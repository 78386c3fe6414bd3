//! End to end: friends (TIM's relationship chain) against the real server.
//! Each allow type (friends at once, an application, refused), applications
//! accepted on another device, refused and deleted, relation checks,
//! deletion one way or both, remarks and custom fields, friend groups, the
//! limits, and calls that reach for other users' data.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_tokio::{
    AddFriendOptions, AddResult, AllowType, ApplicationType, Both, EventStream, MyProfileUpdate,
    Relation, Response, Tim, TimEvent,
};

async fn allowing(tim: &Tim, allow_type: AllowType) {
    let update = MyProfileUpdate {
        allow_type: Some(allow_type),
        ..MyProfileUpdate::default()
    };
    tim.update_my_profile(update).await.expect("allow type");
}

fn add(to: &str) -> AddFriendOptions {
    AddFriendOptions::new(to)
}

fn ids(friends: &[tinyim_tokio::Friend]) -> Vec<&str> {
    friends.iter().map(|f| f.user_id.as_str()).collect()
}

async fn wait_event(events: &mut EventStream, event: TimEvent) {
    wait_for(events, |e| *e == event).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_who_allows_anyone_is_a_friend_at_once_one_way_or_both() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (carol, _carol_events) = client(&server.addr, "carol").await;
    allowing(&bob, AllowType::AllowAny).await;
    allowing(&carol, AllowType::AllowAny).await;

    let mut options = add("bob");
    options.remark = "Bobby".into();
    options.group_name = "work".into();
    options.source = "AddSource_Type_Web".into();
    assert_eq!(alice.add_friend(options).await.unwrap(), AddResult::Added);
    wait_event(&mut bob_events, TimEvent::FriendListUpdated).await;
    let mine = alice.friend_list().await.unwrap();
    assert_eq!(ids(&mine), ["bob"]);
    assert_eq!(
        (
            mine[0].remark.as_str(),
            mine[0].source.as_str(),
            &mine[0].groups[..]
        ),
        ("Bobby", "AddSource_Type_Web", &["work".to_owned()][..])
    );
    assert_eq!(
        ids(&bob.friend_list().await.unwrap()),
        ["alice"],
        "both ways"
    );

    let mut one_way = add("carol");
    one_way.add_type = Both::Single;
    assert_eq!(alice.add_friend(one_way).await.unwrap(), AddResult::Added);
    assert!(carol.friend_list().await.unwrap().is_empty(), "one way");
    assert_eq!(
        alice
            .check_friend(&["bob", "carol", "dave"], Both::Both)
            .await
            .unwrap(),
        [
            ("bob".to_owned(), Relation::BothWay),
            ("carol".to_owned(), Relation::AWithB),
            ("dave".to_owned(), Relation::NoRelation)
        ]
    );
    assert_eq!(
        carol.check_friend(&["alice"], Both::Both).await.unwrap(),
        [("alice".to_owned(), Relation::BWithA)]
    );
    assert_eq!(
        carol.check_friend(&["alice"], Both::Single).await.unwrap(),
        [("alice".to_owned(), Relation::NoRelation)],
        "single: only the caller's list"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_application_is_accepted_on_another_device_and_seen_by_both() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    let (bob_phone, mut phone_events) = on_phone(&server.addr, "bob").await;

    let mut options = add("bob");
    options.wording = "it's alice".into();
    assert_eq!(alice.add_friend(options).await.unwrap(), AddResult::Pending);
    wait_event(&mut phone_events, TimEvent::FriendApplicationListUpdated).await;
    let (unread, applications) = bob_phone.friend_applications().await.unwrap();
    assert_eq!(unread, 1);
    assert_eq!(
        (
            applications[0].user_id.as_str(),
            applications[0].application_type,
            applications[0].wording.as_str()
        ),
        ("alice", ApplicationType::ComeIn, "it's alice")
    );
    let (_, sent) = alice.friend_applications().await.unwrap();
    assert_eq!(
        (sent[0].user_id.as_str(), sent[0].application_type),
        ("bob", ApplicationType::SendOut)
    );
    bob_phone.set_friend_applications_read().await.unwrap();
    assert_eq!(bob.friend_applications().await.unwrap().0, 0);
    assert!(
        alice.friend_list().await.unwrap().is_empty(),
        "not before it is accepted"
    );

    // Accepted on the desktop: alice asked both ways, so "agree" is enough.
    bob.accept_friend_application("alice", Response::Agree, "")
        .await
        .unwrap();
    wait_event(&mut alice_events, TimEvent::FriendListUpdated).await;
    assert_eq!(ids(&alice.friend_list().await.unwrap()), ["bob"]);
    assert_eq!(ids(&bob_phone.friend_list().await.unwrap()), ["alice"]);
    assert!(bob.friend_applications().await.unwrap().1.is_empty());
    assert!(alice.friend_applications().await.unwrap().1.is_empty());
    assert_eq!(
        bob.accept_friend_application("alice", Response::Agree, "")
            .await
            .unwrap_err()
            .code(),
        code::INVALID_PARAMETER,
        "accepted once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_way_applications_follow_the_answer_agree_or_agree_and_add() {
    let (server, _dir) = fresh_server();
    let (carol, _c) = client(&server.addr, "carol").await;
    let (dave, _d) = client(&server.addr, "dave").await;
    let (erin, _e) = client(&server.addr, "erin").await;
    for (from, to) in [(&carol, "dave"), (&erin, "dave")] {
        let mut options = add(to);
        options.add_type = Both::Single;
        assert_eq!(from.add_friend(options).await.unwrap(), AddResult::Pending);
    }
    dave.accept_friend_application("carol", Response::Agree, "")
        .await
        .unwrap();
    dave.accept_friend_application("erin", Response::AgreeAndAdd, "Erin E.")
        .await
        .unwrap();
    assert_eq!(ids(&carol.friend_list().await.unwrap()), ["dave"]);
    let daves = dave.friend_list().await.unwrap();
    assert_eq!(
        ids(&daves),
        ["erin"],
        "agree alone adds nobody to dave's list"
    );
    assert_eq!(daves[0].remark, "Erin E.");
    assert_eq!(ids(&erin.friend_list().await.unwrap()), ["dave"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_say_why_with_tims_codes() {
    let (server, _dir) = fresh_server();
    let (alice, _a) = client(&server.addr, "alice").await;
    let (bob, _b) = client(&server.addr, "bob").await;
    let (carol, _c) = client(&server.addr, "carol").await;
    let (dave, _d) = client(&server.addr, "dave").await;
    allowing(&bob, AllowType::DenyAny).await;
    allowing(&dave, AllowType::AllowAny).await;
    let code_of = |r: Result<AddResult, tinyim_tokio::TimError>| r.unwrap_err().code();

    assert_eq!(
        code_of(alice.add_friend(add("bob")).await),
        code::PEER_DENIES_ANY
    );
    carol.add_to_blocklist(&["alice"]).await.unwrap();
    assert_eq!(
        code_of(alice.add_friend(add("carol")).await),
        code::IN_PEER_BLOCKLIST
    );
    alice.add_to_blocklist(&["dave"]).await.unwrap();
    assert_eq!(
        code_of(alice.add_friend(add("dave")).await),
        code::IN_OWN_BLOCKLIST
    );
    alice.remove_from_blocklist(&["dave"]).await.unwrap();
    alice.add_friend(add("dave")).await.unwrap();
    assert_eq!(
        code_of(alice.add_friend(add("dave")).await),
        code::ALREADY_FRIEND
    );
    assert_eq!(
        code_of(alice.add_friend(add("alice")).await),
        code::INVALID_PARAMETER
    );

    for (field, bad) in [
        ("wording", "w".repeat(257)),
        ("remark", "r".repeat(97)),
        ("group", "g".repeat(31)),
        ("source", "NotASource".to_owned()),
    ] {
        let mut options = add("erin");
        match field {
            "wording" => options.wording = bad,
            "remark" => options.remark = bad,
            "group" => options.group_name = bad,
            _ => options.source = bad,
        }
        let refused = alice.add_friend(options).await.unwrap_err();
        assert_eq!(refused.code(), code::INVALID_PARAMETER, "{field}");
        // The server's words say which argument.
        assert!(refused.to_string().contains(field), "{refused}");
    }
    assert!(
        alice.friend_applications().await.unwrap().1.is_empty(),
        "no refused call left an application"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn applications_are_refused_or_deleted_and_nobody_acts_on_anothers() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, _b) = client(&server.addr, "bob").await;
    let (mallory, _m) = client(&server.addr, "mallory").await;
    alice.add_friend(add("bob")).await.unwrap();

    // Mallory can neither answer nor delete an application to bob.
    for outcome in [
        mallory
            .accept_friend_application("alice", Response::AgreeAndAdd, "")
            .await,
        mallory.refuse_friend_application("alice").await,
        mallory
            .delete_friend_application("alice", ApplicationType::ComeIn)
            .await,
        mallory
            .delete_friend_application("bob", ApplicationType::SendOut)
            .await,
    ] {
        assert_eq!(outcome.unwrap_err().code(), code::INVALID_PARAMETER);
    }
    assert!(mallory.friend_applications().await.unwrap().1.is_empty());
    assert_eq!(bob.friend_applications().await.unwrap().1.len(), 1);

    bob.refuse_friend_application("alice").await.unwrap();
    wait_event(&mut alice_events, TimEvent::FriendApplicationListUpdated).await;
    assert!(alice.friend_applications().await.unwrap().1.is_empty());
    assert!(alice.friend_list().await.unwrap().is_empty());

    alice.add_friend(add("bob")).await.unwrap();
    alice
        .delete_friend_application("bob", ApplicationType::SendOut)
        .await
        .unwrap();
    assert!(
        bob.friend_applications().await.unwrap().1.is_empty(),
        "withdrawn"
    );
    assert_eq!(
        mallory
            .delete_friend(&["alice"], Both::Both)
            .await
            .unwrap_err()
            .code(),
        code::NOT_FRIEND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_one_way_keeps_the_other_and_both_ways_ends_it() {
    let (server, _dir) = fresh_server();
    let (alice, _a) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (carol, _c) = client(&server.addr, "carol").await;
    allowing(&bob, AllowType::AllowAny).await;
    allowing(&carol, AllowType::AllowAny).await;
    alice.add_friend(add("bob")).await.unwrap();
    alice.add_friend(add("carol")).await.unwrap();

    alice.delete_friend(&["bob"], Both::Single).await.unwrap();
    assert_eq!(
        bob.check_friend(&["alice"], Both::Both).await.unwrap(),
        [("alice".to_owned(), Relation::AWithB)]
    );
    alice.delete_friend(&["carol"], Both::Both).await.unwrap();
    assert!(carol.friend_list().await.unwrap().is_empty());
    assert!(alice.friend_list().await.unwrap().is_empty());
    bob.delete_friend(&["alice"], Both::Single).await.unwrap();
    wait_event(&mut bob_events, TimEvent::FriendListUpdated).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn remarks_and_custom_fields_with_their_limits() {
    let (server, _dir) = fresh_server();
    let (alice, _a) = client(&server.addr, "alice").await;
    let (bob, _b) = client(&server.addr, "bob").await;
    allowing(&bob, AllowType::AllowAny).await;
    alice.add_friend(add("bob")).await.unwrap();

    alice.set_friend_remark("bob", "Bob B.").await.unwrap();
    alice
        .set_friend_custom("bob", "Tag_SNS_Custom_city", "Paris")
        .await
        .unwrap();
    let profiles = alice.friend_profiles(&["bob", "zed"]).await.unwrap();
    assert_eq!(ids(&profiles), ["bob"], "non-friends are left out");
    assert_eq!(profiles[0].remark, "Bob B.");
    assert_eq!(
        profiles[0].custom,
        [("Tag_SNS_Custom_city".to_owned(), "Paris".to_owned())]
    );

    for (key, value) in [
        ("city", "no prefix"),
        ("Tag_SNS_Custom_", "empty name"),
        ("Tag_SNS_Custom_toolongkey", "over 8"),
    ] {
        let refused = alice.set_friend_custom("bob", key, value).await;
        assert_eq!(
            refused.unwrap_err().code(),
            code::INVALID_PARAMETER,
            "{key}"
        );
    }
    let long = "v".repeat(501);
    let refused = alice
        .set_friend_custom("bob", "Tag_SNS_Custom_x", &long)
        .await;
    assert_eq!(refused.unwrap_err().code(), code::INVALID_PARAMETER);
    let refused = alice.set_friend_remark("bob", &"r".repeat(97)).await;
    assert_eq!(refused.unwrap_err().code(), code::INVALID_PARAMETER);
    for i in 1..20 {
        alice
            .set_friend_custom("bob", &format!("Tag_SNS_Custom_k{i}"), "v")
            .await
            .unwrap();
    }
    let refused = alice
        .set_friend_custom("bob", "Tag_SNS_Custom_k20", "v")
        .await;
    assert_eq!(
        refused.unwrap_err().code(),
        code::INVALID_PARAMETER,
        "the 21st"
    );
    alice
        .set_friend_custom("bob", "Tag_SNS_Custom_city", "")
        .await
        .unwrap();
    let profiles = alice.friend_profiles(&["bob"]).await.unwrap();
    assert_eq!(profiles[0].custom.len(), 19, "an empty value removed one");
    let refused = bob.set_friend_remark("zed", "x").await;
    assert_eq!(refused.unwrap_err().code(), code::NOT_FRIEND);
}

#[tokio::test(flavor = "multi_thread")]
async fn friend_groups_hold_friends_and_follow_renames_and_deletions() {
    let (server, _dir) = fresh_server();
    let (alice, _a) = client(&server.addr, "alice").await;
    let (_alice_phone, mut phone_events) = on_phone(&server.addr, "alice").await;
    let mut others = Vec::new();
    for user in ["bob", "carol"] {
        let (tim, events) = client(&server.addr, user).await;
        allowing(&tim, AllowType::AllowAny).await;
        alice.add_friend(add(user)).await.unwrap();
        others.push((tim, events));
    }
    alice.create_friend_group("work", &["bob"]).await.unwrap();
    wait_event(&mut phone_events, TimEvent::FriendGroupListUpdated).await;
    alice.create_friend_group("family", &[]).await.unwrap();
    alice
        .add_to_friend_group("family", &["bob", "carol"])
        .await
        .unwrap();
    alice
        .remove_from_friend_group("family", &["bob"])
        .await
        .unwrap();
    alice.rename_friend_group("work", "office").await.unwrap();
    let groups = alice.friend_groups().await.unwrap();
    let shape: Vec<(&str, Vec<&str>)> = groups
        .iter()
        .map(|g| {
            (
                g.name.as_str(),
                g.users.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [("office", vec!["bob"]), ("family", vec!["carol"])],
        "in the order made"
    );
    let bob_entry = alice.friend_profiles(&["bob"]).await.unwrap();
    assert_eq!(bob_entry[0].groups, ["office"]);

    for (outcome, want) in [
        (
            alice.create_friend_group("office", &[]).await,
            code::INVALID_PARAMETER,
        ),
        (
            alice.add_to_friend_group("office", &["zed"]).await,
            code::NOT_FRIEND,
        ),
        (
            alice.add_to_friend_group("nope", &["bob"]).await,
            code::INVALID_PARAMETER,
        ),
        (
            alice.rename_friend_group("office", "family").await,
            code::INVALID_PARAMETER,
        ),
        (
            alice.create_friend_group("", &[]).await,
            code::INVALID_PARAMETER,
        ),
        (
            alice.create_friend_group(&"n".repeat(31), &[]).await,
            code::INVALID_PARAMETER,
        ),
    ] {
        assert_eq!(outcome.unwrap_err().code(), want);
    }
    for i in 2..30 {
        alice
            .create_friend_group(&format!("g{i}"), &[])
            .await
            .unwrap();
    }
    let refused = alice.create_friend_group("g30", &[]).await;
    assert_eq!(
        refused.unwrap_err().code(),
        code::INVALID_PARAMETER,
        "the 31st"
    );

    // A friend who leaves the list leaves its groups; deleting a group
    // keeps its friends.
    alice.delete_friend(&["bob"], Both::Single).await.unwrap();
    alice.delete_friend_group("family").await.unwrap();
    let groups = alice.friend_groups().await.unwrap();
    assert_eq!(groups[0].name, "office");
    assert!(groups[0].users.is_empty());
    assert!(!groups.iter().any(|g| g.name == "family"));
    assert_eq!(ids(&alice.friend_list().await.unwrap()), ["carol"]);
    // Another user's groups are their own.
    assert!(others[0].0.friend_groups().await.unwrap().is_empty());
}

#[test]
fn a_friend_list_holds_3000_on_either_side() {
    use tinyim_core::wire::friend::{AddFriend, FriendRecord};
    use tinyim_core::wire::kind;
    use tinyim_core::wire::records::Records;
    use tinyim_core::wire::user::{AllowType, ProfileUpdate};
    const MAX: usize = tinyim_core::wire::friend::MAX_FRIENDS;
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &["--rate", "100000"],
    );
    let allow_any = ProfileUpdate {
        allow_type: Some(AllowType::AllowAny),
        ..ProfileUpdate::default()
    };
    let users: Vec<String> = (0..=MAX).map(|i| format!("u{i}")).collect();
    let everyone: Vec<&str> = users.iter().map(String::as_str).chain(["hub"]).collect();
    // Eight at a time, so that the server commits them in batches rather
    // than one transaction a user.
    std::thread::scope(|scope| {
        for part in everyone.chunks(everyone.len().div_ceil(8)) {
            let (addr, allow_any) = (&server.addr, &allow_any);
            scope.spawn(move || {
                for user in part {
                    let mut raw = RawConn::logged_in(addr, user);
                    raw.request(kind::UPDATE_MY_PROFILE, 2, allow_any).unwrap();
                }
            });
        }
    });
    fn add(to: &str) -> AddFriend<'_> {
        AddFriend {
            to,
            add_type: Both::Single,
            remark: "",
            group_name: "",
            source: "",
            wording: "",
        }
    }
    let mut hub = RawConn::logged_in(&server.addr, "hub");
    // Sent all at once, answered in order.
    for (i, user) in users[..MAX].iter().enumerate() {
        hub.send(kind::ADD_FRIEND, &(10 + i as u32, add(user)));
    }
    for i in 0..MAX {
        let answer = hub.answer(10 + i as u32).expect("added");
        let records: Vec<FriendRecord<'_>> = Records::new(&answer).map(Result::unwrap).collect();
        assert_eq!(records, [FriendRecord::Added(AddResult::Added)]);
    }
    assert_eq!(
        hub.request(kind::ADD_FRIEND, 9_000, &add(&users[MAX]))
            .map(drop),
        Err(code::FRIEND_LIST_FULL)
    );
    // The hub's list is full for those who add it both ways too.
    let mut last = RawConn::logged_in(&server.addr, &users[MAX]);
    let both = AddFriend {
        add_type: Both::Both,
        ..add("hub")
    };
    assert_eq!(
        last.request(kind::ADD_FRIEND, 2, &both).map(drop),
        Err(code::PEER_FRIEND_LIST_FULL)
    );
    let mut check = RawConn::logged_in(&server.addr, &users[MAX]);
    let single = AddFriend {
        add_type: Both::Single,
        ..add("hub")
    };
    check
        .request(kind::ADD_FRIEND, 3, &single)
        .expect("one way needs no room on the hub's list");
}

#[test]
fn malformed_friend_calls_get_codes_and_the_connection_serves_on() {
    use tinyim_core::wire::friend::{FriendPage, FriendRecord};
    use tinyim_core::wire::kind;
    use tinyim_core::wire::records::Records;
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let page = FriendPage {
        offset: 0,
        count: 10,
    };
    assert_eq!(
        raw.request(kind::FRIEND_LIST, 1, &page).map(drop),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("mallory");
    for (i, k) in (kind::ADD_FRIEND..=kind::FRIEND_GROUPS).enumerate() {
        let id = 100 + i as u32;
        raw.send(k, &(id, 0xffu8, 0xffu8, 0xffu8));
        assert_eq!(
            raw.answer(id).map(drop),
            Err(code::BAD_REQUEST),
            "kind {k:#x}"
        );
    }
    assert_eq!(
        raw.request(kind::FRIEND_GROUPS + 1, 2, &()).map(drop),
        Err(code::UNSUPPORTED)
    );
    // A page past the end is empty, and says so.
    let far = FriendPage {
        offset: u32::MAX,
        count: u16::MAX,
    };
    for k in [kind::FRIEND_LIST, kind::FRIEND_GROUPS] {
        let answer = raw.request(k, 3, &far).expect("a page");
        let records: Vec<FriendRecord<'_>> = Records::new(&answer).map(Result::unwrap).collect();
        assert!(
            matches!(records[..], [FriendRecord::Page { more: false, .. }]),
            "{records:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_account_leaves_every_friend_list() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &["--http-listen", "127.0.0.1:0", "--admin", "administrator"],
    );
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, _b) = client(&server.addr, "bob").await;
    allowing(&bob, AllowType::AllowAny).await;
    alice.add_friend(add("bob")).await.unwrap();
    alice.create_friend_group("pals", &["bob"]).await.unwrap();
    drop(bob);

    let path = format!(
        "/v4/im_open_login_svc/account_delete?sdkappid={APP_ID}&identifier=administrator\
         &usersig={}&random=1&contenttype=json",
        sig("administrator")
    );
    let (status, body) = http_post(
        server.http_addr.as_ref().unwrap(),
        &path,
        br#"{"DeleteItem": [{"UserID": "bob"}]}"#,
    );
    assert_eq!(status, 200);
    assert!(body.contains(r#""ActionStatus":"OK""#), "{body}");
    // Committed before the API answered.
    assert!(alice.friend_list().await.unwrap().is_empty());
    assert!(alice.friend_groups().await.unwrap()[0].users.is_empty());
}
