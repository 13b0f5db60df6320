//! Real WebRTC calls through a real Janus: Janus runs in a network namespace (see
//! `janus_tests::netns`), a str0m peer (`janus_tests::peer`) sits on the host end of the veth,
//! and the signalling goes through this workspace's clients (`janus_blocking` for all calls,
//! `janus_transport_ws` for some echotest calls too).
//!
//! What the client has to get right here, beyond request and reply: Janus's own trickles
//! (with `full_trickle`) arrive *before* the answer they belong to, while `message` (or `wait`)
//! is blocked; the connection sets them aside and `next_event` hands them out afterwards, in
//! order, to go to the peer before the answer is applied. `webrtcup`, `media`, `hangup` and
//! the plugin's follow-up events come as typed handle events.
//!
//! The echotest calls go through both transports: [`Signalling`] is the little a call needs
//! (offer with pipelined trickles, events, hangup, detach, destroy), implemented once over
//! [`JanusDriver`], the face both drivers show the shared scenarios (`janus_tests::drivers`):
//! events come from wherever the driver delivers them, read between the peer's ticks. Janus's
//! early trickles must come out in order, before the answer is applied, through either.
//! Through either, a call's media also outlives a cut of its signalling connection, which
//! reconnects and claims the session (`media/reconnect.rs`).
//!
//! Without root (or without namespaces) the tests print why they were skipped and pass, except
//! when `CI=true`, where that is a failure.

#![allow(clippy::disallowed_methods)] // Tests read the clock.

use std::collections::VecDeque;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use janus_blocking::request::{self, Attach, Create, Destroy, Detach, Hangup};
use janus_blocking::{
    Candidate, ConnectOptions, Connection, Event, HandleEventKind, HandleId, Jsep, JsepType,
    SessionId, SessionState, Trickle,
};
use janus_proto::plugins::echotest::{Accepted, Configure, EchoTest};
use janus_proto::plugins::{OnHandle, PluginHandle, Typed};
use janus_proto::request::Request as _;
use janus_proto::wire::MediaState;
use janus_tests::drivers::{AsyncWs, Blocking, JanusDriver, Options};
use janus_tests::echotest::{ECHO_PREFIX, PLUGIN, POLL, STEP};
use janus_tests::netns::NetNs;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, PeerEvent};
use janus_tests::JanusServer;
use serde_json::json;

#[path = "media/nosip.rs"]
mod nosip;
#[path = "media/reconnect.rs"]
mod reconnect;
#[path = "media/recordplay.rs"]
mod recordplay;
#[path = "media/streaming.rs"]
mod streaming;
#[path = "media/streams_common.rs"]
mod streams_common;
#[path = "media/textroom.rs"]
mod textroom;

/// Audio frames sent in an echotest call.
const FRAMES: u32 = 100;

/// A namespace for `test`, or `None` (after saying why) when this machine cannot make one.
/// Under `CI=true` not being able to is a failure.
pub(crate) fn netns_or_skip(test: &str) -> Option<NetNs> {
    match NetNs::available() {
        Ok(()) => Some(NetNs::create(test).expect("creating a network namespace")),
        Err(reason) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{test}: media tests need network namespaces, and CI must run them: {reason}")
        }
        Err(reason) => {
            // Straight to stderr: libtest hides a passing test's captured `eprintln!`.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: no network namespace: {reason}"
            );
            None
        }
    }
}

/// Janus inside `ns`, listening on the inner veth address, gathering only there.
fn janus_in(ns: &NetNs, full_trickle: bool, name: &str) -> JanusServer {
    JanusServer::start(ns.janus_options().full_trickle(full_trickle).name(name))
        .expect("starting Janus in the namespace")
}

fn connect(janus: &JanusServer) -> Connection {
    let options = ConnectOptions::new().request_timeout(STEP);
    Connection::connect(janus.ws_url(), options).expect("connecting to Janus")
}

/// Which client library signals a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    Blocking,
    Async,
}

/// Which of Janus's transports the signalling goes through.
#[derive(Clone, Copy, Debug)]
enum Via {
    WebSocket,
    /// HTTP REST with long-polls: trickles as `POST`s, the answer and Janus's trickles from
    /// the session's poll.
    Http,
}

