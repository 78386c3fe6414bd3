//! The embassy handle's calls beyond login and text: the conversation and
//! group lists read from another task, history, custom, image and file
//! messages, the group calls, the user calls and the status calls. The device runs the embassy adapter over tokio
//! TCP on 127.0.0.1 against the real server with a real SQLite file; tokio
//! clients on the other side check what the device's calls did.

mod common;

use common::{next, next_n, sig, start_server, with_device};
use tinyim_core::wire::code;
use tinyim_core::wire::group::{CreateGroup, NoticeOp, ProfileChange};
use tinyim_core::wire::user::{ProfileUpdate, StatusType};
use tinyim_core::JsonError;
use tinyim_core::{CommandError, GroupRole, GroupType, JoinOption, JoinStatus, RequestError};
use tinyim_embassy::{HandleError, MessageKind, OwnedEvent};
use tinyim_tokio::{EventStream, Message, Options, Outgoing, Payload, Picture, Tim, TimEvent};

/// Waits until `events` report that the message `seq` was revoked.
async fn wait_for_revoke(events: &mut EventStream, seq: u64) {
    let revoked = async {
        loop {
            match events.recv().await {
                Some(TimEvent::MessageRevoked { seq: s, .. }) if s == seq => return,
                Some(_) => {}
                None => panic!("the event stream ended"),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), revoked)
        .await
        .expect("the revocation reaches the peer");
}

/// A tokio client logged in as `user`.
async fn peer(addr: &str, user: &str) -> (Tim, EventStream) {
    let (tim, events) = Tim::connect(addr.to_owned(), Options::default());
    tim.login(user, &sig(user)).await.unwrap();
    (tim, events)
}

/// The first message `events` receives that `pick` accepts.
async fn received(events: &mut EventStream, pick: impl Fn(&Message) -> bool) -> Message {
    loop {
        if let TimEvent::MessageReceived(m) = events.recv().await.unwrap() {
            if pick(&m) {
                return *m;
            }
        }
    }
}

fn server_code(code: u32) -> Result<(), HandleError> {
    Err(HandleError::Request(RequestError::Server(code)))
}

#[tokio::test(flavor = "current_thread")]
async fn device_reads_its_conversations_history_and_sends_custom_messages() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 11, async |device, events| {
        // Before login: reads answer from the empty tables, requests are refused.
        assert_eq!(device.total_unread().await, Ok(0));
        let not_logged_in = Err(HandleError::Command(CommandError::NotLoggedIn));
        assert_eq!(
            device.send_custom("alice", "x", "", "").await.map(drop),
            not_logged_in
        );
        assert_eq!(
            device.blocklist(0, 10, |_| {}).await.map(drop),
            not_logged_in
        );
        device.login("dev-3", &sig("dev-3")).await.unwrap();
        assert_eq!(device.total_unread().await, Ok(0));
        assert_eq!(device.conversation_at(0).await, Ok(None));

        let (alice, mut alice_events) = peer(&addr, "alice").await;
        for text in ["one", "two"] {
            alice.send_text("dev-3", text).await.unwrap();
        }
        next(events, |e| match e {
            OwnedEvent::MessageReceived(m) if m.text.as_str() == "two" => Some(()),
            _ => None,
        })
        .await;

        // The lists, read from this task while the runner owns the client.
        assert_eq!(device.total_unread().await, Ok(2));
        let c = device.conversation("C2Calice").await.unwrap().unwrap();
        assert_eq!(
            (c.unread_count(), c.last_seq(), c.last_from(), c.preview()),
            (2, 2, "alice", "two")
        );
        assert_eq!(device.conversation_at(0).await, Ok(Some(c)));
        assert_eq!(device.conversation_at(1).await, Ok(None));
        assert_eq!(device.conversation_at(u32::MAX).await, Ok(None));
        assert_eq!(device.conversation("C2Cnobody").await, Ok(None));

        // History arrives as events, newest first, before the call returns.
        device.message_list("C2Calice", 0, 10).await.unwrap();
        let history = next_n(events, 2, |e| match e {
            OwnedEvent::HistoryMessage(m) => Some((m.seq, m.text)),
            _ => None,
        })
        .await;
        assert_eq!(
            history,
            [
                (2, "two".try_into().unwrap()),
                (1, "one".try_into().unwrap())
            ]
        );
        assert!(matches!(
            device.message_list("bad id", 0, 10).await,
            Err(HandleError::Command(CommandError::InvalidId))
        ));

        device.set_message_read("C2Calice").await.unwrap();
        assert_eq!(device.total_unread().await, Ok(0));

        // A custom message with all three fields.
        let sent = device
            .send_custom("alice", r#"{"t":21.5}"#, "temperature", "v1")
            .await
            .unwrap();
        let m = received(&mut alice_events, |m| m.seq == sent.seq).await;
        assert_eq!(
            m.payload,
            Payload::Custom {
                data: r#"{"t":21.5}"#.into(),
                description: "temperature".into(),
                extension: "v1".into(),
            }
        );
        // Over the call's buffer: refused before anything is sent.
        let long = "d".repeat(300);
        assert_eq!(
            device.send_custom("alice", "x", &long, &long).await,
            Err(HandleError::TooLong)
        );
        assert_eq!(
            device
                .send_custom("alice", &"x".repeat(tinyim_embassy::MAX_TEXT + 1), "", "")
                .await,
            Err(HandleError::TooLong)
        );
        let after = device.send_custom("alice", "next", "", "").await.unwrap();
        assert_eq!(after.seq, sent.seq + 1, "nothing was sent in between");

        // alice reads: the device is told how far.
        alice.set_message_read("C2Cdev-3").await.unwrap();
        let read = next(events, |e| match e {
            OwnedEvent::MessageReadByPeer {
                conversation,
                peer_read_seq,
            } => Some((conversation, peer_read_seq)),
            _ => None,
        })
        .await;
        assert_eq!((read.0.as_str(), read.1), ("C2Calice", after.seq));
        assert_eq!(
            device
                .conversation("C2Calice")
                .await
                .unwrap()
                .unwrap()
                .peer_read_seq(),
            after.seq
        );

        // The device takes a message back: alice is told, and so is the
        // device (its notice); then alice's own revocation reaches it.
        let revocation = async |events: &mut _| {
            let (conversation, seq, revoker) = next(events, |e| match e {
                OwnedEvent::MessageRevoked {
                    conversation,
                    seq,
                    revoker,
                } => Some((conversation, seq, revoker)),
                _ => None,
            })
            .await;
            (conversation.to_string(), seq, revoker.to_string())
        };
        device.revoke_message("C2Calice", after.seq).await.unwrap();
        wait_for_revoke(&mut alice_events, after.seq).await;
        assert_eq!(
            revocation(&mut *events).await,
            ("C2Calice".into(), after.seq, "dev-3".into())
        );
        let theirs = alice.send_text("dev-3", "oops").await.unwrap();
        alice.revoke_message("C2Cdev-3", theirs.seq).await.unwrap();
        assert_eq!(
            revocation(&mut *events).await,
            ("C2Calice".into(), theirs.seq, "alice".into())
        );
        assert_eq!(
            device.revoke_message("C2Calice", theirs.seq).await,
            server_code(code::NO_PERMISSION),
            "only the sender revokes"
        );
        // Pinning (the list below shows it first, also when older).
        device.pin_conversation("C2Calice", true).await.unwrap();
        assert!(device
            .conversation("C2Calice")
            .await
            .unwrap()
            .unwrap()
            .is_pinned());
        // Clearing the history: still listed, nothing to show or read.
        device.clear_history_message("C2Calice").await.unwrap();
        let cleared = device.conversation("C2Calice").await.unwrap().unwrap();
        assert_eq!((cleared.preview(), cleared.unread_count()), ("", 0));

        // Images and files: the URL of an upload made elsewhere.
        let url = "https://cdn.example/p.png";
        let image = device
            .send_image("alice", url, 640, 480, 12_345)
            .await
            .unwrap();
        let m = received(&mut alice_events, |m| m.seq == image.seq).await;
        let Payload::Image { original, .. } = m.payload else {
            panic!("an image: {:?}", m.payload)
        };
        let want = Picture {
            url: url.into(),
            width: 640,
            height: 480,
            size: 12_345,
        };
        assert_eq!(original, want);
        let url = "https://cdn.example/r.pdf";
        let file = device.send_file("alice", url, "r.pdf", 999).await.unwrap();
        let m = received(&mut alice_events, |m| m.seq == file.seq).await;
        assert_eq!(
            m.payload,
            Payload::File {
                url: url.into(),
                name: "r.pdf".into(),
                size: 999,
                uuid: String::new(),
            }
        );
        assert_eq!(
            device.send_image("alice", "", 1, 1, 1).await.map(drop),
            Err(HandleError::Request(RequestError::Server(
                code::INVALID_PARAMETER
            ))),
            "an image needs a URL"
        );

        // The list: the pinned one first, then the most recent first.
        let (bob, _bob_events) = peer(&addr, "bob").await;
        bob.send_text("dev-3", "yo").await.unwrap();
        next(events, |e| match e {
            OwnedEvent::MessageReceived(m) if m.from.as_str() == "bob" => Some(()),
            _ => None,
        })
        .await;
        let first = device.conversation_at(0).await.unwrap().unwrap();
        let second = device.conversation_at(1).await.unwrap().unwrap();
        assert_eq!((first.id(), second.id()), ("C2Calice", "C2Cbob"));
        assert!(
            second.last_time_ms() >= first.last_time_ms(),
            "bob's is newer"
        );
        assert_eq!(device.conversation_at(2).await, Ok(None));
        device.pin_conversation("C2Calice", false).await.unwrap();
        let first = device.conversation_at(0).await.unwrap().unwrap();
        let second = device.conversation_at(1).await.unwrap().unwrap();
        assert!(first.last_time_ms() >= second.last_time_ms());
        let mut ids = [first.id(), second.id()];
        ids.sort();
        assert_eq!(ids, ["C2Calice", "C2Cbob"]);

        // Deleting one takes it off the list.
        device.delete_conversation("C2Cbob").await.unwrap();
        assert_eq!(device.conversation("C2Cbob").await, Ok(None));
        assert_eq!(device.conversation_at(1).await, Ok(None));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn device_runs_a_group_as_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 12, async |device, events| {
        device.login("dev-4", &sig("dev-4")).await.unwrap();
        let (alice, mut alice_events) = peer(&addr, "alice").await;

        let mut options = CreateGroup::new(GroupType::Public, "lab");
        options.group_id = "g-lab";
        assert_eq!(
            device.create_group(&options).await.unwrap().as_str(),
            "g-lab"
        );
        let made = device
            .create_group(&CreateGroup::new(GroupType::Work, "team"))
            .await;
        assert!(made.unwrap().starts_with("@TGS#"), "a server-made id");
        assert_eq!(
            device.create_group(&options).await.map(drop),
            server_code(code::GROUP_ID_IN_USE)
        );
        next(events, |e| {
            matches!(e, OwnedEvent::GroupListUpdated).then_some(())
        })
        .await;
        let entry = device.group("g-lab").await.unwrap().unwrap();
        assert_eq!(
            (entry.group.name(), entry.group.role()),
            ("lab", GroupRole::Owner)
        );
        let mut listed = Vec::new();
        while let Some(entry) = device.group_at(listed.len() as u32).await.unwrap() {
            listed.push(entry.group.id().to_owned());
        }
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&"g-lab".to_owned()));

        device
            .add_group_member("g-lab", &["alice", "bob"])
            .await
            .unwrap();
        device
            .delete_group_member("g-lab", &["bob"], "testing")
            .await
            .unwrap();
        device
            .set_group_member_role("g-lab", "alice", GroupRole::Admin)
            .await
            .unwrap();
        device
            .set_group_member_name_card("g-lab", "alice", "Al")
            .await
            .unwrap();
        device
            .set_group_member_mute_time("g-lab", "alice", 60)
            .await
            .unwrap();
        let members = alice
            .group_member_list("g-lab", 0, 10)
            .await
            .unwrap()
            .members;
        let ids: Vec<_> = members.iter().map(|m| m.user_id.as_str()).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&"dev-4") && ids.contains(&"alice"));
        let al = members.iter().find(|m| m.user_id == "alice").unwrap();
        assert_eq!((al.role, al.name_card.as_str()), (GroupRole::Admin, "Al"));
        assert!(al.muted_until_ms > 0);
        device
            .set_group_member_mute_time("g-lab", "alice", 0)
            .await
            .unwrap();
        // Online counts are an AVChatRoom's (TIM's rule).
        assert_eq!(
            device.group_online_member_count("g-lab").await.map(drop),
            server_code(code::NO_PERMISSION)
        );
        let mut live = CreateGroup::new(GroupType::AvChatRoom, "live");
        live.group_id = "g-live";
        device.create_group(&live).await.unwrap();
        alice.join_group("g-live", "").await.unwrap();
        assert_eq!(device.group_online_member_count("g-live").await, Ok(2));

        let change = ProfileChange {
            name: Some("lab 2"),
            ..ProfileChange::default()
        };
        device.update_group_profile("g-lab", &change).await.unwrap();
        assert_eq!(alice.group_profile("g-lab").await.unwrap().name, "lab 2");

        let sent = device
            .send_group_custom("g-lab", "cfg", "config", "")
            .await
            .unwrap();
        let m = received(&mut alice_events, |m| m.seq == sent.seq).await;
        assert_eq!(m.conversation_id, "GROUPg-lab");
        for sent in [
            device
                .send_group_image("g-lab", "https://cdn.example/g.png", 0, 0, 1)
                .await
                .unwrap(),
            device
                .send_group_file("g-lab", "https://cdn.example/g.txt", "g.txt", 2)
                .await
                .unwrap(),
        ] {
            let m = received(&mut alice_events, |m| m.seq == sent.seq).await;
            assert_eq!(m.conversation_id, "GROUPg-lab");
            assert!(matches!(
                m.payload,
                Payload::Image { .. } | Payload::File { .. }
            ));
        }
        device
            .send_group_notice("g-lab", &[], "maintenance")
            .await
            .unwrap();
        let notice = received(
            &mut alice_events,
            |m| matches!(&m.payload, Payload::GroupSystemNotice(n) if n.data == "maintenance"),
        )
        .await;
        match notice.payload {
            Payload::GroupSystemNotice(n) => assert_eq!(n.operator, "dev-4"),
            other => panic!("not a notice: {other:?}"),
        }

        // Wrong state and other users' rights.
        device.change_group_owner("g-lab", "alice").await.unwrap();
        assert_eq!(alice.group_profile("g-lab").await.unwrap().owner, "alice");
        assert_eq!(
            device.dismiss_group("g-lab").await,
            server_code(code::NO_PERMISSION)
        );
        assert_eq!(
            device.add_group_member("g-lab", &["a,b"]).await,
            Err(HandleError::Command(CommandError::InvalidUserId))
        );
        assert_eq!(
            device.group_online_member_count("no-such").await.map(drop),
            server_code(code::GROUP_NOT_FOUND)
        );
        alice.dismiss_group("g-lab").await.unwrap();
        assert_eq!(
            device.dismiss_group("g-lab").await,
            server_code(code::GROUP_NOT_FOUND)
        );
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn device_admits_an_applicant() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 13, async |device, events| {
        device.login("dev-5", &sig("dev-5")).await.unwrap();
        let mut options = CreateGroup::new(GroupType::Public, "ask");
        options.group_id = "g-ask";
        options.join_option = JoinOption::NeedPermission;
        device.create_group(&options).await.unwrap();

        let (carol, _carol_events) = peer(&addr, "carol").await;
        assert_eq!(
            carol.join_group("g-ask", "let me in").await.unwrap(),
            JoinStatus::WaitApproval
        );
        // The owner's join request notice names the applicant and the message.
        let notice = next(events, |e| match e {
            OwnedEvent::GroupSystemNotice(n) if n.op != NoticeOp::Created => Some(n),
            _ => None,
        })
        .await;
        assert_eq!(
            (
                notice.op,
                notice.group_id.as_str(),
                notice.operator.as_str()
            ),
            (NoticeOp::JoinRequest, "g-ask", "carol")
        );
        assert_eq!(
            (notice.text.as_str(), notice.truncated),
            ("let me in", false)
        );
        assert!(
            device
                .handle_group_application("g-ask", "nobody", true, "")
                .await
                .is_err(),
            "no such application"
        );
        device
            .handle_group_application("g-ask", "carol", true, "welcome")
            .await
            .unwrap();
        let groups = carol.group_list().await.unwrap();
        assert!(groups.iter().any(|g| g.group_id == "g-ask"));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn device_blocks_a_user_and_sets_its_profile() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 14, async |device, events| {
        device.login("dev-6", &sig("dev-6")).await.unwrap();
        let (alice, _alice_events) = peer(&addr, "alice").await;

        device.add_to_blocklist(&["alice"]).await.unwrap();
        next(events, |e| {
            matches!(e, OwnedEvent::BlocklistUpdated).then_some(())
        })
        .await;
        let refused = alice.send_text("dev-6", "hi").await.unwrap_err();
        assert_eq!(refused.code(), code::BLOCKED_BY_PEER);
        device.remove_from_blocklist(&["alice"]).await.unwrap();
        alice.send_text("dev-6", "hi again").await.unwrap();
        assert_eq!(
            device.add_to_blocklist(&["dev-6"]).await,
            server_code(code::INVALID_PARAMETER),
            "not oneself"
        );

        let update = ProfileUpdate {
            nick: Some("Device Six"),
            level: Some(3),
            ..ProfileUpdate::default()
        };
        device.update_my_profile(&update).await.unwrap();
        let profiles = alice.user_profiles(&["dev-6"]).await.unwrap();
        assert_eq!(
            (profiles[0].nick.as_str(), profiles[0].level),
            ("Device Six", 3)
        );
        // Over the call's buffer: refused, nothing changed.
        let long = "n".repeat(300);
        let too_long = ProfileUpdate {
            nick: Some(&long),
            self_signature: Some(&long),
            ..ProfileUpdate::default()
        };
        assert_eq!(
            device.update_my_profile(&too_long).await,
            Err(HandleError::TooLong)
        );
        let profiles = alice.user_profiles(&["dev-6"]).await.unwrap();
        assert_eq!(profiles[0].nick, "Device Six");
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn device_sets_its_status_and_watches_a_user() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 16, async |device, events| {
        device.login("dev-7", &sig("dev-7")).await.unwrap();
        device.set_self_status("battery 80%").await.unwrap();
        let (alice, _alice_events) = peer(&addr, "alice").await;
        let seen = alice.user_status(&["dev-7"]).await.unwrap();
        assert_eq!(
            (seen[0].status_type, seen[0].custom_status.as_str()),
            (StatusType::Online, "battery 80%")
        );

        device.subscribe_user_status(&["alice"]).await.unwrap();
        alice.set_self_status("away").await.unwrap();
        let (user, status_type, custom) = next(events, |e| match e {
            OwnedEvent::UserStatusUpdated {
                user,
                status_type,
                custom_status,
            } => Some((user, status_type, custom_status)),
            _ => None,
        })
        .await;
        assert_eq!(
            (user.as_str(), status_type, custom.as_str()),
            ("alice", StatusType::Online, "away")
        );
        alice.logout().await.unwrap();
        let status_type = next(events, |e| match e {
            OwnedEvent::UserStatusUpdated { status_type, .. } => Some(status_type),
            _ => None,
        })
        .await;
        assert_eq!(status_type, StatusType::Offline);

        assert_eq!(
            device.subscribe_user_status(&["dev-7"]).await,
            server_code(code::INVALID_PARAMETER),
            "not oneself"
        );
        assert_eq!(
            device.subscribe_user_status(&["a,b"]).await,
            Err(HandleError::Command(CommandError::InvalidUserId))
        );
        device.unsubscribe_user_status(&[]).await.unwrap();
    })
    .await;
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Led<'a> {
    cmd: &'a str,
    on: bool,
}

