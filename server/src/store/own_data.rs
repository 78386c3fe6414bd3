//! A user's own data on a conversation: TIM `setConversationCustomData`
//! and the draft. Kept apart from the conversation rows, which every sync
//! reads: their rows carry only [`OwnData::digest`].

use std::hash::Hasher;

/// A user's custom data and draft on one conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnData {
    /// TIM `customData`.
    pub custom_data: Vec<u8>,
    /// The draft's text.
    pub draft: String,
    /// When the draft was set, unix milliseconds (0 without one).
    pub draft_time_ms: u64,
}

impl OwnData {
    /// Neither custom data nor a draft: nothing to store.
    pub fn is_empty(&self) -> bool {
        self.custom_data.is_empty() && self.draft.is_empty()
    }

    /// What the conversation's row and sync summary carry for it: 0 when
    /// empty, otherwise a hash that every node and every version of the
    /// server computes alike (FNV-1a), never 0.
    pub fn digest(&self) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut hash = fnv::FnvHasher::default();
        // Lengths first, so the fields' bytes cannot trade places.
        hash.write_u64(self.custom_data.len() as u64);
        hash.write(&self.custom_data);
        hash.write_u64(self.draft.len() as u64);
        hash.write(self.draft.as_bytes());
        hash.write_u64(self.draft_time_ms);
        hash.finish().max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_zero_only_without_data_and_follows_every_field() {
        assert_eq!(OwnData::default().digest(), 0);
        let data = OwnData {
            custom_data: b"ab".to_vec(),
            draft: String::new(),
            draft_time_ms: 0,
        };
        let moved = OwnData {
            custom_data: b"a".to_vec(),
            draft: "b".into(),
            draft_time_ms: 0,
        };
        let later = OwnData {
            draft_time_ms: 5,
            ..data.clone()
        };
        assert_ne!(data.digest(), 0);
        assert_ne!(data.digest(), moved.digest());
        assert_ne!(data.digest(), later.digest());
        assert_eq!(data.digest(), data.clone().digest());
    }
}
