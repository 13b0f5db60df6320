//! Messages Janus sends on the Janus API, decoded into a typed view.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::jsep::{Candidate, Jsep};
use super::server_info::ServerInfo;
use crate::ids::{HandleId, SessionId};

/// A core error from Janus: `{"janus":"error","error":{"code":458,"reason":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("Janus error {code}: {reason}")]
pub struct JanusError {
    /// The code (see `apierror.h`; 403 unauthorized, 458 no such session, …).
    pub code: u32,
    /// The human-readable reason.
    #[serde(default)]
    pub reason: String,
}

/// `plugindata` of an event or a synchronous plugin reply.
///
/// `data` is kept as raw JSON: parse it into your own type with [`PluginData::parse`], or
/// into a [`serde_json::Value`] with [`PluginData::value`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PluginData {
    /// The plugin package, e.g. `janus.plugin.videoroom`.
    pub plugin: String,
    /// The plugin's own payload.
    pub data: Box<RawValue>,
}

impl PartialEq for PluginData {
    fn eq(&self, other: &Self) -> bool {
        self.plugin == other.plugin && self.data.get() == other.data.get()
    }
}

impl PluginData {
    /// Parses `data` into `T`.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.data.get())
    }

    /// `data` as a JSON value.
    ///
    /// Fails only on JSON that [`serde_json::Value`] cannot hold although it is valid: a
    /// number beyond `f64`'s range, a string with an unpaired surrogate escape. Such a frame
    /// is still accepted and [`parse`](Self::parse) still reads its other fields.
    pub fn value(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.parse()
    }

    /// The plugin-level error carried in `data` (`error_code` and `error`), if any.
    ///
    /// Plugin codes overlap core codes; where the code sits, not its value, tells them apart.
    pub fn error(&self) -> Option<(i64, String)> {
        #[derive(Deserialize)]
        struct ErrorFields<'a> {
            error_code: Option<i64>,
            #[serde(borrow)]
            error: Option<Cow<'a, str>>,
        }
        let fields: ErrorFields<'_> = serde_json::from_str(self.data.get()).ok()?;
        let code = fields.error_code?;
        Some((code, fields.error.map(Cow::into_owned).unwrap_or_default()))
    }
}

/// A `media` notification: Janus started or stopped receiving media on an m-line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaState {
    /// The m-line's mid (absent before 1.x).
    pub mid: Option<String>,
    /// `audio` or `video`.
    pub kind: Option<String>,
    /// Whether media is flowing.
    pub receiving: bool,
    /// The no-media timer in seconds, when it is above 1.
    pub seconds: Option<u64>,
    /// The simulcast substream, when relevant.
    pub substream: Option<u32>,
}

/// A `slowlink` notification: packet loss above the configured threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowLink {
    /// The m-line's mid.
    pub mid: Option<String>,
    /// `audio` or `video`.
    pub media: Option<String>,
    /// `true`: losses in media Janus sends; `false`: in media Janus receives.
    pub uplink: bool,
    /// Packets lost in the last second.
    pub lost: Option<u64>,
    /// NACKs (older servers).
    pub nacks: Option<u64>,
}