/// What a call needs from its signalling, whichever transport carries it. Every failure is a
/// test failure, so the methods panic with what went wrong.
trait Signalling {
    /// The session and the echotest handle it attached.
    fn ids(&self) -> (SessionId, HandleId);
    /// The state of the session as the client sees it (`None`: ended).
    fn session_state(&self) -> Option<SessionState>;
    /// The session the client files the handle under (`None`: the handle ended).
    fn session_of_handle(&self) -> Option<SessionId>;
    /// Sends the typed `configure` (carrying the offer) through the echotest's typed handle,
    /// then each of `trickles` while the answer is pending (as a browser does), and returns
    /// the typed answer.
    fn offer(&mut self, configure: Configure, trickles: Vec<Trickle>) -> Typed<Accepted>;
    /// The next event for the call (waiting at most `wait`), or `None`.
    fn next_event(&mut self, wait: Duration) -> Option<Event>;
    fn hangup(&mut self);
    fn detach(&mut self);
    fn destroy(&mut self);
}

/// Signalling through either driver ([`JanusDriver`]): the session and the echotest handle
/// it attached, on a connection closed when the call is dropped.
struct DriverSignalling<D: JanusDriver> {
    conn: Option<D>,
    session: SessionId,
    handle: HandleId,
}

impl<D: JanusDriver> DriverSignalling<D> {
    fn open(url: &str, options: &Options) -> Self {
        let mut conn = D::connect(url, options).expect("connecting to Janus");
        let session = conn.call(Create::new()).expect("create");
        let handle = conn.call(Attach::new(session, PLUGIN)).expect("attach");
        DriverSignalling {
            conn: Some(conn),
            session,
            handle,
        }
    }

    fn conn(&mut self) -> &mut D {
        self.conn.as_mut().expect("open until dropped")
    }
}

impl<D: JanusDriver> Signalling for DriverSignalling<D> {
    fn ids(&self) -> (SessionId, HandleId) {
        (self.session, self.handle)
    }

    fn session_state(&self) -> Option<SessionState> {
        self.conn.as_ref()?.session_state(self.session)
    }

    fn session_of_handle(&self) -> Option<SessionId> {
        self.conn.as_ref()?.session_of(self.handle)
    }

    fn offer(&mut self, configure: Configure, trickles: Vec<Trickle>) -> Typed<Accepted> {
        let handle = self.handle;
        let conn = self.conn();
        let request = PluginHandle::<EchoTest>::new(handle).request(configure);
        let answer = conn
            .submit(request.into_command())
            .expect("sending the offer");
        for trickle in trickles {
            conn.call(request::Trickle::new(handle, trickle))
                .expect("trickling our candidates");
        }
        let reply = conn.wait(answer).expect("the echotest's answer");
        OnHandle::<Configure>::output(reply).expect("the echotest's typed answer")
    }

    fn next_event(&mut self, wait: Duration) -> Option<Event> {
        self.conn()
            .next_event(wait)
            .expect("the connection to Janus")
    }

    fn hangup(&mut self) {
        let handle = self.handle;
        self.conn().call(Hangup(handle)).expect("hangup");
    }

    fn detach(&mut self) {
        let handle = self.handle;
        self.conn()
            .call(Detach(handle))
            .expect("the handle outlives its hangup");
    }

    fn destroy(&mut self) {
        let session = self.session;
        self.conn().call(Destroy(session)).expect("destroy");
    }
}

impl<D: JanusDriver> Drop for DriverSignalling<D> {
    fn drop(&mut self) {
        // Closed cleanly unless the test already failed.
        if let Some(conn) = self.conn.take().filter(|_| !std::thread::panicking()) {
            conn.close();
        }
    }
}

/// The typed view of `event` if it is about `handle`.
fn on_handle(event: &Event, handle: HandleId) -> Option<&HandleEventKind> {
    match event {
        Event::Handle {
            handle: from,
            event,
            ..
        } if *from == handle => Some(&event.kind),
        _ => None,
    }
}

