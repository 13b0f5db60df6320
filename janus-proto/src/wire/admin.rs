//! The Admin API wire model: every request of Janus 1.1.2's Admin API, and the typed view of
//! its replies.
//!
//! The Admin API uses the same envelope as the Janus API (`janus`, `transaction`, and
//! `session_id`/`handle_id` where needed) plus `admin_secret`, which every request except
//! `info` and `ping` must carry. It creates no sessions and sends nothing unsolicited: each
//! request gets exactly one reply, a `success` (`pong`, `server_info` for `ping`, `info`) or
//! an `error`.
//!
//! * [`AdminRequest`] is what is asked; [`AdminRequestFrame`] wraps it in the envelope and
//!   encodes it.
//! * [`AdminMessage::decode`] classifies a received frame (reply, error, other) and gives its
//!   transaction.
//! * [`AdminReply::decode`] builds the typed view of a reply, given the
//!   [`AdminRequestKind`] it answers (the reply itself does not say).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::incoming::{DecodeError, JanusError};
use super::raw::RawFrame;
use super::server_info::ServerInfo;
use crate::ids::{HandleId, SessionId};
use crate::secret::Secret;

/// One Admin API request, tagged by its `janus` name (spelled exactly as Janus spells it).
///
/// Field names are the ones Janus reads (`src/janus.c`, 1.1.2). Optional fields are left out
/// of the frame when `None`; a `request` of [`Value::Null`] is left out too (Janus then passes
/// an empty query to the plugin, transport, handler or logger).
///
/// ```
/// use janus_proto::wire::admin::{AdminRequest, AdminRequestFrame};
/// use janus_proto::SessionId;
/// let frame = AdminRequestFrame::new("t1", AdminRequest::ListHandles { session_id: SessionId(7) })
///     .admin_secret("janusoverlord");
/// assert_eq!(
///     frame.encode(),
///     r#"{"transaction":"t1","janus":"list_handles","session_id":7,"admin_secret":"janusoverlord"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "janus", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AdminRequest {
    /// Server information, as the Janus API's `info` (no secret needed).
    Info,
    /// Round trip check, answered with `pong` (no secret needed).
    Ping,
    /// The settings that can be changed at runtime.
    GetStatus,
    /// Every session on the server.
    ListSessions,
    /// Every handle of a session.
    ListHandles {
        /// The session.
        session_id: SessionId,
    },
    /// Everything Janus knows about a handle (plugin state, ICE/DTLS, SDPs, stats).
    HandleInfo {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
        /// Only the plugin-specific part (no flags, SDPs or WebRTC stats).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plugin_only: Option<bool>,
    },
    /// Changes the global session timeout, or one session's.
    SetSessionTimeout {
        /// Seconds; 0 disables the timeout. For one session, −1 means "the global value".
        timeout: i64,
        /// The session; `None` changes the global timeout.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<SessionId>,
    },
    /// Changes the log level (0 = none … 7 = huge; anything else gets error 467).
    SetLogLevel {
        /// The new level.
        level: u8,
    },
    /// Turns timestamps in log lines on or off.
    SetLogTimestamps {
        /// On or off.
        timestamps: bool,
    },
    /// Turns colours in log lines on or off.
    SetLogColors {
        /// On or off.
        colors: bool,
    },
    /// Turns lock debugging on or off.
    SetLockingDebug {
        /// On or off.
        debug: bool,
    },
    /// Turns reference-counter debugging on or off.
    SetRefcountDebug {
        /// On or off.
        debug: bool,
    },
    /// Turns libnice debugging on or off.
    SetLibniceDebug {
        /// On or off.
        debug: bool,
    },
    /// Changes the minimum NACK queue window (milliseconds).
    SetMinNackQueue {
        /// The new value.
        min_nack_queue: u64,
    },
    /// Turns the NACK optimizations (`nack_optimizations` in janus.jcfg) on or off.
    SetNackOptimizations {
        /// On or off.
        nack_optimizations: bool,
    },
    /// Changes the no-media timer (seconds without media before a `media` event).
    SetNoMediaTimer {
        /// The new value.
        no_media_timer: u64,
    },
    /// Changes the slowlink threshold (lost packets per second; 0 disables).
    SetSlowlinkThreshold {
        /// The new value.
        slowlink_threshold: u64,
    },
    /// Whether new sessions are accepted (off to drain a server).
    AcceptNewSessions {
        /// Accept or refuse.
        accept: bool,
    },
    /// How many handles each static event loop serves (empty without static loops).
    LoopsInfo,
    /// A synchronous request to a transport plugin.
    QueryTransport {
        /// The transport package, e.g. `janus.transport.websockets`.
        transport: String,
        /// The query, a JSON object (e.g. `{"request":"connections"}`); `Null` sends none.
        #[serde(default, skip_serializing_if = "Value::is_null")]
        request: Value,
    },
    /// A synchronous request to an event handler.
    QueryEventhandler {
        /// The event handler package, e.g. `janus.eventhandler.sampleevh`.
        handler: String,
        /// The query, a JSON object; `Null` sends none.
        #[serde(default, skip_serializing_if = "Value::is_null")]
        request: Value,
    },
    /// A synchronous request to a logger plugin.
    QueryLogger {
        /// The logger package, e.g. `janus.logger.jsonlog`.
        logger: String,
        /// The query, a JSON object; `Null` sends none.
        #[serde(default, skip_serializing_if = "Value::is_null")]
        request: Value,
    },
    /// A synchronous request to a media plugin (e.g. create a VideoRoom room).
    MessagePlugin {
        /// The plugin package, e.g. `janus.plugin.videoroom`.
        plugin: String,
        /// The plugin request, a JSON object; `Null` sends none. (TextRoom wants a
        /// `transaction` inside it.)
        #[serde(default, skip_serializing_if = "Value::is_null")]
        request: Value,
    },
    /// Pushes a custom "external" event to the event handlers.
    CustomEvent {
        /// The event's schema (free text, e.g. a URL).
        schema: String,
        /// The event, a JSON object.
        data: Value,
    },
    /// Prints a line in the Janus log.
    CustomLogline {
        /// The text.
        line: String,
        /// The log level (default 4, info; out of range falls back to info).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<u8>,
    },
    /// Adds a stored token (`token_auth = true`).
    AddToken {
        /// The token.
        token: Secret,
        /// The plugins it may use; `None` allows all of them. Unknown names are skipped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plugins: Option<Vec<String>>,
    },
    /// Lets a stored token use more plugins.
    AllowToken {
        /// The token.
        token: Secret,
        /// The plugins (must not be empty).
        plugins: Vec<String>,
    },
    /// Stops a stored token from using some plugins.
    DisallowToken {
        /// The token.
        token: Secret,
        /// The plugins (must not be empty).
        plugins: Vec<String>,
    },
    /// Every stored token and the plugins it may use.
    ListTokens,
    /// Removes a stored token; requests using it fail from then on.
    RemoveToken {
        /// The token.
        token: Secret,
    },
    /// Destroys a session (its owner is not told).
    DestroySession {
        /// The session.
        session_id: SessionId,
    },
    /// Detaches a handle (its owner receives `detached`).
    DetachHandle {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
    },
    /// Closes a handle's peer connection (reason `"Admin API"`).
    HangupWebrtc {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
    },
    /// Starts dumping a handle's unencrypted RTP/RTCP to a pcap file.
    StartPcap {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
        /// Folder on the server (default: Janus's current folder).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        folder: Option<String>,
        /// File name (default: a random one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
        /// Bytes to keep of each packet (default 0: all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        truncate: Option<u32>,
    },
    /// Stops a pcap dump.
    StopPcap {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
    },
    /// Starts dumping a handle's unencrypted RTP/RTCP to a text file for `text2pcap`.
    #[serde(rename = "start_text2pcap")]
    StartText2pcap {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
        /// Folder on the server (default: Janus's current folder).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        folder: Option<String>,
        /// File name (default: a random one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
        /// Bytes to keep of each packet (default 0: all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        truncate: Option<u32>,
    },
    /// Stops a text2pcap dump.
    #[serde(rename = "stop_text2pcap")]
    StopText2pcap {
        /// The session.
        session_id: SessionId,
        /// The handle.
        handle_id: HandleId,
    },
    /// Resolves a host name on the server, timing it.
    ResolveAddress {
        /// The host name or address.
        address: String,
    },
    /// Sends a STUN binding request from the server, timing it.
    TestStun {
        /// The STUN server's host name or address.
        address: String,
        /// Its port.
        port: u16,
        /// The local port to bind (default: any).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        localport: Option<u16>,
    },
}

