//! The Streaming plugin's requests.

use serde::{Deserialize, Serialize};

use super::{
    Configured, Created, Destroyed, Edited, InfoReply, KickedAll, MediaType, MountpointList,
    StatusEvent, Streaming, Success, Switched,
};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use crate::wire::Jsep;

/// `list`: the mountpoints (synchronous). Private mountpoints are left out unless the
/// plugin's `admin_key` is given. Its outcome is a [`MountpointList`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "list")]
#[non_exhaustive]
pub struct List {
    /// The plugin's `admin_key`: with the right one, private mountpoints are listed too
    /// (a wrong one fails with [`ErrorCode::Unauthorized`](super::ErrorCode::Unauthorized)).
    /// When the plugin has no `admin_key` configured, Janus ignores it and never lists
    /// private mountpoints.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for List {
    type Plugin = Streaming;
    type Response = MountpointList;
}

/// `info`: one mountpoint's details (synchronous). With the mountpoint's secret (or when it
/// has none) the reply also carries its secret, PIN, name, ports, filename, recordings and
/// viewer count. Its outcome is an [`InfoReply`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "info")]
#[non_exhaustive]
pub struct Info {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// The mountpoint's secret, for the full details.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for Info {
    type Plugin = Streaming;
    type Response = InfoReply;
}

/// `create`: a new mountpoint (synchronous). The fields common to every mountpoint are
/// here; what depends on its type (`rtp`, `live`, `ondemand`, `rtsp`) is its [`Source`].
/// Its outcome is [`Created`]. With an `admin_key` configured in the plugin, only requests
/// carrying it succeed.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "create")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Create {
    /// The plugin's `admin_key`, required when the plugin has one.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// The mountpoint id; `None`: Janus picks one.
    #[builder(into)]
    pub id: Option<Id>,
    /// A unique name; `None`: Janus uses the id.
    pub name: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// Free-form metadata (a string, e.g. JSON text) given to viewers in [`List`] and
    /// [`Info`].
    pub metadata: Option<String>,
    /// Leave it out of [`List`] (default `false`).
    pub is_private: Option<bool>,
    /// The secret needed to edit, destroy, record, enable or disable it.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The PIN viewers need to [`Watch`] it.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// Save it to the plugin's configuration file (default `false`).
    pub permanent: Option<bool>,
    /// The mountpoint's type and its type's settings.
    #[serde(flatten)]
    pub source: Source,
}

impl PluginRequest for Create {
    type Plugin = Streaming;
    type Response = Created;
}

/// The type of a mountpoint to [`Create`] (its `"type"` field) and the settings of that
/// type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum Source {
    /// `rtp`: media an outside tool (GStreamer, FFmpeg, another Janus…) sends as RTP.
    #[serde(rename = "rtp")]
    Rtp(RtpSource),
    /// `live`: an audio file played to all viewers at once.
    #[serde(rename = "live")]
    Live(FileSource),
    /// `ondemand`: an audio file played to each viewer from its start.
    #[serde(rename = "ondemand")]
    OnDemand(FileSource),
    /// `rtsp`: media pulled from an RTSP server (Janus built with libcurl).
    #[serde(rename = "rtsp")]
    Rtsp(RtspSource),
}

