use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::error::{PluginError, RequestError};
use crate::event::{Reply, ReplyKind};
use crate::plugins::testing::{self, sends};
use crate::plugins::{Id, OnHandle};
use crate::request::Request;
use crate::secret::Secret;
use crate::wire::{Jsep, PluginData, RawFrame};

fn plugin_data(data: &Value) -> PluginData {
    testing::plugin_data(PACKAGE, data)
}

/// `data` decoded as `T` (inside a frame, as the core gets it); it encodes back to `data`.
fn decodes<T: DeserializeOwned + Serialize>(data: Value) -> T {
    let typed: T = plugin_data(&data).parse().expect("decodes");
    assert_eq!(
        serde_json::to_value(&typed).expect("encodes"),
        data,
        "encodes back"
    );
    typed
}

/// `data` is the event `expected`, and encodes back to `data`.
fn is_event(data: Value, expected: Event) {
    let event = Event::from_data(&plugin_data(&data));
    assert_eq!(event, expected, "{data}");
    assert_eq!(serde_json::to_value(&event).expect("encodes"), data);
}

fn participant(id: u64, display: Option<&str>, setup: bool, muted: bool) -> Participant {
    Participant {
        id: Id::from(id),
        display: display.map(str::to_owned),
        setup,
        muted,
        talking: None,
        spatial_position: None,
        suspended: None,
    }
}

#[test]
fn room_management_requests_encode_as_documented() {
    sends(
        Create::builder()
            .room(1234)
            .permanent(false)
            .description("Demo")
            .secret("adminpwd")
            .pin("1111")
            .is_private(false)
            .allowed(vec![Secret::from("t1"), Secret::from("t2")])
            .sampling_rate(16000)
            .sampling(16000)
            .spatial_audio(true)
            .audiolevel_ext(true)
            .audiolevel_event(true)
            .audio_active_packets(100)
            .audio_level_average(25)
            .default_prebuffering(6)
            .default_expectedloss(5)
            .default_bitrate(32000)
            .denoise(true)
            .record(true)
            .record_file("room.wav")
            .record_dir("/tmp/rec")
            .mjrs(true)
            .mjrs_dir("/tmp/mjrs")
            .allow_rtp_participants(true)
            .groups(vec!["a".to_owned(), "b".to_owned()])
            .admin_key("supersecret")
            .build(),
        json!({
            "request": "create", "room": 1234, "permanent": false, "description": "Demo",
            "secret": "adminpwd", "pin": "1111", "is_private": false, "allowed": ["t1", "t2"],
            "sampling_rate": 16000, "sampling": 16000, "spatial_audio": true,
            "audiolevel_ext": true, "audiolevel_event": true, "audio_active_packets": 100,
            "audio_level_average": 25, "default_prebuffering": 6, "default_expectedloss": 5,
            "default_bitrate": 32000, "denoise": true, "record": true,
            "record_file": "room.wav", "record_dir": "/tmp/rec", "mjrs": true,
            "mjrs_dir": "/tmp/mjrs", "allow_rtp_participants": true, "groups": ["a", "b"],
            "admin_key": "supersecret"
        }),
    );
    sends(Create::builder().build(), json!({"request": "create"}));
    sends(
        Create::builder().room("room-a").build(),
        json!({"request": "create", "room": "room-a"}),
    );
    sends(
        Edit::builder()
            .room(1234)
            .secret("adminpwd")
            .new_description("New")
            .new_secret("newpwd")
            .new_pin("")
            .new_is_private(true)
            .new_record_dir("/tmp/r2")
            .new_mjrs_dir("/tmp/m2")
            .permanent(true)
            .build(),
        json!({
            "request": "edit", "room": 1234, "secret": "adminpwd", "new_description": "New",
            "new_secret": "newpwd", "new_pin": "", "new_is_private": true,
            "new_record_dir": "/tmp/r2", "new_mjrs_dir": "/tmp/m2", "permanent": true
        }),
    );
    sends(
        Destroy::builder()
            .room(1234)
            .secret("adminpwd")
            .permanent(true)
            .build(),
        json!({"request": "destroy", "room": 1234, "secret": "adminpwd", "permanent": true}),
    );
    sends(
        EnableRecording::builder()
            .room(1234)
            .secret("adminpwd")
            .record(true)
            .record_file("mix.wav")
            .record_dir("/tmp")
            .build(),
        json!({
            "request": "enable_recording", "room": 1234, "secret": "adminpwd", "record": true,
            "record_file": "mix.wav", "record_dir": "/tmp"
        }),
    );
    sends(
        EnableMjrs::builder()
            .room(1234)
            .mjrs(false)
            .mjrs_dir("/tmp")
            .build(),
        json!({"request": "enable_mjrs", "room": 1234, "mjrs": false, "mjrs_dir": "/tmp"}),
    );
    sends(
        Exists::builder().room(1234).build(),
        json!({"request": "exists", "room": 1234}),
    );
    sends(
        Allowed::builder()
            .room(1234)
            .secret("adminpwd")
            .action(AllowedAction::Add)
            .allowed(vec![Secret::from("t3")])
            .build(),
        json!({
            "request": "allowed", "room": 1234, "secret": "adminpwd", "action": "add",
            "allowed": ["t3"]
        }),
    );
    for (action, word) in [
        (AllowedAction::Enable, "enable"),
        (AllowedAction::Disable, "disable"),
        (AllowedAction::Remove, "remove"),
    ] {
        sends(
            Allowed::builder().room(1).action(action).build(),
            json!({"request": "allowed", "room": 1, "action": word}),
        );
    }
    sends(List::builder().build(), json!({"request": "list"}));
    sends(
        List::builder().admin_key("supersecret").build(),
        json!({"request": "list", "admin_key": "supersecret"}),
    );
    sends(
        ListParticipants::builder().room(1234).build(),
        json!({"request": "listparticipants", "room": 1234}),
    );
}

