//! A connection's byte stream: plain TCP, or TLS over it. The connection
//! loop waits on [`Link::poll_read_into`] beside its outbound queue and
//! writes with [`Link::write_frames`]; nothing else about the stream
//! matters to it.

use std::future::Future;
use std::io::{self, IoSlice};
use std::net::IpAddr;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;

/// Room made in the receive buffer for each read. The buffer exists only
/// while bytes are waiting: an idle connection waits for readability with no
/// buffer at all, and a large frame grows it only until it is consumed.
const READ_ROOM: usize = 2048;

/// A write that takes longer than this means the peer stopped reading.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection's stream.
pub(crate) trait Link: Send + Unpin + 'static {
    /// Appends what can be read to `buf`; `Ok(0)` at the end of the stream.
    /// Pending (with the waker registered) while nothing can be read, and
    /// `buf` is not grown before there is something to read.
    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<io::Result<usize>>;

    /// Writes `frames` one after the other; false if the stream broke or
    /// the peer stopped reading.
    fn write_frames(&mut self, frames: &[Vec<u8>]) -> impl Future<Output = bool> + Send;

    /// Ends the stream (a TLS close notify first).
    fn shutdown(&mut self) -> impl Future<Output = ()> + Send;

    /// The peer's address; `None` if the socket no longer knows it.
    fn peer_ip(&self) -> Option<IpAddr>;

    /// The socket, when others may write whole frames to it directly
    /// while the connection's queue is empty (plain TCP).
    fn direct(&self) -> Option<std::sync::Arc<TcpStream>> {
        None
    }
}

/// Shared with the connection's queue, which writes frames to it directly
/// while nothing else is being written (see `outbound`).
impl Link for std::sync::Arc<TcpStream> {
    fn direct(&self) -> Option<std::sync::Arc<TcpStream>> {
        Some(self.clone())
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.poll_read_ready(cx))?;
            buf.reserve(READ_ROOM);
            match self.try_read_buf(buf) {
                // Readiness was stale (as it is after every read that
                // emptied the socket); polling it again registers the waker.
                // The room made for nothing goes back first: an idle
                // connection holds no buffer.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if buf.is_empty() {
                        *buf = Vec::new();
                    }
                }
                result => return Poll::Ready(result),
            }
        }
    }

    async fn write_frames(&mut self, frames: &[Vec<u8>]) -> bool {
        let stream = &*self;
        let all = async {
            // One system call for as many frames as the socket takes.
            let mut slices: Vec<IoSlice<'_>> = frames.iter().map(|f| IoSlice::new(f)).collect();
            let mut left = &mut slices[..];
            while !left.is_empty() {
                stream.writable().await?;
                match stream.try_write_vectored(left) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => IoSlice::advance_slices(&mut left, n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            Ok::<(), io::Error>(())
        };
        matches!(timeout(WRITE_TIMEOUT, all).await, Ok(Ok(())))
    }

    async fn shutdown(&mut self) {
        // The queue let its clone go first (`Outbound::end_direct_writes`),
        // so this is the last one and dropping it closes the socket.
        if let Some(stream) = std::sync::Arc::get_mut(self) {
            let _ = AsyncWriteExt::shutdown(stream).await;
        }
    }

    fn peer_ip(&self) -> Option<IpAddr> {
        self.peer_addr().ok().map(|a| a.ip())
    }
}

/// TLS decrypts records into plaintext of its own, so a read goes through a
/// buffer on the stack (a TLS connection keeps rustls's buffers anyway).
impl Link for TlsStream<TcpStream> {
    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<io::Result<usize>> {
        let mut room = [0u8; READ_ROOM];
        let mut read = ReadBuf::new(&mut room);
        ready!(std::pin::Pin::new(self).poll_read(cx, &mut read))?;
        buf.extend_from_slice(read.filled());
        Poll::Ready(Ok(read.filled().len()))
    }

    async fn write_frames(&mut self, frames: &[Vec<u8>]) -> bool {
        let all = async {
            // rustls gathers the plaintext into records of its own.
            for frame in frames {
                AsyncWriteExt::write_all(self, frame).await?;
            }
            self.flush().await
        };
        matches!(timeout(WRITE_TIMEOUT, all).await, Ok(Ok(())))
    }

    async fn shutdown(&mut self) {
        let _ = timeout(WRITE_TIMEOUT, AsyncWriteExt::shutdown(self)).await;
    }

    fn peer_ip(&self) -> Option<IpAddr> {
        self.get_ref().0.peer_addr().ok().map(|a| a.ip())
    }
}
