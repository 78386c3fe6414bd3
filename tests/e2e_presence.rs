//! End to end: presence. TIM's status calls against the real server: a
//! subscriber sees a user come online, set a custom status and go offline
//! (when the last session ends, or when a silent device passes its
//! heartbeat deadline); subscriptions outlive sessions and restarts; the
//! limits and hostile calls get clear codes.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tinyim_core::wire::group::UserList;
use tinyim_core::wire::records::Records;
use tinyim_core::wire::user::{SetSelfStatus, StatusUsers, UserRecord};
use tinyim_core::wire::{code, kind};
use tinyim_tokio::{EventStream, StatusType, TimEvent, UserStatus};

/// The next status push `events` delivers.
async fn next_status(events: &mut EventStream) -> UserStatus {
    match wait_for(events, |e| matches!(e, TimEvent::UserStatusUpdated(_))).await {
        TimEvent::UserStatusUpdated(status) => status,
        _ => unreachable!("wait_for returns what it waited for"),
    }
}

fn status(user: &str, status_type: StatusType, custom_status: &str) -> UserStatus {
    UserStatus {
        user_id: user.to_owned(),
        status_type,
        custom_status: custom_status.to_owned(),
    }
}

fn users(list: &str) -> StatusUsers<'_> {
    StatusUsers {
        users: UserList(list),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_sees_a_user_come_online_set_a_status_and_go_offline() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    alice
        .subscribe_user_status(&["bob"])
        .await
        .expect("subscribe");
    assert_eq!(
        alice.user_status(&["bob", "nobody"]).await.unwrap(),
        [
            status("bob", StatusType::Offline, ""),
            status("nobody", StatusType::Offline, "")
        ],
        "never logged in: offline"
    );

    let (bob, _bob_events) = client(&server.addr, "bob").await;
    assert_eq!(
        next_status(&mut alice_events).await,
        status("bob", StatusType::Online, "")
    );
    bob.set_self_status("on battery").await.expect("set status");
    assert_eq!(
        next_status(&mut alice_events).await,
        status("bob", StatusType::Online, "on battery")
    );

    // A second session changes nothing; the status goes offline with the
    // last one.
    let (bob_phone, _phone_events) = on_phone(&server.addr, "bob").await;
    bob.logout().await.expect("logout");
    assert_eq!(
        alice.user_status(&["bob"]).await.unwrap(),
        [status("bob", StatusType::Online, "on battery")],
        "still online on the phone"
    );
    bob_phone.logout().await.expect("logout");
    assert_eq!(
        next_status(&mut alice_events).await,
        status("bob", StatusType::Offline, "on battery"),
        "the next push is the last session's end: none came for the phone's login or the desktop's logout"
    );
    assert_eq!(
        alice.user_status(&["bob"]).await.unwrap(),
        [status("bob", StatusType::Offline, "on battery")],
        "the custom status is kept until set again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_device_is_seen_offline_once_past_its_heartbeat_deadline() {
    const HEARTBEAT_MS: u64 = 200;
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &["--heartbeat-ms", &HEARTBEAT_MS.to_string()],
    );
    let (dashboard, mut events) = client(&server.addr, "dashboard").await;
    dashboard
        .subscribe_user_status(&["sensor"])
        .await
        .expect("subscribe");

    // A device that logs in, then loses power: no goodbye, no more bytes.
    let mut device = RawConn::connect(&server.addr);
    device.hello();
    device.login("sensor");
    assert_eq!(
        next_status(&mut events).await,
        status("sensor", StatusType::Online, "")
    );
    let silent_since = Instant::now();
    assert_eq!(
        next_status(&mut events).await,
        status("sensor", StatusType::Offline, "")
    );
    // The deadline is three heartbeat intervals; allow generous slack for
    // a loaded machine, far under the wait's own patience.
    assert!(
        silent_since.elapsed() < Duration::from_secs(10),
        "offline after {:?}",
        silent_since.elapsed()
    );
    drop(device);

    // A device that closes its connection is offline at once.
    let mut device = RawConn::connect(&server.addr);
    device.hello();
    device.login("sensor");
    assert_eq!(
        next_status(&mut events).await.status_type,
        StatusType::Online
    );
    drop(device);
    assert_eq!(
        next_status(&mut events).await.status_type,
        StatusType::Offline
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_outlive_sessions_and_restarts_and_reach_every_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinyim.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let (alice, _events) = client(&server.addr, "alice").await;
    alice.subscribe_user_status(&["bob"]).await.unwrap();
    alice.logout().await.unwrap();
    let server = server.restart();

    let (_alice, mut alice_events) = client(&server.addr, "alice").await;
    let (_alice_phone, mut phone_events) = on_phone(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    for events in [&mut alice_events, &mut phone_events] {
        assert_eq!(
            next_status(events).await,
            status("bob", StatusType::Online, "")
        );
    }

    // Bob's own other session hears of his custom status; the session
    // that set it has its answer.
    let (_bob_phone, mut bob_phone_events) = on_phone(&server.addr, "bob").await;
    bob.set_self_status("in a meeting").await.unwrap();
    assert_eq!(
        next_status(&mut bob_phone_events).await,
        status("bob", StatusType::Online, "in a meeting")
    );
    assert_eq!(
        next_status(&mut alice_events).await,
        status("bob", StatusType::Online, "in a meeting")
    );

    // Unsubscribed (here: from everyone), alice hears no more: the next
    // status she gets is carol's, whom she subscribes to afterwards.
    _alice.unsubscribe_user_status(&[]).await.unwrap();
    _alice.subscribe_user_status(&["carol"]).await.unwrap();
    bob.set_self_status("free").await.unwrap();
    let _carol = client(&server.addr, "carol").await;
    assert_eq!(
        next_status(&mut alice_events).await,
        status("carol", StatusType::Online, "")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_and_hostile_status_calls_get_clear_codes() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    assert_eq!(
        raw.request(kind::USER_STATUS, 1, &users("bob")),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("alice");

    let long = "x".repeat(101);
    assert_eq!(
        raw.request(
            kind::SET_SELF_STATUS,
            2,
            &SetSelfStatus {
                custom_status: &long
            }
        ),
        Err(code::INVALID_PARAMETER),
        "a custom status over 100 bytes"
    );
    let hundred = "é".repeat(50);
    raw.request(
        kind::SET_SELF_STATUS,
        3,
        &SetSelfStatus {
            custom_status: &hundred,
        },
    )
    .expect("100 bytes are allowed");

    assert_eq!(
        raw.request(kind::SUBSCRIBE_USER_STATUS, 4, &users("alice")),
        Err(code::INVALID_PARAMETER),
        "one's own status"
    );
    assert_eq!(
        raw.request(kind::SUBSCRIBE_USER_STATUS, 5, &users("")),
        Err(code::INVALID_PARAMETER),
        "nobody named"
    );
    assert_eq!(
        raw.request(kind::SUBSCRIBE_USER_STATUS, 6, &users("ok,not|valid")),
        Err(code::INVALID_PARAMETER)
    );
    let list = |from: usize, n: usize| {
        (from..from + n)
            .map(|i| format!("u{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        raw.request(kind::SUBSCRIBE_USER_STATUS, 7, &users(&list(0, 101))),
        Err(code::INVALID_PARAMETER),
        "over 100 a call"
    );
    assert_eq!(
        raw.request(kind::USER_STATUS, 8, &users(&list(0, 501))),
        Err(code::INVALID_PARAMETER),
        "over 500 a query"
    );
    for (id, from) in [(9, 0), (10, 100)] {
        raw.request(kind::SUBSCRIBE_USER_STATUS, id, &users(&list(from, 100)))
            .expect("200 subscriptions");
    }
    assert_eq!(
        raw.request(kind::SUBSCRIBE_USER_STATUS, 11, &users("u500")),
        Err(code::INVALID_PARAMETER),
        "the 201st"
    );
    raw.request(kind::SUBSCRIBE_USER_STATUS, 12, &users("u0,u199"))
        .expect("already subscribed: no more in all");
    raw.request(kind::UNSUBSCRIBE_USER_STATUS, 13, &users("u0"))
        .expect("unsubscribe");
    raw.request(kind::SUBSCRIBE_USER_STATUS, 14, &users("u500"))
        .expect("room for one again");

    // A query answers per user, as many as fit the client's frames.
    let answer = raw
        .request(kind::USER_STATUS, 15, &users(&list(0, 500)))
        .expect("500 users");
    let records: Vec<UserRecord<'_>> = Records::new(&answer).map(Result::unwrap).collect();
    let Some(UserRecord::Page { next_offset, .. }) = records.last() else {
        panic!("a page's end closes the answer");
    };
    assert_eq!(*next_offset as usize, records.len() - 1);
    assert!(records.len() > 1);

    raw.send(kind::USER_STATUS, &(16u32, 0xffu8, 0xffu8));
    assert_eq!(raw.answer(16), Err(code::BAD_REQUEST), "malformed");
    assert_eq!(
        raw.request(kind::USER_STATUS, 17, &users("bob")).map(drop),
        Ok(()),
        "the connection still serves"
    );
}
