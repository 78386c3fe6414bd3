//! The shapes against NATS: JetStream with a file-backed stream (each
//! acknowledged publish is on disk when the server runs with
//! `sync_interval: always`) for C2C and latency, NATS core for fan-out;
//! `async-nats` clients.

use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream, Context};
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::shapes::{payload, send_paced, Latency, Recorder, PATIENCE};

/// The stream every shape's subjects belong to.
const STREAM: &str = "IM";

async fn connect(addr: &str) -> async_nats::Client {
    let options = async_nats::ConnectOptions::new().request_timeout(Some(PATIENCE));
    options.connect(addr).await.expect("connect to nats-server")
}

/// A JetStream context with the file-backed stream `IM` over `im.>`.
/// Retried: the server accepts connections a moment before JetStream is
/// ready to create streams.
async fn context(addr: &str) -> Context {
    let js = jetstream::new(connect(addr).await);
    let config = stream::Config {
        name: STREAM.into(),
        subjects: vec!["im.>".into()],
        storage: stream::StorageType::File,
        ..Default::default()
    };
    for _ in 0..200 {
        if js.get_or_create_stream(config.clone()).await.is_ok() {
            return js;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("JetStream did not create its stream on {addr}");
}

/// A receiver of `subject`'s messages: a push consumer (its p99 latency was
/// a sixtieth of a pull consumer's here, so the peer's best) that starts at
/// new messages and takes them unacknowledged (the receiver's acks are not
/// part of the shape, which favours JetStream a little); calls `each` per
/// payload and returns once `n` arrived.
async fn receiver(
    js: &Context,
    subject: &str,
    n: usize,
    mut each: impl FnMut(&[u8]) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let stream = js.get_stream(STREAM).await.expect("the stream");
    let consumer = stream
        .create_consumer(consumer::push::Config {
            deliver_subject: format!("deliver.{subject}"),
            filter_subject: subject.into(),
            deliver_policy: consumer::DeliverPolicy::New,
            ack_policy: consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .expect("a consumer");
    let mut messages = consumer.messages().await.expect("the consumer's messages");
    tokio::spawn(async move {
        tokio::time::timeout(PATIENCE, async {
            for _ in 0..n {
                let message = messages
                    .next()
                    .await
                    .expect("the consumer stays open")
                    .expect("a message");
                each(&message.payload);
            }
        })
        .await
        .expect("every message arrived in time");
    })
}

/// Publishes `n` payloads to `subject` with at most `window` unacknowledged.
async fn publish_windowed(js: &Context, subject: &str, n: usize, window: usize) {
    let mut in_flight = FuturesUnordered::new();
    for _ in 0..n {
        if in_flight.len() >= window {
            let ack: Option<Result<_, jetstream::context::PublishError>> = in_flight.next().await;
            if let Some(ack) = ack {
                ack.expect("stored");
            }
        }
        let ack = js
            .publish(subject.to_owned(), payload().into())
            .await
            .expect("published");
        in_flight.push(async move { ack.await });
    }
    while let Some(ack) = in_flight.next().await {
        ack.expect("stored");
    }
}

/// Shape 1: one publisher, one consumer of its subject; publishes a second,
/// each counted once JetStream acknowledged it stored.
pub async fn c2c(addr: &str, n: usize, window: usize) -> f64 {
    let js = context(addr).await;
    let received = receiver(&js, "im.c2c", n, |_| {}).await;
    let start = Instant::now();
    publish_windowed(&js, "im.c2c", n, window).await;
    let rate = n as f64 / start.elapsed().as_secs_f64();
    received.await.expect("every message received");
    rate
}

/// Shape 2 on NATS core (at most once, in memory): one publisher,
/// `members` subscribers of one subject; deliveries a second until every
/// subscriber has every message.
pub async fn fanout(addr: &str, members: usize, n: usize) -> f64 {
    let mut counters = Vec::new();
    for _ in 0..members {
        let client = connect(addr).await;
        let mut subscriber = client.subscribe("im.fanout").await.expect("subscribed");
        // The server has the subscription once it answered the flush's ping.
        client.flush().await.expect("flushed");
        counters.push(tokio::spawn(async move {
            tokio::time::timeout(PATIENCE, async {
                for _ in 0..n {
                    subscriber.next().await.expect("subscription open");
                }
            })
            .await
            .expect("every message arrived in time");
        }));
    }
    let publisher = connect(addr).await;
    let start = Instant::now();
    for _ in 0..n {
        publisher
            .publish("im.fanout", payload().into())
            .await
            .expect("published");
    }
    publisher.flush().await.expect("flushed");
    for c in counters {
        c.await.expect("every subscriber got every message");
    }
    (n * members) as f64 / start.elapsed().as_secs_f64()
}

/// Shape 3: `pairs` publisher/consumer pairs at `per_pair` messages a second
/// for `seconds`; end-to-end latency of every message, paced and stamped as
/// the other systems' shapes are.
pub async fn latency(addr: &str, pairs: usize, per_pair: u32, seconds: u32) -> Latency {
    let recorder = Recorder::new();
    let total = (per_pair * seconds) as usize;
    let mut receivers = Vec::new();
    let mut publishers = Vec::new();
    for p in 0..pairs {
        let js = context(addr).await;
        let recorder = recorder.clone();
        receivers.push(
            receiver(&js, &format!("im.lat{p}"), total, move |bytes| {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    recorder.record(text);
                }
            })
            .await,
        );
        publishers.push(context(addr).await);
    }
    let mut pacers = tokio::task::JoinSet::new();
    for (p, js) in publishers.into_iter().enumerate() {
        let pace = recorder.pace(per_pair, p, pairs);
        pacers.spawn(send_paced(pace, total, move |text| {
            let (js, subject) = (js.clone(), format!("im.lat{p}"));
            async move {
                let ack = js.publish(subject, text.into()).await.expect("published");
                ack.await.expect("stored");
            }
        }));
    }
    pacers.join_all().await;
    for r in receivers {
        r.await.expect("every message received");
    }
    recorder.latency()
}
