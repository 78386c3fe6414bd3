//! Headless Chromium for the browser client's suites, through ChromeDriver
//! (Debian's `chromium` and `chromium-driver`, installed by `scripts/test`)
//! and WebDriver (`fantoccini`), against pages the server itself serves
//! (`--web-root examples/web-chat`, with `scripts/web-build`'s bundle in it).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use crate::common::{free_port, ServerProcess, APP_ID, KEY, PATIENCE};

/// The example page's directory, which the server serves.
pub fn web_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/web-chat");
    assert!(
        root.join("tim/tinyim_web_bg.wasm").exists(),
        "the browser bundle is missing: run scripts/web-build (scripts/test does)"
    );
    root
}

/// A server whose HTTP listener serves the example page and `/ws`, on
/// `http` (`127.0.0.1:0` for any port).
pub fn web_server(data: &std::path::Path, http: &str) -> ServerProcess {
    let root = web_root();
    ServerProcess::start_with(
        data,
        "127.0.0.1:0",
        &["--http-listen", http, "--web-root", root.to_str().unwrap()],
    )
}

/// What two pages need running: ChromeDriver, the server serving the
/// example page on `http`, and its data directory. Kept until the test
/// ends.
pub struct Setup {
    /// The HTTP listener's address (`host:port`).
    pub http: String,
    /// ChromeDriver, for browsers.
    pub driver: Driver,
    /// The server (a test may kill and replace it).
    pub server: ServerProcess,
    _dir: tempfile::TempDir,
}

impl Setup {
    /// A fresh server serving the example page, and ChromeDriver.
    pub fn start() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let server = web_server(&dir.path().join("tinyim.db"), "127.0.0.1:0");
        Setup {
            http: server.http_addr.clone().unwrap(),
            driver: Driver::start(),
            server,
            _dir: dir,
        }
    }
}

/// A fresh [`Setup`], and alice and bob logged in, each in a browser of
/// their own.
pub async fn alice_and_bob() -> (Setup, Client, Client) {
    let setup = Setup::start();
    let alice = setup.driver.browser().await;
    let bob = setup.driver.browser().await;
    open_and_login(&alice, &setup.http, "alice").await;
    open_and_login(&bob, &setup.http, "bob").await;
    (setup, alice, bob)
}

/// A running ChromeDriver.
pub struct Driver {
    child: Child,
    url: String,
    profiles: tempfile::TempDir,
}

impl Driver {
    pub fn start() -> Driver {
        let port = free_port();
        // A process group of its own, so that the browsers it starts end
        // with it even when a test fails before closing them.
        let child = Command::new("chromedriver")
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; scripts/test installs it)");
        // Ready once it accepts connections.
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            std::thread::yield_now();
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profiles: tempfile::tempdir().unwrap(),
        }
    }

    /// A new headless Chromium with an empty profile of its own (its own
    /// `localStorage`).
    pub async fn browser(&self) -> Client {
        let profile = tempfile::tempdir_in(self.profiles.path()).unwrap().keep();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1100,700",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a WebDriver session");
        let timeouts =
            fantoccini::wd::TimeoutConfiguration::new(Some(PATIENCE), Some(PATIENCE), None);
        client.update_timeouts(timeouts).await.unwrap();
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: ChromeDriver and every browser it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `body` (the inside of an async function) in the page and returns
/// what it returns; a rejection fails the test with its code and words.
pub async fn run(page: &Client, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         (async () => {{ {body} }})().then(
           (value) => done({{ ok: value ?? null }}),
           (e) => done({{ err: `${{e?.code}} ${{e?.message ?? e}}` }}));"
    );
    let answer = page
        .execute_async(&script, vec![])
        .await
        .expect("the script ran");
    match answer.get("ok") {
        Some(value) => value.clone(),
        None => panic!("in the page: {} from:\n{body}", answer["err"]),
    }
}

/// Loads TIM into the page at `http` and logs `user` in: `window.tim`,
/// `window.TIM`, every received message in `window.got`, every event name
/// in `window.events` (and the event in `window.seen`), and `until(f)`, which resolves with `f()` (or what
/// it resolves to) once that is truthy (checked as the page's tasks run, bounded by the script
/// timeout).
pub async fn open_and_login(page: &Client, http: &str, user: &str) {
    page.goto(&format!("http://{http}/")).await.unwrap();
    install(page).await;
    login(page, user).await;
}

/// Loads TIM into the page, not logged in.
pub async fn install(page: &Client) {
    install_bundle(page, PLAIN).await;
}

/// The plain bundle's path on the server.
pub const PLAIN: &str = "/tim/tim.js";
/// The path of the bundle with TIM's relationship chain.
pub const FRIENDSHIP: &str = "/tim/friendship/tim.js";

/// Loads TIM from `bundle` (its path on the server) into the page, not
/// logged in.
pub async fn install_bundle(page: &Client, bundle: &str) {
    let setup = format!(
        "const {{ default: TIM }} = await import('{bundle}');
         const {{ genTestUserSig }} = await import('/usersig.js');
         Object.assign(window, {{ TIM, genTestUserSig, got: [], events: [], seen: [] }});
         window.tim = TIM.create({{ SDKAppID: {app} }});
         tim.on(TIM.EVENT.MESSAGE_RECEIVED, ({{ data }}) => got.push(...data));
         for (const name of Object.values(TIM.EVENT)) tim.on(name, (e) => {{ events.push(e.name); seen.push(e); }});
         window.until = (f) => new Promise((resolve) => {{
           const check = async () => {{ const v = await f(); v ? resolve(v) : setTimeout(check, 10); }};
           check();
         }});",
        app = APP_ID
    );
    run(page, &setup).await;
}

/// Logs `user` in with a UserSig the page makes.
pub async fn login(page: &Client, user: &str) {
    let login = format!(
        "const userSig = await genTestUserSig({{ SDKAppID: {app}, secretKey: '{key}', userID: '{user}' }});
         const answer = await tim.login({{ userID: '{user}', userSig }});
         return answer.code;",
        app = APP_ID,
        key = KEY,
    );
    assert_eq!(run(page, &login).await, json!(0), "{user} logged in");
}

/// A script defining `recordClip()`: a short WebM of a painted canvas
/// (MediaRecorder), resolved as a `File` named `clip.webm`. Each frame is
/// painted and then handed to the recorder (`captureStream(0)`,
/// `requestFrame`), so the clip holds only pictures however busy the
/// machine is.
pub const RECORD_CLIP: &str = "const recordClip = async () => {
   const canvas = document.createElement('canvas');
   [canvas.width, canvas.height] = [320, 240];
   const g = canvas.getContext('2d');
   const stream = canvas.captureStream(0);
   const [track] = stream.getVideoTracks();
   const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
   const parts = [];
   recorder.ondataavailable = (e) => parts.push(e.data);
   const stopped = new Promise((resolve) => (recorder.onstop = resolve));
   recorder.start();
   for (let i = 0; i < 20; i++) {
     const sky = g.createLinearGradient(0, 0, 320, 240);
     sky.addColorStop(0, `hsl(${i * 18}, 70%, 55%)`);
     sky.addColorStop(1, `hsl(${i * 18 + 120}, 70%, 45%)`);
     g.fillStyle = sky;
     g.fillRect(0, 0, 320, 240);
     track.requestFrame();
     await new Promise((resolve) => setTimeout(resolve, 30));
   }
   recorder.stop();
   await stopped;
   return new File(parts, 'clip.webm', { type: 'video/webm' });
 };
";
