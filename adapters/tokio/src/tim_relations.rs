//! TIM's blocklist calls on [`Tim`]: each resolves when the server answers.

use crate::driver::Command;
use crate::error::TimError;
use crate::relation::{RelationCall, RelationData};
use crate::tim::Tim;

impl Tim {
    async fn relation(&self, call: RelationCall) -> Result<Vec<RelationData>, TimError> {
        self.call(|reply| Command::Relation { call, reply }).await
    }

    /// TIM `addToBlacklist`: these users (at most 1000; the list holds at
    /// most 1000) can no longer send this user one-to-one messages; their
    /// sends fail with 20007.
    pub async fn add_to_blocklist(&self, users: &[&str]) -> Result<(), TimError> {
        self.relation(RelationCall::Block(users.join(",")))
            .await
            .map(drop)
    }

    /// TIM `removeFromBlacklist`.
    pub async fn remove_from_blocklist(&self, users: &[&str]) -> Result<(), TimError> {
        self.relation(RelationCall::Unblock(users.join(",")))
            .await
            .map(drop)
    }

    /// TIM `getBlacklist`: every blocked user, oldest entry first (fetched a
    /// page at a time).
    pub async fn blocklist(&self) -> Result<Vec<String>, TimError> {
        let mut users = Vec::new();
        let mut offset = 0;
        loop {
            let mut end = None;
            for record in self.relation(RelationCall::Page(offset)).await? {
                match record {
                    RelationData::Blocked(user) => users.push(user),
                    RelationData::Page { next_offset, more } => end = Some((next_offset, more)),
                }
            }
            match end {
                Some((next_offset, true)) if next_offset > offset => offset = next_offset,
                Some(_) => return Ok(users),
                None => return Err(TimError::UnexpectedAnswer),
            }
        }
    }
}
