//! The event streams and what waits to go into them. An event is never
//! dropped: one that does not fit a stream's channel waits in that stream's
//! backlog. While a call waits for the server's answer, events keep coming
//! into the backlog (the answer is behind them on the socket, and an
//! application that awaits a call inside its event loop reads no events
//! until it has its answer); otherwise a stream that is behind holds the
//! driver until it has room or a call comes, so a slow application slows
//! the connection instead of growing the backlog.

use std::collections::VecDeque;

use tokio::sync::mpsc;

use crate::event::TimEvent;

/// Events each stream's channel holds before its backlog takes the rest.
pub(crate) const EVENTS_WAITING: usize = 1024;

struct Stream {
    channel: mpsc::Sender<TimEvent>,
    backlog: VecDeque<TimEvent>,
    closed: bool,
}

/// Every open event stream.
pub(crate) struct Streams(Vec<Stream>);

impl Streams {
    /// The streams, starting with `first`.
    pub(crate) fn new(first: mpsc::Sender<TimEvent>) -> Self {
        let mut streams = Streams(Vec::new());
        streams.add(first);
        streams
    }

    /// Adds a stream that gets every event from now on.
    pub(crate) fn add(&mut self, channel: mpsc::Sender<TimEvent>) {
        self.0.push(Stream {
            channel,
            backlog: VecDeque::new(),
            closed: false,
        });
    }

    /// Queues `event` for every stream and hands over what fits now.
    pub(crate) fn push(&mut self, event: TimEvent) {
        for stream in &mut self.0 {
            stream.backlog.push_back(event.clone());
        }
        self.flush();
    }

    /// Hands each stream what fits in its channel; forgets the closed ones.
    pub(crate) fn flush(&mut self) {
        for stream in &mut self.0 {
            while let Some(event) = stream.backlog.pop_front() {
                match stream.channel.try_send(event) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(event)) => {
                        stream.backlog.push_front(event);
                        break;
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        stream.closed = true;
                        break;
                    }
                }
            }
        }
        self.0.retain(|s| !s.closed);
    }

    /// Whether a stream has events waiting for room.
    pub(crate) fn behind(&self) -> bool {
        self.0.iter().any(|s| !s.backlog.is_empty())
    }

    /// Completes once a stream that is behind has taken one more event (or
    /// was dropped); pending while none is behind.
    pub(crate) async fn room(&mut self) {
        let Some(stream) = self.0.iter_mut().find(|s| !s.backlog.is_empty()) else {
            return std::future::pending().await;
        };
        match stream.channel.reserve().await {
            Ok(permit) => {
                if let Some(event) = stream.backlog.pop_front() {
                    permit.send(event);
                }
            }
            Err(_) => stream.closed = true,
        }
        self.0.retain(|s| !s.closed);
    }
}