/// The settings of an `rtp` mountpoint. Its streams are listed in [`media`](Self::media)
/// (the way of Janus 1.x); the `audio*`, `video*` and `data*` fields are the deprecated
/// single-audio, single-video, single-data way, used only when `media` is absent (Janus
/// answers it with `"warning": "deprecated_api"` and the ports in the old shape).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RtpSource {
    /// The streams, in m-line order (an empty list is refused).
    pub media: Option<Vec<RtpMedia>>,
    /// Milliseconds a new SSRC must wait before it replaces the current one on a port
    /// (`0`: disabled).
    pub collision: Option<u32>,
    /// Milliseconds of packets to keep from each keyframe, for new viewers (Janus 1.4 only).
    pub bufferkf_ms: Option<u16>,
    /// Bytes of packets to keep from each keyframe, for new viewers (Janus 1.4 only).
    pub bufferkf_bytes: Option<u32>,
    /// Helper threads relaying to viewers (default `0`).
    pub threads: Option<u32>,
    /// SRTP suite of the incoming stream: `32` or `80`.
    pub srtpsuite: Option<u8>,
    /// SRTP key of the incoming stream (base64, as SDES carries it).
    #[builder(into)]
    pub srtpcrypto: Option<Secret>,
    /// The media is end-to-end encrypted (Insertable Streams).
    pub e2ee: Option<bool>,
    /// Negotiate the playout-delay extension, so viewers may [`Configure`] delays.
    pub playoutdelay_ext: Option<bool>,
    /// Extension id (1–14) of abs-capture-time in the incoming RTP, to relay it (Janus 1.4
    /// only).
    pub abscapturetime_src_ext_id: Option<u8>,
    /// Data streams relay `text` (default) or `binary` messages. Janus reads it here, at
    /// the top level, even for [`RtpMedia`] entries of type `data` (Janus 1.1.2 and 1.4.1), and for
    /// the deprecated single data stream.
    pub datatype: Option<String>,
    /// Data streams keep their last message for new viewers. Janus reads it here, at the
    /// top level, for [`RtpMedia`] entries of type `data` (Janus 1.1.2 and 1.4.1).
    pub buffermsg: Option<bool>,
    /// Deprecated: stream one audio stream (configured with the `audio*` fields).
    pub audio: Option<bool>,
    /// Deprecated: stream one video stream (configured with the `video*` fields).
    pub video: Option<bool>,
    /// Deprecated: relay one data stream (configured with the `data*` fields).
    pub data: Option<bool>,
    /// Deprecated: audio port (`0`: Janus picks one); required with `audio`.
    pub audioport: Option<u16>,
    /// Deprecated: audio RTCP port.
    pub audiortcpport: Option<u16>,
    /// Deprecated: audio multicast group.
    pub audiomcast: Option<String>,
    /// Deprecated: audio interface or address to bind to.
    pub audioiface: Option<String>,
    /// Deprecated: audio payload type; required with `audio`.
    pub audiopt: Option<u8>,
    /// Deprecated: audio codec name (e.g. `opus`).
    pub audiocodec: Option<String>,
    /// Deprecated twice: audio `rtpmap` (e.g. `opus/48000/2`), read when `audiocodec` is absent.
    pub audiortpmap: Option<String>,
    /// Deprecated: audio `fmtp`.
    pub audiofmtp: Option<String>,
    /// Deprecated: audio skew compensation.
    pub audioskew: Option<bool>,
    /// Deprecated: video port (`0`: Janus picks one); required with `video`.
    pub videoport: Option<u16>,
    /// Deprecated: second video port (simulcast).
    pub videoport2: Option<u16>,
    /// Deprecated: third video port (simulcast).
    pub videoport3: Option<u16>,
    /// Deprecated: video RTCP port.
    pub videortcpport: Option<u16>,
    /// Deprecated: video multicast group.
    pub videomcast: Option<String>,
    /// Deprecated: video interface or address to bind to.
    pub videoiface: Option<String>,
    /// Deprecated: video payload type; required with `video`.
    pub videopt: Option<u8>,
    /// Deprecated: video codec name (e.g. `vp8`).
    pub videocodec: Option<String>,
    /// Deprecated twice: video `rtpmap`, read when `videocodec` is absent.
    pub videortpmap: Option<String>,
    /// Deprecated: video `fmtp`.
    pub videofmtp: Option<String>,
    /// Deprecated: video simulcast (three ports).
    pub videosimulcast: Option<bool>,
    /// Deprecated: VP9 SVC video.
    pub videosvc: Option<bool>,
    /// Deprecated: video skew compensation.
    pub videoskew: Option<bool>,
    /// Deprecated: keep the last keyframe for new viewers (Janus 1.1.2; 1.4 ignores it in
    /// favour of `bufferkf_ms` and `bufferkf_bytes`).
    pub videobufferkf: Option<bool>,
    /// Deprecated: H.264 `sprop-parameter-sets` to inject as SPS/PPS (Janus 1.4 only).
    pub h264sps: Option<String>,
    /// Deprecated: data port (`0`: Janus picks one); required with `data`.
    pub dataport: Option<u16>,
    /// Deprecated: data multicast group.
    pub datamcast: Option<String>,
    /// Deprecated: data interface or address to bind to.
    pub dataiface: Option<String>,
    /// Deprecated: keep the last data message for new viewers.
    pub databuffermsg: Option<bool>,
}

