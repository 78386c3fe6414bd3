//! A terminal chat client on the tokio adapter.
//!
//! Interactive: `desktop-chat --user alice`, then `/open bob` (or
//! `/create community team`, `/join <group>`, `/group <id>`), type to send,
//! `/list` for conversations, `/groups`, `/quit`. Scripts: `--send bob "hello"` sends one
//! message and exits once it is acknowledged; `--dump` prints the conversation
//! list and recent messages as JSON lines.

mod element_commands;
mod friend_commands;
mod group_commands;
mod interactive;
mod lines;
mod media_commands;
mod receipt_commands;
mod render;
mod script;
mod user_commands;

use std::process::ExitCode;

use clap::Parser;
use script::ScriptError;
use tinyim_tokio::{Config, DeviceClass, Options, Tim, Tls};

/// The development SDKAppID and key `tinyim-server serve` uses by default.
const DEV_APP_ID: u64 = 1_400_000_000;
const DEV_KEY: &str = "tinyim-development-key-not-for-production";

#[derive(Parser, Debug)]
#[command(
    name = "desktop-chat",
    version,
    about = "Terminal chat client for tinyim"
)]
pub(crate) struct Cli {
    /// Your user id.
    #[arg(long)]
    user: String,
    /// Server address; several separated by commas (a cluster's nodes)
    /// are tried in turn.
    #[arg(long, env = "TINYIM_SERVER", default_value = "127.0.0.1:7878")]
    server: String,
    /// SDKAppID, to mint a UserSig locally (development only).
    #[arg(long, env = "TINYIM_APP_ID", default_value_t = DEV_APP_ID)]
    app_id: u64,
    /// Secret key, to mint a UserSig locally (development only).
    #[arg(long, env = "TINYIM_KEY", default_value = DEV_KEY, hide_default_value = true)]
    key: String,
    /// A UserSig from your backend; takes precedence over --app-id/--key.
    #[arg(long, env = "TINYIM_USER_SIG")]
    user_sig: Option<String>,
    /// Send one message to this user and exit: `--send bob "hello"`.
    #[arg(long, num_args = 2, value_names = ["TO", "TEXT"])]
    send: Option<Vec<String>>,
    /// Print conversations and their latest messages as JSON lines, then exit.
    #[arg(long)]
    dump: bool,
    /// Store what /image, /file and /voice send in this directory (an
    /// upload plugin whose file:// URLs only this machine opens) instead of
    /// the server's upload service.
    #[arg(long, env = "TINYIM_UPLOAD_DIR")]
    upload_dir: Option<std::path::PathBuf>,
    /// Connect over TLS, trusting the CA certificates in this PEM file
    /// (`tinyim-server tls-dev-cert` writes one as ca.pem).
    #[arg(long, env = "TINYIM_TLS_CA")]
    tls_ca: Option<std::path::PathBuf>,
    /// The name the server's certificate must carry; by default the host
    /// part of --server.
    #[arg(long, env = "TINYIM_TLS_NAME", requires = "tls_ca")]
    tls_name: Option<String>,
}

impl Cli {
    /// The client's options: TLS when --tls-ca is given; a one-shot
    /// command (`--send`, `--dump`) logs in as a service, which kicks no
    /// open chat of the same user.
    fn options(&self) -> Result<Options, String> {
        let device = if self.send.is_some() || self.dump {
            DeviceClass::Service
        } else {
            DeviceClass::Desktop
        };
        let options = Options {
            config: Config::new(device),
            ..Options::default()
        };
        let Some(ca) = &self.tls_ca else {
            return Ok(options);
        };
        let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        let host = self
            .server
            .rsplit_once(':')
            .map_or(&*self.server, |(h, _)| h);
        let name = self.tls_name.as_deref().unwrap_or(host);
        let tls = Tls::with_ca_pem(&pem, name).map_err(|e| format!("{}: {e}", ca.display()))?;
        Ok(Options {
            tls: Some(tls),
            ..options
        })
    }

    fn user_sig(&self) -> String {
        self.user_sig.clone().unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            tinyim_server::usersig::mint(self.app_id, &self.key, &self.user, 86_400, now)
        })
    }
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(chat());
    // Not waiting for the terminal reader, blocked in a read of stdin that
    // only the next Enter would end: /quit and a kick exit at once.
    runtime.shutdown_background();
    code
}

/// Why `text` cannot be a message, if it cannot.
pub(crate) fn unsendable(text: &str) -> Option<String> {
    let max = tinyim_core::wire::MAX_MESSAGE_BODY;
    if text.is_empty() {
        Some("the message is empty".to_owned())
    } else if text.len() > max {
        Some(format!(
            "the message is {} bytes, over the {max} a message holds; split it",
            text.len()
        ))
    } else {
        None
    }
}

async fn chat() -> ExitCode {
    let cli = Cli::parse();
    let options = match cli.options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("cannot use TLS: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(send) = &cli.send {
        // As the interactive chat: an empty line is not a message, and one
        // over the limit is refused before it goes.
        if let Some(why) = unsendable(&send[1]) {
            eprintln!("nothing sent: {why}");
            return ExitCode::from(2);
        }
    }
    let (tim, events) = Tim::connect(cli.server.clone(), options);
    let sig = cli.user_sig();
    let result = if let Some(send) = &cli.send {
        script::send(&tim, events, &cli, &sig, &send[0], &send[1]).await
    } else if cli.dump {
        script::dump(&tim, events, &cli, &sig).await
    } else {
        interactive::run(&tim, events, &cli, &sig)
            .await
            .map_err(ScriptError::Call)
    };
    tim.shutdown().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
