//! The single writer and its syncer. The writer applies inputs as they come
//! into one open transaction and commits it when the syncer is free; the
//! syncer makes the commit durable with one `fdatasync`, only then hands its
//! outputs to the connections, and tells the writer it is free. So a busy
//! server commits once per sync with everything that arrived during the
//! previous one (each page goes to the WAL once per sync, not once per small
//! batch), an idle one commits and syncs each input at once, and nothing is
//! acknowledged before it is durable.
//!
//! A quiet server (nothing waiting for the writer, the syncer idle) has the
//! writer sync its one commit itself: a wake of the syncer fewer on a lone
//! message's path. Inputs that come meanwhile wait for the sync, as they
//! would for the syncer's.
//!
//! Committing while a sync runs instead (so the next commit is ready when it
//! ends) measured slower: a message then waits for a commit, a whole sync
//! and its own sync, where here it waits for the sync running when it came
//! and its own.
//!
//! With `--durability os` the writer hands out a batch's outputs itself as
//! soon as it is committed (it is in the operating system's hands: a crash
//! of the server loses nothing), with no syncer between, and a third thread
//! syncs whatever was committed every interval; a drain (shutdown) still
//! waits for the syncer's sync.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use super::{Durability, Shared};
use crate::engine::{Engine, Input, Output};
use crate::store::{Store, WalSync};

/// Inputs applied in one transaction at most: past this the writer commits
/// without waiting for the syncer, which bounds the outputs held back.
const MAX_BATCH: usize = 4096;

/// What the writer's queue carries.
#[derive(Debug)]
pub(crate) enum Job {
    /// An input for the engine.
    Input(Input),
    /// The syncer finished its sync and is free for the next commit.
    Synced,
    /// Commit what was applied, and answer once every input before this
    /// one is durable and its outputs are handed to the connections (a
    /// shutdown's last step before telling clients to go).
    Drain(tokio::sync::oneshot::Sender<()>),
}

/// What the syncer's queue carries.
enum Committed {
    /// A committed batch's outputs, released after the next sync.
    Outputs(Vec<Output>),
    /// Answered after the sync of everything committed before it.
    Drained(tokio::sync::oneshot::Sender<()>),
}

