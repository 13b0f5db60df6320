//! VideoRoom with real media, on Janus 1.1.2 and 1.4.1: two str0m publishers and two str0m
//! subscribers in one room, signalled through the typed VideoRoom model (`JoinPublisher`,
//! `Publish`/`ConfigurePublisher` with an offer, `JoinSubscriber` with `streams`, `Start`,
//! `Subscribe`, `Pause`, `Switch`, `Unsubscribe`, `Update`, `Unpublish`, `LeavePublisher`)
//! on the blocking driver, every request and event read going through a fixtures `Recorder`.
//!
//! Subscriber 1 grows one subscription step by step (publisher 1, then publisher 2 on a new
//! mid; pause and resume; a switch of mid 0 to publisher 2; an unsubscription; an `update`
//! that both drops and adds, reusing the freed m-line); subscriber 2 takes both publishers
//! at once, loses publisher 2 when it unpublishes (Janus renegotiates on its own), then
//! makes a change while an offer is still unanswered (`updating`, the offer following as an
//! event). Publisher 1 hears of publisher 2 (`publishers`, `unpublished`, `leaving`).
//!
//! Janus does not touch an audio payload on its way through the SFU, so each publisher marks
//! its Opus frames with a byte of its own after the silent frame ([`TAGS`]); a subscriber
//! counts what arrives per (m-line, marker): which publisher's packets reach which of its
//! mids, and when they stop.
//!
//! Publishers run on threads of their own (sending until told to stop); the subscribers are
//! pumped on the test's thread between signalling steps.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_blocking::{Event, HandleEventKind, Jsep, JsepType};
use janus_proto::plugins::videoroom::{
    Attached, ConfigurePublisher, Create, Destroy, Event as VrEvent, JoinPublisher, JoinSubscriber,
    LeavePublisher, MediaType, Pause, Publish, Start, Subscribe, SubscribeStream, SubscriberStream,
    SubscriptionUpdate, Switch, SwitchOutcome, SwitchStream, Unpublish, Unsubscribe,
    UnsubscribeStream, Update, Updated, VideoRoom,
};
use janus_proto::plugins::{Id, PluginEvent, PluginHandle, PluginRequest, Typed};
use janus_proto::request::{Create as CreateSession, Destroy as DestroySession};
use janus_tests::drivers::{Blocking, JanusDriver, Options};
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::netns::NetNs;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, PeerEvent, OPUS_SILENCE};
use janus_tests::{JanusServer, JanusVersion};

use super::netns_or_skip;

/// The room every run creates (each run has a Janus of its own).
const ROOM: u64 = 4242;
/// The byte each publisher appends to its silent Opus frame.
const TAGS: [u8; 2] = [0xA1, 0xA2];
/// Packets (20 ms each) a subscriber must see from a source before a step counts as done.
const ENOUGH: u64 = 25;
/// How long after a change in-flight packets may still arrive.
const SETTLE: Duration = Duration::from_millis(300);
/// How long a stopped stream is watched to show that nothing comes.
const QUIET: Duration = Duration::from_millis(600);

#[test]
fn videoroom_two_publishers_two_subscribers_1_1_2() {
    two_publishers_two_subscribers(JanusVersion::V1_1_2);
}

#[test]
fn videoroom_two_publishers_two_subscribers_1_4_1() {
    two_publishers_two_subscribers(JanusVersion::V1_4_1);
}

/// Janus of `version` in a fresh namespace.
fn janus_in(ns: &NetNs, version: JanusVersion, name: &str) -> JanusServer {
    JanusServer::start(ns.janus_options().version(version).name(name))
        .expect("starting Janus in the namespace")
}

/// A publisher's peer sending tagged audio on its own thread until stopped.
struct Sender {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Peer>,
}

impl Sender {
    fn start(mut peer: Peer, tag: u8) -> Self {
        let mut frame = OPUS_SILENCE.to_vec();
        frame.push(tag);
        peer.set_audio_payload(Some(frame));
        peer.send_audio(u32::MAX);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            // Bounded: the whole scenario takes well under this.
            peer.run_until(Instant::now() + 12 * STEP, |_, _| {
                if flag.load(Ordering::Relaxed) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .expect("a publisher failed");
            peer
        });
        Sender { stop, thread }
    }

