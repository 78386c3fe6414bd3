//! The tokio adapter keeps its sync state in a file (`Options::sync_state`):
//! a client started again resumes where the last one stopped.

mod common;

use common::*;
use tinyim_tokio::{Options, Tim, TimEvent};

/// The texts of the messages `events` brings until the sync completes.
async fn texts_until_synced(events: &mut tinyim_tokio::EventStream) -> Vec<String> {
    let mut texts = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        loop {
            match events.recv().await.expect("events") {
                TimEvent::MessageReceived(m) => {
                    texts.push(m.payload.text().unwrap_or("").to_owned())
                }
                TimEvent::SyncComplete => return,
                _ => {}
            }
        }
    })
    .await
    .expect("the sync completes");
    texts
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_started_again_resumes_from_its_saved_sync_state() {
    let (server, dir) = fresh_server();
    let state = dir.path().join("alice.sync");
    let keeping_state = || Options {
        sync_state: Some(state.clone()),
        ..Options::default()
    };
    let (bob, _bob_events) = client(&server.addr, "bob").await;

    let (alice, mut events) = Tim::connect(server.addr.clone(), keeping_state());
    alice.login("alice", &sig("alice")).await.unwrap();
    assert!(texts_until_synced(&mut events).await.is_empty());
    bob.send_text("alice", "m1").await.unwrap();
    bob.send_text("alice", "m2").await.unwrap();
    for text in ["m1", "m2"] {
        let got = wait_for(&mut events, |e| matches!(e, TimEvent::MessageReceived(_))).await;
        let TimEvent::MessageReceived(m) = got else {
            unreachable!()
        };
        assert_eq!(m.payload.text(), Some(text));
    }
    alice.shutdown().await;
    drop(events);
    assert!(state.exists(), "the state was saved");

    // While alice's process is gone, one more; started again with the
    // saved state, only that one comes, though all three are unread.
    bob.send_text("alice", "m3").await.unwrap();
    let (alice, mut events) = Tim::connect(server.addr.clone(), keeping_state());
    alice.login("alice", &sig("alice")).await.unwrap();
    assert_eq!(texts_until_synced(&mut events).await, ["m3"]);
    let unread: u64 = alice
        .conversation_list()
        .await
        .unwrap()
        .iter()
        .map(|c| c.unread_count)
        .sum();
    assert_eq!(unread, 3);
    alice.shutdown().await;

    // Without it, a first sync brings everything unread again.
    let (fresh, mut events) = Tim::connect(server.addr.clone(), Options::default());
    fresh.login("alice", &sig("alice")).await.unwrap();
    assert_eq!(texts_until_synced(&mut events).await, ["m1", "m2", "m3"]);

    // A file that is no sync state is ignored: the client syncs afresh.
    fresh.shutdown().await;
    std::fs::write(&state, b"not a sync state").unwrap();
    let (alice, mut events) = Tim::connect(server.addr.clone(), keeping_state());
    alice.login("alice", &sig("alice")).await.unwrap();
    assert_eq!(texts_until_synced(&mut events).await, ["m1", "m2", "m3"]);
}
