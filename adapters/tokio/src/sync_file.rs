//! The sync state on a host's disk ([`crate::Options::sync_state`]): read
//! once at start, written after each change of the conversation list to a
//! file beside it and renamed over it, so a crash leaves the old state or
//! the new one, never half of one.

use std::path::Path;

use tinyim_core::{Client, SyncStateError};

/// The largest state tried: a host's whole table with long previews.
const MAX_STATE: usize = 4 << 20;

/// Restores the state saved at `path`, if there is one this client takes.
pub(crate) fn restore(client: &mut Client<'_>, path: &Path) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    if let Err(e) = client.restore_sync_state(&bytes) {
        log::warn!(
            "sync state in {} not used ({e}): syncing afresh",
            path.display()
        );
    }
}

/// Saves the client's state to `path`.
pub(crate) async fn save(client: &Client<'_>, path: &Path) {
    let Some(state) = encoded(client) else {
        log::warn!("sync state over {MAX_STATE} bytes: not saved");
        return;
    };
    let temporary = path.with_extension("tmp");
    let written = async {
        tokio::fs::write(&temporary, &state).await?;
        tokio::fs::rename(&temporary, path).await
    };
    if let Err(e) = written.await {
        log::warn!("cannot save the sync state to {}: {e}", path.display());
    }
}

/// The state's bytes, in a buffer grown until they fit.
fn encoded(client: &Client<'_>) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match client.save_sync_state(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Some(buf);
            }
            Err(SyncStateError::BufferTooSmall) if buf.len() < MAX_STATE => {
                buf.resize(buf.len() * 4, 0);
            }
            Err(_) => return None,
        }
    }
}
