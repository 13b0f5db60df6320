//! Publishers: joining a room as a participant, publishing, configuring, unpublishing and
//! leaving. All asynchronous: the outcome is the plugin's event carrying the request's
//! transaction.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Attendee, PtypePublisher, Publisher, PublisherStream, StreamDescription, VideoRoom};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use crate::wire::Jsep;
use monostate::MustBe;

/// `join` with `ptype: "publisher"`: joins a room as a participant (asynchronous), without
/// publishing yet. Its outcome is [`Joined`]. The participant gets the room's
/// notifications on this handle from then on.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "join")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct JoinPublisher {
    /// Always `publisher`.
    #[builder(skip)]
    pub ptype: PtypePublisher,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The participant's id; `None`: Janus picks one.
    #[builder(into)]
    pub id: Option<Id>,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata, a JSON object (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// The room's PIN, if it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// A token of the room's ACL (or a signed token, in rooms that require them).
    #[builder(into)]
    pub token: Option<Secret>,
    /// Overrides the room's `audio_active_packets` for this participant.
    pub audio_active_packets: Option<u32>,
    /// Overrides the room's `audio_level_average` for this participant.
    pub audio_level_average: Option<u32>,
}

impl PluginRequest for JoinPublisher {
    type Plugin = VideoRoom;
    type Response = Joined;
}

/// `joinandconfigure`: joins a room as a publisher and publishes at once (asynchronous).
/// Its outcome is [`Joined`], with Janus's SDP answer when an offer went with it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "joinandconfigure")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct JoinAndConfigure {
    /// Always `publisher`.
    #[builder(skip)]
    pub ptype: PtypePublisher,
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The participant's id; `None`: Janus picks one.
    #[builder(into)]
    pub id: Option<Id>,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata, a JSON object (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// The room's PIN, if it has one.
    #[builder(into)]
    pub pin: Option<Secret>,
    /// A token of the room's ACL (or a signed token, in rooms that require them).
    #[builder(into)]
    pub token: Option<Secret>,
    /// Overrides the room's `audio_active_packets` for this participant.
    pub audio_active_packets: Option<u32>,
    /// Overrides the room's `audio_level_average` for this participant.
    pub audio_level_average: Option<u32>,
    /// Audio codec to prefer among the negotiated ones (must be allowed in the room).
    pub audiocodec: Option<String>,
    /// Video codec to prefer among the negotiated ones (must be allowed in the room).
    pub videocodec: Option<String>,
    /// Bitrate cap (REMB), overriding the room's.
    pub bitrate: Option<u32>,
    /// Record this publisher.
    pub record: Option<bool>,
    /// Base path of its recordings.
    pub filename: Option<String>,
    /// Text descriptions of the streams, by mid.
    pub descriptions: Option<Vec<StreamDescription>>,
    /// The offer to publish.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for JoinAndConfigure {
    type Plugin = VideoRoom;
    type Response = Joined;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `{"videoroom": "joined", ...}`: the answer to [`JoinPublisher`] and
/// [`JoinAndConfigure`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Joined {
    #[serde(rename = "videoroom")]
    word: MustBe!("joined"),
    /// The room.
    pub room: Id,
    /// The room's name.
    pub description: String,
    /// The participant's id.
    pub id: Id,
    /// Its private id, for the `private_id` of its subscriptions.
    pub private_id: u32,
    /// The active publishers.
    pub publishers: Vec<Publisher>,
    /// The other participants not publishing (rooms with `notify_joining` only).
    pub attendees: Option<Vec<Attendee>>,
    /// The participant's `audio_active_packets` override, if set.
    pub audio_active_packets: Option<u32>,
    /// The participant's `audio_level_average` override, if set.
    pub audio_level_average: Option<u32>,
    /// With an offer ([`JoinAndConfigure`]): the audio codec in use.
    pub audio_codec: Option<String>,
    /// With an offer ([`JoinAndConfigure`]): the video codec in use.
    pub video_codec: Option<String>,
    /// With an offer ([`JoinAndConfigure`]): the participant's own streams.
    pub streams: Option<Vec<PublisherStream>>,
}

