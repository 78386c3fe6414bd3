//! # tinyim-embassy
//!
//! tinyim on embassy: a [`Runner`] task owns the connector and the sans-IO
//! core and runs the shared driver loop (`tinyim-driver`); application tasks
//! talk to it through a cheap, `Copy` [`Handle`] whose calls return when the
//! server answers. No allocation: everything lives in a [`Shared`] and a
//! `tinyim_core::Resources`, both `const`-constructible for a `StaticCell`.
//!
//! The handle has the core's commands: login and logout, text and custom
//! messages, history (as events), read receipts, the conversation and group
//! lists and the unread total (read from the client's tables), the group
//! calls, the blocklist and profiles. Calls that answer with lists hand
//! each record to a visitor in the calling task, one at a time. Each call
//! hands the runner the function that applies it, so a firmware links only
//! the commands it calls.
//!
//! A firmware that makes few calls and handles events in one place can skip
//! the runner and the handle: it implements [`tinyim_driver::Host`] itself
//! and runs `tinyim_driver::run(&mut client, &mut connector, &EmbassyClock,
//! &mut host)` in its own task, taking each event as the client lends it
//! (`scripts/footprint`'s text profile does: about 13 KB of flash fewer
//! and, with its smaller capacities, 9 KB of static RAM).
//!
//! The runner opens its connections through a [`tinyim_driver::Connector`]:
//! [`TcpConnector`] over an embassy-net `TcpSocket`, and, with the `tls`
//! feature, `TlsConnector`, TLS 1.3 (embedded-tls) over another connector.
//!
//! ```text
//! static RESOURCES: StaticCell<DeviceResources> = StaticCell::new();
//! static SHARED: Shared<CriticalSectionRawMutex, 8> = Shared::new();
//! let client = Client::new(&Config::new(DeviceClass::Embedded), RESOURCES.init(DeviceResources::new()), EmbassyClock.now(), seed);
//! let connector = TcpConnector::new(socket, server_endpoint);
//! spawner.spawn(tinyim_task(Runner::new(client, connector, &SHARED, rx_buf, tx_buf)));
//! let tim = SHARED.handle();
//! tim.login("device-1", USER_SIG).await?;
//! tim.send_text("alice", "hello from the device").await?;
//! loop { let event = tim.next_event().await; /* ... */ }
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod call;
mod clock;
mod delivery;
#[cfg(feature = "full")]
mod group_calls;
mod handle;
#[cfg(feature = "full")]
mod list_calls;
#[cfg(feature = "full")]
mod message_admin_calls;
mod message_calls;
mod owned;
mod reads;
mod runner;
mod shared;
#[cfg(feature = "embassy-net")]
mod tcp;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "full")]
pub mod upload;
#[cfg(feature = "full")]
mod user_calls;

pub use call::{GroupEntry, PageEnd};
pub use clock::EmbassyClock;
pub use handle::{Handle, HandleError, Sent};
pub use runner::{Runner, SyncStore};
pub use shared::{
    MessageKind, OwnedEvent, ReceivedMessage, ReceivedNotice, Shared, MAX_DETAIL, MAX_TEXT,
};
#[cfg(feature = "embassy-net")]
pub use tcp::{TcpConnection, TcpConnector, MAX_SERVERS};
#[cfg(feature = "tls")]
pub use tls::{TlsConnectError, TlsConnector, TlsRecords};
