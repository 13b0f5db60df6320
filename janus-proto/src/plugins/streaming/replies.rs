//! The Streaming plugin's replies and events.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{MediaType, MountpointKind, Status, PACKAGE};
use crate::plugins::Id;
use crate::secret::Secret;
use crate::wire::PluginData;
use monostate::MustBe;

/// The reply to a [`List`](super::List): `{"streaming": "list", "list": […]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountpointList {
    streaming: MustBe!("list"),
    /// The (public, or all with the admin key) mountpoints.
    pub list: Vec<MountpointSummary>,
}

/// A mountpoint in a [`MountpointList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountpointSummary {
    /// Its id.
    pub id: Id,
    /// `live` or `on demand`.
    #[serde(rename = "type")]
    pub kind: MountpointKind,
    /// Its description.
    pub description: Option<String>,
    /// Its metadata.
    pub metadata: Option<String>,
    /// Whether it can be watched.
    pub enabled: bool,
    /// Its streams (RTP and RTSP mountpoints only): mid, type, label, msid and `age_ms`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaInfo>,
}

/// The reply to an [`Info`](super::Info): `{"streaming": "info", "info": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InfoReply {
    streaming: MustBe!("info"),
    /// The mountpoint.
    pub info: MountpointInfo,
}

/// A mountpoint's details. The fields marked "admin" are there only when the request
/// carried the mountpoint's secret, or the mountpoint has none.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountpointInfo {
    /// Its id.
    pub id: Id,
    /// Its name (admin).
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its metadata.
    pub metadata: Option<String>,
    /// Its secret (admin).
    pub secret: Option<Secret>,
    /// Its PIN (admin).
    pub pin: Option<Secret>,
    /// `true` when private (admin; absent when public).
    pub is_private: Option<bool>,
    /// Whether it can be watched.
    pub enabled: bool,
    /// The number of viewers (admin).
    pub viewers: Option<u64>,
    /// `live` or `on demand`.
    #[serde(rename = "type")]
    pub kind: MountpointKind,
    /// The file streamed (file mountpoints; admin).
    pub filename: Option<String>,
    /// `true` for an RTSP mountpoint.
    pub rtsp: Option<bool>,
    /// The RTSP URL (admin).
    pub url: Option<String>,
    /// The RTSP user (admin).
    pub rtsp_user: Option<String>,
    /// The RTSP password (admin).
    pub rtsp_pwd: Option<Secret>,
    /// `true` when the RTSP quirk is on (admin).
    pub rtsp_quirk: Option<bool>,
    /// `true` when the RTP source is SRTP.
    pub srtp: Option<bool>,
    /// The SSRC collision window in milliseconds, when set.
    pub collision: Option<u32>,
    /// Keyframe buffering in milliseconds, when set (Janus 1.4 only).
    pub bufferkf_ms: Option<u16>,
    /// Keyframe buffering in bytes, when set (Janus 1.4 only).
    pub bufferkf_bytes: Option<u32>,
    /// Helper threads, when any.
    pub threads: Option<u32>,
    /// The address the last stream listens on (admin).
    pub host: Option<String>,
    /// Its streams.
    #[serde(default)]
    pub media: Vec<MediaInfo>,
}

/// A stream of a mountpoint, in a [`MountpointSummary`] or a [`MountpointInfo`]. A list
/// entry carries only `mid`, `type`, `label`, `msid` and `age_ms`; a file mountpoint's one
/// stream has no mid.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaInfo {
    /// `audio`, `video` or `data`.
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// Its mid.
    pub mid: Option<String>,
    /// Its m-line index (info only).
    pub mindex: Option<u32>,
    /// Its label.
    pub label: Option<String>,
    /// Its `msid` (`"<stream> <track>"`), when configured.
    pub msid: Option<String>,
    /// Milliseconds since media last arrived, for streams bound to a port.
    pub age_ms: Option<u64>,
    /// Payload type, when configured.
    pub pt: Option<u8>,
    /// Codec name, when configured.
    pub codec: Option<String>,
    /// SDP `rtpmap`, when a codec is configured.
    pub rtpmap: Option<String>,
    /// SDP `fmtp`, when configured.
    pub fmtp: Option<String>,
    /// `true` for simulcast video.
    pub videosimulcast: Option<bool>,
    /// `true` for VP9 SVC video.
    pub videosvc: Option<bool>,
    /// `true` when keyframes are buffered (Janus 1.1.2 only).
    pub videobufferkf: Option<bool>,
    /// `true` with skew compensation.
    pub skew_compensation: Option<bool>,
    /// The port (admin).
    pub port: Option<u16>,
    /// The RTCP port (admin).
    pub rtcpport: Option<u16>,
    /// The second simulcast port (admin).
    pub port2: Option<u16>,
    /// The third simulcast port (admin).
    pub port3: Option<u16>,
    /// `text` or `binary`, for data streams (Janus 1.4 only).
    pub datatype: Option<String>,
    /// The base path of the recording in progress (admin).
    pub recording: Option<String>,
}

