//! A text-only device in a terminal: the text profile against a tinyim
//! server. It prints what it receives and the unread total; each line typed
//! is `USER TEXT` (send), `/read CONVERSATION` (mark read) or `/quit`.
//!
//! `cargo run -- 127.0.0.1:7878 device-1 "$(tinyim-server usersig mint --user device-1)"`

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc::unbounded_channel;

use tinyim_text_device::{run, Seen, Step};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [server, user, sig] = <[String; 3]>::try_from(args).unwrap_or_else(|_| {
        eprintln!("usage: tinyim-text-device SERVER USER USERSIG");
        std::process::exit(2);
    });
    let (steps, steps_rx) = unbounded_channel();
    let (seen_tx, mut seen) = unbounded_channel();
    let _ = steps.send(Step::Login(user, sig));
    let printer = async {
        while let Some(s) = seen.recv().await {
            match s {
                Seen::Message {
                    conversation,
                    from,
                    text: Some(text),
                    ..
                } => println!("[{conversation}] {from}: {text}"),
                Seen::Message {
                    conversation,
                    from,
                    kind,
                    ..
                } => println!("[{conversation}] {from}: (an element of kind {kind})"),
                Seen::Ready => println!("ready"),
                Seen::Unread(n) => println!("unread: {n}"),
                Seen::Refused(e) => println!("refused: {e}"),
            }
        }
    };
    let typist = async {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let step = match line.split_once(' ') {
                Some(("/read", conversation)) => Step::Read(conversation.to_owned()),
                Some((to, text)) => Step::Send(to.to_owned(), text.to_owned()),
                None if line == "/quit" => break,
                None => continue,
            };
            let _ = steps.send(step);
        }
        let _ = steps.send(Step::Stop);
    };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    tokio::join!(run(server, steps_rx, seen_tx, seed), printer, typist);
}
