//! Tencent's REST API against the real server binary, driven by Tencent's
//! own Python client (PyPI `tencentcloud-sdk-python-im`, installed by
//! `scripts/test`) for what it covers, by plain HTTP for the rest, with
//! tinyim clients on the receiving end.

mod common;

use std::process::Command;

use common::*;
use serde_json::{json, Value};
use tinyim_tokio::{KickReason, NoticeOp, Payload, TimEvent};

/// A fresh server with the REST API on a port of its own.
fn rest_server(extra: &[&str]) -> (ServerProcess, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut flags = vec!["--rate", "5000", "--http-listen", "127.0.0.1:0"];
    flags.extend_from_slice(extra);
    let server = ServerProcess::start_with(&dir.path().join("tinyim.db"), "127.0.0.1:0", &flags);
    (server, dir)
}

/// The backend: `rest/backend.py` beside this suite, over Tencent's client.
struct Backend {
    base: String,
    admin: &'static str,
    /// The CA to trust, for HTTPS.
    ca: Option<std::path::PathBuf>,
}

impl Backend {
    fn of(server: &ServerProcess) -> Backend {
        Backend {
            base: format!("http://{}/v4", server.http_addr.as_ref().unwrap()),
            admin: "administrator",
            ca: None,
        }
    }

    /// Makes `calls` (Python expressions on the client `c`) in order; their
    /// answers.
    fn call(&self, calls: &[&str]) -> Vec<Value> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/rest/backend.py");
        let mut python = Command::new("python3");
        if let Some(ca) = &self.ca {
            // What `requests` trusts instead of the system's CAs.
            python.env("REQUESTS_CA_BUNDLE", ca);
        }
        let out = python
            .arg(script)
            .args([&self.base, &APP_ID.to_string(), KEY, self.admin])
            .args(calls)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "the backend failed (scripts/test installs tencentcloud-sdk-python-im): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// One call, which must succeed.
    fn ok(&self, call: &str) -> Value {
        let answer = self.call(&[call]).remove(0);
        assert_eq!(answer["ActionStatus"], "OK", "{call}: {answer}");
        assert_eq!(answer["ErrorCode"], 0, "{call}: {answer}");
        answer
    }
}

/// Waits for a message whose text is `text`.
async fn text_from(events: &mut tinyim_tokio::EventStream, text: &str) -> tinyim_tokio::Message {
    let event = wait_for(
        events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.payload.text() == Some(text)),
    )
    .await;
    let TimEvent::MessageReceived(m) = event else {
        unreachable!()
    };
    *m
}

