//! The driver task: owns the core client and the TCP stream, feeds bytes and
//! time in, writes bytes out, routes events. It decides nothing itself: when
//! to dial, close, resend or resync all come from the core.

use std::collections::HashMap;
use std::time::Instant as StdInstant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use tinyim_core::time::Instant;
use tinyim_core::{
    Client, CommandError, Elem, Event, HostResources, NetState, OutgoingMessage, RequestError,
    RequestId, SendStatus,
};

use crate::error::TimError;
use crate::event::{ConversationInfo, Message, Outgoing, Payload, SentMessage, TimEvent};
use crate::tim::Options;

type Reply<T> = oneshot::Sender<Result<T, TimError>>;

/// What the core's state looks like, for the list calls.
pub(crate) struct Snapshot {
    pub(crate) conversations: Vec<ConversationInfo>,
    pub(crate) total_unread: u64,
    pub(crate) net_state: NetState,
}

pub(crate) enum Command {
    Login {
        user_id: String,
        user_sig: String,
        reply: Reply<()>,
    },
    Logout {
        reply: Reply<()>,
    },
    Send {
        message: Outgoing,
        reply: Reply<SentMessage>,
    },
    SetRead {
        conversation_id: String,
        reply: Reply<()>,
    },
    History {
        conversation_id: String,
        before_seq: u64,
        count: u16,
        reply: Reply<Vec<Message>>,
    },
    Snapshot {
        reply: Reply<Snapshot>,
    },
    Shutdown,
}

/// A caller waiting for a request's outcome.
enum Waiter {
    Unit(Reply<()>),
    Send(Reply<SentMessage>),
    History(Reply<Vec<Message>>, Vec<Message>),
}

impl Waiter {
    fn fail(self, error: TimError) {
        match self {
            Waiter::Unit(r) => drop(r.send(Err(error))),
            Waiter::Send(r) => drop(r.send(Err(error))),
            Waiter::History(r, _) => drop(r.send(Err(error))),
        }
    }

    fn complete(self) {
        match self {
            Waiter::Unit(r) => drop(r.send(Ok(()))),
            // A send completes through its MessageStatus, which comes first.
            Waiter::Send(_) => {}
            Waiter::History(r, messages) => drop(r.send(Ok(messages))),
        }
    }
}

struct Clock(StdInstant);

impl Clock {
    fn now(&self) -> Instant {
        Instant::from_millis(self.0.elapsed().as_millis() as u64)
    }

    fn deadline(&self, at: Instant) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.0) + std::time::Duration::from_millis(at.as_millis())
    }
}

async fn read_some(stream: &mut Option<TcpStream>, buf: &mut [u8]) -> std::io::Result<usize> {
    match stream {
        Some(s) => s.read(buf).await,
        None => std::future::pending().await,
    }
}

pub(crate) async fn run(
    addr: String,
    options: Options,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<TimEvent>,
) {
    let clock = Clock(StdInstant::now());
    let seed = options.seed.unwrap_or_else(rand::random);
    let mut resources = Box::new(HostResources::new());
    let mut client = Client::new(&options.config, &mut resources, clock.now(), seed);
    let mut stream: Option<TcpStream> = None;
    let mut dialing: Option<tokio::task::JoinHandle<std::io::Result<TcpStream>>> = None;
    let mut waiters: HashMap<RequestId, Waiter> = HashMap::new();
    let mut inbound = vec![0u8; 16 * 1024];
    let mut unconsumed: Vec<u8> = Vec::new();
    let mut outbound = vec![0u8; 16 * 1024];
    let mut forward: Vec<TimEvent> = Vec::new();

    loop {
        // Carry out what the core wants, until it wants nothing more.
        let now = clock.now();
        if client.poll_timeout().is_some_and(|t| t <= now) {
            client.handle_timeout(now);
        }
        if client.poll_close() {
            stream = None;
        }
        if stream.is_none() && dialing.is_none() && client.poll_connect(now) {
            let addr = addr.clone();
            dialing = Some(tokio::spawn(async move { TcpStream::connect(addr).await }));
        }
        if !unconsumed.is_empty() {
            let taken = client.handle_input(clock.now(), &unconsumed);
            unconsumed.drain(..taken);
        }
        if let Some(s) = stream.as_mut() {
            while let Some(n) = client.poll_transmit(&mut outbound) {
                if s.write_all(&outbound[..n]).await.is_err() {
                    client.connection_lost(clock.now());
                    stream = None;
                    break;
                }
            }
        }
        let mut progressed = false;
        while let Some(event) = client.poll_event() {
            progressed = true;
            route(event, &mut waiters, &mut forward);
        }
        for event in forward.drain(..) {
            // A dropped stream only means nobody listens.
            let _ = events.send(event).await;
        }
        if progressed || (stream.is_some() && !client.transmit_idle()) {
            continue;
        }

        let wake = client.poll_timeout().map(|t| clock.deadline(t));
        tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { break };
                if !apply(command, &mut client, clock.now(), &mut waiters) {
                    break;
                }
            }
            read = read_some(&mut stream, &mut inbound), if unconsumed.is_empty() => {
                match read {
                    Ok(0) | Err(_) => {
                        stream = None;
                        client.connection_lost(clock.now());
                    }
                    Ok(n) => {
                        let taken = client.handle_input(clock.now(), &inbound[..n]);
                        unconsumed.extend_from_slice(&inbound[taken..n]);
                    }
                }
            }
            dialed = async { dialing.as_mut().expect("guarded by the condition").await }, if dialing.is_some() => {
                dialing = None;
                match dialed {
                    Ok(Ok(s)) => {
                        let _ = s.set_nodelay(true);
                        stream = Some(s);
                        client.connection_opened(clock.now());
                    }
                    _ => client.connection_lost(clock.now()),
                }
            }
            _ = async { tokio::time::sleep_until(wake.expect("guarded by the condition")).await }, if wake.is_some() => {
                client.handle_timeout(clock.now());
            }
        }
    }
    for (_, waiter) in waiters.drain() {
        waiter.fail(TimError::Closed);
    }
}

