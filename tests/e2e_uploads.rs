//! End to end: the server's upload service. An image sent without a
//! plugin goes through a ticket and HTTP, with progress; the receiver gets
//! a fresh signed URL for it and reads it whole or by range. The raw HTTP
//! side: chunks resumed after a cut and at a wrong offset, a checksum
//! mismatch dropped, more bytes than the ticket refused, TIM's size limits
//! and the quota, a non-member refused a URL, forged and expired URLs
//! refused.

mod common;

use common::*;
use tinyim_core::wire::code;
use tinyim_core::ConversationType;
use tinyim_tokio::{
    GroupOptions, GroupType, MediaKind, Payload, TimEvent, UploadFile, UploadTicketInfo,
};

fn server_with(flags: &[&str]) -> (ServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["--http-listen", "127.0.0.1:0"];
    all.extend_from_slice(flags);
    let server = ServerProcess::start_with(&dir.path().join("tinyim.db"), "127.0.0.1:0", &all);
    (server, dir)
}

/// A PUT of `bytes` at `offset` to a ticket's URL.
fn put(ticket: &UploadTicketInfo, offset: u64, bytes: &[u8]) -> HttpAnswer {
    let at = offset.to_string();
    http_call(
        "PUT",
        &ticket.upload_url,
        &[("Upload-Offset", &at)],
        bytes,
        None,
    )
}

