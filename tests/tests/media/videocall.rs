//! VideoCall: a real call between two str0m peers through Janus, signalled through the typed
//! VideoCall model ([`janus_proto::plugins::videocall`]) on two handles of one session, on
//! Janus 1.1.2 and 1.4.1.
//!
//! Alice and Bob `register`; Alice `call`s Bob with her peer's offer; Bob gets the typed
//! `incomingcall` with that offer (rewritten by Janus), his peer answers and he `accept`s;
//! Alice gets `accepted` with the answer. Both peers send Opus and each counts what reaches
//! it (each receives from the other only, so a peer's receive count is the other's packets
//! that arrived). `set` caps Alice's bitrate, then stops relaying Bob's audio (`audio:
//! false`), which the packet counts show. Alice hangs up with a reason: her answer is the
//! typed `hangup` (`Explicit hangup`), Bob's event carries her reason; both PeerConnections
//! close, and each side is told of the other's (`Remote WebRTC hangup`). Meanwhile Carol's
//! `call` to Bob (with her own offer) is answered `hangup` `User busy`.
//!
//! [`Rig`] and the helpers here are shared with the SIP module: Janus in a namespace, one
//! blocking connection with a fixtures [`Recorder`], and waits for typed events that keep
//! the peers running.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use janus_proto::plugins::videocall::{
    Accept, Call, CallOutcome, Event, Hangup, Register, Set, VideoCall,
};
use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle, Typed};
use janus_proto::request::{Create, Destroy};
use janus_proto::{HandleEventKind, HandleId, Jsep, JsepType, SessionId};
use janus_tests::drivers::{Blocking, JanusDriver, Options};
use janus_tests::echotest::STEP;
use janus_tests::fixtures::Recorder;
use janus_tests::netns::NetNs;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer};
use janus_tests::{JanusServer, JanusVersion};

use super::netns_or_skip;

/// Audio frames each peer sends in the call.
const FRAMES: u32 = 100;
/// Frames each peer sends once Bob's audio is no longer relayed.
const MUTED_FRAMES: u32 = 25;
/// How long each peer runs per round while the test waits for something.
const SLICE: Duration = Duration::from_millis(4);

/// Janus (of one version) in a namespace, one blocking connection to it with a session, and
/// the recorder of the scenario's fixtures. Fields drop in declaration order: the connection
/// first, the namespace last.
pub(super) struct Rig<P: Plugin> {
    pub(super) conn: Blocking,
    pub(super) recorder: Recorder,
    pub(super) session: SessionId,
    /// Events read while waiting for another one, per handle.
    inbox: VecDeque<(HandleId, PluginEvent<P::Event>)>,
    pub(super) janus: JanusServer,
    pub(super) ns: NetNs,
}

impl<P: Plugin> Rig<P> {
    /// The rig for `test` (a namespace prefix: letters, digits, `_`) on `version`, recording
    /// fixtures as `scenario`; `None` when this machine cannot make a namespace (see
    /// `netns_or_skip`).
    pub(super) fn start(test: &str, version: JanusVersion, scenario: &str) -> Option<Self> {
        let ns = netns_or_skip(test)?;
        let janus = JanusServer::start(ns.janus_options().version(version).name(test))
            .expect("starting Janus in the namespace");
        let mut conn = Blocking::connect(janus.ws_url(), &Options::new().request_timeout(STEP))
            .expect("connecting to Janus");
        let recorder = Recorder::new(&mut conn, scenario);
        assert_eq!(recorder.version(), version.as_str());
        let session = conn.call(Create::new()).expect("create");
        Some(Rig {
            conn,
            recorder,
            session,
            inbox: VecDeque::new(),
            janus,
            ns,
        })
    }

    /// A new handle of the plugin.
    pub(super) fn attach(&mut self) -> PluginHandle<P> {
        self.conn
            .attach_plugin::<P>(self.session)
            .expect("attaching the plugin")
    }