#[test]
fn moderation_requests_encode_as_documented() {
    sends(
        Kick::builder().room(1234).secret("adminpwd").id(42).build(),
        json!({"request": "kick", "room": 1234, "secret": "adminpwd", "id": 42}),
    );
    sends(
        KickAll::builder().room(1234).secret("adminpwd").build(),
        json!({"request": "kick_all", "room": 1234, "secret": "adminpwd"}),
    );
    sends(
        Suspend::builder()
            .room(1234)
            .secret("adminpwd")
            .id(42)
            .pause_events(true)
            .stop_record(true)
            .build(),
        json!({
            "request": "suspend", "room": 1234, "secret": "adminpwd", "id": 42,
            "pause_events": true, "stop_record": true
        }),
    );
    sends(
        Resume::builder()
            .room(1234)
            .id(42)
            .record(true)
            .filename("alice")
            .build(),
        json!({"request": "resume", "room": 1234, "id": 42, "record": true, "filename": "alice"}),
    );
    sends(
        Mute::builder().room(1234).secret("adminpwd").id(42).build(),
        json!({"request": "mute", "room": 1234, "secret": "adminpwd", "id": 42}),
    );
    sends(
        Unmute::builder().room(1234).id("alice").build(),
        json!({"request": "unmute", "room": 1234, "id": "alice"}),
    );
    sends(
        MuteRoom::builder().room(1234).secret("adminpwd").build(),
        json!({"request": "mute_room", "room": 1234, "secret": "adminpwd"}),
    );
    sends(
        UnmuteRoom::builder().room(1234).build(),
        json!({"request": "unmute_room", "room": 1234}),
    );
    sends(
        DenoiseEnable::builder().room(1234).id(42).build(),
        json!({"request": "denoise_enable", "room": 1234, "id": 42}),
    );
    sends(
        DenoiseDisable::builder()
            .room(1234)
            .secret("adminpwd")
            .id(42)
            .build(),
        json!({"request": "denoise_disable", "room": 1234, "secret": "adminpwd", "id": 42}),
    );
    sends(ResetDecoder::new(), json!({"request": "resetdecoder"}));
}