/// The first event in `inbox` matching `pred`, reading more from `conn` (no peer involved)
/// until one does; the others stay in `inbox`.
fn wait_event(
    conn: &mut Connection,
    inbox: &mut VecDeque<Event>,
    what: &str,
    pred: impl Fn(&Event) -> bool,
) -> Event {
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(at) = inbox.iter().position(&pred) {
            return inbox.remove(at).expect("the event just found");
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out after {STEP:?} waiting for {what}; unclaimed events {inbox:#?}"
        );
        let wait = left.min(Duration::from_millis(100));
        if let Some(event) = conn.next_event(wait).expect("the connection to Janus") {
            inbox.push_back(event);
        }
    }
}

/// What the call has seen so far.
#[derive(Default)]
struct Seen {
    /// Janus's trickled candidates (and `completed`), in order, with whether they came before
    /// its SDP was applied.
    remote_trickles: Vec<(Candidate, bool)>,
    /// Janus's other events, not yet claimed by a wait.
    inbox: VecDeque<Event>,
    texts: Vec<String>,
    channel_open: bool,
    peer_closed: bool,
}

/// A peer and its signalling, pumped together.
struct Call {
    conn: Box<dyn Signalling>,
    peer: Peer,
    seen: Seen,
    handle: HandleId,
}

