//! What the shapes share: payloads, timestamps in payloads, latency figures.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// Bytes of message text, as in the ingest benchmark.
pub const PAYLOAD_LEN: usize = 100;

/// Longest wait for anything the load tool awaits before it gives up.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// A 100-byte text.
pub fn payload() -> String {
    "x".repeat(PAYLOAD_LEN)
}

/// Requests one latency sender keeps in flight at most (the tokio client
/// allows 62).
pub const WINDOW: usize = 60;

/// A 100-byte text that starts with `due`, the microseconds after the run's
/// start at which the message was due to be sent.
pub fn stamp_at(due: Duration) -> String {
    let mut text = format!("{}:", due.as_micros());
    text.extend(std::iter::repeat_n(
        'x',
        PAYLOAD_LEN.saturating_sub(text.len()),
    ));
    text
}

/// The microseconds a [`stamp_at`] carries.
pub fn stamped(text: &str) -> Option<u64> {
    text.split(':').next()?.parse().ok()
}

/// A histogram of latencies from 1 µs to 60 s at three significant digits.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

/// End-to-end latency percentiles, microseconds.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Messages measured.
    pub count: u64,
}

impl From<&Histogram<u64>> for Latency {
    fn from(h: &Histogram<u64>) -> Self {
        Latency {
            p50: h.value_at_quantile(0.50),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            count: h.len(),
        }
    }
}

/// When a latency sender's messages are due, as durations since the run's
/// `base` (the stamps' origin): `per_second` apart, starting when the pace
/// is made. Made once every client is set up: due times during the setup
/// would go out in one burst and measure the setup, not the system. The
/// senders of a run are staggered over one interval, as independent users
/// are, rather than sending in lockstep.
#[derive(Clone, Copy)]
pub struct Pace {
    from: Duration,
    interval: Duration,
}

impl Pace {
    /// `per_second` messages a second from now on, for the `sender`-th of
    /// `senders`.
    pub fn new(base: Instant, per_second: u32, sender: usize, senders: usize) -> Pace {
        let interval = Duration::from_secs(1) / per_second;
        let stagger = interval.mul_f64(sender as f64 / senders.max(1) as f64);
        Pace {
            from: base.elapsed() + stagger,
            interval,
        }
    }

    /// When the `k`-th message is due.
    pub fn due(&self, k: u32) -> Duration {
        self.from + self.interval * k
    }
}
