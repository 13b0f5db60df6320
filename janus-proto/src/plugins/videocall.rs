//! VideoCall (`janus.plugin.videocall`): one-to-one calls between two WebRTC peers through
//! Janus, between usernames registered in the plugin.
//!
//! A handle [`Register`]s a username; one peer [`Call`]s another with a JSEP offer, the
//! callee gets an [`IncomingCall`] event with that offer and [`Accept`]s with its answer,
//! which reaches the caller in an [`Accepted`] event. [`Set`] changes the media settings
//! (and renegotiates, with a JSEP: the other side gets an [`Update`]); [`Hangup`] ends the
//! call, and both sides get a [`HungUp`]. There is no unregister: the username is freed
//! when the handle goes.
//!
//! Every request is asynchronous: its outcome is the plugin's event carrying the request's
//! transaction, a [`VideoCallEvent`] around the `result` the request gets; failures are
//! plugin errors whose codes are [`ErrorCode`]s. The other events are [`Event`]s. The API
//! is the same in Janus 1.1.2 and 1.4.
//!
//! ```
//! use janus_proto::plugins::videocall::{Call, VideoCall};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::{Command, HandleId, Jsep};
//!
//! let call = Call::builder().username("bob").jsep(Jsep::offer("v=0\r\n…")).build();
//! match PluginHandle::<VideoCall>::new(HandleId(7)).request(call).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(body, serde_json::json!({"request": "call", "username": "bob"}));
//!         assert_eq!(jsep, Some(Jsep::offer("v=0\r\n…")));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use monostate::MustBe;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::plugins::{Plugin, PluginRequest};
use crate::wire::{Jsep, PluginData};

pub use crate::plugins::sip::Media;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.videocall";

/// The VideoCall plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoCall;

impl Plugin for VideoCall {
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

/// The word of every VideoCall event.
type EventWord = MustBe!("event");

/// The plugin data of a VideoCall event: `{"videocall": "event", "result": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VideoCallEvent<R> {
    videocall: EventWord,
    /// What happened: the type of the `"event"` word (or the peer list).
    pub result: R,
}

/// `list`: the usernames registered in the plugin. Its outcome is [`PeerList`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "list")]
#[non_exhaustive]
pub struct List {}

impl PluginRequest for List {
    type Plugin = VideoCall;
    type Response = VideoCallEvent<PeerList>;
}

/// `register`: take a username, first come first served (no authentication). Its outcome
/// is [`Registered`]; a taken name fails with [`UsernameTaken`](ErrorCode::UsernameTaken),
/// a second one on the handle with [`AlreadyRegistered`](ErrorCode::AlreadyRegistered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "register")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Register {
    /// The username (required).
    pub username: String,
}

impl PluginRequest for Register {
    type Plugin = VideoCall;
    type Response = VideoCallEvent<Registered>;
}

/// `call`: call a registered username, with the JSEP offer that must go with it. Its
/// outcome is [`CallOutcome::Calling`] (the callee gets an [`IncomingCall`]), or
/// [`CallOutcome::Busy`] when the callee is in a call. Calling oneself fails with
/// [`UseEchoTest`](ErrorCode::UseEchoTest), an unknown name with
/// [`NoSuchUsername`](ErrorCode::NoSuchUsername); these failures (and a busy callee)
/// also close the handle's PeerConnection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "call")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Call {
    /// The username to call (required).
    pub username: String,
    /// The JSEP offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Call {
    type Plugin = VideoCall;
    type Response = VideoCallEvent<CallOutcome>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// The answer to a [`Call`]: `calling`, or `hangup` with the reason `User busy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum CallOutcome {
    /// The offer went to the callee.
    Calling(Calling),
    /// The callee is in a call; this handle's PeerConnection is closed.
    Busy(HungUp),
}

