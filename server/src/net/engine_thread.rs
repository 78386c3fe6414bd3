//! The single writer and its syncer. The writer takes every queued input as
//! one batch and applies it in one transaction (group commit); the syncer
//! makes committed batches durable with one `fdatasync` for all of them and
//! only then hands their outputs to the connections. The writer goes on with
//! the next batch meanwhile, so the disk's sync time is paid once per sync,
//! not once per batch, and nothing is acknowledged before it is durable.

use std::sync::{mpsc as std_mpsc, Arc};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use super::Shared;
use crate::engine::{Engine, Input, Output};
use crate::store::{Store, WalSync};

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
    mut wal: WalSync,
    shared: Arc<Shared>,
) {
    let (committed, to_sync) = std_mpsc::channel::<Vec<Output>>();
    let syncer_shared = shared.clone();
    std::thread::Builder::new()
        .name("tinyim-sync".into())
        .spawn(move || {
            while let Ok(first) = to_sync.recv() {
                // Every batch waiting here was committed before this sync.
                let mut batches = vec![first];
                batches.extend(to_sync.try_iter());
                match wal.sync() {
                    Ok(()) => batches
                        .into_iter()
                        .for_each(|outputs| dispatch(&syncer_shared, outputs)),
                    Err(e) => {
                        // Not durable: acknowledge nothing, close the
                        // connections concerned; clients resend, and the
                        // server deduplicates what did survive.
                        tracing::error!("syncing the WAL failed: {e}; closing connections");
                        batches
                            .into_iter()
                            .for_each(|outputs| dispatch(&syncer_shared, closes(outputs)));
                    }
                }
            }
        })
        .expect("spawning the sync thread");
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
                if committed.send(outputs).is_err() {
                    return;
                }
            }
        })
        .expect("spawning the engine thread");
}

/// A close for every connection `outputs` would have written to.
fn closes(outputs: Vec<Output>) -> Vec<Output> {
    outputs
        .into_iter()
        .map(|o| match o {
            Output::Frame { conn, .. } | Output::Close { conn } => Output::Close { conn },
        })
        .collect()
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
