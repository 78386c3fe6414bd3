//! End to end: TIM `revokeMessage`. The revoked message reads as revoked in
//! every history (also after a restart), everyone in the conversation is
//! told on every device (live, or at the next sync), only the sender
//! revokes inside the window and a group's owner and admins revoke anyone's,
//! and hostile requests get clear codes. Real server on 127.0.0.1, real
//! SQLite file.

mod common;

use common::*;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::wire::{body, code, kind};
use tinyim_core::Config;
use tinyim_tokio::{
    EventStream, GroupOptions, GroupType, Options, Payload, Tim, TimError, TimEvent,
};

/// Waits for the `MessageRevoked` event of `seq` in `conversation`; returns
/// who revoked it.
async fn told(events: &mut EventStream, conversation: &str, seq: u64) -> String {
    let event = wait_for(events, |e| {
        matches!(e, TimEvent::MessageRevoked { conversation_id, seq: s, .. }
            if conversation_id == conversation && *s == seq)
    })
    .await;
    match event {
        TimEvent::MessageRevoked { revoker, .. } => revoker,
        _ => unreachable!("waited for a revocation"),
    }
}

/// The conversation's history, oldest first, as payloads by seq.
async fn history(tim: &Tim, conversation: &str) -> Vec<(u64, Payload)> {
    let mut page = tim.message_list(conversation, 0, 20).await.unwrap();
    page.reverse();
    page.into_iter().map(|m| (m.seq, m.payload)).collect()
}

