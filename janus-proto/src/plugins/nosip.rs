//! NoSIP (`janus.plugin.nosip`): an RTP bridge between the handle's WebRTC peer and a
//! legacy (plain RTP or SDES-SRTP) peer, with the signalling left to the application.
//!
//! [`Generate`] turns the WebRTC peer's JSEP offer or answer into a barebone SDP for the
//! legacy peer ([`Generated`]); [`Process`] takes the legacy peer's barebone SDP and gives
//! back ([`Processed`], with the JSEP in [`Typed::jsep`](crate::plugins::Typed)) what the
//! WebRTC peer needs. The media then flows; [`Recording`], [`Keyframe`] and the RTP
//! forwarders work as in the [SIP plugin](crate::plugins::sip), [`Hangup`] ends it.
//!
//! Every request is asynchronous: its outcome is the plugin's event carrying the request's
//! transaction, a [`NoSipEvent`] around the `result` the request gets; failures are plugin
//! errors whose codes are [`ErrorCode`]s. The plugin sends no event of its own: every
//! [`Event`] is the answer to a request. Requests marked "(Janus 1.4 only)" do not exist in
//! Janus 1.1.2, which answers them with [`InvalidRequest`](ErrorCode::InvalidRequest).
//!
//! ```
//! use janus_proto::plugins::nosip::{Generate, NoSip, Srtp};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId, Jsep};
//!
//! let generate = Generate::builder()
//!     .info("call 42")
//!     .srtp(Srtp::Optional)
//!     .jsep(Jsep::offer("v=0\r\n…"))
//!     .build();
//! match PluginHandle::<NoSip>::new(HandleId(7)).request(generate).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(body, serde_json::json!({
//!             "request": "generate", "info": "call 42", "srtp": "sdes_optional"
//!         }));
//!         assert_eq!(jsep, Some(Jsep::offer("v=0\r\n…")));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use monostate::MustBe;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::plugins::{Plugin, PluginRequest};
use crate::wire::{Jsep, JsepType, PluginData};

pub use crate::plugins::sip::{
    ForwardStream, ForwardType, Forwarder, HostFamily, Media, Srtp, SrtpProfile,
};

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.nosip";

/// The NoSIP plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSip;

impl Plugin for NoSip {
    const PACKAGE: &'static str = PACKAGE;
    type Event = Event;
    type ErrorCode = ErrorCode;

    fn event(data: &PluginData) -> Event {
        Event::from_data(data)
    }

    fn error_code(code: i64) -> ErrorCode {
        ErrorCode::from_code(code)
    }
}

/// The word of every NoSIP event.
type EventWord = MustBe!("event");

/// The plugin data of a NoSIP event: `{"nosip": "event", "result": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NoSipEvent<R> {
    nosip: EventWord,
    /// What happened: the type of the `"event"` word.
    pub result: R,
}

/// `generate`: turn the WebRTC peer's JSEP offer or answer, which must go with it, into a
/// barebone SDP for the legacy peer, binding the RTP ports. Its outcome is [`Generated`].
/// A renegotiation is recognised from the JSEP (Janus marks it as an update itself).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "generate")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Generate {
    /// An opaque string for context (logged by the plugin).
    pub info: Option<String>,
    /// Offer or mandate SDES-SRTP to the legacy peer (for an answer: fails with
    /// [`TooStrict`](ErrorCode::TooStrict) when mandated and the legacy offer had none).
    pub srtp: Option<Srtp>,
    /// The SRTP profile to offer with `srtp`.
    pub srtp_profile: Option<SrtpProfile>,
    /// The WebRTC peer's JSEP offer or answer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Generate {
    type Plugin = NoSip;
    type Response = NoSipEvent<Generated>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `process`: take the legacy peer's barebone SDP offer or answer and match it to the
/// session. Its outcome is [`Processed`], with the JSEP for the WebRTC peer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "process")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Process {
    /// Offer or answer (required; `type` on the wire).
    #[serde(rename = "type")]
    pub kind: JsepType,
    /// The barebone SDP (required).
    pub sdp: String,
    /// An opaque string for context (logged by the plugin).
    pub info: Option<String>,
    /// Require SDES-SRTP from the legacy peer (`sdes_mandatory`: fails with
    /// [`TooStrict`](ErrorCode::TooStrict) when its SDP has none).
    pub srtp: Option<Srtp>,
    /// Documented for `process`, but the plugin reads it for [`Generate`] only.
    pub srtp_profile: Option<SrtpProfile>,
    /// This SDP renegotiates the session (implied once media flows).
    pub update: Option<bool>,
}

