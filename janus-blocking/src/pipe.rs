//! [`Pipe`]: the connection under a driver, chosen by the URL: a [`Socket`] moving whole JSON
//! messages (a WebSocket, or on Unix a `SOCK_SEQPACKET` socket to Janus's Unix sockets
//! transport), or an [`HttpLink`] carrying out HTTP exchanges (Janus's HTTP REST transport).
//! All of them wait with bounds; none knows the protocol.

use std::time::Duration;

use bytes::Bytes;
use janus_http_connect::Done;
use janus_proto::Config;
use janus_ws_connect::{is_http, unix_path, CommonOptions, ConnectError};

use crate::http::HttpLink;
use crate::socket::WsSocket;
#[cfg(unix)]
use crate::unix::UnixSocket;
use crate::Error;

/// Longest single blocking read when no deadline is armed.
pub(crate) const MAX_BLOCK: Duration = Duration::from_secs(60);
/// Shortest read timeout (a zero timeout means "block forever" to the OS).
pub(crate) const MIN_BLOCK: Duration = Duration::from_millis(1);

/// What one bounded read produced.
#[derive(Debug)]
pub(crate) enum Read {
    /// One whole message (text, or binary holding JSON).
    Frame(Bytes),
    /// HTTP exchanges that finished: every one finished by the end of the read, in the order
    /// they were taken.
    Exchanges(Vec<Done>),
    /// Nothing for the caller: the wait ran out, or a control frame was handled.
    Idle,
    /// A pong (to our ping).
    Pong,
    /// The connection is gone; why.
    Closed(Error),
}

/// An open connection to Janus.
#[derive(Debug)]
pub(crate) enum Pipe {
    /// A message socket: the core's frames go out and come in one by one.
    Socket(Socket),
    /// `http://` or `https://`: the core's exchanges, many at once (boxed: the runtime and
    /// the exchanges are large).
    Http(Box<HttpLink>),
}

/// An open socket moving whole JSON messages.
#[derive(Debug)]
pub(crate) enum Socket {
    /// `ws://` or `wss://` (boxed: tungstenite's state is ten times a Unix socket's).
    WebSocket(Box<WsSocket>),
    /// `unix:`: one JSON message per packet.
    #[cfg(unix)]
    Unix(UnixSocket),
}

impl Pipe {
    /// Connects to `url`: an `http://` or `https://` URL's HTTP endpoint, a `unix:` URL's
    /// socket, else a WebSocket asking for `subprotocol`. `config` is the protocol
    /// configuration the connection runs with (its frame limit and request timeout matter
    /// here).
    pub(crate) fn connect(
        url: &str,
        subprotocol: &'static str,
        options: &CommonOptions,
        config: &Config,
    ) -> Result<Pipe, ConnectError> {
        if is_http(url) {
            return Ok(Pipe::Http(Box::new(HttpLink::connect(url, options)?)));
        }
        let socket = match unix_path(url)? {
            #[cfg(unix)]
            Some(path) => Socket::Unix(UnixSocket::connect(url, path, options, config)?),
            #[cfg(not(unix))]
            Some(_) => {
                return Err(ConnectError::InvalidUrl {
                    url: url.to_owned(),
                    reason: "Unix sockets exist only on Unix systems".into(),
                })
            }
            None => Socket::WebSocket(Box::new(WsSocket::connect(
                url,
                subprotocol,
                options,
                config,
            )?)),
        };
        Ok(Pipe::Socket(socket))
    }

    /// Waits at most `wait` for a message, or for HTTP exchanges to finish.
    pub(crate) fn read(&mut self, wait: Duration) -> Read {
        match self {
            Pipe::Socket(socket) => socket.read(wait),
            Pipe::Http(http) => http.read(wait),
        }
    }

    /// Does what the core's [`Action::Ping`](janus_proto::Action::Ping) asks: a WebSocket
    /// sends a ping now (its pong comes as [`Read::Pong`]); Janus's Unix sockets transport
    /// has no ping, and the kernel reports a dead peer on the socket itself (end of file or
    /// a reset, as soon as the server dies), so a Unix socket is answered at once:
    /// `Ok(true)`, a pong to feed now. (Over HTTP the core asks for none: its long-polls
    /// show the link is alive.)
    pub(crate) fn ping(&mut self) -> Result<bool, Error> {
        match self {
            Pipe::Socket(Socket::WebSocket(ws)) => ws.ping().map(|()| false),
            #[cfg(unix)]
            Pipe::Socket(Socket::Unix(_)) => Ok(true),
            Pipe::Http(_) => Ok(true),
        }
    }

    /// Closes the connection, waiting at most `wait` for the server's side (an HTTP link
    /// drops its exchanges at once).
    pub(crate) fn close(&mut self, wait: Duration) {
        match self {
            Pipe::Socket(socket) => socket.close(wait),
            Pipe::Http(http) => http.close(),
        }
    }
}

impl Socket {
    /// Queues one message (sent by [`flush`](Self::flush)).
    pub(crate) fn write(&mut self, frame: String) -> Result<(), Error> {
        match self {
            Socket::WebSocket(ws) => ws.write(frame),
            #[cfg(unix)]
            Socket::Unix(unix) => {
                unix.write(frame);
                Ok(())
            }
        }
    }

    /// Sends what was queued, within the write timeout.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        match self {
            Socket::WebSocket(ws) => ws.flush(),
            #[cfg(unix)]
            Socket::Unix(unix) => unix.flush(),
        }
    }

    /// Waits at most `wait` for one message.
    fn read(&mut self, wait: Duration) -> Read {
        match self {
            Socket::WebSocket(ws) => ws.read(wait),
            #[cfg(unix)]
            Socket::Unix(unix) => unix.read(wait),
        }
    }

    /// Closes the socket, waiting at most `wait` for the server's side.
    fn close(&mut self, wait: Duration) {
        match self {
            Socket::WebSocket(ws) => ws.close(wait),
            #[cfg(unix)]
            Socket::Unix(unix) => unix.close(wait),
        }
    }
}

/// Bound on one blocking write: a peer that stops reading must not hang the caller.
pub(crate) fn write_timeout(config: &Config) -> Duration {
    config
        .request_timeout
        .clamp(Duration::from_secs(1), Duration::from_secs(30))
}