#[tokio::test(flavor = "multi_thread")]
async fn tencents_client_imports_accounts_and_sends_messages_that_reach_tinyim_clients() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;

    backend.ok(r#"c.add_single_user("alice", "Alice", "https://faces.example/alice.png")"#);
    let batch = backend.ok(r#"c.batch_add_users(["carol", "not,valid"])"#);
    assert_eq!(batch["FailAccounts"], json!(["not,valid"]));
    let check = backend.ok(r#"c.search_user(["alice", "carol", "bob", "zed"])"#);
    let statuses: Vec<&str> = check["ResultItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["AccountStatus"].as_str().unwrap())
        .collect();
    // bob's first login made his account, as Tencent's do.
    assert_eq!(
        statuses,
        ["Imported", "Imported", "Imported", "NotImported"]
    );
    let (_alice, _) = client(&server.addr, "alice").await;
    let nick = backend.ok(
        r#"raw("profile/portrait_get", {"To_Account": ["alice"], "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_Image"]})"#,
    );
    assert_eq!(
        nick["UserProfileItem"][0]["ProfileItem"],
        json!([
            {"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"},
            {"Tag": "Tag_Profile_IM_Image", "Value": "https://faces.example/alice.png"},
        ]),
        "the import set the profile"
    );

    // From alice to bob, and from the administrator (no From_Account).
    let sent = backend
        .ok(r#"c.send_message(MessageObj("alice", "bob", [MessageText("from the backend")]))"#);
    let m = text_from(&mut bob_events, "from the backend").await;
    assert_eq!(
        (m.from.as_str(), m.conversation_id.as_str()),
        ("alice", "C2Calice")
    );
    let key = sent["MsgKey"].as_str().unwrap();
    assert!(
        key.starts_with(&format!("{}_", m.seq)),
        "MsgKey {key} starts with the seq"
    );
    backend.ok(r#"raw("openim/sendmsg", {"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMCustomElem", "MsgContent": {"Data": "{\"order\": 7}", "Desc": "order shipped", "Ext": ""}}]})"#);
    let custom = wait_for(
        &mut bob_events,
        |e| matches!(e, TimEvent::MessageReceived(m) if m.from == "administrator"),
    )
    .await;
    let TimEvent::MessageReceived(custom) = custom else {
        unreachable!()
    };
    assert_eq!(
        custom.payload,
        Payload::Custom {
            data: r#"{"order": 7}"#.into(),
            description: "order shipped".into(),
            extension: String::new(),
        }
    );

    // A retry with the same MsgRandom and body is stored once.
    let once = r#"raw("openim/sendmsg", {"From_Account": "alice", "To_Account": "bob", "MsgRandom": 42, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "once"}}]})"#;
    let first = backend.ok(once);
    let retry = backend.ok(once);
    assert_eq!(
        first["MsgKey"], retry["MsgKey"],
        "the retry is the same message"
    );
    backend.ok(r#"raw("openim/sendmsg", {"From_Account": "alice", "To_Account": "bob", "MsgRandom": 43, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "after"}}]})"#);
    let next = text_from(&mut bob_events, "once").await;
    let after = wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReceived(_))
    })
    .await;
    let TimEvent::MessageReceived(after) = after else {
        unreachable!()
    };
    assert_eq!(
        after.payload.text(),
        Some("after"),
        "no second copy of \"once\""
    );
    assert_eq!(after.seq, next.seq + 1);

    // A batch: bob online gets it at once, carol (offline) when she logs in.
    let batch = backend.ok(r#"c.batch_send_message(BatchMessageObj("alice", ["bob", "carol"], [MessageText("to you both")]))"#);
    assert!(batch.get("ErrorList").is_none(), "{batch}");
    text_from(&mut bob_events, "to you both").await;
    let online = backend.ok(r#"c.check_user_online(["bob", "carol"])"#);
    assert_eq!(
        online["QueryResult"],
        json!([
            {"To_Account": "bob", "Status": "Online", "Detail": [{"Platform": "PC", "Status": "Online"}]},
            {"To_Account": "carol", "Status": "Offline"},
        ])
    );
    let (_carol, mut carol_events) = tinyim_tokio::Tim::connect(&server.addr, Default::default());
    _carol.login("carol", &sig("carol")).await.unwrap();
    text_from(&mut carol_events, "to you both").await;

    // Kicked through the API: KICKED_OUT on the device.
    backend.ok(r#"c.abolition_user_sig("bob")"#);
    wait_for(&mut bob_events, |e| {
        *e == TimEvent::KickedOut(KickReason::Admin)
    })
    .await;
    let deleted = backend.ok(r#"c.del_user(["carol", "nobody"])"#);
    let codes: Vec<u64> = deleted["ResultItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ResultCode"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [0, 70107]);
    wait_for(&mut carol_events, |e| {
        *e == TimEvent::KickedOut(KickReason::Admin)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_made_through_the_api_is_a_group_like_any_other() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    let (_alice, mut alice_events) = client(&server.addr, "alice").await;

    let made = backend.ok(
        r#"c.create_group(GroupObj("alice", "Public", "launch", mem_list=[GroupMemObj("bob")], group_id="launch"))"#,
    );
    assert_eq!(made["GroupId"], "launch");
    wait_for(&mut bob_events, |e| *e == TimEvent::GroupListUpdated).await;
    let groups = bob.group_list().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].group_id.as_str(), groups[0].name.as_str()),
        ("launch", "launch")
    );
    // The notice of bob's invitation, from the owner, as a client's
    // creation gives; then the tip of carol's, added through the API.
    wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReceived(m) if matches!(&m.payload, Payload::GroupSystemNotice(n) if n.op == NoticeOp::Invited && n.operator == "alice"))
    })
    .await;
    backend.ok(r#"c.add_group_member("launch", [GroupMemObj("carol")])"#);
    wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReceived(m) if m.conversation_id == "GROUPlaunch" && matches!(&m.payload, Payload::GroupTip(t) if t.users == ["carol"]))
    })
    .await;

    let joined = backend.ok(r#"c.get_joined_groups("bob")"#);
    assert_eq!(joined["TotalCount"], 1);
    assert_eq!(joined["GroupIdList"][0]["GroupId"], "launch");
    let sent = backend.ok(
        r#"c.send_group_message("launch", [MessageText("we launch today")], from_account="alice")"#,
    );
    let m = text_from(&mut bob_events, "we launch today").await;
    assert_eq!(sent["MsgSeq"], m.seq);
    assert_eq!(m.from, "alice");
    text_from(&mut alice_events, "we launch today").await;

    // Not a member: refused with the group's own code.
    let refused = backend.call(&[
        r#"c.send_group_message("launch", [MessageText("let me in")], from_account="mallory")"#,
    ]);
    assert_eq!(refused[0]["ActionStatus"], "FAIL");
    assert_eq!(refused[0]["ErrorCode"], 10007, "{}", refused[0]);

    backend.ok(r#"c.delete_group_mem("launch", ["bob"])"#);
    wait_for(&mut bob_events, |e| *e == TimEvent::GroupListUpdated).await;
    assert!(bob.group_list().await.unwrap().is_empty());
    backend.ok(r#"c.delete_group("launch")"#);
    let gone = backend.call(&[r#"c.delete_group("launch")"#]);
    assert_eq!(gone[0]["ErrorCode"], 10010);
    // Tencent's client refuses a type it does not know before sending.
    let odd = backend.call(&[r#"c.create_group(GroupObj("alice", "Secret", "x"))"#]);
    assert!(odd[0].get("client_refused").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_and_the_blocklist_over_plain_http() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (bob, _bob_events) = client(&server.addr, "bob").await;

    backend.ok(r#"raw("profile/portrait_set", {"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Al"}, {"Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Female"}, {"Tag": "Tag_Profile_IM_Level", "Value": 3}]})"#);
    let profiles = bob.user_profiles(&["alice"]).await.unwrap();
    assert_eq!(
        profiles[0].nick, "Al",
        "a tinyim client sees what the API set"
    );
    let got = backend.ok(r#"raw("profile/portrait_get", {"To_Account": ["alice"], "TagList": ["Tag_Profile_IM_Gender", "Tag_Profile_IM_Level"]})"#);
    assert_eq!(
        got["UserProfileItem"][0]["ProfileItem"],
        json!([
            {"Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Female"},
            {"Tag": "Tag_Profile_IM_Level", "Value": 3},
        ])
    );
    let bad = backend.call(&[r#"raw("profile/portrait_set", {"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": 5}]})"#]);
    assert_eq!(bad[0]["ErrorCode"], 40001, "{}", bad[0]);

    backend.ok(
        r#"raw("sns/black_list_add", {"From_Account": "alice", "To_Account": ["bob", "carol"]})"#,
    );
    let refused = bob.send_text("alice", "hello?").await.unwrap_err();
    assert_eq!(refused.code(), 20007, "alice blocked bob through the API");
    let list = backend.ok(r#"raw("sns/black_list_get", {"From_Account": "alice", "StartIndex": 0, "MaxLimited": 10, "LastSequence": 0})"#);
    let blocked: Vec<&str> = list["BlackListItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["To_Account"].as_str().unwrap())
        .collect();
    assert_eq!(blocked, ["bob", "carol"]);
    backend.ok(r#"raw("sns/black_list_add", {"From_Account": "bob", "To_Account": ["alice"]})"#);
    let check = backend.ok(r#"raw("sns/black_list_check", {"From_Account": "alice", "To_Account": ["bob", "dave"], "CheckType": "BlackCheckResult_Type_Both"})"#);
    let relations: Vec<&str> = check["BlackListCheckItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Relation"].as_str().unwrap())
        .collect();
    assert_eq!(
        relations,
        ["BlackCheckResult_Type_BothWay", "BlackCheckResult_Type_NO"]
    );
    backend.ok(r#"raw("sns/black_list_delete", {"From_Account": "alice", "To_Account": ["bob"]})"#);
    backend.ok(r#"raw("sns/black_list_delete", {"From_Account": "bob", "To_Account": ["alice"]})"#);
    bob.send_text("alice", "hello again")
        .await
        .expect("unblocked");
}

/// `path` with a query authenticating `user` with `sig` for `app_id`.
fn query(path: &str, app_id: u64, user: &str, sig: &str) -> String {
    format!("{path}?sdkappid={app_id}&identifier={user}&usersig={sig}&random=7&contenttype=json")
}

fn code_of(answer: &(u16, String)) -> u64 {
    assert_eq!(
        answer.0, 200,
        "Tencent answers errors with 200 too: {answer:?}"
    );
    let body: Value = serde_json::from_str(&answer.1).expect("a JSON answer");
    assert_eq!(body["ActionStatus"], "FAIL", "{body}");
    body["ErrorCode"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_refuses_strangers_bad_bodies_and_floods_with_tencents_codes() {
    let (server, _dir) = rest_server(&[
        "--admin",
        "administrator",
        "--admin",
        "ops",
        "--admin-rate",
        "20",
    ]);
    let http = server.http_addr.clone().unwrap();
    let check = "/v4/im_open_login_svc/account_check";
    let body = br#"{"CheckItem": [{"UserID": "alice"}]}"#;
    let admin_sig = sig("administrator");
    let post = |path: &str, body: &[u8]| http_post(&http, path, body);

    // Authentication: a second administrator works; anything else does not.
    let (status, ok) = post(&query(check, APP_ID, "ops", &sig("ops")), body);
    assert_eq!(status, 200);
    assert!(ok.contains(r#""ActionStatus":"OK""#), "{ok}");
    assert_eq!(code_of(&post(check, body)), 60002, "no query at all");
    let no_sig = format!("{check}?sdkappid={APP_ID}&identifier=administrator");
    assert_eq!(code_of(&post(&no_sig, body)), 60002, "no usersig");
    assert_eq!(
        code_of(&post(&query(check, 1, "administrator", &admin_sig), body)),
        60006
    );
    let user = query(check, APP_ID, "alice", &sig("alice"));
    assert_eq!(
        code_of(&post(&user, body)),
        60010,
        "a user's own valid UserSig"
    );
    let borrowed = query(check, APP_ID, "ops", &admin_sig);
    assert_eq!(
        code_of(&post(&borrowed, body)),
        70013,
        "another administrator's UserSig"
    );
    let stale = tinyim_server::usersig::mint(APP_ID, KEY, "administrator", 10, unix_now() - 3600);
    let stale = query(check, APP_ID, "administrator", &stale);
    assert_eq!(code_of(&post(&stale, body)), 70001, "an expired UserSig");
    let forged = query(
        check,
        APP_ID,
        "administrator",
        "eJyrVgrxCdYrzkgtUrJSMjIwMFDSAQ",
    );
    assert_ne!(code_of(&post(&forged, body)), 0);

    // Bodies and paths.
    let url = |path: &str| query(path, APP_ID, "administrator", &admin_sig);
    assert_eq!(code_of(&post(&url(check), b"{not json")), 60003);
    assert_eq!(code_of(&post(&url(check), b"")), 60003, "an empty body");
    let wrong_type = br#"{"CheckItem": "alice"}"#;
    assert_eq!(code_of(&post(&url(check), wrong_type)), 70402);
    let unknown_field = br#"{"CheckItem": [{"UserID": "alice", "Admin": true}]}"#;
    assert_eq!(code_of(&post(&url(check), unknown_field)), 70402);
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"UserID": format!("u{i}")}))
        .collect();
    let too_many = json!({"CheckItem": too_many}).to_string();
    assert_eq!(code_of(&post(&url(check), too_many.as_bytes())), 70402);
    let huge = vec![b' '; 1024 * 1024];
    assert_eq!(
        code_of(&post(&url(check), &huge)),
        60008,
        "a body over the limit"
    );
    assert_eq!(code_of(&post(&url("/v4/openim/no_such_call"), body)), 60009);
    assert_eq!(code_of(&post(&url("/v4/no_such_service/x"), body)), 60009);
    assert_eq!(code_of(&post(&url("/elsewhere"), body)), 60009);
    let get = http_get(&http, &url(check));
    assert_eq!(code_of(&get), 60002, "a GET");
    let several = br#"{"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "a"}}, {"MsgType": "TIMTextElem", "MsgContent": {"Text": "b"}}]}"#;
    assert_eq!(code_of(&post(&url("/v4/openim/sendmsg"), several)), 90002);
    let no_url = br#"{"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMSoundElem", "MsgContent": {"Second": 1}}]}"#;
    assert_eq!(code_of(&post(&url("/v4/openim/sendmsg"), no_url)), 90002);
    let relay = br#"{"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMRelayElem", "MsgContent": {"Title": "no MsgList"}}]}"#;
    assert_eq!(code_of(&post(&url("/v4/openim/sendmsg"), relay)), 90002);
    let forged_tip = br#"{"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMGroupTipElem", "MsgContent": {}}]}"#;
    assert_eq!(
        code_of(&post(&url("/v4/openim/sendmsg"), forged_tip)),
        90002
    );
    let bad_user = br#"{"To_Account": "b,o,b", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "a"}}]}"#;
    assert_eq!(code_of(&post(&url("/v4/openim/sendmsg"), bad_user)), 90001);
    let too_long = "x".repeat(13 * 1024);
    let too_long = json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": too_long}}]}).to_string();
    assert_eq!(
        code_of(&post(&url("/v4/openim/sendmsg"), too_long.as_bytes())),
        80002
    );

    // The server still serves clients and the API after all of that.
    still_chatting(&server.addr, "alice", "bob", 1).await;

    // A flood: the API's own rate (20 a second, bursts of 40) refuses
    // with 60007 past it, and the clients' service goes on.
    let codes: Vec<u64> = (0..100)
        .map(|_| {
            let (_, answer) = post(&url(check), body);
            serde_json::from_str::<Value>(&answer).unwrap()["ErrorCode"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(codes.contains(&60007), "the flood met the rate: {codes:?}");
    assert!(codes.iter().all(|c| [0, 60007].contains(c)), "{codes:?}");
    still_chatting(&server.addr, "alice", "bob", 2).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_runs_a_group_as_its_owner_would() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (bob, mut bob_events) = client(&server.addr, "bob").await;
    backend.ok(
        r#"c.create_group(GroupObj("alice", "Public", "ops", mem_list=[GroupMemObj("bob"), GroupMemObj("carol")], group_id="ops"))"#,
    );
    backend.ok(r#"c.create_group(GroupObj("alice", "AVChatRoom", "live", group_id="live"))"#);
    bob.join_group("live", "").await.unwrap();
    let online = backend.ok(r#"c.get_online_member_num("live")"#);
    assert_eq!(
        online["OnlineMemberNum"], 1,
        "bob is online, alice (the owner) is not"
    );

    backend.ok(r#"c.update_group_baseinfo("ops", group_name="renamed", notification="read me", shutUpFlag="Off")"#);
    let info = backend.ok(r#"c.get_group_detail(["ops", "nope"])"#);
    let ops = &info["GroupInfo"][0];
    assert_eq!(
        (
            &ops["Name"],
            &ops["Notification"],
            &ops["Owner_Account"],
            &ops["MemberNum"],
            &ops["Type"]
        ),
        (
            &json!("renamed"),
            &json!("read me"),
            &json!("alice"),
            &json!(3),
            &json!("Public")
        )
    );
    assert_eq!(
        info["GroupInfo"][1]["ErrorCode"], 10010,
        "a group that is not there"
    );
    let members = backend.ok(r#"c.get_group_mem_info_detail("ops")"#);
    assert_eq!(members["MemberNum"], 3);
    assert_eq!(members["MemberList"][0]["Member_Account"], "alice");
    assert_eq!(members["MemberList"][0]["Role"], "Owner");

    // Muted through the API: bob's own sends are refused until unmuted.
    backend.ok(r#"c.forbid_send_msg("ops", ["bob"], 600)"#);
    let muted = bob.send_group_text("ops", "may I?").await.unwrap_err();
    assert_eq!(muted.code(), 10017);
    let list = backend.ok(r#"c.get_group_shutup_list("ops")"#);
    assert_eq!(list["ShuttedUinList"][0]["Member_Account"], "bob");
    backend.ok(r#"c.forbid_send_msg("ops", ["bob"], 0)"#);
    let sent = bob.send_group_text("ops", "thanks").await.expect("unmuted");
    let recalled = backend.ok(&format!(
        r#"c.recall_group_message("ops", ["{}"])"#,
        sent.seq
    ));
    assert_eq!(recalled["RecallRetList"][0]["RetCode"], 0, "{recalled}");
    wait_for(
        &mut bob_events,
        |e| matches!(e, TimEvent::MessageRevoked { seq, .. } if *seq == sent.seq),
    )
    .await;

    backend.ok(r#"c.send_system_message_in_group("ops", "maintenance at five", ["bob"])"#);
    wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageReceived(m) if matches!(&m.payload, Payload::GroupSystemNotice(n) if n.op == NoticeOp::Custom && n.data == "maintenance at five"))
    })
    .await;

    backend.ok(r#"c.update_group_mem_info("ops", "carol", role_type="Admin", namecard="Caro")"#);
    let members = backend.ok(r#"c.get_group_mem_info_detail("ops")"#);
    let carol = members["MemberList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Member_Account"] == "carol")
        .unwrap();
    assert_eq!(
        (&carol["Role"], &carol["NameCard"]),
        (&json!("Admin"), &json!("Caro"))
    );

    backend.ok(r#"c.change_group_owner("ops", "bob")"#);
    let roles = backend.ok(r#"c.get_mem_role_in_group("ops", ["alice", "bob", "zed"])"#);
    let roles: Vec<&str> = roles["UserIdList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["Member", "Owner", "NotMember"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_is_served_over_https_with_the_servers_certificate() {
    let (server, dir, _certs) = tls_server_with(&["--http-listen", "127.0.0.1:0"]);
    let port = server
        .http_addr
        .as_ref()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    let backend = Backend {
        base: format!("https://localhost:{port}/v4"),
        admin: "administrator",
        ca: Some(dir.path().join("ca.pem")),
    };
    backend.ok(r#"c.add_single_user("alice", "Alice", "")"#);
    let check = backend.ok(r#"c.search_user(["alice"])"#);
    assert_eq!(check["ResultItem"][0]["AccountStatus"], "Imported");
    // Plain HTTP on the HTTPS port gets no answer in JSON, nor a hang.
    let plain = std::net::TcpStream::connect(server.http_addr.as_ref().unwrap()).unwrap();
    plain.set_read_timeout(Some(PATIENCE)).unwrap();
    let (mut r, mut w) = (&plain, &plain);
    std::io::Write::write_all(&mut w, b"POST /v4/x/y HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = std::io::Read::read_to_end(&mut r, &mut answer);
    assert!(!String::from_utf8_lossy(&answer).contains("ActionStatus"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backend_reads_history_and_unread_counts_and_marks_read() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    for text in ["m1", "m2", "m3"] {
        alice.send_text("bob", text).await.unwrap();
    }

    let unread = backend.ok(r#"c.get_unread_num("bob", ["alice", "carol"])"#);
    assert_eq!(unread["AllC2CUnreadMsgNum"], 3);
    assert_eq!(
        unread["C2CUnreadMsgNumList"],
        json!([{"Peer_Account": "alice", "C2CUnreadMsgNum": 3}, {"Peer_Account": "carol", "C2CUnreadMsgNum": 0}])
    );
    backend.ok(r#"c.set_user_message_read("bob", "alice")"#);
    let unread = backend.ok(r#"c.get_unread_num("bob")"#);
    assert_eq!(unread["AllC2CUnreadMsgNum"], 0, "read through the API");

    // Newest first, two a page, the next page from the last key.
    let page = backend.ok(r#"c.get_message_list("alice", "bob", 2, 0, 4102444800)"#);
    let texts = |page: &Value| -> Vec<String> {
        page["MsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                m["MsgBody"][0]["MsgContent"]["Text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(texts(&page), ["m3", "m2"]);
    assert_eq!((&page["Complete"], &page["MsgCnt"]), (&json!(0), &json!(2)));
    assert_eq!(page["MsgList"][0]["From_Account"], "alice");
    assert_eq!(page["MsgList"][0]["To_Account"], "bob");
    let last = page["LastMsgKey"].as_str().unwrap();
    let rest = backend.ok(&format!(
        r#"c.get_message_list("alice", "bob", 2, 0, 4102444800, "{last}")"#
    ));
    assert_eq!(texts(&rest), ["m1"]);
    assert_eq!(rest["Complete"], 1);
    let none = backend.ok(r#"c.get_message_list("alice", "bob", 10, 0, 1000)"#);
    assert_eq!(
        none["MsgCnt"], 0,
        "nothing sent before 1970's first thousand seconds"
    );

    // Withdrawn through the API: bob's device hears of it.
    let key = rest["MsgList"][0]["MsgKey"].as_str().unwrap().to_owned();
    backend.ok(&format!(r#"c.draw_message("alice", "bob", "{key}")"#));
    wait_for(&mut bob_events, |e| {
        matches!(e, TimEvent::MessageRevoked { seq: 1, .. })
    })
    .await;
    let bad_key = backend.call(&[r#"c.draw_message("alice", "bob", "x_y_z")"#]);
    assert_eq!(bad_key[0]["ErrorCode"], 90001);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backend_lists_the_apps_groups_and_reads_a_groups_history() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (alice, _alice_events) = client(&server.addr, "alice").await;
    backend.ok(r#"c.create_group(GroupObj("alice", "Public", "one", group_id="g1"))"#);
    backend.ok(r#"c.create_group(GroupObj("alice", "Private", "two", group_id="g2"))"#);
    for text in ["a", "b", "c"] {
        alice.send_group_text("g1", text).await.unwrap();
    }

    let first = backend.ok(r#"c.get_group(1, 0, "")"#);
    assert_eq!(
        (&first["TotalCount"], &first["Next"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(first["GroupIdList"], json!([{"GroupId": "g1"}]));
    let second = backend.ok(r#"c.get_group(1, 1, "")"#);
    assert_eq!(
        (&second["GroupIdList"], &second["Next"]),
        (&json!([{"GroupId": "g2"}]), &json!(0))
    );
    let private = backend.ok(r#"c.get_group(10, 0, "Private")"#);
    assert_eq!(private["GroupIdList"], json!([{"GroupId": "g2"}]));

    let history = backend.ok(r#"c.get_msg_in_group("g1", 2)"#);
    assert_eq!(history["IsFinished"], 0);
    let texts: Vec<&str> = history["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["MsgBody"][0]["MsgContent"]["Text"].as_str())
        .collect();
    assert_eq!(texts, ["c", "b"]);
    assert_eq!(history["RspMsgList"][0]["From_Account"], "alice");
}

#[tokio::test(flavor = "multi_thread")]
async fn history_imported_from_an_old_system_keeps_its_times_and_its_place() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    // 2021-01-01 and a minute later: long before anything sent now.
    let (old, later) = (1_609_459_200u64, 1_609_459_260u64);
    backend.ok(&format!(
        r#"raw("openim/importmsg", {{"SyncFromOldSystem": 2, "From_Account": "alice", "To_Account": "bob", "MsgRandom": 1, "MsgTimeStamp": {old}, "MsgBody": [{{"MsgType": "TIMTextElem", "MsgContent": {{"Text": "read long ago"}}}}]}})"#
    ));
    backend.ok(&format!(
        r#"c.import_message_to_im(MessageObj("alice", "bob", [MessageText("unread since")]), {later})"#
    ));
    let unread = backend.ok(r#"c.get_unread_num("bob", ["alice"])"#);
    assert_eq!(
        unread["AllC2CUnreadMsgNum"], 1,
        "only the one imported as unread counts"
    );
    // bob's first sync brings what is unread, with its own time.
    let (_bob, mut bob_events) = tinyim_tokio::Tim::connect(&server.addr, Default::default());
    _bob.login("bob", &sig("bob")).await.unwrap();
    let m = text_from(&mut bob_events, "unread since").await;
    assert_eq!(m.time_ms, later * 1000);
    let both = backend.ok(r#"c.get_message_list("bob", "alice", 10, 0, 4102444800)"#);
    let times: Vec<u64> = both["MsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["MsgTimeStamp"].as_u64().unwrap())
        .collect();
    assert_eq!(times, [later, old]);

    // Not pushed: an online receiver gets it in its place in the
    // conversation, ahead of the next live message, whose seq follows it.
    let (_carol, mut carol_events) = client(&server.addr, "carol").await;
    backend.ok(&format!(
        r#"c.import_message_to_im(MessageObj("alice", "carol", [MessageText("imported")]), {old})"#
    ));
    backend.ok(r#"c.send_message(MessageObj("alice", "carol", [MessageText("live")]))"#);
    let imported = text_from(&mut carol_events, "imported").await;
    let live = text_from(&mut carol_events, "live").await;
    assert_eq!((imported.seq, live.seq), (1, 2));

    backend.ok(r#"c.create_group(GroupObj("alice", "Public", "archive", group_id="archive"))"#);
    let imported = backend.ok(&format!(
        r#"c.import_message_to_group("archive", 1, [GroupMessageObj("alice", {old}, [MessageText("first")]), GroupMessageObj("carol", {later}, [MessageText("second")])])"#
    ));
    let results = imported["ImportMsgResult"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1]["MsgTime"], later);
    let history = backend.ok(r#"c.get_msg_in_group("archive", 10)"#);
    let from: Vec<&str> = history["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["MsgBody"][0]["MsgContent"]["Text"].is_string())
        .map(|m| m["From_Account"].as_str().unwrap())
        .collect();
    assert_eq!(from, ["carol", "alice"]);
    let stranger = backend.call(&[r#"raw("group_open_http_svc/import_group_msg", {"GroupId": "nowhere", "MsgList": [{"From_Account": "a", "SendTime": 1, "Random": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "x"}}]}]})"#]);
    assert_eq!(stranger[0]["ErrorCode"], 10010);
}

#[tokio::test(flavor = "multi_thread")]
async fn half_a_request_is_closed_or_refused_not_held() {
    use std::io::{Read, Write};
    let (server, _dir) = rest_server(&["--handshake-timeout-ms", "500"]);
    let http = server.http_addr.clone().unwrap();
    let started = std::time::Instant::now();

    // Half the headers, then silence: the server closes the connection.
    let mut silent = std::net::TcpStream::connect(&http).unwrap();
    silent.set_read_timeout(Some(PATIENCE)).unwrap();
    silent
        .write_all(b"POST /v4/openim/sendmsg HTTP/1.1\r\nHost: a\r\n")
        .unwrap();
    let mut rest = Vec::new();
    silent
        .read_to_end(&mut rest)
        .expect("closed, not timed out");

    // All the headers and part of the body: refused with Tencent's code.
    let path = query(
        "/v4/openim/sendmsg",
        APP_ID,
        "administrator",
        &sig("administrator"),
    );
    let mut slow = std::net::TcpStream::connect(&http).unwrap();
    slow.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        slow,
        "POST {path} HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{{\"To_"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = slow.read_to_string(&mut answer);
    assert!(answer.contains(r#""ErrorCode":60008"#), "{answer}");
    assert!(started.elapsed() < PATIENCE);

    // And the API still answers.
    let (status, body) = http_post(&http, &path, b"{}");
    assert_eq!(status, 200);
    assert!(body.contains("ActionStatus"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_other_machine_2_leaves_the_senders_own_devices_out() {
    let (server, _dir) = rest_server(&[]);
    let backend = Backend::of(&server);
    let (_alice, mut alice_events) = client(&server.addr, "alice").await;
    let (_bob, mut bob_events) = client(&server.addr, "bob").await;
    let quiet = r#"raw("openim/sendmsg", {"SyncOtherMachine": 2, "From_Account": "alice", "To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "quiet"}}]})"#;
    let echoed = r#"raw("openim/sendmsg", {"SyncOtherMachine": 1, "From_Account": "alice", "To_Account": "carol", "MsgRandom": 2, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "echoed"}}]})"#;
    backend.ok(quiet);
    text_from(&mut bob_events, "quiet").await;
    backend.ok(echoed);
    // Pushes to one connection keep their order: had "quiet" been pushed to
    // alice, it would have come first.
    let first = wait_for(&mut alice_events, |e| {
        matches!(e, TimEvent::MessageReceived(_))
    })
    .await;
    let TimEvent::MessageReceived(first) = first else {
        unreachable!()
    };
    assert_eq!(first.payload.text(), Some("echoed"));
    let odd = backend.call(&[r#"raw("openim/sendmsg", {"SyncOtherMachine": 3, "To_Account": "bob", "MsgRandom": 3, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "?"}}]})"#]);
    assert_eq!(odd[0]["ErrorCode"], 90001);
}
