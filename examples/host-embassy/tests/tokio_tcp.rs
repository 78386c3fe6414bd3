//! The embassy adapter over tokio TCP (through `embedded-io-adapters`) on
//! 127.0.0.1, against the real server with a real SQLite file.

mod common;

use common::{next, next_n, sig, start_server, with_device, PATIENCE};
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use host_embassy::TokioTcp;
use tinyim_core::time::Instant;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, DeviceResources};
use tinyim_embassy::{OwnedEvent, Runner, Shared, SyncStore};
use tinyim_tokio::{Options, Tim, TimEvent};

/// Keeps every saved sync state, to check the hook fires with real bytes.
#[derive(Default)]
struct Saved(Vec<Vec<u8>>);

impl SyncStore for &mut Saved {
    async fn save(&mut self, state: &[u8]) {
        self.0.push(state.to_vec());
    }
}

#[tokio::test(flavor = "current_thread")]
async fn device_receives_and_answers_through_the_embassy_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;

    let mut resources = Box::new(DeviceResources::new());
    let client = host_embassy::device_client(&mut resources, 99);
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 4096];
    let mut saved = Saved::default();
    let mut runner = Runner::new(
        client,
        TokioTcp::new(addr.clone()),
        &shared,
        &mut saved,
        &mut state,
    );
    let device = shared.handle();

    let scenario = async {
        device.login("device-1", &sig("device-1")).await.unwrap();
        let (alice, mut alice_events) = Tim::connect(addr.clone(), Options::default());
        alice.login("alice", &sig("alice")).await.unwrap();
        alice.send_text("device-1", "ping").await.unwrap();

        let received = loop {
            if let OwnedEvent::MessageReceived(m) = device.next_event().await {
                break m;
            }
        };
        assert_eq!(
            (received.conversation.as_str(), received.from.as_str()),
            ("C2Calice", "alice")
        );
        assert_eq!(
            (received.text.as_str(), received.seq, received.truncated),
            ("ping", 1, false)
        );

        let sent = device.send_text("alice", "pong").await.unwrap();
        assert_eq!(sent.seq, 2);
        loop {
            match alice_events.recv().await.unwrap() {
                TimEvent::MessageReceived(m) => {
                    assert_eq!(
                        (m.payload.text(), m.from.as_str(), m.seq),
                        (Some("pong"), "device-1", 2)
                    );
                    break;
                }
                _ => continue,
            }
        }
        // Over the handle's limits: refused at once, nothing sent.
        let long = "x".repeat(tinyim_embassy::MAX_TEXT + 1);
        assert_eq!(
            device.send_text("alice", &long).await,
            Err(tinyim_embassy::HandleError::TooLong)
        );
        device.set_message_read("C2Calice").await.unwrap();
        device.logout().await.unwrap();
    };
    let outcome = tokio::time::timeout(PATIENCE, select(runner.run(), scenario)).await;
    match outcome {
        Ok(Either::Second(())) => {}
        Ok(Either::First(())) => panic!("the runner stopped"),
        Err(_) => panic!("timed out"),
    }
    drop(runner);
    // The sync state was saved, and it restores into a fresh client.
    let last = saved.0.last().expect("the runner saved the sync state");
    let mut fresh = Box::new(DeviceResources::new());
    let mut restored = Client::new(
        &Config::new(DeviceClass::Embedded),
        &mut fresh,
        Instant::ZERO,
        1,
    );
    restored.restore_sync_state(last).unwrap();
    let c = restored.conversation("C2Calice").unwrap();
    assert_eq!((c.last_seq(), c.delivered_seq()), (2, 2));
}

