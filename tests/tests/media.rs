//! Real WebRTC calls through a real Janus: Janus runs in a network namespace (see
//! `janus_tests::netns`), a str0m peer (`janus_tests::peer`) sits on the host end of the veth.
//!
//! Signalling here is raw Janus JSON over a tungstenite websocket, on purpose: these tests
//! prove the media groundwork on its own, before the client crates' transports are wired in.
//!
//! Without root (or without namespaces) the tests print why they were skipped and pass, except
//! when `CI=true`, where that is a failure.

#![allow(clippy::disallowed_methods)] // Tests read the clock.

use std::collections::VecDeque;
use std::io::Write as _;
use std::net::TcpStream;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use janus_proto::Candidate;
use janus_tests::netns::NetNs;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, PeerEvent};
use janus_tests::{JanusOptions, JanusServer};
use serde_json::{json, Value};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

/// How long one signalling step or media phase may take.
const STEP: Duration = Duration::from_secs(10);
/// Audio frames sent in an echotest call.
const FRAMES: u32 = 100;
/// The echotest plugin's prefix on data-channel text it echoes.
const ECHO_PREFIX: &str = "Janus EchoTest here! You wrote: ";

/// A namespace for `test`, or `None` (after saying why) when this machine cannot make one.
/// Under `CI=true` not being able to is a failure.
fn netns_or_skip(test: &str) -> Option<NetNs> {
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
    JanusServer::start(
        JanusOptions::new()
            .netns(Some(ns.name()))
            .bind_ip(ns.inner_ip())
            .ice_enforce_list(Some(ns.inner_if()))
            .ignore_mdns(true)
            .full_trickle(full_trickle)
            .name(name),
    )
    .expect("starting Janus in the namespace")
}

/// Raw Janus API over a websocket whose reads time out after 2 ms, so that it can be polled
/// from the peer's loop.
struct Signal {
    ws: WebSocket<TcpStream>,
    next_txn: u64,
    /// Frames read but not yet taken by a wait.
    inbox: VecDeque<Value>,
}

impl Signal {
    fn connect(url: &str) -> Self {
        let host = url
            .strip_prefix("ws://")
            .expect("a ws:// URL")
            .trim_end_matches('/');
        let stream = TcpStream::connect(host).expect("connecting to Janus");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let mut request = url.into_client_request().expect("a websocket request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("janus-protocol"),
        );
        let (ws, _) = tungstenite::client(request, stream).expect("websocket handshake");
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(2)))
            .expect("read timeout");
        Self {
            ws,
            next_txn: 0,
            inbox: VecDeque::new(),
        }
    }

    /// Sends `request` with a fresh transaction, returned.
    fn send(&mut self, mut request: Value) -> String {
        self.next_txn += 1;
        let txn = format!("media-{}", self.next_txn);
        request["transaction"] = json!(txn);
        self.ws
            .send(Message::text(request.to_string()))
            .expect("sending to Janus");
        txn
    }

    /// One frame, if one arrives within the read timeout.
    fn poll(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(text)) => {
                Some(serde_json::from_str(text.as_str()).expect("Janus sends JSON"))
            }
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("websocket to Janus failed: {e}"),
        }
    }

    /// Removes and returns the first kept frame matching `pred`.
    fn take(&mut self, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        let at = self.inbox.iter().position(pred)?;
        self.inbox.remove(at)
    }

    /// Reads frames (no peer involved) until one matches `pred`; keeps the others.
    fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + STEP;
        loop {
            if let Some(frame) = self.take(&pred) {
                return frame;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {STEP:?} waiting for {what}; unclaimed frames {:#?}",
                self.inbox
            );
            if let Some(frame) = self.poll() {
                self.inbox.push_back(frame);
            }
        }
    }

    /// Sends a request (with the ids `level` asks for) and returns its transaction and reply
    /// (`success` or `ack`; an `error` fails the test).
    fn request(&mut self, mut body: Value, ids: Ids) -> (String, Value) {
        if let Some(session) = ids.session {
            body["session_id"] = json!(session);
        }
        if let Some(handle) = ids.handle {
            body["handle_id"] = json!(handle);
        }
        let txn = self.send(body.clone());
        let reply = self.wait(&format!("the reply to {body}"), |f| {
            f["transaction"] == json!(txn)
                && matches!(f["janus"].as_str(), Some("success" | "ack" | "error"))
        });
        assert_ne!(reply["janus"], "error", "{body} failed: {reply}");
        (txn, reply)
    }
}

