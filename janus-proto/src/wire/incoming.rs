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
        let data = self.data.get();
        // Most payloads carry no error: the key can only be there written out, or spelled
        // with an escape, so without either there is nothing to parse for.
        if !data.contains("error_code") && !data.contains('\\') {
            return None;
        }
        let fields: ErrorFields<'_> = serde_json::from_str(data).ok()?;
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

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::PluginData;

    fn data(json: &str) -> PluginData {
        PluginData {
            plugin: "janus.plugin.videoroom".to_owned(),
            data: RawValue::from_string(json.to_owned()).expect("valid JSON"),
        }
    }

    #[test]
    fn a_plugin_error_is_found_however_its_key_is_written() {
        let plain = data(r#"{"videoroom":"event","error_code":426,"error":"No such room"}"#);
        assert_eq!(plain.error(), Some((426, "No such room".to_owned())));
        let escaped = data(r#"{"error\u005fcode":426}"#);
        assert_eq!(escaped.error(), Some((426, String::new())));
        assert_eq!(data(r#"{"videoroom":"joined","room":1}"#).error(), None);
        assert_eq!(
            data(r#"{"note":"error_code in a value","x":1}"#).error(),
            None
        );
    }
}
