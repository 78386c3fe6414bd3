//! Resume tokens: what a client logs in with again after a reconnect, in
//! place of its UserSig, so that a device need not keep the UserSig in RAM
//! (and a reconnect sends 40 bytes instead of hundreds, checked with one
//! HMAC instead of inflating and parsing JSON).
//!
//! A token is the UserSig's expiry (unix seconds, little-endian) and a
//! truncated HMAC-SHA256 over the app id, that expiry and the user id, keyed
//! by a key derived from the app's secret key. Any server of the app (every
//! node of a cluster) checks it without keeping state; it lives exactly as
//! long as the UserSig it came from; and changing the app's key voids every
//! token as it voids every UserSig.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::usersig::SigError;

/// Bytes of a token: the expiry, then the MAC.
pub const TOKEN_LEN: usize = 8 + MAC_LEN;
/// Bytes of the MAC kept (128 bits).
const MAC_LEN: usize = 16;
// Clients keep tokens up to this long and no longer.
const _: () = assert!(TOKEN_LEN <= tinyim_core::wire::body::MAX_RESUME_TOKEN);

/// What keys the tokens of one app.
#[derive(Clone)]
pub struct ResumeKey([u8; 32]);

impl std::fmt::Debug for ResumeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResumeKey(..)")
    }
}

impl ResumeKey {
    /// The token key of the app whose secret key is `app_key`: a key of its
    /// own, so that a token is never a MAC a UserSig could be made of.
    pub fn derive(app_key: &str) -> Self {
        let mut m = mac(app_key.as_bytes());
        m.update(b"tinyim resume token v1");
        ResumeKey(m.finalize().into_bytes().into())
    }

    fn mac_of(&self, app_id: u64, user: &str, expires_at: u64) -> Hmac<Sha256> {
        let mut m = mac(&self.0);
        m.update(&app_id.to_le_bytes());
        m.update(&expires_at.to_le_bytes());
        m.update(user.as_bytes());
        m
    }

    /// A token for `user` of app `app_id`, good until `expires_at`.
    pub fn mint(&self, app_id: u64, user: &str, expires_at: u64) -> [u8; TOKEN_LEN] {
        let tag = self
            .mac_of(app_id, user, expires_at)
            .finalize()
            .into_bytes();
        let mut token = [0u8; TOKEN_LEN];
        let (expiry, mac_part) = token.split_at_mut(8);
        expiry.copy_from_slice(&expires_at.to_le_bytes());
        mac_part.copy_from_slice(&tag[..MAC_LEN]);
        token
    }

    /// Checks `token` for `user` of app `app_id` at `now` (unix seconds);
    /// the UserSig's expiry it carries. The MAC is checked first (in
    /// constant time), so a forged token learns nothing of the expiry check.
    pub fn verify(&self, app_id: u64, user: &str, token: &[u8], now: u64) -> Result<u64, SigError> {
        let (Some(expiry), Some(tag)) = (token.get(..8), token.get(8..)) else {
            return Err(SigError::Encoding);
        };
        if tag.len() != MAC_LEN {
            return Err(SigError::Encoding);
        }
        let expires_at = u64::from_le_bytes(expiry.try_into().map_err(|_| SigError::Encoding)?);
        self.mac_of(app_id, user, expires_at)
            .verify_truncated_left(tag)
            .map_err(|_| SigError::Signature)?;
        if now > expires_at {
            return Err(SigError::Expired);
        }
        Ok(expires_at)
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length")
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u64 = 1_400_000_000;

    #[test]
    fn a_token_logs_in_its_user_until_the_expiry_and_nothing_else() {
        let key = ResumeKey::derive("secret");
        let token = key.mint(APP, "alice", 2_000);
        assert_eq!(token.len(), TOKEN_LEN);
        assert_eq!(key.verify(APP, "alice", &token, 2_000), Ok(2_000));
        assert_eq!(
            key.verify(APP, "alice", &token, 2_001),
            Err(SigError::Expired)
        );
        // Another user, another app, another key: the MAC fails.
        assert_eq!(
            key.verify(APP, "bob", &token, 1_000),
            Err(SigError::Signature)
        );
        assert_eq!(
            key.verify(APP + 1, "alice", &token, 1_000),
            Err(SigError::Signature)
        );
        let other = ResumeKey::derive("rotated");
        assert_eq!(
            other.verify(APP, "alice", &token, 1_000),
            Err(SigError::Signature)
        );
        // A later expiry written over the first: the MAC covers it.
        let mut extended = token;
        extended[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            key.verify(APP, "alice", &extended, 1_000),
            Err(SigError::Signature)
        );
        // Truncated, padded, empty.
        assert_eq!(
            key.verify(APP, "alice", &token[..TOKEN_LEN - 1], 1_000),
            Err(SigError::Encoding)
        );
        let mut padded = token.to_vec();
        padded.push(0);
        assert_eq!(
            key.verify(APP, "alice", &padded, 1_000),
            Err(SigError::Encoding)
        );
        assert_eq!(
            key.verify(APP, "alice", &[], 1_000),
            Err(SigError::Encoding)
        );
    }
}
