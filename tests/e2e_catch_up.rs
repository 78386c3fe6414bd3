//! End to end, with the server's default rate limit: a user returning to a
//! thousand conversations with missed messages receives every one of them,
//! in order, before the sync completes. (The fetches a returning client
//! makes, one per conversation, are far over 200 requests a second: the
//! server paces them instead of refusing them, and the client asks again for
//! any fetch that fails.)

mod common;

use std::collections::HashMap;

use common::*;
use tinyim_core::wire::{body, kind};
use tinyim_tokio::TimEvent;

const SENDERS: usize = 1000;
const EACH: u64 = 2;
const THREADS: usize = 8;

/// `sender` logs in over its own connection and sends `EACH` messages to
/// bob, each acknowledged (so stored) before the next.
fn send_to_bob(addr: &str, sender: &str) {
    let mut raw = RawConn::connect(addr);
    raw.hello();
    raw.login(sender);
    for n in 1..=EACH {
        let text = format!("{sender} {n}");
        let send = body::SendMessage {
            conversation: "C2Cbob",
            client_msg_id: n,
            online_only: false,
            priority: Default::default(),
            elem: body::Elem::Text { text: &text },
            extra: body::MessageExtra::default(),
        };
        raw.request(kind::SEND_MESSAGE, 1 + n as u32, &send)
            .unwrap_or_else(|code| panic!("{sender}'s send refused with {code}"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_returning_to_a_thousand_conversations_receives_every_message_before_sync_completes()
{
    let dir = tempfile::tempdir().unwrap();
    // The default rate limit (no --rate).
    let server = ServerProcess::start_with(&dir.path().join("tinyim.db"), "127.0.0.1:0", &[]);
    let addr = server.addr.clone();
    tokio::task::spawn_blocking(move || {
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                let addr = &addr;
                scope.spawn(move || {
                    for i in (t..SENDERS).step_by(THREADS) {
                        send_to_bob(addr, &format!("u{i}"));
                    }
                });
            }
        });
    })
    .await
    .unwrap();

    let (bob, mut events) = tinyim_tokio::Tim::connect(&server.addr, Default::default());
    bob.login("bob", &sig("bob")).await.expect("login");
    let mut next: HashMap<String, u64> = HashMap::new();
    let mut received = 0;
    while let TimEvent::MessageReceived(m) = wait_for(&mut events, |e| {
        matches!(e, TimEvent::MessageReceived(_) | TimEvent::SyncComplete)
    })
    .await
    {
        let expected = next.entry(m.from.clone()).or_insert(1);
        assert_eq!(m.seq, *expected, "{}'s messages once and in order", m.from);
        assert_eq!(
            m.payload.text(),
            Some(format!("{} {}", m.from, m.seq).as_str())
        );
        *expected += 1;
        received += 1;
    }
    assert_eq!(
        received,
        SENDERS * EACH as usize,
        "every message before the sync completes"
    );
    assert_eq!(next.len(), SENDERS);
    let list = bob.conversation_list().await.unwrap();
    assert_eq!(list.len(), SENDERS);
    assert!(list.iter().all(|c| c.unread_count == EACH));
}
