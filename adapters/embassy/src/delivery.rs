//! The futures the runner's event step returns: putting an owned event into
//! the application tasks' queue, and waiting for a handle to take a list
//! call's record.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::channel::{Channel, TrySendError};

use crate::call::Taken;
use crate::runner::Current;
use crate::shared::OwnedEvent;

/// Puts an owned event (if there is one) into the application tasks' queue,
/// waiting for room. Written over `try_send` and `poll_ready_to_send` rather
/// than with the channel's send future, which panics if polled again after
/// it completed: this one has no panicking path.
pub(crate) struct Deliver<'a, M: RawMutex, const N: usize> {
    pub(crate) events: &'a Channel<M, OwnedEvent, N>,
    pub(crate) event: Option<OwnedEvent>,
}

impl<M: RawMutex, const N: usize> Future for Deliver<'_, M, N> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            let Some(event) = this.event.take() else {
                return Poll::Ready(());
            };
            match this.events.try_send(event) {
                Ok(()) => return Poll::Ready(()),
                Err(TrySendError::Full(event)) => {
                    this.event = Some(event);
                    // Registers the waker; ready again means room appeared.
                    if this.events.poll_ready_to_send(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
            }
        }
    }
}

/// An event's delivery, then, when it was a list call's record, the wait
/// for the handle to take it; a handle that stopped waiting ends the call.
pub(crate) struct Delivery<'a, M: RawMutex, const N: usize, F> {
    pub(crate) deliver: Deliver<'a, M, N>,
    pub(crate) taken: Option<F>,
    pub(crate) current: &'a mut Option<Current>,
}

impl<M: RawMutex, const N: usize, F: Future<Output = Taken> + Unpin> Future
    for Delivery<'_, M, N, F>
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if Pin::new(&mut this.deliver).poll(cx).is_pending() {
            return Poll::Pending;
        }
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
