//! The WebSocket: connecting (TCP, TLS, handshake with a subprotocol) and moving whole
//! messages with a bounded wait. No protocol logic lives here.

use std::io::{self, ErrorKind};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::http::{HeaderValue, Uri};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Connector, Message, WebSocket};

use crate::error::{from_io, from_ws, Error};
use crate::options::{ConnectOptions, PemSource};

/// Subprotocol of the Janus API.
pub(crate) const JANUS_PROTOCOL: &str = "janus-protocol";
/// Subprotocol of the Admin API.
pub(crate) const ADMIN_PROTOCOL: &str = "janus-admin-protocol";

/// Longest single blocking read when no deadline is armed.
const MAX_BLOCK: Duration = Duration::from_secs(60);
/// tungstenite's read buffer: it zeroes this much before every read of the socket, so its
/// default (128 KiB) cost more CPU per Janus frame than decoding it. Janus's frames are
/// mostly well under 8 KiB; larger ones take several reads.
const READ_BUFFER: usize = 8 * 1024;
/// Shortest read timeout (a zero timeout means "block forever" to the OS).
const MIN_BLOCK: Duration = Duration::from_millis(1);

/// What one bounded read produced.
#[derive(Debug)]
pub(crate) enum Read {
    /// One whole message (text, or binary holding JSON).
    Frame(Bytes),
    /// Nothing for the caller: the wait ran out, or a control frame was handled.
    Idle,
    /// The connection is gone; why.
    Closed(Error),
}

/// An open WebSocket to Janus.
pub(crate) struct Socket {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    /// The same socket as inside `ws`, for its timeouts.
    tcp: TcpStream,
    /// Bound on one blocking write: a peer that stops reading must not hang the caller.
    write_timeout: Duration,
    /// The read timeout the socket has now (`None`: not set by [`Socket::read`] yet).
    read_timeout: Option<Duration>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket").field("tcp", &self.tcp).finish()
    }
}

