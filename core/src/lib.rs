//! # tinyim-core
//!
//! The protocol brain of tinyim, an instant-messaging SDK whose client API
//! follows Tencent Cloud IM's Web SDK "TIM". `no_std`, no allocator, no
//! `unsafe`: a sans-IO state machine over caller-supplied buffers, so the same
//! code runs on an RP2040, an ESP32-C3, a desktop tool and a host-side test.
//!
//! - [`Client`]: login, messages, conversations, groups, sync; see its module docs for
//!   the `handle_*` / command / `poll_*` contract.
//! - [`wire`]: the frame codec and every protocol message, shared with the server.
//! - [`model`]: ids, conversations and messages.
//! - [`time`]: the caller's clock as plain milliseconds.
//!
//! The `full` feature (on by default) holds everything beyond the text
//! profile: groups, profiles, the blocklist, friends, presence, receipts,
//! history, revoke, modify, delete, conversation settings and the elements
//! beyond text and custom. A firmware that needs only login, messages and
//! unread counts builds with `default-features = false` and links none of
//! it; such a build still receives every message, and reads an element it
//! leaves out as `wire::body::Elem::Unknown` with its kind.
//!
//! ```no_run
//! use tinyim_core::{Client, Config, Event, HostResources, OutgoingMessage};
//! use tinyim_core::time::Instant;
//!
//! let mut resources = Box::new(HostResources::new());
//! let mut client = Client::new(&Config::default(), &mut resources, Instant::ZERO, 42);
//! client.login(Instant::ZERO, "alice", "<UserSig>").unwrap();
//! # let (now, received): (Instant, &[u8]) = (Instant::ZERO, &[]);
//! loop {
//!     if client.poll_connect(now) { /* open a TCP stream, then: */ client.connection_opened(now); }
//!     let consumed = client.handle_input(now, received);
//!     let mut out = [0u8; 2048];
//!     while let Some(n) = client.poll_transmit(&mut out) { /* write out[..n] */ }
//!     while let Some(event) = client.poll_event() {
//!         if let Event::MessageReceived(m) = event { println!("{}: {:?}", m.from, m.text()); }
//!     }
//!     let _wake_at = client.poll_timeout();
//!     # let _ = consumed; break;
//! }
//! client.send_message(Instant::ZERO, &OutgoingMessage::text("bob", "hi")).ok();
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

mod fmt;

pub mod client;
pub mod model;
pub mod time;
pub mod wire;

pub use client::{
    Client, CommandError, Config, DeviceResources, Event, HostResources, KickReason, NetState,
    RequestError, RequestId, Resources, SendStatus, SyncStateError, MAX_USER_SIG, USER_SIG_WARNING,
};
pub use model::{
    Conversation, ConversationType, Elem, Flow, Group, GroupAtInfo, GroupView, JsonError,
    MessageView, OutgoingMessage,
};
pub use wire::group::{GroupRecord, GroupRole, GroupType, JoinOption, JoinStatus, Priority};
