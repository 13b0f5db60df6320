//! Streaming: the mountpoint lifecycle (create, info, list, edit, recording, enable,
//! disable, kick_all, destroy) with its secrets and error codes, and a viewer's requests
//! that need no PeerConnection (watch gets Janus's offer; pause, start, configure and switch
//! act on a viewer whose PeerConnection was never negotiated), with the events other
//! handles' requests send it.
//!
//! What needs a negotiated PeerConnection is left to the media tests: `start` with the
//! viewer's answer (and the `started` event), `watch` with the viewer's own offer (the WHEP
//! way, Janus 1.4), `stop` of a started viewer (`stopping`; the only answer Janus 1.1.2
//! gives a `stop`), and the simulcast/SVC layer events.
//!
//! Beware: `disable` with `stop_recording` (its default) makes both Janus versions
//! dereference a NULL recorder (when logging at level 4 or more, the harness's default) and
//! crash, unless every stream of the mountpoint is being recorded. The scenarios only
//! disable with every stream recording, or with `stop_recording: false`.

use std::fmt::Debug;
use std::path::Path;
use std::time::{Duration, Instant};

use janus_proto::plugins::streaming::{
    Configure, Create, Destroy, Disable, Edit, Enable, ErrorCode, Event, FileSource, Info, KickAll,
    List, MediaType, MountpointInfo, MountpointKind, Pause, Recording, RecordingAction,
    RecordingMedia, RtpMedia, RtpSource, Source, Start, Status, StatusEvent, Stop, Streaming,
    Switch, Watch,
};
use janus_proto::plugins::{Id, Plugin, PluginEvent, PluginHandle};
use janus_proto::request::{Message, Request as _};
use janus_proto::{HandleEventKind, JsepType, RequestError};
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;
use serde_json::json;

use super::Setup;

every_driver_and_version!(
    mountpoint_lifecycle,
    secret_pin_and_admin_key,
    mountpoint_errors,
    viewer_without_peer_connection,
);

/// The typed Streaming error code of a failed request.
fn error_code<T: Debug>(outcome: Result<T, Error>) -> ErrorCode {
    match outcome {
        Err(Error::Request(e)) => Streaming::request_error(&e)
            .unwrap_or_else(|| panic!("not a Streaming plugin error: {e:?}")),
        other => panic!("expected a Streaming plugin error, got {other:?}"),
    }
}

/// An `rtp` mountpoint `id` receiving Opus (mid `a`), VP8 (mid `v`, with RTCP and an msid)
/// and data (mid `d`) on loopback ports Janus picks.
fn rtp_source() -> Source {
    let stream = |kind, mid: &str| {
        RtpMedia::builder()
            .kind(kind)
            .mid(mid)
            .port(0)
            .iface("127.0.0.1")
    };
    Source::Rtp(
        RtpSource::builder()
            .media(vec![
                stream(MediaType::Audio, "a").pt(111).codec("opus").build(),
                stream(MediaType::Video, "v")
                    .pt(100)
                    .codec("vp8")
                    .rtcpport(0)
                    .msid("cam video0")
                    .build(),
                stream(MediaType::Data, "d").build(),
            ])
            .build(),
    )
}

/// One audio stream on a loopback port Janus picks.
fn audio_only_source() -> Source {
    Source::Rtp(
        RtpSource::builder()
            .media(vec![RtpMedia::builder()
                .kind(MediaType::Audio)
                .mid("a")
                .port(0)
                .iface("127.0.0.1")
                .pt(111)
                .codec("opus")
                .build()])
            .build(),
    )
}

/// An `ondemand` mountpoint source playing `file` (raw A-law).
fn ondemand_source(file: &Path) -> Source {
    Source::OnDemand(
        FileSource::builder()
            .filename(file.to_str().expect("a UTF-8 temp path"))
            .audiopt(8)
            .audiocodec("pcma")
            .build(),
    )
}

/// A raw A-law file of one second of silence in `dir`.
fn alaw_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("silence.alaw");
    std::fs::write(&path, [0xd5_u8; 8000]).expect("write the A-law file");
    path
}

