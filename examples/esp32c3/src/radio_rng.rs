//! The randomness of TLS handshakes: the ESP32-C3's RNG, which is a true
//! random number generator while the radio runs (Espressif's technical
//! reference manual, "Random Number Generator"), as it does here before the
//! first connection.

use esp_hal::rng::Rng;

/// esp-hal's [`Rng`], marked cryptographically secure for embedded-tls on
/// the grounds above.
#[derive(Clone, Copy)]
pub struct RadioRng(pub Rng);

impl rand_core::RngCore for RadioRng {
    fn next_u32(&mut self) -> u32 {
        self.0.random()
    }

    fn next_u64(&mut self) -> u64 {
        (u64::from(self.0.random()) << 32) | u64::from(self.0.random())
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let word = self.0.random().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for RadioRng {}
