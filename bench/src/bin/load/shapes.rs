//! What the shapes share: payloads, timestamps in payloads, latency figures.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::Semaphore;

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
fn stamped(text: &str) -> Option<u64> {
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

/// The latencies of one run of a latency shape, recorded as the stamped
/// messages arrive; stamps count from the run's base.
#[derive(Clone)]
pub struct Recorder {
    histogram: Arc<Mutex<Histogram<u64>>>,
    base: Instant,
}

impl Recorder {
    /// An empty record whose base is now.
    pub fn new() -> Recorder {
        Recorder {
            histogram: Arc::new(Mutex::new(latency_histogram())),
            base: Instant::now(),
        }
    }

    /// Records the latency of a received `text` that carries a stamp;
    /// false (and nothing recorded) for any other text.
    pub fn record(&self, text: &str) -> bool {
        let Some(sent) = stamped(text) else {
            return false;
        };
        let now = self.base.elapsed().as_micros() as u64;
        let _ = self
            .histogram
            .lock()
            .expect("not poisoned")
            .record(now.saturating_sub(sent).max(1));
        true
    }

    /// The percentiles of what was recorded.
    pub fn latency(&self) -> Latency {
        Latency::from(&*self.histogram.lock().expect("not poisoned"))
    }

    /// The pace of the `sender`-th of `senders`, `per_second` messages a
    /// second each, from now on.
    pub fn pace(&self, per_second: u32, sender: usize, senders: usize) -> Pace {
        let interval = Duration::from_secs(1) / per_second;
        let stagger = interval.mul_f64(sender as f64 / senders.max(1) as f64);
        Pace {
            base: self.base,
            from: self.base.elapsed() + stagger,
            interval,
        }
    }
}

/// When a latency sender's messages are due, as durations since the run's
/// base (the stamps' origin): `per_second` apart, starting when the pace
/// is made. Made once every client is set up: due times during the setup
/// would go out in one burst and measure the setup, not the system. The
/// senders of a run are staggered over one interval, as independent users
/// are, rather than sending in lockstep.
#[derive(Clone, Copy)]
pub struct Pace {
    base: Instant,
    from: Duration,
    interval: Duration,
}

impl Pace {
    /// When the `k`-th message is due, since the run's base.
    pub fn due(&self, k: u32) -> Duration {
        self.from + self.interval * k
    }

    /// Waits until the `k`-th message is due; returns when that is.
    pub async fn wait(&self, k: u32) -> Duration {
        let due = self.due(k);
        tokio::time::sleep_until((self.base + due).into()).await;
        due
    }

    /// The stamp of a message sent now.
    pub fn now(&self) -> Duration {
        self.base.elapsed()
    }
}

/// Sends `total` stamped texts at `pace`, open loop, with at most
/// [`WINDOW`] unacknowledged: `send(text)` sends one and resolves once it
/// is acknowledged. A text goes out stamped when it is sent; one held back
/// by a full window is stamped with the time it was due, so the wait counts
/// (no coordinated omission). The timer's own millisecond lateness is not
/// the system's, so it does not.
pub async fn send_paced<F, Fut>(pace: Pace, total: usize, send: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let in_flight = Arc::new(Semaphore::new(WINDOW));
    let mut sends = tokio::task::JoinSet::new();
    for k in 0..total as u32 {
        let due = pace.wait(k).await;
        let (permit, stamp) = match in_flight.clone().try_acquire_owned() {
            Ok(permit) => (permit, pace.now()),
            Err(_) => (in_flight.clone().acquire_owned().await.expect("open"), due),
        };
        let sent = send(stamp_at(stamp));
        sends.spawn(async move {
            sent.await;
            drop(permit);
        });
    }
    sends.join_all().await;
}
