//! The driver's host in a web page: calls from JavaScript come in as
//! closures over the core with the promise to settle, and the core's events
//! go out to one JavaScript function as TIM's event names and data.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use js_sys::{Array, Function};
use tinyim_core::time::Instant;
use tinyim_core::wire::body::Elem;
use tinyim_core::{
    Client, CommandError, Event, KickReason, NetState, RequestError, RequestId, SendStatus,
};
use wasm_bindgen::JsValue;

use crate::js_object::{self, num, Obj};
use crate::storage::SyncStore;

/// What a call does with the core; runs inside the driver.
pub(crate) type Run =
    Box<dyn for<'r, 's> FnOnce(&'s mut Client<'r>, Instant) -> Result<Started, CommandError>>;

/// How a call went on once the core took it.
pub(crate) enum Started {
    /// Answered from the client's tables at once.
    Value(JsValue),
    /// A request to the server: its promise settles on its events.
    Request(RequestId, Collect),
}

/// What a request's answer is made of.
#[derive(Clone, Copy)]
pub(crate) enum Collect {
    /// Nothing: success is the answer.
    Unit,
    /// The records of a group, user or friend call, in order.
    Records,
    /// A history page.
    History,
    /// A sent message's status.
    Send,
}

/// A call from JavaScript and the promise it returned.
pub(crate) struct Call {
    pub(crate) run: Run,
    pub(crate) resolve: Function,
    pub(crate) reject: Function,
}

pub(crate) enum Command {
    Call(Call),
    /// `destroy()`: the driver ends and every pending promise is rejected.
    Stop,
}

/// The command queue the page's calls write and the driver reads.
#[derive(Default)]
pub(crate) struct Queue {
    commands: RefCell<VecDeque<Command>>,
    waker: RefCell<Option<Waker>>,
}

impl Queue {
    pub(crate) fn push(&self, command: Command) {
        self.commands.borrow_mut().push_back(command);
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    fn pop(&self) -> Option<Command> {
        self.commands.borrow_mut().pop_front()
    }
}

/// TIM's error object for a refused or failed call.
pub(crate) fn error(code: u32, message: &str) -> JsValue {
    Obj::new().set("code", code).set("message", message).done()
}

fn command_error(e: CommandError) -> JsValue {
    error(e.code(), &e.to_string())
}

fn request_error(e: RequestError, message: &str) -> JsValue {
    let words = match (message, e) {
        ("", RequestError::Server(code)) => {
            tinyim_core::wire::code::describe(code).unwrap_or("refused by the server")
        }
        ("", RequestError::Timeout) => "no answer in time",
        ("", RequestError::Disconnected) => "the connection closed",
        (message, _) => message,
    };
    error(e.code(), words)
}

/// A promise waiting for its request's events.
struct Waiter {
    resolve: Function,
    reject: Function,
    collect: Collect,
    records: Array,
    complete: bool,
}

impl Waiter {
    fn succeed(self) {
        let value = match self.collect {
            Collect::Unit | Collect::Send => JsValue::UNDEFINED,
            Collect::Records => self.records.into(),
            Collect::History => {
                // The core pages newest first; TIM lists oldest first.
                self.records.reverse();
                Obj::new()
                    .set("messageList", self.records)
                    .set("isCompleted", self.complete)
                    .done()
            }
        };
        let _ = self.resolve.call1(&JsValue::NULL, &value);
    }

    fn fail(self, error: &JsValue) {
        let _ = self.reject.call1(&JsValue::NULL, error);
    }
}

/// The page's side of the driver.
pub(crate) struct WebHost {
    pub(crate) queue: Rc<Queue>,
    /// `emit(eventName, data)`.
    pub(crate) emit: Function,
    pub(crate) store: Rc<SyncStore>,
    /// Promises waiting on requests: a few at a time, so a list (a map's
    /// code would cost the bundle more than its lookups save).
    waiters: Vec<(RequestId, Waiter)>,
    /// The logged-in user: the `to` of the messages that come in.
    me: String,
    conversations_changed: bool,
    groups_changed: bool,
}

impl WebHost {
    pub(crate) fn new(queue: Rc<Queue>, emit: Function, store: Rc<SyncStore>) -> Self {
        Self {
            queue,
            emit,
            store,
            waiters: Vec::new(),
            me: String::new(),
            conversations_changed: false,
            groups_changed: false,
        }
    }

    fn emit(&self, name: &str, data: impl Into<JsValue>) {
        let _ = self
            .emit
            .call2(&JsValue::NULL, &JsValue::from_str(name), &data.into());
    }

