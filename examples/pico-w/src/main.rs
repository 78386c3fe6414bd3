//! tinyim on a Raspberry Pi Pico W: joins WiFi, logs in, logs received
//! messages over defmt-rtt, sends a message when the button on GPIO 15 (to
//! ground) is pressed, switches its LED on a custom message
//! `{"cmd":"led","on":true}` and answers `{"led":true}`, and keeps its sync
//! state in flash so a reboot resumes
//! without refetching. Settings come from the environment at build time; see
//! the README.

#![no_std]
#![no_main]

use core::net::SocketAddrV4;

use cyw43::{aligned_bytes, JoinOptions};
use cyw43_pio::{PioSpi, DEFAULT_CLOCK_DIVIDER};
use defmt::{info, unwrap, warn};
use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::StackResources;
use embassy_rp::clocks::RoscRng;
use embassy_rp::flash::{Async, Flash};
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::peripherals::{DMA_CH0, DMA_CH1, FLASH, PIO0};
use embassy_rp::pio::{InterruptHandler, Pio};
use embassy_rp::{bind_interrupts, dma};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use static_cell::StaticCell;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, DeviceResources};
use tinyim_embassy::{Handle, OwnedEvent, Runner, Shared, TcpConnector};
use {defmt_rtt as _, panic_probe as _};

use tinyim_device_common::{
    answer_switches, led_command, send_on_press, settings, FlashStore, Restored, Switches,
};

bind_interrupts!(struct Irqs {
    PIO0_IRQ_0 => InterruptHandler<PIO0>;
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>, dma::InterruptHandler<DMA_CH1>;
});

type Tim = Handle<'static, CriticalSectionRawMutex, 8>;
/// Flash size of the Pico W.
const FLASH_SIZE: usize = 2 * 1024 * 1024;
/// The sync state lives in the last 64 KiB of flash.
const STATE_REGION: core::ops::Range<u32> = (FLASH_SIZE as u32 - 64 * 1024)..FLASH_SIZE as u32;

type Store = FlashStore<Flash<'static, FLASH, Async, FLASH_SIZE>>;
/// Plain TCP, or TLS over it with the `tls` feature.
#[cfg(not(feature = "tls"))]
type Connector = TcpConnector<'static>;
#[cfg(feature = "tls")]
type Connector = tinyim_embassy::TlsConnector<'static, TcpConnector<'static>, RoscRng>;
type TinyimRunner = Runner<'static, Connector, CriticalSectionRawMutex, 8, Store>;

static SHARED: Shared<CriticalSectionRawMutex, 8> = Shared::new();
/// LED switches for the task that answers them.
static SWITCHES: Switches<CriticalSectionRawMutex> = Switches::new();

#[embassy_executor::task]
async fn cyw43_task(
    runner: cyw43::Runner<'static, cyw43::SpiBus<Output<'static>, PioSpi<'static, PIO0, 0>>>,
) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, cyw43::NetDriver<'static>>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn tinyim_task(runner: &'static mut TinyimRunner) {
    runner.run().await
}

#[embassy_executor::task]
async fn button_task(mut button: Input<'static>, tim: Tim) {
    let press = async || button.wait_for_falling_edge().await;
    send_on_press(tim, press, |result| match result {
        Ok(sent) => info!("sent #{}", sent.seq),
        Err(e) => warn!("send failed: {}", e.code()),
    })
    .await
}