/// `info` of `id` with `secret` (none: the public view).
fn info<D: JanusDriver>(
    s: &mut Setup<D, Streaming>,
    id: u64,
    secret: Option<&str>,
) -> MountpointInfo {
    let request = match secret {
        Some(secret) => Info::builder().id(id).secret(secret).build(),
        None => Info::builder().id(id).build(),
    };
    let reply = s
        .recorder
        .call(&mut s.conn, s.handle, request)
        .expect("info");
    assert_eq!(reply.value.info.id, Id::Number(id));
    reply.value.info
}

fn mountpoint_lifecycle<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Streaming>::new(version, "mountpoint_lifecycle");
    let handle = s.handle;
    let id = unique_id();
    let name = format!("lifecycle-{id}");
    let records = tempfile::tempdir().expect("a temp folder");

    // Create: with `admin_key` (the harness configures none, so Janus ignores it), a name,
    // a description, metadata, a secret and a PIN.
    let created = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Create::builder()
                .admin_key("unused")
                .id(id)
                .name(name.clone())
                .description("three streams")
                .metadata("{\"camera\":1}")
                .secret("s3cret")
                .pin("1234")
                .is_private(false)
                .permanent(false)
                .source(rtp_source())
                .build(),
        )
        .expect("create");
    let created = created.value;
    assert_eq!(created.created, name);
    assert!(!created.permanent);
    assert_eq!(created.warning, None, "the media way is not deprecated");
    let stream = &created.stream;
    assert_eq!(stream.id, Id::Number(id));
    assert_eq!(stream.kind, MountpointKind::Live);
    assert_eq!(stream.description.as_deref(), Some("three streams"));
    assert!(!stream.is_private);
    let mids: Vec<_> = stream.ports.iter().map(|p| p.mid.as_str()).collect();
    assert_eq!(mids, ["a", "v", "d"]);
    let kinds: Vec<_> = stream.ports.iter().map(|p| p.kind.clone()).collect();
    assert_eq!(kinds, [MediaType::Audio, MediaType::Video, MediaType::Data]);
    for port in &stream.ports {
        assert!(port.port.is_some_and(|p| p > 0), "{port:?}");
    }
    assert!(stream.ports[1].rtcp_port.is_some_and(|p| p > 0));
    assert_eq!(stream.ports[0].rtcp_port, None);
    assert_eq!(stream.ports[1].msid.as_deref(), Some("cam video0"));
    // Where the bound address is: the mountpoint's in 1.1.2, each stream's in 1.4.1.
    if version == JanusVersion::V1_1_2 {
        assert_eq!(stream.host.as_deref(), Some("127.0.0.1"));
        assert!(stream.ports.iter().all(|p| p.host.is_none()));
    } else {
        assert_eq!(stream.host, None);
        assert!(stream
            .ports
            .iter()
            .all(|p| p.host.as_deref() == Some("127.0.0.1")));
    }
    let ports: Vec<_> = stream.ports.iter().map(|p| p.port).collect();

    // Info without the secret: the public view.
    let public = info(&mut s, id, None);
    assert_eq!(public.description.as_deref(), Some("three streams"));
    assert_eq!(public.metadata.as_deref(), Some("{\"camera\":1}"));
    assert!(public.enabled);
    assert_eq!(public.kind, MountpointKind::Live);
    assert_eq!(public.name, None);
    assert_eq!(public.secret, None);
    assert_eq!(public.pin, None);
    assert_eq!(public.viewers, None);
    assert_eq!(public.host, None);
    assert_eq!(public.media.len(), 3);
    assert!(public.media.iter().all(|m| m.port.is_none()));
    let audio = &public.media[0];
    assert_eq!(
        (audio.mid.as_deref(), audio.mindex, audio.kind.clone()),
        (Some("a"), Some(0), MediaType::Audio)
    );
    assert_eq!(audio.codec.as_deref(), Some("opus"));
    assert_eq!(audio.pt, Some(111));
    assert_eq!(audio.rtpmap.as_deref(), Some("opus/48000/2"));
    assert_eq!(audio.label.as_deref(), Some("audio"));
    let video = &public.media[1];
    assert_eq!(video.codec.as_deref(), Some("vp8"));
    assert_eq!(video.rtpmap.as_deref(), Some("VP8/90000"));
    assert_eq!(video.msid.as_deref(), Some("cam video0"));
    let data = &public.media[2];
    assert_eq!(data.kind, MediaType::Data);
    // 1.4.1 says how a data stream relays its messages; 1.1.2 does not.
    let datatype = (version == JanusVersion::V1_4_1).then_some("text");
    assert_eq!(data.datatype.as_deref(), datatype);

    // Info with the secret: the admin view, with the ports bound.
    let admin = info(&mut s, id, Some("s3cret"));
    assert_eq!(admin.name.as_deref(), Some(name.as_str()));
    assert_eq!(admin.secret.as_ref().map(|x| x.expose()), Some("s3cret"));
    assert_eq!(admin.pin.as_ref().map(|x| x.expose()), Some("1234"));
    assert_eq!(admin.is_private, None, "only a private mountpoint says so");
    assert_eq!(admin.viewers, Some(0));
    assert_eq!(admin.host.as_deref(), Some("127.0.0.1"));
    let admin_ports: Vec<_> = admin.media.iter().map(|m| m.port).collect();
    assert_eq!(admin_ports, ports);
    assert_eq!(admin.media[1].rtcpport, stream.ports[1].rtcp_port);

    // List: the mountpoint with its streams (other scenarios' mountpoints too).
    let list = s
        .recorder
        .call(&mut s.conn, handle, List::default())
        .expect("list");
    let entry = list
        .value
        .list
        .iter()
        .find(|m| m.id == Id::Number(id))
        .unwrap_or_else(|| panic!("{id} not listed: {:?}", list.value.list));
    assert_eq!(entry.kind, MountpointKind::Live);
    assert!(entry.enabled);
    assert_eq!(entry.description.as_deref(), Some("three streams"));
    assert_eq!(entry.metadata.as_deref(), Some("{\"camera\":1}"));
    let listed: Vec<_> = entry.media.iter().map(|m| m.mid.as_deref()).collect();
    assert_eq!(listed, [Some("a"), Some("v"), Some("d")]);
    assert_eq!(entry.media[1].msid.as_deref(), Some("cam video0"));

    // Edit: description, metadata and PIN.
    let edited = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Edit::builder()
                .id(id)
                .secret("s3cret")
                .new_description("edited")
                .new_metadata("m2")
                .new_pin("5678")
                .permanent(false)
                .build(),
        )
        .expect("edit");
    assert_eq!(edited.value.id, Id::Number(id));
    assert!(!edited.value.permanent);
    let after = info(&mut s, id, Some("s3cret"));
    assert_eq!(after.description.as_deref(), Some("edited"));
    assert_eq!(after.metadata.as_deref(), Some("m2"));
    assert_eq!(after.pin.as_ref().map(|x| x.expose()), Some("5678"));

    // Recording every stream, named by mid.
    let base = |mid: &str| records.path().join(format!("{mid}-{id}"));
    let media = ["a", "v", "d"]
        .map(|mid| {
            RecordingMedia::builder()
                .mid(mid)
                .filename(base(mid).to_str().expect("a UTF-8 temp path"))
                .build()
        })
        .to_vec();
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Recording::builder()
                .action(RecordingAction::Start)
                .id(id)
                .secret("s3cret")
                .media(media)
                .build(),
        )
        .expect("recording start");
    let recording = info(&mut s, id, Some("s3cret"));
    for (stream, mid) in recording.media.iter().zip(["a", "v", "d"]) {
        assert_eq!(
            stream.recording.as_deref(),
            Some(format!("{mid}-{id}.mjr").as_str()),
            "Janus names the file without its folder"
        );
        assert!(Path::new(&format!("{}.mjr", base(mid).display())).exists());
    }
    // Again: this stream is already recording.
    let again = s.recorder.call(
        &mut s.conn,
        handle,
        Recording::builder()
            .action(RecordingAction::Start)
            .id(id)
            .secret("s3cret")
            .media(vec![RecordingMedia::builder()
                .mid("a")
                .filename(base("again").to_str().expect("a UTF-8 temp path"))
                .build()])
            .build(),
    );
    assert_eq!(error_code(again), ErrorCode::InvalidRequest);

    // Disable (every stream is recording, so `stop_recording`, the default, is safe): the
    // recordings stop and the mountpoint is disabled.
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Disable::builder().id(id).secret("s3cret").build(),
        )
        .expect("disable");
    let disabled = info(&mut s, id, Some("s3cret"));
    assert!(!disabled.enabled);
    assert!(disabled.media.iter().all(|m| m.recording.is_none()));
    // Disabled again, keeping recordings (none).
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Disable::builder()
                .id(id)
                .secret("s3cret")
                .stop_recording(false)
                .build(),
        )
        .expect("disable again");
    let list = s
        .recorder
        .call(&mut s.conn, handle, List::default())
        .expect("list");
    let entry = list.value.list.iter().find(|m| m.id == Id::Number(id));
    assert_eq!(entry.map(|m| m.enabled), Some(false));
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Enable::builder().id(id).secret("s3cret").build(),
        )
        .expect("enable");
    assert!(info(&mut s, id, None).enabled);

    // Recording one stream, then stopping it.
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Recording::builder()
                .action(RecordingAction::Start)
                .id(id)
                .secret("s3cret")
                .media(vec![RecordingMedia::builder()
                    .mid("v")
                    .filename(base("video").to_str().expect("a UTF-8 temp path"))
                    .build()])
                .build(),
        )
        .expect("recording start");
    let one = info(&mut s, id, Some("s3cret"));
    let recording: Vec<_> = one.media.iter().map(|m| m.recording.is_some()).collect();
    assert_eq!(recording, [false, true, false]);
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Recording::builder()
                .action(RecordingAction::Stop)
                .id(id)
                .secret("s3cret")
                .media(vec![RecordingMedia::builder().mid("v").build()])
                .build(),
        )
        .expect("recording stop");
    let stopped = info(&mut s, id, Some("s3cret"));
    assert!(stopped.media.iter().all(|m| m.recording.is_none()));

    // Kick all (no viewers), destroy, and it is gone.
    s.recorder
        .call(
            &mut s.conn,
            handle,
            KickAll::builder().id(id).secret("s3cret").build(),
        )
        .expect("kick_all");
    let destroyed = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Destroy::builder()
                .id(id)
                .secret("s3cret")
                .permanent(false)
                .build(),
        )
        .expect("destroy");
    assert_eq!(destroyed.value.destroyed, Id::Number(id));
    let gone = s
        .recorder
        .call(&mut s.conn, handle, Info::builder().id(id).build());
    assert_eq!(error_code(gone), ErrorCode::NoSuchMountpoint);
    s.finish();
}

