//! In-process: client cores and the server engine stepped together on
//! virtual time, no sockets, no sleeps. The link between them splits the byte
//! stream at random points, delays it, and cuts connections, and the front
//! end refuses requests at random over its rate limit (2996, all but the
//! sync, which it paces); across many seeds, every acknowledged message (one
//! to one, or to the group all three users are in) must reach its
//! recipients exactly once, in seq order, and each client's view must match
//! the server's watermarks. Senders also edit their messages at random: both
//! sides of a conversation see every edit once, its version one above the
//! last they saw. Some messages are sent excluded from the unread count,
//! receivers delete messages for themselves and mute conversations at
//! random: each unread count is the watermarks less the edits' notices and
//! excluded messages after the read one, and the total leaves muted
//! conversations out. `scripts/sim N` runs N seeds of the faulty link
//! (`TINYIM_SIM_SEEDS`); CI runs the quick count below.

use std::collections::{BTreeMap, HashMap, VecDeque};

use tinyim_core::time::{Duration, Instant};
use tinyim_core::wire::body::RemindType;
use tinyim_core::wire::group::{CreateGroup, UserList};
use tinyim_core::wire::{self, body, code, kind, records};
use tinyim_core::{
    Client, Config, DeviceResources, Event, GroupType, NetState, OutgoingMessage, RequestError,
    RequestId, SendStatus,
};
use tinyim_server::engine::{answer_hello, AppAuth, Engine, HandshakeLimits, Input, Output};
use tinyim_server::store::SqliteStore;
use tinyim_server::usersig;

const APP: u64 = 1_400_000_000;
const KEY: &str = "sim-key";
/// Virtual time starts here (unix ms), so UserSigs minted for it are valid.
const EPOCH_MS: u64 = 1_800_000_000_000;
const STEP: Duration = Duration::from_millis(5);
/// The group every user is in, created by the first user at start.
const GROUP: &str = "g-sim";
const GROUP_CONVERSATION: &str = "GROUPg-sim";

/// A tiny deterministic generator for the link's choices.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// Bytes in flight one way: chunks that arrive at a time.
#[derive(Default)]
struct Pipe(VecDeque<(Instant, Vec<u8>)>);

impl Pipe {
    fn send(&mut self, rng: &mut Rand, now: Instant, mut bytes: &[u8]) {
        let base = self.0.back().map_or(now, |(t, _)| (*t).max(now));
        while !bytes.is_empty() {
            let cut = 1 + rng.below(bytes.len() as u64) as usize;
            let at = base + Duration::from_millis(rng.below(30));
            self.0.push_back((at.max(base), bytes[..cut].to_vec()));
            bytes = &bytes[cut..];
        }
    }
    fn take_ready(&mut self, now: Instant) -> Vec<u8> {
        let mut out = Vec::new();
        while self.0.front().is_some_and(|(t, _)| *t <= now) {
            out.extend(self.0.pop_front().unwrap().1);
        }
        out
    }
}

struct Connection {
    id: u64,
    to_server: Pipe,
    to_client: Pipe,
    server_buf: Vec<u8>,
    opened: bool,
}

struct SimClient {
    user: String,
    client: Client<'static>,
    conn: Option<Connection>,
    unconsumed: Vec<u8>,
    /// (conversation, seq, from, client_msg_id) in the order received.
    received: Vec<(String, u64, String, u64)>,
    /// client_msg_id -> seq of acknowledged sends, and their targets.
    acked: HashMap<u64, (String, u64)>,
    pending_sends: HashMap<tinyim_core::RequestId, String>,
    /// (conversation, seq) -> the version its last modification notice
    /// said, each notice seen once and in order.
    versions: BTreeMap<(String, u64), u32>,
    /// Modification notices received, per conversation.
    notices: HashMap<String, u64>,
    /// Seqs of the messages received that do not count as unread (the
    /// notices, those sent excluded), per conversation.
    uncounted: HashMap<String, Vec<u64>>,
    /// Messages deleted for this user (acknowledged by the server).
    deleted: u64,
    /// Deletions in flight.
    deleting: Vec<RequestId>,
}

