#![cfg(feature = "full")]
//! The upload service's calls, scripted against the core: a ticket's
//! request and its answer, a download URL's, and what never leaves the
//! client.

mod util;

use tinyim_core::wire::kind;
use tinyim_core::wire::media::{
    DownloadRequest, DownloadUrl, MediaKind, UploadRequest, UploadTicket,
};
use tinyim_core::wire::records;
use tinyim_core::wire::user::UserRecord;
use tinyim_core::CommandError;
use util::*;

fn request<'a>(size: u64, name: &'a str, sha256: &'a str) -> UploadRequest<'a> {
    UploadRequest {
        kind: MediaKind::Video,
        size,
        name,
        sha256,
    }
}

#[test]
fn a_ticket_is_asked_for_and_its_answer_reaches_the_application() {
    let mut h = Harness::logged_in();
    let sha = "ab".repeat(32);
    let asked = request(10, "clip.mp4", &sha);
    let id = h.client.upload_ticket(h.now, &asked).unwrap();
    let (wire_id, payload) = h.sent_request(kind::UPLOAD_TICKET);
    let sent: UploadRequest<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!(sent, asked);
    let ticket = UploadTicket {
        uuid: "0123456789abcdef0123456789abcdef",
        upload_url: "http://h/uploads/x",
        download_url: "http://h/media/x",
        large_url: "",
        thumbnail_url: "",
        expires_at_ms: 9,
    };
    h.client.handle_input(
        h.now,
        &records_frame(wire_id, &[UserRecord::Upload(ticket)]),
    );
    let seen = h.call_answer(id);
    assert!(seen[0].contains("http://h/uploads/x"), "{seen:?}");

    let id = h.client.download_url(h.now, "GROUPg1", 7).unwrap();
    let (wire_id, payload) = h.sent_request(kind::DOWNLOAD_URL);
    let sent: DownloadRequest<'_> = records::decode_exact(&payload).unwrap();
    assert_eq!((sent.conversation, sent.seq), ("GROUPg1", 7));
    let url = DownloadUrl {
        uuid: ticket.uuid,
        url: "http://h/media/x?sig=1",
        large_url: "",
        thumbnail_url: "",
        expires_at_ms: 9,
    };
    h.client
        .handle_input(h.now, &records_frame(wire_id, &[UserRecord::Download(url)]));
    assert!(h.call_answer(id)[0].contains("sig=1"));
}

#[test]
fn malformed_requests_never_leave_the_client() {
    let mut h = Harness::logged_in();
    let sha = "ab".repeat(32);
    let upper = "AB".repeat(32);
    let long = "n".repeat(257);
    for bad in [
        request(0, "a", &sha),
        request(1, "", &sha),
        request(1, &long, &sha),
        request(1, "a", "AB"),
        request(1, "a", &upper),
    ] {
        assert_eq!(
            h.client.upload_ticket(h.now, &bad),
            Err(CommandError::InvalidParameter),
            "{bad:?}"
        );
    }
    assert_eq!(
        h.client.download_url(h.now, "nope", 1),
        Err(CommandError::InvalidId)
    );
    assert!(h.sent().is_empty());
}
