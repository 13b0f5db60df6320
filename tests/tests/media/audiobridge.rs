//! AudioBridge with real media, on Janus 1.1.2 and 1.4.1: two str0m participants join a
//! room with their offers (typed `Join` with the jsep), send Opus, and each receives the
//! room's mix; talking events, a moderator's `Mute`/`Unmute`, an announcement played with
//! `play_file`, then `Leave` and `Hangup`, all through the typed AudioBridge model on the
//! blocking driver, recorded as fixtures.
//!
//! The bridge decodes and re-encodes audio, so a participant's frames must be real Opus,
//! and what the others receive is Janus's own encoding of the mix: silence encodes to a few
//! bytes a frame, a tone to many more. So "alice's voice reaches bob" is counted as mix
//! packets arriving at bob larger than [`LOUD`] bytes. Alice's voice is one 20 ms frame of a
//! 440 Hz tone, taken from `tone.opus` (1 s of that tone at 48 kHz, mono, made with
//! `opusenc --bitrate 24 --framesize 20` from a WAV of the sine), sent over and over; the
//! same file is the announcement. Quiet frames are [`OPUS_SILENCE`]. The `ssrc-audio-level`
//! extension says which is which (-10 dBov talking, -127 silence): the bridge's talking
//! detection reads it, and it leaves out of the mix what it marks as silence.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use janus_blocking::{Event, HandleEventKind, Jsep, JsepType};
use janus_proto::plugins::audiobridge::{
    AudioBridge, Configure, Create, Destroy, Event as AbEvent, Hangup, Join, Leave, Mute,
    Participant, PlayFile, Unmute,
};
use janus_proto::plugins::{Id, PluginEvent, PluginHandle, PluginRequest, Typed};
use janus_proto::request::{Create as CreateSession, Destroy as DestroySession};
use janus_tests::drivers::{Blocking, JanusDriver, Options};
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, PeerEvent, OPUS_SILENCE};
use janus_tests::{JanusServer, JanusVersion};

use super::netns_or_skip;

/// The room every run creates (each run has a Janus of its own).
const ROOM: u64 = 4343;
/// A mix packet at least this large carries sound (Janus's silent frames are a few bytes).
const LOUD: usize = 20;
/// Packets a participant must see before a step counts as done.
const ENOUGH: u64 = 25;
/// How long after a change in-flight packets may still arrive.
const SETTLE: Duration = Duration::from_millis(400);
/// How long a stopped sound is watched to show that it stays stopped.
const QUIET: Duration = Duration::from_millis(600);
/// The audio level of a talking frame (-dBov), and of a silent one.
const TALKING: (i8, bool) = (-10, true);
const SILENT: (i8, bool) = (-127, false);

#[test]
fn audiobridge_two_participants_1_1_2() {
    two_participants(JanusVersion::V1_1_2);
}

#[test]
fn audiobridge_two_participants_1_4_1() {
    two_participants(JanusVersion::V1_4_1);
}

/// The announcement file (and the source of the talking frame).
fn tone_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/media/tone.opus")
}

/// The Opus packets of an Ogg Opus file (without its `OpusHead` and `OpusTags`).
fn ogg_opus_packets(file: &[u8]) -> Vec<Vec<u8>> {
    let mut packets = Vec::new();
    let mut current = Vec::new();
    let mut at = 0;
    while at + 27 <= file.len() {
        assert_eq!(&file[at..at + 4], b"OggS", "an Ogg page at {at}");
        let segments = usize::from(file[at + 26]);
        let table = &file[at + 27..at + 27 + segments];
        let mut body = at + 27 + segments;
        for &lacing in table {
            let len = usize::from(lacing);
            current.extend_from_slice(&file[body..body + len]);
            body += len;
            if lacing < 255 {
                packets.push(std::mem::take(&mut current));
            }
        }
        at = body;
    }
    assert!(packets.len() > 2, "an Ogg Opus file with audio");
    assert!(packets[0].starts_with(b"OpusHead"), "OpusHead first");
    assert!(packets[1].starts_with(b"OpusTags"), "OpusTags second");
    packets.split_off(2)
}

