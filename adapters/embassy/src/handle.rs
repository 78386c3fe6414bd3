//! The application side: calls that return when the server answers.

use core::fmt;

use embassy_sync::blocking_mutex::raw::RawMutex;
use heapless::String;
use tinyim_core::{CommandError, JoinStatus, RequestError};

use crate::shared::{AnswerSlot, Call, OwnedEvent, Reply, Shared};

/// A cheap handle to a running client; copy it into every task that needs it.
///
/// Read events ([`Handle::next_event`]) in a task of their own, or
/// concurrently with calls: the runner waits for room in the event queue
/// rather than drop an event, so a task that only makes calls while nobody
/// reads events stops once the queue is full.
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
pub enum HandleError {
    /// An argument does not fit the handle's buffers (user id, UserSig, text).
    TooLong,
    /// The core refused the command.
    Command(CommandError),
    /// The request failed (timeout, disconnect, server code).
    Request(RequestError),
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
        }
    }
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandleError::TooLong => f.write_str("argument too long"),
            HandleError::Command(e) => write!(f, "{e}"),
            HandleError::Request(e) => write!(f, "request failed with {}", e.code()),
        }
    }
}

impl core::error::Error for HandleError {}

fn owned<const N: usize>(s: &str) -> Result<String<N>, HandleError> {
    String::try_from(s).map_err(|_| HandleError::TooLong)
}

impl<M: RawMutex, const EVENTS: usize> Handle<'_, M, EVENTS> {
    /// One call at a time goes to the runner; others wait their turn.
    ///
    /// The call is built by `make` straight into the shared slot, never
    /// kept in the caller's future: a `Call` holds a UserSig or a text (over
    /// 500 bytes), and as an argument it was stored in both this future and
    /// the public method's, in every task that awaits a call. One `dyn`
    /// builder rather than a generic one keeps this body compiled once.
    async fn call(
        &self,
        make: &dyn Fn() -> Result<Call, HandleError>,
    ) -> Result<Reply, HandleError> {
        let _turn = self.shared.calls.lock().await;
        self.shared.reply.reset();
        let made = self.shared.slot.lock(|slot| {
            // Only ever borrowed inside this lock, so never already borrowed.
            if let Ok(mut slot) = slot.try_borrow_mut() {
                *slot = make()?;
            }
            Ok(())
        });
        made?;
        self.shared.request.signal(());
        self.shared.reply.wait().await;
        let answer = self.shared.answer.lock(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            match core::mem::replace(&mut *slot, AnswerSlot::Empty) {
                AnswerSlot::Ready(answer) => Some(answer),
                AnswerSlot::Empty => None,
            }
        });
        // The runner fills the slot before it raises the signal.
        answer.unwrap_or(Err(HandleError::Request(RequestError::Disconnected)))
    }

    /// TIM `login`.
    pub async fn login(&self, user_id: &str, user_sig: &str) -> Result<(), HandleError> {
        self.call(&|| {
            Ok(Call::Login {
                user: owned(user_id)?,
                sig: owned(user_sig)?,
            })
        })
        .await
        .map(|_| ())
    }

    /// TIM `logout`.
    pub async fn logout(&self) -> Result<(), HandleError> {
        self.call(&|| Ok(Call::Logout)).await.map(|_| ())
    }

    /// TIM `createTextMessage` + `sendMessage`: returns once the message is
    /// durable on the server.
    pub async fn send_text(&self, to_user: &str, text: &str) -> Result<Sent, HandleError> {
        self.send(to_user, false, text).await
    }

    /// TIM `createTextMessage` + `sendMessage` to a group: returns once the
    /// message is durable on the server (seq 0 in an AVChatRoom).
    pub async fn send_group_text(&self, group_id: &str, text: &str) -> Result<Sent, HandleError> {
        self.send(group_id, true, text).await
    }

    async fn send(&self, to: &str, group: bool, text: &str) -> Result<Sent, HandleError> {
        match self
            .call(&|| {
                Ok(Call::SendText {
                    to: owned(to)?,
                    group,
                    text: owned(text)?,
                })
            })
            .await?
        {
            Reply::Sent(sent) => Ok(sent),
            _ => Err(HandleError::Request(RequestError::Disconnected)),
        }
    }

    /// TIM `joinGroup`.
    pub async fn join_group(
        &self,
        group_id: &str,
        apply_message: &str,
    ) -> Result<JoinStatus, HandleError> {
        match self
            .call(&|| {
                Ok(Call::JoinGroup {
                    group: owned(group_id)?,
                    message: owned(apply_message)?,
                })
            })
            .await?
        {
            Reply::Joined(status) => Ok(status),
            _ => Err(HandleError::Request(RequestError::Disconnected)),
        }
    }

    /// TIM `quitGroup`.
    pub async fn quit_group(&self, group_id: &str) -> Result<(), HandleError> {
        self.call(&|| {
            Ok(Call::QuitGroup {
                group: owned(group_id)?,
            })
        })
        .await
        .map(|_| ())
    }

    /// TIM `setMessageRead`.
    pub async fn set_message_read(&self, conversation_id: &str) -> Result<(), HandleError> {
        self.call(&|| {
            Ok(Call::SetRead {
                conversation: owned(conversation_id)?,
            })
        })
        .await
        .map(|_| ())
    }

    /// The next event (TIM `on`).
    pub async fn next_event(&self) -> OwnedEvent {
        self.shared.events.receive().await
    }
}
