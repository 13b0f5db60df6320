use serde_json::{json, Value};

use super::*;
use crate::error::{PluginError, RequestError};
use crate::plugins::testing::{outcome, plugin_data, sends};
use crate::plugins::{Id, PluginRequest};
use crate::secret::Secret;
use crate::wire::Jsep;

/// `data` decodes into `T` as the outcome of `M`, and `T` encodes back to `data`.
fn answers<M>(data: Value) -> M::Response
where
    M: PluginRequest,
    M::Response: serde::Serialize,
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
fn management_requests_encode_as_janus_expects_and_decode_back() {
    sends(List::default(), json!({"request": "list"}));
    sends(
        List::builder().admin_key("adm").build(),
        json!({"request": "list", "admin_key": "adm"}),
    );
    sends(
        Info::builder().id(7_u64).secret("s").build(),
        json!({"request": "info", "id": 7, "secret": "s"}),
    );
    sends(
        Info::builder().id("cam-a").build(),
        json!({"request": "info", "id": "cam-a"}),
    );
    sends(
        Edit::builder()
            .id(7_u64)
            .secret("s")
            .new_description("d")
            .new_metadata("m")
            .new_secret("s2")
            .new_pin("")
            .new_is_private(true)
            .permanent(false)
            .edited_event(true)
            .build(),
        json!({
            "request": "edit", "id": 7, "secret": "s", "new_description": "d",
            "new_metadata": "m", "new_secret": "s2", "new_pin": "", "new_is_private": true,
            "permanent": false, "edited_event": true
        }),
    );
    sends(
        Destroy::builder()
            .id(7_u64)
            .secret("s")
            .permanent(true)
            .build(),
        json!({"request": "destroy", "id": 7, "secret": "s", "permanent": true}),
    );
    sends(
        Enable::builder().id(7_u64).secret("s").build(),
        json!({"request": "enable", "id": 7, "secret": "s"}),
    );
    sends(
        Disable::builder()
            .id(7_u64)
            .secret("s")
            .stop_recording(false)
            .build(),
        json!({"request": "disable", "id": 7, "secret": "s", "stop_recording": false}),
    );
    sends(
        KickAll::builder().id(7_u64).secret("s").build(),
        json!({"request": "kick_all", "id": 7, "secret": "s"}),
    );
}

#[test]
fn recording_requests_name_streams_by_mid_or_use_the_deprecated_fields() {
    sends(
        Recording::builder()
            .action(RecordingAction::Start)
            .id(7_u64)
            .media(vec![
                RecordingMedia::builder()
                    .mid("a")
                    .filename("/tmp/a")
                    .build(),
                RecordingMedia::builder()
                    .mid("v")
                    .filename("/tmp/v")
                    .build(),
            ])
            .build(),
        json!({
            "request": "recording", "action": "start", "id": 7,
            "media": [{"mid": "a", "filename": "/tmp/a"}, {"mid": "v", "filename": "/tmp/v"}]
        }),
    );
    sends(
        Recording::builder()
            .action(RecordingAction::Stop)
            .id(7_u64)
            .secret("s")
            .media(vec![RecordingMedia::builder().mid("a").build()])
            .build(),
        json!({
            "request": "recording", "action": "stop", "id": 7, "secret": "s",
            "media": [{"mid": "a"}]
        }),
    );
    sends(
        Recording::builder()
            .action(RecordingAction::Start)
            .id(7_u64)
            .audio(LegacyRecording::Filename("/tmp/a".into()))
            .build(),
        json!({"request": "recording", "action": "start", "id": 7, "audio": "/tmp/a"}),
    );
    sends(
        Recording::builder()
            .action(RecordingAction::Stop)
            .id(7_u64)
            .audio(LegacyRecording::Stop(true))
            .video(LegacyRecording::Stop(false))
            .data(LegacyRecording::Stop(true))
            .build(),
        json!({
            "request": "recording", "action": "stop", "id": 7,
            "audio": true, "video": false, "data": true
        }),
    );
}

