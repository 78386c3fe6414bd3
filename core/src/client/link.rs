//! The transport as the core sees it: when to dial, the handshake, heartbeats,
//! silence detection and reconnect backoff. The adapter only carries it out.

use crate::time::{Duration, Instant};

/// Heartbeats missed before the peer is declared gone.
pub(crate) const SILENCE_HEARTBEATS: u64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// No transport; dial at `retry_at` if a login is wanted.
    Idle { retry_at: Instant },
    /// The adapter is opening a transport, until `deadline`.
    Dialing { deadline: Instant },
    /// Hello sent, waiting for the server's answer.
    Handshaking { deadline: Instant },
    /// Handshake done.
    Open {
        heartbeat: Duration,
        last_rx: Instant,
        next_heartbeat: Instant,
    },
    /// The core gave up on the transport; the adapter should close it.
    Closing,
}

impl Link {
    /// The hello is sent and not answered yet.
    pub(crate) fn is_handshaking(self) -> bool {
        matches!(self, Link::Handshaking { .. })
    }

    /// Whether bytes from the transport are still meaningful.
    pub(crate) fn is_receiving(self) -> bool {
        matches!(self, Link::Handshaking { .. } | Link::Open { .. })
    }

    /// The transport exists from the adapter's point of view.
    pub(crate) fn has_transport(self) -> bool {
        !matches!(self, Link::Idle { .. })
    }

    pub(crate) fn note_rx(&mut self, now: Instant) {
        if let Link::Open { last_rx, .. } = self {
            *last_rx = now;
        }
    }

    /// The next instant at which `on_timeout` has work.
    pub(crate) fn next_timeout(self) -> Option<Instant> {
        match self {
            Link::Dialing { deadline } | Link::Handshaking { deadline } => Some(deadline),
            Link::Open {
                heartbeat,
                last_rx,
                next_heartbeat,
            } => Some(next_heartbeat.min(last_rx + heartbeat.saturating_mul(SILENCE_HEARTBEATS))),
            _ => None,
        }
    }
}

/// Reconnect delay for the `attempt`-th retry: doubling from `min` up to
/// `max`, then a random point in its upper half so clients do not stampede.
pub(crate) fn backoff(min: Duration, max: Duration, attempt: u32, random: u64) -> Duration {
    let factor = 1u64 << attempt.min(16);
    // Delays fit in u32 milliseconds (49 days); 32-bit math keeps 64-bit
    // division out of firmware.
    let full = min
        .saturating_mul(factor)
        .min(max)
        .as_millis()
        .clamp(1, u64::from(u32::MAX)) as u32;
    let half = full / 2;
    let span = u64::from(full - half) + 1;
    // A fraction of the span without a division: (random32 * span) / 2^32.
    let offset = ((random & 0xffff_ffff) * span) >> 32;
    Duration::from_millis(u64::from(half) + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_stays_bounded_and_jitters_in_the_upper_half() {
        let min = Duration::from_millis(500);
        let max = Duration::from_secs(30);
        for attempt in 0..40 {
            for random in [0, 1, 12345, u64::MAX] {
                let d = backoff(min, max, attempt, random).as_millis();
                let full = (500u64 << attempt.min(16)).min(30_000);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d}");
            }
        }
    }
}
