//! Durable state behind a trait: SQLite by default (one machine, nothing
//! else to run), PostgreSQL for a cluster of nodes sharing one database.

mod body_format;
mod columns;
mod friend;
mod group;
pub mod keys;
mod own_data;
mod postgres;
mod sqlite;
mod status;
mod upload;
mod user;

pub use friend::{FriendApplicationRow, FriendRow, FriendStore};
pub use group::{ApplicationRow, GroupRow, GroupStore, MemberRow};
pub use own_data::OwnData;
pub use postgres::PgStore;
pub use sqlite::{backup, check, SqliteStore, WalSync};
pub use status::StatusStore;
pub use upload::UploadRow;
pub use user::{ProfileRow, UserStore};

use std::fmt;
use tinyim_core::wire::body::RemindType;

/// A storage failure. The engine answers the request with an internal error
/// and commits nothing of it.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredMessage {
    /// Canonical conversation key (both sides of a C2C chat share it).
    pub conv_key: String,
    /// Sequence in the conversation.
    pub seq: u64,
    /// Sender user id.
    pub sender: String,
    /// The sender's client message id.
    pub client_msg_id: u64,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
    /// postcard-encoded [`tinyim_core::Elem`].
    pub body: Vec<u8>,
    /// Position in the server-wide change log, given by `insert_message`.
    pub gseq: u64,
}

/// One user's view of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    /// The user whose row this is.
    pub owner: String,
    /// The owner's TIM conversation id (`C2C<peer>`).
    pub conv_id: String,
    /// Canonical conversation key.
    pub conv_key: String,
    /// Newest seq.
    pub last_seq: u64,
    /// Owner's read watermark.
    pub read_seq: u64,
    /// Newest message time.
    pub last_time_ms: u64,
    /// Newest message sender.
    pub last_from: String,
    /// Newest message preview.
    pub preview: String,
    /// Position in the server-wide change log of the row's last change
    /// (sync cursors are positions in that log).
    pub version: u64,
    /// One-to-one conversations: the peer's read watermark; 0 for groups.
    pub peer_read_seq: u64,
    /// The owner deleted the conversation at this seq (TIM
    /// `deleteConversation`): it stays out of the list until a later message.
    pub hidden_seq: u64,
    /// The owner cleared the history up to this seq (TIM
    /// `clearHistoryMessage`): no page or fetch of theirs reaches below it.
    pub cleared_seq: u64,
    /// The owner pinned it to the top of their list (TIM `pinConversation`).
    pub pinned: bool,
    /// How its new messages reach the owner (TIM `setMessageRemindType`).
    pub remind: RemindType,
    /// The owner's marks on it (TIM `markConversation`), as bits.
    pub marks: u64,
    /// Digest of the owner's [`OwnData`] on it; 0 for none.
    pub data_digest: u64,
}

impl ConversationRow {
    /// `owner`'s row of a conversation with no message yet.
    pub fn new(owner: &str, conv_id: String, conv_key: &str) -> ConversationRow {
        ConversationRow {
            owner: owner.to_owned(),
            conv_id,
            conv_key: conv_key.to_owned(),
            last_seq: 0,
            read_seq: 0,
            last_time_ms: 0,
            last_from: String::new(),
            preview: String::new(),
            version: 0,
            peer_read_seq: 0,
            hidden_seq: 0,
            cleared_seq: 0,
            pinned: false,
            remind: RemindType::AcceptAndNotify,
            marks: 0,
            data_digest: 0,
        }
    }

    /// Messages its owner has not read, as the client counts them: none
    /// in a conversation deleted since its last message.
    pub fn unread(&self) -> u64 {
        if self.deleted() {
            return 0;
        }
        self.last_seq
            .saturating_sub(self.read_seq.max(self.cleared_seq))
    }

    /// Deleted, with nothing arrived since.
    pub fn deleted(&self) -> bool {
        self.hidden_seq > 0 && self.last_seq <= self.hidden_seq
    }
}

/// Storage operations. Calls happen inside `begin` .. `commit` of one batch;
/// a request that may refuse after writing runs inside a savepoint.
pub trait Store: GroupStore + UserStore + StatusStore + FriendStore + Send {
    /// Starts the batch transaction.
    fn begin(&mut self) -> StoreResult<()>;
    /// Makes the batch durable.
    fn commit(&mut self) -> StoreResult<()>;
    /// Abandons the batch.
    fn rollback(&mut self);
    /// Starts a request's savepoint.
    fn savepoint(&mut self) -> StoreResult<()>;
    /// Keeps the request's writes.
    fn release(&mut self) -> StoreResult<()>;
    /// Undoes the request's writes.
    fn rollback_to_savepoint(&mut self);
    /// How many writes the engine's calls have made so far (a count that
    /// only grows): a request that fails without a savepoint compares it
    /// with the count before it to learn whether it left anything behind.
    fn writes(&self) -> u64;

