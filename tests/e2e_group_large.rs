//! A full 6000-member group through the real server: one message reaches
//! every online member live and every offline member on sync. The time and
//! database size are printed for the record (run with `--nocapture`); they
//! are not asserted, timing belongs to benchmarks.

mod common;

use std::time::Instant;

use common::*;
use tinyim_core::wire::code;
use tinyim_tokio::{GroupOptions, GroupType, Tim, TimEvent};

const MEMBERS: usize = 6000;
const ONLINE: usize = 100;
const OFFLINE_CHECKED: usize = 20;

fn user(i: usize) -> String {
    format!("big{i:04}")
}

/// The data's size: pages in use as of the last commit (the WAL file's
/// length says nothing, the server preallocates it).
fn db_bytes(data: &std::path::Path) -> u64 {
    let conn =
        rusqlite::Connection::open_with_flags(data, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database read-only");
    let pragma = |name: &str| -> u64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
            .expect("pragma") as u64
    };
    pragma("page_count") * pragma("page_size")
}

/// Logs `user` in and waits for `text` in `GROUPbig`, live or through the sync.
async fn expect_message(addr: String, user: String, text: &'static str) -> String {
    let (tim, mut events) = Tim::connect(&addr, Default::default());
    tim.login(&user, &sig(&user)).await.expect("login");
    wait_for(&mut events, |e| {
        matches!(e, TimEvent::MessageReceived(m)
            if m.conversation_id == "GROUPbig" && m.payload.text() == Some(text))
    })
    .await;
    user
}

#[tokio::test(flavor = "multi_thread")]
async fn a_6000_member_group_delivers_to_everyone() {
    if common::postgres::skipped_for_sqlite_file("reads the SQLite file to count rows") {
        return;
    }
    let (server, _dir) = fresh_server();
    let (owner, _owner_events) = client(&server.addr, &user(0)).await;

    let started = Instant::now();
    let mut options = GroupOptions::new(GroupType::Work, "everyone");
    options.group_id = Some("big".into());
    options.members = (1..500).map(user).collect();
    owner.create_group(options).await.unwrap();
    for start in (500..MEMBERS).step_by(500) {
        let batch: Vec<String> = (start..(start + 500).min(MEMBERS)).map(user).collect();
        let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
        owner.add_group_member("big", &refs).await.unwrap();
    }
    let built = started.elapsed();
    let profile = owner.group_profile("big").await.unwrap();
    assert_eq!(profile.member_count as usize, MEMBERS);
    assert_eq!(
        owner
            .add_group_member("big", &["one-too-many"])
            .await
            .map_err(|e| e.code()),
        Err(code::GROUP_FULL)
    );

    // Online members: each waits for the message in a task of its own. The
    // owner sends once all of them are logged in and synced.
    let mut online = tokio::task::JoinSet::new();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(ONLINE);
    for i in 1..=ONLINE {
        let (addr, ready) = (server.addr.clone(), ready_tx.clone());
        online.spawn(async move {
            let (_tim, mut events) = client(&addr, &user(i)).await;
            ready.send(()).await.unwrap();
            wait_for(&mut events, |e| {
                matches!(e, TimEvent::MessageReceived(m)
                    if m.conversation_id == "GROUPbig" && m.payload.text() == Some("to all"))
            })
            .await;
            user(i)
        });
    }
    for _ in 0..ONLINE {
        ready_rx.recv().await.unwrap();
    }
    let sent_at = Instant::now();
    let sent = owner.send_group_text("big", "to all").await.unwrap();
    let acked = sent_at.elapsed();
    let reached = online.join_all().await;
    let delivered = sent_at.elapsed();
    assert_eq!(reached.len(), ONLINE);

    // Offline members find it on their first sync.
    let mut offline = tokio::task::JoinSet::new();
    for i in (MEMBERS - OFFLINE_CHECKED)..MEMBERS {
        offline.spawn(expect_message(server.addr.clone(), user(i), "to all"));
    }
    assert_eq!(offline.join_all().await.len(), OFFLINE_CHECKED);
    assert!(sent.seq >= 1);

    eprintln!(
        "6000-member group: built in {built:?} (create + 11 invites of 500), \
         send acknowledged in {acked:?}, {ONLINE} online members reached in {delivered:?}, \
         database {} KB",
        db_bytes(&server.data) / 1024
    );
}
