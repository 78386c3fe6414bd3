//! The sync state in flash, through sequential-storage (wear-levelled,
//! power-fail safe), under one key of a map in a flash region the board
//! chooses.

use core::ops::Range;

use embedded_storage_async::nor_flash::NorFlash;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};
use tinyim_core::{Client, SyncStateError};
use tinyim_embassy::SyncStore;

/// The one key the sync state is stored under.
const SYNC_STATE: u8 = 1;
/// Room for the serialized state of a full `DeviceResources` table.
const BUF: usize = 3200;

/// What [`FlashStore::restore`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restored {
    /// The client resumes from this many bytes of saved state.
    Resumed(usize),
    /// Nothing saved yet.
    Nothing,
    /// A saved state was there but unusable; the client starts fresh.
    Unusable(SyncStateError),
    /// The flash could not be read; the client starts fresh.
    ReadFailed,
}

/// Keeps the latest sync state in flash.
pub struct FlashStore<F: NorFlash> {
    map: MapStorage<u8, F, Cache<Uncached, Uncached, Uncached, u8>>,
    buf: [u8; BUF],
    /// Saves that failed since boot (the state is saved again next time).
    pub failed_saves: u32,
}

impl<F: NorFlash> FlashStore<F> {
    /// A store in `region` (offsets from the start of `flash`, whole erase
    /// pages, at least two).
    pub fn new(flash: F, region: Range<u32>) -> Self {
        FlashStore {
            map: MapStorage::new(flash, MapConfig::new(region), Cache::new_uncached()),
            buf: [0; BUF],
            failed_saves: 0,
        }
    }

    /// Loads the saved state into `client`, if there is a valid one.
    pub async fn restore(&mut self, client: &mut Client<'_>) -> Restored {
        match self
            .map
            .fetch_item::<&[u8]>(&mut self.buf, &SYNC_STATE)
            .await
        {
            Ok(Some(state)) => match client.restore_sync_state(state) {
                Ok(()) => Restored::Resumed(state.len()),
                Err(e) => Restored::Unusable(e),
            },
            Ok(None) => Restored::Nothing,
            Err(_) => Restored::ReadFailed,
        }
    }
}

impl<F: NorFlash> SyncStore for FlashStore<F> {
    async fn save(&mut self, state: &[u8]) {
        if self
            .map
            .store_item(&mut self.buf, &SYNC_STATE, &state)
            .await
            .is_err()
        {
            self.failed_saves = self.failed_saves.saturating_add(1);
        }
    }
}
