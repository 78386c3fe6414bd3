//! End to end: every element kind a user sends (face, location, sound,
//! video, merger, forward) with its cloud custom data, the sender's stamps
//! the server puts on each message (nickname, avatar, group name card) and
//! what a forged stamp becomes; mentions (`atUserList`,
//! `groupAtInfoList`); and the same through the REST API's Tencent
//! `MsgBody`.

mod common;

use common::*;
use serde_json::{json, Value};
use tinyim_core::wire::body::{MessageExtra, SendMessage};
use tinyim_core::wire::kind;
use tinyim_core::OutgoingMessage;
use tinyim_tokio::{
    ConversationType, GroupOptions, GroupType, MyProfileUpdate, Outgoing, Payload, TimEvent,
    VideoInfo, AT_ALL,
};

/// One test at a time (see the mentions test).
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_arrives_whole_with_its_cloud_data_and_the_senders_stamps() {
    let _alone = ALONE.lock().await;
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let nick = MyProfileUpdate {
        nick: Some("Alice A.".into()),
        ..MyProfileUpdate::default()
    };
    alice.update_my_profile(nick).await.unwrap();

    let c2c = ConversationType::C2c;
    let video = VideoInfo {
        url: "https://cdn.example/v.mp4".into(),
        size: 90_000,
        seconds: 12,
        format: "mp4".into(),
        ..VideoInfo::default()
    };
    let sends = [
        Outgoing::face(c2c, "bob", 7, "wave").with_cloud_custom_data(r#"{"reply":1}"#),
        Outgoing::location(c2c, "bob", "the quay", 4.3517, 50.8503),
        Outgoing::sound(c2c, "bob", "https://cdn.example/v.ogg", 3000, 4),
        Outgoing::video(c2c, "bob", video),
    ];
    let mut received = Vec::new();
    for send in &sends {
        alice.send(send.clone()).await.expect("sent");
        let m = next_message(&mut bob_events).await;
        assert_eq!(m.payload, send.payload);
        assert_eq!(m.cloud_custom_data, send.cloud_custom_data);
        assert_eq!(m.nick, "Alice A.", "stamped by the server");
        received.push(m);
    }

    // A merger of what bob received, to carol, and a forward of one of them.
    let (carol, mut carol_events) = client(&server.addr, "carol").await;
    let merger = Outgoing::merger(c2c, "carol", "from alice", &received[..2], "[chat]").unwrap();
    bob.send(merger.clone()).await.expect("merger sent");
    let m = next_message(&mut carol_events).await;
    let Payload::Merger(got) = &m.payload else {
        panic!("a merger: {:?}", m.payload)
    };
    assert_eq!(m.payload, merger.payload);
    assert_eq!(got.messages.len(), 2);
    assert_eq!(got.messages[0].nick, "Alice A.", "the stamps travel inside");
    assert_eq!(got.messages[0].cloud_custom_data, r#"{"reply":1}"#);
    assert_eq!(got.abstracts, "alice: [face]\nalice: [location]");
    let forward = Outgoing::forward(c2c, "carol", &received[0]);
    bob.send(forward).await.expect("forwarded");
    let m = next_message(&mut carol_events).await;
    assert_eq!((m.from.as_str(), &m.payload), ("bob", &received[0].payload));
    assert_eq!(m.cloud_custom_data, r#"{"reply":1}"#);

    // History has the same, and the conversation list shows each kind.
    let history = carol.message_list("C2Cbob", 0, 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().any(|h| h.payload == merger.payload));
    let list = carol.conversation_list().await.unwrap();
    assert_eq!(list[0].preview, "[face]");
}

#[tokio::test(flavor = "multi_thread")]
async fn stamps_are_the_servers_and_a_group_message_carries_the_name_card() {
    let _alone = ALONE.lock().await;
    let (server, _dir) = fresh_server();
    let (alice, mut alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;

    // A client that writes its own stamps: the server replaces them.
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    raw.login("mallory");
    let forged = MessageExtra::with_cloud_custom_data("kept").stamped("Alice", "https://evil", "");
    let send = SendMessage {
        conversation: "C2Cbob",
        client_msg_id: 1,
        online_only: false,
        priority: Default::default(),
        elem: OutgoingMessage::text("bob", "trust me").elem,
        extra: forged,
    };
    raw.request(kind::SEND_MESSAGE, 1, &send).expect("sent");
    let m = next_message(&mut bob_events).await;
    assert_eq!(m.from, "mallory");
    assert_eq!((m.nick.as_str(), m.avatar.as_str()), ("", ""));
    assert_eq!(m.cloud_custom_data, "kept");

    let mut options = GroupOptions::new(GroupType::Work, "team");
    options.group_id = Some("cards".into());
    options.members = vec!["bob".into()];
    alice.create_group(options).await.unwrap();
    alice
        .set_group_member_name_card("cards", "bob", "Bob from ops")
        .await
        .unwrap();
    bob.send(Outgoing::location(
        ConversationType::Group,
        "cards",
        "here",
        1.0,
        2.0,
    ))
    .await
    .unwrap();
    let m = wait_for(&mut alice_events, |e| {
        matches!(e, TimEvent::MessageReceived(m) if matches!(m.payload, Payload::Location { .. }))
    })
    .await;
    let TimEvent::MessageReceived(m) = m else {
        unreachable!()
    };
    assert_eq!(m.name_card, "Bob from ops");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rest_api_sends_and_reads_every_kind_with_its_cloud_data() {
    let _alone = ALONE.lock().await;
    let (server, _dir) = fresh_server_with_http();
    let http = server.http_addr.clone().unwrap();
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    let post = |service: &str, body: Value| -> Value { admin_call(&http, service, &body) };
    let import = json!({"UserID": "alice", "Nick": "Alice"});
    post("im_open_login_svc/account_import", import);
    let bodies = [
        json!({"MsgType": "TIMLocationElem", "MsgContent": {"Desc": "quay", "Latitude": 50.85, "Longitude": 4.35}}),
        json!({"MsgType": "TIMFaceElem", "MsgContent": {"Index": 3, "Data": "wink"}}),
        json!({"MsgType": "TIMSoundElem", "MsgContent": {"Url": "https://s/a.ogg", "UUID": "s1", "Size": 10, "Second": 2, "Download_Flag": 2}}),
        json!({"MsgType": "TIMImageElem", "MsgContent": {"UUID": "i1", "ImageFormat": 3, "ImageInfoArray": [
            {"Type": 1, "Size": 100, "Width": 40, "Height": 30, "URL": "https://i/o.png"},
            {"Type": 3, "Size": 10, "Width": 4, "Height": 3, "URL": "https://i/t.png"}]}}),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let send = json!({
            "From_Account": "alice", "To_Account": "bob", "MsgRandom": 100 + i,
            "MsgBody": [body], "CloudCustomData": format!("cc{i}"),
        });
        let answer = post("openim/sendmsg", send);
        assert_eq!(answer["ErrorCode"], 0, "{answer}");
        let m = next_message(&mut bob_events).await;
        assert_eq!(m.cloud_custom_data, format!("cc{i}"));
        assert_eq!(m.nick, "Alice");
        match (i, &m.payload) {
            (0, Payload::Location { latitude, .. }) => assert_eq!(latitude.0, 50.85),
            (1, Payload::Face { index: 3, data }) => assert_eq!(data, "wink"),
            (
                2,
                Payload::Sound {
                    seconds: 2, uuid, ..
                },
            ) => assert_eq!(uuid, "s1"),
            (
                3,
                Payload::Image {
                    original,
                    thumbnail,
                    ..
                },
            ) => assert_eq!(
                (original.width, thumbnail.url.as_str()),
                (40, "https://i/t.png")
            ),
            other => panic!("not what was sent: {other:?}"),
        }
    }
    let roam = json!({"Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 10,
        "MinTime": 0, "MaxTime": 4_000_000_000u64});
    let answer = post("openim/admin_getroammsg", roam);
    let list = answer["MsgList"].as_array().expect("messages");
    assert_eq!(list.len(), 4);
    // Newest first: the image, as Tencent writes it.
    assert_eq!(list[0]["CloudCustomData"], "cc3");
    assert_eq!(list[0]["MsgBody"][0]["MsgContent"], bodies[3]["MsgContent"]);
    assert_eq!(list[3]["MsgBody"][0], bodies[0]);
    // A relay (merger) with its messages in MsgList, as Tencent writes it.
    let relay = json!({"MsgType": "TIMRelayElem", "MsgContent": {
    "Title": "earlier", "MsgNum": 2, "CompatibleText": "[chat history]",
    "AbstractList": ["carol: hi", "dave: hello"],
    "MsgList": [
        {"From_Account": "carol", "MsgTimeStamp": 1_700_000_000, "CloudCustomData": "q",
         "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]},
        {"From_Account": "dave", "MsgTimeStamp": 1_700_000_060, "CloudCustomData": "",
         "MsgBody": [{"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1, "Data": "x"}}]},
    ]}});
    let send = json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 9,
        "MsgBody": [relay]});
    assert_eq!(post("openim/sendmsg", send)["ErrorCode"], 0);
    let m = next_message(&mut bob_events).await;
    let Payload::Merger(merger) = &m.payload else {
        panic!("a merger: {:?}", m.payload)
    };
    assert_eq!(merger.title, "earlier");
    assert_eq!(merger.abstracts, "carol: hi\ndave: hello");
    assert_eq!(merger.messages.len(), 2);
    assert_eq!(merger.messages[0].payload.text(), Some("hi"));
    assert_eq!(merger.messages[0].cloud_custom_data, "q");
    assert_eq!(merger.messages[1].time_ms, 1_700_000_060_000);
    let roam = json!({"Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 1,
        "MinTime": 0, "MaxTime": 4_000_000_000u64});
    let answer = post("openim/admin_getroammsg", roam);
    assert_eq!(
        answer["MsgList"][0]["MsgBody"][0], relay,
        "read back as written"
    );
    // A group message mentioning bob through Tencent's GroupAtInfo.
    let group = json!({"Owner_Account": "alice", "Type": "Public", "GroupId": "rest-at",
        "Name": "n", "MemberList": [{"Member_Account": "bob"}]});
    assert_eq!(
        post("group_open_http_svc/create_group", group)["ErrorCode"],
        0
    );
    let at = json!({"GroupId": "rest-at", "From_Account": "alice", "Random": 5,
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "@bob"}}],
        "GroupAtInfo": [{"GroupAtAllFlag": 0, "GroupAt_Account": "bob"}]});
    assert_eq!(
        post("group_open_http_svc/send_group_msg", at)["ErrorCode"],
        0
    );
    let m = wait_for(
        &mut bob_events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("@bob")),
    )
    .await;
    let TimEvent::MessageReceived(m) = m else {
        unreachable!()
    };
    assert_eq!(m.at_users, ["bob"]);
    let stranger = json!({"GroupId": "rest-at", "From_Account": "alice", "Random": 6,
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "@mallory"}}],
        "GroupAtInfo": [{"GroupAtAllFlag": 0, "GroupAt_Account": "mallory"}]});
    assert_ne!(
        post("group_open_http_svc/send_group_msg", stranger)["ErrorCode"],
        0
    );
    // Without its MsgList (Tencent's JsonMsgKey of a relay stored apart): refused.
    let apart = json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 10,
        "MsgBody": [{"MsgType": "TIMRelayElem", "MsgContent": {"Title": "t", "JsonMsgKey": "k"}}]});
    assert_eq!(post("openim/sendmsg", apart)["ErrorCode"], 90002);
}

