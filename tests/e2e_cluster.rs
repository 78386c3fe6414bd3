//! A cluster: several real server nodes on one real PostgreSQL database,
//! telling each other's sessions through a real NATS server, with clients
//! spread over the nodes. A client sees what it would see on one server.

mod common;

use common::nats::Nats;
use common::*;
use tinyim_core::model::ConversationType;
use tinyim_core::wire::code;
use tinyim_tokio::{GroupOptions, GroupType, KickReason, Outgoing, StatusType, TimEvent};

/// `n` nodes sharing a fresh database and `nats`.
fn nodes(n: usize, nats: &Nats) -> (Vec<ServerProcess>, tempfile::TempDir) {
    nodes_on(postgres::instance(), n, nats)
}

/// `n` nodes sharing a fresh database of `pg` and `nats`.
fn nodes_on(
    pg: &postgres::Postgres,
    n: usize,
    nats: &Nats,
) -> (Vec<ServerProcess>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = pg.fresh_database();
    let nodes = (0..n)
        .map(|i| node(&store, nats, &dir.path().join(format!("node{i}.db"))))
        .collect();
    (nodes, dir)
}

/// A node on the database `store` and `nats`.
fn node(store: &str, nats: &Nats, data: &std::path::Path) -> ServerProcess {
    ServerProcess::start_with(
        data,
        "127.0.0.1:0",
        &[
            "--rate",
            "5000",
            "--group-rate",
            "100000",
            "--store",
            store,
            "--cluster",
            &nats.url(),
        ],
    )
}

#[tokio::test]
async fn a_chat_across_two_nodes_arrives_live_in_order() {
    let nats = Nats::start();
    let (nodes, _dir) = nodes(2, &nats);
    let (alice, mut alice_events) = client(&nodes[0].addr, "alice").await;
    let (bob, mut bob_events) = client(&nodes[1].addr, "bob").await;
    for i in 0..20 {
        alice.send_text("bob", &format!("a{i}")).await.unwrap();
    }
    let got = receive_in(&mut bob_events, "C2Calice", 20).await;
    let texts: Vec<String> = got
        .iter()
        .map(|m| m.payload.text().unwrap().to_owned())
        .collect();
    assert_eq!(texts, (0..20).map(|i| format!("a{i}")).collect::<Vec<_>>());
    assert_eq!(
        got.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    bob.send_text("alice", "back").await.unwrap();
    let reply = receive_in(&mut alice_events, "C2Cbob", 1).await;
    assert_eq!((reply[0].payload.text(), reply[0].seq), (Some("back"), 21));
}

#[tokio::test]
async fn senders_on_three_nodes_into_one_group_reach_every_member_once_in_order() {
    const EACH: usize = 30;
    let nats = Nats::start();
    let (nodes, _dir) = nodes(3, &nats);
    let users = ["ann", "ben", "cat"];
    let mut sessions = Vec::new();
    for (user, node) in users.iter().zip(&nodes) {
        sessions.push(client(&node.addr, user).await);
    }
    let mut options = GroupOptions::new(GroupType::Work, "crew");
    options.group_id = Some("crew".into());
    options.members = vec!["ben".into(), "cat".into()];
    sessions[0].0.create_group(options).await.unwrap();
    let senders: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(i, (tim, _))| {
            let tim = tim.clone();
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for n in 0..EACH {
                    let text = Outgoing::text(ConversationType::Group, "crew", &format!("{i}-{n}"));
                    seqs.push(tim.send(text).await.unwrap().seq);
                }
                seqs
            })
        })
        .collect();
    let mut acked = Vec::new();
    for sender in senders {
        acked.extend(sender.await.unwrap());
    }
    acked.sort();
    let first = acked[0];
    assert_eq!(
        acked,
        (first..first + 3 * EACH as u64).collect::<Vec<_>>(),
        "one seq each, no gap, though three nodes wrote at once"
    );
    for (user, (_, events)) in users.iter().zip(sessions.iter_mut()) {
        // A sender's own messages come back as answers, not as received.
        let mut seqs = Vec::new();
        while seqs.len() < 2 * EACH {
            for m in receive_in(events, "GROUPcrew", 1).await {
                if m.payload.text().is_some() {
                    seqs.push(m.seq);
                }
            }
        }
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{user}: each once, in seq order: {seqs:?}"
        );
    }
}

