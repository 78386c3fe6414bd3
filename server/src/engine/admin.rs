//! What the REST API asks of the engine. Most of it is a client's request
//! made as the user the call names ([`AdminAct::As`]): the same handlers,
//! rules, batch and pushes as a client's, answered on the HTTP request's
//! own connection id. The rest has no client request: accounts, kicks,
//! who is online.

use serde::{Deserialize, Serialize};
use tinyim_core::wire::body::{DeviceClass, KickReason};
use tinyim_core::wire::group::GroupType;
use tinyim_core::wire::{code, kind, MAX_FRAME};

use tinyim_core::model::cut_at_char_boundary;

use super::content::{self, same_message, Sent};
use super::groups::notify::GroupPost;
use super::groups::rules;
use super::messages::{group_key, Stored, PREVIEW_BYTES};
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
        /// A message sent leaves the user's own sessions out of its pushes
        /// (Tencent's `SyncOtherMachine` 2).
        quiet_to_user: bool,
        /// A message sent goes to the backend's before-send callback first,
        /// if it has one (Tencent's default; `ForbidBeforeSendMsgCallback`
        /// turns it off).
        vet: bool,
    },
    /// Accounts to make, with a nickname and avatar each (empty: not set).
    ImportAccounts(Vec<AccountImport>),
    /// A one-to-one message of the past, stored with its own time and
    /// pushed to nobody (clients find it when they sync); answered
    /// `(seq, time_ms)`. Imported again with the same random, it is the
    /// same message.
    ImportC2c {
        /// The sender.
        from: String,
        /// The receiver.
        to: String,
        /// The sender's random (its client message id).
        random: u64,
        /// When it was sent, unix milliseconds.
        time_ms: u64,
        /// The postcard-encoded element and its cloud custom data (a
        /// stored body without stamps).
        body: Vec<u8>,
        /// Whether it counts as unread for the receiver.
        unread: bool,
    },
    /// Group messages of the past, in order, stored with their own times
    /// and pushed to nobody; answered with each one's `(seq, time_ms)`.
    ImportGroup {
        /// The group.
        group_id: String,
        /// `(sender, random, time_ms, body)` each, the body as in
        /// [`AdminAct::ImportC2c`].
        messages: Vec<(String, u64, u64, Vec<u8>)>,
    },
    /// Which of these users have an account; answered `Vec<bool>`.
    CheckAccounts(Vec<String>),
    /// Deletes these accounts and their profiles, ending their sessions;
    /// answered `Vec<bool>` (whether each had one).
    DeleteAccounts(Vec<String>),
    /// Ends every session of the user (`KICKED_OUT`, `REST_API_Kick`).
    Kick(String),
    /// The HTTP listener received this upload whole, with its checksum;
    /// answered `()`.
    CompleteUpload(String),
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

