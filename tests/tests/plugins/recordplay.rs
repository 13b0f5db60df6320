//! RecordPlay: `list`, `update` and `configure`, and what the asynchronous requests do
//! without a PeerConnection: `play` of a recording gets Janus's offer (the recordings are
//! written by the test into the shared Janus's recordings folder, in the `.mjr` and `.nfo`
//! formats Janus writes them in), `pause`, `resume` and `stop` answer, and the error codes
//! (no such recording, broken files, a `record` without an offer, a `start` without an
//! answer or without a playout…).
//!
//! What needs a negotiated PeerConnection is left to the media tests: a `record` with the
//! peer's offer (`recording`, and the recording's `.nfo` and `.mjr` files), a `start` with
//! the peer's answer (`playing`), and `slow_link`.

use std::fmt::Debug;
use std::path::PathBuf;

use janus_proto::plugins::recordplay::{
    BoolOrNumber, Configure, DoneResult, ErrorCode, Event, List, Pause, PauseStatus, Play,
    PlayoutStatus, Record, RecordPlay, RecordingInfo, Resume, Start, Stop, Update,
};
use janus_proto::plugins::{Plugin, PluginHandle};
use janus_proto::request::Message;
use janus_proto::JsepType;
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;
use serde_json::json;

use super::Setup;

every_driver_and_version!(list_update_and_configure, playout_without_peer_connection);

/// The typed RecordPlay error code of a failed request.
fn error_code<T: Debug>(outcome: Result<T, Error>) -> ErrorCode {
    match outcome {
        Err(Error::Request(e)) => RecordPlay::request_error(&e)
            .unwrap_or_else(|| panic!("not a RecordPlay plugin error: {e:?}")),
        other => panic!("expected a RecordPlay plugin error, got {other:?}"),
    }
}

/// The recordings folder of the shared Janus of `version` (the harness's temp folder holds
/// the log and the `recordings` folder RecordPlay is configured with).
fn recordings_folder(version: JanusVersion) -> PathBuf {
    let janus = super::janus(version);
    let log = janus.log_path().expect("a Janus the harness started");
    log.parent()
        .expect("the log is in the temp folder")
        .join("recordings")
}

/// Recordings written into the recordings folder, removed on drop.
struct Recordings {
    folder: PathBuf,
    files: Vec<PathBuf>,
}

impl Recordings {
    fn new(version: JanusVersion) -> Self {
        Self {
            folder: recordings_folder(version),
            files: Vec::new(),
        }
    }

    /// An Opus `.mjr` file (format `MJR00002`, as Janus's recorder writes it) with
    /// `frames` RTP packets of 20 ms.
    fn opus_mjr(&mut self, name: &str, frames: u16) {
        let mut bytes = b"MJR00002".to_vec();
        let info = br#"{"t":"a","c":"opus","s":1700000000000000,"u":1700000000000000}"#;
        bytes.extend(
            u16::try_from(info.len())
                .expect("a short header")
                .to_be_bytes(),
        );
        bytes.extend(info);
        for seq in 0..frames {
            bytes.extend(b"MEET");
            bytes.extend((u32::from(seq) * 20).to_be_bytes());
            let mut rtp = vec![0x80, 111];
            rtp.extend(seq.to_be_bytes());
            rtp.extend((u32::from(seq) * 960).to_be_bytes());
            rtp.extend(0x1234_5678_u32.to_be_bytes());
            rtp.extend([0xf8, 0xff, 0xfe]);
            bytes.extend(
                u16::try_from(rtp.len())
                    .expect("a short packet")
                    .to_be_bytes(),
            );
            bytes.extend(rtp);
        }
        self.write(name, &bytes);
    }

    /// The `.nfo` file of recording `id` (as Janus writes it when a recording ends), with
    /// the audio file `audio`.
    fn nfo(&mut self, id: u64, name: &str, private: bool, audio: &str) {
        let text = format!(
            "[{id}]\r\nname = {name}\r\nprivate = {private}\r\ndate = 2024-01-02 03:04:05\r\naudio = {audio}\r\n"
        );
        self.write(&format!("{id}.nfo"), text.as_bytes());
    }

    fn write(&mut self, name: &str, bytes: &[u8]) {
        let path = self.folder.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.files.push(path);
    }
}

impl Drop for Recordings {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// The recordings `list` gives (with `admin_key`, if any).
fn list<D: JanusDriver>(
    s: &mut Setup<D, RecordPlay>,
    admin_key: Option<&str>,
) -> Vec<RecordingInfo> {
    let request = match admin_key {
        Some(key) => List::builder().admin_key(key).build(),
        None => List::default(),
    };
    s.recorder
        .call(&mut s.conn, s.handle, request)
        .expect("list")
        .value
        .list
}

fn list_update_and_configure<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, RecordPlay>::new(version, "list_update_and_configure");
    let handle = s.handle;
    let (public, private) = {
        let id = unique_id();
        (id, id + 1)
    };
    let mut files = Recordings::new(version);
    let audio = format!("rec-{public}-audio.mjr");
    files.opus_mjr(&audio, 5);
    files.nfo(public, "public one", false, &audio);
    files.nfo(private, "private one", true, &audio);

