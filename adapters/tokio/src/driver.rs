//! The tokio pieces of the shared driver loop (`tinyim-driver`): a clock,
//! and a host that turns `Tim` calls into core commands and core events
//! into resolved futures and `TimEvent`s. Connections come from
//! [`crate::connector`].

use std::collections::HashMap;
use std::time::Instant as StdInstant;
use tinyim_core::wire::body::RemindType;

use tokio::sync::{mpsc, oneshot};

use tinyim_core::time::Instant;
use tinyim_core::{
    Client, CommandError, ConversationType, Elem, Event, HostResources, NetState, OutgoingMessage,
    RequestId, SendStatus,
};

use crate::connector::TcpConnector;
use crate::error::TimError;
use crate::event::{ConversationInfo, HistoryPage, Message, Outgoing, SentMessage, TimEvent};
use crate::friend::{FriendCall, FriendData};
use crate::group::{GroupCall, GroupData, GroupListEntry};
use crate::payload::Payload;
use crate::streams::{Streams, EVENTS_WAITING};
use crate::sync_file;
use crate::tim::Options;
use crate::user::{UserCall, UserData, UserStatus};
use tinyim_core::wire::body::{HopDirection, ReadScope};

type Reply<T> = oneshot::Sender<Result<T, TimError>>;

/// A question about the client's state, answered from the core's tables
/// without a request to the server; each copies only what it returns.
pub(crate) enum Query {
    Conversations,
    Conversation(String),
    Groups,
    TotalUnread,
    NetState,
    Ready,
    LoginUser,
    ServerTime,
    SigExpiry,
}

/// The answer to a [`Query`], of the query's own kind.
pub(crate) enum Answer {
    Conversations(Vec<ConversationInfo>),
    Conversation(Option<Box<ConversationInfo>>),
    Groups(Vec<GroupListEntry>),
    Count(u64),
    NetState(NetState),
    Flag(bool),
    User(Option<String>),
    /// A time (unix milliseconds or seconds, by the query), if known.
    Time(Option<u64>),
}

impl Query {
    fn answer(self, client: &Client<'_>, now: Instant) -> Answer {
        match self {
            Query::Conversations => {
                let mut rows: Vec<_> = client.conversations().collect();
                rows.sort_by(|a, b| a.list_order(b));
                Answer::Conversations(rows.into_iter().map(ConversationInfo::from).collect())
            }
            Query::Conversation(id) => Answer::Conversation(
                client
                    .conversation(&id)
                    .map(|c| Box::new(ConversationInfo::from(c))),
            ),
            Query::Groups => Answer::Groups(client.groups().map(GroupListEntry::from).collect()),
            Query::TotalUnread => Answer::Count(client.total_unread()),
            Query::NetState => Answer::NetState(client.net_state()),
            Query::Ready => Answer::Flag(client.is_ready()),
            Query::LoginUser => Answer::User(client.login_user().map(str::to_owned)),
            Query::ServerTime => Answer::Time(client.server_time_ms(now)),
            Query::SigExpiry => Answer::Time(client.user_sig_expires_at()),
        }
    }
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
    ReadAll {
        scope: ReadScope,
        reply: Reply<()>,
    },
    DeleteConversation {
        conversation_id: String,
        reply: Reply<()>,
    },
    DeleteConversations {
        conversation_ids: String,
        clear_history: bool,
        reply: Reply<()>,
    },
    DeleteMessages {
        conversation_id: String,
        seqs: String,
        reply: Reply<()>,
    },
    ModifyMessage {
        message: Box<Message>,
        reply: Reply<()>,
    },
    ClearHistory {
        conversation_id: String,
        reply: Reply<()>,
    },
    Pin {
        conversation_id: String,
        pinned: bool,
        reply: Reply<()>,
    },
    Remind {
        conversation_id: String,
        remind: RemindType,
        reply: Reply<()>,
    },
    Revoke {
        conversation_id: String,
        seq: u64,
        reply: Reply<()>,
    },
    History {
        conversation_id: String,
        seq: u64,
        direction: HopDirection,
        count: u16,
        reply: Reply<HistoryPage>,
    },
    State {
        query: Query,
        reply: Reply<Answer>,
    },
    /// Another event stream, getting every event from now on.
    Subscribe {
        reply: oneshot::Sender<mpsc::Receiver<TimEvent>>,
    },
    Group {
        call: GroupCall,
        reply: Reply<Vec<GroupData>>,
    },
    User {
        call: UserCall,
        reply: Reply<Vec<UserData>>,
    },
    Friend {
        call: FriendCall,
        reply: Reply<Vec<FriendData>>,
    },
    Shutdown,
}

