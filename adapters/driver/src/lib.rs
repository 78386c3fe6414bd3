//! # tinyim-driver
//!
//! The driver loop of tinyim, written once for every runtime: it waits for
//! bytes, commands and timers, feeds them to the sans-IO
//! [`tinyim_core::Client`], writes what it asks, and hands events to the
//! application. It makes no protocol decision: when to dial, close, resend
//! or resync all come from the core.
//!
//! `no_std`, no allocation. A runtime supplies three things:
//! - a [`Connector`]: opens connections, each an `embedded-io-async` byte
//!   stream, such as embassy-net's `TcpSocket`, a tokio `TcpStream` wrapped
//!   by `embedded-io-adapters`, or a TLS session over either;
//! - a [`Clock`]: the time now and a way to sleep until an instant;
//! - a [`Host`]: where commands come from and events go.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use core::future::Future;
use core::pin::pin;

use embassy_futures::select::{select3, Either3};
use embedded_io_async::{Read, Write};
use tinyim_core::time::Instant;
use tinyim_core::{Client, Event};

/// Opens connections to the server, one at a time.
///
/// A connection may borrow the connector (its socket, its buffers) for as
/// long as it is open: the driver drops it, which closes it, before asking
/// for the next. So a TLS session whose record buffers the connector owns
/// can be opened again after every disconnect.
pub trait Connector {
    /// An open connection; dropping it closes it.
    type Connection<'c>: Read + Write
    where
        Self: 'c;
    /// Why a connection could not be opened, in words for the host (see
    /// [`Host::connect_failed`]).
    type Error: core::fmt::Display + Sync;
    /// Opens a connection (the previous one is already dropped).
    fn connect(&mut self) -> impl Future<Output = Result<Self::Connection<'_>, Self::Error>>;
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
    /// An attempt to open a connection failed with `error`; the core dials
    /// again after its backoff. The default ignores it.
    fn connect_failed(
        &mut self,
        error: &(dyn core::fmt::Display + Sync),
    ) -> impl Future<Output = ()> {
        let _ = error;
        async {}
    }
    /// Called after a run of events was taken, with the client readable again
    /// (for example to save its sync state).
    fn drained(&mut self, client: &Client<'_>) -> impl Future<Output = ()> {
        let _ = client;
        async {}
    }
}

/// Waiting commands applied together before the driver writes.
const BURST: usize = 64;

/// What a wait ended with.
enum Wake<C> {
    Read(usize),
    ReadFailed,
    Command(C),
    Timer,
}

/// What the driver does after a wait.
enum Next {
    Go,
    /// The connection broke.
    Lost,
    /// The host's `apply` returned `false`.
    Stop,
}

/// Runs the client until the host's `apply` returns `false`. The driver has
/// no buffers of its own: connections read into and write from the
/// client's buffers.
pub async fn run<C: Connector, K: Clock, H: Host>(
    client: &mut Client<'_>,
    connector: &mut C,
    clock: &K,
    host: &mut H,
) {
    // The core asked to connect and no connection is open yet.
    let mut dialing = false;
    loop {
        expire(client, clock);
        // Nothing is open: a close the core asks for is already done.
        let _ = client.poll_close();
        dialing = dialing || client.poll_connect(clock.now());
        if dialing {
            dialing = false;
            // Matched out in the `let`: only the connection stays alive
            // while it is served, not the enum it came in.
            let mut connection = match open(client, connector, clock, host).await {
                Opened::Connection(connection) => connection,
                Opened::Stop => return,
                // The core gave the attempt up (its connect deadline passed).
                Opened::Abandoned => continue,
                Opened::Failed(error) => {
                    client.connection_lost(clock.now());
                    host.connect_failed(&error).await;
                    continue;
                }
            };
            client.connection_opened(clock.now());
            if !serve(client, &mut connection, clock, host).await {
                return;
            }
            // `connection` is dropped here, which closes it.
            continue;
        }
        if deliver(client, host).await {
            continue;
        }
        match wait(client, None::<&mut C::Connection<'_>>, clock, host).await {
            Next::Go | Next::Lost => {}
            Next::Stop => return,
        }
    }
}

/// How an attempt to open a connection ended.
enum Opened<T, E> {
    Connection(T),
    Failed(E),
    /// The core gave it up: its deadline for opening passed.
    Abandoned,
    /// The host's `apply` returned `false`.
    Stop,
}

