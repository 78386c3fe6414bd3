//! A real PostgreSQL for the tests: the test binary's own instance, made
//! with `initdb` in a temporary directory and started on a free 127.0.0.1
//! port at first use, with a fresh database for each store asked of it.
//! It stops when the test binary exits (its wrapper waits on a pipe the
//! binary holds) and takes its directory with it.
//!
//! `.ci/run` and `scripts/test` install Debian's `postgresql` where it is
//! missing; `TINYIM_PG_BIN` names another directory of its programs.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use super::PATIENCE;

/// The file that tells a stopping instance's watcher to keep its files.
const KEEP: &str = "keep";

/// Whether the end-to-end tests run the server on PostgreSQL
/// (`TINYIM_TEST_STORE=postgres`) rather than on a SQLite file.
pub fn selected() -> bool {
    std::env::var("TINYIM_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// True (and says so) when the tests run on PostgreSQL: for a test of the
/// SQLite file itself (its backup, its corruption, reading it directly),
/// which then has nothing to test.
pub fn skipped_for_sqlite_file(what: &str) -> bool {
    let skip = selected();
    if skip {
        eprintln!("on PostgreSQL, no SQLite file to test: {what}");
    }
    skip
}

/// The running instance.
pub struct Postgres {
    port: u16,
    dir: PathBuf,
    /// The running server: the pipe its wrapper stops it at the close of
    /// (held for the life of the binary, or until [`Postgres::stop`]), and
    /// the wrapper.
    running: Mutex<Option<(ChildStdin, Child)>>,
    databases: AtomicU32,
    /// The database of each SQLite path a test gave, so a restarted server
    /// finds what it stored.
    by_path: Mutex<HashMap<PathBuf, String>>,
}

/// The binary's instance, started at first use.
pub fn instance() -> &'static Postgres {
    static INSTANCE: OnceLock<Postgres> = OnceLock::new();
    INSTANCE.get_or_init(|| off_runtime(Postgres::start))
}

/// An instance of the calling test's own, which it may stop and start.
pub fn own() -> Postgres {
    off_runtime(Postgres::start)
}

/// Runs `f` on a thread of its own: the blocking PostgreSQL client starts
/// a runtime, which may not happen on a thread of the tests' runtime.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(f).join().expect("PostgreSQL setup"))
}

impl Postgres {
    fn start() -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("tinyim-pg")
            .tempdir()
            .expect("a directory for PostgreSQL")
            .keep();
        let as_root = is_root();
        if as_root {
            // initdb refuses root: the cluster belongs to Debian's postgres user.
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&dir);
            run(chown);
        }
        let data = dir.join("data");
        run(command(
            as_root,
            &bin.join("initdb"),
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "tinyim",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        ));
        let pg = Postgres {
            port: super::free_port(),
            dir,
            running: Mutex::new(None),
            databases: AtomicU32::new(0),
            by_path: Mutex::new(HashMap::new()),
        };
        pg.launch();
        pg
    }

    /// Starts the server on the instance's files and waits until it
    /// accepts connections.
    fn launch(&self) {
        let dir = &self.dir;
        // The watcher reads the pipe (a background list's own stdin would be
        // /dev/null) and stops the server that the shell becomes (a server
        // started in the background would ignore SIGINT), then removes the
        // files unless the instance is only stopping for a while.
        let script = format!(
            "exec 3<&0; \
             (read _ <&3; kill -INT $$; while kill -0 $$ 2>/dev/null; do sleep 0.1; done; \
             if [ -e '{dir}/{KEEP}' ]; then rm -f '{dir}/{KEEP}'; else rm -rf '{dir}'; fi) & \
             exec '{postgres}' -D '{dir}/data' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 \
             -c max_connections=200 >>'{dir}/log' 2>&1 3<&-",
            postgres = bin_dir().join("postgres").display(),
            dir = dir.display(),
            port = self.port,
        );
        let mut wrapper = command(is_root(), Path::new("sh"), &["-c", &script])
            .stdin(Stdio::piped())
            // Not the test's own output, which its reader waits to close.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start PostgreSQL");
        let stop = wrapper.stdin.take().expect("the wrapper's stdin");
        *self.running.lock().unwrap() = Some((stop, wrapper));
        let started = Instant::now();
        while off_runtime(|| postgres::Client::connect(&self.url("postgres"), postgres::NoTls))
            .is_err()
        {
            assert!(
                started.elapsed() < PATIENCE,
                "PostgreSQL did not start; its log is {}/log",
                dir.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Stops the server (a fast shutdown: open connections are cut) and
    /// waits until it has; [`Postgres::start_again`] brings it back.
    pub fn stop(&self) {
        let Some((stop, mut wrapper)) = self.running.lock().unwrap().take() else {
            return;
        };
        std::fs::write(self.dir.join(KEEP), b"").expect("mark the files to keep");
        drop(stop);
        wrapper.wait().expect("PostgreSQL stops");
    }

    /// Starts the server again on the same files and port.
    pub fn start_again(&self) {
        self.launch();
    }

    /// The URL of database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://tinyim@127.0.0.1:{}/{db}", self.port)
    }

    /// A new empty database; its URL.
    pub fn fresh_database(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{n}");
        off_runtime(|| {
            let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
                .expect("connect to PostgreSQL");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create a database");
        });
        self.url(&name)
    }

    /// The database standing for the SQLite file `path`: the same one each
    /// time the same path is given.
    pub fn database_for(&self, path: &Path) -> String {
        let mut by_path = self.by_path.lock().unwrap();
        if let Some(url) = by_path.get(path) {
            return url.clone();
        }
        let url = self.fresh_database();
        by_path.insert(path.to_owned(), url.clone());
        url
    }
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// `program` with `args`, as Debian's postgres user when running as root.
fn command(as_root: bool, program: &Path, args: &[&str]) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn run(mut command: Command) {
    let out = command.output().expect("run a PostgreSQL program");
    if !out.status.success() {
        let _ = std::io::stderr().write_all(&out.stderr);
        panic!("{command:?} failed: {}", out.status);
    }
}

/// Where initdb and postgres are: `TINYIM_PG_BIN`, else Debian's newest
/// `/usr/lib/postgresql/N/bin`.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TINYIM_PG_BIN") {
        return dir.into();
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .expect("PostgreSQL's programs (Debian's postgresql package; scripts/test installs it)")
}