/// `accept`: accept the [`IncomingCall`], with the JSEP answer that must go with it. Its
/// outcome is [`Accepted`]; the caller gets an [`Accepted`] event with the answer. With no
/// incoming call it fails with [`NoCall`](ErrorCode::NoCall).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "accept")]
#[non_exhaustive]
pub struct Accept {
    /// The JSEP answer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Accept {
    type Plugin = VideoCall;
    type Response = VideoCallEvent<Accepted>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `set`: change this side's media settings (every field optional, only the ones given
/// are sent), and renegotiate when a JSEP goes with it (the other side gets an [`Update`]
/// with it). Its outcome is [`SetDone`]. A `substream` or `temporal` already in use is
/// confirmed at once by a [`Simulcast`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "set")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Set {
    /// Relay this side's audio to the peer.
    pub audio: Option<bool>,
    /// Relay this side's video to the peer.
    pub video: Option<bool>,
    /// Cap this side's sending bitrate (bits per second, through REMB; 0: no cap).
    pub bitrate: Option<u32>,
    /// Record this side (not the peer: each side records itself).
    pub record: Option<bool>,
    /// The base path of the recording (`-audio.mjr`, `-video.mjr`, `-data.mjr` are
    /// appended; a name is made up otherwise).
    pub filename: Option<String>,
    /// Marks an ICE restart; the plugin only logs it (the restart is the JSEP offer).
    pub restart: Option<bool>,
    /// The simulcast substream to receive (0–2).
    pub substream: Option<u8>,
    /// The simulcast temporal layer to receive (0–2).
    pub temporal: Option<u8>,
    /// Microseconds without packets before dropping to a lower substream (250000 by
    /// default).
    pub fallback: Option<u32>,
    /// A renegotiation: a new JSEP offer, or the answer to an [`Update`].
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Set {
    type Plugin = VideoCall;
    type Response = VideoCallEvent<SetDone>;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `hangup`: end the call, or refuse an incoming one (answered even when there is no
/// call). Its outcome is [`HungUp`] with the reason `Explicit hangup`; the peer gets a
/// [`HungUp`] with `reason`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "hangup")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Hangup {
    /// The reason the peer is given (`We did the hangup` otherwise).
    pub reason: Option<String>,
}

impl PluginRequest for Hangup {
    type Plugin = VideoCall;
    type Response = VideoCallEvent<HungUp>;
}

/// The answer to a [`List`]: `{"list": [...]}`, with no `"event"` word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PeerList {
    /// The registered usernames.
    pub list: Vec<String>,
}

/// `registered`: the answer to a [`Register`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Registered {
    event: MustBe!("registered"),
    /// The username now this handle's.
    pub username: String,
}

/// `calling`: the answer to a [`Call`]: the offer went to the callee.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Calling {
    event: MustBe!("calling"),
    /// Documented as the callee's username, but Janus (1.1.2 and 1.4) does not send it.
    pub username: Option<String>,
}

/// `incomingcall`: someone calls this handle; the caller's JSEP offer comes with it.
/// Answer with [`Accept`] or [`Hangup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncomingCall {
    event: MustBe!("incomingcall"),
    /// The caller's username.
    pub username: String,
}

/// `accepted`: as the answer to an [`Accept`] it has no other field; as the caller's
/// event it names the callee and the callee's JSEP answer comes with it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Accepted {
    event: MustBe!("accepted"),
    /// The callee's username (in the caller's event only).
    pub username: Option<String>,
}

/// `set`: the answer to a [`Set`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetDone {
    event: MustBe!("set"),
}

/// `update`: the peer renegotiated; its JSEP (an offer to answer with a [`Set`], or the
/// answer to this side's offer) comes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Update {
    event: MustBe!("update"),
}

/// `hangup`: the call is over (or the callee was busy). The answer to a [`Hangup`] (reason
/// `Explicit hangup`) and to a [`Call`] of a busy callee (`User busy`); the event of the
/// peer hanging up (the peer's reason) or its PeerConnection closing (`Remote WebRTC
/// hangup`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HungUp {
    event: MustBe!("hangup"),
    /// The username of the side that hung up (this handle's in an answer; absent when
    /// it has none).
    pub username: Option<String>,
    /// Why.
    pub reason: String,
}

/// `simulcast`: the simulcast substream or temporal layer received from the peer changed
/// (or is already the one a [`Set`] asked for).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Simulcast {
    event: MustBe!("simulcast"),
    /// The video codec.
    pub videocodec: String,
    /// The substream now received.
    pub substream: Option<u8>,
    /// The temporal layer now received.
    pub temporal: Option<u8>,
}

