//! End to end: profiles. Anyone's profile can be read (defaults for one never
//! set), only one's own changed; changes persist, answers page to the
//! client's frame, and over-long fields get clear codes.

mod common;

use common::*;
use tinyim_core::wire::group::UserList;
use tinyim_core::wire::records::Records;
use tinyim_core::wire::user::{ProfileQuery, ProfileUpdate, UserRecord};
use tinyim_core::wire::{code, kind};
use tinyim_tokio::{AllowType, Gender, MyProfileUpdate, Profile};

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_is_set_by_its_owner_read_by_others_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinyim.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let (alice, _a) = client(&server.addr, "alice").await;
    let (bob, _b) = client(&server.addr, "bob").await;

    let fresh = alice.my_profile().await.unwrap();
    assert_eq!(
        fresh,
        Profile {
            user_id: "alice".into(),
            ..Profile::default()
        }
    );

    let set = alice
        .update_my_profile(MyProfileUpdate {
            nick: Some("Alice".into()),
            gender: Some(Gender::Female),
            birthday: Some(19_900_101),
            location: Some("Shenzhen".into()),
            self_signature: Some("hi there".into()),
            allow_type: Some(AllowType::DenyAny),
            avatar: Some("https://example.com/a.png".into()),
            ..MyProfileUpdate::default()
        })
        .await
        .unwrap();
    assert_eq!((set.nick.as_str(), set.gender), ("Alice", Gender::Female));
    assert!(set.updated_ms > 0);
    // A partial update keeps the other fields.
    let changed = alice
        .update_my_profile(MyProfileUpdate {
            nick: Some("Al".into()),
            level: Some(3),
            ..MyProfileUpdate::default()
        })
        .await
        .unwrap();
    let expected = Profile {
        nick: "Al".into(),
        level: 3,
        updated_ms: changed.updated_ms,
        ..set.clone()
    };
    assert_eq!(changed, expected);

    let seen = bob.user_profiles(&["alice", "nobody"]).await.unwrap();
    assert_eq!(seen[0], expected);
    assert_eq!(
        seen[1],
        Profile {
            user_id: "nobody".into(),
            ..Profile::default()
        }
    );

    drop((alice, bob));
    server.kill();
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let (carol, _c) = client(&server.addr, "carol").await;
    assert_eq!(carol.user_profiles(&["alice"]).await.unwrap(), [expected]);
    server.kill();
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_answers_fit_the_clients_frame() {
    let (server, _dir) = fresh_server();
    let users = ["ann", "ben", "cat"];
    for user in users {
        let (tim, _events) = client(&server.addr, user).await;
        tim.update_my_profile(MyProfileUpdate {
            nick: Some(user.repeat(150)),
            ..MyProfileUpdate::default()
        })
        .await
        .unwrap();
    }
    // A 1 KB frame holds two 450-byte nicks at most: the answer says how
    // many came and that more are left.
    let mut raw = RawConn::connect(&server.addr);
    raw.hello_with(1024);
    raw.login("dan");
    let query = ProfileQuery {
        users: UserList("ann,ben,cat"),
    };
    let body = raw.request(kind::USER_PROFILE, 2, &query).unwrap();
    assert!(body.len() < 1024);
    let records: Vec<UserRecord<'_>> = Records::new(&body).map(Result::unwrap).collect();
    let sent = records
        .iter()
        .filter(|r| matches!(r, UserRecord::Profile(_)))
        .count();
    assert!((1..3).contains(&sent), "{sent} profiles in a 1 KB frame");
    assert_eq!(
        records.last(),
        Some(&UserRecord::Page {
            next_offset: sent as u32,
            more: true
        })
    );
    // The tokio client asks again for the rest and gets every one, in the
    // order asked (not the ids' order), a repeat included.
    let (dan, _events) = client(&server.addr, "dan").await;
    let asked = ["cat", "ann", "ben", "ann"];
    let got = dan.user_profiles(&asked).await.unwrap();
    let ids: Vec<&str> = got.iter().map(|p| p.user_id.as_str()).collect();
    assert_eq!(ids, asked);
    assert!(got.iter().all(|p| p.nick == p.user_id.repeat(150)));
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_profile_calls_get_codes_and_change_nothing() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let nick = ProfileUpdate {
        nick: Some("mal"),
        ..ProfileUpdate::default()
    };
    assert_eq!(
        raw.request(kind::UPDATE_MY_PROFILE, 2, &nick),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("mallory");
    raw.request(kind::UPDATE_MY_PROFILE, 3, &nick).unwrap();
    for k in [kind::USER_PROFILE, kind::UPDATE_MY_PROFILE] {
        assert_eq!(raw.request(k, 4, &(9u8, 0xffu8)), Err(code::BAD_REQUEST));
    }
    let long = "x".repeat(501);
    let too_long = [
        ProfileUpdate {
            nick: Some(&long),
            ..ProfileUpdate::default()
        },
        ProfileUpdate {
            location: Some(&long[..17]),
            ..ProfileUpdate::default()
        },
        ProfileUpdate {
            self_signature: Some(&long),
            ..ProfileUpdate::default()
        },
        ProfileUpdate {
            avatar: Some(&long),
            level: Some(9),
            ..ProfileUpdate::default()
        },
    ];
    for (i, update) in too_long.iter().enumerate() {
        assert_eq!(
            raw.request(kind::UPDATE_MY_PROFILE, 10 + i as u32, update),
            Err(code::INVALID_PARAMETER),
            "{update:?}"
        );
    }
    let hundred_and_one: String = (0..101).map(|i| format!("u{i},")).collect();
    for users in ["", ",", "bad id", hundred_and_one.as_str()] {
        let query = ProfileQuery {
            users: UserList(users),
        };
        assert_eq!(
            raw.request(kind::USER_PROFILE, 20, &query),
            Err(code::INVALID_PARAMETER),
            "{users:.20}"
        );
    }
    // Nothing of the refused updates was kept.
    let query = ProfileQuery {
        users: UserList("mallory"),
    };
    let body = raw.request(kind::USER_PROFILE, 30, &query).unwrap();
    let Some(Ok(UserRecord::Profile(p))) = Records::<UserRecord<'_>>::new(&body).next() else {
        panic!("no profile in the answer");
    };
    assert_eq!((p.nick, p.avatar, p.level), ("mal", "", 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_on_one_device_is_announced_to_the_users_other_devices() {
    use tinyim_tokio::TimEvent;
    let (server, _dir) = fresh_server();
    let (desktop, mut desktop_events) = client(&server.addr, "alice").await;
    let (phone, mut phone_events) = on_phone(&server.addr, "alice").await;

    desktop.add_to_blocklist(&["bob"]).await.unwrap();
    wait_for(&mut phone_events, |e| *e == TimEvent::BlocklistUpdated).await;
    assert_eq!(phone.blocklist().await.unwrap(), ["bob"]);

    let update = MyProfileUpdate {
        nick: Some("from the phone".into()),
        ..MyProfileUpdate::default()
    };
    phone.update_my_profile(update).await.unwrap();
    wait_for(&mut desktop_events, |e| *e == TimEvent::ProfileUpdated).await;
    assert_eq!(desktop.my_profile().await.unwrap().nick, "from the phone");

    phone.remove_from_blocklist(&["bob"]).await.unwrap();
    wait_for(&mut desktop_events, |e| *e == TimEvent::BlocklistUpdated).await;
    assert!(desktop.blocklist().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_custom_fields_are_set_read_by_others_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinyim.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let (alice, _a) = client(&server.addr, "alice").await;
    alice
        .set_profile_custom("Tag_Profile_Custom_team", "blue")
        .await
        .unwrap();
    alice
        .set_profile_custom("Tag_Profile_Custom_floor", "3")
        .await
        .unwrap();
    let server = server.restart();
    let (bob, _b) = client(&server.addr, "bob").await;
    let seen = bob.user_profiles(&["alice", "bob", "alice"]).await.unwrap();
    let want = vec![
        ("Tag_Profile_Custom_floor".to_owned(), "3".to_owned()),
        ("Tag_Profile_Custom_team".to_owned(), "blue".to_owned()),
    ];
    assert_eq!(seen[0].custom, want);
    assert!(seen[1].custom.is_empty());
    assert_eq!(seen[2].custom, want, "named twice, answered twice");

    for (key, value) in [
        ("team", "no prefix"),
        ("Tag_Profile_Custom_", "no name"),
        ("Tag_Profile_Custom_ninechars", "over 8"),
        ("Tag_Profile_Custom_émoji", "not ASCII"),
    ] {
        let refused = bob.set_profile_custom(key, value).await.unwrap_err();
        assert_eq!(refused.code(), code::INVALID_PARAMETER, "{key}");
    }
    let long = "v".repeat(501);
    let refused = bob.set_profile_custom("Tag_Profile_Custom_x", &long).await;
    assert_eq!(refused.unwrap_err().code(), code::INVALID_PARAMETER);
    for i in 0..20 {
        bob.set_profile_custom(&format!("Tag_Profile_Custom_k{i}"), "v")
            .await
            .unwrap();
    }
    let refused = bob.set_profile_custom("Tag_Profile_Custom_k20", "v").await;
    assert_eq!(
        refused.unwrap_err().code(),
        code::INVALID_PARAMETER,
        "the 21st"
    );
    bob.set_profile_custom("Tag_Profile_Custom_k0", "")
        .await
        .expect("an empty value removes one");
    assert_eq!(bob.my_profile().await.unwrap().custom.len(), 19);
}