impl From<Input> for Job {
    fn from(input: Input) -> Self {
        Job::Input(input)
    }
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The store's WAL, when its commits need a sync to be durable; shared by
/// the syncer and, with `--durability os`, the interval's thread.
type Wal = Option<Arc<Mutex<WalSync>>>;

/// The server's exit status when syncing the WAL failed (`EX_IOERR`).
pub(crate) const EXIT_WAL_SYNC_FAILED: i32 = 74;

/// Makes everything committed so far durable, counting the time it took,
/// or ends the process if it cannot.
///
/// A failed `fdatasync` cannot be retried: the kernel may have dropped the
/// pages it could not write and count them clean, so a later sync that
/// succeeds proves nothing about them, and SQLite's recovery stops at the
/// first frame missing from the WAL, taking every later commit with it. So
/// nothing may be acknowledged after one, by this batch or any other: the
/// process ends here with [`EXIT_WAL_SYNC_FAILED`], still holding the WAL's
/// lock so that no other thread syncs and hands out a batch meanwhile
/// (PostgreSQL panics for the same reason; with `--durability os` answers
/// never wait for a sync, and those the writer sends in the moment before
/// the exit are what that mode puts at risk anyway). Its supervisor starts
/// it again, SQLite recovers what is on the disk, and clients resend what
/// was never acknowledged (the server deduplicates what did survive).
fn sync(wal: &Wal) {
    let started = std::time::Instant::now();
    // Without a WAL to sync, each commit was durable on return.
    if let Some(wal) = wal {
        let mut wal = wal.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(e) = wal.sync() {
            tracing::error!("syncing the WAL failed: {e}; stopping, acknowledging nothing more");
            std::process::exit(EXIT_WAL_SYNC_FAILED);
        }
    }
    crate::stats::fsync(started.elapsed());
}

/// Hands synced batches' outputs to the connections.
fn hand_out(shared: &Shared, batches: impl IntoIterator<Item = Vec<Output>>) {
    batches
        .into_iter()
        .for_each(|outputs| dispatch(shared, outputs));
}

/// `--durability os`: syncs what was committed (`dirty`) every `interval`
/// until `stop` closes, then once more.
fn sync_every(wal: Wal, interval: Duration, dirty: Arc<AtomicBool>, stop: std_mpsc::Receiver<()>) {
    loop {
        let stopping = matches!(
            stop.recv_timeout(interval),
            Err(std_mpsc::RecvTimeoutError::Disconnected)
        );
        if dirty.swap(false, Ordering::Relaxed) {
            sync(&wal);
        }
        if stopping {
            return;
        }
    }
}

pub(crate) fn spawn<S: Store + 'static>(
    mut engine: Engine<S>,
    mut rx: mpsc::Receiver<Job>,
    wal: Option<WalSync>,
    shared: Arc<Shared>,
) {
    let (committed, to_sync) = std_mpsc::channel::<Committed>();
    let syncer_shared = shared.clone();
    let wal: Wal = wal.map(|wal| Arc::new(Mutex::new(wal)));
    // Committed and not yet synced (`--durability os`).
    let dirty = Arc::new(AtomicBool::new(false));
    let durability = shared.config.durability;
    let writer_dirty = dirty.clone();
    // Held by the syncer: its end stops the interval's thread.
    let (stop_interval, stopped) = std_mpsc::channel::<()>();
    if let (Durability::Os { interval }, Some(_)) = (durability, &wal) {
        let (wal, dirty) = (wal.clone(), dirty.clone());
        std::thread::Builder::new()
            .name("tinyim-wal-interval".into())
            .spawn(move || sync_every(wal, interval, dirty, stopped))
            .expect("spawning the interval sync thread");
    }
    // Batches sent to the syncer and not yet handed out by it.
    let syncer_batches = Arc::new(AtomicUsize::new(0));
    let writer_batches = syncer_batches.clone();
    let writer_wal = wal.clone();
    // Weak: the writer's queue closes when the server's senders are gone,
    // whatever the syncer holds.
    let writer = shared.engine.downgrade();
    std::thread::Builder::new()
        .name("tinyim-sync".into())
        .spawn(move || {
            let _stop_interval = stop_interval;
            while let Ok(first) = to_sync.recv() {
                // Every batch waiting here was committed before this sync.
                let mut batches = Vec::new();
                let mut drained = Vec::new();
                for item in std::iter::once(first).chain(to_sync.try_iter()) {
                    match item {
                        Committed::Outputs(outputs) => batches.push(outputs),
                        Committed::Drained(done) => drained.push(done),
                    }
                }
                if durability == Durability::Full || !drained.is_empty() {
                    sync(&wal);
                } else {
                    // In the operating system's hands; synced within the
                    // interval.
                    dirty.store(true, Ordering::Relaxed);
                }
                // The writer's next commit first, then the connections'
                // writes: handing out the outputs takes a while.
                let told = writer
                    .upgrade()
                    .is_some_and(|tx| tx.blocking_send(Job::Synced).is_ok());
                let handed = batches.len();
                hand_out(&syncer_shared, batches);
                syncer_batches.fetch_sub(handed, Ordering::Release);
                for done in drained {
                    let _ = done.send(());
                }
                if !told {
                    return;
                }
            }
        })
        .expect("spawning the sync thread");
    std::thread::Builder::new()
        .name("tinyim-engine".into())
        .spawn(move || {
            // A commit's outputs: after the syncer's next sync (`full`), or
            // at once from here (`os`: one thread fewer between a message
            // and its delivery). False once the syncer is gone.
            let release = |outputs: Vec<Output>| match durability {
                Durability::Full => {
                    writer_batches.fetch_add(1, Ordering::Relaxed);
                    committed.send(Committed::Outputs(outputs)).is_ok()
                }
                Durability::Os { .. } => {
                    writer_dirty.store(true, Ordering::Relaxed);
                    dispatch(&shared, outputs);
                    true
                }
            };
            let mut syncing = false;
            while let Some(first) = rx.blocking_recv() {
                let now = now_ms();
                let mut next = Some(first);
                while let Some(job) = next {
                    match job {
                        Job::Synced => syncing = false,
                        Job::Input(input) => {
                            let started = std::time::Instant::now();
                            engine.apply(now, input);
                            crate::stats::apply(started.elapsed());
                        }
                        Job::Drain(done) => {
                            // Whether or not a sync runs: the syncer's queue
                            // keeps the order.
                            let outputs = commit(&mut engine);
                            if !release(outputs)
                                || committed.send(Committed::Drained(done)).is_err()
                            {
                                return;
                            }
                            syncing = durability == Durability::Full;
                        }
                    }
                    if engine.batch_len() >= MAX_BATCH {
                        break;
                    }
                    next = rx.try_recv().ok();
                }
                let due = !syncing || engine.batch_len() >= MAX_BATCH;
                if engine.batch_len() > 0 && due {
                    let outputs = commit(&mut engine);
                    // A quiet server (nothing waiting, the syncer idle and
                    // done handing out) syncs here: waking the syncer for
                    // one message was a thread hand-off on its path.
                    let quiet = durability == Durability::Full
                        && rx.is_empty()
                        && writer_batches.load(Ordering::Acquire) == 0;
                    if quiet {
                        sync(&writer_wal);
                        hand_out(&shared, [outputs]);
                    } else if release(outputs) {
                        syncing = durability == Durability::Full;
                    } else {
                        return;
                    }
                }
            }
        })
        .expect("spawning the engine thread");
}