#[tokio::test(flavor = "multi_thread")]
async fn mentions_reach_the_mentioned_until_read_and_bad_ones_are_refused() {
    // Alone on the suite's database: on PostgreSQL a sync round stops
    // below the oldest transaction running in the whole cluster (another
    // test's, when they run at once), and the later device below checks
    // what its first round brought.
    let _alone = ALONE.lock().await;
    let (server, _dir) = fresh_server();
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (carol, mut carol_events) = client(&server.addr, "carol").await;
    let mut options = GroupOptions::new(GroupType::Work, "team");
    options.group_id = Some("at".into());
    options.members = vec!["bob".into(), "carol".into()];
    alice.create_group(options).await.unwrap();

    let g = ConversationType::Group;
    let hello = Outgoing::text(g, "at", "@bob look").with_at_users(&["bob"]);
    alice.send(hello).await.expect("sent");
    let everyone = Outgoing::text(g, "at", "@all lunch").with_at_users(&[AT_ALL]);
    alice.send(everyone).await.expect("sent");
    for events in [&mut bob_events, &mut carol_events] {
        wait_for(
            events,
            |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some("@all lunch")),
        )
        .await;
    }
    let at_of = |list: Vec<tinyim_tokio::ConversationInfo>| {
        let c = list
            .into_iter()
            .find(|c| c.id == "GROUPat")
            .expect("listed");
        (c.group_at_info.at_me, c.group_at_info.at_all)
    };
    assert_eq!(at_of(bob.conversation_list().await.unwrap()), (true, true));
    assert_eq!(
        at_of(carol.conversation_list().await.unwrap()),
        (false, true)
    );
    // Read: the mentions are gone.
    bob.set_message_read("GROUPat").await.unwrap();
    assert_eq!(
        at_of(bob.conversation_list().await.unwrap()),
        (false, false)
    );
    // A device that logs in later learns them from the messages it fetches.
    let (carol_later, _events) = on_phone(&server.addr, "carol").await;
    assert_eq!(
        at_of(carol_later.conversation_list().await.unwrap()),
        (false, true)
    );

    // Refused: a non-member, outside a group, more than 30, no user id.
    let code_of = |e: tinyim_tokio::TimError| e.code();
    let stranger = Outgoing::text(g, "at", "hi").with_at_users(&["mallory"]);
    assert_eq!(
        alice.send(stranger).await.map_err(code_of).err(),
        Some(10004)
    );
    let c2c = Outgoing::text(ConversationType::C2c, "bob", "hi").with_at_users(&["bob"]);
    assert_eq!(alice.send(c2c).await.map_err(code_of).err(), Some(10004));
    let names: Vec<String> = (0..31).map(|i| format!("u{i}")).collect();
    let many: Vec<&str> = names.iter().map(String::as_str).collect();
    let crowd = Outgoing::text(g, "at", "hi").with_at_users(&many);
    assert_eq!(alice.send(crowd).await.map_err(code_of).err(), Some(10004));
    let bad = Outgoing::text(g, "at", "hi").with_at_users(&["not a|user"]);
    assert_eq!(alice.send(bad).await.map_err(code_of).err(), Some(10004));
}