/// `publish`: publishes a new PeerConnection (asynchronous); it must come with an SDP
/// offer, and fails when already publishing. Its outcome is [`Configured`], with Janus's
/// answer. The room learns of the new feed ([`Publishers`](super::Publishers)) once the
/// PeerConnection is up.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "publish")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct Publish {
    /// Audio codec to prefer among the negotiated ones (must be allowed in the room).
    pub audiocodec: Option<String>,
    /// Video codec to prefer among the negotiated ones (must be allowed in the room).
    pub videocodec: Option<String>,
    /// Bitrate cap (REMB), overriding the room's.
    pub bitrate: Option<u32>,
    /// Record this publisher.
    pub record: Option<bool>,
    /// Base path of its recordings.
    pub filename: Option<String>,
    /// The room's secret: needed to change `record` or `filename` in a room with
    /// `lock_record` (without it the recording settings are left as they are).
    #[builder(into)]
    pub secret: Option<Secret>,
    /// A display name for the room.
    pub display: Option<String>,
    /// Metadata, a JSON object (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// Overrides the room's `audio_active_packets` for this participant.
    pub audio_active_packets: Option<u32>,
    /// Overrides the room's `audio_level_average` for this participant.
    pub audio_level_average: Option<u32>,
    /// Text descriptions of the streams, by mid.
    pub descriptions: Option<Vec<StreamDescription>>,
    /// The offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for Publish {
    type Plugin = VideoRoom;
    type Response = Configured;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// `configure` on a publisher handle: changes a publisher's settings, or renegotiates with
/// an offer (asynchronous; it can also be used instead of [`Publish`]). Its outcome is
/// [`Configured`], with Janus's answer when an offer went with it. A new display name or
/// new metadata is told to the room ([`DisplayChanged`](super::DisplayChanged),
/// [`MetadataChanged`](super::MetadataChanged)).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "configure")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct ConfigurePublisher {
    /// Bitrate cap (REMB), overriding the room's (unless the room caps it).
    pub bitrate: Option<u32>,
    /// Ask every video stream for a keyframe.
    pub keyframe: Option<bool>,
    /// Record this publisher.
    pub record: Option<bool>,
    /// Base path of its recordings.
    pub filename: Option<String>,
    /// The room's secret: needed to change `record` or `filename` in a room with
    /// `lock_record`.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// A new display name.
    pub display: Option<String>,
    /// New metadata, a JSON object (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// Overrides the room's `audio_active_packets` for this participant.
    pub audio_active_packets: Option<u32>,
    /// Overrides the room's `audio_level_average` for this participant.
    pub audio_level_average: Option<u32>,
    /// Per-stream changes.
    pub streams: Option<Vec<PublisherStreamConfig>>,
    /// New text descriptions of the streams, by mid.
    pub descriptions: Option<Vec<StreamDescription>>,
    /// With an offer: audio codec to prefer.
    pub audiocodec: Option<String>,
    /// With an offer: video codec to prefer.
    pub videocodec: Option<String>,
    /// Deprecated (use `streams` with `send`): relay the audio or not.
    pub audio: Option<bool>,
    /// Deprecated (use `streams` with `send`): relay the video or not.
    pub video: Option<bool>,
    /// Deprecated (use `streams` with `send`): relay the data or not.
    pub data: Option<bool>,
    /// A renegotiation offer.
    #[serde(skip)]
    pub jsep: Option<Jsep>,
}

impl PluginRequest for ConfigurePublisher {
    type Plugin = VideoRoom;
    type Response = Configured;

    fn take_jsep(&mut self) -> Option<Jsep> {
        self.jsep.take()
    }
}

/// A change to one of a publisher's streams, in [`ConfigurePublisher::streams`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct PublisherStreamConfig {
    /// The mid of the stream (required when there is more than one entry; `None`: every
    /// stream).
    pub mid: Option<String>,
    /// Ask for a keyframe.
    pub keyframe: Option<bool>,
    /// Relay the stream or not.
    pub send: Option<bool>,
    /// Minimum playout delay (playout-delay extension), in blocks of 10 ms; negative:
    /// disable.
    pub min_delay: Option<i16>,
    /// Maximum playout delay, in blocks of 10 ms; negative: disable.
    pub max_delay: Option<i16>,
}

