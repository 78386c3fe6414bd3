//! Tencent's callbacks against a real HTTP receiver this test starts on
//! 127.0.0.1 (an application backend), the real server binary and tinyim
//! clients: before-send callbacks that refuse, rewrite, answer with the
//! backend's own code or take too long; after-callbacks for sends, states
//! and groups; a backend that is down; a queue that is full.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::post;
use axum::Router;
use common::*;
use serde_json::{json, Value};
use tinyim_tokio::{GroupOptions, GroupType, TimEvent};
use tokio::sync::mpsc;

/// One callback as the backend received it.
#[derive(Debug)]
struct Called {
    query: HashMap<String, String>,
    body: Value,
}

impl Called {
    fn command(&self) -> &str {
        self.query.get("CallbackCommand").map_or("", String::as_str)
    }
}

#[derive(Clone)]
struct Backend {
    calls: mpsc::UnboundedSender<Called>,
    /// How long an after-callback takes to answer.
    after_delay: Duration,
}

/// What the backend answers: by the text of a message put to it before it
/// is sent, refusal, a rewrite, its own code or no answer in time.
async fn answer(
    State(backend): State<Backend>,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> String {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let command = query.get("CallbackCommand").cloned().unwrap_or_default();
    let text = body["MsgBody"][0]["MsgContent"]["Text"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let _ = backend.calls.send(Called { query, body });
    if !command.contains("Before") {
        tokio::time::sleep(backend.after_delay).await;
        return json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}).to_string();
    }
    let answer = match text.as_str() {
        "forbidden" => json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "no"}),
        "our own code" => json!({"ActionStatus": "OK", "ErrorCode": 120_005, "ErrorInfo": "quota"}),
        "rewrite me" => json!({"ActionStatus": "OK", "ErrorCode": 0, "MsgBody": [
            {"MsgType": "TIMTextElem", "MsgContent": {"Text": "rewritten"}}
        ]}),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json!({"ActionStatus": "OK", "ErrorCode": 1})
        }
        _ => json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}),
    };
    answer.to_string()
}

/// The backend on a port of its own, and what it receives.
async fn backend(after_delay: Duration) -> (String, mpsc::UnboundedReceiver<Called>) {
    let (calls, received) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/im", post(answer))
        .with_state(Backend { calls, after_delay });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/im", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// [`backend`] over HTTPS with a development certificate for 127.0.0.1,
/// written (with its CA, `ca.pem`) into `dir`.
async fn https_backend(dir: &std::path::Path) -> (String, mpsc::UnboundedReceiver<Called>) {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    let certs = tinyim_server::net::tls::DevCertificates::generate(&["127.0.0.1".into()]).unwrap();
    certs.write_to(dir).unwrap();
    let tls = tinyim_server::net::tls::server_config(&dir.join("cert.pem"), &dir.join("key.pem"))
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let (calls, received) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/im", post(answer))
        .with_state(Backend {
            calls,
            after_delay: Duration::ZERO,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/im", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let service = TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                }
            });
        }
    });
    (url, received)
}

fn server_calling(url: &str, extra: &[&str]) -> (ServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut flags = vec!["--rate", "5000", "--callback-url", url];
    flags.extend_from_slice(extra);
    let server = ServerProcess::start_with(&dir.path().join("tinyim.db"), "127.0.0.1:0", &flags);
    (server, dir)
}