fn secret_pin_and_admin_key<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Streaming>::new(version, "secret_pin_and_admin_key");
    let handle = s.handle;
    let id = unique_id();
    let created = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Create::builder()
                .admin_key("any key")
                .id(id)
                .description("private")
                .is_private(true)
                .secret("old")
                .source(audio_only_source())
                .build(),
        )
        .expect("create: the harness configures no admin_key, so any is accepted");
    assert!(created.value.stream.is_private);
    assert_eq!(
        created.value.created,
        format!("mp-{id}"),
        "the default name"
    );

    // A private mountpoint is listed only with the plugin's admin_key; with none
    // configured, never (whatever key the request carries).
    for list in [
        List::default(),
        List::builder().admin_key("any key").build(),
    ] {
        let listed = s
            .recorder
            .call(&mut s.conn, handle, list)
            .expect("list")
            .value
            .list;
        assert!(listed.iter().all(|m| m.id != Id::Number(id)));
    }
    // Info says it is private only to whoever has the secret.
    assert_eq!(info(&mut s, id, None).is_private, None);
    assert_eq!(info(&mut s, id, Some("wrong")).is_private, None);
    assert_eq!(info(&mut s, id, Some("old")).is_private, Some(true));

    // Requests that need the secret: missing, wrong.
    let missing = s.recorder.call(
        &mut s.conn,
        handle,
        Edit::builder().id(id).new_description("x").build(),
    );
    assert_eq!(error_code(missing), ErrorCode::MissingElement);
    let wrong = s.recorder.call(
        &mut s.conn,
        handle,
        Edit::builder()
            .id(id)
            .secret("wrong")
            .new_description("x")
            .build(),
    );
    assert_eq!(error_code(wrong), ErrorCode::Unauthorized);
    let missing = s
        .recorder
        .call(&mut s.conn, handle, KickAll::builder().id(id).build());
    assert_eq!(error_code(missing), ErrorCode::MissingElement);
    let wrong = s.recorder.call(
        &mut s.conn,
        handle,
        Enable::builder().id(id).secret("wrong").build(),
    );
    assert_eq!(error_code(wrong), ErrorCode::Unauthorized);
    let wrong = s.recorder.call(
        &mut s.conn,
        handle,
        Disable::builder()
            .id(id)
            .secret("wrong")
            .stop_recording(false)
            .build(),
    );
    assert_eq!(error_code(wrong), ErrorCode::Unauthorized);
    let wrong = s.recorder.call(
        &mut s.conn,
        handle,
        Recording::builder()
            .action(RecordingAction::Stop)
            .id(id)
            .secret("wrong")
            .media(vec![RecordingMedia::builder().mid("a").build()])
            .build(),
    );
    assert_eq!(error_code(wrong), ErrorCode::Unauthorized);
    let wrong = s.recorder.call(
        &mut s.conn,
        handle,
        Destroy::builder().id(id).secret("wrong").build(),
    );
    assert_eq!(error_code(wrong), ErrorCode::Unauthorized);

    // A new secret (and public now): the old one no longer works.
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Edit::builder()
                .id(id)
                .secret("old")
                .new_secret("new")
                .new_is_private(false)
                .build(),
        )
        .expect("edit the secret");
    let old = s.recorder.call(
        &mut s.conn,
        handle,
        Destroy::builder().id(id).secret("old").build(),
    );
    assert_eq!(error_code(old), ErrorCode::Unauthorized);
    let listed = s
        .recorder
        .call(&mut s.conn, handle, List::default())
        .expect("list")
        .value
        .list;
    assert!(listed.iter().any(|m| m.id == Id::Number(id)), "now public");
    let destroyed = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Destroy::builder().id(id).secret("new").build(),
        )
        .expect("destroy with the new secret");
    assert_eq!(destroyed.value.destroyed, Id::Number(id));
    s.finish();
}

