//! Helpers for end-to-end tests: the real server binary on 127.0.0.1 with a
//! real SQLite file (or a real PostgreSQL database, with
//! `TINYIM_TEST_STORE=postgres`), and clients over real TCP.

#![allow(dead_code)] // each test file uses a different part

pub mod failing_disk;
pub mod nats;
pub mod postgres;
pub mod s3;
pub mod stalled;

/// The server binary: `cargo test --workspace` builds it beside the test
/// binaries (a test of another package is not given its path by cargo).
pub fn server_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let bin = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target/<profile>/deps")
        .join(format!("tinyim-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run the suites with `cargo test --workspace` (scripts/test)",
        bin.display()
    );
    bin
}

/// A port free on 127.0.0.1 now, for a service that takes no port 0.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tinyim_server::net::tls::DevCertificates;
use tinyim_tokio::{
    ConversationInfo, EventStream, GroupOptions, GroupType, Options, Tim, TimEvent,
};

pub const APP_ID: u64 = 1_400_000_123;
pub const KEY: &str = "e2e-secret-key";

/// Upper bound on waiting for an event before the test fails (not a sleep:
/// the wait ends as soon as the event arrives).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn sig(user: &str) -> String {
    tinyim_server::usersig::mint(APP_ID, KEY, user, 3600, unix_now())
}

/// A running `tinyim-server serve`.
pub struct ServerProcess {
    child: Child,
    pub addr: String,
    /// Where TLS listens, when started with an address of its own for it.
    pub tls_addr: Option<String>,
    /// Where the REST API is served, when asked.
    pub http_addr: Option<String>,
    /// Where `/metrics`, `/healthz` and `/readyz` are served, when asked.
    pub metrics_addr: Option<String>,
    pub data: PathBuf,
}

impl ServerProcess {
    /// Starts the server on `listen` (use port 0 for any) with `data`.
    pub fn start(data: &Path, listen: &str) -> ServerProcess {
        Self::start_with(data, listen, &["--rate", "5000"])
    }

    /// Starts the server with extra `serve` flags (a heartbeat of 2 s unless
    /// they set one).
    pub fn start_with(data: &Path, listen: &str, extra: &[&str]) -> ServerProcess {
        Self::start_with_env(data, listen, extra, &[])
    }

    /// [`ServerProcess::start_with`] with environment variables of its own
    /// (an object store's credentials).
    pub fn start_with_env(
        data: &Path,
        listen: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> ServerProcess {
        let heartbeat: &[&str] = if extra.contains(&"--heartbeat-ms") {
            &[]
        } else {
            &["--heartbeat-ms", "2000"]
        };
        // On PostgreSQL the data file's path names the database, unless
        // the test names one (a cluster's nodes share theirs).
        let store = (postgres::selected() && !extra.contains(&"--store")).then(|| {
            [
                "--store".to_owned(),
                postgres::instance().database_for(data),
            ]
        });
        let mut child = Command::new(server_binary())
            .args(["serve", "--listen", listen])
            .args(heartbeat)
            .args(extra)
            .arg("--data")
            .arg(data)
            .args(store.iter().flatten())
            .args(["--app-id", &APP_ID.to_string(), "--key", KEY])
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tinyim-server");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut listening = |prefix: &str| {
            let mut line = String::new();
            stdout
                .read_line(&mut line)
                .expect("server prints its address");
            line.trim()
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("unexpected line: {line:?}"))
                .to_owned()
        };
        let addr = listening("listening on ");
        let tls_addr = extra
            .contains(&"--tls-listen")
            .then(|| listening("listening for TLS on "));
        let http_addr = extra
            .contains(&"--http-listen")
            .then(|| listening("listening for HTTP on "));
        let metrics_addr = extra
            .contains(&"--metrics-listen")
            .then(|| listening("listening for metrics on "));
        ServerProcess {
            child,
            addr,
            tls_addr,
            http_addr,
            metrics_addr,
            data: data.to_owned(),
        }
    }

    /// SIGKILL, then the server again on the same file (on any port).
    pub fn restart(self) -> ServerProcess {
        let data = self.data.clone();
        self.kill();
        ServerProcess::start(&data, "127.0.0.1:0")
    }

    /// The server's resident memory now, from the kernel's account.
    pub fn rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc status");
        kib * 1024
    }

    /// SIGTERM, then the exit status once the server has stopped.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        // The shell's own kill: no procps needed.
        let sent = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status()
            .expect("run sh");
        assert!(sent.success(), "SIGTERM sent");
        self.child.wait().expect("the server exits")
    }

    /// The exit status once the server ends by itself (within [`PATIENCE`]).
    pub fn exited(mut self) -> std::process::ExitStatus {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < PATIENCE, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.addr.clone()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP GET of `path` from `addr`: the status code and the body.
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    http_request(addr, &format!("GET {path}"), b"")
}