/// The reply to a [`Create`](super::Create): `{"streaming": "created", "created": "<name>",
/// "permanent": …, "stream": {…}}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Created {
    streaming: MustBe!("created"),
    /// The mountpoint's name.
    pub created: String,
    /// Whether it was saved to the configuration file.
    pub permanent: bool,
    /// The mountpoint.
    pub stream: CreatedMountpoint,
    /// `deprecated_api` when it was created with the deprecated single-stream fields.
    pub warning: Option<String>,
}

/// The mountpoint of a [`Created`] reply, with the ports Janus bound for an `rtp` one.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedMountpoint {
    /// Its id.
    pub id: Id,
    /// `live` or `on demand`.
    #[serde(rename = "type")]
    pub kind: MountpointKind,
    /// Its description.
    pub description: Option<String>,
    /// Whether it is private.
    pub is_private: bool,
    /// The address the last stream bound (Janus 1.1.2 only; 1.4 has it per stream in
    /// [`ports`](Self::ports)).
    pub host: Option<String>,
    /// The streams' ports (`rtp` mountpoints created with `media`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<CreatedPorts>,
    /// Deprecated shape: the audio address.
    pub audio_host: Option<String>,
    /// Deprecated shape: the audio port.
    pub audio_port: Option<u16>,
    /// Deprecated shape: the audio RTCP port.
    pub audio_rtcp_port: Option<u16>,
    /// Deprecated shape: the video address.
    pub video_host: Option<String>,
    /// Deprecated shape: the video port.
    pub video_port: Option<u16>,
    /// Deprecated shape: the video RTCP port.
    pub video_rtcp_port: Option<u16>,
    /// Deprecated shape: the second simulcast video port.
    pub video_port_2: Option<u16>,
    /// Deprecated shape: the third simulcast video port.
    pub video_port_3: Option<u16>,
    /// Deprecated shape: the data address.
    pub data_host: Option<String>,
    /// Deprecated shape: the data port.
    pub data_port: Option<u16>,
}

/// The ports of one stream of a new `rtp` mountpoint.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedPorts {
    /// `audio`, `video` or `data`.
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// Its mid.
    pub mid: String,
    /// Its `msid`, when configured.
    pub msid: Option<String>,
    /// The address bound (Janus 1.4 only).
    pub host: Option<String>,
    /// The port bound.
    pub port: Option<u16>,
    /// The RTCP port bound.
    pub rtcp_port: Option<u16>,
    /// The second simulcast port bound.
    pub port_2: Option<u16>,
    /// The third simulcast port bound.
    pub port_3: Option<u16>,
}

/// The reply to an [`Edit`](super::Edit): `{"streaming": "edited", "id": …, "permanent":
/// …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Edited {
    streaming: MustBe!("edited"),
    /// The mountpoint.
    pub id: Id,
    /// Whether the change was saved to the configuration file.
    pub permanent: bool,
}

/// The reply to a [`Destroy`](super::Destroy): `{"streaming": "destroyed", "destroyed":
/// <id>}` (the plugin's documentation says `id`; its code sends `destroyed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Destroyed {
    streaming: MustBe!("destroyed"),
    /// The mountpoint destroyed.
    pub destroyed: Id,
}

/// The reply to a [`KickAll`](super::KickAll): `{"streaming": "kicked_all"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KickedAll {
    streaming: MustBe!("kicked_all"),
}

/// The reply to [`Recording`](super::Recording), [`Enable`](super::Enable) and
/// [`Disable`](super::Disable): `{"streaming": "ok"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Success {
    streaming: MustBe!("ok"),
}

/// A viewer's status event: `{"streaming": "event", "result": {"status": …}}`. The outcome
/// of [`Watch`](super::Watch), [`Start`](super::Start), [`Pause`](super::Pause) and
/// [`Stop`](super::Stop), and an [`Event::Status`] when it answers no request (`started`,
/// `stopped`, `kicked_all`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusEvent {
    streaming: MustBe!("event"),
    /// The status.
    pub result: StatusResult,
}

impl StatusEvent {
    /// The status word.
    pub fn status(&self) -> &Status {
        &self.result.status
    }
}

/// The `result` of a [`StatusEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusResult {
    /// The status word.
    pub status: Status,
}

/// The outcome of a [`Configure`](super::Configure): `{"streaming": "event", "result":
/// {"event": "configured"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Configured {
    streaming: MustBe!("event"),
    /// `{"event": "configured"}`.
    pub result: ConfiguredResult,
}

/// The `result` of a [`Configured`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfiguredResult {
    event: MustBe!("configured"),
}

/// The outcome of a [`Switch`](super::Switch): `{"streaming": "event", "result":
/// {"switched": "ok", "id": …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Switched {
    streaming: MustBe!("event"),
    /// The new mountpoint.
    pub result: SwitchedResult,
}

/// The `result` of a [`Switched`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SwitchedResult {
    /// `ok`.
    pub switched: String,
    /// The mountpoint now watched.
    pub id: Id,
}

