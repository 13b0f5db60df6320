//! RecordPlay: a str0m peer records a few seconds of Opus (`record` with its offer), `stop`,
//! the recording is completed (`done`) and listed; a second peer plays it back (`play`:
//! Janus offers; `start` with the answer) and receives the recorded packets until the
//! playout ends (`done`).

use janus_proto::plugins::recordplay::{
    BoolOrNumber, DoneResult, Event, List, Play, PlayoutStatus, Record, RecordPlay, Start, Stop,
};
use janus_proto::plugins::PluginHandle;
use janus_proto::request::{self, Detach};
use janus_proto::{Jsep, JsepType};
use janus_tests::drivers::JanusDriver;
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, OPUS_SILENCE};
use janus_tests::JanusVersion;

use crate::netns_or_skip;
use crate::streams_common::{connect, janus_in, unique_id, Events, Running};

/// Audio frames recorded: 3 s.
const FRAMES: u32 = 150;

#[test]
fn recordplay_record_list_play_1_1_2() {
    record_list_play(JanusVersion::V1_1_2);
}

#[test]
fn recordplay_record_list_play_1_4_1() {
    record_list_play(JanusVersion::V1_4_1);
}

/// The result of a `done` event.
fn done(event: &Event) -> Option<DoneResult> {
    match event {
        Event::Done(done) => Some(done.result.clone()),
        _ => None,
    }
}

/// What `done` says of the recording: Janus 1.4.1 names it (`{"status": "done", "id": …,
/// "is_private": 0}`, a number); 1.1.2 says only `"result": "done"`.
fn assert_done(version: JanusVersion, done: &DoneResult, id: u64) {
    match (version, done) {
        (JanusVersion::V1_4_1, DoneResult::Status(status)) => {
            assert_eq!(status.id, Some(id), "{done:?}");
            assert_eq!(status.is_private, Some(BoolOrNumber::Number(0)), "{done:?}");
        }
        (JanusVersion::V1_1_2, DoneResult::Word(_)) => {}
        _ => panic!("{version:?}: done {done:?}"),
    }
}

fn record_list_play(version: JanusVersion) {
    let test = format!("recordplay_{}", version.as_str().replace('.', "_"));
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let janus = janus_in(&ns, version, &test);
    let mut conn = connect(&janus);
    let mut rec = Recorder::new(&mut conn, "media_record_list_play");
    assert_eq!(rec.version(), version.as_str());
    let session = conn.call(request::Create::new()).expect("create");
    let id = unique_id(7);
    let name = format!("media test {id}");

    // Record: our offer, Janus's answer, 3 s of audio.
    let recorder = conn.attach_plugin::<RecordPlay>(session).expect("attach");
    let mut events = Events::new(recorder);
    let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = peer
        .offer(OfferOptions::new().audio(true))
        .expect("the recorder's offer");
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(false);
    let record = Record::builder()
        .name(name.clone())
        .id(id)
        .jsep(jsep)
        .build();
    let recording = rec.call(&mut conn, recorder, record).expect("record");
    assert_eq!(recording.value.result.id, id);
    let answer = recording.jsep.expect("Janus's answer");
    assert_eq!(answer.kind, JsepType::Answer);
    peer.accept_answer(&answer.sdp)
        .expect("applying the answer");
    let peer = Running::start("recorder", peer);
    peer.send_audio(FRAMES);
    events.webrtcup(&mut conn, &mut rec);
    let bound = STEP + std::time::Duration::from_millis(20 * u64::from(FRAMES));
    let sent = peer.wait_for("the audio sent", bound, |s| s.audio_pending == 0);
    assert_eq!(sent.rtp_sent, u64::from(FRAMES));
    // The last frames' way to Janus (no event tells they arrived).
    std::thread::sleep(std::time::Duration::from_millis(200));

    let stopped = rec
        .call(&mut conn, recorder, Stop::builder().build())
        .expect("stop");
    assert_eq!(stopped.value.result.id, Some(id));
    let recorded = events.plugin(&mut conn, &mut rec, "the recording's done", |e| {
        done(&e.value)
    });
    assert_done(version, &recorded, id);
    let reason = events.hangup(&mut conn, &mut rec);
    peer.wait_for("the recorder to see the close", STEP, |s| s.closed);
    drop(peer);
    conn.call(Detach(recorder.id())).expect("detach");

    // List: the completed recording.
    let player = conn.attach_plugin::<RecordPlay>(session).expect("attach");
    let list = rec
        .call(&mut conn, player, List::builder().build())
        .expect("list");
    let listed = list
        .value
        .list
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("recording {id} listed: {:?}", list.value));
    assert_eq!(listed.name, name);
    assert!(listed.audio, "{listed:?}");
    assert_eq!(listed.audio_codec.as_deref(), Some("opus"));
    assert!(!listed.video, "{listed:?}");
    assert!(!listed.data, "{listed:?}");
    // Only 1.4.1 lists `is_private`.
    let is_private = (version == JanusVersion::V1_4_1).then_some(false);
    assert_eq!(listed.is_private, is_private, "{listed:?}");

    // Play: Janus offers, we answer with `start`, the recorded packets arrive.
    let played = play(&ns, &mut conn, &mut rec, version, player, (id, &recorded));
    println!(
        "{test}: recorded {} frames (hangup reason {reason:?}); listed {listed:?}; \
         played back {played} packets",
        sent.rtp_sent
    );
    assert!(
        played >= u64::from(FRAMES) * 9 / 10,
        "most of the {FRAMES} recorded packets played back: {played}"
    );
    conn.call(request::Destroy(session)).expect("destroy");
    conn.close();
    rec.finish();
}

/// Plays recording `id` on `player` to its end; returns the packets received.
fn play(
    ns: &janus_tests::netns::NetNs,
    conn: &mut janus_tests::drivers::Blocking,
    rec: &mut Recorder,
    version: JanusVersion,
    player: PluginHandle<RecordPlay>,
    (id, recorded): (u64, &DoneResult),
) -> u64 {
    let mut events = Events::new(player);
    let preparing = rec
        .call(conn, player, Play::builder().id(id).build())
        .expect("play");
    assert_eq!(preparing.value.result.status, PlayoutStatus::Preparing);
    assert_eq!(preparing.value.result.id, id);
    let offer = preparing.jsep.expect("Janus's offer");
    assert_eq!(offer.kind, JsepType::Offer);
    let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let answer = peer.answer(&offer.sdp).expect("answering Janus's offer");
    let peer = Running::start("player", peer);
    let mut jsep = Jsep::answer(answer);
    jsep.trickle = Some(false);
    rec.call(conn, player, Start::builder().jsep(jsep).build())
        .expect("start");
    events.webrtcup(conn, rec);
    // The playout takes as long as the recording; `done` when it ends.
    let played = events.plugin(conn, rec, "the playout's done", |e| done(&e.value));
    println!("done after the recording: {recorded:?}; after the playout: {played:?}");
    assert_done(version, &played, id);
    events.hangup(conn, rec);
    let seen = peer.wait_for("the player to see the close", STEP, |s| s.closed);
    assert_eq!(
        seen.added
            .iter()
            .map(|(_, kind, dir)| (kind.as_str(), dir.as_str()))
            .collect::<Vec<_>>(),
        [("audio", "recvonly")]
    );
    assert_eq!(
        seen.by_size.keys().copied().collect::<Vec<_>>(),
        [OPUS_SILENCE.len()],
        "the recorded frames, as sent: {seen:?}"
    );
    seen.of_size(OPUS_SILENCE.len())
}
