//! RecordPlay (`janus.plugin.recordplay`): record a peer's WebRTC media to `.mjr` files, and
//! play recordings back to a peer.
//!
//! Synchronous requests (the outcome is the plugin's reply): [`List`], [`Update`],
//! [`Configure`]. Asynchronous ones (the outcome is the plugin's event carrying the
//! request's transaction): [`Record`] (with the peer's offer; Janus answers), [`Play`]
//! (Janus offers), [`Start`] (with the peer's answer), [`Pause`], [`Resume`], [`Stop`].
//! Events that answer no request (`done`, `slow_link`) are [`Event`]s; failures are plugin
//! errors whose codes are [`ErrorCode`]s.
//!
//! Version notes: private recordings and the `admin_key` are Janus 1.4 only (the
//! `is_private` fields, the key on [`List`] and [`Update`], error 440); Janus 1.1.2's `done`
//! event carries the bare word (`"result": "done"`), 1.4's an object ([`DoneResult`]).
//!
//! ```
//! use janus_proto::plugins::recordplay::{Record, RecordPlay};
//! use janus_proto::plugins::PluginHandle;
//! use janus_proto::request::Request;
//! use janus_proto::wire::Jsep;
//! use janus_proto::{Command, HandleId};
//!
//! let record = Record::builder().name("my message").id(42).jsep(Jsep::offer("v=0\r\n…")).build();
//! match PluginHandle::<RecordPlay>::new(HandleId(7)).request(record).into_command() {
//!     Command::Message { body, jsep, .. } => {
//!         assert_eq!(body, serde_json::json!({"request": "record", "name": "my message", "id": 42}));
//!         assert_eq!(jsep, Some(Jsep::offer("v=0\r\n…")));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plugins::{Plugin, PluginRequest};
use crate::secret::Secret;
use crate::wire::{Jsep, PluginData};
use monostate::MustBe;

/// The plugin package.
pub const PACKAGE: &str = "janus.plugin.recordplay";

/// The RecordPlay plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordPlay;