/// The ids a request carries.
#[derive(Clone, Copy, Default)]
struct Ids {
    session: Option<u64>,
    handle: Option<u64>,
}

/// What the call has seen so far (Janus frames are in the [`Signal`]'s inbox).
#[derive(Default)]
struct Seen {
    /// Janus's trickled candidates (and `completed`), in order, with whether they came before
    /// its SDP was applied.
    remote_trickles: Vec<(Candidate, bool)>,
    texts: Vec<String>,
    channel_open: bool,
    peer_closed: bool,
}

/// A peer and its signalling, pumped together.
struct Call {
    sig: Signal,
    peer: Peer,
    seen: Seen,
    session: u64,
    handle: u64,
}

impl Call {
    /// Runs the peer and reads Janus until `done` holds (checked after every event and tick).
    fn pump(&mut self, what: &str, mut done: impl FnMut(&Signal, &Seen, &Peer) -> bool) {
        let deadline = Instant::now() + STEP;
        let (sig, seen) = (&mut self.sig, &mut self.seen);
        let outcome = self
            .peer
            .run_until(deadline, |peer, event| {
                match event {
                    PeerEvent::Tick => {
                        while let Some(frame) = sig.poll() {
                            on_frame(&frame, peer, seen);
                            sig.inbox.push_back(frame);
                        }
                    }
                    PeerEvent::ChannelOpen { .. } => seen.channel_open = true,
                    PeerEvent::ChannelText(text) => seen.texts.push(text),
                    PeerEvent::Closed => seen.peer_closed = true,
                    _ => {}
                }
                if done(sig, seen, peer) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .expect("the peer failed");
        assert!(
            outcome.is_some(),
            "timed out after {STEP:?} waiting for {what}; peer {:?}; unclaimed frames {:#?}",
            self.peer,
            self.sig.inbox
        );
    }

    /// Waits for (and removes) the first frame matching `pred`.
    fn wait_frame(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.pump(what, |sig, _, _| sig.inbox.iter().any(&pred));
        self.sig.take(&pred).expect("the frame just seen")
    }

    /// Sends a request and waits for its reply while pumping the peer (so that trickles
    /// reach it and ICE goes on).
    fn request(&mut self, mut body: Value, level: Level) -> (String, Value) {
        if level != Level::Server {
            body["session_id"] = json!(self.session);
        }
        if level == Level::Handle {
            body["handle_id"] = json!(self.handle);
        }
        let txn = self.sig.send(body.clone());
        let reply = self.wait_frame(&format!("the reply to {body}"), |f| {
            f["transaction"] == json!(txn)
                && matches!(f["janus"].as_str(), Some("success" | "ack" | "error"))
        });
        assert_ne!(reply["janus"], "error", "{body} failed: {reply}");
        (txn, reply)
    }

    /// Sends our candidates to Janus as `trickle` requests, then `completed`.
    fn trickle_local_candidates(&mut self) -> usize {
        let candidates = self.peer.local_candidates();
        assert!(
            !candidates.is_empty(),
            "trickle mode has a candidate to send"
        );
        for candidate in &candidates {
            let candidate = serde_json::to_value(Candidate::Ice(candidate.clone()))
                .expect("a candidate serialises");
            self.request(
                json!({"janus": "trickle", "candidate": candidate}),
                Level::Handle,
            );
        }
        self.request(
            json!({"janus": "trickle", "candidate": {"completed": true}}),
            Level::Handle,
        );
        candidates.len()
    }
}

/// Which ids a request carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Server,
    Session,
    Handle,
}

/// Hands Janus's trickled candidates to the peer (which keeps them until its remote SDP is
/// set), noting which came early.
fn on_frame(frame: &Value, peer: &mut Peer, seen: &mut Seen) {
    if frame["janus"] == "trickle" {
        let candidates: Vec<Value> = match (&frame["candidate"], &frame["candidates"]) {
            (Value::Object(_), _) => vec![frame["candidate"].clone()],
            (_, Value::Array(all)) => all.clone(),
            _ => Vec::new(),
        };
        for value in candidates {
            let candidate: Candidate =
                serde_json::from_value(value).expect("Janus's trickle candidate parses");
            peer.add_remote_candidate(&candidate)
                .expect("the peer takes Janus's candidate");
            seen.remote_trickles
                .push((candidate, !peer.has_remote_description()));
        }
    }
}

/// What one echotest call measured.
struct Report {
    to_answer: Duration,
    to_connected: Duration,
    to_webrtcup: Duration,
    sent: u64,
    echoed: u64,
    reply: String,
    early_trickles: usize,
    media_event: Value,
    hangup_reason: String,
}

/// One echotest call: create, attach, offer (audio + data channel), answer, webrtcup, 100
/// audio frames and a text message echoed, hangup with its event, destroy.
fn echotest(test: &str, mode: CandidateMode, full_trickle: bool) -> Option<Report> {
    let ns = netns_or_skip(test)?;
    let janus = janus_in(&ns, full_trickle, test);

    let peer = Peer::bind(ns.host_ip().into(), mode).expect("binding the peer");
    let mut call = Call {
        sig: Signal::connect(janus.ws_url()),
        peer,
        seen: Seen::default(),
        session: 0,
        handle: 0,
    };
    let (_, created) = call.request(json!({"janus": "create"}), Level::Server);
    call.session = created["data"]["id"].as_u64().expect("a session id");
    let (_, attached) = call.request(
        json!({"janus": "attach", "plugin": "janus.plugin.echotest"}),
        Level::Session,
    );
    call.handle = attached["data"]["id"].as_u64().expect("a handle id");

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
    let started = Instant::now();
    let (txn, _ack) = call.request(
        json!({
            "janus": "message",
            "body": {"audio": true, "video": false, "data": true},
            "jsep": {"type": "offer", "sdp": offer, "trickle": mode == CandidateMode::Trickle},
        }),
        Level::Handle,
    );
    if mode == CandidateMode::Trickle {
        call.trickle_local_candidates();
    }
    let event = call.wait_frame("the echotest answer", |f| {
        f["janus"] == "event" && f["transaction"] == json!(txn)
    });
    assert_eq!(
        event["plugindata"]["data"]["result"], "ok",
        "echotest result: {event}"
    );
    let to_answer = started.elapsed();
    let answer = event["jsep"]["sdp"].as_str().expect("an SDP answer");
    assert_eq!(event["jsep"]["type"], "answer");
    let early_trickles = call
        .seen
        .remote_trickles
        .iter()
        .filter(|(_, early)| *early)
        .count();
    call.peer
        .accept_answer(answer)
        .expect("applying the answer");
    if full_trickle {
        assert!(
            !answer.contains("a=candidate"),
            "with full_trickle Janus's answer carries no candidate:\n{answer}"
        );
    } else {
        assert!(
            answer.contains("a=candidate"),
            "half-trickle answer has candidates:\n{answer}"
        );
    }

    let webrtcup = call.wait_frame("webrtcup", |f| f["janus"] == "webrtcup");
    let to_webrtcup = started.elapsed();
    call.pump("the peer's DTLS", |_, _, peer| peer.is_connected());
    let to_connected = call
        .peer
        .connected_at()
        .expect("connected")
        .saturating_duration_since(started);
    assert_eq!(webrtcup["sender"], json!(call.handle));
    if full_trickle {
        assert!(
            call.seen
                .remote_trickles
                .iter()
                .any(|(c, _)| matches!(c, Candidate::Ice(_))),
            "full_trickle: Janus trickled a candidate"
        );
    }

    // Media: 100 Opus frames, and one text message once the channel is open.
    call.peer.send_audio(FRAMES);
    call.pump("the data channel to open", |_, seen, _| seen.channel_open);
    let text = format!("hello from {test}");
    call.peer.send_text(&text).expect("sending text");
    call.pump("the echoed text and audio", |_, seen, peer| {
        !seen.texts.is_empty()
            && peer.audio_pending() == 0
            && peer.stats().rtp_received >= u64::from(FRAMES)
    });
    // Stragglers: whatever has not come back 300 ms after the last frame is lost.
    let settle = Instant::now() + Duration::from_millis(300);
    call.pump("settling", |_, _, _| Instant::now() >= settle);
    let stats = call.peer.stats();
    let reply = call.seen.texts[0].clone();
    assert_eq!(reply, format!("{ECHO_PREFIX}{text}"));
    assert_eq!(stats.rtp_sent, u64::from(FRAMES));
    assert!(
        stats.rtp_received >= u64::from(FRAMES) * 9 / 10,
        "most audio echoed: {stats:?}"
    );
    let media_event = call.wait_frame("the media event", |f| {
        f["janus"] == "media" && f["type"] == "audio"
    });
    assert_eq!(media_event["receiving"], true, "{media_event}");
    assert_eq!(media_event["sender"], json!(call.handle));

    // Hangup: success, then a `hangup` event with its reason; the echotest says "done".
    call.request(json!({"janus": "hangup"}), Level::Handle);
    let hangup = call.wait_frame("the hangup event", |f| f["janus"] == "hangup");
    assert_eq!(hangup["sender"], json!(call.handle));
    let hangup_reason = hangup["reason"].as_str().unwrap_or_default().to_owned();
    assert_eq!(hangup_reason, "Janus API");
    call.wait_frame("the echotest's done event", |f| {
        f["janus"] == "event" && f["plugindata"]["data"]["result"] == "done"
    });
    call.pump("the peer to see the close", |_, seen, _| seen.peer_closed);
    call.request(json!({"janus": "destroy"}), Level::Session);
    drop(janus);
    drop(ns);

    Some(Report {
        to_answer,
        to_connected,
        to_webrtcup,
        sent: stats.rtp_sent,
        echoed: stats.rtp_received,
        reply,
        early_trickles,
        media_event,
        hangup_reason,
    })
}

fn print(test: &str, report: &Report) {
    println!(
        "{test}: answer after {:.1} ms, peer connected after {:.1} ms, webrtcup after {:.1} ms; audio packets sent {}, echoed {}; data channel reply {:?}; \
         Janus trickles before its answer: {}; media event {}; hangup reason {:?}",
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
    if let Some(report) = echotest(test, CandidateMode::InSdp, false) {
        print(test, &report);
    }
}

/// Both sides trickle: ours after the offer, Janus's (`full_trickle`) before its answer.
#[test]
fn echotest_with_trickle_and_full_trickle() {
    let test = "echotest_trickle";
    if let Some(report) = echotest(test, CandidateMode::Trickle, true) {
        print(test, &report);
    }
}

/// We trickle, Janus puts its candidates in the answer.
#[test]
fn echotest_with_trickle_and_half_trickle() {
    let test = "echotest_trickle_half";
    if let Some(report) = echotest(test, CandidateMode::Trickle, false) {
        print(test, &report);
    }
}

/// Our candidate in the offer, Janus trickles its own (`full_trickle`).
#[test]
fn echotest_with_candidates_in_sdp_and_full_trickle() {
    let test = "echotest_sdp_full";
    if let Some(report) = echotest(test, CandidateMode::InSdp, true) {
        print(test, &report);
    }
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
    let mut sig = Signal::connect(janus.ws_url());
    let (_, created) = sig.request(json!({"janus": "create"}), Ids::default());
    let session = created["data"]["id"].as_u64().expect("a session id");
    let in_session = Ids {
        session: Some(session),
        handle: None,
    };
    let attach = |sig: &mut Signal| {
        let body = json!({"janus": "attach", "plugin": "janus.plugin.videoroom"});
        let (_, attached) = sig.request(body, in_session);
        Ids {
            session: Some(session),
            handle: Some(attached["data"]["id"].as_u64().expect("a handle id")),
        }
    };
    let (publisher_handle, subscriber_handle) = (attach(&mut sig), attach(&mut sig));
    let message = |body: Value| json!({"janus": "message", "body": body});
    let event_for =
        |txn: String| move |f: &Value| f["janus"] == "event" && f["transaction"] == json!(txn);

    let room = 100_000 + u64::from(std::process::id());
    let create = json!({"request": "create", "room": room, "publishers": 2, "audiocodec": "opus"});
    let (_, reply) = sig.request(message(create), publisher_handle);
    assert_eq!(
        reply["plugindata"]["data"]["videoroom"], "created",
        "{reply}"
    );

    // Publisher: join, publish with our offer, apply the answer, send audio on its thread.
    let join = json!({"request": "join", "ptype": "publisher", "room": room, "display": "str0m"});
    let (txn, _) = sig.request(message(join), publisher_handle);
    let joined = sig.wait("joined", event_for(txn));
    assert_eq!(
        joined["plugindata"]["data"]["videoroom"], "joined",
        "{joined}"
    );
    let feed = joined["plugindata"]["data"]["id"].clone();
    let mut publisher = Peer::bind(ns.host_ip().into(), CandidateMode::InSdp).expect("a peer");
    let offer = publisher
        .offer(OfferOptions::new().audio(true))
        .expect("the publisher's offer");
    let mut publish = message(json!({"request": "publish"}));
    publish["jsep"] = json!({"type": "offer", "sdp": offer, "trickle": false});
    let (txn, _) = sig.request(publish, publisher_handle);
    let configured = sig.wait("configured", event_for(txn));
    assert_eq!(
        configured["plugindata"]["data"]["configured"], "ok",
        "{configured}"
    );
    let answer = configured["jsep"]["sdp"].as_str().expect("an SDP answer");
    publisher
        .accept_answer(answer)
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
    sig.wait("the publisher's webrtcup", |f| {
        f["janus"] == "webrtcup" && f["sender"] == json!(publisher_handle.handle)
    });

    // Subscriber: Janus offers, the peer answers, `start`; media must arrive.
    let join = json!({"request": "join", "ptype": "subscriber", "room": room,
                      "streams": [{"feed": feed}]});
    let (txn, _) = sig.request(message(join), subscriber_handle);
    let attached = sig.wait("the subscriber's offer", event_for(txn));
    assert_eq!(
        attached["plugindata"]["data"]["videoroom"], "attached",
        "{attached}"
    );
    assert_eq!(attached["jsep"]["type"], "offer");
    let janus_offer = attached["jsep"]["sdp"].as_str().expect("an SDP offer");
    // The subscriber trickles its candidate (the answer carries none).
    let mut subscriber = Peer::bind(ns.host_ip().into(), CandidateMode::Trickle).expect("a peer");
    let answer = subscriber
        .answer(janus_offer)
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
    let mut start = message(json!({"request": "start"}));
    start["jsep"] = json!({"type": "answer", "sdp": answer});
    let (txn, _) = sig.request(start, subscriber_handle);
    let started = sig.wait("started", event_for(txn));
    assert_eq!(started["plugindata"]["data"]["started"], "ok", "{started}");
    let candidates: Vec<Candidate> = subscriber_candidates
        .into_iter()
        .map(Candidate::Ice)
        .chain([Candidate::Completed])
        .collect();
    let trickle = json!({"janus": "trickle", "candidates": candidates});
    sig.request(trickle, subscriber_handle);
    let sub_up = sig.wait("the subscriber's webrtcup", |f| {
        f["janus"] == "webrtcup" && f["sender"] == json!(subscriber_handle.handle)
    });
    let (subscriber, added) = subscriber.join().expect("the subscriber thread");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let publisher = publisher.join().expect("the publisher thread");
    let publisher_media = sig.wait("the publisher's media event", |f| {
        f["janus"] == "media" && f["sender"] == json!(publisher_handle.handle)
    });

    println!(
        "{test}: publisher sent {} audio packets; subscriber (answerer, m-lines {added:?}) \
         connected after {:?} and received {}; webrtcup {sub_up}; publisher media event {publisher_media}",
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
    assert_eq!(publisher_media["receiving"], true);
    sig.request(json!({"janus": "destroy"}), in_session);
}
