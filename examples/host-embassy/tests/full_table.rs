//! A device whose conversation table is far smaller than the conversations
//! waiting for it (16 slots, 200 conversations) receives every message of
//! every one of them, once and in order, across a server restart in the
//! middle of its sync; and its unread total counts them all. Real server
//! binary on 127.0.0.1, real SQLite file, the embassy adapter over TCP.

mod common;

use std::collections::HashMap;

use common::{sig, with_device, ServerProcess};
use tinyim_embassy::OwnedEvent;
use tinyim_tokio::{Options, Tim};

const CONVERSATIONS: usize = 200;
const EACH: u64 = 2;
/// Messages received before the server is killed: mid-sync.
const RESTART_AFTER: usize = 150;

/// `CONVERSATIONS` users send the device `EACH` messages each, every one
/// acknowledged (stored) before the next.
async fn fill(addr: &str) {
    for i in 0..CONVERSATIONS {
        let user = format!("u{i:03}");
        let (tim, _events) = Tim::connect(addr.to_owned(), Options::default());
        tim.login(&user, &sig(&user)).await.unwrap();
        for n in 1..=EACH {
            tim.send_text("dev", &format!("{user} {n}")).await.unwrap();
        }
        tim.shutdown().await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn two_hundred_conversations_reach_a_sixteen_slot_device_once_each_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.db");
    let (server, addr) = ServerProcess::start("127.0.0.1:0", &data, &[]);
    fill(&addr).await;
    let mut server = Some(server);
    with_device(&addr, 5, async |device, events| {
        device.login("dev", &sig("dev")).await.unwrap();
        let mut next_seq: HashMap<String, u64> = HashMap::new();
        let mut received = 0;
        let mut restarted = false;
        let mut complete_after_restart = false;
        while received < CONVERSATIONS * EACH as usize || !complete_after_restart {
            match events.recv().await.expect("the reader runs") {
                OwnedEvent::MessageReceived(m) => {
                    let expected = next_seq.entry(m.from.to_string()).or_insert(1);
                    assert_eq!(m.seq, *expected, "{}'s messages once and in order", m.from);
                    assert_eq!(m.text.as_str(), format!("{} {}", m.from, m.seq));
                    *expected += 1;
                    received += 1;
                    if received == RESTART_AFTER {
                        // SIGKILL mid-sync, then the same file and address.
                        drop(server.take());
                        let (again, _) = ServerProcess::start(&addr, &data, &[]);
                        server = Some(again);
                        restarted = true;
                    }
                }
                OwnedEvent::SyncComplete => complete_after_restart = restarted,
                _ => {}
            }
        }
        assert_eq!(next_seq.len(), CONVERSATIONS);
        assert!(next_seq.values().all(|&n| n == EACH + 1));
        assert_eq!(
            device.total_unread().await.unwrap(),
            CONVERSATIONS as u64 * EACH,
            "the unread total counts the conversations the table could not hold"
        );
    })
    .await;
}
