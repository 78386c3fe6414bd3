//! Conversations: TIM ids (`C2C<user>`, `GROUP<group>`, `@TIM#SYSTEM`) and the
//! per-conversation watermarks the client keeps.

use super::ids::{valid_group_id, valid_user_id, UserId, SYSTEM_CONVERSATION};
use crate::wire::body::RemindType;

/// Bytes of the last message's text kept for the conversation list.
pub const PREVIEW_LEN: usize = 32;

/// An owned conversation id (`GROUP` + 48 bytes is the longest).
pub type ConversationId = heapless::String<56>;

/// TIM's conversation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConversationType {
    /// One-to-one chat, `C2C<userID>`.
    C2c,
    /// Group chat, `GROUP<groupID>`.
    Group,
    /// Group system notices, `@TIM#SYSTEM`.
    System,
}

impl ConversationType {
    /// Splits a conversation id into its type and the peer or group id, or
    /// `None` if the id is not well formed.
    pub fn parse(id: &str) -> Option<(ConversationType, &str)> {
        let (kind, target) = Self::split(id)?;
        let valid = match kind {
            ConversationType::System => true,
            ConversationType::C2c => valid_user_id(target),
            ConversationType::Group => valid_group_id(target),
        };
        valid.then_some((kind, target))
    }

    /// Splits a conversation id by its prefix alone, without checking the
    /// peer or group id: for ids the server already checked, on the path
    /// every received message takes.
    pub fn split(id: &str) -> Option<(ConversationType, &str)> {
        if id == SYSTEM_CONVERSATION {
            return Some((ConversationType::System, ""));
        }
        if let Some(user) = id.strip_prefix("C2C") {
            return Some((ConversationType::C2c, user));
        }
        if let Some(group) = id.strip_prefix("GROUP") {
            return Some((ConversationType::Group, group));
        }
        None
    }
}

/// A conversation as the client knows it.
///
/// The unread count is derived from the watermarks, never kept as a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub(crate) id: ConversationId,
    pub(crate) kind: ConversationType,
    /// Newest seq the server has.
    pub(crate) last_seq: u64,
    /// Read watermark (shared across this user's devices).
    pub(crate) read_seq: u64,
    /// Messages after `read_seq` up to `counted_to` that do not count as
    /// unread (group tips, notices, those their sender excluded).
    pub(crate) uncounted: u64,
    /// Where `uncounted` is known up to: the server's word (a summary, a
    /// read push), then each message delivered after it, in order.
    pub(crate) counted_to: u64,
    /// Every message up to here has been handed to the application.
    pub(crate) delivered_seq: u64,
    pub(crate) last_time_ms: u64,
    pub(crate) last_from: UserId,
    pub(crate) preview: heapless::String<PREVIEW_LEN>,
    /// Logical clock of the last activity, for eviction of the least recent.
    pub(crate) active: u32,
    /// A range fetch for this conversation is in flight.
    pub(crate) fetching: bool,
    /// `delivered_seq` is meaningful. A conversation new to the table has no
    /// baseline until the server says where this client's news start.
    pub(crate) baseline_known: bool,
    /// Everything known of it is covered by the sync cursor: were it
    /// forgotten, a fetch from the cursor would bring exactly what was not
    /// delivered yet. Only such a conversation, with nothing left to fetch,
    /// may leave a full table. A live message unsettles it until a sync
    /// window lists it again.
    pub(crate) settled: bool,
    /// Listed by the sync window in progress (and not changed since): it
    /// settles when the window completes.
    pub(crate) in_window: bool,
    /// TIM `messageRemindType`.
    pub(crate) remind: RemindType,
    /// `Extras::peer_read_seq` moved and `MessageReadByPeer` has not said
    /// so yet.
    #[cfg(feature = "full")]
    pub(crate) peer_read_unreported: bool,
    /// TIM `isPinned`: listed before the others.
    #[cfg(feature = "full")]
    pub(crate) pinned: bool,
    /// What else only the `full` feature keeps.
    #[cfg(feature = "full")]
    pub(crate) extras: Extras,
}