#[embassy_executor::task]
async fn led_answer_task(tim: Tim) {
    answer_switches(tim, &SWITCHES, |result| match result {
        Ok(sent) => info!("LED state sent #{}", sent.seq),
        Err(e) => warn!("LED state not sent: {}", e.code()),
    })
    .await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut rng = RoscRng;

    // The WiFi firmware must be 4-byte aligned.
    static FW: &cyw43::Aligned<cyw43::A4, [u8]> = &cyw43::Aligned(*cyw43_firmware::CYW43_43439A0);
    let clm = cyw43_firmware::CYW43_43439A0_CLM;
    let nvram = aligned_bytes!(concat!(env!("OUT_DIR"), "/nvram_rp2040.bin"));

    let pwr = Output::new(p.PIN_23, Level::Low);
    let cs = Output::new(p.PIN_25, Level::High);
    let mut pio = Pio::new(p.PIO0, Irqs);
    let spi = PioSpi::new(
        &mut pio.common,
        pio.sm0,
        DEFAULT_CLOCK_DIVIDER,
        pio.irq0,
        cs,
        p.PIN_24,
        p.PIN_29,
        dma::Channel::new(p.DMA_CH0, Irqs),
    );
    static STATE: StaticCell<cyw43::State> = StaticCell::new();
    let (net_device, mut control, runner) =
        cyw43::new(STATE.init(cyw43::State::new()), pwr, spi, FW, nvram).await;
    spawner.spawn(unwrap!(cyw43_task(runner)));
    control.init(clm).await;

    static NET: StaticCell<StackResources<3>> = StaticCell::new();
    let config = embassy_net::Config::dhcpv4(Default::default());
    let (stack, net_runner) = embassy_net::new(
        net_device,
        config,
        NET.init(StackResources::new()),
        rng.next_u64(),
    );
    spawner.spawn(unwrap!(net_task(net_runner)));
    while let Err(e) = control
        .join(
            settings::WIFI_SSID,
            JoinOptions::new(settings::WIFI_PASSWORD.as_bytes()),
        )
        .await
    {
        warn!("WiFi join failed: {}", e);
    }
    stack.wait_config_up().await;
    info!("network up");

    // The client, restored from flash when a saved state is there.
    let flash = Flash::<FLASH, Async, FLASH_SIZE>::new(p.FLASH, p.DMA_CH1, Irqs);
    let mut store = FlashStore::new(flash, STATE_REGION);
    static RESOURCES: StaticCell<DeviceResources> = StaticCell::new();
    let now = tinyim_embassy::EmbassyClock.now();
    let mut client = Client::new(
        &Config::new(DeviceClass::Embedded),
        RESOURCES.init(DeviceResources::new()),
        now,
        rng.next_u64(),
    );
    match store.restore(&mut client).await {
        Restored::Resumed(bytes) => info!("sync state restored ({} bytes)", bytes),
        Restored::Nothing => info!("no saved sync state"),
        Restored::Unusable(e) => warn!("saved sync state unusable: {}", e),
        Restored::ReadFailed => warn!("flash read failed; starting fresh"),
    }

    let server: SocketAddrV4 = unwrap!(settings::SERVER.parse().ok());
    static SOCKET_BUFFERS: StaticCell<([u8; 2048], [u8; 2048])> = StaticCell::new();
    let (socket_rx, socket_tx) = SOCKET_BUFFERS.init(([0; 2048], [0; 2048]));
    let socket = TcpSocket::new(stack, socket_rx, socket_tx);
    let tcp = TcpConnector::new(socket, (*server.ip(), server.port()));
    #[cfg(not(feature = "tls"))]
    let connector = tcp;
    #[cfg(feature = "tls")]
    let connector = unwrap!(tinyim_device_common::over_tls(tcp, RoscRng));

    static STATE_BUF: StaticCell<[u8; 3072]> = StaticCell::new();
    let state = STATE_BUF.init([0; 3072]);
    static RUNNER: StaticCell<TinyimRunner> = StaticCell::new();
    let runner = RUNNER.init(Runner::new(client, connector, &SHARED, store, state));
    spawner.spawn(unwrap!(tinyim_task(runner)));

    let tim = SHARED.handle();
    let button = Input::new(p.PIN_15, Pull::Up);
    spawner.spawn(unwrap!(button_task(button, tim)));
    spawner.spawn(unwrap!(led_answer_task(tim)));

    match tim.login(settings::USER, settings::USER_SIG).await {
        Ok(()) => info!("logged in as {}", settings::USER),
        Err(e) => warn!("login failed: {}", e.code()),
    }
    loop {
        match tim.next_event().await {
            OwnedEvent::MessageReceived(m) => {
                info!(
                    "[{} #{}] {}: {}",
                    m.conversation.as_str(),
                    m.seq,
                    m.from.as_str(),
                    m.text.as_str()
                );
                if let Some(on) = led_command(&m) {
                    // The LED is on the WiFi chip's GPIO 0.
                    control.gpio_set(0, on).await;
                    // Answered by its own task: this loop never waits for a call.
                    if SWITCHES.try_send((m.from, on)).is_err() {
                        warn!("LED switches come faster than they are answered");
                    }
                }
            }
            OwnedEvent::MessageReadByPeer {
                conversation,
                peer_read_seq,
            } => info!("[{}] read up to #{}", conversation.as_str(), peer_read_seq),
            OwnedEvent::MessageRevoked {
                conversation,
                seq,
                revoker,
            } => info!(
                "[{}] #{} revoked by {}",
                conversation.as_str(),
                seq,
                revoker.as_str()
            ),
            OwnedEvent::GroupSystemNotice(n) => info!(
                "[{}] notice {} from {}: {}",
                n.group_id.as_str(),
                n.op,
                n.operator.as_str(),
                n.text.as_str()
            ),
            OwnedEvent::KickedOut(reason) => warn!("kicked out: {}", reason),
            OwnedEvent::NetStateChange(state) => info!("net: {}", state),
            OwnedEvent::SyncComplete => info!("synced"),
            _ => {}
        }
    }
}
