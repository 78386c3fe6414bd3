//! `tinyim-server serve` runs the server; `tinyim-server usersig mint|verify`
//! makes and checks UserSigs for development.

/// jemalloc rather than the system allocator: with one arena and small
/// thread caches (set at build time in `.cargo/config.toml`, overridable at
/// run time with `_RJEM_MALLOC_CONF`) an idle connection cost the server
/// ~880 bytes instead of ~1 210 with glibc's at 10 000 of them (measured
/// before the slot tables took it lower), and C2C and fan-out ran faster
/// in each interleaved pair of load runs (BENCHMARKS.md).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use tinyim_server::engine::AppAuth;
use tinyim_server::logs::{self, LogFormat};
use tinyim_server::net::callbacks::CallbackConfig;
use tinyim_server::net::tls::DevCertificates;
use tinyim_server::net::{Durability, Server, ServerConfig};
use tinyim_server::usersig;

/// The development SDKAppID used when none is given.
const DEV_APP_ID: u64 = 1_400_000_000;
/// The development secret key used when none is given. Never use it in production.
const DEV_KEY: &str = "tinyim-development-key-not-for-production";

#[derive(Parser)]
#[command(name = "tinyim-server", version, about = "The tinyim IM server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    // Boxed: its flags dwarf the other commands'.
    Serve(Box<ServeArgs>),
    /// Copy the data file while a server serves from it: the copy is the
    /// database as of one commit (serve it with --data COPY).
    Backup {
        /// The data file to copy.
        #[arg(long, env = "TINYIM_DATA", default_value = "./tinyim.db")]
        data: PathBuf,
        /// Where to write the copy (replaced if it exists).
        #[arg(long)]
        to: PathBuf,
    },
    /// Check a data file's integrity; exit 0 when it is sound.
    Check {
        /// The data file to check.
        #[arg(long, env = "TINYIM_DATA", default_value = "./tinyim.db")]
        data: PathBuf,
    },
    /// Mint or verify a UserSig (TLSSigAPIv2).
    Usersig {
        #[command(subcommand)]
        command: SigCommand,
    },
    /// Make a development CA and a server certificate it signed, to try
    /// TLS: serve with --tls-cert DIR/cert.pem --tls-key DIR/key.pem, and
    /// have clients trust DIR/ca.pem (DIR/ca.der on a device).
    TlsDevCert {
        /// Where to write ca.pem, ca.der, cert.pem and key.pem.
        #[arg(long)]
        dir: PathBuf,
        /// A name the certificate is valid for (DNS name or IP address);
        /// repeatable.
        #[arg(long = "name", default_values_t = ["localhost".to_owned(), "127.0.0.1".to_owned()])]
        names: Vec<String>,
    },
}

#[derive(Args)]
struct AppArgs {
    /// SDKAppID.
    #[arg(long, env = "TINYIM_APP_ID")]
    app_id: Option<u64>,
    /// The app's secret key.
    #[arg(long, env = "TINYIM_KEY", hide_env_values = true)]
    key: Option<String>,
}