#[tokio::test]
async fn a_login_on_another_node_ends_the_session_of_the_same_device_class() {
    let nats = Nats::start();
    let (nodes, _dir) = nodes(2, &nats);
    let (_first, mut first_events) = client(&nodes[0].addr, "dora").await;
    let (_second, _second_events) = client(&nodes[1].addr, "dora").await;
    let kicked = wait_for(&mut first_events, |e| matches!(e, TimEvent::KickedOut(_))).await;
    assert_eq!(kicked, TimEvent::KickedOut(KickReason::MultiDevice));
}

/// Sends `texts` one after the other from a task; resolves to their seqs.
fn send_all(
    tim: &tinyim_tokio::Tim,
    to: &'static str,
    texts: Vec<String>,
) -> tokio::task::JoinHandle<Vec<u64>> {
    let tim = tim.clone();
    tokio::spawn(async move {
        let mut seqs = Vec::new();
        for text in texts {
            seqs.push(tim.send_text(to, &text).await.unwrap().seq);
        }
        seqs
    })
}

#[tokio::test]
async fn a_node_killed_under_traffic_its_clients_move_on_and_nothing_is_lost_or_repeated() {
    const EACH: usize = 60;
    let nats = Nats::start();
    let (mut nodes, _dir) = nodes(2, &nats);
    let doomed = nodes.remove(0);
    // Bob knows both nodes and is on the first; Alice is on the second.
    let both = format!("{},{}", doomed.addr, nodes[0].addr);
    let (bob, mut bob_events) = client(&both, "bob").await;
    let (alice, mut alice_events) = client(&nodes[0].addr, "alice").await;
    let from_alice = send_all(&alice, "bob", texts_of("a", EACH));
    let from_bob = send_all(&bob, "alice", texts_of("b", EACH));
    let mut bob_got = receive_in(&mut bob_events, "C2Calice", EACH / 3).await;
    doomed.kill();
    let alice_acked = from_alice.await.unwrap();
    let bob_acked = from_bob.await.unwrap();
    let mut every_seq: Vec<u64> = alice_acked.iter().chain(&bob_acked).copied().collect();
    every_seq.sort();
    assert_eq!(
        every_seq,
        (1..=2 * EACH as u64).collect::<Vec<_>>(),
        "every acknowledged message has its own seq"
    );
    while bob_got.len() < EACH {
        bob_got.extend(receive_in(&mut bob_events, "C2Calice", 1).await);
    }
    let alice_got = receive_in(&mut alice_events, "C2Cbob", EACH).await;
    for (who, got, sent_by, acked) in [
        ("bob", bob_got, "a", &alice_acked),
        ("alice", alice_got, "b", &bob_acked),
    ] {
        let texts: Vec<&str> = got.iter().filter_map(|m| m.payload.text()).collect();
        assert_eq!(texts, texts_of(sent_by, EACH), "{who}: each once, in order");
        let seqs: Vec<u64> = got.iter().map(|m| m.seq).collect();
        assert_eq!(&seqs, acked, "{who}: at the seqs their sender was given");
    }
}

fn texts_of(who: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{who}{i}")).collect()
}

