//! TIM's group read receipts on [`Tim`]: `sendMessageReadReceipt`,
//! `getMessageReadReceiptList`, `getGroupMessageReadMemberList`. A sender
//! learns new receipts as `TimEvent::MessageReadReceiptReceived`.

use crate::error::TimError;
use crate::group::{GroupCall, GroupData, ReadReceiptInfo};
use crate::tim::Tim;

/// Seqs joined as the core takes them.
fn joined(seqs: &[u64]) -> String {
    seqs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Tim {
    /// TIM `sendMessageReadReceipt`: this user read the group messages
    /// `seqs` (at most 30), each of another member's and asking for
    /// receipts (`Message::need_read_receipt`).
    pub async fn send_message_read_receipt(
        &self,
        group_id: &str,
        seqs: &[u64],
    ) -> Result<(), TimError> {
        let call = GroupCall::SendReceipts(group_id.to_owned(), joined(seqs));
        self.group(call).await.map(drop)
    }

    /// TIM `getMessageReadReceiptList`: the read and unread counts of the
    /// group messages `seqs` (at most 30), in the order asked.
    pub async fn message_read_receipts(
        &self,
        group_id: &str,
        seqs: &[u64],
    ) -> Result<Vec<ReadReceiptInfo>, TimError> {
        let call = GroupCall::Receipts(group_id.to_owned(), joined(seqs));
        Ok(self
            .group(call)
            .await?
            .into_iter()
            .filter_map(|r| match r {
                GroupData::Receipt(info) => Some(info),
                _ => None,
            })
            .collect())
    }

    /// TIM `getGroupMessageReadMemberList`: every member who read message
    /// `seq` (`read`), or who has not, in id order (fetched a page at a
    /// time).
    pub async fn group_message_read_members(
        &self,
        group_id: &str,
        seq: u64,
        read: bool,
    ) -> Result<Vec<String>, TimError> {
        let mut members = Vec::new();
        let mut offset = 0;
        loop {
            let call = GroupCall::ReceiptMembers(group_id.to_owned(), seq, read, offset);
            let mut next = None;
            for record in self.group(call).await? {
                match record {
                    GroupData::ReceiptMember(user) => members.push(user),
                    GroupData::Page { next_offset, more } => next = more.then_some(next_offset),
                    _ => return Err(TimError::UnexpectedAnswer),
                }
            }
            match next {
                Some(next_offset) if next_offset > offset => offset = next_offset,
                _ => return Ok(members),
            }
        }
    }
}