struct World {
    rng: Rand,
    now: Instant,
    engine: Engine<SqliteStore>,
    clients: Vec<SimClient>,
    next_conn: u64,
    inputs: Vec<Input>,
    /// The first user's create_group request, until it completes.
    creating: Option<RequestId>,
    /// It was lost with a connection: ask again (a repeat that finds the
    /// group made is as good as done).
    create_lost: bool,
    /// Requests the front end refuses over its rate limit, per mille.
    refuse_per_mille: u64,
    /// How many it refused.
    refused: u64,
}

/// What the front end may refuse over its rate limit: everything but the
/// sync a client catches up with, which it paces instead.
fn refusable(frame_kind: u8) -> bool {
    !matches!(
        frame_kind,
        kind::SYNC | kind::SYNC_WINDOW | kind::MESSAGE_RANGE | kind::GROUP_LIST
    )
}

fn create_request(members: &str) -> CreateGroup<'_> {
    CreateGroup {
        group_id: GROUP,
        members: UserList(members),
        ..CreateGroup::new(GroupType::Community, "sim")
    }
}

impl World {
    fn new(seed: u64, users: &[&str], refuse_per_mille: u64) -> World {
        let store = SqliteStore::in_memory().unwrap();
        let engine = Engine::new(
            store,
            AppAuth {
                app_id: APP,
                key: KEY.into(),
            },
        );
        let config = Config {
            send_timeout: Duration::from_secs(600),
            request_timeout: Duration::from_secs(5),
            reconnect_min: Duration::from_millis(20),
            reconnect_max: Duration::from_millis(400),
            ..Config::default()
        };
        let now = Instant::ZERO;
        let clients = users
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let resources: &'static mut DeviceResources =
                    Box::leak(Box::new(DeviceResources::new()));
                let mut client = Client::new(
                    &config,
                    resources,
                    now,
                    seed.wrapping_mul(31).wrapping_add(i as u64),
                );
                let sig = usersig::mint(APP, KEY, user, 86_400, EPOCH_MS / 1000);
                client.login(now, user, &sig).unwrap();
                SimClient {
                    user: user.to_string(),
                    client,
                    conn: None,
                    unconsumed: Vec::new(),
                    received: Vec::new(),
                    acked: HashMap::new(),
                    pending_sends: HashMap::new(),
                    versions: BTreeMap::new(),
                    notices: HashMap::new(),
                    uncounted: HashMap::new(),
                    deleted: 0,
                    deleting: Vec::new(),
                }
            })
            .collect();
        let mut clients: Vec<SimClient> = clients;
        let others: Vec<&str> = users[1..].to_vec();
        let members = others.join(",");
        let creating = Some(
            clients[0]
                .client
                .create_group(now, &create_request(&members))
                .unwrap(),
        );
        World {
            rng: Rand(seed | 1),
            now,
            engine,
            clients,
            next_conn: 1,
            inputs: Vec::new(),
            creating,
            create_lost: false,
            refuse_per_mille,
            refused: 0,
        }
    }

    fn cut(&mut self, index: usize) {
        if let Some(conn) = self.clients[index].conn.take() {
            if conn.opened {
                self.inputs.push(Input::Closed { conn: conn.id });
            }
            self.clients[index].client.connection_lost(self.now);
            self.clients[index].unconsumed.clear();
        }
    }

    fn step(&mut self, cut_per_mille: u64) {
        self.now = self.now + STEP;
        let now = self.now;
        if self.create_lost {
            let members: Vec<String> = self.clients[1..].iter().map(|c| c.user.clone()).collect();
            let members = members.join(",");
            if let Ok(id) = self.clients[0]
                .client
                .create_group(now, &create_request(&members))
            {
                self.creating = Some(id);
                self.create_lost = false;
            }
        }
        for i in 0..self.clients.len() {
            if self.clients[i].conn.is_some() && self.rng.chance(cut_per_mille) {
                self.cut(i);
            }
            let c = &mut self.clients[i];
            if c.client.poll_timeout().is_some_and(|t| t <= now) {
                c.client.handle_timeout(now);
            }
            if c.client.poll_close() {
                if let Some(conn) = c.conn.take() {
                    if conn.opened {
                        self.inputs.push(Input::Closed { conn: conn.id });
                    }
                }
                c.unconsumed.clear();
            }
            if c.conn.is_none() && c.client.poll_connect(now) {
                c.conn = Some(Connection {
                    id: self.next_conn,
                    to_server: Pipe::default(),
                    to_client: Pipe::default(),
                    server_buf: Vec::new(),
                    opened: false,
                });
                self.next_conn += 1;
                c.client.connection_opened(now);
            }
            let mut out = [0u8; 700];
            while let Some(n) = c.client.poll_transmit(&mut out) {
                if let Some(conn) = c.conn.as_mut() {
                    conn.to_server.send(&mut self.rng, now, &out[..n]);
                }
            }
            // Server side of this connection: frames in.
            let mut close = false;
            if let Some(conn) = c.conn.as_mut() {
                let bytes = conn.to_server.take_ready(now);
                conn.server_buf.extend(bytes);
                loop {
                    let parsed = wire::parse_frame(&conn.server_buf, 16 * 1024);
                    let Ok(Some((frame, size))) = parsed else {
                        close = parsed.is_err();
                        break;
                    };
                    let (frame_kind, frame_body) = (frame.kind, frame.body.to_vec());
                    conn.server_buf.drain(..size);
                    if !conn.opened {
                        let hello: body::Hello = records::decode_exact(&frame_body).unwrap();
                        let limits = HandshakeLimits {
                            max_frame: 16 * 1024,
                            heartbeat_ms: 1000,
                        };
                        let (ack, max) =
                            answer_hello(&hello, limits, EPOCH_MS + now.as_millis()).unwrap();
                        let mut buf = [0u8; 64];
                        let n = wire::encode_frame(kind::HELLO_ACK, &ack, &mut buf).unwrap();
                        conn.to_client.send(&mut self.rng, now, &buf[..n]);
                        conn.opened = true;
                        self.inputs.push(Input::Opened {
                            conn: conn.id,
                            max_frame: max,
                            device: hello.device,
                        });
                    } else if frame_kind != kind::HEARTBEAT
                        && refusable(frame_kind)
                        && self.rng.chance(self.refuse_per_mille)
                    {
                        // The front end's answer over its rate limit.
                        let (request, _) = records::take::<u32>(&frame_body).unwrap();
                        let refusal = (
                            request,
                            body::ErrorBody {
                                code: code::RATE_LIMITED,
                                message: "over the rate",
                            },
                        );
                        let mut buf = [0u8; 64];
                        let n = wire::encode_frame(kind::RESPONSE_ERR, &refusal, &mut buf).unwrap();
                        conn.to_client.send(&mut self.rng, now, &buf[..n]);
                        self.refused += 1;
                    } else if frame_kind != kind::HEARTBEAT {
                        self.inputs.push(Input::Frame {
                            conn: conn.id,
                            kind: frame_kind,
                            body: frame_body,
                        });
                    }
                }
            }
            assert!(!close, "client sent unframeable bytes");
        }
        // The engine: one batch per step.
        let inputs = std::mem::take(&mut self.inputs);
        let outputs = self.engine.handle_batch(EPOCH_MS + now.as_millis(), inputs);
        for output in outputs {
            let (conn, bytes, close) = match output {
                Output::Frame { conn, bytes } => (conn, Some(bytes), false),
                Output::Close { conn } => (conn, None, true),
                Output::Kick { conn, notice } => (conn, Some(notice), true),
                // The front end's own bookkeeping: nothing travels.
                _ => continue,
            };
            let Some(i) = self
                .clients
                .iter()
                .position(|c| c.conn.as_ref().is_some_and(|k| k.id == conn))
            else {
                continue;
            };
            if let Some(bytes) = bytes {
                let pipe = &mut self.clients[i].conn.as_mut().unwrap().to_client;
                pipe.send(&mut self.rng, now, &bytes);
            }
            if close {
                self.cut(i);
            }
        }
        // Bytes to the clients, then their events.
        let creating = &mut self.creating;
        let create_lost = &mut self.create_lost;
        for c in &mut self.clients {
            if let Some(conn) = c.conn.as_mut() {
                let bytes = conn.to_client.take_ready(now);
                c.unconsumed.extend(bytes);
            }
            loop {
                if !c.unconsumed.is_empty() {
                    let taken = c.client.handle_input(now, &c.unconsumed);
                    c.unconsumed.drain(..taken);
                }
                let mut any = false;
                while let Some(event) = c.client.poll_event() {
                    any = true;
                    match event {
                        Event::MessageReceived(m) => {
                            if m.extra.excluded_from_unread {
                                let id = m.conversation_id.to_owned();
                                c.uncounted.entry(id).or_default().push(m.seq);
                            }
                            c.received.push((
                                m.conversation_id.into(),
                                m.seq,
                                m.from.into(),
                                m.client_msg_id,
                            ));
                        }
                        Event::MessageModified(notice) => {
                            let (seq, now_is) = notice.elem.modified().expect("a notice");
                            let key = (notice.conversation_id.to_owned(), seq);
                            let before = c.versions.insert(key, now_is.extra.version);
                            // Versions only grow, one edit at a time.
                            assert_eq!(
                                now_is.extra.version,
                                before.unwrap_or(0) + 1,
                                "{} {} #{seq}",
                                c.user,
                                notice.conversation_id
                            );
                            *c.notices.entry(notice.conversation_id.into()).or_default() += 1;
                            let id = notice.conversation_id.to_owned();
                            c.uncounted.entry(id).or_default().push(notice.seq);
                        }
                        Event::MessageStatus {
                            request,
                            client_msg_id,
                            status: SendStatus::Sent { seq, .. },
                        } => {
                            let to = c.pending_sends.remove(&request).unwrap();
                            c.acked.insert(client_msg_id, (to, seq));
                        }
                        Event::MessageStatus { status, .. } => panic!("send failed: {status:?}"),
                        Event::RequestCompleted(r) if Some(r) == *creating => *creating = None,
                        Event::RequestCompleted(r) if c.deleting.contains(&r) => {
                            c.deleting.retain(|d| *d != r);
                            c.deleted += 1;
                        }
                        Event::RequestFailed { request, .. } if c.deleting.contains(&request) => {
                            c.deleting.retain(|d| *d != request);
                        }
                        Event::RequestFailed { request, error, .. }
                            if Some(request) == *creating =>
                        {
                            match error {
                                RequestError::Server(code::GROUP_ID_IN_USE) => *creating = None,
                                RequestError::Disconnected
                                | RequestError::Timeout
                                | RequestError::Server(code::RATE_LIMITED) => *create_lost = true,
                                other => panic!("creating the group failed: {other:?}"),
                            }
                        }
                        Event::KickedOut(r) => panic!("{} kicked: {r:?}", c.user),
                        _ => {}
                    }
                }
                if !any && (c.unconsumed.is_empty() || c.conn.is_none()) {
                    break;
                }
            }
            let mut out = [0u8; 700];
            while let Some(n) = c.client.poll_transmit(&mut out) {
                if let Some(conn) = c.conn.as_mut() {
                    conn.to_server.send(&mut self.rng, now, &out[..n]);
                }
            }
        }
    }

    /// A random client sends `text` to the group or to another user;
    /// whether the client took it. A full outbox or too many requests in
    /// flight is back-pressure, not an error: the caller tries again later.
    fn send_random(&mut self, text: &str) -> bool {
        let from = self.rng.below(self.clients.len() as u64) as usize;
        if self.creating.is_none() && self.rng.chance(300) {
            let c = &mut self.clients[from];
            let message = OutgoingMessage::text(GROUP, text).to_group();
            let Ok(id) = c.client.send_message(self.now, &message) else {
                return false;
            };
            c.pending_sends.insert(id, GROUP_CONVERSATION.to_owned());
            return true;
        }
        let mut to = self.rng.below(self.clients.len() as u64) as usize;
        if to == from {
            to = (to + 1) % self.clients.len();
        }
        let to_user = self.clients[to].user.clone();
        // One in ten does not count as unread (TIM `messageControlInfo`).
        let quiet = self.rng.chance(100);
        let c = &mut self.clients[from];
        let message = OutgoingMessage::text(&to_user, text).with_control(quiet, false);
        let Ok(id) = c.client.send_message(self.now, &message) else {
            return false;
        };
        c.pending_sends.insert(id, to_user);
        true
    }

    /// A random client edits one of its acknowledged one-to-one messages,
    /// on the version it last saw (stale if its own last edit's notice has
    /// not come back yet: refused with 2480, which is fine).
    fn edit_random(&mut self) {
        let i = self.rng.below(self.clients.len() as u64) as usize;
        let c = &mut self.clients[i];
        let mine: Vec<(String, u64)> = c
            .acked
            .values()
            .filter(|(to, _)| to != GROUP_CONVERSATION)
            .map(|(to, seq)| (format!("C2C{to}"), *seq))
            .collect();
        if mine.is_empty() {
            return;
        }
        let pick = self.rng.below(mine.len() as u64) as usize;
        let (conversation, seq) = &mine[pick];
        let version = c
            .versions
            .get(&(conversation.clone(), *seq))
            .copied()
            .unwrap_or(0);
        let edited = tinyim_core::Elem::Text { text: "edited" };
        let _ = c
            .client
            .modify_message(self.now, conversation, (*seq, version), edited, "");
    }

    /// A random client deletes for itself one of the one-to-one messages
    /// it received.
    fn delete_random(&mut self) {
        let i = self.rng.below(self.clients.len() as u64) as usize;
        let pick = self.rng.next();
        let c = &mut self.clients[i];
        let theirs: Vec<&(String, u64, String, u64)> = c
            .received
            .iter()
            .filter(|(conv, ..)| conv.starts_with("C2C"))
            .collect();
        if theirs.is_empty() {
            return;
        }
        let (conversation, seq, _, _) = theirs[(pick % theirs.len() as u64) as usize];
        let (conversation, seq) = (conversation.clone(), seq.to_string());
        if let Ok(id) = c.client.delete_messages(self.now, &conversation, &seq) {
            c.deleting.push(id);
        }
    }

    /// A random client mutes or unmutes one of its one-to-one
    /// conversations (left out of its total unread count, or counted).
    fn remind_random(&mut self) {
        let i = self.rng.below(self.clients.len() as u64) as usize;
        let mute = self.rng.chance(500);
        let pick = self.rng.next();
        let c = &mut self.clients[i];
        let ids: Vec<String> = c
            .client
            .conversations()
            .filter(|v| v.id().starts_with("C2C"))
            .map(|v| v.id().to_owned())
            .collect();
        if ids.is_empty() {
            return;
        }
        let id = &ids[(pick % ids.len() as u64) as usize];
        let remind = if mute {
            RemindType::AcceptNotNotify
        } else {
            RemindType::AcceptAndNotify
        };
        let _ = c.client.set_message_remind_type(self.now, id, remind);
    }

    fn quiescent(&self) -> bool {
        self.inputs.is_empty()
            && self.clients.iter().all(|c| {
                c.pending_sends.is_empty()
                    && c.unconsumed.is_empty()
                    && c.conn
                        .as_ref()
                        .is_some_and(|k| k.to_client.0.is_empty() && k.to_server.0.is_empty())
                    && c.client.is_ready()
                    // Not between a refused login and the next dial.
                    && c.client.net_state() == NetState::Connected
                    && c.client.pending_requests() == 0
                    && c.client
                        .conversations()
                        .all(|v| v.delivered_seq() == v.last_seq())
            })
    }
}