#[test]
fn forwarding_and_playback_requests_encode_as_documented() {
    sends(
        RtpForward::builder()
            .room(1234)
            .secret("adminpwd")
            .admin_key("supersecret")
            .group("a")
            .ssrc(5678)
            .codec(AudioCodec::Opus)
            .ptype(111)
            .host("127.0.0.1")
            .host_family(HostFamily::Ipv4)
            .port(5000)
            .srtp_suite(32)
            .srtp_crypto("WbTBosdVUZqEb6Htqhn+m3z7wUh4RJVR8nE15GbN")
            .always_on(true)
            .build(),
        json!({
            "request": "rtp_forward", "room": 1234, "secret": "adminpwd",
            "admin_key": "supersecret", "group": "a", "ssrc": 5678, "codec": "opus",
            "ptype": 111, "host": "127.0.0.1", "host_family": "ipv4", "port": 5000,
            "srtp_suite": 32, "srtp_crypto": "WbTBosdVUZqEb6Htqhn+m3z7wUh4RJVR8nE15GbN",
            "always_on": true
        }),
    );
    sends(
        RtpForward::builder()
            .room(1234)
            .host("::1")
            .host_family(HostFamily::Ipv6)
            .codec(AudioCodec::Pcmu)
            .port(5002)
            .build(),
        json!({
            "request": "rtp_forward", "room": 1234, "host": "::1", "host_family": "ipv6",
            "codec": "pcmu", "port": 5002
        }),
    );
    sends(
        StopRtpForward::builder()
            .room(1234)
            .secret("adminpwd")
            .admin_key("supersecret")
            .stream_id(99)
            .build(),
        json!({
            "request": "stop_rtp_forward", "room": 1234, "secret": "adminpwd",
            "admin_key": "supersecret", "stream_id": 99
        }),
    );
    sends(
        ListForwarders::builder()
            .room(1234)
            .secret("adminpwd")
            .build(),
        json!({"request": "listforwarders", "room": 1234, "secret": "adminpwd"}),
    );
    sends(
        PlayFile::builder()
            .room(1234)
            .secret("adminpwd")
            .admin_key("supersecret")
            .group("a")
            .file_id("jingle")
            .filename("/tmp/jingle.opus")
            .looping(true)
            .build(),
        json!({
            "request": "play_file", "room": 1234, "secret": "adminpwd",
            "admin_key": "supersecret", "group": "a", "file_id": "jingle",
            "filename": "/tmp/jingle.opus", "loop": true
        }),
    );
    sends(
        IsPlaying::builder().room(1234).file_id("jingle").build(),
        json!({"request": "is_playing", "room": 1234, "file_id": "jingle"}),
    );
    sends(
        StopFile::builder()
            .room(1234)
            .secret("adminpwd")
            .file_id("jingle")
            .build(),
        json!({"request": "stop_file", "room": 1234, "secret": "adminpwd", "file_id": "jingle"}),
    );
    sends(
        StopAllFiles::builder()
            .room(1234)
            .secret("adminpwd")
            .admin_key("supersecret")
            .build(),
        json!({
            "request": "stop_all_files", "room": 1234, "secret": "adminpwd",
            "admin_key": "supersecret"
        }),
    );
    sends(
        ListAnnouncements::builder()
            .room(1234)
            .secret("adminpwd")
            .build(),
        json!({"request": "listannouncements", "room": 1234, "secret": "adminpwd"}),
    );
}

