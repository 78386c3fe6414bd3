//! The base: an embassy firmware that moves bytes over a buffered UART. With
//! the `tinyim` feature the same UART carries a tinyim client (core + embassy
//! adapter at device capacities) instead, driven through every call of the
//! handle, so the difference between the two builds is what tinyim costs.
//! With the `minimq` feature it carries a minimal minimq client (connect,
//! subscribe, publish at QoS1, receive) with the same 2 KB receive and
//! transmit buffers, for comparison. With the `tls` feature tinyim runs
//! over TLS 1.3 on the UART, to measure what TLS adds.

#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::peripherals::UART0;
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config};
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
});

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    cortex_m::asm::udf()
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    static UART_BUFFERS: StaticCell<([u8; 256], [u8; 256])> = StaticCell::new();
    let (tx_buf, rx_buf) = UART_BUFFERS.init(([0; 256], [0; 256]));
    let uart = BufferedUart::new(
        p.UART0,
        p.PIN_0,
        p.PIN_1,
        Irqs,
        tx_buf,
        rx_buf,
        Config::default(),
    );
    run(spawner, uart).await;
}

#[cfg(not(any(feature = "tinyim", feature = "minimq", feature = "text")))]
async fn run(_spawner: Spawner, mut uart: BufferedUart) {
    use embedded_io_async::{Read, Write};
    let mut buf = [0u8; 64];
    loop {
        if let Ok(n) = uart.read(&mut buf).await {
            let _ = uart.write_all(&buf[..n]).await;
        }
    }
}

/// The UART as a tinyim connection, for both tinyim builds.
#[cfg(any(feature = "tinyim", feature = "text"))]
mod uart {
    use embassy_rp::uart::BufferedUart;

    /// The UART as a tinyim connector: always "connected"; each connection
    /// borrows it.
    pub struct UartConnector(pub BufferedUart);

    /// The UART while a connection is open.
    pub struct UartConnection<'c>(&'c mut BufferedUart);

    impl embedded_io_async::ErrorType for UartConnection<'_> {
        type Error = embassy_rp::uart::Error;
    }

    impl embedded_io_async::Read for UartConnection<'_> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            self.0.read(buf).await
        }
    }

    impl embedded_io_async::Write for UartConnection<'_> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
            self.0.write(buf).await
        }
        async fn flush(&mut self) -> Result<(), Self::Error> {
            self.0.flush().await
        }
    }

    impl tinyim_driver::Connector for UartConnector {
        type Connection<'c> = UartConnection<'c>;
        type Error = embassy_rp::uart::Error;

        async fn connect(&mut self) -> Result<UartConnection<'_>, Self::Error> {
            Ok(UartConnection(&mut self.0))
        }
    }
}

#[cfg(feature = "tinyim")]
mod with_tinyim {
    use super::uart::UartConnector;
    use super::*;
    use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
    use tinyim_core::wire::body::DeviceClass;
    use tinyim_core::{Client, Config as TimConfig, DeviceResources};
    use tinyim_embassy::{OwnedEvent, Runner, Shared};

    /// The UART, or TLS over it with the `tls` feature.
    #[cfg(not(feature = "tls"))]
    type Connector = UartConnector;
    #[cfg(feature = "tls")]
    type Connector =
        tinyim_embassy::TlsConnector<'static, UartConnector, embassy_rp::clocks::RoscRng>;
    type TimRunner = Runner<'static, Connector, CriticalSectionRawMutex, 4>;
    pub static SHARED: Shared<CriticalSectionRawMutex, 4> = Shared::new();

    #[embassy_executor::task]
    pub async fn tinyim_task(runner: &'static mut TimRunner) {
        runner.run().await
    }

    /// The firmware with tinyim: the runner task, and every handle call.
    pub async fn run(spawner: Spawner, uart: BufferedUart) {
        static RESOURCES: StaticCell<DeviceResources> = StaticCell::new();
        let now = tinyim_embassy::EmbassyClock.now();
        let client = Client::new(
            &TimConfig::new(DeviceClass::Embedded),
            RESOURCES.init(DeviceResources::new()),
            now,
            1,
        );
        static STATE_BUF: StaticCell<[u8; 1]> = StaticCell::new();
        let state = STATE_BUF.init([0; 1]);
        static RUNNER: StaticCell<TimRunner> = StaticCell::new();
        #[cfg(not(feature = "tls"))]
        let connector = UartConnector(uart);
        #[cfg(feature = "tls")]
        let connector = {
            static RECORDS: static_cell::ConstStaticCell<tinyim_embassy::TlsRecords> =
                static_cell::ConstStaticCell::new(tinyim_embassy::TlsRecords::new());
            tinyim_embassy::TlsConnector::new(
                UartConnector(uart),
                RECORDS.take(),
                "server",
                &[],
                embassy_rp::clocks::RoscRng,
            )
        };
        let runner = RUNNER.init(Runner::new(client, connector, &SHARED, (), state));
        if let Ok(token) = tinyim_task(runner) {
            spawner.spawn(token);
        }
        let tim = SHARED.handle();
        let _ = tim.login("device", "sig").await;
        let _ = tim.send_text("alice", "hello").await;
        let _ = tim.set_message_read("C2Calice").await;
        let mut seen = 0u64;
        loop {
            if let OwnedEvent::MessageReceived(m) = tim.next_event().await {
                seen += m.seq;
                if seen == u64::MAX {
                    let _ = tim.logout().await;
                }
            }
        }
    }
}

