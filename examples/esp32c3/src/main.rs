//! tinyim on an ESP32-C3: joins WiFi, logs in, logs every received message on
//! the serial console, sends a message when the BOOT button (GPIO 9) is
//! pressed, switches the LED on GPIO 8 (a plain, active-low LED, as on the
//! common ESP32-C3 SuperMini boards; the DevKitM-1's addressable RGB LED
//! needs a driver instead) on a custom message `{"cmd":"led","on":true}` and
//! answers `{"led":true}`, and keeps its sync state in flash so a reboot
//! resumes without refetching. Settings come from the environment at build time; see the
//! README.

#![no_std]
#![no_main]

#[cfg(feature = "tls")]
mod radio_rng;

use core::net::SocketAddrV4;

use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::StackResources;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use esp_backtrace as _;
use esp_hal::clock::CpuClock;
use esp_hal::gpio::{Input, InputConfig, Level, Output, OutputConfig, Pull};
use esp_hal::rng::Rng;
use esp_hal::timer::timg::TimerGroup;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{
    AuthenticationMethodConfig, Config as WifiConfig, ControllerConfig, Interface, WifiController,
};
use log::{info, warn};
use static_cell::StaticCell;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, Config, DeviceResources};
use tinyim_embassy::{Handle, OwnedEvent, Runner, Shared, TcpConnector};

use embassy_embedded_hal::adapter::BlockingAsync;
use esp_storage::FlashStorage;
use tinyim_device_common::{
    answer_switches, led_command, send_on_press, settings, FlashStore, Restored, Switches,
};

esp_bootloader_esp_idf::esp_app_desc!();

type Tim = Handle<'static, CriticalSectionRawMutex, 8>;
/// The sync state lives in the 24 KiB `nvs` data partition of the default
/// partition table, which this firmware does not otherwise use.
const STATE_REGION: core::ops::Range<u32> = 0x9000..0xF000;

type Store = FlashStore<BlockingAsync<FlashStorage<'static>>>;
/// Plain TCP, or TLS over it with the `tls` feature.
#[cfg(not(feature = "tls"))]
type Connector = TcpConnector<'static>;
#[cfg(feature = "tls")]
type Connector = tinyim_embassy::TlsConnector<'static, TcpConnector<'static>, radio_rng::RadioRng>;
type TinyimRunner = Runner<'static, Connector, CriticalSectionRawMutex, 8, Store>;

static SHARED: Shared<CriticalSectionRawMutex, 8> = Shared::new();
/// LED switches for the task that answers them.
static SWITCHES: Switches<CriticalSectionRawMutex> = Switches::new();

