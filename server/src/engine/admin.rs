//! What the REST API asks of the engine. Most of it is a client's request
//! made as the user the call names ([`AdminAct::As`]): the same handlers,
//! rules, batch and pushes as a client's, answered on the HTTP request's
//! own connection id. The rest has no client request: accounts, kicks,
//! who is online.

use serde::{Deserialize, Serialize};
use tinyim_core::wire::body::{DeviceClass, KickReason};
use tinyim_core::wire::group::GroupType;
use tinyim_core::wire::{code, kind, MAX_FRAME};

use super::{ConnId, Engine, Handled, Refusal, Reply};
use crate::store::{ProfileRow, Store};

/// One call of the REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminAct {
    /// The client request `kind` with `body` (request id, then payload),
    /// made as `user` without a session of theirs: `user`'s own sessions
    /// all get its pushes, as other devices do.
    As {
        /// Whom the request is made as.
        user: String,
        /// The request kind.
        kind: u8,
        /// The request id, then the payload.
        body: Vec<u8>,
    },
    /// Accounts to make, with a nickname and avatar each (empty: not set).
    Import(Vec<AccountImport>),
    /// Which of these users have an account; answered `Vec<bool>`.
    CheckAccounts(Vec<String>),
    /// Deletes these accounts and their profiles, ending their sessions;
    /// answered `Vec<bool>` (whether each had one).
    DeleteAccounts(Vec<String>),
    /// Ends every session of the user (`KICKED_OUT`, `REST_API_Kick`).
    Kick(String),
    /// Which of these users are online, on what; answered `Vec<Presence>`.
    Online(Vec<String>),
    /// The group's owner, whom the API acts as for the owner's calls;
    /// answered `String`.
    GroupOwner(String),
    /// The app's groups (of one type, when given), by id: answered
    /// `(u64, Vec<(String, GroupType)>)`, how many and up to `limit` from
    /// `offset`.
    AllGroups {
        /// Only groups of this type.
        group_type: Option<GroupType>,
        /// Where the page starts.
        offset: u64,
        /// At most this many.
        limit: usize,
    },
    /// The user's unread one-to-one messages: in all, and with each of
    /// `peers`; answered `(u64, Vec<u64>)`.
    C2cUnread {
        /// Whose.
        user: String,
        /// With whom.
        peers: Vec<String>,
    },
}

/// An account to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountImport {
    /// The user id.
    pub user: String,
    /// Nickname; empty leaves it as it is.
    pub nick: String,
    /// Avatar URL; empty leaves it as it is.
    pub avatar: String,
}

/// A user's sessions, by device class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The device classes the user is logged in on now (none: offline).
    pub devices: Vec<DeviceClass>,
}

impl<S: Store> Engine<S> {
    /// The user the REST API acts as on `conn`, if it is its request.
    pub(crate) fn acting_for(&self, conn: ConnId) -> Option<String> {
        self.acting
            .as_ref()
            .filter(|(acting, _)| *acting == conn)
            .map(|(_, user)| user.clone())
    }

