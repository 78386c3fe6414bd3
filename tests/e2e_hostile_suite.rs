//! End to end: the hostile-input suite. Each case misbehaves on a
//! connection of its own against the real server and must get a clear code
//! or a clean close (never a hang or a crash), and after each one a
//! well-behaved pair of users must still chat. The README lists the cases
//! by the names below.

mod common;

use common::*;
use tinyim_core::wire::conversation_data as cd;
use tinyim_core::wire::group::{
    CreateGroup, GroupRef, GroupType, JoinGroup, MemberChange, UserList,
};
use tinyim_core::wire::media::{MediaKind, UploadRequest};
use tinyim_core::wire::merger::{MergedMessage, MergedMessages};
use tinyim_core::wire::receipt::{ReceiptMembers, ReceiptMessages};
use tinyim_core::wire::user::{BlocklistChange, ProfileUpdate};
use tinyim_core::wire::{body, code, kind, PROTOCOL_VERSION};
use tinyim_core::OutgoingMessage;

/// What a case expects of the server.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The request is refused with this code; the connection stays open.
    Refused(u32),
    /// The server closes the connection (after any answer).
    Closed,
    /// The request is served: misuse that is harmless by design.
    Served,
}
use Outcome::*;

/// Whether the case starts logged in as alice, or right after the hello,
/// or with nothing sent at all.
#[derive(Clone, Copy)]
enum Start {
    Raw,
    Hello,
    LoggedIn,
}

struct Case {
    name: &'static str,
    start: Start,
    act: fn(&mut RawConn) -> Outcome,
}

fn send<T: serde::Serialize>(raw: &mut RawConn, kind: u8, payload: &T) -> Outcome {
    match raw.request(kind, 77, payload) {
        Ok(_) => Served,
        Err(code) => Refused(code),
    }
}

fn closed(raw: &mut RawConn) -> Outcome {
    assert!(raw.closed_by_server());
    Closed
}

fn text_to<'a>(conversation: &'a str, id: u64, text: &'a str) -> body::SendMessage<'a> {
    message(conversation, id, body::Elem::Text { text })
}

fn message<'a>(conversation: &'a str, id: u64, elem: body::Elem<'a>) -> body::SendMessage<'a> {
    body::SendMessage {
        conversation,
        client_msg_id: id,
        online_only: false,
        priority: Default::default(),
        elem,
        extra: body::MessageExtra::default(),
    }
}

/// Sends a merger of mergers `depth` deep around `inner` (as merged
/// message bytes), or around a text when `inner` is `None`.
fn send_merger(raw: &mut RawConn, id: u64, depth: usize, inner: Option<&[u8]>) -> Outcome {
    let text = body::Elem::Text { text: "x" };
    let mut bytes = match inner {
        Some(inner) => inner.to_vec(),
        None => merged_bytes(text),
    };
    for _ in 1..depth {
        let messages = MergedMessages::from_bytes(&bytes);
        let elem = body::Elem::Merger(merger(messages));
        bytes = merged_bytes(elem);
    }
    let elem = body::Elem::Merger(merger(MergedMessages::from_bytes(&bytes)));
    send(raw, kind::SEND_MESSAGE, &message("C2Cbob", id, elem))
}

fn merger(messages: MergedMessages<'_>) -> body::Merger<'_> {
    body::Merger {
        title: "t",
        abstracts: "",
        compatible_text: "",
        messages,
    }
}

/// One merged message of `elem`, encoded.
fn merged_bytes(elem: body::Elem<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 16 * 1024];
    let m = MergedMessage {
        from: "alice",
        time_ms: 1,
        elem,
        extra: body::MessageExtra::default(),
    };
    let n = MergedMessages::write(&mut buf, [m])
        .unwrap()
        .as_bytes()
        .len();
    buf.truncate(n);
    buf
}

fn login_as(raw: &mut RawConn, user: &str, user_sig: &str) -> Outcome {
    let login = body::Login {
        user_id: user,
        credential: body::Credential::UserSig(user_sig),
    };
    send(raw, kind::LOGIN, &login)
}