#[test]
fn participation_requests_encode_as_documented() {
    sends(
        Join::builder()
            .room(1234)
            .id(42)
            .group("a")
            .pin("1111")
            .display("Alice")
            .token("t1")
            .muted(false)
            .suspended(true)
            .pause_events(true)
            .codec(AudioCodec::Pcma)
            .prebuffer(6)
            .bitrate(32000)
            .quality(4)
            .expected_loss(10)
            .volume(120)
            .spatial_position(30)
            .denoise(true)
            .secret("adminpwd")
            .audio_level_average(30)
            .audio_active_packets(50)
            .record(true)
            .filename("alice")
            .generate_offer(true)
            .build(),
        json!({
            "request": "join", "room": 1234, "id": 42, "group": "a", "pin": "1111",
            "display": "Alice", "token": "t1", "muted": false, "suspended": true,
            "pause_events": true, "codec": "pcma", "prebuffer": 6, "bitrate": 32000,
            "quality": 4, "expected_loss": 10, "volume": 120, "spatial_position": 30,
            "denoise": true, "secret": "adminpwd", "audio_level_average": 30,
            "audio_active_packets": 50, "record": true, "filename": "alice",
            "generate_offer": true
        }),
    );
    sends(
        Join::builder()
            .room(1234)
            .rtp(
                RtpEndpoint::builder()
                    .ip("192.0.2.1")
                    .port(4000)
                    .payload_type(111)
                    .audiolevel_ext(1)
                    .fec(true)
                    .build(),
            )
            .build(),
        json!({
            "request": "join", "room": 1234,
            "rtp": {"ip": "192.0.2.1", "port": 4000, "payload_type": 111, "audiolevel_ext": 1, "fec": true}
        }),
    );
    sends(
        Join::builder()
            .room(1234)
            .jsep(Jsep::offer("v=0\r\n"))
            .build(),
        json!({"request": "join", "room": 1234}),
    );
    sends(
        Configure::builder()
            .muted(true)
            .display("Alice B")
            .prebuffer(4)
            .bitrate(24000)
            .quality(6)
            .expected_loss(5)
            .volume(90)
            .spatial_position(70)
            .denoise(false)
            .record(true)
            .filename("alice2")
            .group("b")
            .generate_offer(false)
            .update(true)
            .rtp(RtpEndpoint::builder().ip("192.0.2.2").port(4002).build())
            .build(),
        json!({
            "request": "configure", "muted": true, "display": "Alice B", "prebuffer": 4,
            "bitrate": 24000, "quality": 6, "expected_loss": 5, "volume": 90,
            "spatial_position": 70, "denoise": false, "record": true, "filename": "alice2",
            "group": "b", "generate_offer": false, "update": true,
            "rtp": {"ip": "192.0.2.2", "port": 4002}
        }),
    );
    sends(
        Configure::builder().jsep(Jsep::answer("v=0\r\n")).build(),
        json!({"request": "configure"}),
    );
    sends(Configure::default(), json!({"request": "configure"}));
    sends(
        ChangeRoom::builder()
            .room(5678)
            .id(43)
            .group("a")
            .pin("2222")
            .display("Alice")
            .token("t9")
            .muted(true)
            .suspended(false)
            .pause_events(false)
            .bitrate(16000)
            .quality(3)
            .expected_loss(0)
            .volume(100)
            .spatial_position(50)
            .denoise(true)
            .secret("otherpwd")
            .build(),
        json!({
            "request": "changeroom", "room": 5678, "id": 43, "group": "a", "pin": "2222",
            "display": "Alice", "token": "t9", "muted": true, "suspended": false,
            "pause_events": false, "bitrate": 16000, "quality": 3, "expected_loss": 0,
            "volume": 100, "spatial_position": 50, "denoise": true, "secret": "otherpwd"
        }),
    );
    sends(Leave::new(), json!({"request": "leave"}));
    sends(Hangup::new(), json!({"request": "hangup"}));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let join = Join::builder()
        .room(1)
        .pin("1111")
        .token("t1")
        .secret("adminpwd")
        .build();
    let debug = format!("{join:?}");
    assert!(!debug.contains("1111") && !debug.contains("t1") && !debug.contains("adminpwd"));
}

