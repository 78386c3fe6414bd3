//! The load shapes against tinyim, with tinyim-tokio clients (the core and
//! the shared driver, as applications use them).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use tinyim_tokio::{EventStream, GroupOptions, GroupType, Options, Tim, TimEvent};

use crate::process::{APP_ID, KEY};
use crate::shapes::{payload, send_paced, Latency, Recorder, PATIENCE};

fn sig(user: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tinyim_server::usersig::mint(APP_ID, KEY, user, 86_400, now)
}

/// The clients' options: TLS once [`use_tls`] was called.
static OPTIONS: OnceLock<Options> = OnceLock::new();

/// Makes every client connect over TLS, trusting `tls`'s CA.
pub fn use_tls(tls: &crate::process::Tls) {
    let tls = tinyim_tokio::Tls::with_ca_pem(tls.ca_pem.as_bytes(), "localhost").expect("the CA");
    let _ = OPTIONS.set(Options {
        tls: Some(tls),
        ..Options::default()
    });
}

/// The `i`-th client's address list: `addrs` (one address, or a cluster's
/// nodes separated by commas) starting at its `i`-th node, so clients
/// spread over the nodes.
fn nth(addrs: &str, i: usize) -> String {
    let nodes: Vec<&str> = addrs.split(',').collect();
    let first = i % nodes.len();
    let mut order = nodes[first..].to_vec();
    order.extend(&nodes[..first]);
    order.join(",")
}

/// A logged-in client whose first sync has completed.
async fn client(addr: &str, user: &str) -> (Tim, EventStream) {
    let options = OPTIONS.get().cloned().unwrap_or_default();
    let (tim, mut events) = Tim::connect(addr, options);
    tim.login(user, &sig(user)).await.expect("login");
    until(&mut events, |e| *e == TimEvent::SyncComplete).await;
    (tim, events)
}

async fn until(events: &mut EventStream, mut want: impl FnMut(&TimEvent) -> bool) {
    tokio::time::timeout(PATIENCE, async {
        while let Some(e) = events.recv().await {
            if want(&e) {
                return;
            }
        }
        panic!("event stream ended");
    })
    .await
    .expect("the awaited event came in time");
}

/// Reads and drops a client's events in a task of their own: an unread
/// stream fills up, and the client then stops to wait for it.
fn discard(mut events: EventStream) {
    tokio::spawn(async move { while events.recv().await.is_some() {} });
}

/// Counts received messages until `n`, in a task of its own.
fn count_received(mut events: EventStream, n: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut got = 0;
        until(&mut events, |e| {
            got += usize::from(matches!(e, TimEvent::MessageReceived(_)));
            got >= n
        })
        .await;
    })
}

/// Sends `n` messages from `tim` with at most `window` unacknowledged, as
/// the MQTT side's publisher does: the sends in flight are futures of one
/// task, not a task each.
async fn send_windowed(tim: &Tim, n: usize, window: usize, to: &str, group: bool) {
    let send = |text: String| async move {
        let sent = if group {
            tim.send_group_text(to, &text).await
        } else {
            tim.send_text(to, &text).await
        };
        sent.expect("durably acknowledged");
    };
    let mut in_flight = FuturesUnordered::new();
    for _ in 0..n {
        if in_flight.len() >= window {
            in_flight.next().await;
        }
        in_flight.push(send(payload()));
    }
    while in_flight.next().await.is_some() {}
}

/// Shape 1: one sender, one receiver; messages a second, each durably
/// acknowledged before it counts.
pub async fn c2c(addr: &str, n: usize, window: usize) -> f64 {
    let (_receiver, receiver_events) = client(&nth(addr, 0), "c2c-recv").await;
    let (sender, sender_events) = client(&nth(addr, 1), "c2c-send").await;
    discard(sender_events);
    let received = count_received(receiver_events, n);
    let start = Instant::now();
    send_windowed(&sender, n, window, "c2c-recv", false).await;
    let rate = n as f64 / start.elapsed().as_secs_f64();
    received.await.expect("every message received");
    rate
}

