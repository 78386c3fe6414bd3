//! embassy-time as the core's clock.

use tinyim_core::time::Instant;

/// The clock of `embassy-time`, in milliseconds since boot.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbassyClock;

impl EmbassyClock {
    /// Now, as the driver reads it: also the first [`Instant`] an
    /// application needs, for `Client::new`.
    pub fn now(self) -> Instant {
        Instant::from_millis(millis_since_boot())
    }
}

impl tinyim_driver::Clock for EmbassyClock {
    fn now(&self) -> Instant {
        EmbassyClock::now(*self)
    }

    async fn sleep_until(&self, at: Instant) {
        embassy_time::Timer::at(embassy_time::Instant::from_millis(at.as_millis())).await;
    }
}

/// Ticks in a millisecond, where the tick rate is a whole number of
/// kilohertz that [`divide_by_digit_sized`] can divide by.
const TICKS_PER_MS: Option<u32> = {
    let per_ms = embassy_time::TICK_HZ / 1000;
    if embassy_time::TICK_HZ % 1000 == 0 && per_ms > 0 && per_ms <= u16::MAX as u64 {
        Some(per_ms as u32)
    } else {
        None
    }
};

/// Milliseconds since boot. `embassy_time::Instant::as_millis` divides a
/// `u64`, which 32-bit targets do in a library routine: 900 bytes of flash
/// on the RP2040, whose Cortex-M0+ divides nothing in hardware, and a few
/// hundred cycles each time the driver reads the clock. At the usual tick
/// rates (1 MHz on the RP2040 and the ESP32-C3) the same quotient comes
/// from four 32-bit divisions instead.
fn millis_since_boot() -> u64 {
    let now = embassy_time::Instant::now();
    match TICKS_PER_MS {
        Some(per_ms) => divide_by_digit_sized(now.as_ticks(), per_ms),
        None => now.as_millis(),
    }
}

/// `dividend / divisor` for a divisor of at most 16 bits, by long division
/// in 16-bit digits: each step divides a remainder below the divisor,
/// shifted up by a digit, which fits in 32 bits.
fn divide_by_digit_sized(dividend: u64, divisor: u32) -> u64 {
    debug_assert!(divisor > 0 && divisor <= u32::from(u16::MAX));
    let mut quotient = 0u64;
    let mut remainder = 0u32;
    for shift in [48, 32, 16, 0] {
        let current = (remainder << 16) | ((dividend >> shift) as u32 & 0xffff);
        quotient = (quotient << 16) | u64::from(current / divisor);
        remainder = current % divisor;
    }
    quotient
}

#[cfg(test)]
mod tests {
    use super::divide_by_digit_sized;

    #[test]
    fn long_division_by_a_digit_matches_the_u64_division() {
        let dividends = [
            0,
            1,
            999,
            1_000,
            65_535,
            65_536,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 1,
            1_733_568_000_123_456,
            u64::MAX - 1,
            u64::MAX,
        ];
        for divisor in [1, 2, 7, 32, 1_000, 32_768, 65_535] {
            for dividend in dividends {
                assert_eq!(
                    divide_by_digit_sized(dividend, divisor),
                    dividend / u64::from(divisor),
                    "{dividend} / {divisor}"
                );
            }
        }
    }
}
