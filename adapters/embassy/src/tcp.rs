//! A reconnecting transport over an embassy-net `TcpSocket`.

use embassy_net::tcp::TcpSocket;
use embassy_net::IpEndpoint;

/// An embassy-net TCP socket and the server it connects to. The socket is
/// reused across reconnects, so its buffers are allocated once.
pub struct TcpTransport<'a> {
    socket: TcpSocket<'a>,
    remote: IpEndpoint,
}

impl<'a> TcpTransport<'a> {
    /// A transport that connects `socket` to `remote`.
    pub fn new(socket: TcpSocket<'a>, remote: impl Into<IpEndpoint>) -> Self {
        TcpTransport {
            socket,
            remote: remote.into(),
        }
    }
}

impl embedded_io_async::ErrorType for TcpTransport<'_> {
    type Error = embassy_net::tcp::Error;
}

impl embedded_io_async::Read for TcpTransport<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.socket.read(buf).await
    }
}

impl embedded_io_async::Write for TcpTransport<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.socket.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.socket.flush().await
    }
}

impl tinyim_driver::Transport for TcpTransport<'_> {
    async fn connect(&mut self) -> Result<(), Self::Error> {
        // A previous connection must be fully gone before the socket is reused.
        self.socket.abort();
        let _ = self.socket.flush().await;
        self.socket
            .connect(self.remote)
            .await
            .map_err(|_| embassy_net::tcp::Error::ConnectionReset)
    }

    fn close(&mut self) {
        self.socket.abort();
    }
}
