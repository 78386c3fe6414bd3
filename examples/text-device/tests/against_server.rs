//! The text profile (core without `full`) against the real server binary
//! on 127.0.0.1 over TCP: two text devices chat, one counts unread
//! messages, receives a group's notice, tips and messages though it keeps
//! no group list (the group made by an application backend through the
//! REST API) and counts the notice and messages but not the tips, marks
//! read, and has a text longer than its outbox refused.
//!
//! Needs the server binary: `cargo build -p tinyim-server` in the main
//! workspace (scripts/test builds it first), or its path in
//! `TINYIM_SERVER_BIN`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use tinyim_core::wire::elem::elem_kind;
use tinyim_core::CommandError;
use tinyim_text_device::{run, Seen, Step};

const APP_ID: &str = "1400000777";
const KEY: &str = "text-device-test-key";
/// How long the scenario may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(30);

fn server_binary() -> PathBuf {
    let bin = std::env::var_os("TINYIM_SERVER_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/tinyim-server"),
        PathBuf::from,
    );
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p tinyim-server` in the main workspace",
        bin.display()
    );
    bin
}

/// The server process, killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server on ports of its own with a SQLite file in `dir`: it,
/// its clients' address and its HTTP (REST API) address.
fn start_server(dir: &std::path::Path) -> (Server, String, String) {
    let mut child = Command::new(server_binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--http-listen",
            "127.0.0.1:0",
        ])
        .args(["--app-id", APP_ID, "--key", KEY])
        .arg("--data")
        .arg(dir.join("text.db"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut addr = None;
    let mut http = None;
    while http.is_none() {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server stopped");
        if let Some(a) = line.trim().strip_prefix("listening on ") {
            addr = Some(a.to_owned());
        }
        if let Some(a) = line.trim().strip_prefix("listening for HTTP on ") {
            http = Some(a.to_owned());
        }
    }
    (Server(child), addr.unwrap(), http.unwrap())
}

/// A UserSig for `user`, minted by the server binary.
fn sig(user: &str) -> String {
    let out = Command::new(server_binary())
        .args([
            "usersig", "mint", "--app-id", APP_ID, "--key", KEY, "--user", user,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `body` posted to the REST API's `call` as the administrator: the answer.
async fn rest(http: &str, call: &str, body: &str) -> String {
    let path = format!(
        "/v4/{call}?sdkappid={APP_ID}&identifier=administrator&usersig={}&random=7&contenttype=json",
        sig("administrator")
    );
    let mut stream = tokio::net::TcpStream::connect(http).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {http}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.contains(r#""ActionStatus":"OK""#),
        "{call}: {answer}"
    );
    answer
}

/// A text device: its steps in, what it saw out.
struct Device {
    steps: UnboundedSender<Step>,
    seen: UnboundedReceiver<Seen>,
}

impl Device {
    /// Starts one against `addr`, logged in as `user` once ready.
    async fn start(addr: &str, user: &str, seed: u64) -> Device {
        let (steps, steps_rx) = unbounded_channel();
        let (seen_tx, seen) = unbounded_channel();
        tokio::spawn(run(addr.to_owned(), steps_rx, seen_tx, seed));
        let mut device = Device { steps, seen };
        device.step(Step::Login(user.to_owned(), sig(user)));
        device.until(|s| (s == Seen::Ready).then_some(())).await;
        device
    }

    fn step(&self, step: Step) {
        self.steps.send(step).unwrap();
    }

    /// The next thing seen that `pick` keeps.
    async fn until<T>(&mut self, mut pick: impl FnMut(Seen) -> Option<T>) -> T {
        loop {
            let next = self.seen.recv().await.expect("the device is running");
            if let Some(kept) = pick(next) {
                return kept;
            }
        }
    }

    /// The next message: (conversation, from, kind, text, seq).
    async fn message(&mut self) -> (String, String, u32, Option<String>, u64) {
        self.until(|s| match s {
            Seen::Message {
                conversation,
                from,
                kind,
                text,
                seq,
            } => Some((conversation, from, kind, text, seq)),
            _ => None,
        })
        .await
    }

    async fn unread(&mut self, n: u64) {
        self.until(|s| (s == Seen::Unread(n)).then_some(())).await;
    }
}

fn text(
    conversation: &str,
    from: &str,
    text: &str,
    seq: u64,
) -> (String, String, u32, Option<String>, u64) {
    (
        conversation.into(),
        from.into(),
        elem_kind::TEXT,
        Some(text.into()),
        seq,
    )
}

#[tokio::test(flavor = "current_thread")]
async fn the_text_profile_chats_counts_unread_and_takes_a_group_it_keeps_no_list_of() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, http) = start_server(dir.path());
    let scenario = async {
        let mut device = Device::start(&addr, "device-1", 7).await;
        let mut alice = Device::start(&addr, "alice", 8).await;

        alice.step(Step::Send("device-1".into(), "ping".into()));
        assert_eq!(device.message().await, text("C2Calice", "alice", "ping", 1));
        // One send at a time: the profile's two requests for the
        // application are a login's and a send's.
        alice.step(Step::Send("device-1".into(), "ping again".into()));
        assert_eq!(
            device.message().await,
            text("C2Calice", "alice", "ping again", 2)
        );
        device.unread(2).await;

        // A group made by a backend with the device in it: the notice of
        // its joining (an element this build does not read: its kind
        // arrives) counts, the group's tips do not, its messages do.
        let made = rest(
            &http,
            "group_open_http_svc/create_group",
            r#"{"Owner_Account": "alice", "Type": "Work", "Name": "team", "MemberList": [{"Member_Account": "device-1"}]}"#,
        )
        .await;
        let group = made
            .split(r#""GroupId":""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the new group's id")
            .to_owned();
        let (conversation, _, kind, text_of, _) = device.message().await;
        assert_eq!(
            (conversation.as_str(), kind, text_of),
            ("@TIM#SYSTEM", elem_kind::GROUP_SYSTEM_NOTICE, None)
        );
        let body = format!(
            r#"{{"GroupId": "{group}", "From_Account": "alice", "Random": 3, "MsgBody": [{{"MsgType": "TIMTextElem", "MsgContent": {{"Text": "to the team"}}}}]}}"#
        );
        rest(&http, "group_open_http_svc/send_group_msg", &body).await;
        let in_group = device
            .until(|s| match s {
                Seen::Message {
                    conversation, text, ..
                } if text.as_deref() == Some("to the team") => Some(conversation),
                _ => None,
            })
            .await;
        assert_eq!(in_group, format!("GROUP{group}"));
        device.unread(4).await;
        // A member added: its tip (an element this build does not read)
        // reaches the group's conversation and does not count.
        let add =
            format!(r#"{{"GroupId": "{group}", "MemberList": [{{"Member_Account": "carol"}}]}}"#);
        rest(&http, "group_open_http_svc/add_group_member", &add).await;
        let (conversation, _, kind, _, _) = device.message().await;
        assert_eq!(
            (conversation, kind),
            (format!("GROUP{group}"), elem_kind::GROUP_TIP)
        );

        // The two from alice are read; the notice and the group's message
        // stay unread, and the tip never counted.
        device.step(Step::Read("C2Calice".into()));
        device.unread(2).await;

        device.step(Step::Send("alice".into(), "pong".into()));
        let pong = loop {
            // Alice, the group's owner, has the group's notices too.
            let next = alice.message().await;
            if next.0.starts_with("C2C") {
                break next;
            }
        };
        assert_eq!(pong, text("C2Cdevice-1", "device-1", "pong", 3));

        // A text past the 512-byte outbox is refused at once, not sent.
        device.step(Step::Send("alice".into(), "x".repeat(600)));
        let refused = device
            .until(|s| match s {
                Seen::Refused(e) => Some(e),
                _ => None,
            })
            .await;
        assert_eq!(refused, CommandError::TooLarge);
        device.step(Step::Stop);
        alice.step(Step::Stop);
    };
    let ran = tokio::time::timeout(PATIENCE, scenario).await;
    assert!(ran.is_ok(), "the scenario took longer than {PATIENCE:?}");
}