    fn stop(self) -> Peer {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("a publisher thread")
    }
}

/// A subscriber's peer and what it received: packets per (mid, publisher tag).
struct Receiver {
    name: &'static str,
    peer: Peer,
    got: BTreeMap<(String, u8), u64>,
    added: Vec<(String, String)>,
}

impl Receiver {
    fn new(name: &'static str, ns: &NetNs) -> Self {
        let mut peer = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
        peer.set_tick(Duration::from_millis(2));
        Receiver {
            name,
            peer,
            got: BTreeMap::new(),
            added: Vec::new(),
        }
    }

    /// Runs the peer for `time`, counting what arrives.
    fn run(&mut self, time: Duration) {
        let (got, added) = (&mut self.got, &mut self.added);
        self.peer
            .run_until(Instant::now() + time, |_, event| {
                match event {
                    PeerEvent::Media {
                        mid,
                        packets,
                        payload,
                        ..
                    } => {
                        let tag = payload.last().copied().unwrap_or(0);
                        *got.entry((mid, tag)).or_default() += packets;
                    }
                    PeerEvent::MediaAdded { mid, kind, .. } => added.push((mid, kind)),
                    _ => {}
                }
                ControlFlow::<()>::Continue(())
            })
            .expect("a subscriber failed");
    }

    /// Packets on `mid` from the publisher of `tag`.
    fn count(&self, mid: &str, tag: u8) -> u64 {
        self.got.get(&(mid.to_owned(), tag)).copied().unwrap_or(0)
    }

