//! Request rate limits: a token bucket. One lives in every connection's
//! task, and one per logged-in user in the engine (a user's sessions count
//! together), so it keeps only what changes (the tokens and the time they
//! were counted); the rate is the server's setting, passed in.

pub(crate) struct TokenBucket {
    tokens: f32,
    /// Server clock milliseconds of the last count.
    last_ms: u64,
}

/// Requests a second allowed, and the burst (twice that).
fn rate_and_burst(per_second: u32) -> (f32, f32) {
    let rate = per_second.max(1) as f32;
    (rate, rate * 2.0)
}

impl TokenBucket {
    /// A full bucket at `now_ms`.
    pub(crate) fn new(per_second: u32, now_ms: u64) -> Self {
        TokenBucket {
            tokens: rate_and_burst(per_second).1,
            last_ms: now_ms,
        }
    }

    /// Takes one token if there is one, at `per_second` refill.
    pub(crate) fn take(&mut self, per_second: u32, now_ms: u64) -> bool {
        self.refill(per_second, now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Milliseconds from `now_ms` until a token is there (at least one).
    pub(crate) fn wait_ms(&mut self, per_second: u32, now_ms: u64) -> u64 {
        self.refill(per_second, now_ms);
        let (rate, _) = rate_and_burst(per_second);
        let missing = (1.0 - self.tokens).max(0.0);
        ((missing / rate * 1000.0).ceil() as u64).max(1)
    }

    fn refill(&mut self, per_second: u32, now_ms: u64) {
        let (rate, burst) = rate_and_burst(per_second);
        let elapsed_s = now_ms.saturating_sub(self.last_ms) as f32 / 1000.0;
        self.last_ms = self.last_ms.max(now_ms);
        self.tokens = (self.tokens + elapsed_s * rate).min(burst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let mut b = TokenBucket::new(10, 1_000);
        assert_eq!((0..30).filter(|_| b.take(10, 1_000)).count(), 20);
        assert!(!b.take(10, 1_000));
        assert!(b.take(10, 1_100));
        assert!(!b.take(10, 1_100));
        assert_eq!(b.wait_ms(10, 1_100), 100, "the next token in a tenth");
        assert_eq!(b.wait_ms(10, 1_150), 50);
        assert!(b.take(10, 1_200));
    }
}
