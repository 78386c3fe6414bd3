//! The text profile on a host: tinyim's core built without its `full`
//! feature (login, messages with text and custom elements, conversations
//! with unread counts, read marks), the application as the driver's host
//! (no runner, handle or event queue of the embassy adapter), at the
//! capacities `scripts/footprint` measures on the RP2040. The same code a
//! text-only firmware runs, over tokio TCP instead of embassy-net.
//!
//! [`run`] drives one client: [`Step`]s in, what it [`Seen`] out.

#![warn(missing_docs)]

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use tinyim_core::model::OutgoingMessage;
use tinyim_core::time::Instant;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, CommandError, Config, Event, Resources};
use tinyim_embassy::EmbassyClock;

/// The text profile's capacities, as in `footprint/`: 8 conversations, no
/// group list, 4 requests in flight, 16 queued events, 2 KB frames in,
/// 512 bytes of requests out (a text of about 450 bytes).
pub type TextResources = Resources<8, 0, 4, 16, 2048, 512>;

/// What the application asks of the client.
#[derive(Debug)]
pub enum Step {
    /// Log in as this user with this UserSig.
    Login(String, String),
    /// Send this text to this user.
    Send(String, String),
    /// Mark this conversation read.
    Read(String),
    /// End the driver.
    Stop,
}

/// What the application saw.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// Logged in and synced.
    Ready,
    /// A message: its conversation, sender, element kind, text (for a text
    /// element) and seq. Elements beyond the profile arrive with their kind
    /// and no text.
    Message {
        /// Its conversation id (`C2Cuser`, `GROUPid`, `@TIM#SYSTEM`).
        conversation: String,
        /// Who sent it.
        from: String,
        /// The element's kind (`tinyim_core::wire::elem::elem_kind`).
        kind: u32,
        /// The text of a text element.
        text: Option<String>,
        /// Its seq in the conversation.
        seq: u64,
    },
    /// The unread total after a run of events, when it changed.
    Unread(u64),
    /// A step the client refused at once.
    Refused(CommandError),
}

/// The application as the driver's host: steps in, what it saw out.
struct App {
    steps: UnboundedReceiver<Step>,
    seen: UnboundedSender<Seen>,
    unread: Option<u64>,
}

impl tinyim_driver::Host for App {
    type Command = Step;

    async fn command(&mut self) -> Step {
        self.steps.recv().await.unwrap_or(Step::Stop)
    }

    fn apply(&mut self, client: &mut Client<'_>, now: Instant, step: Step) -> bool {
        let done = match step {
            Step::Login(user, sig) => client.login(now, &user, &sig),
            Step::Send(to, text) => client.send_message(now, &OutgoingMessage::text(&to, &text)),
            Step::Read(conversation) => client.set_message_read(now, &conversation),
            Step::Stop => return false,
        };
        if let Err(e) = done {
            let _ = self.seen.send(Seen::Refused(e));
        }
        true
    }

    async fn event(&mut self, event: Event<'_>) {
        let seen = match event {
            Event::SdkReady => Seen::Ready,
            Event::MessageReceived(m) => Seen::Message {
                conversation: m.conversation_id.to_owned(),
                from: m.from.to_owned(),
                kind: m.elem.kind(),
                text: m.text().map(str::to_owned),
                seq: m.seq,
            },
            _ => return,
        };
        let _ = self.seen.send(seen);
    }

    async fn drained(&mut self, client: &Client<'_>) {
        let unread = client.total_unread();
        if self.unread != Some(unread) {
            self.unread = Some(unread);
            let _ = self.seen.send(Seen::Unread(unread));
        }
    }
}

/// Dials the server over tokio TCP; each connection is a `TcpStream` seen
/// through `embedded-io-async`, as a firmware's embassy-net socket is.
struct Dialer(String);

impl tinyim_driver::Connector for Dialer {
    type Connection<'c> = FromTokio<TcpStream>;
    type Error = std::io::Error;

    async fn connect(&mut self) -> Result<FromTokio<TcpStream>, std::io::Error> {
        let stream = TcpStream::connect(&self.0).await?;
        stream.set_nodelay(true)?;
        Ok(FromTokio::new(stream))
    }
}

/// Runs a text-profile client of the server at `server` until a
/// [`Step::Stop`] (or the end of `steps`). `seed` seeds its message ids.
pub async fn run(
    server: String,
    steps: UnboundedReceiver<Step>,
    seen: UnboundedSender<Seen>,
    seed: u64,
) {
    let mut resources = Box::new(TextResources::new());
    let config = Config::new(DeviceClass::Embedded);
    let mut client = Client::new(&config, &mut resources, EmbassyClock.now(), seed);
    let mut app = App {
        steps,
        seen,
        unread: None,
    };
    tinyim_driver::run(&mut client, &mut Dialer(server), &EmbassyClock, &mut app).await;
}
