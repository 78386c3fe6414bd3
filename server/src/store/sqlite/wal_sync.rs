//! Durability off the writer's thread. With `synchronous=NORMAL` in WAL mode
//! a commit writes its pages to the WAL file without waiting for the disk;
//! [`WalSync::sync`] then makes everything committed so far durable with
//! one `fdatasync` of that file. The server's writer commits batch after
//! batch while a second thread syncs, and a batch's answers are released
//! only after a sync that began after its commit: the same guarantee as
//! `synchronous=FULL` (SQLite recovers every transaction whose WAL frames
//! are on disk; checkpoints sync the WAL before copying it), without the
//! writer idling through every fsync.
//!
//! Checkpoints (copying the WAL into the database file, which syncs both)
//! run on a third thread with a connection of its own, so neither the
//! writer nor the syncer stalls behind one; the writer's own automatic
//! checkpoints are off. That checkpoint copies what was committed when it
//! began, but SQLite starts the WAL over (rather than growing it) only
//! after a checkpoint that left nothing uncopied, which a busy writer
//! never allows: so after each one the writer copies the rest itself,
//! between two transactions (a [`CatchUp`]), which takes the few pages
//! committed meanwhile. Without it the WAL grew by 100 MB a second under
//! load and every commit appended to it.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use rusqlite::Connection;

/// Shortest pause between two checkpoints. Each one lets the WAL start
/// over (see [`CatchUp`]), so the pause bounds the WAL at about this long's
/// writes: 250 ms keeps it within its preallocation at 10 000 msg/s, and the
/// writer's catch-up pauses stay short (medians 0.9 ms at 1000 msg/s, 6 ms
/// at 10 000). Against 1 s, interleaved load-tool runs gave a lower p50 in
/// every pair (2.0-2.3 ms against 3.3-4.5 ms at 10 000 msg/s); 5 s was worse.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(250);

/// The WAL file is filled with zeros up to this size at open. SQLite
/// reuses its WAL from the start after each checkpoint and never shrinks
/// it, so a running server's commits overwrite blocks the file already
/// has; a new or small WAL would grow instead, and syncing a file that grew
/// also writes the file system's journal (measured on this ext4 VM: p50
/// 277 us appending against 137 us overwriting, p99 870 against 238).
/// Zeros past SQLite's last frame are not frames (their salt does not
/// match), so recovery stops there as it would at the end of the file.
pub(super) const WAL_PREALLOCATION: u64 = 32 << 20;

/// Tells the writer that a background checkpoint finished and the rest is
/// its to copy (see the module documentation).
#[derive(Clone, Default)]
pub(super) struct CatchUp(Arc<AtomicBool>);

impl CatchUp {
    /// Whether a catch-up checkpoint is due; clears the flag.
    pub(super) fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Syncs one database's WAL file, and has it checkpointed now and then.
pub struct WalSync {
    path: PathBuf,
    file: Option<File>,
    checkpoint: mpsc::SyncSender<()>,
}

impl WalSync {
    pub(super) fn new(database: &Path, catch_up: CatchUp) -> io::Result<Self> {
        let path = wal_path(database);
        // Nothing else writes yet: the store is open but idle, and the
        // writer and checkpoint threads start after this.
        preallocate(&path, WAL_PREALLOCATION)?;
        let conn = Connection::open(database).map_err(io::Error::other)?;
        let database_file = File::open(database)?;
        let (checkpoint, requests) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("tinyim-checkpoint".into())
            .spawn(move || checkpoints(&conn, &database_file, &requests, &catch_up))?;
        Ok(WalSync {
            path,
            file: None,
            checkpoint,
        })
    }

    /// Makes every transaction committed before this call durable.
    pub fn sync(&mut self) -> io::Result<()> {
        if self.file.is_none() {
            match File::open(&self.path) {
                Ok(file) => self.file = Some(file),
                // No WAL yet: nothing has been committed to make durable.
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        self.file.as_ref().map_or(Ok(()), File::sync_data)?;
        // A full queue means a checkpoint is already due.
        let _ = self.checkpoint.try_send(());
        Ok(())
    }
}

/// Where SQLite keeps the WAL of the database at `database`.
pub(super) fn wal_path(database: &Path) -> PathBuf {
    let mut path = database.as_os_str().to_owned();
    path.push("-wal");
    PathBuf::from(path)
}

/// Copies what the WAL holds into the database, waiting for nobody.
pub(super) fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

/// What [`preallocate`] writes from: a static, so that no heap memory is
/// taken for it (a megabyte freed at start stayed in the allocator and made
/// the memory measured per client afterwards depend on when it was reused).
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// Extends the file at `path`, if it exists, with zeros up to `size` and
/// syncs it. Real zero blocks rather than a sparse `set_len`: writing into
/// a hole allocates blocks, which is what this avoids.
fn preallocate(path: &Path, size: u64) -> io::Result<()> {
    let mut file = match OpenOptions::new().append(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut len = file.metadata()?.len();
    if len >= size {
        return Ok(());
    }
    while len < size {
        let n = (size - len).min(ZEROS.len() as u64) as usize;
        file.write_all(&ZEROS[..n])?;
        len += n as u64;
    }
    file.sync_all()
}

/// Copies the WAL into the database while the writer goes on (a PASSIVE
/// checkpoint waits for nobody), at most once per [`CHECKPOINT_PAUSE`].
///
/// Then it syncs the database file itself. SQLite syncs it only at the end
/// of a checkpoint that copied everything, which is the writer's catch-up:
/// left to it, that sync flushed all the pages copied here (a quarter
/// second's worth) on the writer's thread, 3-6 ms of stall four times a
/// second under C2C load, and the catch-up's own few pages are what is
/// left for it.
fn checkpoints(
    conn: &Connection,
    database: &File,
    requests: &mpsc::Receiver<()>,
    catch_up: &CatchUp,
) {
    while requests.recv().is_ok() {
        if let Err(e) = checkpoint(conn) {
            tracing::warn!("checkpoint failed: {e}");
        }
        if let Err(e) = database.sync_data() {
            tracing::warn!("syncing the database file failed: {e}");
        }
        catch_up.0.store(true, Ordering::Relaxed);
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
}