impl Socket {
    /// Connects to a `ws://` or `wss://` URL asking for `subprotocol`.
    pub(crate) fn connect(
        url: &str,
        subprotocol: &'static str,
        options: &ConnectOptions,
    ) -> Result<Socket, Error> {
        let deadline = after(options.connect_timeout);
        let (uri, tls, host, port) = parse_url(url)?;
        let mut request = url.into_client_request().map_err(|e| Error::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(subprotocol),
        );
        let connector = if tls {
            Connector::Rustls(tls_config(options)?)
        } else {
            Connector::Plain
        };

        let tcp = connect_tcp(&host, port, deadline)?;
        tcp.set_nodelay(true)?;
        let tcp_clone = tcp.try_clone()?;
        set_timeouts(&tcp, deadline)?;

        let max = options.config.max_incoming_frame.max(1);
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .max_message_size(Some(max))
            .max_frame_size(Some(max));
        let mut attempt =
            tungstenite::client_tls_with_config(request, tcp, Some(ws_config), Some(connector));
        let ws = loop {
            match attempt {
                Ok((ws, _response)) => break ws,
                Err(HandshakeError::Interrupted(mid)) => {
                    if Instant::now() >= deadline {
                        return Err(Error::Io(io::Error::new(
                            ErrorKind::TimedOut,
                            format!("connecting to {uri} timed out"),
                        )));
                    }
                    set_timeouts(&tcp_clone, deadline)?;
                    attempt = mid.handshake();
                }
                Err(HandshakeError::Failure(e)) => return Err(handshake_error(e, subprotocol)),
            }
        };
        let write_timeout = options
            .config
            .request_timeout
            .clamp(Duration::from_secs(1), Duration::from_secs(30));
        tcp_clone.set_write_timeout(Some(write_timeout))?;
        Ok(Socket {
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

    /// Sends everything queued (including pongs tungstenite owes the server).
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        let deadline = after(self.write_timeout);
        loop {
            match self.ws.flush() {
                Ok(()) => return Ok(()),
                Err(tungstenite::Error::Io(e)) if is_transient(&e) && Instant::now() < deadline => {
                    continue
                }
                Err(e) => return Err(from_ws(e)),
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
                return Read::Closed(Error::Io(e));
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
            Ok(Message::Pong(_)) | Ok(Message::Frame(_)) => Read::Idle,
            Ok(Message::Close(frame)) => {
                // tungstenite queued the closing handshake's reply; best effort.
                let _ = self.ws.flush();
                let why = match frame {
                    Some(f) => format!("server closed the WebSocket: {} {}", f.code, f.reason),
                    None => "server closed the WebSocket".to_owned(),
                };
                Read::Closed(Error::Io(io::Error::new(ErrorKind::ConnectionAborted, why)))
            }
            Err(tungstenite::Error::Io(e)) if is_transient(&e) => Read::Idle,
            Err(e) => Read::Closed(from_ws(e)),
        }
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
fn after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
}

fn ignore_would_block(e: tungstenite::Error) -> Result<(), Error> {
    match e {
        // The message is in tungstenite's buffer; `flush` sends it.
        tungstenite::Error::Io(e) if is_transient(&e) => Ok(()),
        e => Err(from_ws(e)),
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

/// The URI, whether it is `wss`, and the host and port to connect to.
fn parse_url(url: &str) -> Result<(Uri, bool, String, u16), Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let uri: Uri = url.parse().map_err(|e| Error::InvalidUrl {
        url: url.to_owned(),
        reason: format!("{e}"),
    })?;
    let tls = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        _ => return Err(invalid("the scheme must be ws or wss")),
    };
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid("no host"))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    Ok((uri, tls, host, port))
}

/// Connects to the first address of `host` that answers before `deadline`.
fn connect_tcp(host: &str, port: u16, deadline: Instant) -> Result<TcpStream, Error> {
    let mut last = None;
    for addr in (host, port).to_socket_addrs()? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Io(last.unwrap_or_else(|| {
        io::Error::new(
            ErrorKind::TimedOut,
            format!("no address of {host}:{port} answered in time"),
        )
    })))
}

/// The rustls configuration for `wss`: the caller's, or one trusting the given PEM roots
/// (and `webpki-roots` unless turned off), with the `ring` provider.
fn tls_config(options: &ConnectOptions) -> Result<Arc<rustls::ClientConfig>, Error> {
    if let Some(config) = &options.tls_config {
        return Ok(config.clone());
    }
    let mut roots = rustls::RootCertStore::empty();
    if options.webpki_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for source in &options.tls_roots {
        let certs: Vec<CertificateDer<'static>> = match source {
            PemSource::Bytes(bytes) => CertificateDer::pem_slice_iter(bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| Error::TlsRoot(format!("PEM bytes: {e}")))?,
            PemSource::File(path) => CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<_, _>>())
                .map_err(|e| Error::TlsRoot(format!("{}: {e}", path.display())))?,
        };
        if certs.is_empty() {
            return Err(Error::TlsRoot("no certificate in the PEM".to_owned()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| Error::TlsRoot(format!("unusable certificate: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A failed handshake: a server that closes without answering (Janus with a wrong
/// subprotocol), refuses the upgrade, or agrees to another subprotocol is a rejection.
fn handshake_error(e: tungstenite::Error, subprotocol: &str) -> Error {
    use tungstenite::error::ProtocolError as P;
    match e {
        tungstenite::Error::Protocol(P::HandshakeIncomplete) => Error::HandshakeRejected(format!(
            "the server closed the connection without answering the handshake \
             (does it speak subprotocol {subprotocol:?}?)"
        )),
        tungstenite::Error::Protocol(P::SecWebSocketSubProtocolError(e)) => {
            Error::HandshakeRejected(format!("subprotocol {subprotocol:?} not agreed: {e}"))
        }
        tungstenite::Error::Http(response) => Error::HandshakeRejected(format!(
            "the server answered {} instead of switching to WebSocket",
            response.status()
        )),
        tungstenite::Error::Io(e) if e.kind() == ErrorKind::UnexpectedEof => {
            Error::HandshakeRejected(format!(
                "the server closed the connection during the handshake \
                 (does it speak subprotocol {subprotocol:?}?)"
            ))
        }
        tungstenite::Error::Io(e) => from_io(e),
        other => from_ws(other),
    }
}
