//! Each store's conversation rows (SQLite's, PostgreSQL's) against a model: random
//! transactions of requests that write rows, read them, read the changed
//! rows (which writes the cached ones to the table), and end in a release or
//! a rollback to the request's savepoint; each transaction commits or rolls
//! back. The store must answer like the model at every read, and a reopened
//! store must hold exactly what was committed (the writer caches rows and
//! writes them once per transaction, which this checks).

use std::collections::BTreeMap;

// The end-to-end suites' helpers, for their PostgreSQL instance.
#[path = "../../tests/common/mod.rs"]
mod common;

use proptest::prelude::*;
use tinyim_server::store::{ConversationRow, PgStore, SqliteStore, Store};

const OWNERS: [&str; 2] = ["a", "b"];
const CONVS: [&str; 3] = ["C2Cx", "C2Cy", "C2Cz"];

#[derive(Debug, Clone)]
enum Op {
    Put { owner: usize, conv: usize, seq: u64 },
    Get { owner: usize, conv: usize },
    Changed { owner: usize },
}

#[derive(Debug, Clone)]
struct Request {
    ops: Vec<Op>,
    keep: bool,
}

#[derive(Debug, Clone)]
struct Transaction {
    requests: Vec<Request>,
    commit: bool,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 0..3usize, 1..100u64).prop_map(|(owner, conv, seq)| Op::Put { owner, conv, seq }),
        2 => (0..2usize, 0..3usize).prop_map(|(owner, conv)| Op::Get { owner, conv }),
        1 => (0..2usize).prop_map(|owner| Op::Changed { owner }),
    ]
}

fn transactions() -> impl Strategy<Value = Vec<Transaction>> {
    let request = (
        prop::collection::vec(op(), 0..6),
        prop::bool::weighted(0.75),
    )
        .prop_map(|(ops, keep)| Request { ops, keep });
    let transaction = (
        prop::collection::vec(request, 0..5),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(requests, commit)| Transaction { requests, commit });
    prop::collection::vec(transaction, 1..8)
}

/// (owner, conversation) -> last seq.
type Rows = BTreeMap<(usize, usize), u64>;

fn row(owner: usize, conv: usize, seq: u64) -> ConversationRow {
    ConversationRow {
        last_seq: seq,
        ..ConversationRow::new(OWNERS[owner], CONVS[conv].into(), &format!("k{conv}"))
    }
}

fn seqs_of(rows: &[ConversationRow]) -> Vec<(String, u64)> {
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| (r.conv_id.clone(), r.last_seq))
        .collect();
    out.sort();
    out
}

fn model_seqs(rows: &Rows, owner: usize) -> Vec<(String, u64)> {
    rows.iter()
        .filter(|((o, _), _)| *o == owner)
        .map(|((_, c), seq)| (CONVS[*c].to_string(), *seq))
        .collect()
}

/// Runs `txs` on the store `open` gives, then checks what a store opened
/// again holds.
fn check_against_model<S: Store>(
    txs: &[Transaction],
    open: impl Fn() -> S,
) -> Result<(), TestCaseError> {
    let mut committed = Rows::new();
    {
        let mut store = open();
        for tx in txs {
            store.begin().unwrap();
            let mut in_tx = committed.clone();
            for request in &tx.requests {
                store.savepoint().unwrap();
                let mut in_request = in_tx.clone();
                for op in &request.ops {
                    match *op {
                        Op::Put { owner, conv, seq } => {
                            store.put_conversation(row(owner, conv, seq)).unwrap();
                            in_request.insert((owner, conv), seq);
                        }
                        Op::Get { owner, conv } => {
                            let got = store.conversation(OWNERS[owner], CONVS[conv]).unwrap();
                            prop_assert_eq!(
                                got.map(|r| r.last_seq),
                                in_request.get(&(owner, conv)).copied()
                            );
                        }
                        Op::Changed { owner } => {
                            let got = store.changed_since(OWNERS[owner], 0, 100).unwrap();
                            prop_assert_eq!(seqs_of(&got), model_seqs(&in_request, owner));
                        }
                    }
                }
                if request.keep {
                    store.release().unwrap();
                    in_tx = in_request;
                } else {
                    store.rollback_to_savepoint();
                }
            }
            if tx.commit {
                store.commit().unwrap();
                committed = in_tx;
            } else {
                store.rollback();
            }
        }
    }
    let mut reopened = open();
    for (owner, name) in OWNERS.iter().enumerate() {
        let got = reopened.changed_since(name, 0, 100).unwrap();
        prop_assert_eq!(seqs_of(&got), model_seqs(&committed, owner));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sqlite_rows_read_and_survive_a_reopen_as_the_model_says(txs in transactions()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.db");
        check_against_model(&txs, || SqliteStore::open(&path).unwrap())?;
    }

    #[test]
    fn postgres_rows_read_and_survive_a_reopen_as_the_model_says(txs in transactions()) {
        let url = common::postgres::instance().fresh_database();
        check_against_model(&txs, || PgStore::open(&url, false).unwrap())?;
    }
}
