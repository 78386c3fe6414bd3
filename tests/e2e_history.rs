//! End to end: a conversation's history both ways from a seq (TIM
//! `getMessageListHopping`), with `isCompleted` saying where it ends, and a
//! cleared history staying cleared.

mod common;

use common::*;
use tinyim_tokio::{HistoryPage, HopDirection};

fn seqs(page: &HistoryPage) -> (Vec<u64>, bool) {
    (page.messages.iter().map(|m| m.seq).collect(), page.complete)
}

#[tokio::test(flavor = "multi_thread")]
async fn history_pages_go_both_ways_from_a_seq_and_say_where_it_ends() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, _bob_events) = client(&server.addr, "bob").await;
    for i in 1..=10 {
        alice.send_text("bob", &format!("m{i}")).await.unwrap();
    }
    let hop = |seq, direction, count| bob.message_list_hopping("C2Calice", seq, direction, count);
    use HopDirection::{Newer, Older};
    assert_eq!(
        seqs(&hop(0, Older, 4).await.unwrap()),
        (vec![10, 9, 8, 7], false)
    );
    assert_eq!(
        seqs(&hop(7, Older, 10).await.unwrap()),
        (vec![6, 5, 4, 3, 2, 1], true)
    );
    assert_eq!(
        seqs(&hop(3, Newer, 4).await.unwrap()),
        (vec![4, 5, 6, 7], false)
    );
    assert_eq!(
        seqs(&hop(7, Newer, 10).await.unwrap()),
        (vec![8, 9, 10], true)
    );
    assert_eq!(seqs(&hop(10, Newer, 5).await.unwrap()), (vec![], true));
    let texts: Vec<String> = hop(3, Newer, 2)
        .await
        .unwrap()
        .messages
        .into_iter()
        .filter_map(|m| m.payload.text().map(str::to_owned))
        .collect();
    assert_eq!(texts, ["m4", "m5"]);

    bob.clear_history_message("C2Calice").await.unwrap();
    assert_eq!(seqs(&hop(0, Newer, 10).await.unwrap()), (vec![], true));
    assert_eq!(seqs(&hop(0, Older, 10).await.unwrap()), (vec![], true));
    assert_eq!(
        alice
            .message_list_hopping("C2Cbob", 0, Newer, 3)
            .await
            .map(|p| seqs(&p))
            .unwrap(),
        (vec![1, 2, 3], false),
        "the other side keeps its history"
    );
}