/// Shape 2: one sender, a group of `members` online members; deliveries a
/// second until every member has every message.
pub async fn fanout(addr: &str, members: usize, n: usize, window: usize) -> f64 {
    let (sender, sender_events) = client(&nth(addr, 0), "fan-send").await;
    discard(sender_events);
    let mut options = GroupOptions::new(GroupType::Community, "fanout");
    options.group_id = Some("fanout".into());
    options.members = (0..members).map(|i| format!("fan{i}")).collect();
    sender.create_group(options).await.expect("group created");
    let mut counters = Vec::new();
    let mut keep = Vec::new();
    for i in 0..members {
        let (tim, events) = client(&nth(addr, i + 1), &format!("fan{i}")).await;
        counters.push(count_received(events, n));
        keep.push(tim);
    }
    let start = Instant::now();
    send_windowed(&sender, n, window, "fanout", true).await;
    for c in counters {
        c.await.expect("every member got every message");
    }
    (n * members) as f64 / start.elapsed().as_secs_f64()
}

/// Shape 3: `pairs` sender/receiver pairs, each sending `per_pair` messages
/// a second for `seconds`; end-to-end latency of every message.
pub async fn latency(addr: &str, pairs: usize, per_pair: u32, seconds: u32) -> Latency {
    let recorder = Recorder::new();
    let total = (per_pair * seconds) as usize;
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    let mut keep = Vec::new();
    for p in 0..pairs {
        let (receiver, mut events) = client(addr, &format!("lat-recv{p}")).await;
        keep.push(receiver);
        let (sender, sender_events) = client(addr, &format!("lat-send{p}")).await;
        discard(sender_events);
        let recorder = recorder.clone();
        receivers.push(tokio::spawn(async move {
            let mut got = 0;
            until(&mut events, |e| {
                if let TimEvent::MessageReceived(m) = e {
                    got += usize::from(m.payload.text().is_some_and(|t| recorder.record(t)));
                }
                got >= total
            })
            .await;
        }));
        senders.push(sender);
    }
    let mut pacers = tokio::task::JoinSet::new();
    for (p, sender) in senders.into_iter().enumerate() {
        let pace = recorder.pace(per_pair, p, pairs);
        pacers.spawn(send_paced(pace, total, move |text| {
            let (sender, to) = (sender.clone(), format!("lat-recv{p}"));
            async move {
                sender.send_text(&to, &text).await.expect("sent");
            }
        }));
    }
    pacers.join_all().await;
    for r in receivers {
        r.await.expect("every message received");
    }
    recorder.latency()
}

/// Shape 5: a client offline while `senders` users send it `per_sender`
/// messages each; the time from its login to `SyncComplete` with every
/// message delivered.
pub async fn resync(addr: &str, senders: usize, per_sender: usize) -> Duration {
    let (away, mut away_events) = client(&nth(addr, 0), "resync-away").await;
    away.logout().await.expect("logout");
    let mut sending = tokio::task::JoinSet::new();
    for s in 0..senders {
        let addr = nth(addr, s + 1);
        sending.spawn(async move {
            let (tim, events) = client(&addr, &format!("resync-send{s}")).await;
            discard(events);
            send_windowed(&tim, per_sender, 32, "resync-away", false).await;
        });
    }
    sending.join_all().await;
    let start = Instant::now();
    away.login("resync-away", &sig("resync-away"))
        .await
        .expect("login");
    let mut got = 0;
    until(&mut away_events, |e| {
        got += usize::from(matches!(e, TimEvent::MessageReceived(_)));
        *e == TimEvent::SyncComplete
    })
    .await;
    let took = start.elapsed();
    assert_eq!(got, senders * per_sender, "every missed message, once");
    took
}