#[tokio::test]
async fn messages_sent_while_nats_is_down_arrive_once_it_is_back() {
    let nats = Nats::start();
    let port = nats.port();
    let (nodes, _dir) = nodes(2, &nats);
    let (alice, _alice_events) = client(&nodes[0].addr, "alice").await;
    let (_bob, mut bob_events) = client(&nodes[1].addr, "bob").await;
    alice.send_text("bob", "before").await.unwrap();
    assert_eq!(receive_in(&mut bob_events, "C2Calice", 1).await[0].seq, 1);

    nats.stop();
    // Stored and acknowledged by the first node; nothing carries it to
    // Bob's node live.
    for i in 0..5 {
        alice
            .send_text("bob", &format!("while down {i}"))
            .await
            .unwrap();
    }
    let _nats = Nats::start_on(port);
    // The nodes reconnect to NATS and ask their clients to reconnect; Bob's
    // sync brings what he missed, each once and in order.
    let got = receive_in(&mut bob_events, "C2Calice", 5).await;
    let texts: Vec<&str> = got.iter().filter_map(|m| m.payload.text()).collect();
    assert_eq!(texts, texts_of("while down ", 5));
    assert_eq!(
        got.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn postgresql_restarted_under_traffic_the_nodes_recover_and_lose_nothing() {
    const TOTAL: usize = 60;
    let pg = postgres::own();
    let nats = Nats::start();
    let (nodes, _dir) = nodes_on(&pg, 2, &nats);
    let (alice, _alice_events) = client(&nodes[0].addr, "alice").await;
    let (_bob, mut bob_events) = client(&nodes[1].addr, "bob").await;
    let sender = send_all(&alice, "bob", texts_of("m", TOTAL));
    let mut got = receive_in(&mut bob_events, "C2Calice", TOTAL / 3).await;
    // While the database is down the nodes refuse what they cannot store
    // with 9010 (a batch cut short by the outage closes its connections
    // instead: nothing of it was acknowledged); the clients send again by
    // themselves, and the nodes reconnect to the database once it is back.
    tokio::task::block_in_place(|| {
        pg.stop();
        assert_eq!(login_refusal(&nodes[1].addr), code::UNAVAILABLE);
        pg.start_again();
    });
    let acked = sender.await.unwrap();
    assert_eq!(acked, (1..=TOTAL as u64).collect::<Vec<_>>());
    while got.len() < TOTAL {
        got.extend(receive_in(&mut bob_events, "C2Calice", 1).await);
    }
    let texts: Vec<&str> = got.iter().filter_map(|m| m.payload.text()).collect();
    assert_eq!(texts, texts_of("m", TOTAL), "each once, in order");
}

/// The code a fresh connection's login gets from the node at `addr`
/// (connections the node closes instead, as a batch cut short does, are
/// tried again).
fn login_refusal(addr: &str) -> u32 {
    use tinyim_core::wire::{body, kind, records};
    for _ in 0..10 {
        let mut raw = RawConn::connect(addr);
        raw.hello();
        let user_sig = sig("carol");
        let login = body::Login {
            user_id: "carol",
            credential: body::Credential::UserSig(&user_sig),
        };
        raw.send(kind::LOGIN, &(1u32, login));
        while let Some((k, answer)) = raw.recv() {
            if k == kind::RESPONSE_ERR {
                let (_, error) = records::take::<u32>(&answer).unwrap();
                let error: body::ErrorBody<'_> = records::decode_exact(error).unwrap();
                return error.code;
            }
            assert_ne!(k, kind::RESPONSE_OK, "a login with the database down");
        }
    }
    panic!("every connection closed unanswered");
}

#[tokio::test]
async fn a_node_killed_under_group_traffic_loses_and_repeats_nothing() {
    const EACH: usize = 40;
    let nats = Nats::start();
    let (mut nodes, _dir) = nodes(3, &nats);
    let doomed = nodes.remove(0);
    // Ann knows every node and is on the doomed one; Ben and Cat are on
    // the other two.
    let every = format!("{},{},{}", doomed.addr, nodes[0].addr, nodes[1].addr);
    let (ann, _ann_events) = client(&every, "ann").await;
    let (ben, mut ben_events) = client(&nodes[0].addr, "ben").await;
    let (_cat, mut cat_events) = client(&nodes[1].addr, "cat").await;
    let mut options = GroupOptions::new(GroupType::Work, "crew");
    options.group_id = Some("crew".into());
    options.members = vec!["ben".into(), "cat".into()];
    ann.create_group(options).await.unwrap();
    let to_group = |tim: &tinyim_tokio::Tim, who: &'static str| {
        let tim = tim.clone();
        tokio::spawn(async move {
            let mut seqs = Vec::new();
            for text in texts_of(who, EACH) {
                let message = Outgoing::text(ConversationType::Group, "crew", &text);
                seqs.push(tim.send(message).await.unwrap().seq);
            }
            seqs
        })
    };
    let from_ann = to_group(&ann, "ann");
    let from_ben = to_group(&ben, "ben");
    let texts = |got: &[tinyim_tokio::Message]| -> Vec<String> {
        got.iter()
            .filter_map(|m| m.payload.text().map(str::to_owned))
            .collect()
    };
    let mut cat_got = Vec::new();
    while texts(&cat_got).len() < EACH / 2 {
        cat_got.extend(receive_in(&mut cat_events, "GROUPcrew", 1).await);
    }
    doomed.kill();
    let ann_acked = from_ann.await.unwrap();
    let ben_acked = from_ben.await.unwrap();
    let mut acked: Vec<u64> = ann_acked.iter().chain(&ben_acked).copied().collect();
    acked.sort();
    let first = acked[0];
    assert_eq!(
        acked,
        (first..first + 2 * EACH as u64).collect::<Vec<_>>(),
        "one seq each, no gap"
    );
    while texts(&cat_got).len() < 2 * EACH {
        cat_got.extend(receive_in(&mut cat_events, "GROUPcrew", 1).await);
    }
    let mut ben_got = Vec::new();
    while texts(&ben_got).len() < EACH {
        ben_got.extend(receive_in(&mut ben_events, "GROUPcrew", 1).await);
    }
    for (who, got, expected) in [("cat", &cat_got, 2 * EACH), ("ben", &ben_got, EACH)] {
        let seqs: Vec<u64> = got
            .iter()
            .filter(|m| m.payload.text().is_some())
            .map(|m| m.seq)
            .collect();
        assert_eq!(seqs.len(), expected, "{who}: every message");
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{who}: each once, in seq order: {seqs:?}"
        );
    }
    let from_ann_at_ben: Vec<String> = texts(&ben_got);
    assert_eq!(
        from_ann_at_ben,
        texts_of("ann", EACH),
        "ben: ann's, in order"
    );
}

