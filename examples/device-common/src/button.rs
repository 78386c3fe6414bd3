//! The button that sends a message.

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_embassy::{Handle, HandleError, Sent};

/// Sends "button pressed (n)" to [`crate::settings::PEER`] each time
/// `press` completes, reporting every outcome to `report`; presses within
/// 200 ms of a send count as bounces of the same press.
pub async fn send_on_press<M: RawMutex, const EVENTS: usize>(
    tim: Handle<'_, M, EVENTS>,
    mut press: impl AsyncFnMut(),
    mut report: impl FnMut(Result<Sent, HandleError>),
) -> ! {
    let mut presses = 0u32;
    loop {
        press().await;
        presses = presses.wrapping_add(1);
        let mut text = heapless::String::<32>::new();
        // 32 bytes hold the longest such text.
        let _ = core::fmt::write(&mut text, format_args!("button pressed ({presses})"));
        report(tim.send_text(crate::settings::PEER, &text).await);
        embassy_time::Timer::after_millis(200).await;
    }
}
