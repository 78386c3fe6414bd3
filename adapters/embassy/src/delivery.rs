//! The futures the runner's event step returns: copying an event into the
//! application tasks' queue, and waiting for a handle to take a list
//! call's record.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Timer};
use tinyim_core::Event;

use crate::call::{Slot, Taken};
use crate::handle::HandleError;
use crate::owned::owned;
use crate::runner::{answer, Current};
use crate::shared::{OwnedEvent, Shared};

/// Puts an event (if there is one) into the application tasks' queue,
/// waiting for room, and copies it out of the client only then. Written
/// over `poll_ready_to_send` and `try_send` rather than with the channel's
/// send future, which panics if polled again after it completed: this one
/// has no panicking path.
pub(crate) struct Deliver<'a, 'e, M: RawMutex, const N: usize> {
    pub(crate) events: &'a Channel<M, OwnedEvent, N>,
    pub(crate) event: Option<Event<'e>>,
}

impl<M: RawMutex, const N: usize> Future for Deliver<'_, '_, M, N> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.event.is_some() && this.events.poll_ready_to_send(cx).is_pending() {
            return Poll::Pending;
        }
        if let Some(owned) = this.event.take().and_then(owned) {
            // Cannot be full: the runner is the queue's only sender, and
            // it saw room just now.
            let _ = this.events.try_send(owned);
        }
        Poll::Ready(())
    }
}

/// How long a call may wait for its answer while the event queue stays
/// full before it fails with [`HandleError::EventsBehind`]: long enough for
/// a reader in another task to catch up, short of the request's own
/// timeout (which cannot run while the runner waits for room).
const BEHIND: Duration = Duration::from_secs(3);

/// The generation of a call waiting in the slot for the runner, taken out
/// of it if `take`.
fn waiting_call<M: RawMutex, const N: usize>(shared: &Shared<M, N>, take: bool) -> Option<u32> {
    shared.slot.lock(|slot| {
        let mut slot = slot.try_borrow_mut().ok()?;
        let Slot::Call(call) = &*slot else {
            return None;
        };
        let generation = call.generation;
        if take {
            *slot = Slot::Empty;
        }
        Some(generation)
    })
}

/// An event's delivery, then, when it was a list call's record, the wait
/// for the handle to take it; a handle that stopped waiting ends the call.
pub(crate) struct Delivery<'a, 'e, M: RawMutex, const N: usize, F> {
    pub(crate) deliver: Deliver<'a, 'e, M, N>,
    pub(crate) taken: Option<F>,
    pub(crate) current: &'a mut Option<Current>,
    /// Where the waiting call's answer goes, and the call's generation.
    pub(crate) shared: &'a Shared<M, N>,
    pub(crate) answering: u32,
    /// Runs while the queue is full and a call waits.
    pub(crate) behind: Option<Timer>,
}

impl<M: RawMutex, const N: usize, F: Future<Output = Taken> + Unpin> Future
    for Delivery<'_, '_, M, N, F>
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if Pin::new(&mut this.deliver).poll(cx).is_pending() {
            if this.current.is_some() || waiting_call(this.shared, false).is_some() {
                let timer = this.behind.get_or_insert_with(|| Timer::after(BEHIND));
                if Pin::new(timer).poll(cx).is_ready() {
                    // Whoever reads events may be the task waiting for an
                    // answer (to a call made, or one not yet taken): it
                    // fails, and the reading goes on.
                    this.behind = None;
                    if this.current.take().is_some() {
                        answer(this.shared, this.answering, Err(HandleError::EventsBehind));
                    }
                    if let Some(generation) = waiting_call(this.shared, true) {
                        answer(this.shared, generation, Err(HandleError::EventsBehind));
                    }
                }
            }
            return Poll::Pending;
        }
        this.behind = None;
        let Some(taken) = this.taken.as_mut() else {
            return Poll::Ready(());
        };
        loop {
            match Pin::new(&mut *taken).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Taken::Took) => break,
                Poll::Ready(Taken::Abandoned(generation)) => {
                    if this.current.as_ref().map(|c| c.generation) == Some(generation) {
                        *this.current = None;
                        break;
                    }
                    // An earlier call's handle gave up after its records
                    // were all taken: not this call's, wait on.
                }
            }
        }
        this.taken = None;
        Poll::Ready(())
    }
}
