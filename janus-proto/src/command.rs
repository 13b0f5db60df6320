//! Commands: what a caller asks the client to do.

use serde_json::Value;

use crate::config::Ordering;
use crate::ids::{HandleId, SessionId};
use crate::wire::{Jsep, Trickle};

/// A request to Janus. [`Client::submit`](crate::Client::submit) turns it into a frame and a
/// transaction.
///
/// ```
/// use janus_proto::{Command, SessionId};
/// let attach = Command::attach(SessionId(1), "janus.plugin.echotest");
/// assert!(matches!(attach, Command::Attach { .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Command {
    /// `info`: describe the server.
    Info,
    /// `ping`: round trip (keeps nothing alive).
    Ping,
    /// `create`: a new session, with an id of the caller's choosing or one Janus picks.
    Create {
        /// The id to ask for.
        id: Option<SessionId>,
    },
    /// `attach`: a new handle on a plugin.
    Attach {
        /// The session.
        session: SessionId,
        /// The plugin package, e.g. `janus.plugin.videoroom`.
        plugin: String,
        /// Reported back in events when the server has `opaqueid_in_api`.
        opaque_id: Option<String>,
        /// Ordering of requests on the new handle ([`Config::ordering`](crate::Config) when
        /// `None`).
        ordering: Option<Ordering>,
    },
    /// `message`: a plugin request with an optional SDP.
    Message {
        /// The handle.
        handle: HandleId,
        /// The request body, a JSON object.
        body: Value,
        /// An offer or answer.
        jsep: Option<Jsep>,
    },
    /// `trickle`: candidates for the handle's peer connection.
    Trickle {
        /// The handle.
        handle: HandleId,
        /// One, many, or completed.
        trickle: Trickle,
    },
    /// `hangup`: close the handle's peer connection.
    Hangup {
        /// The handle.
        handle: HandleId,
    },
    /// `detach`: release the handle.
    Detach {
        /// The handle.
        handle: HandleId,
    },
    /// `destroy`: end the session.
    Destroy {
        /// The session.
        session: SessionId,
    },
    /// `keepalive` now (the client also sends them on its own).
    Keepalive {
        /// The session.
        session: SessionId,
    },
    /// `claim`: take over a session (after a reconnect, or from another connection); its
    /// events come here from then on.
    Claim {
        /// The session.
        session: SessionId,
        /// Handles of that session to route events to and accept commands for.
        handles: Vec<HandleId>,
    },
}

impl Command {
    /// `create` with an id Janus picks.
    pub fn create() -> Self {
        Command::Create { id: None }
    }

    /// `attach` with no opaque id and the default ordering.
    pub fn attach(session: SessionId, plugin: impl Into<String>) -> Self {
        Command::Attach {
            session,
            plugin: plugin.into(),
            opaque_id: None,
            ordering: None,
        }
    }

    /// `message` with a body and an optional SDP.
    pub fn message(handle: HandleId, body: Value, jsep: Option<Jsep>) -> Self {
        Command::Message { handle, body, jsep }
    }
}