/// One stream of an `rtp` mountpoint ([`RtpSource::media`]).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RtpMedia {
    /// `audio`, `video` or `data`.
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// Its unique mid in the viewers' SDP.
    pub mid: String,
    /// Its label (default: its type).
    pub label: Option<String>,
    /// Its `msid` in the SDP.
    pub msid: Option<String>,
    /// The port to receive it on (`0`: Janus picks one from its range).
    pub port: u16,
    /// The port to receive and send RTCP on.
    pub rtcpport: Option<u16>,
    /// Multicast group to join.
    pub mcast: Option<String>,
    /// Interface or address to bind to.
    pub iface: Option<String>,
    /// RTP payload type (audio and video).
    pub pt: Option<u8>,
    /// Codec name, e.g. `opus`, `vp8` (audio and video).
    pub codec: Option<String>,
    /// Deprecated: `rtpmap`, read when `codec` is absent.
    pub rtpmap: Option<String>,
    /// Codec `fmtp` (audio and video).
    pub fmtp: Option<String>,
    /// Skew compensation (experimental).
    pub skew: Option<bool>,
    /// Video simulcast: `port`, `port2` and `port3` carry the three substreams.
    pub simulcast: Option<bool>,
    /// Second simulcast port.
    pub port2: Option<u16>,
    /// Third simulcast port.
    pub port3: Option<u16>,
    /// VP9 SVC video.
    pub svc: Option<bool>,
    /// H.264 `sprop-parameter-sets` to inject as SPS/PPS (Janus 1.4 only; Janus does not
    /// type-check it).
    pub h264sps: Option<String>,
    /// Deprecated: keep the last keyframe for new viewers (Janus 1.1.2; 1.4 uses
    /// [`RtpSource::bufferkf_ms`] and [`RtpSource::bufferkf_bytes`] instead).
    pub bufferkf: Option<bool>,
    /// Data: `text` or `binary`. Janus 1.4 checks its type here but, on `create`, reads
    /// the value from [`RtpSource::datatype`].
    pub datatype: Option<String>,
    /// Data: keep the last message for new viewers. Janus checks its type here but, on
    /// `create`, reads the value from [`RtpSource::buffermsg`].
    pub buffermsg: Option<bool>,
}

/// The settings of a `live` or `ondemand` mountpoint: an audio file (`.opus`, `.alaw`,
/// `.mulaw`) with no relative path in it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct FileSource {
    /// The file's path.
    pub filename: String,
    /// Must be `true` (Janus only streams audio files, and refuses the mountpoint
    /// otherwise): the default.
    #[builder(default = true)]
    pub audio: bool,
    /// Must not be `true`.
    pub video: Option<bool>,
    /// The payload type.
    pub audiopt: Option<u8>,
    /// The codec name (`opus`, `pcma`, `pcmu`).
    pub audiocodec: Option<String>,
    /// Deprecated: `rtpmap`, read when `audiocodec` is absent.
    pub audiortpmap: Option<String>,
    /// The `fmtp`.
    pub audiofmtp: Option<String>,
}