/// `{"videoroom": "event", "configured": "ok", ...}`: the answer to [`Publish`],
/// [`ConfigurePublisher`] and [`ConfigureSubscriber`](super::ConfigureSubscriber).
/// With an offer, Janus adds the codecs and the publisher's own streams (the description
/// a remote instance needs, see [`AddRemotePublisher`](super::AddRemotePublisher)).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Configured {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub configured: String,
    /// With an offer: the audio codec in use.
    pub audio_codec: Option<String>,
    /// With an offer: the video codec in use.
    pub video_codec: Option<String>,
    /// With an offer: the publisher's own streams.
    pub streams: Option<Vec<PublisherStream>>,
}

/// `unpublish`: stops publishing, tearing the PeerConnection down (asynchronous). Its
/// outcome is [`UnpublishedOk`]; the room gets an [`Unpublished`](super::Unpublished)
/// event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "unpublish")]
#[non_exhaustive]
pub struct Unpublish {}

impl Unpublish {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for Unpublish {
    type Plugin = VideoRoom;
    type Response = UnpublishedOk;
}

/// `{"videoroom": "event", "unpublished": "ok"}`: the answer to [`Unpublish`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnpublishedOk {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub unpublished: String,
}

/// `leave` on a publisher handle: leaves the room, unpublishing first (asynchronous). Its
/// outcome is [`LeavingOk`]; the room gets a [`Leaving`](super::Leaving) event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename = "leave")]
#[non_exhaustive]
pub struct LeavePublisher {}

impl LeavePublisher {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl PluginRequest for LeavePublisher {
    type Plugin = VideoRoom;
    type Response = LeavingOk;
}

/// `{"videoroom": "event", "leaving": "ok", ...}`: the answer to [`LeavePublisher`], and
/// the event a participant gets when kicked ([`Kick`](super::Kick); `reason: "kicked"`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeavingOk {
    #[serde(rename = "videoroom")]
    word: MustBe!("event"),
    /// The room.
    pub room: Option<Id>,
    /// `ok`.
    pub leaving: String,
    /// `kicked` when a moderator kicked the participant.
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plugins::videoroom::testing::{assert_rejects, assert_request, round_trip};
    use crate::plugins::videoroom::MediaType;

    fn descriptions() -> Vec<StreamDescription> {
        vec![
            StreamDescription::builder()
                .mid("0")
                .description("Mic")
                .build(),
            StreamDescription::builder()
                .mid("1")
                .description("Webcam")
                .build(),
        ]
    }

    #[test]
    fn join_as_publisher() {
        let join = JoinPublisher::builder()
            .room(1234u64)
            .id(5678u64)
            .display("Alice")
            .metadata(json!({"role": "host"}))
            .pin("1111")
            .token("token-a")
            .audio_active_packets(50)
            .audio_level_average(30)
            .build();
        assert_request(
            join,
            json!({
                "request": "join", "ptype": "publisher", "room": 1234, "id": 5678,
                "display": "Alice", "metadata": {"role": "host"}, "pin": "1111",
                "token": "token-a", "audio_active_packets": 50, "audio_level_average": 30
            }),
            None,
        );
        assert_request(
            JoinPublisher::builder().room("room-a").build(),
            json!({"request": "join", "ptype": "publisher", "room": "room-a"}),
            None,
        );
        // A subscriber's join is not a publisher's.
        assert!(serde_json::from_value::<JoinPublisher>(
            json!({"request": "join", "ptype": "subscriber", "room": 1})
        )
        .is_err());
    }