/// The kind of an [`AdminRequest`], without its fields: what a reply is decoded against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AdminRequestKind {
    /// `info`.
    Info,
    /// `ping`.
    Ping,
    /// `get_status`.
    GetStatus,
    /// `list_sessions`.
    ListSessions,
    /// `list_handles`.
    ListHandles,
    /// `handle_info`.
    HandleInfo,
    /// `set_session_timeout`.
    SetSessionTimeout,
    /// `set_log_level`.
    SetLogLevel,
    /// `set_log_timestamps`.
    SetLogTimestamps,
    /// `set_log_colors`.
    SetLogColors,
    /// `set_locking_debug`.
    SetLockingDebug,
    /// `set_refcount_debug`.
    SetRefcountDebug,
    /// `set_libnice_debug`.
    SetLibniceDebug,
    /// `set_min_nack_queue`.
    SetMinNackQueue,
    /// `set_nack_optimizations`.
    SetNackOptimizations,
    /// `set_no_media_timer`.
    SetNoMediaTimer,
    /// `set_slowlink_threshold`.
    SetSlowlinkThreshold,
    /// `accept_new_sessions`.
    AcceptNewSessions,
    /// `loops_info`.
    LoopsInfo,
    /// `query_transport`.
    QueryTransport,
    /// `query_eventhandler`.
    QueryEventhandler,
    /// `query_logger`.
    QueryLogger,
    /// `message_plugin`.
    MessagePlugin,
    /// `custom_event`.
    CustomEvent,
    /// `custom_logline`.
    CustomLogline,
    /// `add_token`.
    AddToken,
    /// `allow_token`.
    AllowToken,
    /// `disallow_token`.
    DisallowToken,
    /// `list_tokens`.
    ListTokens,
    /// `remove_token`.
    RemoveToken,
    /// `destroy_session`.
    DestroySession,
    /// `detach_handle`.
    DetachHandle,
    /// `hangup_webrtc`.
    HangupWebrtc,
    /// `start_pcap`.
    StartPcap,
    /// `stop_pcap`.
    StopPcap,
    /// `start_text2pcap`.
    StartText2pcap,
    /// `stop_text2pcap`.
    StopText2pcap,
    /// `resolve_address`.
    ResolveAddress,
    /// `test_stun`.
    TestStun,
}

