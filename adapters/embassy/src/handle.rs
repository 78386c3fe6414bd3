//! The application side: calls that return when the server answers.

use core::fmt;

use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::signal::Signal;
use serde::Serialize;
use tinyim_core::{CommandError, RequestError};

use crate::call::{
    args, no_records, AnswerSlot, Applied, Apply, Bytes, Call, Collect, Reply, Slot, Taken,
};
#[cfg(feature = "full")]
use crate::call::{Forward, PageEnd};
use crate::shared::{OwnedEvent, Shared};

/// A cheap handle to a running client; copy it into every task that needs it.
///
/// Read events ([`Handle::next_event`]) in a task of their own, or
/// concurrently with calls: the runner waits for room in the event queue
/// rather than drop an event, so a task that only makes calls while nobody
/// reads events stops once the queue is full. While the runner waits it
/// neither reads nor sends heartbeats: a server that hears nothing for
/// three heartbeat intervals closes the connection, and the runner
/// reconnects and resyncs once it runs again.
///
/// A call can be given up (its future dropped, as under `with_timeout`):
/// the next call waits its turn and gets its own answer, never the
/// abandoned one's. What the abandoned request asked may still be done on
/// the server (a send may still be stored).
pub struct Handle<'a, M: RawMutex, const EVENTS: usize> {
    pub(crate) shared: &'a Shared<M, EVENTS>,
}

impl<M: RawMutex, const EVENTS: usize> Clone for Handle<'_, M, EVENTS> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: RawMutex, const EVENTS: usize> Copy for Handle<'_, M, EVENTS> {}

/// A message the server acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Sent {
    /// Its sequence in the conversation.
    pub seq: u64,
    /// Server time, unix milliseconds.
    pub time_ms: u64,
    /// Its client message id.
    pub client_msg_id: u64,
}

/// Why a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HandleError {
    /// An argument does not fit the handle's buffers: a text over
    /// [`crate::MAX_TEXT`], or arguments over the call's 560 bytes.
    TooLong,
    /// The core refused the command.
    Command(CommandError),
    /// The request failed (timeout, disconnect, server code).
    Request(RequestError),
    /// The event queue stayed full while the call waited for its answer,
    /// which comes after the events ahead of it: the task that reads
    /// events is likely the one waiting (it would wait forever). Read
    /// events in a task that does not await calls (see the host example).
    /// The request may still take effect: a send may be stored.
    EventsBehind,
}

impl HandleError {
    /// The TIM error code, where one applies.
    pub fn code(self) -> u32 {
        match self {
            HandleError::Request(e) => e.code(),
            HandleError::Command(CommandError::NotLoggedIn) => {
                tinyim_core::wire::code::NOT_LOGGED_IN
            }
            HandleError::Command(_) | HandleError::TooLong => tinyim_core::wire::code::BAD_REQUEST,
            HandleError::EventsBehind => tinyim_core::wire::code::TIMEOUT,
        }
    }
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandleError::TooLong => f.write_str("argument too long"),
            HandleError::Command(e) => write!(f, "{e}"),
            HandleError::Request(e) => write!(f, "request failed with {}", e.code()),
            HandleError::EventsBehind => {
                f.write_str("no answer: the event queue is full and nobody reads it")
            }
        }
    }
}

impl core::error::Error for HandleError {}

impl From<CommandError> for HandleError {
    fn from(e: CommandError) -> Self {
        HandleError::Command(e)
    }
}

/// The visitor of calls that are not lists: they get no records.
fn ignore(_: &[u8]) {}

/// While a handle waits for its call, the runner may be waiting for it to
/// take a record; dropped before the answer came, this tells the runner to
/// stop waiting (and to hand the call's remaining records to nobody).
struct Waiting<'a, M: RawMutex>(Option<(&'a Signal<M, Taken>, u32)>);

impl<M: RawMutex> Drop for Waiting<'_, M> {
    fn drop(&mut self) {
        if let Some((taken, generation)) = self.0 {
            taken.signal(Taken::Abandoned(generation));
        }
    }
}

#[cfg(feature = "full")]
/// A user list for the core's comma-separated form, joined while the call's
/// arguments are encoded (no buffer of its own).
pub(crate) struct UserIds<'a>(pub(crate) &'a [&'a str]);

#[cfg(feature = "full")]
impl UserIds<'_> {
    /// Refuses an id that would read as two once joined.
    pub(crate) fn checked<'a>(users: &'a [&'a str]) -> Result<UserIds<'a>, HandleError> {
        if users.iter().any(|u| u.contains(',')) {
            return Err(HandleError::Command(CommandError::InvalidUserId));
        }
        Ok(UserIds(users))
    }
}

#[cfg(feature = "full")]
impl fmt::Display for UserIds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, user) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(user)?;
        }
        Ok(())
    }
}

