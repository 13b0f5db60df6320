//! The stream descriptions the VideoRoom shares between requests, replies and events: a
//! publisher and its streams, and the streams of a subscription.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plugins::Id;

/// The media of a stream (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    /// An audio stream.
    Audio,
    /// A video stream.
    Video,
    /// Data channels.
    Data,
}

/// A stream of a publisher: an entry of a [`Publisher`]'s `streams` (in [`Joined`] and
/// [`Publishers`]), of the `streams` a publisher gets back in [`Configured`] or
/// [`Joined`] about its own PeerConnection, and of the `streams` of
/// [`AddRemotePublisher`] and [`UpdateRemotePublisher`] (which take what the source
/// instance returned in `configured`).
///
/// [`Joined`]: super::Joined
/// [`Publishers`]: super::Publishers
/// [`Configured`]: super::Configured
/// [`AddRemotePublisher`]: super::AddRemotePublisher
/// [`UpdateRemotePublisher`]: super::UpdateRemotePublisher
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct PublisherStream {
    /// Audio, video or data (`type`).
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// The m-line index.
    pub mindex: u32,
    /// The mid.
    pub mid: String,
    /// The stream is inactive (then codec, description and the rest are absent).
    pub disabled: Option<bool>,
    /// Its text description (set with `descriptions` in [`Publish`](super::Publish) and
    /// [`ConfigurePublisher`](super::ConfigurePublisher)).
    pub description: Option<String>,
    /// The codec, e.g. `opus`, `vp8`.
    pub codec: Option<String>,
    /// Opus in stereo.
    pub stereo: Option<bool>,
    /// Opus with inband FEC.
    pub fec: Option<bool>,
    /// Opus with DTX.
    pub dtx: Option<bool>,
    /// The negotiated H.264 profile.
    pub h264_profile: Option<String>,
    /// The negotiated VP9 profile.
    pub vp9_profile: Option<String>,
    /// The video is simulcast.
    pub simulcast: Option<bool>,
    /// The video uses SVC (VP9, AV1).
    pub svc: Option<bool>,
    /// A moderator muted it ([`Moderate`](super::Moderate)); events only.
    pub moderated: Option<bool>,
    /// There is audio activity (rooms with audio levels; in [`Joined`](super::Joined)).
    pub talking: Option<bool>,
    /// The id of the audio-level RTP extension, if in use (own streams and remote
    /// publishers).
    pub audiolevel_ext_id: Option<u8>,
    /// The id of the video-orientation RTP extension, if in use (own streams and remote
    /// publishers).
    pub videoorient_ext_id: Option<u8>,
    /// The id of the playout-delay RTP extension, if in use (own streams and remote
    /// publishers).
    pub playoutdelay_ext_id: Option<u8>,
}

/// A publisher of the room, with its streams: an entry of `publishers` in
/// [`Joined`](super::Joined) and [`Publishers`](super::Publishers).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Publisher {
    /// The publisher's id.
    pub id: Id,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// It is the room's dummy publisher (placeholder streams).
    pub dummy: Option<bool>,
    /// The codec of its first audio stream (kept by Janus for backwards compatibility).
    pub audio_codec: Option<String>,
    /// The codec of its first video stream (kept by Janus for backwards compatibility).
    pub video_codec: Option<String>,
    /// Its streams.
    pub streams: Vec<PublisherStream>,
    /// Whether it is talking (rooms with audio levels; deprecated by Janus for the
    /// streams' `talking`).
    pub talking: Option<bool>,
}

/// A text description of a published stream, in `descriptions` of
/// [`Publish`](super::Publish), [`ConfigurePublisher`](super::ConfigurePublisher) and
/// [`JoinAndConfigure`](super::JoinAndConfigure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct StreamDescription {
    /// The mid of the stream.
    pub mid: String,
    /// Its description, e.g. `My front webcam`.
    pub description: String,
}