    /// The message `sender` already sent into the conversation `conv_key`
    /// with `client_msg_id`, if any.
    fn find_sent(
        &mut self,
        sender: &str,
        conv_key: &str,
        client_msg_id: u64,
    ) -> StoreResult<Option<StoredMessage>>;
    /// Newest seq of a conversation, 0 if none.
    fn last_seq(&mut self, conv_key: &str) -> StoreResult<u64>;
    /// Stores a message, giving it the next change number.
    fn insert_message(&mut self, message: &mut StoredMessage) -> StoreResult<()>;
    /// The message `seq` of a conversation, if stored.
    fn message(&mut self, conv_key: &str, seq: u64) -> StoreResult<Option<StoredMessage>>;
    /// Replaces a stored message's body (a revocation); its seq, sender,
    /// time and change number stay.
    fn replace_body(&mut self, conv_key: &str, seq: u64, body: &[u8]) -> StoreResult<()>;
    /// TIM `deleteMessage`: messages `seqs` of a conversation are gone for
    /// `owner` (the other users keep theirs). Deleting one twice is no error.
    fn delete_for(&mut self, owner: &str, conv_key: &str, seqs: &[u64]) -> StoreResult<()>;
    /// Message `seq` of a conversation does not count as unread (a group
    /// tip, a notice, one its sender excluded).
    fn mark_uncounted(&mut self, conv_key: &str, seq: u64) -> StoreResult<()>;
    /// How many of a conversation's messages after `after` up to `upto`
    /// do not count as unread.
    fn uncounted_between(&mut self, conv_key: &str, after: u64, upto: u64) -> StoreResult<u64>;
    /// `reader` sent a read receipt for message `seq` of a group's
    /// conversation; whether it is new.
    fn add_read_receipt(&mut self, conv_key: &str, seq: u64, reader: &str) -> StoreResult<bool>;
    /// Who sent read receipts for message `seq`.
    fn receipt_readers(&mut self, conv_key: &str, seq: u64) -> StoreResult<Vec<String>>;
    /// Keeps an upload's ticket.
    fn put_upload(&mut self, upload: &UploadRow) -> StoreResult<()>;
    /// An upload's ticket, if given.
    fn upload(&mut self, uuid: &str) -> StoreResult<Option<UploadRow>>;
    /// The upload's bytes arrived whole.
    fn complete_upload(&mut self, uuid: &str) -> StoreResult<()>;
    /// Bytes `owner`'s uploads hold against the quota: the complete ones,
    /// and those whose tickets were given after `since_ms` (still open).
    fn upload_usage(&mut self, owner: &str, since_ms: u64) -> StoreResult<u64>;
    /// `owner`'s custom data and draft on a conversation (empty when none).
    fn own_data(&mut self, owner: &str, conv_id: &str) -> StoreResult<OwnData>;
    /// Replaces them (an empty one removes the stored row).
    fn put_own_data(&mut self, owner: &str, conv_id: &str, data: &OwnData) -> StoreResult<()>;
    /// Which of a conversation's seqs in `range` `owner` deleted.
    fn deleted_for(
        &mut self,
        owner: &str,
        conv_key: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> StoreResult<Vec<u64>>;
    /// Stores a message unless its sender already sent one into the same
    /// conversation with the same client message id: then stores nothing
    /// and returns that one.
    fn insert_unless_sent(
        &mut self,
        message: &mut StoredMessage,
    ) -> StoreResult<Option<StoredMessage>>;
    /// A user's row of a conversation.
    fn conversation(&mut self, owner: &str, conv_id: &str) -> StoreResult<Option<ConversationRow>>;
    /// Writes a user's row, giving it the next change number. The write
    /// may wait in memory until the commit or the next read of changed
    /// rows; reads through this trait see it at once.
    fn put_conversation(&mut self, row: ConversationRow) -> StoreResult<()>;
    /// The newest change number.
    fn last_change(&mut self) -> StoreResult<u64>;
    /// Whether the number [`Store::last_change`] gave last may lie below a
    /// change committed before it was asked for (a cluster's store that
    /// could not wait out an older transaction): a sync round from it
    /// needs another after it. Never for a store with one writer.
    fn last_change_behind(&self) -> bool {
        false
    }
    /// The conversation's newest seq as of change number `change`.
    fn seq_as_of(&mut self, conv_key: &str, change: u64) -> StoreResult<u64>;
    /// A user's rows changed after `cursor`, oldest change first: the user's
    /// own rows (C2C, SYSTEM) and one per group conversation it is a member
    /// of (read diffusion; see [`GroupStore`]). Group types without unread
    /// counts report their read watermark at the last seq.
    fn changed_since(
        &mut self,
        owner: &str,
        cursor: u64,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>>;
    /// The rows [`Store::changed_since`] lists for `base`, those whose
    /// conversation id sorts after `after`, in the order of their ids: one
    /// window of a sync round.
    fn changed_window(
        &mut self,
        owner: &str,
        base: u64,
        after: &str,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>>;
    /// The user's unread messages over every conversation that
    /// [`Store::changed_since`] lists (TIM `getTotalUnreadMessageCount`):
    /// nothing in deleted or cleared ones.
    fn total_unread(&mut self, owner: &str) -> StoreResult<u64>;
    /// Messages after `after_seq`, ascending.
    fn messages_after(
        &mut self,
        conv_key: &str,
        after_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<StoredMessage>>;
    /// Messages before `before_seq`, descending.
    fn messages_before(
        &mut self,
        conv_key: &str,
        before_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<StoredMessage>>;
}