/// An HTTP POST of `body` to `path` on `addr`: the status code and the body.
/// Calls REST service `service` (as `openim/sendmsg`) on the HTTP listener
/// `http` as the administrator; its JSON answer (HTTP 200 asserted).
pub fn admin_call(http: &str, service: &str, body: &serde_json::Value) -> serde_json::Value {
    let path = format!(
        "/v4/{service}?sdkappid={APP_ID}&identifier=administrator&usersig={}&random=1&contenttype=json",
        sig("administrator")
    );
    let (status, answer) = http_post(http, &path, body.to_string().as_bytes());
    assert_eq!(status, 200, "{answer}");
    serde_json::from_str(&answer).expect("a JSON answer")
}

pub fn http_post(addr: &str, path: &str, body: &[u8]) -> (u16, String) {
    http_request(addr, &format!("POST {path}"), body)
}

/// `method_and_path` with `body` to `addr`, the connection closed after:
/// the status code and the body.
fn http_request(addr: &str, method_and_path: &str, body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "{method_and_path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // A peer that refuses a body early may close before it is all written.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("an HTTP status line");
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    (status, body)
}

/// An HTTP response as the tests read it.
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// The value of header `name` (lowercase), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `method` on `url` (`http://host:port/path?query`) with `headers` and
/// `body`, on a connection of its own; the first `sent` bytes of the body
/// only when given (a client cut off mid-body: the connection ends there,
/// and the answer, if the server still gives one, is read).
pub fn http_call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    sent: Option<usize>,
) -> HttpAnswer {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (addr, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(&body[..sent.unwrap_or(body.len())]);
    if sent.is_some() {
        // Cut: the server sees the request's body end early.
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    if response.is_empty() {
        return HttpAnswer {
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
        };
    }
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("an HTTP status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    HttpAnswer {
        status,
        headers,
        body: response[split + 4..].to_vec(),
    }
}

/// A fresh server on a fresh database, with its REST API on an HTTP
/// listener of its own (`ServerProcess::http_addr`).
pub fn fresh_server_with_http() -> (ServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &["--http-listen", "127.0.0.1:0"],
    );
    (server, dir)
}

/// A fresh server on a fresh database.
pub fn fresh_server() -> (ServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("tinyim.db"), "127.0.0.1:0");
    (server, dir)
}

/// A logged-in client whose first sync has completed.
pub async fn client(addr: &str, user: &str) -> (Tim, EventStream) {
    let (tim, mut events) = Tim::connect(addr, Options::default());
    tim.login(user, &sig(user)).await.expect("login");
    wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
    (tim, events)
}

/// A second logged-in session of `user`, as a phone (the first is a desktop),
/// whose first sync has completed.
pub async fn on_phone(addr: &str, user: &str) -> (Tim, EventStream) {
    on_device(addr, user, tinyim_core::wire::body::DeviceClass::Mobile).await
}

/// Another logged-in session of `user`, as a browser (a desktop or a phone
/// would kick one of those), whose first sync has completed: a device
/// that learns everything from its first sync.
pub async fn on_web(addr: &str, user: &str) -> (Tim, EventStream) {
    on_device(addr, user, tinyim_core::wire::body::DeviceClass::Web).await
}

async fn on_device(
    addr: &str,
    user: &str,
    class: tinyim_core::wire::body::DeviceClass,
) -> (Tim, EventStream) {
    let options = Options {
        config: tinyim_core::Config::new(class),
        ..Options::default()
    };
    let (tim, mut events) = Tim::connect(addr, options);
    tim.login(user, &sig(user)).await.expect("login");
    wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
    (tim, events)
}

/// The next message received, skipping other events.
pub async fn next_message(events: &mut EventStream) -> tinyim_tokio::Message {
    match wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await {
        TimEvent::MessageReceived(m) => *m,
        _ => unreachable!("wait_for returns what it waited for"),
    }
}

/// The SHA-256 of `bytes` in lowercase hex, as an upload ticket names it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Waits for the first event that satisfies `want`, failing after [`PATIENCE`].
pub async fn wait_for(
    events: &mut EventStream,
    mut want: impl FnMut(&TimEvent) -> bool,
) -> TimEvent {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let event = events.recv().await.expect("event stream ended");
            if want(&event) {
                return event;
            }
        }
    })
    .await
    .expect("timed out waiting for an event")
}

/// `owner` creates the Public group `group_id` with `member` in it, and
/// `member`'s first message, "hi", has reached `owner`.
pub async fn group_with_a_message(
    owner: &Tim,
    owner_events: &mut EventStream,
    member: (&Tim, &str),
    group_id: &str,
) {
    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some(group_id.into());
    options.members = vec![member.1.into()];
    owner.create_group(options).await.unwrap();
    member.0.send_group_text(group_id, "hi").await.unwrap();
    wait_for(
        owner_events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("hi")),
    )
    .await;
}

