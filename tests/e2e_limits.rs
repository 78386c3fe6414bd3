//! End to end: the limits that keep one user, one address or a crowd from
//! exhausting the server. A user's sessions share one request rate;
//! connections are capped in total and, before login, per address; a
//! connection that has not logged in is answered by the front end; and the
//! operating system's open-files limit does not cap the server below its
//! own.

mod common;

use common::*;
use tinyim_core::wire::{body, code, kind};

/// Sends `total` messages to bob at once over `raw` (ids from `first`)
/// and counts the refusals (2996) among the answers.
fn flood_sends(raw: &mut RawConn, first: u32, total: u32) -> u32 {
    for id in first..first + total {
        let send = body::SendMessage {
            conversation: "C2Cbob",
            client_msg_id: u64::from(id),
            online_only: true,
            priority: Default::default(),
            elem: body::Elem::Text { text: "x" },
            extra: body::MessageExtra::default(),
        };
        raw.send(kind::SEND_MESSAGE, &(id, send));
    }
    count_rate_refusals(raw, total)
}

fn device(addr: &str, device: body::DeviceClass) -> RawConn {
    let mut raw = RawConn::connect(addr);
    raw.send(
        kind::HELLO,
        &body::Hello {
            version: tinyim_core::wire::PROTOCOL_VERSION,
            max_frame: 16 * 1024,
            device,
        },
    );
    assert_eq!(raw.recv().unwrap().0, kind::HELLO_ACK);
    raw.login("alice");
    raw
}

#[test]
fn a_users_sessions_share_one_request_rate() {
    let dir = tempfile::tempdir().unwrap();
    // 50 requests a second, bursts of 100: per connection and per user.
    let server =
        ServerProcess::start_with(&dir.path().join("t.db"), "127.0.0.1:0", &["--rate", "50"]);
    let classes = [
        body::DeviceClass::Web,
        body::DeviceClass::Mobile,
        body::DeviceClass::Desktop,
        body::DeviceClass::Embedded,
    ];
    let mut sessions: Vec<RawConn> = classes.iter().map(|&c| device(&server.addr, c)).collect();
    // Each session alone stays within its connection's burst (80 < 100),
    // but together they ask for 320 against the user's 100.
    let limited: u32 = sessions
        .iter_mut()
        .map(|raw| flood_sends(raw, 10, 80))
        .sum();
    assert!(limited >= 150, "only {limited} of 320 refused");
    // Another user is not held back by alice's flood.
    let mut bob = RawConn::connect(&server.addr);
    bob.hello();
    bob.login("bob");
    assert_eq!(flood_sends(&mut bob, 10, 50), 0);
}

#[test]
fn connections_are_capped_in_total_and_before_login_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        &dir.path().join("t.db"),
        "127.0.0.1:0",
        &["--max-connections", "4", "--max-pending-logins", "2"],
    );
    // Two from 127.0.0.1 waiting to log in: the third is closed at once.
    let mut first = RawConn::connect(&server.addr);
    first.hello();
    let mut second = RawConn::connect(&server.addr);
    second.hello();
    let mut third = RawConn::connect(&server.addr);
    assert!(third.closed_by_server(), "a third before any logs in");
    // One logs in: its place is free again.
    first.login("alice");
    let mut fourth = RawConn::connect(&server.addr);
    fourth.hello();
    fourth.login("bob");
    let mut fifth = RawConn::connect(&server.addr);
    fifth.hello();
    // Four open: the server takes no more.
    let mut sixth = RawConn::connect(&server.addr);
    assert!(sixth.closed_by_server(), "past --max-connections");
    // Those open are served.
    assert!(first
        .request(kind::SYNC, 5, &body::Sync { cursor: 0 })
        .is_ok());
}

#[test]
fn a_low_soft_open_files_limit_does_not_cap_the_connections() {
    // Started with a soft limit of 64 open files (the hard limit as it
    // is), as a shell or service manager may start it: the server raises
    // its own soft limit, so 300 clients are all served.
    let dir = tempfile::tempdir().unwrap();
    let mut server = Killed(
        std::process::Command::new("sh")
            .args(["-c", "ulimit -Sn 64 && exec \"$0\" \"$@\""])
            .arg(server_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path().join("t.db"))
            .args(["--app-id", &APP_ID.to_string(), "--key", KEY])
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.0.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let clients: Vec<RawConn> = (0..300)
        .map(|i| {
            let mut raw = RawConn::connect(&addr);
            raw.hello();
            raw.login(&format!("user{i}"));
            raw
        })
        .collect();
    assert_eq!(clients.len(), 300);
}

/// A server process, killed and reaped when the test ends, failed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_connection_not_logged_in_is_refused_before_and_after_its_session() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    let sync = body::Sync { cursor: 0 };
    assert_eq!(raw.request(kind::SYNC, 2, &sync), Err(code::NOT_LOGGED_IN));
    raw.login("alice");
    assert!(raw.request(kind::SYNC, 3, &sync).is_ok());
    assert!(raw.request(kind::LOGOUT, 4, &()).is_ok());
    assert_eq!(raw.request(kind::SYNC, 5, &sync), Err(code::NOT_LOGGED_IN));
    raw.login("alice");
    assert!(raw.request(kind::SYNC, 6, &sync).is_ok());
}
