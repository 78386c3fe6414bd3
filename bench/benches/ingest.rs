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
use tinyim_bench::{ingest, logged_in, pushes, BenchResources, TEXT_LEN};

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

/// A plain timing of both over the same number of messages, for the ratio.
fn ratio() {
    const ROUNDS: u32 = 200;
    let input = pushes(2, BATCH);
    let mut resources = Box::new(BenchResources::new());
    let mut tinyim_time = Duration::ZERO;
    for _ in 0..ROUNDS {
        let mut client = logged_in(&mut resources);
        let start = Instant::now();
        ingest(&mut client, &input);
        tinyim_time += start.elapsed();
    }
    let mqtt_input = publishes(BATCH);
    let mut mqtt_time = Duration::ZERO;
    for _ in 0..ROUNDS {
        let mut state = MqttState::new(100, false);
        let input = mqtt_input.clone();
        let mut acks = BytesMut::with_capacity(8 * 1024);
        let start = Instant::now();
        mqtt_ingest(&mut state, input, &mut acks);
        mqtt_time += start.elapsed();
    }
    let total = f64::from(ROUNDS) * BATCH as f64;
    let tinyim_rate = total / tinyim_time.as_secs_f64();
    let mqtt_rate = total / mqtt_time.as_secs_f64();
    println!("tinyim core: {tinyim_rate:.0} messages/s; rumqttc MqttState: {mqtt_rate:.0} messages/s; ratio {:.2}x", tinyim_rate / mqtt_rate);
}

criterion_group!(benches, tinyim);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
