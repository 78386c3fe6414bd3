//! # tinyim-server
//!
//! The server tinyim clients talk to: TCP, an embedded SQLite store,
//! TLSSigAPIv2 UserSig authentication, durable and ordered delivery.
//!
//! - [`engine`]: the domain logic without I/O, over the [`store::Store`] trait.
//! - [`store`]: SQLite (WAL) in one file by default.
//! - [`net`]: the tokio front end: handshake, framing, deadlines, rate limits.
//! - [`usersig`]: TLSSigAPIv2 mint and verify.
//! - [`logs`]: the log output (text or JSON).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod conn_table;
pub mod engine;
pub mod logs;
pub mod media;
pub mod media_variants;
pub mod net;
pub mod open_files;
mod rate;
pub mod resume;
mod stats;
pub mod store;
pub mod usersig;