impl AdminRequestKind {
    /// The `janus` name of this request.
    pub fn name(self) -> &'static str {
        use AdminRequestKind as K;
        match self {
            K::Info => "info",
            K::Ping => "ping",
            K::GetStatus => "get_status",
            K::ListSessions => "list_sessions",
            K::ListHandles => "list_handles",
            K::HandleInfo => "handle_info",
            K::SetSessionTimeout => "set_session_timeout",
            K::SetLogLevel => "set_log_level",
            K::SetLogTimestamps => "set_log_timestamps",
            K::SetLogColors => "set_log_colors",
            K::SetLockingDebug => "set_locking_debug",
            K::SetRefcountDebug => "set_refcount_debug",
            K::SetLibniceDebug => "set_libnice_debug",
            K::SetMinNackQueue => "set_min_nack_queue",
            K::SetNackOptimizations => "set_nack_optimizations",
            K::SetNoMediaTimer => "set_no_media_timer",
            K::SetSlowlinkThreshold => "set_slowlink_threshold",
            K::AcceptNewSessions => "accept_new_sessions",
            K::LoopsInfo => "loops_info",
            K::QueryTransport => "query_transport",
            K::QueryEventhandler => "query_eventhandler",
            K::QueryLogger => "query_logger",
            K::MessagePlugin => "message_plugin",
            K::CustomEvent => "custom_event",
            K::CustomLogline => "custom_logline",
            K::AddToken => "add_token",
            K::AllowToken => "allow_token",
            K::DisallowToken => "disallow_token",
            K::ListTokens => "list_tokens",
            K::RemoveToken => "remove_token",
            K::DestroySession => "destroy_session",
            K::DetachHandle => "detach_handle",
            K::HangupWebrtc => "hangup_webrtc",
            K::StartPcap => "start_pcap",
            K::StopPcap => "stop_pcap",
            K::StartText2pcap => "start_text2pcap",
            K::StopText2pcap => "stop_text2pcap",
            K::ResolveAddress => "resolve_address",
            K::TestStun => "test_stun",
        }
    }

    /// Whether Janus wants `admin_secret` on this request (all but `info` and `ping`).
    pub fn needs_secret(self) -> bool {
        !matches!(self, AdminRequestKind::Info | AdminRequestKind::Ping)
    }
}