/// The numbers a conversation keeps only with the `full` feature (a device
/// of the text profile saves their 40 bytes in each of its conversations;
/// the flags beside them are fields of their own, packed with the others).
#[cfg(feature = "full")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    /// One-to-one: the peer's read watermark.
    pub(crate) peer_read_seq: u64,
    /// The newest delivered message that mentions this user by name.
    pub(crate) at_me_seq: u64,
    /// The newest delivered message that mentions everyone.
    pub(crate) at_all_seq: u64,
    /// TIM `markList`, as bits.
    pub(crate) marks: u64,
    /// Digest of the user's custom data and draft on it (0: none).
    pub(crate) data_digest: u64,
}

/// TIM `groupAtInfoList` of a conversation: whether unread messages
/// mention this user, by name or as everyone (TIM's `AT_ME`, `AT_ALL`,
/// both: `AT_ALL_AT_ME`). Gone once they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GroupAtInfo {
    /// An unread message mentions this user by name.
    pub at_me: bool,
    /// An unread message mentions everyone.
    pub at_all: bool,
}

impl Conversation {
    pub(crate) fn new(id: ConversationId, kind: ConversationType) -> Self {
        Conversation {
            id,
            kind,
            last_seq: 0,
            read_seq: 0,
            uncounted: 0,
            counted_to: 0,
            delivered_seq: 0,
            last_time_ms: 0,
            last_from: UserId::new(),
            preview: heapless::String::new(),
            active: 0,
            fetching: false,
            baseline_known: false,
            settled: false,
            in_window: false,
            remind: RemindType::AcceptAndNotify,
            #[cfg(feature = "full")]
            peer_read_unreported: false,
            #[cfg(feature = "full")]
            pinned: false,
            #[cfg(feature = "full")]
            extras: Extras::default(),
        }
    }

    /// TIM `messageRemindType`: how its new messages reach the user.
    pub fn remind_type(&self) -> RemindType {
        self.remind
    }

    /// Unread messages that count in the total (TIM leaves muted
    /// conversations out of `getTotalUnreadMessageCount`).
    pub(crate) fn unread_in_total(&self) -> u64 {
        if self.remind.counts_in_total() {
            self.unread_count()
        } else {
            0
        }
    }

    /// A delivered message `seq` of someone else mentions this user.
    #[cfg(feature = "full")]
    pub(crate) fn mentioned(&mut self, seq: u64, everyone: bool) {
        let extras = &mut self.extras;
        if everyone {
            extras.at_all_seq = extras.at_all_seq.max(seq);
        } else {
            extras.at_me_seq = extras.at_me_seq.max(seq);
        }
    }

    /// TIM `groupAtInfoList`: what unread messages mention this user
    /// (tracked with the `full` feature; without it, none).
    pub fn group_at_info(&self) -> GroupAtInfo {
        let (at_me_seq, at_all_seq) = self.mention_seqs();
        GroupAtInfo {
            at_me: at_me_seq > self.read_seq,
            at_all: at_all_seq > self.read_seq,
        }
    }

    /// The newest delivered messages that mention this user by name and
    /// everyone (0 without the `full` feature).
    pub(crate) fn mention_seqs(&self) -> (u64, u64) {
        #[cfg(feature = "full")]
        return (self.extras.at_me_seq, self.extras.at_all_seq);
        #[cfg(not(feature = "full"))]
        (0, 0)
    }

    /// Raises the peer's read watermark, to be reported once.
    #[cfg(feature = "full")]
    pub(crate) fn peer_read(&mut self, seq: u64) {
        if seq > self.extras.peer_read_seq {
            self.extras.peer_read_seq = seq;
            self.peer_read_unreported = true;
        }
    }

    /// TIM `conversationID`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// TIM `type`.
    pub fn kind(&self) -> ConversationType {
        self.kind
    }

    /// The peer's user id for C2C, the group id for GROUP, empty for SYSTEM.
    pub fn target(&self) -> &str {
        ConversationType::parse(&self.id).map_or("", |(_, target)| target)
    }