    /// A peer on the host end of the veth, its candidate in its SDP.
    pub(super) fn peer(&self) -> Peer {
        Peer::bind(self.ns.host_ip().into(), CandidateMode::InSdp).expect("binding a peer")
    }

    /// Waits (at most [`STEP`], running `peers` meanwhile) for the first event of `handle`
    /// that `pick` accepts: first among those read earlier, then new ones (each plugin event
    /// recorded as a fixture). The others are kept for later waits.
    pub(super) fn wait<T>(
        &mut self,
        handle: PluginHandle<P>,
        peers: &mut [&mut Peer],
        what: &str,
        mut pick: impl FnMut(&PluginEvent<P::Event>) -> Option<T>,
    ) -> T {
        let id = handle.id();
        for at in 0..self.inbox.len() {
            if self.inbox[at].0 != id {
                continue;
            }
            if let Some(found) = pick(&self.inbox[at].1) {
                self.inbox.remove(at);
                return found;
            }
        }
        let deadline = Instant::now() + STEP;
        loop {
            assert!(
                Instant::now() < deadline,
                "timed out after {STEP:?} waiting for {what}; peers {peers:?}; unclaimed events {:#?}",
                self.inbox
            );
            pump(peers, SLICE);
            let poll = if peers.is_empty() {
                Duration::from_millis(20)
            } else {
                Duration::ZERO
            };
            while let Some(event) = self
                .conn
                .next_plugin_event(handle, poll)
                .expect("the connection to Janus")
            {
                self.recorder.event::<P>(&event);
                if let Some(found) = pick(&event) {
                    return found;
                }
                self.inbox.push_back((id, event));
            }
        }
    }

    /// Waits for the typed plugin event of `handle` that `pick` accepts (see [`wait`](Self::wait)).
    pub(super) fn wait_plugin<T>(
        &mut self,
        handle: PluginHandle<P>,
        peers: &mut [&mut Peer],
        what: &str,
        mut pick: impl FnMut(&Typed<P::Event>) -> Option<T>,
    ) -> T {
        self.wait(handle, peers, what, |event| match event {
            PluginEvent::Plugin(typed) => pick(typed),
            _ => None,
        })
    }

    /// Waits for the core event of `handle` (webrtcup, media, hangup, …) that `pick` accepts.
    pub(super) fn wait_core<T>(
        &mut self,
        handle: PluginHandle<P>,
        peers: &mut [&mut Peer],
        what: &str,
        mut pick: impl FnMut(&HandleEventKind) -> Option<T>,
    ) -> T {
        self.wait(handle, peers, what, |event| core(event).and_then(&mut pick))
    }

    /// Runs `peers` and reads events for `time`; returns the plugin events of `handles` that
    /// came (and every one read before and not claimed), typed, recorded as fixtures.
    pub(super) fn settle(
        &mut self,
        handles: &[PluginHandle<P>],
        peers: &mut [&mut Peer],
        time: Duration,
    ) -> Vec<(HandleId, P::Event)> {
        let until = Instant::now() + time;
        while Instant::now() < until {
            pump(peers, SLICE);
            for &handle in handles {
                let poll = if peers.is_empty() {
                    Duration::from_millis(10)
                } else {
                    Duration::ZERO
                };
                while let Some(event) = self
                    .conn
                    .next_plugin_event(handle, poll)
                    .expect("the connection to Janus")
                {
                    self.recorder.event::<P>(&event);
                    self.inbox.push_back((handle.id(), event));
                }
            }
        }
        let mut typed = Vec::new();
        self.inbox.retain(|(id, event)| match event {
            PluginEvent::Plugin(t) if handles.iter().any(|h| h.id() == *id) => {
                typed.push((*id, t.value.clone()));
                false
            }
            _ => true,
        });
        typed
    }

