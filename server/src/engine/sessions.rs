//! Who is connected, on which device class, logged in as whom.
//!
//! One entry per connection, however idle, so the registry is kept compact:
//! the connections are a [`ConnTable`] (a slot each, as dense as the
//! connections open now), and a user's sessions are found through a hash
//! table of connection ids alone (8 bytes a session), hashed by the user id
//! each connection's entry holds. (Two hash maps, by connection and by user,
//! took 192 bytes a connection at 1 000 idle ones.)

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;
use tinyim_core::wire::body::DeviceClass;

use super::presence::{device_rank, session_hash};
use crate::conn_table::ConnTable;

/// A connection's id, unique for the life of the server. The server's ids
/// carry a slot index in their low 32 bits, reused once a connection has
/// closed (the high 32 tell the two apart); other callers should keep that
/// low half dense too, as tables index by it (past 2^24 ids are refused).
pub type ConnId = u64;

#[derive(Debug)]
struct Conn {
    max_frame: u32,
    device: DeviceClass,
    user: Option<Box<str>>,
    sig_expires_at: u64,
}

/// The session registry; see the module documentation.
#[derive(Default)]
pub(crate) struct Sessions {
    conns: ConnTable<Conn>,
    /// Every logged-in connection, at the hash of its user id.
    by_user: HashTable<ConnId>,
    /// Seeded per process: user ids come from peers.
    hasher: RandomState,
    /// The sum of [`session_hash`] over the logged-in connections: what the
    /// other nodes of a cluster check their view of this node's sessions
    /// against.
    digest: u64,
}

/// The hash of `id`'s user, for `by_user` (0 for a connection without one,
/// which `by_user` never holds).
fn user_hash(conns: &ConnTable<Conn>, hasher: &RandomState, id: ConnId) -> u64 {
    conns
        .get(id)
        .and_then(|c| c.user.as_deref())
        .map_or(0, |user| hasher.hash_one(user))
}

impl Sessions {
    pub(crate) fn open(&mut self, conn: ConnId, max_frame: u32, device: DeviceClass) {
        let entry = Conn {
            max_frame,
            device,
            user: None,
            sig_expires_at: u64::MAX,
        };
        match self.conns.put(conn, entry) {
            Ok(None) => {}
            // The connection that held the slot closed before its close
            // reached the engine: it is gone, and its session with it.
            Ok(Some((earlier, held))) => {
                if let Some(user) = held.user {
                    self.digest = self.digest.wrapping_sub(session_hash(&user, held.device));
                    let hash = self.hasher.hash_one(&*user);
                    if let Ok(found) = self.by_user.find_entry(hash, |&id| id == earlier) {
                        found.remove();
                    }
                }
            }
            Err(_) => tracing::error!(conn, "connection id past the last slot; not registered"),
        }
    }

    pub(crate) fn close(&mut self, conn: ConnId) {
        self.unbind(conn);
        self.conns.remove(conn);
    }

    pub(crate) fn user_of(&self, conn: ConnId) -> Option<&str> {
        self.conns.get(conn)?.user.as_deref()
    }

    pub(crate) fn device_of(&self, conn: ConnId) -> Option<DeviceClass> {
        self.conns.get(conn).map(|c| c.device)
    }

    pub(crate) fn max_frame(&self, conn: ConnId) -> usize {
        self.conns
            .get(conn)
            .map_or(tinyim_core::wire::MIN_FRAME, |c| c.max_frame) as usize
    }

    /// Logs `conn` in as `user`; returns the older sessions of the same user
    /// on the same device class, which must be kicked (none for a service,
    /// which coexists with every session).
    pub(crate) fn bind(&mut self, conn: ConnId, user: &str, sig_expires_at: u64) -> Vec<ConnId> {
        let Some(device) = self.conns.get(conn).map(|c| c.device) else {
            return Vec::new();
        };
        let kicked: Vec<ConnId> = self
            .sessions_of(user)
            .filter(|&other| {
                device != DeviceClass::Service
                    && other != conn
                    && self.conns.get(other).is_some_and(|c| c.device == device)
            })
            .collect();
        for &old in &kicked {
            self.unbind(old);
        }
        self.unbind(conn);
        let Some(c) = self.conns.get_mut(conn) else {
            return kicked;
        };
        c.user = Some(user.into());
        c.sig_expires_at = sig_expires_at;
        self.digest = self.digest.wrapping_add(session_hash(user, device));
        let Sessions {
            conns,
            by_user,
            hasher,
            ..
        } = self;
        by_user.insert_unique(hasher.hash_one(user), conn, |&id| {
            user_hash(conns, hasher, id)
        });
        kicked
    }