/// `slow_link`: Janus sees many losses on the media it sends to this side.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlowLink {
    event: MustBe!("slow_link"),
    /// Audio or video.
    pub media: Media,
    /// The bitrate cap in force, for video (`current-bitrate` on the wire).
    #[serde(rename = "current-bitrate")]
    pub current_bitrate: Option<u32>,
}

error_codes! {
    /// The VideoCall plugin's error codes (`error_code` of a plugin error).
    ///
    /// ```
    /// use janus_proto::plugins::videocall::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(476), ErrorCode::UsernameTaken);
    /// assert_eq!(ErrorCode::UsernameTaken.code(), 476);
    /// ```
    ErrorCode {
        /// 499: an unexpected failure.
        UnknownError = 499,
        /// 470: no message.
        NoMessage = 470,
        /// 471: the message is not a JSON object.
        InvalidJson = 471,
        /// 472: unknown request.
        InvalidRequest = 472,
        /// 473: register a username first.
        RegisterFirst = 473,
        /// 474: a field has the wrong type or value.
        InvalidElement = 474,
        /// 475: a required field is missing.
        MissingElement = 475,
        /// 476: the username is taken.
        UsernameTaken = 476,
        /// 477: the handle already has a username.
        AlreadyRegistered = 477,
        /// 478: no such username.
        NoSuchUsername = 478,
        /// 479: calling oneself (use the EchoTest for that).
        UseEchoTest = 479,
        /// 480: already in a call.
        AlreadyInCall = 480,
        /// 481: no incoming call to accept.
        NoCall = 481,
        /// 482: the SDP is missing.
        MissingSdp = 482,
        /// 483: the SDP does not parse.
        InvalidSdp = 483,
    }
}

/// A VideoCall event, typed by its `"event"` word. Answers to requests are here too, so a
/// reader of events sees them typed; each case holds what the request's outcome decodes
/// into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// The peer list (the answer to a [`List`]).
    PeerList(VideoCallEvent<PeerList>),
    /// `registered`.
    Registered(VideoCallEvent<Registered>),
    /// `calling`.
    Calling(VideoCallEvent<Calling>),
    /// `incomingcall`.
    IncomingCall(VideoCallEvent<IncomingCall>),
    /// `accepted`.
    Accepted(VideoCallEvent<Accepted>),
    /// `set`.
    SetDone(VideoCallEvent<SetDone>),
    /// `update`.
    Update(VideoCallEvent<Update>),
    /// `hangup`.
    HungUp(VideoCallEvent<HungUp>),
    /// `simulcast`.
    Simulcast(VideoCallEvent<Simulcast>),
    /// `slow_link`.
    SlowLink(VideoCallEvent<SlowLink>),
    /// An event this model does not know, or that does not decode (an error event among
    /// them); see the raw data. Encodes as `null`.
    Other,
}

/// What the dispatch of an event reads: its `"event"` word, or the peer list.
#[derive(Deserialize)]
struct Probe {
    result: Option<ProbeResult>,
}

#[derive(Deserialize)]
struct ProbeResult {
    event: Option<String>,
    list: Option<serde::de::IgnoredAny>,
}

