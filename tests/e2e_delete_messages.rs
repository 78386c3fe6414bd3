//! End to end: TIM `deleteMessage`. Messages a user deletes leave that
//! user's history on every device (the other device hears of it at once,
//! a device that logs in later never sees them) while the peer keeps
//! theirs; and what is refused.

mod common;

use common::*;
use tinyim_core::wire::body::DeleteMessages;
use tinyim_core::wire::{code, kind};
use tinyim_tokio::{Message, TimEvent};

/// One test at a time: on PostgreSQL a sync round stops below the oldest
/// transaction running in the whole cluster (another test's, when they run
/// at once), and the first test checks what a device's first round brings.
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn texts(messages: &[Message]) -> Vec<&str> {
    messages.iter().filter_map(|m| m.payload.text()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_messages_leave_the_users_history_on_every_device_only() {
    let _alone = ALONE.lock().await;
    let mut s = alice_on_two_devices(&["one", "two", "three", "four"]).await;
    let (desktop, _) = &s.desktop;
    desktop
        .delete_messages("C2Cbob", &[2, 3])
        .await
        .expect("deleted");
    let event = wait_for(&mut s.phone.1, |e| {
        matches!(e, TimEvent::MessagesDeleted { .. })
    })
    .await;
    assert_eq!(
        event,
        TimEvent::MessagesDeleted {
            conversation_id: "C2Cbob".into(),
            seqs: vec![2, 3],
        }
    );
    for (tim, _) in [&s.desktop, &s.phone] {
        let history = tim.message_list("C2Cbob", 0, 10).await.unwrap();
        assert_eq!(texts(&history), ["four", "one"]);
    }
    let (bob, _) = &s.bob;
    let theirs = bob.message_list("C2Calice", 0, 10).await.unwrap();
    assert_eq!(texts(&theirs), ["four", "three", "two", "one"]);

    // Deleted before another device of hers ever fetched them: a web
    // session that logs in later with nothing read gets the rest only.
    let (web, mut web_events) = tinyim_tokio::Tim::connect(
        &s.server.addr,
        tinyim_tokio::Options {
            config: tinyim_core::Config::new(tinyim_core::wire::body::DeviceClass::Web),
            ..Default::default()
        },
    );
    web.login("alice", &sig("alice")).await.expect("login");
    let mut received = Vec::new();
    loop {
        match web_events.recv().await.expect("events") {
            TimEvent::MessageReceived(m) => received.push(*m),
            TimEvent::SyncComplete => break,
            _ => {}
        }
    }
    assert_eq!(texts(&received), ["one", "four"]);
    // The conversation still counts what was unread of it.
    bob.send_text("alice", "five").await.unwrap();
    let page = web.message_list_hopping("C2Cbob", 1, tinyim_tokio::HopDirection::Newer, 10);
    let page = page.await.unwrap();
    assert_eq!(texts(&page.messages), ["four", "five"]);
}

#[test]
fn deletions_out_of_reach_are_refused() {
    let _alone = ALONE.blocking_lock();
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    raw.login("mallory");
    let mut send = |id: u32, conversation: &str, seqs: &str| {
        raw.request(
            kind::DELETE_MESSAGES,
            id,
            &DeleteMessages { conversation, seqs },
        )
        .map(drop)
    };
    let many: Vec<String> = (1..=31).map(|s| s.to_string()).collect();
    let refusals = [
        (
            send(1, "C2Cbob", "1"),
            code::INVALID_PARAMETER,
            "nothing sent yet",
        ),
        (
            send(2, "GROUPnowhere", "1"),
            code::GROUP_NOT_FOUND,
            "no group",
        ),
        (
            send(3, "nope", "1"),
            code::BAD_CONVERSATION,
            "no conversation id",
        ),
        (send(4, "C2Cbob", "x"), code::BAD_REQUEST, "not a seq"),
        (send(5, "C2Cbob", ""), code::INVALID_PARAMETER, "no seq"),
        (
            send(6, "C2Cbob", &many.join(" ")),
            code::INVALID_PARAMETER,
            "31",
        ),
    ];
    for (result, want, why) in refusals {
        assert_eq!(result, Err(want), "{why}");
    }
    // Still serving.
    assert_eq!(send(7, "@TIM#SYSTEM", "1"), Err(code::INVALID_PARAMETER));
}
