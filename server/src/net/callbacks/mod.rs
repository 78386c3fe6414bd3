//! Tencent's callbacks to an application backend (`--callback-url`):
//! `POST URL?SdkAppid=..&CallbackCommand=..&contenttype=json&ClientIP=..&OptPlatform=..`
//! with Tencent's JSON body, through hyper's client.
//!
//! After-callbacks (a message sent, a session's state, a group made, members
//! in and out) are what the engine reported, released after their commit:
//! they go into a bounded queue that one task empties in order, never
//! delaying a delivery; when the queue is full an event is dropped and
//! counted (`tinyim_callbacks_total{result="dropped"}`). Before-callbacks
//! (see [`before_send`]) hold the message until the backend answers or the
//! time is up.

pub(crate) mod before_send;
mod events;

use std::collections::HashSet;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::CertificateDer;

use crate::engine::Happened;

/// The commands a server calls back, by Tencent's names.
pub const COMMANDS: [&str; 8] = [
    "C2C.CallbackBeforeSendMsg",
    "C2C.CallbackAfterSendMsg",
    "Group.CallbackBeforeSendMsg",
    "Group.CallbackAfterSendMsg",
    "State.StateChange",
    "Group.CallbackAfterCreateGroup",
    "Group.CallbackAfterNewMemberJoin",
    "Group.CallbackAfterMemberExit",
];

/// Where and what to call back.
#[derive(Debug, Clone)]
pub struct CallbackConfig {
    /// The backend's URL (`http://` or `https://`).
    pub url: String,
    /// Over HTTPS, a CA certificate (PEM) to trust beside the system's.
    pub ca: Option<std::path::PathBuf>,
    /// The commands to call back ([`COMMANDS`]); all of them when empty.
    pub commands: Vec<String>,
    /// How long a callback may take; a before-callback that takes longer
    /// lets the message through, as Tencent's does.
    pub timeout: Duration,
    /// After-callbacks waiting to go out, at most.
    pub queue: usize,
}

impl CallbackConfig {
    /// Every command to `url`, 2 s a call, 4 096 waiting at most.
    pub fn new(url: &str) -> Self {
        CallbackConfig {
            url: url.to_owned(),
            ca: None,
            commands: Vec::new(),
            timeout: Duration::from_secs(2),
            queue: 4096,
        }
    }
}

/// What [`Callbacks::start`] gives: the link, and the before-send
/// workers' queues.
pub(crate) type Started = (
    std::sync::Arc<Callbacks>,
    Vec<mpsc::Receiver<before_send::Vet>>,
);

/// A running link to the backend.
pub(crate) struct Callbacks {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    url: String,
    app_id: u64,
    commands: HashSet<&'static str>,
    timeout: Duration,
    after: mpsc::Sender<Happened>,
    /// The before-send workers' queues.
    pub(crate) vets: before_send::Queues,
}

/// Why a configuration cannot be served.
pub(crate) fn check(config: &CallbackConfig) -> Result<(), String> {
    let uri: Uri = config
        .url
        .parse()
        .map_err(|e| format!("--callback-url {:?}: {e}", config.url))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(format!(
            "--callback-url {:?}: an http:// or https:// URL",
            config.url
        ));
    }
    if let Some(unknown) = config
        .commands
        .iter()
        .find(|c| !COMMANDS.contains(&c.as_str()))
    {
        return Err(format!(
            "--callback-command {unknown:?}: one of {}",
            COMMANDS.join(", ")
        ));
    }
    Ok(())
}

impl Callbacks {
    /// Starts the after-callbacks' task; `config` was [`check`]ed. The
    /// before-send workers start on the receivers returned, once the
    /// server's shared state exists ([`before_send::start`]). Fails if the
    /// TLS settings do not load (`--callback-ca`).
    pub(crate) fn start(config: &CallbackConfig, app_id: u64) -> Result<Started, String> {
        let (after, queue) = mpsc::channel(config.queue.max(1));
        let (vets, receivers) = before_send::queues();
        let commands = COMMANDS
            .into_iter()
            .filter(|c| config.commands.is_empty() || config.commands.iter().any(|w| w == c))
            .collect();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls(config)?)
            .https_or_http()
            .enable_http1()
            .build();
        let callbacks = std::sync::Arc::new(Callbacks {
            client: Client::builder(TokioExecutor::new()).build(https),
            url: config.url.clone(),
            app_id,
            commands,
            timeout: config.timeout,
            after,
            vets,
        });
        tokio::spawn(send_after(callbacks.clone(), queue));
        Ok((callbacks, receivers))
    }

    /// What the engine reports and hands over for these callbacks.
    pub(crate) fn engine_settings(&self) -> (bool, crate::engine::Vetting) {
        let reporting = COMMANDS
            .iter()
            .any(|c| !c.contains("BeforeSendMsg") && self.wants(c));
        let vetting = crate::engine::Vetting {
            c2c: self.wants("C2C.CallbackBeforeSendMsg"),
            group: self.wants("Group.CallbackBeforeSendMsg"),
        };
        (reporting, vetting)
    }

    /// Whether `command` is called back.
    pub(crate) fn wants(&self, command: &str) -> bool {
        self.commands.contains(command)
    }

    /// Queues an after-callback, or drops it (counted) when the queue is
    /// full: a slow backend never holds up deliveries.
    pub(crate) fn after(&self, what: Happened) {
        let command = events::command_of(&what);
        if !self.wants(command) {
            return;
        }
        if self.after.try_send(what).is_err() {
            crate::stats::callback(command, "dropped");
        }
    }

    /// Posts `body` as `command`; the backend's JSON answer, or `None` if it
    /// failed, was not JSON or took longer than the timeout.
    pub(crate) async fn post(&self, command: &'static str, body: &Value) -> Option<Value> {
        let uri = format!(
            "{}{}SdkAppid={}&CallbackCommand={command}&contenttype=json&ClientIP=&OptPlatform=",
            self.url,
            if self.url.contains('?') { "&" } else { "?" },
            self.app_id,
        );
        let call = async {
            let request = Request::builder()
                .method(Method::POST)
                .uri(uri)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body.to_string())))
                .ok()?;
            let response = self.client.request(request).await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            let bytes = response.into_body().collect().await.ok()?.to_bytes();
            serde_json::from_slice::<Value>(&bytes).ok()
        };
        let answer = tokio::time::timeout(self.timeout, call)
            .await
            .ok()
            .flatten();
        crate::stats::callback(command, if answer.is_some() { "ok" } else { "failed" });
        if answer.is_none() {
            tracing::info!(command, "callback failed or timed out");
        }
        answer
    }
}

/// The TLS settings for an https:// backend: the system's CAs and the one
/// in `config.ca`, if any.
fn tls(config: &CallbackConfig) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot read is one fewer to trust.
        let _ = roots.add(cert);
    }
    if let Some(path) = &config.ca {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("--callback-ca {}: {e}", path.display()))?;
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("--callback-ca {}: {e}", path.display()))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The after-callbacks' task: one at a time, in the order they happened.
async fn send_after(callbacks: std::sync::Arc<Callbacks>, mut queue: mpsc::Receiver<Happened>) {
    while let Some(what) = queue.recv().await {
        let command = events::command_of(&what);
        callbacks.post(command, &events::body_of(&what)).await;
    }
}