impl fmt::Display for AdminRequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl AdminRequest {
    /// What kind of request this is.
    pub fn kind(&self) -> AdminRequestKind {
        use AdminRequest as R;
        use AdminRequestKind as K;
        match self {
            R::Info => K::Info,
            R::Ping => K::Ping,
            R::GetStatus => K::GetStatus,
            R::ListSessions => K::ListSessions,
            R::ListHandles { .. } => K::ListHandles,
            R::HandleInfo { .. } => K::HandleInfo,
            R::SetSessionTimeout { .. } => K::SetSessionTimeout,
            R::SetLogLevel { .. } => K::SetLogLevel,
            R::SetLogTimestamps { .. } => K::SetLogTimestamps,
            R::SetLogColors { .. } => K::SetLogColors,
            R::SetLockingDebug { .. } => K::SetLockingDebug,
            R::SetRefcountDebug { .. } => K::SetRefcountDebug,
            R::SetLibniceDebug { .. } => K::SetLibniceDebug,
            R::SetMinNackQueue { .. } => K::SetMinNackQueue,
            R::SetNackOptimizations { .. } => K::SetNackOptimizations,
            R::SetNoMediaTimer { .. } => K::SetNoMediaTimer,
            R::SetSlowlinkThreshold { .. } => K::SetSlowlinkThreshold,
            R::AcceptNewSessions { .. } => K::AcceptNewSessions,
            R::LoopsInfo => K::LoopsInfo,
            R::QueryTransport { .. } => K::QueryTransport,
            R::QueryEventhandler { .. } => K::QueryEventhandler,
            R::QueryLogger { .. } => K::QueryLogger,
            R::MessagePlugin { .. } => K::MessagePlugin,
            R::CustomEvent { .. } => K::CustomEvent,
            R::CustomLogline { .. } => K::CustomLogline,
            R::AddToken { .. } => K::AddToken,
            R::AllowToken { .. } => K::AllowToken,
            R::DisallowToken { .. } => K::DisallowToken,
            R::ListTokens => K::ListTokens,
            R::RemoveToken { .. } => K::RemoveToken,
            R::DestroySession { .. } => K::DestroySession,
            R::DetachHandle { .. } => K::DetachHandle,
            R::HangupWebrtc { .. } => K::HangupWebrtc,
            R::StartPcap { .. } => K::StartPcap,
            R::StopPcap { .. } => K::StopPcap,
            R::StartText2pcap { .. } => K::StartText2pcap,
            R::StopText2pcap { .. } => K::StopText2pcap,
            R::ResolveAddress { .. } => K::ResolveAddress,
            R::TestStun { .. } => K::TestStun,
        }
    }

    /// The `janus` name of this request.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// Whether Janus wants `admin_secret` on this request (all but `info` and `ping`).
    pub fn needs_secret(&self) -> bool {
        self.kind().needs_secret()
    }

    /// The session this request names.
    pub fn session_id(&self) -> Option<SessionId> {
        use AdminRequest as R;
        match self {
            R::ListHandles { session_id }
            | R::HandleInfo { session_id, .. }
            | R::DestroySession { session_id }
            | R::DetachHandle { session_id, .. }
            | R::HangupWebrtc { session_id, .. }
            | R::StartPcap { session_id, .. }
            | R::StopPcap { session_id, .. }
            | R::StartText2pcap { session_id, .. }
            | R::StopText2pcap { session_id, .. } => Some(*session_id),
            R::SetSessionTimeout { session_id, .. } => *session_id,
            _ => None,
        }
    }

    /// The handle this request names.
    pub fn handle_id(&self) -> Option<HandleId> {
        use AdminRequest as R;
        match self {
            R::HandleInfo { handle_id, .. }
            | R::DetachHandle { handle_id, .. }
            | R::HangupWebrtc { handle_id, .. }
            | R::StartPcap { handle_id, .. }
            | R::StopPcap { handle_id, .. }
            | R::StartText2pcap { handle_id, .. }
            | R::StopText2pcap { handle_id, .. } => Some(*handle_id),
            _ => None,
        }
    }

