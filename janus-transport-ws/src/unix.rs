//! [`Packets`]: a `SOCK_SEQPACKET` Unix socket to Janus's Unix sockets transport
//! (`janus.transport.pfunix`) as a stream and sink of WebSocket [`Message`]s, one JSON
//! message per packet, so that the driver loop runs over it as over a WebSocket. The socket
//! waits with the runtime's reactor: async-io's `Async`, or tokio's.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use async_tungstenite::tungstenite::error::CapacityError;
use async_tungstenite::tungstenite::{Error as WsError, Message};
use bytes::Bytes;
use futures_core::Stream;
use futures_sink::Sink;
use janus_ws_connect::ConnectError;
use rustix::buffer::spare_capacity;
use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, Shutdown, SocketAddrUnix, SocketFlags, SocketType,
};

use crate::options::Timer;
use crate::runtime::Runtime;
use crate::transport::after;

/// How long to wait before connecting again when the server's listen backlog is full.
const BACKLOG_RETRY: Duration = Duration::from_millis(10);
/// Messages queued before `poll_ready` waits for the socket to take some.
const MAX_QUEUED: usize = 64;

/// Connects to the socket at `path` (named by `url`) with `runtime`'s reactor; a message
/// over `max_incoming` bytes is refused. Unbounded by itself: the caller bounds it with the
/// connect timeout.
pub(crate) async fn dial(
    runtime: Runtime,
    url: &str,
    path: &Path,
    max_incoming: usize,
    timer: &Timer,
) -> Result<Packets, ConnectError> {
    let address = SocketAddrUnix::new(path).map_err(|e| ConnectError::InvalidUrl {
        url: url.to_owned(),
        reason: format!("not a usable Unix socket path: {}", io::Error::from(e)),
    })?;
    loop {
        let fd = rustix::net::socket_with(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
            None,
        )
        .map_err(io::Error::from)?;
        match rustix::net::connect(&fd, &address) {
            Ok(()) => return Ok(Packets::new(Reactor::register(runtime, fd)?, max_incoming)),
            // The listen backlog is full (the server has not accepted for a while): a
            // non-blocking connect does not wait for room, so try again shortly.
            Err(Errno::AGAIN) => timer.sleep_until(after(BACKLOG_RETRY)).await,
            Err(e) => return Err(io::Error::from(e).into()),
        }
    }
}

/// The socket, registered with a runtime's reactor.
enum Reactor {
    #[cfg(feature = "async-io")]
    AsyncIo(async_io::Async<OwnedFd>),
    /// tokio registers a socket it did not open safely only through one of its own types
    /// (`AsyncFd::new` is deprecated, its replacement `unsafe`); its Unix datagram socket
    /// serves, since only its readiness and its descriptor are used: every call on the
    /// socket is ours.
    #[cfg(feature = "tokio")]
    Tokio(tokio::net::UnixDatagram),
}

/// Which readiness an operation waits for.
#[derive(Clone, Copy)]
enum Ready {
    Read,
    Write,
}

impl Reactor {
    /// Registers a non-blocking socket with `runtime`'s reactor.
    fn register(runtime: Runtime, fd: OwnedFd) -> io::Result<Reactor> {
        match runtime {
            #[cfg(feature = "async-io")]
            Runtime::AsyncIo => Ok(Reactor::AsyncIo(async_io::Async::new(fd)?)),
            #[cfg(feature = "tokio")]
            Runtime::Tokio => {
                let socket = std::os::unix::net::UnixDatagram::from(fd);
                Ok(Reactor::Tokio(tokio::net::UnixDatagram::from_std(socket)?))
            }
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            #[cfg(feature = "async-io")]
            Reactor::AsyncIo(a) => a.get_ref().as_fd(),
            #[cfg(feature = "tokio")]
            Reactor::Tokio(socket) => socket.as_fd(),
        }
    }

