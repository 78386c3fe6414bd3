//! The tokio API against a hand-written server that answers wrongly: a
//! paged list call whose page says "more" without moving on fails with
//! `UnexpectedAnswer` instead of asking the same page for ever.

use tinyim_core::wire::body::{HelloAck, LoginOk};
use tinyim_core::wire::group::GroupRecord;
use tinyim_core::wire::{encode_frame, kind, parse_frame, records, PROTOCOL_VERSION};
use tinyim_tokio::{Options, Tim, TimError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One frame out.
async fn send<T: serde::Serialize>(stream: &mut TcpStream, frame_kind: u8, body: &T) {
    let mut out = vec![0u8; 4096];
    let n = encode_frame(frame_kind, body, &mut out).unwrap();
    stream.write_all(&out[..n]).await.unwrap();
}

/// Serves one client: the handshake, its login, and every group
/// application list request answered with a page that says there is more
/// from where it began; other requests go unanswered. Returns how many
/// application pages were asked for.
async fn serve_stuck_pages(listener: TcpListener) -> usize {
    let (mut stream, _) = listener.accept().await.unwrap();
    let mut buf = Vec::new();
    let mut asked = 0;
    loop {
        let mut chunk = [0u8; 4096];
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return asked,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        while let Some((frame, size)) = parse_frame(&buf, 64 * 1024).unwrap() {
            let (frame_kind, body) = (frame.kind, frame.body.to_vec());
            buf.drain(..size);
            match frame_kind {
                kind::HELLO => {
                    let ack = HelloAck {
                        version: PROTOCOL_VERSION,
                        max_frame: 16 * 1024,
                        server_time_ms: 1_800_000_000_000,
                        heartbeat_ms: 30_000,
                    };
                    send(&mut stream, kind::HELLO_ACK, &ack).await;
                }
                kind::LOGIN => {
                    let (id, _) = records::take::<u32>(&body).unwrap();
                    let ok = LoginOk {
                        sig_expires_at: 2_000_000_000,
                        resume: &[],
                    };
                    send(&mut stream, kind::RESPONSE_OK, &(id, ok)).await;
                }
                kind::GROUP_APPLICATIONS => {
                    asked += 1;
                    let (id, _) = records::take::<u32>(&body).unwrap();
                    let stuck = GroupRecord::Page {
                        next_offset: 0,
                        more: true,
                    };
                    send(&mut stream, kind::RESPONSE_OK, &(id, stuck)).await;
                }
                _ => {}
            }
        }
    }
}

#[tokio::test]
async fn a_page_that_does_not_move_on_ends_the_list_call_with_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = tokio::spawn(serve_stuck_pages(listener));
    let (tim, _events) = Tim::connect(addr, Options::default());
    tim.login("alice", "sig").await.expect("logged in");
    let listed = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tim.group_application_list(),
    )
    .await
    .expect("the call ends");
    assert_eq!(listed, Err(TimError::UnexpectedAnswer));
    tim.shutdown().await;
    assert_eq!(server.await.unwrap(), 1, "asked once, not again and again");
}