impl PluginRequest for Process {
    type Plugin = NoSip;
    type Response = NoSipEvent<Processed>;
}

/// `hangup`: close the PeerConnection (and the RTP session with it). Its outcome is
/// [`Hangingup`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "hangup")]
#[non_exhaustive]
pub struct Hangup {}

impl PluginRequest for Hangup {
    type Plugin = NoSip;
    type Response = NoSipEvent<Hangingup>;
}

/// What a NoSIP [`Recording`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RecordingAction {
    /// Start recording.
    Start,
    /// Stop recording (never an error, even when nothing was recorded).
    Stop,
}

/// `recording`: start or stop recording the session, each side and medium to its own
/// `.mjr` file. At least one of `audio`, `video`, `peer_audio`, `peer_video` must be `true`
/// ([`RecordingError`](ErrorCode::RecordingError) otherwise). Its outcome is
/// [`RecordingUpdated`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "recording")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Recording {
    /// What to do (required).
    pub action: RecordingAction,
    /// The WebRTC peer's audio.
    pub audio: Option<bool>,
    /// The WebRTC peer's video.
    pub video: Option<bool>,
    /// The legacy peer's audio.
    pub peer_audio: Option<bool>,
    /// The legacy peer's video.
    pub peer_video: Option<bool>,
    /// The base path of the files (`-user-audio`, `-peer-video`, … and `.mjr` are
    /// appended; a name is made up otherwise).
    pub filename: Option<String>,
}

impl PluginRequest for Recording {
    type Plugin = NoSip;
    type Response = NoSipEvent<RecordingUpdated>;
}

/// `keyframe`: send a PLI to the WebRTC peer, to the legacy peer (if it negotiated PLI), or
/// both (Janus 1.4 only). Its outcome is [`KeyframeSent`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "keyframe")]
#[non_exhaustive]
pub struct Keyframe {
    /// Ask the WebRTC peer for a keyframe.
    pub user: Option<bool>,
    /// Ask the legacy peer for a keyframe.
    pub peer: Option<bool>,
}

impl PluginRequest for Keyframe {
    type Plugin = NoSip;
    type Response = NoSipEvent<KeyframeSent>;
}

/// `rtp_forward`: forward streams of the session as plain (or SRTP) RTP to other hosts
/// (Janus 1.4 only). Its outcome is [`RtpForwarded`]. The forwarders end with the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "rtp_forward")]
#[non_exhaustive]
pub struct RtpForward {
    /// The streams (required, at least one).
    pub streams: Vec<ForwardStream>,
}

impl PluginRequest for RtpForward {
    type Plugin = NoSip;
    type Response = NoSipEvent<RtpForwarded>;
}

/// `stop_rtp_forward`: stop a forwarder (Janus 1.4 only). Its outcome is
/// [`RtpForwardStopped`]; an unknown id fails with [`NoSuchStream`](ErrorCode::NoSuchStream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop_rtp_forward")]
#[non_exhaustive]
pub struct StopRtpForward {
    /// The forwarder's [`stream_id`](Forwarder::stream_id) (required).
    pub stream_id: u32,
}

impl PluginRequest for StopRtpForward {
    type Plugin = NoSip;
    type Response = NoSipEvent<RtpForwardStopped>;
}

/// `listforwarders`: the session's RTP forwarders (Janus 1.4 only). Its outcome is
/// [`Forwarders`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listforwarders")]
#[non_exhaustive]
pub struct ListForwarders {}

impl PluginRequest for ListForwarders {
    type Plugin = NoSip;
    type Response = NoSipEvent<Forwarders>;
}

/// `generated`: the answer to a [`Generate`]: the barebone SDP for the legacy peer.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Generated {
    event: MustBe!("generated"),
    /// Offer or answer, as the JSEP was (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: JsepType,
    /// The barebone SDP.
    pub sdp: String,
    /// `true` when this renegotiates the session.
    pub update: Option<bool>,
    /// The session's unique id in the plugin (Janus 1.4 only).
    pub unique_id: Option<String>,
}

/// `processed`: the answer to a [`Process`]; the JSEP for the WebRTC peer comes with it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Processed {
    event: MustBe!("processed"),
    /// Whether the legacy peer's SDP offers or mandates SDES-SRTP.
    pub srtp: Option<Srtp>,
    /// `true` when this renegotiates the session.
    pub update: Option<bool>,
    /// The session's unique id in the plugin (Janus 1.4 only).
    pub unique_id: Option<String>,
}

