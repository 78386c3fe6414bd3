//! Connections over an embassy-net `TcpSocket`.

use embassy_net::tcp::TcpSocket;
use embassy_net::IpEndpoint;

/// Most server addresses a connector takes (a cluster's nodes).
pub const MAX_SERVERS: usize = 4;

/// An embassy-net TCP socket and the server it connects to (or the servers,
/// tried in turn). The socket is reused for every connection, so its
/// buffers are allocated once.
pub struct TcpConnector<'a> {
    socket: TcpSocket<'a>,
    servers: Servers,
}

impl<'a> TcpConnector<'a> {
    /// A connector that connects `socket` to `remote`.
    pub fn new(socket: TcpSocket<'a>, remote: impl Into<IpEndpoint>) -> Self {
        let mut list = heapless::Vec::new();
        // One address always fits.
        let _ = list.push(remote.into());
        TcpConnector {
            socket,
            servers: Servers { list, next: 0 },
        }
    }

    /// A connector that connects `socket` to the first of `servers` (a
    /// cluster's nodes, at most [`MAX_SERVERS`]; more are not used) that
    /// answers: the one it reached is kept while it answers, and the next
    /// one is tried after it fails (the driver's backoff runs between
    /// attempts). `None` without any address.
    pub fn with_servers(socket: TcpSocket<'a>, servers: &[IpEndpoint]) -> Option<Self> {
        let list: heapless::Vec<IpEndpoint, MAX_SERVERS> =
            servers.iter().take(MAX_SERVERS).copied().collect();
        (!list.is_empty()).then_some(TcpConnector {
            socket,
            servers: Servers { list, next: 0 },
        })
    }
}

/// The servers a connector dials, and which of them is next.
struct Servers {
    list: heapless::Vec<IpEndpoint, MAX_SERVERS>,
    next: usize,
}

impl Servers {
    /// The address to dial now.
    fn current(&self) -> IpEndpoint {
        self.list[self.next % self.list.len()]
    }

    /// The current address could not be reached: the next one is tried.
    fn failed(&mut self) {
        self.next = (self.next + 1) % self.list.len();
    }
}

/// An open connection of a [`TcpConnector`]'s socket; dropping it aborts it.
pub struct TcpConnection<'c, 'a> {
    socket: &'c mut TcpSocket<'a>,
}

impl Drop for TcpConnection<'_, '_> {
    fn drop(&mut self) {
        self.socket.abort();
    }
}

impl embedded_io_async::ErrorType for TcpConnection<'_, '_> {
    type Error = embassy_net::tcp::Error;
}

impl embedded_io_async::Read for TcpConnection<'_, '_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.socket.read(buf).await
    }
}

impl embedded_io_async::Write for TcpConnection<'_, '_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.socket.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.socket.flush().await
    }
}

impl<'a> tinyim_driver::Connector for TcpConnector<'a> {
    type Connection<'c>
        = TcpConnection<'c, 'a>
    where
        Self: 'c;
    type Error = embassy_net::tcp::ConnectError;

    async fn connect(&mut self) -> Result<TcpConnection<'_, 'a>, Self::Error> {
        // A previous connection (aborted when it was dropped) or a failed
        // attempt must be fully gone before the socket is reused.
        self.socket.abort();
        let _ = self.socket.flush().await;
        if let Err(e) = self.socket.connect(self.servers.current()).await {
            self.servers.failed();
            return Err(e);
        }
        Ok(TcpConnection {
            socket: &mut self.socket,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embassy_net::Ipv4Address;

    fn node(port: u16) -> IpEndpoint {
        (Ipv4Address::new(10, 0, 0, 1), port).into()
    }

    #[test]
    fn a_failed_server_passes_the_turn_to_the_next_and_round_again() {
        let mut servers = Servers {
            list: [node(1), node(2), node(3)].into_iter().collect(),
            next: 0,
        };
        assert_eq!(servers.current(), node(1));
        servers.failed();
        assert_eq!(servers.current(), node(2));
        // Reached: kept while it answers.
        assert_eq!(servers.current(), node(2));
        servers.failed();
        servers.failed();
        assert_eq!(servers.current(), node(1));
    }
}