/// A caller waiting for a request's outcome.
enum Waiter {
    Unit(Reply<()>),
    /// A send, with its conversation (for a failure nobody waits for) and,
    /// once its status said it failed, its client message id (the failure
    /// is told when the request's own event brings the server's words).
    Send(Reply<SentMessage>, String, Option<u64>),
    History(Reply<HistoryPage>, HistoryPage),
    Group(Reply<Vec<GroupData>>, Vec<GroupData>),
    User(Reply<Vec<UserData>>, Vec<UserData>),
    Friend(Reply<Vec<FriendData>>, Vec<FriendData>),
}

impl Waiter {
    fn fail(self, error: TimError) {
        match self {
            Waiter::Unit(r) => drop(r.send(Err(error))),
            Waiter::Send(r, ..) => drop(r.send(Err(error))),
            Waiter::History(r, _) => drop(r.send(Err(error))),
            Waiter::Group(r, _) => drop(r.send(Err(error))),
            Waiter::User(r, _) => drop(r.send(Err(error))),
            Waiter::Friend(r, _) => drop(r.send(Err(error))),
        }
    }

    fn complete(self) {
        match self {
            Waiter::Unit(r) => drop(r.send(Ok(()))),
            // A send completes through its MessageStatus, which comes first.
            Waiter::Send(..) => {}
            Waiter::History(r, page) => drop(r.send(Ok(page))),
            Waiter::Group(r, records) => drop(r.send(Ok(records))),
            Waiter::User(r, records) => drop(r.send(Ok(records))),
            Waiter::Friend(r, records) => drop(r.send(Ok(records))),
        }
    }
}

struct Clock(StdInstant);

impl tinyim_driver::Clock for Clock {
    fn now(&self) -> Instant {
        Instant::from_millis(self.0.elapsed().as_millis() as u64)
    }

    async fn sleep_until(&self, at: Instant) {
        let deadline = tokio::time::Instant::from_std(self.0)
            + std::time::Duration::from_millis(at.as_millis());
        tokio::time::sleep_until(deadline).await;
    }
}

/// Commands from the `Tim` handles in, events to the `EventStream`s out.
struct TokioHost {
    commands: mpsc::Receiver<Command>,
    /// A command that came while the host waited for a stream to have
    /// room: served before any other.
    stashed: Option<Command>,
    /// Every stream still open; each gets every event.
    streams: Streams,
    waiters: HashMap<RequestId, Waiter>,
    forward: Vec<TimEvent>,
    /// Where the sync state is kept, if anywhere.
    sync_state: Option<std::path::PathBuf>,
    /// The conversation list changed since the state was last saved.
    save_due: bool,
}

impl tinyim_driver::Host for TokioHost {
    type Command = Command;

    async fn drained(&mut self, client: &Client<'_>) {
        if let (true, Some(path)) = (self.save_due, &self.sync_state) {
            self.save_due = false;
            sync_file::save(client, path).await;
        }
    }

    async fn command(&mut self) -> Command {
        if let Some(command) = self.stashed.take() {
            return command;
        }
        // Streams that are behind fill up as their readers make room.
        loop {
            tokio::select! {
                // Every handle dropped: nobody can ask for anything again.
                command = self.commands.recv() => return command.unwrap_or(Command::Shutdown),
                () = self.streams.room(), if self.streams.behind() => {}
            }
        }
    }

