//! The stores side by side: the C2C, fan-out and resync shapes against one
//! node on its SQLite file, one node on PostgreSQL, and three nodes on
//! PostgreSQL relaying through NATS with the clients spread over them. On
//! one machine this shows what a message costs on each (database round
//! trips, relays), not how a cluster scales: every node shares its cores.

use std::path::Path;

use crate::process::Server;

/// A setup the shapes run against.
#[derive(Clone, Copy, Debug)]
pub enum Setup {
    /// One node, its SQLite file.
    Sqlite,
    /// One node on PostgreSQL.
    Postgres,
    /// Three nodes on PostgreSQL and NATS.
    Cluster,
}

impl Setup {
    /// Every setup, in the table's order.
    pub const ALL: [Setup; 3] = [Setup::Sqlite, Setup::Postgres, Setup::Cluster];

    /// The table's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Setup::Sqlite => "SQLite, 1 node",
            Setup::Postgres => "PostgreSQL, 1 node",
            Setup::Cluster => "PostgreSQL + NATS, 3 nodes",
        }
    }
}

/// The running PostgreSQL and NATS the PostgreSQL setups use.
pub struct Services {
    /// A database of the PostgreSQL server to create the others from.
    pub postgres: String,
    /// The NATS server.
    pub nats: String,
    made: usize,
}

impl Services {
    /// The services at these URLs.
    pub fn new(postgres: String, nats: String) -> Services {
        Services {
            postgres,
            nats,
            made: 0,
        }
    }

    /// A new empty database; its URL.
    async fn fresh_database(&mut self) -> String {
        self.made += 1;
        let name = format!("load_{}_{}", std::process::id(), self.made);
        let admin = self.postgres.clone();
        let create = format!("CREATE DATABASE {name}");
        // The blocking client runs a runtime of its own: not on this one.
        tokio::task::spawn_blocking(move || {
            postgres::Client::connect(&admin, postgres::NoTls)
                .and_then(|mut c| c.batch_execute(&create))
                .expect("create a database")
        })
        .await
        .expect("the database is created");
        match self.postgres.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("a PostgreSQL URL ends in its database: {}", self.postgres),
        }
    }

    /// The servers of `setup`, each on a fresh store, and the address list
    /// the shapes' clients are given (the nodes, comma-separated).
    pub async fn start(&mut self, bin: &Path, setup: Setup) -> (Vec<Server>, String) {
        let servers = match setup {
            Setup::Sqlite => vec![Server::tinyim(bin, None)],
            Setup::Postgres => {
                let store = self.fresh_database().await;
                vec![Server::tinyim_with(bin, None, &["--store".into(), store])]
            }
            Setup::Cluster => {
                let store = self.fresh_database().await;
                let flags = [
                    "--store".into(),
                    store,
                    "--cluster".into(),
                    self.nats.clone(),
                ];
                (0..3)
                    .map(|_| Server::tinyim_with(bin, None, &flags))
                    .collect()
            }
        };
        let addrs = servers
            .iter()
            .map(|s| s.addr.as_str())
            .collect::<Vec<_>>()
            .join(",");
        (servers, addrs)
    }
}