/// The settings of an `rtsp` mountpoint (one audio and/or one video stream).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RtspSource {
    /// The RTSP URL.
    pub url: Option<String>,
    /// The RTSP user name.
    pub rtsp_user: Option<String>,
    /// The RTSP password.
    #[builder(into)]
    pub rtsp_pwd: Option<Secret>,
    /// Retry `DESCRIBE` with the path only when the full URL gets a 404.
    pub rtsp_quirk: Option<bool>,
    /// Fail the `create` when the RTSP server cannot be reached (default `true`).
    pub rtsp_failcheck: Option<bool>,
    /// Interface or address to receive the RTSP media on.
    pub rtspiface: Option<String>,
    /// Seconds without media before reconnecting (default 5).
    pub rtsp_reconnect_delay: Option<u64>,
    /// Seconds of the RTSP session timeout to use instead of the server's (default 0: the
    /// server's).
    pub rtsp_session_timeout: Option<u64>,
    /// cURL timeout in seconds (default 10).
    pub rtsp_timeout: Option<u64>,
    /// cURL connection timeout in seconds (default 5).
    pub rtsp_conn_timeout: Option<u64>,
    /// Tell viewers when the RTSP source disconnects and reconnects
    /// ([`Event::RtspDisconnected`](super::Event::RtspDisconnected),
    /// [`Event::RtspReconnected`](super::Event::RtspReconnected); Janus 1.4 only).
    pub rtsp_notify_changes: Option<bool>,
    /// Take the audio stream (one of `audio` and `video` is required).
    pub audio: Option<bool>,
    /// Audio payload type to use towards viewers.
    pub audiopt: Option<u8>,
    /// Audio codec name.
    pub audiocodec: Option<String>,
    /// Deprecated: audio `rtpmap`, read when `audiocodec` is absent.
    pub audiortpmap: Option<String>,
    /// Audio `fmtp`.
    pub audiofmtp: Option<String>,
    /// Take the video stream.
    pub video: Option<bool>,
    /// Video payload type to use towards viewers.
    pub videopt: Option<u8>,
    /// Video codec name.
    pub videocodec: Option<String>,
    /// Deprecated: video `rtpmap`, read when `videocodec` is absent.
    pub videortpmap: Option<String>,
    /// Video `fmtp`.
    pub videofmtp: Option<String>,
    /// Deprecated: keep the last keyframe for new viewers (Janus 1.1.2; 1.4 ignores it).
    pub videobufferkf: Option<bool>,
    /// Milliseconds of packets to keep from each keyframe (Janus 1.4 only).
    pub bufferkf_ms: Option<u16>,
    /// Bytes of packets to keep from each keyframe (Janus 1.4 only).
    pub bufferkf_bytes: Option<u32>,
    /// Helper threads relaying to viewers.
    pub threads: Option<u32>,
}

/// `edit`: change a mountpoint's description, metadata, secret, PIN or privacy
/// (synchronous). Its outcome is [`Edited`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "edit")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Edit {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// A new description (an empty one is ignored).
    pub new_description: Option<String>,
    /// New metadata.
    pub new_metadata: Option<String>,
    /// A new secret (an empty one is ignored).
    #[builder(into)]
    pub new_secret: Option<Secret>,
    /// A new PIN; an empty one removes the PIN.
    #[builder(into)]
    pub new_pin: Option<Secret>,
    /// Whether it is now private.
    pub new_is_private: Option<bool>,
    /// Save the change to the configuration file (default `false`).
    pub permanent: Option<bool>,
    /// Tell the viewers when the metadata changed ([`MountpointEdited`](super::MountpointEdited);
    /// default `false`).
    pub edited_event: Option<bool>,
}

impl PluginRequest for Edit {
    type Plugin = Streaming;
    type Response = Edited;
}

/// `destroy`: remove a mountpoint (synchronous). Its viewers get a `stopped` status and
/// their PeerConnections are closed. Its outcome is [`Destroyed`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "destroy")]
#[non_exhaustive]
pub struct Destroy {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Remove it from the configuration file too (default `false`).
    pub permanent: Option<bool>,
}

impl PluginRequest for Destroy {
    type Plugin = Streaming;
    type Response = Destroyed;
}

/// Whether a [`Recording`] starts or stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordingAction {
    /// `start`.
    Start,
    /// `stop`.
    Stop,
}

/// `recording`: start or stop recording streams of a live RTP mountpoint to `.mjr` files
/// (synchronous). Its outcome is [`Success`].
///
/// Name the streams in [`media`](Self::media). The deprecated `audio`, `video` and `data`
/// fields, read only when `media` is absent, are base file names when starting and
/// booleans when stopping: [`LegacyRecording`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "recording")]
#[non_exhaustive]
pub struct Recording {
    /// `start` or `stop`.
    pub action: RecordingAction,
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The streams to start (with a file name each) or stop.
    pub media: Option<Vec<RecordingMedia>>,
    /// Deprecated: the audio stream.
    pub audio: Option<LegacyRecording>,
    /// Deprecated: the video stream.
    pub video: Option<LegacyRecording>,
    /// Deprecated: the data stream.
    pub data: Option<LegacyRecording>,
}

