//! The handle applications hold.

use std::sync::{Arc, RwLock};

use tokio::sync::{mpsc, oneshot};

use tinyim_core::{Config, ConversationType, NetState};

use crate::driver::{self, Answer, Command, Query};
use crate::error::TimError;
use crate::event::{ConversationInfo, HistoryPage, Message, Outgoing, SentMessage, TimEvent};
use crate::upload::Uploader;
use tinyim_core::wire::body::{HopDirection, ReadScope};

/// How to run the client (TIM `create` options).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Core settings (timeouts, backoff, device class).
    pub config: Config,
    /// Seed for message ids and jitter; random when `None`.
    pub seed: Option<u64>,
    /// Connect over TLS; plain TCP when `None`.
    pub tls: Option<crate::Tls>,
    /// Where to keep the sync state (a file, replaced atomically whenever
    /// the conversation list changes): a process started again resumes
    /// from it instead of receiving every unread message again. A file
    /// that does not hold a sync state of this version is ignored (the
    /// client syncs afresh). `None` keeps it in memory only.
    pub sync_state: Option<std::path::PathBuf>,
}

/// The event stream (TIM `on`). No event is ever dropped: when the
/// application falls behind, the driver stops reading the socket, but it
/// always serves calls (a call awaited inside the event loop gets its
/// answer; the events ahead of it wait in memory meanwhile).
pub struct EventStream(mpsc::Receiver<TimEvent>);

impl EventStream {
    /// The next event; `None` once the client is gone.
    pub async fn recv(&mut self) -> Option<TimEvent> {
        self.0.recv().await
    }
}

/// The events as a `futures` stream (for `StreamExt` and the like); it
/// ends once the client is gone.
impl futures_core::Stream for EventStream {
    type Item = TimEvent;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<TimEvent>> {
        self.0.poll_recv(cx)
    }
}

/// A tinyim client (TIM `tim`). Cheap to clone; all clones drive one connection.
#[derive(Clone)]
pub struct Tim {
    commands: mpsc::Sender<Command>,
    /// Turns true once the driver has stopped (its sync state saved).
    stopped: tokio::sync::watch::Receiver<bool>,
    /// Conversations' custom data, drafts and last senders' stamps, as
    /// last fetched: shared by every clone.
    pub(crate) conversation_data: crate::tim_conversation_data::DataCache,
    /// The upload plugin, shared by every clone.
    pub(crate) uploader: Arc<RwLock<Option<Arc<dyn Uploader>>>>,
    /// The events' way out, for upload progress.
    pub(crate) events: mpsc::Sender<TimEvent>,
    /// TLS for the upload service's `https` URLs: the client's own.
    pub(crate) tls: Option<crate::Tls>,
}

impl Tim {
    /// TIM `create`: starts the driver for `addr` (`host:port`, or several
    /// separated by commas: a cluster's nodes, dialled in turn, moving to
    /// the next when one cannot be reached). It connects when `login` is
    /// called and keeps reconnecting until `logout`.
    ///
    /// Read the event stream, or drop it: while it is full the connection
    /// waits for it (so no event is lost), and calls are served all the
    /// same, also from inside the loop that reads it.
    pub fn connect(addr: impl Into<String>, options: Options) -> (Tim, EventStream) {
        let (commands, command_rx) = mpsc::channel(256);
        let (event_tx, event_rx) = mpsc::channel(crate::streams::EVENTS_WAITING);
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let tls = options.tls.clone();
        let events = event_tx.clone();
        let driver = driver::run(addr.into(), options, command_rx, event_tx);
        tokio::spawn(async move {
            driver.await;
            let _ = stopping.send(true);
        });
        let tim = Tim {
            commands,
            stopped,
            conversation_data: Arc::default(),
            uploader: Arc::default(),
            events,
            tls,
        };
        (tim, EventStream(event_rx))
    }

    /// TIM `setLogLevel`: the `log` level of the core and the driver.
    pub fn set_log_level(level: log::LevelFilter) {
        log::set_max_level(level);
    }

