//! EchoTest: its one request, a typed plugin error, and its `done` event.

use janus_proto::plugins::echotest::{Configure, EchoTest, ErrorCode, Event};
use janus_proto::plugins::Plugin;
use janus_proto::request::{Hangup, Message};
use janus_tests::drivers::JanusDriver;
use janus_tests::JanusVersion;
use serde_json::json;

use super::Setup;

every_driver_and_version!(configure_error_and_done);

fn configure_error_and_done<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, EchoTest>::new(version, "configure_error_and_done");
    let handle = s.handle;
    let configure = Configure::builder()
        .audio(true)
        .video(false)
        .bitrate(128_000)
        .build();
    let accepted = s
        .recorder
        .call(&mut s.conn, handle, configure)
        .expect("configure");
    assert_eq!(accepted.value.result, "ok");
    // A body the model would never send: the plugin's typed error.
    let error = s
        .conn
        .call(Message::new(handle.id(), json!({"audio": "not a boolean"})))
        .expect_err("an invalid element");
    let janus_ws_connect::Error::Request(error) = error else {
        panic!("{error:?}");
    };
    assert_eq!(
        EchoTest::request_error(&error),
        Some(ErrorCode::InvalidElement)
    );
    s.conn.call(Hangup(handle.id())).expect("hangup");
    // Janus 1.1.2 tells the plugin of a hangup even without a PeerConnection, and EchoTest
    // answers `done`; 1.4.1 tells it only when there is one (janus_ice_webrtc_hangup returns
    // early without queued_packets), which the media tests show.
    if version == JanusVersion::V1_1_2 {
        s.wait_event(handle, |event| (*event == Event::Done).then_some(()));
    }
    s.finish();
}