fn offset_of(answer: &HttpAnswer) -> u64 {
    answer
        .header("upload-offset")
        .and_then(|v| v.parse().ok())
        .expect("an Upload-Offset header")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_goes_through_the_service_and_its_receiver_reads_it() {
    let (server, _dir) = server_with(&[]);
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    // Over two chunks, so progress is told twice.
    let bytes: Vec<u8> = (0..1_500_000u32).map(|i| (i % 251) as u8).collect();
    let image = UploadFile {
        name: "cat.png".into(),
        bytes: bytes.clone(),
    };
    let sent = alice
        .send_image(ConversationType::C2c, "bob", &image, 640, 480)
        .await
        .expect("uploaded and sent");
    let mut told = Vec::new();
    while let Ok(Some(event)) =
        tokio::time::timeout(std::time::Duration::ZERO, alice_events.recv()).await
    {
        if let TimEvent::UploadProgress { sent, total, .. } = event {
            told.push((sent, total));
        }
    }
    assert_eq!(told.last(), Some(&(1_500_000, 1_500_000)), "{told:?}");
    assert!(told.len() >= 2, "a progress event per chunk: {told:?}");

    let m = next_message(&mut bob_events).await;
    let Payload::Image { uuid, original, .. } = &m.payload else {
        panic!("an image: {:?}", m.payload)
    };
    assert_eq!((original.width, original.size), (640, 1_500_000));
    assert_eq!(uuid.len(), 32, "the server's upload id");
    let fresh = bob.download_url("C2Calice", sent.seq).await.expect("a URL");
    assert_eq!(&fresh.uuid, uuid);
    let whole = http_call("GET", &fresh.url, &[], &[], None);
    assert_eq!(whole.status, 200);
    assert!(whole.body == bytes, "the bytes as uploaded");
    let part = http_call("GET", &fresh.url, &[("Range", "bytes=2-5")], &[], None);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, &bytes[2..6]);
    // The URL the message carried works for now, too.
    assert_eq!(http_call("GET", &original.url, &[], &[], None).status, 200);
    // A forged signature reads nothing; nor does a made-up path.
    let forged = format!("{}0", fresh.url);
    assert_eq!(http_call("GET", &forged, &[], &[], None).status, 403);
    let base = fresh.url.split("/media/").next().unwrap();
    let escape = format!("{base}/media/..%2F..%2Ftinyim.db?expires=99999999999999&sig=00");
    assert_eq!(http_call("GET", &escape, &[], &[], None).status, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn chunks_resume_after_a_cut_and_a_checksum_mismatch_is_dropped() {
    let (server, _dir) = server_with(&[]);
    let (alice, _) = client(&server.addr, "alice").await;
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 199) as u8).collect();
    let ticket = alice
        .upload_ticket(MediaKind::File, 10_000, "log.txt", &sha256_hex(&bytes))
        .await
        .unwrap();
    // A first chunk, then a request cut off halfway through its body.
    assert_eq!(offset_of(&put(&ticket, 0, &bytes[..4_000])), 4_000);
    let at = 4_000.to_string();
    http_call(
        "PUT",
        &ticket.upload_url,
        &[("Upload-Offset", &at)],
        &bytes[4_000..],
        Some(3_000),
    );
    let head = http_call("HEAD", &ticket.upload_url, &[], &[], None);
    let resumed = offset_of(&head);
    assert!(
        (4_000..=7_000).contains(&resumed),
        "kept what arrived: {resumed}"
    );
    // A chunk at the wrong place is told where to resume.
    let wrong = put(&ticket, 0, &bytes[..10]);
    assert_eq!((wrong.status, offset_of(&wrong)), (409, resumed));
    // More than the ticket's size is refused and changes nothing.
    let too_much = put(&ticket, resumed, &vec![0; 20_000]);
    assert_eq!(too_much.status, 413);
    let done = put(&ticket, resumed, &bytes[resumed as usize..]);
    assert_eq!((done.status, offset_of(&done)), (201, 10_000));
    let read = http_call("GET", &ticket.download_url, &[], &[], None);
    assert!(read.body == bytes);

    // Bytes that are not the ones the ticket named are dropped.
    let other = alice
        .upload_ticket(MediaKind::File, 4, "x.bin", &sha256_hex(b"abcd"))
        .await
        .unwrap();
    let refused = put(&other, 0, b"abce");
    assert_eq!(refused.status, 422);
    let said: serde_json::Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(said["code"], code::CHECKSUM_MISMATCH);
    let head = http_call("HEAD", &other.upload_url, &[], &[], None);
    assert_eq!(offset_of(&head), 0, "start again");
    assert_eq!(
        http_call("GET", &other.download_url, &[], &[], None).status,
        404,
        "nothing to read"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tims_size_limits_and_the_quota_are_kept() {
    let (server, _dir) = server_with(&["--upload-quota", "1000"]);
    let (alice, _) = client(&server.addr, "alice").await;
    let sha = sha256_hex(b"x");
    let code_of = |r: Result<UploadTicketInfo, tinyim_tokio::TimError>| r.map_err(|e| e.code());
    let mb = 1024 * 1024;
    for (kind, size, code) in [
        (MediaKind::Image, 28 * mb + 1, code::IMAGE_TOO_LARGE),
        (MediaKind::Sound, 28 * mb + 1, code::SOUND_TOO_LARGE),
        (MediaKind::Video, 100 * mb + 1, code::VIDEO_TOO_LARGE),
        (MediaKind::File, 100 * mb + 1, code::FILE_TOO_LARGE),
    ] {
        let refused = alice.upload_ticket(kind, size, "big", &sha).await;
        assert_eq!(code_of(refused).err(), Some(code), "{kind:?}");
    }
    alice
        .upload_ticket(MediaKind::File, 600, "a", &sha)
        .await
        .expect("within the quota");
    let over = alice.upload_ticket(MediaKind::File, 600, "b", &sha).await;
    assert_eq!(code_of(over).err(), Some(code::UPLOAD_QUOTA));
    let bad_sha = alice.upload_ticket(MediaKind::File, 1, "c", "XYZ").await;
    assert!(
        bad_sha.is_err(),
        "a malformed checksum never leaves the client"
    );
    // Another user has a quota of their own.
    let (bob, _) = client(&server.addr, "bob").await;
    bob.upload_ticket(MediaKind::File, 600, "b", &sha)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn only_those_who_may_read_the_message_get_a_url_and_urls_expire() {
    let (server, _dir) = server_with(&["--media-ttl-secs", "1"]);
    let (alice, _) = client(&server.addr, "alice").await;
    let (bob, _) = client(&server.addr, "bob").await;
    let (mallory, _) = client(&server.addr, "mallory").await;
    let mut options = GroupOptions::new(GroupType::Work, "team");
    options.group_id = Some("files".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    let file = UploadFile {
        name: "plan.txt".into(),
        bytes: b"the plan".to_vec(),
    };
    let sent = alice
        .send_file(ConversationType::Group, "files", &file)
        .await
        .unwrap();
    let url = bob
        .download_url("GROUPfiles", sent.seq)
        .await
        .expect("a member");
    assert_eq!(http_call("GET", &url.url, &[], &[], None).body, b"the plan");
    let outsider = mallory.download_url("GROUPfiles", sent.seq).await;
    assert_eq!(
        outsider.map_err(|e| e.code()).err(),
        Some(code::NO_PERMISSION)
    );
    let text = alice.send_text("bob", "no upload here").await.unwrap();
    let none = bob.download_url("C2Calice", text.seq).await;
    assert_eq!(
        none.map_err(|e| e.code()).err(),
        Some(code::INVALID_PARAMETER)
    );
    // The URL's second is its life here (--media-ttl-secs 1).
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(
        http_call("GET", &url.url, &[], &[], None).status,
        403,
        "expired"
    );
    let fresh = bob.download_url("GROUPfiles", sent.seq).await.unwrap();
    assert_eq!(http_call("GET", &fresh.url, &[], &[], None).status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_gets_tims_large_and_thumbnail_variants() {
    let (server, _dir) = server_with(&[]);
    let (alice, _) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(1000, 500, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
    })
    .write_to(&mut png, image::ImageFormat::Png)
    .unwrap();
    let photo = UploadFile {
        name: "wide.png".into(),
        bytes: png.into_inner(),
    };
    // Dimensions not given: the server's.
    let sent = alice
        .send_image(ConversationType::C2c, "bob", &photo, 0, 0)
        .await
        .unwrap();
    let m = next_message(&mut bob_events).await;
    let Payload::Image {
        original,
        large,
        thumbnail,
        ..
    } = &m.payload
    else {
        panic!("an image: {:?}", m.payload)
    };
    assert_eq!((original.width, original.height), (1000, 500));
    assert_eq!((large.width, large.height), (720, 360));
    assert_eq!((thumbnail.width, thumbnail.height), (198, 99));
    let fresh = bob.download_url("C2Calice", sent.seq).await.unwrap();
    let thumb = http_call("GET", &fresh.thumbnail_url, &[], &[], None);
    assert_eq!(thumb.status, 200);
    let decoded = image::load_from_memory(&thumb.body).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (198, 99));
    assert_eq!(thumb.body.len() as u32, thumbnail.size);
    let large_read = http_call("GET", &fresh.large_url, &[], &[], None);
    assert_eq!(
        image::load_from_memory(&large_read.body).unwrap().width(),
        720
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_go_over_https_when_the_server_has_a_certificate() {
    let (server, _dir, certs) = tls_server_with(&["--http-listen", "127.0.0.1:0"]);
    let connect = |user: &'static str| {
        let options = tinyim_tokio::Options {
            tls: Some(
                tinyim_tokio::Tls::with_ca_pem(certs.ca_pem.as_bytes(), "localhost").unwrap(),
            ),
            ..tinyim_tokio::Options::default()
        };
        let (tim, events) = tinyim_tokio::Tim::connect(&server.addr, options);
        async move {
            let mut events = events;
            tim.login(user, &sig(user)).await.expect("login over TLS");
            wait_for(&mut events, |e| *e == TimEvent::SyncComplete).await;
            (tim, events)
        }
    };
    let (alice, _) = connect("alice").await;
    let (bob, mut bob_events) = connect("bob").await;
    let file = UploadFile {
        name: "secret.txt".into(),
        bytes: b"over https".to_vec(),
    };
    let sent = alice
        .send_file(ConversationType::C2c, "bob", &file)
        .await
        .expect("uploaded over HTTPS with the client's own trust");
    let m = next_message(&mut bob_events).await;
    let Payload::File { url, size, .. } = &m.payload else {
        panic!("a file: {:?}", m.payload)
    };
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(*size, 10);
    let fresh = bob.download_url("C2Calice", sent.seq).await.unwrap();
    assert!(fresh.url.starts_with("https://"));
}
