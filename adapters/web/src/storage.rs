//! The sync state in the browser's `localStorage`, one entry per server
//! and user, so that a reload resumes where the page left off instead of
//! fetching every conversation again. Written after each change of the
//! conversation list; a state the core does not take (another version, a
//! damaged entry) is dropped and the client syncs afresh.

use tinyim_core::{Client, SyncStateError};
use web_sys::Storage;

/// The largest state tried: a host's whole table with long previews.
const MAX_STATE: usize = 4 << 20;

/// Where a session keeps its sync state, if anywhere.
pub(crate) struct SyncStore {
    storage: Option<Storage>,
    /// `tinyim:<server>:`; the user id follows.
    prefix: String,
}

impl SyncStore {
    /// `localStorage` when `enabled` and the page has one.
    pub(crate) fn new(server: &str, enabled: bool) -> Self {
        let storage = enabled
            .then(|| web_sys::window().and_then(|w| w.local_storage().ok().flatten()))
            .flatten();
        Self {
            storage,
            prefix: format!("tinyim:{server}:"),
        }
    }

    /// Restores `user`'s saved state before their login.
    pub(crate) fn restore(&self, client: &mut Client<'_>, user: &str) {
        let Some(storage) = &self.storage else {
            return;
        };
        let key = format!("{}{user}", self.prefix);
        let Ok(Some(text)) = storage.get_item(&key) else {
            return;
        };
        // One byte per UTF-16 unit (see `save`); anything else is not ours.
        let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
        let restored = bytes.map(|bytes| client.restore_sync_state(&bytes));
        if !matches!(restored, Some(Ok(()))) {
            let _ = storage.remove_item(&key);
        }
    }

    /// Saves the logged-in user's state.
    pub(crate) fn save(&self, client: &Client<'_>) {
        let (Some(storage), Some(user)) = (&self.storage, client.login_user()) else {
            return;
        };
        let mut buf = vec![0u8; 64 * 1024];
        let n = loop {
            match client.save_sync_state(&mut buf) {
                Ok(n) => break n,
                Err(SyncStateError::BufferTooSmall) if buf.len() < MAX_STATE => {
                    buf.resize(buf.len() * 4, 0);
                }
                Err(_) => return,
            }
        };
        // localStorage holds strings: each byte as one character keeps the
        // entry at the state's length, with no encoding library.
        let text: String = buf[..n].iter().map(|&b| char::from(b)).collect();
        // A full storage quota leaves the previous state, which still
        // resumes (the server sends what changed since).
        let _ = storage.set_item(&format!("{}{user}", self.prefix), &text);
    }
}
