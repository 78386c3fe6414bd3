//! The servers under test, each a child process on 127.0.0.1 with its data
//! in a fresh temporary directory, and their resident memory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

/// The app identity the load tool signs its users with.
pub const APP_ID: u64 = 1_400_000_999;
/// The secret key of [`APP_ID`].
pub const KEY: &str = "load-tool-key";

/// A development certificate for tinyim's TLS runs, made once.
pub struct Tls {
    /// Holds ca.pem, cert.pem and key.pem.
    pub dir: tempfile::TempDir,
    /// What the clients trust.
    pub ca_pem: String,
}

impl Tls {
    /// A new development CA and a certificate for `localhost` and
    /// `127.0.0.1` it signed.
    pub fn new() -> Tls {
        let dir = tempfile::tempdir().expect("temporary directory");
        // Both names: tinyim's clients verify `localhost`, rumqttc the
        // address it dials.
        let certs = tinyim_server::net::tls::DevCertificates::generate(&[
            "localhost".into(),
            "127.0.0.1".into(),
        ])
        .expect("development certificates");
        certs.write_to(dir.path()).expect("write the certificates");
        Tls {
            dir,
            ca_pem: certs.ca_pem,
        }
    }
}

impl Tls {
    /// A TLS client configuration (rustls, ring) that trusts this CA.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(self.ca_pem.as_bytes()) {
            roots
                .add(cert.expect("the CA parses"))
                .expect("the CA is usable");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }
}

/// How a server process is stopped.
enum Process {
    /// A child of the load tool's, killed and reaped.
    Child(Child),
    /// An ejabberd node (ejabberdctl started it as its own user), stopped
    /// through `ejabberdctl` with these arguments.
    Ejabberd {
        ctl: Vec<std::ffi::OsString>,
        pid: u32,
    },
}

/// A running server.
pub struct Server {
    process: Process,
    /// Where it listens.
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `tinyim-server serve` on a fresh SQLite file, with the per-connection
    /// and per-group rate limits and the connection cap lifted (the load is
    /// the point).
    pub fn tinyim(bin: &Path, tls: Option<&Tls>) -> Server {
        Server::tinyim_with(bin, tls, &[])
    }

