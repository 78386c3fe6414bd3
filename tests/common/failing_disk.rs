//! A disk whose `fdatasync` fails on demand: `failing_fdatasync.c`, built
//! with the system's C compiler and preloaded into the real server binary,
//! fails every `fdatasync` with EIO while a flag file exists.

use std::path::PathBuf;
use std::process::Command;

/// The preloaded library and its flag, in a directory of their own.
pub struct FailingDisk {
    dir: tempfile::TempDir,
    library: PathBuf,
    flag: PathBuf,
}

impl FailingDisk {
    /// Builds the library (with `cc`, which every Rust toolchain on Linux
    /// links with); the disk works until [`FailingDisk::fail`].
    pub fn new() -> FailingDisk {
        let dir = tempfile::tempdir().unwrap();
        let library = dir.path().join("failing_fdatasync.so");
        let source = concat!(env!("CARGO_MANIFEST_DIR"), "/common/failing_fdatasync.c");
        let built = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&library)
            .arg(source)
            .status()
            .expect("run cc");
        assert!(built.success(), "cc built the failing disk");
        let flag = dir.path().join("fail");
        FailingDisk { dir, library, flag }
    }

    /// A directory of the disk's, for the data files put on it.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The environment that puts a server process on this disk.
    pub fn env(&self) -> [(&'static str, &str); 2] {
        [
            ("LD_PRELOAD", self.library.to_str().unwrap()),
            ("FAILING_SYNC_FLAG", self.flag.to_str().unwrap()),
        ]
    }

    /// Every `fdatasync` fails from now on.
    pub fn fail(&self) {
        std::fs::write(&self.flag, b"").unwrap();
    }
}
