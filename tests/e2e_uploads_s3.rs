//! End to end: the upload service keeping complete uploads in S3-compatible
//! object storage (`--upload-store s3://BUCKET`), against a real one on
//! 127.0.0.1 (moto's server): an image and its variants land in the
//! bucket, not in the upload directory, and read back whole and by range;
//! a resumed upload asks the bucket whether it is complete.

mod common;

use common::*;
use tinyim_core::ConversationType;
use tinyim_tokio::{MediaKind, Payload, UploadFile};

#[tokio::test(flavor = "multi_thread")]
async fn uploads_live_in_the_bucket_and_read_back_by_range() {
    let s3 = s3::S3::start("tinyim-media");
    let dir = tempfile::tempdir().unwrap();
    let uploads = dir.path().join("staging");
    let uploads_arg = uploads.display().to_string();
    let flags = [
        "--http-listen",
        "127.0.0.1:0",
        "--uploads",
        &uploads_arg,
        "--upload-store",
        "s3://tinyim-media",
        "--s3-endpoint",
        &s3.endpoint,
    ];
    let credentials = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let server = ServerProcess::start_with_env(
        &dir.path().join("tinyim.db"),
        "127.0.0.1:0",
        &flags,
        &credentials,
    );
    let (alice, _) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;

    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(800, 400, |x, _| image::Rgb([(x % 256) as u8, 9, 9]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let bytes = png.into_inner();
    let photo = UploadFile {
        name: "wide.png".into(),
        bytes: bytes.clone(),
    };
    let sent = alice
        .send_image(ConversationType::C2c, "bob", &photo, 0, 0)
        .await
        .expect("uploaded to the bucket and sent");
    let m = next_message(&mut bob_events).await;
    let Payload::Image {
        thumbnail, uuid, ..
    } = &m.payload
    else {
        panic!("an image: {:?}", m.payload)
    };
    assert_eq!((thumbnail.width, thumbnail.height), (198, 99));
    // Staged only: nothing of it stays in the upload directory.
    let left: Vec<_> = std::fs::read_dir(&uploads).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");

    let fresh = bob.download_url("C2Calice", sent.seq).await.unwrap();
    assert_eq!(&fresh.uuid, uuid);
    let whole = http_call("GET", &fresh.url, &[], &[], None);
    assert_eq!(whole.status, 200);
    assert!(
        whole.body == bytes,
        "the bytes as uploaded, from the bucket"
    );
    let part = http_call("GET", &fresh.url, &[("Range", "bytes=1-3")], &[], None);
    assert_eq!((part.status, part.body.as_slice()), (206, &bytes[1..4]));
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 1-3/{}", bytes.len()).as_str())
    );
    let past = http_call("GET", &fresh.url, &[("Range", "bytes=999999-")], &[], None);
    assert_eq!(past.status, 416);
    let thumb = http_call("GET", &fresh.thumbnail_url, &[], &[], None);
    assert_eq!(image::load_from_memory(&thumb.body).unwrap().width(), 198);

    // The ticket's URL knows the upload is complete: the bucket holds it.
    let ticket = alice
        .upload_ticket(MediaKind::File, 3, "again.txt", &sha256_hex(b"abc"))
        .await
        .unwrap();
    let at = 0.to_string();
    let done = http_call(
        "PUT",
        &ticket.upload_url,
        &[("Upload-Offset", &at)],
        b"abc",
        None,
    );
    assert_eq!(done.status, 201);
    let head = http_call("HEAD", &ticket.upload_url, &[], &[], None);
    assert_eq!(head.header("upload-offset"), Some("3"));
    assert_eq!(
        http_call("GET", &ticket.download_url, &[], &[], None).body,
        b"abc"
    );
}