fn mountpoint_errors<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Streaming>::new(version, "mountpoint_errors");
    let handle = s.handle;
    let id = unique_id();
    let files = tempfile::tempdir().expect("a temp folder");

    s.recorder
        .call(
            &mut s.conn,
            handle,
            Create::builder().id(id).source(audio_only_source()).build(),
        )
        .expect("create");
    // The same id again.
    let duplicate = s.recorder.call(
        &mut s.conn,
        handle,
        Create::builder().id(id).source(audio_only_source()).build(),
    );
    assert_eq!(error_code(duplicate), ErrorCode::CantCreate);
    // No streams: an empty `media`, or none at all.
    let empty = s.recorder.call(
        &mut s.conn,
        handle,
        Create::builder()
            .id(id + 1)
            .source(Source::Rtp(RtpSource::builder().media(vec![]).build()))
            .build(),
    );
    assert_eq!(error_code(empty), ErrorCode::CantCreate);
    let none = s.recorder.call(
        &mut s.conn,
        handle,
        Create::builder()
            .id(id + 1)
            .source(Source::Rtp(RtpSource::default()))
            .build(),
    );
    assert_eq!(error_code(none), ErrorCode::CantCreate);
    // A file mountpoint whose file does not exist.
    let missing_file = files.path().join("missing.alaw");
    let no_file = s.recorder.call(
        &mut s.conn,
        handle,
        Create::builder()
            .id(id + 1)
            .source(Source::Live(
                FileSource::builder()
                    .filename(missing_file.to_str().expect("a UTF-8 temp path"))
                    .audiopt(8)
                    .audiocodec("pcma")
                    .build(),
            ))
            .build(),
    );
    assert_eq!(error_code(no_file), ErrorCode::CantCreate);
    // A string id where the plugin uses numbers (no `string_ids`): a wrong field.
    let text_id = s.recorder.call(
        &mut s.conn,
        handle,
        Info::builder().id("not-a-number").build(),
    );
    assert_eq!(error_code(text_id), ErrorCode::InvalidElement);

    // Every request on a mountpoint that does not exist.
    let nowhere = id + 2;
    let outcomes = [
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Info::builder().id(nowhere).build()),
        ),
        error_code(s.recorder.call(
            &mut s.conn,
            handle,
            Edit::builder().id(nowhere).new_description("x").build(),
        )),
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Enable::builder().id(nowhere).build()),
        ),
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Disable::builder().id(nowhere).build()),
        ),
        error_code(
            s.recorder
                .call(&mut s.conn, handle, KickAll::builder().id(nowhere).build()),
        ),
        error_code(
            s.recorder.call(
                &mut s.conn,
                handle,
                Recording::builder()
                    .action(RecordingAction::Stop)
                    .id(nowhere)
                    .build(),
            ),
        ),
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Destroy::builder().id(nowhere).build()),
        ),
    ];
    assert_eq!(outcomes, [ErrorCode::NoSuchMountpoint; 7]);

    // An on-demand file mountpoint: listed and described as such; it cannot be recorded.
    let ondemand = id + 3;
    let file = alaw_file(files.path());
    let created = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Create::builder()
                .id(ondemand)
                .description("a file")
                .source(ondemand_source(&file))
                .build(),
        )
        .expect("create ondemand");
    assert_eq!(created.value.stream.kind, MountpointKind::OnDemand);
    assert!(created.value.stream.ports.is_empty());
    let described = info(&mut s, ondemand, None);
    assert_eq!(described.kind, MountpointKind::OnDemand);
    assert_eq!(described.filename.as_deref(), file.to_str());
    assert_eq!(described.media.len(), 1);
    let audio = &described.media[0];
    assert_eq!(audio.kind, MediaType::Audio);
    assert_eq!(audio.mid, None, "a file's one stream has no mid");
    assert_eq!(audio.codec.as_deref(), Some("pcma"));
    assert_eq!(audio.pt, Some(8));
    let list = s
        .recorder
        .call(&mut s.conn, handle, List::default())
        .expect("list");
    let entry = list
        .value
        .list
        .iter()
        .find(|m| m.id == Id::Number(ondemand));
    assert_eq!(
        entry.map(|m| m.kind.clone()),
        Some(MountpointKind::OnDemand)
    );
    assert!(entry.is_some_and(|m| m.media.is_empty()));
    let record = s.recorder.call(
        &mut s.conn,
        handle,
        Recording::builder()
            .action(RecordingAction::Start)
            .id(ondemand)
            .media(vec![RecordingMedia::builder()
                .mid("a")
                .filename(files.path().join("x").to_str().expect("a UTF-8 temp path"))
                .build()])
            .build(),
    );
    assert_eq!(error_code(record), ErrorCode::InvalidRequest);

    // A request the plugin does not know (only the raw path can send one).
    let unknown = s.conn.call(Message::new(
        handle.id(),
        json!({"request": "no-such-request"}),
    ));
    assert_eq!(error_code(unknown), ErrorCode::InvalidRequest);

    for mountpoint in [id, ondemand] {
        s.recorder
            .call(
                &mut s.conn,
                handle,
                Destroy::builder().id(mountpoint).build(),
            )
            .expect("destroy");
    }
    s.finish();
}

