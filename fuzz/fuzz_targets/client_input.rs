//! A logged-in client fed arbitrary server bytes in arbitrary chunks: no
//! panic, no hang, and the API keeps answering.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyim_core::time::Instant;
use tinyim_core::wire::{self, body, kind, records};
use tinyim_core::{Client, Config, DeviceResources};

fn drain(client: &mut Client<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    while let Some(n) = client.poll_transmit(&mut buf) {
        out.extend_from_slice(&buf[..n]);
    }
    while client.poll_event().is_some() {}
    out
}

fuzz_target!(|data: &[u8]| {
    let mut resources = Box::new(DeviceResources::new());
    let mut client = Client::new(&Config::default(), &mut resources, Instant::ZERO, 1);
    let now = Instant::from_millis(1);
    client.login(now, "alice", "sig").unwrap();
    assert!(client.poll_connect(now));
    client.connection_opened(now);
    drain(&mut client);
    let ack = body::HelloAck {
        version: wire::PROTOCOL_VERSION,
        max_frame: 16 * 1024,
        server_time_ms: 0,
        heartbeat_ms: 1000,
    };
    let mut buf = [0u8; 64];
    let n = wire::encode_frame(kind::HELLO_ACK, &ack, &mut buf).unwrap();
    client.handle_input(now, &buf[..n]);
    let sent = drain(&mut client);
    let Ok(Some((login, _))) = wire::parse_frame(&sent, 4096) else {
        return;
    };
    let Ok((id, _)) = records::take::<u32>(login.body) else {
        return;
    };
    let n = wire::encode_frame(
        kind::RESPONSE_OK,
        &(
            id,
            body::LoginOk {
                sig_expires_at: 0,
                resume: &[],
            },
        ),
        &mut buf,
    )
    .unwrap();
    client.handle_input(now, &buf[..n]);
    drain(&mut client);

    // The first byte picks the chunk size; the rest is the server's stream.
    let Some((&chunk, mut rest)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let mut t = 1;
    while !rest.is_empty() {
        let n = chunk.min(rest.len());
        let taken = client.handle_input(Instant::from_millis(t), &rest[..n]);
        drain(&mut client);
        let taken = if taken == 0 {
            client.handle_input(Instant::from_millis(t), &rest[..n])
        } else {
            taken
        };
        drain(&mut client);
        if taken == 0 && client.poll_close() {
            break;
        }
        rest = &rest[taken.max(1).min(rest.len())..];
        t += 10;
        client.handle_timeout(Instant::from_millis(t));
    }
    let _ = client.poll_close();
    let _ = client.poll_timeout();
});
