//! RTP forwarding: relaying a publisher's streams as plain (or SRTP) RTP to a host, and
//! listing or stopping the forwarders. All synchronous.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{MediaType, VideoRoom};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use monostate::MustBe;

/// The address family to resolve a host name to (`host_family`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostFamily {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

/// `rtp_forward`: forwards streams of a publisher to a host (synchronous). Its outcome is
/// [`RtpForwarded`].
///
/// Each entry of `streams` forwards one stream of the publisher; a simulcast video can be
/// forwarded as one stream (`simulcast: true`: the forwarder acts like a subscriber) or
/// each substream to its own port (`port_2`, `port_3`), not both. When the plugin locks
/// RTP forwarding with its `admin_key`, `admin_key` must match it.
///
/// The flat `audio_port`, `video_port`, … fields are the deprecated single-stream form
/// Janus still accepts when `streams` is absent; its answer is then
/// [`RtpForwarded::rtp_stream`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "rtp_forward")]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct RtpForward {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The publisher.
    #[builder(into)]
    pub publisher_id: Id,
    /// The host to send to (a stream can override it). Janus requires it.
    pub host: String,
    /// The family to resolve `host` to (default: whatever resolves).
    pub host_family: Option<HostFamily>,
    /// The streams to forward.
    pub streams: Option<Vec<ForwardStream>>,
    /// SRTP: the authentication tag length, 32 or 80 (with `srtp_crypto`).
    pub srtp_suite: Option<u8>,
    /// SRTP: the base64 key, as in SDES (with `srtp_suite`).
    #[builder(into)]
    pub srtp_crypto: Option<Secret>,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when it locks RTP forwarding.
    #[builder(into)]
    pub admin_key: Option<Secret>,
    /// Deprecated form: forward a simulcast video as one stream.
    pub simulcast: Option<bool>,
    /// Deprecated form: the port of the video.
    pub video_port: Option<u16>,
    /// Deprecated form: the port to get RTCP feedback on the video from.
    pub video_rtcp_port: Option<u16>,
    /// Deprecated form: the SSRC of the video.
    pub video_ssrc: Option<u32>,
    /// Deprecated form: the payload type of the video.
    pub video_pt: Option<u8>,
    /// Deprecated form: the port of the second simulcast substream.
    pub video_port_2: Option<u16>,
    /// Deprecated form: the SSRC of the second simulcast substream.
    pub video_ssrc_2: Option<u32>,
    /// Deprecated form: the payload type of the second simulcast substream.
    pub video_pt_2: Option<u8>,
    /// Deprecated form: the port of the third simulcast substream.
    pub video_port_3: Option<u16>,
    /// Deprecated form: the SSRC of the third simulcast substream.
    pub video_ssrc_3: Option<u32>,
    /// Deprecated form: the payload type of the third simulcast substream.
    pub video_pt_3: Option<u8>,
    /// Deprecated form: the port of the audio.
    pub audio_port: Option<u16>,
    /// Deprecated form: the port to get RTCP feedback on the audio from.
    pub audio_rtcp_port: Option<u16>,
    /// Deprecated form: the SSRC of the audio.
    pub audio_ssrc: Option<u32>,
    /// Deprecated form: the payload type of the audio.
    pub audio_pt: Option<u8>,
    /// Deprecated form: the port of the data channel.
    pub data_port: Option<u16>,
}

impl PluginRequest for RtpForward {
    type Plugin = VideoRoom;
    type Response = RtpForwarded;
}

/// A stream to forward, in [`RtpForward::streams`]. RTP-only fields (`ssrc`, `pt`,
/// `rtcp_port`, the simulcast ones) do not apply to data streams.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bon::Builder)]
#[builder(on(String, into))]
#[non_exhaustive]
pub struct ForwardStream {
    /// The mid of the publisher's stream (unknown mids are skipped).
    pub mid: String,
    /// The host, overriding the request's.
    pub host: Option<String>,
    /// The family to resolve this `host` to.
    pub host_family: Option<HostFamily>,
    /// The port to send to.
    pub port: u16,
    /// The port to get RTCP feedback from.
    pub rtcp_port: Option<u16>,
    /// The SSRC to use.
    pub ssrc: Option<u32>,
    /// The payload type to use.
    pub pt: Option<u8>,
    /// Forward a simulcast video as one stream (like a subscriber would get it).
    pub simulcast: Option<bool>,
    /// The port of the second simulcast substream.
    pub port_2: Option<u16>,
    /// The SSRC of the second simulcast substream.
    pub ssrc_2: Option<u32>,
    /// The payload type of the second simulcast substream.
    pub pt_2: Option<u8>,
    /// The port of the third simulcast substream.
    pub port_3: Option<u16>,
    /// The SSRC of the third simulcast substream.
    pub ssrc_3: Option<u32>,
    /// The payload type of the third simulcast substream.
    pub pt_3: Option<u8>,
}

