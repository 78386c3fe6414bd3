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
    login_fails_over(&addr, &stranger.ca_der, "over an untrusted TLS session").await;
}

/// A device at device capacities, trusting `ca_der`, tries to log in over
/// TLS to `addr`: the login must fail (by the server's refusal or its
/// deadline) while the runner goes on.
async fn login_fails_over(addr: &str, ca_der: &[u8], why: &str) {
    let mut records = Box::new(TlsRecords::new());
    let connector = connector(addr, &mut records, ca_der);
    let mut resources = Box::new(DeviceResources::new());
    let client = device_client(&mut resources, 2);
    with_device_over(connector, client, async |device, _| {
        let login = device.login("device-1", &sig("device-1")).await;
        assert!(login.is_err(), "logged in {why}");
    })
    .await;
}

/// A fake server on 127.0.0.1 that answers every connection with `reply`
/// and then reads until the device leaves; returns its address and a
/// receiver that hears of each connection it accepts.
async fn fake_server(reply: Vec<u8>) -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (accepted, accepts) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = accepted.send(());
            let reply = reply.clone();
            tokio::spawn(async move {
                let _ = stream.write_all(&reply).await;
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    (addr, accepts)
}

#[tokio::test(flavor = "current_thread")]
async fn silent_and_hostile_tls_servers_get_errors_not_panics_or_hangs() {
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    let garbage: Vec<u8> = (0..=255u8).cycle().take(20_000).collect();
    // Silence after the TCP connection opens, a handshake record that
    // claims more than any record may hold, an alert, a server hello cut
    // short, and bytes that are not TLS at all. Each leaves the handshake
    // failed or unfinished: the login fails by its deadline, the runner
    // goes on.
    let replies = [
        Vec::new(),
        vec![0x16, 0x03, 0x03, 0xff, 0xff, 0x02],
        vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28],
        vec![
            0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c, 0x03, 0x03,
        ],
        garbage,
    ];
    for reply in replies {
        let (addr, _accepts) = fake_server(reply).await;
        login_fails_over(&addr, &certs.ca_der, "through a hostile server").await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_server_silent_after_connecting_is_given_up_and_dialed_again() {
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    let (addr, mut accepts) = fake_server(Vec::new()).await;
    let mut records = Box::new(TlsRecords::new());
    let connector = connector(&addr, &mut records, &certs.ca_der);
    let mut resources = Box::new(DeviceResources::new());
    let mut config = Config::new(DeviceClass::Embedded);
    config.connect_timeout = Duration::from_secs(1);
    config.request_timeout = Duration::from_secs(600);
    let client = Client::new(&config, &mut resources, Instant::ZERO, 5);
    with_device_over(connector, client, async |device, _| {
        let user_sig = sig("device-1");
        let login = device.login("device-1", &user_sig);
        // The first TLS handshake never ends; the core gives it up after a
        // second and dials again, while the login keeps waiting.
        let two_attempts = async {
            accepts.recv().await.unwrap();
            accepts.recv().await.unwrap();
        };
        match embassy_futures::select::select(login, two_attempts).await {
            embassy_futures::select::Either::First(result) => {
                panic!("the login ended before a second attempt: {result:?}")
            }
            embassy_futures::select::Either::Second(()) => {}
        }
    })
    .await;
}
