//! The single writer: takes every queued input as one batch, applies it in one
//! transaction (group commit), then hands the outputs to the connections.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use super::Shared;
use crate::engine::{Engine, Input, Output};
use crate::store::Store;

/// Inputs applied in one transaction at most.
const MAX_BATCH: usize = 512;

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

pub(crate) fn spawn<S: Store + 'static>(
    mut engine: Engine<S>,
    mut rx: mpsc::Receiver<Input>,
    shared: Arc<Shared>,
) {
    std::thread::Builder::new()
        .name("tinyim-engine".into())
        .spawn(move || {
            while let Some(first) = rx.blocking_recv() {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(input) => batch.push(input),
                        Err(_) => break,
                    }
                }
                let outputs = engine.handle_batch(now_ms(), batch);
                dispatch(&shared, outputs);
            }
        })
        .expect("spawning the engine thread");
}

fn dispatch(shared: &Shared, outputs: Vec<Output>) {
    let conns = shared
        .conns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for output in outputs {
        match output {
            Output::Frame { conn, bytes } => {
                if let Some(out) = conns.get(&conn) {
                    if !out.push(&bytes, shared.config.outbound_queue) {
                        // Too slow to keep up: close it; it resyncs on reconnect.
                        tracing::warn!(conn, "outbound queue full; closing");
                    }
                }
            }
            Output::Close { conn } => {
                if let Some(out) = conns.get(&conn) {
                    out.close();
                }
            }
        }
    }
}