impl Event {
    /// The typed view of an event's plugin data; [`Event::Other`] when it is not the
    /// VideoCall plugin's, not known, or does not decode.
    ///
    /// ```
    /// use janus_proto::plugins::videocall::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.videocall",
    ///   "data":{"videocall":"event","result":{"event":"incomingcall","username":"alice"}}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// match Event::from_data(&plugindata) {
    ///     Event::IncomingCall(call) => assert_eq!(call.result.username, "alice"),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(Probe {
            result: Some(result),
        }) = data.parse::<Probe>()
        else {
            return Event::Other;
        };
        let Some(word) = result.event else {
            return match result.list {
                Some(_) => decode(data, Event::PeerList),
                None => Event::Other,
            };
        };
        match word.as_str() {
            "registered" => decode(data, Event::Registered),
            "calling" => decode(data, Event::Calling),
            "incomingcall" => decode(data, Event::IncomingCall),
            "accepted" => decode(data, Event::Accepted),
            "set" => decode(data, Event::SetDone),
            "update" => decode(data, Event::Update),
            "hangup" => decode(data, Event::HungUp),
            "simulcast" => decode(data, Event::Simulcast),
            "slow_link" => decode(data, Event::SlowLink),
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
    use crate::wire::{JsepType, RawFrame, ServerMessage};

    const OFFER: &str =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

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
        M: PluginRequest<Plugin = VideoCall>
            + DeserializeOwned
            + PartialEq
            + std::fmt::Debug
            + Clone,
    {
        let Command::Message { body, jsep, .. } = PluginHandle::<VideoCall>::new(HandleId(3))
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

    fn reply<M: PluginRequest<Plugin = VideoCall>>(
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
    fn outcome<M>(data: Value) -> Typed<M::Response>
    where
        M: PluginRequest<Plugin = VideoCall>,
        M::Response: Serialize,
    {
        let typed = reply::<M>(&data, None).expect("a typed outcome");
        assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data.clone()));
        let event = Event::from_data(&typed.data);
        assert_ne!(event, Event::Other);
        assert_eq!(serde_json::to_value(&event).ok(), Some(data));
        typed
    }

    /// The typed view of event `data` (with `jsep`), which encodes back to `data`.
    fn event(data: Value, jsep: Option<Value>) -> (Event, Option<Jsep>) {
        let (plugindata, jsep, _) = frame(PACKAGE, &data, jsep.as_ref());
        let typed = VideoCall::event(&plugindata);
        assert_ne!(typed, Event::Other, "{data}");
        assert_eq!(serde_json::to_value(&typed).ok(), Some(data));
        (typed, jsep)
    }

    #[test]
    fn list_and_register() {
        assert_eq!(sent(List::builder().build()).0, json!({"request": "list"}));
        let typed = outcome::<List>(
            json!({"videocall": "event", "result": {"list": ["alice78", "bob51"]}}),
        );
        assert_eq!(typed.value.result.list, ["alice78", "bob51"]);
        let typed = outcome::<List>(json!({"videocall": "event", "result": {"list": []}}));
        assert!(typed.value.result.list.is_empty());

        let (body, jsep) = sent(Register::builder().username("alice78").build());
        assert_eq!(body, json!({"request": "register", "username": "alice78"}));
        assert!(jsep.is_none());
        let typed = outcome::<Register>(
            json!({"videocall": "event", "result": {"event": "registered", "username": "alice78"}}),
        );
        assert_eq!(typed.value.result.username, "alice78");
    }

    #[test]
    fn a_call_from_both_sides() {
        let (body, jsep) = sent(
            Call::builder()
                .username("bob51")
                .jsep(Jsep::offer(OFFER))
                .build(),
        );
        assert_eq!(body, json!({"request": "call", "username": "bob51"}));
        assert_eq!(jsep, Some(Jsep::offer(OFFER)));
        let typed = outcome::<Call>(json!({"videocall": "event", "result": {"event": "calling"}}));
        assert!(matches!(typed.value.result, CallOutcome::Calling(ref c) if c.username.is_none()));
        // As documented (with the username).
        let typed = outcome::<Call>(
            json!({"videocall": "event", "result": {"event": "calling", "username": "bob51"}}),
        );
        assert!(matches!(
            typed.value.result,
            CallOutcome::Calling(ref c) if c.username.as_deref() == Some("bob51")
        ));
        let typed = outcome::<Call>(json!({"videocall": "event", "result": {
            "event": "hangup", "username": "alice78", "reason": "User busy"
        }}));
        match typed.value.result {
            CallOutcome::Busy(busy) => {
                assert_eq!(busy.username.as_deref(), Some("alice78"));
                assert_eq!(busy.reason, "User busy");
            }
            other => panic!("{other:?}"),
        }

        let (typed, jsep) = event(
            json!({"videocall": "event", "result": {"event": "incomingcall", "username": "alice78"}}),
            Some(json!({"type": "offer", "sdp": OFFER})),
        );
        assert!(matches!(typed, Event::IncomingCall(ref e) if e.result.username == "alice78"));
        assert_eq!(jsep.map(|j| j.kind), Some(JsepType::Offer));

        let (body, jsep) = sent(Accept::builder().jsep(Jsep::answer(OFFER)).build());
        assert_eq!(body, json!({"request": "accept"}));
        assert_eq!(jsep, Some(Jsep::answer(OFFER)));
        let typed =
            outcome::<Accept>(json!({"videocall": "event", "result": {"event": "accepted"}}));
        assert_eq!(typed.value.result.username, None);
        let (typed, jsep) = event(
            json!({"videocall": "event", "result": {"event": "accepted", "username": "bob51"}}),
            Some(json!({"type": "answer", "sdp": OFFER})),
        );
        assert!(matches!(
            typed,
            Event::Accepted(ref e) if e.result.username.as_deref() == Some("bob51")
        ));
        assert_eq!(jsep.map(|j| j.kind), Some(JsepType::Answer));
    }

    #[test]
    fn set_and_its_events() {
        let (body, jsep) = sent(
            Set::builder()
                .audio(true)
                .video(false)
                .bitrate(128_000)
                .record(true)
                .filename("/rec/alice")
                .restart(true)
                .substream(2)
                .temporal(1)
                .fallback(500_000)
                .jsep(Jsep::offer(OFFER))
                .build(),
        );
        assert_eq!(
            body,
            json!({"request": "set", "audio": true, "video": false, "bitrate": 128000,
                   "record": true, "filename": "/rec/alice", "restart": true, "substream": 2,
                   "temporal": 1, "fallback": 500000})
        );
        assert_eq!(jsep, Some(Jsep::offer(OFFER)));
        assert_eq!(sent(Set::default()).0, json!({"request": "set"}));
        outcome::<Set>(json!({"videocall": "event", "result": {"event": "set"}}));

        let (typed, jsep) = event(
            json!({"videocall": "event", "result": {"event": "update"}}),
            Some(json!({"type": "offer", "sdp": OFFER})),
        );
        assert!(matches!(typed, Event::Update(_)));
        assert!(jsep.is_some());
        let (typed, _) = event(
            json!({"videocall": "event", "result": {"event": "simulcast", "videocodec": "vp8", "substream": 1}}),
            None,
        );
        match typed {
            Event::Simulcast(e) => {
                assert_eq!(e.result.videocodec, "vp8");
                assert_eq!(e.result.substream, Some(1));
                assert_eq!(e.result.temporal, None);
            }
            other => panic!("{other:?}"),
        }
        let (typed, _) = event(
            json!({"videocall": "event", "result": {"event": "simulcast", "videocodec": "h264", "temporal": 2}}),
            None,
        );
        assert!(matches!(typed, Event::Simulcast(ref e) if e.result.temporal == Some(2)));
        let (typed, _) = event(
            json!({"videocall": "event", "result": {"event": "slow_link", "media": "video", "current-bitrate": 256000}}),
            None,
        );
        match typed {
            Event::SlowLink(e) => {
                assert_eq!(e.result.media, Media::Video);
                assert_eq!(e.result.current_bitrate, Some(256_000));
            }
            other => panic!("{other:?}"),
        }
        let (typed, _) = event(
            json!({"videocall": "event", "result": {"event": "slow_link", "media": "audio"}}),
            None,
        );
        assert!(matches!(typed, Event::SlowLink(ref e) if e.result.current_bitrate.is_none()));
    }

    #[test]
    fn hangup_and_its_events() {
        let (body, _) = sent(Hangup::builder().reason("Going home").build());
        assert_eq!(body, json!({"request": "hangup", "reason": "Going home"}));
        assert_eq!(sent(Hangup::default()).0, json!({"request": "hangup"}));
        let typed = outcome::<Hangup>(json!({"videocall": "event", "result": {
            "event": "hangup", "username": "alice78", "reason": "Explicit hangup"
        }}));
        assert_eq!(typed.value.result.username.as_deref(), Some("alice78"));
        assert_eq!(typed.value.result.reason, "Explicit hangup");
        // A handle with no username.
        let typed = outcome::<Hangup>(json!({"videocall": "event", "result": {
            "event": "hangup", "reason": "Explicit hangup"
        }}));
        assert_eq!(typed.value.result.username, None);
        let (typed, _) = event(
            json!({"videocall": "event", "result": {
                "event": "hangup", "username": "bob51", "reason": "Remote WebRTC hangup"
            }}),
            None,
        );
        assert!(matches!(typed, Event::HungUp(ref e) if e.result.reason == "Remote WebRTC hangup"));
    }

    #[test]
    fn wrong_or_incomplete_replies_are_unexpected() {
        assert!(matches!(
            reply::<Set>(
                &json!({"videocall": "event", "result": {"event": "update"}}),
                None
            ),
            Err(RequestError::UnexpectedReply(_))
        ));
        assert!(matches!(
            reply::<Register>(
                &json!({"videocall": "event", "result": {"event": "registered"}}),
                None
            ),
            Err(RequestError::UnexpectedReply(_))
        ));
        assert!(matches!(
            reply::<List>(
                &json!({"videocall": "event", "result": {"event": "set"}}),
                None
            ),
            Err(RequestError::UnexpectedReply(_))
        ));
        assert!(matches!(
            reply::<Call>(
                &json!({"videocall": "event", "result": {"event": "accepted"}}),
                None
            ),
            Err(RequestError::UnexpectedReply(_))
        ));
    }

    #[test]
    fn unknown_or_undecodable_events_are_other() {
        for data in [
            json!({"videocall": "event", "result": {"event": "something_new"}}),
            json!({"videocall": "event", "result": {"event": "incomingcall"}}),
            json!({"videocall": "event", "result": {"list": "not a list"}}),
            json!({"videocall": "event", "result": {}}),
            json!({"videocall": "event", "error_code": 478, "error": "Username 'x' doesn't exist"}),
        ] {
            let (data, _, _) = frame(PACKAGE, &data, None);
            assert_eq!(Event::from_data(&data), Event::Other);
        }
        let (foreign, _, _) = frame(
            "janus.plugin.echotest",
            &json!({"videocall": "event", "result": {"event": "set"}}),
            None,
        );
        assert_eq!(Event::from_data(&foreign), Event::Other);
        assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
    }

    #[test]
    fn error_codes_map_both_ways() {
        let codes = [
            (499, ErrorCode::UnknownError),
            (470, ErrorCode::NoMessage),
            (471, ErrorCode::InvalidJson),
            (472, ErrorCode::InvalidRequest),
            (473, ErrorCode::RegisterFirst),
            (474, ErrorCode::InvalidElement),
            (475, ErrorCode::MissingElement),
            (476, ErrorCode::UsernameTaken),
            (477, ErrorCode::AlreadyRegistered),
            (478, ErrorCode::NoSuchUsername),
            (479, ErrorCode::UseEchoTest),
            (480, ErrorCode::AlreadyInCall),
            (481, ErrorCode::NoCall),
            (482, ErrorCode::MissingSdp),
            (483, ErrorCode::InvalidSdp),
        ];
        for (code, typed) in codes {
            assert_eq!(ErrorCode::from_code(code), typed);
            assert_eq!(typed.code(), code);
            assert_eq!(VideoCall::error_code(code), typed);
        }
        assert_eq!(ErrorCode::from_code(440), ErrorCode::Other(440));
        let (data, _, _) = frame(
            PACKAGE,
            &json!({"videocall": "event", "error_code": 476, "error": "Username 'a' already taken"}),
            None,
        );
        let error = PluginError {
            plugin: PACKAGE.into(),
            code: 476,
            reason: "Username 'a' already taken".into(),
            data,
        };
        assert_eq!(VideoCall::error_of(&error), Some(ErrorCode::UsernameTaken));
        assert_eq!(
            VideoCall::request_error(&RequestError::Plugin(error.clone())),
            Some(ErrorCode::UsernameTaken)
        );
        let foreign = PluginError {
            plugin: crate::plugins::sip::PACKAGE.into(),
            ..error
        };
        assert_eq!(VideoCall::error_of(&foreign), None);
    }
}
