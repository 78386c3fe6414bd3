//! End to end: UserSig checks, including signatures made by Tencent's own
//! `tls-sig-api-v2` package (installed by `scripts/test`).

mod common;

use std::process::Command;

use common::*;
use tinyim_core::RequestError;
use tinyim_tokio::{KickReason, Options, Tim, TimError, TimEvent};

async fn login_code(addr: &str, user: &str, user_sig: &str) -> Result<(), u32> {
    let (tim, _events) = Tim::connect(addr, Options::default());
    let result = tim.login(user, user_sig).await.map_err(|e| match e {
        TimError::Request {
            error: RequestError::Server(code),
            ..
        } => code,
        other => panic!("expected a server refusal, got {other:?}"),
    });
    tim.shutdown().await;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_usersigs_are_refused_with_their_codes() {
    let (server, _dir) = fresh_server();
    let now = unix_now();
    let mint = tinyim_server::usersig::mint;
    let cases = [
        ("garbage", "not-a-usersig".to_owned(), 70003),
        ("expired", mint(APP_ID, KEY, "alice", 60, now - 3600), 70001),
        (
            "wrong app",
            mint(APP_ID + 1, KEY, "alice", 3600, now),
            70014,
        ),
        ("wrong user", mint(APP_ID, KEY, "mallory", 3600, now), 70013),
        (
            "wrong key",
            mint(APP_ID, "another key", "alice", 3600, now),
            70009,
        ),
    ];
    for (what, user_sig, code) in cases {
        assert_eq!(
            login_code(&server.addr, "alice", &user_sig).await,
            Err(code),
            "{what}"
        );
    }
    assert_eq!(
        login_code(&server.addr, "alice", &sig("alice")).await,
        Ok(())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_is_kicked_when_its_usersig_expires() {
    let (server, _dir) = fresh_server();
    // Issued an hour ago with a lifetime of an hour and two seconds.
    let user_sig = tinyim_server::usersig::mint(APP_ID, KEY, "alice", 3602, unix_now() - 3600);
    let (tim, mut events) = Tim::connect(server.addr.clone(), Options::default());
    tim.login("alice", &user_sig).await.unwrap();
    wait_for(&mut events, |e| {
        *e == TimEvent::KickedOut(KickReason::UserSigExpired)
    })
    .await;
    assert_eq!(tim.send_text("bob", "late").await.unwrap_err().code(), 2024);
}

fn python_sig(user: &str, expire: u64) -> String {
    let script = format!(
        "import TLSSigAPIv2; print(TLSSigAPIv2.TLSSigAPIv2({APP_ID}, '{KEY}').gen_sig('{user}', {expire}))"
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 runs (scripts/test installs tls-sig-api-v2)");
    assert!(
        out.status.success(),
        "Tencent's tls-sig-api-v2 is missing; `pip install tls-sig-api-v2` (scripts/test does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn usersigs_from_tencents_own_package_log_in() {
    let (server, _dir) = fresh_server();
    let user_sig = python_sig("py_user", 86400);
    assert_eq!(login_code(&server.addr, "py_user", &user_sig).await, Ok(()));
    assert_eq!(
        login_code(&server.addr, "other", &user_sig).await,
        Err(70013)
    );
}

#[test]
fn usersig_cli_mints_and_verifies_with_exit_codes() {
    let bin = common::server_binary();
    let app = APP_ID.to_string();
    let verify = |user: &str, sig: &str, at: Option<u64>| {
        let mut cmd = Command::new(&bin);
        cmd.args([
            "usersig", "verify", "--app-id", &app, "--key", KEY, "--user", user,
        ]);
        if let Some(at) = at {
            cmd.args(["--at", &at.to_string()]);
        }
        cmd.arg(sig).output().unwrap()
    };
    let minted = Command::new(&bin)
        .args([
            "usersig", "mint", "--app-id", &app, "--key", KEY, "--user", "alice", "--expire", "100",
        ])
        .output()
        .unwrap();
    assert!(minted.status.success());
    let minted = String::from_utf8(minted.stdout).unwrap().trim().to_owned();

    let ok = verify("alice", &minted, None);
    assert!(ok.status.success());
    let line: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(line["user_id"], "alice");
    assert_eq!(line["app_id"], APP_ID);
    assert_eq!(line["expire"], 100);
    assert_eq!(line["valid"], true);

    let python = python_sig("alice", 3600);
    assert!(
        verify("alice", &python, None).status.success(),
        "Tencent's signature verifies"
    );

    for (user, sig, at, reason) in [
        ("bob", minted.as_str(), None, "wrong user"),
        ("alice", minted.as_str(), Some(unix_now() + 101), "expired"),
        ("alice", "%%%", None, "bad encoding"),
    ] {
        let out = verify(user, sig, at);
        assert!(!out.status.success(), "{reason}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(reason),
            "{reason}"
        );
    }
    let wrong_app = Command::new(&bin)
        .args([
            "usersig", "verify", "--app-id", "1", "--key", KEY, "--user", "alice", &minted,
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&wrong_app.stdout).contains("wrong app id"));
    let wrong_key = Command::new(&bin)
        .args([
            "usersig", "verify", "--app-id", &app, "--key", "x", "--user", "alice", &minted,
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&wrong_key.stdout).contains("bad signature"));
}

#[test]
fn usersig_mint_refuses_a_user_id_that_can_never_log_in() {
    for user in ["has space", "", &"a".repeat(33)] {
        let out = Command::new(common::server_binary())
            .args([
                "usersig", "mint", "--app-id", "1", "--key", KEY, "--user", user,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{user:?}");
        assert!(out.stdout.is_empty(), "no UserSig for {user:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("can never log in"));
    }
}

#[test]
fn serve_listens_on_a_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("t.db"), "localhost:0");
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    raw.login("alice");
}