    pub(super) fn handle_admin(&mut self, conn: ConnId, act: AdminAct) {
        let reply = Reply { conn, request: 0 };
        let result = match act {
            AdminAct::As { user, kind, body } => {
                if matches!(kind, kind::LOGIN | kind::LOGOUT) {
                    Err(Refusal::Code(code::UNSUPPORTED, "not a REST call"))
                } else {
                    // Open for its frame limit (answers up to the largest
                    // frame), never logged in: no push finds it.
                    self.sessions.open(conn, MAX_FRAME, DeviceClass::Web);
                    self.acting = Some((conn, user));
                    self.handle_frame(conn, kind, &body);
                    self.acting = None;
                    self.sessions.close(conn);
                    Ok(())
                }
            }
            AdminAct::Import(accounts) => self.import(reply, accounts),
            AdminAct::CheckAccounts(users) => {
                let found: Result<Vec<bool>, _> =
                    users.iter().map(|u| self.store.has_account(u)).collect();
                found
                    .map(|found| self.respond(reply, &found))
                    .map_err(Into::into)
            }
            AdminAct::DeleteAccounts(users) => self.delete_accounts(reply, users),
            AdminAct::Kick(user) => {
                self.kick_user(&user);
                self.respond(reply, &());
                Ok(())
            }
            AdminAct::GroupOwner(group_id) => match self.store.group(&group_id) {
                Ok(Some(group)) => {
                    self.respond(reply, &group.owner);
                    Ok(())
                }
                Ok(None) => Err(Refusal::Code(code::GROUP_NOT_FOUND, "no such group")),
                Err(e) => Err(e.into()),
            },
            AdminAct::AllGroups {
                group_type,
                offset,
                limit,
            } => match self.store.all_groups(group_type, offset, limit) {
                Ok(page) => {
                    self.respond(reply, &page);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            },
            AdminAct::C2cUnread { user, peers } => self.c2c_unread(reply, &user, &peers),
            AdminAct::Online(users) => {
                let presence: Vec<Presence> = users
                    .iter()
                    .map(|u| Presence {
                        devices: self
                            .sessions
                            .sessions_of(u)
                            .filter_map(|c| self.sessions.device_of(c))
                            .collect(),
                    })
                    .collect();
                self.respond(reply, &presence);
                Ok(())
            }
        };
        if let Err(refusal) = result {
            self.refuse(reply, refusal);
        }
    }

    fn import(&mut self, reply: Reply, accounts: Vec<AccountImport>) -> Handled {
        for account in &accounts {
            self.store.put_account(&account.user, self.now_ms)?;
            if account.nick.is_empty() && account.avatar.is_empty() {
                continue;
            }
            let mut profile = self
                .store
                .profile(&account.user)?
                .unwrap_or_else(|| ProfileRow::default_for(&account.user));
            if !account.nick.is_empty() {
                profile.nick.clone_from(&account.nick);
            }
            if !account.avatar.is_empty() {
                profile.avatar.clone_from(&account.avatar);
            }
            profile.updated_ms = self.now_ms;
            self.store.put_profile(&profile)?;
        }
        self.respond(reply, &());
        Ok(())
    }

    fn delete_accounts(&mut self, reply: Reply, users: Vec<String>) -> Handled {
        let mut had = Vec::with_capacity(users.len());
        for user in &users {
            had.push(self.store.delete_account(user)?);
            self.kick_user(user);
        }
        self.respond(reply, &had);
        Ok(())
    }

    fn c2c_unread(&mut self, reply: Reply, user: &str, peers: &[String]) -> Handled {
        // Every row of the user's, a page at a time in the order of change.
        const PAGE: usize = 500;
        let (mut total, mut cursor) = (0, 0);
        loop {
            let rows = self.store.changed_since(user, cursor, PAGE)?;
            for row in &rows {
                if row.conv_id.starts_with("C2C") {
                    total += row.unread();
                }
                cursor = cursor.max(row.version);
            }
            if rows.len() < PAGE {
                break;
            }
        }
        let mut each = Vec::with_capacity(peers.len());
        for peer in peers {
            let row = self.store.conversation(user, &format!("C2C{peer}"))?;
            each.push(row.map_or(0, |r| r.unread()));
        }
        self.respond(reply, &(total, each));
        Ok(())
    }

    /// Ends every session of `user`.
    fn kick_user(&mut self, user: &str) {
        let conns: Vec<ConnId> = self.sessions.sessions_of(user).collect();
        for conn in conns {
            self.kick(conn, KickReason::Admin);
        }
    }
}

/// The payload of an answer the engine gave the REST API, or its code.
pub(crate) fn answer_of(frame: &[u8]) -> Result<&[u8], (u32, String)> {
    use tinyim_core::wire::body::ErrorBody;
    use tinyim_core::wire::records::{decode_exact, take};
    let internal = || (code::INTERNAL, "no answer".to_owned());
    let (parsed, _) = tinyim_core::wire::parse_frame(frame, frame.len())
        .ok()
        .flatten()
        .ok_or_else(internal)?;
    let (_, rest) = take::<u32>(parsed.body).map_err(|_| internal())?;
    match parsed.kind {
        kind::RESPONSE_OK => Ok(rest),
        kind::RESPONSE_ERR => {
            let e: ErrorBody<'_> = decode_exact(rest).map_err(|_| internal())?;
            Err((e.code, e.message.to_owned()))
        }
        _ => Err(internal()),
    }
}
