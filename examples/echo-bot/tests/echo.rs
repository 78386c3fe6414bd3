//! The echo bot against the real server: every message sent to it comes
//! back, in order.

use std::process::{Command, Stdio};

use tinyim_server::engine::AppAuth;
use tinyim_server::net::{Server, ServerConfig};
use tinyim_tokio::{Options, Tim, TimEvent};

const APP_ID: u64 = 1_400_000_888;
const KEY: &str = "echo-test-key";

fn sig(user: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    tinyim_server::usersig::mint(APP_ID, KEY, user, 3600, now)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_message_comes_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        dir.path().join("echo.db"),
        AppAuth::new(APP_ID, KEY),
    );
    let server = Server::bind(config).await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    tokio::spawn(server.run());
    let mut bot = Command::new(env!("CARGO_BIN_EXE_echo-bot"))
        .env("TINYIM_SERVER", &addr)
        .env("TINYIM_USER_SIG", sig("echo"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();

    let (alice, mut events) = Tim::connect(addr, Options::default());
    alice.login("alice", &sig("alice")).await.unwrap();
    for text in ["one", "two", "three"] {
        alice.send_text("echo", text).await.unwrap();
    }
    let mut echoed = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while echoed.len() < 3 {
            if let Some(TimEvent::MessageReceived(m)) = events.recv().await {
                if m.from == "echo" {
                    echoed.extend(m.payload.text().map(str::to_owned));
                }
            }
        }
    })
    .await
    .expect("the echoes came back in time");
    let _ = bot.kill();
    let _ = bot.wait();
    assert_eq!(echoed, ["one", "two", "three"]);
}