#[test]
fn an_rtp_mountpoint_is_created_with_its_media_array() {
    // The plugin documentation's multistream example, through the API.
    sends(
        Create::builder()
            .admin_key("adm")
            .id(123_u64)
            .name("multistream-test")
            .description("Multistream test (1 audio, 2 video)")
            .metadata("{\"k\":1}")
            .is_private(false)
            .secret("s")
            .pin("p")
            .permanent(false)
            .source(Source::Rtp(
                RtpSource::builder()
                    .media(vec![
                        RtpMedia::builder()
                            .kind(MediaType::Audio)
                            .mid("a")
                            .label("Audio stream")
                            .port(5102)
                            .pt(111)
                            .codec("opus")
                            .build(),
                        RtpMedia::builder()
                            .kind(MediaType::Video)
                            .mid("v1")
                            .label("Video stream #1")
                            .msid("s t")
                            .port(5104)
                            .rtcpport(5105)
                            .mcast("232.0.0.1")
                            .iface("10.0.0.1")
                            .pt(100)
                            .codec("vp8")
                            .fmtp("x=1")
                            .skew(true)
                            .simulcast(true)
                            .port2(5106)
                            .port3(5108)
                            .svc(false)
                            .build(),
                        RtpMedia::builder()
                            .kind(MediaType::Data)
                            .mid("d")
                            .port(0)
                            .datatype("binary")
                            .buffermsg(true)
                            .build(),
                    ])
                    .collision(2000)
                    .bufferkf_ms(500)
                    .bufferkf_bytes(100_000)
                    .threads(2)
                    .srtpsuite(32)
                    .srtpcrypto("WbTBosdVUZqEb6Htqhn+m3z7wUh4RJVR8nE15GbN")
                    .e2ee(false)
                    .playoutdelay_ext(true)
                    .abscapturetime_src_ext_id(3)
                    .datatype("binary")
                    .buffermsg(true)
                    .build(),
            ))
            .build(),
        json!({
            "request": "create", "type": "rtp", "admin_key": "adm", "id": 123,
            "name": "multistream-test", "description": "Multistream test (1 audio, 2 video)",
            "metadata": "{\"k\":1}", "is_private": false, "secret": "s", "pin": "p",
            "permanent": false,
            "media": [
                {"type": "audio", "mid": "a", "label": "Audio stream", "port": 5102, "pt": 111, "codec": "opus"},
                {
                    "type": "video", "mid": "v1", "label": "Video stream #1", "msid": "s t",
                    "port": 5104, "rtcpport": 5105, "mcast": "232.0.0.1", "iface": "10.0.0.1",
                    "pt": 100, "codec": "vp8", "fmtp": "x=1", "skew": true, "simulcast": true,
                    "port2": 5106, "port3": 5108, "svc": false
                },
                {"type": "data", "mid": "d", "port": 0, "datatype": "binary", "buffermsg": true}
            ],
            "collision": 2000, "bufferkf_ms": 500, "bufferkf_bytes": 100000, "threads": 2,
            "srtpsuite": 32, "srtpcrypto": "WbTBosdVUZqEb6Htqhn+m3z7wUh4RJVR8nE15GbN",
            "e2ee": false, "playoutdelay_ext": true, "abscapturetime_src_ext_id": 3,
            "datatype": "binary", "buffermsg": true
        }),
    );
    // The deprecated single-stream shape.
    sends(
        Create::builder()
            .source(Source::Rtp(
                RtpSource::builder()
                    .audio(true)
                    .audioport(5002)
                    .audiortcpport(5003)
                    .audiomcast("232.0.0.2")
                    .audioiface("eth0")
                    .audiopt(111)
                    .audiocodec("opus")
                    .audiortpmap("opus/48000/2")
                    .audiofmtp("stereo=1")
                    .audioskew(true)
                    .video(true)
                    .videoport(5004)
                    .videoport2(5006)
                    .videoport3(5008)
                    .videortcpport(5005)
                    .videomcast("232.0.0.3")
                    .videoiface("eth0")
                    .videopt(96)
                    .videocodec("h264")
                    .videortpmap("H264/90000")
                    .videofmtp("profile-level-id=42e01f")
                    .videosimulcast(true)
                    .videosvc(false)
                    .videoskew(false)
                    .videobufferkf(true)
                    .h264sps("Z0IAH5WoFAFuQA==,aM48gA==")
                    .data(true)
                    .dataport(5010)
                    .datamcast("232.0.0.4")
                    .dataiface("eth0")
                    .databuffermsg(true)
                    .datatype("text")
                    .build(),
            ))
            .build(),
        json!({
            "request": "create", "type": "rtp",
            "audio": true, "audioport": 5002, "audiortcpport": 5003, "audiomcast": "232.0.0.2",
            "audioiface": "eth0", "audiopt": 111, "audiocodec": "opus",
            "audiortpmap": "opus/48000/2", "audiofmtp": "stereo=1", "audioskew": true,
            "video": true, "videoport": 5004, "videoport2": 5006, "videoport3": 5008,
            "videortcpport": 5005, "videomcast": "232.0.0.3", "videoiface": "eth0",
            "videopt": 96, "videocodec": "h264", "videortpmap": "H264/90000",
            "videofmtp": "profile-level-id=42e01f", "videosimulcast": true, "videosvc": false,
            "videoskew": false, "videobufferkf": true, "h264sps": "Z0IAH5WoFAFuQA==,aM48gA==",
            "data": true, "dataport": 5010, "datamcast": "232.0.0.4", "dataiface": "eth0",
            "databuffermsg": true, "datatype": "text"
        }),
    );
    // Per-media deprecated and 1.4 fields.
    sends(
        Create::builder()
            .source(Source::Rtp(
                RtpSource::builder()
                    .media(vec![RtpMedia::builder()
                        .kind(MediaType::Video)
                        .mid("v")
                        .port(5004)
                        .rtpmap("H264/90000")
                        .h264sps("Z0IAH5WoFAFuQA==,aM48gA==")
                        .bufferkf(true)
                        .build()])
                    .build(),
            ))
            .build(),
        json!({
            "request": "create", "type": "rtp",
            "media": [{
                "type": "video", "mid": "v", "port": 5004, "rtpmap": "H264/90000",
                "h264sps": "Z0IAH5WoFAFuQA==,aM48gA==", "bufferkf": true
            }]
        }),
    );
}

