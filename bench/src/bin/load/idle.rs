//! Shape 4: many idle logged-in clients as raw connections (the client's
//! own memory is not what is measured), and the server's resident memory
//! per client.

use std::io;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use tinyim_core::wire::{self, body, kind, records};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use crate::process::{Server, Tls, APP_ID, KEY};
use crate::shapes::PATIENCE;

/// Connections opened at once while ramping up.
const RAMP: usize = 256;

/// Tries to open a client this many times: with thousands of connections
/// opening at once the loopback can refuse one now and then; that is not what
/// is measured, and both systems get the same retries.
const ATTEMPTS: u64 = 5;

pub(crate) fn frame<T: serde::Serialize>(k: u8, body: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 16 * 1024];
    let n = wire::encode_frame(k, body, &mut buf).expect("small frame");
    buf.truncate(n);
    buf
}

/// An open client connection, plain or TLS.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Stream for S {}

/// Opens a connection to `addr` (TCP_NODELAY) from the loopback address
/// `from` (any port of it; 127.0.0.1 when `None`), with TLS over it when
/// `tls` is given.
async fn open(
    addr: &str,
    from: Option<Ipv4Addr>,
    tls: Option<&TlsConnector>,
) -> io::Result<Box<dyn Stream>> {
    let tcp = match from {
        None => TcpStream::connect(addr).await?,
        Some(ip) => {
            let to = addr
                .parse()
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
            let socket = TcpSocket::new_v4()?;
            socket.bind((ip, 0).into())?;
            socket.connect(to).await?
        }
    };
    let _ = tcp.set_nodelay(true);
    Ok(match tls {
        None => Box::new(tcp),
        Some(tls) => {
            let name = ServerName::try_from("localhost").expect("a DNS name");
            Box::new(tls.connect(name, tcp).await?)
        }
    })
}

pub(crate) async fn retried<T, F: std::future::Future<Output = io::Result<T>>>(
    mut open: impl FnMut() -> F,
) -> T {
    let mut last = None;
    for attempt in 1..=ATTEMPTS {
        match open().await {
            Ok(stream) => return stream,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
    }
    panic!("a client could not connect: {last:?}");
}

/// A tinyim client that shook hands (over TLS when `tls` is given),
/// taking frames of up to `max_frame` bytes, and logged in, then sits there.
pub(crate) async fn tinyim_client(
    addr: &str,
    from: Option<Ipv4Addr>,
    tls: Option<&TlsConnector>,
    user: &str,
    sig: &str,
    max_frame: u32,
) -> io::Result<Box<dyn Stream>> {
    let mut stream = open(addr, from, tls).await?;
    let hello = body::Hello {
        version: wire::PROTOCOL_VERSION,
        max_frame,
        device: body::DeviceClass::Embedded,
    };
    let login = body::Login {
        user_id: user,
        credential: body::Credential::UserSig(sig),
    };
    let mut out = frame(kind::HELLO, &hello);
    out.extend(frame(kind::LOGIN, &(1u32, login)));
    stream.write_all(&out).await?;
    // Read until the login's answer.
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Ok(Some((f, size))) = wire::parse_frame(&buf, 64 * 1024) {
            let done = f.kind == kind::RESPONSE_OK
                && records::take::<u32>(f.body).is_ok_and(|(id, _)| id == 1);
            assert!(f.kind != kind::RESPONSE_ERR, "login refused");
            buf.drain(..size);
            if done {
                return Ok(stream);
            }
        }
    }
}

fn mqtt_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn mqtt_packet(first: u8, body: Vec<u8>) -> Vec<u8> {
    let mut out = vec![first];
    let mut len = body.len();
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
    out.extend(body);
    out
}

