//! The text profile `scripts/footprint` measures, run against the real
//! server over tokio TCP on 127.0.0.1: the application is the driver's
//! host (no runner, handle or event queue), at the profile's capacities (8
//! conversations, no group list, 4 requests in flight, 2 KB frames in, 512
//! bytes out). It logs in, receives, counts unread messages, sends and
//! marks read, and a group it is a member of costs it nothing it lacks room
//! for.

mod common;

use common::{sig, start_server, PATIENCE};
use host_embassy::TokioTcp;
use tinyim_core::model::OutgoingMessage;
use tinyim_core::time::Instant;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, Event, Resources};
use tinyim_embassy::EmbassyClock;
use tinyim_tokio::{GroupOptions, GroupType, Options, Tim, TimEvent};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// The text profile's capacities, as in `footprint/`.
type TextResources = Resources<8, 0, 4, 16, 2048, 512>;

/// What the scenario asks the application to do.
enum Step {
    Login,
    Send(&'static str, &'static str),
    Read(&'static str),
    Stop,
}

/// What the application saw, for the scenario to check.
#[derive(Debug, PartialEq)]
enum Seen {
    Ready,
    /// Conversation, sender, text, seq.
    Message(String, String, String, u64),
    /// A group system notice, in this conversation.
    Notice(String),
    /// The unread total after a run of events.
    Unread(u64),
    /// A command the client refused at once.
    Refused,
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
            Step::Login => client.login(now, "device-1", &sig("device-1")),
            Step::Send(to, text) => client.send_message(now, &OutgoingMessage::text(to, text)),
            Step::Read(conversation) => client.set_message_read(now, conversation),
            Step::Stop => return false,
        };
        if done.is_err() {
            let _ = self.seen.send(Seen::Refused);
        }
        true
    }

    async fn event(&mut self, event: Event<'_>) {
        let seen = match event {
            Event::SdkReady => Seen::Ready,
            Event::GroupSystemNotice(m) => Seen::Notice(m.conversation_id.to_owned()),
            Event::MessageReceived(m) => Seen::Message(
                m.conversation_id.to_owned(),
                m.from.to_owned(),
                m.text().unwrap_or_default().to_owned(),
                m.seq,
            ),
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

/// The next thing seen that `pick` keeps.
async fn until<T>(
    seen: &mut UnboundedReceiver<Seen>,
    mut pick: impl FnMut(Seen) -> Option<T>,
) -> T {
    loop {
        let next = seen.recv().await.expect("the application is running");
        if let Some(kept) = pick(next) {
            return kept;
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_text_profile_chats_and_counts_unread_messages_as_the_drivers_host() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let mut resources = Box::new(TextResources::new());
    let mut client = Client::new(
        &Config::new(DeviceClass::Embedded),
        &mut resources,
        Instant::from_millis(embassy_time::Instant::now().as_millis()),
        7,
    );
    let (steps, steps_rx) = unbounded_channel();
    let (seen_tx, mut seen) = unbounded_channel();
    let mut app = App {
        steps: steps_rx,
        seen: seen_tx,
        unread: None,
    };
    let mut connector = TokioTcp::new(addr.clone());
    let device = tinyim_driver::run(&mut client, &mut connector, &EmbassyClock, &mut app);

    let scenario = async {
        steps.send(Step::Login).unwrap();
        until(&mut seen, |s| (s == Seen::Ready).then_some(())).await;

        let (alice, mut alice_events) = Tim::connect(addr.clone(), Options::default());
        alice.login("alice", &sig("alice")).await.unwrap();
        alice.send_text("device-1", "ping").await.unwrap();
        alice.send_text("device-1", "ping again").await.unwrap();
        let first = until(&mut seen, |s| matches!(s, Seen::Message(..)).then_some(s)).await;
        assert_eq!(
            first,
            Seen::Message("C2Calice".into(), "alice".into(), "ping".into(), 1)
        );
        let second = until(&mut seen, |s| matches!(s, Seen::Message(..)).then_some(s)).await;
        assert_eq!(
            second,
            Seen::Message("C2Calice".into(), "alice".into(), "ping again".into(), 2)
        );
        until(&mut seen, |s| (s == Seen::Unread(2)).then_some(())).await;

        // A group with the device in it: no group list kept, yet the
        // notice of its joining and the group's messages arrive and count.
        let mut options = GroupOptions::new(GroupType::Work, "team");
        options.members = vec!["device-1".into()];
        let group = alice.create_group(options).await.unwrap();
        let notice = until(&mut seen, |s| match s {
            Seen::Notice(conversation) => Some(conversation),
            _ => None,
        })
        .await;
        assert_eq!(notice, "@TIM#SYSTEM");
        alice.send_group_text(&group, "to the team").await.unwrap();
        let in_group = until(&mut seen, |s| match s {
            Seen::Message(conversation, _, text, _) if text == "to the team" => Some(conversation),
            _ => None,
        })
        .await;
        assert_eq!(in_group, format!("GROUP{group}"));
        until(&mut seen, |s| (s == Seen::Unread(4)).then_some(())).await;

        steps.send(Step::Send("alice", "pong")).unwrap();
        loop {
            if let TimEvent::MessageReceived(m) = alice_events.recv().await.unwrap() {
                if m.payload.text() == Some("pong") {
                    assert_eq!((m.from.as_str(), m.seq), ("device-1", 3));
                    break;
                }
            }
        }
        // The two from alice are read; the notice and the group's message
        // stay unread.
        steps.send(Step::Read("C2Calice")).unwrap();
        until(&mut seen, |s| (s == Seen::Unread(2)).then_some(())).await;

        // A text past the 512-byte outbox is refused at once, not sent.
        steps.send(Step::Send("alice", LONG_TEXT)).unwrap();
        until(&mut seen, |s| (s == Seen::Refused).then_some(())).await;
        steps.send(Step::Stop).unwrap();
    };
    let ran = tokio::time::timeout(PATIENCE, async { tokio::join!(device, scenario) }).await;
    assert!(ran.is_ok(), "the scenario took longer than {PATIENCE:?}");
}

/// 600 bytes: more than the profile's outbox holds.
const LONG_TEXT: &str = concat!(
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
);
