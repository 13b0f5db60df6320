//! One model of Janus's answers: given a request and a chosen behaviour, the message Janus
//! sends back; and the messages it sends on its own.
//!
//! The fake server builds every reply from the constructors here; the property tests and
//! the fuzz targets pick an [`Answer`] or a [`Notice`] and let [`Answerer`] build it from
//! the request the client actually sent. The shapes follow janus-api.md: a `message` may
//! be acked and answered by an `event` later (or the event may come first), answered at
//! once with a `success` carrying `plugindata`, or fail inside `plugindata` with a plugin
//! error; the other requests get `success`, `ack`, `pong` or `server_info`.

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::ids::{HandleId, SessionId};
use crate::wire::{
    Candidate, IceCandidate, JanusError, Jsep, MediaState, PluginData, Request, RequestBody,
    ServerInfo, ServerMessage, SlowLink,
};

/// The plugin the synthesized plugin replies name.
const ECHOTEST: &str = "janus.plugin.echotest";
/// The plugin the synthesized notifications and plugin errors name.
const VIDEOROOM: &str = "janus.plugin.videoroom";

/// A core error: `{"janus":"error","transaction":…,"error":{"code":…,"reason":…}}`.
///
/// ```
/// use janus_proto::testing::answers;
/// let e = answers::error(Some("t1".into()), None, 458, "No such session");
/// assert_eq!(e.transaction(), Some("t1"));
/// ```
pub fn error(
    transaction: Option<String>,
    session_id: Option<SessionId>,
    code: u32,
    reason: impl Into<String>,
) -> ServerMessage {
    ServerMessage::Error {
        transaction,
        session_id,
        error: JanusError {
            code,
            reason: reason.into(),
        },
    }
}

/// A plain `success` (no id, no `plugindata`).
pub fn success(transaction: String, session_id: Option<SessionId>) -> ServerMessage {
    ServerMessage::Success {
        transaction,
        session_id,
        sender: None,
        id: None,
        plugindata: None,
    }
}

/// An `ack`, with the hint an async plugin request may carry.
pub fn ack(transaction: String, session_id: SessionId, hint: Option<&str>) -> ServerMessage {
    ServerMessage::Ack {
        transaction,
        session_id: Some(session_id),
        hint: hint.map(str::to_owned),
    }
}

/// `plugindata` of `plugin` holding `data`.
pub fn plugin_data(plugin: &str, data: &Value) -> PluginData {
    PluginData {
        plugin: plugin.to_owned(),
        // A `Value` always serializes; the fallback (`null`) is never used.
        data: serde_json::value::to_raw_value(data).unwrap_or_else(|_| Box::<RawValue>::default()),
    }
}

/// A plugin `event` from `handle`: with the transaction of the request it answers, or
/// without one when the plugin speaks on its own.
pub fn plugin_event(
    transaction: Option<String>,
    session: SessionId,
    handle: HandleId,
    plugin: &str,
    data: &Value,
    jsep: Option<Jsep>,
) -> ServerMessage {
    ServerMessage::Event {
        transaction,
        session_id: session,
        sender: handle,
        plugindata: plugin_data(plugin, data),
        jsep,
    }
}

/// A plugin error inside `plugindata.data` (janus-api §5.4): `{key: "event", "error_code":
/// code, "error": reason}`.
///
/// ```
/// use janus_proto::testing::answers::plugin_error;
/// assert_eq!(
///     plugin_error("videoroom", 426, "No such room"),
///     serde_json::json!({"videoroom": "event", "error_code": 426, "error": "No such room"})
/// );
/// ```
pub fn plugin_error(key: &str, code: i64, reason: &str) -> Value {
    let mut data = Map::new();
    data.insert(key.to_owned(), Value::String("event".to_owned()));
    data.insert("error_code".to_owned(), Value::from(code));
    data.insert("error".to_owned(), Value::String(reason.to_owned()));
    Value::Object(data)
}

/// The host candidate Janus trickles for itself (a documentation address).
pub fn janus_candidate() -> Candidate {
    Candidate::Ice(IceCandidate {
        candidate: "candidate:1 1 udp 2015363327 192.0.2.2 43541 typ host".to_owned(),
        sdp_mid: None,
        sdp_mline_index: Some(0),
    })
}

/// An id in a synthesized `success`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerId {
    /// No `data.id`.
    Absent,
    /// A new id from the [`Answerer`].
    Fresh,
    /// This id (one already handed out, or any other).
    Given(u64),
}

