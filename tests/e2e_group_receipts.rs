//! End to end: group read receipts. A sender asks for receipts; members
//! who read send one; the sender is told the counts as they change and can
//! ask for them and for who read and who has not. Refused: a receipt for
//! one's own message or for one that asks for none, a non-member's
//! question, receipts in group types without them.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_core::ConversationType;
use tinyim_tokio::{
    GroupOptions, GroupType, Outgoing, Payload, ReadReceiptInfo, TimError, TimEvent,
};

fn code_of(e: TimError) -> u32 {
    e.code()
}

#[tokio::test(flavor = "multi_thread")]
async fn members_receipts_reach_the_sender_with_their_counts() {
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (carol, _) = client(&server.addr, "carol").await;
    let mut options = GroupOptions::new(GroupType::Work, "team");
    options.group_id = Some("receipts".into());
    options.members = vec!["bob".into(), "carol".into()];
    alice.create_group(options).await.unwrap();
    let ask = Outgoing::text(ConversationType::Group, "receipts", "read me").with_read_receipt();
    let seq = alice.send(ask).await.unwrap().seq;
    // Dave joins later: the message did not go to him.
    alice.add_group_member("receipts", &["dave"]).await.unwrap();

    let got = wait_for(
        &mut bob_events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("read me")),
    )
    .await;
    let TimEvent::MessageReceived(m) = got else {
        unreachable!()
    };
    assert!(m.need_read_receipt, "the receiver sees the request");
    bob.send_message_read_receipt("receipts", &[seq])
        .await
        .expect("receipt sent");
    let told = wait_for(&mut alice_events, |e| {
        matches!(e, TimEvent::MessageReadReceiptReceived(_))
    })
    .await;
    let expected = ReadReceiptInfo {
        group_id: "receipts".into(),
        seq,
        read_count: 1,
        unread_count: 1,
    };
    assert_eq!(told, TimEvent::MessageReadReceiptReceived(expected.clone()));
    // A second receipt from bob changes nothing.
    bob.send_message_read_receipt("receipts", &[seq])
        .await
        .unwrap();
    assert_eq!(
        alice
            .message_read_receipts("receipts", &[seq])
            .await
            .unwrap(),
        [expected]
    );
    assert_eq!(
        alice
            .group_message_read_members("receipts", seq, true)
            .await
            .unwrap(),
        ["bob"]
    );
    assert_eq!(
        carol
            .group_message_read_members("receipts", seq, false)
            .await
            .unwrap(),
        ["carol"],
        "any member may ask"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn receipts_outside_their_rules_are_refused() {
    let (server, _dir) = fresh_server();
    let (alice, _) = client(&server.addr, "alice").await;
    let (bob, _) = client(&server.addr, "bob").await;
    let (mallory, _) = client(&server.addr, "mallory").await;
    let mut options = GroupOptions::new(GroupType::Public, "open");
    options.group_id = Some("rules".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    let asked = alice
        .send(Outgoing::text(ConversationType::Group, "rules", "ask").with_read_receipt())
        .await
        .unwrap()
        .seq;
    let plain = alice
        .send(Outgoing::text(ConversationType::Group, "rules", "plain"))
        .await
        .unwrap()
        .seq;

    let own = alice.send_message_read_receipt("rules", &[asked]).await;
    assert_eq!(
        own.map_err(code_of),
        Err(code::INVALID_PARAMETER),
        "one's own"
    );
    let none = bob.send_message_read_receipt("rules", &[plain]).await;
    assert_eq!(
        none.map_err(code_of),
        Err(code::INVALID_PARAMETER),
        "asks for none"
    );
    let past = bob.send_message_read_receipt("rules", &[plain + 5]).await;
    assert_eq!(
        past.map_err(code_of),
        Err(code::INVALID_PARAMETER),
        "no such message"
    );
    let outsider = mallory.message_read_receipts("rules", &[asked]).await;
    assert_eq!(
        outsider.map_err(code_of),
        Err(code::NO_PERMISSION),
        "not a member"
    );
    let outsider = mallory
        .group_message_read_members("rules", asked, true)
        .await;
    assert_eq!(outsider.map_err(code_of), Err(code::NO_PERMISSION));
    let outsider = mallory.send_message_read_receipt("rules", &[asked]).await;
    assert_eq!(outsider.map_err(code_of), Err(code::NO_PERMISSION));

    let mut options = GroupOptions::new(GroupType::Community, "big");
    options.group_id = Some("community".into());
    alice.create_group(options).await.unwrap();
    let refused = alice
        .send(Outgoing::text(ConversationType::Group, "community", "x").with_read_receipt())
        .await;
    assert_eq!(
        refused.map_err(code_of),
        Err(code::INVALID_PARAMETER),
        "no receipts in a Community"
    );
    assert!(matches!(
        bob.message_list("GROUPrules", 0, 1).await.unwrap()[0].payload,
        Payload::Text(_)
    ));
}
