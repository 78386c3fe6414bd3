//! The script modes of desktop-chat against a real server over TCP, with a
//! real SQLite file.

use std::process::Command;

use tinyim_server::engine::AppAuth;
use tinyim_server::net::{Server, ServerConfig};

const APP_ID: u64 = 1_400_000_777;
const KEY: &str = "cli-test-key";

fn chat(addr: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_desktop-chat"))
        .args([
            "--server",
            addr,
            "--app-id",
            &APP_ID.to_string(),
            "--key",
            KEY,
        ])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn send_then_dump_shows_the_offline_messages() {
    let dir = tempfile::tempdir().unwrap();
    let auth = AppAuth {
        app_id: APP_ID,
        key: KEY.into(),
    };
    let config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        dir.path().join("chat.db"),
        auth,
    );
    let server = Server::bind(config).await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    tokio::spawn(server.run());

    let addr2 = addr.clone();
    let outputs = tokio::task::spawn_blocking(move || {
        let first = chat(&addr2, &["--user", "alice", "--send", "bob", "hello bob"]);
        let second = chat(
            &addr2,
            &["--user", "alice", "--send", "bob", "are you there?"],
        );
        let dump = chat(&addr2, &["--user", "bob", "--dump"]);
        let refused = chat(
            &addr2,
            &[
                "--user",
                "alice",
                "--user-sig",
                "forged",
                "--send",
                "bob",
                "x",
            ],
        );
        (first, second, dump, refused)
    })
    .await
    .unwrap();
    let (first, second, dump, refused) = outputs;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let ack: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(ack["seq"], 2);
    assert_eq!(ack["conversation"], "C2Cbob");

    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(dump.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["conversation"], "C2Calice");
    assert_eq!(lines[0]["unread"], 2);
    assert_eq!(lines[1]["text"], "hello bob");
    assert_eq!(lines[2]["text"], "are you there?");
    assert_eq!(
        (lines[2]["seq"].as_u64(), lines[2]["from"].as_str()),
        (Some(2), Some("alice"))
    );

    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("70003"));
}
