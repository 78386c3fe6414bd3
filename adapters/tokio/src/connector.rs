//! Connections to the server for the shared driver: TCP, and TLS over it
//! when the options ask for it, as `embedded-io-async` streams.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::tls::Tls;

/// The tokio side of the shared driver: dials the server over TCP, and
/// TLS over that when the options ask for it.
pub(crate) struct TcpConnector {
    /// The server's addresses (a cluster's nodes), tried in turn.
    addrs: Vec<String>,
    /// The one dialled next: kept while it answers, the one after it once
    /// it cannot be reached (the driver's backoff runs between attempts).
    next: usize,
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
    /// Dials `addrs` (one address, or several separated by commas), with
    /// TLS over it when `tls` is given.
    pub(crate) fn new(addrs: &str, tls: Option<Tls>) -> Self {
        let mut list: Vec<String> = addrs
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        if list.is_empty() {
            // Dialling it fails with the system's own words.
            list.push(addrs.to_owned());
        }
        TcpConnector {
            addrs: list,
            next: 0,
            tls,
        }
    }

    async fn dial(&self, addr: &str) -> Result<Connection, std::io::Error> {
        let stream = TcpStream::connect(addr).await?;
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

impl tinyim_driver::Connector for TcpConnector {
    type Connection<'c> = Connection;
    type Error = std::io::Error;

    async fn connect(&mut self) -> Result<Connection, std::io::Error> {
        let addr = &self.addrs[self.next % self.addrs.len()];
        match self.dial(addr).await {
            Ok(connection) => Ok(connection),
            Err(e) => {
                let named = std::io::Error::new(e.kind(), format!("{addr}: {e}"));
                self.next = (self.next + 1) % self.addrs.len();
                Err(named)
            }
        }
    }
}