impl Call {
    /// Runs the peer, and reads Janus on every tick, until `done` holds (checked after every
    /// event and tick).
    fn pump(&mut self, what: &str, mut done: impl FnMut(&Seen, &Peer) -> bool) {
        let deadline = Instant::now() + STEP;
        let (conn, seen, handle) = (&mut *self.conn, &mut self.seen, self.handle);
        let outcome = self
            .peer
            .run_until(deadline, |peer, event| {
                match event {
                    PeerEvent::Tick => take_events(conn, handle, peer, seen, POLL),
                    PeerEvent::ChannelOpen { .. } => seen.channel_open = true,
                    PeerEvent::ChannelText(text) => seen.texts.push(text),
                    PeerEvent::Closed => seen.peer_closed = true,
                    _ => {}
                }
                if done(seen, peer) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .expect("the peer failed");
        assert!(
            outcome.is_some(),
            "timed out after {STEP:?} waiting for {what}; peer {:?}; unclaimed events {:#?}",
            self.peer,
            self.seen.inbox
        );
    }

    /// Waits (pumping the peer) for the first event matching `pred`, and removes it.
    fn wait_event(&mut self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        self.pump(what, |seen, _| seen.inbox.iter().any(&pred));
        let at = self.seen.inbox.iter().position(&pred).expect("just seen");
        self.seen.inbox.remove(at).expect("just seen")
    }

    /// Waits for an event on this call's handle matching `pred`.
    fn wait_handle_event(
        &mut self,
        what: &str,
        pred: impl Fn(&HandleEventKind) -> bool,
    ) -> HandleEventKind {
        let handle = self.handle;
        let event = self.wait_event(what, |e| on_handle(e, handle).is_some_and(&pred));
        on_handle(&event, handle)
            .cloned()
            .expect("an event on the handle")
    }

    /// Hands out what the connection set aside (Janus's early trickles) without waiting.
    fn take_queued_events(&mut self) {
        let (conn, seen, handle) = (&mut *self.conn, &mut self.seen, self.handle);
        take_events(conn, handle, &mut self.peer, seen, Duration::ZERO);
    }

    /// Our candidates as `trickle` requests, then `completed`.
    fn local_trickles(&self) -> Vec<Trickle> {
        let candidates = self.peer.local_candidates();
        assert!(
            !candidates.is_empty(),
            "trickle mode has a candidate to send"
        );
        candidates
            .into_iter()
            .map(|c| Trickle::One(Candidate::Ice(c)))
            .chain([Trickle::completed()])
            .collect()
    }
}

/// Takes Janus's events (waiting at most `wait` when none came): trickled candidates go to
/// the peer (which keeps them until its remote SDP is set), noting which came early; the rest
/// go to the inbox.
fn take_events(
    conn: &mut dyn Signalling,
    handle: HandleId,
    peer: &mut Peer,
    seen: &mut Seen,
    wait: Duration,
) {
    while let Some(event) = conn.next_event(wait) {
        if let Some(HandleEventKind::Trickle(candidate)) = on_handle(&event, handle) {
            peer.add_remote_candidate(candidate)
                .expect("the peer takes Janus's candidate");
            seen.remote_trickles
                .push((candidate.clone(), !peer.has_remote_description()));
        } else {
            seen.inbox.push_back(event);
        }
    }
}

/// A namespace, Janus inside it, and a call's session and echotest handle, dropped in that
/// order reversed (fields drop in declaration order).
struct EchoCall {
    call: Call,
    janus: JanusServer,
    ns: NetNs,
}

/// What one echotest call measured.
#[derive(Debug)]
struct Report {
    to_answer: Duration,
    to_connected: Duration,
    to_webrtcup: Duration,
    early_trickles: usize,
    sent: u64,
    echoed: u64,
    reply: String,
    media_event: MediaState,
    hangup_reason: Option<String>,
}

/// Up to `webrtcup` in a namespace of its own: create, attach the echotest, offer (audio +
/// data channel) with `message` pipelined with our trickles, answer, webrtcup. Returns the
/// call and the time to the answer, to the peer's DTLS, to webrtcup, and how many of Janus's
/// trickles came early.
fn echotest_up(
    test: &str,
    (transport, via): (Transport, Via),
    mode: CandidateMode,
    full_trickle: bool,
) -> Option<(EchoCall, [Duration; 3], usize)> {
    let ns = netns_or_skip(test)?;
    let janus = janus_in(&ns, full_trickle, test);
    let options = Options::new().request_timeout(STEP);
    let url = match via {
        Via::WebSocket => janus.ws_url(),
        Via::Http => janus.http_url().expect("Janus's HTTP URL"),
    };
    let conn = signalling(transport, url, &options);
    let (call, times, early_trickles) = call_up(conn, &ns, mode, full_trickle);
    Some((EchoCall { call, janus, ns }, times, early_trickles))
}

/// A session with an echotest handle at `url` (Janus's API, or a proxy in front of it),
/// through `transport`.
fn signalling(transport: Transport, url: &str, options: &Options) -> Box<dyn Signalling> {
    match transport {
        Transport::Blocking => Box::new(DriverSignalling::<Blocking>::open(url, options)),
        Transport::Async => Box::new(DriverSignalling::<AsyncWs>::open(url, options)),
    }
}

/// Up to `webrtcup` on the echotest handle of `conn` (whose Janus, `full_trickle` or not,
/// runs in `ns`), with a peer on the namespace's host end: offer (audio + data channel)
/// with `message` pipelined with our trickles, answer, webrtcup. Returns the call and the
/// time to the answer, to the peer's DTLS, to webrtcup, and how many of Janus's trickles came
/// early.
fn call_up(
    conn: Box<dyn Signalling>,
    ns: &NetNs,
    mode: CandidateMode,
    full_trickle: bool,
) -> (Call, [Duration; 3], usize) {
    let (_, handle) = conn.ids();
    let peer = Peer::bind(ns.host_ip().into(), mode).expect("binding the peer");
    let mut call = Call {
        conn,
        peer,
        seen: Seen::default(),
        handle,
    };

    let offer = call
        .peer
        .offer(
            OfferOptions::new()
                .audio(true)
                .data_channel(Some("janus-tests")),
        )
        .expect("making the offer");
    assert_eq!(
        offer.contains("a=candidate"),
        mode == CandidateMode::InSdp,
        "candidates in the offer only in InSdp mode:\n{offer}"
    );
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(mode == CandidateMode::Trickle);
    let started = Instant::now();
    // As a browser does: the offer, then our candidates while the answer is pending.
    let configure = Configure::builder()
        .audio(true)
        .video(false)
        .jsep(jsep)
        .build();
    let trickles = match mode {
        CandidateMode::Trickle => call.local_trickles(),
        CandidateMode::InSdp => Vec::new(),
    };
    let accepted = call.conn.offer(configure, trickles);
    let to_answer = started.elapsed();
    assert_eq!(accepted.value.result, "ok", "{accepted:?}");
    let answer = accepted.jsep.expect("an SDP answer");
    assert_eq!(answer.kind, JsepType::Answer);
    // Janus's trickles that came before its answer were set aside while `wait` blocked.
    call.take_queued_events();
    let early_trickles = call
        .seen
        .remote_trickles
        .iter()
        .filter(|(_, early)| *early)
        .count();
    call.peer
        .accept_answer(&answer.sdp)
        .expect("applying the answer");
    if full_trickle {
        assert!(
            !answer.sdp.contains("a=candidate"),
            "with full_trickle Janus's answer carries no candidate:\n{}",
            answer.sdp
        );
    } else {
        assert!(
            answer.sdp.contains("a=candidate"),
            "half-trickle answer has candidates:\n{}",
            answer.sdp
        );
    }

    call.wait_handle_event("webrtcup", |e| matches!(e, HandleEventKind::WebrtcUp));
    let to_webrtcup = started.elapsed();
    call.pump("the peer's DTLS", |_, peer| peer.is_connected());
    let to_connected = call
        .peer
        .connected_at()
        .expect("connected")
        .saturating_duration_since(started);
    if full_trickle {
        assert!(
            call.seen
                .remote_trickles
                .iter()
                .any(|(c, _)| matches!(c, Candidate::Ice(_))),
            "full_trickle: Janus trickled a candidate"
        );
    }
    (call, [to_answer, to_connected, to_webrtcup], early_trickles)
}

/// `hangup`: success, then a `hangup` event for the handle with its reason; the echotest says
/// "done" and the peer sees DTLS close. Returns the reason.
fn hang_up(call: &mut Call) -> Option<String> {
    call.conn.hangup();
    let hangup = call.wait_handle_event("the hangup event", |e| {
        matches!(e, HandleEventKind::Hangup { .. })
    });
    let HandleEventKind::Hangup { reason } = hangup else {
        unreachable!("matched above")
    };
    call.wait_handle_event(
        "the echotest's done event",
        |e| matches!(e, HandleEventKind::Plugin { data, .. } if data.value().expect("JSON value")["result"] == "done"),
    );
    call.pump("the peer to see the close", |seen, _| seen.peer_closed);
    reason
}

/// One echotest call: up to webrtcup, then 100 audio frames and a text message echoed, hangup
/// with its event, destroy.
fn echotest(
    test: &str,
    transport: (Transport, Via),
    mode: CandidateMode,
    full_trickle: bool,
) -> Option<Report> {
    let (echo, [to_answer, to_connected, to_webrtcup], early_trickles) =
        echotest_up(test, transport, mode, full_trickle)?;
    let EchoCall {
        mut call,
        janus,
        ns,
    } = echo;

    // Media: 100 Opus frames, and one text message once the channel is open.
    call.peer.send_audio(FRAMES);
    call.pump("the data channel to open", |seen, _| seen.channel_open);
    let text = format!("hello from {test}");
    call.peer.send_text(&text).expect("sending text");
    call.pump("the echoed text and audio", |seen, peer| {
        !seen.texts.is_empty()
            && peer.audio_pending() == 0
            && peer.stats().rtp_received >= u64::from(FRAMES)
    });
    // Stragglers: whatever has not come back 300 ms after the last frame is lost.
    let settle = Instant::now() + Duration::from_millis(300);
    call.pump("settling", |_, _| Instant::now() >= settle);
    let stats = call.peer.stats();
    let reply = call.seen.texts[0].clone();
    assert_eq!(reply, format!("{ECHO_PREFIX}{text}"));
    assert_eq!(stats.rtp_sent, u64::from(FRAMES));
    assert!(
        stats.rtp_received >= u64::from(FRAMES) * 9 / 10,
        "most audio echoed: {stats:?}"
    );
    let media = call.wait_handle_event(
        "the media event",
        |e| matches!(e, HandleEventKind::Media(m) if m.kind.as_deref() == Some("audio")),
    );
    let HandleEventKind::Media(media_event) = media else {
        unreachable!("matched above")
    };
    assert!(media_event.receiving, "{media_event:?}");

    let hangup_reason = hang_up(&mut call);
    assert_eq!(hangup_reason.as_deref(), Some("Janus API"));
    call.conn.destroy();
    drop(call);
    drop(janus);
    drop(ns);

    Some(Report {
        to_answer,
        to_connected,
        to_webrtcup,
        early_trickles,
        sent: stats.rtp_sent,
        echoed: stats.rtp_received,
        reply,
        media_event,
        hangup_reason,
    })
}

fn print(test: &str, report: &Report) {
    println!(
        "{test}: answer after {:.1} ms, peer connected after {:.1} ms, webrtcup after {:.1} ms; \
         audio packets sent {}, echoed {}; data channel reply {:?}; \
         Janus trickles before its answer: {}; media event {:?}; hangup reason {:?}",
        report.to_answer.as_secs_f64() * 1000.0,
        report.to_connected.as_secs_f64() * 1000.0,
        report.to_webrtcup.as_secs_f64() * 1000.0,
        report.sent,
        report.echoed,
        report.reply,
        report.early_trickles,
        report.media_event,
        report.hangup_reason,
    );
}

/// Our candidate in the offer, Janus's in its answer (half-trickle, Janus's default).
#[test]
fn echotest_with_candidates_in_sdp() {
    let test = "echotest_sdp";
    if let Some(report) = echotest(
        test,
        (Transport::Blocking, Via::WebSocket),
        CandidateMode::InSdp,
        false,
    ) {
        print(test, &report);
    }
}

/// Both sides trickle: ours after the offer, Janus's (`full_trickle`) before its answer.
#[test]
fn echotest_with_trickle_and_full_trickle() {
    let test = "echotest_trickle";
    if let Some(report) = echotest(
        test,
        (Transport::Blocking, Via::WebSocket),
        CandidateMode::Trickle,
        true,
    ) {
        print(test, &report);
    }
}

/// We trickle, Janus puts its candidates in the answer.
#[test]
fn echotest_with_trickle_and_half_trickle() {
    let test = "echotest_trickle_half";
    if let Some(report) = echotest(
        test,
        (Transport::Blocking, Via::WebSocket),
        CandidateMode::Trickle,
        false,
    ) {
        print(test, &report);
    }
}

/// Our candidate in the offer, Janus trickles its own (`full_trickle`).
#[test]
fn echotest_with_candidates_in_sdp_and_full_trickle() {
    let test = "echotest_sdp_full";
    if let Some(report) = echotest(
        test,
        (Transport::Blocking, Via::WebSocket),
        CandidateMode::InSdp,
        true,
    ) {
        print(test, &report);
    }
}

/// The async transport, in the hardest ordering: we trickle after the offer, Janus trickles
/// its own candidates before its answer (they wait in the handle's event stream).
#[test]
fn echotest_through_the_async_transport_with_full_trickle() {
    let test = "echotest_async_trickle";
    if let Some(report) = echotest(
        test,
        (Transport::Async, Via::WebSocket),
        CandidateMode::Trickle,
        true,
    ) {
        print(test, &report);
    }
}

/// The async transport with candidates in the SDP on both sides.
#[test]
fn echotest_through_the_async_transport_with_candidates_in_sdp() {
    let test = "echotest_async_sdp";
    if let Some(report) = echotest(
        test,
        (Transport::Async, Via::WebSocket),
        CandidateMode::InSdp,
        false,
    ) {
        print(test, &report);
    }
}

/// Over Janus's HTTP transport through the blocking driver, both sides trickling: our
/// trickles go out as `POST`s pipelined with the offer, Janus's candidates and its answer
/// (the asynchronous JSEP event) come from the session's long-poll.
#[test]
fn echotest_over_http_with_trickle_and_full_trickle() {
    let test = "echotest_http_trickle";
    let via = (Transport::Blocking, Via::Http);
    if let Some(report) = echotest(test, via, CandidateMode::Trickle, true) {
        print(test, &report);
    }
}

/// Over HTTP through the async transport, candidates in the SDP on both sides.
#[test]
fn echotest_over_http_through_the_async_transport() {
    let test = "echotest_http_async";
    let via = (Transport::Async, Via::Http);
    if let Some(report) = echotest(test, via, CandidateMode::InSdp, false) {
        print(test, &report);
    }
}

/// `hangup` ends the peer connection, not the handle: Janus answers success, sends a `hangup`
/// event for the handle with its reason ("Janus API"), closes DTLS (the peer sees it), the
/// echotest reports "done"; the handle can still be detached.
#[test]
fn hangup_ends_the_peer_connection_with_a_reason() {
    let test = "hangup";
    let Some((echo, _, _)) = echotest_up(
        test,
        (Transport::Blocking, Via::WebSocket),
        CandidateMode::InSdp,
        false,
    ) else {
        return;
    };
    let EchoCall {
        mut call,
        janus,
        ns,
    } = echo;
    assert!(call.peer.is_connected());
    let reason = hang_up(&mut call);
    assert_eq!(reason.as_deref(), Some("Janus API"));
    assert!(call.peer.is_closed(), "the peer saw DTLS close");
    // Nothing after the hangup on this handle but (possibly) a `media` stop: no second hangup,
    // no detached.
    let settle = Instant::now() + Duration::from_millis(300);
    call.pump("settling", |_, _| Instant::now() >= settle);
    let handle = call.handle;
    let later: Vec<&HandleEventKind> = call
        .seen
        .inbox
        .iter()
        .filter_map(|e| on_handle(e, handle))
        .filter(|e| !matches!(e, HandleEventKind::Media(_)))
        .collect();
    assert!(later.is_empty(), "events after the hangup: {later:#?}");
    call.conn.detach();
    call.conn.destroy();
    drop(call);
    drop(janus);
    drop(ns);
}

/// VideoRoom: one str0m peer publishes Opus, a second one subscribes through another handle
/// (Janus makes the subscriber's offer, the peer answers) and receives the publisher's audio.
/// Each peer runs on its own thread once its SDP is exchanged; signalling stays here. The
/// publisher's candidate is in its offer, the subscriber trickles its own.
#[test]
fn videoroom_publisher_to_subscriber() {
    let test = "videoroom";
    let Some(ns) = netns_or_skip(test) else {
        return;
    };
    let janus = janus_in(&ns, false, test);
    let mut conn = connect(&janus);
    let mut inbox = VecDeque::new();
    let session = conn.create().expect("create");
    let publisher_handle = conn
        .attach(session, "janus.plugin.videoroom")
        .expect("attach the publisher");
    let subscriber_handle = conn
        .attach(session, "janus.plugin.videoroom")
        .expect("attach the subscriber");

    let room = 100_000 + u64::from(std::process::id());
    let create = json!({"request": "create", "room": room, "publishers": 2, "audiocodec": "opus"});
    let created = conn
        .message(publisher_handle, create, None)
        .expect("create the room");
    assert_eq!(
        created.value().expect("JSON value")["videoroom"],
        "created",
        "{created:?}"
    );

    // Publisher: join, publish with our offer, apply the answer, send audio on its thread.
    let join = json!({"request": "join", "ptype": "publisher", "room": room, "display": "str0m"});
    let joined = conn
        .message(publisher_handle, join, None)
        .expect("join as publisher");
    let joined = joined.value().expect("JSON value");
    assert_eq!(joined["videoroom"], "joined", "{joined}");
    let feed = joined["id"].clone();
    let mut publisher = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = publisher
        .offer(OfferOptions::new().audio(true))
        .expect("the publisher's offer");
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(false);
    let configured = conn
        .message(publisher_handle, json!({"request": "publish"}), Some(jsep))
        .expect("publish");
    assert_eq!(
        configured.value().expect("JSON value")["configured"],
        "ok",
        "{}",
        configured.raw.as_str()
    );
    let answer = configured.jsep.expect("an SDP answer");
    assert_eq!(answer.kind, JsepType::Answer);
    publisher
        .accept_answer(&answer.sdp)
        .expect("applying the answer");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_publisher = stop.clone();
    publisher.send_audio(500);
    let publisher = std::thread::spawn(move || {
        publisher
            .run_until(Instant::now() + 2 * STEP, |peer, _| {
                let stop = stop_publisher.load(std::sync::atomic::Ordering::Relaxed);
                if stop || peer.audio_pending() == 0 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .expect("the publisher failed");
        publisher
    });
    wait_event(&mut conn, &mut inbox, "the publisher's webrtcup", |e| {
        matches!(
            on_handle(e, publisher_handle),
            Some(HandleEventKind::WebrtcUp)
        )
    });

    // Subscriber: Janus offers, the peer answers, `start`; media must arrive.
    let join = json!({"request": "join", "ptype": "subscriber", "room": room,
                      "streams": [{"feed": feed}]});
    let attached = conn
        .message(subscriber_handle, join, None)
        .expect("join as subscriber");
    assert_eq!(
        attached.value().expect("JSON value")["videoroom"],
        "attached",
        "{}",
        attached.raw.as_str()
    );
    let janus_offer = attached.jsep.expect("an SDP offer");
    assert_eq!(janus_offer.kind, JsepType::Offer);
    // The subscriber trickles its candidate (the answer carries none).
    let mut subscriber = Peer::bind(ns.host_ip().into(), CandidateMode::Trickle).expect("a peer");
    let answer = subscriber
        .answer(&janus_offer.sdp)
        .expect("answering Janus's offer");
    assert!(!answer.contains("a=candidate"), "{answer}");
    let subscriber_candidates = subscriber.local_candidates();
    let subscriber = std::thread::spawn(move || {
        let mut added = Vec::new();
        subscriber
            .run_until(Instant::now() + STEP, |peer, event| {
                if let PeerEvent::MediaAdded {
                    kind, direction, ..
                } = event
                {
                    added.push((kind, direction));
                }
                if peer.stats().rtp_received >= 50 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .expect("the subscriber failed");
        (subscriber, added)
    });
    let started = conn
        .message(
            subscriber_handle,
            json!({"request": "start"}),
            Some(Jsep::answer(answer)),
        )
        .expect("start");
    assert_eq!(
        started.value().expect("JSON value")["started"],
        "ok",
        "{}",
        started.raw.as_str()
    );
    let candidates: Vec<Candidate> = subscriber_candidates
        .into_iter()
        .map(Candidate::Ice)
        .chain([Candidate::Completed])
        .collect();
    conn.trickle(subscriber_handle, Trickle::Many(candidates))
        .expect("trickling the subscriber's candidates");
    let sub_up = wait_event(&mut conn, &mut inbox, "the subscriber's webrtcup", |e| {
        matches!(
            on_handle(e, subscriber_handle),
            Some(HandleEventKind::WebrtcUp)
        )
    });
    let (subscriber, added) = subscriber.join().expect("the subscriber thread");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let publisher = publisher.join().expect("the publisher thread");
    let publisher_media = wait_event(&mut conn, &mut inbox, "the publisher's media event", |e| {
        matches!(
            on_handle(e, publisher_handle),
            Some(HandleEventKind::Media(_))
        )
    });

    println!(
        "{test}: publisher sent {} audio packets; subscriber (answerer, m-lines {added:?}) \
         connected after {:?} and received {}; webrtcup {sub_up:?}; publisher media event {publisher_media:?}",
        publisher.stats().rtp_sent,
        subscriber.connected_after(),
        subscriber.stats().rtp_received,
    );
    assert_eq!(added, [("audio".to_owned(), "recvonly".to_owned())]);
    assert!(
        subscriber.stats().rtp_received >= 50,
        "the subscriber got the publisher's audio: {:?}",
        subscriber.stats()
    );
    let Some(HandleEventKind::Media(media)) = on_handle(&publisher_media, publisher_handle) else {
        unreachable!("matched above")
    };
    assert!(media.receiving, "{media:?}");
    conn.destroy(session).expect("destroy");
}

#[path = "media/videoroom.rs"]
mod videoroom;

#[path = "media/sfu.rs"]
mod sfu;

#[path = "media/audiobridge.rs"]
mod audiobridge;

#[path = "media/videocall.rs"]
mod videocall;

#[path = "media/sip.rs"]
mod sip;