#[cfg(feature = "tinyim")]
use with_tinyim::run;

#[cfg(feature = "minimq")]
mod with_minimq {
    use super::*;
    use minimq::{Buffers, ConfigBuilder, Publication, QoS, Session, TopicFilter};

    /// The firmware with minimq: connect, subscribe, publish, receive.
    pub async fn run(_spawner: Spawner, mut uart: BufferedUart) {
        static BUFFERS: StaticCell<([u8; 2048], [u8; 2048])> = StaticCell::new();
        let (rx, tx) = BUFFERS.init(([0; 2048], [0; 2048]));
        let Ok(config) = ConfigBuilder::new(Buffers::new(rx, tx)).client_id("device") else {
            return;
        };
        let mut session = Session::new(config);
        let mut seen = 0usize;
        loop {
            let Ok(mut conn) = session.connect(&mut uart).await else {
                continue;
            };
            let _ = conn.subscribe(&[TopicFilter::new("im/device")], &[]).await;
            let hello = Publication::text("im/alice", "hello").qos(QoS::AtLeastOnce);
            let _ = conn.publish(hello).await;
            while let Ok(message) = conn.recv().await {
                seen += message.payload().len();
                if seen == usize::MAX {
                    break;
                }
            }
        }
    }
}

#[cfg(feature = "minimq")]
use with_minimq::run;

#[cfg(feature = "text")]
mod with_text {
    use super::uart::UartConnector;
    use super::*;
    use tinyim_core::model::OutgoingMessage;
    use tinyim_core::time::Instant;
    use tinyim_core::wire::body::DeviceClass;
    use tinyim_core::{Client, Config as TimConfig, Event, Resources};

    /// The text profile's capacities (core built without `full`, see
    /// Cargo.toml): 8 conversations, no group list, 4
    /// requests in flight (two for the application), 16 events, 2 KB
    /// frames in, 512 bytes of requests out (a text of about 450 bytes).
    type TextResources = Resources<8, 0, 4, 16, 2048, 512>;

    /// What the application does next.
    #[derive(Clone, Copy)]
    enum Step {
        Login,
        Send,
        Read,
    }

    /// The application, as the driver's host: it issues its calls and takes
    /// each event as the client lends it (no copy into a queue).
    struct App {
        next: Option<Step>,
        seen: u64,
        unread: u64,
    }

    impl tinyim_driver::Host for App {
        type Command = Step;

        async fn command(&mut self) -> Step {
            match self.next {
                Some(step) => step,
                None => core::future::pending().await,
            }
        }

        fn apply(&mut self, client: &mut Client<'_>, now: Instant, step: Step) -> bool {
            self.next = match step {
                Step::Login => {
                    let _ = client.login(now, "device", "sig");
                    Some(Step::Send)
                }
                Step::Send => {
                    let _ = client.send_message(now, &OutgoingMessage::text("alice", "hello"));
                    Some(Step::Read)
                }
                Step::Read => {
                    let _ = client.set_message_read(now, "C2Calice");
                    None
                }
            };
            true
        }

        async fn event(&mut self, event: Event<'_>) {
            if let Event::MessageReceived(m) = event {
                self.seen += m.seq;
            }
        }

        async fn drained(&mut self, client: &Client<'_>) {
            self.unread = client.total_unread();
        }
    }

    /// The firmware with the text profile: the driver runs in this task.
    pub async fn run(_spawner: Spawner, uart: BufferedUart) {
        static RESOURCES: StaticCell<TextResources> = StaticCell::new();
        let now = tinyim_embassy::EmbassyClock.now();
        let mut client = Client::new(
            &TimConfig::new(DeviceClass::Embedded),
            RESOURCES.init(TextResources::new()),
            now,
            1,
        );
        let mut app = App {
            next: Some(Step::Login),
            seen: 0,
            unread: 0,
        };
        let clock = tinyim_embassy::EmbassyClock;
        tinyim_driver::run(&mut client, &mut UartConnector(uart), &clock, &mut app).await;
    }
}

#[cfg(feature = "text")]
use with_text::run;
