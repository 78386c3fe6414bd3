//! The host example (`src/main.rs`), the pattern a firmware author copies:
//! with more messages waiting than its queues hold, it reads them all, echoes
//! what its reply queue takes, and keeps answering after.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{sig, start_server, APP_ID, KEY, PATIENCE};
use tinyim_tokio::{Options, Tim, TimEvent};

#[tokio::test(flavor = "multi_thread")]
async fn the_example_reads_every_message_and_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let (alice, mut alice_events) = Tim::connect(addr.clone(), Options::default());
    alice.login("alice", &sig("alice")).await.unwrap();
    // Waiting for the device before it starts: more than its queues hold.
    const WAITING: usize = 40;
    for i in 0..WAITING {
        alice.send_text("device-9", &format!("m{i}")).await.unwrap();
    }

    let mut device = Device(
        Command::new(env!("CARGO_BIN_EXE_host-embassy"))
            .args(["--user", "device-9", "--server", &addr])
            .args(["--app-id", &APP_ID.to_string(), "--key", KEY])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    let stdout = device.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    // Every message is read and printed; each echo is sent or skipped.
    let (mut printed, mut answered) = (0, 0);
    tokio::time::timeout(PATIENCE, async {
        while printed < WAITING || answered < WAITING {
            let line = lines.recv().await.expect("the example runs");
            if line.starts_with("[C2Calice #") {
                printed += 1;
            } else if line.starts_with("[sent #") || line.starts_with("[echo skipped") {
                answered += 1;
            }
        }
    })
    .await
    .expect("every message read and answered or skipped, none waiting for ever");

    // Its queues drained, it answers the next message.
    alice.send_text("device-9", "still there?").await.unwrap();
    tokio::time::timeout(PATIENCE, async {
        loop {
            if let Some(TimEvent::MessageReceived(m)) = alice_events.recv().await {
                if m.payload.text() == Some("echo: still there?") {
                    return;
                }
            }
        }
    })
    .await
    .expect("the echo of a message sent after the burst");
}

/// The example's process, stopped however the test ends.
struct Device(std::process::Child);

impl Drop for Device {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
