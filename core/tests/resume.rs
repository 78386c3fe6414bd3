//! Resume tokens: the client keeps its UserSig only inside the login request
//! at the outbox's end, until the server's answer gives a token that logs
//! it in again after a reconnect.

mod util;

use tinyim_core::model::OutgoingMessage;
use tinyim_core::time::Instant;
use tinyim_core::wire::{body, code, kind, records};
use tinyim_core::{Client, CommandError, Resources};
use util::*;

const TOKEN: &[u8] = &[7; 24];

/// The login request's credential and user.
fn sent_login(h: &mut Harness) -> (u32, String, String) {
    let (id, payload) = h.sent_request(kind::LOGIN);
    let login: body::Login<'_> = records::decode_exact(&payload).unwrap();
    let credential = match login.credential {
        body::Credential::UserSig(sig) => format!("sig {}", sig.len()),
        body::Credential::Resume(token) => format!("token {token:?}"),
    };
    (id, login.user_id.to_owned(), credential)
}

/// Answers request `login` with a success that gives `resume`.
fn answer_login(h: &mut Harness, login: u32, resume: &[u8]) {
    h.feed(&ok(
        login,
        &body::LoginOk {
            sig_expires_at: 0,
            resume,
        },
    ));
}

/// Logs alice in with a UserSig of `sig_len` bytes; the server answers with
/// `resume`; the first sync completes.
fn logged_in_with(sig_len: usize, resume: &[u8]) -> Harness {
    let mut h = Harness::new();
    h.client
        .login(h.now, "alice", &"s".repeat(sig_len))
        .unwrap();
    h.open();
    let (login, user, credential) = sent_login(&mut h);
    assert_eq!(
        (user.as_str(), credential),
        ("alice", format!("sig {sig_len}"))
    );
    answer_login(&mut h, login, resume);
    let (sync, _) = h.sent_request(kind::SYNC_WINDOW);
    h.feed(&sync_page(sync, 10, &[]));
    h.answer_group_list(&[]);
    assert!(h.client.is_ready());
    h
}

/// Whether a text of `len` bytes finds room in the outbox now.
fn text_fits(h: &mut Harness, len: usize) -> bool {
    let text = "t".repeat(len);
    match h
        .client
        .send_message(h.now, &OutgoingMessage::text("bob", &text))
    {
        Ok(_) => true,
        Err(CommandError::OutboxFull) => false,
        Err(e) => panic!("unexpected refusal {e:?}"),
    }
}

#[test]
fn a_token_replaces_the_user_sig_and_logs_in_after_a_reconnect() {
    // The device's outbox is 2 KB: with a 500-byte UserSig kept in it a
    // 1.6 KB text has no room; once a token replaced it, it has.
    let mut kept = logged_in_with(500, &[]);
    assert!(
        !text_fits(&mut kept, 1600),
        "the UserSig still takes its room"
    );
    let mut h = logged_in_with(500, TOKEN);
    assert!(text_fits(&mut h, 1600), "the UserSig gave its room back");

    h.sent();
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.open();
    let (login, user, credential) = sent_login(&mut h);
    assert_eq!(
        (user.as_str(), credential),
        ("alice", format!("token {TOKEN:?}"))
    );
    answer_login(&mut h, login, TOKEN);
    // Logged in again: the sync after a reconnect follows, the text goes.
    h.sent_request(kind::SYNC_WINDOW);
}

#[test]
fn without_a_token_the_user_sig_login_goes_again_on_every_connection() {
    let mut h = logged_in_with(300, &[]);
    for _ in 0..2 {
        h.sent();
        h.client.connection_lost(h.now);
        h.advance(2_000);
        h.open();
        let (login, user, credential) = sent_login(&mut h);
        assert_eq!((user.as_str(), credential), ("alice", "sig 300".to_owned()));
        answer_login(&mut h, login, &[]);
        h.sent_request(kind::SYNC_WINDOW);
    }
}

#[test]
fn a_token_longer_than_a_client_keeps_leaves_the_user_sig_in_use() {
    // A hostile or broken server: the client keeps what it has.
    let long = [1u8; body::MAX_RESUME_TOKEN + 1];
    let mut h = logged_in_with(300, &long);
    h.sent();
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.open();
    let (_, _, credential) = sent_login(&mut h);
    assert_eq!(credential, "sig 300");
}

#[test]
fn a_refused_token_ends_the_session_as_an_expired_user_sig_does() {
    let mut h = logged_in_with(300, TOKEN);
    h.sent();
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.open();
    let (login, _, _) = sent_login(&mut h);
    let events = h.feed(&refusal(login, code::USER_SIG_EXPIRED));
    assert!(
        events.contains(&"KickedOut(UserSigExpired)".to_owned()),
        "{events:?}"
    );
    assert!(events.contains(&"SdkNotReady".to_owned()), "{events:?}");
    assert!(h.client.poll_close());
    // Nothing to log in with any more: no dialing until the next login.
    h.advance(60_000);
    assert!(!h.client.poll_connect(h.now));
    h.client.login(h.now, "alice", "fresh").unwrap();
    h.open();
    let (_, _, credential) = sent_login(&mut h);
    assert_eq!(credential, "sig 5");
}

#[test]
fn a_user_sig_the_outbox_cannot_hold_is_refused_at_login() {
    let resources = Box::leak(Box::new(Resources::<4, 0, 4, 16, 2048, 512>::new()));
    let mut client = Client::new(&config(), resources, Instant::ZERO, 1);
    assert_eq!(
        client.login(Instant::ZERO, "alice", &"s".repeat(500)),
        Err(CommandError::TooLarge)
    );
    // One that fits is taken.
    assert!(client
        .login(Instant::ZERO, "alice", &"s".repeat(300))
        .is_ok());
}

#[test]
fn a_login_not_answered_in_time_dials_again_and_logs_in_afresh() {
    let mut h = Harness::new();
    h.client.login(h.now, "alice", "sig").unwrap();
    h.open();
    sent_login(&mut h);
    // The server beats but never answers: past the request's deadline the
    // connection is given up.
    let mut waited = 0;
    while waited < config().request_timeout.as_millis() {
        assert!(!h.client.poll_close(), "closed before the deadline");
        h.feed(&frame(kind::HEARTBEAT, &()));
        h.advance(500);
        waited += 500;
    }
    assert!(
        h.client.poll_close(),
        "a login not answered closes the connection"
    );
    h.client.connection_lost(h.now);
    h.advance(2_000);
    h.open();
    let (login, _, credential) = sent_login(&mut h);
    assert_eq!(credential, "sig 3");
    answer_login(&mut h, login, TOKEN);
    h.sent_request(kind::SYNC_WINDOW);
}
