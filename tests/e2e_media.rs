//! End to end: image and file messages through the upload plugin. The bytes
//! go where the plugin puts them, the message carries the URL, and the
//! recipient (online or offline) gets it; without a plugin, or when it
//! fails, nothing is sent.

mod common;

use std::sync::Arc;

use common::*;
use tinyim_core::wire::body::{MessageExtra, SendMessage, Video};
use tinyim_core::wire::{code, kind};
use tinyim_core::{ConversationType, OutgoingMessage, Priority};
use tinyim_tokio::{
    DirectoryUploader, MediaError, Payload, TimEvent, UploadError, UploadFile, UploadFuture,
    Uploader,
};

/// The bytes behind a `file://` URL.
fn fetch(url: &str) -> Vec<u8> {
    let path = url.strip_prefix("file://").expect("a file URL");
    std::fs::read(path).expect("the uploaded file exists")
}

async fn next_payload(events: &mut tinyim_tokio::EventStream) -> Payload {
    match wait_for(events, |e| matches!(e, TimEvent::MessageReceived(_))).await {
        TimEvent::MessageReceived(m) => m.payload,
        _ => unreachable!("wait_for returns what it waited for"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn images_and_files_arrive_with_urls_to_the_uploaded_bytes() {
    let (server, dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    alice.register_uploader(Arc::new(DirectoryUploader::new(dir.path().join("uploads"))));
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;

    let image = UploadFile {
        name: "cat.png".into(),
        bytes: (0..=255u8).cycle().take(5000).collect(),
    };
    let sent = alice
        .send_image(ConversationType::C2c, "bob", &image, 640, 480)
        .await
        .expect("image sent");
    assert_eq!(sent.seq, 1);
    let Payload::Image { original, .. } = next_payload(&mut bob_events).await else {
        panic!("not an image");
    };
    let size = (original.width, original.height, original.size);
    assert_eq!(size, (640, 480, 5000));
    assert_eq!(fetch(&original.url), image.bytes);

    // Offline delivery: carol gets the file when she logs in.
    let file = UploadFile {
        name: "notes 2026.txt".into(),
        bytes: b"meeting at ten".to_vec(),
    };
    alice
        .send_file(ConversationType::C2c, "carol", &file)
        .await
        .expect("file sent");
    let (carol, _carol_events) = client(&server.addr, "carol").await;
    let history = carol.message_list("C2Calice", 0, 10).await.unwrap();
    let from_history = history.into_iter().map(|m| m.payload).next();
    let Some(Payload::File {
        url, name, size, ..
    }) = from_history
    else {
        panic!("no file in carol's history");
    };
    assert_eq!((name.as_str(), size), ("notes 2026.txt", 14));
    assert_eq!(fetch(&url), file.bytes);
}

/// A plugin whose storage is down.
struct Broken;

impl Uploader for Broken {
    fn upload<'a>(&'a self, _: &'a UploadFile) -> UploadFuture<'a> {
        Box::pin(async { Err(UploadError("storage unavailable".into())) })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_working_plugin_nothing_is_sent() {
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let file = UploadFile {
        name: "a.bin".into(),
        bytes: vec![1, 2, 3],
    };
    // No plugin, and a server with no HTTP listener serves no uploads.
    let none = alice
        .send_file(ConversationType::C2c, "bob", &file)
        .await
        .unwrap_err();
    assert!(matches!(none, MediaError::Ticket(_)), "{none:?}");
    assert_eq!(none.code(), code::UNSUPPORTED);
    alice.register_uploader(Arc::new(Broken));
    let broken = alice
        .send_image(ConversationType::C2c, "bob", &file, 1, 1)
        .await
        .unwrap_err();
    assert_eq!(broken.code(), code::UPLOAD_FAILED);
    // Neither reached the server: the next message is the conversation's first.
    assert_eq!(alice.send_text("bob", "only this").await.unwrap().seq, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_media_message_without_a_url_is_refused() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    raw.login("mallory");
    let no_url = "";
    for (i, elem) in [
        OutgoingMessage::image("bob", no_url, 1, 1, 1).elem,
        OutgoingMessage::file("bob", no_url, "x", 1).elem,
        OutgoingMessage::sound("bob", no_url, 1, 1).elem,
        OutgoingMessage::video(
            "bob",
            Video {
                format: "mp4",
                ..Video::default()
            },
        )
        .elem,
    ]
    .into_iter()
    .enumerate()
    {
        let send = SendMessage {
            conversation: "C2Cbob",
            client_msg_id: 100 + i as u64,
            online_only: false,
            priority: Priority::Normal,
            elem,
            extra: MessageExtra::default(),
        };
        assert_eq!(
            raw.request(kind::SEND_MESSAGE, 10 + i as u32, &send),
            Err(code::INVALID_PARAMETER)
        );
    }
}
