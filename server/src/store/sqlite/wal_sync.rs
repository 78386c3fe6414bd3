//! Durability off the writer's thread. With `synchronous=NORMAL` in WAL mode
//! a commit writes its pages to the WAL file without waiting for the disk;
//! [`WalSync::sync`] then makes everything committed so far durable with
//! one `fdatasync` of that file. The server's writer commits batch after
//! batch while a second thread syncs, and a batch's answers are released
//! only after a sync that began after its commit: the same guarantee as
//! `synchronous=FULL` (SQLite recovers every transaction whose WAL frames
//! are on disk; checkpoints sync the WAL before copying it), without the
//! writer idling through every fsync.

use std::fs::File;
use std::io;
use std::path::PathBuf;

/// Syncs one database's WAL file.
pub struct WalSync {
    path: PathBuf,
    file: Option<File>,
}

impl WalSync {
    pub(super) fn new(database: &std::path::Path) -> Self {
        let mut path = database.as_os_str().to_owned();
        path.push("-wal");
        WalSync {
            path: path.into(),
            file: None,
        }
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
        self.file.as_ref().map_or(Ok(()), File::sync_data)
    }
}
