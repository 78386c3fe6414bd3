//! A scripted server for driving one client core in tests: frames in, frames
//! out, virtual time, no sockets.

#![allow(dead_code)] // each test file uses a different part

use serde::Serialize;
use tinyim_core::time::{Duration, Instant};
use tinyim_core::wire::group::{GroupInfo, GroupRecord};
use tinyim_core::wire::{self, body, kind, records};
use tinyim_core::{Client, Config, DeviceResources, Event, RequestId};

pub struct Harness {
    pub client: Client<'static>,
    pub now: Instant,
    /// Frames sent but not yet looked at by a test.
    backlog: Vec<(u8, Vec<u8>)>,
}

/// Encodes one frame.
pub fn frame<T: Serialize + ?Sized>(k: u8, b: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let n = wire::encode_frame(k, b, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// A response frame for request `id`.
pub fn ok<T: Serialize + ?Sized>(id: u32, payload: &T) -> Vec<u8> {
    frame(kind::RESPONSE_OK, &(id, payload))
}

/// A page body: header, then records.
pub fn page<H: Serialize, R: Serialize>(id: u32, header: &H, records: &[R]) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut end = records::put(&(id, header), &mut buf, 0).unwrap();
    for r in records {
        end = records::put(r, &mut buf, end).unwrap();
    }
    let mut out = (end as u32 + 1).to_le_bytes().to_vec();
    out.push(kind::RESPONSE_OK);
    out.extend_from_slice(&buf[..end]);
    out
}

/// A response of bare records (a group call's answer).
pub fn records_frame<R: Serialize>(id: u32, records: &[R]) -> Vec<u8> {
    page(id, &(), records)
}

pub fn text_message<'a>(
    conversation: &'a str,
    seq: u64,
    from: &'a str,
    text: &'a str,
) -> body::Message<'a> {
    body::Message {
        conversation,
        seq,
        from,
        time_ms: 1_000 + seq,
        client_msg_id: 0xabc0 + seq,
        elem: body::Elem::Text { text },
        extra: body::MessageExtra::default(),
    }
}

/// The server's answer to the hello, its clock at `server_time_ms`.
pub fn hello_ack(server_time_ms: u64) -> Vec<u8> {
    let ack = body::HelloAck {
        version: wire::PROTOCOL_VERSION,
        max_frame: 16 * 1024,
        server_time_ms,
        heartbeat_ms: 1000,
    };
    frame(kind::HELLO_ACK, &ack)
}

/// A live push of one message.
/// The server's refusal of request `id` with `code`.
pub fn refusal(id: u32, code: u32) -> Vec<u8> {
    frame(
        kind::RESPONSE_ERR,
        &(
            id,
            body::ErrorBody {
                code,
                message: "refused",
            },
        ),
    )
}

/// The answer to sync window `id`: the last window of a round with
/// `snapshot`, bringing `summaries` (each to be delivered after its read
/// watermark, as in a first sync) and their unread total.
pub fn sync_page(id: u32, snapshot: u64, summaries: &[body::ConversationSummary<'_>]) -> Vec<u8> {
    let records: Vec<body::WindowSummary<'_>> = summaries
        .iter()
        .map(|s| body::WindowSummary {
            summary: *s,
            base_seq: s.read_seq,
        })
        .collect();
    let total_unread = summaries
        .iter()
        .filter(|s| !s.deleted)
        .map(|s| {
            s.last_seq
                .saturating_sub(s.read_seq)
                .saturating_sub(s.uncounted)
        })
        .sum();
    page(
        id,
        &body::SyncWindowPage {
            snapshot,
            complete: true,
            total_unread,
            behind: false,
        },
        &records,
    )
}

/// A conversation's summary with `last_seq` and `read_seq`, and nothing
/// else set (no uncounted messages, marks or data; not pinned or muted).
pub fn summary(conversation: &str, last_seq: u64, read_seq: u64) -> body::ConversationSummary<'_> {
    body::ConversationSummary {
        conversation,
        last_seq,
        read_seq,
        uncounted: 0,
        last_time_ms: 1_000 + last_seq,
        last_from: "x",
        preview: "x",
        peer_read_seq: 0,
        deleted: false,
        pinned: false,
        remind: body::RemindType::AcceptAndNotify,
        marks: 0,
        data_digest: 0,
    }
}