fn code_of(result: Result<(), TimError>) -> u32 {
    result.expect_err("refused").code()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_message_is_gone_from_every_history_and_every_device_is_told() {
    let AliceOnTwoDevices {
        dir: _dir,
        server,
        desktop: (alice, mut alice_events),
        phone: (alice_phone, mut alice_phone_events),
        bob: (bob, mut bob_events),
    } = alice_on_two_devices(&[]).await;
    let kept = alice.send_text("bob", "hello").await.unwrap();
    let secret = alice.send_text("bob", "secret").await.unwrap();
    receive(&mut bob_events, 2).await;

    // A device of bob's that had the message, then went away.
    let (bob_phone, mut bob_phone_events) = on_phone(&server.addr, "bob").await;
    drop(bob_phone_events.recv().await);
    bob_phone.logout().await.unwrap();
    drop((bob_phone, bob_phone_events));

    alice.revoke_message("C2Cbob", secret.seq).await.unwrap();
    assert_eq!(told(&mut bob_events, "C2Calice", secret.seq).await, "alice");
    assert_eq!(told(&mut alice_events, "C2Cbob", secret.seq).await, "alice");
    assert_eq!(
        told(&mut alice_phone_events, "C2Cbob", secret.seq).await,
        "alice"
    );
    let revoked = Payload::Revoked {
        by: "alice".to_owned(),
    };
    let notice = Payload::RevokeNotice { seq: secret.seq };
    let expected = vec![
        (kept.seq, Payload::Text("hello".to_owned())),
        (secret.seq, revoked.clone()),
        (secret.seq + 1, notice.clone()),
    ];
    assert_eq!(history(&bob, "C2Calice").await, expected);
    assert_eq!(history(&alice_phone, "C2Cbob").await, expected);
    let list = bob.conversation_list().await.unwrap();
    assert_eq!(list[0].preview, "[a message was revoked]");

    // Revoking it again succeeds and posts nothing more.
    alice.revoke_message("C2Cbob", secret.seq).await.unwrap();
    assert_eq!(history(&bob, "C2Calice").await, expected);

    // bob's other device learns at its next sync, and it stays revoked
    // after a restart.
    let server = server.restart();
    let phone = Options {
        config: Config::new(DeviceClass::Mobile),
        ..Options::default()
    };
    let (bob_phone, mut bob_phone_events) = Tim::connect(&server.addr, phone);
    bob_phone.login("bob", &sig("bob")).await.unwrap();
    assert_eq!(
        told(&mut bob_phone_events, "C2Calice", secret.seq).await,
        "alice"
    );
    assert_eq!(history(&bob_phone, "C2Calice").await, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_sender_revokes_a_one_to_one_message() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let sent = alice.send_text("bob", "mine").await.unwrap();
    receive(&mut bob_events, 1).await;
    assert_eq!(
        code_of(bob.revoke_message("C2Calice", sent.seq).await),
        code::NO_PERMISSION
    );
    assert_eq!(
        code_of(alice.revoke_message("C2Cbob", sent.seq + 5).await),
        code::INVALID_PARAMETER,
        "no such message"
    );
    // carol names the same seq in her own conversation with bob: she never
    // reaches alice and bob's messages.
    let (carol, _carol_events) = client(&server.addr, "carol").await;
    assert_eq!(
        code_of(carol.revoke_message("C2Cbob", sent.seq).await),
        code::INVALID_PARAMETER
    );
    assert_eq!(
        history(&bob, "C2Calice").await,
        [(sent.seq, Payload::Text("mine".to_owned()))]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_older_than_the_window_stays() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &["--rate", "5000", "--revoke-window-secs", "0"],
    );
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let sent = alice.send_text("bob", "too late").await.unwrap();
    assert_eq!(
        code_of(alice.revoke_message("C2Cbob", sent.seq).await),
        code::REVOKE_TIME_LIMIT
    );
    assert_eq!(
        history(&alice, "C2Cbob").await,
        [(sent.seq, Payload::Text("too late".to_owned()))]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn in_a_group_the_owner_revokes_anyone_and_members_only_their_own() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (carol, mut carol_events) = client(&server.addr, "carol").await;
    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some("g-rev".into());
    options.members = vec!["bob".into(), "carol".into()];
    alice.create_group(options).await.unwrap();
    let bobs = bob.send_group_text("g-rev", "from bob").await.unwrap();
    let carols = carol.send_group_text("g-rev", "from carol").await.unwrap();
    for events in [&mut alice_events, &mut bob_events] {
        wait_for(
            events,
            |e| matches!(e, TimEvent::MessageReceived(m) if m.seq == carols.seq),
        )
        .await;
    }

    // A member may not revoke another's message; the owner may, any time.
    assert_eq!(
        code_of(carol.revoke_message("GROUPg-rev", bobs.seq).await),
        code::NO_PERMISSION
    );
    alice.revoke_message("GROUPg-rev", bobs.seq).await.unwrap();
    for events in [&mut alice_events, &mut bob_events, &mut carol_events] {
        assert_eq!(told(events, "GROUPg-rev", bobs.seq).await, "alice");
    }
    // A member revokes their own.
    carol
        .revoke_message("GROUPg-rev", carols.seq)
        .await
        .unwrap();
    assert_eq!(
        told(&mut bob_events, "GROUPg-rev", carols.seq).await,
        "carol"
    );
    let seen = history(&bob, "GROUPg-rev").await;
    let by_seq = |seq| seen.iter().find(|(s, _)| *s == seq).map(|(_, p)| p.clone());
    assert_eq!(
        by_seq(bobs.seq),
        Some(Payload::Revoked {
            by: "alice".to_owned()
        })
    );
    assert_eq!(
        by_seq(carols.seq),
        Some(Payload::Revoked {
            by: "carol".to_owned()
        })
    );
    // Tips are the server's: nobody revokes them.
    alice.add_group_member("g-rev", &["erin"]).await.unwrap();
    let seen = history(&bob, "GROUPg-rev").await;
    let (tip_seq, _) = seen
        .iter()
        .find(|(_, p)| matches!(p, Payload::GroupTip(_)))
        .expect("the tip of erin's joining")
        .clone();
    assert_eq!(
        code_of(alice.revoke_message("GROUPg-rev", tip_seq).await),
        code::INVALID_PARAMETER
    );
    // Outsiders are not members.
    let (dave, _dave_events) = client(&server.addr, "dave").await;
    assert_eq!(
        code_of(dave.revoke_message("GROUPg-rev", carols.seq).await),
        code::NO_PERMISSION
    );
}

#[test]
fn hostile_revocations_get_clear_codes() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let target = body::MessageRef {
        conversation: "C2Cbob",
        seq: 1,
    };
    assert_eq!(
        raw.request(kind::REVOKE_MESSAGE, 2, &target),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("alice");
    let bad = body::MessageRef {
        conversation: "not a conversation",
        seq: 1,
    };
    assert_eq!(
        raw.request(kind::REVOKE_MESSAGE, 3, &bad),
        Err(code::BAD_CONVERSATION)
    );
    let system = body::MessageRef {
        conversation: "@TIM#SYSTEM",
        seq: 1,
    };
    assert_eq!(
        raw.request(kind::REVOKE_MESSAGE, 4, &system),
        Err(code::INVALID_PARAMETER)
    );
    assert_eq!(
        raw.request(kind::REVOKE_MESSAGE, 5, &7u8),
        Err(code::BAD_REQUEST),
        "a body that is not a message reference"
    );
    assert_eq!(
        raw.request(kind::REVOKE_MESSAGE, 6, &target),
        Err(code::INVALID_PARAMETER),
        "no such message"
    );
    let unknown_group = body::MessageRef {
        conversation: "GROUPnope",
        seq: 1,
    };
    assert_eq!(
        raw.request(kind::REVOKE_MESSAGE, 7, &unknown_group),
        Err(code::GROUP_NOT_FOUND)
    );
    // The refusals left the connection serving.
    let send = body::SendMessage {
        conversation: "C2Cbob",
        client_msg_id: 9,
        elem: body::Elem::Text { text: "hi" },
        extra: body::MessageExtra::default(),
        online_only: false,
        priority: tinyim_core::wire::group::Priority::Normal,
    };
    assert!(raw.request(kind::SEND_MESSAGE, 8, &send).is_ok());
    assert!(raw.request(kind::REVOKE_MESSAGE, 9, &target).is_ok());
}

/// Every element only the server makes, as a client would forge it.
fn forged_elements() -> Vec<body::Elem<'static>> {
    vec![
        body::Elem::RevokeNotice { seq: 1 },
        body::Elem::Revoked { by: "bob" },
        body::Elem::TooLarge { size: 1 },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_cannot_forge_a_revocation_or_any_element_only_the_server_makes() {
    let (server, _dir) = fresh_server();
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    bob.send_text("alice", "bob's words").await.unwrap();
    receive(&mut alice_events, 1).await;
    // A Work group of bob's with alice a plain member, and bob's message in it.
    let mut options = GroupOptions::new(GroupType::Work, "g");
    options.group_id = Some("forge".into());
    options.members = vec!["alice".into()];
    bob.create_group(options).await.unwrap();
    bob.send_group_text("forge", "the owner's words")
        .await
        .unwrap();

    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    raw.login("alice");
    let mut id = 10;
    for conversation in ["C2Cbob", "GROUPforge"] {
        for elem in forged_elements() {
            let send = body::SendMessage {
                conversation,
                client_msg_id: u64::from(id),
                elem,
                extra: body::MessageExtra::default(),
                online_only: false,
                priority: tinyim_core::wire::group::Priority::Normal,
            };
            assert_eq!(
                raw.request(kind::SEND_MESSAGE, id, &send),
                Err(code::BAD_REQUEST),
                "{elem:?} into {conversation}"
            );
            id += 1;
        }
    }
    // Nothing reached bob, and his messages read as he wrote them.
    alice.send_text("bob", "after").await.unwrap();
    let next = wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageRevoked { .. })
            || matches!(e, TimEvent::MessageReceived(m) if m.conversation_id == "C2Calice")
    })
    .await;
    assert!(
        matches!(&next, TimEvent::MessageReceived(m) if m.payload.text() == Some("after")),
        "{next:?}"
    );
    assert_eq!(
        history(&bob, "C2Calice").await[0].1.text(),
        Some("bob's words")
    );
    let group = history(&bob, "GROUPforge").await;
    assert!(group
        .iter()
        .any(|(_, p)| p.text() == Some("the owner's words")));
    assert!(group
        .iter()
        .all(|(_, p)| !matches!(p, Payload::Revoked { .. })));
}