/// Waits until `tim`'s conversation list satisfies `done`, checking again
/// after each list change.
pub async fn until_list(
    tim: &Tim,
    events: &mut EventStream,
    done: impl Fn(&[ConversationInfo]) -> bool,
) {
    while !done(&tim.conversation_list().await.unwrap()) {
        wait_for(events, |e| *e == TimEvent::ConversationListUpdated).await;
    }
}

/// The refusals of a request about one conversation (`kind`, with a
/// `ConversationRef` body): before login 2024, a malformed id 2503, a body
/// of another shape 9002. Leaves `raw` logged in as alice.
pub fn conversation_request_refusals(raw: &mut RawConn, kind: u8) {
    use tinyim_core::wire::{body, code};
    let target = body::ConversationRef {
        conversation: "C2Cbob",
    };
    assert_eq!(raw.request(kind, 2, &target), Err(code::NOT_LOGGED_IN));
    raw.login("alice");
    let bad = body::ConversationRef {
        conversation: "not a conversation",
    };
    assert_eq!(raw.request(kind, 3, &bad), Err(code::BAD_CONVERSATION));
    assert_eq!(
        raw.request(kind, 4, &7u8),
        Err(code::BAD_REQUEST),
        "a body that is not a conversation"
    );
}

/// Collects `n` received messages, failing after [`PATIENCE`] without progress.
pub async fn receive(events: &mut EventStream, n: usize) -> Vec<tinyim_tokio::Message> {
    let mut got = Vec::new();
    while got.len() < n {
        if let TimEvent::MessageReceived(m) =
            wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await
        {
            got.push(*m);
        }
    }
    got
}

/// The next `n` messages received in `conversation` (others are passed over).
pub async fn receive_in(
    events: &mut EventStream,
    conversation: &str,
    n: usize,
) -> Vec<tinyim_tokio::Message> {
    let mut got = Vec::new();
    while got.len() < n {
        got.extend(
            receive(events, 1)
                .await
                .into_iter()
                .filter(|m| m.conversation_id == conversation),
        );
    }
    got
}

/// `from` sends `to` a message and `to` receives it: the server serves
/// well-behaved clients (while a test misbehaves elsewhere).
pub async fn still_chatting(addr: &str, from: &str, to: &str, round: u32) {
    let (sender, _s) = client(addr, from).await;
    let (_receiver, mut events) = client(addr, to).await;
    let text = format!("still here {round}");
    sender.send_text(to, &text).await.unwrap();
    let got = receive(&mut events, 1).await;
    assert_eq!(got.last().unwrap().payload.text(), Some(text.as_str()));
}

