#![cfg(feature = "full")]
//! TIM `markConversation`, `setConversationCustomData` and the draft,
//! scripted against the core: the requests, the pushes that change marks
//! and the data digest, the sync summary, the saved sync state, and the
//! query's records.

mod util;

use tinyim_core::wire::conversation_data::{
    ConversationData, ConversationDataQuery, ConversationDataState, DataChange,
    SetConversationData, MARK_FOLD, MARK_STAR,
};
use tinyim_core::wire::user::UserRecord;
use tinyim_core::wire::{body, kind, records};
use tinyim_core::CommandError;
use util::*;

fn state(conversation: &str, marks: u64, data_digest: u64) -> ConversationDataState<'_> {
    ConversationDataState {
        conversation,
        marks,
        data_digest,
    }
}

#[test]
fn a_mark_is_asked_for_and_applied_when_the_push_comes() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.know("C2Ccarol", 1);
    let request = h
        .client
        .mark_conversation(h.now, "C2Cbob C2Ccarol", MARK_STAR, true)
        .unwrap();
    let (id, payload) = h.sent_request(kind::SET_CONVERSATION_DATA);
    let sent: SetConversationData<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(
        sent.conversations.ids().collect::<Vec<_>>(),
        ["C2Cbob", "C2Ccarol"]
    );
    assert_eq!(
        sent.change,
        DataChange::Marks {
            marks: MARK_STAR,
            enable: true
        }
    );
    // The server pushes each conversation's new standing to every
    // session, this one too, before it answers.
    let events = h.feed(&frame(
        kind::PUSH_CONVERSATION_DATA,
        &state("C2Cbob", MARK_STAR, 0),
    ));
    assert!(events.contains(&"ConversationListUpdated".to_owned()));
    h.feed(&frame(
        kind::PUSH_CONVERSATION_DATA,
        &state("C2Ccarol", MARK_STAR | MARK_FOLD, 0),
    ));
    h.client
        .handle_input(h.now, &records_frame::<UserRecord<'_>>(id, &[]));
    assert_eq!(h.call_answer(request), ["completed"]);
    assert_eq!(h.client.conversation("C2Cbob").unwrap().marks(), MARK_STAR);
    assert_eq!(
        h.client.conversation("C2Ccarol").unwrap().marks(),
        MARK_STAR | MARK_FOLD
    );
}

#[test]
fn calls_outside_their_limits_are_refused_before_sending() {
    let mut h = Harness::logged_in();
    assert_eq!(
        h.client.mark_conversation(h.now, "C2Cbob", 0, true),
        Err(CommandError::InvalidParameter)
    );
    assert_eq!(
        h.client
            .set_conversation_custom_data(h.now, "C2Cbob", &[0; 257]),
        Err(CommandError::TooLarge)
    );
    let long = "d".repeat(1025);
    assert_eq!(
        h.client.set_conversation_draft(h.now, "C2Cbob", &long),
        Err(CommandError::TooLarge)
    );
    assert_eq!(
        h.client
            .set_conversation_draft(h.now, "C2Cbob C2Ccarol", "x"),
        Err(CommandError::InvalidId)
    );
    assert_eq!(
        h.client.conversation_data(h.now, ""),
        Err(CommandError::InvalidId)
    );
    let many = vec!["C2Cbob"; 101].join(" ");
    assert_eq!(
        h.client.conversation_data(h.now, &many),
        Err(CommandError::InvalidId)
    );
    assert_eq!(
        h.client.set_conversation_custom_data(h.now, "bob", b"x"),
        Err(CommandError::InvalidId)
    );
    assert!(h.sent().is_empty(), "nothing was sent");
}

