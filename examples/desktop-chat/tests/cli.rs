//! The script modes of desktop-chat against a real server over TCP, with a
//! real SQLite file.

use std::process::Command;

use tempfile::TempDir;
use tinyim_server::engine::AppAuth;
use tinyim_server::net::{Server, ServerConfig};

const APP_ID: u64 = 1_400_000_777;
const KEY: &str = "cli-test-key";

fn chat(addr: &str, args: &[&str]) -> std::process::Output {
    typed(addr, args, "")
}

/// desktop-chat for `addr`, signing with the tests' app identity.
fn chat_command(addr: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_desktop-chat"));
    command.args([
        "--server",
        addr,
        "--app-id",
        &APP_ID.to_string(),
        "--key",
        KEY,
    ]);
    command
}

/// Runs desktop-chat with `input` typed on its standard input.
fn typed(addr: &str, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = chat_command(addr)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The interactive chat of `user` on `addr`, its terminal piped.
fn interactive(addr: &str, user: &str) -> std::process::Child {
    chat_command(addr)
        .args(["--user", user])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

async fn start_server(dir: &std::path::Path) -> String {
    start_server_with(dir, None).await
}

/// A server on `dir`, serving HTTP (and so uploads) on `http` if given.
async fn start_server_with(dir: &std::path::Path, http: Option<&str>) -> String {
    let auth = AppAuth {
        app_id: APP_ID,
        key: KEY.into(),
    };
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.join("chat.db"), auth);
    config.http_listen = http.map(|addr| addr.parse().unwrap());
    let server = Server::bind(config).await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    tokio::spawn(server.run());
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn send_then_dump_shows_the_offline_messages() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;

    let addr2 = addr.clone();
    let outputs = tokio::task::spawn_blocking(move || {
        let first = chat(&addr2, &["--user", "alice", "--send", "bob", "hello bob"]);
        let second = chat(
            &addr2,
            &["--user", "alice", "--send", "bob", "are you there?"],
        );
        let dump = chat(&addr2, &["--user", "bob", "--dump"]);
        let refused = chat(
            &addr2,
            &[
                "--user",
                "alice",
                "--user-sig",
                "forged",
                "--send",
                "bob",
                "x",
            ],
        );
        (first, second, dump, refused)
    })
    .await
    .unwrap();
    let (first, second, dump, refused) = outputs;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let ack: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(ack["seq"], 2);
    assert_eq!(ack["conversation"], "C2Cbob");

    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(dump.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["conversation"], "C2Calice");
    assert_eq!(lines[0]["unread"], 2);
    assert_eq!(lines[1]["text"], "hello bob");
    assert_eq!(lines[2]["text"], "are you there?");
    assert_eq!(
        (lines[2]["seq"].as_u64(), lines[2]["from"].as_str()),
        (Some(2), Some("alice"))
    );

    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("70003"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dump_shows_how_far_the_peer_read() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let dump = tokio::task::spawn_blocking(move || {
        let sent = chat(&addr, &["--user", "alice", "--send", "bob", "read me"]);
        assert!(sent.status.success());
        // Opening the conversation reads it.
        let bob = typed(&addr, &["--user", "bob"], "/open alice\n");
        assert!(bob.status.success());
        chat(&addr, &["--user", "alice", "--dump"])
    })
    .await
    .unwrap();
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8(dump.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["conversation"], "C2Cbob");
    assert_eq!(first["peer_read_seq"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_takes_a_conversation_off_the_list() {
    let (alice, _bob, _dir) =
        alice_then_bob("/open bob\nhi bob\n/list\n/delete\n/list\n", "").await;
    let listed = alice.find("C2Cbob ").expect("listed after the send");
    let deleted = alice.find("[deleted C2Cbob]").expect("deleted");
    let empty = alice
        .rfind("no conversations yet")
        .expect("the list is empty after");
    assert!(listed < deleted && deleted < empty, "{alice}");
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_takes_a_message_back_for_both() {
    let (alice, bob, _dir) =
        alice_then_bob("/open bob\nsecret\n/revoke 1\n/history\n", "/open alice\n").await;
    assert!(alice.contains("[revoked #1]"), "{alice}");
    let history = alice.rfind("-- C2Cbob").expect("history after the revoke");
    assert!(
        alice[history..].contains("[C2Cbob #1] -> alice: [revoked by alice]"),
        "{alice}"
    );
    assert!(
        bob.contains("[C2Calice #1] <- alice: [revoked by alice]"),
        "{bob}"
    );
    assert!(
        bob.contains("[C2Calice #2] <- alice: * revoked #1"),
        "{bob}"
    );
    assert!(!bob.contains("secret"), "{bob}");
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_empties_the_history_for_one_side() {
    let (alice, bob, _dir) =
        alice_then_bob("/open bob\nhello\n/clear\n/history\n", "/open alice\n").await;
    assert!(alice.contains("[cleared C2Cbob]"), "{alice}");
    assert!(
        alice.contains("-- C2Cbob: last 0 messages --"),
        "alice's history is empty: {alice}"
    );
    assert!(
        bob.contains("[C2Calice #1] <- alice: hello"),
        "bob keeps his: {bob}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pin_lists_a_conversation_first() {
    let (alice, _bob, _dir) = alice_then_bob(
        "/open bob\nto bob\n/open carol\nto carol\n/open bob\n/pin\n/list\n",
        "",
    )
    .await;
    assert!(alice.contains("[pinned C2Cbob]"), "{alice}");
    let list = alice.rfind("^C2Cbob").expect("bob pinned in the list");
    let carol = alice.rfind(" C2Ccarol").expect("carol listed");
    assert!(list < carol, "pinned first although older: {alice}");
}

/// Against a fresh server, alice's interactive session with `input` typed
/// to its end: what it printed.
async fn alice_alone(input: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let input = input.to_owned();
    let out = tokio::task::spawn_blocking(move || typed(&addr, &["--user", "alice"], &input))
        .await
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Against a fresh server, alice's interactive session typed to its end,
/// then bob's; their outputs, and the directory holding the server's data
/// and alice's uploads.
async fn alice_then_bob(alice_input: &str, bob_input: &str) -> (String, String, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let uploads = dir.path().join("uploads").display().to_string();
    let (alice_input, bob_input) = (alice_input.to_owned(), bob_input.to_owned());
    let (alice, bob) = tokio::task::spawn_blocking(move || {
        let alice_args = ["--user", "alice", "--upload-dir", &uploads];
        let alice = typed(&addr, &alice_args, &alice_input);
        let bob = typed(&addr, &["--user", "bob"], &bob_input);
        (alice, bob)
    })
    .await
    .unwrap();
    (
        String::from_utf8(alice.stdout).unwrap(),
        String::from_utf8(bob.stdout).unwrap(),
        dir,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn interactive_group_chat_create_join_and_talk() {
    let (alice, bob, _dir) = alice_then_bob(
        "/create community Team g-cli\nhello group\n",
        "/join g-cli\nhi alice\n/members\n/groups\n",
    )
    .await;
    assert!(alice.contains("[created g-cli]"), "{alice}");
    assert!(alice.contains("[sent #1]"), "{alice}");
    assert!(bob.contains("[in g-cli]"), "{bob}");
    assert!(
        bob.contains("[GROUPg-cli #1] <- alice: hello group"),
        "a Community shows history to late joiners: {bob}"
    );
    assert!(bob.contains("[sent #3]"), "after the join tip, #2: {bob}");
    assert!(bob.contains("alice") && bob.contains("Owner"), "{bob}");
    assert!(bob.contains("Community") && bob.contains("Team"), "{bob}");
}

#[tokio::test(flavor = "multi_thread")]
async fn interactive_nick_whois_and_block() {
    // Bob's session starts after alice's ended: her nick and block are stored.
    let (alice, bob, _dir) = alice_then_bob(
        "/nick Alice A.\n/block bob\n/blocklist\n",
        "/whois alice\n/open alice\nstill there?\n",
    )
    .await;
    assert!(alice.contains("[nick set] alice: Alice A."), "{alice}");
    assert!(alice.contains("[blocklist] bob"), "{alice}");
    assert!(bob.contains("alice: Alice A."), "{bob}");
    assert!(bob.contains("[failed 20007"), "a blocked send fails: {bob}");
}

#[tokio::test(flavor = "multi_thread")]
async fn interactive_image_and_file_go_through_the_upload_directory() {
    let source = tempfile::tempdir().unwrap();
    let photo = source.path().join("photo.png");
    std::fs::write(&photo, [7u8; 300]).unwrap();
    let typed_lines = format!(
        "/open bob\n/image {} 64 48\n/file {}\n",
        photo.display(),
        photo.display()
    );
    let (alice, bob, _dir) = alice_then_bob(&typed_lines, "/open alice\n").await;
    assert!(
        alice.contains("[sent #1]") && alice.contains("[sent #2]"),
        "{alice}"
    );
    assert!(bob.contains("[image 64x48, 300 bytes] file://"), "{bob}");
    assert!(bob.contains("[file photo.png, 300 bytes] file://"), "{bob}");
    let url = bob
        .split_whitespace()
        .find(|w| w.starts_with("file://"))
        .expect("a URL in bob's history");
    let stored = std::fs::read(url.trim_start_matches("file://")).unwrap();
    assert_eq!(stored, [7u8; 300]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_goes_through_the_servers_upload_service_and_its_receiver_gets_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server_with(dir.path(), Some("127.0.0.1:0")).await;
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, [5u8; 300]).unwrap();
    let alice_input = format!("/open bob\n/file {}\n", notes.display());
    let (alice, bob) = tokio::task::spawn_blocking(move || {
        let alice = typed(&addr, &["--user", "alice"], &alice_input);
        let bob = typed(&addr, &["--user", "bob"], "/open alice\n/link 1\n/link 9\n");
        (alice, bob)
    })
    .await
    .unwrap();
    let (alice, bob) = (
        String::from_utf8(alice.stdout).unwrap(),
        String::from_utf8(bob.stdout).unwrap(),
    );
    // (Its progress lines come as events, which may still be queued when
    // typed input ends; e2e_uploads checks them.)
    assert!(alice.contains("[sent #1]"), "{alice}");
    assert!(
        bob.contains("[file notes.txt, 300 bytes] http://127.0.0.1:"),
        "{bob}"
    );
    assert!(
        bob.contains("[#1: http://127.0.0.1:"),
        "a fresh link: {bob}"
    );
    assert!(bob.contains("[no link for #9: 10004"), "{bob}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_without_a_size_gets_it_from_its_header() {
    let source = tempfile::tempdir().unwrap();
    let png = source.path().join("dot.png");
    // A PNG's signature and header chunk: 20 pixels wide, 10 high.
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    bytes.extend_from_slice(&20u32.to_be_bytes());
    bytes.extend_from_slice(&10u32.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::write(&png, &bytes).unwrap();
    let typed_lines = format!("/open bob\n/image {}\n", png.display());
    let (alice, bob, _dir) = alice_then_bob(&typed_lines, "/open alice\n").await;
    assert!(alice.contains("[sent #1]"), "{alice}");
    assert!(bob.contains("[image 20x10, "), "{bob}");
}

#[tokio::test(flavor = "multi_thread")]
async fn send_and_dump_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let certs = tinyim_server::net::tls::DevCertificates::generate(&["localhost".into()]).unwrap();
    certs.write_to(dir.path()).unwrap();
    let auth = AppAuth {
        app_id: APP_ID,
        key: KEY.into(),
    };
    let mut config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        dir.path().join("chat.db"),
        auth,
    );
    config.tls = Some(
        tinyim_server::net::tls::server_config(
            &dir.path().join("cert.pem"),
            &dir.path().join("key.pem"),
        )
        .unwrap(),
    );
    let server = Server::bind(config).await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    tokio::spawn(server.run());
    let ca = dir.path().join("ca.pem");
    let tls = ["--tls-ca", ca.to_str().unwrap(), "--tls-name", "localhost"];

    let sent = chat(
        &addr,
        &[
            &["--user", "alice", "--send", "bob", "sealed"][..],
            &tls[..],
        ]
        .concat(),
    );
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let dump = chat(
        &addr,
        &[&["--user", "bob", "--dump"][..], &tls[..]].concat(),
    );
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert!(String::from_utf8_lossy(&dump.stdout).contains("sealed"));

    // Without TLS, on the TLS port: told so (from the server's first
    // bytes), not a timeout.
    let plain = chat(&addr, &["--user", "bob", "--send", "alice", "plain"]);
    assert!(!plain.status.success());
    let said = String::from_utf8_lossy(&plain.stderr);
    assert!(said.contains("the server speaks TLS"), "{said}");

    // A CA file that is missing or holds no certificate: a clear error, no
    // connection.
    let missing = dir.path().join("missing.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    for ca in [&missing, &garbage] {
        let refused = chat(
            &addr,
            &["--user", "bob", "--dump", "--tls-ca", ca.to_str().unwrap()],
        );
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot use TLS"));
    }
}

#[test]
fn version_is_printed() {
    let out = Command::new(env!("CARGO_BIN_EXE_desktop-chat"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("desktop-chat {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quit_exits_at_once_with_the_terminal_still_open() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let mut child = interactive(&addr, "alice");
    // Typed, and the terminal stays open: no end of input to lean on.
    let mut terminal = child.stdin.take().unwrap();
    terminal.write_all(b"/quit\n").unwrap();
    terminal.flush().unwrap();
    let status = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    })
    .await
    .unwrap();
    drop(terminal);
    let status = status.expect("the chat exited while its terminal was open");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_message_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let addr2 = addr.clone();
    let (empty, dump) = tokio::task::spawn_blocking(move || {
        let empty = chat(&addr2, &["--user", "alice", "--send", "bob", ""]);
        let dump = chat(&addr2, &["--user", "bob", "--dump"]);
        (empty, dump)
    })
    .await
    .unwrap();
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));
    assert!(dump.status.success());
    assert!(
        !String::from_utf8_lossy(&dump.stdout).contains("C2Calice"),
        "nothing was stored"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_that_cannot_be_opened_leaves_the_prompt_as_it_was() {
    let text = alice_alone("/open bob\n/open not|valid\n/group nowhere\n").await;
    assert!(text.contains("cannot open C2Cnot|valid"), "{text}");
    assert!(text.contains("cannot open GROUPnowhere"), "{text}");
    assert!(
        !text.contains("not|valid>"),
        "the prompt did not switch: {text}"
    );
    assert!(
        !text.contains("#nowhere>"),
        "the prompt did not switch: {text}"
    );
    assert!(text.matches("bob> ").count() >= 2, "still in bob's: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_without_a_number_says_what_it_takes() {
    let text = alice_alone("/revoke 1\n/open bob\n/revoke abc\n").await;
    assert!(text.contains("open a conversation first"), "{text}");
    assert!(text.contains("/revoke takes the seq"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_kicked_from_the_open_group_leaves_its_prompt() {
    use std::io::Write;
    use tinyim_tokio::{GroupOptions, GroupType, Options, Tim};
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (alice, _events) = Tim::connect(addr.clone(), Options::default());
    let sig = tinyim_server::usersig::mint(APP_ID, KEY, "alice", 3600, now);
    alice.login("alice", &sig).await.unwrap();
    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some("g-kick".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();

    let (mut bob, mut terminal, mut lines) = live(&addr, "bob");
    terminal.write_all(b"/group g-kick\n").unwrap();
    terminal.flush().unwrap();
    until(&mut lines, "-- GROUPg-kick").await;
    alice
        .delete_group_member("g-kick", &["bob"], "bye")
        .await
        .unwrap();
    until(&mut lines, "[you are no longer in this group]").await;
    terminal.write_all(b"/quit\n").unwrap();
    drop(terminal);
    assert!(bob.wait().unwrap().success());
}

/// The lines `lines` brings until one contains `want`, failing after 30 s.
async fn until(lines: &mut tokio::sync::mpsc::UnboundedReceiver<String>, want: &str) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut seen = String::new();
    loop {
        let line = tokio::time::timeout_at(deadline, lines.recv())
            .await
            .unwrap_or_else(|_| panic!("no {want:?} in {seen}"))
            .expect("the chat runs");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(want) {
            return seen;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn notices_shows_the_system_conversation_and_clears_its_unread_count() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let addr2 = addr.clone();
    let alice = tokio::task::spawn_blocking(move || {
        typed(
            &addr2,
            &["--user", "alice"],
            "/create public Team g-notice\n/invite bob\n",
        )
    })
    .await
    .unwrap();
    assert!(alice.status.success());
    let (mut bob, mut terminal, mut lines) = live(&addr, "bob");
    until(&mut lines, "[synced; 1 unread]").await;
    terminal.write_all(b"/notices\n/list\n").unwrap();
    terminal.flush().unwrap();
    until(&mut lines, "-- @TIM#SYSTEM: last 1 messages --").await;
    until(&mut lines, "@TIM#SYSTEM              unread   0").await;
    terminal.write_all(b"/quit\n").unwrap();
    drop(terminal);
    assert!(bob.wait().unwrap().success());
}

/// An interactive chat as `user`, its terminal, and its output lines.
fn live(
    addr: &str,
    user: &str,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    use std::io::BufRead;
    let mut child = interactive(addr, user);
    let terminal = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    (child, terminal, lines)
}

#[tokio::test(flavor = "multi_thread")]
async fn one_shot_commands_leave_the_users_open_chat_logged_in() {
    use tinyim_tokio::{Options, Tim, TimEvent};
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let sig = |user: &str| tinyim_server::usersig::mint(APP_ID, KEY, user, 3600, unix_now());
    // alice's open chat: a desktop session, as the interactive chat is.
    let (alice, mut alice_events) = Tim::connect(addr.clone(), Options::default());
    alice.login("alice", &sig("alice")).await.unwrap();

    let sent = chat(
        &addr,
        &["--user", "alice", "--send", "bob", "from a script"],
    );
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let dumped = chat(&addr, &["--user", "alice", "--dump"]);
    assert!(dumped.status.success());

    // Still logged in: bob's answer reaches the open chat, after no kick.
    let (bob, _bob_events) = Tim::connect(addr.clone(), Options::default());
    bob.login("bob", &sig("bob")).await.unwrap();
    bob.send_text("alice", "got it").await.unwrap();
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            match alice_events.recv().await.expect("events") {
                TimEvent::KickedOut(reason) => return Err(reason),
                TimEvent::MessageReceived(m) if m.payload.text() == Some("got it") => return Ok(()),
                _ => {}
            }
        }
    })
    .await
    .expect("bob's answer in time");
    assert_eq!(outcome, Ok(()), "the open chat was not kicked");
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An address on 127.0.0.1 where nothing listens (now).
fn unused_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_says_at_once_that_the_server_cannot_be_reached() {
    let addr = unused_address();
    let out = chat(&addr, &["--user", "alice", "--send", "bob", "hello?"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("cannot connect to {addr}")) && said.contains("refused"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_interactive_chat_waits_for_a_server_that_comes_up_later() {
    use std::io::{BufRead, Write};
    let addr = unused_address();
    let mut child = interactive(&addr, "alice");
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut until = async |wanted: &str| {
        tokio::time::timeout(std::time::Duration::from_secs(30), async {
            while let Some(line) = lines.recv().await {
                if line.contains(wanted) {
                    return;
                }
            }
            panic!("the chat ended before saying {wanted:?}");
        })
        .await
        .unwrap_or_else(|_| panic!("the chat never said {wanted:?}"));
    };
    until("[cannot connect to").await;

    // The server comes up where the chat looks for it: the chat logs in.
    let dir = tempfile::tempdir().unwrap();
    let auth = AppAuth {
        app_id: APP_ID,
        key: KEY.into(),
    };
    let config = ServerConfig::new(addr.parse().unwrap(), dir.path().join("chat.db"), auth);
    let server = Server::bind(config).await.unwrap();
    tokio::spawn(server.run());
    until("[ready]").await;

    let mut terminal = child.stdin.take().unwrap();
    terminal.write_all(b"/quit\n").unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    drop(terminal);
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn status_who_and_watch() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let (mut alice, mut terminal, mut lines) = live(&addr, "alice");
    until(&mut lines, "[synced;").await;
    terminal.write_all(b"/watch bob\n/who bob\n").unwrap();
    terminal.flush().unwrap();
    until(&mut lines, "[watching bob]").await;
    until(&mut lines, "bob: offline").await;

    let addr2 = addr.clone();
    let bob = tokio::task::spawn_blocking(move || {
        typed(
            &addr2,
            &["--user", "bob"],
            "/status on battery\n/who alice\n",
        )
    })
    .await
    .unwrap();
    let bob_said = String::from_utf8_lossy(&bob.stdout);
    assert!(bob_said.contains("[status set] on battery"), "{bob_said}");
    assert!(bob_said.contains("alice: online"), "{bob_said}");
    until(&mut lines, "[bob: online]").await;
    until(&mut lines, "[bob: online  on battery]").await;
    until(&mut lines, "[bob: offline  on battery]").await;
    terminal.write_all(b"/unwatch\n/quit\n").unwrap();
    drop(terminal);
    until(&mut lines, "[watching nobody]").await;
    assert!(alice.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn befriend_accept_and_list() {
    let (alice, bob, _dir) = alice_then_bob(
        "/befriend bob it's alice\n/applications\n",
        "/applications\n/accept alice\n/remark alice Ally\n/fgroup pals alice\n\
         /fcustom alice Tag_SNS_Custom_met 2026\n/friends\n/fgroups\n/check alice carol\n\
         /fgroup-rename pals close\n/fgroup-rm close alice\n/fgroups\n/fgroup-del close\n\
         /fgroups\n/pcustom Tag_Profile_Custom_team blue\n/whois bob\n/befriend carol\n\
         /withdraw carol\n/applications\n",
    )
    .await;
    assert!(alice.contains("[asked bob]"), "{alice}");
    assert!(alice.contains("to bob: it's alice"), "{alice}");
    assert!(bob.contains("[1 applications, 1 unread]"), "{bob}");
    assert!(bob.contains("from alice: it's alice"), "{bob}");
    assert!(bob.contains("[alice is a friend]"), "{bob}");
    assert!(
        bob.contains("alice  Ally  pals  Tag_SNS_Custom_met=2026"),
        "{bob}"
    );
    assert!(bob.contains("pals: alice"), "{bob}");
    assert!(bob.contains("alice: BothWay"), "{bob}");
    assert!(bob.contains("carol: NoRelation"), "{bob}");
    assert!(bob.contains("[pals is now close]"), "{bob}");
    assert!(
        bob.contains("close: \n") || bob.contains("close: \r"),
        "{bob}"
    );
    assert!(bob.contains("[no friend groups]"), "{bob}");
    assert!(bob.contains("Tag_Profile_Custom_team=blue"), "{bob}");
    assert!(bob.contains("[asked carol]"), "{bob}");
    assert!(bob.contains("[withdrew the application to carol]"), "{bob}");
    assert!(bob.contains("[0 applications, 0 unread]"), "{bob}");
}

/// The interactive chat of `user` in a terminal of its own (util-linux's
/// `script` gives it one), so typed input goes through a terminal as a
/// person's does; its input, and its output as it comes (prompts have no
/// line end).
fn in_a_terminal(
    addr: &str,
    user: &str,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    use std::io::Read;
    let chat = format!(
        "{} --server {addr} --app-id {APP_ID} --key {KEY} --user {user}",
        env!("CARGO_BIN_EXE_desktop-chat")
    );
    let mut child = Command::new("script")
        .args(["-qec", &chat, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux's script");
    let terminal = child.stdin.take().unwrap();
    let mut screen = child.stdout.take().unwrap();
    let (tx, output) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = screen.read(&mut chunk) {
            let _ = tx.send(String::from_utf8_lossy(&chunk[..n]).into_owned());
        }
    });
    (child, terminal, output)
}

/// Reads `output` until what came after `seen`'s end so far contains
/// `want`; fails after 30 s.
async fn until_shown(
    output: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    seen: &mut String,
    want: &str,
) {
    let from = seen.len();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !seen[from..].contains(want) {
        let chunk = tokio::time::timeout_at(deadline, output.recv())
            .await
            .unwrap_or_else(|_| panic!("no {want:?} in {:?}", &seen[from..]))
            .expect("the terminal is open");
        seen.push_str(&chunk);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_line_longer_than_the_terminals_own_limit_is_sent_whole() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let (mut alice, mut terminal, mut output) = in_a_terminal(&addr, "alice");
    let mut seen = String::new();
    until_shown(&mut output, &mut seen, "[synced;").await;
    terminal.write_all(b"/open bob\r").unwrap();
    // Typed once the editor shows its prompt (it reads keys itself).
    until_shown(&mut output, &mut seen, "bob> ").await;
    // Over the 4 095 bytes a terminal's own line mode keeps.
    let long = "x".repeat(6_000);
    terminal.write_all(format!("{long}\r").as_bytes()).unwrap();
    until_shown(&mut output, &mut seen, "[sent #1]").await;
    terminal.write_all(b"/quit\r").unwrap();
    drop(terminal);
    assert!(alice.wait().unwrap().success());

    let addr2 = addr.clone();
    let dump = tokio::task::spawn_blocking(move || chat(&addr2, &["--user", "bob", "--dump"]))
        .await
        .unwrap();
    let stored = String::from_utf8(dump.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|m| m["seq"] == 1)
        .expect("the message is stored");
    assert_eq!(stored["text"].as_str().map(str::len), Some(6_000));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_over_12_kb_is_refused_with_the_reason_and_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let big = "y".repeat(20_000);
    let typed_lines = format!("/open bob\n{big}\nstill here\n");
    let addr2 = addr.clone();
    let (script, alice, dump) = tokio::task::spawn_blocking(move || {
        let script = chat(&addr2, &["--user", "alice", "--send", "bob", &big]);
        let alice = typed(&addr2, &["--user", "alice"], &typed_lines);
        let dump = chat(&addr2, &["--user", "bob", "--dump"]);
        (script, alice, dump)
    })
    .await
    .unwrap();
    assert_eq!(script.status.code(), Some(2));
    let why = String::from_utf8_lossy(&script.stderr);
    assert!(why.contains("20000 bytes, over the 12288"), "{why}");
    let alice = String::from_utf8_lossy(&alice.stdout);
    assert!(
        alice.contains("[not sent: the message is 20000 bytes"),
        "{alice}"
    );
    assert!(alice.contains("[sent #1]"), "the chat goes on: {alice}");
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dump.contains("still here") && !dump.contains("yyyy"),
        "{dump}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readall_reads_every_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let (bob, dump) = tokio::task::spawn_blocking(move || {
        for text in ["one", "two"] {
            assert!(chat(&addr, &["--user", "alice", "--send", "bob", text])
                .status
                .success());
        }
        let bob = typed(&addr, &["--user", "bob"], "/readall\n");
        (bob, chat(&addr, &["--user", "bob", "--dump"]))
    })
    .await
    .unwrap();
    let bob = String::from_utf8_lossy(&bob.stdout);
    assert!(bob.contains("[everything read]"), "{bob}");
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8(dump.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (first["conversation"].as_str(), first["unread"].as_u64()),
        (Some("C2Calice"), Some(0))
    );
}
