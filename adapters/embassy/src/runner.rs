//! The task that owns the connector and the core.

use core::future::Future;

use embassy_sync::blocking_mutex::raw::RawMutex;
use tinyim_core::time::Instant;
use tinyim_core::{Client, Event, RequestError, RequestId, SendStatus};
use tinyim_driver::Connector;

use crate::call::{page_of, AnswerSlot, Applied, Call, Collect, Forward, Reply, Slot};
use crate::clock::EmbassyClock;
use crate::delivery::{Deliver, Delivery};
use crate::handle::{HandleError, Sent};
use crate::shared::Shared;

/// Where the sync state (cursor and watermarks, postcard bytes) is kept across
/// reboots. Restore it with `Client::restore_sync_state` before building the
/// runner; the runner saves it after every run of events that changed it.
pub trait SyncStore {
    /// Keeps `state` (for example in flash).
    fn save(&mut self, state: &[u8]) -> impl Future<Output = ()>;
}

/// No persistence: a rebooted device syncs from its unread messages.
impl SyncStore for () {
    async fn save(&mut self, _: &[u8]) {}
}

/// The runner task's state. Call [`Runner::run`] from an embassy task.
pub struct Runner<'a, C, M: RawMutex, const EVENTS: usize, S = ()> {
    client: Client<'a>,
    connector: C,
    host: EmbassyHost<'a, M, EVENTS, S>,
}

impl<'a, C: Connector, M: RawMutex, const EVENTS: usize, S: SyncStore> Runner<'a, C, M, EVENTS, S> {
    /// A runner for `client` over the connections `connector` opens (bytes
    /// go straight between a connection and the client's buffers); `state_buf` holds the serialized
    /// sync state for `store` (about 170 bytes per conversation). `shared`
    /// belongs to this runner alone: it is the only sender of its event
    /// queue, and its calls' only answerer.
    pub fn new(
        client: Client<'a>,
        connector: C,
        shared: &'a Shared<M, EVENTS>,
        store: S,
        state_buf: &'a mut [u8],
    ) -> Self {
        Runner {
            client,
            connector,
            host: EmbassyHost {
                shared,
                current: None,
                store,
                state_buf,
                save_due: false,
                handoff_due: false,
                answering: 0,
            },
        }
    }

    /// Runs forever: connects when logged in, reconnects with backoff, resyncs.
    pub async fn run(&mut self) {
        tinyim_driver::run(
            &mut self.client,
            &mut self.connector,
            &EmbassyClock,
            &mut self.host,
        )
        .await;
    }
}

/// The call in progress: its request, whether it is a send (answered by its
/// status, not its completion), and how its records build its reply (kept
/// in the answer slot until the request completes).
pub(crate) struct Current {
    request: RequestId,
    send: bool,
    collect: Collect,
    forward: Option<Forward>,
    pub(crate) generation: u32,
}

struct EmbassyHost<'a, M: RawMutex, const EVENTS: usize, S> {
    shared: &'a Shared<M, EVENTS>,
    current: Option<Current>,
    store: S,
    state_buf: &'a mut [u8],
    save_due: bool,
    /// A record waits in the slot for the handle: the event's future waits
    /// until the handle took it.
    handoff_due: bool,
    /// The generation of the call being answered, written with its answer.
    answering: u32,
}

/// Leaves `reply` in the answer slot for the call of `generation`.
fn fill<M: RawMutex, const EVENTS: usize>(
    shared: &Shared<M, EVENTS>,
    generation: u32,
    reply: Result<Reply, HandleError>,
) {
    shared.answer.lock(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = AnswerSlot::Filled(generation, reply);
        }
    });
}

/// Answers the call of `generation`: the reply in the slot, then the
/// waiting handle woken.
pub(crate) fn answer<M: RawMutex, const EVENTS: usize>(
    shared: &Shared<M, EVENTS>,
    generation: u32,
    reply: Result<Reply, HandleError>,
) {
    fill(shared, generation, reply);
    shared.reply.signal(());
}

/// Where a list call's record went.
enum Placed {
    /// Into the slot, for the handle.
    Ready,
    /// Nowhere: its encoding is larger than the slot.
    TooLarge,
    /// Nowhere: a newer call waits in the slot, so the handle that made
    /// this one stopped waiting for it.
    Busy,
}