#[tokio::test(flavor = "current_thread")]
async fn device_joins_a_group_talks_in_it_and_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 7, async |device, events| {
        let (owner, mut owner_events) = Tim::connect(addr.clone(), Options::default());
        owner.login("owner", &sig("owner")).await.unwrap();
        let mut options =
            tinyim_tokio::GroupOptions::new(tinyim_tokio::GroupType::Community, "lab");
        options.group_id = Some("g-dev".into());
        owner.create_group(options).await.unwrap();

        device.login("device-2", &sig("device-2")).await.unwrap();
        assert_eq!(
            device.join_group("g-dev", "").await,
            Ok(tinyim_core::JoinStatus::Joined)
        );
        owner
            .send_group_text("g-dev", "hello device")
            .await
            .unwrap();
        next(events, |e| match e {
            OwnedEvent::MessageReceived(m)
                if m.conversation.as_str() == "GROUPg-dev" && m.text.as_str() == "hello device" =>
            {
                Some(())
            }
            _ => None,
        })
        .await;
        let sent = device
            .send_group_text("g-dev", "hello owner")
            .await
            .unwrap();
        assert!(sent.seq > 1, "after the join tip and the owner's message");
        loop {
            if let TimEvent::MessageReceived(m) = owner_events.recv().await.unwrap() {
                if m.payload.text() == Some("hello owner") {
                    assert_eq!((m.from.as_str(), m.seq), ("device-2", sent.seq));
                    break;
                }
            }
        }
        device.quit_group("g-dev").await.unwrap();
        let profile = owner.group_profile("g-dev").await.unwrap();
        assert_eq!(profile.member_count, 1);
        assert_eq!(
            device.join_group("no-such-group", "").await,
            Err(tinyim_embassy::HandleError::Request(
                tinyim_core::RequestError::Server(tinyim_core::wire::code::GROUP_NOT_FOUND)
            ))
        );
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_receive_buffer_the_server_cannot_serve_fails_the_login_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    // 256 bytes of receive buffer: under the protocol's 512-byte minimum.
    let mut resources = Box::new(tinyim_core::Resources::<16, 8, 8, 24, 256, 2048>::new());
    let client = Client::new(
        &Config::new(DeviceClass::Embedded),
        &mut resources,
        Instant::from_millis(embassy_time::Instant::now().as_millis()),
        5,
    );
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 64];
    let mut runner = Runner::new(client, TokioTcp::new(addr), &shared, (), &mut state);
    let device = shared.handle();
    let scenario = async {
        // Refused at the handshake: the login fails with the server's code
        // at once (it used to redial until the login timed out).
        assert_eq!(
            device.login("tiny", &sig("tiny")).await,
            Err(tinyim_embassy::HandleError::Request(
                tinyim_core::RequestError::Server(tinyim_core::wire::code::FRAME_LIMIT_TOO_SMALL)
            ))
        );
        let mut rejected = false;
        while let Ok(event) =
            tokio::time::timeout(std::time::Duration::ZERO, device.next_event()).await
        {
            rejected |= event
                == OwnedEvent::ConnectionRejected(tinyim_core::wire::code::FRAME_LIMIT_TOO_SMALL);
        }
        assert!(rejected, "the refusal is an event too");
    };
    let outcome = tokio::time::timeout(PATIENCE, select(runner.run(), scenario)).await;
    assert!(
        matches!(outcome, Ok(Either::Second(()))),
        "answered well before the login timeout"
    );
}

/// More events at once than the application's queue holds (8 here): a
/// history page of 20 messages comes in one frame. The runner waits for
/// room in the queue before it copies each event out, so the reader gets
/// every one, newest first, and so it does the 20 live messages before.
#[tokio::test(flavor = "current_thread")]
async fn more_events_than_the_queue_holds_all_arrive_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 12, async |device, events| {
        device.login("dev-burst", &sig("dev-burst")).await.unwrap();
        let (alice, _alice_events) = Tim::connect(addr.clone(), Options::default());
        alice.login("alice", &sig("alice")).await.unwrap();
        for i in 1..=20 {
            alice
                .send_text("dev-burst", &format!("m{i}"))
                .await
                .unwrap();
        }
        let live = next_n(events, 20, |e| match e {
            OwnedEvent::MessageReceived(m) => Some(m.seq),
            _ => None,
        })
        .await;
        assert_eq!(live, (1..=20).collect::<Vec<u64>>());

        device.message_list("C2Calice", 0, 20).await.unwrap();
        let history = next_n(events, 20, |e| match e {
            OwnedEvent::HistoryMessage(m) => Some((m.seq, m.text)),
            _ => None,
        })
        .await;
        let expected: Vec<_> = (1..=20u64)
            .rev()
            .map(|i| (i, format!("m{i}").as_str().try_into().unwrap()))
            .collect();
        assert_eq!(history, expected);
    })
    .await;
}
