//! [`Runtime`]: the runtime [`connect`](crate::connect) dials with and whose timer a
//! connection uses when the options name none.

#[cfg(feature = "async-io")]
use std::io;
#[cfg(feature = "async-io")]
use std::pin::Pin;
#[cfg(feature = "async-io")]
use std::task::{ready, Context, Poll};

use janus_ws_connect::{ConnectError, Target};

use crate::options::Timer;
use crate::transport::Io;

/// A runtime compiled in (features `async-io`, `tokio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// async-io: `Async<TcpStream>` and `async_io::Timer`.
    #[cfg(feature = "async-io")]
    AsyncIo,
    /// tokio: `tokio::net::TcpStream` (adapted to futures-io inside) and tokio's timer.
    #[cfg(feature = "tokio")]
    Tokio,
}

/// The runtime when the caller is not inside a tokio runtime.
#[cfg(feature = "async-io")]
const OUTSIDE_TOKIO: Option<Runtime> = Some(Runtime::AsyncIo);
#[cfg(not(feature = "async-io"))]
const OUTSIDE_TOKIO: Option<Runtime> = None;

impl Runtime {
    /// The runtime the caller runs on: tokio when called inside a tokio runtime (feature
    /// `tokio`), else async-io (feature `async-io`), else none.
    pub(crate) fn current() -> Option<Runtime> {
        #[cfg(feature = "tokio")]
        if tokio::runtime::Handle::try_current().is_ok() {
            return Some(Runtime::Tokio);
        }
        OUTSIDE_TOKIO
    }

    /// This runtime's timer.
    pub(crate) fn timer(self) -> Timer {
        match self {
            #[cfg(feature = "async-io")]
            Runtime::AsyncIo => Timer::async_io(),
            #[cfg(feature = "tokio")]
            Runtime::Tokio => Timer::tokio(),
        }
    }

    /// Dials the target over TCP with this runtime's socket, with `TCP_NODELAY` set.
    #[cfg_attr(
        not(any(feature = "async-io", feature = "tokio")),
        allow(unused_variables)
    )]
    pub(crate) async fn dial(self, target: &Target) -> Result<Box<dyn Io>, ConnectError> {
        match self {
            #[cfg(feature = "async-io")]
            Runtime::AsyncIo => Ok(Box::new(dial_async_io(target).await?)),
            #[cfg(feature = "tokio")]
            Runtime::Tokio => {
                use tokio_util::compat::TokioAsyncReadCompatExt;
                let tcp =
                    tokio::net::TcpStream::connect((target.host.as_str(), target.port)).await?;
                tcp.set_nodelay(true)?;
                Ok(Box::new(tcp.compat()))
            }
        }
    }
}

/// async-io's dial: each address of the host in turn. Host names go through the system
/// resolver, which blocks the calling task while it runs.
#[cfg(feature = "async-io")]
async fn dial_async_io(target: &Target) -> Result<AsyncIoTcp, ConnectError> {
    use std::net::ToSocketAddrs;
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()?
        .collect();
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} resolves to no address", target.host),
    );
    for addr in addrs {
        match async_io::Async::<std::net::TcpStream>::connect(addr).await {
            Ok(stream) => {
                stream.get_ref().set_nodelay(true)?;
                return Ok(AsyncIoTcp::new(stream));
            }
            Err(e) => last = e,
        }
    }
    Err(last.into())
}

/// async-io's TCP socket, read the way an edge-triggered reactor reads: a read that fills
/// less than the buffer found the socket drained, so the next read waits for readiness
/// instead of trying a `recv` that would fail.
///
/// async-io registers its sockets oneshot and remembers the readiness a reactor turn
/// delivered until it is asked for: its own `poll_read` after a message costs a failed
/// `recv`, the stale readiness, a second failed `recv` and the re-arm. Here it is the
/// re-arm alone. Nothing is lost by it: re-arming a socket that has data reports it at
/// once (epoll looks at the socket when its interest is modified).
#[cfg(feature = "async-io")]
struct AsyncIoTcp {
    socket: async_io::Async<std::net::TcpStream>,
    read: ReadState,
}

/// Where [`AsyncIoTcp`]'s reading stands.
#[cfg(feature = "async-io")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadState {
    /// Try the socket first.
    Try,
    /// The last read drained the socket: the readiness that announced its data may still be
    /// recorded; take it, and wait for a new one.
    Drained,
    /// Interest is registered after a drained read: the next readiness is a new one.
    Waiting,
}

#[cfg(feature = "async-io")]
impl AsyncIoTcp {
    fn new(socket: async_io::Async<std::net::TcpStream>) -> Self {
        AsyncIoTcp {
            socket,
            read: ReadState::Try,
        }
    }
}

#[cfg(feature = "async-io")]
impl futures_io::AsyncRead for AsyncIoTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        use std::io::Read;
        let this = self.get_mut();
        loop {
            match this.read {
                ReadState::Drained => {
                    // A first readiness may be the stale one; the second call registers.
                    for _ in 0..2 {
                        match this.socket.poll_readable(cx) {
                            Poll::Pending => {
                                this.read = ReadState::Waiting;
                                return Poll::Pending;
                            }
                            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                            Poll::Ready(Ok(())) => {}
                        }
                    }
                    this.read = ReadState::Try;
                }
                ReadState::Waiting => {
                    ready!(this.socket.poll_readable(cx))?;
                    this.read = ReadState::Try;
                }
                ReadState::Try => match this.socket.get_ref().read(buf) {
                    Ok(n) => {
                        if n > 0 && n < buf.len() {
                            this.read = ReadState::Drained;
                        }
                        return Poll::Ready(Ok(n));
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        this.read = ReadState::Drained;
                    }
                    Err(e) => return Poll::Ready(Err(e)),
                },
            }
        }
    }
}

#[cfg(feature = "async-io")]
impl futures_io::AsyncWrite for AsyncIoTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().socket).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().socket).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().socket).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().socket).poll_close(cx)
    }
}