/// `hangingup`: the answer to a [`Hangup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hangingup {
    event: MustBe!("hangingup"),
}

/// `recordingupdated`: the answer to a [`Recording`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingUpdated {
    event: MustBe!("recordingupdated"),
}

/// `keyframesent`: the answer to a [`Keyframe`] (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KeyframeSent {
    event: MustBe!("keyframesent"),
}

/// `rtp_forward`: the answer to an [`RtpForward`]: the forwarders created (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwarded {
    event: MustBe!("rtp_forward"),
    /// The new forwarders, in the order of the request's streams (one that could not be
    /// created is missing).
    pub forwarders: Vec<Forwarder>,
}

/// `stop_rtp_forward`: the answer to a [`StopRtpForward`] (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwardStopped {
    event: MustBe!("stop_rtp_forward"),
    /// The forwarder stopped.
    pub stream_id: u32,
}

/// `forwarders`: the answer to a [`ListForwarders`] (Janus 1.4 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forwarders {
    event: MustBe!("forwarders"),
    /// Every forwarder of the session (`rtp_forwarders` on the wire, although the plugin's
    /// documentation says `forwarders`).
    pub rtp_forwarders: Vec<Forwarder>,
}

error_codes! {
    /// The NoSIP plugin's error codes (`error_code` of a plugin error).
    ///
    /// ```
    /// use janus_proto::plugins::nosip::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(446), ErrorCode::MissingSdp);
    /// assert_eq!(ErrorCode::MissingSdp.code(), 446);
    /// ```
    ErrorCode {
        /// 499: an unexpected failure (e.g. no UDP socket for a forwarder).
        UnknownError = 499,
        /// 440: no message.
        NoMessage = 440,
        /// 441: the message is not a JSON object.
        InvalidJson = 441,
        /// 442: unknown request.
        InvalidRequest = 442,
        /// 443: a required field is missing.
        MissingElement = 443,
        /// 444: a field has the wrong type or value.
        InvalidElement = 444,
        /// 445: the request does not fit the session's state.
        WrongState = 445,
        /// 446: the SDP is missing, of no known type, or does not parse.
        MissingSdp = 446,
        /// 447: the legacy SDP has no usable audio or video, or no address.
        InvalidSdp = 447,
        /// 448: RTP ports could not be allocated, or the SDP not rewritten.
        IoError = 448,
        /// 449: a recording request that records nothing.
        RecordingError = 449,
        /// 450: SRTP is mandated but the peer did not offer it.
        TooStrict = 450,
        /// 451: no RTP forwarder with that id (Janus 1.4 only).
        NoSuchStream = 451,
    }
}

/// A NoSIP event, typed by its `"event"` word: each is the answer to a request, and holds
/// what that request's outcome decodes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// `generated`.
    Generated(NoSipEvent<Generated>),
    /// `processed`.
    Processed(NoSipEvent<Processed>),
    /// `hangingup`.
    Hangingup(NoSipEvent<Hangingup>),
    /// `recordingupdated`.
    RecordingUpdated(NoSipEvent<RecordingUpdated>),
    /// `keyframesent` (Janus 1.4 only).
    KeyframeSent(NoSipEvent<KeyframeSent>),
    /// `rtp_forward` (Janus 1.4 only).
    RtpForwarded(NoSipEvent<RtpForwarded>),
    /// `stop_rtp_forward` (Janus 1.4 only).
    RtpForwardStopped(NoSipEvent<RtpForwardStopped>),
    /// `forwarders` (Janus 1.4 only).
    Forwarders(NoSipEvent<Forwarders>),
    /// An event this model does not know, or that does not decode (an error event among
    /// them); see the raw data. Encodes as `null`.
    Other,
}

/// What the dispatch of an event reads: its `"event"` word.
#[derive(Deserialize)]
struct Probe {
    result: Option<ProbeResult>,
}

#[derive(Deserialize)]
struct ProbeResult {
    event: Option<String>,
}