    /// Rejects every pending promise: the driver has ended.
    pub(crate) fn close(&mut self) {
        let closed = error(tinyim_core::wire::code::NETWORK, "the client was destroyed");
        for (_, waiter) in self.waiters.drain(..) {
            waiter.fail(&closed);
        }
        while let Some(command) = self.queue.pop() {
            if let Command::Call(call) = command {
                let _ = call.reject.call1(&JsValue::NULL, &closed);
            }
        }
    }
}

impl tinyim_driver::Host for WebHost {
    type Command = Command;

    async fn command(&mut self) -> Command {
        poll_fn(|cx| match self.queue.pop() {
            Some(command) => Poll::Ready(command),
            None => {
                *self.queue.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }

    fn try_command(&mut self) -> Option<Command> {
        self.queue.pop()
    }

    fn apply(&mut self, client: &mut Client<'_>, now: Instant, command: Command) -> bool {
        let Command::Call(call) = command else {
            return false;
        };
        match (call.run)(client, now) {
            Ok(Started::Value(value)) => drop(call.resolve.call1(&JsValue::NULL, &value)),
            Ok(Started::Request(request, collect)) => {
                self.waiters.push((
                    request,
                    Waiter {
                        resolve: call.resolve,
                        reject: call.reject,
                        collect,
                        records: Array::new(),
                        complete: false,
                    },
                ));
            }
            Err(e) => drop(call.reject.call1(&JsValue::NULL, &command_error(e))),
        }
        if let Some(user) = client.login_user() {
            if user != self.me {
                self.me = user.to_owned();
            }
        }
        true
    }

    async fn event(&mut self, event: Event<'_>) {
        self.route(event);
    }

    async fn drained(&mut self, client: &Client<'_>) {
        if self.conversations_changed {
            self.conversations_changed = false;
            self.store.save(client);
            let list: Array = crate::conversation_list(client);
            self.emit("onConversationListUpdated", list);
        }
        if self.groups_changed {
            self.groups_changed = false;
            let list: Array = client.groups().map(js_object::group_entry).collect();
            self.emit("onGroupListUpdated", list);
        }
    }
}

impl WebHost {
    fn route(&mut self, event: Event<'_>) {
        match event {
            Event::RequestCompleted(request) => {
                if let Some(waiter) = self.take(request) {
                    waiter.succeed();
                }
            }
            Event::RequestFailed {
                request,
                error,
                message,
            } => {
                if let Some(waiter) = self.take(request) {
                    waiter.fail(&request_error(error, message));
                }
            }
            Event::MessageStatus {
                request,
                client_msg_id,
                status,
            } => {
                let Some(waiter) = self.take(request) else {
                    return;
                };
                match status {
                    SendStatus::Sent { seq, time_ms } => {
                        let sent = Obj::new()
                            .set("ID", client_msg_id.to_string())
                            .set("sequence", num(seq))
                            .set("time", num(time_ms / 1000))
                            .done();
                        let _ = waiter.resolve.call1(&JsValue::NULL, &sent);
                    }
                    SendStatus::Failed { code } => {
                        // The message's id, kept by the page for a resend,
                        // which the server then cannot store twice.
                        let error = request_error(RequestError::Server(code), "");
                        let _ = js_sys::Reflect::set(
                            &error,
                            &JsValue::from_str("ID"),
                            &JsValue::from_str(&client_msg_id.to_string()),
                        );
                        waiter.fail(&error)
                    }
                }
            }
            Event::GroupData { request, data } => {
                self.collect(request, js_object::group_record(&data));
            }
            Event::UserData { request, data } => {
                self.collect(request, js_object::user_record(&data));
            }
            #[cfg(feature = "friendship")]
            Event::FriendData { request, data } => {
                self.collect(request, crate::friend_object::friend_record(&data));
            }
            Event::HistoryMessage { request, message } => {
                // Notices of edits and revocations are news, not history:
                // the history shows the message as edited or revoked.
                if matches!(
                    message.elem,
                    Elem::Modified { .. } | Elem::RevokeNotice { .. }
                ) {
                    return;
                }
                let message = js_object::message(&message, &self.me);
                self.collect(request, Some(message));
            }
            Event::HistoryEnd { request, complete } => {
                if let Some(waiter) = self.waiting(request) {
                    waiter.complete = complete;
                }
            }
            Event::SdkReady => self.emit("sdkStateReady", JsValue::UNDEFINED),
            Event::SdkNotReady => self.emit("sdkStateNotReady", JsValue::UNDEFINED),
            Event::NetStateChange(state) => {
                let state = match state {
                    NetState::Connected => "connected",
                    NetState::Connecting => "connecting",
                    NetState::Disconnected => "disconnected",
                };
                self.emit("netStateChange", Obj::new().set("state", state).done());
            }
            Event::KickedOut(reason) => {
                let kind = match reason {
                    KickReason::MultiDevice => "multipleDevice",
                    KickReason::UserSigExpired => "userSigExpired",
                    _ => "REST_API_Kick",
                };
                self.emit("kickedOut", Obj::new().set("type", kind).done());
            }
            Event::ConnectionRejected { code } => {
                self.emit("error", request_error(RequestError::Server(code), ""))
            }
            Event::MessageReceived(m) | Event::GroupTip(m) | Event::GroupSystemNotice(m) => {
                let message = js_object::message(&m, &self.me);
                self.emit("onMessageReceived", Array::of1(&message));
            }
            Event::MessageModified(notice) => {
                // The message as it now is, in the notice's conversation.
                let Some((seq, now_is)) = notice.elem.modified() else {
                    return;
                };
                let mut modified = notice;
                modified.seq = seq;
                modified.from = now_is.from;
                modified.time_ms = now_is.time_ms;
                modified.elem = now_is.elem;
                modified.extra = now_is.extra;
                let message = js_object::message(&modified, &self.me);
                self.emit("onMessageModified", Array::of1(&message));
            }
            Event::MessageRevoked(m) => {
                let Elem::RevokeNotice { seq } = m.elem else {
                    return;
                };
                let revoked = Obj::new()
                    .set("conversationID", m.conversation_id)
                    .set("sequence", num(seq))
                    .set("revoker", m.from)
                    .set("isRevoked", true)
                    .done();
                self.emit("onMessageRevoked", Array::of1(&revoked));
            }
            Event::MessageReadByPeer {
                conversation_id,
                peer_read_seq,
            } => {
                let read = Obj::new()
                    .set("conversationID", conversation_id)
                    .set("peerReadSequence", num(peer_read_seq))
                    .done();
                self.emit("onMessageReadByPeer", Array::of1(&read));
            }
            Event::TotalUnreadCountUpdated(total) => {
                self.emit("onTotalUnreadMessageCountUpdated", num(total));
            }
            Event::ConversationListUpdated | Event::SyncComplete => {
                self.conversations_changed = true;
                if matches!(event, Event::SyncComplete) {
                    self.emit("syncComplete", JsValue::UNDEFINED);
                }
            }
            Event::GroupListUpdated => self.groups_changed = true,
            Event::ProfileUpdated => self.emit("onProfileUpdated", Array::new()),
            Event::BlocklistUpdated => self.emit("blacklistUpdated", Array::new()),
            Event::FriendListUpdated => self.emit("onFriendListUpdated", Array::new()),
            Event::FriendApplicationListUpdated => {
                self.emit("onFriendApplicationListUpdated", Array::new())
            }
            Event::FriendGroupListUpdated => self.emit("onFriendGroupListUpdated", Array::new()),
            Event::UserStatusUpdated(status) => {
                let status = js_object::user_status(&status);
                self.emit("onUserStatusUpdated", Array::of1(&status));
            }
            Event::MessageReadReceiptReceived(receipt) => {
                let receipt = Obj::new()
                    .set("groupID", receipt.group_id)
                    .set("conversationID", format!("GROUP{}", receipt.group_id))
                    .set("sequence", num(receipt.seq))
                    .set("readCount", receipt.read_count)
                    .set("unreadCount", receipt.unread_count)
                    .done();
                self.emit("onMessageReadReceiptReceived", Array::of1(&receipt));
            }
            Event::MessagesDeleted(deleted) => {
                let seqs: Array = deleted.seqs().flatten().map(num).collect();
                let deleted = Obj::new()
                    .set("conversationID", deleted.conversation)
                    .set("sequenceList", seqs)
                    .done();
                self.emit("onMessagesDeleted", deleted);
            }
            Event::UserSigExpiring { expires_at } => {
                self.emit(
                    "userSigExpiring",
                    Obj::new().set("expiresAt", num(expires_at)).done(),
                );
            }
            _ => {}
        }
    }

    /// Adds a record to its request's answer.
    fn collect(&mut self, request: RequestId, record: Option<JsValue>) {
        if let (Some(waiter), Some(record)) = (self.waiting(request), record) {
            waiter.records.push(&record);
        }
    }

    fn waiting(&mut self, request: RequestId) -> Option<&mut Waiter> {
        self.waiters
            .iter_mut()
            .find_map(|(id, waiter)| (*id == request).then_some(waiter))
    }

    /// The request's waiter, no longer waiting.
    fn take(&mut self, request: RequestId) -> Option<Waiter> {
        let at = self.waiters.iter().position(|(id, _)| *id == request)?;
        Some(self.waiters.swap_remove(at).1)
    }
}