    fn try_command(&mut self) -> Option<Command> {
        self.stashed
            .take()
            .or_else(|| self.commands.try_recv().ok())
    }

    fn apply(&mut self, client: &mut Client<'_>, now: Instant, command: Command) -> bool {
        if let Command::Subscribe { reply } = command {
            let (events, stream) = mpsc::channel(EVENTS_WAITING);
            self.streams.add(events);
            let _ = reply.send(stream);
            return true;
        }
        apply(command, client, now, &mut self.waiters)
    }

    async fn connect_failed(&mut self, error: &(dyn std::fmt::Display + Sync)) {
        self.streams
            .push(TimEvent::ConnectFailed(error.to_string()));
        self.keep_up().await;
    }

    async fn event(&mut self, event: Event<'_>) {
        self.save_due |= matches!(event, Event::ConversationListUpdated | Event::SyncComplete);
        route(event, &mut self.waiters, &mut self.forward);
        for event in self.forward.drain(..) {
            self.streams.push(event);
        }
        self.keep_up().await;
    }
}

impl TokioHost {
    /// Returns once the streams are not behind, or a call waits for an
    /// answer (which comes only after the events ahead of it), or a
    /// command came (stashed for `command`): so a call made inside an
    /// event loop is always served, and otherwise the connection waits for
    /// the slowest reader.
    async fn keep_up(&mut self) {
        while self.streams.behind() && self.waiters.is_empty() && self.stashed.is_none() {
            tokio::select! {
                () = self.streams.room() => {}
                command = self.commands.recv() => {
                    self.stashed = Some(command.unwrap_or(Command::Shutdown));
                }
            }
        }
    }
}