#[test]
fn room_management_replies_decode_as_documented() {
    let created: Created =
        decodes(json!({"audiobridge": "created", "room": 1234, "permanent": false}));
    assert_eq!((created.room, created.permanent), (Id::from(1234), false));
    let created: Created =
        decodes(json!({"audiobridge": "created", "room": "room-a", "permanent": true}));
    assert_eq!(created.room, Id::from("room-a"));
    let edited: Edited = decodes(json!({"audiobridge": "edited", "room": 1234, "permanent": true}));
    assert_eq!((edited.room, edited.permanent), (Id::from(1234), true));
    let destroyed: Destroyed =
        decodes(json!({"audiobridge": "destroyed", "room": 1234, "permanent": false}));
    assert_eq!(destroyed.permanent, Some(false));
    let recording: RecordingStatus = decodes(json!({"audiobridge": "success", "record": true}));
    assert!(recording.record);
    let mjrs: MjrsStatus = decodes(json!({"audiobridge": "success", "mjrs": false}));
    assert!(!mjrs.mjrs);
    let exists: RoomExists =
        decodes(json!({"audiobridge": "success", "room": 1234, "exists": true}));
    assert_eq!((exists.room, exists.exists), (Id::from(1234), true));
    let allowed: AllowedTokens =
        decodes(json!({"audiobridge": "success", "room": 1234, "allowed": ["t1", "t3"]}));
    assert_eq!(
        allowed.allowed,
        Some(vec![Secret::from("t1"), Secret::from("t3")])
    );
    let disabled: AllowedTokens = decodes(json!({"audiobridge": "success", "room": 1234}));
    assert_eq!(disabled.allowed, None);
    let success: Success = decodes(json!({"audiobridge": "success"}));
    assert_eq!(success.room, None);
    let success: Success = decodes(json!({"audiobridge": "success", "room": 1234}));
    assert_eq!(success.room, Some(Id::from(1234)));
    let list: RoomList = decodes(json!({
        "audiobridge": "success",
        "list": [{
            "room": 1234, "description": "Demo", "sampling_rate": 16000,
            "spatial_audio": false, "pin_required": true, "record": false, "muted": false,
            "num_participants": 2
        }]
    }));
    assert_eq!(
        list.list,
        vec![RoomInfo {
            room: Id::from(1234),
            description: "Demo".into(),
            sampling_rate: 16000,
            spatial_audio: false,
            pin_required: true,
            record: false,
            muted: false,
            num_participants: 2,
        }]
    );
    let participants: ParticipantList = decodes(json!({
        "audiobridge": "participants", "room": 1234,
        "participants": [
            {"id": 42, "display": "Alice", "setup": true, "muted": false, "talking": true,
             "spatial_position": 30, "suspended": true},
            {"id": 43, "setup": false, "muted": true}
        ]
    }));
    assert_eq!(participants.room, Id::from(1234));
    assert_eq!(
        participants.participants,
        vec![
            Participant {
                talking: Some(true),
                spatial_position: Some(30),
                suspended: Some(true),
                ..participant(42, Some("Alice"), true, false)
            },
            participant(43, None, false, true),
        ]
    );
}