fn resume_as(raw: &mut RawConn, user: &str, token: &[u8]) -> Outcome {
    let login = body::Login {
        user_id: user,
        credential: body::Credential::Resume(token),
    };
    send(raw, kind::LOGIN, &login)
}

fn resume_key(app_key: &str) -> tinyim_server::resume::ResumeKey {
    tinyim_server::resume::ResumeKey::derive(app_key)
}

fn hello(raw: &mut RawConn, version: u16, max_frame: u32) -> Outcome {
    raw.send(
        kind::HELLO,
        &body::Hello {
            version,
            max_frame,
            device: body::DeviceClass::Web,
        },
    );
    match raw.recv() {
        Some((kind::HELLO_REJECT, b)) => {
            let reject: body::HelloReject = tinyim_core::wire::records::decode_exact(&b).unwrap();
            assert!(raw.closed_by_server());
            Refused(reject.code)
        }
        Some((kind::HELLO_ACK, _)) => Served,
        other => panic!("unexpected answer to a hello: {other:?}"),
    }
}

fn group(name: &str) -> CreateGroup<'_> {
    CreateGroup::new(GroupType::Public, name)
}

/// Every case: (name, where it starts, what it does, what it must get).
fn cases() -> Vec<(Case, Outcome)> {
    macro_rules! case {
        ($name:expr, $start:ident, $act:expr => $want:expr) => {
            (
                Case {
                    name: $name,
                    start: Start::$start,
                    act: $act,
                },
                $want,
            )
        };
    }
    vec![
        // Framing and the handshake.
        case!("garbage instead of a hello", Raw, |r| { r.send_raw(b"\x00\x01garbage"); closed(r) } => Closed),
        case!("an HTTP request", Raw, |r| { r.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); closed(r) } => Closed),
        case!("a zero-length frame", Hello, |r| { r.send_raw(&[0, 0, 0, 0]); closed(r) } => Closed),
        case!("a length far over the limit", Hello, |r| { r.send_raw(&[0xff, 0xff, 0xff, 0x7f, kind::SYNC]); closed(r) } => Closed),
        case!("a frame just over the server's 16 KiB", Hello, |r| { r.send_raw(&[0x01, 0x40, 0, 0, kind::SYNC]); closed(r) } => Closed),
        case!("another protocol version", Raw, |r| hello(r, PROTOCOL_VERSION + 1, 4096) => Refused(code::VERSION_MISMATCH)),
        case!("a receive buffer under 512 bytes", Raw, |r| hello(r, PROTOCOL_VERSION, 100) => Refused(code::FRAME_LIMIT_TOO_SMALL)),
        case!("a request before the hello", Raw, |r| { r.send(kind::SYNC, &(1u32, body::Sync { cursor: 0 })); closed(r) } => Closed),
        case!("a second hello", Hello, |r| { r.send(kind::HELLO, &()); closed(r) } => Closed),
        case!("a push kind from a client", Hello, |r| { r.send(kind::PUSH_MESSAGE, &()); closed(r) } => Closed),
        case!("a response kind from a client", Hello, |r| { r.send(kind::RESPONSE_OK, &(1u32,)); closed(r) } => Closed),
        case!("a request too short for its id", Hello, |r| { r.send_raw(&[1, 0, 0, 0, kind::SYNC]); closed(r) } => Closed),
        // Logging in.
        case!("a request before logging in", Hello, |r| send(r, kind::SYNC, &body::Sync { cursor: 0 }) => Refused(code::NOT_LOGGED_IN)),
        case!("a send before logging in", Hello, |r| send(r, kind::SEND_MESSAGE, &text_to("C2Cbob", 1, "x")) => Refused(code::NOT_LOGGED_IN)),
        case!("a malformed UserSig", Hello, |r| login_as(r, "alice", "not a sig") => Refused(code::USER_SIG_INVALID)),
        case!("a UserSig made with another key", Hello, |r| login_as(r, "alice", &tinyim_server::usersig::mint(APP_ID, "other", "alice", 60, unix_now())) => Refused(code::USER_SIG_MISMATCH)),
        case!("another user's UserSig", Hello, |r| login_as(r, "alice", &sig("bob")) => Refused(code::USER_SIG_WRONG_USER)),
        case!("a UserSig for another app", Hello, |r| login_as(r, "alice", &tinyim_server::usersig::mint(APP_ID + 1, KEY, "alice", 60, unix_now())) => Refused(code::USER_SIG_WRONG_APP)),
        case!("an expired UserSig", Hello, |r| login_as(r, "alice", &tinyim_server::usersig::mint(APP_ID, KEY, "alice", 60, unix_now() - 3600)) => Refused(code::USER_SIG_EXPIRED)),
        case!("another user's resume token", Hello, |r| resume_as(r, "alice", &resume_key(KEY).mint(APP_ID, "bob", unix_now() + 60)) => Refused(code::USER_SIG_MISMATCH)),
        case!("a resume token made with another key", Hello, |r| resume_as(r, "alice", &resume_key("other").mint(APP_ID, "alice", unix_now() + 60)) => Refused(code::USER_SIG_MISMATCH)),
        case!("a resume token of another app", Hello, |r| resume_as(r, "alice", &resume_key(KEY).mint(APP_ID + 1, "alice", unix_now() + 60)) => Refused(code::USER_SIG_MISMATCH)),
        case!("a made-up resume token", Hello, |r| resume_as(r, "alice", &[0x5a; 24]) => Refused(code::USER_SIG_MISMATCH)),
        case!("a truncated resume token", Hello, |r| resume_as(r, "alice", &resume_key(KEY).mint(APP_ID, "alice", unix_now() + 60)[..20]) => Refused(code::USER_SIG_INVALID)),
        case!("an empty resume token", Hello, |r| resume_as(r, "alice", &[]) => Refused(code::USER_SIG_INVALID)),
        case!("an oversized resume token", Hello, |r| resume_as(r, "alice", &[1; 4096]) => Refused(code::USER_SIG_INVALID)),
        case!("an expired resume token", Hello, |r| resume_as(r, "alice", &resume_key(KEY).mint(APP_ID, "alice", unix_now() - 3600)) => Refused(code::USER_SIG_EXPIRED)),
        case!("a user id with a space", Hello, |r| login_as(r, "al ice", &sig("al ice")) => Refused(code::INVALID_USER_ID)),
        case!("a user id over 32 bytes", Hello, |r| { let long = "a".repeat(33); login_as(r, &long, &sig(&long)) } => Refused(code::INVALID_USER_ID)),
        case!("a malformed login", Hello, |r| send(r, kind::LOGIN, &(1u8, 2u8)) => Refused(code::BAD_REQUEST)),
        case!("a second login on one connection", LoggedIn, |r| login_as(r, "alice", &sig("alice")) => Refused(code::REPEAT_LOGIN)),
        case!("an unknown request kind", LoggedIn, |r| send(r, 0x7e, &()) => Refused(code::UNSUPPORTED)),
        // Sending.
        case!("a malformed send", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &(1u8, 2u8)) => Refused(code::BAD_REQUEST)),
        case!("a send to a malformed conversation", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &text_to("C2Cno|pipes", 1, "x")) => Refused(code::BAD_CONVERSATION)),
        case!("a send to the SYSTEM conversation", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &text_to("@TIM#SYSTEM", 1, "x")) => Refused(code::BAD_CONVERSATION)),
        case!("a message over 12 KB", LoggedIn, |r| { let big = "x".repeat(13 * 1024); send(r, kind::SEND_MESSAGE, &text_to("C2Cbob", 1, &big)) } => Refused(code::MESSAGE_TOO_LARGE)),
        case!("client message id 0", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &text_to("C2Cbob", 0, "x")) => Refused(code::BAD_REQUEST)),
        case!("a forged revoke notice", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 2, body::Elem::RevokeNotice { seq: 1 })) => Refused(code::BAD_REQUEST)),
        case!("a forged revoked placeholder", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 3, body::Elem::Revoked { by: "bob" })) => Refused(code::BAD_REQUEST)),
        case!("a forged too-large placeholder", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 4, body::Elem::TooLarge { size: 1 })) => Refused(code::BAD_REQUEST)),
        case!("an image without its URL", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 5, OutgoingMessage::image("bob", "", 1, 1, 1).elem)) => Refused(code::INVALID_PARAMETER)),
        case!("a file without its URL", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 6, OutgoingMessage::file("bob", "", "f", 1).elem)) => Refused(code::INVALID_PARAMETER)),
        case!("an element of a kind the server does not know", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &("C2Cbob", 11u64, false, 1u8, (99u32, &[1u8, 2][..]), 0u8)) => Refused(code::BAD_REQUEST)),
        case!("a place off the globe", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 12, OutgoingMessage::location("bob", "?", 181.0, 0.0).elem)) => Refused(code::INVALID_PARAMETER)),
        case!("a place at NaN", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 13, OutgoingMessage::location("bob", "?", 0.0, f64::NAN).elem)) => Refused(code::INVALID_PARAMETER)),
        case!("cloud custom data over 1 KB", LoggedIn, |r| { let big = "c".repeat(1025); send(r, kind::SEND_MESSAGE, &body::SendMessage { extra: body::MessageExtra::with_cloud_custom_data(&big), ..text_to("C2Cbob", 14, "x") }) } => Refused(code::MESSAGE_TOO_LARGE)),
        case!("a merger of garbage", LoggedIn, |r| send_merger(r, 15, 1, Some(&[0xff, 0xff, 0xff])) => Refused(code::BAD_REQUEST)),
        case!("a merger of nothing", LoggedIn, |r| send_merger(r, 16, 1, Some(&[])) => Refused(code::INVALID_PARAMETER)),
        case!("a merger holding a forged revoke notice", LoggedIn, |r| { let notice = merged_bytes(body::Elem::RevokeNotice { seq: 1 }); send_merger(r, 17, 1, Some(&notice)) } => Refused(code::BAD_REQUEST)),
        case!("mergers nested nine deep", LoggedIn, |r| send_merger(r, 18, 9, None) => Refused(code::INVALID_PARAMETER)),
        case!("mergers nested eight deep", LoggedIn, |r| send_merger(r, 19, 8, None) => Served),
        case!("a forged modification notice", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 21, body::Elem::Modified { seq: 1, message: MergedMessages::from_bytes(&[]) })) => Refused(code::BAD_REQUEST)),
        case!("a forged deleted placeholder", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &message("C2Cbob", 22, body::Elem::Deleted)) => Refused(code::BAD_REQUEST)),
        case!("a malformed modification", LoggedIn, |r| send(r, kind::MODIFY_MESSAGE, &(1u8,)) => Refused(code::BAD_REQUEST)),
        case!("modifying another user's message", LoggedIn, |r| send(r, kind::MODIFY_MESSAGE, &body::ModifyMessage { conversation: "C2Cbob", seq: 1, version: 0, elem: body::Elem::Text { text: "mine now" }, cloud_custom_data: "" }) => Refused(code::NO_PERMISSION)),
        case!("modifying a message that does not exist", LoggedIn, |r| send(r, kind::MODIFY_MESSAGE, &body::ModifyMessage { conversation: "C2Cbob", seq: 999, version: 0, elem: body::Elem::Text { text: "x" }, cloud_custom_data: "" }) => Refused(code::INVALID_PARAMETER)),
        case!("modifying in the SYSTEM conversation", LoggedIn, |r| send(r, kind::MODIFY_MESSAGE, &body::ModifyMessage { conversation: "@TIM#SYSTEM", seq: 1, version: 0, elem: body::Elem::Text { text: "x" }, cloud_custom_data: "" }) => Refused(code::INVALID_PARAMETER)),
        case!("modifying with cloud custom data over 1 KB", LoggedIn, |r| { let big = "c".repeat(1025); send(r, kind::MODIFY_MESSAGE, &body::ModifyMessage { conversation: "C2Cbob", seq: 1, version: 0, elem: body::Elem::Text { text: "x" }, cloud_custom_data: &big }) } => Refused(code::MESSAGE_TOO_LARGE)),
        case!("a malformed remind type", LoggedIn, |r| send(r, kind::SET_REMIND_TYPE, &("C2Cbob", 7u8)) => Refused(code::BAD_REQUEST)),
        case!("a remind type for no conversation", LoggedIn, |r| send(r, kind::SET_REMIND_TYPE, &body::RemindSetting { conversation: "C2Cnobody", remind: body::RemindType::Discard }) => Refused(code::INVALID_PARAMETER)),
        case!("a remind type for a malformed conversation", LoggedIn, |r| send(r, kind::SET_REMIND_TYPE, &body::RemindSetting { conversation: "x", remind: body::RemindType::Discard }) => Refused(code::BAD_CONVERSATION)),
        case!("a malformed conversation data change", LoggedIn, |r| send(r, kind::SET_CONVERSATION_DATA, &(1u8,)) => Refused(code::BAD_REQUEST)),
        case!("no mark to change", LoggedIn, |r| send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList("C2Cbob"), change: cd::DataChange::Marks { marks: 0, enable: true } }) => Refused(code::INVALID_PARAMETER)),
        case!("conversation custom data over 256 bytes", LoggedIn, |r| send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList("C2Cbob"), change: cd::DataChange::CustomData(&[1; 257]) }) => Refused(code::INVALID_PARAMETER)),
        case!("a draft over 1 KB", LoggedIn, |r| { let long = "d".repeat(1025); send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList("C2Cbob"), change: cd::DataChange::Draft(&long) }) } => Refused(code::INVALID_PARAMETER)),
        case!("marks on 101 conversations", LoggedIn, |r| { let ids = vec!["C2Cbob"; 101].join(" "); send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList(&ids), change: cd::DataChange::Marks { marks: 1, enable: true } }) } => Refused(code::INVALID_PARAMETER)),
        case!("marks on a malformed conversation", LoggedIn, |r| send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList("x"), change: cd::DataChange::Marks { marks: 1, enable: true } }) => Refused(code::BAD_CONVERSATION)),
        case!("marks on a conversation one lacks", LoggedIn, |r| send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList("C2Cnobody"), change: cd::DataChange::Marks { marks: 1, enable: true } }) => Refused(code::INVALID_PARAMETER)),
        case!("a draft in a group one is not in", LoggedIn, |r| send(r, kind::SET_CONVERSATION_DATA, &cd::SetConversationData { conversations: cd::ConversationList("GROUPsuite-private"), change: cd::DataChange::Draft("mine") }) => Refused(code::INVALID_PARAMETER)),
        case!("a data query of no conversation", LoggedIn, |r| send(r, kind::CONVERSATION_DATA, &cd::ConversationDataQuery { conversations: cd::ConversationList("") }) => Refused(code::INVALID_PARAMETER)),
        case!("a malformed message deletion", LoggedIn, |r| send(r, kind::DELETE_MESSAGES, &(1u8,)) => Refused(code::BAD_REQUEST)),
        case!("a reused message id with other cloud custom data", LoggedIn, |r| { assert_eq!(send(r, kind::SEND_MESSAGE, &text_to("C2Ccarol", 20, "same")), Served); send(r, kind::SEND_MESSAGE, &body::SendMessage { extra: body::MessageExtra::with_cloud_custom_data("other"), ..text_to("C2Ccarol", 20, "same") }) } => Refused(code::CLIENT_MSG_ID_REUSED)),
        case!("a reused message id with other content", LoggedIn, |r| { assert_eq!(send(r, kind::SEND_MESSAGE, &text_to("C2Ccarol", 9, "first")), Served); send(r, kind::SEND_MESSAGE, &text_to("C2Ccarol", 9, "second")) } => Refused(code::CLIENT_MSG_ID_REUSED)),
        case!("a send into a group that does not exist", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &text_to("GROUPnowhere", 7, "x")) => Refused(code::GROUP_NOT_FOUND)),
        case!("a malformed upload ticket request", LoggedIn, |r| send(r, kind::UPLOAD_TICKET, &(9u8, 1u8)) => Refused(code::BAD_REQUEST)),
        case!("an upload ticket from a server without HTTP", LoggedIn, |r| send(r, kind::UPLOAD_TICKET, &UploadRequest { kind: MediaKind::Image, size: 1, name: "a", sha256: &"0".repeat(64) }) => Refused(code::UNSUPPORTED)),
        case!("a malformed download URL request", LoggedIn, |r| send(r, kind::DOWNLOAD_URL, &(1u8,)) => Refused(code::BAD_REQUEST)),
        case!("a malformed read receipt", LoggedIn, |r| send(r, kind::SEND_READ_RECEIPTS, &(1u8,)) => Refused(code::BAD_REQUEST)),
        case!("a read receipt for a seq that is no number", LoggedIn, |r| send(r, kind::SEND_READ_RECEIPTS, &ReceiptMessages { group_id: "suite-private", seqs: "1 x" }) => Refused(code::BAD_REQUEST)),
        case!("read receipts for 31 messages", LoggedIn, |r| { let seqs = (1..=31).map(|s| s.to_string()).collect::<Vec<_>>().join(" "); send(r, kind::SEND_READ_RECEIPTS, &ReceiptMessages { group_id: "suite-private", seqs: &seqs }) } => Refused(code::INVALID_PARAMETER)),
        case!("a read receipt in a group one is not in", LoggedIn, |r| send(r, kind::SEND_READ_RECEIPTS, &ReceiptMessages { group_id: "suite-private", seqs: "1" }) => Refused(code::NO_PERMISSION)),
        case!("receipt counts in a group that does not exist", LoggedIn, |r| send(r, kind::READ_RECEIPTS, &ReceiptMessages { group_id: "nowhere", seqs: "1" }) => Refused(code::GROUP_NOT_FOUND)),
        case!("a page of no receipt members", LoggedIn, |r| send(r, kind::READ_RECEIPT_MEMBERS, &ReceiptMembers { group_id: "suite-private", seq: 1, read: true, offset: 0, count: 0 }) => Refused(code::INVALID_PARAMETER)),
        case!("a send into a group one is not in", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &text_to("GROUPsuite-private", 8, "x")) => Refused(code::NO_PERMISSION)),
        case!("a send to a user who blocked the sender", LoggedIn, |r| send(r, kind::SEND_MESSAGE, &text_to("C2Cblocker", 10, "x")) => Refused(code::BLOCKED_BY_PEER)),
        // Reading and conversations.
        case!("a fetch of a malformed conversation", LoggedIn, |r| send(r, kind::MESSAGE_RANGE, &body::MessageRange { conversation: "nope", start: body::RangeStart::AfterSeq(0), count: 5 }) => Refused(code::BAD_CONVERSATION)),
        case!("a fetch of a group one is not in", LoggedIn, |r| send(r, kind::MESSAGE_RANGE, &body::MessageRange { conversation: "GROUPsuite-private", start: body::RangeStart::AfterSeq(0), count: 5 }) => Refused(code::NO_PERMISSION)),
        case!("a history page of a group one is not in", LoggedIn, |r| send(r, kind::MESSAGE_LIST, &body::MessageList { conversation: "GROUPsuite-private", before_seq: 0, count: 5 }) => Refused(code::NO_PERMISSION)),
        case!("a fetch of u16::MAX messages", LoggedIn, |r| send(r, kind::MESSAGE_RANGE, &body::MessageRange { conversation: "C2Cbob", start: body::RangeStart::AfterSeq(0), count: u16::MAX }) => Served),
        case!("a sync from the end of time", LoggedIn, |r| send(r, kind::SYNC, &body::Sync { cursor: u64::MAX }) => Served),
        case!("a sync window of none after the last id", LoggedIn, |r| send(r, kind::SYNC_WINDOW, &body::SyncWindow { base: Some(u64::MAX), snapshot: Some(u64::MAX), after: "zzz", max_conversations: 0 }) => Served),
        case!("a malformed sync window", LoggedIn, |r| send(r, kind::SYNC_WINDOW, &(7u8,)) => Refused(code::BAD_REQUEST)),
        case!("reading far past the last message", LoggedIn, |r| send(r, kind::SET_READ, &body::SetRead { conversation: "C2Cbob", seq: u64::MAX - 1 }) => Served),
        case!("reading a malformed conversation", LoggedIn, |r| send(r, kind::SET_READ, &body::SetRead { conversation: "x", seq: 1 }) => Refused(code::BAD_CONVERSATION)),
        case!("deleting a malformed conversation", LoggedIn, |r| send(r, kind::DELETE_CONVERSATION, &body::ConversationRef { conversation: "x" }) => Refused(code::BAD_CONVERSATION)),
        case!("pinning a malformed conversation", LoggedIn, |r| send(r, kind::PIN_CONVERSATION, &body::PinConversation { conversation: "x", pinned: true }) => Refused(code::BAD_CONVERSATION)),
        case!("clearing a malformed conversation", LoggedIn, |r| send(r, kind::CLEAR_HISTORY, &body::ConversationRef { conversation: "x" }) => Refused(code::BAD_CONVERSATION)),
        // Revoking.
        case!("revoking another user's message", LoggedIn, |r| send(r, kind::REVOKE_MESSAGE, &body::MessageRef { conversation: "C2Cbob", seq: 1 }) => Refused(code::NO_PERMISSION)),
        case!("revoking a message that does not exist", LoggedIn, |r| send(r, kind::REVOKE_MESSAGE, &body::MessageRef { conversation: "C2Cbob", seq: 999 }) => Refused(code::INVALID_PARAMETER)),
        case!("revoking in the SYSTEM conversation", LoggedIn, |r| send(r, kind::REVOKE_MESSAGE, &body::MessageRef { conversation: "@TIM#SYSTEM", seq: 1 }) => Refused(code::INVALID_PARAMETER)),
        case!("revoking into a blocker's conversation", LoggedIn, |r| send(r, kind::REVOKE_MESSAGE, &body::MessageRef { conversation: "C2Cblocker", seq: 1 }) => Refused(code::BLOCKED_BY_PEER)),
        // Groups.
        case!("a group id in the server's @TGS# range", LoggedIn, |r| send(r, kind::CREATE_GROUP, &CreateGroup { group_id: "@TGS#mine", ..group("g") }) => Refused(code::INVALID_GROUP_ID)),
        case!("a group id over 48 bytes", LoggedIn, |r| { let id = "g".repeat(49); send(r, kind::CREATE_GROUP, &CreateGroup { group_id: &id, ..group("g") }) } => Refused(code::INVALID_GROUP_ID)),
        case!("a group name over 30 bytes", LoggedIn, |r| { let name = "n".repeat(31); send(r, kind::CREATE_GROUP, &group(&name)) } => Refused(code::INVALID_PARAMETER)),
        case!("a group id already taken", LoggedIn, |r| send(r, kind::CREATE_GROUP, &CreateGroup { group_id: "suite-private", ..group("g") }) => Refused(code::GROUP_ID_IN_USE)),
        case!("dismissing someone else's group", LoggedIn, |r| send(r, kind::DISMISS_GROUP, &GroupRef { group_id: "suite-private" }) => Refused(code::NO_PERMISSION)),
        case!("kicking from a group one is not in", LoggedIn, |r| send(r, kind::DELETE_MEMBERS, &MemberChange { group_id: "suite-private", users: UserList("bob"), reason: "" }) => Refused(code::NO_PERMISSION)),
        case!("joining a Work group uninvited", LoggedIn, |r| send(r, kind::JOIN_GROUP, &JoinGroup { group_id: "suite-work", apply_message: "" }) => Refused(code::NO_PERMISSION)),
        case!("a malformed group call", LoggedIn, |r| send(r, kind::CREATE_GROUP, &(1u8,)) => Refused(code::BAD_REQUEST)),
        // The blocklist and profiles.
        case!("blocking a malformed user id", LoggedIn, |r| send(r, kind::ADD_TO_BLOCKLIST, &BlocklistChange { users: UserList("no such user!") }) => Refused(code::INVALID_PARAMETER)),
        case!("a nickname far over its limit", LoggedIn, |r| { let nick = "n".repeat(5000); send(r, kind::UPDATE_MY_PROFILE, &ProfileUpdate { nick: Some(&nick), ..Default::default() }) } => Refused(code::INVALID_PARAMETER)),
        // Flow.
        case!("a flood of requests past the rate", LoggedIn, |r| {
            for id in 0..600u32 { r.send(kind::MESSAGE_LIST, &(id, body::MessageList { conversation: "C2Cbob", before_seq: 0, count: 1 })); }
            let refused = (0..600).filter(|_| { let (k, _) = r.recv().unwrap(); k == kind::RESPONSE_ERR }).count();
            if refused > 0 { Refused(code::RATE_LIMITED) } else { Served }
        } => Refused(code::RATE_LIMITED)),
        case!("a flood of fetches past the rate", LoggedIn, |r| {
            for id in 0..600u32 { r.send(kind::MESSAGE_RANGE, &(id, body::MessageRange { conversation: "C2Cbob", start: body::RangeStart::AfterSeq(0), count: 1 })); }
            let refused = (0..600).filter(|_| { let (k, _) = r.recv().unwrap(); k == kind::RESPONSE_ERR }).count();
            if refused > 0 { Refused(code::RATE_LIMITED) } else { Served }
        } => Served),
        case!("a half frame and then silence", Hello, |r| { r.send_raw(&[40, 0, 0, 0, kind::SYNC, 1]); closed(r) } => Closed),
        case!("a hello and then silence", Hello, closed => Closed),
        case!("nothing at all", Raw, closed => Closed),
    ]
}