/// One message from Janus, classified by its `janus` field.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// Reply to `info`.
    ServerInfo {
        /// The echoed transaction.
        transaction: String,
        /// The server description.
        info: Box<ServerInfo>,
    },
    /// Reply to `ping`.
    Pong {
        /// The echoed transaction.
        transaction: String,
    },
    /// A successful reply; with `plugindata` for a synchronous plugin request.
    Success {
        /// The echoed transaction.
        transaction: String,
        /// The session, when the request named one.
        session_id: Option<SessionId>,
        /// The handle, for synchronous plugin replies.
        sender: Option<HandleId>,
        /// `data.id` of `create` and `attach`.
        id: Option<u64>,
        /// The plugin's reply.
        plugindata: Option<PluginData>,
    },
    /// An acknowledgement (async plugin request accepted, trickle or keepalive received).
    Ack {
        /// The echoed transaction.
        transaction: String,
        /// The session, when the request named one.
        session_id: Option<SessionId>,
        /// Free text some plugins add.
        hint: Option<String>,
    },
    /// A core error.
    Error {
        /// The echoed transaction; absent when Janus could not read one (invalid JSON, …).
        transaction: Option<String>,
        /// The session, when the request named one.
        session_id: Option<SessionId>,
        /// Code and reason.
        error: JanusError,
    },
    /// A plugin event, answering a request (with `transaction`) or unsolicited.
    Event {
        /// The transaction of the request this answers.
        transaction: Option<String>,
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
        /// The plugin's payload.
        plugindata: PluginData,
        /// An SDP offer or answer from the plugin.
        jsep: Option<Jsep>,
    },
    /// The handle's peer connection is up (ICE and DTLS done).
    WebrtcUp {
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
    },
    /// Media started or stopped flowing.
    Media {
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
        /// What changed.
        media: MediaState,
    },
    /// Packet loss.
    SlowLink {
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
        /// The figures.
        slowlink: SlowLink,
    },
    /// The handle's peer connection is gone.
    Hangup {
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
        /// Why (`"DTLS alert"`, `"ICE failed"`, `"Janus API"`, `"Close PC"`, …).
        reason: Option<String>,
    },
    /// The handle is gone.
    Detached {
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
    },
    /// The session expired.
    Timeout {
        /// The session.
        session_id: SessionId,
    },
    /// A candidate (or end of candidates) from Janus, with `full_trickle`.
    Trickle {
        /// The session.
        session_id: SessionId,
        /// The handle.
        sender: HandleId,
        /// The candidate.
        candidate: Candidate,
    },
    /// A `janus` kind this crate does not know. The raw frame has everything.
    Unknown {
        /// The `janus` value.
        janus: String,
        /// The transaction, if any.
        transaction: Option<String>,
        /// The session, if any.
        session_id: Option<SessionId>,
        /// The handle, if any.
        sender: Option<HandleId>,
    },
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON, not an object, or a field of the wrong type.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A field this kind of message must have is missing.
    #[error("`{kind}` message without `{field}`")]
    MissingField {
        /// The `janus` kind.
        kind: &'static str,
        /// The missing field.
        field: &'static str,
    },
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    janus: Cow<'a, str>,
    transaction: Option<String>,
    session_id: Option<SessionId>,
    sender: Option<HandleId>,
    data: Option<IdData>,
    plugindata: Option<PluginData>,
    jsep: Option<Jsep>,
    error: Option<JanusError>,
    hint: Option<String>,
    reason: Option<String>,
    mid: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    receiving: Option<bool>,
    seconds: Option<u64>,
    substream: Option<u32>,
    media: Option<String>,
    uplink: Option<bool>,
    lost: Option<u64>,
    nacks: Option<u64>,
    candidate: Option<Candidate>,
}

#[derive(Deserialize)]
struct IdData {
    id: Option<u64>,
}

/// The outgoing shape of a [`ServerMessage`] (what a server would send), compact.
#[derive(Serialize, Default)]
struct EnvelopeOut<'a> {
    janus: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_id: Option<SessionId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<HandleId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<IdDataOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugindata: Option<&'a PluginData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jsep: Option<&'a Jsep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a JanusError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mid: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receiving: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    substream: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uplink: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lost: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nacks: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    candidate: Option<&'a Candidate>,
}

#[derive(Serialize)]
struct IdDataOut {
    id: u64,
}