impl Plugin for RecordPlay {
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

/// `list`: the recordings that are complete (synchronous). Private ones are left out
/// unless the plugin's `admin_key` is given. Its outcome is a [`RecordingList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "list")]
#[non_exhaustive]
pub struct List {
    /// The plugin's `admin_key`, to list private recordings too (Janus 1.4 only; when the
    /// plugin has none configured, Janus ignores it and never lists private recordings).
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for List {
    type Plugin = RecordPlay;
    type Response = RecordingList;
}

/// `update`: scan the recordings folder again (synchronous). Its outcome is [`Success`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "update")]
#[non_exhaustive]
pub struct Update {
    /// The plugin's `admin_key`, required when the plugin has one (Janus 1.4 only).
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for Update {
    type Plugin = RecordPlay;
    type Response = Success;
}

/// `configure`: settings of this handle's recording (synchronous). Its outcome is
/// [`Configured`], with the settings now in force.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "configure")]
#[non_exhaustive]
pub struct Configure {
    /// Bitrate cap the recorded peer is asked to keep to (through REMB).
    #[serde(rename = "video-bitrate-max")]
    pub video_bitrate_max: Option<u32>,
    /// Seconds between the keyframe requests (PLI) Janus sends to the recorded peer.
    #[serde(rename = "video-keyframe-interval")]
    pub video_keyframe_interval: Option<u32>,
}

impl PluginRequest for Configure {
    type Plugin = RecordPlay;
    type Response = Configured;
}

/// `record`: record the peer (asynchronous). It must carry the peer's offer in
/// [`jsep`](Self::jsep). Its outcome is a [`Recording`] event with Janus's answer in
/// [`Typed::jsep`](crate::plugins::Typed). A renegotiation (Janus marks the offer as an
/// update) answers the same way for the ongoing recording.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "record")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Record {
    /// A name for the recording (not empty).
    pub name: String,
    /// The recording id; `None`: Janus picks one.
    pub id: Option<u64>,
    /// Leave it out of [`List`] (default: the plugin's setting; Janus 1.4 only).
    pub is_private: Option<bool>,
    /// Base path of the files (Janus adds the media type and `.mjr`).
    pub filename: Option<String>,
    /// Audio codec to prefer.
    pub audiocodec: Option<String>,
    /// Video codec to prefer.
    pub videocodec: Option<String>,
    /// Video codec profile to force (VP9 `2`, H.264 e.g. `42e01f`).
    pub videoprofile: Option<String>,
    /// Negotiate Opus RED when offered (default `false`).
    pub opusred: Option<bool>,
    /// Data channels carry text (`true`, the default) or binary messages.
    pub textdata: Option<bool>,
    /// This is a renegotiation of the ongoing recording (Janus only logs a mismatch with
    /// its own view, which comes from the offer).
    pub update: Option<bool>,
    /// The peer's offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Record {
    type Plugin = RecordPlay;
    type Response = Recording;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `play`: prepare the playout of a recording (asynchronous; no SDP may go with it). Its
/// outcome is a [`Preparing`] event with Janus's offer, which the peer answers with
/// [`Start`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "play")]
#[non_exhaustive]
pub struct Play {
    /// The recording.
    pub id: u64,
    /// An ICE restart of the current playout: Janus sends the offer again (`restarting`).
    pub restart: Option<bool>,
}

impl PluginRequest for Play {
    type Plugin = RecordPlay;
    type Response = Preparing;
}

/// `start`: with the peer's answer to Janus's offer, start a playout (asynchronous). Its
/// outcome is a [`Playing`] event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "start")]
#[non_exhaustive]
pub struct Start {
    /// The peer's answer (required).
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Start {
    type Plugin = RecordPlay;
    type Response = Playing;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `pause`: stop writing the recording, without a hole in it (asynchronous). Its outcome
/// is a [`PauseOutcome`] (`paused`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "pause")]
#[non_exhaustive]
pub struct Pause {}

impl PluginRequest for Pause {
    type Plugin = RecordPlay;
    type Response = PauseOutcome;
}

/// `resume`: write the recording again (asynchronous). Its outcome is a [`PauseOutcome`]
/// (`resumed`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "resume")]
#[non_exhaustive]
pub struct Resume {}

impl PluginRequest for Resume {
    type Plugin = RecordPlay;
    type Response = PauseOutcome;
}

/// `stop`: end the recording or playout and close the PeerConnection (asynchronous). Its
/// outcome is a [`Stopped`] event; a [`Done`] event follows once the PeerConnection is
/// gone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop")]
#[non_exhaustive]
pub struct Stop {}

impl PluginRequest for Stop {
    type Plugin = RecordPlay;
    type Response = Stopped;
}

/// The reply to a [`List`]: `{"recordplay": "list", "list": […]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingList {
    recordplay: MustBe!("list"),
    /// The recordings.
    pub list: Vec<RecordingInfo>,
}

/// A recording in a [`RecordingList`]. Janus sends `audio`, `video` and `data` as
/// booleans (its documentation says file names).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingInfo {
    /// Its id.
    pub id: u64,
    /// Whether it is private (Janus 1.4 only).
    pub is_private: Option<bool>,
    /// Its name.
    pub name: String,
    /// When it was recorded (`YYYY-MM-DD HH:MM:SS`).
    pub date: String,
    /// It has audio.
    pub audio: bool,
    /// The audio codec.
    pub audio_codec: Option<String>,
    /// `true` when the audio has Opus RED.
    pub audio_red: Option<bool>,
    /// It has video.
    pub video: bool,
    /// The video codec.
    pub video_codec: Option<String>,
    /// It has data channel messages.
    pub data: bool,
}

/// The reply to an [`Update`]: `{"recordplay": "ok"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Success {
    recordplay: MustBe!("ok"),
}

/// The reply to a [`Configure`]: `{"recordplay": "configure", "status": "ok", "settings":
/// {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Configured {
    recordplay: MustBe!("configure"),
    /// `ok`.
    pub status: String,
    /// The settings now in force.
    pub settings: Settings,
}

/// The recording settings of a handle ([`Configured`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Settings {
    /// Seconds between keyframe requests (`0`: none).
    #[serde(rename = "video-keyframe-interval")]
    pub video_keyframe_interval: u32,
    /// The bitrate cap (`0`: none).
    #[serde(rename = "video-bitrate-max")]
    pub video_bitrate_max: u32,
}

/// The word of every RecordPlay event.
type EventWord = MustBe!("event");

/// A RecordPlay event: `{"recordplay": "event", "result": R}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusEvent<R> {
    recordplay: EventWord,
    /// The status and its details.
    pub result: R,
}

/// The outcome of a [`Record`]: `{"status": "recording", "id": …, "is_private": …}`.
pub type Recording = StatusEvent<RecordingResult>;

