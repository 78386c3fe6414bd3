//! Caller-supplied storage. Every capacity of the client is a parameter here;
//! the client itself only sees slices, so its code is compiled once.

use heapless::{Deque, Vec};

use super::event::QueuedEvent;
use super::outbox::Pending;
use super::state::{EVENTS_BESIDES_PENDING, INTERNAL_RESERVE};
use crate::model::{Conversation, Group};

/// All memory a [`crate::Client`] uses.
///
/// - `CONVERSATIONS`: conversation table (least recently active evicted when full)
/// - `GROUPS`: the user's group list (groups beyond it are reported, not kept)
/// - `PENDING`: requests in flight, including unacknowledged sends
/// - `EVENTS`: queued events between drains
/// - `RX`: receive buffer; also the largest frame the client accepts
/// - `OUTBOX`: encoded requests kept until sent (sends: until acknowledged)
///
/// `const fn new()` lets it live in a `StaticCell` on a device, or a `Box` on a host.
pub struct Resources<
    const CONVERSATIONS: usize,
    const GROUPS: usize,
    const PENDING: usize,
    const EVENTS: usize,
    const RX: usize,
    const OUTBOX: usize,
> {
    pub(crate) conversations: Vec<Conversation, CONVERSATIONS>,
    pub(crate) groups: Vec<Group, GROUPS>,
    pub(crate) pending: Vec<Pending, PENDING>,
    pub(crate) events: Deque<QueuedEvent, EVENTS>,
    pub(crate) rx: [u8; RX],
    pub(crate) outbox: [u8; OUTBOX],
}

impl<
        const C: usize,
        const G: usize,
        const P: usize,
        const E: usize,
        const RX: usize,
        const OUT: usize,
    > Resources<C, G, P, E, RX, OUT>
{
    /// Empty storage. The sizes are checked at compile time: at least three
    /// pending requests (two are kept for the client's own), and room for two
    /// events per pending request plus eight.
    pub const fn new() -> Self {
        const {
            assert!(P > INTERNAL_RESERVE, "PENDING must be at least 3");
            assert!(
                E >= 2 * P + EVENTS_BESIDES_PENDING,
                "EVENTS must be at least 2 * PENDING + 8"
            );
            assert!(C > 0, "CONVERSATIONS must be at least 1");
        }
        Resources {
            conversations: Vec::new(),
            groups: Vec::new(),
            pending: Vec::new(),
            events: Deque::new(),
            rx: [0; RX],
            outbox: [0; OUT],
        }
    }
}

impl<
        const C: usize,
        const G: usize,
        const P: usize,
        const E: usize,
        const RX: usize,
        const OUT: usize,
    > Default for Resources<C, G, P, E, RX, OUT>
{
    fn default() -> Self {
        Self::new()
    }
}

/// Device defaults: 16 conversations, 8 groups, 8 requests in flight, 2 KB frames.
pub type DeviceResources = Resources<16, 8, 8, 24, 2048, 2048>;

/// Host defaults: 1024 conversations, 512 groups, 64 requests in flight,
/// 32 KB frames (large enough for a 12 KB message).
pub type HostResources = Resources<1024, 512, 64, 136, 32768, 65536>;