/// Hands a command to the core; false on shutdown.
fn apply(
    command: Command,
    client: &mut Client<'_>,
    now: Instant,
    waiters: &mut HashMap<RequestId, Waiter>,
) -> bool {
    fn register<T>(
        result: Result<RequestId, CommandError>,
        waiters: &mut HashMap<RequestId, Waiter>,
        reply: Reply<T>,
        make: impl FnOnce(Reply<T>) -> Waiter,
    ) {
        match result {
            Ok(id) => {
                waiters.insert(id, make(reply));
            }
            Err(e) => drop(reply.send(Err(TimError::Command(e)))),
        }
    }
    match command {
        Command::Login {
            user_id,
            user_sig,
            reply,
        } => register(
            client.login(now, &user_id, &user_sig),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::Logout { reply } => register(client.logout(now), waiters, reply, Waiter::Unit),
        Command::Send { message, reply } => {
            let elem = match &message.payload {
                Payload::Text(text) => Elem::Text { text },
                Payload::Custom {
                    data,
                    description,
                    extension,
                } => Elem::Custom {
                    data,
                    description,
                    extension,
                },
                Payload::TooLarge { .. } => {
                    let _ = reply.send(Err(TimError::Command(CommandError::TooLarge)));
                    return true;
                }
            };
            let outgoing = OutgoingMessage {
                to: &message.to,
                conversation_type: message.conversation_type,
                elem,
                online_only: message.online_only,
                client_msg_id: message.client_msg_id,
            };
            register(
                client.send_message(now, &outgoing),
                waiters,
                reply,
                Waiter::Send,
            )
        }
        Command::SetRead {
            conversation_id,
            reply,
        } => register(
            client.set_message_read(now, &conversation_id),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::History {
            conversation_id,
            before_seq,
            count,
            reply,
        } => register(
            client.message_list(now, &conversation_id, before_seq, count),
            waiters,
            reply,
            |r| Waiter::History(r, Vec::new()),
        ),
        Command::Snapshot { reply } => {
            let mut conversations: Vec<ConversationInfo> =
                client.conversations().map(ConversationInfo::from).collect();
            conversations.sort_by_key(|c| std::cmp::Reverse(c.last_time_ms));
            let _ = reply.send(Ok(Snapshot {
                conversations,
                total_unread: client.total_unread(),
                net_state: client.net_state(),
            }));
        }
        Command::Shutdown => return false,
    }
    true
}

/// Resolves waiters and collects the events the application sees.
fn route(event: Event<'_>, waiters: &mut HashMap<RequestId, Waiter>, forward: &mut Vec<TimEvent>) {
    match event {
        Event::RequestCompleted(id) => {
            if let Some(w) = waiters.remove(&id) {
                w.complete();
            }
        }
        Event::RequestFailed { request, error } => {
            if let Some(w) = waiters.remove(&request) {
                w.fail(TimError::Request(error));
            }
        }
        Event::HistoryMessage { request, message } => {
            if let Some(Waiter::History(_, messages)) = waiters.get_mut(&request) {
                messages.push(Message::from(&message));
            }
        }
        Event::MessageStatus {
            request,
            client_msg_id,
            status,
        } => match status {
            SendStatus::Sent { seq, time_ms } => {
                if let Some(Waiter::Send(reply)) = waiters.remove(&request) {
                    let _ = reply.send(Ok(SentMessage {
                        seq,
                        time_ms,
                        client_msg_id,
                    }));
                }
            }
            SendStatus::Failed { code } => {
                if let Some(Waiter::Send(reply)) = waiters.remove(&request) {
                    let error = match code {
                        tinyim_core::wire::code::TIMEOUT => RequestError::Timeout,
                        tinyim_core::wire::code::NETWORK => RequestError::Disconnected,
                        code => RequestError::Server(code),
                    };
                    let _ = reply.send(Err(TimError::Request(error)));
                }
                forward.push(TimEvent::MessageFailed {
                    client_msg_id,
                    code,
                });
            }
        },
        Event::SdkReady => forward.push(TimEvent::SdkReady),
        Event::SdkNotReady => forward.push(TimEvent::SdkNotReady),
        Event::NetStateChange(s) => forward.push(TimEvent::NetStateChange(s)),
        Event::KickedOut(r) => forward.push(TimEvent::KickedOut(r)),
        Event::ConnectionRejected { code } => forward.push(TimEvent::ConnectionRejected(code)),
        Event::MessageReceived(m) => forward.push(TimEvent::MessageReceived(Message::from(&m))),
        Event::ConversationListUpdated => forward.push(TimEvent::ConversationListUpdated),
        Event::TotalUnreadCountUpdated(n) => forward.push(TimEvent::TotalUnreadCountUpdated(n)),
        Event::ConversationsEvicted(n) => forward.push(TimEvent::ConversationsEvicted(n)),
        Event::SyncComplete => forward.push(TimEvent::SyncComplete),
    }
}