    // Not listed before the folder is scanned again.
    assert!(list(&mut s, None).iter().all(|r| r.id != public));
    s.recorder
        .call(&mut s.conn, handle, Update::default())
        .expect("update");
    let listed = list(&mut s, None);
    let entry = listed
        .iter()
        .find(|r| r.id == public)
        .unwrap_or_else(|| panic!("{public} not listed: {listed:?}"));
    assert_eq!(entry.name, "public one");
    assert_eq!(entry.date, "2024-01-02 03:04:05");
    assert!(entry.audio && !entry.video && !entry.data);
    assert_eq!(entry.audio_codec.as_deref(), Some("opus"));
    assert_eq!(entry.audio_red, None);
    assert_eq!(entry.video_codec, None);
    // Private recordings are Janus 1.4's: 1.1.2 ignores the `.nfo`'s `private` and lists
    // both; 1.4.1 says which are private, and lists a private one only with the plugin's
    // admin_key (the harness configures none, so never, whatever key the request carries).
    let private_listed = listed.iter().any(|r| r.id == private);
    if version == JanusVersion::V1_1_2 {
        assert_eq!(entry.is_private, None);
        assert!(private_listed);
    } else {
        assert_eq!(entry.is_private, Some(false));
        assert!(!private_listed);
        assert!(list(&mut s, Some("any key"))
            .iter()
            .all(|r| r.id != private));
    }
    // `update` with an admin_key (ignored when the plugin has none).
    s.recorder
        .call(
            &mut s.conn,
            handle,
            Update::builder().admin_key("any key").build(),
        )
        .expect("update with a key");

    // Configure: the handle's settings, new ones and as they stay.
    let configured = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Configure::builder()
                .video_bitrate_max(512_000)
                .video_keyframe_interval(15)
                .build(),
        )
        .expect("configure");
    assert_eq!(configured.value.status, "ok");
    assert_eq!(configured.value.settings.video_bitrate_max, 512_000);
    assert_eq!(configured.value.settings.video_keyframe_interval, 15);
    let unchanged = s
        .recorder
        .call(&mut s.conn, handle, Configure::default())
        .expect("configure nothing");
    assert_eq!(unchanged.value.settings, configured.value.settings);
    let half = s
        .recorder
        .call(
            &mut s.conn,
            handle,
            Configure::builder().video_bitrate_max(128_000).build(),
        )
        .expect("configure the bitrate");
    assert_eq!(half.value.settings.video_bitrate_max, 128_000);
    assert_eq!(half.value.settings.video_keyframe_interval, 15);
    // A wrong field (only the raw path can send one), and an unknown request.
    let wrong = s.conn.call(Message::new(
        handle.id(),
        json!({"request": "configure", "video-bitrate-max": "fast"}),
    ));
    assert_eq!(error_code(wrong), ErrorCode::InvalidElement);
    let unknown = s.conn.call(Message::new(
        handle.id(),
        json!({"request": "no-such-request"}),
    ));
    assert_eq!(error_code(unknown), ErrorCode::InvalidRequest);

    // The files gone, `update` forgets the recordings.
    drop(files);
    s.recorder
        .call(&mut s.conn, handle, Update::default())
        .expect("update");
    assert!(list(&mut s, None)
        .iter()
        .all(|r| r.id != public && r.id != private));
    s.finish();
}

/// The `done` event of `handle` (the PeerConnection, or the offer, is gone).
fn wait_done<D: JanusDriver>(
    s: &mut Setup<D, RecordPlay>,
    handle: PluginHandle<RecordPlay>,
) -> DoneResult {
    s.wait_event(handle, |event| match event {
        Event::Done(done) => Some(done.result.clone()),
        _ => None,
    })
}

