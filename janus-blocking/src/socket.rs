//! The WebSocket: connecting (TCP, TLS, handshake with a subprotocol) and moving whole
//! messages with a bounded wait. No protocol logic lives here.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use bytes::Bytes;
use janus_proto::Config;
use janus_ws_connect::{
    handshake_error, too_large, too_large_close, CommonOptions, ConnectError, Target,
};
use tungstenite::handshake::HandshakeError;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Connector, Message, WebSocket};

use crate::pipe::{write_timeout, Read, MAX_BLOCK, MIN_BLOCK};
use crate::Error;

/// An open WebSocket to Janus.
pub(crate) struct WsSocket {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    /// The same socket as inside `ws`, for its timeouts.
    tcp: TcpStream,
    /// Bound on one blocking write: a peer that stops reading must not hang the caller.
    write_timeout: Duration,
    /// The read timeout the socket has now (`None`: not set by [`Socket::read`] yet).
    read_timeout: Option<Duration>,
}

impl std::fmt::Debug for WsSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsSocket").field("tcp", &self.tcp).finish()
    }
}

impl WsSocket {
    /// Connects to a `ws://` or `wss://` URL asking for `subprotocol`.
    /// `config` is the protocol configuration the connection runs with (its frame limit and
    /// request timeout matter here).
    pub(crate) fn connect(
        url: &str,
        subprotocol: &'static str,
        options: &CommonOptions,
        config: &Config,
    ) -> Result<WsSocket, ConnectError> {
        let timeout = options.connect_timeout;
        let deadline = after(timeout);
        let target = Target::parse(url)?;
        let request = janus_ws_connect::request(url, subprotocol)?;
        let connector = if target.secure {
            Connector::Rustls(options.tls.client_config()?)
        } else {
            Connector::Plain
        };

        let tcp = connect_tcp(&target, deadline, timeout)?;
        tcp.set_nodelay(true)?;
        let tcp_clone = tcp.try_clone()?;
        set_timeouts(&tcp, deadline)?;

        let ws_config = janus_ws_connect::websocket_config(config.max_incoming_frame);
        let mut attempt =
            tungstenite::client_tls_with_config(request, tcp, Some(ws_config), Some(connector));
        let ws = loop {
            match attempt {
                Ok((ws, _response)) => break ws,
                Err(HandshakeError::Interrupted(mid)) => {
                    if Instant::now() >= deadline {
                        return Err(ConnectError::TimedOut { timeout });
                    }
                    set_timeouts(&tcp_clone, deadline)?;
                    attempt = mid.handshake();
                }
                Err(HandshakeError::Failure(e)) => {
                    return Err(handshake_error(e, url, subprotocol))
                }
            }
        };
        let write_timeout = write_timeout(config);
        tcp_clone.set_write_timeout(Some(write_timeout))?;
        Ok(WsSocket {
            ws,
            tcp: tcp_clone,
            write_timeout,
            read_timeout: None,
        })
    }

    /// Queues one text message (no trailing bytes: the frame is sent exactly as given).
    pub(crate) fn write(&mut self, frame: String) -> Result<(), Error> {
        self.ws
            .write(Message::text(frame))
            .or_else(ignore_would_block)
    }

    /// Sends a WebSocket ping now.
    pub(crate) fn ping(&mut self) -> Result<(), Error> {
        self.ws
            .write(Message::Ping(Bytes::new()))
            .or_else(ignore_would_block)?;
        self.flush()
    }

