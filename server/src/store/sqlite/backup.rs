//! Copies of a data file while the server serves from it, and checks of a
//! data file's integrity.
//!
//! A backup copies the whole file in one step of SQLite's online backup
//! API, inside one read transaction: in WAL mode a reader does not block
//! the writer, and the copy is the database as of one commit (a copy in
//! several steps would start over each time the server commits).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::err;
use crate::store::{StoreError, StoreResult};

/// Copies the data file `from` (a server may be serving from it) to `to`,
/// as of one commit; `to` is replaced. Returns the pages copied.
pub fn backup(from: &Path, to: &Path) -> StoreResult<u64> {
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError(format!("cannot open {}: {e}", from.display())))?;
    let mut target = Connection::open(to)
        .map_err(|e| StoreError(format!("cannot open {}: {e}", to.display())))?;
    let copy = rusqlite::backup::Backup::new(&source, &mut target).map_err(err)?;
    // -1: every page in one step, so the copy is one snapshot.
    copy.step(-1).map_err(err)?;
    let pages = u64::try_from(copy.progress().pagecount).unwrap_or(0);
    drop(copy);
    // A copy that stands alone: no WAL beside it.
    target
        .pragma_update(None, "journal_mode", "DELETE")
        .map_err(err)?;
    Ok(pages)
}

/// SQLite's integrity check of the data file at `path`: `Ok(())` when it
/// is sound, else the problems it found, one a line.
pub fn check(path: &Path) -> StoreResult<Result<(), String>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))?;
    let mut statement = conn.prepare("PRAGMA integrity_check").map_err(err)?;
    let problems: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    if problems == ["ok"] {
        Ok(Ok(()))
    } else {
        Ok(Err(problems.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, Store};

    #[test]
    fn a_backup_is_a_sound_copy_of_what_was_committed() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("live.db"), dir.path().join("copy.db"));
        let mut live = SqliteStore::open(&from).unwrap();
        live.begin().unwrap();
        let mut m = crate::store::StoredMessage {
            conv_key: "c2c:a|b".into(),
            seq: 1,
            sender: "a".into(),
            client_msg_id: 7,
            time_ms: 1,
            body: vec![1],
            gseq: 0,
        };
        live.insert_message(&mut m).unwrap();
        live.commit().unwrap();
        assert!(backup(&from, &to).unwrap() > 0);
        assert_eq!(check(&to).unwrap(), Ok(()));
        let mut copy = SqliteStore::open(&to).unwrap();
        assert_eq!(copy.last_seq("c2c:a|b").unwrap(), 1);
    }

    #[test]
    fn a_damaged_file_fails_its_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        std::fs::write(&path, vec![0x55u8; 8192]).unwrap();
        assert!(check(&path).is_err() || check(&path).unwrap().is_err());
    }
}
