//! What happened that an application backend may want to hear of (Tencent's
//! after-callbacks): the engine says it as an [`Output::Happened`], released
//! with the batch's other outputs after the commit, so a backend never
//! hears of what was rolled back. Nothing is made unless asked for
//! ([`Engine::set_reporting`]): most servers have no backend listening.

use tinyim_core::wire::group::{GroupTip, GroupType, TipOp};

use tinyim_core::model::ConversationType;
use tinyim_core::wire::body::SendMessage;

use super::{encode, Engine, Output, Reply};
use crate::store::Store;

/// An event for the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Happened {
    /// A one-to-one message was sent (`C2C.CallbackAfterSendMsg`).
    C2cSent {
        /// The sender.
        from: String,
        /// The receiver.
        to: String,
        /// Its seq (0: online only).
        seq: u64,
        /// The sender's client message id (Tencent's `MsgRandom`).
        random: u64,
        /// Server time, unix milliseconds.
        time_ms: u64,
        /// The stored body: element and fields ([`super::content`]).
        body: Vec<u8>,
    },
    /// A group message was sent (`Group.CallbackAfterSendMsg`).
    GroupSent {
        /// The group.
        group_id: String,
        /// Its type.
        group_type: GroupType,
        /// The sender.
        from: String,
        /// Its seq (0: not stored).
        seq: u64,
        /// The sender's client message id.
        random: u64,
        /// Server time, unix milliseconds.
        time_ms: u64,
        /// The stored body: element and fields ([`super::content`]).
        body: Vec<u8>,
    },
    /// A user's session began or ended (`State.StateChange`).
    State {
        /// The user.
        user: String,
        /// How.
        action: StateAction,
    },
    /// A group was made (`Group.CallbackAfterCreateGroup`).
    GroupCreated {
        /// The group.
        group_id: String,
        /// Its type.
        group_type: GroupType,
        /// Its name.
        name: String,
        /// Its owner, who made it.
        owner: String,
        /// The members besides the owner.
        members: Vec<String>,
    },
    /// Users joined a group (`Group.CallbackAfterNewMemberJoin`).
    Joined {
        /// The group.
        group_id: String,
        /// Its type.
        group_type: GroupType,
        /// Who let them in (themselves, when they joined freely).
        operator: String,
        /// The new members.
        users: Vec<String>,
    },
    /// Users left a group (`Group.CallbackAfterMemberExit`).
    Left {
        /// The group.
        group_id: String,
        /// Its type.
        group_type: GroupType,
        /// Kicked (by the operator) or quit.
        kicked: bool,
        /// Who did it.
        operator: String,
        /// Who left.
        users: Vec<String>,
    },
}

/// Which message sends go to the backend's before-send callback first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Vetting {
    /// One-to-one messages (`C2C.CallbackBeforeSendMsg`).
    pub c2c: bool,
    /// Group messages (`Group.CallbackBeforeSendMsg`).
    pub group: bool,
}

/// Who made a send that waits for the backend's before-send callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// A client, on its session.
    Session,
    /// The REST API, on its ticket.
    Rest {
        /// The user's own sessions are left out of its pushes.
        quiet_to_user: bool,
    },
}

/// How a session changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAction {
    /// Logged in.
    Login,
    /// Logged out, or was ended by the server (a kick, an expired UserSig).
    Logout,
    /// The connection of a logged-in session ended.
    Disconnect,
}

impl<S: Store> Engine<S> {
    /// Makes the engine report what happened as [`Output::Happened`].
    pub fn set_reporting(&mut self, on: bool) {
        self.reporting = on;
    }

    /// Makes the engine hand the sends `vetting` names to the front end as
    /// [`Output::Vet`] before making them.
    pub fn set_vetting(&mut self, vetting: Vetting) {
        self.vetting = vetting;
    }

    /// Whether `me`'s send of `send` (answered at `reply`) waits for the
    /// backend: then it is handed to the front end, unanswered, and the
    /// engine makes it when it comes back vetted.
    pub(crate) fn vet(&mut self, reply: Reply, me: &str, send: &SendMessage<'_>) -> bool {
        let wanted = match ConversationType::parse(send.conversation) {
            Some((ConversationType::C2c, _)) => self.vetting.c2c,
            Some((ConversationType::Group, _)) => self.vetting.group,
            _ => false,
        };
        if !wanted || self.vetted == Some(reply.conn) {
            return false;
        }
        let sender = match self.acting_as() {
            None => Sender::Session,
            // Unless the call said `ForbidBeforeSendMsgCallback`.
            Some(acting) if acting.vet => Sender::Rest {
                quiet_to_user: acting.quiet_to_user,
            },
            Some(_) => return false,
        };
        self.out.push(Output::Vet {
            conn: reply.conn,
            user: me.to_owned(),
            body: encode::to_bytes(&(reply.request, send)),
            sender,
        });
        true
    }

    /// Reports `what` if asked to; `what` is made only then.
    pub(crate) fn report(&mut self, what: impl FnOnce() -> Happened) {
        if self.reporting {
            self.out.push(Output::Happened(what()));
        }
    }

    /// Reports the member changes a tip records.
    pub(crate) fn report_tip(&mut self, group_type: GroupType, tip: &GroupTip<'_>) {
        if !self.reporting {
            return;
        }
        let users = || tip.users.iter().map(str::to_owned).collect();
        let (group_id, operator) = (tip.group_id.to_owned(), tip.operator.to_owned());
        match tip.op {
            TipOp::Join => self.report(|| Happened::Joined {
                group_id,
                group_type,
                operator,
                users: users(),
            }),
            TipOp::Quit | TipOp::Kicked => self.report(|| Happened::Left {
                group_id,
                group_type,
                kicked: tip.op == TipOp::Kicked,
                operator,
                users: users(),
            }),
            _ => {}
        }
    }
}
