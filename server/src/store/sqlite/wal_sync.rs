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
//! checkpoints are off.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;

/// Shortest pause between two checkpoints.
const CHECKPOINT_PAUSE: Duration = Duration::from_secs(1);

/// Syncs one database's WAL file, and has it checkpointed now and then.
pub struct WalSync {
    path: PathBuf,
    file: Option<File>,
    checkpoint: mpsc::SyncSender<()>,
}

impl WalSync {
    pub(super) fn new(database: &Path) -> io::Result<Self> {
        let mut path = database.as_os_str().to_owned();
        path.push("-wal");
        let conn = Connection::open(database).map_err(io::Error::other)?;
        let (checkpoint, requests) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("tinyim-checkpoint".into())
            .spawn(move || checkpoints(&conn, &requests))?;
        Ok(WalSync {
            path: path.into(),
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

/// Copies the WAL into the database while the writer goes on (a PASSIVE
/// checkpoint waits for nobody), at most once per [`CHECKPOINT_PAUSE`].
fn checkpoints(conn: &Connection, requests: &mpsc::Receiver<()>) {
    while requests.recv().is_ok() {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!("checkpoint failed: {e}");
        }
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
}
