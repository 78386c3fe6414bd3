//! A call from a handle to the runner: its arguments, owned (postcard bytes:
//! the handle's task waits while the runner applies them), and the function
//! that turns them into a core command.
//!
//! Each handle method passes its own function rather than a variant of one
//! big enum that the runner matches: the runner then references only the
//! functions the application's calls name, so a firmware links the core
//! commands it uses and no others.

use serde::{Deserialize, Serialize};
use tinyim_core::model::GroupId;
use tinyim_core::time::Instant;
use tinyim_core::{Client, Conversation, Event, Group, JoinStatus, RequestId};

use crate::handle::{HandleError, Sent};

/// Room for a call's encoded arguments: the largest is a login's user id
/// and UserSig (1 + 32 + 2 + 512 bytes with their length prefixes).
const ARGS_LEN: usize = 560;

/// What applying a call did.
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

/// A call waiting in the shared slot.
pub(crate) struct Call {
    args: [u8; ARGS_LEN],
    len: u16,
    pub(crate) apply: Apply,
    pub(crate) collect: Collect,
}

impl Call {
    /// A call of `apply` with `args` encoded; [`HandleError::TooLong`] when
    /// they do not fit.
    pub(crate) fn new<A: Serialize>(
        args: &A,
        apply: Apply,
        collect: Collect,
    ) -> Result<Call, HandleError> {
        let mut call = Call {
            args: [0; ARGS_LEN],
            len: 0,
            apply,
            collect,
        };
        let used = postcard::to_slice(args, &mut call.args)
            .map_err(|_| HandleError::TooLong)?
            .len();
        // At most ARGS_LEN, which fits a u16.
        call.len = used as u16;
        Ok(call)
    }

    /// The encoded arguments.
    pub(crate) fn args(&self) -> &[u8] {
        self.args.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// Decodes a call's arguments. Only bytes [`Call::new`] encoded from the
/// same type reach here, so this does not fail; were it to, the call would
/// be refused as not fitting rather than panic.
pub(crate) fn args<'a, A: Deserialize<'a>>(bytes: &'a [u8]) -> Result<A, HandleError> {
    postcard::from_bytes(bytes).map_err(|_| HandleError::TooLong)
}

/// For calls whose answer is their completion alone.
pub(crate) fn no_records(_: &Event<'_>, _: &mut Reply) {}

/// The runner's answer to a call.
pub(crate) enum Reply {
    Done,
    Sent(Sent),
    Joined(JoinStatus),
    Number(u64),
    Created(GroupId),
    Conversation(Option<Conversation>),
    Group(Option<GroupEntry>),
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

/// Where the runner leaves its answer for the waiting handle. An explicit
/// tag with `Empty` as 0 keeps an empty slot all zero bytes, so a
/// `static Shared` lands in .bss instead of costing flash in .data. While a
/// request runs, the slot holds the reply its records have built so far.
#[repr(C, u8)]
pub(crate) enum AnswerSlot {
    Empty,
    Filled(Result<Reply, HandleError>),
}