#[tokio::test]
async fn an_avchatroom_broadcast_reaches_members_on_every_node() {
    let nats = Nats::start();
    let (nodes, _dir) = nodes(3, &nats);
    let (host, _host_events) = client(&nodes[0].addr, "host").await;
    let mut audience = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let (tim, events) = client(&node.addr, &format!("viewer{i}")).await;
        audience.push((tim, events));
    }
    let mut options = GroupOptions::new(GroupType::AvChatRoom, "live");
    options.group_id = Some("live".into());
    let id = host.create_group(options).await.unwrap();
    for (tim, _) in &audience {
        tim.join_group(&id, "").await.unwrap();
    }
    // Exact once each node has heard of the others' logins (relayed within
    // milliseconds of them).
    until(|| async { host.group_online_member_count(&id).await.unwrap() == 4 }).await;
    let sent = host.send_group_text(&id, "on air").await.unwrap();
    assert_eq!(sent.seq, 0, "an AVChatRoom stores nothing");
    for (_, events) in audience.iter_mut() {
        // Tips of the others' joins may come first.
        wait_for(events, |e| {
            matches!(e, TimEvent::MessageReceived(m)
                if m.conversation_id == "GROUPlive" && m.payload.text() == Some("on air"))
        })
        .await;
    }
}

