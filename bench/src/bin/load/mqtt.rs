//! The same shapes against an MQTT broker (mosquitto, or ejabberd's
//! `mod_mqtt`), with rumqttc clients at QoS1 and TCP_NODELAY, over TLS when
//! the run is a TLS one.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rumqttc::{
    AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};
use tokio::sync::watch;
use tokio_rustls::rustls::ClientConfig;

use crate::shapes::{payload, stamp_at, Latency, Recorder, PATIENCE, WINDOW};

/// The TLS client configuration, once `use_tls` set it.
static TLS: OnceLock<Arc<ClientConfig>> = OnceLock::new();

/// Makes every client connect over TLS with `config`.
pub fn use_tls(config: Arc<ClientConfig>) {
    let _ = TLS.set(config);
}

fn connect(port: u16, id: &str, inflight: u16) -> (AsyncClient, EventLoop) {
    let mut options = MqttOptions::new(id, "127.0.0.1", port);
    if let Some(config) = TLS.get() {
        options.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
            config.clone(),
        )));
    }
    // ejabberd logs MQTT clients in as users of its domain (anonymously
    // here); mosquitto allows anonymous clients and ignores the name.
    options.set_credentials(format!("{id}@localhost"), "load");
    options.set_keep_alive(Duration::from_secs(60));
    options.set_inflight(inflight);
    options.set_max_packet_size(64 * 1024, 64 * 1024);
    let (client, mut eventloop) = AsyncClient::new(options, 1024);
    let mut network = eventloop.network_options();
    network.set_tcp_nodelay(true);
    eventloop.set_network_options(network);
    (client, eventloop)
}

/// Drives an event loop, calling `on` for every incoming packet; returns a
/// receiver that turns true once the client is connected.
fn drive(
    mut eventloop: EventLoop,
    mut on: impl FnMut(&Packet) + Send + 'static,
) -> watch::Receiver<bool> {
    let (connected, ready) = watch::channel(false);
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(packet)) => {
                    if matches!(packet, Packet::ConnAck(_) | Packet::SubAck(_)) {
                        let _ = connected.send(true);
                    }
                    on(&packet);
                }
                Ok(Event::Outgoing(_)) => {}
                Err(_) => return,
            }
        }
    });
    ready
}

async fn ready(mut r: watch::Receiver<bool>) {
    tokio::time::timeout(PATIENCE, r.wait_for(|c| *c))
        .await
        .expect("connected in time")
        .expect("event loop alive");
}

/// A subscriber to `topic` that counts publishes up to `n`, then signals.
async fn subscriber(
    port: u16,
    id: &str,
    topic: &str,
    n: usize,
    mut each: impl FnMut(&[u8]) + Send + 'static,
) -> (AsyncClient, tokio::sync::oneshot::Receiver<()>) {
    let (client, eventloop) = connect(port, id, 100);
    let (done_tx, done) = tokio::sync::oneshot::channel();
    let mut done_tx = Some(done_tx);
    let mut got = 0;
    let (subscribed_tx, subscribed) = watch::channel(false);
    let ready_rx = drive(eventloop, move |p| match p {
        Packet::Publish(publish) => {
            each(&publish.payload);
            got += 1;
            if got == n {
                if let Some(tx) = done_tx.take() {
                    let _ = tx.send(());
                }
            }
        }
        Packet::SubAck(_) => {
            let _ = subscribed_tx.send(true);
        }
        _ => {}
    });
    ready(ready_rx).await;
    client
        .subscribe(topic, QoS::AtLeastOnce)
        .await
        .expect("subscribe queued");
    ready(subscribed).await;
    (client, done)
}

