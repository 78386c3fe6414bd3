//! Per-group message rate (TIM: 40 a second per group; a deployment may set
//! its own) with priorities: each priority below High leaves a reserve of
//! the bucket untouched, so when a group is over its rate the lowest
//! priorities are refused first.

use std::collections::HashMap;

use tinyim_core::wire::group::Priority;

/// One token is this many milli-tokens; integer math keeps it exact.
const MILLI: u64 = 1000;
/// Buckets kept before full (idle) ones are dropped.
const PRUNE_AT: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    milli_tokens: u64,
    at_ms: u64,
}

/// The buckets of the groups that sent recently; a bucket holds one second
/// of messages.
#[derive(Debug)]
pub(crate) struct GroupRates {
    per_second: u64,
    buckets: HashMap<String, Bucket>,
}

/// Milli-tokens a priority must leave in a bucket of `capacity`.
fn reserve(priority: Priority, capacity: u64) -> u64 {
    let quarter = capacity / 4;
    match priority {
        Priority::High => 0,
        Priority::Normal => quarter,
        Priority::Low => 2 * quarter,
        Priority::Lowest => 3 * quarter,
    }
}

impl GroupRates {
    /// At most `per_second` messages a second per group (at least 1).
    pub(crate) fn new(per_second: u32) -> Self {
        GroupRates {
            per_second: u64::from(per_second.max(1)),
            buckets: HashMap::new(),
        }
    }

    fn capacity(&self) -> u64 {
        self.per_second * MILLI
    }

    /// Takes one message's token from `group`'s bucket at `now_ms`; false
    /// when the group is over its rate for this priority.
    pub(crate) fn admit(&mut self, group: &str, priority: Priority, now_ms: u64) -> bool {
        if self.buckets.len() >= PRUNE_AT {
            self.prune(now_ms);
        }
        let (capacity, per_second) = (self.capacity(), self.per_second);
        let bucket = self.buckets.entry(group.to_owned()).or_insert(Bucket {
            milli_tokens: capacity,
            at_ms: now_ms,
        });
        refill(bucket, now_ms, per_second);
        if bucket.milli_tokens < reserve(priority, capacity) + MILLI {
            return false;
        }
        bucket.milli_tokens -= MILLI;
        true
    }

    fn prune(&mut self, now_ms: u64) {
        let (capacity, per_second) = (self.capacity(), self.per_second);
        self.buckets.retain(|_, bucket| {
            refill(bucket, now_ms, per_second);
            bucket.milli_tokens < capacity
        });
    }
}

fn refill(bucket: &mut Bucket, now_ms: u64, per_second: u64) {
    let elapsed = now_ms.saturating_sub(bucket.at_ms);
    // N tokens a second is N milli-tokens a millisecond.
    let gained = elapsed.saturating_mul(per_second);
    let capacity = per_second * MILLI;
    bucket.milli_tokens = bucket.milli_tokens.saturating_add(gained).min(capacity);
    bucket.at_ms = bucket.at_ms.max(now_ms);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::groups::rules::MESSAGES_PER_SECOND;

    #[test]
    fn forty_a_second_and_high_priority_goes_last_to_be_refused() {
        let mut rates = GroupRates::new(MESSAGES_PER_SECOND);
        let normal = (0..100)
            .take_while(|_| rates.admit("g", Priority::Normal, 0))
            .count();
        assert_eq!(normal, 30, "normal leaves a quarter for high priority");
        assert!(!rates.admit("g", Priority::Low, 0));
        let high = (0..100)
            .take_while(|_| rates.admit("g", Priority::High, 0))
            .count();
        assert_eq!(high, 10);
        assert!(!rates.admit("g", Priority::High, 24), "a token takes 25 ms");
        assert!(rates.admit("g", Priority::High, 25));
        assert!(rates.admit("other", Priority::Lowest, 25), "per group");
    }

    #[test]
    fn a_deployment_sets_its_own_rate() {
        let mut rates = GroupRates::new(1000);
        let normal = (0..2000)
            .take_while(|_| rates.admit("g", Priority::Normal, 0))
            .count();
        assert_eq!(normal, 750);
    }
}
