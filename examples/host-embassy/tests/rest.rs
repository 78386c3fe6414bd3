//! A message an application backend sends through the REST API reaches a
//! device through the embassy adapter.

mod common;

use std::io::{Read, Write};

use common::{next, sig, start_server_with_rest, with_device, APP_ID};
use tinyim_core::wire::group::NoticeOp;
use tinyim_embassy::OwnedEvent;

/// `body` posted to the REST API's `call` (`service/command`) as the
/// administrator: the answer.
fn post(http: &str, call: &str, body: &str) -> String {
    let path = format!(
        "/v4/{call}?sdkappid={APP_ID}&identifier=administrator&usersig={}&random=1&contenttype=json",
        sig("administrator")
    );
    let mut stream = std::net::TcpStream::connect(http).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {http}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.contains(r#""ActionStatus":"OK""#),
        "{call}: {answer}"
    );
    answer
}

/// [`post`] from a thread of its own, as the device's runner shares this one.
async fn call_api(http: &str, call: &'static str, body: &'static str) {
    let http = http.to_owned();
    tokio::task::spawn_blocking(move || post(&http, call, body))
        .await
        .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_message_from_the_backend_reaches_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, http) = start_server_with_rest(dir.path()).await;
    with_device(&addr, 11, async |device, events| {
        device.login("device-1", &sig("device-1")).await.unwrap();
        let body = r#"{"From_Account": "backend-bot", "To_Account": "device-1", "MsgRandom": 5, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "from the backend"}}]}"#;
        call_api(&http, "openim/sendmsg", body).await;
        let received = next(events, |e| match e {
            OwnedEvent::MessageReceived(m) => Some(m),
            _ => None,
        })
        .await;
        assert_eq!(
            (received.from.as_str(), received.text.as_str(), received.seq),
            ("backend-bot", "from the backend", 1)
        );

        // A group made through the API: the device is told, lists it, and
        // hears the tip of a member added through the API after.
        let group = r#"{"Owner_Account": "backend-bot", "Type": "Public", "Name": "fleet", "GroupId": "fleet", "MemberList": [{"Member_Account": "device-1"}]}"#;
        call_api(&http, "group_open_http_svc/create_group", group).await;
        let notice = next(events, |e| match e {
            OwnedEvent::GroupSystemNotice(n) => Some(n),
            _ => None,
        })
        .await;
        assert_eq!((notice.op, notice.group_id.as_str()), (NoticeOp::Invited, "fleet"));
        let listed = device.group_at(0).await.unwrap().expect("the group is listed");
        assert_eq!(listed.group.id(), "fleet");
        let add = r#"{"GroupId": "fleet", "MemberList": [{"Member_Account": "device-2"}]}"#;
        call_api(&http, "group_open_http_svc/add_group_member", add).await;
        let tip = next(events, |e| match e {
            OwnedEvent::MessageReceived(m) if m.conversation.as_str() == "GROUPfleet" => Some(m),
            _ => None,
        })
        .await;
        assert_eq!(tip.from.as_str(), "@TIM#SYSTEM", "a tip, from the server");
    })
    .await;
}