/// How Janus answers one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// What Janus itself sends for that request. The number picks among the answers real
    /// Janus gives: for a `message` an `ack` (its event comes later, or came first), an
    /// `event` with the transaction, a synchronous `success` with `plugindata`, or a plugin
    /// error event; for `info`, its `session-timeout`.
    Natural(u8),
    /// An `ack`, with a hint when set.
    Ack(Option<String>),
    /// A `success`.
    Success {
        /// Its `data.id`.
        id: AnswerId,
        /// Its `plugindata` (of the EchoTest plugin), if any.
        plugindata: Option<Value>,
        /// Whether it names a `sender` (the request's handle, or 0).
        sender: bool,
    },
    /// A core error with the transaction.
    Error(JanusError),
    /// A plugin `event` with the transaction.
    Event {
        /// `plugindata.data` (of the EchoTest plugin).
        data: Value,
        /// The JSEP it carries.
        jsep: Option<Jsep>,
        /// The sender, when not the request's handle.
        sender: Option<HandleId>,
    },
    /// A `pong`, whatever the request.
    Pong,
    /// A `server_info` with this `session-timeout`, whatever the request.
    ServerInfo(Option<u64>),
    /// A message of a kind the client does not know, with the transaction.
    Unknown(String),
}

/// A message Janus sends on its own, for a handle and its session.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A plugin event (of the VideoRoom plugin); with a transaction when set.
    Event {
        /// `plugindata.data`.
        data: Value,
        /// The JSEP it carries.
        jsep: Option<Jsep>,
        /// A transaction, when the event answers (or claims to answer) a request.
        transaction: Option<String>,
    },
    /// `webrtcup`.
    WebrtcUp,
    /// `media`.
    Media(MediaState),
    /// `slowlink`.
    SlowLink(SlowLink),
    /// `hangup` with a reason.
    Hangup(Option<String>),
    /// `detached`.
    Detached,
    /// The session's `timeout`.
    Timeout,
    /// A `trickle` candidate of Janus's own.
    Trickle(Candidate),
    /// A kind the client does not know, naming the session and the sender when set.
    Unknown {
        /// The `janus` field.
        janus: String,
        /// Whether it names the session.
        session: bool,
        /// Whether it names the sender.
        sender: bool,
    },
    /// A core error Janus could not tie to a transaction.
    ErrorWithoutTransaction(JanusError),
}

impl Notice {
    /// The message for `sender` on `session_id`.
    ///
    /// ```
    /// use janus_proto::testing::answers::Notice;
    /// use janus_proto::wire::ServerMessage;
    /// use janus_proto::{HandleId, SessionId};
    /// let (s, h) = (SessionId(1), HandleId(2));
    /// assert_eq!(
    ///     Notice::WebrtcUp.message(s, h),
    ///     ServerMessage::WebrtcUp { session_id: s, sender: h }
    /// );
    /// ```
    pub fn message(&self, session_id: SessionId, sender: HandleId) -> ServerMessage {
        match self {
            Notice::Event {
                data,
                jsep,
                transaction,
            } => plugin_event(
                transaction.clone(),
                session_id,
                sender,
                VIDEOROOM,
                data,
                jsep.clone(),
            ),
            Notice::WebrtcUp => ServerMessage::WebrtcUp { session_id, sender },
            Notice::Media(media) => ServerMessage::Media {
                session_id,
                sender,
                media: media.clone(),
            },
            Notice::SlowLink(slowlink) => ServerMessage::SlowLink {
                session_id,
                sender,
                slowlink: slowlink.clone(),
            },
            Notice::Hangup(reason) => ServerMessage::Hangup {
                session_id,
                sender,
                reason: reason.clone(),
            },
            Notice::Detached => ServerMessage::Detached { session_id, sender },
            Notice::Timeout => ServerMessage::Timeout { session_id },
            Notice::Trickle(candidate) => ServerMessage::Trickle {
                session_id,
                sender,
                candidate: candidate.clone(),
            },
            Notice::Unknown {
                janus,
                session,
                sender: with_sender,
            } => ServerMessage::Unknown {
                janus: janus.clone(),
                transaction: None,
                session_id: session.then_some(session_id),
                sender: with_sender.then_some(sender),
            },
            Notice::ErrorWithoutTransaction(e) => ServerMessage::Error {
                transaction: None,
                session_id: Some(session_id),
                error: e.clone(),
            },
        }
    }
}

/// Builds Janus's answers to requests, handing out fresh session and handle ids.
///
/// ```
/// use janus_proto::testing::answers::{Answer, Answerer};
/// use janus_proto::wire::{Request, RequestBody, ServerMessage};
/// let mut janus = Answerer::new(1000);
/// let create = Request::new("1", RequestBody::Create { id: None });
/// let reply = janus.answer(&create, &Answer::Natural(0));
/// assert!(matches!(reply, ServerMessage::Success { id: Some(1001), .. }));
/// ```
#[derive(Debug, Clone)]
pub struct Answerer {
    last_id: u64,
}