    /// Packets on `mid` from anyone.
    fn on_mid(&self, mid: &str) -> u64 {
        self.got
            .iter()
            .filter(|((m, _), _)| m == mid)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The scenario's signalling and subscribers, pumped together.
struct Room {
    conn: Blocking,
    recorder: Recorder,
    subs: Vec<Receiver>,
}

impl Room {
    /// Runs every subscriber for about `time`.
    fn pump(&mut self, time: Duration) {
        let until = Instant::now() + time;
        loop {
            for sub in &mut self.subs {
                sub.run(Duration::from_millis(3));
            }
            if Instant::now() >= until {
                return;
            }
        }
    }

    /// Pumps until `done` holds (bounded by [`STEP`]).
    fn pump_until(&mut self, what: &str, done: impl Fn(&[Receiver]) -> bool) {
        let until = Instant::now() + STEP;
        while !done(&self.subs) {
            assert!(
                Instant::now() < until,
                "timed out after {STEP:?} waiting for {what}; received {:#?}",
                self.subs
                    .iter()
                    .map(|s| (s.name, &s.got))
                    .collect::<Vec<_>>()
            );
            self.pump(Duration::from_millis(10));
        }
    }

    /// A typed request through the recorder.
    fn call<M>(&mut self, handle: PluginHandle<VideoRoom>, request: M) -> Typed<M::Response>
    where
        M: PluginRequest<Plugin = VideoRoom> + std::fmt::Debug + Clone + 'static,
        M::Response: Send + 'static,
    {
        let shown = format!("{request:?}");
        self.recorder
            .call(&mut self.conn, handle, request)
            .unwrap_or_else(|e| panic!("{shown}: {e}"))
    }

    /// The first event of `handle` that `pick` accepts (pumping the subscribers meanwhile),
    /// recording the plugin events on the way; the others are returned in `skipped`.
    fn wait_event<T>(
        &mut self,
        handle: PluginHandle<VideoRoom>,
        what: &str,
        mut pick: impl FnMut(&PluginEvent<VrEvent>) -> Option<T>,
        skipped: &mut Vec<PluginEvent<VrEvent>>,
    ) -> T {
        let until = Instant::now() + STEP;
        loop {
            while let Some(event) = self
                .conn
                .next_plugin_event(handle, Duration::ZERO)
                .expect("the connection to Janus")
            {
                self.recorder.event::<VideoRoom>(&event);
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

    /// The `updated` offer that answers a subscription change: in the reply, or (after
    /// `updating`) as an event.
    fn updated(
        &mut self,
        handle: PluginHandle<VideoRoom>,
        reply: Typed<SubscriptionUpdate>,
    ) -> (Updated, Jsep) {
        match reply.value {
            SubscriptionUpdate::Updated(updated) => {
                (updated, reply.jsep.expect("an offer with `updated`"))
            }
            SubscriptionUpdate::Updating(_) => self.wait_event(
                handle,
                "the updated offer",
                |e| match e {
                    PluginEvent::Plugin(Typed {
                        value: VrEvent::Updated(u),
                        jsep: Some(jsep),
                        ..
                    }) => Some((u.clone(), jsep.clone())),
                    _ => None,
                },
                &mut Vec::new(),
            ),
            other => panic!("not an update: {other:?}"),
        }
    }

    /// Subscriber `sub` answers Janus's `offer` with `start`.
    fn answer_and_start(&mut self, sub: usize, handle: PluginHandle<VideoRoom>, offer: &Jsep) {
        assert_eq!(offer.kind, JsepType::Offer);
        let answer = self.subs[sub]
            .peer
            .answer(&offer.sdp)
            .expect("answering Janus's offer");
        let started = self.call(handle, Start::answer(Jsep::answer(answer)));
        assert_eq!(started.value.started, "ok");
    }
}

/// Whether `event` is the handle's `webrtcup`.
fn is_webrtcup(event: &PluginEvent<VrEvent>) -> bool {
    matches!(
        event,
        PluginEvent::Other(Event::Handle { event, .. }) if matches!(event.kind, HandleEventKind::WebrtcUp)
    )
}

/// The active audio streams of a subscription: (mid, feed).
fn active(streams: &[SubscriberStream]) -> Vec<(String, Id)> {
    streams
        .iter()
        .filter(|s| s.active != Some(false) && s.kind == MediaType::Audio)
        .map(|s| (s.mid.clone(), s.feed_id.clone().expect("a feed")))
        .collect()
}

fn two_publishers_two_subscribers(version: JanusVersion) {
    let test = format!("vroom_{}", version.number());
    let Some(ns) = netns_or_skip(&test) else {
        return;
    };
    let started_at = Instant::now();
    let janus = janus_in(&ns, version, &test);
    let mut conn = Blocking::connect(janus.ws_url(), &Options::new().request_timeout(STEP))
        .expect("connecting to Janus");
    let recorder = Recorder::new(&mut conn, "media_publishers_subscribers");
    assert_eq!(recorder.version(), version.as_str());
    let session = conn.call(CreateSession::new()).expect("create");
    let mut handles = Vec::new();
    for _ in 0..4 {
        handles.push(conn.attach_plugin::<VideoRoom>(session).expect("attach"));
    }
    let [pub1, pub2, sub1, sub2] = handles[..] else {
        unreachable!("four handles")
    };
    let mut room = Room {
        conn,
        recorder,
        subs: vec![Receiver::new("sub1", &ns), Receiver::new("sub2", &ns)],
    };

    let created = room.call(
        pub1,
        Create::builder()
            .room(ROOM)
            .publishers(4)
            .audiocodec("opus".to_owned())
            .build(),
    );
    assert_eq!(created.value.room, Id::from(ROOM));

    // Publisher 1 joins an empty room and publishes with `publish`.
    let joined1 = room.call(
        pub1,
        JoinPublisher::builder().room(ROOM).display("pub1").build(),
    );
    assert!(joined1.value.publishers.is_empty(), "{:?}", joined1.value);
    let feed1 = joined1.value.id.clone();
    let mut peer1 = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = peer1
        .offer(OfferOptions::new().audio(true))
        .expect("an offer");
    let published = room.call(
        pub1,
        Publish::builder()
            .display("pub1".to_owned())
            .jsep(Jsep::offer(offer))
            .build(),
    );
    assert_eq!(published.value.configured, "ok");
    let answer = published.jsep.expect("Janus's answer");
    assert_eq!(answer.kind, JsepType::Answer);
    peer1
        .accept_answer(&answer.sdp)
        .expect("applying the answer");
    let streams1 = published.value.streams.clone().unwrap_or_default();
    assert_eq!(streams1.len(), 1, "{streams1:?}");
    assert_eq!(streams1[0].kind, MediaType::Audio);
    assert_eq!(streams1[0].codec.as_deref(), Some("opus"));
    let feed1_mid = streams1[0].mid.clone();
    let sender1 = Sender::start(peer1, TAGS[0]);
    room.wait_event(
        pub1,
        "publisher 1's webrtcup",
        |e| is_webrtcup(e).then_some(()),
        &mut Vec::new(),
    );

    // Publisher 2 joins: publisher 1 is listed with its audio stream. It publishes with
    // `configure` + offer; publisher 1 hears of it (`publishers`).
    let joined2 = room.call(
        pub2,
        JoinPublisher::builder().room(ROOM).display("pub2").build(),
    );
    let listed: Vec<_> = joined2
        .value
        .publishers
        .iter()
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(listed, std::slice::from_ref(&feed1));
    assert_eq!(joined2.value.publishers[0].display.as_deref(), Some("pub1"));
    assert_eq!(joined2.value.publishers[0].streams[0].mid, feed1_mid);
    let feed2 = joined2.value.id.clone();
    let mut peer2 = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = peer2
        .offer(OfferOptions::new().audio(true))
        .expect("an offer");
    let configured = room.call(
        pub2,
        ConfigurePublisher::builder()
            .audio(true)
            .jsep(Jsep::offer(offer))
            .build(),
    );
    assert_eq!(configured.value.configured, "ok");
    let answer = configured.jsep.expect("Janus's answer");
    peer2
        .accept_answer(&answer.sdp)
        .expect("applying the answer");
    let sender2 = Sender::start(peer2, TAGS[1]);
    room.wait_event(
        pub2,
        "publisher 2's webrtcup",
        |e| is_webrtcup(e).then_some(()),
        &mut Vec::new(),
    );
    let announced = room.wait_event(
        pub1,
        "publisher 1 told of publisher 2",
        |e| match e {
            PluginEvent::Plugin(Typed {
                value: VrEvent::Publishers(p),
                ..
            }) => Some(p.clone()),
            _ => None,
        },
        &mut Vec::new(),
    );
    assert_eq!(announced.room, Id::from(ROOM));
    assert_eq!(announced.publishers.len(), 1, "{announced:?}");
    assert_eq!(announced.publishers[0].id, feed2);
    assert_eq!(announced.publishers[0].display.as_deref(), Some("pub2"));
    let feed2_mid = announced.publishers[0].streams[0].mid.clone();
    assert_eq!(announced.publishers[0].streams[0].kind, MediaType::Audio);

    // Subscriber 1: publisher 1's stream, through `join` with `streams`.
    let attached = room.call(
        sub1,
        JoinSubscriber::builder()
            .room(ROOM)
            .streams(vec![SubscribeStream::builder()
                .feed(feed1.clone())
                .mid(feed1_mid.clone())
                .build()])
            .build(),
    );
    let Attached { ref streams, .. } = attached.value;
    assert_eq!(
        active(streams),
        [("0".to_owned(), feed1.clone())],
        "{streams:?}"
    );
    assert_eq!(streams[0].feed_mid.as_deref(), Some(feed1_mid.as_str()));
    assert_eq!(streams[0].feed_display.as_deref(), Some("pub1"));
    let offer = attached.jsep.clone().expect("Janus's offer");
    room.answer_and_start(0, sub1, &offer);
    room.pump_until("subscriber 1 to get publisher 1", |s| {
        s[0].count("0", TAGS[0]) >= ENOUGH
    });
    assert_eq!(
        room.subs[0].count("0", TAGS[1]),
        0,
        "only publisher 1 on mid 0"
    );

    // `subscribe` to publisher 2 on the same handle: Janus renegotiates, a new mid.
    let update = room.call(
        sub1,
        Subscribe::builder()
            .streams(vec![SubscribeStream::builder().feed(feed2.clone()).build()])
            .build(),
    );
    let (updated, offer) = room.updated(sub1, update);
    let now_active = active(updated.streams.as_deref().unwrap_or_default());
    assert_eq!(
        now_active,
        [
            ("0".to_owned(), feed1.clone()),
            ("1".to_owned(), feed2.clone())
        ]
    );
    room.answer_and_start(0, sub1, &offer);
    let before = room.subs[0].count("0", TAGS[0]);
    room.pump_until("subscriber 1 to get both publishers", |s| {
        s[0].count("1", TAGS[1]) >= ENOUGH && s[0].count("0", TAGS[0]) >= before + ENOUGH
    });
    assert_eq!(
        room.subs[0].count("1", TAGS[0]),
        0,
        "only publisher 2 on mid 1"
    );
    assert!(
        room.subs[0]
            .added
            .iter()
            .any(|(mid, kind)| mid == "1" && kind == "audio"),
        "{:?}",
        room.subs[0].added
    );

    // `pause`: nothing arrives; `start` again: both streams resume.
    let paused = room.call(sub1, Pause::new());
    assert_eq!(paused.value.paused, "ok");
    room.pump(SETTLE);
    let at_pause = room.subs[0].got.clone();
    room.pump(QUIET);
    assert_eq!(room.subs[0].got, at_pause, "nothing arrives while paused");
    let resumed = room.call(sub1, Start::resume());
    assert_eq!(resumed.value.started, "ok");
    let (p0, p1) = (
        room.subs[0].count("0", TAGS[0]),
        room.subs[0].count("1", TAGS[1]),
    );
    room.pump_until("subscriber 1 to resume", |s| {
        s[0].count("0", TAGS[0]) >= p0 + ENOUGH && s[0].count("1", TAGS[1]) >= p1 + ENOUGH
    });
    let paused_report = format!("paused at {at_pause:?}, resumed to {:?}", room.subs[0].got);

    // `switch` mid 0 to publisher 2's stream: no renegotiation, the packets on mid 0 now
    // carry publisher 2's marker.
    let switched = room.call(
        sub1,
        Switch::builder()
            .streams(vec![SwitchStream::builder()
                .feed(feed2.clone())
                .mid(feed2_mid.clone())
                .sub_mid("0")
                .build()])
            .build(),
    );
    let SwitchOutcome::Switched(switched) = switched.value else {
        panic!("a `switched` event: {switched:?}")
    };
    assert_eq!(switched.switched, "ok");
    assert_eq!(switched.changes, 1);
    assert_eq!(
        active(&switched.streams),
        [
            ("0".to_owned(), feed2.clone()),
            ("1".to_owned(), feed2.clone())
        ]
    );
    room.pump(SETTLE);
    let (from1, from2) = (
        room.subs[0].count("0", TAGS[0]),
        room.subs[0].count("0", TAGS[1]),
    );
    room.pump_until("publisher 2's packets on mid 0", |s| {
        s[0].count("0", TAGS[1]) >= from2 + ENOUGH
    });
    assert_eq!(
        room.subs[0].count("0", TAGS[0]),
        from1,
        "publisher 1's packets stopped on mid 0"
    );

    // `unsubscribe` mid 1: renegotiation; mid 1 stops, mid 0 goes on.
    let update = room.call(
        sub1,
        Unsubscribe::builder()
            .streams(vec![UnsubscribeStream::builder().sub_mid("1").build()])
            .build(),
    );
    let (updated, offer) = room.updated(sub1, update);
    assert_eq!(
        active(updated.streams.as_deref().unwrap_or_default()),
        [("0".to_owned(), feed2.clone())]
    );
    room.answer_and_start(0, sub1, &offer);
    room.pump(SETTLE);
    let mid1 = room.subs[0].on_mid("1");
    let mid0 = room.subs[0].on_mid("0");
    room.pump_until("mid 0 to go on", |s| s[0].on_mid("0") >= mid0 + ENOUGH);
    assert_eq!(room.subs[0].on_mid("1"), mid1, "mid 1 stopped");

    // `update`: drop mid 0 (publisher 2) and subscribe to publisher 1 again, in one
    // renegotiation. Janus takes the unsubscription first and reuses the freed m-line: mid
    // 0 now carries publisher 1 again, and publisher 2's packets stop on it.
    let update = room.call(
        sub1,
        Update::builder()
            .subscribe(vec![SubscribeStream::builder().feed(feed1.clone()).build()])
            .unsubscribe(vec![UnsubscribeStream::builder().sub_mid("0").build()])
            .build(),
    );
    let (updated, offer) = room.updated(sub1, update);
    assert_eq!(
        active(updated.streams.as_deref().unwrap_or_default()),
        [("0".to_owned(), feed1.clone())]
    );
    room.answer_and_start(0, sub1, &offer);
    room.pump(SETTLE);
    let (from1, from2) = (
        room.subs[0].count("0", TAGS[0]),
        room.subs[0].count("0", TAGS[1]),
    );
    room.pump_until("publisher 1 on mid 0 again", |s| {
        s[0].count("0", TAGS[0]) >= from1 + ENOUGH
    });
    assert_eq!(
        room.subs[0].count("0", TAGS[1]),
        from2,
        "publisher 2's packets stopped on mid 0"
    );
    assert_eq!(room.subs[0].on_mid("1"), mid1, "mid 1 still unused");

    // Subscriber 2: both publishers at once.
    let attached = room.call(
        sub2,
        JoinSubscriber::builder()
            .room(ROOM)
            .streams(vec![
                SubscribeStream::builder().feed(feed1.clone()).build(),
                SubscribeStream::builder().feed(feed2.clone()).build(),
            ])
            .build(),
    );
    assert_eq!(
        active(&attached.value.streams),
        [
            ("0".to_owned(), feed1.clone()),
            ("1".to_owned(), feed2.clone())
        ]
    );
    let offer = attached.jsep.clone().expect("Janus's offer");
    room.answer_and_start(1, sub2, &offer);
    room.pump_until("subscriber 2 to get both publishers", |s| {
        s[1].count("0", TAGS[0]) >= ENOUGH && s[1].count("1", TAGS[1]) >= ENOUGH
    });
    assert_eq!(room.subs[1].count("0", TAGS[1]), 0);
    assert_eq!(room.subs[1].count("1", TAGS[0]), 0);
    let sub2_added = room.subs[1].added.clone();
    assert_eq!(
        sub2_added,
        [
            ("0".to_owned(), "audio".to_owned()),
            ("1".to_owned(), "audio".to_owned())
        ]
    );

    // Publisher 2 unpublishes, then leaves: publisher 1 hears `unpublished`, then `leaving`;
    // subscriber 2's stream of it ends (Janus renegotiates the subscription on its own).
    // (`leave` alone keeps the PeerConnection: Janus then sends `leaving` only, both
    // versions, and `unpublished` when the PeerConnection goes.)
    let unpublished_ok = room.call(pub2, Unpublish::new());
    assert_eq!(unpublished_ok.value.unpublished, "ok");
    let peer2 = sender2.stop();
    let mut seen = Vec::new();
    let unpublished = room.wait_event(
        pub1,
        "publisher 2's unpublished",
        |e| match e {
            PluginEvent::Plugin(Typed {
                value: VrEvent::Unpublished(u),
                ..
            }) => Some(u.clone()),
            _ => None,
        },
        &mut seen,
    );
    assert_eq!(unpublished.unpublished, feed2);
    // 1.1.2's `unpublished` and `leaving` name the feed only; 1.4.1's carry its display.
    let expected_display = match version {
        JanusVersion::V1_1_2 => None,
        JanusVersion::V1_4_1 => Some("pub2"),
    };
    assert_eq!(unpublished.display.as_deref(), expected_display);
    let left = room.call(pub2, LeavePublisher::new());
    assert_eq!(left.value.leaving, "ok");
    let leaving = room.wait_event(
        pub1,
        "publisher 2's leaving",
        |e| match e {
            PluginEvent::Plugin(Typed {
                value: VrEvent::Leaving(l),
                ..
            }) => Some(l.clone()),
            _ => None,
        },
        &mut seen,
    );
    assert_eq!(leaving.leaving, feed2);
    assert_eq!(leaving.display.as_deref(), expected_display);
    let (auto_updated, offer) = room.wait_event(
        sub2,
        "subscriber 2's update without publisher 2",
        |e| match e {
            PluginEvent::Plugin(Typed {
                value: VrEvent::Updated(u),
                jsep: Some(jsep),
                ..
            }) => Some((u.clone(), jsep.clone())),
            _ => None,
        },
        &mut Vec::new(),
    );
    assert_eq!(
        active(auto_updated.streams.as_deref().unwrap_or_default()),
        [("0".to_owned(), feed1.clone())]
    );
    room.answer_and_start(1, sub2, &offer);
    room.pump(SETTLE);
    let gone = room.subs[1].on_mid("1");
    let still = room.subs[1].count("0", TAGS[0]);
    room.pump_until("subscriber 2 still getting publisher 1", |s| {
        s[1].count("0", TAGS[0]) >= still + ENOUGH
    });
    assert_eq!(room.subs[1].on_mid("1"), gone, "publisher 2's stream ended");

    // A change while an offer is unanswered: subscriber 2 drops publisher 1 (an offer with
    // nothing active), and before answering it subscribes again: Janus says `updating`,
    // and sends the offer of the second change as an `updated` event once the first is
    // answered.
    let update = room.call(
        sub2,
        Unsubscribe::builder()
            .streams(vec![UnsubscribeStream::builder()
                .feed(feed1.clone())
                .build()])
            .build(),
    );
    let (emptied, first_offer) = room.updated(sub2, update);
    assert_eq!(
        active(emptied.streams.as_deref().unwrap_or_default()),
        [],
        "{emptied:?}"
    );
    let postponed = room.call(
        sub2,
        Subscribe::builder()
            .streams(vec![SubscribeStream::builder().feed(feed1.clone()).build()])
            .build(),
    );
    assert!(
        matches!(&postponed.value, SubscriptionUpdate::Updating(u) if u.room == Id::from(ROOM)),
        "{postponed:?}"
    );
    assert_eq!(postponed.jsep, None);
    room.answer_and_start(1, sub2, &first_offer);
    let (resubscribed, offer) = room.wait_event(
        sub2,
        "the postponed offer",
        |e| match e {
            PluginEvent::Plugin(Typed {
                value: VrEvent::Updated(u),
                jsep: Some(jsep),
                ..
            }) => Some((u.clone(), jsep.clone())),
            _ => None,
        },
        &mut Vec::new(),
    );
    let now_active = active(resubscribed.streams.as_deref().unwrap_or_default());
    assert_eq!(now_active.len(), 1, "{now_active:?}");
    let (mid, feed) = now_active[0].clone();
    assert_eq!(feed, feed1);
    room.answer_and_start(1, sub2, &offer);
    let before = room.subs[1].count(&mid, TAGS[0]);
    room.pump_until("subscriber 2 getting publisher 1 again", |s| {
        s[1].count(&mid, TAGS[0]) >= before + ENOUGH
    });

    let peer1 = sender1.stop();
    let destroyed = room.call(pub1, Destroy::builder().room(ROOM).build());
    assert_eq!(destroyed.value.room, Id::from(ROOM));
    let Room {
        mut conn,
        recorder,
        subs,
    } = room;
    conn.call(DestroySession(session)).expect("destroy");
    conn.close();
    recorder.finish();

    println!(
        "{test} (Janus {version}): publishers sent {} and {} packets; \
         subscriber 1 received {:?} ({paused_report}); subscriber 2 received {:?}; \
         {:.1} s",
        peer1.stats().rtp_sent,
        peer2.stats().rtp_sent,
        subs[0].got,
        subs[1].got,
        started_at.elapsed().as_secs_f64(),
    );
    drop(janus);
    drop(ns);
}