/// One participant's peer and what it received of the mix.
struct Ear {
    peer: Peer,
    packets: u64,
    loud: u64,
    sizes: Vec<usize>,
}

impl Ear {
    fn run(&mut self, time: Duration) {
        let (packets, loud, sizes) = (&mut self.packets, &mut self.loud, &mut self.sizes);
        self.peer
            .run_until(Instant::now() + time, |_, event| {
                if let PeerEvent::Media {
                    packets: n, bytes, ..
                } = event
                {
                    *packets += n;
                    if bytes >= LOUD {
                        *loud += n;
                    }
                    if sizes.len() < 4000 {
                        sizes.push(bytes);
                    }
                }
                ControlFlow::<()>::Continue(())
            })
            .expect("a participant's peer failed");
    }

    /// Sends the tone (talking) or silence from now on.
    fn talk(&mut self, tone: Option<&[u8]>) {
        match tone {
            Some(frame) => {
                self.peer.set_audio_payload(Some(frame.to_vec()));
                self.peer.set_audio_level(Some(TALKING));
            }
            None => {
                self.peer.set_audio_payload(Some(OPUS_SILENCE.to_vec()));
                self.peer.set_audio_level(Some(SILENT));
            }
        }
    }
}

/// The signalling and both peers, pumped together.
struct Bridge {
    conn: Blocking,
    recorder: Recorder,
    ears: Vec<Ear>,
}

impl Bridge {
    fn pump(&mut self, time: Duration) {
        let until = Instant::now() + time;
        loop {
            for ear in &mut self.ears {
                ear.run(Duration::from_millis(3));
            }
            if Instant::now() >= until {
                return;
            }
        }
    }

    fn pump_until(&mut self, what: &str, done: impl Fn(&[Ear]) -> bool) {
        let until = Instant::now() + STEP;
        while !done(&self.ears) {
            assert!(
                Instant::now() < until,
                "timed out after {STEP:?} waiting for {what}; received (packets, loud) {:?}",
                self.ears
                    .iter()
                    .map(|e| (e.packets, e.loud))
                    .collect::<Vec<_>>()
            );
            self.pump(Duration::from_millis(10));
        }
    }

    fn call<M>(&mut self, handle: PluginHandle<AudioBridge>, request: M) -> Typed<M::Response>
    where
        M: PluginRequest<Plugin = AudioBridge> + std::fmt::Debug + 'static,
        M::Response: Send + 'static,
    {
        let shown = format!("{request:?}");
        self.recorder
            .call(&mut self.conn, handle, request)
            .unwrap_or_else(|e| panic!("{shown}: {e}"))
    }

    /// The first event of `handle` that `pick` accepts (pumping the peers meanwhile),
    /// recording the plugin events on the way.
    fn wait_event<T>(
        &mut self,
        handle: PluginHandle<AudioBridge>,
        what: &str,
        mut pick: impl FnMut(&PluginEvent<AbEvent>) -> Option<T>,
    ) -> T {
        let until = Instant::now() + STEP;
        let mut skipped = Vec::new();
        loop {
            while let Some(event) = self
                .conn
                .next_plugin_event(handle, Duration::ZERO)
                .expect("the connection to Janus")
            {
                self.recorder.event::<AudioBridge>(&event);
                if let Some(found) = pick(&event) {
                    return found;
                }
                skipped.push(event);
            }
            assert!(
                Instant::now() < until,
                "timed out after {STEP:?} waiting for {what}; saw {skipped:#?}"
            );
            self.pump(Duration::from_millis(10));
        }
    }

    /// The talking events of `handle` that are already here (the others are dropped, and
    /// recorded like every event read).
    fn talking_events(&mut self, handle: PluginHandle<AudioBridge>) -> Vec<AbEvent> {
        let mut talk = Vec::new();
        while let Some(event) = self
            .conn
            .next_plugin_event(handle, Duration::ZERO)
            .expect("the connection to Janus")
        {
            self.recorder.event::<AudioBridge>(&event);
            if let PluginEvent::Plugin(Typed {
                value: value @ (AbEvent::Talking(_) | AbEvent::StoppedTalking(_)),
                ..
            }) = event
            {
                talk.push(value);
            }
        }
        talk
    }

