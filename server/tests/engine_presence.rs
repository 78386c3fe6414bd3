//! In-process, over a real SQLite file: how a node of a cluster keeps its
//! view of another node's sessions from that node's relays: it asks a node
//! it has not heard from before for its whole list, asks again when the
//! node's digest says a relay was lost (not more often than every few
//! seconds), and takes a node silent too long for dead.

use tinyim_core::wire::body::DeviceClass;
use tinyim_core::wire::group::UserList;
use tinyim_core::wire::kind;
use tinyim_core::wire::records::{self, Records};
use tinyim_core::wire::user::{StatusType, StatusUsers, UserRecord};
use tinyim_server::engine::{AppAuth, Engine, Input, Output, Relay, NODE_SILENCE_MS};
use tinyim_server::store::SqliteStore;

const NOW_MS: u64 = 1_800_000_000_000;
const ALICE: u64 = 1;
const THIS_NODE: u64 = 1;
const OTHER: u64 = 7;

struct Node {
    engine: Engine<SqliteStore>,
    now: u64,
    request: u32,
    _dir: tempfile::TempDir,
}

impl Node {
    fn new() -> Node {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = SqliteStore::open(&dir.path().join("presence.db")).expect("store");
        let mut engine = Engine::new(store, AppAuth::new(1_400_000_000, "k"));
        engine.set_cluster_node(THIS_NODE);
        engine.open_logged_in(NOW_MS, ALICE, 16 * 1024, "alice");
        Node {
            engine,
            now: NOW_MS,
            request: 1,
            _dir: dir,
        }
    }

    /// Applies `relay` from the other node `after_ms` later; returns the
    /// nodes this one asked for their whole list.
    fn hear(&mut self, after_ms: u64, relay: Relay) -> Vec<u64> {
        self.now += after_ms;
        let outputs = self
            .engine
            .handle_batch(self.now, vec![Input::Relayed { node: OTHER, relay }]);
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::Relay(Relay::AskSessions { node }) => Some(*node),
                _ => None,
            })
            .collect()
    }

    /// Bob's status as this node's session alice reads it.
    fn bob(&mut self) -> StatusType {
        self.request += 1;
        let ask = StatusUsers {
            users: UserList("bob"),
        };
        let input = Input::request(ALICE, kind::USER_STATUS, self.request, &ask);
        let outputs = self.engine.handle_batch(self.now, vec![input]);
        let bytes = outputs
            .iter()
            .find_map(|o| match o {
                Output::Frame { conn, bytes } if *conn == ALICE => Some(bytes),
                _ => None,
            })
            .expect("an answer");
        let (_, payload) = records::take::<u32>(&bytes[5..]).unwrap();
        match Records::<UserRecord<'_>>::new(payload).next() {
            Some(Ok(UserRecord::Status(s))) => s.status_type,
            other => panic!("not a status: {other:?}"),
        }
    }
}

fn bob_on_web() -> Vec<(String, Vec<DeviceClass>)> {
    vec![("bob".to_owned(), vec![DeviceClass::Web])]
}

fn all(users: Vec<(String, Vec<DeviceClass>)>) -> Relay {
    Relay::AllSessions {
        first: true,
        last: true,
        users,
    }
}

#[test]
fn a_new_node_is_asked_for_its_list_and_its_sessions_count_as_online() {
    let mut node = Node::new();
    assert_eq!(node.hear(0, Relay::Alive { digest: 42 }), [OTHER]);
    assert_eq!(node.bob(), StatusType::Offline, "not known yet");
    assert!(node.hear(10, all(bob_on_web())).is_empty());
    assert_eq!(node.bob(), StatusType::Online);
    node.hear(
        10,
        Relay::Sessions {
            user: "bob".into(),
            devices: vec![],
        },
    );
    assert_eq!(node.bob(), StatusType::Offline);
}

#[test]
fn a_digest_that_differs_asks_again_but_not_more_often_than_every_few_seconds() {
    let mut node = Node::new();
    node.hear(0, Relay::Alive { digest: 1 });
    node.hear(10, all(bob_on_web()));
    // A lost relay: the other node's digest no longer matches the view.
    assert!(
        node.hear(500, Relay::Alive { digest: 2 }).is_empty(),
        "just asked"
    );
    assert_eq!(node.hear(5_000, Relay::Alive { digest: 2 }), [OTHER]);
    assert!(node.hear(1_000, Relay::Alive { digest: 2 }).is_empty());
    // The answer says bob left; the view follows it.
    node.hear(10, all(vec![]));
    assert_eq!(node.bob(), StatusType::Offline);
    assert!(
        node.hear(10_000, Relay::Alive { digest: 0 }).is_empty(),
        "an empty list's digest matches"
    );
}

#[test]
fn a_node_silent_too_long_is_dead_and_its_users_offline() {
    let mut node = Node::new();
    node.hear(0, Relay::Alive { digest: 1 });
    node.hear(10, all(bob_on_web()));
    node.now += NODE_SILENCE_MS - 100;
    node.engine.handle_batch(node.now, vec![Input::Tick]);
    assert_eq!(node.bob(), StatusType::Online, "not silent long enough");
    node.now += 200;
    node.engine.handle_batch(node.now, vec![Input::Tick]);
    assert_eq!(node.bob(), StatusType::Offline);
}

#[test]
fn a_list_whose_last_part_was_lost_is_asked_for_again() {
    let mut node = Node::new();
    node.hear(0, Relay::Alive { digest: 1 });
    node.hear(
        10,
        Relay::AllSessions {
            first: true,
            last: false,
            users: bob_on_web(),
        },
    );
    assert_eq!(node.bob(), StatusType::Offline, "not before the last part");
    assert_eq!(node.hear(6_000, Relay::Alive { digest: 1 }), [OTHER]);
    node.hear(10, all(bob_on_web()));
    assert_eq!(node.bob(), StatusType::Online);
}
