//! End to end: a client over WebSocket (`/ws` on the HTTP listener), as a
//! browser connects. Binary messages carry the frames' byte stream, cut
//! anywhere; the connection logs in, sends and receives as a TCP one does,
//! with a TCP client on the other side, also over `wss` with the server's
//! certificate; text and garbage end it cleanly; clients that ask and never
//! read hold no more than their budget.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use tinyim_core::wire::{self, body, kind, records};

use tokio_rustls::rustls;
use tungstenite::{Message, WebSocket};

/// A raw protocol client over a WebSocket (on `S`: TCP, or TLS over it).
struct WsConn<S> {
    socket: WebSocket<S>,
    buf: Vec<u8>,
}

impl WsConn<TcpStream> {
    fn connect(http: &str) -> Self {
        let tcp = TcpStream::connect(http).unwrap();
        tcp.set_read_timeout(Some(PATIENCE)).unwrap();
        Self::upgrade(&format!("ws://{http}/ws"), tcp)
    }
}

impl WsConn<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
    /// Over TLS, trusting `ca_pem`, to a server certified for localhost.
    fn connect_tls(https: &str, ca_pem: &str) -> Self {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = "localhost".try_into().unwrap();
        let tls = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let tcp = TcpStream::connect(https).unwrap();
        tcp.set_read_timeout(Some(PATIENCE)).unwrap();
        Self::upgrade("wss://localhost/ws", rustls::StreamOwned::new(tls, tcp))
    }
}

impl<S: Read + Write> WsConn<S> {
    fn upgrade(url: &str, stream: S) -> Self {
        let (socket, response) = tungstenite::client(url, stream).expect("upgraded");
        assert_eq!(response.status(), 101);
        WsConn {
            socket,
            buf: Vec::new(),
        }
    }

    fn frame<T: serde::Serialize>(kind: u8, body: &T) -> Vec<u8> {
        let mut frame = vec![0u8; 16 * 1024];
        let n = wire::encode_frame(kind, body, &mut frame).unwrap();
        frame.truncate(n);
        frame
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        self.socket
            .send(Message::Binary(bytes.to_vec().into()))
            .unwrap();
    }

