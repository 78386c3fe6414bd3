//! End to end: the server deduplicates a sender's messages on (conversation,
//! client message id). A resend is answered as the first send was and
//! stores nothing; the same id in another conversation is another message,
//! stored and delivered; other content under a used id is refused.

mod common;

use common::*;
use tinyim_core::wire::records::decode_exact;
use tinyim_core::wire::{body, code, kind};
use tinyim_tokio::{GroupOptions, GroupType};

fn text<'a>(conversation: &'a str, id: u64, text: &'a str) -> body::SendMessage<'a> {
    body::SendMessage {
        conversation,
        client_msg_id: id,
        online_only: false,
        priority: Default::default(),
        elem: body::Elem::Text { text },
        extra: body::MessageExtra::default(),
    }
}

/// The seq of an accepted send.
fn seq(answer: Result<Vec<u8>, u32>) -> u64 {
    let payload = answer.expect("send accepted");
    decode_exact::<body::SendOk<'_>>(&payload).unwrap().seq
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_message_id_is_one_message_per_conversation() {
    let (server, _dir) = fresh_server();
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    let (_carol, mut carol_events) = client(&server.addr, "carol").await;
    let (owner, _o) = client(&server.addr, "dave").await;
    let mut options = GroupOptions::new(GroupType::Work, "g");
    options.group_id = Some("ids".into());
    options.members = vec!["alice".into(), "carol".into()];
    owner.create_group(options).await.unwrap();

    let mut alice = RawConn::connect(&server.addr);
    alice.hello();
    alice.login("alice");
    assert_eq!(
        seq(alice.request(kind::SEND_MESSAGE, 1, &text("C2Cbob", 41, "first"))),
        1
    );
    assert_eq!(
        seq(alice.request(kind::SEND_MESSAGE, 2, &text("C2Cbob", 42, "to bob"))),
        2
    );
    // The same id to carol and into the group: new messages, each stored.
    assert_eq!(
        seq(alice.request(kind::SEND_MESSAGE, 3, &text("C2Ccarol", 42, "to carol"))),
        1
    );
    let in_group = seq(alice.request(kind::SEND_MESSAGE, 4, &text("GROUPids", 42, "to all")));
    assert!(in_group > 0);
    // A resend to bob: the first answer again.
    assert_eq!(
        seq(alice.request(kind::SEND_MESSAGE, 5, &text("C2Cbob", 42, "to bob"))),
        2
    );
    assert_eq!(
        seq(alice.request(kind::SEND_MESSAGE, 6, &text("GROUPids", 42, "to all"))),
        in_group
    );
    // Other content under the used id: refused, not acknowledged.
    assert_eq!(
        alice.request(kind::SEND_MESSAGE, 7, &text("C2Cbob", 42, "something else")),
        Err(code::CLIENT_MSG_ID_REUSED)
    );
    assert_eq!(
        alice.request(
            kind::SEND_MESSAGE,
            8,
            &text("GROUPids", 42, "something else")
        ),
        Err(code::CLIENT_MSG_ID_REUSED)
    );

    let to_bob = receive(&mut bob_events, 2).await;
    assert_eq!(to_bob[1].payload.text(), Some("to bob"));
    let mut texts = Vec::new();
    while texts.len() < 2 {
        let got = receive(&mut carol_events, 1).await;
        texts.extend(got[0].payload.text().map(str::to_owned));
    }
    texts.sort();
    assert_eq!(texts, ["to all", "to carol"]);
    // Nothing else arrived: the next message is the next one sent.
    assert_eq!(
        seq(alice.request(kind::SEND_MESSAGE, 9, &text("C2Cbob", 43, "next"))),
        3
    );
    let next = receive(&mut bob_events, 1).await;
    assert_eq!((next[0].seq, next[0].payload.text()), (3, Some("next")));
}
