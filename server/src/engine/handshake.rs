//! The handshake answer, shared by the TCP front end and in-process tests.

use tinyim_core::wire::body::{Hello, HelloAck, HelloReject};
use tinyim_core::wire::{code, MAX_FRAME, MIN_FRAME, PROTOCOL_VERSION};

/// What the server announces.
#[derive(Debug, Clone, Copy)]
pub struct HandshakeLimits {
    /// Largest frame the server accepts.
    pub max_frame: u32,
    /// Heartbeat interval.
    pub heartbeat_ms: u32,
}

/// Accepts or refuses a client's hello. On success the client's frame limit
/// is clamped to what the server will ever send.
pub fn answer_hello(
    hello: &Hello,
    limits: HandshakeLimits,
    now_ms: u64,
) -> Result<(HelloAck, u32), HelloReject> {
    if hello.version != PROTOCOL_VERSION {
        return Err(HelloReject {
            code: code::VERSION_MISMATCH,
        });
    }
    if hello.max_frame < MIN_FRAME {
        return Err(HelloReject {
            code: code::FRAME_LIMIT_TOO_SMALL,
        });
    }
    let ack = HelloAck {
        version: PROTOCOL_VERSION,
        max_frame: limits.max_frame,
        server_time_ms: now_ms,
        heartbeat_ms: limits.heartbeat_ms,
    };
    Ok((ack, hello.max_frame.min(MAX_FRAME)))
}
