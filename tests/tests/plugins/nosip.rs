//! NoSIP: every request that needs no PeerConnection, on both versions.
//!
//! - `errors_without_sdp`: generate without a JSEP and process with an SDP that does not
//!   parse (both `MissingSdp`), process of an SDP without media (`InvalidSdp`), recording
//!   that records nothing (`RecordingError`), recording stop with nothing recorded (answered
//!   `recordingupdated`), hangup with no PeerConnection (answered `hangingup`), and an
//!   unknown request.
//! - `legacy_offer`: process of a legacy peer's barebone offer (plain RTP audio), answered
//!   `processed` with Janus's JSEP offer for the WebRTC peer (no PeerConnection is needed to
//!   make it), recording of the legacy peer's audio started and stopped, hangup.
//! - `janus_1_4_requests`: on 1.4.1 keyframe, rtp_forward (two streams, to loopback ports),
//!   listforwarders (showing them), stop_rtp_forward (and again: `NoSuchStream`),
//!   listforwarders (empty); on 1.1.2 each is the typed "unknown request".
//!
//! Left for the media tests (they need a WebRTC peer's SDP): `generate` with a JSEP offer or
//! answer (`generated`), `process` of the legacy peer's answer to it, and media through the
//! bridge.

use std::fmt::Debug;
use std::net::UdpSocket;

use janus_proto::plugins::nosip::{
    ErrorCode, ForwardStream, ForwardType, Generate, Hangup, Keyframe, ListForwarders, Media,
    NoSip, Process, Recording, RecordingAction, RtpForward, StopRtpForward,
};
use janus_proto::plugins::{Plugin, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Message;
use janus_proto::JsepType;
use janus_tests::drivers::JanusDriver;
use janus_tests::{unique_id, JanusVersion};
use janus_ws_connect::Error;

use super::Setup;

every_driver_and_version!(errors_without_sdp, legacy_offer, janus_1_4_requests);

/// A legacy peer's barebone offer: plain RTP audio (PCMU) on a loopback port.
const LEGACY_OFFER: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=legacy\r\nc=IN IP4 127.0.0.1\r\n\
t=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";

/// Sends `request` on `handle`, recording it.
fn call<D, M>(
    s: &mut Setup<D, NoSip>,
    handle: PluginHandle<NoSip>,
    request: M,
) -> Result<Typed<M::Response>, Error>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = NoSip> + Debug + 'static,
    M::Response: Send + 'static,
{
    s.recorder.call(&mut s.conn, handle, request)
}

/// Sends `request` on `handle`, recording it, and returns its typed outcome.
fn ok<D, M>(s: &mut Setup<D, NoSip>, handle: PluginHandle<NoSip>, request: M) -> Typed<M::Response>
where
    D: JanusDriver,
    M: PluginRequest<Plugin = NoSip> + Debug + 'static,
    M::Response: Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Ok(typed) => typed,
        Err(e) => panic!("{}: {shown}: {e:?}", D::NAME),
    }
}

/// Sends `request` on `handle`, recording it, and returns the typed code it fails with.
fn fails<D, M>(s: &mut Setup<D, NoSip>, handle: PluginHandle<NoSip>, request: M) -> ErrorCode
where
    D: JanusDriver,
    M: PluginRequest<Plugin = NoSip> + Debug + 'static,
    M::Response: Debug + Send + 'static,
{
    let shown = format!("{request:?}");
    match call(s, handle, request) {
        Err(Error::Request(e)) => NoSip::request_error(&e)
            .unwrap_or_else(|| panic!("{}: {shown}: not a NoSIP error: {e:?}", D::NAME)),
        other => panic!(
            "{}: {shown}: expected a plugin error, got {other:?}",
            D::NAME
        ),
    }
}

fn errors_without_sdp<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, NoSip>::new(version, "errors_without_sdp");
    let handle = s.handle;

    // generate needs the WebRTC peer's JSEP.
    let no_jsep = fails(&mut s, handle, Generate::builder().info("no jsep").build());
    assert_eq!(no_jsep, ErrorCode::MissingSdp);

    // process needs a legacy SDP that parses, with media in it.
    let garbage = fails(
        &mut s,
        handle,
        Process::builder()
            .kind(JsepType::Offer)
            .sdp("not an SDP")
            .build(),
    );
    assert_eq!(garbage, ErrorCode::MissingSdp);
    let no_media = fails(
        &mut s,
        handle,
        Process::builder()
            .kind(JsepType::Offer)
            .sdp("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n")
            .build(),
    );
    assert_eq!(no_media, ErrorCode::InvalidSdp);

    // recording: nothing to record is an error; a stop is never one.
    let nothing = fails(
        &mut s,
        handle,
        Recording::builder().action(RecordingAction::Start).build(),
    );
    assert_eq!(nothing, ErrorCode::RecordingError);
    let stopped = ok(
        &mut s,
        handle,
        Recording::builder()
            .action(RecordingAction::Stop)
            .audio(true)
            .video(true)
            .build(),
    );
    assert!(stopped.jsep.is_none());

    // hangup without a PeerConnection is answered all the same.
    let hangup = ok(&mut s, handle, Hangup::builder().build());
    assert!(hangup.jsep.is_none());

    // A request the plugin does not know.
    let unknown = s
        .conn
        .call(Message::new(
            handle.id(),
            serde_json::json!({"request": "no-such-request"}),
        ))
        .expect_err("an unknown request");
    let Error::Request(unknown) = unknown else {
        panic!("{unknown:?}");
    };
    assert_eq!(
        NoSip::request_error(&unknown),
        Some(ErrorCode::InvalidRequest)
    );
    s.finish();
}

