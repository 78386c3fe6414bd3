//! Incoming messages per second: the tinyim client core decoding and
//! applying 100-byte C2C text pushes (events included), against rumqttc's
//! `MqttState` decoding 100-byte QoS1 PUBLISH packets and producing their
//! PUBACK. tinyim produces no per-message acknowledgement: delivery is
//! confirmed by watermarks at sync, so there is no ack to encode.
//!
//! `cargo bench -p tinyim-bench --bench ingest`

use std::time::{Duration, Instant};

use bytes::BytesMut;
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use rumqttc::{Incoming, MqttState, Packet, Publish, QoS};
use tinyim_bench::{
    ingest, ingest_preloaded, logged_in, preload, pushes, BenchResources, TEXT_LEN,
};

const BATCH: u64 = 1000;

fn publishes(count: u64) -> BytesMut {
    let mut out = BytesMut::new();
    for pkid in 1..=count {
        let mut publish = Publish::new("chat/bob", QoS::AtLeastOnce, vec![b'x'; TEXT_LEN]);
        publish.pkid = (pkid % 65_535 + 1) as u16;
        Packet::Publish(publish)
            .write(&mut out, 1 << 20)
            .expect("encodes");
    }
    out
}

/// Decodes every packet, applies it, and writes the PUBACK it produces.
fn mqtt_ingest(state: &mut MqttState, mut input: BytesMut, acks: &mut BytesMut) -> usize {
    let mut n = 0;
    while let Ok(packet) = Packet::read(&mut input, 1 << 20) {
        let incoming: Incoming = packet;
        if let Ok(Some(ack)) = state.handle_incoming_packet(incoming) {
            let _ = ack.write(acks, 1 << 20);
        }
        state.events.clear();
        n += 1;
    }
    n
}

fn tinyim(c: &mut Criterion) {
    let input = pushes(2, BATCH);
    let mut group = c.benchmark_group("incoming 100-byte messages");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("tinyim client core", |b| {
        b.iter_batched_ref(
            || Box::new(BenchResources::new()),
            |resources| {
                let mut client = logged_in(resources);
                assert_eq!(ingest(&mut client, &input), BATCH as usize);
            },
            BatchSize::LargeInput,
        )
    });
    let mqtt_input = publishes(BATCH);
    group.bench_function("rumqttc MqttState (QoS1 + PUBACK)", |b| {
        b.iter_batched(
            || {
                (
                    MqttState::new(100, false),
                    mqtt_input.clone(),
                    BytesMut::with_capacity(8 * 1024),
                )
            },
            |(mut state, input, mut acks)| {
                assert_eq!(mqtt_ingest(&mut state, input, &mut acks), BATCH as usize)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// Both timed over the same batches, alternating so that machine noise hits
/// them alike; the ratio of the median batch times. Neither side's timing
/// includes reading the input off a socket: MQTT parses a filled buffer, and
/// tinyim's batch is preloaded into the client's receive buffer, where its
/// zero-copy transports read.
fn ratio() {
    const ROUNDS: usize = 301;
    let input = pushes(2, BATCH);
    let mqtt_input = publishes(BATCH);
    let mut resources = Box::new(BenchResources::new());
    let (mut tinyim_times, mut mqtt_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let mut client = logged_in(&mut resources);
        // The receive buffer holds at most one 64 KiB frame limit's worth:
        // preload, time, and repeat until the batch is in.
        let (mut rest, mut took, mut received) = (&input[..], Duration::ZERO, 0);
        while !rest.is_empty() {
            let n = preload(&mut client, rest);
            rest = &rest[n..];
            let start = Instant::now();
            received += ingest_preloaded(&mut client, n);
            took += start.elapsed();
        }
        tinyim_times.push(took);
        assert_eq!(received, BATCH as usize);

        let mut state = MqttState::new(100, false);
        let batch = mqtt_input.clone();
        let mut acks = BytesMut::with_capacity(8 * 1024);
        let start = Instant::now();
        mqtt_ingest(&mut state, batch, &mut acks);
        mqtt_times.push(start.elapsed());
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let rate = |d: Duration| BATCH as f64 / d.as_secs_f64();
    let (tinyim_rate, mqtt_rate) = (
        rate(median(&mut tinyim_times)),
        rate(median(&mut mqtt_times)),
    );
    println!(
        "median of {ROUNDS} alternating batches: tinyim core {tinyim_rate:.0} messages/s; \
         rumqttc MqttState {mqtt_rate:.0} messages/s; ratio {:.2}x",
        tinyim_rate / mqtt_rate
    );
}

criterion_group!(benches, tinyim);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Under `cargo test` (criterion's test mode, unoptimised) a ratio would
    // only mislead; `cargo bench` passes --bench.
    if std::env::args().any(|arg| arg == "--bench") {
        ratio();
    }
}
