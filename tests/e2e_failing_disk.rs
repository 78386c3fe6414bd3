//! End to end: a disk whose `fdatasync` fails. Once the WAL could not be
//! synced nothing more may be acknowledged, since the kernel may have
//! dropped what it could not write: the server stops with exit status 74,
//! and started again on its file it recovers what the disk kept, while
//! clients resend what was never acknowledged.

mod common;

use common::failing_disk::FailingDisk;
use common::*;
use tinyim_core::wire::{body, kind, records};

/// The server's exit status when syncing the WAL failed (`EX_IOERR`).
const WAL_SYNC_FAILED: i32 = 74;

fn text(text: &str, client_msg_id: u64) -> body::SendMessage<'_> {
    body::SendMessage {
        conversation: "C2Cbob",
        client_msg_id,
        online_only: false,
        priority: Default::default(),
        elem: body::Elem::Text { text },
        extra: body::MessageExtra::default(),
    }
}

/// A server started with `flags` on a data file on a [`FailingDisk`] (in
/// the disk's directory), or `None` on PostgreSQL, which has no such file.
fn on_a_failing_disk(flags: &[&str]) -> Option<(FailingDisk, ServerProcess)> {
    if common::postgres::skipped_for_sqlite_file("fails the SQLite WAL's fdatasync") {
        return None;
    }
    let disk = FailingDisk::new();
    let data = disk.dir().join("tinyim.db");
    let server = ServerProcess::start_with_env(&data, "127.0.0.1:0", flags, &disk.env());
    Some((disk, server))
}

/// The texts in bob's conversation with alice, in seq order.
async fn bobs_history(addr: &str) -> Vec<String> {
    let (bob, _events) = client(addr, "bob").await;
    let mut history = bob.message_list("C2Calice", 0, 50).await.unwrap();
    history.sort_by_key(|m| m.seq);
    history
        .iter()
        .filter_map(|m| m.payload.text().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_sync_acknowledges_and_delivers_nothing_and_stops_the_server() {
    let Some((disk, server)) = on_a_failing_disk(&[]) else {
        return;
    };
    let (addr, data) = (server.addr.clone(), server.data.clone());
    let mut bob = RawConn::logged_in(&addr, "bob");
    let mut alice = RawConn::logged_in(&addr, "alice");
    let first = alice
        .request(kind::SEND_MESSAGE, 2, &text("synced", 1))
        .unwrap();
    let first: body::SendOk<'_> = records::decode_exact(&first).unwrap();
    assert_eq!(first.seq, 1, "acknowledged while the disk works");
    assert_eq!(bob.recv().map(|(k, _)| k), Some(kind::PUSH_MESSAGE));

    disk.fail();
    alice.send(kind::SEND_MESSAGE, &(3u32, text("never synced", 2)));
    let alice_got = alice.kinds_until_closed();
    assert!(
        !alice_got.contains(&kind::RESPONSE_OK) && !alice_got.contains(&kind::RESPONSE_ERR),
        "closed without an answer: {alice_got:?}"
    );
    let bob_got = bob.kinds_until_closed();
    assert!(
        !bob_got.contains(&kind::PUSH_MESSAGE),
        "nothing unsynced delivered: {bob_got:?}"
    );
    assert_eq!(server.exited().code(), Some(WAL_SYNC_FAILED));

    // Started again on a working disk: the resend is stored once, after the
    // message acknowledged before the failure.
    let _server = ServerProcess::start(&data, &addr);
    let mut alice = RawConn::logged_in(&addr, "alice");
    let resent = alice
        .request(kind::SEND_MESSAGE, 2, &text("never synced", 2))
        .unwrap();
    let resent: body::SendOk<'_> = records::decode_exact(&resent).unwrap();
    assert_eq!(resent.seq, 2);
    assert_eq!(bobs_history(&addr).await, ["synced", "never synced"]);
}

/// `--durability os` acknowledges before the sync; a failed interval sync
/// stops the server all the same, and what the operating system held is
/// there after the restart (a power cut could have taken it: the interval's
/// writes are what `os` puts at risk).
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_interval_sync_stops_the_server_and_a_restart_keeps_what_was_acknowledged() {
    let flags = ["--durability", "os", "--durability-interval-ms", "20"];
    let Some((disk, server)) = on_a_failing_disk(&flags) else {
        return;
    };
    let (addr, data) = (server.addr.clone(), server.data.clone());
    let mut alice = RawConn::logged_in(&addr, "alice");
    disk.fail();
    let acked = alice
        .request(kind::SEND_MESSAGE, 2, &text("acknowledged", 1))
        .unwrap();
    let acked: body::SendOk<'_> = records::decode_exact(&acked).unwrap();
    assert_eq!(acked.seq, 1, "acknowledged before any sync");
    assert_eq!(server.exited().code(), Some(WAL_SYNC_FAILED));

    let _server = ServerProcess::start(&data, &addr);
    assert_eq!(bobs_history(&addr).await, ["acknowledged"]);
}
