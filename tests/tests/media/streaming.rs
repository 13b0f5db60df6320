//! Streaming: RTP mountpoints created through the typed API and fed with plain RTP by the
//! test, watched by a str0m viewer: `watch` (Janus offers), `start` with the answer, media
//! counted, `pause` (media stops), `start` (media resumes), `switch` to a second mountpoint
//! (its packets, told apart by their payload size, replace the first one's), `stop`. On Janus
//! 1.4.1 also the WHEP way: `watch` with the viewer's own offer, Janus answers; 1.1.2 ignores
//! that offer and makes its own.

use std::time::{Duration, Instant};

use janus_proto::plugins::streaming::{
    Create, Destroy, MediaType, Pause, RtpMedia, RtpSource, Source, Start, Status, StatusEvent,
    Stop, Streaming, Switch, Watch,
};
use janus_proto::plugins::{Id, PluginHandle, Typed};
use janus_proto::request::{self, Detach};
use janus_proto::{Jsep, JsepType};
use janus_tests::drivers::{Blocking, JanusDriver};
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer};
use janus_tests::JanusVersion;

use crate::netns_or_skip;
use crate::streams_common::{connect, janus_in, unique_id, Events, RtpSource as Feeder, Running};

/// Payload sizes that mark the two sources' packets.
const FIRST_SIZE: usize = 3;
const SECOND_SIZE: usize = 7;
/// Packets a phase must see arrive.
const ENOUGH: u64 = 25;

#[test]
fn streaming_rtp_watch_pause_switch_stop_1_1_2() {
    watch_pause_switch_stop(JanusVersion::V1_1_2);
}

#[test]
fn streaming_rtp_watch_pause_switch_stop_1_4_1() {
    watch_pause_switch_stop(JanusVersion::V1_4_1);
}

/// An audio-only RTP mountpoint `id` (Opus, port picked by Janus); returns its port.
fn create_mountpoint(
    conn: &mut Blocking,
    recorder: &mut Recorder,
    handle: PluginHandle<Streaming>,
    id: u64,
) -> u16 {
    let media = RtpMedia::builder()
        .kind(MediaType::Audio)
        .mid("a")
        .port(0)
        .pt(111)
        .codec("opus")
        .build();
    let create = Create::builder()
        .id(id)
        .description(format!("media test {id}"))
        .source(Source::Rtp(RtpSource::builder().media(vec![media]).build()))
        .build();
    let created = recorder.call(conn, handle, create).expect("create");
    assert_eq!(created.value.stream.id, Id::Number(id));
    let [ports] = created.value.stream.ports.as_slice() else {
        panic!("one stream: {:?}", created.value);
    };
    assert_eq!(ports.kind, MediaType::Audio);
    assert_eq!(ports.mid, "a");
    ports
        .port
        .filter(|p| *p != 0)
        .expect("the port Janus bound")
}

fn status(typed: &Typed<StatusEvent>) -> Status {
    typed.value.status().clone()
}

