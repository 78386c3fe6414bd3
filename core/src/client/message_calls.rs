//! TIM's message calls of the text profile on [`Client`]: send and read
//! marks (the others are `message_admin_calls`, with the `full` feature).
//! Each queues one request and returns its id; the outcome arrives as an
//! event carrying it.

use super::outbox::Op;
use super::{Client, CommandError, RequestId};
use crate::model::OutgoingMessage;
use crate::time::Instant;
use crate::wire::body::{ReadAll, ReadScope};
use crate::wire::kind;

impl Client<'_> {
    /// TIM `sendMessage`. The message is queued at once (status sending); its
    /// outcome arrives as `MessageStatus`. It is sent again after every
    /// reconnect until acknowledged or past `Config::send_timeout`; the
    /// server never stores it twice.
    pub fn send_message(
        &mut self,
        now: Instant,
        message: &OutgoingMessage<'_>,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_send(message))
    }

    /// TIM `setMessageRead({conversationID})`: everything in it is read, on
    /// every device of this user.
    pub fn set_message_read(
        &mut self,
        now: Instant,
        conversation_id: &str,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| st.start_set_read(conversation_id))
    }

    /// TIM `setAllMessageRead`: every conversation of `scope` is read up to
    /// its last message, on every device of this user (here when the
    /// answer comes, on the others by a push per conversation).
    pub fn set_all_message_read(
        &mut self,
        now: Instant,
        scope: ReadScope,
    ) -> Result<RequestId, CommandError> {
        self.command(now, |st| {
            st.start_request(Op::ReadAll(scope), kind::READ_ALL, &ReadAll { scope })
        })
    }
}