    /// TIM `unreadCount`: last seq minus the read watermark, less the
    /// messages in between that do not count (group tips, notices of
    /// revocations and modifications, those their sender excluded).
    pub fn unread_count(&self) -> u64 {
        self.last_seq
            .saturating_sub(self.read_seq)
            .saturating_sub(self.uncounted)
    }

    /// Moves the read watermark up to `seq`. Read past what is counted,
    /// nothing is left uncounted; read part of the way, the count is kept
    /// until the server's next word on it (it can only make the unread
    /// count too low, never too high).
    pub(crate) fn read_to(&mut self, seq: u64) {
        if seq > self.read_seq {
            self.read_seq = seq;
        }
        if self.read_seq >= self.counted_to {
            self.uncounted = 0;
            self.counted_to = self.read_seq;
        }
    }

    /// The server's word: `uncounted` messages after `read_seq` up to
    /// `last_seq` do not count. Taken unless this client counted further
    /// on its own (from messages delivered after it).
    pub(crate) fn uncounted_as_of(&mut self, read_seq: u64, last_seq: u64, uncounted: u64) {
        if last_seq >= self.counted_to && read_seq >= self.read_seq {
            self.read_seq = read_seq;
            self.uncounted = uncounted;
            self.counted_to = last_seq;
        } else {
            self.read_to(read_seq);
        }
    }

    /// Message `seq` was delivered, in order: counted unless `counts` is
    /// false (and it is after the read watermark).
    pub(crate) fn count_delivered(&mut self, seq: u64, counts: bool) {
        if seq <= self.counted_to {
            return;
        }
        self.counted_to = seq;
        if !counts && seq > self.read_seq {
            self.uncounted += 1;
        }
    }

    /// A message `seq` newer than every other: it is the last (unless its
    /// sender excluded it from being shown as the last message, when only
    /// the seq moves).
    pub(crate) fn extend(
        &mut self,
        seq: u64,
        time_ms: u64,
        from: &str,
        preview: &str,
        shown: bool,
    ) {
        if seq <= self.last_seq {
            return;
        }
        if shown {
            self.set_last(seq, time_ms, from, preview);
        } else {
            self.last_seq = seq;
        }
    }

    /// TIM `lastMessage.lastSequence`.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The read watermark.
    pub fn read_seq(&self) -> u64 {
        self.read_seq
    }

    /// Every message up to this seq has been delivered to this client.
    pub fn delivered_seq(&self) -> u64 {
        self.delivered_seq
    }

    /// One-to-one conversations: the peer has read every message up to this
    /// seq (TIM `isPeerRead`); 0 for groups, until the peer reads, and
    /// without the `full` feature.
    pub fn peer_read_seq(&self) -> u64 {
        #[cfg(feature = "full")]
        return self.extras.peer_read_seq;
        #[cfg(not(feature = "full"))]
        0
    }

    /// Where `self` stands against `other` in TIM's `getConversationList`
    /// order: pinned ones first, then `Less` when its last message is the
    /// more recent. Equal times compare `Equal`, so a stable sort keeps them
    /// in table order.
    pub fn list_order(&self, other: &Conversation) -> core::cmp::Ordering {
        other
            .is_pinned()
            .cmp(&self.is_pinned())
            .then(other.last_time_ms.cmp(&self.last_time_ms))
    }

    /// TIM `isPinned`: the user pinned it to the top of the list. Not kept
    /// without the `full` feature (false), as are [`Conversation::marks`]
    /// and [`Conversation::data_digest`] (0).
    pub fn is_pinned(&self) -> bool {
        #[cfg(feature = "full")]
        return self.pinned;
        #[cfg(not(feature = "full"))]
        false
    }

    /// TIM `markList`, as bits: `MARK_STAR` and the others of
    /// [`crate::wire::conversation_data`], and the application's own.
    pub fn marks(&self) -> u64 {
        #[cfg(feature = "full")]
        return self.extras.marks;
        #[cfg(not(feature = "full"))]
        0
    }

    /// Digest of the user's custom data and draft on this conversation,
    /// 0 when it has neither: an application that shows them asks for
    /// them (`Client::conversation_data`) when it changes.
    pub fn data_digest(&self) -> u64 {
        #[cfg(feature = "full")]
        return self.extras.data_digest;
        #[cfg(not(feature = "full"))]
        0
    }