impl ServerMessage {
    /// Decodes one frame.
    ///
    /// ```
    /// use janus_proto::wire::ServerMessage;
    /// let frame = br#"{
    ///    "janus": "webrtcup",
    ///    "session_id": 1,
    ///    "sender": 2
    /// }"#;
    /// let msg = ServerMessage::decode(frame).unwrap();
    /// assert!(matches!(msg, ServerMessage::WebrtcUp { .. }));
    /// ```
    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        let env: Envelope<'_> = serde_json::from_slice(frame)?;
        Self::classify(env, frame)
    }

    /// [`decode`](Self::decode) of a frame already known to be UTF-8 (as a WebSocket text
    /// message is): the text is not validated a second time.
    ///
    /// ```
    /// use janus_proto::wire::ServerMessage;
    /// let msg = ServerMessage::decode_str(r#"{"janus":"pong","transaction":"7"}"#).unwrap();
    /// assert!(matches!(msg, ServerMessage::Pong { .. }));
    /// ```
    pub fn decode_str(frame: &str) -> Result<Self, DecodeError> {
        let env: Envelope<'_> = serde_json::from_str(frame)?;
        Self::classify(env, frame.as_bytes())
    }

    fn classify(env: Envelope<'_>, frame: &[u8]) -> Result<Self, DecodeError> {
        fn need<T>(
            v: Option<T>,
            kind: &'static str,
            field: &'static str,
        ) -> Result<T, DecodeError> {
            v.ok_or(DecodeError::MissingField { kind, field })
        }
        Ok(match &*env.janus {
            "server_info" => ServerMessage::ServerInfo {
                transaction: need(env.transaction, "server_info", "transaction")?,
                info: Box::new(serde_json::from_slice(frame)?),
            },
            "pong" => ServerMessage::Pong {
                transaction: need(env.transaction, "pong", "transaction")?,
            },
            "success" => ServerMessage::Success {
                transaction: need(env.transaction, "success", "transaction")?,
                session_id: env.session_id,
                sender: env.sender,
                id: env.data.and_then(|d| d.id),
                plugindata: env.plugindata,
            },
            "ack" => ServerMessage::Ack {
                transaction: need(env.transaction, "ack", "transaction")?,
                session_id: env.session_id,
                hint: env.hint,
            },
            "error" => ServerMessage::Error {
                transaction: env.transaction,
                session_id: env.session_id,
                error: need(env.error, "error", "error")?,
            },
            "event" => ServerMessage::Event {
                transaction: env.transaction,
                session_id: need(env.session_id, "event", "session_id")?,
                sender: need(env.sender, "event", "sender")?,
                plugindata: need(env.plugindata, "event", "plugindata")?,
                jsep: env.jsep,
            },
            "webrtcup" => ServerMessage::WebrtcUp {
                session_id: need(env.session_id, "webrtcup", "session_id")?,
                sender: need(env.sender, "webrtcup", "sender")?,
            },
            "media" => ServerMessage::Media {
                session_id: need(env.session_id, "media", "session_id")?,
                sender: need(env.sender, "media", "sender")?,
                media: MediaState {
                    mid: env.mid,
                    kind: env.kind,
                    receiving: need(env.receiving, "media", "receiving")?,
                    seconds: env.seconds,
                    substream: env.substream,
                },
            },
            "slowlink" => ServerMessage::SlowLink {
                session_id: need(env.session_id, "slowlink", "session_id")?,
                sender: need(env.sender, "slowlink", "sender")?,
                slowlink: SlowLink {
                    mid: env.mid,
                    media: env.media,
                    uplink: env.uplink.unwrap_or(false),
                    lost: env.lost,
                    nacks: env.nacks,
                },
            },
            "hangup" => ServerMessage::Hangup {
                session_id: need(env.session_id, "hangup", "session_id")?,
                sender: need(env.sender, "hangup", "sender")?,
                reason: env.reason,
            },
            "detached" => ServerMessage::Detached {
                session_id: need(env.session_id, "detached", "session_id")?,
                sender: need(env.sender, "detached", "sender")?,
            },
            "timeout" => ServerMessage::Timeout {
                session_id: need(env.session_id, "timeout", "session_id")?,
            },
            "trickle" => ServerMessage::Trickle {
                session_id: need(env.session_id, "trickle", "session_id")?,
                sender: need(env.sender, "trickle", "sender")?,
                candidate: need(env.candidate, "trickle", "candidate")?,
            },
            other => ServerMessage::Unknown {
                janus: other.to_owned(),
                transaction: env.transaction,
                session_id: env.session_id,
                sender: env.sender,
            },
        })
    }

    /// Encodes the message as Janus would send it (compact; Janus itself indents). Used by
    /// the fake server and the golden tests.
    ///
    /// ```
    /// use janus_proto::wire::ServerMessage;
    /// use janus_proto::SessionId;
    /// let msg = ServerMessage::Timeout { session_id: SessionId(9) };
    /// assert_eq!(msg.encode(), r#"{"janus":"timeout","session_id":9}"#);
    /// assert_eq!(ServerMessage::decode(msg.encode().as_bytes()).unwrap(), msg);
    /// ```
    pub fn encode(&self) -> String {
        let mut out = EnvelopeOut::default();
        match self {
            ServerMessage::ServerInfo { transaction, info } => {
                let mut value = serde_json::to_value(info).unwrap_or_default();
                if let Some(map) = value.as_object_mut() {
                    map.retain(|_, v| !v.is_null());
                    map.insert("janus".into(), "server_info".into());
                    map.insert("transaction".into(), transaction.as_str().into());
                }
                return value.to_string();
            }
            ServerMessage::Pong { transaction } => {
                out.janus = "pong";
                out.transaction = Some(transaction);
            }
            ServerMessage::Success {
                transaction,
                session_id,
                sender,
                id,
                plugindata,
            } => {
                out.janus = "success";
                out.transaction = Some(transaction);
                out.session_id = *session_id;
                out.sender = *sender;
                out.data = id.map(|id| IdDataOut { id });
                out.plugindata = plugindata.as_ref();
            }
            ServerMessage::Ack {
                transaction,
                session_id,
                hint,
            } => {
                out.janus = "ack";
                out.transaction = Some(transaction);
                out.session_id = *session_id;
                out.hint = hint.as_deref();
            }
            ServerMessage::Error {
                transaction,
                session_id,
                error,
            } => {
                out.janus = "error";
                out.transaction = transaction.as_deref();
                out.session_id = *session_id;
                out.error = Some(error);
            }
            ServerMessage::Event {
                transaction,
                session_id,
                sender,
                plugindata,
                jsep,
            } => {
                out.janus = "event";
                out.transaction = transaction.as_deref();
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
                out.plugindata = Some(plugindata);
                out.jsep = jsep.as_ref();
            }
            ServerMessage::WebrtcUp { session_id, sender } => {
                out.janus = "webrtcup";
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
            }
            ServerMessage::Media {
                session_id,
                sender,
                media,
            } => {
                out.janus = "media";
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
                out.mid = media.mid.as_deref();
                out.kind = media.kind.as_deref();
                out.receiving = Some(media.receiving);
                out.seconds = media.seconds;
                out.substream = media.substream;
            }
            ServerMessage::SlowLink {
                session_id,
                sender,
                slowlink,
            } => {
                out.janus = "slowlink";
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
                out.mid = slowlink.mid.as_deref();
                out.media = slowlink.media.as_deref();
                out.uplink = Some(slowlink.uplink);
                out.lost = slowlink.lost;
                out.nacks = slowlink.nacks;
            }
            ServerMessage::Hangup {
                session_id,
                sender,
                reason,
            } => {
                out.janus = "hangup";
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
                out.reason = reason.as_deref();
            }
            ServerMessage::Detached { session_id, sender } => {
                out.janus = "detached";
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
            }
            ServerMessage::Timeout { session_id } => {
                out.janus = "timeout";
                out.session_id = Some(*session_id);
            }
            ServerMessage::Trickle {
                session_id,
                sender,
                candidate,
            } => {
                out.janus = "trickle";
                out.session_id = Some(*session_id);
                out.sender = Some(*sender);
                out.candidate = Some(candidate);
            }
            ServerMessage::Unknown {
                janus,
                transaction,
                session_id,
                sender,
            } => {
                out.janus = janus;
                out.transaction = transaction.as_deref();
                out.session_id = *session_id;
                out.sender = *sender;
            }
        }
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// The transaction this message echoes, if any.
    pub fn transaction(&self) -> Option<&str> {
        match self {
            ServerMessage::ServerInfo { transaction, .. }
            | ServerMessage::Pong { transaction }
            | ServerMessage::Success { transaction, .. }
            | ServerMessage::Ack { transaction, .. } => Some(transaction),
            ServerMessage::Error { transaction, .. }
            | ServerMessage::Event { transaction, .. }
            | ServerMessage::Unknown { transaction, .. } => transaction.as_deref(),
            _ => None,
        }
    }
}