    /// The JSON payload Janus requires to be an object (`request` of the queries and
    /// `message_plugin`, which may also be absent; `data` of `custom_event`), if any.
    pub(crate) fn object_payload(&self) -> Option<(&Value, bool)> {
        use AdminRequest as R;
        match self {
            R::QueryTransport { request, .. }
            | R::QueryEventhandler { request, .. }
            | R::QueryLogger { request, .. }
            | R::MessagePlugin { request, .. } => Some((request, true)),
            R::CustomEvent { data, .. } => Some((data, false)),
            _ => None,
        }
    }
}

/// One Admin API request frame: the envelope (`transaction`, `admin_secret`) around an
/// [`AdminRequest`].
///
/// Encoding gives exactly one compact JSON object with no trailing bytes (Janus drops a whole
/// frame that has any).
///
/// ```
/// use janus_proto::wire::admin::{AdminRequest, AdminRequestFrame};
/// let frame = AdminRequestFrame::new("t2", AdminRequest::Ping);
/// assert_eq!(frame.encode(), r#"{"transaction":"t2","janus":"ping"}"#);
/// assert_eq!(AdminRequestFrame::decode(&frame.encode()).unwrap(), frame);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminRequestFrame {
    /// The transaction string Janus echoes in its reply.
    pub transaction: String,
    /// What is asked.
    #[serde(flatten)]
    pub request: AdminRequest,
    /// The Admin API secret (`admin_secret` in janus.jcfg).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_secret: Option<Secret>,
}

impl AdminRequestFrame {
    /// A frame without `admin_secret`.
    pub fn new(transaction: impl Into<String>, request: AdminRequest) -> Self {
        Self {
            transaction: transaction.into(),
            request,
            admin_secret: None,
        }
    }

    /// The same frame carrying `secret` as `admin_secret`.
    pub fn admin_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.admin_secret = Some(secret.into());
        self
    }

    /// The frame text: one compact JSON object, nothing after it.
    pub fn encode(&self) -> String {
        // Serializing these types cannot fail: every map key is a string and every value is
        // plain data.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a frame produced by [`encode`](Self::encode) (used by tests and fake servers).
    pub fn decode(frame: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(frame)
    }
}

/// One frame received on the Admin API, classified by its `janus` field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminMessage {
    /// A reply (`success`, `pong` or `server_info`) to `transaction`; its typed view comes
    /// from [`AdminReply::decode`] with the kind of the request it answers.
    Reply {
        /// The echoed transaction.
        transaction: String,
    },
    /// A core error.
    Error {
        /// The echoed transaction; absent when Janus could not read one (a frame that is not
        /// a JSON object gets 456 on the Admin API).
        transaction: Option<String>,
        /// The session, when the request named one.
        session_id: Option<SessionId>,
        /// Code and reason.
        error: JanusError,
    },
    /// A `janus` kind that is no Admin API reply (Janus 1.1.2 sends none).
    Unknown {
        /// The `janus` value.
        janus: String,
        /// The transaction, if any.
        transaction: Option<String>,
    },
}

impl AdminMessage {
    /// Classifies one frame.
    ///
    /// ```
    /// use janus_proto::wire::admin::AdminMessage;
    /// let frame = br#"{
    ///    "janus": "error",
    ///    "error": {
    ///       "code": 456,
    ///       "reason": "Missing mandatory element (transaction)"
    ///    }
    /// }"#;
    /// match AdminMessage::decode(frame).unwrap() {
    ///     AdminMessage::Error { transaction: None, error, .. } => assert_eq!(error.code, 456),
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// ```
    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        Self::classify(&parse_object(frame)?)
    }

    /// Classifies a frame already parsed into a JSON object.
    pub(crate) fn classify(frame: &Value) -> Result<Self, DecodeError> {
        let janus =
            frame
                .get("janus")
                .and_then(Value::as_str)
                .ok_or(DecodeError::MissingField {
                    kind: "admin reply",
                    field: "janus",
                })?;
        let transaction = frame
            .get("transaction")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let need_transaction = |kind: &'static str| {
            transaction.clone().ok_or(DecodeError::MissingField {
                kind,
                field: "transaction",
            })
        };
        Ok(match janus {
            "success" => AdminMessage::Reply {
                transaction: need_transaction("success")?,
            },
            "pong" => AdminMessage::Reply {
                transaction: need_transaction("pong")?,
            },
            "server_info" => AdminMessage::Reply {
                transaction: need_transaction("server_info")?,
            },
            "error" => {
                let error = frame.get("error").ok_or(DecodeError::MissingField {
                    kind: "error",
                    field: "error",
                })?;
                AdminMessage::Error {
                    transaction,
                    session_id: frame
                        .get("session_id")
                        .and_then(Value::as_u64)
                        .map(SessionId),
                    error: JanusError::deserialize(error)?,
                }
            }
            other => AdminMessage::Unknown {
                janus: other.to_owned(),
                transaction,
            },
        })
    }

    /// The transaction this message echoes, if any.
    pub fn transaction(&self) -> Option<&str> {
        match self {
            AdminMessage::Reply { transaction } => Some(transaction),
            AdminMessage::Error { transaction, .. } | AdminMessage::Unknown { transaction, .. } => {
                transaction.as_deref()
            }
        }
    }
}

