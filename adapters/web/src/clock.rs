//! The browser's clocks as the core's: `performance.now()` for instants (it
//! never goes back, unlike the wall clock) and `setTimeout` for sleeping.

use tinyim_core::time::Instant;

/// Milliseconds since the page's time origin.
pub(crate) struct BrowserClock {
    performance: Option<web_sys::Performance>,
}

impl BrowserClock {
    pub(crate) fn new() -> Self {
        Self {
            performance: web_sys::window().and_then(|w| w.performance()),
        }
    }
}

impl tinyim_driver::Clock for BrowserClock {
    fn now(&self) -> Instant {
        let ms = match &self.performance {
            Some(performance) => performance.now(),
            // A worker without `window`: the wall clock is all there is.
            None => js_sys::Date::now(),
        };
        Instant::from_millis(ms as u64)
    }

    async fn sleep_until(&self, at: Instant) {
        let wait = at.as_millis().saturating_sub(self.now().as_millis());
        // setTimeout takes at most 2^31-1 ms; the core wakes sooner anyway.
        let wait = wait.min(i32::MAX as u64) as u32;
        gloo_timers::future::TimeoutFuture::new(wait).await;
    }
}