    /// [`Server::tinyim`] with more `serve` flags (a store, a cluster).
    pub fn tinyim_with(bin: &Path, tls: Option<&Tls>, extra: &[String]) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut command = Command::new(bin);
        command.arg("serve").args(extra);
        if let Some(tls) = tls {
            command
                .arg("--tls-cert")
                .arg(tls.dir.path().join("cert.pem"))
                .arg("--tls-key")
                .arg(tls.dir.path().join("key.pem"));
        }
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--heartbeat-ms", "60000"])
            .args(["--rate", "10000000", "--group-rate", "10000000"])
            .args(["--max-connections", "1000000"])
            .arg("--data")
            .arg(dir.path().join("load.db"))
            .args(["--app-id", &APP_ID.to_string(), "--key", KEY])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tinyim-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server prints its address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server {
            process: Process::Child(child),
            addr,
            _dir: dir,
        }
    }

    /// mosquitto with TCP_NODELAY, no limit on queued QoS1 messages (none is
    /// dropped), no persistence file; serving TLS with `tls`'s certificate
    /// when it is given.
    pub async fn mosquitto(bin: &Path, tls: Option<&Tls>) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let conf = dir.path().join("mosquitto.conf");
        // Its log in a file: with TLS it reports every connection closed
        // without a close_notify (the readiness probe, the idle clients),
        // thousands of lines in the load tool's output otherwise.
        let log = dir.path().join("mosquitto.log");
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n\
                 max_queued_messages 0\nmax_queued_bytes 0\nmax_connections -1\n\
                 persistence false\nlog_type error\nlog_dest file {}\n{}",
                log.display(),
                tls.map_or(String::new(), |tls| format!(
                    "certfile {}\nkeyfile {}\n",
                    tls.dir.path().join("cert.pem").display(),
                    tls.dir.path().join("key.pem").display()
                ))
            ),
        )
        .expect("write the mosquitto config");
        // What it prints before its log is open goes to the same file.
        Server::from_config(bin, "mosquitto", dir, port, &conf, &log).await
    }

    /// An ejabberd node of its own (Debian's package; its `mod_mqtt`
    /// listener on a free port, no limit on queued packets, logins
    /// anonymous so that thousands of clients need no accounts, everything
    /// else as installed), its spool
    /// and logs in a fresh directory. `ejabberdctl` runs it as the
    /// `ejabberd` user, so the load tool must run as root.
    pub async fn ejabberd() -> Server {
        static NODES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let path = |name: &str| dir.path().join(name);
        let config = [
            "hosts:",
            "  - localhost",
            "loglevel: warning",
            "auth_method: [anonymous]",
            "anonymous_protocol: login_anon",
            "listen:",
            "  -",
            &format!("    port: {port}"),
            "    ip: \"127.0.0.1\"",
            "    module: mod_mqtt",
            "    backlog: 1000",
            "modules:",
            // No limit on queued outgoing packets, as mosquitto's
            // max_queued_messages 0: past the default 5000 ejabberd closes
            // a session that falls behind.
            "  mod_mqtt:",
            "    max_queue: unlimited",
        ];
        std::fs::write(path("ejabberd.yml"), config.join("\n")).expect("write the ejabberd config");
        // The package's ejabberdctl.cfg names its own config and pid file:
        // this one replaces it.
        std::fs::write(
            path("ejabberdctl.cfg"),
            format!("EJABBERD_PID_PATH={}\n", path("ejabberd.pid").display()),
        )
        .expect("write the ejabberdctl config");
        for sub in ["spool", "logs"] {
            std::fs::create_dir(path(sub)).expect("create the ejabberd directories");
        }
        let owned = Command::new("chown")
            .args(["-R", "ejabberd:ejabberd"])
            .arg(dir.path())
            .status()
            .expect("run chown");
        assert!(owned.success(), "the ejabberd user owns its directory");
        let node = format!(
            "tinyim-load-{}-{}@localhost",
            std::process::id(),
            NODES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut ctl: Vec<std::ffi::OsString> = vec!["--config".into(), path("ejabberd.yml").into()];
        ctl.extend(["--ctl-config".into(), path("ejabberdctl.cfg").into()]);
        ctl.extend(["--spool".into(), path("spool").into()]);
        ctl.extend([
            "--logs".into(),
            path("logs").into(),
            "--node".into(),
            node.into(),
        ]);
        for command in ["start", "started"] {
            let done = ejabberdctl(&ctl, command).expect("run ejabberdctl");
            assert!(done.success(), "ejabberdctl {command}");
        }
        let pid = std::fs::read_to_string(path("ejabberd.pid"))
            .ok()
            .and_then(|p| p.trim().parse().ok())
            .expect("ejabberd wrote its pid");
        let log = path("logs").join("ejabberd.log");
        Server {
            process: Process::Ejabberd { ctl, pid },
            addr: format!("127.0.0.1:{port}"),
            _dir: dir,
        }
        .accepting("ejabberd", &log)
        .await
    }

    /// Waits until the server accepts connections (it prints nothing when
    /// ready); panics with its `log` after five seconds, the server killed
    /// and reaped on drop.
    async fn accepting(self, name: &str, log: &Path) -> Server {
        for _ in 0..500 {
            if tokio::net::TcpStream::connect(&self.addr).await.is_ok() {
                return self;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{name} did not start listening on {}: {}",
            self.addr,
            std::fs::read_to_string(log).unwrap_or_default()
        );
    }

    /// nats-server with JetStream storing in a fresh directory and
    /// `sync_interval: always` (every write synced before it is
    /// acknowledged, like tinyim's `--durability full`); no TLS (the TLS
    /// runs leave NATS out).
    pub async fn nats(bin: &Path) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let conf = dir.path().join("nats.conf");
        std::fs::write(
            &conf,
            format!(
                "listen: 127.0.0.1:{port}\njetstream {{\n  store_dir: {:?}\n  sync_interval: always\n}}\n",
                dir.path().join("jetstream").display().to_string()
            ),
        )
        .expect("write the nats-server config");
        let log = dir.path().join("nats.log");
        Server::from_config(bin, "nats-server", dir, port, &conf, &log).await
    }

    /// Starts `bin -c conf` (mosquitto's and nats-server's way), its
    /// stderr appended to `log`, its files in `dir`, and waits until it
    /// listens on `port`.
    async fn from_config(
        bin: &Path,
        name: &str,
        dir: tempfile::TempDir,
        port: u16,
        conf: &Path,
        log: &Path,
    ) -> Server {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the log");
        let child = Command::new(bin)
            .arg("-c")
            .arg(conf)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        Server {
            process: Process::Child(child),
            addr: format!("127.0.0.1:{port}"),
            _dir: dir,
        }
        .accepting(name, log)
        .await
    }

    /// Resident memory of the server process, in bytes.
    pub fn rss_bytes(&self) -> u64 {
        let pid = match &self.process {
            Process::Child(child) => child.id(),
            Process::Ejabberd { pid, .. } => *pid,
        };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .expect("read the server's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmRSS in /proc status")
            * 1024
    }

    /// The port, for MQTT clients.
    pub fn port(&self) -> u16 {
        self.addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("an address with a port")
    }
}

/// Runs Debian's ejabberd control script with `ctl` and `command` as the
/// `ejabberd` user. Through setpriv rather than the script's own `su`,
/// whose PAM session lowers the open-files limit to 1024 (ejabberd then
/// refuses the idle shape's clients): the node inherits the load tool's.
fn ejabberdctl(
    ctl: &[std::ffi::OsString],
    command: &str,
) -> std::io::Result<std::process::ExitStatus> {
    Command::new("setpriv")
        .args([
            "--reuid",
            "ejabberd",
            "--regid",
            "ejabberd",
            "--init-groups",
        ])
        .args(["env", "HOME=/var/lib/ejabberd", "/usr/sbin/ejabberdctl"])
        .args(ctl)
        .arg(command)
        .stdout(Stdio::null())
        .status()
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Drop for Server {
    fn drop(&mut self) {
        match &mut self.process {
            Process::Child(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Process::Ejabberd { ctl, .. } => {
                // `stopped` waits for the node to end and then stops epmd
                // when no other Erlang node runs.
                for command in ["stop", "stopped"] {
                    let _ = ejabberdctl(ctl, command);
                }
            }
        }
    }
}
