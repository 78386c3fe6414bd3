//! The embassy adapter over TLS (embedded-tls, the server's certificate
//! checked against a CA) over tokio TCP on 127.0.0.1, against the real
//! server binary serving TLS with a real SQLite file: log in, receive,
//! answer, and after a SIGKILL and restart of the server open a new TLS
//! session and go on with nothing lost or duplicated. A device that trusts
//! another CA does not log in.

mod common;

use common::{sig, ServerProcess, PATIENCE};
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use host_embassy::TokioTcp;
use rand_core::OsRng;
use tinyim_core::time::{Duration, Instant};
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, DeviceResources};
use tinyim_embassy::{OwnedEvent, Runner, Shared, TlsConnector};
use tinyim_server::net::tls::DevCertificates;
use tinyim_tokio::{Options, Tim, TimEvent, Tls};

/// The largest TLS record a server may send, and room for outgoing ones.
const READ_RECORD: usize = 16_640;
const WRITE_RECORD: usize = 4096;

/// A TLS server on a fresh database in `dir`, with development
/// certificates for `localhost`.
fn tls_server(dir: &std::path::Path, listen: &str) -> (ServerProcess, String) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    ServerProcess::start(
        listen,
        &dir.join("tinyim.db"),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    )
}

fn device_client(resources: &mut DeviceResources, request_timeout_secs: u64) -> Client<'_> {
    let mut config = Config::new(DeviceClass::Embedded);
    config.request_timeout = Duration::from_secs(request_timeout_secs);
    Client::new(&config, resources, Instant::ZERO, 5)
}

async fn next_text(device: &tinyim_embassy::Handle<'_, NoopRawMutex, 8>) -> (u64, String) {
    loop {
        if let OwnedEvent::MessageReceived(m) = device.next_event().await {
            return (m.seq, m.text.to_string());
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn device_talks_over_tls_and_reconnects_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let (server, addr) = tls_server(dir.path(), "127.0.0.1:0");

    let (mut read_record, mut write_record) = (vec![0u8; READ_RECORD], vec![0u8; WRITE_RECORD]);
    let connector = TlsConnector::new(
        TokioTcp::new(addr.clone()),
        (&mut read_record, &mut write_record),
        "localhost",
        &certs.ca_der,
        OsRng,
    );
    let mut resources = Box::new(DeviceResources::new());
    let client = device_client(&mut resources, 10);
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 4096];
    let mut runner = Runner::new(client, connector, &shared, (), &mut state);
    let device = shared.handle();

    let scenario = async {
        device.login("device-1", &sig("device-1")).await.unwrap();
        let tls = Tls::with_ca_pem(certs.ca_pem.as_bytes(), "localhost").unwrap();
        let options = Options {
            tls: Some(tls),
            ..Options::default()
        };
        let (alice, mut alice_events) = Tim::connect(addr.clone(), options);
        alice.login("alice", &sig("alice")).await.unwrap();
        alice.send_text("device-1", "ping").await.unwrap();
        assert_eq!(next_text(&device).await, (1, "ping".to_owned()));
        assert_eq!(device.send_text("alice", "pong").await.unwrap().seq, 2);
        loop {
            if let TimEvent::MessageReceived(m) = alice_events.recv().await.unwrap() {
                assert_eq!(m.payload.text(), Some("pong"));
                break;
            }
        }

        // SIGKILL the server and start it again on the same file and address:
        // the device opens a new TLS session with the same record buffers.
        drop(server);
        let (_server, _) = tls_server(dir.path(), &addr);
        alice.send_text("device-1", "after").await.unwrap();
        assert_eq!(next_text(&device).await, (3, "after".to_owned()));
        assert_eq!(device.send_text("alice", "back").await.unwrap().seq, 4);
        let history = alice.message_list("C2Cdevice-1", 0, 20).await.unwrap();
        assert_eq!(history.len(), 4, "one stored copy of each message");
    };
    let outcome = tokio::time::timeout(PATIENCE, select(runner.run(), scenario)).await;
    match outcome {
        Ok(Either::Second(())) => {}
        Ok(Either::First(())) => panic!("the runner stopped"),
        Err(_) => panic!("timed out"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_device_trusting_another_ca_does_not_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let (_server, addr) = tls_server(dir.path(), "127.0.0.1:0");
    let stranger = DevCertificates::generate(&["localhost".into()]).unwrap();

    let (mut read_record, mut write_record) = (vec![0u8; READ_RECORD], vec![0u8; WRITE_RECORD]);
    let connector = TlsConnector::new(
        TokioTcp::new(addr.clone()),
        (&mut read_record, &mut write_record),
        "localhost",
        &stranger.ca_der,
        OsRng,
    );
    let mut resources = Box::new(DeviceResources::new());
    let client = device_client(&mut resources, 2);
    let shared = Shared::<NoopRawMutex, 8>::new();
    let mut state = [0u8; 4096];
    let mut runner = Runner::new(client, connector, &shared, (), &mut state);
    let device = shared.handle();
    let user_sig = sig("device-1");
    let login = device.login("device-1", &user_sig);
    let outcome = tokio::time::timeout(PATIENCE, select(runner.run(), login)).await;
    match outcome {
        Ok(Either::Second(result)) => {
            assert!(result.is_err(), "logged in over an untrusted TLS session")
        }
        Ok(Either::First(())) => panic!("the runner stopped"),
        Err(_) => panic!("timed out"),
    }
}
