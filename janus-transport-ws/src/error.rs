//! [`Error`]: everything a call of this crate can fail with.

use std::io;

use async_tungstenite::tungstenite;
use futures_rustls::rustls;
use janus_proto::wire::RawFrame;
use janus_proto::{HandleId, JanusError, PluginError, RequestError, SessionId, UsageError};

/// Why a connection attempt or a request failed.
///
/// The first group mirrors [`janus_proto::RequestError`] one to one (how a request ended):
/// a Janus core refusal ([`Janus`](Error::Janus)) and a plugin refusal
/// ([`Plugin`](Error::Plugin)) are kept apart because their codes overlap. The second group is
/// about the caller's mistakes and the connection itself; these come from
/// [`connect`](crate::connect) and friends, or are the reason in
/// [`DriverEnd::Lost`](crate::DriverEnd::Lost). The variant names are those of
/// `janus-blocking`'s `Error`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Janus refused the request (`"janus":"error"`): e.g. 403 wrong secret or token, 458
    /// unknown session, 460 unknown plugin.
    #[error(transparent)]
    Janus(JanusError),
    /// The plugin refused the request (`error_code` inside `plugindata`), e.g. VideoRoom 426
    /// "no such room".
    #[error(transparent)]
    Plugin(PluginError),
    /// No outcome before the request's deadline
    /// ([`ConnectOptions::request_timeout`](crate::ConnectOptions::request_timeout)).
    /// `acked`: Janus had accepted the request (an asynchronous plugin request whose event
    /// never came).
    #[error("no reply before the deadline (acknowledged: {acked})")]
    TimedOut {
        /// Whether an `ack` had arrived.
        acked: bool,
    },
    /// The connection closed (or its driver stopped) before the outcome arrived, or the
    /// request was made after that. The driver's [`DriverEnd`](crate::DriverEnd) says why.
    #[error("connection lost")]
    ConnectionLost,
    /// The request was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The session ended (timed out, destroyed or gone) before the outcome arrived.
    #[error("session {0} ended")]
    SessionEnded(SessionId),
    /// The handle was detached before the outcome arrived.
    #[error("handle {0} detached")]
    HandleDetached(HandleId),
    /// Janus answered with a reply that does not fit the request (e.g. `create` without an
    /// id).
    #[error("unexpected reply: {}", .0.as_str())]
    UnexpectedReply(RawFrame),
    /// A request failure of a kind this version of the crate does not model in detail.
    #[error(transparent)]
    Request(RequestError),
    /// The request could not be made at all: unknown or ended session or handle, too many
    /// pending requests, a body that is not a JSON object, … Nothing was sent.
    #[error(transparent)]
    Usage(UsageError),
    /// A socket error (connecting, reading or writing; `ErrorKind::TimedOut` when the
    /// connection setup exceeded
    /// [`ConnectOptions::connect_timeout`](crate::ConnectOptions::connect_timeout)).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// TLS failed: an untrusted or mismatched server certificate, …
    #[error("TLS error: {0}")]
    Tls(#[from] rustls::Error),
    /// The WebSocket layer failed (protocol violation, oversized message, …).
    #[error("WebSocket error: {0}")]
    WebSocket(Box<tungstenite::Error>),
    /// The server refused the WebSocket handshake. Janus closes the connection without an
    /// answer when the subprotocol is wrong (e.g. the Admin API port for the Janus API).
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
    /// A TLS root certificate given in the options could not be read or parsed.
    #[error("bad TLS root certificate: {0}")]
    TlsRoot(String),
    /// No timer: the crate was built without the `async-io` feature and the options supply
    /// none ([`ConnectOptions::timer`](crate::ConnectOptions::timer)).
    #[error("no timer: enable the `async-io` feature or supply one in the options")]
    NoTimer,
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
                | Error::NoTimer
        )
    }

    /// The Janus core error code, for [`Janus`](Error::Janus) errors.
    pub fn janus_code(&self) -> Option<u32> {
        match self {
            Error::Janus(e) => Some(e.code),
            _ => None,
        }
    }

    /// The plugin's `error_code`, for [`Plugin`](Error::Plugin) errors.
    pub fn plugin_code(&self) -> Option<i64> {
        match self {
            Error::Plugin(e) => Some(e.code),
            _ => None,
        }
    }

    /// An I/O error, or the rustls error inside it (the TLS stream wraps them).
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
    /// [`UsageError::Closed`] becomes [`Error::ConnectionLost`] (the outcome a request in
    /// flight gets when the connection goes); the rest [`Error::Usage`].
    fn from(e: UsageError) -> Self {
        match e {
            UsageError::Closed => Error::ConnectionLost,
            other => Error::Usage(other),
        }
    }
}

impl From<tungstenite::Error> for Error {
    fn from(e: tungstenite::Error) -> Self {
        match e {
            tungstenite::Error::Io(e) => Error::from_io(e),
            other => Error::WebSocket(Box::new(other)),
        }
    }
}
