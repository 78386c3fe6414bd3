//! The browser's WebSocket as the driver's connection: binary messages in
//! both directions carry the frames' byte stream, exactly as TCP would (the
//! server's `/ws` takes any cut of it). The socket's callbacks only queue
//! bytes and wake the driver; nothing here reads a frame.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use embedded_io_async::ErrorKind;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

/// Opens WebSockets to one URL (`ws://host:port/ws` or `wss://`).
pub(crate) struct WebSocketConnector {
    url: String,
}

impl WebSocketConnector {
    pub(crate) fn new(url: String) -> Self {
        Self { url }
    }
}

/// Why a WebSocket could not be opened.
#[derive(Debug)]
pub(crate) enum ConnectError {
    /// The browser refused the URL.
    BadUrl,
    /// The socket closed before it opened (refused, unreachable, TLS).
    Closed,
}

impl core::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ConnectError::BadUrl => "the browser refused the server URL",
            ConnectError::Closed => "the WebSocket closed before it opened",
        })
    }
}

impl tinyim_driver::Connector for WebSocketConnector {
    type Connection<'c> = Socket;
    type Error = ConnectError;

    async fn connect(&mut self) -> Result<Socket, ConnectError> {
        let socket = Socket::open(&self.url)?;
        poll_fn(|cx| {
            let mut state = socket.state.borrow_mut();
            if state.closed {
                Poll::Ready(Err(ConnectError::Closed))
            } else if state.open {
                Poll::Ready(Ok(()))
            } else {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await?;
        Ok(socket)
    }
}

/// What the socket's callbacks saw, shared with the driver.
#[derive(Default)]
struct SocketState {
    open: bool,
    closed: bool,
    /// Bytes received and not yet read. The browser gives a WebSocket no
    /// flow control, so this holds what arrived while the driver waited on
    /// the application; the core bounds what it asks for.
    incoming: VecDeque<u8>,
    waker: Option<Waker>,
}

impl SocketState {
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// An open WebSocket; dropping it closes it.
pub(crate) struct Socket {
    ws: WebSocket,
    state: Rc<RefCell<SocketState>>,
    // Kept alive while the socket may call them.
    _on_open: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Socket {
    fn open(url: &str) -> Result<Self, ConnectError> {
        let ws = WebSocket::new(url).map_err(|_| ConnectError::BadUrl)?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let state = Rc::new(RefCell::new(SocketState::default()));
        let on_open = {
            let state = state.clone();
            Closure::<dyn FnMut()>::new(move || {
                let mut state = state.borrow_mut();
                state.open = true;
                state.wake();
            })
        };
        // An error is always followed by a close; both end the connection.
        let on_close = {
            let state = state.clone();
            Closure::<dyn FnMut()>::new(move || {
                let mut state = state.borrow_mut();
                state.closed = true;
                state.wake();
            })
        };
        let on_message = {
            let state = state.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Ok(buffer) = event.data().dyn_into::<ArrayBuffer>() else {
                    // A text message is not part of the protocol: the
                    // server never sends one.
                    return;
                };
                let mut state = state.borrow_mut();
                state.incoming.extend(Uint8Array::new(&buffer).to_vec());
                state.wake();
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            state,
            _on_open: on_open,
            _on_close: on_close,
            _on_message: on_message,
        })
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        self.ws.set_onmessage(None);
        let _ = self.ws.close();
    }
}

impl embedded_io_async::ErrorType for Socket {
    type Error = ErrorKind;
}

impl embedded_io_async::Read for Socket {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        poll_fn(|cx| {
            let mut state = self.state.borrow_mut();
            if !state.incoming.is_empty() {
                let n = buf.len().min(state.incoming.len());
                for (slot, byte) in buf.iter_mut().zip(state.incoming.drain(..n)) {
                    *slot = byte;
                }
                Poll::Ready(Ok(n))
            } else if state.closed {
                Poll::Ready(Ok(0))
            } else {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

impl embedded_io_async::Write for Socket {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if self.state.borrow().closed {
            return Err(ErrorKind::ConnectionReset);
        }
        self.ws
            .send_with_u8_array(buf)
            .map_err(|_| ErrorKind::ConnectionReset)?;
        Ok(buf.len())
    }

    /// The browser sends as soon as `send` returns: nothing waits here.
    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}
