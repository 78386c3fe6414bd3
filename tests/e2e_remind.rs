//! End to end: TIM `setMessageRemindType`. A muted conversation leaves the
//! total unread count on every device of the user (the other device told
//! at once, a device logging in later by its sync), a discarded one
//! delivers no new message while history keeps them, and a conversation
//! that does not exist is refused.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_tokio::{ConversationInfo, RemindType};

fn bob_of(list: Vec<ConversationInfo>) -> ConversationInfo {
    list.into_iter().find(|c| c.id == "C2Cbob").expect("listed")
}

#[tokio::test(flavor = "multi_thread")]
async fn muted_and_discarded_conversations_on_every_device() {
    let s = alice_on_two_devices(&["one", "two"]).await;
    let (desktop, mut desktop_events) = (&s.desktop.0, s.desktop.1);
    let (phone, mut phone_events) = (&s.phone.0, s.phone.1);
    assert_eq!(desktop.total_unread().await.unwrap(), 2);
    desktop
        .set_message_remind_type("C2Cbob", RemindType::AcceptNotNotify)
        .await
        .expect("muted");
    assert_eq!(desktop.total_unread().await.unwrap(), 0);
    let c = bob_of(desktop.conversation_list().await.unwrap());
    assert_eq!(
        (c.remind_type, c.unread_count),
        (RemindType::AcceptNotNotify, 2)
    );
    until_list(phone, &mut phone_events, |list| {
        bob_of(list.to_vec()).remind_type == RemindType::AcceptNotNotify
    })
    .await;
    assert_eq!(phone.total_unread().await.unwrap(), 0);

    // A device logging in later learns it from its sync, the server's
    // total too.
    let (later, _) = on_web(&s.server.addr, "alice").await;
    let c = bob_of(later.conversation_list().await.unwrap());
    assert_eq!(c.remind_type, RemindType::AcceptNotNotify);
    assert_eq!(later.total_unread().await.unwrap(), 0);

    // Discarded: bob's next message reaches no device of alice's as new,
    // and history keeps it.
    desktop
        .set_message_remind_type("C2Cbob", RemindType::Discard)
        .await
        .unwrap();
    let (bob, _) = &s.bob;
    bob.send_text("alice", "three").await.unwrap();
    bob.send_text("carol", "marker").await.unwrap();
    let history = desktop.message_list("C2Cbob", 0, 1).await.unwrap();
    assert_eq!(history[0].payload.text(), Some("three"));
    // Back to notifying: the next one arrives.
    desktop
        .set_message_remind_type("C2Cbob", RemindType::AcceptAndNotify)
        .await
        .unwrap();
    bob.send_text("alice", "four").await.unwrap();
    // Each device, once it has it (the phone may be told first), counts
    // all four.
    let got = receive(&mut phone_events, 1).await;
    assert_eq!(got[0].payload.text(), Some("four"), "three was discarded");
    let got = receive(&mut desktop_events, 1).await;
    assert_eq!(got[0].payload.text(), Some("four"), "three was discarded");
    assert_eq!(desktop.total_unread().await.unwrap(), 4);

    let refused = desktop
        .set_message_remind_type("C2Cnobody", RemindType::Discard)
        .await
        .map_err(|e| e.code());
    assert_eq!(refused, Err(code::INVALID_PARAMETER));
}