/// A successful Admin API reply: its typed view and the frame it came from (which keeps every
/// field, modelled or not).
#[derive(Debug, Clone, PartialEq)]
pub struct AdminReply {
    /// The typed view.
    pub kind: AdminReplyKind,
    /// The frame it came from.
    pub raw: RawFrame,
}

impl AdminReply {
    /// The typed view of a reply frame (`success`, `pong` or `server_info`) answering a
    /// request of kind `answers`.
    ///
    /// Fails only when the frame is not a JSON object. A frame whose fields do not fit the
    /// request (or an `error` frame, which [`AdminMessage::decode`] is for) becomes
    /// [`AdminReplyKind::Other`].
    ///
    /// ```
    /// use janus_proto::wire::admin::{AdminReply, AdminReplyKind, AdminRequestKind};
    /// use janus_proto::SessionId;
    /// let frame = r#"{"janus":"success","transaction":"t","sessions":[1,2]}"#;
    /// let reply = AdminReply::decode(AdminRequestKind::ListSessions, frame).unwrap();
    /// assert_eq!(reply.kind, AdminReplyKind::Sessions(vec![SessionId(1), SessionId(2)]));
    /// assert_eq!(reply.raw.as_str(), frame);
    /// ```
    pub fn decode(answers: AdminRequestKind, frame: impl Into<Bytes>) -> Result<Self, DecodeError> {
        let bytes = frame.into();
        let value = parse_object(&bytes)?;
        Ok(Self {
            kind: AdminReplyKind::from_frame(answers, &value),
            // serde_json validated the whole frame, so it is UTF-8.
            raw: RawFrame::new(bytes),
        })
    }
}

/// The typed view of an [`AdminReply`], by the request it answers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AdminReplyKind {
    /// `info` answered (`server_info`, as on the Janus API).
    ServerInfo(Box<ServerInfo>),
    /// `ping` answered.
    Pong,
    /// `get_status` answered.
    Status(AdminStatus),
    /// `list_sessions` answered.
    Sessions(Vec<SessionId>),
    /// `list_handles` answered.
    Handles {
        /// The session.
        session: SessionId,
        /// Its handles.
        handles: Vec<HandleId>,
    },
    /// `handle_info` answered.
    HandleInfo {
        /// The session.
        session: SessionId,
        /// The handle.
        handle: HandleId,
        /// What Janus reports.
        info: HandleInfo,
    },
    /// `set_session_timeout` answered.
    SessionTimeout {
        /// The session, for a per-session timeout.
        session: Option<SessionId>,
        /// The timeout now in force (seconds; 0 never; −1 the global one).
        timeout: i64,
    },
    /// `set_log_level` answered with the level now in force.
    LogLevel(u8),
    /// A switch was set (`set_log_timestamps`, `set_log_colors`, `set_locking_debug`,
    /// `set_refcount_debug`, `set_libnice_debug`, `set_nack_optimizations`,
    /// `accept_new_sessions`): its state now.
    Enabled(bool),
    /// A number was set (`set_min_nack_queue`, `set_no_media_timer`,
    /// `set_slowlink_threshold`): its value now.
    Number(u64),
    /// `loops_info` answered: the `loops` array as Janus sent it.
    Loops(Value),
    /// `query_transport`, `query_eventhandler`, `query_logger` or `message_plugin` answered:
    /// the `response` object.
    Response(Value),
    /// `add_token`, `allow_token` or `disallow_token` answered: the plugins the token may use
    /// now.
    TokenPlugins(Vec<String>),
    /// `list_tokens` answered.
    Tokens(Vec<TokenInfo>),
    /// `resolve_address` answered.
    Resolved {
        /// The address the name resolved to.
        ip: String,
        /// How long resolving took on the server.
        elapsed: Duration,
    },
    /// `test_stun` answered.
    StunTested {
        /// The public address the STUN server saw.
        public_ip: String,
        /// The public port the STUN server saw.
        public_port: u16,
        /// How long the test took on the server.
        elapsed: Duration,
    },
    /// A bare success (`custom_event`, `custom_logline`, `remove_token`, `destroy_session`,
    /// `detach_handle`, `hangup_webrtc`, and starting or stopping a capture).
    Done,
    /// A reply whose shape does not fit the request it answers; the whole frame as JSON.
    Other(Value),
}

