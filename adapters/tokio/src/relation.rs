//! Owned forms of the blocklist calls and their answers, for the driver.

use tinyim_core::time::Instant;
use tinyim_core::wire::relation::RelationRecord;
use tinyim_core::{Client, CommandError, RequestId};

/// A blocklist call in transit to the driver.
#[derive(Debug, Clone)]
pub(crate) enum RelationCall {
    /// Block these users (comma-joined).
    Block(String),
    /// Unblock these users (comma-joined).
    Unblock(String),
    /// One page of the blocklist, from this offset.
    Page(u32),
}

impl RelationCall {
    /// Hands the call to the core.
    pub(crate) fn issue(
        &self,
        client: &mut Client<'_>,
        now: Instant,
    ) -> Result<RequestId, CommandError> {
        match self {
            RelationCall::Block(users) => client.add_to_blocklist(now, users),
            RelationCall::Unblock(users) => client.remove_from_blocklist(now, users),
            RelationCall::Page(offset) => client.blocklist(now, *offset, 100),
        }
    }
}

/// One record of a blocklist call's answer, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RelationData {
    /// A blocked user.
    Blocked(String),
    /// The page's end.
    Page { next_offset: u32, more: bool },
}

impl From<&RelationRecord<'_>> for RelationData {
    fn from(record: &RelationRecord<'_>) -> Self {
        match *record {
            RelationRecord::Blocked { user_id } => RelationData::Blocked(user_id.to_owned()),
            RelationRecord::Page { next_offset, more } => RelationData::Page { next_offset, more },
        }
    }
}