/// The answer to [`RtpForward`]: `{"videoroom": "rtp_forward", ...}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwarded {
    #[serde(rename = "videoroom")]
    word: MustBe!("rtp_forward"),
    /// The room.
    pub room: Id,
    /// The publisher.
    pub publisher_id: Id,
    /// The forwarders created (with `streams`).
    pub forwarders: Option<Vec<ForwarderInfo>>,
    /// The forwarders created by the deprecated form.
    pub rtp_stream: Option<LegacyRtpStream>,
}

/// A forwarder: in [`RtpForwarded`] and [`Forwarders`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForwarderInfo {
    /// Its id (for [`StopRtpForward`]).
    pub stream_id: u32,
    /// The media forwarded (`type`).
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// The address sent to.
    pub host: String,
    /// The port sent to.
    pub port: u16,
    /// The local port RTCP feedback is received on.
    pub local_rtcp_port: Option<u16>,
    /// The remote port RTCP feedback comes from.
    pub remote_rtcp_port: Option<u16>,
    /// The payload type used.
    pub pt: Option<u8>,
    /// The SSRC used.
    pub ssrc: Option<u32>,
    /// The simulcast substream relayed (video).
    pub substream: Option<u8>,
    /// It is SRTP (sent only when it is).
    pub srtp: Option<bool>,
}

/// The forwarders created by the deprecated form of [`RtpForward`]: ports and forwarder
/// ids per media.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LegacyRtpStream {
    /// The host sent to.
    pub host: Option<String>,
    /// The audio forwarder's id.
    pub audio_stream_id: Option<u32>,
    /// The audio port.
    pub audio: Option<u16>,
    /// The video forwarder's id.
    pub video_stream_id: Option<u32>,
    /// The video port.
    pub video: Option<u16>,
    /// The video RTCP port.
    pub video_rtcp: Option<u16>,
    /// The second substream's forwarder id.
    pub video_stream_id_2: Option<u32>,
    /// The second substream's port.
    pub video_2: Option<u16>,
    /// The third substream's forwarder id.
    pub video_stream_id_3: Option<u32>,
    /// The third substream's port.
    pub video_3: Option<u16>,
    /// The data forwarder's id.
    pub data_stream_id: Option<u32>,
    /// The data port.
    pub data: Option<u16>,
    /// `deprecated_api`.
    pub warning: Option<String>,
}

/// `stop_rtp_forward`: stops a forwarder (synchronous). Its outcome is
/// [`RtpForwardStopped`]. With the plugin's `admin_key` locking RTP forwarding,
/// `admin_key` must match it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "stop_rtp_forward")]
#[non_exhaustive]
pub struct StopRtpForward {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The publisher.
    #[builder(into)]
    pub publisher_id: Id,
    /// The forwarder.
    pub stream_id: u32,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
    /// The plugin's admin key, when it locks RTP forwarding.
    #[builder(into)]
    pub admin_key: Option<Secret>,
}

impl PluginRequest for StopRtpForward {
    type Plugin = VideoRoom;
    type Response = RtpForwardStopped;
}

/// The answer to [`StopRtpForward`]: `{"videoroom": "stop_rtp_forward", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RtpForwardStopped {
    #[serde(rename = "videoroom")]
    word: MustBe!("stop_rtp_forward"),
    /// The room.
    pub room: Id,
    /// The publisher.
    pub publisher_id: Id,
    /// The forwarder stopped.
    pub stream_id: u32,
}

/// `listforwarders`: the forwarders of a room (synchronous; remotizations are not listed).
/// Its outcome is [`Forwarders`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, bon::Builder)]
#[serde(tag = "request", rename = "listforwarders")]
#[non_exhaustive]
pub struct ListForwarders {
    /// The room.
    #[builder(into)]
    pub room: Id,
    /// The room's secret, if it has one.
    #[builder(into)]
    pub secret: Option<Secret>,
}

impl PluginRequest for ListForwarders {
    type Plugin = VideoRoom;
    type Response = Forwarders;
}

/// The answer to [`ListForwarders`]: `{"videoroom": "forwarders", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forwarders {
    #[serde(rename = "videoroom")]
    word: MustBe!("forwarders"),
    /// The room.
    pub room: Id,
    /// The publishers that have forwarders.
    pub publishers: Vec<PublisherForwarders>,
}