    /// The first plugin event of `handle` that `pick` accepts.
    fn wait_plugin<T>(
        &mut self,
        handle: PluginHandle<AudioBridge>,
        what: &str,
        mut pick: impl FnMut(&AbEvent) -> Option<T>,
    ) -> T {
        self.wait_event(handle, what, |e| match e {
            PluginEvent::Plugin(typed) => pick(&typed.value),
            _ => None,
        })
    }
}

fn is_webrtcup(event: &PluginEvent<AbEvent>) -> bool {
    matches!(
        event,
        PluginEvent::Other(Event::Handle { event, .. }) if matches!(event.kind, HandleEventKind::WebrtcUp)
    )
}

/// The participants of a `participants` event, if `event` is one.
fn participants(event: &AbEvent) -> Option<Vec<Participant>> {
    match event {
        AbEvent::ParticipantsChanged(changed) => Some(changed.participants.clone()),
        _ => None,
    }
}

fn two_participants(version: JanusVersion) {
    let test = format!("abridge_{}", version.number());
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let started_at = Instant::now();
    let file = std::fs::read(tone_file()).expect("reading tone.opus");
    let tone = ogg_opus_packets(&file);
    let frame = tone[tone.len() / 2].clone();
    assert!(frame.len() >= LOUD, "a tone frame is loud: {}", frame.len());

    let janus = JanusServer::start(ns.janus_options().version(version).name(&test))
        .expect("starting Janus in the namespace");
    let mut conn = Blocking::connect(janus.ws_url(), &Options::new().request_timeout(STEP))
        .expect("connecting to Janus");
    let recorder = Recorder::new(&mut conn, "media_participants");
    assert_eq!(recorder.version(), version.as_str());
    let session = conn.call(CreateSession::new()).expect("create");
    let alice = conn.attach_plugin::<AudioBridge>(session).expect("attach");
    let bob = conn.attach_plugin::<AudioBridge>(session).expect("attach");
    let mut ears = Vec::new();
    for _ in 0..2 {
        let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
        peer.set_tick(Duration::from_millis(2));
        ears.push(Ear {
            peer,
            packets: 0,
            loud: 0,
            sizes: Vec::new(),
        });
    }
    let mut bridge = Bridge {
        conn,
        recorder,
        ears,
    };

    // A room that reports who is talking, after 10 frames (200 ms).
    let created = bridge.call(
        alice,
        Create::builder()
            .room(ROOM)
            .audiolevel_event(true)
            .audio_active_packets(10)
            .audio_level_average(40)
            .build(),
    );
    assert_eq!(created.value.room, Id::from(ROOM));

    // Alice joins with her offer, Janus answers in `joined`; bob joins without one and
    // sends it with `configure`, answered in its `ok` event.
    let mut ids = Vec::new();
    for (i, (handle, name)) in [(alice, "alice"), (bob, "bob")].into_iter().enumerate() {
        let offer = bridge.ears[i]
            .peer
            .offer(OfferOptions::new().audio(true))
            .expect("an offer");
        let join = Join::builder().room(ROOM).display(name);
        let joined = if i == 0 {
            bridge.call(handle, join.jsep(Jsep::offer(offer.clone())).build())
        } else {
            bridge.call(handle, join.build())
        };
        assert_eq!(joined.value.room, Id::from(ROOM));
        let others: Vec<_> = joined
            .value
            .participants
            .iter()
            .map(|p| p.display.clone())
            .collect();
        let expected: Vec<Option<String>> = if i == 0 {
            Vec::new()
        } else {
            vec![Some("alice".to_owned())]
        };
        assert_eq!(others, expected, "{:?}", joined.value);
        let answer = if i == 0 {
            joined.jsep.expect("Janus's answer in `joined`")
        } else {
            assert_eq!(joined.jsep, None, "no offer, no answer");
            let configured = bridge.call(
                handle,
                Configure::builder()
                    .muted(false)
                    .jsep(Jsep::offer(offer))
                    .build(),
            );
            assert_eq!(configured.value.result, "ok");
            configured.jsep.expect("Janus's answer to `configure`")
        };
        assert_eq!(answer.kind, JsepType::Answer);
        bridge.ears[i]
            .peer
            .accept_answer(&answer.sdp)
            .expect("applying the answer");
        bridge.ears[i].talk(None);
        bridge.ears[i].peer.send_audio(u32::MAX);
        ids.push(joined.value.id.clone().expect("the participant's id"));
        bridge.wait_event(handle, "webrtcup", |e| is_webrtcup(e).then_some(()));
    }
    let (alice_id, bob_id) = (ids[0].clone(), ids[1].clone());
    // Alice hears of bob: `joined` with him (no PeerConnection yet), then `participants`
    // with him set up.
    let joined = bridge.wait_plugin(alice, "bob joining", |e| match e {
        AbEvent::Joined(j) => Some(j.participants.clone()),
        _ => None,
    });
    assert_eq!(joined.len(), 1, "{joined:?}");
    assert_eq!(joined[0].id, bob_id);
    assert!(!joined[0].setup);
    let listed = bridge.wait_plugin(alice, "bob set up", |e| {
        participants(e).filter(|list| list.iter().any(|p| p.id == bob_id && p.setup))
    });
    assert_eq!(listed[0].display.as_deref(), Some("bob"));
    assert!(listed[0].setup);
    assert!(!listed[0].muted);

    // Both silent: each receives the mix, and it is silence.
    bridge.pump_until("the mix at both", |e| {
        e[0].packets >= ENOUGH && e[1].packets >= ENOUGH
    });
    let silent_mix = (bridge.ears[0].loud, bridge.ears[1].loud);

    // Alice talks: talking events (to both), and bob hears her tone in his mix.
    bridge.ears[0].talk(Some(&frame));
    for handle in [alice, bob] {
        let who = bridge.wait_plugin(handle, "alice talking", |e| match e {
            AbEvent::Talking(t) => Some(t.id.clone()),
            _ => None,
        });
        assert_eq!(who, alice_id);
    }
    let loud_before = bridge.ears[1].loud;
    bridge.pump_until("alice's voice at bob", |e| {
        e[1].loud >= loud_before + ENOUGH
    });

    // The moderator mutes alice: everybody is told; her voice leaves bob's mix.
    // (`success`: the model's word check is the assertion.)
    bridge.call(bob, Mute::builder().room(ROOM).id(alice_id.clone()).build());
    for handle in [alice, bob] {
        let list = bridge.wait_plugin(handle, "alice muted", |e| {
            participants(e).filter(|l| l.iter().any(|p| p.id == alice_id && p.muted))
        });
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0].display.as_deref(), Some("alice"));
    }
    bridge.pump(SETTLE);
    let (loud_muted, total_muted) = (bridge.ears[1].loud, bridge.ears[1].packets);
    bridge.pump(QUIET);
    assert!(
        bridge.ears[1].loud <= loud_muted + 2,
        "alice muted: nothing loud at bob ({} → {})",
        loud_muted,
        bridge.ears[1].loud
    );
    assert!(
        bridge.ears[1].packets >= total_muted + 15,
        "the (silent) mix goes on at bob"
    );
    // While alice is muted, 1.4.1 counts her as silent (`stopped-talking` now, `talking`
    // again once unmuted); 1.1.2 leaves her talking state alone.
    match version {
        JanusVersion::V1_4_1 => {
            for handle in [alice, bob] {
                let who = bridge.wait_plugin(handle, "muted alice stopped talking", |e| match e {
                    AbEvent::StoppedTalking(t) => Some(t.id.clone()),
                    _ => None,
                });
                assert_eq!(who, alice_id);
            }
        }
        JanusVersion::V1_1_2 => {
            for handle in [alice, bob] {
                let talk = bridge.talking_events(handle);
                assert!(talk.is_empty(), "no talking events while muted: {talk:?}");
            }
        }
    }
    bridge.call(
        bob,
        Unmute::builder().room(ROOM).id(alice_id.clone()).build(),
    );
    for handle in [alice, bob] {
        bridge.wait_plugin(handle, "alice unmuted", |e| {
            participants(e).filter(|l| l.iter().any(|p| p.id == alice_id && !p.muted))
        });
    }
    let loud_before = bridge.ears[1].loud;
    bridge.pump_until("alice's voice back at bob", |e| {
        e[1].loud >= loud_before + ENOUGH
    });

    if version == JanusVersion::V1_4_1 {
        for handle in [alice, bob] {
            let who = bridge.wait_plugin(handle, "unmuted alice talking again", |e| match e {
                AbEvent::Talking(t) => Some(t.id.clone()),
                _ => None,
            });
            assert_eq!(who, alice_id);
        }
    }

    // Alice stops: stopped-talking (and no other talking event before it).
    bridge.ears[0].talk(None);
    for handle in [alice, bob] {
        let who = bridge.wait_plugin(handle, "alice stopped talking", |e| match e {
            AbEvent::StoppedTalking(t) => Some(t.id.clone()),
            AbEvent::Talking(t) => panic!("talking again before stopping: {t:?}"),
            _ => None,
        });
        assert_eq!(who, alice_id);
    }
    bridge.pump(SETTLE);

    // An announcement: both are told it started, both hear it, both are told it stopped.
    let alice_loud = bridge.ears[0].loud;
    let bob_loud = bridge.ears[1].loud;
    let playing = bridge.call(
        alice,
        PlayFile::builder()
            .room(ROOM)
            .filename(tone_file().to_string_lossy().into_owned())
            .build(),
    );
    let file_id = playing.value.file_id.clone();
    for handle in [alice, bob] {
        let id = bridge.wait_plugin(handle, "the announcement's start", |e| match e {
            AbEvent::AnnouncementStarted(a) => Some(a.file_id.clone()),
            _ => None,
        });
        assert_eq!(id, file_id);
    }
    for handle in [alice, bob] {
        let id = bridge.wait_plugin(handle, "the announcement's end", |e| match e {
            AbEvent::AnnouncementStopped(a) => Some(a.file_id.clone()),
            _ => None,
        });
        assert_eq!(id, file_id);
    }
    bridge.pump(SETTLE);
    let heard = (
        bridge.ears[0].loud - alice_loud,
        bridge.ears[1].loud - bob_loud,
    );
    // One second of tone: about 50 frames each (some at the edges may be quiet).
    assert!(
        heard.0 >= 30 && heard.1 >= 30,
        "both heard the announcement: {heard:?}"
    );

    // Bob leaves: alice is told; alice hangs up.
    let left = bridge.call(bob, Leave::new());
    assert_eq!(left.value.id, bob_id);
    let leaving = bridge.wait_plugin(alice, "bob leaving", |e| match e {
        AbEvent::Leaving(l) => Some(l.leaving.clone()),
        _ => None,
    });
    assert_eq!(leaving, bob_id);
    // `hangingup`, then the core's hangup of the PeerConnection.
    bridge.call(alice, Hangup::new());
    bridge.wait_event(alice, "alice's hangup", |e| {
        matches!(
            e,
            PluginEvent::Other(Event::Handle { event, .. })
                if matches!(event.kind, HandleEventKind::Hangup { .. })
        )
        .then_some(())
    });
    bridge.pump_until("alice's peer to see the close", |e| e[0].peer.is_closed());
    let destroyed = bridge.call(alice, Destroy::builder().room(ROOM).build());
    assert_eq!(destroyed.value.room, Id::from(ROOM));

    let Bridge {
        mut conn,
        recorder,
        ears,
    } = bridge;
    conn.call(DestroySession(session)).expect("destroy");
    conn.close();
    recorder.finish();
    let sizes = |e: &Ear| {
        let mut s = e.sizes.clone();
        s.sort_unstable();
        s.dedup();
        s
    };
    println!(
        "{test} (Janus {version}): sent alice {} bob {}; mix received alice {} ({} loud, \
         sizes {:?}), bob {} ({} loud, sizes {:?}); loud while all silent {silent_mix:?}; \
         announcement heard {heard:?}; {:.1} s",
        ears[0].peer.stats().rtp_sent,
        ears[1].peer.stats().rtp_sent,
        ears[0].packets,
        ears[0].loud,
        sizes(&ears[0]),
        ears[1].packets,
        ears[1].loud,
        sizes(&ears[1]),
        started_at.elapsed().as_secs_f64(),
    );
    assert_eq!(silent_mix, (0, 0), "a silent room mixes silence");
    drop(janus);
    drop(ns);
}
