//! A call from a handle to the runner: its arguments, owned (postcard bytes:
//! the handle's task waits while the runner applies them), and the function
//! that turns them into a core command.
//!
//! A list call's records come back through the same slot, one at a time,
//! each taken by the handle before the runner reads on.
//!
//! Each handle method passes its own function rather than a variant of one
//! big enum that the runner matches: the runner then references only the
//! functions the application's calls name, so a firmware links the core
//! commands it uses and no others.

use serde::{Deserialize, Serialize};
#[cfg(feature = "full")]
use tinyim_core::model::GroupId;
use tinyim_core::time::Instant;
use tinyim_core::wire::user::UserRecord;
#[cfg(feature = "full")]
use tinyim_core::JoinStatus;
use tinyim_core::{Client, Conversation, Event, Group, GroupRecord, RequestId};

use crate::handle::{HandleError, Sent};

/// Room for a call's encoded arguments: the largest is a login's user id
/// and UserSig (1 + 32 + 2 + 512 bytes with their length prefixes).
const ARGS_LEN: usize = 560;

/// What applying a call did.
// The `Now` reply holds a whole conversation record; there is no allocator
// to box it into, and an `Applied` is only returned once per call, by value.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Applied {
    /// A request is on its way; its completion answers the call.
    Request(RequestId),
    /// A message send is on its way; its status answers the call.
    Send(RequestId),
    /// Answered from the client's state, no request needed.
    Now(Reply),
}