/// An MQTT 3.1.1 client (over TLS when `tls` is given) that connected and
/// subscribed to its own topic (what an IM client does to be reachable),
/// then sits there.
async fn mqtt_client(
    addr: &str,
    from: Option<Ipv4Addr>,
    tls: Option<&TlsConnector>,
    id: &str,
) -> io::Result<Box<dyn Stream>> {
    let mut stream = open(addr, from, tls).await?;
    let mut connect = Vec::new();
    mqtt_string(&mut connect, "MQTT");
    // Level 4; a user name and password, as the rumqttc clients give them;
    // clean session; keep-alive 300 s.
    connect.extend_from_slice(&[4, 0xc2, 0x01, 0x2c]);
    mqtt_string(&mut connect, id);
    mqtt_string(&mut connect, &format!("{id}@localhost"));
    mqtt_string(&mut connect, "load");
    let mut subscribe = vec![0, 1];
    mqtt_string(&mut subscribe, &format!("u/{id}"));
    subscribe.push(1);
    let mut out = mqtt_packet(0x10, connect);
    out.extend(mqtt_packet(0x82, subscribe));
    stream.write_all(&out).await?;
    // CONNACK (4 bytes) then SUBACK (5 bytes).
    let mut answer = [0u8; 9];
    stream.read_exact(&mut answer).await?;
    assert_eq!(
        (answer[0], answer[3], answer[4]),
        (0x20, 0, 0x90),
        "accepted"
    );
    Ok(stream)
}

/// Opens one idle client of the system under test: a tinyim client that
/// logs in as `user` (over TLS when `tls` is given), or an MQTT one, from
/// the loopback address `from`.
async fn idle_client(
    addr: String,
    from: Option<Ipv4Addr>,
    mqtt: bool,
    tls: Option<TlsConnector>,
    user: String,
) -> Box<dyn Stream> {
    if mqtt {
        return retried(|| mqtt_client(&addr, from, tls.as_ref(), &user)).await;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let sig = tinyim_server::usersig::mint(APP_ID, KEY, &user, 86_400, now);
    retried(|| tinyim_client(&addr, from, tls.as_ref(), &user, &sig, 16 * 1024)).await
}

/// Idle clients that logged in, and what they cost the server.
pub struct Crowd {
    /// The open clients; the server holds their state while they live.
    pub streams: Vec<Box<dyn Stream>>,
    /// The server's resident memory per client, in bytes.
    pub rss_per_client: f64,
    /// From the first connection opened to the last login answered.
    pub took: Duration,
}

/// Opens `n` idle clients against `server` (over TLS when `tls` is given),
/// spread over the loopback addresses `sources` (127.0.0.1 alone when
/// empty: one address has about 28 000 ports to one server), and measures
/// the server's resident memory per client.
///
/// The baseline is taken after one client has logged in and is idle: what
/// the first client makes resident once (the code of the login path paged
/// in from the binary and its libraries, first allocations of the
/// allocator and the store) is not a cost per client. Every system is
/// measured that way.
pub async fn crowd(
    server: &Server,
    n: usize,
    mqtt: bool,
    tls: Option<&Tls>,
    sources: &[Ipv4Addr],
) -> Crowd {
    let tls = tls.map(|tls| TlsConnector::from(tls.client_config()));
    let source = |i: usize| (!sources.is_empty()).then(|| sources[i % sources.len()]);
    let first = idle_client(
        server.addr.clone(),
        source(0),
        mqtt,
        tls.clone(),
        "warm".into(),
    )
    .await;
    let before = server.rss_bytes();
    let ramp = std::sync::Arc::new(Semaphore::new(RAMP));
    let mut opening = tokio::task::JoinSet::new();
    let start = Instant::now();
    for i in 0..n {
        let (addr, ramp, tls, from) = (server.addr.clone(), ramp.clone(), tls.clone(), source(i));
        opening.spawn(async move {
            let _permit = ramp.acquire_owned().await.expect("open");
            idle_client(addr, from, mqtt, tls, format!("idle{i}")).await
        });
    }
    let mut streams = tokio::time::timeout(PATIENCE * 5, opening.join_all())
        .await
        .expect("every client connected in time");
    let took = start.elapsed();
    // Every client's login (or subscription) was answered: the server holds
    // all of its per-client state now.
    let after = server.rss_bytes();
    streams.push(first);
    Crowd {
        streams,
        rss_per_client: after.saturating_sub(before) as f64 / n as f64,
        took,
    }
}

/// Shape 4: `n` idle clients from 127.0.0.1, the server's resident memory
/// per client in bytes.
pub async fn rss_per_client(server: &Server, n: usize, mqtt: bool, tls: Option<&Tls>) -> f64 {
    crowd(server, n, mqtt, tls, &[]).await.rss_per_client
}