/// A publisher whose acknowledged publishes are counted; resolves the
/// returned receiver once `n` are acknowledged.
async fn publisher(
    port: u16,
    id: &str,
    n: usize,
    window: u16,
) -> (AsyncClient, tokio::sync::oneshot::Receiver<()>) {
    let (client, eventloop) = connect(port, id, window);
    let (done_tx, done) = tokio::sync::oneshot::channel();
    let mut done_tx = Some(done_tx);
    let mut acked = 0;
    let r = drive(eventloop, move |p| {
        if matches!(p, Packet::PubAck(_)) {
            acked += 1;
            if acked == n {
                if let Some(tx) = done_tx.take() {
                    let _ = tx.send(());
                }
            }
        }
    });
    ready(r).await;
    (client, done)
}

async fn finished(done: tokio::sync::oneshot::Receiver<()>) {
    tokio::time::timeout(PATIENCE, done)
        .await
        .expect("finished in time")
        .expect("the counter is alive");
}

/// Shape 1: QoS1 publishes a second from one client to one subscriber,
/// each acknowledged by the broker.
pub async fn c2c(port: u16, n: usize, window: u16) -> f64 {
    let (_sub, received) = subscriber(port, "c2c-recv", "im/c2c-recv", n, |_| {}).await;
    let (publisher, acked) = publisher(port, "c2c-send", n, window).await;
    let start = Instant::now();
    for _ in 0..n {
        publisher
            .publish("im/c2c-recv", QoS::AtLeastOnce, false, payload())
            .await
            .expect("queued");
    }
    finished(acked).await;
    let rate = n as f64 / start.elapsed().as_secs_f64();
    finished(received).await;
    rate
}

/// Shape 2: one publisher, `members` subscribers of one topic; deliveries a
/// second until every subscriber has every message.
pub async fn fanout(port: u16, members: usize, n: usize, window: u16) -> f64 {
    let mut done = Vec::new();
    let mut keep = Vec::new();
    for i in 0..members {
        let (client, d) = subscriber(port, &format!("fan{i}"), "im/fanout", n, |_| {}).await;
        keep.push(client);
        done.push(d);
    }
    let (publisher, _acked) = publisher(port, "fan-send", n, window).await;
    let start = Instant::now();
    for _ in 0..n {
        publisher
            .publish("im/fanout", QoS::AtLeastOnce, false, payload())
            .await
            .expect("queued");
    }
    for d in done {
        finished(d).await;
    }
    (n * members) as f64 / start.elapsed().as_secs_f64()
}

/// Shape 3: `pairs` publisher/subscriber pairs at `per_pair` messages a
/// second for `seconds`; end-to-end latency of every message.
pub async fn latency(port: u16, pairs: usize, per_pair: u32, seconds: u32) -> Latency {
    let recorder = Recorder::new();
    let total = (per_pair * seconds) as usize;
    let mut done = Vec::new();
    let mut publishers = Vec::new();
    for p in 0..pairs {
        let recorder = recorder.clone();
        let (sub, d) = subscriber(
            port,
            &format!("lat-recv{p}"),
            &format!("im/lat{p}"),
            total,
            move |bytes| {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    recorder.record(text);
                }
            },
        )
        .await;
        done.push((sub, d));
        let (publisher, acked) =
            publisher(port, &format!("lat-send{p}"), total, WINDOW as u16).await;
        publishers.push((publisher, acked));
    }
    let mut pacers = tokio::task::JoinSet::new();
    for (p, (publisher, _acked)) in publishers.into_iter().enumerate() {
        let pace = recorder.pace(per_pair, p, pairs);
        pacers.spawn(async move {
            for k in 0..total as u32 {
                pace.wait(k).await;
                // Stamped when handed to the client, like the tinyim side;
                // rumqttc's own window (inflight) holds it back when full.
                publisher
                    .publish(
                        format!("im/lat{p}"),
                        QoS::AtLeastOnce,
                        false,
                        stamp_at(pace.now()),
                    )
                    .await
                    .expect("queued");
            }
        });
    }
    pacers.join_all().await;
    for (_sub, d) in done {
        finished(d).await;
    }
    recorder.latency()
}
