//! Server-side encoding: a [`ServerMessage`] as Janus would send it.
//!
//! A client never sends these; the fake server, the property tests and the fuzz targets do.

use serde::Serialize;

use crate::ids::{HandleId, SessionId};
use crate::wire::{Candidate, JanusError, Jsep, PluginData, ServerMessage};

/// Encodes a [`ServerMessage`] as Janus would send it: the inverse of
/// [`ServerMessage::decode`] (compact; Janus itself indents).
///
/// ```
/// use janus_proto::testing::ServerEncode;
/// use janus_proto::wire::ServerMessage;
/// use janus_proto::SessionId;
/// let msg = ServerMessage::Timeout { session_id: SessionId(9) };
/// assert_eq!(msg.encode(), r#"{"janus":"timeout","session_id":9}"#);
/// assert_eq!(ServerMessage::decode(msg.encode().as_bytes()).unwrap(), msg);
/// ```
pub trait ServerEncode {
    /// The frame Janus would send for this message.
    fn encode(&self) -> String;
}

impl ServerEncode for ServerMessage {
    fn encode(&self) -> String {
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