impl<M: RawMutex, const EVENTS: usize, S> EmbassyHost<'_, M, EVENTS, S> {
    fn answer(&mut self, request: RequestId, reply: Result<Reply, HandleError>) {
        if self.current.as_ref().is_some_and(|c| c.request == request) {
            self.current = None;
            self.reply(reply);
        }
    }

    /// Leaves the answer in the slot, then wakes the waiting handle.
    fn reply(&self, reply: Result<Reply, HandleError>) {
        answer(self.shared, self.answering, reply);
    }

    fn fill(&self, reply: Result<Reply, HandleError>) {
        fill(self.shared, self.answering, reply);
    }

    /// Answers the current call with what its records built.
    fn complete(&mut self, request: RequestId) {
        if self.current.as_ref().is_some_and(|c| c.request == request) {
            self.current = None;
            self.shared.reply.signal(());
        }
    }

    /// Lets the current call's records fold `event` into its reply.
    fn collect(&self, request: RequestId, event: &Event<'_>) {
        let Some(current) = self.current.as_ref().filter(|c| c.request == request) else {
            return;
        };
        self.shared.answer.lock(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                if let AnswerSlot::Filled(_, Ok(reply)) = &mut *slot {
                    (current.collect)(event, reply);
                }
            }
        });
    }

    /// A record answering the current call: folded into its reply or, for a
    /// list call, put in the slot for the handle (the runner then waits for
    /// the handle to take it before it reads on).
    fn record(&mut self, request: RequestId, event: &Event<'_>) {
        let Some(current) = self.current.as_ref().filter(|c| c.request == request) else {
            return;
        };
        let forward = match current.forward {
            Some(forward) if page_of(event).is_none() => forward,
            _ => return self.collect(request, event),
        };
        if self.failed() {
            // An earlier record did not fit: the call fails, the rest are skipped.
            return;
        }
        let placed = match forward(event) {
            None => return,
            Some(None) => Placed::TooLarge,
            Some(Some(bytes)) => self.shared.slot.lock(|slot| {
                let Ok(mut slot) = slot.try_borrow_mut() else {
                    return Placed::Busy;
                };
                if !matches!(*slot, Slot::Empty) {
                    return Placed::Busy;
                }
                *slot = Slot::Record(bytes);
                Placed::Ready
            }),
        };
        match placed {
            Placed::Ready => {
                // `record_taken` is not reset here: an `Abandoned` left by
                // this call's handle, gone between two records, must end
                // the wait for this one.
                self.shared.record_ready.signal(());
                self.handoff_due = true;
            }
            Placed::TooLarge => self.fill(Err(HandleError::TooLong)),
            Placed::Busy => self.current = None,
        }
    }

    /// Whether the current call already failed.
    fn failed(&self) -> bool {
        self.shared.answer.lock(|slot| {
            slot.try_borrow()
                .is_ok_and(|slot| matches!(*slot, AnswerSlot::Filled(_, Err(_))))
        })
    }

    /// Answers the waiting handle where `event` ends its call, and notes
    /// a sync state to save; returns the event if application tasks see it.
    fn route<'e>(&mut self, event: Event<'e>) -> Option<Event<'e>> {
        match event {
            Event::RequestCompleted(request) => {
                if !self.current.as_ref().is_some_and(|c| c.send) {
                    self.complete(request);
                }
                None
            }
            Event::GroupData { request, .. } | Event::UserData { request, .. } => {
                self.record(request, &event);
                None
            }
            Event::RequestFailed { request, error, .. } => {
                self.answer(request, Err(HandleError::Request(error)));
                None
            }
            Event::MessageStatus {
                request,
                client_msg_id,
                status,
            } => match status {
                SendStatus::Sent { seq, time_ms } => {
                    let sent = Sent {
                        seq,
                        time_ms,
                        client_msg_id,
                    };
                    self.answer(request, Ok(Reply::Sent(sent)));
                    None
                }
                SendStatus::Failed { code } => {
                    let error = RequestError::Server(code);
                    self.answer(request, Err(HandleError::Request(error)));
                    Some(event)
                }
            },
            Event::ConversationListUpdated | Event::SyncComplete => {
                self.save_due = true;
                Some(event)
            }
            _ => Some(event),
        }
    }
}

impl<M: RawMutex, const EVENTS: usize, S: SyncStore> tinyim_driver::Host
    for EmbassyHost<'_, M, EVENTS, S>
{
    type Command = Call;

    async fn command(&mut self) -> Call {
        loop {
            self.shared.request.wait().await;
            let call = self.shared.slot.lock(|slot| {
                let mut slot = slot.try_borrow_mut().ok()?;
                match core::mem::replace(&mut *slot, Slot::Empty) {
                    Slot::Call(call) => Some(call),
                    other => {
                        *slot = other;
                        None
                    }
                }
            });
            if let Some(call) = call {
                return call;
            }
        }
    }

    fn apply(&mut self, client: &mut Client<'_>, now: Instant, call: Call) -> bool {
        // A call whose handle stopped waiting (its future was dropped) must
        // not answer this one when its request ends.
        self.current = None;
        self.answering = call.generation;
        let (request, send) = match (call.apply)(client, now, call.args()) {
            Ok(Applied::Request(request)) => (request, false),
            Ok(Applied::Send(request)) => (request, true),
            Ok(Applied::Now(reply)) => {
                self.reply(Ok(reply));
                return true;
            }
            Err(e) => {
                self.reply(Err(e));
                return true;
            }
        };
        // The records that answer the request build on this.
        self.fill(Ok(Reply::Done));
        self.current = Some(Current {
            request,
            send,
            collect: call.collect,
            forward: call.forward,
            generation: call.generation,
        });
        true
    }

    fn event(&mut self, event: Event<'_>) -> impl Future<Output = ()> {
        // The delivery future is the whole state (an `async` body would keep
        // a second copy of the event beside it), and it holds the borrowed
        // event, copied out only once the queue has room for it: 144 bytes
        // where an owned event takes 392.
        let shared = self.shared;
        let deliver = Deliver {
            event: self.route(event),
            events: &shared.events,
        };
        let handoff = core::mem::take(&mut self.handoff_due);
        Delivery {
            deliver,
            taken: handoff.then(|| shared.record_taken.wait()),
            current: &mut self.current,
            shared,
            answering: self.answering,
            behind: None,
        }
    }

    async fn drained(&mut self, client: &Client<'_>) {
        if self.save_due {
            self.save_due = false;
            let saved = client.save_sync_state(self.state_buf);
            if let Some(state) = saved.ok().and_then(|n| self.state_buf.get(..n)) {
                self.store.save(state).await;
            }
        }
    }
}
