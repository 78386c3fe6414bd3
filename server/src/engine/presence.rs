//! Who is online. A node knows its own sessions (`sessions`); in a cluster
//! it also keeps a view of the users logged in on every other node, kept
//! current by their relays:
//!
//! - [`Relay::Sessions`] after each change of a user's sessions on a node;
//! - [`Relay::Alive`] every second, with the digest of the node's sessions.
//!   A node silent for [`NODE_SILENCE_MS`] is taken for dead: its users are
//!   offline. A digest that differs from the view (a relay was lost) asks
//!   that node for its whole list ([`Relay::AskSessions`], answered by
//!   [`Relay::AllSessions`] in parts), as does the first word of a node not
//!   seen before.
//!
//! A user's status is online while any node has a session of theirs. When
//! it changes, each node pushes `USER_STATUS_UPDATED` to its own sessions
//! of the user's subscribers (`status`), so no push crosses nodes.

use std::collections::HashMap;
use std::hash::Hasher;

use tinyim_core::wire::body::DeviceClass;

use super::{Engine, Relay};
use crate::store::Store;

/// How often a node of a cluster says it is alive.
const ALIVE_EVERY_MS: u64 = 1_000;

/// A node not heard from for this long is taken for dead, and its users
/// for offline (unless they have sessions elsewhere).
pub const NODE_SILENCE_MS: u64 = 10_000;

/// A node whose digest still differs this long after its list was asked
/// for is asked again.
const ASK_AGAIN_MS: u64 = 5_000;

/// Users per [`Relay::AllSessions`] part.
const USERS_PER_PART: usize = 1_000;

/// A device class as a number: for ordering, and for hashing alike on
/// every node.
pub(crate) fn device_rank(device: DeviceClass) -> u8 {
    match device {
        DeviceClass::Desktop => 0,
        DeviceClass::Embedded => 1,
        DeviceClass::Mobile => 2,
        DeviceClass::Web => 3,
        DeviceClass::Service => 4,
        _ => u8::MAX,
    }
}

/// One session's part of a node's digest: FNV-1a, the same on every node
/// (a process-seeded hash would differ between nodes).
pub(crate) fn session_hash(user: &str, device: DeviceClass) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(user.as_bytes());
    // Never in a user id: the device's byte cannot pass for the user's.
    hasher.write_u8(0xff);
    hasher.write_u8(device_rank(device));
    hasher.finish()
}

fn sessions_hash(user: &str, devices: &[DeviceClass]) -> u64 {
    devices
        .iter()
        .fold(0, |sum: u64, &d| sum.wrapping_add(session_hash(user, d)))
}

/// What this node knows of the other nodes' sessions.
#[derive(Default)]
pub(crate) struct OtherNodes {
    nodes: HashMap<u64, NodeView>,
    last_alive_ms: u64,
}

/// One other node's logged-in users.
#[derive(Default)]
struct NodeView {
    seen_ms: u64,
    users: HashMap<String, Vec<DeviceClass>>,
    /// The sum of [`session_hash`] over `users`, as the node's own.
    digest: u64,
    /// When its whole list was last asked for.
    asked_ms: Option<u64>,
    /// The parts of a whole list being received.
    incoming: Option<Vec<(String, Vec<DeviceClass>)>>,
}

impl NodeView {
    fn set(&mut self, user: String, devices: Vec<DeviceClass>) {
        let new = sessions_hash(&user, &devices);
        let old = if devices.is_empty() {
            self.users.remove(&user)
        } else {
            self.users.insert(user.clone(), devices)
        };
        let old = old.map_or(0, |old| sessions_hash(&user, &old));
        self.digest = self.digest.wrapping_sub(old).wrapping_add(new);
    }
}

impl OtherNodes {
    /// The device classes `user` is logged in on at other nodes.
    pub(crate) fn devices_of<'a>(
        &'a self,
        user: &'a str,
    ) -> impl Iterator<Item = DeviceClass> + 'a {
        self.nodes
            .values()
            .filter_map(move |node| node.users.get(user))
            .flatten()
            .copied()
    }
}

impl<S: Store> Engine<S> {
    /// Whether `user` has a session on any node.
    pub(crate) fn is_online(&self, user: &str) -> bool {
        self.sessions.sessions_of(user).next().is_some()
            || self.other_nodes.devices_of(user).next().is_some()
    }

    /// The device classes `user` is logged in on, on every node.
    pub(crate) fn devices_everywhere(&self, user: &str) -> Vec<DeviceClass> {
        let mut devices = self.sessions.devices_of(user);
        devices.extend(self.other_nodes.devices_of(user));
        devices
    }

    /// `user`'s sessions here changed; `was_online` is whether the user
    /// was online anywhere before. Tells the other nodes, and the
    /// subscribers if the status changed.
    pub(crate) fn sessions_changed(&mut self, user: &str, was_online: bool) {
        if self.clustered {
            let devices = self.sessions.devices_of(user);
            self.relay_own(Relay::Sessions {
                user: user.to_owned(),
                devices,
            });
        }
        if self.is_online(user) != was_online {
            self.tell_subscribers(user);
        }
    }

