//! What [`Client`] knows, read without changing it: TIM's conversation and
//! group lists, the unread total, the login user, the network state, the
//! server's clock and the UserSig's expiry.

use super::{Client, NetState};
use crate::model::{Conversation, Group, GroupView};
use crate::time::Instant;

impl Client<'_> {
    /// TIM `getConversationList`: the conversations the table holds.
    pub fn conversations(&self) -> impl Iterator<Item = &Conversation> {
        self.st.table.rows.iter()
    }

    /// The conversation at `index` of TIM's `getConversationList` order:
    /// most recent last message first, ties in table order. For lists read
    /// one entry at a time (a device's handle): each call ranks the table
    /// anew, in time quadratic in its size, which is nothing at device
    /// capacities; a host lists [`Client::conversations`] and sorts once
    /// with [`Conversation::list_order`], the same order.
    pub fn conversation_at(&self, index: usize) -> Option<&Conversation> {
        let rows = &self.st.table.rows;
        rows.iter().enumerate().find_map(|(i, c)| {
            let ahead = rows
                .iter()
                .enumerate()
                .filter(|&(j, other)| match other.list_order(c) {
                    core::cmp::Ordering::Less => true,
                    core::cmp::Ordering::Equal => j < i,
                    core::cmp::Ordering::Greater => false,
                })
                .count();
            (ahead == index).then_some(c)
        })
    }

    /// One conversation by its TIM id.
    pub fn conversation(&self, id: &str) -> Option<&Conversation> {
        self.st.table.find(id)
    }

    /// TIM `getGroupList`: the user's groups with their unread counts,
    /// refreshed after every login and kept current by the server. Empty
    /// without the `full` feature, which keeps the group list.
    pub fn groups(&self) -> impl Iterator<Item = GroupView<'_>> {
        self.st.groups.rows.iter().map(|group| GroupView {
            group,
            unread: self.group_unread(group),
        })
    }

    /// One of the user's groups by id (`None` without the `full` feature).
    pub fn group(&self, group_id: &str) -> Option<GroupView<'_>> {
        self.st.groups.find(group_id).map(|group| GroupView {
            group,
            unread: self.group_unread(group),
        })
    }

    fn group_unread(&self, group: &Group) -> u64 {
        self.st
            .table
            .rows
            .iter()
            .find(|c| c.id.strip_prefix("GROUP") == Some(group.id()))
            .map_or(0, Conversation::unread_count)
    }

    /// TIM `getTotalUnreadMessageCount`.
    pub fn total_unread(&self) -> u64 {
        self.st.table.total_unread()
    }

    /// TIM `getLoginUser`: the user logged in or logging in.
    pub fn login_user(&self) -> Option<&str> {
        // While logging in or logged in, the owner is the user.
        self.st
            .session
            .credentials
            .as_ref()
            .map(|_| self.st.owner.as_str())
    }

    /// The network state, as last reported by `NetStateChange`.
    pub fn net_state(&self) -> NetState {
        self.st.net_state()
    }

    /// The server's clock at `now` (unix milliseconds): its time at the last
    /// handshake plus the time since; `None` before one. For showing times
    /// the way the server stamps messages, whatever the device's clock says.
    pub fn server_time_ms(&self, now: Instant) -> Option<u64> {
        let (server_ms, at) = self.st.session.server_clock?;
        // The server's number, whatever it is: never an overflow.
        Some(server_ms.saturating_add((now - at).as_millis()))
    }

    /// When the UserSig expires (unix seconds), as the server said at the
    /// last login; `None` before one. The session is kicked then
    /// (`KickReason::UserSigExpired`): log in again with a fresh UserSig
    /// before it.
    pub fn user_sig_expires_at(&self) -> Option<u64> {
        match self.st.session.sig_expires_at {
            0 => None,
            at => Some(at),
        }
    }

    /// TIM `isReady`: logged in and serving commands.
    pub fn is_ready(&self) -> bool {
        self.st.session.ready
    }

    /// Requests in flight, including sends waiting for their acknowledgement.
    pub fn pending_requests(&self) -> usize {
        self.st.out.pending().len()
    }
}