    /// Destroys the session, closes the connection and writes the fixtures.
    pub(super) fn finish(mut self) {
        self.conn.call(Destroy(self.session)).expect("destroy");
        let Rig {
            conn,
            recorder,
            janus,
            ns,
            ..
        } = self;
        conn.close();
        recorder.finish();
        drop(janus);
        drop(ns);
    }
}

/// Runs each peer for `slice` in turn (str0m timers, ICE, DTLS, due audio frames, received
/// media).
pub(super) fn pump(peers: &mut [&mut Peer], slice: Duration) {
    for peer in peers.iter_mut() {
        peer.run_until(Instant::now() + slice, |_, _| {
            ControlFlow::<()>::Continue(())
        })
        .expect("a peer failed");
    }
}

/// Runs `peers` until `done` holds, at most [`STEP`].
pub(super) fn pump_until(
    peers: &mut [&mut Peer],
    what: &str,
    mut done: impl FnMut(&[&mut Peer]) -> bool,
) {
    let deadline = Instant::now() + STEP;
    while !done(peers) {
        assert!(
            Instant::now() < deadline,
            "timed out after {STEP:?} waiting for {what}; peers {peers:?}"
        );
        pump(peers, SLICE);
    }
}

/// The core event (not the plugin's) in a typed handle event.
pub(super) fn core<E>(event: &PluginEvent<E>) -> Option<&HandleEventKind> {
    match event {
        PluginEvent::Other(janus_proto::Event::Handle { event, .. }) => Some(&event.kind),
        _ => None,
    }
}

/// `sdp` as a JSEP offer or answer, telling Janus the candidates are in it.
pub(super) fn jsep(kind: JsepType, sdp: String) -> Jsep {
    let mut jsep = match kind {
        JsepType::Offer => Jsep::offer(sdp),
        _ => Jsep::answer(sdp),
    };
    jsep.trickle = Some(false);
    jsep
}

/// `sdp` without the repeated `a=mid:` lines of an m-section (Janus's merge adds its own mid
/// to a plugin's SDP that still has one).
pub(super) fn single_mid(sdp: &str) -> String {
    let mut out = String::with_capacity(sdp.len());
    let mut mid_seen = false;
    for line in sdp.split_inclusive('\n') {
        if line.starts_with("m=") {
            mid_seen = false;
        }
        if line.starts_with("a=mid:") {
            if mid_seen {
                continue;
            }
            mid_seen = true;
        }
        out.push_str(line);
    }
    out
}

#[test]
fn a_call_between_two_peers_on_1_1_2() {
    a_call_between_two_peers(JanusVersion::V1_1_2);
}

#[test]
fn a_call_between_two_peers_on_1_4_1() {
    a_call_between_two_peers(JanusVersion::V1_4_1);
}