/// A stream of a subscription: an entry of `streams` in [`Attached`](super::Attached),
/// [`Updated`](super::Updated) and [`Switched`](super::Switched).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriberStream {
    /// Audio, video or data (`type`).
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// It has a source (data streams always do).
    pub active: Option<bool>,
    /// Its m-line index in the subscription.
    pub mindex: u32,
    /// Its mid in the subscription.
    pub mid: String,
    /// The `crossrefid` given when subscribing.
    pub crossrefid: Option<String>,
    /// Ready to send media (`false` at first).
    pub ready: bool,
    /// Media is relayed (see `send` in [`ConfigureSubscriber`](super::ConfigureSubscriber)).
    pub send: bool,
    /// Data streams: how many publishers' data channels it carries.
    pub sources: Option<u32>,
    /// Data streams: the ids of those publishers.
    pub source_ids: Option<Vec<Id>>,
    /// The publisher the stream comes from.
    pub feed_id: Option<Id>,
    /// That publisher's display name.
    pub feed_display: Option<String>,
    /// That publisher's metadata (Janus 1.3.0 and later).
    pub feed_metadata: Option<Value>,
    /// The mid of the publisher's stream.
    pub feed_mid: Option<String>,
    /// The description of the publisher's stream.
    pub feed_description: Option<String>,
    /// The codec.
    pub codec: Option<String>,
    /// The H.264 profile (`h264-profile`).
    #[serde(rename = "h264-profile")]
    pub h264_profile: Option<String>,
    /// The VP9 profile (`vp9-profile`).
    #[serde(rename = "vp9-profile")]
    pub vp9_profile: Option<String>,
    /// The playout-delay extension's settings, if in use (`playout-delay`).
    #[serde(rename = "playout-delay")]
    pub playout_delay: Option<PlayoutDelay>,
    /// The simulcast state, if the source is simulcast.
    pub simulcast: Option<SimulcastState>,
    /// The SVC state, if the source uses SVC.
    pub svc: Option<SvcState>,
}

/// The playout-delay settings of a subscriber stream, in blocks of 10 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlayoutDelay {
    /// Minimum delay (`min-delay`).
    #[serde(rename = "min-delay")]
    pub min_delay: i32,
    /// Maximum delay (`max-delay`).
    #[serde(rename = "max-delay")]
    pub max_delay: i32,
}

/// The simulcast state of a subscriber stream.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimulcastState {
    /// The substream relayed.
    pub substream: i32,
    /// The substream asked for (`substream-target`).
    #[serde(rename = "substream-target")]
    pub substream_target: i32,
    /// The temporal layer relayed (`temporal-layer`).
    #[serde(rename = "temporal-layer")]
    pub temporal_layer: i32,
    /// The temporal layer asked for (`temporal-layer-target`).
    #[serde(rename = "temporal-layer-target")]
    pub temporal_layer_target: i32,
    /// Microseconds without packets before dropping to a lower substream, if set.
    pub fallback: Option<u64>,
}