/// The `result` of a [`Recording`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordingResult {
    status: MustBe!("recording"),
    /// The recording's id.
    pub id: u64,
    /// Whether it is private (Janus 1.4 only).
    pub is_private: Option<bool>,
}

/// The outcome of a [`Play`]: `{"status": "preparing" | "restarting", "id": …}`, with
/// Janus's offer.
pub type Preparing = StatusEvent<PreparingResult>;

/// The `result` of a [`Preparing`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreparingResult {
    /// `preparing`, or `restarting` for an ICE restart.
    pub status: PlayoutStatus,
    /// The recording's id.
    pub id: u64,
    /// A broken file left out of the playout, e.g. `Broken video file, playing audio only`.
    pub warning: Option<String>,
}

/// The status of a [`PreparingResult`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlayoutStatus {
    /// A new playout.
    Preparing,
    /// An ICE restart of the playout.
    Restarting,
}

/// The outcome of a [`Start`]: `{"status": "playing"}`.
pub type Playing = StatusEvent<PlayingResult>;

/// The `result` of a [`Playing`] event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlayingResult {
    status: MustBe!("playing"),
}

/// The outcome of a [`Stop`]: `{"status": "stopped", "id": …, "is_private": …}` (id and
/// privacy only when a recording or playout was going on).
pub type Stopped = StatusEvent<StoppedResult>;

/// The `result` of a [`Stopped`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoppedResult {
    status: MustBe!("stopped"),
    /// The recording's id.
    pub id: Option<u64>,
    /// Whether it is private; Janus sends `0` or `1` here (Janus 1.4 only).
    pub is_private: Option<BoolOrNumber>,
}

/// The outcome of a [`Pause`] or [`Resume`]: `{"recordplay": "event", "result": {"status":
/// "paused" | "resumed", "id": …}}`, or `{"recordplay": "event"}` with no result when the
/// handle has neither a recording nor a playout (a playout prepared by [`Play`] gets the
/// `result` too, although nothing is written to pause).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PauseOutcome {
    recordplay: MustBe!("event"),
    /// The new state; `None` when there was no recording or playout.
    #[serde(default)]
    pub result: Option<PausedResult>,
}

/// The `result` of a [`PauseOutcome`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PausedResult {
    /// `paused` or `resumed`.
    pub status: PauseStatus,
    /// The recording's id.
    pub id: u64,
}

/// The status of a [`PausedResult`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PauseStatus {
    /// Writing is paused.
    Paused,
    /// Writing goes on.
    Resumed,
}

/// The PeerConnection is gone: the recording or playout is over.
pub type Done = StatusEvent<DoneResult>;

/// The `result` of a [`Done`] event: an object in Janus 1.4, the bare word in 1.1.2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum DoneResult {
    /// Janus 1.4: `{"status": "done", "id": …, "is_private": …}`.
    Status(DoneStatus),
    /// Janus 1.1.2: `"done"`.
    Word(DoneWordOnly),
}

/// The `result` of a Janus 1.4 [`Done`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DoneStatus {
    status: MustBe!("done"),
    /// The recording's id, when there was one.
    pub id: Option<u64>,
    /// Whether it is private; Janus sends `0` or `1` here.
    pub is_private: Option<BoolOrNumber>,
}

/// The bare `"done"` of a Janus 1.1.2 [`Done`] event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DoneWordOnly(MustBe!("done"));

/// Janus sees many NACKs: `{"status": "slow_link", "media": …, "current-bitrate": …,
/// "uplink": …}`.
pub type SlowLink = StatusEvent<SlowLinkResult>;

/// The `result` of a [`SlowLink`] event.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlowLinkResult {
    status: MustBe!("slow_link"),
    /// `audio` or `video`.
    pub media: String,
    /// The bitrate cap in force, for video.
    #[serde(rename = "current-bitrate")]
    pub current_bitrate: Option<u32>,
    /// From the peer's side: `1` when the media it sends suffers, `0` when the media it
    /// receives does.
    pub uplink: u8,
}

/// A flag Janus sends as a boolean in some events and as `0`/`1` in others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BoolOrNumber {
    /// `true` or `false`.
    Bool(bool),
    /// A number: non-zero is true.
    Number(i64),
}

