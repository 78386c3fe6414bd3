//! The server engine's CPU per C2C message: batches of 25 sends from one
//! user to another (what one sync cycle carries under the load tool's C2C
//! shape) applied and committed over a SQLite file, as the server's writer
//! thread does. The WAL is synced every 40 batches outside the timing (the
//! sync thread's part), which also lets checkpoints run and the WAL start
//! over as in the server.
//!
//! `cargo bench -p tinyim-bench --bench engine`

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tinyim_core::wire::body;
use tinyim_core::wire::kind;
use tinyim_server::engine::{AppAuth, Engine, Input};
use tinyim_server::store::SqliteStore;

const APP: u64 = 1_400_000_000;
const KEY: &str = "bench-key";
const NOW_MS: u64 = 1_800_000_000_000;
const BATCH: u64 = 25;

fn c2c(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (store, mut wal) =
        SqliteStore::open_deferred_sync(&dir.path().join("engine.db")).expect("store");
    let mut engine = Engine::new(store, AppAuth::new(APP, KEY));
    engine.open_logged_in(NOW_MS, 1, 16 * 1024, "alice");
    engine.open_logged_in(NOW_MS, 2, 16 * 1024, "bob");
    let text = "x".repeat(100);
    let mut next_id = 1u64;
    let mut group = c.benchmark_group("server engine");
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("C2C sends, 25 per commit", |b| {
        b.iter_custom(|iters| {
            let mut took = Duration::ZERO;
            for i in 0..iters {
                let inputs = (0..BATCH)
                    .map(|_| {
                        next_id += 1;
                        let send = body::SendMessage {
                            conversation: "C2Cbob",
                            client_msg_id: next_id,
                            online_only: false,
                            priority: Default::default(),
                            elem: body::Elem::Text { text: &text },
                            extra: body::MessageExtra::default(),
                        };
                        Input::request(1, kind::SEND_MESSAGE, next_id as u32, &send)
                    })
                    .collect();
                let start = Instant::now();
                let outputs = engine.handle_batch(NOW_MS, inputs);
                took += start.elapsed();
                // An ack to alice and a push to bob per message.
                assert_eq!(outputs.len(), 2 * BATCH as usize);
                if i % 40 == 39 {
                    wal.sync().expect("WAL sync");
                }
            }
            took
        })
    });
    group.finish();
}

criterion_group!(benches, c2c);
criterion_main!(benches);