    #[test]
    fn joinandconfigure_carries_the_offer() {
        let offer = Jsep::offer("v=0\r\n");
        let join = JoinAndConfigure::builder()
            .room(1234u64)
            .display("Alice")
            .audiocodec("opus")
            .videocodec("vp8")
            .bitrate(512_000)
            .record(true)
            .filename("/tmp/alice")
            .descriptions(descriptions())
            .jsep(offer.clone())
            .build();
        assert_request(
            join,
            json!({
                "request": "joinandconfigure", "ptype": "publisher", "room": 1234,
                "display": "Alice", "audiocodec": "opus", "videocodec": "vp8",
                "bitrate": 512000, "record": true, "filename": "/tmp/alice",
                "descriptions": [{"mid": "0", "description": "Mic"}, {"mid": "1", "description": "Webcam"}]
            }),
            Some(offer),
        );
    }

    #[test]
    fn joined_lists_publishers_and_attendees() {
        let joined: Joined = round_trip(
            r#"{"videoroom":"joined","room":1234,"description":"Demo Room","id":5678,"private_id":4113762326,
                "publishers":[{"id":1111,"display":"Bob","audio_codec":"opus","video_codec":"vp8",
                  "streams":[{"type":"audio","mindex":0,"mid":"0","codec":"opus","talking":false},
                             {"type":"video","mindex":1,"mid":"1","codec":"vp8","simulcast":true}],
                  "talking":false}],
                "attendees":[{"id":2222,"display":"Carol","metadata":{"x":1}}],
                "audio_active_packets":50,"audio_level_average":30}"#,
        );
        assert_eq!(joined.room, Id::from(1234));
        assert_eq!(joined.description, "Demo Room");
        assert_eq!(joined.id, Id::from(5678));
        assert_eq!(joined.private_id, 4_113_762_326);
        let [bob] = &joined.publishers[..] else {
            panic!("one publisher");
        };
        assert_eq!(bob.id, Id::from(1111));
        assert_eq!(bob.streams.len(), 2);
        let Some([carol]) = joined.attendees.as_deref() else {
            panic!("one attendee");
        };
        assert_eq!(carol.id, Id::from(2222));
        assert_eq!(carol.display.as_deref(), Some("Carol"));
        assert_eq!(carol.metadata, Some(json!({"x": 1})));
        assert_eq!(
            (joined.audio_active_packets, joined.audio_level_average),
            (Some(50), Some(30))
        );
        assert_eq!(joined.streams, None);