/// Waits until `holds` (what other nodes have relayed has arrived),
/// failing after [`PATIENCE`].
async fn until<F: std::future::Future<Output = bool>>(mut holds: impl FnMut() -> F) {
    tokio::time::timeout(PATIENCE, async {
        while !holds().await {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("never held");
}

#[tokio::test]
async fn a_users_status_is_the_same_on_every_node_and_a_killed_nodes_users_go_offline() {
    let nats = Nats::start();
    let (mut nodes, _dir) = nodes(2, &nats);
    let doomed = nodes.remove(0);
    let (alice, mut alice_events) = client(&nodes[0].addr, "alice").await;
    alice.subscribe_user_status(&["bob"]).await.unwrap();
    let (bob, _bob_events) = client(&doomed.addr, "bob").await;
    let online = wait_for(
        &mut alice_events,
        |e| matches!(e, TimEvent::UserStatusUpdated(s) if s.user_id == "bob"),
    )
    .await;
    assert!(
        matches!(&online, TimEvent::UserStatusUpdated(s) if s.status_type == StatusType::Online),
        "bob's login on the other node"
    );
    bob.set_self_status("on call").await.unwrap();
    wait_for(
        &mut alice_events,
        |e| matches!(e, TimEvent::UserStatusUpdated(s) if s.custom_status == "on call"),
    )
    .await;
    let status = alice.user_status(&["bob"]).await.unwrap();
    assert_eq!(
        (status[0].status_type, status[0].custom_status.as_str()),
        (StatusType::Online, "on call")
    );

    let killed = std::time::Instant::now();
    doomed.kill();
    let offline = wait_for(
        &mut alice_events,
        |e| matches!(e, TimEvent::UserStatusUpdated(s) if s.user_id == "bob"),
    )
    .await;
    assert!(
        matches!(&offline, TimEvent::UserStatusUpdated(s) if s.status_type == StatusType::Offline),
        "{offline:?}"
    );
    // Within the silence a node is allowed, with slack for a loaded machine.
    let deadline = std::time::Duration::from_millis(tinyim_server::engine::NODE_SILENCE_MS + 5_000);
    assert!(
        killed.elapsed() < deadline,
        "offline after {:?}",
        killed.elapsed()
    );
}

#[tokio::test]
async fn a_node_that_joins_later_learns_who_is_online_at_the_others() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let store = postgres::instance().fresh_database();
    let first = node(&store, &nats, &dir.path().join("first.db"));
    let (_bob, _bob_events) = client(&first.addr, "bob").await;
    let late = node(&store, &nats, &dir.path().join("late.db"));
    let (alice, _alice_events) = client(&late.addr, "alice").await;
    // The late node asks the other for its whole list when it first hears
    // from it (within a second).
    until(|| async {
        alice.user_status(&["bob"]).await.unwrap()[0].status_type == StatusType::Online
    })
    .await;
    let (carol, _carol_events) = client(&first.addr, "carol").await;
    until(|| async {
        carol.user_status(&["alice"]).await.unwrap()[0].status_type == StatusType::Online
    })
    .await;
}

#[tokio::test]
async fn garbage_on_the_relay_subject_is_dropped_and_the_nodes_serve_on() {
    let nats = Nats::start();
    let (nodes, _dir) = nodes(2, &nats);
    let (alice, _alice_events) = client(&nodes[0].addr, "alice").await;
    let (_bob, mut bob_events) = client(&nodes[1].addr, "bob").await;
    let publisher = async_nats::connect(nats.url()).await.unwrap();
    let subject = format!("tinyim.{APP_ID}.relay");
    for garbage in [
        Vec::new(),
        vec![0xff; 64],
        // A node id, then a relay count far past what follows.
        vec![1, 0xff, 0xff, 0xff, 0xff, 0x0f],
        vec![0; 100_000],
    ] {
        publisher
            .publish(subject.clone(), garbage.into())
            .await
            .unwrap();
    }
    publisher.flush().await.unwrap();
    alice.send_text("bob", "still here").await.unwrap();
    let got = receive_in(&mut bob_events, "C2Calice", 1).await;
    assert_eq!(got[0].payload.text(), Some("still here"));
}

#[tokio::test]
async fn nodes_reach_a_nats_that_asks_for_credentials_through_their_url() {
    let nats = Nats::start_with_credentials("tinyim", "s3cret");
    let dir = tempfile::tempdir().unwrap();
    let store = postgres::instance().fresh_database();
    let url = nats.url().replace("nats://", "nats://tinyim:s3cret@");
    let nodes: Vec<ServerProcess> = (0..2)
        .map(|i| {
            ServerProcess::start_with(
                &dir.path().join(format!("node{i}.db")),
                "127.0.0.1:0",
                &["--store", &store, "--cluster", &url],
            )
        })
        .collect();
    let (alice, _alice_events) = client(&nodes[0].addr, "alice").await;
    let (_bob, mut bob_events) = client(&nodes[1].addr, "bob").await;
    alice
        .send_text("bob", "through a locked NATS")
        .await
        .unwrap();
    let got = receive_in(&mut bob_events, "C2Calice", 1).await;
    assert_eq!(got[0].payload.text(), Some("through a locked NATS"));
}

#[test]
fn a_node_refused_by_nats_stops_with_a_message() {
    let nats = Nats::start_with_credentials("tinyim", "s3cret");
    let dir = tempfile::tempdir().unwrap();
    let store = postgres::instance().fresh_database();
    let wrong = nats.url().replace("nats://", "nats://tinyim:wrong@");
    let out = std::process::Command::new(common::server_binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--store",
            &store,
            "--cluster",
            &wrong,
        ])
        .arg("--data")
        .arg(dir.path().join("node.db"))
        .args(["--app-id", &APP_ID.to_string(), "--key", KEY])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("cannot start") && said.contains("authorization"),
        "{said}"
    );
    assert!(!said.contains("panicked"), "{said}");
}
