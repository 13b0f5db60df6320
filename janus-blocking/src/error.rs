//! [`Error`]: everything a call on a [`Connection`](crate::Connection) can fail with.

use std::io;

use janus_proto::wire::RawFrame;
use janus_proto::{
    HandleId, JanusError, PluginError, ProtocolError, RequestError, SessionId, UsageError,
};

/// Why a call failed.
///
/// The first group mirrors [`RequestError`] one to one (how a request ended); the second is
/// about the caller's own mistakes and the connection itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Janus refused the request (`"janus":"error"`, e.g. 403 unauthorized, 458 no such
    /// session, 460 no such plugin).
    #[error(transparent)]
    Janus(JanusError),
    /// The plugin refused the request (`error_code` inside `plugindata`, e.g. VideoRoom 426
    /// no such room). Plugin codes overlap core codes, hence the separate variant.
    #[error(transparent)]
    Plugin(PluginError),
    /// No outcome before the request's deadline. `acked`: Janus had accepted the request
    /// (an asynchronous plugin request whose event never came).
    #[error("no reply before the deadline (acknowledged: {acked})")]
    TimedOut {
        /// Whether an `ack` had arrived.
        acked: bool,
    },
    /// The connection closed (or broke) before the outcome arrived, or was already closed.
    /// [`Connection::close_reason`](crate::Connection::close_reason) tells why.
    #[error("connection lost")]
    ConnectionLost,
    /// The request was cancelled with [`Connection::cancel`](crate::Connection::cancel).
    #[error("cancelled")]
    Cancelled,
    /// The session ended (timed out, destroyed, gone) before the outcome arrived.
    #[error("session {0} ended")]
    SessionEnded(SessionId),
    /// The handle was detached before the outcome arrived.
    #[error("handle {0} detached")]
    HandleDetached(HandleId),
    /// Janus answered with a reply that does not fit the request.
    #[error("unexpected reply: {}", .0.as_str())]
    UnexpectedReply(RawFrame),
    /// A request failure this version does not model in detail.
    #[error(transparent)]
    Request(RequestError),
    /// The call cannot be carried out (unknown or ended session or handle, too many pending
    /// requests, a body that is not an object, …). Nothing was sent.
    #[error(transparent)]
    Usage(UsageError),
    /// A frame from the server could not be used. Not fatal: the frame was dropped and the
    /// connection goes on. Only [`Connection::next_event`](crate::Connection::next_event)
    /// reports these.
    #[error("bad frame from the server: {0}")]
    Protocol(#[from] ProtocolError),
    /// A socket error (connecting, or `ErrorKind::TimedOut` for
    /// [`ConnectOptions::connect_timeout`](crate::ConnectOptions::connect_timeout)).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A TLS error (certificate not trusted, name mismatch, …).
    #[error("TLS error: {0}")]
    Tls(#[from] rustls::Error),
    /// A WebSocket error.
    #[error("WebSocket error: {0}")]
    WebSocket(#[from] tungstenite::Error),
    /// The server did not accept the WebSocket handshake. Janus closes the connection without
    /// any response when the subprotocol is wrong (e.g. a Janus API URL given to
    /// [`AdminConnection`](crate::AdminConnection), or the other way round).
    #[error("WebSocket handshake rejected (wrong subprotocol or port?): {0}")]
    HandshakeRejected(String),
    /// The URL is not a `ws://` or `wss://` URL with a host.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A TLS root certificate given in [`ConnectOptions`](crate::ConnectOptions) could not
    /// be read or parsed.
    #[error("bad TLS root certificate: {0}")]
    TlsRoot(String),
}

impl Error {
    /// Whether the connection is unusable after this error (closed, broken, or never
    /// established).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::ConnectionLost
                | Error::Io(_)
                | Error::Tls(_)
                | Error::WebSocket(_)
                | Error::HandshakeRejected(_)
                | Error::InvalidUrl { .. }
                | Error::TlsRoot(_)
        )
    }

    /// The Janus core error code, if this is a [`Error::Janus`].
    pub fn janus_code(&self) -> Option<u32> {
        match self {
            Error::Janus(e) => Some(e.code),
            _ => None,
        }
    }

    /// The plugin error code, if this is a [`Error::Plugin`].
    pub fn plugin_code(&self) -> Option<i64> {
        match self {
            Error::Plugin(e) => Some(e.code),
            _ => None,
        }
    }
}

impl From<RequestError> for Error {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Janus(e) => Error::Janus(e),
            RequestError::Plugin(e) => Error::Plugin(e),
            RequestError::TimedOut { acked } => Error::TimedOut { acked },
            RequestError::ConnectionLost => Error::ConnectionLost,
            RequestError::Cancelled => Error::Cancelled,
            RequestError::SessionEnded(s) => Error::SessionEnded(s),
            RequestError::HandleDetached(h) => Error::HandleDetached(h),
            RequestError::UnexpectedReply(raw) => Error::UnexpectedReply(raw),
            other => Error::Request(other),
        }
    }
}

impl From<UsageError> for Error {
    /// [`UsageError::Closed`] becomes [`Error::ConnectionLost`]; the rest [`Error::Usage`].
    fn from(e: UsageError) -> Self {
        match e {
            UsageError::Closed => Error::ConnectionLost,
            other => Error::Usage(other),
        }
    }
}

/// Sorts a tungstenite error into the most specific variant (TLS errors come wrapped in I/O
/// errors from the rustls stream).
pub(crate) fn from_ws(e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Io(io) => from_io(io),
        tungstenite::Error::Tls(tungstenite::error::TlsError::Rustls(e)) => Error::Tls(*e),
        other => Error::WebSocket(other),
    }
}

/// An I/O error, or the rustls error inside it.
pub(crate) fn from_io(e: io::Error) -> Error {
    let tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .cloned();
    match tls {
        Some(tls) => Error::Tls(tls),
        None => Error::Io(e),
    }
}