#[derive(serde::Serialize)]
struct LedStatus {
    led: bool,
}

#[tokio::test(flavor = "current_thread")]
async fn device_reads_a_json_command_and_answers_with_json() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 17, async |device, events| {
        device.login("dev-13", &sig("dev-13")).await.unwrap();
        let (alice, mut alice_events) = peer(&addr, "alice").await;
        let custom = |data: &str| {
            Outgoing::custom(tinyim_core::ConversationType::C2c, "dev-13", data, "", "")
        };
        alice.send_text("dev-13", "just chat").await.unwrap();
        alice.send(custom("{")).await.unwrap();
        let led = Outgoing::custom(
            tinyim_core::ConversationType::C2c,
            "dev-13",
            r#"{"cmd":"led","on":true}"#,
            "switch",
            &"v".repeat(100),
        );
        alice.send(led).await.unwrap();
        let got = next_n(events, 3, |e| match e {
            OwnedEvent::MessageReceived(m) => Some(m),
            _ => None,
        })
        .await;
        assert_eq!(
            got.iter().map(|m| m.kind).collect::<Vec<_>>(),
            [MessageKind::Text, MessageKind::Custom, MessageKind::Custom]
        );
        assert_eq!(got[0].custom_json::<Led<'_>>(), Err(JsonError::NotCustom));
        assert_eq!(got[1].custom_json::<Led<'_>>(), Err(JsonError::Invalid));
        // The description and extension apart from the data, the long
        // one cut to its capacity.
        assert_eq!(got[2].description.as_str(), "switch");
        assert_eq!(got[2].extension.len(), tinyim_embassy::MAX_DETAIL);
        assert_eq!(got[0].description.as_str(), "");
        let command: Led<'_> = got[2].custom_json().unwrap();
        assert_eq!(
            command,
            Led {
                cmd: "led",
                on: true
            }
        );

        device
            .send_custom_json("alice", &LedStatus { led: command.on })
            .await
            .unwrap();
        let reply = received(&mut alice_events, |m| m.from == "dev-13").await;
        assert_eq!(
            reply.payload,
            Payload::Custom {
                data: r#"{"led":true}"#.into(),
                description: String::new(),
                extension: String::new(),
            }
        );

        // The other kinds a device tells apart.
        let c2c = tinyim_core::ConversationType::C2c;
        alice
            .send(Outgoing::face(c2c, "dev-13", 5, "wave"))
            .await
            .unwrap();
        alice
            .send(Outgoing::location(c2c, "dev-13", "dock", 4.5, 51.0))
            .await
            .unwrap();
        let got = next_n(events, 2, |e| match e {
            OwnedEvent::MessageReceived(m) => Some((m.kind, m.text.to_string())),
            _ => None,
        })
        .await;
        assert_eq!(got[0], (MessageKind::Face { index: 5 }, "wave".into()));
        let (MessageKind::Location { latitude, .. }, place) = &got[1] else {
            panic!("a location: {got:?}")
        };
        assert_eq!((latitude.0, place.as_str()), (51.0, "dock"));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_given_up_mid_request_never_answers_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 15, async |device, _events| {
        device.login("dev-10", &sig("dev-10")).await.unwrap();
        let mut live = CreateGroup::new(GroupType::AvChatRoom, "live");
        live.group_id = "g-drop";
        device.create_group(&live).await.unwrap();
        for _ in 0..20 {
            // A request the runner has put on the wire, then given up on
            // (as a timeout around a call does) ...
            tokio::select! {
                biased;
                _ = device.set_group_member_mute_time("g-drop", "dev-10", 1) => {
                    panic!("given up before its answer")
                }
                () = tokio::task::yield_now() => {}
            }
            // ... must not answer the next call, whatever comes first.
            assert_eq!(device.group_online_member_count("g-drop").await, Ok(1));
        }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn device_edits_and_deletes_and_hears_of_both() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 14, async |device, events| {
        device.login("dev-9", &sig("dev-9")).await.unwrap();
        let (alice, mut alice_events) = peer(&addr, "alice").await;
        let modified = |e| match e {
            OwnedEvent::MessageModified(m) => Some((m.seq, m.text.to_string(), m.version)),
            _ => None,
        };

        // Its own edit: the peer and the device itself hear of it.
        let mine = device.send_text("alice", "helo").await.unwrap();
        device
            .modify_text("C2Calice", (mine.seq, 0), "hello")
            .await
            .unwrap();
        let edit = loop {
            if let Some(TimEvent::MessageModified { seq, payload, .. }) = alice_events.recv().await
            {
                break (seq, payload);
            }
        };
        assert_eq!(edit, (mine.seq, Payload::Text("hello".into())));
        assert_eq!(next(events, modified).await, (mine.seq, "hello".into(), 1));
        assert_eq!(
            device.modify_text("C2Calice", (mine.seq, 0), "again").await,
            Err(HandleError::Request(RequestError::Server(
                code::MODIFY_CONFLICT
            ))),
            "made on an old version"
        );

        // The peer's edit of theirs.
        let theirs = alice.send_text("dev-9", "lunch?").await.unwrap();
        let mut edit = alice
            .message_list("C2Cdev-9", 0, 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(edit.seq, theirs.seq);
        edit.payload = Payload::Text("dinner?".into());
        alice.modify_message(&edit).await.unwrap();
        assert_eq!(
            next(events, modified).await,
            (theirs.seq, "dinner?".into(), 1)
        );

        // Deleted on the user's other session: the device hears of it.
        let (other, _other_events) = peer(&addr, "dev-9").await;
        other
            .delete_messages("C2Calice", &[theirs.seq])
            .await
            .unwrap();
        let deleted = next(events, |e| match e {
            OwnedEvent::MessagesDeleted { conversation, seqs } => {
                Some((conversation.to_string(), seqs.to_vec()))
            }
            _ => None,
        })
        .await;
        assert_eq!(deleted, ("C2Calice".into(), vec![theirs.seq]));
        // And by the device: gone from its other session's history.
        device
            .delete_messages("C2Calice", &mine.seq.to_string())
            .await
            .unwrap();
        let history = other.message_list("C2Calice", 0, 10).await.unwrap();
        assert!(history
            .iter()
            .all(|m| m.seq != mine.seq && m.seq != theirs.seq));
    })
    .await;
}
