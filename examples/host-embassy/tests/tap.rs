//! The embassy-net TCP/IP stack on a TAP device, in a private network
//! namespace made with `unshare --net` (link-local 169.254.77.x addresses
//! inside it only), talking to the real server binary: log in, receive a
//! message sent by a tokio client, send one back, and survive a SIGKILL and
//! restart of the server with nothing lost or duplicated; the device is
//! given a closed port before the server's and moves on to the server.
//!
//! Needs root (CI runs as root) and the server binary that `cargo test
//! --workspace` builds beside this test.

mod common;

use std::process::Command;

use embassy_futures::join::join;
use embassy_futures::select::{select3, Either3};
use embassy_net::tcp::TcpSocket;
use embassy_net::{Ipv4Address, Ipv4Cidr, StackResources};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use tinyim_core::DeviceResources;
use tinyim_embassy::{OwnedEvent, Runner, Shared, TcpConnector};
use tinyim_tokio::{Options, Tim, TimEvent};

use common::{sig, ServerProcess};

const INSIDE: &str = "TINYIM_TAP_NETNS";
const TEST: &str = "embassy_net_over_tap_survives_a_server_restart";
const SERVER_IP: &str = "169.254.77.1";
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

#[test]
#[ignore = "needs root for `unshare --net`; scripts/test runs it when root"]
fn embassy_net_over_tap_survives_a_server_restart() {
    if std::env::var_os(INSIDE).is_some() {
        return inside();
    }
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        "ip link set lo up && ip tuntap add name tap0 mode tap && ip addr add {SERVER_IP}/24 dev tap0 \
         && ip link set tap0 up && exec '{}' --exact {TEST} --include-ignored --nocapture --test-threads 1",
        exe.display()
    );
    let status = Command::new("unshare")
        .args(["--net", "sh", "-c", &script])
        .env(INSIDE, "1")
        .status()
        .expect("unshare runs (util-linux)");
    assert!(status.success(), "the test inside the namespace failed");
}

fn inside() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("tap.db");
        let (server, addr) = ServerProcess::start(&format!("{SERVER_IP}:0"), &data, &[]);
        let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();

        let mut net_resources = StackResources::<3>::new();
        let cidr = Ipv4Cidr::new(Ipv4Address::new(169, 254, 77, 2), 24);
        let (stack, mut net) =
            host_embassy::tap_stack("tap0", cidr, &mut net_resources, 7).unwrap();
        let (mut srx, mut stx) = ([0u8; 4096], [0u8; 4096]);
        let socket = TcpSocket::new(stack, &mut srx, &mut stx);
        // A closed port first: the device moves on to the server, as a
        // device given a cluster's nodes passes over one that is down.
        let closed = std::net::TcpListener::bind(format!("{SERVER_IP}:0"))
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let server_ip = Ipv4Address::new(169, 254, 77, 1);
        let connector = TcpConnector::with_servers(
            socket,
            &[(server_ip, closed).into(), (server_ip, port).into()],
        )
        .unwrap();

        let mut resources = Box::new(DeviceResources::new());
        let client = host_embassy::device_client(&mut resources, 3);
        let shared = Shared::<NoopRawMutex, 8>::new();
        let mut state = [0u8; 4096];
        let mut runner = Runner::new(client, connector, &shared, (), &mut state);
        let device = shared.handle();

        let scenario = async {
            device.login("device-1", &sig("device-1")).await.unwrap();
            eprintln!("device logged in");
            let (alice, mut alice_events) = Tim::connect(addr.clone(), Options::default());
            alice.login("alice", &sig("alice")).await.unwrap();
            alice.send_text("device-1", "ping").await.unwrap();
            let mut received = Vec::new();
            while received.is_empty() {
                if let OwnedEvent::MessageReceived(m) = device.next_event().await {
                    received.push((m.seq, m.text.to_string()));
                }
            }
            eprintln!("device received ping");
            assert_eq!(device.send_text("alice", "pong").await.unwrap().seq, 2);
            loop {
                if let TimEvent::MessageReceived(m) = alice_events.recv().await.unwrap() {
                    assert_eq!(m.payload.text(), Some("pong"));
                    break;
                }
            }

            eprintln!("alice received pong; restarting the server");
            // SIGKILL the server and start it again on the same file.
            drop(server);
            let (_server, _) = ServerProcess::start(&addr, &data, &[]);
            // Sent while the device is still reconnecting; all arrive once.
            // Events are read in their own task, as an application does:
            // the runner waits for room in the event queue.
            let calls = async {
                for i in 0..5 {
                    alice
                        .send_text("device-1", &format!("after {i}"))
                        .await
                        .unwrap();
                }
                eprintln!("alice sent five");
                device
                    .send_text("alice", "from the device after the restart")
                    .await
                    .unwrap()
            };
            let events = async {
                while received.len() < 6 {
                    if let OwnedEvent::MessageReceived(m) = device.next_event().await {
                        received.push((m.seq, m.text.to_string()));
                    }
                }
            };
            let (during, ()) = join(calls, events).await;
            assert_eq!(during.seq, 8);
            let expected: Vec<(u64, String)> = std::iter::once((1, "ping".to_owned()))
                .chain((0..5).map(|i| (i + 3, format!("after {i}"))))
                .collect();
            assert_eq!(received, expected);
            let history = alice.message_list("C2Cdevice-1", 0, 20).await.unwrap();
            assert_eq!(history.len(), 8, "one stored copy of each message");
        };
        let outcome =
            tokio::time::timeout(PATIENCE, select3(net.run(), runner.run(), scenario)).await;
        match outcome {
            Ok(Either3::Third(())) => {}
            Ok(_) => panic!("a runner stopped"),
            Err(_) => panic!("timed out"),
        }
    });
}
