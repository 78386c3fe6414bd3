//! Group read receipts: TIM `sendMessageReadReceipt`,
//! `getMessageReadReceiptList`, `getGroupMessageReadMemberList` and the
//! push behind `MESSAGE_READ_RECEIPT_RECEIVED`. A member's receipt for a
//! message is kept once (`Store::add_read_receipt`); the counts are those
//! of the members who were in the group when it was sent (joined before
//! its seq) and still are, the sender left out.

use std::collections::HashSet;

use tinyim_core::wire::group::GroupRecord;
use tinyim_core::wire::receipt::{
    ReadReceipt, ReceiptMembers, ReceiptMessages, MAX_RECEIPT_MEMBERS, MAX_RECEIPT_MESSAGES,
};
use tinyim_core::wire::{code, kind};

use crate::engine::content;
use crate::engine::delete_messages::checked_seqs;
use crate::engine::messages::group_key;
use crate::engine::revoke::no_such_message;
use crate::engine::{Engine, Handled, Refusal, Reply};
use crate::store::{GroupRow, Store, StoredMessage};

/// Who read a message and who has not, among the members it went to.
struct Readers {
    read: Vec<String>,
    unread: Vec<String>,
}

impl Readers {
    fn receipt<'a>(&self, group_id: &'a str, seq: u64) -> ReadReceipt<'a> {
        let count = |list: &Vec<String>| u32::try_from(list.len()).unwrap_or(u32::MAX);
        ReadReceipt {
            group_id,
            seq,
            read_count: count(&self.read),
            unread_count: count(&self.unread),
        }
    }
}

impl<S: Store> Engine<S> {
    /// Message `seq` of `group`, if it asks for read receipts; 10004 if
    /// there is no such message or it asks for none.
    fn receipted(&mut self, group: &GroupRow, seq: u64) -> Result<StoredMessage, Refusal> {
        if seq == 0 || seq > group.last_seq {
            return Err(no_such_message());
        }
        let m = self
            .store
            .message(&group_key(&group.group_id), seq)?
            .ok_or_else(no_such_message)?;
        let asks = content::decode(&m.body).is_ok_and(|(_, extra)| extra.need_read_receipt);
        if !asks {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "the message asks for no read receipts",
            ));
        }
        Ok(m)
    }

    /// The members message `m` went to (in the group before it, not its
    /// sender), split by whether they sent a receipt, each in id order.
    fn readers(&mut self, group_id: &str, m: &StoredMessage) -> Result<Readers, Refusal> {
        let receipts: HashSet<String> = self
            .store
            .receipt_readers(&m.conv_key, m.seq)?
            .into_iter()
            .collect();
        let mut members: Vec<String> = self
            .store
            .members(group_id)?
            .into_iter()
            .filter(|member| member.user_id != m.sender && member.join_seq < m.seq)
            .map(|member| member.user_id)
            .collect();
        members.sort();
        let (read, unread) = members.into_iter().partition(|u| receipts.contains(u));
        Ok(Readers { read, unread })
    }

    /// The messages `req` names, each asking for receipts, if `me` is a
    /// member of their group.
    fn receipted_messages(
        &mut self,
        me: &str,
        req: &ReceiptMessages<'_>,
    ) -> Result<Vec<StoredMessage>, Refusal> {
        let seqs = checked_seqs(req.seqs(), MAX_RECEIPT_MESSAGES)?;
        let (group, _) = self.group_and_member(req.group_id, me)?;
        seqs.into_iter()
            .map(|seq| self.receipted(&group, seq))
            .collect()
    }

    pub(super) fn send_read_receipts(
        &mut self,
        reply: Reply,
        me: &str,
        req: ReceiptMessages<'_>,
    ) -> Handled {
        let messages = self.receipted_messages(me, &req)?;
        if messages.iter().any(|m| m.sender == me) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "a receipt for one's own message",
            ));
        }
        for m in messages {
            if self.store.add_read_receipt(&m.conv_key, m.seq, me)? {
                let readers = self.readers(req.group_id, &m)?;
                let receipt = readers.receipt(req.group_id, m.seq);
                self.push_to_user(&m.sender, kind::PUSH_READ_RECEIPT, &receipt);
            }
        }
        self.respond(reply, &());
        Ok(())
    }

    pub(super) fn read_receipts(
        &mut self,
        reply: Reply,
        me: &str,
        req: ReceiptMessages<'_>,
    ) -> Handled {
        let messages = self.receipted_messages(me, &req)?;
        let mut receipts = Vec::with_capacity(messages.len());
        for m in messages {
            let readers = self.readers(req.group_id, &m)?;
            receipts.push(GroupRecord::ReadReceipt(
                readers.receipt(req.group_id, m.seq),
            ));
        }
        self.respond_records_page(
            reply,
            0,
            receipts.into_iter(),
            false,
            |next_offset, more| GroupRecord::Page { next_offset, more },
        );
        Ok(())
    }

    pub(super) fn read_receipt_members(
        &mut self,
        reply: Reply,
        me: &str,
        req: ReceiptMembers<'_>,
    ) -> Handled {
        if req.count == 0 || req.count > MAX_RECEIPT_MEMBERS {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "1 to 100 members a page",
            ));
        }
        let (group, _) = self.group_and_member(req.group_id, me)?;
        let m = self.receipted(&group, req.seq)?;
        let readers = self.readers(req.group_id, &m)?;
        let list = if req.read {
            readers.read
        } else {
            readers.unread
        };
        let start = usize::try_from(req.offset).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::from(req.count));
        let page = list.get(start..end.min(list.len())).unwrap_or_default();
        let more = end < list.len();
        let records = page
            .iter()
            .map(|user_id| GroupRecord::ReceiptMember { user_id });
        self.respond_records_page(reply, req.offset, records, more, |next_offset, more| {
            GroupRecord::Page { next_offset, more }
        });
        Ok(())
    }
}