#[test]
fn file_and_rtsp_mountpoints_are_created_with_their_own_settings() {
    sends(
        Create::builder()
            .id("radio")
            .source(Source::Live(
                FileSource::builder()
                    .filename("/opt/janus/share/janus/streams/music.mulaw")
                    .audiopt(0)
                    .audiocodec("pcmu")
                    .audiofmtp("")
                    .build(),
            ))
            .build(),
        json!({
            "request": "create", "type": "live", "id": "radio",
            "filename": "/opt/janus/share/janus/streams/music.mulaw", "audio": true,
            "audiopt": 0, "audiocodec": "pcmu", "audiofmtp": ""
        }),
    );
    sends(
        Create::builder()
            .source(Source::OnDemand(
                FileSource::builder()
                    .filename("/opt/janus/share/janus/streams/radio.alaw")
                    .video(false)
                    .audiortpmap("PCMA/8000")
                    .build(),
            ))
            .build(),
        json!({
            "request": "create", "type": "ondemand",
            "filename": "/opt/janus/share/janus/streams/radio.alaw", "audio": true,
            "video": false, "audiortpmap": "PCMA/8000"
        }),
    );
    sends(
        Create::builder()
            .source(Source::Rtsp(
                RtspSource::builder()
                    .url("rtsp://cam.example/stream")
                    .rtsp_user("u")
                    .rtsp_pwd("p")
                    .rtsp_quirk(true)
                    .rtsp_failcheck(false)
                    .rtspiface("eth0")
                    .rtsp_reconnect_delay(5)
                    .rtsp_session_timeout(60)
                    .rtsp_timeout(10)
                    .rtsp_conn_timeout(5)
                    .rtsp_notify_changes(true)
                    .audio(true)
                    .audiopt(111)
                    .audiocodec("opus")
                    .audiortpmap("opus/48000/2")
                    .audiofmtp("stereo=1")
                    .video(true)
                    .videopt(96)
                    .videocodec("h264")
                    .videortpmap("H264/90000")
                    .videofmtp("packetization-mode=1")
                    .videobufferkf(false)
                    .bufferkf_ms(300)
                    .bufferkf_bytes(65_536)
                    .threads(1)
                    .build(),
            ))
            .build(),
        json!({
            "request": "create", "type": "rtsp", "url": "rtsp://cam.example/stream",
            "rtsp_user": "u", "rtsp_pwd": "p", "rtsp_quirk": true, "rtsp_failcheck": false,
            "rtspiface": "eth0", "rtsp_reconnect_delay": 5, "rtsp_session_timeout": 60,
            "rtsp_timeout": 10, "rtsp_conn_timeout": 5, "rtsp_notify_changes": true,
            "audio": true, "audiopt": 111, "audiocodec": "opus", "audiortpmap": "opus/48000/2",
            "audiofmtp": "stereo=1", "video": true, "videopt": 96, "videocodec": "h264",
            "videortpmap": "H264/90000", "videofmtp": "packetization-mode=1",
            "videobufferkf": false, "bufferkf_ms": 300, "bufferkf_bytes": 65536, "threads": 1
        }),
    );
}