fn legacy_offer<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, NoSip>::new(version, "legacy_offer");
    let handle = s.handle;

    let processed = ok(
        &mut s,
        handle,
        Process::builder()
            .kind(JsepType::Offer)
            .sdp(LEGACY_OFFER)
            .info("legacy offer")
            .build(),
    );
    // Plain RTP: no SRTP to report; a first offer is no update.
    assert_eq!(processed.value.result.srtp, None);
    assert_ne!(processed.value.result.update, Some(true));
    let jsep = processed.jsep.expect("Janus's offer for the WebRTC peer");
    assert_eq!(jsep.kind, JsepType::Offer);
    assert!(jsep.sdp.contains("m=audio"), "{}", jsep.sdp);

    // Recording the legacy peer's audio, then stopping.
    let base = std::env::temp_dir().join(format!("nosip-{}", unique_id()));
    let base_text = base.to_str().expect("a UTF-8 temporary path").to_owned();
    ok(
        &mut s,
        handle,
        Recording::builder()
            .action(RecordingAction::Start)
            .peer_audio(true)
            .filename(&base_text)
            .build(),
    );
    ok(
        &mut s,
        handle,
        Recording::builder()
            .action(RecordingAction::Stop)
            .peer_audio(true)
            .build(),
    );
    let _ = std::fs::remove_file(format!("{base_text}-peer-audio.mjr"));

    ok(&mut s, handle, Hangup::builder().build());
    s.finish();
}

fn janus_1_4_requests<D: JanusDriver>(version: JanusVersion) {
    let mut s = Setup::<D, NoSip>::new(version, "janus_1_4_requests");
    let handle = s.handle;
    let audio_port = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let video_port = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port_of = |socket: &UdpSocket| socket.local_addr().expect("local address").port();
    let streams = vec![
        ForwardStream::builder()
            .kind(ForwardType::PeerAudio)
            .host("127.0.0.1")
            .port(port_of(&audio_port))
            .pt(8)
            .ssrc(1234)
            .build(),
        ForwardStream::builder()
            .kind(ForwardType::Video)
            .host("127.0.0.1")
            .port(port_of(&video_port))
            .build(),
    ];

    if version == JanusVersion::V1_1_2 {
        for code in [
            fails(
                &mut s,
                handle,
                Keyframe::builder().user(true).peer(true).build(),
            ),
            fails(
                &mut s,
                handle,
                RtpForward::builder().streams(streams).build(),
            ),
            fails(&mut s, handle, ListForwarders::builder().build()),
            fails(
                &mut s,
                handle,
                StopRtpForward::builder().stream_id(1).build(),
            ),
        ] {
            assert_eq!(code, ErrorCode::InvalidRequest);
        }
        s.finish();
        return;
    }

    let sent = ok(
        &mut s,
        handle,
        Keyframe::builder().user(true).peer(true).build(),
    );
    assert!(sent.jsep.is_none());

    let forwarded = ok(
        &mut s,
        handle,
        RtpForward::builder().streams(streams).build(),
    );
    let forwarders = forwarded.value.result.forwarders;
    assert_eq!(forwarders.len(), 2, "{forwarders:?}");
    assert_eq!(forwarders[0].forward_type(), Some(ForwardType::PeerAudio));
    assert_eq!(forwarders[0].media, Media::Audio);
    assert_eq!(forwarders[0].port, port_of(&audio_port));
    assert_eq!(forwarders[0].pt, Some(8));
    assert_eq!(forwarders[0].ssrc, Some(1234));
    assert_eq!(forwarders[1].forward_type(), Some(ForwardType::Video));
    assert_eq!(forwarders[1].media, Media::Video);
    assert_eq!(forwarders[1].port, port_of(&video_port));
    assert_ne!(forwarders[0].stream_id, forwarders[1].stream_id);

    let listed = ok(&mut s, handle, ListForwarders::builder().build());
    let mut ids: Vec<u32> = listed
        .value
        .result
        .rtp_forwarders
        .iter()
        .map(|f| f.stream_id)
        .collect();
    ids.sort_unstable();
    let mut expected: Vec<u32> = forwarders.iter().map(|f| f.stream_id).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);

    let first = forwarders[0].stream_id;
    let stopped = ok(
        &mut s,
        handle,
        StopRtpForward::builder().stream_id(first).build(),
    );
    assert_eq!(stopped.value.result.stream_id, first);
    let again = fails(
        &mut s,
        handle,
        StopRtpForward::builder().stream_id(first).build(),
    );
    assert_eq!(again, ErrorCode::NoSuchStream);
    let second = forwarders[1].stream_id;
    ok(
        &mut s,
        handle,
        StopRtpForward::builder().stream_id(second).build(),
    );
    let listed = ok(&mut s, handle, ListForwarders::builder().build());
    assert!(listed.value.result.rtp_forwarders.is_empty(), "{listed:?}");
    s.finish();
}
