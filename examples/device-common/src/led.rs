//! The board's LED, switched by a custom message `{"cmd":"led","on":true}`;
//! the device answers the sender with `{"led":true}` (custom messages are
//! how a firmware tells its commands from chat).

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::channel::Channel;
use serde::{Deserialize, Serialize};
use tinyim_core::model::UserId;
use tinyim_embassy::{Handle, HandleError, MessageKind, ReceivedMessage, Sent};

/// The command, as JSON.
#[derive(Deserialize)]
struct LedCommand<'a> {
    cmd: &'a str,
    on: bool,
}

/// The answer, as JSON.
#[derive(Serialize)]
struct LedStatus {
    led: bool,
}

/// Switches waiting to be reported: who asked, and the LED's new state.
pub type Switches<M> = Channel<M, (UserId, bool), 4>;

/// Whether `message` is an LED command, and which state it asks for.
pub fn led_command(message: &ReceivedMessage) -> Option<bool> {
    if message.kind != MessageKind::Custom {
        return None;
    }
    let command: LedCommand<'_> = message.custom_json().ok()?;
    (command.cmd == "led").then_some(command.on)
}

/// Answers each switch to whoever asked for it, reporting every outcome to
/// `report`. Runs in a task of its own: the task that reads events never
/// waits for a call (it hands switches over with `try_send`).
pub async fn answer_switches<M: RawMutex, const EVENTS: usize>(
    tim: Handle<'_, M, EVENTS>,
    switches: &Switches<M>,
    mut report: impl FnMut(Result<Sent, HandleError>),
) -> ! {
    loop {
        let (user, on) = switches.receive().await;
        report(tim.send_custom_json(&user, &LedStatus { led: on }).await);
    }
}