fn watch_pause_switch_stop(version: JanusVersion) {
    let test = format!("streaming_{}", version.as_str().replace('.', "_"));
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let janus = janus_in(&ns, version, &test);
    let mut conn = connect(&janus);
    let mut rec = Recorder::new(&mut conn, "media_watch_pause_switch_stop");
    assert_eq!(rec.version(), version.as_str());
    let session = conn.call(request::Create::new()).expect("create");
    let admin = conn.attach_plugin::<Streaming>(session).expect("attach");
    let viewer = conn.attach_plugin::<Streaming>(session).expect("attach");
    let mut events = Events::new(viewer);

    let (first, second) = (unique_id(1), unique_id(2));
    let first_port = create_mountpoint(&mut conn, &mut rec, admin, first);
    let second_port = create_mountpoint(&mut conn, &mut rec, admin, second);
    let janus_ip = ns.inner_ip();
    let feed_first = Feeder::start(
        ns.host_ip(),
        (janus_ip, first_port).into(),
        FIRST_SIZE,
        0x1111,
    );
    let feed_second = Feeder::start(
        ns.host_ip(),
        (janus_ip, second_port).into(),
        SECOND_SIZE,
        0x2222,
    );

    // Watch: Janus offers; the viewer answers with `start`.
    let watch = Watch::builder().id(first).build();
    let preparing = rec.call(&mut conn, viewer, watch).expect("watch");
    assert_eq!(status(&preparing), Status::Preparing);
    let offer = preparing.jsep.expect("Janus's offer");
    assert_eq!(offer.kind, JsepType::Offer);
    let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let answer = peer.answer(&offer.sdp).expect("answering Janus's offer");
    let peer = Running::start("viewer", peer);
    let mut jsep = Jsep::answer(answer);
    jsep.trickle = Some(false);
    let starting = rec
        .call(&mut conn, viewer, Start::builder().jsep(jsep).build())
        .expect("start");
    assert_eq!(status(&starting), Status::Starting);
    assert!(starting.jsep.is_none());
    events.webrtcup(&mut conn, &mut rec);
    events.plugin(&mut conn, &mut rec, "started", |e| {
        matches!(&e.value, janus_proto::plugins::streaming::Event::Status(s) if *s.status() == Status::Started)
            .then_some(())
    });
    let seen = peer.wait_for("the first source's packets", STEP, |s| {
        s.of_size(FIRST_SIZE) >= ENOUGH
    });
    assert_eq!(
        seen.added,
        [("a".to_owned(), "audio".to_owned(), "recvonly".to_owned())],
        "one audio m-line, mid a, that the viewer receives"
    );
    assert_eq!(seen.of_size(SECOND_SIZE), 0, "{seen:?}");
    let watched = seen.of_size(FIRST_SIZE);

    // Pause: no packet after the in-flight ones.
    let pausing = rec
        .call(&mut conn, viewer, Pause::builder().build())
        .expect("pause");
    assert_eq!(status(&pausing), Status::Pausing);
    let paused_at = settle(&peer, Duration::from_millis(150)).rtp_received;
    // Measuring silence: the window is the assertion, not a synchronisation.
    std::thread::sleep(Duration::from_millis(600));
    let still = peer.seen().rtp_received;
    assert_eq!(still, paused_at, "no packet while paused");

    // Start again without SDP: media resumes.
    let resumed = rec
        .call(&mut conn, viewer, Start::builder().build())
        .expect("start (resume)");
    assert_eq!(status(&resumed), Status::Started);
    let seen = peer.wait_for("packets after resuming", STEP, |s| {
        s.of_size(FIRST_SIZE) >= paused_at + ENOUGH
    });
    let after_resume = seen.of_size(FIRST_SIZE);

    // Switch to the second mountpoint: its packets replace the first one's.
    let switched = rec
        .call(&mut conn, viewer, Switch::builder().id(second).build())
        .expect("switch");
    assert_eq!(switched.value.result.switched, "ok");
    assert_eq!(switched.value.result.id, Id::Number(second));
    let seen = peer.wait_for("the second source's packets", STEP, |s| {
        s.of_size(SECOND_SIZE) >= ENOUGH
    });
    let first_at_switch = seen.of_size(FIRST_SIZE);
    let seen = peer.wait_for("more of the second source", STEP, |s| {
        s.of_size(SECOND_SIZE) >= 2 * ENOUGH
    });
    assert_eq!(
        seen.of_size(FIRST_SIZE),
        first_at_switch,
        "the first source no longer reaches the viewer: {seen:?}"
    );
    assert_eq!(
        seen.by_mid.keys().collect::<Vec<_>>(),
        ["a"],
        "everything on the one m-line"
    );

    // Stop: `stopping`, then the PeerConnection goes.
    let stopping = rec
        .call(&mut conn, viewer, Stop::builder().build())
        .expect("stop");
    assert_eq!(status(&stopping), Status::Stopping);
    let reason = events.hangup(&mut conn, &mut rec);
    let closed = peer.wait_for("the viewer to see the close", STEP, |s| s.closed);
    let peer = peer.stop();
    println!(
        "{test}: sources sent {} and {} packets; viewer received {} of the first before pause, \
         {} by the end of the resume phase, then {} of the second after the switch ({:?} by \
         size); {} packets while paused; hangup reason {reason:?}; kept events {:?}",
        feed_first.sent(),
        feed_second.sent(),
        watched,
        after_resume,
        closed.of_size(SECOND_SIZE),
        closed.by_size,
        still - paused_at,
        events.kept_plugin_events(),
    );
    drop(peer);

    if version == JanusVersion::V1_4_1 {
        whep_watch(&ns, &mut conn, &mut rec, session, first);
    } else {
        offer_ignored(&ns, &mut conn, &mut rec, session, first);
    }

    drop((feed_first, feed_second));
    for id in [first, second] {
        let destroyed = rec
            .call(&mut conn, admin, Destroy::builder().id(id).build())
            .expect("destroy");
        assert_eq!(destroyed.value.destroyed, Id::Number(id));
    }
    conn.call(request::Destroy(session)).expect("destroy");
    conn.close();
    rec.finish();
}

