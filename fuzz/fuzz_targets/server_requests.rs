//! The server engine fed arbitrary request frames from a logged-in user
//! (every request kind, group calls included) over an in-memory store: no
//! panic, and every frame it sends fits the client's announced limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyim_server::engine::{AppAuth, Engine, Input, Output};
use tinyim_server::store::SqliteStore;

const APP: u64 = 1_400_000_000;
const KEY: &str = "fuzz-key";
const NOW_MS: u64 = 1_800_000_000_000;
const MAX_FRAME: u32 = 4096;

thread_local! {
    /// The empty store each run starts from a copy of (making the tables
    /// took most of a run's time).
    static EMPTY: SqliteStore = SqliteStore::in_memory().unwrap();
}

fuzz_target!(|data: &[u8]| {
    let store = EMPTY.with(|empty| empty.in_memory_copy().unwrap());
    let mut engine = Engine::new(store, AppAuth::new(APP, KEY));
    engine.open_logged_in(NOW_MS, 1, MAX_FRAME, "alice");
    engine.open_logged_in(NOW_MS, 2, MAX_FRAME, "bob");
    // Each request: a kind byte (folded into the request range), a length
    // byte, then that many body bytes; a few requests per batch.
    let mut rest = data;
    let mut batch = Vec::new();
    while let [k, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let conn = if k & 0x80 == 0 { 1 } else { 2 };
        batch.push(Input::Frame {
            conn,
            kind: 0x20 + (k & 0x3f),
            body: tail[..len].to_vec(),
        });
        rest = &tail[len..];
        if batch.len() == 4 || rest.len() < 2 {
            let outputs = engine.handle_batch(NOW_MS, std::mem::take(&mut batch));
            for output in outputs {
                if let Output::Frame { bytes, .. } = output {
                    assert!(bytes.len() <= MAX_FRAME as usize, "frame over the limit");
                }
            }
        }
    }
});
