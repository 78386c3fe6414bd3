//! Connections over an embassy-net `TcpSocket`.

use embassy_net::tcp::TcpSocket;
use embassy_net::IpEndpoint;

/// An embassy-net TCP socket and the server it connects to. The socket is
/// reused for every connection, so its buffers are allocated once.
pub struct TcpConnector<'a> {
    socket: TcpSocket<'a>,
    remote: IpEndpoint,
}

impl<'a> TcpConnector<'a> {
    /// A connector that connects `socket` to `remote`.
    pub fn new(socket: TcpSocket<'a>, remote: impl Into<IpEndpoint>) -> Self {
        TcpConnector {
            socket,
            remote: remote.into(),
        }
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
        self.socket.connect(self.remote).await?;
        Ok(TcpConnection {
            socket: &mut self.socket,
        })
    }
}
