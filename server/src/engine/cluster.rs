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
}

impl<S: Store> Engine<S> {
    /// Makes the engine a node of a cluster: what its sessions are told,
    /// the other nodes' sessions are told too ([`Output::Relay`]).
    pub fn set_clustered(&mut self, clustered: bool) {
        self.clustered = clustered;
    }

    /// Tells the other nodes, when there are any and this is not one of
    /// their relays being applied.
    pub(crate) fn relay(&mut self, make: impl FnOnce() -> Relay) {
        if self.clustered && !self.applying_relay {
            self.out.push(Output::Relay(make()));
        }
    }

    /// Applies another node's relay to this node's sessions.
    pub(crate) fn apply_relay(&mut self, relay: Relay) {
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
        }
        self.applying_relay = false;
    }
}