impl BoolOrNumber {
    /// The flag.
    pub fn is_true(self) -> bool {
        match self {
            BoolOrNumber::Bool(flag) => flag,
            BoolOrNumber::Number(n) => n != 0,
        }
    }
}

/// A RecordPlay event as a handle sees it (its raw [`PluginData`] keeps every field).
/// Serializes back to its JSON; `Other` serializes as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// Recording started ([`Record`]).
    Recording(Recording),
    /// A playout is prepared ([`Play`]).
    Preparing(Preparing),
    /// A playout started ([`Start`]).
    Playing(Playing),
    /// Recording paused or resumed ([`Pause`], [`Resume`]).
    Paused(PauseOutcome),
    /// Stopped ([`Stop`]).
    Stopped(Stopped),
    /// The PeerConnection is gone: the recording or playout is over.
    Done(Done),
    /// Janus sees many NACKs on the PeerConnection.
    SlowLink(SlowLink),
    /// A RecordPlay event this model does not know, or one that does not decode; see the
    /// raw data.
    Other,
}

/// The keys that tell a RecordPlay event's kind.
#[derive(Deserialize)]
struct Probe {
    recordplay: Option<String>,
    result: Option<Value>,
    error_code: Option<Value>,
}

impl Event {
    /// The typed view of a RecordPlay event's plugin data: `Other` when it is not the
    /// RecordPlay plugin's, not known, or does not decode.
    ///
    /// ```
    /// use janus_proto::plugins::recordplay::Event;
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.recordplay","data":{"recordplay":"event","result":{"status":"done","id":42,"is_private":0}}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// assert!(matches!(Event::from_data(&plugindata), Event::Done(_)));
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(probe) = data.parse::<Probe>() else {
            return Event::Other;
        };
        if probe.recordplay.as_deref() != Some("event") || probe.error_code.is_some() {
            return Event::Other;
        }
        let status = match &probe.result {
            None => return data.parse().map(Event::Paused).unwrap_or(Event::Other),
            Some(Value::String(word)) => word.as_str(),
            Some(Value::Object(result)) => match result.get("status") {
                Some(Value::String(word)) => word.as_str(),
                _ => return Event::Other,
            },
            Some(_) => return Event::Other,
        };
        let decoded = match status {
            "recording" => data.parse().map(Event::Recording),
            "preparing" | "restarting" => data.parse().map(Event::Preparing),
            "playing" => data.parse().map(Event::Playing),
            "paused" | "resumed" => data.parse().map(Event::Paused),
            "stopped" => data.parse().map(Event::Stopped),
            "done" => data.parse().map(Event::Done),
            "slow_link" => data.parse().map(Event::SlowLink),
            _ => return Event::Other,
        };
        decoded.unwrap_or(Event::Other)
    }
}

error_codes! {
    /// RecordPlay's error codes (`error_code` of a plugin error).
    ///
    /// ```
    /// use janus_proto::plugins::recordplay::ErrorCode;
    /// assert_eq!(ErrorCode::from_code(416), ErrorCode::NotFound);
    /// assert_eq!(ErrorCode::NotFound.code(), 416);
    /// ```
    ErrorCode {
        /// 411: no message.
        NoMessage = 411,
        /// 412: the message is not valid JSON.
        InvalidJson = 412,
        /// 413: an unknown request.
        InvalidRequest = 413,
        /// 414: a field has the wrong type or value (or a `play` carried SDP).
        InvalidElement = 414,
        /// 415: a required field or SDP is missing.
        MissingElement = 415,
        /// 416: no such recording.
        NotFound = 416,
        /// 417: the recording's files could not be opened.
        InvalidRecording = 417,
        /// 418: not valid in the handle's state.
        InvalidState = 418,
        /// 419: the SDP could not be processed.
        InvalidSdp = 419,
        /// 420: a recording with that id exists.
        RecordingExists = 420,
        /// 440: wrong or missing admin key (Janus 1.4 only).
        Unauthorized = 440,
        /// 499: any other failure.
        UnknownError = 499,
    }
}

#[cfg(test)]
mod tests {
    use crate::plugins::testing::{outcome, plugin_data, sends};

    use serde_json::json;

    use super::*;

    use crate::error::{PluginError, RequestError};

    /// `data` decodes as the outcome of `M`, and encodes back to `data`.
    fn answers<M>(data: Value) -> M::Response
    where
        M: PluginRequest,
        M::Response: Serialize,
    {
        let typed = outcome::<M>(&data, None).expect("a typed outcome");
        assert_eq!(
            serde_json::to_value(&typed.value).expect("encodes"),
            data,
            "encodes back"
        );
        typed.value
    }

