//! The errors: [`ConnectError`] (establishing a connection), [`SocketError`] (the byte
//! stream, TLS or WebSocket layer), and [`Error`], the drivers' error type.

use std::io;
use std::time::Duration;

use janus_proto::{Disconnect, ProtocolError, RequestError, UsageError};

use crate::websocket::too_large;

/// The byte stream, TLS or the WebSocket layer failed, while connecting or afterwards.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SocketError {
    /// A socket error.
    #[error("I/O error: {0}")]
    Io(#[source] io::Error),
    /// TLS failed: an untrusted or mismatched server certificate, …
    #[error("TLS error: {0}")]
    Tls(#[source] rustls::Error),
    /// The WebSocket layer failed (a protocol violation by the server, …).
    #[error("WebSocket error: {0}")]
    WebSocket(#[source] Box<tungstenite::Error>),
    /// The HTTP layer failed (a malformed response, a connection closed in the middle of
    /// one, a response body over the limit, …): hyper's error, or what the exchange saw.
    #[error("HTTP error: {0}")]
    Http(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<io::Error> for SocketError {
    /// The rustls error inside it, if any (the TLS streams wrap theirs in I/O errors).
    fn from(e: io::Error) -> Self {
        let tls = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned();
        match tls {
            Some(tls) => SocketError::Tls(tls),
            None => SocketError::Io(e),
        }
    }
}

impl From<tungstenite::Error> for SocketError {
    /// The most specific variant: I/O and TLS errors come out of tungstenite's wrapping.
    fn from(e: tungstenite::Error) -> Self {
        match e {
            tungstenite::Error::Io(e) => SocketError::from(e),
            tungstenite::Error::Tls(tungstenite::error::TlsError::Rustls(e)) => {
                SocketError::Tls(*e)
            }
            other => SocketError::WebSocket(Box::new(other)),
        }
    }
}

/// What is wrong with a trusted root certificate given for `wss://`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsRootError {
    /// The PEM could not be read or parsed.
    #[error(transparent)]
    Pem(rustls_pki_types::pem::Error),
    /// The PEM holds no certificate.
    #[error("no certificate in it")]
    NoCertificate,
    /// rustls cannot use the certificate as a root.
    #[error("unusable certificate: {0}")]
    Unusable(#[source] rustls::Error),
}

/// Why a connection could not be established.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URL is not a `ws://` or `wss://` URL with a host, nor a `unix:` URL with a path
    /// (see [`unix_path`](crate::unix_path)) the system can take.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// TCP, TLS and the WebSocket handshake did not all complete within the connect
    /// timeout (for a Unix socket: the server did not take the connection in time).
    #[error("no connection within the connect timeout of {timeout:?}")]
    TimedOut {
        /// The connect timeout.
        timeout: Duration,
    },
    /// A trusted root certificate given in the options could not be used.
    #[error("bad TLS root certificate ({origin}): {problem}")]
    TlsRoot {
        /// The PEM file, or "PEM bytes".
        origin: String,
        /// What is wrong with it.
        #[source]
        problem: TlsRootError,
    },
    /// The server did not accept the WebSocket handshake. Janus closes the connection
    /// without any response when the subprotocol is wrong (e.g. an Admin API port given
    /// for the Janus API, or the other way round).
    #[error("WebSocket handshake rejected (wrong subprotocol or port?): {0}")]
    HandshakeRejected(String),
    /// The socket, TLS or the WebSocket layer failed (connection refused, untrusted
    /// certificate, no such Unix socket, …).
    #[error(transparent)]
    Socket(#[from] SocketError),
}

impl From<io::Error> for ConnectError {
    fn from(e: io::Error) -> Self {
        ConnectError::Socket(e.into())
    }
}

/// Why a call, a connection attempt or a connection failed: the error type of both
/// drivers (`janus-blocking` and `janus-transport-ws` export it as their `Error`).
///
/// [`Request`](Error::Request) says how a request ended when it did not end with its reply;
/// [`request_error`](Error::request_error), [`janus_code`](Error::janus_code) and
/// [`plugin_code`](Error::plugin_code) look inside it.
///
/// ```
/// use janus_ws_connect::Error;
/// use janus_proto::{RequestError, UsageError};
///
/// let e = Error::from(UsageError::Closed);
/// assert!(matches!(e.request_error(), Some(RequestError::ConnectionLost)));
/// assert!(e.is_fatal());
/// assert_eq!(e.janus_code(), None);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// How the request ended: Janus refused it ([`RequestError::Janus`], e.g. 403
    /// unauthorized, 458 no such session), the plugin refused it ([`RequestError::Plugin`];
    /// plugin codes overlap core codes), no outcome before its deadline, the connection
    /// closed before its outcome or before it was made ([`RequestError::ConnectionLost`];
    /// the driver says why the connection ended), cancelled, its session ended, its handle
    /// was detached, or a reply that does not fit it.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The call cannot be carried out (unknown or ended session or handle, too many pending
    /// requests, a body that is not an object, …). Nothing was sent.
    #[error(transparent)]
    Usage(UsageError),
    /// A frame from the server could not be used. Not fatal: the frame was dropped and the
    /// connection goes on. Only janus-blocking's `Connection::next_event` reports these
    /// (janus-transport-ws puts them on its connection event stream).
    #[error("bad frame from the server: {0}")]
    Protocol(#[from] ProtocolError),
    /// The connection could not be established.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The established connection broke: a socket, TLS or WebSocket error.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// The server sent a message larger than the core's `Config::max_incoming_frame`. Over
    /// a WebSocket it was refused from its frame header, without reading its payload, and
    /// the connection was closed with code 1009 (message too big); over a Unix socket, the
    /// packet was read into a buffer of the limit (the kernel discards the rest) and the
    /// socket was closed.
    #[error("the server sent a message of {size} bytes, over the limit of {limit} bytes")]
    MessageTooLarge {
        /// The size the message announced (a Unix packet's whole length).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// No timer (janus-transport-ws only): the crate was built without a runtime feature
    /// (`async-io`, `tokio`) and the options supply none.
    #[error("no timer: enable the `async-io` or `tokio` feature or supply one in the options")]
    NoTimer,
    /// The connection was found dead (no pong within the deadline, keepalives unanswered,
    /// or over HTTP a long-poll left unanswered or answered with a 5xx) and dropped, with no
    /// reconnect policy to bring it back.
    #[error("connection found dead: {0}")]
    Dead(Disconnect),
    /// The reconnect policy was exhausted.
    #[error("gave up reconnecting after {attempts} attempts")]
    GaveUp {
        /// The attempts made.
        attempts: u32,
    },
}

impl Error {
    /// Whether the connection is unusable after this error (closed, broken, or never
    /// established).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::Request(RequestError::ConnectionLost)
                | Error::Connect(_)
                | Error::Socket(_)
                | Error::MessageTooLarge { .. }
                | Error::NoTimer
                | Error::Dead(_)
                | Error::GaveUp { .. }
        )
    }

    /// How the request ended, for [`Error::Request`].
    pub fn request_error(&self) -> Option<&RequestError> {
        match self {
            Error::Request(e) => Some(e),
            _ => None,
        }
    }

    /// The Janus core error code, if Janus refused the request.
    pub fn janus_code(&self) -> Option<u32> {
        match self.request_error() {
            Some(RequestError::Janus(e)) => Some(e.code),
            _ => None,
        }
    }

    /// The plugin's `error_code`, if the plugin refused the request.
    pub fn plugin_code(&self) -> Option<i64> {
        match self.request_error() {
            Some(RequestError::Plugin(e)) => Some(e.code),
            _ => None,
        }
    }
}

impl From<UsageError> for Error {
    /// [`UsageError::Closed`] becomes [`RequestError::ConnectionLost`] (the outcome a
    /// request in flight gets when the connection goes); the rest [`Error::Usage`].
    fn from(e: UsageError) -> Self {
        match e {
            UsageError::Closed => Error::Request(RequestError::ConnectionLost),
            other => Error::Usage(other),
        }
    }
}

impl From<tungstenite::Error> for Error {
    /// A failure of an established WebSocket: [`Error::MessageTooLarge`] for a message over
    /// the limit, else [`Error::Socket`].
    fn from(e: tungstenite::Error) -> Self {
        match too_large(&e) {
            Some((size, limit)) => Error::MessageTooLarge { size, limit },
            None => Error::Socket(e.into()),
        }
    }
}

impl From<io::Error> for Error {
    /// A failure of an established connection's socket.
    fn from(e: io::Error) -> Self {
        Error::Socket(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tungstenite::error::CapacityError;

    #[test]
    fn a_message_over_the_limit_keeps_both_numbers() {
        let e = Error::from(tungstenite::Error::Capacity(
            CapacityError::MessageTooLong {
                size: 64 << 20,
                max_size: 8 << 20,
            },
        ));
        assert!(matches!(
            e,
            Error::MessageTooLarge {
                size: 67_108_864,
                limit: 8_388_608
            }
        ));
        assert!(e.is_fatal());
        let text = e.to_string();
        assert!(
            text.contains("67108864") && text.contains("8388608"),
            "{text}"
        );
    }

    #[test]
    fn only_a_lost_connection_among_request_errors_is_fatal() {
        assert!(Error::from(RequestError::ConnectionLost).is_fatal());
        assert!(!Error::from(RequestError::Cancelled).is_fatal());
        assert!(!Error::from(RequestError::TimedOut { acked: true }).is_fatal());
        assert!(!Error::from(UsageError::TooManyPending { max: 1 }).is_fatal());
    }
}