/// Commits the open batch, counting its size and time.
fn commit<S: Store>(engine: &mut Engine<S>) -> Vec<Output> {
    let inputs = engine.batch_len();
    let started = std::time::Instant::now();
    let outputs = engine.commit_batch();
    crate::stats::commit(inputs, started.elapsed());
    crate::stats::sessions(engine.online_sessions());
    outputs
}

/// Outputs of a commit written to the sockets by the thread that hands them
/// out, when there are no more (see `outbound`). At 1000 messages a second a
/// commit carries one message: its answer and its deliveries, written
/// directly, spare a wake of each connection's task (p50 latency 393 us
/// against 309 here). A busy server's commits carry many, and writing
/// them all from here held the engine's thread in system calls: C2C
/// throughput fell by a third.
const DIRECT_BATCH: usize = 8;

fn dispatch(shared: &Shared, outputs: Vec<Output>) {
    let direct = outputs.len() <= DIRECT_BATCH;
    let conns = shared
        .conns
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut relays = Vec::new();
    for output in outputs {
        match output {
            Output::Relay(relay) => relays.push(relay),
            Output::Frame { conn, bytes } => {
                if let Some(out) = conns.get(conn) {
                    let budget = shared.config.conn_buffer;
                    let pushed = if direct {
                        out.push_directly(bytes, budget)
                    } else {
                        out.push(bytes, budget)
                    };
                    if !pushed {
                        // Too slow to keep up: close it; it resyncs on reconnect.
                        tracing::warn!(conn, "over its buffer budget; closing");
                    }
                }
            }
            Output::Close { conn } => {
                if let Some(out) = conns.get(conn) {
                    out.close();
                }
            }
            Output::Kick { conn, notice } => {
                if let Some(out) = conns.get(conn) {
                    out.kick(&notice);
                }
            }
            Output::Happened(what) => {
                if let Some(callbacks) = &shared.callbacks {
                    callbacks.after(what);
                }
            }
            Output::Vet {
                conn,
                user,
                body,
                sender,
            } => {
                let Some(callbacks) = &shared.callbacks else {
                    continue;
                };
                if let Err(body) = callbacks.vets.vet(conn, user, body, sender) {
                    let answer = super::callbacks::before_send::overloaded(&body);
                    if let (Some(out), Some(answer)) = (conns.get(conn), answer) {
                        out.push(answer, shared.config.conn_buffer);
                    }
                }
            }
            Output::Session { conn, logged_in } => {
                if let Some(out) = conns.get(conn) {
                    out.set_logged_in(logged_in);
                }
                if logged_in {
                    shared.pending_logins.done(conn);
                }
            }
        }
    }
    drop(conns);
    if let Some(link) = shared.cluster.get() {
        link.send(relays);
    }
}