/// Applies a call's arguments to the client.
pub(crate) type Apply = fn(&mut Client<'_>, Instant, &[u8]) -> Result<Applied, HandleError>;

/// Folds a record that answers the call into its reply.
pub(crate) type Collect = fn(&Event<'_>, &mut Reply);

/// Encodes a list call's record for the handle: `None` when it is not
/// one, `Some(None)` when it is larger than the slot. A function of the
/// call's, like [`Apply`], so that a firmware without list calls links no
/// record encoder.
pub(crate) type Forward = fn(&Event<'_>) -> Option<Option<Bytes>>;

#[cfg(feature = "full")]
/// [`Forward`] for group calls.
pub(crate) fn forward_group(event: &Event<'_>) -> Option<Option<Bytes>> {
    match event {
        Event::GroupData { data, .. } => Some(Bytes::encode(data)),
        _ => None,
    }
}

#[cfg(feature = "full")]
/// [`Forward`] for user calls.
pub(crate) fn forward_user(event: &Event<'_>) -> Option<Option<Bytes>> {
    match event {
        Event::UserData { data, .. } => Some(Bytes::encode(data)),
        _ => None,
    }
}

/// Postcard bytes: a call's arguments, or a record of a list call's answer
/// on its way to the handle.
pub(crate) struct Bytes {
    buf: [u8; ARGS_LEN],
    len: u16,
}

impl Bytes {
    /// `value` encoded; `None` when it does not fit.
    pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Option<Bytes> {
        let mut bytes = Bytes {
            buf: [0; ARGS_LEN],
            len: 0,
        };
        let used = postcard::to_slice(value, &mut bytes.buf).ok()?.len();
        // At most ARGS_LEN, which fits a u16.
        bytes.len = used as u16;
        Some(bytes)
    }

    /// The encoded bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// A call on its way to the runner.
pub(crate) struct Call {
    args: Bytes,
    pub(crate) apply: Apply,
    pub(crate) collect: Collect,
    /// For a list call, how its records (all but the page's end) are
    /// encoded for the handle, which takes them one by one.
    pub(crate) forward: Option<Forward>,
    /// Which call this is, counted by the handles, so that a handle giving
    /// up ends only its own call.
    pub(crate) generation: u32,
}

impl Call {
    /// A call of `apply` with `args` encoded; [`HandleError::TooLong`] when
    /// they do not fit.
    pub(crate) fn new<A: Serialize>(
        args: &A,
        apply: Apply,
        collect: Collect,
    ) -> Result<Call, HandleError> {
        Ok(Call {
            args: Bytes::encode(args).ok_or(HandleError::TooLong)?,
            apply,
            collect,
            forward: None,
            generation: 0,
        })
    }

    #[cfg(feature = "full")]
    /// A list call: its records are encoded by `forward` and handed to
    /// the handle, and the page's end is its reply.
    pub(crate) fn listing<A: Serialize>(
        args: &A,
        apply: Apply,
        forward: Forward,
    ) -> Result<Call, HandleError> {
        Ok(Call {
            forward: Some(forward),
            ..Call::new(args, apply, page_end)?
        })
    }

    /// The encoded arguments.
    pub(crate) fn args(&self) -> &[u8] {
        self.args.as_slice()
    }
}

/// What a handle says about a record the runner handed it.
pub(crate) enum Taken {
    /// It took the record: read on.
    Took,
    /// The handle of this call generation stopped waiting (its future was
    /// dropped): hand its call's remaining records to nobody.
    Abandoned(u32),
}

/// The one slot between the handles and the runner: a call waiting for the
/// runner, or a record of its answer waiting for the handle (never both: a
/// call is taken out before its records come). `Empty` is 0, so an empty
/// slot is all zero bytes and a `static Shared` lands in .bss.
#[repr(C, u8)]
pub(crate) enum Slot {
    Empty,
    Call(Call),
    Record(Bytes),
}

/// Decodes a call's arguments. Only bytes [`Call::new`] encoded from the
/// same type reach here, so this does not fail; were it to, the call would
/// be refused as not fitting rather than panic.
pub(crate) fn args<'a, A: Deserialize<'a>>(bytes: &'a [u8]) -> Result<A, HandleError> {
    postcard::from_bytes(bytes).map_err(|_| HandleError::TooLong)
}

/// For calls whose answer is their completion alone.
pub(crate) fn no_records(_: &Event<'_>, _: &mut Reply) {}

/// Where a page of a list ends: the offset to ask from next, and whether
/// more lie beyond it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageEnd {
    /// The offset for the next page.
    pub next_offset: u32,
    /// Whether more records lie beyond this page.
    pub more: bool,
}

/// Whether `event` is the record that ends a page, and where.
pub(crate) fn page_of(event: &Event<'_>) -> Option<PageEnd> {
    match *event {
        Event::GroupData {
            data: GroupRecord::Page { next_offset, more },
            ..
        }
        | Event::UserData {
            data: UserRecord::Page { next_offset, more },
            ..
        } => Some(PageEnd { next_offset, more }),
        _ => None,
    }
}

#[cfg(feature = "full")]
/// A list call's reply: where its page ended.
fn page_end(event: &Event<'_>, reply: &mut Reply) {
    if let Some(end) = page_of(event) {
        *reply = Reply::Page(end);
    }
}

/// The runner's answer to a call.
pub(crate) enum Reply {
    Done,
    Sent(Sent),
    #[cfg(feature = "full")]
    Joined(JoinStatus),
    Number(u64),
    #[cfg(feature = "full")]
    Created(GroupId),
    Conversation(Option<Conversation>),
    Group(Option<GroupEntry>),
    #[cfg(feature = "full")]
    Page(PageEnd),
}

/// A group of the user's group list, copied out of the client: TIM `Group`
/// as `getGroupList` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    /// The group.
    pub group: Group,
    /// Unread messages in its conversation (0 for types without unread counts).
    pub unread: u64,
}

/// Where the runner leaves its answer for the waiting handle, with the
/// generation of the call it answers. An explicit tag with `Empty` as 0
/// keeps an empty slot all zero bytes, so a `static Shared` lands in .bss
/// instead of costing flash in .data. While a request runs, the slot holds
/// the reply its records have built so far.
// Without an allocator nothing can be boxed; the one slot holds the largest.
#[allow(clippy::large_enum_variant)]
#[repr(C, u8)]
pub(crate) enum AnswerSlot {
    Empty,
    Filled(u32, Result<Reply, HandleError>),
}
