//! Nodes of a cluster: what one node's engine tells the others (a
//! [`Relay`], sent after the commit like every output) and what it does
//! with theirs. Every node stores in the same database, so a relay carries
//! only what the other nodes' sessions must be told at once: a message to
//! push, a notice, a login that ends sessions of the same device class, a
//! kick. A relay that never arrives loses nothing stored: the client finds
//! it at its next sync (see the cluster's notes in docs/ARCHITECTURE.md).

use serde::{Deserialize, Serialize};
use tinyim_core::wire::body::{DeviceClass, KickReason};
use tinyim_core::wire::group::GroupType;

use super::{Engine, Output};
use crate::store::{Store, StoredMessage};

/// What a node tells the other nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Relay {
    /// Push a one-to-one or system message to `user`'s sessions.
    Deliver {
        /// Whose sessions.
        user: String,
        /// The conversation as `user` names it.
        conv_id: String,
        /// `user`'s read watermark in it.
        read_seq: u64,
        /// The message.
        message: StoredMessage,
    },
    /// Push a group message to the sessions of the group's members.
    FanOut {
        /// The group.
        group_id: String,
        /// Its type (whether members have unread counts).
        group_type: GroupType,
        /// The member who has read it (its sender).
        reader: String,
        /// The message.
        message: StoredMessage,
    },
    /// Push a notice frame to `user`'s sessions.
    Push {
        /// Whose sessions.
        user: String,
        /// The complete frame.
        frame: Vec<u8>,
    },
    /// `user` logged in on `device`: sessions of the same class end, as
    /// they do on one node (TIM's multi-device policy).
    LoggedIn {
        /// Who.
        user: String,
        /// On which device class.
        device: DeviceClass,
    },
    /// An administrator ended every session of `user`.
    Kick {
        /// Whose.
        user: String,
    },
    /// `user`'s sessions on the sending node are now on `devices` (none:
    /// no session there).
    Sessions {
        /// Whose.
        user: String,
        /// The device classes, one per session.
        devices: Vec<DeviceClass>,
    },
    /// The sending node is alive; `digest` sums its sessions (see
    /// `presence`).
    Alive {
        /// The sum of the node's sessions' hashes.
        digest: u64,
    },
    /// Node `node` is asked for its whole list of sessions.
    AskSessions {
        /// The node asked.
        node: u64,
    },
    /// A part of the sending node's whole list of sessions.
    AllSessions {
        /// The list's first part: the parts replace the node's view.
        first: bool,
        /// Its last part.
        last: bool,
        /// Users with their device classes.
        users: Vec<(String, Vec<DeviceClass>)>,
    },
    /// `user` set a custom status.
    StatusChanged {
        /// Whose.
        user: String,
    },
}

impl<S: Store> Engine<S> {
    /// Makes the engine node `node` of a cluster: what its sessions are
    /// told, the other nodes' sessions are told too ([`Output::Relay`]),
    /// and it keeps a view of who is online at the others (`presence`).
    pub fn set_cluster_node(&mut self, node: u64) {
        self.clustered = true;
        self.node = node;
    }

    /// Tells the other nodes, when there are any and this is not one of
    /// their relays being applied.
    pub(crate) fn relay(&mut self, make: impl FnOnce() -> Relay) {
        if self.clustered && !self.applying_relay {
            self.out.push(Output::Relay(make()));
        }
    }

    /// Tells the other nodes of this node's own state (its sessions, its
    /// liveness), even while applying one of their relays: a login at
    /// another node can end a session here.
    pub(crate) fn relay_own(&mut self, relay: Relay) {
        if self.clustered {
            self.out.push(Output::Relay(relay));
        }
    }

    /// Applies node `node`'s relay to this node's sessions.
    pub(crate) fn apply_relay(&mut self, node: u64, relay: Relay) {
        self.applying_relay = true;
        match relay {
            Relay::Deliver {
                user,
                conv_id,
                read_seq,
                message,
            } => self.deliver(&user, &conv_id, read_seq, &message, None),
            Relay::FanOut {
                group_id,
                group_type,
                reader,
                message,
            } => {
                if self
                    .fan_out(&group_id, group_type, &message, &reader, None)
                    .is_err()
                {
                    // Its members' clients find the message at their next sync.
                    tracing::warn!(group_id, "a relayed group message could not be pushed");
                }
            }
            Relay::Push { user, frame } => self.push_frame_to_sessions(&user, None, frame),
            Relay::LoggedIn { user, device } => {
                let older: Vec<_> = self
                    .sessions
                    .sessions_of(&user)
                    .filter(|&c| {
                        device != DeviceClass::Service && self.sessions.device_of(c) == Some(device)
                    })
                    .collect();
                for conn in older {
                    self.kick(conn, KickReason::MultiDevice);
                }
            }
            Relay::Kick { user } => self.kick_user(&user),
            Relay::StatusChanged { user } => {
                self.tell_subscribers(&user);
                self.tell_own_sessions(&user, None);
            }
            presence @ (Relay::Sessions { .. }
            | Relay::Alive { .. }
            | Relay::AskSessions { .. }
            | Relay::AllSessions { .. }) => self.apply_presence_relay(node, presence),
        }
        self.applying_relay = false;
    }
}