impl AppArgs {
    fn resolve(self) -> (AppAuth, bool) {
        let dev = self.app_id.is_none() && self.key.is_none();
        let auth = AppAuth {
            app_id: self.app_id.unwrap_or(DEV_APP_ID),
            key: self.key.unwrap_or_else(|| DEV_KEY.to_owned()),
        };
        (auth, dev)
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TINYIM_LISTEN", default_value = "127.0.0.1:7878", value_parser = socket_addr)]
    listen: SocketAddr,
    /// SQLite data file.
    #[arg(long, env = "TINYIM_DATA", default_value = "./tinyim.db")]
    data: PathBuf,
    /// Store in this PostgreSQL database instead of the data file
    /// (postgres://USER@HOST:PORT/DB): one node of a cluster.
    #[arg(long, env = "TINYIM_STORE", value_parser = postgres_url)]
    store: Option<String>,
    /// Run as one node of a cluster whose nodes share the --store database
    /// and tell each other's sessions through this NATS server
    /// (nats://HOST:4222).
    #[arg(long, env = "TINYIM_CLUSTER", requires = "store")]
    cluster: Option<String>,
    #[command(flatten)]
    app: AppArgs,
    /// Heartbeat interval in milliseconds.
    #[arg(long, env = "TINYIM_HEARTBEAT_MS", default_value_t = 30_000)]
    heartbeat_ms: u64,
    /// Milliseconds a new connection has to send its hello.
    #[arg(long, env = "TINYIM_HANDSHAKE_TIMEOUT_MS", default_value_t = 10_000)]
    handshake_timeout_ms: u64,
    /// Requests per second one connection may send (burst: twice that).
    /// Over it requests are refused with 2996, except the sync a client
    /// needs to catch up, which waits for its turn.
    #[arg(long, env = "TINYIM_RATE", default_value_t = 200)]
    rate: u32,
    /// Bytes one connection may hold in the server (queued frames and room
    /// for the answers it waits for); at it the connection is not read
    /// until it drains. At least 131072.
    #[arg(long, env = "TINYIM_CONN_BUFFER", default_value_t = tinyim_server::net::DEFAULT_CONN_BUFFER)]
    conn_buffer: usize,
    /// Messages per second one group may carry (TIM's figure is 40).
    #[arg(long, env = "TINYIM_GROUP_RATE", default_value_t = 40)]
    group_rate: u32,
    /// Seconds after sending a sender may revoke a message (TIM's two minutes).
    #[arg(long, env = "TINYIM_REVOKE_WINDOW_SECS", default_value_t = 120)]
    revoke_window_secs: u64,
    /// Serve clients over TLS with this certificate chain (PEM, leaf first):
    /// on --tls-listen if given (--listen then stays plain), else on --listen.
    #[arg(long, env = "TINYIM_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "TINYIM_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// An address of its own for TLS, so that --listen stays plain TCP.
    #[arg(long, env = "TINYIM_TLS_LISTEN", requires = "tls_cert", value_parser = socket_addr)]
    tls_listen: Option<SocketAddr>,
    /// TLS handshakes in progress at most; new connections past it are closed.
    #[arg(long, env = "TINYIM_MAX_TLS_HANDSHAKES", default_value_t = 1024)]
    max_tls_handshakes: usize,
    /// Serve /metrics (Prometheus), /healthz and /readyz over HTTP here.
    #[arg(long, env = "TINYIM_METRICS_LISTEN", value_parser = socket_addr)]
    metrics_listen: Option<SocketAddr>,
    /// Serve Tencent's REST API (`/v4/...`, for application backends) over
    /// HTTP here, beside /metrics, /healthz and /readyz; over HTTPS when
    /// the server has a certificate (--tls-cert).
    #[arg(long, env = "TINYIM_HTTP_LISTEN", value_parser = socket_addr)]
    http_listen: Option<SocketAddr>,
    /// An administrator account of the REST API (repeat for several): a
    /// call's `identifier` must be one, with that account's UserSig.
    #[arg(
        long = "admin",
        env = "TINYIM_ADMINS",
        value_delimiter = ',',
        default_value = "administrator"
    )]
    admins: Vec<String>,
    /// REST API calls a second, over all administrators (bursts of twice
    /// that); past it calls are refused with 60007.
    #[arg(long, env = "TINYIM_ADMIN_RATE", default_value_t = 200)]
    admin_rate: u32,
    /// Where the upload service keeps uploads (served on --http-listen);
    /// beside the data file (`<data>.uploads`) when not given.
    #[arg(long, env = "TINYIM_UPLOADS")]
    uploads: Option<PathBuf>,
    /// Bytes one user's uploads may hold.
    #[arg(long, env = "TINYIM_UPLOAD_QUOTA", default_value_t = 1 << 30)]
    upload_quota: u64,
    /// The start of upload and download URLs as clients reach
    /// --http-listen (`https://media.example.com`); that address itself
    /// when not given.
    #[arg(long, env = "TINYIM_MEDIA_URL")]
    media_url: Option<String>,
    /// Seconds upload tickets and download URLs last.
    #[arg(long, env = "TINYIM_MEDIA_TTL_SECS", default_value_t = 3600)]
    media_ttl_secs: u64,
    /// Keep complete uploads in S3-compatible object storage
    /// (`s3://BUCKET`, credentials from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY); --uploads then only stages them.
    #[arg(long, env = "TINYIM_UPLOAD_STORE")]
    upload_store: Option<String>,
    /// The S3-compatible server of --upload-store (AWS's own when not given).
    #[arg(long, env = "TINYIM_S3_ENDPOINT", requires = "upload_store")]
    s3_endpoint: Option<String>,
    /// The bucket's region.
    #[arg(long, env = "TINYIM_S3_REGION", default_value = "us-east-1")]
    s3_region: String,
    /// Serve this directory's files at / on --http-listen: a web app
    /// whose pages connect to the WebSocket at /ws (`examples/web-chat`).
    #[arg(long, env = "TINYIM_WEB_ROOT", requires = "http_listen")]
    web_root: Option<PathBuf>,
    /// When a write is acknowledged: `full` once it is on the disk
    /// (fdatasync; nothing acknowledged is ever lost), `os` once its commit
    /// reached the operating system (a crash of the server loses nothing; a
    /// power cut loses at most --durability-interval-ms of writes).
    #[arg(long, env = "TINYIM_DURABILITY", default_value = "full", value_parser = ["full", "os"])]
    durability: String,
    /// With --durability os: how often the store is synced to the disk.
    #[arg(long, env = "TINYIM_DURABILITY_INTERVAL_MS", default_value_t = 100)]
    durability_interval_ms: u64,
    /// Call the application backend back here (Tencent's callbacks; an
    /// http:// or https:// URL).
    #[arg(long, env = "TINYIM_CALLBACK_URL")]
    callback_url: Option<String>,
    /// Over HTTPS, trust this CA (PEM) beside the system's.
    #[arg(long, env = "TINYIM_CALLBACK_CA")]
    callback_ca: Option<PathBuf>,
    /// A callback command to make (repeat for several; all when none):
    /// C2C.CallbackBeforeSendMsg, C2C.CallbackAfterSendMsg,
    /// Group.CallbackBeforeSendMsg, Group.CallbackAfterSendMsg,
    /// State.StateChange, Group.CallbackAfterCreateGroup,
    /// Group.CallbackAfterNewMemberJoin, Group.CallbackAfterMemberExit.
    #[arg(
        long = "callback-command",
        env = "TINYIM_CALLBACK_COMMANDS",
        value_delimiter = ','
    )]
    callback_commands: Vec<String>,
    /// Milliseconds a callback may take; a before-send callback that takes
    /// longer (or fails) lets the message through.
    #[arg(long, env = "TINYIM_CALLBACK_TIMEOUT_MS", default_value_t = 2000)]
    callback_timeout_ms: u64,
    /// After-callbacks waiting to go out, at most; past it they are
    /// dropped and counted.
    #[arg(long, env = "TINYIM_CALLBACK_QUEUE", default_value_t = 4096)]
    callback_queue: usize,
    /// Connections open at most; new connections past it are closed.
    #[arg(long, env = "TINYIM_MAX_CONNECTIONS", default_value_t = 100_000)]
    max_connections: usize,
    /// Connections from one address not logged in yet, at most; new ones
    /// from that address past it are closed.
    #[arg(long, env = "TINYIM_MAX_PENDING_LOGINS", default_value_t = 256)]
    max_pending_logins: u32,
    /// On SIGTERM or SIGINT: milliseconds to finish the requests taken,
    /// tell clients to connect again and close their connections; the
    /// server exits 0 then, or when the time is up.
    #[arg(long, env = "TINYIM_SHUTDOWN_GRACE_MS", default_value_t = 10_000)]
    shutdown_grace_ms: u64,
    /// Log lines as `text` (coloured only on a terminal) or `json`.
    #[arg(long, env = "TINYIM_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum SigCommand {
    /// Print a UserSig for a user.
    Mint {
        #[command(flatten)]
        app: AppArgs,
        /// User id.
        #[arg(long)]
        user: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = usersig::DEFAULT_EXPIRE_SECS)]
        expire: u64,
    },
    /// Check a UserSig; exit 0 when valid.
    Verify {
        #[command(flatten)]
        app: AppArgs,
        /// User id it must be for.
        #[arg(long)]
        user: String,
        /// Check as of this unix time (seconds) instead of now.
        #[arg(long)]
        at: Option<u64>,
        /// The UserSig.
        sig: String,
    },
}

