//! Client configuration.

use crate::time::Duration;
use crate::wire::body::DeviceClass;

/// Tunables of the client. `Config::new()` gives working defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// This client's device class; a second login on the same class kicks the first.
    pub device: DeviceClass,
    /// Deadline of every request except sends.
    pub request_timeout: Duration,
    /// Deadline of a send, reconnects included; the message is resent on
    /// every reconnect until then.
    pub send_timeout: Duration,
    /// Time allowed to open the transport (a TCP connection and, over TLS,
    /// its handshake); past it the attempt is given up (`poll_close`) and
    /// retried after the backoff, so a server that accepts and then stays
    /// silent, or a network that drops the connection attempts, cannot
    /// stall the client.
    pub connect_timeout: Duration,
    /// Time allowed for the handshake after the transport opens.
    pub handshake_timeout: Duration,
    /// First reconnect delay; doubles per failed attempt, with jitter.
    pub reconnect_min: Duration,
    /// Largest reconnect delay.
    pub reconnect_max: Duration,
    /// Messages asked for per page when fetching missed messages.
    pub fetch_page: u16,
}

impl Config {
    /// Defaults: 10 s requests, 30 s sends, 0.5 s to 30 s reconnect backoff.
    pub const fn new(device: DeviceClass) -> Self {
        Config {
            device,
            request_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            fetch_page: 64,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(DeviceClass::Desktop)
    }
}