/// The SVC state of a subscriber stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SvcState {
    /// The spatial layer relayed (`spatial-layer`).
    #[serde(rename = "spatial-layer")]
    pub spatial_layer: i32,
    /// The spatial layer asked for (`target-spatial-layer`).
    #[serde(rename = "target-spatial-layer")]
    pub target_spatial_layer: i32,
    /// The temporal layer relayed (`temporal-layer`).
    #[serde(rename = "temporal-layer")]
    pub temporal_layer: i32,
    /// The temporal layer asked for (`target-temporal-layer`).
    #[serde(rename = "target-temporal-layer")]
    pub target_temporal_layer: i32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::videoroom::testing::{assert_rejects, round_trip};

    #[test]
    fn a_publisher_and_its_streams_decode_and_encode_back() {
        let publisher: Publisher = round_trip(
            r#"{"id":5678,"display":"Bob","metadata":{"role":"speaker"},"dummy":true,
                "audio_codec":"opus","video_codec":"vp8","talking":false,
                "streams":[
                  {"type":"audio","mindex":0,"mid":"0","codec":"opus","stereo":true,"fec":true,"dtx":true,"talking":false},
                  {"type":"video","mindex":1,"mid":"1","codec":"h264","h264_profile":"42e01f","simulcast":true,"svc":false,"moderated":true,"description":"Webcam"},
                  {"type":"video","mindex":2,"mid":"2","codec":"vp9","vp9_profile":"2"},
                  {"type":"data","mindex":3,"mid":"3","disabled":true}
                ]}"#,
        );
        assert_eq!(publisher.id, Id::from(5678));
        assert_eq!(publisher.display.as_deref(), Some("Bob"));
        assert_eq!(
            publisher.metadata,
            Some(serde_json::json!({"role": "speaker"}))
        );
        assert_eq!(publisher.dummy, Some(true));
        assert_eq!(publisher.audio_codec.as_deref(), Some("opus"));
        assert_eq!(publisher.video_codec.as_deref(), Some("vp8"));
        assert_eq!(publisher.talking, Some(false));
        let [audio, h264, vp9, data] = &publisher.streams[..] else {
            panic!("four streams");
        };
        assert_eq!(
            (audio.kind, audio.mindex, audio.mid.as_str()),
            (MediaType::Audio, 0, "0")
        );
        assert_eq!(
            (audio.stereo, audio.fec, audio.dtx, audio.talking),
            (Some(true), Some(true), Some(true), Some(false))
        );
        assert_eq!(h264.h264_profile.as_deref(), Some("42e01f"));
        assert_eq!(
            (h264.simulcast, h264.svc, h264.moderated),
            (Some(true), Some(false), Some(true))
        );
        assert_eq!(h264.description.as_deref(), Some("Webcam"));
        assert_eq!(vp9.vp9_profile.as_deref(), Some("2"));
        assert_eq!((data.kind, data.disabled), (MediaType::Data, Some(true)));
        assert_eq!(data.codec, None);
    }

    #[test]
    fn a_publisher_without_id_or_streams_is_refused() {
        assert_rejects::<Publisher>(r#"{"display":"Bob","streams":[]}"#);
        assert_rejects::<Publisher>(r#"{"id":1}"#);
        assert_rejects::<PublisherStream>(r#"{"type":"screen","mindex":0,"mid":"0"}"#);
    }

    #[test]
    fn a_subscriber_stream_decodes_with_its_simulcast_svc_and_playout_delay_state() {
        let video: SubscriberStream = round_trip(
            r#"{"type":"video","active":true,"mindex":1,"mid":"1","crossrefid":"cam","ready":false,"send":true,
                "feed_id":5678,"feed_display":"Bob","feed_metadata":{"a":1},"feed_mid":"1","feed_description":"Webcam",
                "codec":"h264","h264-profile":"42e01f","vp9-profile":"2",
                "playout-delay":{"min-delay":0,"max-delay":10},
                "simulcast":{"substream":0,"substream-target":2,"temporal-layer":0,"temporal-layer-target":2,"fallback":250000},
                "svc":{"spatial-layer":1,"target-spatial-layer":2,"temporal-layer":0,"target-temporal-layer":2}}"#,
        );
        assert_eq!(
            (
                video.kind,
                video.active,
                video.mindex,
                video.mid.as_str(),
                video.ready,
                video.send
            ),
            (MediaType::Video, Some(true), 1, "1", false, true)
        );
        assert_eq!(video.crossrefid.as_deref(), Some("cam"));
        assert_eq!(video.feed_id, Some(Id::from(5678)));
        assert_eq!(video.feed_display.as_deref(), Some("Bob"));
        assert_eq!(video.feed_metadata, Some(serde_json::json!({"a": 1})));
        assert_eq!(video.feed_mid.as_deref(), Some("1"));
        assert_eq!(video.feed_description.as_deref(), Some("Webcam"));
        assert_eq!(video.codec.as_deref(), Some("h264"));
        assert_eq!(video.h264_profile.as_deref(), Some("42e01f"));
        assert_eq!(video.vp9_profile.as_deref(), Some("2"));
        assert_eq!(
            video.playout_delay,
            Some(PlayoutDelay {
                min_delay: 0,
                max_delay: 10
            })
        );
        assert_eq!(
            video.simulcast,
            Some(SimulcastState {
                substream: 0,
                substream_target: 2,
                temporal_layer: 0,
                temporal_layer_target: 2,
                fallback: Some(250_000)
            })
        );
        assert_eq!(
            video.svc,
            Some(SvcState {
                spatial_layer: 1,
                target_spatial_layer: 2,
                temporal_layer: 0,
                target_temporal_layer: 2
            })
        );
        let data: SubscriberStream = round_trip(
            r#"{"type":"data","active":true,"mindex":2,"mid":"2","ready":true,"send":true,"sources":2,"source_ids":[5678,"bob"]}"#,
        );
        assert_eq!(data.sources, Some(2));
        assert_eq!(data.source_ids, Some(vec![Id::from(5678), Id::from("bob")]));
        assert_rejects::<SubscriberStream>(r#"{"type":"audio","mindex":0,"mid":"0"}"#);
    }

    #[test]
    fn stream_descriptions_need_both_fields() {
        let description = StreamDescription::builder()
            .mid("1")
            .description("Screen")
            .build();
        assert_eq!(
            serde_json::to_value(&description).ok(),
            Some(serde_json::json!({"mid": "1", "description": "Screen"}))
        );
        assert!(
            serde_json::from_value::<StreamDescription>(serde_json::json!({"mid": "1"})).is_err()
        );
    }
}