#[test]
fn marks_and_digest_come_with_the_sync_and_survive_a_reboot() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 2);
    let sync = h.reconnect_until_sync();
    h.feed(&sync_page(
        sync,
        30,
        &[body::ConversationSummary {
            marks: MARK_FOLD | 1 << 40,
            data_digest: 77,
            ..summary("C2Cbob", 2, 2)
        }],
    ));
    let bob = h.client.conversation("C2Cbob").unwrap();
    assert_eq!((bob.marks(), bob.data_digest()), (MARK_FOLD | 1 << 40, 77));

    let mut buf = [0u8; 1024];
    let n = h.client.save_sync_state(&mut buf).unwrap();
    let mut rebooted = Harness::new();
    rebooted.client.restore_sync_state(&buf[..n]).unwrap();
    let bob = rebooted.client.conversation("C2Cbob").unwrap();
    assert_eq!((bob.marks(), bob.data_digest()), (MARK_FOLD | 1 << 40, 77));
}

#[test]
fn a_push_for_a_conversation_not_held_brings_a_sync_round() {
    let mut h = Harness::logged_in();
    assert!(h.sent().is_empty());
    // Shown again on another device (its hide mark cleared): the client
    // does not hold it, so a round of its own finds out.
    let events = h.feed(&frame(
        kind::PUSH_CONVERSATION_DATA,
        &state("C2Cdave", 0, 0),
    ));
    assert!(events.is_empty(), "{events:?}");
    h.sent_request(kind::SYNC_WINDOW);
}

#[test]
fn a_garbled_data_push_closes_the_connection() {
    let mut h = Harness::logged_in();
    h.feed(&frame(kind::PUSH_CONVERSATION_DATA, &("C2Cbob", 300u16)));
    assert!(
        h.client.poll_close(),
        "a push that does not decode ends the connection"
    );
}

#[test]
fn the_query_names_its_conversations_and_its_records_reach_the_application() {
    let mut h = Harness::logged_in();
    let request = h.client.conversation_data(h.now, "C2Cbob GROUPg1").unwrap();
    let (id, payload) = h.sent_request(kind::CONVERSATION_DATA);
    let query: ConversationDataQuery<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(
        query.conversations.ids().collect::<Vec<_>>(),
        ["C2Cbob", "GROUPg1"]
    );
    let data = ConversationData {
        conversation: "C2Cbob",
        data_digest: 9,
        custom_data: b"{\"tag\":1}",
        draft: "half a thought",
        draft_time_ms: 5,
        last_seq: 3,
        last_nick: "Bob",
        last_avatar: "https://a/b.png",
        last_name_card: "",
    };
    h.client.handle_input(
        h.now,
        &records_frame(
            id,
            &[
                UserRecord::ConversationData(data),
                UserRecord::Page {
                    next_offset: 1,
                    more: false,
                },
            ],
        ),
    );
    let seen = h.call_answer(request);
    assert!(seen[0].contains("half a thought"), "{seen:?}");
    assert_eq!(seen.last().unwrap(), "completed");
}

#[test]
fn a_message_that_brings_a_conversation_back_brings_its_settings_with_a_round() {
    let mut h = Harness::logged_in();
    h.know("C2Cbob", 1);
    h.feed(&frame(
        kind::PUSH_CONVERSATION_DELETED,
        &body::ConversationRef {
            conversation: "C2Cbob",
        },
    ));
    assert!(h.client.conversation("C2Cbob").is_none());
    h.feed(&push(1, &text_message("C2Cbob", 2, "bob", "back")));
    let (sync, payload) = h.sent_request(kind::SYNC_WINDOW);
    let window: body::SyncWindow<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(window.base, Some(10), "from the cursor");
    h.feed(&sync_page(
        sync,
        12,
        &[body::ConversationSummary {
            pinned: true,
            marks: MARK_STAR,
            data_digest: 5,
            ..summary("C2Cbob", 2, 1)
        }],
    ));
    let bob = h.client.conversation("C2Cbob").unwrap();
    assert_eq!(
        (bob.is_pinned(), bob.marks(), bob.data_digest()),
        (true, MARK_STAR, 5)
    );
}
