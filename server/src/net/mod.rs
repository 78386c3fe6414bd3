//! The tokio front end: accept TCP connections, frame bytes, answer the
//! handshake, enforce deadlines and rate limits, and carry requests to the
//! engine thread and its outputs back. No domain decisions are made here.

pub mod callbacks;
mod cluster;
mod connection;
mod engine_thread;
mod http;
mod link;
mod logins;
mod ops;
mod outbound;
mod shutdown;
mod sweep;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::conn_table::ConnRegistry;
use crate::engine::{AppAuth, Engine, HandshakeLimits, Input};
use crate::store::{PgStore, SqliteStore, Store, WalSync};
use engine_thread::Job;
/// The engine's tests check its answers to sends against it.
#[cfg(test)]
pub(crate) use outbound::SEND_ANSWER_LEN;
use outbound::{Deadlines, Outbound};

/// Largest frame the server accepts: a 12 KB message and its envelope fit.
pub const SERVER_MAX_FRAME: u32 = 16 * 1024;

/// The default of [`ServerConfig::conn_buffer`].
pub const DEFAULT_CONN_BUFFER: usize = 256 * 1024;

/// The smallest [`ServerConfig::conn_buffer`]: room for one answer of the
/// largest frame a client may take, and as much again queued before it.
pub const MIN_CONN_BUFFER: usize = 2 * tinyim_core::wire::MAX_FRAME as usize;

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// SQLite file (unused with [`ServerConfig::postgres`]).
    pub data: PathBuf,
    /// A PostgreSQL database to store in instead of the SQLite file
    /// (`postgres://USER@HOST:PORT/DB`): a node of a cluster.
    pub postgres: Option<String>,
    /// The NATS server the cluster's nodes tell each other's sessions
    /// through (`nats://HOST:4222`); needs [`ServerConfig::postgres`].
    pub cluster: Option<String>,
    /// The app's identity for UserSig verification.
    pub auth: AppAuth,
    /// Heartbeat interval announced to clients; a client silent for three
    /// intervals is disconnected.
    pub heartbeat: Duration,
    /// Time a new connection has to send its hello.
    pub handshake_timeout: Duration,
    /// Requests per second a connection may send, and a user over all of
    /// its sessions together (burst: twice that). Over it a request is
    /// refused with 2996, except the sync a client needs to catch up (sync
    /// pages, fetches of missed messages, the group list), which waits for
    /// its turn instead.
    pub requests_per_second: u32,
    /// Bytes one connection may hold in the server: its queued frames and
    /// the room kept for the answers of its requests in flight. A
    /// connection at its budget is not read until it drains; a push that
    /// does not fit closes it (see `outbound`). At least
    /// [`MIN_CONN_BUFFER`].
    pub conn_buffer: usize,
    /// Messages a second one group may carry (TIM's 40 by default).
    pub group_messages_per_second: u32,
    /// How long after sending a sender may revoke a message (TIM's two
    /// minutes by default).
    pub revoke_window: Duration,
    /// TLS for client connections (see [`tls::server_config`]): on
    /// [`ServerConfig::tls_listen`] when that is set, else on `listen`;
    /// plain TCP only when `None`.
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// An address of its own for TLS, so that `listen` stays plain TCP.
    pub tls_listen: Option<SocketAddr>,
    /// TLS handshakes in progress at most; past it new connections are
    /// closed at once (a handshake holds rustls's buffers until it ends or
    /// times out, so a flood of slow ones must not take unbounded memory).
    pub max_tls_handshakes: usize,
    /// Connections open at most; past it new ones are closed at once.
    pub max_connections: usize,
    /// Where to serve `/metrics` (Prometheus), `/healthz` and `/readyz`
    /// over HTTP; nothing is counted when `None`.
    pub metrics_listen: Option<SocketAddr>,
    /// Connections from one source address that have not logged in yet,
    /// at most; past it new ones from that address are closed at once.
    pub max_pending_logins_per_address: u32,
    /// Where to serve Tencent's REST API under `/v4/` (and the operations
    /// routes beside it); over HTTPS when [`ServerConfig::tls`] is set.
    pub http_listen: Option<SocketAddr>,
    /// The REST API's administrator accounts (Tencent's `identifier`).
    pub admins: Vec<String>,
    /// REST API calls a second over all administrators (bursts of twice
    /// that); past it a call is refused with 60007.
    pub admin_requests_per_second: u32,
    /// The application backend's callbacks, if it has any.
    pub callbacks: Option<callbacks::CallbackConfig>,
    /// Where uploads are kept; beside the data file (`<data>.uploads`)
    /// when `None`. Served on [`ServerConfig::http_listen`] only.
    pub uploads: Option<PathBuf>,
    /// Bytes one user's uploads may hold.
    pub upload_quota: u64,
    /// The start of upload and download URLs as clients reach the HTTP
    /// listener (`https://media.example.com`); the listener's own address
    /// when `None`.
    pub media_url: Option<String>,
    /// How long upload tickets and download URLs last.
    pub media_ttl: Duration,
    /// Complete uploads in S3-compatible object storage (`s3://BUCKET`)
    /// instead of [`ServerConfig::uploads`] (which then only stages them).
    pub upload_store: Option<String>,
    /// The S3-compatible server's URL; AWS's own when `None`.
    pub s3_endpoint: Option<String>,
    /// The bucket's region.
    pub s3_region: String,
    /// A directory of static files (a web app such as `examples/web-chat`)
    /// served at `/` on [`ServerConfig::http_listen`], beside the
    /// WebSocket its pages connect to.
    pub web_root: Option<PathBuf>,
    /// When an answer may say a write is stored.
    pub durability: Durability,
}

