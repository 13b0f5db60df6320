//! Requests this client sends on the Janus API.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jsep::{Jsep, Trickle};
use crate::ids::{HandleId, SessionId};
use crate::secret::Secret;

/// One request frame: the envelope (`transaction`, auth) around a [`RequestBody`].
///
/// Encoding gives exactly one JSON object with no trailing bytes (Janus drops a whole frame
/// that has any).
///
/// ```
/// use janus_proto::wire::{Request, RequestBody};
/// use janus_proto::SessionId;
/// let req = Request::new("t1", RequestBody::Keepalive { session_id: SessionId(7) });
/// assert_eq!(req.encode(), r#"{"transaction":"t1","janus":"keepalive","session_id":7}"#);
/// assert_eq!(Request::decode(&req.encode()).unwrap(), req);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The transaction string Janus echoes in its replies.
    pub transaction: String,
    /// What is asked.
    #[serde(flatten)]
    pub body: RequestBody,
    /// The shared API secret (`api_secret` in janus.jcfg).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apisecret: Option<Secret>,
    /// A stored or signed token (`token_auth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
}

impl Request {
    /// A request without auth fields.
    pub fn new(transaction: impl Into<String>, body: RequestBody) -> Self {
        Self {
            transaction: transaction.into(),
            body,
            apisecret: None,
            token: None,
        }
    }

    /// The frame text: one compact JSON object, nothing after it.
    pub fn encode(&self) -> String {
        // Serializing these types cannot fail: every map key is a string and every value is
        // plain data.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a frame produced by [`encode`](Self::encode) (used by tests and the fake server).
    pub fn decode(frame: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(frame)
    }
}

/// The request itself, tagged by the `janus` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "janus", rename_all = "lowercase")]
pub enum RequestBody {
    /// Server information (no session, no auth).
    Info,
    /// Round trip check (no session, no auth, does not keep sessions alive).
    Ping,
    /// Create a session, optionally with an id of the client's choosing.
    Create {
        /// The id to use (0 or absent: Janus picks one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<SessionId>,
    },
    /// Attach a handle to a plugin.
    Attach {
        /// The session.
        session_id: SessionId,
        /// The plugin package, e.g. `janus.plugin.echotest`.
        plugin: String,
        /// An opaque id Janus reports in events when `opaqueid_in_api` is on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opaque_id: Option<String>,
        /// Event loop to use, honoured with `allow_loop_indication`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        loop_index: Option<u32>,
    },
    /// A plugin request.
    Message {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
        /// The plugin request body (a JSON object).
        body: Value,
        /// An SDP offer or answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        jsep: Option<Jsep>,
    },
    /// ICE candidates for the handle's peer connection.
    Trickle {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
        /// `candidate` or `candidates`.
        #[serde(flatten)]
        trickle: Trickle,
    },
    /// Close the handle's peer connection.
    Hangup {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
    },
    /// Detach the handle from its plugin.
    Detach {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
    },
    /// Destroy the session.
    Destroy {
        /// The session.
        session_id: SessionId,
    },
    /// Keep the session alive.
    Keepalive {
        /// The session.
        session_id: SessionId,
    },
    /// Make this connection the session's owner (after a reconnect, or from another socket).
    Claim {
        /// The session.
        session_id: SessionId,
    },
}

impl RequestBody {
    /// The `janus` name of this request.
    pub fn name(&self) -> &'static str {
        match self {
            RequestBody::Info => "info",
            RequestBody::Ping => "ping",
            RequestBody::Create { .. } => "create",
            RequestBody::Attach { .. } => "attach",
            RequestBody::Message { .. } => "message",
            RequestBody::Trickle { .. } => "trickle",
            RequestBody::Hangup { .. } => "hangup",
            RequestBody::Detach { .. } => "detach",
            RequestBody::Destroy { .. } => "destroy",
            RequestBody::Keepalive { .. } => "keepalive",
            RequestBody::Claim { .. } => "claim",
        }
    }

    /// Whether Janus wants `apisecret`/`token` on this request (all but `info` and `ping`).
    pub fn needs_auth(&self) -> bool {
        !matches!(self, RequestBody::Info | RequestBody::Ping)
    }

    /// The session this request names.
    pub fn session_id(&self) -> Option<SessionId> {
        match self {
            RequestBody::Info | RequestBody::Ping | RequestBody::Create { .. } => None,
            RequestBody::Attach { session_id, .. }
            | RequestBody::Message { session_id, .. }
            | RequestBody::Trickle { session_id, .. }
            | RequestBody::Hangup { session_id, .. }
            | RequestBody::Detach { session_id, .. }
            | RequestBody::Destroy { session_id }
            | RequestBody::Keepalive { session_id }
            | RequestBody::Claim { session_id } => Some(*session_id),
        }
    }

    /// The handle this request names.
    pub fn handle_id(&self) -> Option<HandleId> {
        match self {
            RequestBody::Message { handle_id, .. }
            | RequestBody::Trickle { handle_id, .. }
            | RequestBody::Hangup { handle_id, .. }
            | RequestBody::Detach { handle_id, .. } => Some(*handle_id),
            _ => None,
        }
    }
}
