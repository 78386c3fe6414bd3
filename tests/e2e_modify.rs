//! End to end: TIM `modifyMessage`. The sender's edit reaches every party
//! (the sender's other devices too, and a device that was offline, in
//! order), history reads the new content at the next version, a stale edit
//! is refused with 2480, and nobody but the sender edits.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_tokio::{
    ConversationType, GroupOptions, GroupType, Message, Options, Outgoing, Payload, Tim, TimError,
    TimEvent,
};

/// One test at a time: on PostgreSQL a sync round stops below the oldest
/// transaction running in the whole cluster (another test's, when they run
/// at once), and the first test checks what a returning device's first
/// round brings.
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn modified(events: &mut tinyim_tokio::EventStream) -> (u64, Payload, String, u32) {
    match wait_for(events, |e| matches!(e, TimEvent::MessageModified { .. })).await {
        TimEvent::MessageModified {
            seq,
            payload,
            cloud_custom_data,
            version,
            ..
        } => (seq, payload, cloud_custom_data, version),
        _ => unreachable!("wait_for returns what it waited for"),
    }
}

fn code_of(e: TimError) -> u32 {
    e.code()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_reaches_every_party_and_history_and_a_stale_one_is_refused() {
    let _alone = ALONE.lock().await;
    let AliceOnTwoDevices {
        server,
        desktop: (desktop, mut desktop_events),
        phone: (_phone, mut phone_events),
        bob: (bob, mut bob_events),
        dir: _dir,
    } = alice_on_two_devices(&[]).await;
    desktop.send_text("bob", "helo").await.unwrap();
    let sent = wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReceived(_))
    })
    .await;
    let TimEvent::MessageReceived(original) = sent else {
        unreachable!()
    };
    // Alice edits her message as her own conversation names it.
    let mut edit = Message {
        conversation_id: "C2Cbob".into(),
        ..*original
    };
    assert_eq!(edit.version, 0);

    // Bob is offline for the edit: he learns it when he is back.
    bob.shutdown().await;
    drop(bob_events);
    edit.payload = Payload::Text("hello".into());
    edit.cloud_custom_data = "{\"edited\":true}".into();
    desktop.modify_message(&edit).await.expect("edited");
    let want = (
        edit.seq,
        Payload::Text("hello".into()),
        "{\"edited\":true}".to_owned(),
        1,
    );
    assert_eq!(
        modified(&mut desktop_events).await,
        want,
        "the editor's device"
    );
    assert_eq!(modified(&mut phone_events).await, want, "its other device");
    let (bob, mut bob_events) = Tim::connect(&server.addr, Options::default());
    bob.login("bob", &sig("bob")).await.expect("login");
    assert_eq!(modified(&mut bob_events).await, want, "bob, back");
    let history = bob.message_list("C2Calice", 0, 10).await.unwrap();
    let now_is = history.iter().find(|m| m.seq == edit.seq).unwrap();
    assert_eq!((now_is.payload.text(), now_is.version), (Some("hello"), 1));
    assert_eq!(now_is.cloud_custom_data, "{\"edited\":true}");

    // Edited again on version 0: someone edited since.
    edit.payload = Payload::Text("hi".into());
    let stale = desktop.modify_message(&edit).await.map_err(code_of);
    assert_eq!(stale, Err(code::MODIFY_CONFLICT));
    // Bob may not edit alice's message, nor alice an image into text.
    let theirs = bob.modify_message(now_is).await.map_err(code_of);
    assert_eq!(theirs, Err(code::NO_PERMISSION));
    let image = Outgoing::image(ConversationType::C2c, "bob", "https://x/i.png", (1, 1), 1);
    let seq = desktop.send(image).await.unwrap().seq;
    let into_text = Message {
        seq,
        version: 0,
        ..edit.clone()
    };
    let refused = desktop.modify_message(&into_text).await.map_err(code_of);
    assert_eq!(refused, Err(code::INVALID_PARAMETER));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_edit_reaches_every_member() {
    let _alone = ALONE.lock().await;
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some("edits".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    let custom = Outgoing::custom(ConversationType::Group, "edits", "{\"v\":1}", "poll", "");
    bob.send(custom).await.unwrap();
    let got = wait_for(&mut alice_events, |e| {
        matches!(e, TimEvent::MessageReceived(m) if matches!(m.payload, Payload::Custom { .. }))
    })
    .await;
    let TimEvent::MessageReceived(poll) = got else {
        unreachable!()
    };
    let mut edit = *poll;
    edit.payload = Payload::Custom {
        data: "{\"v\":2}".into(),
        description: "poll".into(),
        extension: String::new(),
    };
    bob.modify_message(&edit).await.expect("edited");
    for events in [&mut alice_events, &mut bob_events] {
        let (seq, payload, _, version) = modified(events).await;
        assert_eq!((seq, &payload, version), (edit.seq, &edit.payload, 1));
    }

    // Muted, bob may not post an edit's notice, as he may not send.
    alice
        .set_group_member_mute_time("edits", "bob", 600)
        .await
        .unwrap();
    edit.version = 1;
    edit.payload = Payload::Custom {
        data: "{\"v\":3}".into(),
        description: "poll".into(),
        extension: String::new(),
    };
    let muted = bob.modify_message(&edit).await.map_err(code_of);
    assert_eq!(muted, Err(code::MUTED));
    let history = alice.message_list("GROUPedits", 0, 10).await.unwrap();
    let poll = history.iter().find(|m| m.seq == edit.seq).unwrap();
    assert_eq!(poll.version, 1, "the refused edit changed nothing");
}
