//! Connections to the server for the shared driver: TCP, and TLS over it
//! when the options ask for it, as `embedded-io-async` streams.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::tls::Tls;

/// The tokio side of the shared driver: dials the server over TCP, and
/// TLS over that when the options ask for it.
pub(crate) struct TcpConnector {
    addr: String,
    tls: Option<Tls>,
}

/// One open connection.
pub(crate) enum Connection {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

fn io_kind(_: std::io::Error) -> embedded_io_async::ErrorKind {
    embedded_io_async::ErrorKind::Other
}

impl embedded_io_async::ErrorType for Connection {
    type Error = embedded_io_async::ErrorKind;
}

impl embedded_io_async::Read for Connection {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        match self {
            Connection::Plain(s) => s.read(buf).await,
            Connection::Tls(s) => s.read(buf).await,
        }
        .map_err(io_kind)
    }
}

impl embedded_io_async::Write for Connection {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        match self {
            Connection::Plain(s) => s.write(buf).await,
            Connection::Tls(s) => s.write(buf).await,
        }
        .map_err(io_kind)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        match self {
            Connection::Plain(s) => s.flush().await,
            Connection::Tls(s) => s.flush().await,
        }
        .map_err(io_kind)
    }
}

impl TcpConnector {
    /// Dials `addr`, with TLS over it when `tls` is given.
    pub(crate) fn new(addr: String, tls: Option<Tls>) -> Self {
        TcpConnector { addr, tls }
    }
}

impl tinyim_driver::Connector for TcpConnector {
    type Connection<'c> = Connection;
    type Error = std::io::Error;

    async fn connect(&mut self) -> Result<Connection, std::io::Error> {
        let stream = TcpStream::connect(&self.addr).await?;
        let _ = stream.set_nodelay(true);
        Ok(match &self.tls {
            None => Connection::Plain(stream),
            Some(tls) => {
                let session = tls
                    .connector
                    .connect(tls.server_name.clone(), stream)
                    .await
                    .inspect_err(|e| log::warn!("TLS handshake with the server failed: {e}"))?;
                Connection::Tls(Box::new(session))
            }
        })
    }
}