#[embassy_executor::task]
async fn wifi_task(mut controller: WifiController<'static>) {
    loop {
        match controller.connect_async().await {
            Ok(_) => {
                info!("WiFi connected");
                let _ = controller.wait_for_disconnect_async().await;
                warn!("WiFi disconnected");
            }
            Err(e) => warn!("WiFi connect failed: {e:?}"),
        }
        embassy_time::Timer::after_secs(5).await;
    }
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Interface>) {
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
#[esp_hal::main]
async fn main(spawner: Spawner) -> ! {
    esp_println::logger::init_logger_from_env();
    let peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::max()));
    // The radio allocates; tinyim does not.
    esp_alloc::heap_allocator!(size: 72 * 1024);
    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);

    let station = WifiConfig::Station(
        StationConfig::default()
            .with_ssid(settings::WIFI_SSID.try_into().unwrap_or_default())
            .with_authentication(AuthenticationMethodConfig::Wpa2Personal(
                settings::WIFI_PASSWORD.try_into().unwrap_or_default(),
            )),
    );
    let controller = match WifiController::new(
        peripherals.WIFI,
        ControllerConfig::default().with_initial_config(station),
    ) {
        Ok(controller) => controller,
        Err(e) => panic!("WiFi init failed: {e:?}"),
    };
    let rng = Rng::new();
    let seed = (u64::from(rng.random()) << 32) | u64::from(rng.random());
    static NET: StaticCell<StackResources<3>> = StaticCell::new();
    let (stack, net_runner) = embassy_net::new(
        Interface::station(),
        embassy_net::Config::dhcpv4(Default::default()),
        NET.init(StackResources::new()),
        seed,
    );
    spawner.spawn(wifi_task(controller).unwrap());
    spawner.spawn(net_task(net_runner).unwrap());
    stack.wait_config_up().await;
    info!("network up");

    let mut store = FlashStore::new(
        BlockingAsync::new(FlashStorage::new(peripherals.FLASH)),
        STATE_REGION,
    );
    static RESOURCES: StaticCell<DeviceResources> = StaticCell::new();
    let now = tinyim_embassy::EmbassyClock.now();
    let mut client = Client::new(
        &Config::new(DeviceClass::Embedded),
        RESOURCES.init(DeviceResources::new()),
        now,
        seed,
    );
    match store.restore(&mut client).await {
        Restored::Resumed(bytes) => info!("sync state restored ({bytes} bytes)"),
        Restored::Nothing => info!("no saved sync state"),
        Restored::Unusable(e) => warn!("saved sync state unusable: {e}"),
        Restored::ReadFailed => warn!("flash read failed; starting fresh"),
    }

    let server: SocketAddrV4 = match settings::SERVER.parse() {
        Ok(addr) => addr,
        Err(_) => panic!("TINYIM_SERVER must be IPv4:port"),
    };
    static SOCKET_BUFFERS: StaticCell<([u8; 2048], [u8; 2048])> = StaticCell::new();
    let (socket_rx, socket_tx) = SOCKET_BUFFERS.init(([0; 2048], [0; 2048]));
    let socket = TcpSocket::new(stack, socket_rx, socket_tx);
    let tcp = TcpConnector::new(socket, (*server.ip(), server.port()));
    #[cfg(not(feature = "tls"))]
    let connector = tcp;
    #[cfg(feature = "tls")]
    let Some(connector) = tinyim_device_common::over_tls(tcp, radio_rng::RadioRng(rng)) else {
        panic!("the TLS record buffers are taken once");
    };

    static STATE_BUF: StaticCell<[u8; 3072]> = StaticCell::new();
    let state = STATE_BUF.init([0; 3072]);
    static RUNNER: StaticCell<TinyimRunner> = StaticCell::new();
    let runner = RUNNER.init(Runner::new(client, connector, &SHARED, store, state));
    spawner.spawn(tinyim_task(runner).unwrap());

    let tim = SHARED.handle();
    let button = Input::new(
        peripherals.GPIO9,
        InputConfig::default().with_pull(Pull::Up),
    );
    spawner.spawn(button_task(button, tim).unwrap());
    spawner.spawn(led_answer_task(tim).unwrap());
    // Off until asked (active low).
    let mut led = Output::new(peripherals.GPIO8, Level::High, OutputConfig::default());

    match tim.login(settings::USER, settings::USER_SIG).await {
        Ok(()) => info!("logged in as {}", settings::USER),
        Err(e) => warn!("login failed: {}", e.code()),
    }
    loop {
        match tim.next_event().await {
            OwnedEvent::MessageReceived(m) => {
                info!("[{} #{}] {}: {}", m.conversation, m.seq, m.from, m.text);
                if let Some(on) = led_command(&m) {
                    led.set_level(if on { Level::Low } else { Level::High });
                    // Answered by its own task: this loop never waits for a call.
                    if SWITCHES.try_send((m.from, on)).is_err() {
                        warn!("LED switches come faster than they are answered");
                    }
                }
            }
            OwnedEvent::MessageReadByPeer {
                conversation,
                peer_read_seq,
            } => info!("[{conversation}] read up to #{peer_read_seq}"),
            OwnedEvent::MessageRevoked {
                conversation,
                seq,
                revoker,
            } => info!("[{conversation}] #{seq} revoked by {revoker}"),
            OwnedEvent::GroupSystemNotice(n) => {
                info!(
                    "[{}] notice {:?} from {}: {}",
                    n.group_id, n.op, n.operator, n.text
                )
            }
            OwnedEvent::KickedOut(reason) => warn!("kicked out: {reason:?}"),
            OwnedEvent::NetStateChange(state) => info!("net: {state:?}"),
            OwnedEvent::SyncComplete => info!("synced"),
            _ => {}
        }
    }
}
