//! End to end over TLS: the server started with a certificate serves every
//! client over TLS (rustls); clients that trust its CA chat as over plain
//! TCP, also across a server restart; a client that trusts another CA does
//! not log in; plaintext and garbage on the TLS port are closed without an
//! answer, and the server keeps serving; past the limit of handshakes in
//! progress new connections are closed at once; with an address of its
//! own for TLS, a plain and a TLS client talk through one server. Real server on 127.0.0.1, real
//! SQLite file, certificates made for the test.

mod common;

use std::io::{Read, Write};

use common::*;
use tinyim_core::wire::{self, body, kind, PROTOCOL_VERSION};
use tinyim_server::net::tls::DevCertificates;
use tinyim_tokio::{EventStream, Options, Payload, Tim, TimEvent, Tls};

fn tls_options(ca_pem: &str) -> Options {
    Options {
        tls: Some(Tls::with_ca_pem(ca_pem.as_bytes(), "localhost").expect("a CA")),
        ..Options::default()
    }
}

/// A logged-in TLS client whose first sync has completed.
async fn tls_client(addr: &str, ca_pem: &str, user: &str) -> (Tim, EventStream) {
    let (tim, mut events) = Tim::connect(addr, tls_options(ca_pem));
    tim.login(user, &sig(user)).await.expect("login over TLS");
    wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
    (tim, events)
}

async fn received_text(events: &mut EventStream) -> String {
    match wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await {
        TimEvent::MessageReceived(m) => match m.payload {
            Payload::Text(text) => text,
            other => panic!("not a text: {other:?}"),
        },
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn clients_chat_over_tls_across_a_restart() {
    let (server, dir, certs) = tls_server();
    let addr = server.addr.clone();
    let (alice, _alice_events) = tls_client(&addr, &certs.ca_pem, "alice").await;
    let (_bob, mut bob_events) = tls_client(&addr, &certs.ca_pem, "bob").await;
    alice.send_text("bob", "over tls").await.expect("send");
    assert_eq!(received_text(&mut bob_events).await, "over tls");

    // Both reconnect (a new TLS session each) to the restarted server, and
    // the next message arrives once.
    drop(server.kill());
    let _server = ServerProcess::start_tls(dir.path(), &addr, &[]);
    let sent = alice
        .send_text("bob", "after restart")
        .await
        .expect("resend");
    assert_eq!(sent.seq, 2);
    assert_eq!(received_text(&mut bob_events).await, "after restart");
}

#[tokio::test]
async fn a_client_trusting_another_ca_does_not_log_in() {
    let (server, _dir, certs) = tls_server();
    let stranger = DevCertificates::generate(&["localhost".into()]).unwrap();
    let mut options = tls_options(&stranger.ca_pem);
    options.config.request_timeout = tinyim_core::time::Duration::from_secs(2);
    let (tim, _events) = Tim::connect(&server.addr, options);
    assert!(tim.login("mallory", &sig("mallory")).await.is_err());
    // The server is unharmed.
    tls_client(&server.addr, &certs.ca_pem, "alice").await;
}

/// Sends `bytes` to the TLS port and reads until the server closes; what it
/// answered.
fn answer_to(addr: &str, bytes: &[u8]) -> Vec<u8> {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    // A guard against a hang, not a wait: the read returns when the server closes.
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close: {e}"),
    }
    answer
}

#[tokio::test]
async fn plaintext_and_garbage_on_the_tls_port_are_closed_unanswered() {
    let (server, _dir, certs) = tls_server();
    let hello = body::Hello {
        version: PROTOCOL_VERSION,
        max_frame: 16 * 1024,
        device: body::DeviceClass::Desktop,
    };
    let mut frame = vec![0u8; 256];
    let n = wire::encode_frame(kind::HELLO, &hello, &mut frame).unwrap();
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let truncated_client_hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01];
    for bytes in [&frame[..n], &garbage[..], &truncated_client_hello[..]] {
        let answer = answer_to(&server.addr, bytes);
        // At most a TLS alert record, never a tinyim frame.
        assert!(
            answer.is_empty() || answer[0] == 0x15,
            "answered {answer:?}"
        );
    }
    tls_client(&server.addr, &certs.ca_pem, "alice").await;
}

#[tokio::test]
async fn connections_past_the_handshake_limit_are_closed_at_once() {
    // A handshake deadline longer than the test's patience: a connection
    // closed within it was closed by the limit, not by the deadline.
    let (server, _dir, certs) = tls_server_with(&[
        "--max-tls-handshakes",
        "1",
        "--handshake-timeout-ms",
        "600000",
    ]);
    // Holds the only handshake slot: connected, silent. The server accepts
    // connections in the order they came, so it has this one first.
    let silent = std::net::TcpStream::connect(&server.addr).unwrap();
    // The next is closed unanswered (`answer_to` fails the test if the
    // server keeps it open past the test's patience).
    assert!(answer_to(&server.addr, b"").is_empty());
    // Once the silent one leaves, a client gets in.
    drop(silent);
    tls_client(&server.addr, &certs.ca_pem, "alice").await;
}

#[tokio::test]
async fn plain_and_tls_clients_share_one_server_on_two_addresses() {
    let (server, _dir, certs) = tls_server_with(&["--tls-listen", "127.0.0.1:0"]);
    let tls_addr = server.tls_addr.clone().expect("a TLS address");
    let (device, mut device_events) = client(&server.addr, "device").await;
    let (phone, mut phone_events) = tls_client(&tls_addr, &certs.ca_pem, "phone").await;
    device.send_text("phone", "plain to tls").await.unwrap();
    assert_eq!(received_text(&mut phone_events).await, "plain to tls");
    phone.send_text("device", "tls to plain").await.unwrap();
    assert_eq!(received_text(&mut device_events).await, "tls to plain");
    // Each address speaks only its own: a TLS client on the plain one does
    // not get in.
    let mut options = tls_options(&certs.ca_pem);
    options.config.request_timeout = tinyim_core::time::Duration::from_secs(2);
    let (confused, _events) = Tim::connect(&server.addr, options);
    assert!(confused.login("confused", &sig("confused")).await.is_err());
}

#[tokio::test]
async fn the_dev_cert_command_makes_files_a_tls_server_and_client_use() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new(common::server_binary())
        .args(["tls-dev-cert", "--dir"])
        .arg(dir.path())
        .args(["--name", "localhost"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let server = ServerProcess::start_tls(dir.path(), "127.0.0.1:0", &[]);
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    tls_client(&server.addr, &ca, "alice").await;
}

#[test]
fn unusable_certificate_files_stop_the_server_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let certs = DevCertificates::generate(&["localhost".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let cases = [
        ("garbage.pem", "key.pem"),
        ("cert.pem", "garbage.pem"),
        ("missing.pem", "key.pem"),
        // A key that is not the certificate's.
        ("ca.pem", "key.pem"),
    ];
    for (cert, key) in cases {
        let out = std::process::Command::new(common::server_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(dir.path().join(cert))
            .arg("--tls-key")
            .arg(dir.path().join(key))
            .arg("--data")
            .arg(dir.path().join("tinyim.db"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{cert} + {key} served");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot use the TLS certificate"),
            "{cert} + {key}: {stderr}"
        );
    }
}