/// The next callback of `command`, skipping others.
async fn next_of(received: &mut mpsc::UnboundedReceiver<Called>, command: &str) -> Called {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let called = received.recv().await.expect("the backend is up");
            if called.command() == command {
                return called;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {command} callback"))
}

async fn next_text(events: &mut tinyim_tokio::EventStream) -> String {
    let event = wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await;
    let TimEvent::MessageReceived(m) = event else {
        unreachable!()
    };
    m.payload.text().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn before_send_callbacks_refuse_rewrite_or_let_through() {
    let (url, mut received) = backend(Duration::ZERO).await;
    let before = [
        "--callback-command",
        "C2C.CallbackBeforeSendMsg",
        "--callback-command",
        "Group.CallbackBeforeSendMsg",
    ];
    let mut flags = before.to_vec();
    flags.extend(["--callback-timeout-ms", "500"]);
    let (server, _dir) = server_calling(&url, &flags);
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;

    alice.send_text("bob", "hello").await.unwrap();
    assert_eq!(next_text(&mut bob_events).await, "hello");
    let called = next_of(&mut received, "C2C.CallbackBeforeSendMsg").await;
    assert_eq!(called.query["SdkAppid"], APP_ID.to_string());
    assert_eq!(called.query["contenttype"], "json");
    assert_eq!(
        (
            &called.body["From_Account"],
            &called.body["To_Account"],
            &called.body["CallbackCommand"]
        ),
        (
            &json!("alice"),
            &json!("bob"),
            &json!("C2C.CallbackBeforeSendMsg")
        )
    );
    assert_eq!(called.body["MsgBody"][0]["MsgContent"]["Text"], "hello");

    let refused = alice.send_text("bob", "forbidden").await.unwrap_err();
    assert_eq!(refused.code(), 20006, "refused by the backend");
    let own = alice.send_text("bob", "our own code").await.unwrap_err();
    assert_eq!(
        own.code(),
        120_005,
        "the backend's own code reaches the sender"
    );
    alice.send_text("bob", "rewrite me").await.unwrap();
    // Neither refused message came; the rewritten one did, in its place.
    assert_eq!(next_text(&mut bob_events).await, "rewritten");
    // A backend slower than the timeout lets the message through.
    alice.send_text("bob", "slow").await.unwrap();
    assert_eq!(next_text(&mut bob_events).await, "slow");

    // Sends stay in the order they were made while the backend vets them.
    let (first, second) =
        tokio::join!(alice.send_text("bob", "one"), alice.send_text("bob", "two"));
    assert!(first.unwrap().seq < second.unwrap().seq);
    assert_eq!(next_text(&mut bob_events).await, "one");
    assert_eq!(next_text(&mut bob_events).await, "two");

    let mut options = GroupOptions::new(GroupType::Public, "g");
    options.group_id = Some("vetted".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    let refused = alice
        .send_group_text("vetted", "forbidden")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), 10016, "refused by the backend");
    alice.send_group_text("vetted", "rewrite me").await.unwrap();
    let called = next_of(&mut received, "Group.CallbackBeforeSendMsg").await;
    assert_eq!(called.body["GroupId"], "vetted");
    let group_text = wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReceived(m) if m.conversation_id == "GROUPvetted" && m.payload.text().is_some())
    })
    .await;
    let TimEvent::MessageReceived(m) = group_text else {
        unreachable!()
    };
    assert_eq!(m.payload.text(), Some("rewritten"));
    drop(bob);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_callbacks_tell_of_sends_sessions_and_groups() {
    let (url, mut received) = backend(Duration::ZERO).await;
    let (server, _dir) = server_calling(&url, &[]);
    let (alice, alice_events) = client(&server.addr, "alice").await;
    let state = next_of(&mut received, "State.StateChange").await;
    assert_eq!(
        state.body["Info"],
        json!({"Action": "Login", "To_Account": "alice", "Reason": "Register"})
    );
    let (bob, mut bob_events) = client(&server.addr, "bob").await;

    let sent = alice.send_text("bob", "hi bob").await.unwrap();
    let after = next_of(&mut received, "C2C.CallbackAfterSendMsg").await;
    assert_eq!(
        (
            &after.body["From_Account"],
            &after.body["To_Account"],
            &after.body["MsgSeq"]
        ),
        (&json!("alice"), &json!("bob"), &json!(sent.seq))
    );
    assert_eq!(after.body["MsgBody"][0]["MsgContent"]["Text"], "hi bob");
    assert_eq!(next_text(&mut bob_events).await, "hi bob");

    let mut options = GroupOptions::new(GroupType::Public, "crew");
    options.group_id = Some("crew".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    let made = next_of(&mut received, "Group.CallbackAfterCreateGroup").await;
    assert_eq!(
        (
            &made.body["GroupId"],
            &made.body["Owner_Account"],
            &made.body["Type"],
            &made.body["MemberList"]
        ),
        (
            &json!("crew"),
            &json!("alice"),
            &json!("Public"),
            &json!([{"Member_Account": "bob"}])
        )
    );
    alice.add_group_member("crew", &["carol"]).await.unwrap();
    let joined = next_of(&mut received, "Group.CallbackAfterNewMemberJoin").await;
    assert_eq!(
        (
            &joined.body["JoinType"],
            &joined.body["Operator_Account"],
            &joined.body["NewMemberList"]
        ),
        (
            &json!("Invited"),
            &json!("alice"),
            &json!([{"Member_Account": "carol"}])
        )
    );
    let group_sent = alice.send_group_text("crew", "welcome").await.unwrap();
    let after = next_of(&mut received, "Group.CallbackAfterSendMsg").await;
    assert_eq!(
        (&after.body["GroupId"], &after.body["MsgSeq"]),
        (&json!("crew"), &json!(group_sent.seq))
    );
    alice
        .delete_group_member("crew", &["carol"], "done")
        .await
        .unwrap();
    let left = next_of(&mut received, "Group.CallbackAfterMemberExit").await;
    assert_eq!(
        (&left.body["ExitType"], &left.body["ExitMemberList"]),
        (&json!("Kicked"), &json!([{"Member_Account": "carol"}]))
    );
    bob.quit_group("crew").await.unwrap();
    let quit = next_of(&mut received, "Group.CallbackAfterMemberExit").await;
    assert_eq!(quit.body["ExitType"], "Quit");

    bob.logout().await.unwrap();
    let state = next_of(&mut received, "State.StateChange").await;
    assert_eq!(state.body["Info"]["Action"], "Logout");
    // Gone without a logout: its connection closes.
    drop((alice, alice_events));
    let state = next_of(&mut received, "State.StateChange").await;
    assert_eq!(
        state.body["Info"],
        json!({"Action": "Disconnect", "To_Account": "alice", "Reason": "LinkClose"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backend_down_or_slow_never_holds_up_delivery() {
    // Down: nothing listens at the URL. Sends are let through.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/im", closed.local_addr().unwrap());
    drop(closed);
    let (server, _dir) = server_calling(&url, &[]);
    let (alice, _) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    alice.send_text("bob", "still here").await.unwrap();
    assert_eq!(next_text(&mut bob_events).await, "still here");
    drop(server);

    // Slow: each after-callback takes 2 s and one waits at most; the rest
    // are dropped and counted, and every message is delivered at once.
    let (url, _received) = backend(Duration::from_secs(2)).await;
    let flags = [
        "--callback-command",
        "C2C.CallbackAfterSendMsg",
        "--callback-queue",
        "1",
        "--callback-timeout-ms",
        "5000",
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    let (server, _dir) = server_calling(&url, &flags);
    let (alice, _) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    for i in 0..20 {
        alice.send_text("bob", &format!("m{i}")).await.unwrap();
    }
    for i in 0..20 {
        assert_eq!(next_text(&mut bob_events).await, format!("m{i}"));
    }
    let (_, metrics) = http_get(server.metrics_addr.as_ref().unwrap(), "/metrics");
    let dropped = metrics
        .lines()
        .find(|l| l.starts_with("tinyim_callbacks_total") && l.contains("dropped"))
        .unwrap_or_else(|| panic!("no dropped callbacks counted: {metrics}"));
    let count: u64 = dropped.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 10, "{dropped}");
}

#[test]
fn a_callback_url_that_is_not_http_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::server_binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--callback-url",
            "ftp://backend/im",
        ])
        .arg("--data")
        .arg(dir.path().join("t.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://"));
    let out = std::process::Command::new(common::server_binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--callback-url",
            "http://b/im",
        ])
        .args(["--callback-command", "C2C.CallbackAfterEverything"])
        .arg("--data")
        .arg(dir.path().join("t.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("C2C.CallbackAfterEverything"));
}

#[tokio::test(flavor = "multi_thread")]
async fn callbacks_go_over_https_to_a_backend_trusted_by_its_ca() {
    let certs = tempfile::tempdir().unwrap();
    let (url, mut received) = https_backend(certs.path()).await;
    let ca = certs.path().join("ca.pem");
    let flags = [
        "--callback-ca",
        ca.to_str().unwrap(),
        "--callback-timeout-ms",
        "5000",
    ];
    let (server, _dir) = server_calling(&url, &flags);
    let (alice, _) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    let refused = alice.send_text("bob", "forbidden").await.unwrap_err();
    assert_eq!(refused.code(), 20006, "the backend answered over HTTPS");
    alice.send_text("bob", "over tls").await.unwrap();
    assert_eq!(next_text(&mut bob_events).await, "over tls");
    next_of(&mut received, "C2C.CallbackAfterSendMsg").await;

    // Without its CA the backend is not trusted: a failed callback, which
    // lets the message through.
    let (server, _dir) = server_calling(&url, &["--callback-timeout-ms", "5000"]);
    let (alice, _) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    alice
        .send_text("bob", "forbidden")
        .await
        .expect("not vetted by an untrusted backend");
    assert_eq!(next_text(&mut bob_events).await, "forbidden");
}

/// `body` to the REST API's `openim/sendmsg` on `server`, as the
/// administrator: the answer's JSON.
fn rest_send(server: &ServerProcess, body: &Value) -> Value {
    admin_call(server.http_addr.as_ref().unwrap(), "openim/sendmsg", body)
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_through_the_rest_api_go_to_the_before_send_callback_too() {
    let (url, _received) = backend(Duration::ZERO).await;
    let flags = [
        "--callback-command",
        "C2C.CallbackBeforeSendMsg",
        "--http-listen",
        "127.0.0.1:0",
    ];
    let (server, _dir) = server_calling(&url, &flags);
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    let text = |random: u32, text: &str, forbid: &[&str]| {
        json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": random,
               "ForbidCallbackControl": forbid,
               "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]})
    };
    let refused = rest_send(&server, &text(1, "forbidden", &[]));
    assert_eq!(refused["ErrorCode"], 20006, "{refused}");
    let rewritten = rest_send(&server, &text(2, "rewrite me", &[]));
    assert_eq!(rewritten["ActionStatus"], "OK", "{rewritten}");
    assert_eq!(next_text(&mut bob_events).await, "rewritten");
    // The backend may keep its own sends from the callback.
    let unvetted = rest_send(
        &server,
        &text(3, "forbidden", &["ForbidBeforeSendMsgCallback"]),
    );
    assert_eq!(unvetted["ActionStatus"], "OK", "{unvetted}");
    assert_eq!(next_text(&mut bob_events).await, "forbidden");
}