/// When the server tells a client its write is stored (`serve
/// --durability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// Once it is on the disk (`fdatasync`): nothing acknowledged is ever
    /// lost.
    Full,
    /// Once its commit has reached the operating system, which writes it
    /// out in its own time; the store is synced every `interval` besides.
    /// A crash of the server loses nothing; a power cut or a crash of the
    /// machine loses at most the writes of the last interval.
    Os {
        /// How often the store is made durable.
        interval: Duration,
    },
}

impl ServerConfig {
    /// Defaults around the given address, data file and app identity.
    pub fn new(listen: SocketAddr, data: PathBuf, auth: AppAuth) -> Self {
        ServerConfig {
            listen,
            data,
            postgres: None,
            cluster: None,
            auth,
            heartbeat: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            requests_per_second: 200,
            conn_buffer: DEFAULT_CONN_BUFFER,
            group_messages_per_second: 40,
            revoke_window: Duration::from_secs(120),
            tls: None,
            tls_listen: None,
            max_tls_handshakes: 1024,
            max_connections: 100_000,
            metrics_listen: None,
            max_pending_logins_per_address: 256,
            http_listen: None,
            admins: vec!["administrator".to_owned()],
            admin_requests_per_second: 200,
            callbacks: None,
            uploads: None,
            upload_quota: 1 << 30,
            media_url: None,
            media_ttl: Duration::from_secs(3600),
            upload_store: None,
            s3_endpoint: None,
            s3_region: "us-east-1".to_owned(),
            web_root: None,
            durability: Durability::Full,
        }
    }
}

/// State shared by the accept loop, the connections and the engine thread.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) engine: mpsc::Sender<Job>,
    /// Every connection from its accept to its end.
    pub(crate) conns: Mutex<ConnRegistry<Arc<Outbound>>>,
    /// The server is stopping: connections forward no more requests.
    pub(crate) stopping: AtomicBool,
    /// Connections not logged in yet, by source address.
    pub(crate) pending_logins: logins::PendingLogins,
    /// The application backend's callbacks, if configured.
    pub(crate) callbacks: Option<Arc<callbacks::Callbacks>>,
    /// The link to the cluster's other nodes, once connected.
    pub(crate) cluster: std::sync::OnceLock<cluster::ClusterLink>,
    pub(crate) limits: HandshakeLimits,
    pub(crate) deadlines: Deadlines,
    /// The start of the server's monotonic clock.
    started: Instant,
    /// This node's id in a cluster, new at each start.
    pub(crate) node: u64,
    /// The upload service, when the server serves HTTP.
    pub(crate) media: Option<Arc<crate::media::MediaSettings>>,
    /// Where complete uploads live when not in the upload directory.
    pub(crate) media_objects: Option<http::media_objects::Objects>,
}

impl Shared {
    /// Milliseconds since the server started (monotonic, unlike the
    /// message timestamps' wall clock).
    pub(crate) fn clock_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// A server that is running; dropping it does not stop it (see [`Server::run`]).
pub struct Server {
    listener: TcpListener,
    /// TLS's own listener, when it has an address of its own.
    tls_listener: Option<TcpListener>,
    /// The operations listener (metrics, health).
    ops_listener: Option<TcpListener>,
    /// The REST API's listener.
    http_listener: Option<TcpListener>,
    shared: Arc<Shared>,
}

/// The store the configuration names, opened.
enum Opened {
    Sqlite(SqliteStore, WalSync),
    /// Its commits are durable when they return: no syncer's work.
    Postgres(PgStore),
}

/// Starts the engine over `store` on its thread; `wal` makes its commits
/// durable when they are not on their own.
fn start_engine<S: Store + 'static>(
    store: S,
    wal: Option<WalSync>,
    rx: mpsc::Receiver<engine_thread::Job>,
    callbacks: Option<callbacks::Started>,
    shared: &Arc<Shared>,
) {
    let config = &shared.config;
    let mut engine = Engine::new(store, config.auth.clone());
    if config.cluster.is_some() {
        engine.set_cluster_node(shared.node);
    }
    engine.set_group_rate(config.group_messages_per_second);
    engine.set_user_rate(config.requests_per_second);
    engine.set_revoke_window(config.revoke_window);
    if let Some(media) = &shared.media {
        engine.set_media(media.clone());
    }
    if let Some((callbacks, vet_queues)) = callbacks {
        let (reporting, vetting) = callbacks.engine_settings();
        engine.set_reporting(reporting);
        engine.set_vetting(vetting);
        callbacks::before_send::start(shared, callbacks, vet_queues);
    }
    engine_thread::spawn(engine, rx, wal, shared.clone());
}