impl AdminReplyKind {
    /// The typed view of `frame` (a JSON object) answering a request of kind `answers`.
    pub(crate) fn from_frame(answers: AdminRequestKind, frame: &Value) -> Self {
        Self::typed(answers, frame).unwrap_or_else(|| AdminReplyKind::Other(frame.clone()))
    }

    fn typed(answers: AdminRequestKind, frame: &Value) -> Option<Self> {
        use AdminReplyKind as A;
        use AdminRequestKind as K;
        match frame.get("janus").and_then(Value::as_str)? {
            "server_info" => {
                return ServerInfo::deserialize(frame)
                    .ok()
                    .map(Box::new)
                    .map(A::ServerInfo)
            }
            "pong" => return Some(A::Pong),
            "success" => {}
            _ => return None,
        }
        let field = |key: &str| frame.get(key);
        let u64_field = |key: &str| field(key).and_then(Value::as_u64);
        let bool_field = |key: &str| field(key).and_then(Value::as_bool);
        let session = || u64_field("session_id").map(SessionId);
        let elapsed = || u64_field("elapsed").map(Duration::from_micros);
        let data = |key: &str| field("data").and_then(|d| d.get(key));
        Some(match answers {
            K::Info | K::Ping => return None,
            K::GetStatus => A::Status(AdminStatus::deserialize(field("status")?).ok()?),
            K::ListSessions => A::Sessions(Vec::deserialize(field("sessions")?).ok()?),
            K::ListHandles => A::Handles {
                session: session()?,
                handles: Vec::deserialize(field("handles")?).ok()?,
            },
            K::HandleInfo => {
                let info = field("info").filter(|i| i.is_object())?;
                A::HandleInfo {
                    session: session()?,
                    handle: HandleId(u64_field("handle_id")?),
                    info: HandleInfo(info.clone()),
                }
            }
            K::SetSessionTimeout => A::SessionTimeout {
                session: session(),
                timeout: field("timeout").and_then(Value::as_i64)?,
            },
            K::SetLogLevel => A::LogLevel(u8::try_from(u64_field("level")?).ok()?),
            K::SetLogTimestamps => A::Enabled(bool_field("log_timestamps")?),
            K::SetLogColors => A::Enabled(bool_field("log_colors")?),
            K::SetLockingDebug => A::Enabled(bool_field("locking_debug")?),
            K::SetRefcountDebug => A::Enabled(bool_field("refcount_debug")?),
            K::SetLibniceDebug => A::Enabled(bool_field("libnice_debug")?),
            K::SetNackOptimizations => A::Enabled(bool_field("nack-optimizations")?),
            K::AcceptNewSessions => A::Enabled(bool_field("accept")?),
            K::SetMinNackQueue => A::Number(u64_field("min_nack_queue")?),
            K::SetNoMediaTimer => A::Number(u64_field("no_media_timer")?),
            K::SetSlowlinkThreshold => A::Number(u64_field("slowlink_threshold")?),
            K::LoopsInfo => A::Loops(field("loops")?.clone()),
            K::QueryTransport | K::QueryEventhandler | K::QueryLogger | K::MessagePlugin => {
                A::Response(field("response")?.clone())
            }
            K::AddToken | K::AllowToken | K::DisallowToken => {
                A::TokenPlugins(Vec::deserialize(data("plugins")?).ok()?)
            }
            K::ListTokens => A::Tokens(Vec::deserialize(data("tokens")?).ok()?),
            K::ResolveAddress => A::Resolved {
                ip: field("ip")?.as_str()?.to_owned(),
                elapsed: elapsed()?,
            },
            K::TestStun => A::StunTested {
                public_ip: field("public_ip")?.as_str()?.to_owned(),
                public_port: u16::try_from(u64_field("public_port")?).ok()?,
                elapsed: elapsed()?,
            },
            K::CustomEvent
            | K::CustomLogline
            | K::RemoveToken
            | K::DestroySession
            | K::DetachHandle
            | K::HangupWebrtc
            | K::StartPcap
            | K::StopPcap
            | K::StartText2pcap
            | K::StopText2pcap => A::Done,
        })
    }
}

