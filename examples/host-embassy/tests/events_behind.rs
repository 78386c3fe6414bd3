//! A call awaited inside the loop that reads events, with more events
//! waiting than the queue holds: its answer comes after them, so it fails
//! with `EventsBehind` instead of waiting forever, and every event is still
//! read. (The host example shows the pattern that avoids the failure.)

mod common;

use common::{sig, start_server, PATIENCE};
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use host_embassy::TokioTcp;
use tinyim_core::DeviceResources;
use tinyim_embassy::{HandleError, OwnedEvent, Runner, Shared};
use tinyim_tokio::{Options, Tim};

#[tokio::test(flavor = "current_thread")]
async fn a_call_awaited_in_the_event_loop_with_the_queue_full_fails_and_reading_goes_on() {
    const WAITING: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let (alice, _alice_events) = Tim::connect(addr.clone(), Options::default());
    alice.login("alice", &sig("alice")).await.unwrap();
    for i in 0..WAITING {
        alice.send_text("dev-12", &format!("m{i}")).await.unwrap();
    }

    let mut resources = Box::new(DeviceResources::new());
    let client = host_embassy::device_client(&mut resources, 12);
    // A queue of 8 events, read by the same task that makes the call.
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 4096];
    let mut runner = Runner::new(client, TokioTcp::new(&addr), &shared, (), &mut state);
    let device = shared.handle();
    let scenario = async {
        device.login("dev-12", &sig("dev-12")).await.unwrap();
        let mut received = 0;
        let mut answered = None;
        while received < WAITING {
            if let OwnedEvent::MessageReceived(m) = device.next_event().await {
                received += 1;
                if answered.is_none() {
                    // The natural pattern: answer from inside the loop.
                    answered = Some(device.send_text(m.from.as_str(), "echo").await);
                }
            }
        }
        answered
    };
    let outcome = tokio::time::timeout(PATIENCE, select(runner.run(), scenario))
        .await
        .expect("no hang");
    let Either::Second(answered) = outcome else {
        panic!("the runner stopped");
    };
    assert_eq!(
        answered.map(|r| r.map(drop)),
        Some(Err(HandleError::EventsBehind))
    );
}
