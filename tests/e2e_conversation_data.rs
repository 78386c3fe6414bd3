//! End to end: TIM `markConversation`, `setConversationCustomData` and the
//! draft, on the user's every device (the other one told at once, a device
//! logging in later by its sync); a hidden conversation back with its next
//! message; the last message's sender stamps in the list, one-to-one and
//! in a group; the refusals.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_core::wire::conversation_data::{MARK_FOLD, MARK_HIDE, MARK_STAR};
use tinyim_tokio::{ConversationInfo, GroupOptions, GroupType, MyProfileUpdate};

fn find(list: &[ConversationInfo], id: &str) -> Option<ConversationInfo> {
    list.iter().find(|c| c.id == id).cloned()
}

fn bob_of(list: &[ConversationInfo]) -> ConversationInfo {
    find(list, "C2Cbob").expect("listed")
}

#[tokio::test(flavor = "multi_thread")]
async fn marks_custom_data_and_drafts_reach_every_device() {
    let s = alice_on_two_devices(&["one"]).await;
    let (desktop, _) = &s.desktop;
    let (phone, mut phone_events) = (&s.phone.0, s.phone.1);

    desktop
        .mark_conversation(&["C2Cbob"], MARK_STAR | MARK_FOLD | 1 << 40, true)
        .await
        .expect("marked");
    desktop
        .mark_conversation(&["C2Cbob"], MARK_FOLD, false)
        .await
        .unwrap();
    assert_eq!(
        bob_of(&desktop.conversation_list().await.unwrap()).marks,
        MARK_STAR | 1 << 40
    );
    desktop
        .set_conversation_custom_data(&["C2Cbob"], b"{\"tag\":\"work\"}")
        .await
        .expect("custom data set");
    desktop
        .set_conversation_draft("C2Cbob", "half a thought")
        .await
        .expect("draft set");
    let bob = bob_of(&desktop.conversation_list().await.unwrap());
    assert_eq!(bob.custom_data, b"{\"tag\":\"work\"}");
    assert_eq!(bob.draft, "half a thought");
    assert!(bob.draft_time_ms > 0);

    until_list(phone, &mut phone_events, |list| {
        let bob = bob_of(list);
        bob.draft == "half a thought" && bob.marks == MARK_STAR | 1 << 40
    })
    .await;
    assert_eq!(
        bob_of(&phone.conversation_list().await.unwrap()).custom_data,
        b"{\"tag\":\"work\"}"
    );

    // A device logging in later learns the marks from its sync and the
    // data from the server.
    let (later, _) = on_web(&s.server.addr, "alice").await;
    let bob = bob_of(&later.conversation_list().await.unwrap());
    assert_eq!(bob.marks, MARK_STAR | 1 << 40);
    assert_eq!(
        (bob.custom_data.as_slice(), bob.draft.as_str()),
        (&b"{\"tag\":\"work\"}"[..], "half a thought")
    );

    // The draft sent and cleared: gone everywhere.
    desktop.set_conversation_draft("C2Cbob", "").await.unwrap();
    until_list(phone, &mut phone_events, |list| {
        bob_of(list).draft.is_empty()
    })
    .await;
    assert_eq!(
        bob_of(&phone.conversation_list().await.unwrap()).draft_time_ms,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_conversation_leaves_the_list_until_its_next_message() {
    let s = alice_on_two_devices(&["one"]).await;
    let (desktop, _) = &s.desktop;
    let (phone, mut phone_events) = (&s.phone.0, s.phone.1);
    desktop
        .mark_conversation(&["C2Cbob"], MARK_HIDE, true)
        .await
        .expect("hidden");
    assert!(find(&desktop.conversation_list().await.unwrap(), "C2Cbob").is_none());
    until_list(phone, &mut phone_events, |list| {
        find(list, "C2Cbob").is_none()
    })
    .await;

    // Shown again by clearing the mark: back on both.
    desktop
        .mark_conversation(&["C2Cbob"], MARK_HIDE, false)
        .await
        .unwrap();
    until_list(phone, &mut phone_events, |list| {
        find(list, "C2Cbob").is_some()
    })
    .await;

    // Hidden again, then bob writes: it is back, unread, without the mark.
    desktop
        .mark_conversation(&["C2Cbob"], MARK_HIDE | MARK_STAR, true)
        .await
        .unwrap();
    until_list(phone, &mut phone_events, |list| {
        find(list, "C2Cbob").is_none()
    })
    .await;
    let (bob, _) = &s.bob;
    bob.send_text("alice", "two").await.unwrap();
    until_list(phone, &mut phone_events, |list| {
        find(list, "C2Cbob").is_some()
    })
    .await;
    let back = bob_of(&phone.conversation_list().await.unwrap());
    assert_eq!(back.marks, MARK_STAR, "the hide mark went with the message");
    assert_eq!(back.unread_count, 2, "hiding read nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_shows_the_last_senders_nick_and_name_card() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, _) = client(&server.addr, "bob").await;
    let nick = MyProfileUpdate {
        nick: Some("Bobby".into()),
        avatar: Some("https://example.com/bob.png".into()),
        ..MyProfileUpdate::default()
    };
    bob.update_my_profile(nick).await.unwrap();
    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some("stamps".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    bob.set_group_member_name_card("stamps", "bob", "Bob (ops)")
        .await
        .unwrap();
    bob.send_text("alice", "hi").await.unwrap();
    bob.send(tinyim_tokio::Outgoing::text(
        tinyim_core::ConversationType::Group,
        "stamps",
        "hello all",
    ))
    .await
    .unwrap();
    let mut alice_events = _alice_events;
    until_list(&alice, &mut alice_events, |list| {
        find(list, "GROUPstamps").is_some_and(|g| g.last_name_card == "Bob (ops)")
            && find(list, "C2Cbob").is_some_and(|c| c.last_nick == "Bobby")
    })
    .await;
    let list = alice.conversation_list().await.unwrap();
    let c2c = bob_of(&list);
    assert_eq!(c2c.last_avatar, "https://example.com/bob.png");
    assert_eq!(c2c.last_name_card, "", "no name card one-to-one");
    assert_eq!(find(&list, "GROUPstamps").unwrap().last_nick, "Bobby");
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_outside_the_limits_are_refused() {
    let s = alice_on_two_devices(&["one"]).await;
    let (desktop, _) = &s.desktop;
    let code_of = |e: tinyim_tokio::TimError| e.code();
    let refused = desktop
        .mark_conversation(&["C2Cbob", "C2Cnobody"], MARK_STAR, true)
        .await
        .map_err(code_of);
    assert_eq!(refused, Err(code::INVALID_PARAMETER));
    assert_eq!(
        bob_of(&desktop.conversation_list().await.unwrap()).marks,
        0,
        "a call naming one the user lacks changes none"
    );
    let refused = desktop
        .set_conversation_custom_data(&["C2Cbob"], &[7; 257])
        .await
        .map_err(code_of);
    assert!(refused.is_err(), "over 256 bytes");
    let refused = desktop
        .set_conversation_draft("GROUPnone", "x")
        .await
        .map_err(code_of);
    assert_eq!(refused, Err(code::INVALID_PARAMETER), "not a member");
}
