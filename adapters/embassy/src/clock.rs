//! embassy-time as the core's clock.

use tinyim_core::time::Instant;

/// The clock of `embassy-time`, in milliseconds since boot.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbassyClock;

impl tinyim_driver::Clock for EmbassyClock {
    fn now(&self) -> Instant {
        Instant::from_millis(embassy_time::Instant::now().as_millis())
    }

    async fn sleep_until(&self, at: Instant) {
        embassy_time::Timer::at(embassy_time::Instant::from_millis(at.as_millis())).await;
    }
}
