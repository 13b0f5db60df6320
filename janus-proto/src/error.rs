//! Errors: the caller's mistakes ([`UsageError`]), the peer's ([`ProtocolError`]) and the
//! ways a request can fail ([`RequestError`], carried in events).

use crate::ids::{HandleId, SessionId, TransactionId};
use crate::wire::{DecodeError, JanusError, PluginData, RawFrame};

/// A frame from the server that could not be used. Not fatal: the frame is dropped, the
/// client's state is unchanged, and the connection goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The frame is larger than [`Config::max_incoming_frame`](crate::Config::max_incoming_frame).
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    FrameTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The frame is not UTF-8 text.
    #[error("frame is not UTF-8")]
    NotUtf8,
    /// The frame is not a Janus message.
    #[error("undecodable frame: {0}")]
    Decode(#[from] DecodeError),
}

/// A command the client cannot carry out. Nothing was sent and the state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The connection is closed; call [`Client::reconnect`](crate::Client::reconnect) once a
    /// new one is up.
    #[error("the connection is closed")]
    Closed,
    /// This client never had this session (create or claim it first).
    #[error("unknown session {0}")]
    UnknownSession(SessionId),
    /// The session has ended (destroyed, timed out or gone).
    #[error("session {0} has ended")]
    SessionEnded(SessionId),
    /// This client never had this handle.
    #[error("unknown handle {0}")]
    UnknownHandle(HandleId),
    /// The handle has been detached.
    #[error("handle {0} is detached")]
    HandleEnded(HandleId),
    /// A [`Command::Claim`](crate::Command::Claim) named a handle that this client knows as
    /// live in another session.
    #[error("handle {handle} belongs to session {session}")]
    HandleInOtherSession {
        /// The handle named.
        handle: HandleId,
        /// The session it is live in.
        session: SessionId,
    },
    /// [`Config::max_pending`](crate::Config::max_pending) requests are already pending.
    #[error("too many pending requests (limit {max})")]
    TooManyPending {
        /// The limit.
        max: usize,
    },
    /// The encoded request exceeds [`Config::max_outgoing_frame`](crate::Config::max_outgoing_frame).
    #[error("request of {len} bytes exceeds the limit of {max}")]
    FrameTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A plugin message body must be a JSON object.
    #[error("a message body must be a JSON object")]
    BodyNotObject,
    /// No pending transaction has this id (already finished, or never existed).
    #[error("no pending transaction {0}")]
    NotPending(TransactionId),
}

/// A plugin-level failure: the plugin answered with `error_code` inside its `plugindata`.
///
/// Plugin codes overlap core codes (Streaming's 455 is not the core's 455), so they are
/// kept apart from [`JanusError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{plugin} error {code}: {reason}")]
pub struct PluginError {
    /// The plugin package.
    pub plugin: String,
    /// The plugin's `error_code`.
    pub code: i64,
    /// The plugin's `error` text.
    pub reason: String,
    /// The whole `plugindata`.
    pub data: PluginData,
}

/// How a request failed. Each request ends exactly once, with a reply or one of these.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Janus refused the request (`"janus":"error"`).
    #[error(transparent)]
    Janus(JanusError),
    /// The plugin refused the request (`error_code` in `plugindata`).
    #[error(transparent)]
    Plugin(PluginError),
    /// No outcome before the request's deadline. `acked` tells whether Janus had accepted
    /// the request (an async plugin request whose event never came).
    #[error("no reply before the deadline (acknowledged: {acked})")]
    TimedOut {
        /// Whether an `ack` had arrived.
        acked: bool,
    },
    /// The connection closed for good before the outcome arrived.
    #[error("connection lost")]
    ConnectionLost,
    /// The connection was lost after the request went out and before its outcome came:
    /// Janus may or may not have applied it. The client reconnects (with a reconnect
    /// policy) but does not repeat it; only `info` and `ping` are repeated on their own.
    #[error("connection lost after the request went out: it may or may not have been applied")]
    Interrupted,
    /// Over HTTP, the server answered the request's exchange with this status instead of
    /// `200` (Janus's own errors come with `200` as [`Janus`](Self::Janus)).
    #[error("HTTP status {status}")]
    Http {
        /// The status.
        status: u16,
    },
    /// The caller cancelled the request.
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
}