fn a_call_between_two_peers(version: JanusVersion) {
    let test = format!("videocall_{}", version.number());
    let Some(mut rig) = Rig::<VideoCall>::start(&test, version, "media_call") else {
        return;
    };
    let (a, b) = (rig.attach(), rig.attach());
    for (handle, name) in [(a, "alice"), (b, "bob")] {
        let registered = rig
            .recorder
            .call(
                &mut rig.conn,
                handle,
                Register::builder().username(name).build(),
            )
            .expect("register");
        assert_eq!(registered.value.result.username, name);
    }

    // Alice calls Bob with her offer.
    let mut alice = rig.peer();
    let mut bob = rig.peer();
    let offer = alice
        .offer(OfferOptions::new().audio(true))
        .expect("Alice's offer");
    let call = Call::builder()
        .username("bob")
        .jsep(jsep(JsepType::Offer, offer))
        .build();
    let calling = rig.recorder.call(&mut rig.conn, a, call).expect("call");
    match &calling.value.result {
        // Documented with the callee's name; neither version sends it.
        CallOutcome::Calling(calling) => assert_eq!(calling.username, None),
        other => panic!("Bob is not busy: {other:?}"),
    }
    assert!(calling.jsep.is_none());

    // Bob gets the call with Janus's version of the offer, answers and accepts.
    let (caller, offer) = rig.wait_plugin(b, &mut [], "Bob's incomingcall", |t| match &t.value {
        Event::IncomingCall(call) => Some((call.result.username.clone(), t.jsep.clone())),
        _ => None,
    });
    assert_eq!(caller, "alice");
    let offer = offer.expect("the offer comes with incomingcall");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(offer.sdp.contains("m=audio"), "{}", offer.sdp);
    let answer = bob.answer(&offer.sdp).expect("Bob's answer");
    let accept = Accept::builder()
        .jsep(jsep(JsepType::Answer, answer))
        .build();
    let accepted = rig.recorder.call(&mut rig.conn, b, accept).expect("accept");
    assert_eq!(accepted.value.result.username, None);
    assert!(accepted.jsep.is_none());

    // Alice gets `accepted` with Bob's answer.
    let (callee, answer) =
        rig.wait_plugin(a, &mut [&mut bob], "Alice's accepted", |t| match &t.value {
            Event::Accepted(accepted) => Some((accepted.result.username.clone(), t.jsep.clone())),
            _ => None,
        });
    assert_eq!(callee.as_deref(), Some("bob"));
    let answer = answer.expect("the answer comes with accepted");
    assert_eq!(answer.kind, JsepType::Answer);
    // Janus forwards Bob's answer with its own `a=mid` added before Bob's: the m-line has
    // the same mid twice, which str0m refuses; the copy goes.
    let mids = answer.sdp.matches("a=mid:").count();
    assert_eq!(mids, 2, "{}", answer.sdp);
    alice
        .accept_answer(&single_mid(&answer.sdp))
        .expect("applying Bob's answer");

    // Media both ways.
    alice.send_audio(FRAMES);
    bob.send_audio(FRAMES);
    for (handle, who) in [(a, "Alice"), (b, "Bob")] {
        rig.wait_core(handle, &mut [&mut alice, &mut bob], who, |e| {
            matches!(e, HandleEventKind::WebrtcUp).then_some(())
        });
    }
    pump_until(&mut [&mut alice, &mut bob], "the audio both ways", |p| {
        p.iter()
            .all(|p| p.audio_pending() == 0 && p.stats().rtp_received >= u64::from(FRAMES) * 9 / 10)
    });
    // Stragglers: what has not come 300 ms after the last frame is lost.
    rig.settle(
        &[a, b],
        &mut [&mut alice, &mut bob],
        Duration::from_millis(300),
    );
    let (to_bob, to_alice) = (bob.stats().rtp_received, alice.stats().rtp_received);
    assert_eq!(alice.stats().rtp_sent, u64::from(FRAMES));
    assert_eq!(bob.stats().rtp_sent, u64::from(FRAMES));
    assert!(
        to_bob >= u64::from(FRAMES) * 9 / 10,
        "Alice → Bob: {to_bob}"
    );
    assert!(
        to_alice >= u64::from(FRAMES) * 9 / 10,
        "Bob → Alice: {to_alice}"
    );

    // Carol calls Bob, who is in a call: the answer is `hangup` (`User busy`, with Carol's
    // own name); Bob hears nothing of it.
    let carol = rig.attach();
    rig.recorder
        .call(
            &mut rig.conn,
            carol,
            Register::builder().username("carol").build(),
        )
        .expect("register carol");
    let mut carol_peer = rig.peer();
    let offer = carol_peer
        .offer(OfferOptions::new().audio(true))
        .expect("Carol's offer");
    let call = Call::builder()
        .username("bob")
        .jsep(jsep(JsepType::Offer, offer))
        .build();
    let busy = rig.recorder.call(&mut rig.conn, carol, call).expect("call");
    match &busy.value.result {
        CallOutcome::Busy(busy) => {
            assert_eq!(busy.username.as_deref(), Some("carol"));
            assert_eq!(busy.reason, "User busy");
        }
        other => panic!("Bob is busy: {other:?}"),
    }
    drop(carol_peer);

    // `set`: a bitrate cap, then Bob's audio no longer relayed to Alice.
    let capped = rig
        .recorder
        .call(&mut rig.conn, a, Set::builder().bitrate(64_000).build())
        .expect("set bitrate");
    assert!(capped.jsep.is_none());
    rig.recorder
        .call(&mut rig.conn, b, Set::builder().audio(false).build())
        .expect("set audio off");
    alice.send_audio(MUTED_FRAMES);
    bob.send_audio(MUTED_FRAMES);
    pump_until(
        &mut [&mut alice, &mut bob],
        "the audio with Bob's muted",
        |p| {
            p.iter().all(|p| p.audio_pending() == 0)
                && p[1].stats().rtp_received >= to_bob + u64::from(MUTED_FRAMES) * 9 / 10
        },
    );
    rig.settle(
        &[a, b],
        &mut [&mut alice, &mut bob],
        Duration::from_millis(300),
    );
    let muted_to_bob = bob.stats().rtp_received - to_bob;
    let muted_to_alice = alice.stats().rtp_received - to_alice;
    assert!(
        muted_to_bob >= u64::from(MUTED_FRAMES) * 9 / 10,
        "Alice → Bob still relayed: {muted_to_bob}"
    );
    assert_eq!(
        muted_to_alice, 0,
        "Bob's audio is not relayed after set audio:false"
    );

    // Alice hangs up with a reason: her answer says `Explicit hangup`, Bob's event carries
    // her reason; both PeerConnections close.
    let hungup = rig
        .recorder
        .call(
            &mut rig.conn,
            a,
            Hangup::builder().reason("Going home").build(),
        )
        .expect("hangup");
    assert_eq!(hungup.value.result.username.as_deref(), Some("alice"));
    assert_eq!(hungup.value.result.reason, "Explicit hangup");
    let (who, why) = rig.wait_plugin(b, &mut [&mut alice, &mut bob], "Bob's hangup", |t| match &t
        .value
    {
        Event::HungUp(h) => Some((h.result.username.clone(), h.result.reason.clone())),
        _ => None,
    });
    assert_eq!(who.as_deref(), Some("alice"));
    assert_eq!(why, "Going home");
    let mut reasons = Vec::new();
    for (handle, who) in [(a, "Alice"), (b, "Bob")] {
        reasons.push(
            rig.wait_core(handle, &mut [&mut alice, &mut bob], who, |e| match e {
                HandleEventKind::Hangup { reason } => Some(reason.clone()),
                _ => None,
            }),
        );
    }
    assert_eq!(
        reasons,
        [Some("Close PC".to_owned()), Some("Close PC".to_owned())]
    );
    pump_until(&mut [&mut alice, &mut bob], "both peers closed", |p| {
        p.iter().all(|p| p.is_closed())
    });
    // Each side's PeerConnection closing tells the other side too (the plugin's
    // hangup_media), with the closing side's name.
    for (handle, other) in [(a, "bob"), (b, "alice")] {
        let (who, why) = rig.wait_plugin(handle, &mut [], "the remote WebRTC hangup", |t| match &t
            .value
        {
            Event::HungUp(h) => Some((h.result.username.clone(), h.result.reason.clone())),
            _ => None,
        });
        assert_eq!(who.as_deref(), Some(other));
        assert_eq!(why, "Remote WebRTC hangup");
    }
    let later = rig.settle(&[a, b], &mut [], Duration::from_millis(300));
    assert!(later.is_empty(), "nothing more: {later:?}");
    println!(
        "{test}: Alice → Bob {to_bob} of {FRAMES} packets, Bob → Alice {to_alice} of {FRAMES}; \
         with Bob's audio off: Alice → Bob {muted_to_bob} of {MUTED_FRAMES}, Bob → Alice \
         {muted_to_alice}; core hangup reasons {reasons:?}"
    );
    rig.finish();
}
