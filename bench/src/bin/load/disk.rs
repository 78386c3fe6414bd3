//! The disk's own price for one durable write, measured where the servers
//! keep their data, in the same run as the latency shape: a durable
//! delivery cannot be quicker than one `fdatasync`, so this is the floor
//! under tinyim's latency (mosquitto acknowledges QoS1 from memory and
//! never pays it).

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use crate::shapes::{latency_histogram, Latency};

/// Bytes per write: one SQLite page, what a small commit adds to the WAL.
const WRITE: usize = 4096;

/// Writes cycle over this many blocks of a preallocated file, so each one
/// overwrites (as the server's preallocated WAL does) instead of growing it.
const BLOCKS: u64 = 4096;

/// `rate` 4 KB overwrites a second, each followed by `fdatasync`, for
/// `seconds`, in a fresh file under the temporary directory (where the load
/// tool's servers keep their data); the latency of write plus sync.
pub fn durable_write_latency(rate: u32, seconds: u32) -> Latency {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(dir.path().join("probe"))
        .expect("probe file");
    // Real blocks, not a sparse file: writes then overwrite, as in the WAL.
    let block = [0x5au8; WRITE];
    for i in 0..BLOCKS {
        file.write_all_at(&block, i * WRITE as u64)
            .expect("preallocate");
    }
    file.sync_all().expect("sync the preallocation");

    let mut histogram = latency_histogram();
    let period = Duration::from_secs(1) / rate;
    let start = Instant::now();
    for i in 0..rate * seconds {
        let due = start + period * i;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let began = Instant::now();
        file.write_all_at(&block, u64::from(i) % BLOCKS * WRITE as u64)
            .expect("write");
        file.sync_data().expect("fdatasync");
        histogram
            .record(began.elapsed().as_micros().max(1) as u64)
            .expect("within the histogram's bounds");
    }
    Latency::from(&histogram)
}