pub fn push(read_seq: u64, message: &body::Message<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut end = records::put(&body::PushMessage { read_seq }, &mut buf, 0).unwrap();
    end = records::put(message, &mut buf, end).unwrap();
    let mut out = (end as u32 + 1).to_le_bytes().to_vec();
    out.push(kind::PUSH_MESSAGE);
    out.extend_from_slice(&buf[..end]);
    out
}

pub fn config() -> Config {
    Config {
        reconnect_min: Duration::from_millis(100),
        reconnect_max: Duration::from_millis(1000),
        ..Config::default()
    }
}

impl Harness {
    pub fn new() -> Harness {
        Self::with_config(config())
    }

    pub fn with_config(config: Config) -> Harness {
        let resources: &'static mut DeviceResources = Box::leak(Box::new(DeviceResources::new()));
        Harness {
            client: Client::new(&config, resources, Instant::ZERO, 7),
            now: Instant::ZERO,
            backlog: Vec::new(),
        }
    }

    pub fn advance(&mut self, ms: u64) {
        self.now = self.now + Duration::from_millis(ms);
        self.client.handle_timeout(self.now);
    }

    /// Every frame the client wants to send (and earlier ones no test
    /// looked at), decoded as (kind, body).
    pub fn sent(&mut self) -> Vec<(u8, Vec<u8>)> {
        let mut frames = std::mem::take(&mut self.backlog);
        let mut bytes = Vec::new();
        let mut buf = [0u8; 97]; // an odd size, to split frames across calls
        while let Some(n) = self.client.poll_transmit(&mut buf) {
            assert!(n > 0, "poll_transmit never gives Some(0)");
            bytes.extend_from_slice(&buf[..n]);
        }
        let mut rest = &bytes[..];
        while let Some((f, size)) = wire::parse_frame(rest, 1 << 16).unwrap() {
            frames.push((f.kind, f.body.to_vec()));
            rest = &rest[size..];
        }
        assert!(rest.is_empty(), "the client sends whole frames");
        frames
    }

    /// The request id and payload of the first sent frame of `k`; the other
    /// frames stay for later calls.
    pub fn sent_request(&mut self, k: u8) -> (u32, Vec<u8>) {
        let mut frames = self.sent();
        let at = frames
            .iter()
            .position(|(fk, _)| *fk == k)
            .unwrap_or_else(|| panic!("no frame of kind {k:#x} was sent"));
        let (_, b) = frames.remove(at);
        self.backlog = frames;
        let (id, rest): (u32, &[u8]) = records::take(&b).unwrap();
        (id, rest.to_vec())
    }

