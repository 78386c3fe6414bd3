//! TIM's group read receipts on [`Client`]: `sendMessageReadReceipt`,
//! `getMessageReadReceiptList` and `getGroupMessageReadMemberList`. Each
//! queues one request and returns its id; the answer's records arrive as
//! `Event::GroupData`, then `RequestCompleted` (or `RequestFailed` with the
//! server's code). A sender learns new receipts as
//! `Event::MessageReadReceiptReceived`.

use super::group_calls::checked;
use super::{Client, CommandError, RequestId};
use crate::time::Instant;
use crate::wire::kind;
use crate::wire::receipt::{
    ReceiptMembers, ReceiptMessages, MAX_RECEIPT_MEMBERS, MAX_RECEIPT_MESSAGES,
};

/// `group_id` and `seqs` (decimal, separated by spaces, 1 to 30) as a
/// request.
fn messages<'a>(group_id: &'a str, seqs: &'a str) -> Result<ReceiptMessages<'a>, CommandError> {
    let request = ReceiptMessages {
        group_id: checked(group_id)?,
        seqs,
    };
    let mut count = 0;
    for seq in request.seqs() {
        if seq.is_none_or(|s| s == 0) {
            return Err(CommandError::InvalidParameter);
        }
        count += 1;
    }
    if count == 0 || count > MAX_RECEIPT_MESSAGES {
        return Err(CommandError::InvalidParameter);
    }
    Ok(request)
}

impl Client<'_> {
    /// TIM `sendMessageReadReceipt`: this member read the group messages
    /// `seqs` (decimal, separated by spaces, at most 30), each sent by
    /// another member asking for receipts. Answer: empty; each sender
    /// gets `MessageReadReceiptReceived` with the new counts.
    pub fn send_message_read_receipt(
        &mut self,
        now: Instant,
        group_id: &str,
        seqs: &str,
    ) -> Result<RequestId, CommandError> {
        self.receipt_call(now, kind::SEND_READ_RECEIPTS, group_id, seqs)
    }

    /// TIM `getMessageReadReceiptList`: the read and unread counts of the
    /// group messages `seqs` (decimal, separated by spaces, at most 30).
    /// Answer: a `GroupRecord::ReadReceipt` per message.
    pub fn message_read_receipts(
        &mut self,
        now: Instant,
        group_id: &str,
        seqs: &str,
    ) -> Result<RequestId, CommandError> {
        self.receipt_call(now, kind::READ_RECEIPTS, group_id, seqs)
    }

    fn receipt_call(
        &mut self,
        now: Instant,
        frame_kind: u8,
        group_id: &str,
        seqs: &str,
    ) -> Result<RequestId, CommandError> {
        let request = messages(group_id, seqs)?;
        self.group_call(now, frame_kind, &request)
    }

    /// TIM `getGroupMessageReadMemberList`: up to `count` (at most 100)
    /// members from `offset` who read message `seq` (`read`) or have not.
    /// Answer: `GroupRecord::ReceiptMember`s, then `Page`.
    pub fn group_message_read_members(
        &mut self,
        now: Instant,
        group_id: &str,
        seq: u64,
        read: bool,
        (offset, count): (u32, u16),
    ) -> Result<RequestId, CommandError> {
        if count == 0 || count > MAX_RECEIPT_MEMBERS {
            return Err(CommandError::InvalidParameter);
        }
        let request = ReceiptMembers {
            group_id: checked(group_id)?,
            seq,
            read,
            offset,
            count,
        };
        self.group_call(now, kind::READ_RECEIPT_MEMBERS, &request)
    }
}