impl Answerer {
    /// Fresh ids are the numbers after `last_id`.
    pub fn new(last_id: u64) -> Self {
        Self { last_id }
    }

    /// A new id.
    pub fn fresh_id(&mut self) -> u64 {
        self.last_id = self.last_id.wrapping_add(1);
        self.last_id
    }

    /// The answer `answer` to `req`.
    pub fn answer(&mut self, req: &Request, answer: &Answer) -> ServerMessage {
        let transaction = req.transaction.clone();
        let session_id = req.body.session_id();
        let handle_id = req.body.handle_id();
        match answer {
            Answer::Natural(v) => self.natural(req, *v),
            Answer::Ack(hint) => ServerMessage::Ack {
                transaction,
                session_id,
                hint: hint.clone(),
            },
            Answer::Success {
                id,
                plugindata,
                sender,
            } => ServerMessage::Success {
                transaction,
                session_id,
                sender: sender.then(|| handle_id.unwrap_or(HandleId(0))),
                id: match id {
                    AnswerId::Absent => None,
                    AnswerId::Fresh => Some(self.fresh_id()),
                    AnswerId::Given(id) => Some(*id),
                },
                plugindata: plugindata.as_ref().map(|d| plugin_data(ECHOTEST, d)),
            },
            Answer::Error(e) => ServerMessage::Error {
                transaction: Some(transaction),
                session_id,
                error: e.clone(),
            },
            Answer::Event { data, jsep, sender } => plugin_event(
                Some(transaction),
                session_id.unwrap_or(SessionId(0)),
                sender.or(handle_id).unwrap_or(HandleId(0)),
                ECHOTEST,
                data,
                jsep.clone(),
            ),
            Answer::Pong => ServerMessage::Pong { transaction },
            Answer::ServerInfo(timeout) => ServerMessage::ServerInfo {
                transaction,
                info: Box::new(ServerInfo {
                    session_timeout: *timeout,
                    ..ServerInfo::default()
                }),
            },
            Answer::Unknown(janus) => ServerMessage::Unknown {
                janus: janus.clone(),
                transaction: Some(transaction),
                session_id,
                sender: handle_id,
            },
        }
    }

    /// What Janus itself answers to `req`; `v` picks among its answers (see
    /// [`Answer::Natural`]).
    pub fn natural(&mut self, req: &Request, v: u8) -> ServerMessage {
        let transaction = req.transaction.clone();
        let ok = json!({"echotest": "event", "result": "ok"});
        match &req.body {
            RequestBody::Info => ServerMessage::ServerInfo {
                transaction,
                info: Box::new(ServerInfo {
                    session_timeout: [None, Some(0), Some(1), Some(60)][usize::from(v % 4)],
                    ..ServerInfo::default()
                }),
            },
            RequestBody::Ping => ServerMessage::Pong { transaction },
            RequestBody::Create { id } => {
                let id = match id {
                    Some(s) if s.0 != 0 => s.0,
                    _ => self.fresh_id(),
                };
                created(transaction, None, id)
            }
            RequestBody::Attach { session_id, .. } => {
                created(transaction, Some(*session_id), self.fresh_id())
            }
            RequestBody::Message {
                session_id,
                handle_id,
                ..
            } => match v % 4 {
                0 => ack(transaction, *session_id, None),
                1 => plugin_event(
                    Some(transaction),
                    *session_id,
                    *handle_id,
                    ECHOTEST,
                    &ok,
                    None,
                ),
                2 => ServerMessage::Success {
                    transaction,
                    session_id: Some(*session_id),
                    sender: Some(*handle_id),
                    id: None,
                    plugindata: Some(plugin_data(ECHOTEST, &ok)),
                },
                _ => plugin_event(
                    Some(transaction),
                    *session_id,
                    *handle_id,
                    VIDEOROOM,
                    &plugin_error("videoroom", 426, "No such room"),
                    None,
                ),
            },
            RequestBody::Trickle { session_id, .. } | RequestBody::Keepalive { session_id } => {
                ack(transaction, *session_id, None)
            }
            RequestBody::Hangup { session_id, .. }
            | RequestBody::Detach { session_id, .. }
            | RequestBody::Destroy { session_id }
            | RequestBody::Claim { session_id } => success(transaction, Some(*session_id)),
        }
    }
}

/// The `success` of a `create` or an `attach`: the new id in `data.id`.
pub fn created(transaction: String, session_id: Option<SessionId>, id: u64) -> ServerMessage {
    ServerMessage::Success {
        transaction,
        session_id,
        sender: None,
        id: Some(id),
        plugindata: None,
    }
}