impl PluginRequest for Recording {
    type Plugin = Streaming;
    type Response = Success;
}

/// One stream of a [`Recording`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RecordingMedia {
    /// The stream's mid.
    pub mid: String,
    /// When starting (required then): the base path of the recording (Janus adds `.mjr`).
    pub filename: Option<String>,
}

/// A deprecated per-type field of a [`Recording`]: a base file name when starting, a flag
/// when stopping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LegacyRecording {
    /// When starting: the base path of the recording.
    Filename(String),
    /// When stopping: whether to stop this type's stream.
    Stop(bool),
}

/// `enable`: make a disabled mountpoint watchable again (synchronous). Its outcome is
/// [`Success`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "enable")]
#[non_exhaustive]
pub struct Enable {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for Enable {
    type Plugin = Streaming;
    type Response = Success;
}

/// `disable`: keep a mountpoint but refuse new viewers (synchronous). Its outcome is
/// [`Success`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "disable")]
#[non_exhaustive]
pub struct Disable {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// Stop its recordings too (default `true`).
    ///
    /// Beware: with `true` (or absent), Janus 1.1.2 and 1.4.1 crash (a NULL recorder
    /// dereferenced while logging at level 4 or more) when any stream of an `rtp` mountpoint
    /// is not being recorded. Send `false` unless every stream is recording.
    pub stop_recording: Option<bool>,
}

impl PluginRequest for Disable {
    type Plugin = Streaming;
    type Response = Success;
}

/// `kick_all`: kick every viewer out of a mountpoint, closing their PeerConnections
/// (synchronous; not for on-demand mountpoints). Each viewer gets a `kicked_all` status.
/// Its outcome is [`KickedAll`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "kick_all")]
#[non_exhaustive]
pub struct KickAll {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for KickAll {
    type Plugin = Streaming;
    type Response = KickedAll;
}

/// `watch`: subscribe to a mountpoint (asynchronous). Its outcome is a [`StatusEvent`]:
///
/// - without SDP: `preparing` with Janus's offer in [`Typed::jsep`](crate::plugins::Typed),
///   which the viewer answers with [`Start`]; with `restart` (ICE restart) or on a started
///   viewer (renegotiation), `updating` or `preparing` with a new offer;
/// - with the viewer's offer in [`jsep`](Self::jsep) (the WHEP way; Janus 1.4 only; 1.1.2
///   ignores the offer and makes its own): `starting` with Janus's answer. Janus then
///   ignores `media` and the `offer_*` fields and matches the offer's m-lines with the
///   mountpoint's streams by type and codec.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "watch")]
#[non_exhaustive]
pub struct Watch {
    /// The mountpoint.
    #[builder(into)]
    pub id: Id,
    /// Its PIN, if it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// The mids of the streams to receive; `None` or empty: all of them.
    pub media: Option<Vec<String>>,
    /// An ICE restart of the current subscription: Janus sends a new offer (`updating`).
    pub restart: Option<bool>,
    /// Deprecated: offer audio (default `true` when the mountpoint has audio); read only
    /// when `media` is absent.
    pub offer_audio: Option<bool>,
    /// Deprecated: offer video, as `offer_audio`.
    pub offer_video: Option<bool>,
    /// Deprecated: offer datachannels, as `offer_audio`.
    pub offer_data: Option<bool>,
    /// Simulcast: the substream to receive (0–2; default 2).
    pub substream: Option<u8>,
    /// Simulcast: the temporal layer to receive (0–2; default 2).
    pub temporal: Option<u8>,
    /// Simulcast: microseconds without packets before dropping to a lower substream.
    pub fallback: Option<u64>,
    /// SVC: the spatial layer to receive (default 2).
    pub spatial_layer: Option<u8>,
    /// SVC: the temporal layer to receive (default 2).
    pub temporal_layer: Option<u8>,
    /// The viewer's own offer (Janus 1.4 only).
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Watch {
    type Plugin = Streaming;
    type Response = StatusEvent;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `start` (asynchronous): with the viewer's answer to Janus's offer, completes a
/// [`Watch`]; without SDP, resumes a paused viewer. Its outcome is a [`StatusEvent`]:
/// `starting`, or `started` when the PeerConnection is already up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "start")]
#[non_exhaustive]
pub struct Start {
    /// The viewer's answer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Start {
    type Plugin = Streaming;
    type Response = StatusEvent;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `pause`: stop relaying to this viewer, keeping the PeerConnection (asynchronous). Its
/// outcome is a [`StatusEvent`] `pausing`; [`Start`] resumes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "pause")]
#[non_exhaustive]
pub struct Pause {}

impl PluginRequest for Pause {
    type Plugin = Streaming;
    type Response = StatusEvent;
}

/// `configure`: change what this viewer receives (asynchronous). Its outcome is
/// [`Configured`]; simulcast and SVC changes are then told by [`Event::Layers`](super::Event::Layers).
///
/// Per stream in [`streams`](Self::streams) (Janus 1.4 only), or for one stream (`mid`) or
/// all of them with the top-level fields (the Janus 1.1.2 way, still read by 1.4 when
/// `streams` is absent). The deprecated `audio`, `video` and `data` fields are left out:
/// Janus checks them as strings but reads them as booleans, so no value works.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "configure")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Configure {
    /// The changes, stream by stream (Janus 1.4 only; each needs a `mid` when there are
    /// several).
    pub streams: Option<Vec<ConfigureStream>>,
    /// Without `streams`: the stream to change; `None`: all of them.
    pub mid: Option<String>,
    /// Without `streams`: relay the stream(s) or not.
    pub send: Option<bool>,
    /// Without `streams`: the simulcast substream (0–2).
    pub substream: Option<u8>,
    /// Without `streams`: the simulcast temporal layer (0–2).
    pub temporal: Option<u8>,
    /// Without `streams`: simulcast fallback in microseconds.
    pub fallback: Option<u64>,
    /// Without `streams`: the SVC spatial layer (0–2).
    pub spatial_layer: Option<u8>,
    /// Without `streams`: the SVC temporal layer (0–2).
    pub temporal_layer: Option<u8>,
    /// Without `streams`: minimum playout delay (tens of ms; negative: unset).
    pub min_delay: Option<i64>,
    /// Without `streams`: maximum playout delay (tens of ms; negative: unset).
    pub max_delay: Option<i64>,
}

impl PluginRequest for Configure {
    type Plugin = Streaming;
    type Response = Configured;
}

/// The changes to one stream in a [`Configure`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct ConfigureStream {
    /// The stream's mid.
    pub mid: Option<String>,
    /// Relay it or not.
    pub send: Option<bool>,
    /// Simulcast substream (0–2).
    pub substream: Option<u8>,
    /// Simulcast temporal layer (0–2).
    pub temporal: Option<u8>,
    /// Simulcast fallback in microseconds (default 250000).
    pub fallback: Option<u64>,
    /// SVC spatial layer (0–2).
    pub spatial_layer: Option<u8>,
    /// SVC temporal layer (0–2).
    pub temporal_layer: Option<u8>,
    /// Minimum playout delay (tens of ms; negative: unset), when the mountpoint negotiates
    /// the playout-delay extension.
    pub min_delay: Option<i64>,
    /// Maximum playout delay (tens of ms; negative: unset).
    pub max_delay: Option<i64>,
}

/// `switch`: move this viewer to another live RTP mountpoint with the same media, keeping
/// the PeerConnection (asynchronous). Its outcome is [`Switched`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "switch")]
#[non_exhaustive]
pub struct Switch {
    /// The mountpoint to switch to.
    #[builder(into)]
    pub id: Id,
}

impl PluginRequest for Switch {
    type Plugin = Streaming;
    type Response = Switched;
}

/// `stop`: end this viewer's subscription and close its PeerConnection (asynchronous). Its
/// outcome is a [`StatusEvent`] `stopping`, or `idle` when there was nothing to stop (Janus
/// 1.4; Janus 1.1.2 sends no answer then, so the request ends at its deadline).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop")]
#[non_exhaustive]
pub struct Stop {}

impl PluginRequest for Stop {
    type Plugin = Streaming;
    type Response = StatusEvent;
}