    pub(crate) async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, TimError>>) -> Command,
    ) -> Result<T, TimError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| TimError::Closed)?;
        rx.await.map_err(|_| TimError::Closed)?
    }

    /// TIM `login`: resolves once logged in (`SdkReady` is also emitted).
    pub async fn login(&self, user_id: &str, user_sig: &str) -> Result<(), TimError> {
        let (user_id, user_sig) = (user_id.to_owned(), user_sig.to_owned());
        self.call(|reply| Command::Login {
            user_id,
            user_sig,
            reply,
        })
        .await
    }

    /// TIM `logout`.
    pub async fn logout(&self) -> Result<(), TimError> {
        self.call(|reply| Command::Logout { reply }).await
    }

    /// TIM `createTextMessage` + `sendMessage` to a user: resolves when the
    /// message is durable on the server.
    pub async fn send_text(&self, to_user: &str, text: &str) -> Result<SentMessage, TimError> {
        self.send(Outgoing::text(ConversationType::C2c, to_user, text))
            .await
    }

    /// [`Tim::send_text`] with the client message id of an earlier send of
    /// the same text (from its `TimError::SendFailed`): the server stores
    /// it once however many times it is sent.
    pub async fn send_text_with_id(
        &self,
        to_user: &str,
        text: &str,
        client_msg_id: u64,
    ) -> Result<SentMessage, TimError> {
        let message = Outgoing::text(ConversationType::C2c, to_user, text);
        self.send(message.with_client_msg_id(client_msg_id)).await
    }

    /// TIM `createTextMessage` + `sendMessage` to a group.
    pub async fn send_group_text(
        &self,
        group_id: &str,
        text: &str,
    ) -> Result<SentMessage, TimError> {
        self.send(Outgoing::text(ConversationType::Group, group_id, text))
            .await
    }

    /// Sends any message; set `client_msg_id` to resend one whose outcome is
    /// unknown (the server never stores it twice).
    pub async fn send(&self, message: Outgoing) -> Result<SentMessage, TimError> {
        self.call(|reply| Command::Send { message, reply }).await
    }

    /// TIM `setMessageRead`.
    pub async fn set_message_read(&self, conversation_id: &str) -> Result<(), TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::SetRead {
            conversation_id,
            reply,
        })
        .await
    }

    /// TIM `setAllMessageRead`: every conversation of `scope` read up to
    /// its last message, on every device of this user.
    pub async fn set_all_message_read(&self, scope: ReadScope) -> Result<(), TimError> {
        self.call(|reply| Command::ReadAll { scope, reply }).await
    }

    /// TIM `deleteConversation`: the conversation leaves the list on every
    /// device of this user and its unread count is cleared, until a later
    /// message brings it back; its messages stay (`message_list`).
    pub async fn delete_conversation(&self, conversation_id: &str) -> Result<(), TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::DeleteConversation {
            conversation_id,
            reply,
        })
        .await
    }

    /// TIM `deleteConversation` with `conversationIDList` (at most 100)
    /// and `clearHistoryMessage`: each leaves the list on every device of
    /// this user, and with `clear_history` its history ends too (for this
    /// user; the others keep theirs).
    pub async fn delete_conversations(
        &self,
        conversation_ids: &[&str],
        clear_history: bool,
    ) -> Result<(), TimError> {
        let conversation_ids = conversation_ids.join(" ");
        self.call(|reply| Command::DeleteConversations {
            conversation_ids,
            clear_history,
            reply,
        })
        .await
    }

    /// TIM `modifyMessage`: `message`, changed by its sender (a text
    /// message's text, a custom message's fields, its cloud custom data),
    /// replaces the stored one. Its `version` must be the one the server
    /// has (from the message as received, or the last
    /// [`TimEvent::MessageModified`]), else 2480. Every party, this client
    /// too, then gets `TimEvent::MessageModified`.
    pub async fn modify_message(&self, message: &Message) -> Result<(), TimError> {
        let message = Box::new(message.clone());
        self.call(|reply| Command::ModifyMessage { message, reply })
            .await
    }

    /// TIM `deleteMessage`: the messages `seqs` (at most 30) of a
    /// conversation leave this user's history on every device (the other
    /// users keep theirs); the user's other sessions get
    /// [`TimEvent::MessagesDeleted`].
    pub async fn delete_messages(
        &self,
        conversation_id: &str,
        seqs: &[u64],
    ) -> Result<(), TimError> {
        let seqs: Vec<String> = seqs.iter().map(u64::to_string).collect();
        self.call(|reply| Command::DeleteMessages {
            conversation_id: conversation_id.to_owned(),
            seqs: seqs.join(" "),
            reply,
        })
        .await
    }

    /// TIM `setMessageRemindType`: how the conversation's new messages
    /// reach this user on every device; muted ones (`AcceptNotNotify`,
    /// `Discard`) leave `total_unread`, and `Discard` delivers no new
    /// message (history keeps them). The conversation must exist (10004).
    pub async fn set_message_remind_type(
        &self,
        conversation_id: &str,
        remind: tinyim_core::wire::body::RemindType,
    ) -> Result<(), TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::Remind {
            conversation_id,
            remind,
            reply,
        })
        .await
    }

    /// TIM `pinConversation`: pins (or unpins) a conversation to the top of
    /// `conversation_list` on every device of this user; it must have a
    /// message already (else 10004).
    pub async fn pin_conversation(
        &self,
        conversation_id: &str,
        pinned: bool,
    ) -> Result<(), TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::Pin {
            conversation_id,
            pinned,
            reply,
        })
        .await
    }

    /// TIM `clearHistoryMessage`: the conversation's messages so far are
    /// gone for this user on every device (`message_list` no longer reaches
    /// them; the other users keep theirs); it stays listed with no last
    /// message and nothing unread.
    pub async fn clear_history_message(&self, conversation_id: &str) -> Result<(), TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::ClearHistory {
            conversation_id,
            reply,
        })
        .await
    }

    /// TIM `revokeMessage`: takes back the message `seq` of a conversation
    /// (the sender within two minutes of sending, else 20016; a group's
    /// owner or admins any member's). It reads as `Payload::Revoked` in
    /// every history from then on, and everyone in the conversation gets
    /// [`crate::TimEvent::MessageRevoked`] on every device.
    pub async fn revoke_message(&self, conversation_id: &str, seq: u64) -> Result<(), TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::Revoke {
            conversation_id,
            seq,
            reply,
        })
        .await
    }

    /// TIM `getMessageList`: up to `count` messages before `before_seq` (0:
    /// the newest), newest first.
    pub async fn message_list(
        &self,
        conversation_id: &str,
        before_seq: u64,
        count: u16,
    ) -> Result<Vec<Message>, TimError> {
        let page = self
            .message_list_hopping(conversation_id, before_seq, HopDirection::Older, count)
            .await?;
        Ok(page.messages)
    }

    /// TIM `getMessageListHopping` (and `getMessageList` with its
    /// `isCompleted`): up to `count` messages from `seq` (not included;
    /// `Older` from 0 is from the newest), `Older` newest first or `Newer`
    /// oldest first, and whether the history ends there.
    pub async fn message_list_hopping(
        &self,
        conversation_id: &str,
        seq: u64,
        direction: HopDirection,
        count: u16,
    ) -> Result<HistoryPage, TimError> {
        let conversation_id = conversation_id.to_owned();
        self.call(|reply| Command::History {
            conversation_id,
            seq,
            direction,
            count,
            reply,
        })
        .await
    }

    /// TIM `getConversationList`, pinned first, then most recent first,
    /// with each one's custom data, draft and last sender's stamps
    /// (fetched from the server when they changed; while it cannot be
    /// reached, as last fetched).
    pub async fn conversation_list(&self) -> Result<Vec<ConversationInfo>, TimError> {
        let mut list = match self.state(Query::Conversations).await? {
            Answer::Conversations(list) => list,
            _ => return Err(TimError::UnexpectedAnswer),
        };
        self.fill_data(&mut list).await;
        Ok(list)
    }

    /// TIM `getConversationProfile`: one conversation the client holds.
    pub async fn conversation_profile(
        &self,
        conversation_id: &str,
    ) -> Result<Option<ConversationInfo>, TimError> {
        let found = match self
            .state(Query::Conversation(conversation_id.to_owned()))
            .await?
        {
            Answer::Conversation(found) => found.map(|c| *c),
            _ => return Err(TimError::UnexpectedAnswer),
        };
        let mut list: Vec<_> = found.into_iter().collect();
        self.fill_data(&mut list).await;
        Ok(list.pop())
    }

    /// TIM `getTotalUnreadMessageCount`.
    pub async fn total_unread(&self) -> Result<u64, TimError> {
        match self.state(Query::TotalUnread).await? {
            Answer::Count(n) => Ok(n),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// The network state.
    pub async fn net_state(&self) -> Result<NetState, TimError> {
        match self.state(Query::NetState).await? {
            Answer::NetState(state) => Ok(state),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// TIM `isReady`: logged in and synced, so calls are served.
    pub async fn is_ready(&self) -> Result<bool, TimError> {
        match self.state(Query::Ready).await? {
            Answer::Flag(ready) => Ok(ready),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// TIM `getLoginUser`: who is logged in (or logging in), if anyone.
    pub async fn login_user(&self) -> Result<Option<String>, TimError> {
        match self.state(Query::LoginUser).await? {
            Answer::User(user) => Ok(user),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// The server's clock now (unix milliseconds), from its time at the
    /// last handshake; `None` before one.
    pub async fn server_time_ms(&self) -> Result<Option<u64>, TimError> {
        match self.state(Query::ServerTime).await? {
            Answer::Time(at) => Ok(at),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// When the UserSig expires (unix seconds), as the server said at the
    /// last login; `None` before one. The session is kicked then
    /// (`KickedOut(UserSigExpired)`): log in again with a fresh one before.
    pub async fn user_sig_expires_at(&self) -> Result<Option<u64>, TimError> {
        match self.state(Query::SigExpiry).await? {
            Answer::Time(at) => Ok(at),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// A second stream of the events from now on, beside the one
    /// `connect` gave: each stream gets every event. Read each one or drop
    /// it: while one is full the driver waits for it.
    pub async fn subscribe(&self) -> Result<EventStream, TimError> {
        let (reply, stream) = oneshot::channel();
        self.commands
            .send(Command::Subscribe { reply })
            .await
            .map_err(|_| TimError::Closed)?;
        stream.await.map(EventStream).map_err(|_| TimError::Closed)
    }

    pub(crate) async fn state(&self, query: Query) -> Result<Answer, TimError> {
        self.call(|reply| Command::State { query, reply }).await
    }

    /// Stops the driver and returns once it has stopped: the connection is
    /// closed and the sync state (if kept, see [`Options::sync_state`])
    /// saved.
    pub async fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown).await;
        let mut stopped = self.stopped.clone();
        // An error: the driver is gone already.
        let _ = stopped.wait_for(|stopped| *stopped).await;
    }
}

/// The records of a call that answers per user (or per conversation), as
/// many as fit a frame: asked again, by `ask`, for the ids its answer had
/// no room for (`answered` reads how many ids a page answered from its
/// end). `ask` gets the ids joined by `separator`.
pub(crate) async fn per_user<D, F>(
    users: &[&str],
    separator: &str,
    ask: impl Fn(String) -> F,
    answered: fn(&[D]) -> Option<u32>,
) -> Result<Vec<D>, TimError>
where
    F: std::future::Future<Output = Result<Vec<D>, TimError>>,
{
    let mut found = Vec::new();
    let mut rest = users;
    while !rest.is_empty() {
        let records = ask(rest.join(separator)).await?;
        let sent = answered(&records).ok_or(TimError::UnexpectedAnswer)?;
        let sent = usize::try_from(sent).unwrap_or(usize::MAX);
        if sent == 0 {
            // Not even one user's records fit this client's frames.
            return Err(TimError::UnexpectedAnswer);
        }
        found.extend(records);
        rest = rest.get(sent..).unwrap_or_default();
    }
    Ok(found)
}