    /// The next frame, skipping heartbeats; `None` once the server closed.
    fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if let Some((frame, size)) = wire::parse_frame(&self.buf, 64 * 1024).unwrap() {
                let out = (frame.kind, frame.body.to_vec());
                self.buf.drain(..size);
                if out.0 != kind::HEARTBEAT {
                    return Some(out);
                }
                continue;
            }
            match self.socket.read() {
                Ok(Message::Binary(bytes)) => self.buf.extend_from_slice(&bytes),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    fn answer(&mut self, id: u32) -> Result<Vec<u8>, u32> {
        loop {
            let (k, bytes) = self.recv().expect("an answer before the close");
            if !matches!(k, kind::RESPONSE_OK | kind::RESPONSE_ERR) {
                continue;
            }
            let (got, rest): (u32, &[u8]) = records::take(&bytes).unwrap();
            if got != id {
                continue;
            }
            return if k == kind::RESPONSE_OK {
                Ok(rest.to_vec())
            } else {
                Err(records::decode_exact::<body::ErrorBody<'_>>(rest)
                    .unwrap()
                    .code)
            };
        }
    }

    /// The hello, cut in two messages, then a login as `user`.
    fn hello_and_login(&mut self, user: &str) {
        self.hello_and_login_with(user, 16 * 1024);
    }

    /// The same, announcing frames of up to `max_frame` bytes.
    fn hello_and_login_with(&mut self, user: &str, max_frame: u32) {
        let hello = Self::frame(
            kind::HELLO,
            &body::Hello {
                version: wire::PROTOCOL_VERSION,
                max_frame,
                device: body::DeviceClass::Web,
            },
        );
        let (first, rest) = hello.split_at(3);
        self.send_bytes(first);
        self.send_bytes(rest);
        assert_eq!(self.recv().map(|f| f.0), Some(kind::HELLO_ACK));
        let s = sig(user);
        let login = body::Login {
            user_id: user,
            credential: body::Credential::UserSig(&s),
        };
        self.send_bytes(&Self::frame(kind::LOGIN, &(1u32, login)));
        self.answer(1).expect("logged in over WebSocket");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_websocket_client_chats_with_a_tcp_client() {
    let (server, _dir) = fresh_server_with_http();
    let http = server.http_addr.clone().unwrap();
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let mut web = tokio::task::spawn_blocking(move || {
        let mut web = WsConn::connect(&http);
        web.hello_and_login("webby");
        web
    })
    .await
    .unwrap();

    bob.send_text("webby", "hello browser").await.unwrap();
    let (web, pushed) = tokio::task::spawn_blocking(move || {
        let pushed = loop {
            let (k, bytes) = web.recv().expect("a push");
            if k == kind::PUSH_MESSAGE {
                break bytes;
            }
        };
        (web, pushed)
    })
    .await
    .unwrap();
    let (_, rest): (body::PushMessage, &[u8]) = records::take(&pushed).unwrap();
    let (message, _) = body::Message::take(rest).unwrap();
    assert_eq!(
        message.elem,
        body::Elem::Text {
            text: "hello browser"
        }
    );

    let mut web = web;
    tokio::task::spawn_blocking(move || {
        let send = body::SendMessage {
            conversation: "C2Cbob",
            client_msg_id: 7,
            online_only: false,
            priority: Default::default(),
            elem: body::Elem::Text {
                text: "hi from a page",
            },
            extra: body::MessageExtra::default(),
        };
        web.send_bytes(&WsConn::<TcpStream>::frame(
            kind::SEND_MESSAGE,
            &(2u32, send),
        ));
        web.answer(2).expect("stored");
    })
    .await
    .unwrap();
    let got = next_message(&mut bob_events).await;
    assert_eq!(got.payload.text(), Some("hi from a page"));
}

#[tokio::test(flavor = "multi_thread")]
async fn text_and_garbage_end_a_websocket_cleanly() {
    let (server, _dir) = fresh_server_with_http();
    let http = server.http_addr.clone().unwrap();
    tokio::task::spawn_blocking(move || {
        let mut text = WsConn::connect(&http);
        text.socket.send(Message::Text("hello?".into())).unwrap();
        assert_eq!(text.recv(), None, "a text message ends the connection");

        let mut garbage = WsConn::connect(&http);
        garbage.send_bytes(b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(garbage.recv(), None, "bytes that are no hello end it");

        // The listener serves on: a well-behaved one logs in.
        let mut fine = WsConn::connect(&http);
        fine.hello_and_login("after");
    })
    .await
    .unwrap();
    // And TCP clients are untouched.
    let (tcp, _) = client(&server.addr, "tcp").await;
    tcp.send_text("after", "still here").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_websocket_client_connects_over_tls_with_the_servers_certificate() {
    let (server, _dir, certs) = tls_server_with(&["--http-listen", "127.0.0.1:0"]);
    let https = server.http_addr.clone().unwrap();
    tokio::task::spawn_blocking(move || {
        let mut secure = WsConn::connect_tls(&https, &certs.ca_pem);
        secure.hello_and_login("over-wss");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_readers_that_never_read_hold_no_more_than_their_budget() {
    let (server, _dir) = fresh_server_with_http();
    let http = server.http_addr.clone().unwrap();
    // Each history page fills the 64 KiB frame limit the connections announce.
    let baseline = stalled::large_history(&server).await;

    let readers: Vec<WsConn<TcpStream>> = tokio::task::spawn_blocking(move || {
        (0..stalled::STALLED)
            .map(|_| {
                let mut ws = WsConn::connect(&http);
                ws.hello_and_login_with("alice", wire::MAX_FRAME);
                let page = body::MessageList {
                    conversation: "C2Cbob",
                    before_seq: 0,
                    count: 20,
                };
                // 2000 requests in messages of a hundred, each message
                // followed by a ping the server must answer: the answers
                // and the pongs are what it may not pile up.
                for hundred in 0..20u32 {
                    let mut bytes = Vec::new();
                    for id in 0..100 {
                        let request = (10 + hundred * 100 + id, &page);
                        bytes.extend(WsConn::<TcpStream>::frame(kind::MESSAGE_LIST, &request));
                    }
                    ws.send_bytes(&bytes);
                    ws.socket.send(Message::Ping(vec![7; 125].into())).unwrap();
                }
                ws
            })
            .collect()
    })
    .await
    .unwrap();

    // Others are served meanwhile; the answers the rate limit lets through
    // alone come to over 20 MB a connection.
    stalled::held_to_budget(&server, baseline, readers).await;
}