#[test]
fn forwarding_and_playback_replies_decode_as_documented() {
    let forwarded: RtpForwarded = decodes(json!({
        "audiobridge": "success", "room": 1234, "group": "a", "stream_id": 99,
        "host": "127.0.0.1", "port": 5000
    }));
    assert_eq!(
        (
            forwarded.group.as_deref(),
            forwarded.stream_id,
            forwarded.host.as_str(),
            forwarded.port
        ),
        (Some("a"), 99, "127.0.0.1", 5000)
    );
    let stopped: RtpForwardStopped =
        decodes(json!({"audiobridge": "success", "room": 1234, "stream_id": 99}));
    assert_eq!((stopped.room, stopped.stream_id), (Id::from(1234), 99));
    let forwarders: ForwarderList = decodes(json!({
        "audiobridge": "forwarders", "room": 1234,
        "rtp_forwarders": [
            {"stream_id": 99, "group": "a", "ip": "127.0.0.1", "port": 5000, "ssrc": 5678,
             "codec": "opus", "ptype": 100, "srtp": true, "always_on": false},
            {"stream_id": 100, "ip": "::1", "port": 5002, "ssrc": 100, "codec": "pcmu",
             "ptype": 0, "always_on": true}
        ]
    }));
    assert_eq!(
        forwarders.rtp_forwarders,
        vec![
            Forwarder {
                stream_id: 99,
                group: Some("a".into()),
                ip: "127.0.0.1".into(),
                port: 5000,
                ssrc: 5678,
                codec: AudioCodec::Opus,
                ptype: 100,
                srtp: Some(true),
                always_on: false,
            },
            Forwarder {
                stream_id: 100,
                group: None,
                ip: "::1".into(),
                port: 5002,
                ssrc: 100,
                codec: AudioCodec::Pcmu,
                ptype: 0,
                srtp: None,
                always_on: true,
            },
        ]
    );
    let playing: Playback =
        decodes(json!({"audiobridge": "success", "room": 1234, "file_id": "jingle"}));
    assert_eq!(playing.file_id, "jingle");
    let status: PlaybackStatus = decodes(json!({
        "audiobridge": "success", "room": 1234, "file_id": "jingle", "playing": true
    }));
    assert!(status.playing);
    let all: PlaybacksStopped = decodes(json!({
        "audiobridge": "success", "room": 1234, "file_id_list": ["jingle", "music"]
    }));
    assert_eq!(all.file_id_list, vec!["jingle", "music"]);
    let announcements: AnnouncementList = decodes(json!({
        "audiobridge": "announcements", "room": 1234,
        "announcements": [
            {"file_id": "jingle", "filename": "/tmp/jingle.opus", "playing": true, "loop": false}
        ]
    }));
    assert_eq!(
        announcements.announcements,
        vec![Announcement {
            file_id: "jingle".into(),
            filename: Some("/tmp/jingle.opus".into()),
            playing: true,
            looping: false,
        }]
    );
}

#[test]
fn replies_missing_a_required_field_do_not_decode() {
    let data = plugin_data(&json!({"audiobridge": "created", "permanent": false}));
    assert!(data.parse::<Created>().is_err());
    let data = plugin_data(&json!({"audiobridge": "success", "room": 1234}));
    assert!(data.parse::<RoomExists>().is_err());
    assert!(data.parse::<Playback>().is_err());
    assert!(data.parse::<RtpForwardStopped>().is_err());
    let data = plugin_data(&json!({"audiobridge": "participants", "room": 1234}));
    assert!(data.parse::<ParticipantList>().is_err());
    let data =
        plugin_data(&json!({"audiobridge": "joined", "room": 1234, "participants": [{"id": 1}]}));
    assert!(data.parse::<Joined>().is_err());
    // Through the core: a reply that is not what the model says is `UnexpectedReply`.
    let data = json!({"audiobridge": "success", "room": 1, "exists": true});
    let frame = json!({
        "janus": "success", "transaction": "t", "sender": 2,
        "plugindata": {"plugin": PACKAGE, "data": data}
    })
    .to_string();
    let reply = Reply {
        kind: ReplyKind::Plugin {
            data: plugin_data(&data),
            jsep: None,
        },
        raw: RawFrame::new(Bytes::from(frame)),
    };
    assert!(matches!(
        OnHandle::<Create>::output(reply.clone()),
        Err(RequestError::UnexpectedReply(_))
    ));
    let typed = OnHandle::<Exists>::output(reply).expect("an exists reply");
    assert_eq!((typed.value.room, typed.value.exists), (Id::from(1), true));
}