/// The status of a Streaming event, if it is one.
fn status(event: &Event) -> Option<Status> {
    match event {
        Event::Status(status) => Some(status.status().clone()),
        _ => None,
    }
}

fn viewer_without_peer_connection<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, Streaming>::new(version, "viewer_without_peer_connection");
    let admin = s.handle;
    let viewer: PluginHandle<Streaming> = s
        .conn
        .attach_plugin::<Streaming>(s.session)
        .expect("attach the viewer");
    let (first, second, ondemand) = {
        let id = unique_id();
        (id, id + 1, id + 2)
    };
    let files = tempfile::tempdir().expect("a temp folder");
    s.recorder
        .call(
            &mut s.conn,
            admin,
            Create::builder()
                .id(first)
                .pin("pin")
                .source(rtp_source())
                .build(),
        )
        .expect("create the first");
    s.recorder
        .call(
            &mut s.conn,
            admin,
            Create::builder()
                .id(second)
                .secret("s")
                .source(rtp_source())
                .build(),
        )
        .expect("create the second");
    s.recorder
        .call(
            &mut s.conn,
            admin,
            Create::builder()
                .id(ondemand)
                .source(ondemand_source(&alaw_file(files.path())))
                .build(),
        )
        .expect("create the ondemand one");

    // Not watching yet: every viewer request but `stop` has no mountpoint to act on.
    let outcomes = [
        error_code(s.recorder.call(&mut s.conn, viewer, Pause::default())),
        error_code(s.recorder.call(&mut s.conn, viewer, Start::default())),
        error_code(s.recorder.call(&mut s.conn, viewer, Configure::default())),
        error_code(
            s.recorder
                .call(&mut s.conn, viewer, Switch::builder().id(second).build()),
        ),
    ];
    assert_eq!(outcomes, [ErrorCode::NoSuchMountpoint; 4]);
    stop_with_nothing_to_stop(&mut s, viewer, version);

    // Watch: a missing mountpoint, a missing PIN, a wrong one.
    let nowhere = s.recorder.call(
        &mut s.conn,
        viewer,
        Watch::builder().id(ondemand + 1).build(),
    );
    assert_eq!(error_code(nowhere), ErrorCode::NoSuchMountpoint);
    let no_pin = s
        .recorder
        .call(&mut s.conn, viewer, Watch::builder().id(first).build());
    assert_eq!(error_code(no_pin), ErrorCode::MissingElement);
    let wrong_pin = s.recorder.call(
        &mut s.conn,
        viewer,
        Watch::builder().id(first).pin("nip").build(),
    );
    assert_eq!(error_code(wrong_pin), ErrorCode::Unauthorized);

    // Watch the audio and video: Janus offers them (no data channel).
    let watching = s
        .recorder
        .call(
            &mut s.conn,
            viewer,
            Watch::builder()
                .id(first)
                .pin("pin")
                .media(vec!["a".to_owned(), "v".to_owned()])
                .build(),
        )
        .expect("watch");
    assert_eq!(watching.value.status(), &Status::Preparing);
    let offer = watching.jsep.expect("Janus's offer");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(offer.sdp.contains("m=audio") && offer.sdp.contains("a=mid:a"));
    assert!(offer.sdp.contains("m=video") && offer.sdp.contains("a=mid:v"));
    assert!(offer.sdp.contains("opus/48000") && offer.sdp.contains("VP8/90000"));
    assert!(!offer.sdp.contains("m=application"), "{}", offer.sdp);
    let viewers = info(&mut s, first, None).viewers;
    assert_eq!(viewers, Some(1), "no secret: everyone sees the admin view");
    // Watching again, another mountpoint too: already watching.
    let again = s.recorder.call(
        &mut s.conn,
        viewer,
        Watch::builder().id(first).pin("pin").build(),
    );
    assert_eq!(error_code(again), ErrorCode::InvalidState);
    let other = s
        .recorder
        .call(&mut s.conn, viewer, Watch::builder().id(second).build());
    assert_eq!(error_code(other), ErrorCode::InvalidState);

    // Pause, start (resume: no answer needed) and configure act on a viewer whose
    // PeerConnection never came up.
    let paused: StatusEvent = s
        .recorder
        .call(&mut s.conn, viewer, Pause::default())
        .expect("pause")
        .value;
    assert_eq!(paused.status(), &Status::Pausing);
    let started = s
        .recorder
        .call(&mut s.conn, viewer, Start::default())
        .expect("start")
        .value;
    assert_eq!(started.status(), &Status::Starting, "not started: no PC");
    s.recorder
        .call(
            &mut s.conn,
            viewer,
            Configure::builder().mid("v").send(false).build(),
        )
        .expect("configure");

    // Switch: to nothing, to a file mountpoint, to the second live RTP one.
    let nowhere = s.recorder.call(
        &mut s.conn,
        viewer,
        Switch::builder().id(ondemand + 1).build(),
    );
    assert_eq!(error_code(nowhere), ErrorCode::NoSuchMountpoint);
    let to_file = s
        .recorder
        .call(&mut s.conn, viewer, Switch::builder().id(ondemand).build());
    assert_eq!(error_code(to_file), ErrorCode::CantSwitch);
    let switched = s
        .recorder
        .call(&mut s.conn, viewer, Switch::builder().id(second).build())
        .expect("switch");
    assert_eq!(switched.value.result.switched, "ok");
    assert_eq!(switched.value.result.id, Id::Number(second));
    assert_eq!(info(&mut s, first, None).viewers, Some(0));
    assert_eq!(info(&mut s, second, Some("s")).viewers, Some(1));

    // An edit with `edited_event` tells the viewer the new metadata.
    s.recorder
        .call(
            &mut s.conn,
            admin,
            Edit::builder()
                .id(second)
                .secret("s")
                .new_metadata("now live")
                .edited_event(true)
                .build(),
        )
        .expect("edit");
    let edited = s.wait_event(viewer, |event| match event {
        Event::Edited(edited) => Some(edited.clone()),
        _ => None,
    });
    assert_eq!(edited.id, Id::Number(second));
    assert_eq!(edited.metadata.as_deref(), Some("now live"));

    // Kick all: the viewer is told, and is no longer watching.
    s.recorder
        .call(
            &mut s.conn,
            admin,
            KickAll::builder().id(second).secret("s").build(),
        )
        .expect("kick_all");
    let kicked = s.wait_event(viewer, status);
    assert_eq!(kicked, Status::KickedAll);
    // Janus closes the viewer's PeerConnection-to-be; once the hangup is told, the plugin
    // has forgotten the viewer (watching again before would race with it).
    wait_hangup(&mut s, viewer);
    assert_eq!(info(&mut s, second, Some("s")).viewers, Some(0));
    stop_with_nothing_to_stop(&mut s, viewer, version);

    // Watching again (everything, the old way), then the mountpoint is destroyed: the
    // viewer is told it stopped.
    let watching = s
        .recorder
        .call(
            &mut s.conn,
            viewer,
            Watch::builder().id(first).pin("pin").build(),
        )
        .expect("watch again");
    assert_eq!(watching.value.status(), &Status::Preparing);
    let offer = watching.jsep.expect("Janus's offer");
    assert!(offer.sdp.contains("m=application"), "{}", offer.sdp);
    s.recorder
        .call(&mut s.conn, admin, Destroy::builder().id(first).build())
        .expect("destroy the watched one");
    let stopped = s.wait_event(viewer, status);
    assert_eq!(stopped, Status::Stopped);

    for (id, secret) in [(second, Some("s")), (ondemand, None)] {
        let destroy = match secret {
            Some(secret) => Destroy::builder().id(id).secret(secret).build(),
            None => Destroy::builder().id(id).build(),
        };
        s.recorder
            .call(&mut s.conn, admin, destroy)
            .expect("destroy");
    }
    s.finish();
}