/// A publisher's forwarders, in [`Forwarders`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublisherForwarders {
    /// The publisher.
    pub publisher_id: Id,
    /// Its display name.
    pub display: Option<String>,
    /// Its metadata (Janus 1.3.0 and later).
    pub metadata: Option<Value>,
    /// Its forwarders.
    pub forwarders: Vec<ForwarderInfo>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plugins::videoroom::testing::{assert_rejects, assert_request, round_trip};

    #[test]
    fn rtp_forward_with_streams() {
        let forward = RtpForward::builder()
            .room(1234u64)
            .publisher_id(5678u64)
            .host("192.0.2.10")
            .host_family(HostFamily::Ipv4)
            .streams(vec![
                ForwardStream::builder()
                    .mid("0")
                    .port(5002)
                    .ssrc(1111)
                    .pt(111)
                    .rtcp_port(5003)
                    .build(),
                ForwardStream::builder()
                    .mid("1")
                    .host("2001:db8::1")
                    .host_family(HostFamily::Ipv6)
                    .port(5004)
                    .simulcast(false)
                    .port_2(5006)
                    .ssrc_2(2222)
                    .pt_2(96)
                    .port_3(5008)
                    .ssrc_3(3333)
                    .pt_3(96)
                    .build(),
            ])
            .srtp_suite(80)
            .srtp_crypto("a2V5a2V5")
            .secret("adminpwd")
            .admin_key("supersecret")
            .build();
        assert_request(
            forward,
            json!({
                "request": "rtp_forward", "room": 1234, "publisher_id": 5678,
                "host": "192.0.2.10", "host_family": "ipv4",
                "streams": [
                    {"mid": "0", "port": 5002, "ssrc": 1111, "pt": 111, "rtcp_port": 5003},
                    {"mid": "1", "host": "2001:db8::1", "host_family": "ipv6", "port": 5004,
                     "simulcast": false, "port_2": 5006, "ssrc_2": 2222, "pt_2": 96,
                     "port_3": 5008, "ssrc_3": 3333, "pt_3": 96}
                ],
                "srtp_suite": 80, "srtp_crypto": "a2V5a2V5", "secret": "adminpwd",
                "admin_key": "supersecret"
            }),
            None,
        );
    }

    #[test]
    fn rtp_forward_in_the_deprecated_form() {
        let forward = RtpForward::builder()
            .room(1234u64)
            .publisher_id(5678u64)
            .host("192.0.2.10")
            .simulcast(false)
            .video_port(5004)
            .video_rtcp_port(5005)
            .video_ssrc(1)
            .video_pt(96)
            .video_port_2(5006)
            .video_ssrc_2(2)
            .video_pt_2(96)
            .video_port_3(5008)
            .video_ssrc_3(3)
            .video_pt_3(96)
            .audio_port(5002)
            .audio_rtcp_port(5003)
            .audio_ssrc(4)
            .audio_pt(111)
            .data_port(5010)
            .build();
        assert_request(
            forward,
            json!({
                "request": "rtp_forward", "room": 1234, "publisher_id": 5678,
                "host": "192.0.2.10", "simulcast": false, "video_port": 5004,
                "video_rtcp_port": 5005, "video_ssrc": 1, "video_pt": 96, "video_port_2": 5006,
                "video_ssrc_2": 2, "video_pt_2": 96, "video_port_3": 5008, "video_ssrc_3": 3,
                "video_pt_3": 96, "audio_port": 5002, "audio_rtcp_port": 5003,
                "audio_ssrc": 4, "audio_pt": 111, "data_port": 5010
            }),
            None,
        );
        let answer: RtpForwarded = round_trip(
            r#"{"videoroom":"rtp_forward","room":1234,"publisher_id":5678,
                "rtp_stream":{"host":"192.0.2.10","audio_stream_id":11,"audio":5002,
                  "video_stream_id":12,"video":5004,"video_rtcp":5005,"video_stream_id_2":13,
                  "video_2":5006,"video_stream_id_3":14,"video_3":5008,"data_stream_id":15,
                  "data":5010,"warning":"deprecated_api"}}"#,
        );
        let Some(legacy) = answer.rtp_stream else {
            panic!("the legacy answer");
        };
        assert_eq!(answer.forwarders, None);
        assert_eq!(legacy.host.as_deref(), Some("192.0.2.10"));
        assert_eq!(
            (legacy.audio_stream_id, legacy.audio),
            (Some(11), Some(5002))
        );
        assert_eq!(
            (legacy.video_stream_id, legacy.video, legacy.video_rtcp),
            (Some(12), Some(5004), Some(5005))
        );
        assert_eq!(
            (legacy.video_stream_id_2, legacy.video_2),
            (Some(13), Some(5006))
        );
        assert_eq!(
            (legacy.video_stream_id_3, legacy.video_3),
            (Some(14), Some(5008))
        );
        assert_eq!((legacy.data_stream_id, legacy.data), (Some(15), Some(5010)));
        assert_eq!(legacy.warning.as_deref(), Some("deprecated_api"));
    }

    #[test]
    fn rtp_forwarded_lists_the_new_forwarders() {
        let answer: RtpForwarded = round_trip(
            r#"{"videoroom":"rtp_forward","room":1234,"publisher_id":5678,"forwarders":[
                {"stream_id":101,"type":"audio","host":"192.0.2.10","port":5002,"local_rtcp_port":40000,"remote_rtcp_port":5003,"pt":111,"ssrc":1111,"srtp":true},
                {"stream_id":102,"type":"video","host":"192.0.2.10","port":5006,"pt":96,"ssrc":2222,"substream":1},
                {"stream_id":103,"type":"data","host":"192.0.2.10","port":5010}]}"#,
        );
        assert_eq!(
            (answer.room, answer.publisher_id),
            (Id::from(1234), Id::from(5678))
        );
        let Some([audio, video, data]) = answer.forwarders.as_deref() else {
            panic!("three forwarders");
        };
        assert_eq!(
            (audio.stream_id, audio.kind, audio.host.as_str(), audio.port),
            (101, MediaType::Audio, "192.0.2.10", 5002)
        );
        assert_eq!(
            (audio.local_rtcp_port, audio.remote_rtcp_port),
            (Some(40000), Some(5003))
        );
        assert_eq!(
            (audio.pt, audio.ssrc, audio.srtp),
            (Some(111), Some(1111), Some(true))
        );
        assert_eq!((video.kind, video.substream), (MediaType::Video, Some(1)));
        assert_eq!(
            (data.kind, data.pt, data.ssrc),
            (MediaType::Data, None, None)
        );
        assert_rejects::<RtpForwarded>(r#"{"videoroom":"rtp_forward","room":1234}"#);
    }

    #[test]
    fn stop_rtp_forward_and_its_answer() {
        assert_request(
            StopRtpForward::builder()
                .room(1234u64)
                .publisher_id(5678u64)
                .stream_id(101)
                .secret("adminpwd")
                .admin_key("supersecret")
                .build(),
            json!({
                "request": "stop_rtp_forward", "room": 1234, "publisher_id": 5678,
                "stream_id": 101, "secret": "adminpwd", "admin_key": "supersecret"
            }),
            None,
        );
        let answer: RtpForwardStopped = round_trip(
            r#"{"videoroom":"stop_rtp_forward","room":1234,"publisher_id":5678,"stream_id":101}"#,
        );
        assert_eq!(
            (answer.room, answer.publisher_id, answer.stream_id),
            (Id::from(1234), Id::from(5678), 101)
        );
        assert_rejects::<RtpForwardStopped>(
            r#"{"videoroom":"stop_rtp_forward","room":1234,"publisher_id":5678}"#,
        );
    }

    #[test]
    fn listforwarders_and_the_forwarders() {
        assert_request(
            ListForwarders::builder()
                .room(1234u64)
                .secret("adminpwd")
                .build(),
            json!({"request": "listforwarders", "room": 1234, "secret": "adminpwd"}),
            None,
        );
        let list: Forwarders = round_trip(
            r#"{"videoroom":"forwarders","room":1234,"publishers":[
                {"publisher_id":5678,"display":"Bob","metadata":{"k":"v"},"forwarders":[
                  {"stream_id":101,"type":"audio","host":"192.0.2.10","port":5002}]}]}"#,
        );
        assert_eq!(list.room, Id::from(1234));
        let [bob] = &list.publishers[..] else {
            panic!("one publisher");
        };
        assert_eq!(bob.publisher_id, Id::from(5678));
        assert_eq!(bob.display.as_deref(), Some("Bob"));
        assert_eq!(bob.metadata, Some(json!({"k": "v"})));
        assert_eq!(bob.forwarders.len(), 1);
        assert_eq!(bob.forwarders[0].stream_id, 101);
        assert_rejects::<Forwarders>(r#"{"videoroom":"forwarders","room":1234}"#);
    }
}