#[test]
fn participation_outcomes_decode_as_documented() {
    let joined = Joined {
        word: Default::default(),
        room: Id::from(1234),
        id: Some(Id::from(42)),
        participants: vec![Participant {
            talking: Some(false),
            ..participant(43, Some("Bob"), true, false)
        }],
        rtp: None,
    };
    let data = json!({
        "audiobridge": "joined", "room": 1234, "id": 42,
        "participants": [{"id": 43, "display": "Bob", "setup": true, "muted": false, "talking": false}]
    });
    assert_eq!(decodes::<Joined>(data.clone()), joined);
    is_event(data, Event::Joined(joined));
    let plain_rtp: Joined = decodes(json!({
        "audiobridge": "joined", "room": 1234, "id": 42, "participants": [],
        "rtp": {"ip": "198.51.100.1", "port": 20000, "payload_type": 100}
    }));
    assert_eq!(
        plain_rtp.rtp,
        Some(RtpInfo {
            ip: "198.51.100.1".into(),
            port: 20000,
            payload_type: 100
        })
    );
    let accepted: Accepted = decodes(json!({"audiobridge": "event", "result": "ok"}));
    assert_eq!(accepted.result, "ok");
    let changed: RoomChanged = decodes(json!({
        "audiobridge": "roomchanged", "room": 5678, "id": 43,
        "participants": [{"id": 44, "setup": true, "muted": true, "spatial_position": 50}]
    }));
    assert_eq!((changed.room, changed.id), (Id::from(5678), Id::from(43)));
    assert_eq!(changed.participants[0].spatial_position, Some(50));
    let left: Left = decodes(json!({"audiobridge": "left", "room": 1234, "id": 42}));
    assert_eq!((left.room, left.id), (Some(Id::from(1234)), Id::from(42)));
    let _: HangingUp = decodes(json!({"audiobridge": "hangingup"}));
}

#[test]
fn every_room_event_has_its_typed_view() {
    let room = || Id::from(1234);
    is_event(
        json!({"audiobridge": "joined", "room": 1234,
               "participants": [{"id": 44, "display": "Carol", "setup": false, "muted": false}]}),
        Event::Joined(Joined {
            word: Default::default(),
            room: room(),
            id: None,
            participants: vec![participant(44, Some("Carol"), false, false)],
            rtp: None,
        }),
    );
    is_event(
        json!({"audiobridge": "roomchanged", "room": 1234, "id": 42, "participants": []}),
        Event::RoomChanged(RoomChanged {
            word: Default::default(),
            room: room(),
            id: Id::from(42),
            participants: vec![],
        }),
    );
    is_event(
        json!({"audiobridge": "left", "room": 1234, "id": 42}),
        Event::Left(Left {
            word: Default::default(),
            room: Some(room()),
            id: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "hangingup"}),
        Event::HangingUp(HangingUp {
            word: Default::default(),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "result": "ok"}),
        Event::Accepted(Accepted {
            word: Default::default(),
            result: "ok".into(),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234,
               "participants": [{"id": 42, "display": "Alice", "setup": true, "muted": true, "suspended": true}]}),
        Event::ParticipantsChanged(ParticipantsChanged {
            word: Default::default(),
            room: room(),
            participants: vec![Participant {
                suspended: Some(true),
                ..participant(42, Some("Alice"), true, true)
            }],
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "leaving": 42}),
        Event::Leaving(Leaving {
            word: Default::default(),
            room: room(),
            leaving: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "kicked": 42}),
        Event::Kicked(Kicked {
            word: Default::default(),
            room: room(),
            kicked: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "kicked_all": 42}),
        Event::KickedAll(KickedAll {
            word: Default::default(),
            room: room(),
            kicked_all: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "suspended": 42}),
        Event::Suspended(Suspended {
            word: Default::default(),
            room: room(),
            suspended: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "resumed": 42}),
        Event::Resumed(Resumed {
            word: Default::default(),
            room: room(),
            resumed: Id::from(42),
            participants: None,
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "resumed": 42,
               "participants": [{"id": 43, "setup": true, "muted": false}]}),
        Event::Resumed(Resumed {
            word: Default::default(),
            room: room(),
            resumed: Id::from(42),
            participants: Some(vec![participant(43, None, true, false)]),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "room": 1234, "muted": true}),
        Event::RoomMuted(RoomMuted {
            word: Default::default(),
            room: room(),
            muted: true,
        }),
    );
    is_event(
        json!({"audiobridge": "destroyed", "room": 1234}),
        Event::Destroyed(Destroyed {
            word: Default::default(),
            room: room(),
            permanent: None,
        }),
    );
    is_event(
        json!({"audiobridge": "talking", "room": 1234, "id": 42}),
        Event::Talking(Talking {
            word: Default::default(),
            room: room(),
            id: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "stopped-talking", "room": 1234, "id": 42}),
        Event::StoppedTalking(StoppedTalking {
            word: Default::default(),
            room: room(),
            id: Id::from(42),
        }),
    );
    is_event(
        json!({"audiobridge": "announcement-started", "room": 1234, "file_id": "jingle"}),
        Event::AnnouncementStarted(AnnouncementStarted {
            word: Default::default(),
            room: room(),
            file_id: "jingle".into(),
        }),
    );
    is_event(
        json!({"audiobridge": "announcement-stopped", "room": 1234, "file_id": "jingle"}),
        Event::AnnouncementStopped(AnnouncementStopped {
            word: Default::default(),
            room: room(),
            file_id: "jingle".into(),
        }),
    );
    is_event(
        json!({"audiobridge": "event", "error_code": 485, "error": "No such room (1234)"}),
        Event::Failure(Failure {
            word: Default::default(),
            error_code: 485,
            error: "No such room (1234)".into(),
        }),
    );
}

