//! The sync state in flash, through sequential-storage (wear-levelled,
//! power-fail safe), in the 24 KiB `nvs` data partition of the default
//! partition table (0x9000..0xF000), which this firmware does not otherwise use.

use embassy_embedded_hal::adapter::BlockingAsync;
use esp_storage::FlashStorage;
use log::{info, warn};
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};
use tinyim_core::Client;
use tinyim_embassy::SyncStore;

const REGION: core::ops::Range<u32> = 0x9000..0xF000;
/// The one key the sync state is stored under.
const SYNC_STATE: u8 = 1;

type Storage = MapStorage<u8, BlockingAsync<FlashStorage<'static>>, Cache<Uncached, Uncached, Uncached, u8>>;

/// Keeps the latest sync state in flash.
pub struct FlashStore {
    map: Storage,
    buf: [u8; 3200],
}

impl FlashStore {
    pub fn new(flash: esp_hal::peripherals::FLASH<'static>) -> Self {
        let storage = BlockingAsync::new(FlashStorage::new(flash));
        FlashStore {
            map: MapStorage::new(storage, MapConfig::new(REGION), Cache::new_uncached()),
            buf: [0; 3200],
        }
    }

    /// Loads the saved state into `client`, if there is a valid one.
    pub async fn restore(&mut self, client: &mut Client<'_>) {
        match self.map.fetch_item::<&[u8]>(&mut self.buf, &SYNC_STATE).await {
            Ok(Some(state)) => match client.restore_sync_state(state) {
                Ok(()) => info!("sync state restored ({} bytes)", state.len()),
                Err(e) => warn!("saved sync state unusable: {e}"),
            },
            Ok(None) => info!("no saved sync state"),
            Err(_) => warn!("flash read failed; starting fresh"),
        }
    }
}

impl SyncStore for FlashStore {
    async fn save(&mut self, state: &[u8]) {
        if self.map.store_item(&mut self.buf, &SYNC_STATE, &state).await.is_err() {
            warn!("saving the sync state failed");
        }
    }
}