    /// Runs `op` (a non-blocking call on the socket) until it neither would block nor was
    /// interrupted, waiting for `ready` when it would block.
    fn poll_io<T>(
        &self,
        cx: &mut Context<'_>,
        ready: Ready,
        mut op: impl FnMut(BorrowedFd<'_>) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        match self {
            #[cfg(feature = "async-io")]
            Reactor::AsyncIo(a) => loop {
                match op(a.get_ref().as_fd()) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    done => return Poll::Ready(done),
                }
                // async-io keeps the readiness its last turn delivered until it is asked for,
                // and `op` just found that one spent: take it, then wait for a new one (the
                // second call registers), rather than try `op` once more to fail again.
                for _ in 0..2 {
                    match ready {
                        Ready::Read => ready!(a.poll_readable(cx))?,
                        Ready::Write => ready!(a.poll_writable(cx))?,
                    }
                }
            },
            #[cfg(feature = "tokio")]
            Reactor::Tokio(socket) => loop {
                let interest = match ready {
                    Ready::Read => {
                        ready!(socket.poll_recv_ready(cx))?;
                        tokio::io::Interest::READABLE
                    }
                    Ready::Write => {
                        ready!(socket.poll_send_ready(cx))?;
                        tokio::io::Interest::WRITABLE
                    }
                };
                // `try_io` clears the readiness when `op` would block.
                match socket.try_io(interest, || op(socket.as_fd())) {
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                        ) => {}
                    done => return Poll::Ready(done),
                }
            },
        }
    }
}

/// A Unix socket to Janus as a [`Stream`] and [`Sink`] of [`Message`]s: each packet that
/// comes is a [`Message::Binary`] holding it; each text or binary message sent is one
/// packet of exactly its bytes. A [`Message::Close`] shuts down our side once everything
/// before it is sent (the server then closes its side, which ends the stream); pings and
/// pongs are not carried (the transport has none: the driver answers its own pings).
pub(crate) struct Packets {
    io: Reactor,
    /// Receive buffer with room for the largest message accepted, reused for every packet
    /// (only the pages a packet touches are ever committed).
    buf: Vec<u8>,
    /// The core's `max_incoming_frame`.
    limit: usize,
    /// Packets to send, in order.
    outbox: VecDeque<Bytes>,
    /// A close was sent: shut down our side once the outbox is empty.
    shutting_down: bool,
    /// The server closed its side.
    ended: bool,
}

impl Packets {
    fn new(io: Reactor, max_incoming: usize) -> Packets {
        let limit = max_incoming.max(1);
        Packets {
            io,
            buf: Vec::with_capacity(limit),
            limit,
            outbox: VecDeque::new(),
            shutting_down: false,
            ended: false,
        }
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        rustix::net::shutdown(self.io.fd(), how).map_err(io::Error::from)
    }
}

impl Stream for Packets {
    type Item = Result<Message, WsError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let Packets { io, buf, limit, .. } = this;
        let received = ready!(io.poll_io(cx, Ready::Read, |fd| {
            buf.clear();
            // `TRUNC`: the packet's whole length, even when it does not fit.
            rustix::net::recv(fd, spare_capacity(buf), RecvFlags::TRUNC).map_err(io::Error::from)
        }));
        Poll::Ready(match received {
            Ok((_, 0)) => {
                this.ended = true;
                None
            }
            // The kernel dropped what did not fit; the driver refuses the message.
            Ok((_, size)) if size > *limit => {
                Some(Err(WsError::Capacity(CapacityError::MessageTooLong {
                    size,
                    max_size: *limit,
                })))
            }
            Ok((n, _)) => Some(Ok(Message::Binary(Bytes::copy_from_slice(&buf[..n])))),
            Err(e) => Some(Err(WsError::Io(e))),
        })
    }
}

impl Sink<Message> for Packets {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        if self.outbox.len() >= MAX_QUEUED {
            ready!(self.poll_flush(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        let this = self.get_mut();
        match message {
            Message::Text(text) => this.outbox.push_back(Bytes::from(text)),
            Message::Binary(bytes) => this.outbox.push_back(bytes),
            Message::Close(_) => this.shutting_down = true,
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let this = self.get_mut();
        while let Some(packet) = this.outbox.front() {
            ready!(this.io.poll_io(cx, Ready::Write, |fd| {
                rustix::net::send(fd, packet, SendFlags::NOSIGNAL).map_err(io::Error::from)
            }))?;
            this.outbox.pop_front();
        }
        if this.shutting_down {
            this.shutting_down = false;
            this.shutdown(Shutdown::Write)?;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        ready!(self.as_mut().poll_flush(cx))?;
        self.shutdown(Shutdown::Both)?;
        Poll::Ready(Ok(()))
    }
}