impl Server {
    /// Opens the store, starts the engine thread and binds the listeners.
    pub async fn bind(config: ServerConfig) -> std::io::Result<Server> {
        if config.conn_buffer < MIN_CONN_BUFFER {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("the connection buffer must be at least {MIN_CONN_BUFFER} bytes"),
            ));
        }
        if config.tls_listen.is_some() && config.tls.is_none() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an address for TLS but no certificate",
            ));
        }
        if config.cluster.is_some() && config.postgres.is_none() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a cluster's nodes share a PostgreSQL store (--store)",
            ));
        }
        if let Some(callbacks) = &config.callbacks {
            callbacks::check(callbacks)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        let listener = TcpListener::bind(config.listen).await?;
        let tls_listener = match config.tls_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        if config.metrics_listen.is_some() || config.http_listen.is_some() {
            // Installed before anything is counted.
            ops::recorder();
        }
        let ops_listener = match config.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        let http_listener = match config.http_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        let media = match &http_listener {
            Some(listener) => Some(Arc::new(media_settings(&config, listener.local_addr()?))),
            None => None,
        };
        let media_objects = match &config.upload_store {
            Some(url) => Some(
                http::media_objects::s3(url, config.s3_endpoint.as_deref(), &config.s3_region)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
            ),
            None => None,
        };
        let (tx, rx) = mpsc::channel(8192);
        let limits = HandshakeLimits {
            max_frame: SERVER_MAX_FRAME,
            heartbeat_ms: config.heartbeat.as_millis().min(u128::from(u32::MAX)) as u32,
        };
        let heartbeat_ms = config.heartbeat.as_millis() as u64;
        let callbacks = config
            .callbacks
            .as_ref()
            .map(|c| callbacks::Callbacks::start(c, config.auth.app_id))
            .transpose()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let shared = Arc::new(Shared {
            callbacks: callbacks.as_ref().map(|(c, _)| c.clone()),
            cluster: std::sync::OnceLock::new(),
            engine: tx,
            conns: Mutex::new(ConnRegistry::default()),
            stopping: AtomicBool::new(false),
            pending_logins: logins::PendingLogins::new(config.max_pending_logins_per_address),
            limits,
            deadlines: Deadlines {
                handshake_ms: config.handshake_timeout.as_millis() as u64,
                heartbeat_ms,
                idle_ms: heartbeat_ms * 3,
            },
            started: Instant::now(),
            node: rand::random(),
            media,
            media_objects,
            config: config.clone(),
        });
        if let Some(url) = &config.cluster {
            let link = cluster::connect(url, config.auth.app_id, shared.clone()).await?;
            let _ = shared.cluster.set(link);
        }
        // Opened last: a failure after it would drop the PostgreSQL client
        // inside this runtime, which its blocking client cannot do.
        let store = match &config.postgres {
            None => {
                let (store, wal) =
                    SqliteStore::open_deferred_sync(&config.data).map_err(std::io::Error::other)?;
                Opened::Sqlite(store, wal)
            }
            Some(url) => {
                // The blocking client runs a runtime of its own, which may
                // not start inside this one.
                let url = url.clone();
                let relaxed = matches!(config.durability, Durability::Os { .. });
                let store = tokio::task::spawn_blocking(move || PgStore::open(&url, relaxed))
                    .await
                    .map_err(std::io::Error::other)?
                    .map_err(std::io::Error::other)?;
                Opened::Postgres(store)
            }
        };
        match store {
            Opened::Sqlite(store, wal) => start_engine(store, Some(wal), rx, callbacks, &shared),
            Opened::Postgres(store) => start_engine(store, None, rx, callbacks, &shared),
        }
        let ticker = shared.engine.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            while ticker.send(Input::Tick.into()).await.is_ok() {
                every.tick().await;
            }
        });
        tokio::spawn(sweep::run(shared.clone()));
        Ok(Server {
            listener,
            tls_listener,
            ops_listener,
            http_listener,
            shared,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The address TLS was bound to, when it has one of its own.
    pub fn tls_local_addr(&self) -> Option<std::io::Result<SocketAddr>> {
        self.tls_listener.as_ref().map(TcpListener::local_addr)
    }

    /// The address the REST API's listener was bound to, if any.
    pub fn http_local_addr(&self) -> Option<std::io::Result<SocketAddr>> {
        self.http_listener.as_ref().map(TcpListener::local_addr)
    }

    /// The address the operations listener was bound to, if any.
    pub fn metrics_local_addr(&self) -> Option<std::io::Result<SocketAddr>> {
        self.ops_listener.as_ref().map(TcpListener::local_addr)
    }

    /// Accepts connections until the task is dropped.
    pub async fn run(self) {
        self.run_until(std::future::pending(), Duration::ZERO).await;
    }

    /// Serves until `stop` resolves, then stops gracefully: no new
    /// connections or requests, everything taken made durable and
    /// answered, every client told to connect again and its connection
    /// closed once written. Returns whether all of it took less than
    /// `grace`.
    pub async fn run_until(
        mut self,
        stop: impl std::future::Future<Output = ()>,
        grace: Duration,
    ) -> bool {
        if let Some(listener) = self.ops_listener.take() {
            // Its own task: it answers (`/readyz`: stopping) to the end.
            tokio::spawn(ops::serve(listener, self.shared.clone()));
        }
        if let Some(listener) = self.http_listener.take() {
            // Its own task too: calls taken before a stop are answered.
            tokio::spawn(http::serve(listener, self.shared.clone()));
        }
        tokio::select! {
            () = self.accept_all() => {}
            () = stop => {}
        }
        let shared = self.shared.clone();
        // The listeners close here.
        drop(self);
        tracing::info!("stopping");
        shutdown::drain(&shared, grace).await
    }

    async fn accept_all(&self) {
        let tls = self.shared.config.tls.clone().map(TlsAcceptor::from);
        let handshakes = Arc::new(Semaphore::new(self.shared.config.max_tls_handshakes));
        let shared = &self.shared;
        match &self.tls_listener {
            // TLS on an address of its own: the main one stays plain.
            Some(tls_listener) => {
                tokio::join!(
                    accept(&self.listener, None, &handshakes, shared),
                    accept(tls_listener, tls, &handshakes, shared),
                );
            }
            None => accept(&self.listener, tls, &handshakes, shared).await,
        }
    }
}

/// Accepts connections on `listener`, over TLS when `tls` is given, for
/// ever.
async fn accept(
    listener: &TcpListener,
    tls: Option<TlsAcceptor>,
    handshakes: &Arc<Semaphore>,
    shared: &Arc<Shared>,
) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                match &tls {
                    None => {
                        if let Some(conn) = connection::run(Arc::new(stream), shared.clone()) {
                            tracing::debug!(%peer, "accepted");
                            tokio::spawn(conn);
                        }
                    }
                    Some(tls) => match handshakes.clone().try_acquire_owned() {
                        Ok(permit) => {
                            tokio::spawn(serve_tls(tls.clone(), stream, shared.clone(), permit));
                        }
                        Err(_) => tracing::info!(%peer, "too many TLS handshakes; closed"),
                    },
                }
            }
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// A TLS connection: its handshake within the hello's deadline, holding one
/// of the handshake permits, then the same connection loop as plain TCP.
async fn serve_tls(
    tls: TlsAcceptor,
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    handshake: OwnedSemaphorePermit,
) {
    let peer = stream.peer_addr().ok();
    let accepted = tokio::time::timeout(shared.config.handshake_timeout, tls.accept(stream)).await;
    drop(handshake);
    match accepted {
        Ok(Ok(stream)) => {
            if let Some(conn) = connection::run(stream, shared) {
                tracing::debug!(?peer, "accepted over TLS");
                conn.await;
            }
        }
        Ok(Err(e)) => tracing::info!(?peer, "TLS handshake failed: {e}"),
        Err(_) => tracing::info!(?peer, "TLS handshake timed out"),
    }
}

/// The upload service's settings for an HTTP listener bound to `http`.
fn media_settings(config: &ServerConfig, http: SocketAddr) -> crate::media::MediaSettings {
    let dir = config.uploads.clone().unwrap_or_else(|| {
        let mut beside = config.data.clone().into_os_string();
        beside.push(".uploads");
        PathBuf::from(beside)
    });
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let base_url = config
        .media_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{http}"));
    crate::media::MediaSettings::new(
        dir,
        base_url,
        config.upload_quota,
        u64::try_from(config.media_ttl.as_millis()).unwrap_or(u64::MAX),
        &config.auth.key,
    )
}