/// What one seed's run did, for the summary of many.
#[derive(Default)]
struct Tally {
    acked: usize,
    refused: u64,
    /// Modification notices the clients saw.
    edits: u64,
    /// Messages deleted for their receivers.
    deleted: u64,
}

/// Runs one seed: `messages` sent over a link that cuts a connection with
/// `cut_per_mille` each step and refuses as many per mille of the requests
/// it may refuse; checks every invariant.
fn run(seed: u64, messages: usize, cut_per_mille: u64) -> Tally {
    let users = ["alice", "bob", "carol"];
    let mut world = World::new(seed, &users, cut_per_mille * 3);
    let mut sent = 0;
    let mut steps = 0;
    while world.creating.is_some() {
        world.step(cut_per_mille);
        steps += 1;
        assert!(steps < 200_000, "seed {seed}: the group was never created");
    }
    while sent < messages {
        if world.rng.chance(300) && world.send_random(&format!("m{sent}")) {
            sent += 1;
        }
        if world.rng.chance(40) {
            world.edit_random();
        }
        if world.rng.chance(20) {
            world.delete_random();
        }
        if world.rng.chance(20) {
            world.remind_random();
        }
        world.step(cut_per_mille);
        steps += 1;
        assert!(steps < 200_000, "seed {seed}: sending never finished");
    }
    let mut settle = 0;
    while !world.quiescent() || world.creating.is_some() {
        world.step(0);
        settle += 1;
        assert!(settle < 40_000, "seed {seed}: never settled");
    }
    // Every acknowledged group message reached every other member exactly
    // once.
    for sender in &world.clients {
        for (&client_msg_id, (to, seq)) in &sender.acked {
            if to != GROUP_CONVERSATION {
                continue;
            }
            for member in world.clients.iter().filter(|c| c.user != sender.user) {
                let hits = member
                    .received
                    .iter()
                    .filter(|(conv, s, from, id)| {
                        conv == GROUP_CONVERSATION
                            && s == seq
                            && from == &sender.user
                            && *id == client_msg_id
                    })
                    .count();
                assert_eq!(
                    hits, 1,
                    "seed {seed}: {} -> group seq {seq} reached {} {hits} times",
                    sender.user, member.user
                );
            }
        }
    }
    let group_sends = world
        .clients
        .iter()
        .map(|c| {
            c.acked
                .values()
                .filter(|(to, _)| to == GROUP_CONVERSATION)
                .count() as u64
        })
        .sum::<u64>();
    assert!(group_sends > 0, "seed {seed}: the group was used");
    // Every acknowledged message reached its recipient exactly once, in order.
    for sender in &world.clients {
        for (&client_msg_id, (to, seq)) in &sender.acked {
            if to == GROUP_CONVERSATION {
                continue;
            }
            let recipient = world.clients.iter().find(|c| &c.user == to).unwrap();
            let hits = recipient
                .received
                .iter()
                .filter(|(conv, s, from, id)| {
                    conv == &format!("C2C{}", sender.user)
                        && s == seq
                        && from == &sender.user
                        && *id == client_msg_id
                })
                .count();
            if hits != 1 {
                let r: Vec<_> = recipient
                    .received
                    .iter()
                    .filter(|(conv, ..)| conv == &format!("C2C{}", sender.user))
                    .map(|x| x.1)
                    .collect();
                eprintln!(
                    "received {r:?}; conv {:?}",
                    recipient
                        .client
                        .conversation(&format!("C2C{}", sender.user))
                );
            }
            assert_eq!(
                hits, 1,
                "seed {seed}: {} -> {to} seq {seq} delivered {hits} times",
                sender.user
            );
        }
    }
    for c in &world.clients {
        let mut last: BTreeMap<&str, u64> = BTreeMap::new();
        for (conv, seq, _, _) in &c.received {
            let prev = last.insert(conv.as_str(), *seq).unwrap_or(0);
            assert!(
                *seq > prev,
                "seed {seed}: {} got {conv} seq {seq} after {prev}",
                c.user
            );
        }
        // The client's unread counts are the server's watermarks.
        for v in c.client.conversations() {
            if v.id() == GROUP_CONVERSATION {
                assert_eq!(v.last_seq(), group_sends, "seed {seed}: {} group", c.user);
                continue;
            }
            if v.id() == "@TIM#SYSTEM" {
                assert_eq!(v.last_seq(), 1, "seed {seed}: created or invited, once");
                continue;
            }
            let peer = v.target();
            let from_peer = world
                .clients
                .iter()
                .find(|o| o.user == peer)
                .map_or(0, |o| {
                    o.acked.values().filter(|(to, _)| to == &c.user).count() as u64
                });
            let from_me = c.acked.values().filter(|(to, _)| to == peer).count() as u64;
            // Each modification posted a notice, which both sides saw once.
            let notices = c.notices.get(v.id()).copied().unwrap_or(0);
            assert_eq!(
                v.last_seq(),
                from_peer + from_me + notices,
                "seed {seed}: {} {} last seq",
                c.user,
                v.id()
            );
            let other = world.clients.iter().find(|o| o.user == peer).unwrap();
            let theirs = format!("C2C{}", c.user);
            assert_eq!(
                other.notices.get(&theirs).copied().unwrap_or(0),
                notices,
                "seed {seed}: {} and {peer} saw the same edits",
                c.user
            );
            let versions = |of: &SimClient, conv: &str| -> Vec<(u64, u32)> {
                of.versions
                    .iter()
                    .filter(|((k, _), _)| k == conv)
                    .map(|((_, seq), v)| (*seq, *v))
                    .collect()
            };
            assert_eq!(versions(c, v.id()), versions(other, &theirs));
            let uncounted = c
                .uncounted
                .get(v.id())
                .map_or(0, |seqs| seqs.iter().filter(|&&s| s > v.read_seq()).count())
                as u64;
            assert_eq!(
                v.unread_count(),
                v.last_seq() - v.read_seq() - uncounted,
                "seed {seed}: {} {} unread",
                c.user,
                v.id()
            );
        }
        let counted: u64 = c
            .client
            .conversations()
            .filter(|v| v.remind_type() == RemindType::AcceptAndNotify)
            .map(|v| v.unread_count())
            .sum();
        assert_eq!(
            c.client.total_unread(),
            counted,
            "seed {seed}: {} total",
            c.user
        );
    }
    Tally {
        acked: world.clients.iter().map(|c| c.acked.len()).sum(),
        refused: world.refused,
        edits: world.clients.iter().flat_map(|c| c.notices.values()).sum(),
        deleted: world.clients.iter().map(|c| c.deleted).sum(),
    }
}

#[test]
fn clean_link_delivers_everything_once_in_order() {
    for seed in 1..=5 {
        run(seed, 60, 0);
    }
}

#[test]
fn split_delayed_and_cut_link_loses_and_duplicates_nothing() {
    let seeds: u64 = std::env::var("TINYIM_SIM_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    let mut total = Tally::default();
    for seed in 100..100 + seeds {
        let tally = run(seed, 60, 8);
        total.acked += tally.acked;
        total.refused += tally.refused;
        total.edits += tally.edits;
        total.deleted += tally.deleted;
    }
    for seed in 200..220 {
        run(seed, 40, 40);
    }
    assert!(total.refused > 0, "refusals were injected");
    assert!(total.edits > 0, "messages were edited");
    assert!(total.deleted > 0, "messages were deleted");
    println!(
        "sim: {seeds} seeds, {} messages acknowledged, {} edits seen, {} deleted, {} requests refused, 0 invariant violations",
        total.acked, total.edits, total.deleted, total.refused
    );
}
