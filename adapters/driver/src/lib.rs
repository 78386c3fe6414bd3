//! # tinyim-driver
//!
//! The driver loop of tinyim, written once for every runtime: it waits for
//! bytes, commands and timers, feeds them to the sans-IO
//! [`tinyim_core::Client`], writes what it asks, and hands events to the
//! application. It makes no protocol decision: when to dial, close, resend
//! or resync all come from the core.
//!
//! `no_std`, no allocation. A runtime supplies three things:
//! - a [`Transport`]: an `embedded-io-async` stream that can (re)connect, such
//!   as embassy-net's `TcpSocket` or a tokio `TcpStream` wrapped by
//!   `embedded-io-adapters`;
//! - a [`Clock`]: the time now and a way to sleep until an instant;
//! - a [`Host`]: where commands come from and events go.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use core::future::Future;

use embassy_futures::select::{select, select3, Either, Either3};
use embedded_io_async::{Read, Write};
use tinyim_core::time::Instant;
use tinyim_core::{Client, Event};

/// A byte stream that can be opened again after it closed.
pub trait Transport: Read + Write {
    /// Opens the connection (closing any previous one first).
    fn connect(&mut self) -> impl Future<Output = Result<(), Self::Error>>;
    /// Closes the connection; reads and writes fail until the next `connect`.
    fn close(&mut self);
}

/// The runtime's clock.
pub trait Clock {
    /// The time now, on the same scale as every other instant given to the core.
    fn now(&self) -> Instant;
    /// Completes at `at` (at once if it has passed).
    fn sleep_until(&self, at: Instant) -> impl Future<Output = ()>;
}

/// The application side: commands in, events out.
pub trait Host {
    /// A request from the application.
    type Command;
    /// The next command; pending while there is none.
    fn command(&mut self) -> impl Future<Output = Self::Command>;
    /// Another command if one is waiting right now, so that a burst of them
    /// goes out in one write. The default waits for none.
    fn try_command(&mut self) -> Option<Self::Command> {
        None
    }
    /// Hands a command to the client; `false` stops the driver.
    fn apply(&mut self, client: &mut Client<'_>, now: Instant, command: Self::Command) -> bool;
    /// Takes one event. While this is pending the driver reads nothing more,
    /// so a slow application slows the connection instead of losing events.
    fn event(&mut self, event: Event<'_>) -> impl Future<Output = ()>;
    /// Called after a run of events was taken, with the client readable again
    /// (for example to save its sync state).
    fn drained(&mut self, client: &Client<'_>) -> impl Future<Output = ()> {
        let _ = client;
        async {}
    }
}

/// Waiting commands applied together before the driver writes.
const BURST: usize = 64;

enum Wake<C> {
    Read(usize),
    ReadFailed,
    Command(C),
    Timer,
}

/// Runs the client until the host's `apply` returns `false`. The driver has
/// no buffers of its own: the transport reads into and writes from the
/// client's buffers.
pub async fn run<T: Transport, K: Clock, H: Host>(
    client: &mut Client<'_>,
    transport: &mut T,
    clock: &K,
    host: &mut H,
) {
    let mut connected = false;
    loop {
        let now = clock.now();
        if client.poll_timeout().is_some_and(|t| t <= now) {
            client.handle_timeout(now);
        }
        if client.poll_close() && connected {
            transport.close();
            connected = false;
        }
        if !connected && client.poll_connect(clock.now()) {
            // Commands are still served while the transport opens.
            loop {
                match select(transport.connect(), host.command()).await {
                    Either::First(Ok(())) => {
                        connected = true;
                        client.connection_opened(clock.now());
                        break;
                    }
                    Either::First(Err(_)) => {
                        client.connection_lost(clock.now());
                        break;
                    }
                    Either::Second(command) => {
                        if !host.apply(client, clock.now(), command) {
                            return;
                        }
                    }
                }
            }
        }
        if connected {
            let mut wrote = false;
            let mut failed = false;
            while let Some(chunk) = client.transmit_chunk() {
                match transport.write(chunk).await {
                    Ok(n) if n > 0 => {
                        client.transmit_done(n);
                        wrote = true;
                    }
                    _ => {
                        failed = true;
                        break;
                    }
                }
            }
            if failed || (wrote && transport.flush().await.is_err()) {
                transport.close();
                connected = false;
                client.connection_lost(clock.now());
            }
        }
        let mut progressed = false;
        while let Some(event) = client.poll_event() {
            progressed = true;
            host.event(event).await;
        }
        if progressed {
            host.drained(client).await;
            continue;
        }
        if connected && !client.transmit_idle() {
            continue;
        }

        let wake_at = client.poll_timeout();
        let input = client.input_buffer();
        let read = async {
            // An empty input buffer is full of frames the application has not
            // read; the events above drain it, so wait for something else.
            if connected && !input.is_empty() {
                match transport.read(input).await {
                    Ok(0) | Err(_) => Wake::ReadFailed,
                    Ok(n) => Wake::Read(n),
                }
            } else {
                core::future::pending().await
            }
        };
        let timer = async {
            match wake_at {
                Some(at) => clock.sleep_until(at).await,
                None => core::future::pending().await,
            }
        };
        let woke = match select3(read, host.command(), timer).await {
            Either3::First(w) => w,
            Either3::Second(command) => Wake::Command(command),
            Either3::Third(()) => Wake::Timer,
        };
        match woke {
            Wake::Read(n) => client.input_written(clock.now(), n),
            Wake::ReadFailed => {
                transport.close();
                connected = false;
                client.connection_lost(clock.now());
            }
            Wake::Command(command) => {
                if !host.apply(client, clock.now(), command) {
                    return;
                }
                // Apply what else is waiting before writing: one write for a
                // burst of sends instead of one each.
                for _ in 0..BURST {
                    let Some(command) = host.try_command() else {
                        break;
                    };
                    if !host.apply(client, clock.now(), command) {
                        return;
                    }
                }
            }
            Wake::Timer => client.handle_timeout(clock.now()),
        }
    }
}
