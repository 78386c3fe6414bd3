//! Runs the embassy adapter on a Linux host against a tinyim server: logs in,
//! prints what it receives, and answers every message with an echo.
//!
//! `cargo run -p host-embassy -- --user device-1 [--server 127.0.0.1:7878]`
//!
//! The pattern to copy on a device: one task reads events and never awaits
//! a call; another makes the calls. The answer to a call comes behind the
//! events the server sent before it, so a call awaited in the loop that
//! reads events can wait for ever once the event queue is full. The reader
//! hands the replies over with `try_send` and counts what did not fit: a
//! device keeps bounded work, and the reader never stops.

use clap::Parser;
use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::channel::Channel;
use host_embassy::TokioTcp;
use tinyim_core::model::UserId;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, DeviceResources};
use tinyim_embassy::{OwnedEvent, Runner, Shared};

/// Echoes the reader hands the replier at most; past it, one is skipped.
const REPLIES: usize = 16;

/// The development SDKAppID and key `tinyim-server serve` uses by default.
const DEV_APP_ID: u64 = 1_400_000_000;
const DEV_KEY: &str = "tinyim-development-key-not-for-production";

#[derive(Parser)]
struct Cli {
    /// This device's user id.
    #[arg(long)]
    user: String,
    /// Server address.
    #[arg(long, default_value = "127.0.0.1:7878")]
    server: String,
    /// SDKAppID (development minting).
    #[arg(long, default_value_t = DEV_APP_ID)]
    app_id: u64,
    /// Secret key (development minting).
    #[arg(long, default_value = DEV_KEY)]
    key: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let sig = tinyim_server::usersig::mint(cli.app_id, &cli.key, &cli.user, 86_400, now);

    let mut resources = Box::new(DeviceResources::new());
    let config = Config::new(DeviceClass::Embedded);
    let start = tinyim_embassy::EmbassyClock.now();
    let client = Client::new(&config, &mut resources, start, now);
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 4096];
    let mut runner = Runner::new(client, TokioTcp::new(cli.server), &shared, (), &mut state);
    let tim = shared.handle();
    // Echoes waiting to be sent: (to, text).
    let replies = Channel::<NoopRawMutex, (UserId, String), REPLIES>::new();
    let reader = async {
        if let Err(e) = tim.login(&cli.user, &sig).await {
            eprintln!("login failed: {e}");
            return;
        }
        println!("logged in as {}", cli.user);
        loop {
            match tim.next_event().await {
                OwnedEvent::MessageReceived(m) => {
                    println!("[{} #{}] {}: {}", m.conversation, m.seq, m.from, m.text);
                    let reply = format!("echo: {}", m.text);
                    if replies.try_send((m.from.clone(), reply)).is_err() {
                        println!("[echo skipped: {REPLIES} waiting]");
                    }
                }
                OwnedEvent::KickedOut(reason) => {
                    println!("kicked out: {reason:?}");
                    return;
                }
                other => println!("{other:?}"),
            }
        }
    };
    let replier = async {
        loop {
            let (to, text) = replies.receive().await;
            match tim.send_text(&to, &text).await {
                Ok(sent) => println!("[sent #{}]", sent.seq),
                Err(e) => println!("[failed {}]", e.code()),
            }
        }
    };
    select(runner.run(), select(reader, replier)).await;
}
