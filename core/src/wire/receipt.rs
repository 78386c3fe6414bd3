//! Group read receipts: TIM `needReadReceipt`, `sendMessageReadReceipt`,
//! `getMessageReadReceiptList`, `getGroupMessageReadMemberList` and
//! `MESSAGE_READ_RECEIPT_RECEIVED`. A sender asks for receipts on a group
//! message (`MessageExtra::need_read_receipt`); members who read it send
//! one; the sender learns the counts as they change.

use serde::{Deserialize, Serialize};

/// Most messages one [`ReceiptMessages`] names.
pub const MAX_RECEIPT_MESSAGES: usize = 30;
/// Most members one [`ReceiptMembers`] page holds.
pub const MAX_RECEIPT_MEMBERS: u16 = 100;

/// Request payload: some messages of a group, by seq. For
/// `SEND_READ_RECEIPTS` (this member read them) and `READ_RECEIPTS`
/// (their counts).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptMessages<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The messages' seqs in decimal, separated by spaces, 1 to
    /// [`MAX_RECEIPT_MESSAGES`].
    pub seqs: &'a str,
}

impl<'a> ReceiptMessages<'a> {
    /// The seqs; `None` for an entry that is not one.
    pub fn seqs(&self) -> impl Iterator<Item = Option<u64>> + 'a {
        super::body::seq_list(self.seqs)
    }
}

/// Request payload: who read (or has not read) a group message, a page
/// at a time (TIM `getGroupMessageReadMemberList`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptMembers<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The message.
    pub seq: u64,
    /// The members who read it (true) or those who have not.
    pub read: bool,
    /// Where the page starts, from the previous page's `next_offset`.
    pub offset: u32,
    /// At most this many, 1 to [`MAX_RECEIPT_MEMBERS`].
    pub count: u16,
}

/// A message's receipt counts (TIM `readReceiptInfo`): a record of the
/// `READ_RECEIPTS` answer, and the push that tells the sender they changed.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReadReceipt<'a> {
    /// The group.
    pub group_id: &'a str,
    /// The message.
    pub seq: u64,
    /// Members who read it.
    pub read_count: u32,
    /// Members who were in the group when it was sent and have not.
    pub unread_count: u32,
}