#[test]
fn secrets_in_requests_are_redacted_in_debug_output() {
    let create = Create::builder()
        .admin_key("adm-key")
        .secret("the-secret")
        .pin("the-pin")
        .source(Source::Rtsp(
            RtspSource::builder().rtsp_pwd("the-pwd").build(),
        ))
        .build();
    let debug = format!("{create:?}");
    for secret in ["adm-key", "the-secret", "the-pin", "the-pwd"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn viewer_requests_encode_as_janus_expects_and_carry_their_sdp() {
    sends(
        Watch::builder()
            .id(1_u64)
            .pin("1234")
            .media(vec!["a".into(), "v1".into()])
            .substream(1)
            .temporal(0)
            .fallback(250_000)
            .spatial_layer(1)
            .temporal_layer(2)
            .build(),
        json!({
            "request": "watch", "id": 1, "pin": "1234", "media": ["a", "v1"],
            "substream": 1, "temporal": 0, "fallback": 250000, "spatial_layer": 1,
            "temporal_layer": 2
        }),
    );
    sends(
        Watch::builder()
            .id(1_u64)
            .restart(true)
            .offer_audio(true)
            .offer_video(false)
            .offer_data(false)
            .build(),
        json!({
            "request": "watch", "id": 1, "restart": true, "offer_audio": true,
            "offer_video": false, "offer_data": false
        }),
    );
    // The WHEP way: the viewer's offer goes with the watch.
    sends(
        Watch::builder()
            .id(1_u64)
            .jsep(Jsep::offer("v=0\r\n"))
            .build(),
        json!({"request": "watch", "id": 1}),
    );
    sends(
        Start::builder().jsep(Jsep::answer("v=0\r\n")).build(),
        json!({"request": "start"}),
    );
    sends(Start::default(), json!({"request": "start"}));
    sends(Pause::default(), json!({"request": "pause"}));
    sends(Stop::default(), json!({"request": "stop"}));
    sends(
        Switch::builder().id(2_u64).build(),
        json!({"request": "switch", "id": 2}),
    );
    sends(
        Configure::builder()
            .streams(vec![
                ConfigureStream::builder()
                    .mid("v1")
                    .send(true)
                    .substream(2)
                    .temporal(1)
                    .fallback(500_000)
                    .min_delay(-1)
                    .max_delay(10)
                    .build(),
                ConfigureStream::builder()
                    .mid("v2")
                    .spatial_layer(1)
                    .temporal_layer(0)
                    .build(),
            ])
            .build(),
        json!({
            "request": "configure",
            "streams": [
                {"mid": "v1", "send": true, "substream": 2, "temporal": 1, "fallback": 500000, "min_delay": -1, "max_delay": 10},
                {"mid": "v2", "spatial_layer": 1, "temporal_layer": 0}
            ]
        }),
    );
    sends(
        Configure::builder()
            .mid("a")
            .send(false)
            .substream(0)
            .temporal(0)
            .fallback(1)
            .spatial_layer(0)
            .temporal_layer(0)
            .min_delay(0)
            .max_delay(0)
            .build(),
        json!({
            "request": "configure", "mid": "a", "send": false, "substream": 0, "temporal": 0,
            "fallback": 1, "spatial_layer": 0, "temporal_layer": 0, "min_delay": 0,
            "max_delay": 0
        }),
    );
}

#[test]
fn the_list_and_info_replies_are_typed() {
    let list = answers::<List>(json!({
        "streaming": "list",
        "list": [
            {
                "id": 1, "type": "live", "description": "Opus/VP8 live stream",
                "metadata": "m", "enabled": true,
                "media": [
                    {"mid": "a", "type": "audio", "label": "audio", "age_ms": 12},
                    {"mid": "v", "type": "video", "label": "video", "msid": "s t"}
                ]
            },
            {"id": 3, "type": "on demand", "description": "Alaw file", "enabled": false}
        ]
    }));
    assert_eq!(list.list.len(), 2);
    let live = &list.list[0];
    assert_eq!(live.id, Id::from(1));
    assert_eq!(live.kind, MountpointKind::Live);
    assert_eq!(live.description.as_deref(), Some("Opus/VP8 live stream"));
    assert_eq!(live.metadata.as_deref(), Some("m"));
    assert!(live.enabled);
    assert_eq!(live.media[0].mid.as_deref(), Some("a"));
    assert_eq!(live.media[0].kind, MediaType::Audio);
    assert_eq!(live.media[0].age_ms, Some(12));
    assert_eq!(live.media[1].msid.as_deref(), Some("s t"));
    assert_eq!(list.list[1].kind, MountpointKind::OnDemand);
    assert!(list.list[1].media.is_empty());

    let info = answers::<Info>(json!({
        "streaming": "info",
        "info": {
            "id": 1, "name": "rtp-sample", "description": "Opus/VP8 live stream",
            "metadata": "m", "secret": "adminpwd", "pin": "1234", "is_private": true,
            "enabled": true, "viewers": 2, "type": "live", "rtsp": true,
            "url": "rtsp://cam", "rtsp_user": "u", "rtsp_pwd": "p", "rtsp_quirk": true,
            "srtp": true, "collision": 2000, "bufferkf_ms": 500, "bufferkf_bytes": 1000,
            "threads": 2, "host": "0.0.0.0",
            "media": [
                {
                    "mindex": 0, "type": "audio", "mid": "a", "label": "audio", "msid": "s t",
                    "pt": 111, "codec": "opus", "rtpmap": "opus/48000/2", "fmtp": "stereo=1",
                    "skew_compensation": true, "port": 5002, "rtcpport": 5003, "age_ms": 10,
                    "recording": "/tmp/rec-a"
                },
                {
                    "mindex": 1, "type": "video", "mid": "v", "label": "video", "pt": 100,
                    "codec": "vp8", "rtpmap": "VP8/90000", "videosimulcast": true,
                    "videosvc": true, "videobufferkf": true, "port": 5004, "port2": 5006,
                    "port3": 5008
                },
                {"mindex": 2, "type": "data", "mid": "d", "label": "data", "port": 5010, "datatype": "text"}
            ]
        }
    }));
    let mp = &info.info;
    assert_eq!(mp.name.as_deref(), Some("rtp-sample"));
    assert_eq!(mp.secret, Some(Secret::new("adminpwd")));
    assert_eq!(mp.pin, Some(Secret::new("1234")));
    assert_eq!(mp.is_private, Some(true));
    assert_eq!(mp.viewers, Some(2));
    assert_eq!(mp.rtsp_pwd, Some(Secret::new("p")));
    assert_eq!(mp.collision, Some(2000));
    assert_eq!(mp.bufferkf_ms, Some(500));
    assert_eq!(mp.host.as_deref(), Some("0.0.0.0"));
    assert_eq!(mp.media[0].rtpmap.as_deref(), Some("opus/48000/2"));
    assert_eq!(mp.media[0].recording.as_deref(), Some("/tmp/rec-a"));
    assert_eq!(mp.media[1].port3, Some(5008));
    assert_eq!(mp.media[1].videosimulcast, Some(true));
    assert_eq!(mp.media[2].datatype.as_deref(), Some("text"));
    assert!(!format!("{mp:?}").contains("adminpwd"));

    // Without the secret, a file mountpoint: its one stream has no mid.
    let info = answers::<Info>(json!({
        "streaming": "info",
        "info": {
            "id": "file-a", "description": "Alaw file", "enabled": true, "type": "on demand",
            "media": [{"type": "audio", "pt": 8, "codec": "pcma", "rtpmap": "PCMA/8000"}]
        }
    }));
    assert_eq!(info.info.id, Id::from("file-a"));
    assert_eq!(info.info.secret, None);
    assert_eq!(info.info.media[0].mid, None);
    assert_eq!(info.info.media[0].pt, Some(8));
}

#[test]
fn the_management_replies_are_typed() {
    let created = answers::<Create>(json!({
        "streaming": "created", "created": "multistream-test", "permanent": false,
        "stream": {
            "id": 123, "type": "live", "description": "Multistream test", "is_private": false,
            "ports": [
                {"type": "audio", "mid": "a", "msid": "s t", "host": "0.0.0.0", "port": 5102, "rtcp_port": 5103},
                {"type": "video", "mid": "v1", "port": 5104, "port_2": 5106, "port_3": 5108}
            ]
        }
    }));
    assert_eq!(created.created, "multistream-test");
    assert!(!created.permanent);
    assert_eq!(created.warning, None);
    assert_eq!(created.stream.id, Id::from(123));
    assert_eq!(created.stream.ports[0].rtcp_port, Some(5103));
    assert_eq!(created.stream.ports[0].host.as_deref(), Some("0.0.0.0"));
    assert_eq!(created.stream.ports[1].port_3, Some(5108));
    assert_eq!(created.stream.host, None);
    // Janus 1.1.2 puts the address on the mountpoint.
    let created = answers::<Create>(json!({
        "streaming": "created", "created": "m", "permanent": false,
        "stream": {
            "id": 9, "type": "live", "description": "m", "is_private": false, "host": "0.0.0.0",
            "ports": [{"type": "video", "mid": "v", "port": 5004}]
        }
    }));
    assert_eq!(created.stream.host.as_deref(), Some("0.0.0.0"));

    let legacy = answers::<Create>(json!({
        "streaming": "created", "created": "legacy", "permanent": true,
        "stream": {
            "id": 5, "type": "live", "description": "legacy", "is_private": true,
            "audio_host": "0.0.0.0", "audio_port": 5002, "audio_rtcp_port": 5003,
            "video_host": "0.0.0.0", "video_port": 5004, "video_rtcp_port": 5005,
            "video_port_2": 5006, "video_port_3": 5008, "data_host": "0.0.0.0", "data_port": 5010
        },
        "warning": "deprecated_api"
    }));
    assert_eq!(legacy.warning.as_deref(), Some("deprecated_api"));
    assert_eq!(legacy.stream.video_port_2, Some(5006));
    assert_eq!(legacy.stream.data_port, Some(5010));
    assert!(legacy.stream.ports.is_empty());

    let edited = answers::<Edit>(json!({"streaming": "edited", "id": 7, "permanent": false}));
    assert_eq!(edited.id, Id::from(7));
    let destroyed = answers::<Destroy>(json!({"streaming": "destroyed", "destroyed": 7}));
    assert_eq!(destroyed.destroyed, Id::from(7));
    answers::<KickAll>(json!({"streaming": "kicked_all"}));
    answers::<Recording>(json!({"streaming": "ok"}));
    answers::<Enable>(json!({"streaming": "ok"}));
    answers::<Disable>(json!({"streaming": "ok"}));
}

#[test]
fn the_viewer_requests_outcomes_are_typed_with_their_sdp() {
    let data = json!({"streaming": "event", "result": {"status": "preparing"}});
    let typed = outcome::<Watch>(&data, Some(Jsep::offer("v=0\r\n"))).expect("typed");
    assert_eq!(typed.value.status(), &Status::Preparing);
    assert_eq!(typed.jsep, Some(Jsep::offer("v=0\r\n")));
    assert_eq!(serde_json::to_value(&typed.value).ok(), Some(data));
    for (request_word, status) in [
        ("updating", Status::Updating),
        ("starting", Status::Starting),
        ("started", Status::Started),
        ("pausing", Status::Pausing),
        ("stopping", Status::Stopping),
        ("idle", Status::Idle),
    ] {
        let event =
            answers::<Stop>(json!({"streaming": "event", "result": {"status": request_word}}));
        assert_eq!(event.status(), &status);
        assert_eq!(status.as_str(), request_word);
    }
    answers::<Configure>(json!({"streaming": "event", "result": {"event": "configured"}}));
    let switched =
        answers::<Switch>(json!({"streaming": "event", "result": {"switched": "ok", "id": 2}}));
    assert_eq!(switched.result.switched, "ok");
    assert_eq!(switched.result.id, Id::from(2));
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
    // Missing required fields.
    refused::<Create>(json!({"streaming": "created", "created": "x", "permanent": false}));
    refused::<Destroy>(json!({"streaming": "destroyed", "id": 7}));
    refused::<List>(json!({"streaming": "list", "list": [{"id": 1, "type": "live"}]}));
    refused::<Info>(json!({"streaming": "info", "info": {"id": 1, "type": "live", "media": []}}));
    // The wrong word.
    refused::<Watch>(json!({"streaming": "event", "result": {"event": "configured"}}));
    refused::<Configure>(json!({"streaming": "event", "result": {"status": "starting"}}));
    refused::<Configure>(json!({"streaming": "event", "result": {"event": "updated"}}));
    refused::<Enable>(json!({"streaming": "edited", "id": 7, "permanent": false}));
    refused::<KickAll>(json!({"streaming": "list", "list": []}));
    // No word at all.
    refused::<Edit>(json!({"id": 7, "permanent": false}));
}

#[test]
fn every_event_has_its_typed_view_and_encodes_back() {
    let cases = [
        json!({"streaming": "event", "result": {"status": "started"}}),
        json!({"streaming": "event", "result": {"status": "stopped"}}),
        json!({"streaming": "event", "result": {"status": "kicked_all"}}),
        json!({"streaming": "event", "result": {"event": "configured"}}),
        json!({"streaming": "event", "result": {"switched": "ok", "id": 3}}),
        json!({"streaming": "event", "result": {"mid": "v", "substream": 1}}),
        json!({"streaming": "event", "result": {"mid": "v", "temporal": 2}}),
        json!({"streaming": "event", "result": {"mid": "v", "spatial_layer": 1, "temporal_layer": 0}}),
        json!({"streaming": "event", "result": {"temporal_layer": 1}}),
        json!({"event": "edited", "id": 7, "metadata": "new"}),
        json!({"event": "edited", "id": "cam"}),
        json!({"event": "rtsp-disconnected", "id": 7}),
        json!({"event": "rtsp-reconnected", "id": 7}),
    ];
    let mut kinds = Vec::new();
    for data in cases {
        let event = Event::from_data(&plugin_data(PACKAGE, &data));
        assert_ne!(event, Event::Other, "{data}");
        assert_eq!(
            serde_json::to_value(&event).ok(),
            Some(data.clone()),
            "{data}"
        );
        kinds.push(std::mem::discriminant(&event));
    }
    let typed = |data: Value| Event::from_data(&plugin_data(PACKAGE, &data));
    assert!(matches!(
        typed(json!({"streaming": "event", "result": {"status": "kicked_all"}})),
        Event::Status(s) if s.status() == &Status::KickedAll
    ));
    assert!(matches!(
        typed(
            json!({"streaming": "event", "result": {"mid": "v", "spatial_layer": 1, "temporal_layer": 0}})
        ),
        Event::Layers(LayersEvent {
            result: Layers {
                spatial_layer: Some(1),
                temporal_layer: Some(0),
                ..
            },
            ..
        })
    ));
    assert!(matches!(
        typed(json!({"event": "edited", "id": 7, "metadata": "new"})),
        Event::Edited(MountpointEdited { metadata: Some(m), .. }) if m == "new"
    ));
    assert!(matches!(
        typed(json!({"event": "rtsp-disconnected", "id": 7})),
        Event::RtspDisconnected(RtspDisconnected {
            id: Id::Number(7),
            ..
        })
    ));
    assert!(matches!(
        typed(json!({"event": "rtsp-reconnected", "id": 7})),
        Event::RtspReconnected(RtspReconnected {
            id: Id::Number(7),
            ..
        })
    ));
    assert!(matches!(
        typed(json!({"streaming": "event", "result": {"switched": "ok", "id": 3}})),
        Event::Switched(_)
    ));
    assert!(matches!(
        typed(json!({"streaming": "event", "result": {"event": "configured"}})),
        Event::Configured(_)
    ));
    // An unknown status word is still a status.
    assert!(matches!(
        typed(json!({"streaming": "event", "result": {"status": "brand-new"}})),
        Event::Status(s) if s.status() == &Status::Other("brand-new".into())
    ));
    assert_eq!(kinds.len(), 13);
}

#[test]
fn unknown_or_undecodable_events_are_other() {
    for data in [
        json!({"streaming": "event", "result": {"something": "new"}}),
        json!({"streaming": "event"}),
        json!({"streaming": "event", "result": {"switched": "ok"}}),
        json!({"streaming": "event", "result": {"substream": "high"}}),
        json!({"event": "rtsp-disconnected"}),
        json!({"event": "brand-new", "id": 1}),
        json!({"streaming": "event", "error_code": 455, "error": "No such mountpoint"}),
        json!([1, 2]),
    ] {
        assert_eq!(
            Event::from_data(&plugin_data(PACKAGE, &data)),
            Event::Other,
            "{data}"
        );
    }
    let foreign = plugin_data(
        "janus.plugin.videoroom",
        &json!({"streaming": "event", "result": {"status": "started"}}),
    );
    assert_eq!(Event::from_data(&foreign), Event::Other);
    assert_eq!(serde_json::to_value(Event::Other).ok(), Some(Value::Null));
}

#[test]
fn error_codes_map_both_ways() {
    let codes = [
        (450, ErrorCode::NoMessage),
        (451, ErrorCode::InvalidJson),
        (452, ErrorCode::InvalidRequest),
        (453, ErrorCode::MissingElement),
        (454, ErrorCode::InvalidElement),
        (455, ErrorCode::NoSuchMountpoint),
        (456, ErrorCode::CantCreate),
        (457, ErrorCode::Unauthorized),
        (458, ErrorCode::CantSwitch),
        (459, ErrorCode::CantRecord),
        (460, ErrorCode::InvalidState),
        (461, ErrorCode::InvalidSdp),
        (470, ErrorCode::UnknownError),
    ];
    for (code, typed) in codes {
        assert_eq!(ErrorCode::from_code(code), typed);
        assert_eq!(typed.code(), code);
    }
    assert_eq!(ErrorCode::from_code(499), ErrorCode::Other(499));
    assert_eq!(ErrorCode::Other(499).code(), 499);
    let error = |plugin: &str| PluginError {
        plugin: plugin.into(),
        code: 455,
        reason: "No such mountpoint/stream 9".into(),
        data: plugin_data(plugin, &json!({"streaming": "event", "error_code": 455})),
    };
    assert_eq!(
        Streaming::error_of(&error(PACKAGE)),
        Some(ErrorCode::NoSuchMountpoint)
    );
    assert_eq!(Streaming::error_of(&error("janus.plugin.videoroom")), None);
}

#[test]
fn words_decode_unknown_values_as_other_and_encode_back() {
    let kind: MediaType = serde_json::from_value(json!("screen")).expect("decodes");
    assert_eq!(kind, MediaType::Other("screen".into()));
    assert_eq!(serde_json::to_value(&kind).ok(), Some(json!("screen")));
    assert_eq!(
        serde_json::to_value(MediaType::Data).ok(),
        Some(json!("data"))
    );
    assert_eq!(MountpointKind::OnDemand.as_str(), "on demand");
}