    /// Sends everything queued (including pongs tungstenite owes the server).
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        let deadline = after(self.write_timeout);
        loop {
            match self.ws.flush() {
                Ok(()) => return Ok(()),
                Err(tungstenite::Error::Io(e)) if is_transient(&e) && Instant::now() < deadline => {
                    continue
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Waits at most `wait` for one message.
    pub(crate) fn read(&mut self, wait: Duration) -> Read {
        let wait = wait.clamp(MIN_BLOCK, MAX_BLOCK);
        // Setting the timeout before every read would be a system call per frame. The
        // socket keeps its timeout while that is no longer than `wait` (never past the
        // caller's deadline) and at least a quarter of it (a read that gives up early costs
        // only another turn); a new one is 3/4 of `wait`, so that the slightly shorter waits
        // of the next reads (the same deadline, a little later) keep it too.
        let keep = self
            .read_timeout
            .is_some_and(|current| current <= wait && current >= wait / 4);
        if !keep {
            let timeout = (wait / 4 * 3).max(MIN_BLOCK);
            if let Err(e) = self.tcp.set_read_timeout(Some(timeout)) {
                return Read::Closed(e.into());
            }
            self.read_timeout = Some(timeout);
        }
        match self.ws.read() {
            Ok(Message::Text(text)) => Read::Frame(Bytes::from(text)),
            Ok(Message::Binary(bytes)) => Read::Frame(bytes),
            Ok(Message::Ping(_)) => match self.flush() {
                // tungstenite queued the pong; send it now rather than at the next write.
                Ok(()) => Read::Idle,
                Err(e) => Read::Closed(e),
            },
            Ok(Message::Pong(_)) => Read::Pong,
            Ok(Message::Frame(_)) => Read::Idle,
            Ok(Message::Close(frame)) => {
                // tungstenite queued the closing handshake's reply; best effort.
                let _ = self.ws.flush();
                let why = match frame {
                    Some(f) => format!("server closed the WebSocket: {} {}", f.code, f.reason),
                    None => "server closed the WebSocket".to_owned(),
                };
                Read::Closed(io::Error::new(ErrorKind::ConnectionAborted, why).into())
            }
            Err(tungstenite::Error::Io(e)) if is_transient(&e) => Read::Idle,
            Err(e) => {
                if too_large(&e).is_some() {
                    self.refuse_too_large();
                }
                Read::Closed(e.into())
            }
        }
    }

    /// Answers a message over the limit: a close frame with code 1009, flushed within the
    /// write timeout, and no reading past the header tungstenite refused it from (reading on
    /// would buffer the payload). The caller then drops the connection.
    fn refuse_too_large(&mut self) {
        if self.ws.close(Some(too_large_close())).is_ok() {
            let _ = self.flush();
        }
        let _ = self.tcp.shutdown(std::net::Shutdown::Both);
    }

    /// Starts the closing handshake and waits (at most `wait`) for the server's reply.
    pub(crate) fn close(&mut self, wait: Duration) {
        let deadline = after(wait);
        if self.ws.close(None).is_err() {
            return;
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if left.is_zero() {
                break;
            }
            if let Read::Closed(_) = self.read(left) {
                break;
            }
        }
        let _ = self.tcp.shutdown(std::net::Shutdown::Both);
    }
}

/// `now + d`, or about a year from now when `d` does not fit.
pub(crate) fn after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
}

fn ignore_would_block(e: tungstenite::Error) -> Result<(), Error> {
    match e {
        // The message is in tungstenite's buffer; `flush` sends it.
        tungstenite::Error::Io(e) if is_transient(&e) => Ok(()),
        e => Err(e.into()),
    }
}

/// An IO error that leaves the socket as it was, so the call is simply made again: a timeout,
/// or a signal delivered to this thread while it was blocked (EINTR, which a socket with a
/// timeout reports whatever `SA_RESTART` says).
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

/// Read and write timeouts for the time left until `deadline` (at least 1 ms).
fn set_timeouts(tcp: &TcpStream, deadline: Instant) -> io::Result<()> {
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(MIN_BLOCK);
    tcp.set_read_timeout(Some(left))?;
    tcp.set_write_timeout(Some(left))
}

/// Connects to the first address of the target that answers before `deadline`.
fn connect_tcp(
    target: &Target,
    deadline: Instant,
    timeout: Duration,
) -> Result<TcpStream, ConnectError> {
    let addrs = resolve(target)?;
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) if e.kind() != ErrorKind::TimedOut => Err(e.into()),
        _ => Err(ConnectError::TimedOut { timeout }),
    }
}

/// The addresses of the target's host, resolved on the caller's thread; an error when there
/// are none.
pub(crate) fn resolve(target: &Target) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()?
        .collect();
    if addrs.is_empty() {
        let why = format!("{} resolves to no address", target.host);
        return Err(io::Error::new(ErrorKind::NotFound, why));
    }
    Ok(addrs)
}