/// What `get_status` reports: the settings that can be changed at runtime. Every field is
/// optional so that other Janus versions decode too; the raw frame keeps the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdminStatus {
    /// Whether stored-token authentication is on.
    pub token_auth: Option<bool>,
    /// The global session timeout (seconds; 0 never).
    pub session_timeout: Option<u64>,
    /// Seconds a session survives its transport going away.
    pub reclaim_session_timeout: Option<u64>,
    /// Seconds early trickles are kept before their SDP.
    pub candidates_timeout: Option<u64>,
    /// The log level (0–7).
    pub log_level: Option<u8>,
    /// Whether log lines carry timestamps.
    pub log_timestamps: Option<bool>,
    /// Whether log lines are coloured.
    pub log_colors: Option<bool>,
    /// Whether lock debugging is on.
    pub locking_debug: Option<bool>,
    /// Whether reference-counter debugging is on.
    pub refcount_debug: Option<bool>,
    /// Whether libnice debugging is on.
    pub libnice_debug: Option<bool>,
    /// The minimum NACK queue window (milliseconds).
    pub min_nack_queue: Option<u64>,
    /// Whether the NACK optimizations are on.
    #[serde(rename = "nack-optimizations")]
    pub nack_optimizations: Option<bool>,
    /// The no-media timer (seconds).
    pub no_media_timer: Option<u64>,
    /// The slowlink threshold (lost packets per second; 0 off).
    pub slowlink_threshold: Option<u64>,
}

/// A stored token and the plugins it may use, as `list_tokens` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// The token (redacted in `Debug`).
    pub token: Secret,
    /// The plugin packages it may use.
    #[serde(default)]
    pub allowed_plugins: Vec<String>,
}

/// The `info` object of a `handle_info` reply, kept whole as JSON, with accessors for the
/// common fields. Its `Debug` output hides the handle's `token`.
#[derive(Clone, PartialEq)]
pub struct HandleInfo(pub Value);

impl HandleInfo {
    /// The whole object.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// A top-level field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The plugin the handle is attached to (absent once the plugin session is gone).
    pub fn plugin(&self) -> Option<&str> {
        self.get("plugin").and_then(Value::as_str)
    }

    /// The plugin's own description of the handle (`plugin_specific`).
    pub fn plugin_specific(&self) -> Option<&Value> {
        self.get("plugin_specific")
    }

    /// The `opaque_id` given at `attach`.
    pub fn opaque_id(&self) -> Option<&str> {
        self.get("opaque_id").and_then(Value::as_str)
    }

    /// The transport that owns the session, e.g. `janus.transport.websockets`.
    pub fn session_transport(&self) -> Option<&str> {
        self.get("session_transport").and_then(Value::as_str)
    }

    /// One of the WebRTC `flags` (e.g. `"ready"`, `"has-audio"`); absent with `plugin_only`.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get("flags")
            .and_then(|f| f.get(name))
            .and_then(Value::as_bool)
    }

    /// The local and remote SDPs (`sdps`); absent with `plugin_only`.
    pub fn sdps(&self) -> Option<&Value> {
        self.get("sdps")
    }
}

impl fmt::Debug for HandleInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Value::Object(map) if map.contains_key("token") => {
                let mut shown = map.clone();
                shown.insert("token".into(), Value::from("<redacted>"));
                f.debug_tuple("HandleInfo").field(&shown).finish()
            }
            other => f.debug_tuple("HandleInfo").field(other).finish(),
        }
    }
}

/// Parses a frame that must be one JSON object.
pub(crate) fn parse_object(frame: &[u8]) -> Result<Value, DecodeError> {
    expect_object(serde_json::from_slice(frame)?)
}

/// Parses a frame already known to be UTF-8 that must be one JSON object.
pub(crate) fn parse_object_str(frame: &str) -> Result<Value, DecodeError> {
    expect_object(serde_json::from_str(frame)?)
}

fn expect_object(value: Value) -> Result<Value, DecodeError> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(DecodeError::Json(
            <serde_json::Error as serde::de::Error>::custom("expected a JSON object"),
        ))
    }
}
