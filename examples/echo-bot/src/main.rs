//! An echo bot on the tokio adapter, the program to copy first: it logs in,
//! answers every one-to-one text message with the same text, and keeps
//! going across disconnects and server restarts (the adapter reconnects
//! and resyncs by itself).
//!
//! ```sh
//! export TINYIM_USER_SIG=$(cargo run -p tinyim-server -- usersig mint --user echo)
//! cargo run -p echo-bot          # TINYIM_SERVER (127.0.0.1:7878), TINYIM_USER (echo)
//! ```

use std::process::ExitCode;

use tinyim_tokio::{Config, ConversationType, DeviceClass, Flow, Options, Payload, Tim, TimEvent};

#[tokio::main]
async fn main() -> ExitCode {
    let server = std::env::var("TINYIM_SERVER").unwrap_or_else(|_| "127.0.0.1:7878".into());
    let user = std::env::var("TINYIM_USER").unwrap_or_else(|_| "echo".into());
    // Minted by your backend, never by the client: the key stays there.
    let Ok(user_sig) = std::env::var("TINYIM_USER_SIG") else {
        eprintln!("set TINYIM_USER_SIG (tinyim-server usersig mint --user {user})");
        return ExitCode::FAILURE;
    };
    // A service: it runs beside the user's own devices and kicks none.
    let options = Options {
        config: Config::new(DeviceClass::Service),
        ..Options::default()
    };
    let (tim, mut events) = Tim::connect(server, options);
    if let Err(e) = tim.login(&user, &user_sig).await {
        eprintln!("cannot log in: {e}");
        return ExitCode::FAILURE;
    }
    println!("echoing as {user}");
    // Answers go out from a task of their own, in order: a call awaited in
    // the event loop below would keep it from reading the events the call
    // waits behind.
    let (answers, mut to_send) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    let sender = tim.clone();
    tokio::spawn(async move {
        while let Some((to, text)) = to_send.recv().await {
            if let Err(e) = sender.send_text(&to, &text).await {
                eprintln!("cannot answer {to}: {e}");
            }
        }
    });
    while let Some(event) = events.recv().await {
        match event {
            TimEvent::MessageReceived(m)
                if m.flow == Flow::In && m.conversation_type == ConversationType::C2c =>
            {
                if let Payload::Text(text) = m.payload {
                    let _ = answers.send((m.from, text));
                }
            }
            TimEvent::KickedOut(reason) => {
                eprintln!("kicked out: {reason:?}");
                return ExitCode::FAILURE;
            }
            _ => {}
        }
    }
    ExitCode::SUCCESS
}
