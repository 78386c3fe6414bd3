//! Frame kinds.
//!
//! `0x01..=0x1f`: connection control. `0x20..=0x7f`: client requests, whose
//! body starts with the request id. `0x80..=0xbf`: server replies.
//! `0xc0..=0xff`: server pushes, skipped by a client that does not know them.

/// Either side: keep-alive, empty body.
pub const HEARTBEAT: u8 = 0x01;
/// Client: first frame, [`super::body::Hello`].
pub const HELLO: u8 = 0x02;

/// Request: [`super::body::Login`].
pub const LOGIN: u8 = 0x20;
/// Request: log out, empty payload.
pub const LOGOUT: u8 = 0x21;
/// Request: [`super::body::SendMessage`].
pub const SEND_MESSAGE: u8 = 0x22;
/// Request: [`super::body::SetRead`].
pub const SET_READ: u8 = 0x23;
/// Request: [`super::body::MessageList`], history newest first.
pub const MESSAGE_LIST: u8 = 0x24;
/// Request: [`super::body::MessageRange`], missed messages oldest first.
pub const MESSAGE_RANGE: u8 = 0x25;
/// Request: [`super::body::Sync`].
pub const SYNC: u8 = 0x26;

/// Server: [`super::body::HelloAck`].
pub const HELLO_ACK: u8 = 0x80;
/// Server: [`super::body::HelloReject`]; the server closes after it.
pub const HELLO_REJECT: u8 = 0x81;
/// Server: success, `(request_id, payload)` where the payload type follows the request kind.
pub const RESPONSE_OK: u8 = 0x82;
/// Server: failure, `(request_id, `[`super::body::ErrorBody`]`)`.
pub const RESPONSE_ERR: u8 = 0x83;

/// Push: [`super::body::PushMessage`] header followed by one [`super::body::Message`].
pub const PUSH_MESSAGE: u8 = 0xc0;
/// Push: [`super::body::Kicked`]; the server closes after it.
pub const PUSH_KICKED: u8 = 0xc1;
/// Push: [`super::body::PushRead`], a read watermark moved on another device.
pub const PUSH_READ: u8 = 0xc2;

/// Whether `kind` is a client request (its body starts with a request id).
pub const fn is_request(kind: u8) -> bool {
    kind >= 0x20 && kind < 0x80
}

/// Whether `kind` is a server push.
pub const fn is_push(kind: u8) -> bool {
    kind >= 0xc0
}
