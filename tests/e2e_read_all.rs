//! End to end: TIM `setAllMessageRead`. One call reads every conversation
//! of its scope on every device of the user, the peers of one-to-one
//! conversations see their messages read, and other scopes stay unread.

mod common;

use common::*;
use tinyim_core::wire::body::{ReadAll, ReadScope};
use tinyim_core::wire::kind;
use tinyim_tokio::{GroupOptions, GroupType, ReadScope as Scope, Tim, TimEvent};

#[tokio::test(flavor = "multi_thread")]
async fn one_call_reads_a_scope_on_every_device_and_leaves_the_others() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (alice_phone, _phone_events) = on_phone(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (carol, _carol_events) = client(&server.addr, "carol").await;
    let mut options = GroupOptions::new(GroupType::Work, "crew");
    options.group_id = Some("crew".into());
    options.members = vec!["alice".into()];
    carol.create_group(options).await.unwrap();
    for text in ["one", "two"] {
        bob.send_text("alice", text).await.unwrap();
        carol.send_text("alice", text).await.unwrap();
    }
    let last = carol
        .send_group_text("crew", "all hands")
        .await
        .unwrap()
        .seq;
    // Both of alice's devices have everything: two and two unread one-to-one,
    // the group up to its last message.
    for tim in [&alice, &alice_phone] {
        until(tim, |unread| {
            unread("C2Cbob") == Some((2, 2))
                && unread("C2Ccarol") == Some((2, 2))
                && unread("GROUPcrew").is_some_and(|(_, seq)| seq == last)
        })
        .await;
    }
    let group_unread = unread_of(&alice, "GROUPcrew").await.0;
    assert!(group_unread > 0);
    // The notice that she was added to the group.
    let system_unread = unread_of(&alice, "@TIM#SYSTEM").await.0;

    alice.set_all_message_read(Scope::C2c).await.unwrap();
    assert_eq!(
        alice.total_unread().await.unwrap(),
        group_unread + system_unread,
        "the group and the SYSTEM conversation stay unread"
    );
    until(&alice_phone, |unread| {
        unread("C2Cbob") == Some((0, 2)) && unread("C2Ccarol") == Some((0, 2))
    })
    .await;
    wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReadByPeer { conversation_id, peer_read_seq: 2 }
            if conversation_id == "C2Calice")
    })
    .await;

    alice_phone.set_all_message_read(Scope::All).await.unwrap();
    assert_eq!(alice_phone.total_unread().await.unwrap(), 0);
    until(&alice, |unread| unread("GROUPcrew") == Some((0, last))).await;
    assert_eq!(alice.total_unread().await.unwrap(), 0);
    // Nothing left to read is no error.
    alice.set_all_message_read(Scope::Group).await.unwrap();
}

/// A conversation's (unread count, last seq) on `tim`'s device.
async fn unread_of(tim: &Tim, conversation: &str) -> (u64, u64) {
    let info = tim.conversation_profile(conversation).await.unwrap();
    info.map_or((0, 0), |c| (c.unread_count, c.last_seq))
}

/// Waits until `holds` of `tim`'s conversations, given each one's (unread
/// count, last seq) by id (reads reach other devices by push).
async fn until(tim: &Tim, holds: impl Fn(&dyn Fn(&str) -> Option<(u64, u64)>) -> bool) {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let list = tim.conversation_list().await.unwrap();
            let unread = |id: &str| {
                list.iter()
                    .find(|c| c.id == id)
                    .map(|c| (c.unread_count, c.last_seq))
            };
            if holds(&unread) {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the conversations reach that state");
}

#[test]
fn a_malformed_or_logged_out_read_all_gets_a_code() {
    use tinyim_core::wire::code;
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let all = ReadAll {
        scope: ReadScope::All,
    };
    assert_eq!(
        raw.request(kind::READ_ALL, 1, &all).map(drop),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("mallory");
    raw.send(kind::READ_ALL, &(2u32, 9u8));
    assert_eq!(raw.answer(2).map(drop), Err(code::BAD_REQUEST));
    assert_eq!(raw.request(kind::READ_ALL, 3, &all).map(drop), Ok(()));
}
