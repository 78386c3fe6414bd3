//! Shape 7: a crowd of logged-in idle clients (100 000 by default) spread
//! over several loopback source addresses, the server's memory per client,
//! the time to log them all in, and delivery latency while 1 % of them
//! are active.

use std::net::Ipv4Addr;

use crate::process::Server;
use crate::report::{Row, System};
use crate::shapes::Latency;
use crate::{idle, mqtt, tinyim};

/// Source addresses the crowd connects from: one address has about 28 000
/// ports towards one server, eight have room for 200 000 clients.
const SOURCES: [Ipv4Addr; 8] = [
    Ipv4Addr::new(127, 0, 1, 1),
    Ipv4Addr::new(127, 0, 1, 2),
    Ipv4Addr::new(127, 0, 1, 3),
    Ipv4Addr::new(127, 0, 1, 4),
    Ipv4Addr::new(127, 0, 1, 5),
    Ipv4Addr::new(127, 0, 1, 6),
    Ipv4Addr::new(127, 0, 1, 7),
    Ipv4Addr::new(127, 0, 1, 8),
];

/// Files the load tool and each server keep open beside the crowd's
/// sockets (the active pairs, the store, the listeners).
const SPARE_FILES: u64 = 3_000;

/// Messages a second each active sender sends.
const ACTIVE_RATE: u32 = 10;

/// The crowd's size on this machine: `wanted`, or fewer when a process may
/// not open that many files (`limit`; the load tool holds one end of every
/// connection, the server the other).
pub fn size(wanted: usize, limit: u64) -> usize {
    let room = limit.saturating_sub(SPARE_FILES) as usize;
    if room < wanted {
        eprintln!(
            "a process may open {limit} files here: the crowd is {room} clients, not {wanted} \
             (raise the hard limit, `ulimit -Hn`, for the full crowd)"
        );
    }
    wanted.min(room)
}

/// The crowd's figures of one system in one run.
pub struct Figures {
    /// The server's resident memory per idle client, in bytes.
    pub rss_per_client: f64,
    /// Milliseconds from the first connection to the last login answered.
    pub login_ms: f64,
    /// Delivery latency of the active 1 %.
    pub latency: Latency,
}

/// The crowd's rows, for `n` clients.
pub fn rows(n: usize) -> [Row; 3] {
    [
        Row::new(
            format!("{n} logged-in idle clients"),
            "server RSS bytes/client",
            false,
            "<= 717 (0.7 KiB)",
        ),
        Row::new(format!("log in {n} clients"), "ms", false, ""),
        Row::new(
            format!(
                "latency p99, 1% of {n} active ({} pairs at {ACTIVE_RATE} msg/s)",
                active_pairs(n)
            ),
            "us",
            false,
            "",
        ),
    ]
}

/// Sender/receiver pairs among the active 1 % of `n`.
fn active_pairs(n: usize) -> usize {
    (n / 200).max(1)
}

/// Opens the crowd of `n` against `server` (MQTT clients when `mqtt`), then
/// measures `seconds` of latency for its active 1 % while the crowd stays
/// connected.
pub async fn run(server: &Server, n: usize, mqtt: bool, seconds: u32) -> Figures {
    let crowd = idle::crowd(server, n, mqtt, None, &SOURCES).await;
    let pairs = active_pairs(n);
    let latency = if mqtt {
        mqtt::latency(server.port(), pairs, ACTIVE_RATE, seconds).await
    } else {
        tinyim::latency(&server.addr, pairs, ACTIVE_RATE, seconds).await
    };
    drop(crowd.streams);
    Figures {
        rss_per_client: crowd.rss_per_client,
        login_ms: crowd.took.as_secs_f64() * 1000.0,
        latency,
    }
}

impl Figures {
    /// Adds these figures to the crowd's rows, as `system`'s.
    pub fn record(&self, rows: &mut [Row; 3], system: System) {
        rows[0].push(system, self.rss_per_client);
        rows[1].push(system, self.login_ms);
        rows[2].push(system, self.latency.p99 as f64);
    }
}
