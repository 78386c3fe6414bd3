//! The embassy adapter uploads a small file through the server's upload
//! service: a ticket over its connection, the bytes over a TCP connection
//! of their own (a tokio stream seen through embedded-io-async, as a
//! firmware's embassy-net socket would be), resumed from the offset the
//! server answers; the file then reads back whole from the ticket's URL.

mod common;

use common::{sig, start_server_with_rest, with_device};
use embedded_io_adapters::tokio_1::FromTokio;
use tinyim_core::wire::code;
use tinyim_embassy::upload::{self, MediaKind, Put, UploadError};
use tinyim_embassy::HandleError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A connection to the ticket's endpoint, as the device's would be.
async fn connect(url: &str) -> FromTokio<TcpStream> {
    let (host, port) = upload::endpoint(url).expect("a plain http URL");
    FromTokio::new(TcpStream::connect((host, port)).await.unwrap())
}

/// The bytes at `url` (the test reading as a receiver would).
async fn fetch(url: &str) -> Vec<u8> {
    let (host, port) = upload::endpoint(url).unwrap();
    let path = &url[url.find("/media/").unwrap()..];
    let mut stream = TcpStream::connect((host, port)).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let body = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer[..body])
    );
    answer[body..].to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_uploads_a_log_and_resumes_from_the_servers_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _http) = start_server_with_rest(dir.path()).await;
    with_device(&addr, 41, async |device, _events| {
        device.login("sensor-1", &sig("sensor-1")).await.unwrap();
        let log: Vec<u8> = (0..3_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let sha = upload::sha256_hex(&log);
        let mut ticket = None;
        device
            .upload_ticket(MediaKind::File, log.len() as u64, ("boot.log", &sha), |t| {
                ticket = Some((
                    t.upload_url.to_owned(),
                    t.download_url.to_owned(),
                    t.uuid.len(),
                ));
            })
            .await
            .expect("a ticket");
        let (upload_url, download_url, uuid_len) = ticket.expect("the ticket's record");
        assert_eq!(uuid_len, 32);
        let mut head = [0u8; 512];

        // From the wrong offset: nothing is taken, and the server says where
        // to start.
        let told = upload::put(
            connect(&upload_url).await,
            &upload_url,
            &log,
            100,
            &mut head,
        )
        .await;
        assert_eq!(told, Ok(Put::ResumeFrom(0)));
        let done = upload::put(connect(&upload_url).await, &upload_url, &log, 0, &mut head).await;
        assert_eq!(done, Ok(Put::Complete));
        assert_eq!(fetch(&download_url).await, log);

        // Bytes that do not have the checksum are refused.
        let mut other = None;
        device
            .upload_ticket(
                MediaKind::File,
                4,
                ("x", &upload::sha256_hex(b"abcd")),
                |t| {
                    other = Some(t.upload_url.to_owned());
                },
            )
            .await
            .unwrap();
        let other = other.unwrap();
        let refused = upload::put(connect(&other).await, &other, b"abce", 0, &mut head).await;
        assert_eq!(refused, Err(UploadError::Refused(422)));

        // TIM's limit for the kind, with TIM's code.
        let too_big = device
            .upload_ticket(MediaKind::Image, 29 << 20, ("big.png", &sha), |_| {})
            .await;
        assert_eq!(
            too_big,
            Err(HandleError::Request(tinyim_core::RequestError::Server(
                code::IMAGE_TOO_LARGE
            )))
        );
    })
    .await;
}