/// An address to listen on, `HOST:PORT` with a host name (`localhost`)
/// or an IP address: the first address it resolves to.
/// A `--store` URL: PostgreSQL is the one store named by URL.
fn postgres_url(url: &str) -> Result<String, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url.to_owned())
    } else {
        Err("expected postgres://USER@HOST:PORT/DB".to_owned())
    }
}

fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .map_err(|e| format!("{text}: {e}"))?
        .next()
        .ok_or_else(|| format!("{text} resolves to no address"))
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Usersig { command } => sig(command),
        Command::Backup { data, to } => match tinyim_server::store::backup(&data, &to) {
            Ok(pages) => {
                println!(
                    "copied {pages} pages of {} to {}",
                    data.display(),
                    to.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("backup failed: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Check { data } => match tinyim_server::store::check(&data) {
            Ok(Ok(())) => {
                println!("ok");
                ExitCode::SUCCESS
            }
            Ok(Err(problems)) => {
                println!("{problems}");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("cannot check: {e}");
                ExitCode::FAILURE
            }
        },
        Command::TlsDevCert { dir, names } => {
            let made = DevCertificates::generate(&names)
                .map_err(|e| e.to_string())
                .and_then(|certs| certs.write_to(&dir).map_err(|e| e.to_string()));
            match made {
                Ok(()) => {
                    println!(
                        "wrote ca.pem, ca.der, cert.pem, key.pem to {}",
                        dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("cannot make the certificates: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn sig(command: SigCommand) -> ExitCode {
    match command {
        SigCommand::Mint { app, user, expire } => {
            if !tinyim_core::model::valid_user_id(&user) {
                eprintln!(
                    "{user:?} can never log in: a user id is 1 to 32 bytes of ASCII letters, digits and _ - . @"
                );
                return ExitCode::from(2);
            }
            let (auth, _) = app.resolve();
            println!(
                "{}",
                usersig::mint(auth.app_id, &auth.key, &user, expire, unix_now())
            );
            ExitCode::SUCCESS
        }
        SigCommand::Verify { app, user, at, sig } => {
            let (auth, _) = app.resolve();
            match usersig::verify(
                auth.app_id,
                &auth.key,
                &user,
                &sig,
                at.unwrap_or_else(unix_now),
            ) {
                Ok(info) => {
                    let line = serde_json::json!({
                        "app_id": info.app_id,
                        "user_id": info.user_id,
                        "time": info.time,
                        "expire": info.expire,
                        "valid": true,
                    });
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    println!("invalid: {e} (code {})", e.code());
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    logs::init(args.log_format);
    let (auth, dev) = args.app.resolve();
    if dev {
        tracing::warn!(
            app_id = auth.app_id,
            "no --app-id/--key given: using the DEVELOPMENT pair; anyone can mint UserSigs for it"
        );
    }
    let mut config = ServerConfig::new(args.listen, args.data.clone(), auth);
    config.postgres.clone_from(&args.store);
    config.cluster.clone_from(&args.cluster);
    config.heartbeat = Duration::from_millis(args.heartbeat_ms.max(100));
    config.handshake_timeout = Duration::from_millis(args.handshake_timeout_ms.max(100));
    config.requests_per_second = args.rate;
    config.conn_buffer = args.conn_buffer;
    config.group_messages_per_second = args.group_rate;
    config.revoke_window = Duration::from_secs(args.revoke_window_secs);
    config.max_tls_handshakes = args.max_tls_handshakes.max(1);
    config.max_connections = args.max_connections.max(1);
    tinyim_server::open_files::raise_for(config.max_connections);
    config.metrics_listen = args.metrics_listen;
    config.http_listen = args.http_listen;
    config.admins.clone_from(&args.admins);
    config.admin_requests_per_second = args.admin_rate.max(1);
    config.uploads.clone_from(&args.uploads);
    config.upload_quota = args.upload_quota;
    config.media_url.clone_from(&args.media_url);
    config.media_ttl = Duration::from_secs(args.media_ttl_secs.max(1));
    config.upload_store.clone_from(&args.upload_store);
    config.s3_endpoint.clone_from(&args.s3_endpoint);
    config.s3_region.clone_from(&args.s3_region);
    config.web_root.clone_from(&args.web_root);
    config.durability = match args.durability.as_str() {
        "os" => Durability::Os {
            interval: Duration::from_millis(args.durability_interval_ms.max(1)),
        },
        _ => Durability::Full,
    };
    config.callbacks = args.callback_url.as_deref().map(|url| CallbackConfig {
        ca: args.callback_ca.clone(),
        commands: args.callback_commands.clone(),
        timeout: Duration::from_millis(args.callback_timeout_ms.max(1)),
        queue: args.callback_queue.max(1),
        ..CallbackConfig::new(url)
    });
    config.max_pending_logins_per_address = args.max_pending_logins.max(1);
    config.tls_listen = args.tls_listen;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        match tinyim_server::net::tls::server_config(cert, key) {
            Ok(tls) => config.tls = Some(tls),
            Err(e) => {
                eprintln!("cannot use the TLS certificate: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = match Server::bind(config).await {
            Ok(server) => server,
            Err(e) => {
                tracing::error!("cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        match server.local_addr() {
            Ok(addr) => {
                let tls = args.tls_cert.is_some() && args.tls_listen.is_none();
                tracing::info!(%addr, data = %args.data.display(), tls, "tinyim-server listening");
                // Plain lines for scripts and tests that start it on port 0.
                println!("listening on {addr}");
                if let Some(Ok(tls_addr)) = server.tls_local_addr() {
                    tracing::info!(%tls_addr, "TLS listening");
                    println!("listening for TLS on {tls_addr}");
                }
                if let Some(Ok(http_addr)) = server.http_local_addr() {
                    tracing::info!(%http_addr, "REST API listening");
                    println!("listening for HTTP on {http_addr}");
                }
                if let Some(Ok(metrics_addr)) = server.metrics_local_addr() {
                    tracing::info!(%metrics_addr, "metrics listening");
                    println!("listening for metrics on {metrics_addr}");
                }
            }
            Err(e) => tracing::warn!("listening (address unknown: {e})"),
        }
        let grace = Duration::from_millis(args.shutdown_grace_ms);
        if server.run_until(stop_signal(), grace).await {
            tracing::info!("stopped");
        }
        ExitCode::SUCCESS
    })
}