/// Waits `window` for in-flight packets, and returns what the peer saw then.
fn settle(peer: &Running, window: Duration) -> crate::streams_common::Seen {
    let until = Instant::now() + window;
    peer.wait_for("settling", window * 2, |_| Instant::now() >= until)
}

/// Janus 1.4.1: `watch` with the viewer's offer: `starting` with Janus's answer, media flows.
fn whep_watch(
    ns: &janus_tests::netns::NetNs,
    conn: &mut Blocking,
    rec: &mut Recorder,
    session: janus_proto::SessionId,
    id: u64,
) {
    let handle = conn.attach_plugin::<Streaming>(session).expect("attach");
    let mut events = Events::new(handle);
    let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = peer
        .offer(OfferOptions::new().audio(true))
        .expect("the viewer's offer");
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(false);
    let starting = rec
        .call(conn, handle, Watch::builder().id(id).jsep(jsep).build())
        .expect("watch with an offer");
    assert_eq!(status(&starting), Status::Starting);
    let answer = starting.jsep.expect("Janus's answer");
    assert_eq!(answer.kind, JsepType::Answer);
    peer.accept_answer(&answer.sdp)
        .expect("applying the answer");
    let peer = Running::start("whep viewer", peer);
    events.webrtcup(conn, rec);
    let seen = peer.wait_for("the source's packets (WHEP)", STEP, |s| {
        s.of_size(FIRST_SIZE) >= ENOUGH
    });
    let stopping = rec
        .call(conn, handle, Stop::builder().build())
        .expect("stop");
    assert_eq!(status(&stopping), Status::Stopping);
    events.hangup(conn, rec);
    println!(
        "WHEP-style watch: received {} packets of the source ({:?} by mid)",
        seen.of_size(FIRST_SIZE),
        seen.by_mid
    );
    drop(peer);
    conn.call(Detach(handle.id())).expect("detach");
}

/// Janus 1.1.2: `watch` with the viewer's offer is answered as a plain `watch`: `preparing`
/// with Janus's own offer.
fn offer_ignored(
    ns: &janus_tests::netns::NetNs,
    conn: &mut Blocking,
    rec: &mut Recorder,
    session: janus_proto::SessionId,
    id: u64,
) {
    let handle = conn.attach_plugin::<Streaming>(session).expect("attach");
    let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = peer
        .offer(OfferOptions::new().audio(true))
        .expect("the viewer's offer");
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(false);
    let preparing = rec
        .call(conn, handle, Watch::builder().id(id).jsep(jsep).build())
        .expect("watch with an offer");
    assert_eq!(status(&preparing), Status::Preparing);
    let jsep = preparing.jsep.expect("Janus's own offer");
    assert_eq!(jsep.kind, JsepType::Offer, "1.1.2 offers even so");
    println!("1.1.2: watch with the viewer's offer got Janus's own offer instead");
    conn.call(Detach(handle.id())).expect("detach");
}