/// A simulcast or SVC layer now received: `{"streaming": "event", "result": {"mid": …,
/// "substream" | "temporal" | "spatial_layer" | "temporal_layer": …}}`. Sent when the layer
/// asked for with [`Watch`](super::Watch) or [`Configure`](super::Configure) is reached
/// (then without `mid` when it was already the one received).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LayersEvent {
    streaming: MustBe!("event"),
    /// The layers.
    pub result: Layers,
}

/// The `result` of a [`LayersEvent`]: one or two of the layer fields are set.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Layers {
    /// The stream.
    pub mid: Option<String>,
    /// Simulcast substream.
    pub substream: Option<u8>,
    /// Simulcast temporal layer.
    pub temporal: Option<u8>,
    /// SVC spatial layer.
    pub spatial_layer: Option<u8>,
    /// SVC temporal layer.
    pub temporal_layer: Option<u8>,
}

/// A mountpoint's metadata changed ([`Edit`](super::Edit) with `edited_event`): `{"event":
/// "edited", "id": …, "metadata": …}`, with no `"streaming"` key.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountpointEdited {
    event: MustBe!("edited"),
    /// The mountpoint.
    pub id: Id,
    /// Its new metadata (absent when removed).
    pub metadata: Option<String>,
}

/// An RTSP mountpoint's source went away: `{"event": "rtsp-disconnected", "id": …}`, with no
/// `"streaming"` key (Janus 1.4 only, with `rtsp_notify_changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtspDisconnected {
    event: MustBe!("rtsp-disconnected"),
    /// The mountpoint.
    pub id: Id,
}

/// An RTSP mountpoint's source is back: `{"event": "rtsp-reconnected", "id": …}` (Janus 1.4
/// only, with `rtsp_notify_changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtspReconnected {
    event: MustBe!("rtsp-reconnected"),
    /// The mountpoint.
    pub id: Id,
}

/// A Streaming event as a viewer's handle sees it (its raw [`PluginData`] keeps every
/// field). Serializes back to its JSON; `Other` serializes as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Event {
    /// A status (`preparing`, `starting`, `started`, `pausing`, `stopping`, `stopped`,
    /// `updating`, `idle`, `kicked_all`).
    Status(StatusEvent),
    /// A [`Configure`](super::Configure) was applied.
    Configured(Configured),
    /// A [`Switch`](super::Switch) was applied.
    Switched(Switched),
    /// A simulcast or SVC layer is now received.
    Layers(LayersEvent),
    /// The mountpoint's metadata changed.
    Edited(MountpointEdited),
    /// The RTSP source went away (Janus 1.4 only).
    RtspDisconnected(RtspDisconnected),
    /// The RTSP source is back (Janus 1.4 only).
    RtspReconnected(RtspReconnected),
    /// A Streaming event this model does not know, or one that does not decode; see the
    /// raw data.
    Other,
}

/// The keys that tell a Streaming event's kind.
#[derive(Deserialize)]
struct Probe {
    streaming: Option<String>,
    event: Option<String>,
    result: Option<Map<String, Value>>,
}

impl Event {
    /// The typed view of a Streaming event's plugin data: `Other` when it is not the
    /// Streaming plugin's, not known, or does not decode.
    ///
    /// ```
    /// use janus_proto::plugins::streaming::{Event, Status};
    /// use janus_proto::wire::ServerMessage;
    ///
    /// let frame = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.streaming","data":{"streaming":"event","result":{"status":"started"}}}}"#;
    /// let ServerMessage::Event { plugindata, .. } = ServerMessage::decode(frame.as_bytes()).unwrap() else {
    ///     panic!("an event");
    /// };
    /// match Event::from_data(&plugindata) {
    ///     Event::Status(status) => assert_eq!(status.status(), &Status::Started),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn from_data(data: &PluginData) -> Event {
        if data.plugin != PACKAGE {
            return Event::Other;
        }
        let Ok(probe) = data.parse::<Probe>() else {
            return Event::Other;
        };
        let decoded = match (
            probe.streaming.as_deref(),
            probe.event.as_deref(),
            &probe.result,
        ) {
            (Some("event"), _, Some(result)) if result.contains_key("status") => {
                data.parse().map(Event::Status)
            }
            (Some("event"), _, Some(result)) if result.contains_key("switched") => {
                data.parse().map(Event::Switched)
            }
            (Some("event"), _, Some(result)) if result.contains_key("event") => {
                data.parse().map(Event::Configured)
            }
            (Some("event"), _, Some(result))
                if ["substream", "temporal", "spatial_layer", "temporal_layer"]
                    .iter()
                    .any(|key| result.contains_key(*key)) =>
            {
                data.parse().map(Event::Layers)
            }
            (None, Some("edited"), _) => data.parse().map(Event::Edited),
            (None, Some("rtsp-disconnected"), _) => data.parse().map(Event::RtspDisconnected),
            (None, Some("rtsp-reconnected"), _) => data.parse().map(Event::RtspReconnected),
            _ => return Event::Other,
        };
        decoded.unwrap_or(Event::Other)
    }
}