/// carol and dave, logging in afresh, exchange a message.
struct Witness {
    carol: RawConn,
    dave: RawConn,
}

impl Witness {
    fn new(addr: &str) -> Witness {
        let mut carol = RawConn::connect(addr);
        carol.hello();
        carol.login("carol");
        let mut dave = RawConn::connect(addr);
        dave.hello();
        dave.login("dave");
        Witness { carol, dave }
    }

    fn still_served(&mut self, round: u64, after: &str) {
        let text = format!("after {after}");
        self.carol
            .request(kind::SEND_MESSAGE, 2, &text_to("C2Cdave", round, &text))
            .unwrap_or_else(|code| panic!("after {after:?}: a send refused with {code}"));
        loop {
            let (k, b) = self.dave.recv().expect("dave's connection is open");
            if k == kind::PUSH_MESSAGE && String::from_utf8_lossy(&b).contains(&text) {
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_case_gets_a_code_or_a_clean_close_and_the_server_serves_on() {
    let dir = tempfile::tempdir().unwrap();
    // Short deadlines, so that the silent cases are closed quickly.
    let server = ServerProcess::start_with(
        &dir.path().join("t.db"),
        "127.0.0.1:0",
        &["--heartbeat-ms", "300", "--handshake-timeout-ms", "300"],
    );
    let addr = server.addr.clone();
    // The world the cases misbehave in: bob wrote to alice, a private
    // Public group and a Work group of dave's, a user who blocks alice
    // after a message from her.
    let (bob, _b) = client(&addr, "bob").await;
    bob.send_text("alice", "hi").await.unwrap();
    let (dave, _d) = client(&addr, "dave").await;
    for (id, group_type) in [
        ("suite-private", tinyim_tokio::GroupType::Public),
        ("suite-work", tinyim_tokio::GroupType::Work),
    ] {
        let mut options = tinyim_tokio::GroupOptions::new(group_type, "g");
        options.group_id = Some(id.into());
        dave.create_group(options).await.unwrap();
    }
    let (blocker, _x) = client(&addr, "blocker").await;
    let (alice, _a) = client(&addr, "alice").await;
    alice
        .send_text("blocker", "before the block")
        .await
        .unwrap();
    blocker.add_to_blocklist(&["alice"]).await.unwrap();
    drop((alice, bob, dave, blocker));

    let outcomes = tokio::task::spawn_blocking(move || {
        let mut outcomes = Vec::new();
        for (round, (case, want)) in (1..).zip(cases()) {
            let mut raw = RawConn::connect(&addr);
            match case.start {
                Start::Raw => {}
                Start::Hello => raw.hello(),
                Start::LoggedIn => {
                    raw.hello();
                    raw.login("alice");
                }
            }
            let got = (case.act)(&mut raw);
            drop(raw);
            Witness::new(&addr).still_served(round, case.name);
            outcomes.push((case.name, got, want));
        }
        outcomes
    })
    .await
    .unwrap();
    assert!(outcomes.len() >= 60, "{} cases", outcomes.len());
    let wrong: Vec<_> = outcomes
        .iter()
        .filter(|(_, got, want)| got != want)
        .collect();
    assert!(wrong.is_empty(), "cases with another outcome: {wrong:#?}");
}
