//! A local S3-compatible server for the upload store's tests: moto's
//! server (PyPI `moto[server]`, which `scripts/test` installs into
//! `.tools/moto`), started on a free 127.0.0.1 port with one bucket, and
//! stopped with the test.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running S3-compatible server.
pub struct S3 {
    child: Child,
    /// Its URL (`http://127.0.0.1:PORT`).
    pub endpoint: String,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server: `TINYIM_MOTO_SERVER`, else where `scripts/test` puts it.
fn moto_server() -> PathBuf {
    let path = std::env::var_os("TINYIM_MOTO_SERVER").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "no S3-compatible server at {}: run scripts/test, which installs moto",
        path.display()
    );
    path
}

impl S3 {
    /// moto's server on a free port, with `bucket` made.
    pub fn start(bucket: &str) -> S3 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let s3 = S3 {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        // Ready once it accepts (Python starts in about a second).
        let deadline = std::time::Instant::now() + super::PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto_server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let made = super::http_call("PUT", &format!("{}/{bucket}", s3.endpoint), &[], &[], None);
        assert_eq!(
            made.status,
            200,
            "the bucket: {}",
            String::from_utf8_lossy(&made.body)
        );
        s3
    }
}