    /// TIM `lastMessage.lastTime`, in unix milliseconds.
    pub fn last_time_ms(&self) -> u64 {
        self.last_time_ms
    }

    /// TIM `lastMessage.fromAccount`.
    pub fn last_from(&self) -> &str {
        &self.last_from
    }

    /// TIM `lastMessage.messageForShow`, cut to [`PREVIEW_LEN`] bytes.
    pub fn preview(&self) -> &str {
        &self.preview
    }

    /// Messages remain to be fetched before this conversation is up to date.
    pub(crate) fn needs_fetch(&self) -> bool {
        !self.baseline_known || self.delivered_seq < self.last_seq
    }

    /// Whether a full table may forget it without losing a message: see
    /// `settled`.
    pub(crate) fn evictable(&self) -> bool {
        self.settled && !self.needs_fetch() && !self.fetching
    }

    /// A live change came after the sync cursor: not settled until a sync
    /// window lists it again.
    pub(crate) fn unsettle(&mut self) {
        self.settled = false;
        self.in_window = false;
    }

    pub(crate) fn set_last(&mut self, seq: u64, time_ms: u64, from: &str, preview: &str) {
        if seq < self.last_seq {
            return;
        }
        self.last_seq = seq;
        self.last_time_ms = time_ms;
        self.last_from.clear();
        // User ids were validated to fit; a longer one is left empty.
        let _ = self.last_from.push_str(from);
        self.preview.clear();
        let _ = self
            .preview
            .push_str(cut_at_char_boundary(preview, PREVIEW_LEN));
    }
}

impl Conversation {
    /// The history was cleared: no last message to show, nothing unread;
    /// the seqs stay, so the next message is still told apart from old ones.
    pub(crate) fn clear_last_message(&mut self) {
        self.read_to(self.last_seq);
        self.last_from.clear();
        self.preview.clear();
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // `end` is a char boundary within the text: `get` cannot miss, and
    // unlike slicing it has no panicking path.
    text.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ids() {
        assert_eq!(
            ConversationType::parse("C2Cbob"),
            Some((ConversationType::C2c, "bob"))
        );
        assert_eq!(
            ConversationType::parse("GROUPg1"),
            Some((ConversationType::Group, "g1"))
        );
        assert_eq!(
            ConversationType::parse("@TIM#SYSTEM"),
            Some((ConversationType::System, ""))
        );
        assert_eq!(ConversationType::parse("C2C"), None);
        assert_eq!(ConversationType::parse("DMbob"), None);
        assert_eq!(ConversationType::parse("C2Cbad id"), None);
    }

    #[test]
    fn split_reads_the_prefix_only() {
        assert_eq!(
            ConversationType::split("C2Cbad id"),
            Some((ConversationType::C2c, "bad id"))
        );
        assert_eq!(
            ConversationType::split("GROUP"),
            Some((ConversationType::Group, ""))
        );
        assert_eq!(ConversationType::split("DMbob"), None);
    }

    #[test]
    fn preview_cut_keeps_utf8_whole() {
        let text = "ééééééééééééééééééé"; // 2 bytes each
        let cut = cut_at_char_boundary(text, 5);
        assert_eq!(cut, "éé");
    }
}

/// How a message weighs on its conversation (from its element and its
/// `MessageExtra`), for the client and the server alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// It counts as unread.
    pub counts: bool,
    /// It becomes the conversation's last message.
    pub shown: bool,
}

impl Counted {
    /// A group tip or a notice: not unread, shown as the last message.
    pub const NOTICE: Counted = Counted {
        counts: false,
        shown: true,
    };

    /// How a message with `elem` and `extra` weighs.
    pub fn of(
        elem: &crate::wire::body::Elem<'_>,
        extra: &crate::wire::body::MessageExtra<'_>,
    ) -> Self {
        Counted {
            counts: extra.counts_as_unread(elem),
            shown: !extra.excluded_from_last_message,
        }
    }
}