#[cfg(feature = "full")]
impl Serialize for UserIds<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// One call at a time goes to the runner; others wait their turn.
    ///
    /// The call is built by `make` straight into the shared slot, never
    /// kept in the caller's future: its arguments can hold a UserSig or a
    /// text (over 500 bytes), and as an argument they were stored in both
    /// this future and the public method's, in every task that awaits a
    /// call. One `dyn` builder rather than a generic one keeps this body
    /// compiled once.
    async fn call(
        &self,
        make: &dyn Fn() -> Result<Call, HandleError>,
        visit: &mut dyn FnMut(&[u8]),
    ) -> Result<Reply, HandleError> {
        let shared = self.shared;
        let _turn = shared.calls.lock().await;
        shared.reply.reset();
        shared.record_ready.reset();
        let generation = shared.generation.lock(|g| {
            g.set(g.get().wrapping_add(1));
            g.get()
        });
        let made: Result<(), HandleError> = shared.slot.lock(|slot| {
            // Only ever borrowed inside this lock, so never already borrowed.
            if let Ok(mut slot) = slot.try_borrow_mut() {
                let mut call = make()?;
                call.generation = generation;
                *slot = Slot::Call(call);
            }
            Ok(())
        });
        made?;
        shared.request.signal(());
        // Should this future be dropped while the runner waits for it to
        // take a record, the runner is told to stop waiting.
        let mut waiting = Waiting(Some((&shared.record_taken, generation)));
        let answer = loop {
            match select(shared.reply.wait(), shared.record_ready.wait()).await {
                Either::First(()) => match self.take_answer(generation) {
                    Some(answer) => break answer,
                    // The answer to an earlier call whose handle gave up:
                    // its request ended before the runner took this one.
                    None => continue,
                },
                Either::Second(()) => {
                    if let Some(record) = self.take_record() {
                        visit(record.as_slice());
                    }
                    shared.record_taken.signal(Taken::Took);
                }
            }
        };
        waiting.0 = None;
        answer
    }

    /// The answer in the slot if it is this generation's; an empty slot
    /// (which the runner never signals) reads as a lost connection.
    fn take_answer(&self, generation: u32) -> Option<Result<Reply, HandleError>> {
        self.shared.answer.lock(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            match core::mem::replace(&mut *slot, AnswerSlot::Empty) {
                AnswerSlot::Filled(g, answer) if g == generation => Some(answer),
                AnswerSlot::Filled(..) => None,
                AnswerSlot::Empty => Some(Err(HandleError::Request(RequestError::Disconnected))),
            }
        })
    }

    /// The record of a list call's answer waiting in the slot, if any.
    fn take_record(&self) -> Option<Bytes> {
        self.shared.slot.lock(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            match core::mem::replace(&mut *slot, Slot::Empty) {
                Slot::Record(bytes) => Some(bytes),
                other => {
                    *slot = other;
                    None
                }
            }
        })
    }

    #[cfg(feature = "full")]
    /// A list call: `visit` sees each record of the answer (postcard bytes
    /// of the core's record), and the page's end is returned.
    pub(crate) async fn list<A: Serialize>(
        &self,
        a: &A,
        apply: Apply,
        forward: Forward,
        visit: &mut dyn FnMut(&[u8]),
    ) -> Result<PageEnd, HandleError> {
        match self
            .call(&|| Call::listing(a, apply, forward), visit)
            .await?
        {
            Reply::Page(end) => Ok(end),
            // An answer that is not paged (a profile) ends with its records.
            _ => Ok(PageEnd::default()),
        }
    }

    /// A call answered by its completion alone.
    pub(crate) async fn done<A: Serialize>(&self, a: &A, apply: Apply) -> Result<(), HandleError> {
        self.call(&|| Call::new(a, apply, no_records), &mut ignore)
            .await
            .map(drop)
    }

    /// A call whose records build its reply; `pick` takes the value out.
    pub(crate) async fn answered<A: Serialize, T>(
        &self,
        a: &A,
        apply: Apply,
        collect: Collect,
        pick: fn(Reply) -> Option<T>,
    ) -> Result<T, HandleError> {
        let reply = self
            .call(&|| Call::new(a, apply, collect), &mut ignore)
            .await?;
        // A completion without the record that answers it: the server
        // answered something else, which is as good as no answer.
        pick(reply).ok_or(HandleError::Request(RequestError::Disconnected))
    }

    /// TIM `login`.
    pub async fn login(&self, user_id: &str, user_sig: &str) -> Result<(), HandleError> {
        self.done(&(user_id, user_sig), |c, now, a| {
            let (user, sig) = args(a)?;
            Ok(Applied::Request(c.login(now, user, sig)?))
        })
        .await
    }

    /// TIM `logout`.
    pub async fn logout(&self) -> Result<(), HandleError> {
        self.done(&(), |c, now, _| Ok(Applied::Request(c.logout(now)?)))
            .await
    }

    /// The next event (TIM `on`).
    pub async fn next_event(&self) -> OwnedEvent {
        self.shared.events.receive().await
    }
}