pub(crate) async fn run(
    addr: String,
    options: Options,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<TimEvent>,
) {
    let clock = Clock(StdInstant::now());
    let seed = options.seed.unwrap_or_else(rand::random);
    let mut resources = Box::new(HostResources::new());
    let mut client = Client::new(
        &options.config,
        &mut resources,
        tinyim_driver::Clock::now(&clock),
        seed,
    );
    let mut connector = TcpConnector::new(&addr, options.tls.clone());
    if let Some(path) = &options.sync_state {
        sync_file::restore(&mut client, path);
    }
    let mut host = TokioHost {
        commands,
        stashed: None,
        streams: Streams::new(events),
        waiters: HashMap::new(),
        forward: Vec::new(),
        sync_state: options.sync_state.clone(),
        save_due: false,
    };
    tinyim_driver::run(&mut client, &mut connector, &clock, &mut host).await;
    for (_, waiter) in host.waiters.drain() {
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
            let Some(elem) = message.payload.to_elem() else {
                let _ = reply.send(Err(TimError::Command(CommandError::NotSendable)));
                return true;
            };
            let at_users = message.at_users.join(",");
            let outgoing = OutgoingMessage {
                to: &message.to,
                conversation_type: message.conversation_type,
                elem,
                online_only: message.online_only,
                client_msg_id: message.client_msg_id,
                priority: message.priority,
                cloud_custom_data: &message.cloud_custom_data,
                at_users: &at_users,
                excluded_from_unread: message.excluded_from_unread,
                excluded_from_last_message: message.excluded_from_last_message,
                need_read_receipt: message.need_read_receipt,
            };
            let conversation_id = match message.conversation_type {
                ConversationType::Group => format!("GROUP{}", message.to),
                _ => format!("C2C{}", message.to),
            };
            register(
                client.send_message(now, &outgoing),
                waiters,
                reply,
                |reply| Waiter::Send(reply, conversation_id, None),
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
        Command::ReadAll { scope, reply } => register(
            client.set_all_message_read(now, scope),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::DeleteConversations {
            conversation_ids,
            clear_history,
            reply,
        } => register(
            client.delete_conversations(now, &conversation_ids, clear_history),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::ModifyMessage { message, reply } => {
            let Some(elem) = message.payload.to_elem() else {
                let _ = reply.send(Err(TimError::Command(CommandError::NotSendable)));
                return true;
            };
            register(
                client.modify_message(
                    now,
                    &message.conversation_id,
                    (message.seq, message.version),
                    elem,
                    &message.cloud_custom_data,
                ),
                waiters,
                reply,
                Waiter::Unit,
            )
        }
        Command::DeleteMessages {
            conversation_id,
            seqs,
            reply,
        } => register(
            client.delete_messages(now, &conversation_id, &seqs),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::DeleteConversation {
            conversation_id,
            reply,
        } => register(
            client.delete_conversation(now, &conversation_id),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::Pin {
            conversation_id,
            pinned,
            reply,
        } => register(
            client.pin_conversation(now, &conversation_id, pinned),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::Remind {
            conversation_id,
            remind,
            reply,
        } => register(
            client.set_message_remind_type(now, &conversation_id, remind),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::ClearHistory {
            conversation_id,
            reply,
        } => register(
            client.clear_history_message(now, &conversation_id),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::Revoke {
            conversation_id,
            seq,
            reply,
        } => register(
            client.revoke_message(now, &conversation_id, seq),
            waiters,
            reply,
            Waiter::Unit,
        ),
        Command::History {
            conversation_id,
            seq,
            direction,
            count,
            reply,
        } => register(
            client.message_list_hopping(now, &conversation_id, seq, direction, count),
            waiters,
            reply,
            |r| Waiter::History(r, HistoryPage::default()),
        ),
        Command::State { query, reply } => {
            let _ = reply.send(Ok(query.answer(client, now)));
        }
        // Taken by the host before the core sees commands.
        Command::Subscribe { .. } => {}
        Command::Group { call, reply } => register(call.issue(client, now), waiters, reply, |r| {
            Waiter::Group(r, Vec::new())
        }),
        Command::User { call, reply } => register(call.issue(client, now), waiters, reply, |r| {
            Waiter::User(r, Vec::new())
        }),
        Command::Friend { call, reply } => register(call.issue(client, now), waiters, reply, |r| {
            Waiter::Friend(r, Vec::new())
        }),
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
        Event::RequestFailed {
            request,
            error,
            message,
        } => match waiters.remove(&request) {
            // Reported once: to the caller, or as an event when nobody
            // waits for the call any more.
            Some(Waiter::Send(reply, conversation_id, Some(client_msg_id))) => {
                let failed = TimError::SendFailed {
                    client_msg_id,
                    error,
                    message: message.to_owned(),
                };
                if let Err(Err(_)) = reply.send(Err(failed)) {
                    forward.push(TimEvent::MessageFailed {
                        conversation_id,
                        client_msg_id,
                        code: error.code(),
                    });
                }
            }
            Some(w) => w.fail(TimError::Request {
                error,
                message: message.to_owned(),
            }),
            None => {}
        },
        Event::HistoryMessage { request, message } => {
            if let Some(Waiter::History(_, page)) = waiters.get_mut(&request) {
                page.messages.push(Message::from(&message));
            }
        }
        Event::HistoryEnd { request, complete } => {
            if let Some(Waiter::History(_, page)) = waiters.get_mut(&request) {
                page.complete = complete;
            }
        }
        Event::MessageStatus {
            request,
            client_msg_id,
            status,
        } => match status {
            SendStatus::Sent { seq, time_ms } => {
                if let Some(Waiter::Send(reply, ..)) = waiters.remove(&request) {
                    let _ = reply.send(Ok(SentMessage {
                        seq,
                        time_ms,
                        client_msg_id,
                    }));
                }
            }
            SendStatus::Failed { .. } => {
                // Its `RequestFailed` follows, with the server's words.
                if let Some(Waiter::Send(_, _, failed)) = waiters.get_mut(&request) {
                    *failed = Some(client_msg_id);
                }
            }
        },
        Event::SdkReady => forward.push(TimEvent::SdkReady),
        Event::SdkNotReady => forward.push(TimEvent::SdkNotReady),
        Event::NetStateChange(s) => forward.push(TimEvent::NetStateChange(s)),
        Event::KickedOut(r) => forward.push(TimEvent::KickedOut(r)),
        Event::ConnectionRejected { code } => forward.push(TimEvent::ConnectionRejected(code)),
        Event::MessageReceived(m) | Event::GroupTip(m) | Event::GroupSystemNotice(m) => {
            forward.push(TimEvent::MessageReceived(Box::new(Message::from(&m))))
        }
        Event::GroupData { request, data } => {
            if let (Some(Waiter::Group(_, records)), Some(data)) =
                (waiters.get_mut(&request), GroupData::from_record(&data))
            {
                records.push(data);
            }
        }
        Event::UserData { request, data } => {
            if let (Some(Waiter::User(_, records)), Some(data)) =
                (waiters.get_mut(&request), UserData::from_record(&data))
            {
                records.push(data);
            }
        }
        Event::FriendData { request, data } => {
            if let (Some(Waiter::Friend(_, records)), Some(data)) =
                (waiters.get_mut(&request), FriendData::from_record(&data))
            {
                records.push(data);
            }
        }
        Event::FriendListUpdated => forward.push(TimEvent::FriendListUpdated),
        Event::FriendApplicationListUpdated => forward.push(TimEvent::FriendApplicationListUpdated),
        Event::FriendGroupListUpdated => forward.push(TimEvent::FriendGroupListUpdated),
        Event::MessageRevoked(m) => {
            if let Elem::RevokeNotice { seq } = m.elem {
                forward.push(TimEvent::MessageRevoked {
                    conversation_id: m.conversation_id.to_owned(),
                    seq,
                    revoker: m.from.to_owned(),
                });
            }
        }
        Event::GroupListUpdated => forward.push(TimEvent::GroupListUpdated),
        Event::MessageReadByPeer {
            conversation_id,
            peer_read_seq,
        } => forward.push(TimEvent::MessageReadByPeer {
            conversation_id: conversation_id.to_owned(),
            peer_read_seq,
        }),
        Event::ProfileUpdated => forward.push(TimEvent::ProfileUpdated),
        Event::BlocklistUpdated => forward.push(TimEvent::BlocklistUpdated),
        Event::MessageModified(notice) => {
            if let Some((seq, now_is)) = notice.elem.modified() {
                forward.push(TimEvent::MessageModified {
                    conversation_id: notice.conversation_id.to_owned(),
                    seq,
                    payload: Payload::from_elem(&now_is.elem),
                    cloud_custom_data: now_is.extra.cloud_custom_data.to_owned(),
                    version: now_is.extra.version,
                })
            }
        }
        Event::MessagesDeleted(deleted) => forward.push(TimEvent::MessagesDeleted {
            conversation_id: deleted.conversation.to_owned(),
            seqs: deleted.seqs().flatten().collect(),
        }),
        Event::MessageReadReceiptReceived(receipt) => forward.push(
            TimEvent::MessageReadReceiptReceived(crate::ReadReceiptInfo::from(&receipt)),
        ),
        Event::UserStatusUpdated(status) => {
            forward.push(TimEvent::UserStatusUpdated(UserStatus::from(&status)))
        }
        Event::GroupsDropped(n) => forward.push(TimEvent::GroupsDropped(n)),
        Event::ConversationListUpdated => forward.push(TimEvent::ConversationListUpdated),
        Event::TotalUnreadCountUpdated(n) => forward.push(TimEvent::TotalUnreadCountUpdated(n)),
        Event::ConversationsEvicted(n) => forward.push(TimEvent::ConversationsEvicted(n)),
        Event::SyncComplete => forward.push(TimEvent::SyncComplete),
        Event::UserSigExpiring { expires_at } => {
            forward.push(TimEvent::UserSigExpiring { expires_at })
        }
        // Events a newer core knows and this adapter does not yet.
        _ => {}
    }
}
