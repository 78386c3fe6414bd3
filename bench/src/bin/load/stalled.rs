//! Shape 6 (tinyim alone): readers that flood the server with requests for
//! large answers and never read, and the server's resident memory per such
//! reader. Each connection may hold its budget (`--conn-buffer`, 256 KiB
//! by default) in the server and no more: past it the server stops reading
//! it. The load server lifts the rate limits, so the budget alone holds.

use std::io;
use std::time::Duration;

use tinyim_core::wire::group::{CreateGroup, GroupType, MemberChange, UserList};
use tinyim_core::wire::{self, body, kind, records};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use crate::idle::{frame, retried, tinyim_client, Stream};
use crate::process::{Server, APP_ID, KEY};
use crate::shapes::PATIENCE;

/// The server's default connection budget.
pub const BUDGET: usize = 256 * 1024;
/// Requests each reader sends without reading.
const REQUESTS: u32 = 2_000;
/// The group whose history they ask for: 20 messages of 11 KB, so every
/// page is as large as a 64 KiB frame allows.
const GROUP: &str = "stalled";
/// How often the growth is sampled, and for how long at most (the server
/// closes a connection whose write stalls for 10 s).
const SAMPLE: Duration = Duration::from_millis(250);
const SAMPLES: usize = 24;

fn sig(user: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tinyim_server::usersig::mint(APP_ID, KEY, user, 86_400, now)
}

/// Sends request `id` and reads until its answer: `Err(code)` if refused.
async fn request<T: serde::Serialize>(
    stream: &mut Box<dyn Stream>,
    k: u8,
    id: u32,
    payload: &T,
) -> io::Result<Result<(), u32>> {
    stream.write_all(&frame(k, &(id, payload))).await?;
    let mut buf = Vec::new();
    loop {
        while let Ok(Some((f, size))) = wire::parse_frame(&buf, 64 * 1024) {
            let answer = match f.kind {
                kind::RESPONSE_OK | kind::RESPONSE_ERR => records::take::<u32>(f.body).ok(),
                _ => None,
            };
            if let Some((got, rest)) = answer.filter(|(got, _)| *got == id) {
                let result = if f.kind == kind::RESPONSE_OK {
                    Ok(())
                } else {
                    let _ = got;
                    Err(records::decode_exact::<body::ErrorBody<'_>>(rest).map_or(0, |e| e.code))
                };
                return Ok(result);
            }
            buf.drain(..size);
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The group the readers are in, with its large history.
async fn prepare(addr: &str, readers: usize) {
    let mut owner = tinyim_client(addr, None, None, "owner", &sig("owner"), 64 * 1024)
        .await
        .expect("the owner logs in");
    let create = CreateGroup {
        group_id: GROUP,
        ..CreateGroup::new(GroupType::Community, "stalled")
    };
    request(&mut owner, kind::CREATE_GROUP, 2, &create)
        .await
        .expect("connected")
        .expect("the group is made");
    let names: Vec<String> = (0..readers).map(|i| format!("reader{i}")).collect();
    for (n, chunk) in names.chunks(500).enumerate() {
        let users = chunk.join(",");
        let invite = MemberChange {
            group_id: GROUP,
            users: UserList(&users),
            reason: "",
        };
        request(&mut owner, kind::ADD_MEMBERS, 10 + n as u32, &invite)
            .await
            .expect("connected")
            .expect("the readers join");
    }
    let big = "x".repeat(11 * 1024);
    for i in 0..20u32 {
        let send = body::SendMessage {
            conversation: "GROUPstalled",
            client_msg_id: u64::from(i) + 1,
            online_only: false,
            priority: Default::default(),
            elem: body::Elem::Text { text: &big },
            extra: body::MessageExtra::default(),
        };
        request(&mut owner, kind::SEND_MESSAGE, 100 + i, &send)
            .await
            .expect("connected")
            .expect("stored");
    }
}

/// Opens `n` readers on `server`, each floods history requests and never
/// reads; returns the server's resident memory growth per reader, in
/// bytes, at its highest while they stall.
pub async fn rss_per_stalled_reader(server: &Server, n: usize) -> f64 {
    prepare(&server.addr, n).await;
    let ramp = std::sync::Arc::new(Semaphore::new(256));
    let mut opening = tokio::task::JoinSet::new();
    for i in 0..n {
        let (addr, ramp) = (server.addr.clone(), ramp.clone());
        opening.spawn(async move {
            let _permit = ramp.acquire_owned().await.expect("open");
            let user = format!("reader{i}");
            let sig = sig(&user);
            retried(|| tinyim_client(&addr, None, None, &user, &sig, 64 * 1024)).await
        });
    }
    let mut readers = tokio::time::timeout(PATIENCE, opening.join_all())
        .await
        .expect("every reader logged in");
    let before = server.rss_bytes();
    let page = body::MessageList {
        conversation: "GROUPstalled",
        before_seq: 0,
        count: 20,
    };
    let flood: Vec<u8> = (0..REQUESTS)
        .flat_map(|id| frame(kind::MESSAGE_LIST, &(id + 2, page)))
        .collect();
    // Written by every reader at once; a reader whose socket fills (the
    // server stopped reading it) stops writing too.
    let mut writing = tokio::task::JoinSet::new();
    for mut reader in readers.drain(..) {
        let flood = flood.clone();
        writing.spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), reader.write_all(&flood)).await;
            reader
        });
    }
    let mut highest = before;
    for _ in 0..SAMPLES {
        tokio::time::sleep(SAMPLE).await;
        highest = highest.max(server.rss_bytes());
    }
    let readers = writing.join_all().await;
    drop(readers);
    highest.saturating_sub(before) as f64 / n as f64
}