#[test]
fn unknown_or_undecodable_events_are_other() {
    for data in [
        json!({"audiobridge": "something-new", "room": 1234}),
        json!({"audiobridge": "event", "room": 1234, "novelty": true}),
        json!({"audiobridge": "event", "room": 1234, "leaving": true}),
        json!({"audiobridge": "joined", "participants": []}),
        json!({"audiobridge": "talking", "room": 1234}),
        json!({"no word": 1}),
        json!([1, 2]),
    ] {
        let event = Event::from_data(&plugin_data(&data));
        assert_eq!(event, Event::Other, "{data}");
        assert_eq!(serde_json::to_value(&event).ok(), Some(Value::Null));
    }
    let foreign = testing::plugin_data(
        "janus.plugin.videoroom",
        &json!({"audiobridge": "event", "room": 1, "leaving": 2}),
    );
    assert_eq!(Event::from_data(&foreign), Event::Other);
    assert_eq!(
        <AudioBridge as crate::plugins::Plugin>::event(&plugin_data(
            &json!({"audiobridge": "hangingup"})
        )),
        Event::HangingUp(HangingUp {
            word: Default::default()
        })
    );
}

#[test]
fn error_codes_map_both_ways() {
    let codes = [
        (480, ErrorCode::NoMessage),
        (481, ErrorCode::InvalidJson),
        (482, ErrorCode::InvalidRequest),
        (483, ErrorCode::MissingElement),
        (484, ErrorCode::InvalidElement),
        (485, ErrorCode::NoSuchRoom),
        (486, ErrorCode::RoomExists),
        (487, ErrorCode::NotJoined),
        (488, ErrorCode::LibopusError),
        (489, ErrorCode::Unauthorized),
        (490, ErrorCode::IdExists),
        (491, ErrorCode::AlreadyJoined),
        (492, ErrorCode::NoSuchUser),
        (493, ErrorCode::InvalidSdp),
        (494, ErrorCode::NoSuchGroup),
        (499, ErrorCode::UnknownError),
    ];
    for (code, typed) in codes {
        assert_eq!(ErrorCode::from_code(code), typed);
        assert_eq!(typed.code(), code);
    }
    assert_eq!(ErrorCode::from_code(495), ErrorCode::Other(495));
    assert_eq!(ErrorCode::Other(495).code(), 495);
    let error = |plugin: &str| PluginError {
        plugin: plugin.into(),
        code: 485,
        reason: "No such room (1234)".into(),
        data: testing::plugin_data(
            plugin,
            &json!({"audiobridge": "event", "error_code": 485, "error": "No such room (1234)"}),
        ),
    };
    assert_eq!(
        AudioBridge::error_of(&error(PACKAGE)),
        Some(ErrorCode::NoSuchRoom)
    );
    assert_eq!(AudioBridge::error_of(&error("janus.plugin.textroom")), None);
}
