//! End to end: resume tokens. A login's answer carries a token that logs the
//! same user in again, on any connection, until the UserSig's expiry; the
//! client logs in with it after a reconnect instead of keeping the UserSig.

mod common;

use common::*;
use tinyim_core::wire::body::{self, Credential};
use tinyim_core::wire::{code, kind, records};

/// Logs `user` in on a fresh connection with `credential`: the answer's
/// UserSig expiry and token, or the refusal's code.
fn login_with(addr: &str, user: &str, credential: Credential<'_>) -> Result<(u64, Vec<u8>), u32> {
    let mut raw = RawConn::connect(addr);
    raw.hello();
    let login = body::Login {
        user_id: user,
        credential,
    };
    let answer = raw.request(kind::LOGIN, 1, &login)?;
    let ok: body::LoginOk<'_> = records::decode_exact(&answer).unwrap();
    Ok((ok.sig_expires_at, ok.resume.to_vec()))
}

#[test]
fn a_login_gives_a_token_that_logs_the_same_user_in_on_another_connection() {
    let (server, _dir) = fresh_server();
    let user_sig = sig("alice");
    let (expires_at, token) =
        login_with(&server.addr, "alice", Credential::UserSig(&user_sig)).unwrap();
    assert!(!token.is_empty() && token.len() <= body::MAX_RESUME_TOKEN);
    // The token logs alice in, with the UserSig's expiry, and gives a token.
    let (again, next) = login_with(&server.addr, "alice", Credential::Resume(&token)).unwrap();
    assert_eq!(again, expires_at);
    assert!(!next.is_empty());
    // It is alice's only, and it cannot be altered.
    assert_eq!(
        login_with(&server.addr, "bob", Credential::Resume(&token)),
        Err(code::USER_SIG_MISMATCH)
    );
    let mut later = token.clone();
    later[..8].copy_from_slice(&(expires_at + 86_400).to_le_bytes());
    assert_eq!(
        login_with(&server.addr, "alice", Credential::Resume(&later)),
        Err(code::USER_SIG_MISMATCH)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_logs_in_again_with_its_token_after_the_server_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.db");
    let flags = ["--metrics-listen", "127.0.0.1:0"];
    let server = ServerProcess::start_with(&data, "127.0.0.1:0", &flags);
    let addr = server.addr.clone();
    let (alice, mut alice_events) = client(&addr, "alice").await;
    drop(server);
    // The restarted server counts its logins afresh.
    let server = ServerProcess::start_with(&data, &addr, &flags);
    let (bob, _bob_events) = client(&addr, "bob").await;
    bob.send_text("alice", "after the restart").await.unwrap();
    let m = next_message(&mut alice_events).await;
    assert_eq!(m.payload.text(), Some("after the restart"));
    let (_, metrics) = http_get(server.metrics_addr.as_ref().unwrap(), "/metrics");
    let logins = |credential: &str| {
        metrics
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!(
                    "tinyim_logins_total{{credential=\"{credential}\",result=\"ok\"}} "
                ))
            })
            .map_or(0, |n| n.trim().parse::<u64>().unwrap())
    };
    // alice with her token, bob with his UserSig.
    assert_eq!((logins("resume"), logins("user_sig")), (1, 1), "{metrics}");
    alice.shutdown().await;
}