    /// Feeds bytes, draining events whenever the client cannot take more.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Vec<String> {
        let mut events = Vec::new();
        loop {
            let taken = self.client.handle_input(self.now, bytes);
            bytes = &bytes[taken..];
            events.extend(self.events());
            if bytes.is_empty() {
                return events;
            }
            assert!(
                taken > 0 || !events.is_empty(),
                "the client neither took bytes nor produced events"
            );
        }
    }

    /// Drains events as Debug strings (events borrow the client).
    pub fn events(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(e) = self.client.poll_event() {
            out.push(format!("{e:?}"));
        }
        out
    }

    /// Drains events; the records of `request`'s answer (group or
    /// user data, as Debug strings), then "completed" when it completes.
    pub fn call_answer(&mut self, request: RequestId) -> Vec<String> {
        let mut seen = Vec::new();
        while let Some(event) = self.client.poll_event() {
            match event {
                Event::GroupData { request: r, data } if r == request => {
                    seen.push(format!("{data:?}"))
                }
                Event::UserData { request: r, data } if r == request => {
                    seen.push(format!("{data:?}"))
                }
                Event::FriendData { request: r, data } if r == request => {
                    seen.push(format!("{data:?}"))
                }
                Event::RequestCompleted(r) if r == request => seen.push("completed".into()),
                _ => {}
            }
        }
        seen
    }

    pub fn event_matching(&mut self, f: impl Fn(&Event<'_>) -> bool) -> bool {
        let mut found = false;
        while let Some(e) = self.client.poll_event() {
            found |= f(&e);
        }
        found
    }

    /// Connects, logs in as alice and completes an empty first sync.
    pub fn logged_in() -> Harness {
        let mut h = Harness::synced_without_groups();
        h.answer_group_list(&[]);
        assert!(h.client.is_ready());
        h
    }

    /// Answers the login request the client sent with a success that gives
    /// no resume token; the events that follow.
    pub fn answer_login(&mut self) -> Vec<String> {
        let (login, _) = self.sent_request(kind::LOGIN);
        self.feed(&ok(
            login,
            &body::LoginOk {
                sig_expires_at: 0,
                resume: &[],
            },
        ))
    }

    /// Logs in and answers the sync, leaving the group list refresh that
    /// completes it to the test.
    pub fn synced_without_groups() -> Harness {
        let mut h = Harness::new();
        h.client.login(h.now, "alice", "sig").unwrap();
        h.open();
        h.answer_login();
        let (sync, _) = h.sent_request(kind::SYNC_WINDOW);
        h.feed(&sync_page(sync, 10, &[]));
        h
    }

    /// Answers the group list refresh a login starts with one page.
    pub fn answer_group_list(&mut self, groups: &[GroupInfo<'_>]) -> Vec<String> {
        if !cfg!(feature = "full") {
            // Without `full` the client keeps no group list and asks for none.
            assert!(groups.is_empty(), "a group list needs the `full` feature");
            return self.events();
        }
        let (id, _) = self.sent_request(kind::GROUP_LIST);
        let mut records: Vec<GroupRecord<'_>> =
            groups.iter().copied().map(GroupRecord::Info).collect();
        records.push(GroupRecord::Page {
            next_offset: groups.len() as u32,
            more: false,
        });
        self.feed(&records_frame(id, &records))
    }

    /// Loses the connection, dials again after the backoff, logs in, and
    /// returns the id of the sync request that follows, for the test to answer.
    pub fn reconnect_until_sync(&mut self) -> u32 {
        self.client.connection_lost(self.now);
        self.advance(2_000);
        self.open();
        self.answer_login();
        self.sent_request(kind::SYNC_WINDOW).0
    }

    /// Opens the transport and completes the handshake.
    pub fn open(&mut self) {
        assert!(
            self.client.poll_connect(self.now),
            "the client wants a connection"
        );
        self.client.connection_opened(self.now);
        let frames = self.sent();
        assert_eq!(frames[0].0, kind::HELLO);
        self.feed(&hello_ack(0));
    }

    /// Makes `conversation` known with everything up to `seq` delivered, the
    /// way a sync and its first fetch do.
    pub fn know(&mut self, conversation: &str, seq: u64) {
        // A push for an unknown conversation makes the client fetch it.
        let m = text_message(conversation, seq, "bob", "x");
        self.feed(&push(seq, &m));
        let (id, payload) = self.sent_request(kind::MESSAGE_RANGE);
        let range: body::MessageRange<'_> = records::decode_exact(&payload).unwrap();
        assert_eq!(range.conversation, conversation);
        self.feed(&page::<_, body::Message<'_>>(
            id,
            &body::MessagePage {
                conversation,
                base_seq: seq,
                more: false,
            },
            &[],
        ));
        let c = self.client.conversation(conversation).unwrap();
        assert_eq!((c.delivered_seq(), c.last_seq()), (seq, seq));
        // New to the table, so the client asked for a round of its own (for
        // the user's settings on it): nothing changed since its base.
        let mut frames = self.sent();
        if let Some(at) = frames.iter().position(|(k, _)| *k == kind::SYNC_WINDOW) {
            let (_, b) = frames.remove(at);
            let (id, window): (u32, body::SyncWindow<'_>) = records::take(&b)
                .map(|(id, rest)| (id, records::decode_exact(rest).unwrap()))
                .unwrap();
            self.backlog = frames;
            self.feed(&sync_page(id, window.base.unwrap_or(0), &[]));
        } else {
            self.backlog = frames;
        }
    }
}