/// Reads the answers to `total` requests sent on `raw` and counts the
/// refusals among them, each of which must be over the rate limit (2996).
pub fn count_rate_refusals(raw: &mut RawConn, total: u32) -> u32 {
    use tinyim_core::wire::{body, code, kind, records};
    let mut limited = 0;
    for _ in 0..total {
        let (k, b) = raw.recv().expect("every request is answered");
        if k == kind::RESPONSE_ERR {
            let (_, e): (u32, body::ErrorBody<'_>) = records::decode_exact(&b).unwrap();
            assert_eq!(e.code, code::RATE_LIMITED);
            limited += 1;
        }
    }
    limited
}

/// A hand-driven protocol connection, for hostile and low-level tests.
pub struct RawConn {
    pub stream: std::net::TcpStream,
    buf: Vec<u8>,
}

impl RawConn {
    pub fn connect(addr: &str) -> RawConn {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        // A guard against a hang, not a wait: reads return as soon as bytes arrive.
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        RawConn {
            stream,
            buf: Vec::new(),
        }
    }

    /// A fresh connection with `user` logged in.
    pub fn logged_in(addr: &str, user: &str) -> RawConn {
        let mut raw = RawConn::connect(addr);
        raw.hello();
        raw.login(user);
        raw
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.stream.write_all(bytes).unwrap();
    }

    pub fn send<T: serde::Serialize>(&mut self, kind: u8, body: &T) {
        let mut frame = vec![0u8; 32 * 1024];
        let n = tinyim_core::wire::encode_frame(kind, body, &mut frame).unwrap();
        self.send_raw(&frame[..n]);
    }

    /// The next frame (kind, body), skipping heartbeats; `None` once the server closed.
    pub fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        use std::io::Read;
        loop {
            if let Some((frame, size)) =
                tinyim_core::wire::parse_frame(&self.buf, 64 * 1024).unwrap()
            {
                let out = (frame.kind, frame.body.to_vec());
                self.buf.drain(..size);
                if out.0 == tinyim_core::wire::kind::HEARTBEAT {
                    continue;
                }
                return Some(out);
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read failed: {e}"),
            }
        }
    }

    /// The kinds of the frames the server sends until it closes.
    pub fn kinds_until_closed(&mut self) -> Vec<u8> {
        std::iter::from_fn(|| self.recv()).map(|(k, _)| k).collect()
    }

    /// Whether the server closed the connection (after any frames it sent).
    pub fn closed_by_server(&mut self) -> bool {
        while self.recv().is_some() {}
        true
    }

    pub fn hello(&mut self) {
        self.hello_with(16 * 1024);
    }

    /// The handshake, announcing `max_frame` as the largest frame this side takes.
    pub fn hello_with(&mut self, max_frame: u32) {
        use tinyim_core::wire::{body, kind, PROTOCOL_VERSION};
        self.send(
            kind::HELLO,
            &body::Hello {
                version: PROTOCOL_VERSION,
                max_frame,
                device: body::DeviceClass::Web,
            },
        );
        let (k, _) = self.recv().expect("hello answered");
        assert_eq!(k, kind::HELLO_ACK);
    }

    /// Sends a request and returns `Ok(payload)` or `Err(code)`.
    pub fn request<T: serde::Serialize>(
        &mut self,
        kind: u8,
        id: u32,
        payload: &T,
    ) -> Result<Vec<u8>, u32> {
        self.send(kind, &(id, payload));
        self.answer(id)
    }

    pub fn answer(&mut self, id: u32) -> Result<Vec<u8>, u32> {
        use tinyim_core::wire::{body, kind, records};
        loop {
            let (k, body_bytes) = self.recv().expect("answer before close");
            let (got, rest): (u32, &[u8]) = match k {
                kind::RESPONSE_OK | kind::RESPONSE_ERR => records::take(&body_bytes).unwrap(),
                _ => continue, // pushes
            };
            if got != id {
                continue;
            }
            return if k == kind::RESPONSE_OK {
                Ok(rest.to_vec())
            } else {
                let e: body::ErrorBody<'_> = records::decode_exact(rest).unwrap();
                Err(e.code)
            };
        }
    }

    pub fn login(&mut self, user: &str) {
        use tinyim_core::wire::{body, kind};
        let s = sig(user);
        self.request(
            kind::LOGIN,
            1,
            &body::Login {
                user_id: user,
                credential: body::Credential::UserSig(&s),
            },
        )
        .expect("login");
    }
}

/// A fresh server on a database the test may restart it on, with alice
/// signed in on a desktop and a phone, and bob signed in, who has sent
/// alice `from_bob`, received by both of her devices.
#[allow(dead_code)]
pub struct AliceOnTwoDevices {
    pub dir: tempfile::TempDir,
    pub server: ServerProcess,
    pub desktop: (Tim, EventStream),
    pub phone: (Tim, EventStream),
    pub bob: (Tim, EventStream),
}

#[allow(dead_code)]
pub async fn alice_on_two_devices(from_bob: &[&str]) -> AliceOnTwoDevices {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinyim.db");
    let server = ServerProcess::start(&db, "127.0.0.1:0");
    let desktop = client(&server.addr, "alice").await;
    let phone = on_phone(&server.addr, "alice").await;
    let bob = client(&server.addr, "bob").await;
    let (mut desktop, mut phone) = (desktop, phone);
    for text in from_bob {
        bob.0.send_text("alice", text).await.unwrap();
    }
    if !from_bob.is_empty() {
        receive(&mut desktop.1, from_bob.len()).await;
        receive(&mut phone.1, from_bob.len()).await;
    }
    AliceOnTwoDevices {
        dir,
        server,
        desktop,
        phone,
        bob,
    }
}

/// A TLS server on a fresh database, with development certificates for
/// `localhost` and 127.0.0.1 (in the returned directory).
#[allow(dead_code)]
pub fn tls_server() -> (ServerProcess, tempfile::TempDir, DevCertificates) {
    tls_server_with(&[])
}

/// [`tls_server`] with `extra` flags for `serve`.
#[allow(dead_code)]
pub fn tls_server_with(extra: &[&str]) -> (ServerProcess, tempfile::TempDir, DevCertificates) {
    let dir = tempfile::tempdir().unwrap();
    let certs = DevCertificates::generate(&["localhost".into(), "127.0.0.1".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let server = ServerProcess::start_tls(dir.path(), "127.0.0.1:0", extra);
    (server, dir, certs)
}

#[allow(dead_code)]
impl ServerProcess {
    /// Starts the server on `listen` with the database and the certificate
    /// [`tls_server`] made in `dir`, and `extra` flags.
    pub fn start_tls(dir: &Path, listen: &str, extra: &[&str]) -> ServerProcess {
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let mut flags = vec![
            "--rate",
            "5000",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ];
        flags.extend_from_slice(extra);
        Self::start_with(&dir.join("tinyim.db"), listen, &flags)
    }
}
