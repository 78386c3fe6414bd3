//! What the tinyim firmware examples share: settings baked in at build time,
//! the sync state kept in flash, the button that sends a message, and the
//! LED a custom message switches.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod button;
mod led;
pub mod settings;
mod store;
#[cfg(feature = "tls")]
mod tls;

pub use button::send_on_press;
pub use led::{answer_switches, led_command, Switches};
pub use store::{FlashStore, Restored};
#[cfg(feature = "tls")]
pub use tls::over_tls;
