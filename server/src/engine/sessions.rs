//! Who is connected, on which device class, logged in as whom.

use std::collections::HashMap;
use std::sync::Arc;

use tinyim_core::wire::body::DeviceClass;

/// A connection's id, unique for the life of the server.
pub type ConnId = u64;

#[derive(Debug)]
struct Conn {
    max_frame: u32,
    device: DeviceClass,
    /// Shared with the `by_user` key: one copy of the id per user.
    user: Option<Arc<str>>,
    sig_expires_at: u64,
}

/// The session registry. One entry per connection, however idle, so it
/// is kept compact: the user id is stored once per user, and a user's list
/// of sessions starts with room for one.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<Arc<str>, Vec<ConnId>>,
}

impl Sessions {
    pub(crate) fn open(&mut self, conn: ConnId, max_frame: u32, device: DeviceClass) {
        self.conns.insert(
            conn,
            Conn {
                max_frame,
                device,
                user: None,
                sig_expires_at: u64::MAX,
            },
        );
    }

    pub(crate) fn close(&mut self, conn: ConnId) {
        self.unbind(conn);
        self.conns.remove(&conn);
    }

    pub(crate) fn user_of(&self, conn: ConnId) -> Option<&str> {
        self.conns.get(&conn)?.user.as_deref()
    }

    pub(crate) fn max_frame(&self, conn: ConnId) -> usize {
        self.conns
            .get(&conn)
            .map_or(tinyim_core::wire::MIN_FRAME, |c| c.max_frame) as usize
    }

    /// Logs `conn` in as `user`; returns the older sessions of the same user
    /// on the same device class, which must be kicked.
    pub(crate) fn bind(&mut self, conn: ConnId, user: &str, sig_expires_at: u64) -> Vec<ConnId> {
        let Some(device) = self.conns.get(&conn).map(|c| c.device) else {
            return Vec::new();
        };
        let kicked: Vec<ConnId> = self
            .sessions_of(user)
            .filter(|&other| {
                other != conn && self.conns.get(&other).is_some_and(|c| c.device == device)
            })
            .collect();
        for &old in &kicked {
            self.unbind(old);
        }
        let key = match self.by_user.get_key_value(user) {
            Some((key, _)) => key.clone(),
            None => Arc::from(user),
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.user = Some(key.clone());
            c.sig_expires_at = sig_expires_at;
        }
        self.by_user
            .entry(key)
            .or_insert_with(|| Vec::with_capacity(1))
            .push(conn);
        kicked
    }

    pub(crate) fn unbind(&mut self, conn: ConnId) {
        let Some(user) = self.conns.get_mut(&conn).and_then(|c| c.user.take()) else {
            return;
        };
        if let Some(list) = self.by_user.get_mut(&*user) {
            list.retain(|&c| c != conn);
            if list.is_empty() {
                self.by_user.remove(&*user);
            }
        }
    }

    /// The logged-in connections of `user`.
    pub(crate) fn sessions_of<'a>(&'a self, user: &str) -> impl Iterator<Item = ConnId> + 'a {
        self.by_user.get(user).into_iter().flatten().copied()
    }

    pub(crate) fn expired(&self, now_secs: u64) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| c.user.is_some() && now_secs > c.sig_expires_at)
            .map(|(&id, _)| id)
            .collect()
    }

    pub(crate) fn logged_in_count(&self) -> usize {
        self.by_user.values().map(Vec::len).sum()
    }
}
