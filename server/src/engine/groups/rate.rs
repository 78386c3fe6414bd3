//! Per-group message rate (TIM: 40 a second per group) with priorities:
//! each priority below High leaves a reserve of the bucket untouched, so
//! when a group is over its rate the lowest priorities are refused first.

use std::collections::HashMap;

use tinyim_core::wire::group::Priority;

use super::rules::MESSAGES_PER_SECOND;

/// One token is this many milli-tokens; integer math keeps it exact.
const MILLI: u64 = 1000;
/// The bucket holds one second of messages.
const CAPACITY: u64 = MESSAGES_PER_SECOND as u64 * MILLI;
/// Buckets kept before full (idle) ones are dropped.
const PRUNE_AT: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    milli_tokens: u64,
    at_ms: u64,
}

/// The buckets of the groups that sent recently.
#[derive(Debug, Default)]
pub(crate) struct GroupRates {
    buckets: HashMap<String, Bucket>,
}

/// Milli-tokens a priority must leave in the bucket.
fn reserve(priority: Priority) -> u64 {
    let quarter = CAPACITY / 4;
    match priority {
        Priority::High => 0,
        Priority::Normal => quarter,
        Priority::Low => 2 * quarter,
        Priority::Lowest => 3 * quarter,
    }
}

impl GroupRates {
    /// Takes one message's token from `group`'s bucket at `now_ms`; false
    /// when the group is over its rate for this priority.
    pub(crate) fn admit(&mut self, group: &str, priority: Priority, now_ms: u64) -> bool {
        if self.buckets.len() >= PRUNE_AT {
            self.prune(now_ms);
        }
        let bucket = self.buckets.entry(group.to_owned()).or_insert(Bucket {
            milli_tokens: CAPACITY,
            at_ms: now_ms,
        });
        refill(bucket, now_ms);
        if bucket.milli_tokens < reserve(priority) + MILLI {
            return false;
        }
        bucket.milli_tokens -= MILLI;
        true
    }

    fn prune(&mut self, now_ms: u64) {
        self.buckets.retain(|_, bucket| {
            refill(bucket, now_ms);
            bucket.milli_tokens < CAPACITY
        });
    }
}

fn refill(bucket: &mut Bucket, now_ms: u64) {
    let elapsed = now_ms.saturating_sub(bucket.at_ms);
    // 40 tokens a second is 40 milli-tokens a millisecond.
    let gained = elapsed.saturating_mul(u64::from(MESSAGES_PER_SECOND));
    bucket.milli_tokens = bucket.milli_tokens.saturating_add(gained).min(CAPACITY);
    bucket.at_ms = bucket.at_ms.max(now_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_a_second_and_high_priority_goes_last_to_be_refused() {
        let mut rates = GroupRates::default();
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
}