    /// Time passed: in a cluster, says this node is alive and takes the
    /// nodes silent too long for dead.
    pub(crate) fn presence_tick(&mut self) {
        if !self.clustered {
            return;
        }
        let now = self.now_ms;
        // A little early rather than a tick late.
        if now >= self.other_nodes.last_alive_ms + ALIVE_EVERY_MS * 9 / 10 {
            self.other_nodes.last_alive_ms = now;
            let digest = self.sessions.digest();
            self.relay_own(Relay::Alive { digest });
        }
        let silent: Vec<u64> = self
            .other_nodes
            .nodes
            .iter()
            .filter(|(_, view)| now.saturating_sub(view.seen_ms) > NODE_SILENCE_MS)
            .map(|(&node, _)| node)
            .collect();
        for node in silent {
            tracing::warn!(node, "a node fell silent; its users are offline");
            if let Some(view) = self.other_nodes.nodes.remove(&node) {
                self.replaced(view.users.into_keys());
            }
        }
    }

    /// Another node's word about its sessions.
    pub(crate) fn apply_presence_relay(&mut self, node: u64, relay: Relay) {
        let now = self.now_ms;
        let known = self.other_nodes.nodes.contains_key(&node);
        let view = self.other_nodes.nodes.entry(node).or_default();
        view.seen_ms = now;
        let mut ask = !known;
        match relay {
            Relay::Sessions { user, devices } => {
                let was_online = self.is_online(&user);
                if let Some(view) = self.other_nodes.nodes.get_mut(&node) {
                    view.set(user.clone(), devices);
                }
                if self.is_online(&user) != was_online {
                    self.tell_subscribers(&user);
                }
            }
            Relay::Alive { digest } => {
                // A list still coming in (its parts follow each other
                // within milliseconds) is not asked for again before
                // ASK_AGAIN_MS; one whose last part was lost is.
                ask |= view.digest != digest
                    && view
                        .asked_ms
                        .is_none_or(|at| now.saturating_sub(at) > ASK_AGAIN_MS);
            }
            Relay::AskSessions { node: asked } if asked == self.node => self.send_all_sessions(),
            Relay::AllSessions { first, last, users } => {
                ask = false;
                if first {
                    view.incoming = Some(Vec::new());
                }
                if let Some(incoming) = view.incoming.as_mut() {
                    incoming.extend(users);
                }
                if last {
                    if let Some(incoming) = view.incoming.take() {
                        self.replace_view(node, incoming);
                    }
                }
            }
            _ => {}
        }
        if ask {
            if let Some(view) = self.other_nodes.nodes.get_mut(&node) {
                view.asked_ms = Some(now);
                view.incoming = None;
            }
            self.relay_own(Relay::AskSessions { node });
        }
    }

    /// Sends this node's whole list of sessions, in parts.
    fn send_all_sessions(&mut self) {
        let users = self.sessions.all_users();
        let parts = users.len().div_ceil(USERS_PER_PART).max(1);
        let mut users = users.into_iter();
        for part in 0..parts {
            let users: Vec<_> = users.by_ref().take(USERS_PER_PART).collect();
            self.relay_own(Relay::AllSessions {
                first: part == 0,
                last: part + 1 == parts,
                users,
            });
        }
    }

    /// `node`'s view becomes `users`; users whose status changed by it are
    /// told of.
    fn replace_view(&mut self, node: u64, users: Vec<(String, Vec<DeviceClass>)>) {
        let mut view = NodeView {
            seen_ms: self.now_ms,
            // Asked again no sooner for having been answered.
            asked_ms: self
                .other_nodes
                .nodes
                .get(&node)
                .and_then(|old| old.asked_ms),
            ..NodeView::default()
        };
        for (user, devices) in users {
            view.set(user, devices);
        }
        let mut touched: Vec<String> = view.users.keys().cloned().collect();
        if let Some(old) = self.other_nodes.nodes.get(&node) {
            touched.extend(old.users.keys().cloned());
        }
        touched.sort_unstable();
        touched.dedup();
        let before: Vec<bool> = touched.iter().map(|user| self.is_online(user)).collect();
        self.other_nodes.nodes.insert(node, view);
        for (user, was_online) in touched.iter().zip(before) {
            if self.is_online(user) != was_online {
                self.tell_subscribers(user);
            }
        }
    }

    /// Users who were online at a node that is gone: those offline now are
    /// told of.
    fn replaced(&mut self, users: impl Iterator<Item = String>) {
        for user in users {
            if !self.is_online(&user) {
                self.tell_subscribers(&user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_views_digest_is_the_sum_of_its_sessions_hashes_however_it_changed() {
        let mut view = NodeView::default();
        view.set("alice".into(), vec![DeviceClass::Desktop, DeviceClass::Web]);
        view.set("bob".into(), vec![DeviceClass::Embedded]);
        view.set("alice".into(), vec![DeviceClass::Web]);
        view.set("bob".into(), vec![]);
        assert_eq!(view.digest, session_hash("alice", DeviceClass::Web));
        assert!(!view.users.contains_key("bob"), "no sessions: no entry");
        view.set("alice".into(), vec![]);
        assert_eq!(view.digest, 0);
    }

    #[test]
    fn a_device_class_cannot_pass_for_part_of_a_user_id() {
        assert_ne!(
            session_hash("a", DeviceClass::Desktop),
            session_hash("a\u{0}", DeviceClass::Desktop)
        );
        assert_ne!(
            session_hash("a", DeviceClass::Desktop),
            session_hash("a", DeviceClass::Embedded)
        );
    }
}
