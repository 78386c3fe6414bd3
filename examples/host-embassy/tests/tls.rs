//! The embassy adapter over TLS (embedded-tls, the server's certificate
//! checked against a CA) over tokio TCP on 127.0.0.1, against the real
//! server binary serving TLS with a real SQLite file: log in, receive,
//! answer, and after a SIGKILL and restart of the server open a new TLS
//! session and go on with nothing lost or duplicated. A device that trusts
//! another CA does not log in.

mod common;

use common::{next, sig, with_device_over, ServerProcess};
use host_embassy::TokioTcp;
use rand_core::OsRng;
use tinyim_core::time::{Duration, Instant};
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, DeviceResources};
use tinyim_embassy::{OwnedEvent, TlsConnector, TlsRecords};
use tinyim_server::net::tls::DevCertificates;
use tinyim_tokio::{Options, Tim, TimEvent, Tls};

/// A TLS server on the database in `dir`, with the development
/// certificate written there.
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

/// A device client whose requests time out after `request_timeout_secs`.
fn device_client(resources: &mut DeviceResources, request_timeout_secs: u64) -> Client<'_> {
    let mut config = Config::new(DeviceClass::Embedded);
    config.request_timeout = Duration::from_secs(request_timeout_secs);
    Client::new(&config, resources, Instant::ZERO, 5)
}

/// A TLS connector to `addr` that trusts the CA `ca_der`.
fn connector<'a>(
    addr: &str,
    records: &'a mut TlsRecords,
    ca_der: &'a [u8],
) -> TlsConnector<'a, TokioTcp, OsRng> {
    TlsConnector::new(TokioTcp::new(addr), records, "localhost", ca_der, OsRng)
}

/// The text of the next message the device receives, with its seq.
fn text(event: OwnedEvent) -> Option<(u64, String)> {
    match event {
        OwnedEvent::MessageReceived(m) => Some((m.seq, m.text.to_string())),
        _ => None,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn device_talks_over_tls_and_reconnects_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let (server, addr) = tls_server(dir.path(), "127.0.0.1:0");
    let mut records = Box::new(TlsRecords::new());
    let connector = connector(&addr, &mut records, &certs.ca_der);
    let mut resources = Box::new(DeviceResources::new());
    let client = device_client(&mut resources, 10);
    with_device_over(connector, client, async |device, events| {
        device.login("device-1", &sig("device-1")).await.unwrap();
        let tls = Tls::with_ca_pem(certs.ca_pem.as_bytes(), "localhost").unwrap();
        let options = Options {
            tls: Some(tls),
            ..Options::default()
        };
        let (alice, mut alice_events) = Tim::connect(addr.clone(), options);
        alice.login("alice", &sig("alice")).await.unwrap();
        alice.send_text("device-1", "ping").await.unwrap();
        assert_eq!(next(events, text).await, (1, "ping".to_owned()));
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
        assert_eq!(next(events, text).await, (3, "after".to_owned()));
        assert_eq!(device.send_text("alice", "back").await.unwrap().seq, 4);
        let history = alice.message_list("C2Cdevice-1", 0, 20).await.unwrap();
        assert_eq!(history.len(), 4, "one stored copy of each message");
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_device_trusting_another_ca_does_not_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let (_server, addr) = tls_server(dir.path(), "127.0.0.1:0");
    let stranger = DevCertificates::generate(&["localhost".into()]).unwrap();
    let mut records = Box::new(TlsRecords::new());
    let connector = connector(&addr, &mut records, &stranger.ca_der);
    let mut resources = Box::new(DeviceResources::new());
    let client = device_client(&mut resources, 2);
    with_device_over(connector, client, async |device, _| {
        let login = device.login("device-1", &sig("device-1")).await;
        assert!(login.is_err(), "logged in over an untrusted TLS session");
    })
    .await;
}
