//! Inputs for the benchmarks: a logged-in client core, and byte streams of
//! incoming 100-byte text messages for tinyim and QoS1 PUBLISH packets for MQTT.

use tinyim_core::time::Instant;
use tinyim_core::wire::group::GroupRecord;
use tinyim_core::wire::{self, body, kind, records};
use tinyim_core::{Client, Config, Resources};

/// Bytes of message text, as the benchmark's peers use.
pub const TEXT_LEN: usize = 100;

/// Resources large enough to take a whole batch of frames at once.
pub type BenchResources = Resources<16, 8, 8, 24, { 256 * 1024 }, 4096>;

fn frame<T: serde::Serialize + ?Sized>(k: u8, b: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let n = wire::encode_frame(k, b, &mut buf).expect("small frames fit");
    buf.truncate(n);
    buf
}

/// Drains output and events until both are empty (reading an event can
/// release a buffered frame that asks for more output).
fn drain(client: &mut Client<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let mut progressed = false;
        while let Some(n) = client.poll_transmit(&mut buf) {
            out.extend_from_slice(&buf[..n]);
            progressed = true;
        }
        while client.poll_event().is_some() {
            progressed = true;
        }
        if !progressed {
            return out;
        }
    }
}

/// A response of `header` then `records`, as the server pages its answers.
fn page<H: serde::Serialize, R: serde::Serialize>(id: u32, header: &H, items: &[R]) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut end = records::put(&(id, header), &mut buf, 0).expect("fits");
    for r in items {
        end = records::put(r, &mut buf, end).expect("fits");
    }
    let mut out = (end as u32 + 1).to_le_bytes().to_vec();
    out.push(kind::RESPONSE_OK);
    out.extend_from_slice(&buf[..end]);
    out
}

fn first_request_id(sent: &[u8], want: u8) -> u32 {
    let mut rest = sent;
    while let Ok(Some((f, size))) = wire::parse_frame(rest, 1 << 16) {
        if f.kind == want {
            return records::take::<u32>(f.body).expect("request id").0;
        }
        rest = &rest[size..];
    }
    panic!("request {want:#x} not sent");
}

/// A client that is logged in, synced, and knows the conversation `C2Cbob`
/// with nothing undelivered, so every pushed message is new.
pub fn logged_in(resources: &mut BenchResources) -> Client<'_> {
    let now = Instant::from_millis(1);
    let mut client = Client::new(&Config::default(), resources, now, 1);
    client.login(now, "alice", "sig").expect("login");
    assert!(client.poll_connect(now));
    client.connection_opened(now);
    drain(&mut client);
    let ack = body::HelloAck {
        version: wire::PROTOCOL_VERSION,
        max_frame: 16 * 1024,
        server_time_ms: 0,
        heartbeat_ms: 60_000,
    };
    client.handle_input(now, &frame(kind::HELLO_ACK, &ack));
    let login = first_request_id(&drain(&mut client), kind::LOGIN);
    client.handle_input(
        now,
        &frame(
            kind::RESPONSE_OK,
            &(
                login,
                body::LoginOk {
                    sig_expires_at: 0,
                    resume: &[],
                },
            ),
        ),
    );
    // The first sync: one window, nothing in it. (The group list refresh
    // goes out with it.)
    let mut sent = drain(&mut client);
    let sync = first_request_id(&sent, kind::SYNC_WINDOW);
    let window = body::SyncWindowPage {
        snapshot: 1,
        complete: true,
        total_unread: 0,
        behind: false,
    };
    client.handle_input(now, &page(sync, &window, &[] as &[()]));
    // The group list refresh that completes it: no groups.
    sent.extend(drain(&mut client));
    let groups = first_request_id(&sent, kind::GROUP_LIST);
    let end = GroupRecord::Page {
        next_offset: 0,
        more: false,
    };
    client.handle_input(now, &page(groups, &(), &[end]));
    drain(&mut client);
    assert!(client.is_ready(), "logged in and synced");
    // One message makes the conversation known; its fetch sets the baseline.
    client.handle_input(now, &pushes(1, 1));
    let mut sent = drain(&mut client);
    let range = first_request_id(&sent, kind::MESSAGE_RANGE);
    let header = body::MessagePage {
        conversation: "C2Cbob",
        base_seq: 1,
        more: false,
    };
    client.handle_input(now, &page(range, &header, &[] as &[()]));
    // New to the table, the conversation gets a sync round of its own (for
    // the user's settings on it): nothing changed.
    sent.extend(drain(&mut client));
    let round = first_request_id(&sent, kind::SYNC_WINDOW);
    client.handle_input(now, &page(round, &window, &[] as &[()]));
    drain(&mut client);
    client
}

/// `count` pushes of 100-byte text messages in `C2Cbob`, seqs from `first`.
pub fn pushes(first: u64, count: u64) -> Vec<u8> {
    let text = "x".repeat(TEXT_LEN);
    let mut out = Vec::new();
    for seq in first..first + count {
        let message = body::Message {
            conversation: "C2Cbob",
            seq,
            from: "bob",
            time_ms: 1_700_000_000_000 + seq,
            client_msg_id: seq,
            elem: body::Elem::Text { text: &text },
            extra: body::MessageExtra::default().stamped("Bob", "", ""),
        };
        let mut body_bytes =
            postcard::to_stdvec(&body::PushMessage { read_seq: 0 }).expect("encodes");
        body_bytes.extend(postcard::to_stdvec(&message).expect("encodes"));
        out.extend_from_slice(&((body_bytes.len() + 1) as u32).to_le_bytes());
        out.push(kind::PUSH_MESSAGE);
        out.extend(body_bytes);
    }
    out
}

/// Puts `bytes` where the transport would have read them: straight into the
/// client's receive buffer (the zero-copy input path). Returns how many fit.
pub fn preload(client: &mut Client<'_>, bytes: &[u8]) -> usize {
    let room = client.input_buffer();
    let n = bytes.len().min(room.len());
    room[..n].copy_from_slice(&bytes[..n]);
    n
}

/// Hands the client `n` preloaded bytes and drains every event; returns how
/// many messages arrived. Like the MQTT side, which parses a buffer its
/// socket already filled, this times no copy of the input.
pub fn ingest_preloaded(client: &mut Client<'_>, n: usize) -> usize {
    let now = Instant::from_millis(2);
    client.input_written(now, n);
    let mut received = 0;
    while let Some(event) = client.poll_event() {
        if let tinyim_core::Event::MessageReceived(m) = event {
            received += usize::from(m.text().is_some());
        }
    }
    received
}

/// Feeds `bytes` and drains every event; returns how many messages arrived.
pub fn ingest(client: &mut Client<'_>, bytes: &[u8]) -> usize {
    let now = Instant::from_millis(2);
    let mut received = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        let taken = client.handle_input(now, rest);
        rest = &rest[taken..];
        while let Some(event) = client.poll_event() {
            if let tinyim_core::Event::MessageReceived(m) = event {
                received += usize::from(m.text().is_some());
            }
        }
    }
    received
}
