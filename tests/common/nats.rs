//! A real NATS server for the cluster tests: Debian's `nats-server` on a
//! free 127.0.0.1 port, stopped when the handle is dropped. `.ci/run` and
//! `scripts/test` install it where it is missing.

use std::process::{Child, Command, Stdio};
use std::time::Instant;

use super::PATIENCE;

/// A running `nats-server`.
pub struct Nats {
    child: Child,
    port: u16,
}

impl Nats {
    /// Starts one and waits until it accepts connections.
    pub fn start() -> Nats {
        Nats::start_on(super::free_port())
    }

    /// Starts one on `port` (again, after [`Nats::stop`]).
    pub fn start_on(port: u16) -> Nats {
        Nats::start_with(port, &[])
    }

    /// Starts one that only lets `user` with `password` in; its URL then
    /// carries them.
    pub fn start_with_credentials(user: &str, password: &str) -> Nats {
        Nats::start_with(super::free_port(), &["--user", user, "--pass", password])
    }

    fn start_with(port: u16, extra: &[&str]) -> Nats {
        let child = Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server (Debian's nats-server package)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "nats-server did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Nats { child, port }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops it (SIGKILL).
    pub fn stop(self) {}

    /// Its URL, for `serve --cluster`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