    pub(crate) fn unbind(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        let Some(user) = c.user.take() else {
            return;
        };
        self.digest = self.digest.wrapping_sub(session_hash(&user, c.device));
        let hash = self.hasher.hash_one(&*user);
        if let Ok(found) = self.by_user.find_entry(hash, |&id| id == conn) {
            found.remove();
        }
    }

    /// The logged-in connections of `user`.
    pub(crate) fn sessions_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = ConnId> + 'a {
        self.by_user
            .iter_hash(self.hasher.hash_one(user))
            .copied()
            .filter(move |&id| self.user_of(id) == Some(user))
    }

    pub(crate) fn expired(&self, now_secs: u64) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| c.user.is_some() && now_secs > c.sig_expires_at)
            .map(|(id, _)| id)
            .collect()
    }

    pub(crate) fn logged_in_count(&self) -> usize {
        self.by_user.len()
    }

    /// The device classes `user` is logged in on here, in order (a class
    /// repeated per session of it).
    pub(crate) fn devices_of(&self, user: &str) -> Vec<DeviceClass> {
        let mut devices: Vec<DeviceClass> = self
            .sessions_of(user)
            .filter_map(|c| self.device_of(c))
            .collect();
        devices.sort_unstable_by_key(|&d| device_rank(d));
        devices
    }

    /// Every logged-in user with their device classes (as [`Self::devices_of`]).
    pub(crate) fn all_users(&self) -> Vec<(String, Vec<DeviceClass>)> {
        let mut users: Vec<&str> = self
            .conns
            .iter()
            .filter_map(|(_, c)| c.user.as_deref())
            .collect();
        users.sort_unstable();
        users.dedup();
        users
            .into_iter()
            .map(|user| (user.to_owned(), self.devices_of(user)))
            .collect()
    }

    /// The sum of [`session_hash`] over the logged-in connections.
    pub(crate) fn digest(&self) -> u64 {
        self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(ids: impl Iterator<Item = ConnId>) -> Vec<ConnId> {
        let mut ids: Vec<ConnId> = ids.collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn a_user_has_one_session_per_device_class() {
        let mut s = Sessions::default();
        s.open(1, 4096, DeviceClass::Embedded);
        s.open(2, 4096, DeviceClass::Desktop);
        s.open(3, 4096, DeviceClass::Embedded);
        assert!(s.bind(1, "alice", 100).is_empty());
        assert!(s.bind(2, "alice", 100).is_empty());
        assert_eq!(sorted(s.sessions_of("alice")), [1, 2]);
        assert_eq!(s.bind(3, "alice", 100), [1], "same device class as 1");
        assert_eq!(sorted(s.sessions_of("alice")), [2, 3]);
        assert_eq!(s.user_of(1), None);
        assert_eq!(s.logged_in_count(), 2);
        s.close(2);
        assert_eq!(sorted(s.sessions_of("alice")), [3]);
        assert_eq!(s.sessions_of("bob").count(), 0);
    }

    #[test]
    fn services_coexist_with_each_other_and_with_every_device() {
        let mut s = Sessions::default();
        s.open(1, 4096, DeviceClass::Desktop);
        s.open(2, 4096, DeviceClass::Service);
        s.open(3, 4096, DeviceClass::Service);
        assert!(s.bind(1, "alice", 100).is_empty());
        assert!(s.bind(2, "alice", 100).is_empty());
        assert!(s.bind(3, "alice", 100).is_empty());
        assert_eq!(sorted(s.sessions_of("alice")), [1, 2, 3]);
    }

    #[test]
    fn a_reused_slot_ends_the_session_of_the_connection_that_left_it() {
        let mut s = Sessions::default();
        let earlier = crate::conn_table::conn_id(0, 1);
        let later = crate::conn_table::conn_id(0, 2);
        s.open(earlier, 4096, DeviceClass::Embedded);
        s.bind(earlier, "alice", 100);
        // The later connection took the slot before the earlier one's close
        // reached the engine.
        s.open(later, 4096, DeviceClass::Embedded);
        assert_eq!(s.sessions_of("alice").count(), 0);
        assert_eq!(s.logged_in_count(), 0);
        s.close(earlier);
        assert_eq!(s.max_frame(later), 4096, "the later connection stays");
    }

    #[test]
    fn signatures_past_their_expiry_are_listed() {
        let mut s = Sessions::default();
        s.open(1, 4096, DeviceClass::Embedded);
        s.open(2, 4096, DeviceClass::Embedded);
        s.bind(1, "alice", 100);
        s.bind(2, "bob", 200);
        assert_eq!(s.expired(150), [1]);
    }
}