/// Waits for the `hangup` of `handle`, recording the plugin events on the way.
fn wait_hangup<D: JanusDriver>(s: &mut Setup<D, Streaming>, handle: PluginHandle<Streaming>) {
    let until = Instant::now() + super::BOUND;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{}: no hangup", D::NAME);
        match s.conn.next_plugin_event(handle, left) {
            Ok(Some(PluginEvent::Other(janus_proto::Event::Handle { event, .. })))
                if matches!(event.kind, HandleEventKind::Hangup { .. }) =>
            {
                return
            }
            Ok(Some(event)) => s.recorder.event::<Streaming>(&event),
            Ok(None) => {}
            Err(e) => panic!("{}: next_plugin_event: {e}", D::NAME),
        }
    }
}

/// `stop` on a viewer with no PeerConnection: Janus 1.4.1 answers `idle`; 1.1.2 does not
/// answer at all (the request only ends at its deadline).
fn stop_with_nothing_to_stop<D: JanusDriver>(
    s: &mut Setup<D, Streaming>,
    viewer: PluginHandle<Streaming>,
    version: JanusVersion,
) {
    if version == JanusVersion::V1_4_1 {
        let idle = s
            .recorder
            .call(&mut s.conn, viewer, Stop::default())
            .expect("stop");
        assert_eq!(idle.value.status(), &Status::Idle);
    } else {
        let silence = s.conn.call(
            viewer
                .request(Stop::default())
                .within(Duration::from_secs(1)),
        );
        assert!(
            matches!(
                silence,
                Err(Error::Request(RequestError::TimedOut { acked: true }))
            ),
            "{silence:?}"
        );
    }
}