fn playout_without_peer_connection<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, RecordPlay>::new(version, "playout_without_peer_connection");
    let handle = s.handle;
    let (good, broken, missing, nowhere) = {
        let id = unique_id();
        (id, id + 1, id + 2, id + 3)
    };
    let mut files = Recordings::new(version);
    let audio = format!("rec-{good}-audio.mjr");
    files.opus_mjr(&audio, 25);
    files.nfo(good, "good", false, &audio);
    // A header and no packet: Janus lists it but cannot play it.
    let empty = format!("rec-{broken}-audio.mjr");
    files.opus_mjr(&empty, 0);
    files.nfo(broken, "broken", false, &empty);
    // No audio file at all.
    files.nfo(
        missing,
        "missing",
        false,
        &format!("rec-{missing}-nothing.mjr"),
    );
    s.recorder
        .call(&mut s.conn, handle, Update::default())
        .expect("update");
    let listed = list(&mut s, None);
    let missing_entry = listed.iter().find(|r| r.id == missing);
    assert!(missing_entry.is_some_and(|r| r.audio && r.audio_codec.is_none()));

    // Nothing going on: pause and resume answer without a result, stop with no id.
    for paused in [
        s.recorder.call(&mut s.conn, handle, Pause::default()),
        s.recorder.call(&mut s.conn, handle, Resume::default()),
    ] {
        assert_eq!(paused.expect("pause/resume").value.result, None);
    }
    let stopped = s
        .recorder
        .call(&mut s.conn, handle, Stop::default())
        .expect("stop");
    assert_eq!(stopped.value.result.id, None);
    assert_eq!(stopped.value.result.is_private, None);
    // Janus 1.1.2 tells the plugin of the hangup even without a PeerConnection, and
    // RecordPlay says `done` (the bare word in 1.1.2); 1.4.1 does not.
    if version == JanusVersion::V1_1_2 {
        assert!(matches!(wait_done(&mut s, handle), DoneResult::Word(_)));
    }

    // The error paths: no recording, broken files, a record without an offer, a start
    // without a playout.
    let outcomes = [
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Play::builder().id(nowhere).build()),
        ),
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Play::builder().id(broken).build()),
        ),
        error_code(
            s.recorder
                .call(&mut s.conn, handle, Play::builder().id(missing).build()),
        ),
        error_code(s.recorder.call(
            &mut s.conn,
            handle,
            Record::builder().name("no offer").id(nowhere).build(),
        )),
        error_code(s.recorder.call(&mut s.conn, handle, Start::default())),
    ];
    assert_eq!(
        outcomes,
        [
            ErrorCode::NotFound,
            ErrorCode::InvalidRecording,
            ErrorCode::InvalidRecording,
            ErrorCode::MissingElement,
            ErrorCode::InvalidState,
        ]
    );
    // `play` without its mandatory `id` (only the raw path can send one).
    let no_id = s
        .conn
        .call(Message::new(handle.id(), json!({"request": "play"})));
    assert_eq!(error_code(no_id), ErrorCode::MissingElement);

    // Play: Janus offers the recording's audio.
    let preparing = s
        .recorder
        .call(&mut s.conn, handle, Play::builder().id(good).build())
        .expect("play");
    assert_eq!(preparing.value.result.status, PlayoutStatus::Preparing);
    assert_eq!(preparing.value.result.id, good);
    assert_eq!(preparing.value.result.warning, None);
    let offer = preparing.jsep.expect("Janus's offer");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(offer.sdp.contains("m=audio") && offer.sdp.contains("opus/48000"));
    assert!(!offer.sdp.contains("m=video"), "{}", offer.sdp);
    // Start without the answer.
    let no_answer = s.recorder.call(&mut s.conn, handle, Start::default());
    assert_eq!(error_code(no_answer), ErrorCode::MissingElement);
    // Pause and resume name the recording now.
    let paused = s
        .recorder
        .call(&mut s.conn, handle, Pause::default())
        .expect("pause")
        .value
        .result
        .expect("a result");
    assert_eq!((paused.status, paused.id), (PauseStatus::Paused, good));
    let resumed = s
        .recorder
        .call(&mut s.conn, handle, Resume::default())
        .expect("resume")
        .value
        .result
        .expect("a result");
    assert_eq!((resumed.status, resumed.id), (PauseStatus::Resumed, good));
    // Stop: the recording's id (and, in 1.4.1, its privacy as a number), then `done`.
    let stopped = s
        .recorder
        .call(&mut s.conn, handle, Stop::default())
        .expect("stop");
    assert_eq!(stopped.value.result.id, Some(good));
    match version {
        JanusVersion::V1_1_2 => {
            assert_eq!(stopped.value.result.is_private, None);
            assert!(matches!(wait_done(&mut s, handle), DoneResult::Word(_)));
        }
        JanusVersion::V1_4_1 => {
            assert_eq!(
                stopped.value.result.is_private,
                Some(BoolOrNumber::Number(0))
            );
            let DoneResult::Status(done) = wait_done(&mut s, handle) else {
                panic!("1.4.1 says done with an object");
            };
            assert_eq!(done.id, Some(good));
            assert!(done.is_private.is_some_and(|p| !p.is_true()));
        }
    }
    drop(files);
    s.recorder
        .call(&mut s.conn, handle, Update::default())
        .expect("update");
    s.finish();
}