/// The REST API's request being made, and whom it acts as.
pub(crate) struct Acting {
    conn: ConnId,
    user: String,
    pub(crate) quiet_to_user: bool,
    /// Its send goes to the before-send callback.
    pub(crate) vet: bool,
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
            .filter(|acting| acting.conn == conn)
            .map(|acting| acting.user.clone())
    }

    /// Makes the client request `kind` (`body`: request id, payload) as
    /// `user` on the REST API's ticket `conn`.
    pub(super) fn act_as(
        &mut self,
        conn: ConnId,
        user: String,
        kind: u8,
        body: &[u8],
        quiet_to_user: bool,
        vet: bool,
    ) {
        // Open for its frame limit (answers up to the largest frame),
        // never logged in: no push finds it.
        self.sessions.open(conn, MAX_FRAME, DeviceClass::Web);
        self.acting = Some(Acting {
            conn,
            user,
            quiet_to_user,
            vet,
        });
        self.handle_frame(conn, kind, body);
        self.acting = None;
        self.sessions.close(conn);
    }

    /// The REST API's request being made, if one is.
    pub(crate) fn acting_as(&self) -> Option<&Acting> {
        self.acting.as_ref()
    }

    /// Whether the request being made leaves its user's own sessions out
    /// of its pushes.
    pub(crate) fn quiet_to_user(&self) -> bool {
        self.acting.as_ref().is_some_and(|a| a.quiet_to_user)
    }

    pub(super) fn handle_admin(&mut self, conn: ConnId, act: AdminAct) {
        let reply = Reply { conn, request: 0 };
        let result = match act {
            AdminAct::As {
                user,
                kind,
                body,
                quiet_to_user,
                vet,
            } => {
                if matches!(kind, kind::LOGIN | kind::LOGOUT) {
                    Err(Refusal::Code(code::UNSUPPORTED, "not a REST call"))
                } else {
                    self.act_as(conn, user, kind, &body, quiet_to_user, vet);
                    Ok(())
                }
            }
            AdminAct::ImportAccounts(accounts) => self.import(reply, accounts),
            AdminAct::ImportC2c {
                from,
                to,
                random,
                time_ms,
                body,
                unread,
            } => self.import_c2c(reply, (&from, &to), (random, time_ms), body, unread),
            AdminAct::ImportGroup { group_id, messages } => {
                self.import_group(reply, &group_id, messages)
            }
            AdminAct::CheckAccounts(users) => {
                let found: Result<Vec<bool>, _> =
                    users.iter().map(|u| self.store.has_account(u)).collect();
                found
                    .map(|found| self.respond(reply, &found))
                    .map_err(Into::into)
            }
            AdminAct::DeleteAccounts(users) => self.delete_accounts(reply, users),
            AdminAct::CompleteUpload(uuid) => self.complete_upload(reply, &uuid),
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
                        devices: self.devices_everywhere(u),
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

    fn import_c2c(
        &mut self,
        reply: Reply,
        (from, to): (&str, &str),
        sent: (u64, u64),
        body: Vec<u8>,
        unread: bool,
    ) -> Handled {
        let what = importable(&body)?;
        let preview = cut_at_char_boundary(what.elem.preview(), PREVIEW_BYTES);
        let stamped = self.stamped_body(from, &what, "")?;
        let m = match self.store_c2c(from, to, sent, &what, stamped)? {
            Stored::Again(existing) => existing,
            Stored::New(m, mine) => {
                let shown = what.counted().shown.then_some(preview);
                self.record_c2c(to, mine, &m, shown, !unread)?;
                m
            }
        };
        self.respond(reply, &(m.seq, m.time_ms));
        Ok(())
    }

    fn import_group(
        &mut self,
        reply: Reply,
        group_id: &str,
        messages: Vec<(String, u64, u64, Vec<u8>)>,
    ) -> Handled {
        let mut group = self.existing_group(group_id)?;
        if !rules::stores_messages(group.group_type) {
            return Err(Refusal::Code(
                code::INVALID_PARAMETER,
                "this group type keeps no history",
            ));
        }
        let mut stored = Vec::with_capacity(messages.len());
        for (sender, random, time_ms, body) in messages {
            let what = importable(&body)?;
            let preview = cut_at_char_boundary(what.elem.preview(), PREVIEW_BYTES);
            let key = group_key(group_id);
            if let Some(existing) = self.store.find_sent(&sender, &key, random)? {
                same_message(&existing, &what)?;
                stored.push((existing.seq, existing.time_ms));
                continue;
            }
            let name_card = self
                .store
                .member(group_id, &sender)?
                .map(|m| m.name_card)
                .unwrap_or_default();
            let stamped = self.stamped_body(&sender, &what, &name_card)?;
            let m = self.post_group_message(
                &mut group,
                GroupPost {
                    sender: &sender,
                    reader: &sender,
                    client_msg_id: random,
                    body: stamped,
                    preview,
                    counted: what.counted(),
                    online_only: false,
                    skip: None,
                    imported_at: Some(time_ms),
                },
            )?;
            stored.push((m.seq, m.time_ms));
        }
        self.respond(reply, &stored);
        Ok(())
    }

    fn delete_accounts(&mut self, reply: Reply, users: Vec<String>) -> Handled {
        let mut had = Vec::with_capacity(users.len());
        for user in &users {
            had.push(self.store.delete_account(user)?);
            self.store.set_custom_status(user, "")?;
            self.store.unsubscribe_status(user, None)?;
            for owner in self.store.delete_friend_data(user)? {
                self.push_to_user(
                    &owner,
                    kind::PUSH_FRIEND,
                    &tinyim_core::wire::friend::FriendChange::List,
                );
            }
            self.kick_user(user);
        }
        self.respond(reply, &had);
        Ok(())
    }

    fn c2c_unread(&mut self, reply: Reply, user: &str, peers: &[String]) -> Handled {
        let mut total = 0;
        for row in self.all_conversation_rows(user)? {
            if row.conv_id.starts_with("C2C") {
                total += self.counted_unread(&row)?;
            }
        }
        let mut each = Vec::with_capacity(peers.len());
        for peer in peers {
            each.push(
                match self.store.conversation(user, &format!("C2C{peer}"))? {
                    Some(row) => self.counted_unread(&row)?,
                    None => 0,
                },
            );
        }
        self.respond(reply, &(total, each));
        Ok(())
    }

    /// Ends every session of `user`.
    pub(crate) fn kick_user(&mut self, user: &str) {
        let conns: Vec<ConnId> = self.sessions.sessions_of(user).collect();
        for conn in conns {
            self.kick(conn, KickReason::Admin);
        }
        self.relay(|| super::Relay::Kick {
            user: user.to_owned(),
        });
    }
}

/// What an imported body holds, if a user could have sent it.
fn importable(body: &[u8]) -> Result<Sent<'_>, Refusal> {
    match content::decode(body) {
        Ok((elem, extra)) if elem.sendable_by_client() => Ok(Sent::stored(elem, &extra)),
        _ => Err(Refusal::Code(
            code::BAD_REQUEST,
            "not a message a user can send",
        )),
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
