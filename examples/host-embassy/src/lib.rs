//! The embassy adapter on a Linux host, so the exact code a firmware runs can
//! be exercised against a real server: over the embassy-net TCP/IP stack on
//! a TAP device ([`tap_stack`]), or over a tokio TCP stream through
//! `embedded-io-adapters` ([`TokioTcp`]).

use embassy_net::{Ipv4Cidr, StackResources, StaticConfigV4};
use embassy_net_tuntap::TunTapDevice;

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::net::TcpStream;

/// Dials the server over tokio TCP; each connection is a `TcpStream` seen
/// through `embedded-io-async`.
pub struct TokioTcp {
    addr: String,
}

impl TokioTcp {
    /// A connector that connects to `addr`.
    pub fn new(addr: impl Into<String>) -> Self {
        TokioTcp { addr: addr.into() }
    }
}

impl tinyim_driver::Connector for TokioTcp {
    type Connection<'c> = FromTokio<TcpStream>;
    type Error = std::io::Error;

    async fn connect(&mut self) -> Result<FromTokio<TcpStream>, std::io::Error> {
        let stream = TcpStream::connect(&self.addr).await?;
        stream.set_nodelay(true)?;
        Ok(FromTokio::new(stream))
    }
}

/// An embassy-net stack on the TAP device `tap` with a static address. Run the
/// returned `Runner` alongside everything that uses the `Stack`.
pub fn tap_stack<'d>(
    tap: &str,
    address: Ipv4Cidr,
    resources: &'d mut StackResources<3>,
    seed: u64,
) -> std::io::Result<(
    embassy_net::Stack<'d>,
    embassy_net::Runner<'d, TunTapDevice>,
)> {
    let device = TunTapDevice::new(tap)?;
    let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address,
        gateway: None,
        dns_servers: Default::default(),
    });
    Ok(embassy_net::new(device, config, resources, seed))
}

/// A UserSig for `user`, valid for an hour from now, minted with the app's
/// key as the tests do (a real device gets its UserSig from a backend).
pub fn dev_user_sig(app_id: u64, key: &str, user: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tinyim_server::usersig::mint(app_id, key, user, 3600, now)
}

/// A client core at device capacities, as firmware builds one: embedded
/// device class, the clock read from embassy-time, `seed` for its ids.
pub fn device_client(
    resources: &mut tinyim_core::DeviceResources,
    seed: u64,
) -> tinyim_core::Client<'_> {
    let start = tinyim_embassy::EmbassyClock.now();
    let config = tinyim_core::Config::new(tinyim_core::wire::body::DeviceClass::Embedded);
    tinyim_core::Client::new(&config, resources, start, seed)
}