/// Opens a connection while commands, the core's deadlines and the events
/// they make are served; one attempt, kept across them (a command does not
/// start the connection over).
async fn open<'c, C: Connector, K: Clock, H: Host>(
    client: &mut Client<'_>,
    connector: &'c mut C,
    clock: &K,
    host: &mut H,
) -> Opened<C::Connection<'c>, C::Error> {
    let connecting = connector.connect();
    let mut connecting = pin!(connecting);
    loop {
        let wake_at = client.poll_timeout();
        let timer = async {
            match wake_at {
                Some(at) => clock.sleep_until(at).await,
                None => core::future::pending().await,
            }
        };
        match select3(connecting.as_mut(), host.command(), timer).await {
            Either3::First(Ok(connection)) => return Opened::Connection(connection),
            Either3::First(Err(error)) => return Opened::Failed(error),
            Either3::Second(command) => {
                if !apply(client, clock, host, command) {
                    return Opened::Stop;
                }
            }
            Either3::Third(()) => {
                client.handle_timeout(clock.now());
                if client.poll_close() {
                    return Opened::Abandoned;
                }
            }
        }
        // What the command or the deadline made (a login that timed out).
        deliver(client, host).await;
    }
}

/// Serves an open connection until it breaks or the core closes it; `false`
/// when the host stopped the driver.
async fn serve<T: Read + Write, K: Clock, H: Host>(
    client: &mut Client<'_>,
    connection: &mut T,
    clock: &K,
    host: &mut H,
) -> bool {
    loop {
        expire(client, clock);
        if client.poll_close() {
            return true;
        }
        if !transmit(client, connection).await {
            client.connection_lost(clock.now());
            return true;
        }
        if deliver(client, host).await || !client.transmit_idle() {
            continue;
        }
        match wait(client, Some(&mut *connection), clock, host).await {
            Next::Go => {}
            Next::Lost => {
                client.connection_lost(clock.now());
                return true;
            }
            Next::Stop => return false,
        }
    }
}

/// Lets the core act on a deadline that has passed.
fn expire<K: Clock>(client: &mut Client<'_>, clock: &K) {
    let now = clock.now();
    if client.poll_timeout().is_some_and(|t| t <= now) {
        client.handle_timeout(now);
    }
}

/// Writes what the core has to send; `false` if the connection broke.
async fn transmit<T: Write>(client: &mut Client<'_>, connection: &mut T) -> bool {
    let mut wrote = false;
    while let Some(chunk) = client.transmit_chunk() {
        match connection.write(chunk).await {
            Ok(n) if n > 0 => {
                client.transmit_done(n);
                wrote = true;
            }
            _ => return false,
        }
    }
    !wrote || connection.flush().await.is_ok()
}

/// Hands every waiting event to the host; whether there was one.
async fn deliver<H: Host>(client: &mut Client<'_>, host: &mut H) -> bool {
    let mut progressed = false;
    while let Some(event) = client.poll_event() {
        progressed = true;
        host.event(event).await;
    }
    if progressed {
        host.drained(client).await;
    }
    progressed
}

/// Applies a command and then the others already waiting, so that a burst
/// of sends goes out in one write; `false` stops the driver.
fn apply<K: Clock, H: Host>(
    client: &mut Client<'_>,
    clock: &K,
    host: &mut H,
    command: H::Command,
) -> bool {
    if !host.apply(client, clock.now(), command) {
        return false;
    }
    for _ in 0..BURST {
        let Some(command) = host.try_command() else {
            break;
        };
        if !host.apply(client, clock.now(), command) {
            return false;
        }
    }
    true
}

/// Waits for bytes from `connection` (when there is one), a command or the
/// core's next deadline, and hands it to the core.
async fn wait<T: Read, K: Clock, H: Host>(
    client: &mut Client<'_>,
    connection: Option<&mut T>,
    clock: &K,
    host: &mut H,
) -> Next {
    let wake_at = client.poll_timeout();
    let input = client.input_buffer();
    let read = async {
        // An empty input buffer is full of frames the application has not
        // read; the events drain it, so wait for something else.
        match connection {
            Some(connection) if !input.is_empty() => match connection.read(input).await {
                Ok(0) | Err(_) => Wake::ReadFailed,
                Ok(n) => Wake::Read(n),
            },
            _ => core::future::pending().await,
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
        Wake::ReadFailed => return Next::Lost,
        Wake::Command(command) => {
            if !apply(client, clock, host, command) {
                return Next::Stop;
            }
        }
        Wake::Timer => client.handle_timeout(clock.now()),
    }
    Next::Go
}
