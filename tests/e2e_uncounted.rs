//! End to end: what does not count as unread. Group tips and notices of
//! revocations move a conversation's last seq and leave its unread count
//! alone, as in TIM; a message sent with TIM `messageControlInfo` counts
//! as its sender chose (not unread, not the last message). Live, and for
//! a device that learns it all from its first sync, whose counts and total
//! come from the server.

mod common;

use common::*;
use tinyim_core::ConversationType;
use tinyim_tokio::{
    ConversationInfo, EventStream, GroupOptions, GroupProfileUpdate, GroupType, Outgoing, Tim,
    TimEvent,
};

fn find(list: &[ConversationInfo], id: &str) -> ConversationInfo {
    list.iter().find(|c| c.id == id).cloned().expect("listed")
}

/// Waits until the message `text` reaches `tim` (so every message before
/// it in `id` was delivered, and counted); returns `id` as listed then.
async fn after(tim: &Tim, events: &mut EventStream, id: &str, text: &str) -> ConversationInfo {
    wait_for(
        events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some(text)),
    )
    .await;
    find(&tim.conversation_list().await.unwrap(), id)
}

#[tokio::test(flavor = "multi_thread")]
async fn group_tips_do_not_count_as_unread() {
    let (server, _dir) = fresh_server();
    let (alice, _) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let mut options = GroupOptions::new(GroupType::Public, "team");
    options.group_id = Some("tips".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    alice.add_group_member("tips", &["carol"]).await.unwrap();
    alice
        .send(Outgoing::text(ConversationType::Group, "tips", "hello"))
        .await
        .unwrap();
    let renamed = GroupProfileUpdate {
        name: Some("renamed".into()),
        ..GroupProfileUpdate::default()
    };
    alice.update_group_profile("tips", renamed).await.unwrap();
    let last = alice
        .send(Outgoing::text(ConversationType::Group, "tips", "again"))
        .await
        .unwrap()
        .seq;
    let seen = after(&bob, &mut bob_events, "GROUPtips", "again").await;
    assert_eq!(seen.last_seq, last);
    assert!(seen.last_seq >= 4, "tips took seqs: {}", seen.last_seq);
    assert_eq!(seen.unread_count, 2, "two messages; the tips do not count");
    // With the system notice of his invitation, which does count.
    assert_eq!(bob.total_unread().await.unwrap(), 3);

    let (later, _) = on_web(&server.addr, "bob").await;
    let synced = find(&later.conversation_list().await.unwrap(), "GROUPtips");
    assert_eq!((synced.last_seq, synced.unread_count), (last, 2));
    assert_eq!(later.total_unread().await.unwrap(), 3, "the server's total");
}

#[tokio::test(flavor = "multi_thread")]
async fn control_flags_and_revoke_notices_count_as_the_sender_chose() {
    let (server, _dir) = fresh_server();
    let (alice, _) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    alice.send_text("bob", "one").await.unwrap();
    let quiet = Outgoing::text(ConversationType::C2c, "bob", "state sync").with_control(true, true);
    alice.send(quiet).await.unwrap();
    alice.send_text("bob", "marker").await.unwrap();
    let seen = after(&bob, &mut bob_events, "C2Calice", "marker").await;
    assert_eq!(
        (seen.unread_count, seen.preview.as_str()),
        (2, "marker"),
        "the quiet one neither counted nor shown"
    );
    let shown = Outgoing::text(ConversationType::C2c, "bob", "fyi").with_control(true, false);
    alice.send(shown).await.unwrap();
    let two = alice.send_text("bob", "two").await.unwrap().seq;
    alice.revoke_message("C2Cbob", two).await.unwrap();
    alice.send_text("bob", "three").await.unwrap();
    let seen = after(&bob, &mut bob_events, "C2Calice", "three").await;
    assert_eq!(
        (seen.last_seq, seen.unread_count),
        (7, 4),
        "one, marker, the revoked two and three; the quiet ones and the notice do not count"
    );
    assert_eq!(bob.total_unread().await.unwrap(), 4);

    let (later, _) = on_web(&server.addr, "bob").await;
    let synced = find(&later.conversation_list().await.unwrap(), "C2Calice");
    assert_eq!((synced.last_seq, synced.unread_count), (7, 4));
    assert_eq!(later.total_unread().await.unwrap(), 4);

    // Reading clears every kind.
    bob.set_message_read("C2Calice").await.unwrap();
    assert_eq!(bob.total_unread().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rest_apis_send_control_counts_as_tencents_does() {
    let (server, _dir) = fresh_server_with_http();
    let http = server.http_addr.clone().unwrap();
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let post = |service: &str, body: serde_json::Value| admin_call(&http, service, &body);
    post(
        "im_open_login_svc/account_import",
        serde_json::json!({"UserID": "alice"}),
    );
    let text = |random: u32, text: &str, control: &[&str]| {
        serde_json::json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": random,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}],
            "SendMsgControl": control})
    };
    assert_eq!(
        post("openim/sendmsg", text(1, "hello", &[]))["ErrorCode"],
        0
    );
    let quiet = text(2, "sync", &["NoUnread", "NoLastMsg"]);
    assert_eq!(post("openim/sendmsg", quiet)["ErrorCode"], 0);
    assert_eq!(
        post("openim/sendmsg", text(3, "marker", &["NoLastMsg"]))["ErrorCode"],
        0
    );
    let seen = after(&bob, &mut bob_events, "C2Calice", "marker").await;
    assert_eq!(
        (seen.last_seq, seen.unread_count, seen.preview.as_str()),
        (3, 2, "hello"),
        "the quiet one is not counted; neither is the last message"
    );
    let unread = post(
        "openim/get_c2c_unread_msg_num",
        serde_json::json!({"To_Account": "bob", "Peer_Account": ["alice"]}),
    );
    assert_eq!(unread["AllC2CUnreadMsgNum"], 2, "{unread}");
}