    #[test]
    fn every_request_encodes_as_janus_expects_and_decodes_back() {
        sends(List::default(), json!({"request": "list"}));
        sends(
            List::builder().admin_key("adm").build(),
            json!({"request": "list", "admin_key": "adm"}),
        );
        sends(
            Update::builder().admin_key("adm").build(),
            json!({"request": "update", "admin_key": "adm"}),
        );
        sends(
            Configure::builder()
                .video_bitrate_max(512_000)
                .video_keyframe_interval(15)
                .build(),
            json!({"request": "configure", "video-bitrate-max": 512000, "video-keyframe-interval": 15}),
        );
        sends(
            Record::builder()
                .name("My recording")
                .id(1234)
                .is_private(true)
                .filename("/tmp/rec")
                .audiocodec("opus")
                .videocodec("vp9")
                .videoprofile("2")
                .opusred(true)
                .textdata(false)
                .update(false)
                .jsep(Jsep::offer("v=0\r\n"))
                .build(),
            json!({
                "request": "record", "name": "My recording", "id": 1234, "is_private": true,
                "filename": "/tmp/rec", "audiocodec": "opus", "videocodec": "vp9",
                "videoprofile": "2", "opusred": true, "textdata": false, "update": false
            }),
        );
        sends(
            Play::builder().id(1234).restart(true).build(),
            json!({"request": "play", "id": 1234, "restart": true}),
        );
        sends(
            Start::builder().jsep(Jsep::answer("v=0\r\n")).build(),
            json!({"request": "start"}),
        );
        sends(Pause::default(), json!({"request": "pause"}));
        sends(Resume::default(), json!({"request": "resume"}));
        sends(Stop::default(), json!({"request": "stop"}));
        let debug = format!("{:?}", List::builder().admin_key("adm-key").build());
        assert!(!debug.contains("adm-key"), "{debug}");
    }

    #[test]
    fn the_synchronous_replies_are_typed() {
        let list = answers::<List>(json!({
            "recordplay": "list",
            "list": [
                {
                    "id": 1234, "is_private": false, "name": "rec", "date": "2024-01-01 10:00:00",
                    "audio": true, "audio_codec": "opus", "audio_red": true, "video": true,
                    "video_codec": "vp8", "data": false
                },
                {"id": 5, "name": "old", "date": "2014-10-14 17:11:26", "audio": true, "video": false, "data": false}
            ]
        }));
        assert_eq!(list.list[0].id, 1234);
        assert_eq!(list.list[0].is_private, Some(false));
        assert_eq!(list.list[0].audio_codec.as_deref(), Some("opus"));
        assert_eq!(list.list[0].audio_red, Some(true));
        assert_eq!(list.list[0].video_codec.as_deref(), Some("vp8"));
        assert!(list.list[0].audio && list.list[0].video && !list.list[0].data);
        assert_eq!(list.list[1].date, "2014-10-14 17:11:26");
        assert_eq!(list.list[1].is_private, None);
        answers::<Update>(json!({"recordplay": "ok"}));
        let configured = answers::<Configure>(json!({
            "recordplay": "configure", "status": "ok",
            "settings": {"video-keyframe-interval": 15, "video-bitrate-max": 512000}
        }));
        assert_eq!(configured.status, "ok");
        assert_eq!(configured.settings.video_keyframe_interval, 15);
        assert_eq!(configured.settings.video_bitrate_max, 512_000);
    }

