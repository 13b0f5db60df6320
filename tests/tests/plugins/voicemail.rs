//! VoiceMail: a Janus 1.1.2 plugin only. On 1.4.1 attaching to it fails with Janus's "no
//! such plugin" error; on 1.1.2 a `record` without an offer opens the file and answers
//! `starting`, its error codes, and `stop` gives the file's URL and ends the handle.
//!
//! What needs a negotiated PeerConnection is left to the media tests: a `record` with the
//! peer's offer (Janus's answer, `started`, the Opus file's content), an `update` during a
//! recording (`updating`), and the `done` of the ten seconds' end.

use std::fmt::Debug;
use std::time::Instant;

use janus_proto::plugins::voicemail::{ErrorCode, Record, StartStatus, Stop, Update, VoiceMail};
use janus_proto::plugins::{Plugin, PluginEvent};
use janus_proto::request::{Create, Destroy, Message};
use janus_proto::{Event, HandleEventKind, RequestError, UsageError};
use janus_tests::drivers::{JanusDriver, Options};
use janus_tests::JanusVersion;
use janus_ws_connect::Error;
use serde_json::json;

use super::Setup;

every_driver_and_version!(record_stop_and_errors);

/// The typed VoiceMail error code of a failed request.
fn error_code<T: Debug>(outcome: Result<T, Error>) -> ErrorCode {
    match outcome {
        Err(Error::Request(e)) => VoiceMail::request_error(&e)
            .unwrap_or_else(|| panic!("not a VoiceMail plugin error: {e:?}")),
        other => panic!("expected a VoiceMail plugin error, got {other:?}"),
    }
}

fn record_stop_and_errors<D: JanusDriver>(version: JanusVersion) {
    if version == JanusVersion::V1_4_1 {
        no_such_plugin::<D>(version);
        return;
    }
    let mut s = Setup::<D, VoiceMail>::new(version, "record_stop_and_errors");
    let handle = s.handle;

    // Not recording: an update is refused; an unknown request too (raw path only).
    let update = s.recorder.call(&mut s.conn, handle, Update::default());
    assert_eq!(error_code(update), ErrorCode::InvalidState);
    let unknown = s.conn.call(Message::new(
        handle.id(),
        json!({"request": "no-such-request"}),
    ));
    assert_eq!(error_code(unknown), ErrorCode::InvalidRequest);

    // Record, without an offer: the file is open, Janus waits for the PeerConnection.
    let starting = s
        .recorder
        .call(&mut s.conn, handle, Record::default())
        .expect("record");
    assert_eq!(starting.value.status, StartStatus::Starting);
    assert!(starting.jsep.is_none(), "no offer, no answer");
    let again = s.recorder.call(&mut s.conn, handle, Record::default());
    assert_eq!(error_code(again), ErrorCode::AlreadyRecording);
    // Still not recording as far as `update` goes: the PeerConnection never came up.
    let update = s.recorder.call(&mut s.conn, handle, Update::default());
    assert_eq!(error_code(update), ErrorCode::InvalidState);

    // Stop: the file's URL (the configured base `/voicemail/`, a slash, the file name),
    // and the file is in the configured folder.
    let done = s
        .recorder
        .call(&mut s.conn, handle, Stop::default())
        .expect("stop");
    let url = done.value.recording.expect("the recording's URL");
    let name = url
        .strip_prefix("/voicemail//")
        .unwrap_or_else(|| panic!("{url}"));
    assert!(
        name.starts_with("janus-voicemail-") && name.ends_with(".opus"),
        "{url}"
    );
    let janus = super::janus(version);
    let folder = janus
        .log_path()
        .and_then(|log| log.parent())
        .expect("a Janus the harness started")
        .join("recordings/voicemail");
    assert!(
        folder.join(name).exists(),
        "{} in {}",
        name,
        folder.display()
    );

    // Then Janus detaches the handle.
    let until = Instant::now() + super::BOUND;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{}: the handle was not detached", D::NAME);
        match s.conn.next_plugin_event(handle, left) {
            Ok(Some(PluginEvent::Other(Event::Handle { event, .. })))
                if event.kind == HandleEventKind::Detached =>
            {
                break
            }
            Err(Error::Usage(UsageError::HandleEnded(ended))) if ended == handle.id() => break,
            Ok(Some(event)) => s.recorder.event::<VoiceMail>(&event),
            Ok(None) => {}
            Err(e) => panic!("{}: next_plugin_event: {e}", D::NAME),
        }
    }
    s.finish();
}

/// Janus 1.4.1 has no VoiceMail plugin: attaching fails with Janus error 460.
fn no_such_plugin<D: JanusDriver>(version: JanusVersion) {
    let janus = super::janus(version);
    let mut conn = D::connect(janus.ws_url(), &Options::new()).expect("connect");
    let session = conn.call(Create::new()).expect("create");
    match conn.attach_plugin::<VoiceMail>(session) {
        Err(Error::Request(RequestError::Janus(error))) => {
            assert_eq!(error.code, 460, "{error:?}");
            assert!(error.reason.contains("janus.plugin.voicemail"), "{error:?}");
        }
        other => panic!("attaching VoiceMail on 1.4.1: {other:?}"),
    }
    conn.call(Destroy(session)).expect("destroy");
    conn.close();
}