        let configured: Joined = round_trip(
            r#"{"videoroom":"joined","room":1234,"description":"Demo Room","id":5678,"private_id":1,
                "publishers":[],"audio_codec":"opus","video_codec":"vp8",
                "streams":[{"type":"audio","mindex":0,"mid":"0","codec":"opus","audiolevel_ext_id":1}]}"#,
        );
        assert_eq!(configured.audio_codec.as_deref(), Some("opus"));
        assert_eq!(configured.video_codec.as_deref(), Some("vp8"));
        let Some([own]) = configured.streams.as_deref() else {
            panic!("one own stream");
        };
        assert_eq!(
            (own.kind, own.audiolevel_ext_id),
            (MediaType::Audio, Some(1))
        );
        assert_rejects::<Joined>(
            r#"{"videoroom":"joined","room":1234,"description":"Demo Room","id":5678,"publishers":[]}"#,
        );
    }

    #[test]
    fn publish_and_configure() {
        let offer = Jsep::offer("v=0\r\n");
        assert_request(
            Publish::builder()
                .audiocodec("opus")
                .videocodec("h264")
                .bitrate(256_000)
                .record(true)
                .filename("/tmp/alice")
                .secret("adminpwd")
                .display("Alice")
                .metadata(json!({"k": "v"}))
                .audio_active_packets(50)
                .audio_level_average(30)
                .descriptions(descriptions())
                .jsep(offer.clone())
                .build(),
            json!({
                "request": "publish", "audiocodec": "opus", "videocodec": "h264",
                "bitrate": 256000, "record": true, "filename": "/tmp/alice",
                "secret": "adminpwd", "display": "Alice", "metadata": {"k": "v"},
                "audio_active_packets": 50, "audio_level_average": 30,
                "descriptions": [{"mid": "0", "description": "Mic"}, {"mid": "1", "description": "Webcam"}]
            }),
            Some(offer.clone()),
        );
        assert_request(
            ConfigurePublisher::builder()
                .bitrate(128_000)
                .keyframe(true)
                .record(false)
                .filename("/tmp/a")
                .secret("adminpwd")
                .display("Alice B.")
                .metadata(json!({"k": "w"}))
                .audio_active_packets(60)
                .audio_level_average(20)
                .streams(vec![
                    PublisherStreamConfig::builder()
                        .mid("0")
                        .send(false)
                        .build(),
                    PublisherStreamConfig::builder()
                        .mid("1")
                        .keyframe(true)
                        .min_delay(0)
                        .max_delay(-1)
                        .build(),
                ])
                .descriptions(descriptions())
                .audiocodec("opus")
                .videocodec("vp8")
                .audio(true)
                .video(true)
                .data(false)
                .jsep(offer.clone())
                .build(),
            json!({
                "request": "configure", "bitrate": 128000, "keyframe": true, "record": false,
                "filename": "/tmp/a", "secret": "adminpwd", "display": "Alice B.",
                "metadata": {"k": "w"}, "audio_active_packets": 60, "audio_level_average": 20,
                "streams": [
                    {"mid": "0", "send": false},
                    {"mid": "1", "keyframe": true, "min_delay": 0, "max_delay": -1}
                ],
                "descriptions": [{"mid": "0", "description": "Mic"}, {"mid": "1", "description": "Webcam"}],
                "audiocodec": "opus", "videocodec": "vp8", "audio": true, "video": true,
                "data": false
            }),
            Some(offer),
        );
        assert_request(
            ConfigurePublisher::default(),
            json!({"request": "configure"}),
            None,
        );
    }

    #[test]
    fn configured_with_and_without_an_offer() {
        let plain: Configured =
            round_trip(r#"{"videoroom":"event","room":1234,"configured":"ok"}"#);
        assert_eq!(
            (plain.room, plain.configured.as_str()),
            (Some(Id::from(1234)), "ok")
        );
        assert_eq!(plain.streams, None);
        let with_offer: Configured = round_trip(
            r#"{"videoroom":"event","room":1234,"configured":"ok","audio_codec":"opus","video_codec":"vp8",
                "streams":[{"type":"video","mindex":1,"mid":"1","codec":"vp8","videoorient_ext_id":13,"playoutdelay_ext_id":6}]}"#,
        );
        assert_eq!(with_offer.audio_codec.as_deref(), Some("opus"));
        assert_eq!(with_offer.video_codec.as_deref(), Some("vp8"));
        let Some([video]) = with_offer.streams.as_deref() else {
            panic!("one stream");
        };
        assert_eq!(
            (video.videoorient_ext_id, video.playoutdelay_ext_id),
            (Some(13), Some(6))
        );
        assert_rejects::<Configured>(r#"{"videoroom":"event","room":1234,"started":"ok"}"#);
    }

    #[test]
    fn unpublish_and_leave() {
        assert_request(Unpublish::new(), json!({"request": "unpublish"}), None);
        let unpublished: UnpublishedOk =
            round_trip(r#"{"videoroom":"event","room":1234,"unpublished":"ok"}"#);
        assert_eq!(unpublished.unpublished, "ok");
        assert_eq!(unpublished.room, Some(Id::from(1234)));
        assert_rejects::<UnpublishedOk>(r#"{"videoroom":"event","room":1234}"#);

        assert_request(LeavePublisher::new(), json!({"request": "leave"}), None);
        let leaving: LeavingOk = round_trip(r#"{"videoroom":"event","room":1234,"leaving":"ok"}"#);
        assert_eq!((leaving.leaving.as_str(), leaving.reason), ("ok", None));
        let kicked: LeavingOk =
            round_trip(r#"{"videoroom":"event","room":1234,"leaving":"ok","reason":"kicked"}"#);
        assert_eq!(kicked.reason.as_deref(), Some("kicked"));
        assert_rejects::<LeavingOk>(r#"{"videoroom":"event","room":1234,"left":"ok"}"#);
    }
}
