//! What the embassy adapter's tests share: the real server on 127.0.0.1 with
//! a SQLite file (in this process, or its binary when a test restarts it),
//! UserSigs for it, and a device (runner, handle and an event reader) driven
//! until its scenario ends.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use embassy_futures::select::{select3, Either3};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use host_embassy::TokioTcp;
use tinyim_core::{Client, DeviceResources};
use tinyim_driver::Connector;
use tinyim_embassy::{Handle, OwnedEvent, Runner, Shared};
use tinyim_server::engine::AppAuth;
use tinyim_server::net::{Server, ServerConfig};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

pub const APP_ID: u64 = 1_400_000_555;
pub const KEY: &str = "embassy-test-key";
/// How long a scenario may take before the test fails instead of hanging.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// A UserSig the test server accepts.
pub fn sig(user: &str) -> String {
    host_embassy::dev_user_sig(APP_ID, KEY, user)
}

/// The real server on 127.0.0.1 with a SQLite file in `dir`.
pub async fn start_server(dir: &std::path::Path) -> String {
    start_server_with_rest(dir).await.0
}

/// [`start_server`] with the REST API on a port of its own: the clients'
/// address and the API's.
pub async fn start_server_with_rest(dir: &std::path::Path) -> (String, String) {
    let auth = AppAuth {
        app_id: APP_ID,
        key: KEY.into(),
    };
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.join("e.db"), auth);
    config.http_listen = Some("127.0.0.1:0".parse().unwrap());
    let server = Server::bind(config).await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    let http = server.http_local_addr().unwrap().unwrap().to_string();
    tokio::spawn(server.run());
    (addr, http)
}

/// The handle a scenario drives.
pub type DeviceHandle<'a> = Handle<'a, NoopRawMutex, 8>;

/// Runs a device at device capacities against `addr` while `scenario` uses
/// its handle; every event the device sees is forwarded to the scenario's
/// receiver by a reader of its own, as the handle's docs ask. Fails the test
/// if the runner stops or the scenario takes longer than [`PATIENCE`].
pub async fn with_device(
    addr: &str,
    seed: u64,
    scenario: impl AsyncFnOnce(DeviceHandle<'_>, &mut UnboundedReceiver<OwnedEvent>),
) {
    let mut resources = Box::new(DeviceResources::new());
    let client = host_embassy::device_client(&mut resources, seed);
    with_device_over(TokioTcp::new(addr), client, scenario).await;
}

/// [`with_device`] with a given client, over the connections of `connector`.
pub async fn with_device_over<C: Connector>(
    connector: C,
    client: Client<'_>,
    scenario: impl AsyncFnOnce(DeviceHandle<'_>, &mut UnboundedReceiver<OwnedEvent>),
) {
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 4096];
    let mut runner = Runner::new(client, connector, &shared, (), &mut state);
    let device = shared.handle();
    let (events_tx, mut events) = unbounded_channel();
    let reader = async {
        loop {
            let _ = events_tx.send(device.next_event().await);
        }
    };
    let outcome = tokio::time::timeout(
        PATIENCE,
        select3(runner.run(), reader, scenario(device, &mut events)),
    )
    .await;
    match outcome {
        Ok(Either3::Third(())) => {}
        Ok(_) => panic!("the runner or the reader stopped"),
        Err(_) => panic!("timed out"),
    }
}

/// Waits for the first event `pick` accepts, skipping the others.
pub async fn next<T>(
    events: &mut UnboundedReceiver<OwnedEvent>,
    pick: impl Fn(OwnedEvent) -> Option<T>,
) -> T {
    loop {
        let event = events.recv().await.expect("the reader runs");
        if let Some(found) = pick(event) {
            return found;
        }
    }
}

/// The first `n` events `pick` accepts, in the order they came, skipping
/// the others.
pub async fn next_n<T>(
    events: &mut UnboundedReceiver<OwnedEvent>,
    n: usize,
    pick: impl Fn(OwnedEvent) -> Option<T>,
) -> Vec<T> {
    let mut found = Vec::with_capacity(n);
    while found.len() < n {
        found.push(next(events, &pick).await);
    }
    found
}

/// The server binary `cargo test --workspace` builds beside the tests.
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("tinyim-server");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test --workspace` (scripts/test)",
        bin.display()
    );
    bin
}

/// The server binary, for tests that kill and restart it; killed on drop.
pub struct ServerProcess(Child);

impl ServerProcess {
    /// Starts the server on `listen` with `data` and `extra` `serve` flags;
    /// returns it and the address it listens on.
    pub fn start(listen: &str, data: &std::path::Path, extra: &[&str]) -> (ServerProcess, String) {
        let mut child = Command::new(server_binary())
            .args([
                "serve",
                "--listen",
                listen,
                "--heartbeat-ms",
                "1000",
                "--app-id",
                &APP_ID.to_string(),
                "--key",
                KEY,
            ])
            .args(extra)
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .expect("server address")
            .to_owned();
        (ServerProcess(child), addr)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