    #[test]
    fn the_asynchronous_outcomes_are_typed() {
        let data = json!({"recordplay": "event", "result": {"status": "recording", "id": 1234, "is_private": true}});
        let typed = outcome::<Record>(&data, Some(Jsep::answer("v=0\r\n"))).expect("typed");
        assert_eq!(typed.value.result.id, 1234);
        assert_eq!(typed.value.result.is_private, Some(true));
        assert_eq!(typed.jsep, Some(Jsep::answer("v=0\r\n")));
        assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data));
        let recording = answers::<Record>(
            json!({"recordplay": "event", "result": {"status": "recording", "id": 7}}),
        );
        assert_eq!(recording.result.is_private, None);

        let preparing = answers::<Play>(json!({
            "recordplay": "event",
            "result": {"status": "preparing", "id": 1234, "warning": "Broken video file, playing audio only"}
        }));
        assert_eq!(preparing.result.status, PlayoutStatus::Preparing);
        assert_eq!(
            preparing.result.warning.as_deref(),
            Some("Broken video file, playing audio only")
        );
        let restarting = answers::<Play>(
            json!({"recordplay": "event", "result": {"status": "restarting", "id": 1234}}),
        );
        assert_eq!(restarting.result.status, PlayoutStatus::Restarting);
        answers::<Start>(json!({"recordplay": "event", "result": {"status": "playing"}}));

        let stopped = answers::<Stop>(json!({
            "recordplay": "event", "result": {"status": "stopped", "id": 1234, "is_private": 1}
        }));
        assert_eq!(stopped.result.id, Some(1234));
        assert_eq!(stopped.result.is_private, Some(BoolOrNumber::Number(1)));
        assert!(stopped.result.is_private.is_some_and(BoolOrNumber::is_true));
        let stopped =
            answers::<Stop>(json!({"recordplay": "event", "result": {"status": "stopped"}}));
        assert_eq!(stopped.result.id, None);

        let paused = answers::<Pause>(
            json!({"recordplay": "event", "result": {"status": "paused", "id": 1234}}),
        );
        assert_eq!(
            paused.result,
            Some(PausedResult {
                status: PauseStatus::Paused,
                id: 1234
            })
        );
        let resumed = answers::<Resume>(
            json!({"recordplay": "event", "result": {"status": "resumed", "id": 1234}}),
        );
        assert_eq!(resumed.result.map(|r| r.status), Some(PauseStatus::Resumed));
        let nothing = answers::<Pause>(json!({"recordplay": "event"}));
        assert_eq!(nothing.result, None);
    }

    #[test]
    fn a_reply_of_another_shape_is_an_unexpected_reply() {
        fn refused<M: PluginRequest>(data: Value) {
            assert!(
                matches!(
                    outcome::<M>(&data, None),
                    Err(RequestError::UnexpectedReply(_))
                ),
                "{data}"
            );
        }
        refused::<List>(json!({"recordplay": "list", "list": [{"id": 1, "name": "x"}]}));
        refused::<List>(json!({"recordplay": "ok"}));
        refused::<Update>(json!({"recordplay": "list", "list": []}));
        refused::<Configure>(json!({"recordplay": "configure", "status": "ok"}));
        refused::<Record>(json!({"recordplay": "event", "result": {"status": "playing"}}));
        refused::<Record>(json!({"recordplay": "event", "result": {"status": "recording"}}));
        refused::<Play>(json!({"recordplay": "event", "result": {"status": "recording", "id": 1}}));
        refused::<Start>(json!({"recordplay": "event", "result": {"status": "stopped"}}));
        refused::<Stop>(json!({"recordplay": "event", "result": {"status": "done"}}));
        refused::<Pause>(json!({"recordplay": "event", "result": {"status": "stopped"}}));
        refused::<Stop>(json!({"result": {"status": "stopped"}}));
    }

    #[test]
    fn every_event_has_its_typed_view_and_encodes_back() {
        let cases = [
            json!({"recordplay": "event", "result": {"status": "recording", "id": 1, "is_private": false}}),
            json!({"recordplay": "event", "result": {"status": "preparing", "id": 1}}),
            json!({"recordplay": "event", "result": {"status": "restarting", "id": 1}}),
            json!({"recordplay": "event", "result": {"status": "playing"}}),
            json!({"recordplay": "event", "result": {"status": "paused", "id": 1}}),
            json!({"recordplay": "event", "result": {"status": "resumed", "id": 1}}),
            json!({"recordplay": "event"}),
            json!({"recordplay": "event", "result": {"status": "stopped", "id": 1, "is_private": 0}}),
            json!({"recordplay": "event", "result": {"status": "done", "id": 1, "is_private": 0}}),
            json!({"recordplay": "event", "result": {"status": "done"}}),
            json!({"recordplay": "event", "result": "done"}),
            json!({"recordplay": "event", "result": {"status": "slow_link", "media": "video", "current-bitrate": 256000, "uplink": 1}}),
            json!({"recordplay": "event", "result": {"status": "slow_link", "media": "audio", "uplink": 0}}),
        ];
        for data in cases {
            let event = Event::from_data(&plugin_data(PACKAGE, &data));
            assert_ne!(event, Event::Other, "{data}");
            assert_eq!(
                serde_json::to_value(&event).ok(),
                Some(data.clone()),
                "{data}"
            );
        }
        let typed = |data: Value| Event::from_data(&plugin_data(PACKAGE, &data));
        assert!(matches!(
            typed(json!({"recordplay": "event", "result": "done"})),
            Event::Done(StatusEvent {
                result: DoneResult::Word(_),
                ..
            })
        ));
        match typed(
            json!({"recordplay": "event", "result": {"status": "done", "id": 3, "is_private": 1}}),
        ) {
            Event::Done(StatusEvent {
                result: DoneResult::Status(done),
                ..
            }) => {
                assert_eq!(done.id, Some(3));
                assert_eq!(done.is_private, Some(BoolOrNumber::Number(1)));
            }
            other => panic!("{other:?}"),
        }
        match typed(
            json!({"recordplay": "event", "result": {"status": "slow_link", "media": "video", "current-bitrate": 256000, "uplink": 1}}),
        ) {
            Event::SlowLink(slow) => {
                assert_eq!(slow.result.media, "video");
                assert_eq!(slow.result.current_bitrate, Some(256_000));
                assert_eq!(slow.result.uplink, 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            typed(json!({"recordplay": "event", "result": {"status": "recording", "id": 1}})),
            Event::Recording(_)
        ));
        assert!(matches!(
            typed(json!({"recordplay": "event", "result": {"status": "playing"}})),
            Event::Playing(_)
        ));
        assert!(matches!(
            typed(json!({"recordplay": "event", "result": {"status": "restarting", "id": 1}})),
            Event::Preparing(_)
        ));
        assert!(matches!(
            typed(json!({"recordplay": "event", "result": {"status": "stopped"}})),
            Event::Stopped(_)
        ));
        assert!(matches!(
            typed(json!({"recordplay": "event", "result": {"status": "paused", "id": 1}})),
            Event::Paused(_)
        ));
    }

    #[test]
    fn unknown_or_undecodable_events_are_other() {
        for data in [
            json!({"recordplay": "event", "result": {"status": "brand-new"}}),
            json!({"recordplay": "event", "result": {"id": 1}}),
            json!({"recordplay": "event", "result": "finished"}),
            json!({"recordplay": "event", "result": 3}),
            json!({"recordplay": "event", "result": {"status": "recording"}}),
            json!({"recordplay": "event", "result": {"status": "slow_link", "media": "video"}}),
            json!({"recordplay": "list", "list": []}),
            json!({"recordplay": "event", "error_code": 416, "error": "No such recording"}),
            json!("done"),
        ] {
            assert_eq!(
                Event::from_data(&plugin_data(PACKAGE, &data)),
                Event::Other,
                "{data}"
            );
        }
        let foreign = plugin_data(
            "janus.plugin.streaming",
            &json!({"recordplay": "event", "result": "done"}),
        );
        assert_eq!(Event::from_data(&foreign), Event::Other);
        assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
    }

    #[test]
    fn error_codes_map_both_ways() {
        let codes = [
            (411, ErrorCode::NoMessage),
            (412, ErrorCode::InvalidJson),
            (413, ErrorCode::InvalidRequest),
            (414, ErrorCode::InvalidElement),
            (415, ErrorCode::MissingElement),
            (416, ErrorCode::NotFound),
            (417, ErrorCode::InvalidRecording),
            (418, ErrorCode::InvalidState),
            (419, ErrorCode::InvalidSdp),
            (420, ErrorCode::RecordingExists),
            (440, ErrorCode::Unauthorized),
            (499, ErrorCode::UnknownError),
        ];
        for (code, typed) in codes {
            assert_eq!(ErrorCode::from_code(code), typed);
            assert_eq!(typed.code(), code);
        }
        assert_eq!(ErrorCode::from_code(450), ErrorCode::Other(450));
        assert_eq!(ErrorCode::Other(450).code(), 450);
        let error = |plugin: &str| PluginError {
            plugin: plugin.into(),
            code: 416,
            reason: "No such recording".into(),
            data: plugin_data(plugin, &json!({"recordplay": "event", "error_code": 416})),
        };
        assert_eq!(
            RecordPlay::error_of(&error(PACKAGE)),
            Some(ErrorCode::NotFound)
        );
        assert_eq!(RecordPlay::error_of(&error("janus.plugin.streaming")), None);
    }
}