impl Event {
    /// The typed view of an event's plugin data; [`Event::Other`] when it is not the NoSIP
    /// plugin's, not known, or does not decode.
    ///
    /// ```
    /// use janus_proto::plugins::nosip::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.nosip",
    ///   "data":{"nosip":"event","result":{"event":"hangingup"}}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// assert!(matches!(Event::from_data(&plugindata), Event::Hangingup(_)));
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(Probe {
            result: Some(ProbeResult { event: Some(word) }),
        }) = data.parse::<Probe>()
        else {
            return Event::Other;
        };
        match word.as_str() {
            "generated" => decode(data, Event::Generated),
            "processed" => decode(data, Event::Processed),
            "hangingup" => decode(data, Event::Hangingup),
            "recordingupdated" => decode(data, Event::RecordingUpdated),
            "keyframesent" => decode(data, Event::KeyframeSent),
            "rtp_forward" => decode(data, Event::RtpForwarded),
            "stop_rtp_forward" => decode(data, Event::RtpForwardStopped),
            "forwarders" => decode(data, Event::Forwarders),
            _ => Event::Other,
        }
    }
}

/// `data` decoded as `T` and wrapped by `case`; [`Event::Other`] when it does not decode.
fn decode<T: DeserializeOwned>(data: &PluginData, case: fn(T) -> Event) -> Event {
    data.parse::<T>().map(case).unwrap_or(Event::Other)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::{json, Value};

    use super::*;
    use crate::command::Command;
    use crate::error::{PluginError, RequestError};
    use crate::event::{Reply, ReplyKind};
    use crate::ids::HandleId;
    use crate::plugins::{OnHandle, PluginHandle, Typed};
    use crate::request::Request;
    use crate::wire::{RawFrame, ServerMessage};

    const OFFER: &str =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    const BAREBONE: &str =
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n";

    fn frame(
        plugin: &str,
        data: &Value,
        jsep: Option<&Value>,
    ) -> (PluginData, Option<Jsep>, String) {
        let mut frame = json!({
            "janus": "event", "session_id": 1, "sender": 2, "transaction": "t1",
            "plugindata": {"plugin": plugin, "data": data}
        });
        if let Some(jsep) = jsep {
            frame["jsep"] = jsep.clone();
        }
        let text = frame.to_string();
        match ServerMessage::decode(text.as_bytes()) {
            Ok(ServerMessage::Event {
                plugindata, jsep, ..
            }) => (plugindata, jsep, text),
            other => panic!("not an event: {other:?}"),
        }
    }

    /// The body and SDP `request` is sent with; the body decodes back into `request`.
    fn sent<M>(request: M) -> (Value, Option<Jsep>)
    where
        M: PluginRequest<Plugin = NoSip> + DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
    {
        let Command::Message { body, jsep, .. } = PluginHandle::<NoSip>::new(HandleId(3))
            .request(request.clone())
            .into_command()
        else {
            panic!("a message");
        };
        let back: M = serde_json::from_value(body.clone()).expect("the body decodes back");
        let mut expected = request;
        let _ = expected.take_jsep();
        assert_eq!(back, expected);
        (body, jsep)
    }

    fn reply<M: PluginRequest<Plugin = NoSip>>(
        data: &Value,
        jsep: Option<&Value>,
    ) -> Result<Typed<M::Response>, RequestError> {
        let (data, jsep, text) = frame(PACKAGE, data, jsep);
        OnHandle::<M>::output(Reply {
            kind: ReplyKind::Plugin { data, jsep },
            raw: RawFrame::new(Bytes::from(text)),
        })
    }

    /// The outcome of `M` when the plugin answers `data`: it encodes back to `data`, and
    /// it is the event `data` too.
    fn outcome<M>(data: Value, jsep: Option<Value>) -> Typed<M::Response>
    where
        M: PluginRequest<Plugin = NoSip>,
        M::Response: Serialize,
    {
        let typed = reply::<M>(&data, jsep.as_ref()).expect("a typed outcome");
        assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data.clone()));
        let event = Event::from_data(&typed.data);
        assert_ne!(event, Event::Other);
        assert_eq!(serde_json::to_value(&event).ok(), Some(data));
        typed
    }

    #[test]
    fn generate_and_its_answer() {
        let (body, jsep) = sent(
            Generate::builder()
                .info("call 42")
                .srtp(Srtp::Mandatory)
                .srtp_profile(SrtpProfile::AesCm128HmacSha1_32)
                .jsep(Jsep::offer(OFFER))
                .build(),
        );
        assert_eq!(
            body,
            json!({"request": "generate", "info": "call 42", "srtp": "sdes_mandatory",
                   "srtp_profile": "AES_CM_128_HMAC_SHA1_32"})
        );
        assert_eq!(jsep, Some(Jsep::offer(OFFER)));
        assert_eq!(sent(Generate::default()).0, json!({"request": "generate"}));
        let typed = outcome::<Generate>(
            json!({"nosip": "event", "result": {
                "event": "generated", "type": "offer", "sdp": BAREBONE, "update": true,
                "unique_id": "u-1"
            }}),
            None,
        );
        let generated = typed.value.result;
        assert_eq!(generated.kind, JsepType::Offer);
        assert_eq!(generated.sdp, BAREBONE);
        assert_eq!(generated.update, Some(true));
        assert_eq!(generated.unique_id.as_deref(), Some("u-1"));
        // Janus 1.1.2: no unique id.
        let typed = outcome::<Generate>(
            json!({"nosip": "event", "result": {"event": "generated", "type": "answer", "sdp": BAREBONE}}),
            None,
        );
        assert_eq!(typed.value.result.kind, JsepType::Answer);
        assert_eq!(typed.value.result.unique_id, None);
    }

    #[test]
    fn process_and_its_answer_with_the_jsep() {
        let (body, jsep) = sent(
            Process::builder()
                .kind(JsepType::Answer)
                .sdp(BAREBONE)
                .info("call 42")
                .srtp(Srtp::Optional)
                .srtp_profile(SrtpProfile::AesCm128HmacSha1_80)
                .update(true)
                .build(),
        );
        assert_eq!(
            body,
            json!({"request": "process", "type": "answer", "sdp": BAREBONE, "info": "call 42",
                   "srtp": "sdes_optional", "srtp_profile": "AES_CM_128_HMAC_SHA1_80",
                   "update": true})
        );
        assert!(jsep.is_none());
        let typed = outcome::<Process>(
            json!({"nosip": "event", "result": {
                "event": "processed", "srtp": "sdes_mandatory", "update": true, "unique_id": "u-1"
            }}),
            Some(json!({"type": "answer", "sdp": OFFER})),
        );
        assert_eq!(typed.value.result.srtp, Some(Srtp::Mandatory));
        assert_eq!(typed.value.result.update, Some(true));
        assert_eq!(typed.value.result.unique_id.as_deref(), Some("u-1"));
        assert_eq!(typed.jsep, Some(Jsep::answer(OFFER)));
    }

    #[test]
    fn the_other_requests_and_their_answers() {
        assert_eq!(
            sent(Hangup::builder().build()).0,
            json!({"request": "hangup"})
        );
        outcome::<Hangup>(
            json!({"nosip": "event", "result": {"event": "hangingup"}}),
            None,
        );

        let (body, _) = sent(
            Recording::builder()
                .action(RecordingAction::Start)
                .audio(true)
                .video(false)
                .peer_audio(true)
                .peer_video(true)
                .filename("/rec/nosip")
                .build(),
        );
        assert_eq!(
            body,
            json!({"request": "recording", "action": "start", "audio": true, "video": false,
                   "peer_audio": true, "peer_video": true, "filename": "/rec/nosip"})
        );
        let (body, _) = sent(
            Recording::builder()
                .action(RecordingAction::Stop)
                .peer_video(true)
                .build(),
        );
        assert_eq!(
            body,
            json!({"request": "recording", "action": "stop", "peer_video": true})
        );
        outcome::<Recording>(
            json!({"nosip": "event", "result": {"event": "recordingupdated"}}),
            None,
        );

        let (body, _) = sent(Keyframe::builder().user(false).peer(true).build());
        assert_eq!(
            body,
            json!({"request": "keyframe", "user": false, "peer": true})
        );
        outcome::<Keyframe>(
            json!({"nosip": "event", "result": {"event": "keyframesent"}}),
            None,
        );
    }

    #[test]
    fn rtp_forwarders() {
        let (body, _) = sent(
            RtpForward::builder()
                .streams(vec![ForwardStream::builder()
                    .kind(ForwardType::Audio)
                    .host("10.0.0.9")
                    .port(6000)
                    .pt(0)
                    .build()])
                .build(),
        );
        assert_eq!(
            body,
            json!({"request": "rtp_forward", "streams": [
                {"type": "audio", "host": "10.0.0.9", "port": 6000, "pt": 0}
            ]})
        );
        let typed = outcome::<RtpForward>(
            json!({"nosip": "event", "result": {"event": "rtp_forward", "forwarders": [
                {"stream_id": 9, "type": "audio", "host": "10.0.0.9", "port": 6000, "media": "audio"}
            ]}}),
            None,
        );
        let forwarder = &typed.value.result.forwarders[0];
        assert_eq!(forwarder.stream_id, 9);
        assert_eq!(forwarder.forward_type(), Some(ForwardType::Audio));
        assert_eq!(
            (forwarder.host.as_str(), forwarder.port),
            ("10.0.0.9", 6000)
        );
        assert_eq!(forwarder.media, Media::Audio);

        let (body, _) = sent(StopRtpForward::builder().stream_id(9).build());
        assert_eq!(body, json!({"request": "stop_rtp_forward", "stream_id": 9}));
        let typed = outcome::<StopRtpForward>(
            json!({"nosip": "event", "result": {"event": "stop_rtp_forward", "stream_id": 9}}),
            None,
        );
        assert_eq!(typed.value.result.stream_id, 9);

        assert_eq!(
            sent(ListForwarders::builder().build()).0,
            json!({"request": "listforwarders"})
        );
        let typed = outcome::<ListForwarders>(
            json!({"nosip": "event", "result": {"event": "forwarders", "rtp_forwarders": [
                {"stream_id": 9, "type": "audio", "host": "10.0.0.9", "port": 6000,
                 "media": "audio", "ssrc": 5, "pt": 8, "srtp": true}
            ]}}),
            None,
        );
        let listed = &typed.value.result.rtp_forwarders[0];
        assert_eq!(
            (listed.ssrc, listed.pt, listed.srtp),
            (Some(5), Some(8), Some(true))
        );
    }

    #[test]
    fn wrong_or_incomplete_replies_are_unexpected() {
        assert!(matches!(
            reply::<Hangup>(
                &json!({"nosip": "event", "result": {"event": "recordingupdated"}}),
                None
            ),
            Err(RequestError::UnexpectedReply(_))
        ));
        assert!(matches!(
            reply::<Generate>(
                &json!({"nosip": "event", "result": {"event": "generated", "type": "offer"}}),
                None
            ),
            Err(RequestError::UnexpectedReply(_))
        ));
        assert!(matches!(
            reply::<Process>(&json!({"nosip": "event"}), None),
            Err(RequestError::UnexpectedReply(_))
        ));
    }

    #[test]
    fn unknown_or_undecodable_events_are_other() {
        for data in [
            json!({"nosip": "event", "result": {"event": "something_new"}}),
            json!({"nosip": "event", "result": {"event": "generated"}}),
            json!({"nosip": "event", "result": {}}),
            json!({"nosip": "event", "error_code": 446, "error": "Missing SDP"}),
        ] {
            let (data, _, _) = frame(PACKAGE, &data, None);
            assert_eq!(Event::from_data(&data), Event::Other);
        }
        let (foreign, _, _) = frame(
            "janus.plugin.sip",
            &json!({"nosip": "event", "result": {"event": "hangingup"}}),
            None,
        );
        assert_eq!(NoSip::event(&foreign), Event::Other);
        assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
    }

    #[test]
    fn error_codes_map_both_ways() {
        let codes = [
            (499, ErrorCode::UnknownError),
            (440, ErrorCode::NoMessage),
            (441, ErrorCode::InvalidJson),
            (442, ErrorCode::InvalidRequest),
            (443, ErrorCode::MissingElement),
            (444, ErrorCode::InvalidElement),
            (445, ErrorCode::WrongState),
            (446, ErrorCode::MissingSdp),
            (447, ErrorCode::InvalidSdp),
            (448, ErrorCode::IoError),
            (449, ErrorCode::RecordingError),
            (450, ErrorCode::TooStrict),
            (451, ErrorCode::NoSuchStream),
        ];
        for (code, typed) in codes {
            assert_eq!(ErrorCode::from_code(code), typed);
            assert_eq!(typed.code(), code);
            assert_eq!(NoSip::error_code(code), typed);
        }
        assert_eq!(ErrorCode::from_code(455), ErrorCode::Other(455));
        let (data, _, _) = frame(
            PACKAGE,
            &json!({"nosip": "event", "error_code": 450, "error": "Too strict"}),
            None,
        );
        let error = PluginError {
            plugin: PACKAGE.into(),
            code: 450,
            reason: "Too strict".into(),
            data,
        };
        assert_eq!(NoSip::error_of(&error), Some(ErrorCode::TooStrict));
        let foreign = PluginError {
            plugin: crate::plugins::sip::PACKAGE.into(),
            ..error
        };
        assert_eq!(NoSip::error_of(&foreign), None);
    }
}
