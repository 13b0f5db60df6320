//! The main job: a real WebRTC call through Janus's EchoTest plugin, signalled with this
//! workspace's `janus-blocking` client and carried by a str0m peer (`janus_tests::peer`).
//!
//! Per call: create a session, attach `janus.plugin.echotest`, send an offer (one Opus audio
//! m-line and a data channel), apply Janus's answer, wait for `webrtcup`, send Opus-shaped RTP
//! packets and a data-channel message and count what the plugin echoes, hang up (and wait for
//! the `hangup` event), destroy the session. Then a short report; the exit status is 1 when
//! any step failed (the report names it), 2 for bad arguments, 128+N when stopped by signal N.
//!
//! By default it needs root: it makes a network namespace (`janus_tests::netns`), starts a
//! private Janus inside it with the test harness, and binds the peer on the host end of the
//! veth (Janus skips loopback when gathering candidates). `scripts/echotest.sh` installs what
//! is missing, builds this and runs it, and cleans up after it, also when interrupted.
//!
//! ```text
//! echotest [--candidates sdp|trickle|both] [--full-trickle] [--packets N]
//! echotest --janus-url ws://HOST:8188 --peer-ip IP [--candidates …] [--packets N]
//! echotest --cleanup
//! ```
//!
//! * `--candidates`: where the peer puts its ICE candidate: in the offer (`sdp`), or in
//!   `trickle` requests after it (`trickle`). Default: both, one call after the other.
//! * `--full-trickle`: start Janus with `nat.full_trickle = true`, so that Janus trickles its
//!   own candidates too (they typically arrive *before* its answer: the connection sets them
//!   aside while `message` waits, and the peer keeps them until the answer is applied).
//! * `--janus-url URL --peer-ip IP`: use an existing Janus instead; the peer binds to `IP`,
//!   which Janus must be able to reach (and which must not be loopback).
//! * `--packets N`: RTP packets to send (default 100, one every 20 ms).
//! * `--cleanup`: only remove namespaces and veths left by dead runs, and exit.

#![allow(clippy::disallowed_methods)] // A program reads the clock; only janus-proto may not.

use std::fmt;
use std::net::IpAddr;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use janus_blocking::request::{Destroy, Request};
use janus_blocking::{
    Candidate, ConnectOptions, Connection, ConnectionEvent, Event, HandleEventKind, HandleId, Jsep,
    JsepType, SessionEvent, SessionId, Trickle,
};
use janus_proto::wire::MediaState;
use janus_tests::netns::NetNs;
use janus_tests::peer::{CandidateMode, OfferOptions, Peer, PeerEvent};
use janus_tests::{JanusOptions, JanusServer};
use serde_json::json;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

const PLUGIN: &str = "janus.plugin.echotest";
/// What the EchoTest plugin puts before data-channel text it echoes.
const ECHO_PREFIX: &str = "Janus EchoTest here! You wrote: ";
const TEXT: &str = "hello";
/// Bound of each signalling step and of `webrtcup` (from the offer) and the `hangup` event.
const STEP: Duration = Duration::from_secs(10);
/// Bound of the best-effort `destroy` after a failure.
const CLEANUP_STEP: Duration = Duration::from_secs(2);
/// One audio frame per RTP packet.
const FRAME: Duration = Duration::from_millis(20);
/// How long echoes may trail the last packet sent.
const SETTLE: Duration = Duration::from_millis(300);
/// The share of packets that must come back.
const MIN_ECHOED_PERCENT: u64 = 90;
/// How long one poll of the Janus connection may wait when nothing has arrived, from the
/// peer's loop (which ticks every 10 ms).
const POLL: Duration = Duration::from_millis(1);

const USAGE: &str = "\
usage: echotest [--candidates sdp|trickle|both] [--full-trickle] [--packets N]
       echotest --janus-url ws://HOST:PORT --peer-ip IP [--candidates ...] [--packets N]
       echotest --cleanup

A WebRTC call through Janus's EchoTest plugin: janus-blocking for signalling, a str0m peer
for media. Without --janus-url it needs root: it runs a private Janus in a network namespace.

  --candidates MODE  our ICE candidate in the offer (sdp) or trickled (trickle);
                     default: both, one call after the other
  --full-trickle     start Janus with nat.full_trickle (Janus trickles its candidates too)
  --packets N        Opus-shaped RTP packets to send, one per 20 ms (default 100)
  --janus-url URL    use this Janus instead of starting one (then --peer-ip is required)
  --peer-ip IP       the address the peer binds to (with --janus-url); Janus must reach it
  --cleanup          remove namespaces and veths left by dead runs, then exit
";

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("echotest: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.cleanup {
        let removed = NetNs::cleanup_stale();
        println!("echotest: cleanup removed {removed} namespace(s) and veth(s) of dead runs");
        return ExitCode::SUCCESS;
    }
    let interrupt = match Interrupt::install() {
        Ok(interrupt) => interrupt,
        Err(e) => {
            eprintln!("echotest: cannot install the SIGINT/SIGTERM handler: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = run(&args, &interrupt);
    if let Some(signal) = interrupt.signal() {
        eprintln!("echotest: stopped by {}; cleaned up", signal_name(signal));
        return ExitCode::from(128u8.saturating_add(u8::try_from(signal).unwrap_or(0)));
    }
    code
}

/// Sets up (or points at) Janus, makes one call per candidate mode, prints their reports.
fn run(args: &Args, interrupt: &Interrupt) -> ExitCode {
    // Declared before the Janus running inside it, so that it is dropped after it.
    let ns: Option<NetNs>;
    let janus: Option<JanusServer>;
    let target = match &args.janus_url {
        Some(url) => {
            let Some(peer_ip) = args.peer_ip else {
                eprintln!("echotest: --janus-url needs --peer-ip");
                return ExitCode::from(2);
            };
            ns = None;
            janus = None;
            Target {
                url: url.clone(),
                peer_ip,
                full_trickle: None,
            }
        }
        None => match start_janus(args.full_trickle) {
            Ok((namespace, server, setup_time)) => {
                println!(
                    "setup: namespace {} (peer {} <-> Janus {} on {}), Janus ready in {}",
                    namespace.name(),
                    namespace.host_ip(),
                    namespace.inner_ip(),
                    namespace.inner_if(),
                    ms(setup_time),
                );
                let target = Target {
                    url: server.ws_url().to_owned(),
                    peer_ip: namespace.host_ip().into(),
                    full_trickle: Some(args.full_trickle),
                };
                ns = Some(namespace);
                janus = Some(server);
                target
            }
            Err(failure) => {
                eprintln!("echotest: {failure}");
                return ExitCode::FAILURE;
            }
        },
    };

    let mut failed = 0;
    let mut made = 0;
    for &mode in &args.modes {
        if interrupt.signal().is_some() {
            break;
        }
        if made > 0 {
            println!();
        }
        made += 1;
        let mut report = Report::new(&target, mode);
        let outcome = call(&target, mode, args.packets, interrupt, &mut report);
        report.print(&outcome);
        if outcome.is_err() {
            failed += 1;
        }
    }
    if failed > 0 && interrupt.signal().is_none() {
        if let Some(janus) = &janus {
            match janus.keep_log() {
                Ok(Some(path)) => eprintln!("echotest: Janus log kept at {}", path.display()),
                Ok(None) => {}
                Err(e) => eprintln!("echotest: could not keep the Janus log: {e}"),
            }
        }
    }
    drop(janus);
    drop(ns);
    if made > 1 {
        println!("\nechotest: {} of {made} calls OK", made - failed);
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A namespace with a private Janus inside, and how long that took.
fn start_janus(full_trickle: bool) -> Result<(NetNs, JanusServer, Duration), Failure> {
    let started = Instant::now();
    NetNs::available().map_err(|reason| Failure::at("setup", reason))?;
    let ns = NetNs::create("echotest").map_err(|e| Failure::at("setup", e))?;
    let janus = JanusServer::start(
        JanusOptions::new()
            .netns(Some(ns.name()))
            .bind_ip(ns.inner_ip())
            .ice_enforce_list(Some(ns.inner_if()))
            .ignore_mdns(true)
            .full_trickle(full_trickle)
            .name("echotest"),
    )
    .map_err(|e| Failure::at("starting Janus", e))?;
    Ok((ns, janus, started.elapsed()))
}

/// Where Janus is and where the peer binds.
struct Target {
    url: String,
    peer_ip: IpAddr,
    /// `None`: someone else's Janus, configured as it is.
    full_trickle: Option<bool>,
}

/// One call on its own connection and session; the session is destroyed whatever happens.
/// A step that fails once a signal has come counts as interrupted.
fn call(
    target: &Target,
    mode: CandidateMode,
    packets: u32,
    interrupt: &Interrupt,
    report: &mut Report,
) -> Result<(), Failure> {
    match (
        call_once(target, mode, packets, interrupt, report),
        interrupt.signal(),
    ) {
        (Err(Failure::Step { step, reason }), Some(signal)) => Err(Failure::Interrupted {
            step,
            signal,
            also: Some(reason),
        }),
        (outcome, _) => outcome,
    }
}

fn call_once(
    target: &Target,
    mode: CandidateMode,
    packets: u32,
    interrupt: &Interrupt,
    report: &mut Report,
) -> Result<(), Failure> {
    interrupt.check("connect")?;
    let options = ConnectOptions::new()
        .request_timeout(STEP)
        .connect_timeout(STEP);
    let mut conn = Connection::connect(&target.url, options).map_err(Failure::step("connect"))?;
    let session = conn.create().map_err(Failure::step("create"))?;
    let outcome = in_session(&mut conn, session, target, mode, packets, interrupt, report);
    let destroyed = match &outcome {
        Ok(()) => conn.destroy(session).map_err(Failure::step("destroy")),
        // Best effort, briefly: the call already failed.
        Err(_) => {
            let _ = conn.call(Destroy(session).within(CLEANUP_STEP));
            Ok(())
        }
    };
    conn.close();
    outcome.and(destroyed)
}

/// Attach, offer, answer, webrtcup, media, hangup.
fn in_session(
    conn: &mut Connection,
    session: SessionId,
    target: &Target,
    mode: CandidateMode,
    packets: u32,
    interrupt: &Interrupt,
    report: &mut Report,
) -> Result<(), Failure> {
    interrupt.check("attach")?;
    let handle = conn
        .attach(session, PLUGIN)
        .map_err(Failure::step("attach"))?;

    let mut peer = Peer::bind(target.peer_ip, mode).map_err(Failure::step("offer"))?;
    let offer = peer
        .offer(
            OfferOptions::new()
                .audio(true)
                .data_channel(Some("echotest")),
        )
        .map_err(Failure::step("offer"))?;
    let mut jsep = Jsep::offer(offer);
    jsep.trickle = Some(mode == CandidateMode::Trickle);

    // The answer. Janus's trickles that come first are set aside by the connection.
    interrupt.check("answer")?;
    let started = Instant::now();
    let body = json!({"audio": true, "video": false, "data": true});
    let reply = conn
        .message(handle, body, Some(jsep))
        .map_err(Failure::step("answer"))?;
    let result = reply.value().map_err(Failure::step("answer"))?;
    let answer = match reply.jsep {
        Some(jsep) if jsep.kind == JsepType::Answer => jsep.sdp,
        _ => {
            return Err(Failure::at(
                "answer",
                format!(
                    "the EchoTest's reply has no SDP answer: {}",
                    reply.raw.as_str()
                ),
            ))
        }
    };
    if result["result"] != "ok" {
        return Err(Failure::at(
            "answer",
            format!("the EchoTest did not say ok: {result}"),
        ));
    }
    report.answer = Some(started.elapsed());
    report.answer_candidates = Some(
        answer
            .lines()
            .filter(|l| l.trim_start().starts_with("a=candidate"))
            .count(),
    );

    let mut call = Call {
        conn,
        peer,
        handle,
        seen: Seen::default(),
        interrupt,
    };
    let outcome = after_answer(&mut call, mode, &answer, started, packets, report);
    // What was reached, also when a step failed or a signal came.
    report.note(&call, started);
    outcome
}

/// Our trickles, Janus's answer applied, webrtcup, media, hangup.
fn after_answer(
    call: &mut Call,
    mode: CandidateMode,
    answer: &str,
    started: Instant,
    packets: u32,
    report: &mut Report,
) -> Result<(), Failure> {
    let (handle, interrupt) = (call.handle, call.interrupt);
    if mode == CandidateMode::Trickle {
        let mut candidates: Vec<Candidate> = call
            .peer
            .local_candidates()
            .into_iter()
            .map(Candidate::Ice)
            .collect();
        report.local_trickled = Some(candidates.len());
        candidates.push(Candidate::Completed);
        call.conn
            .trickle(handle, Trickle::Many(candidates))
            .map_err(Failure::step("trickle"))?;
    }
    // What was set aside while we waited (Janus's early trickles): to the peer, which keeps
    // candidates until its remote description is set.
    call.poll_janus(Duration::ZERO)
        .map_err(|reason| Failure::at("answer", reason))?;
    call.peer
        .accept_answer(answer)
        .map_err(Failure::step("answer"))?;

    // webrtcup (from Janus) and ICE + DTLS (at the peer).
    let up = call.pump("webrtcup", started + STEP, |peer, seen| {
        seen.webrtcup.is_some() && peer.is_connected()
    });
    if !up? {
        let reason = match call.seen.webrtcup {
            None => format!(
                "no webrtcup within {} s of the offer (peer's ICE+DTLS up: {})",
                STEP.as_secs(),
                yes_no(call.peer.is_connected())
            ),
            Some(_) => format!(
                "webrtcup came, but the peer's ICE+DTLS was not up within {} s of the offer",
                STEP.as_secs()
            ),
        };
        return Err(Failure::at("webrtcup", reason));
    }

    // Audio, and one text message once the data channel is open.
    call.peer.send_audio(packets);
    report.audio = Some((0, 0));
    let media_deadline = Instant::now() + FRAME * packets + STEP;
    if !call.pump("data channel", media_deadline, |_, seen| seen.channel_open)? {
        return Err(Failure::at("data channel", "the data channel did not open"));
    }
    call.peer
        .send_text(TEXT)
        .map_err(Failure::step("data channel"))?;
    report.sent_text = Some(TEXT);
    let wanted = u64::from(packets);
    call.pump("audio", media_deadline, |peer, seen| {
        !seen.texts.is_empty() && peer.audio_pending() == 0 && peer.stats().rtp_received >= wanted
    })?;
    // Stragglers: what has not come back shortly after the last packet is lost.
    call.pump("audio", Instant::now() + SETTLE, |_, _| false)?;
    let stats = call.peer.stats();
    if stats.rtp_sent < wanted {
        return Err(Failure::at(
            "audio",
            format!("only {} of {packets} packets could be sent", stats.rtp_sent),
        ));
    }
    if stats.rtp_received * 100 < wanted * MIN_ECHOED_PERCENT {
        return Err(Failure::at(
            "audio",
            format!(
                "{} of {packets} packets echoed, fewer than {MIN_ECHOED_PERCENT} %",
                stats.rtp_received
            ),
        ));
    }
    let expected = format!("{ECHO_PREFIX}{TEXT}");
    match call.seen.texts.first() {
        None => {
            return Err(Failure::at(
                "data channel",
                format!("no reply to {TEXT:?} on the data channel"),
            ))
        }
        Some(reply) if *reply != expected => {
            return Err(Failure::at(
                "data channel",
                format!("expected {expected:?}, got {reply:?}"),
            ))
        }
        Some(_) => {}
    }

    // Hangup: the request, then Janus's `hangup` event (and the peer sees DTLS close).
    interrupt.check("hangup")?;
    call.conn.hangup(handle).map_err(Failure::step("hangup"))?;
    call.pump("hangup", Instant::now() + STEP, |_, seen| {
        seen.hangup.is_some() && seen.peer_closed
    })?;
    if call.seen.hangup.is_none() {
        return Err(Failure::at(
            "hangup",
            format!(
                "no hangup event within {} s of the hangup request",
                STEP.as_secs()
            ),
        ));
    }
    Ok(())
}

/// A peer and its signalling connection, driven together from the peer's loop.
struct Call<'a> {
    conn: &'a mut Connection,
    peer: Peer,
    handle: HandleId,
    seen: Seen,
    interrupt: &'a Interrupt,
}

/// What the call has seen so far.
#[derive(Default)]
struct Seen {
    webrtcup: Option<Instant>,
    media: Option<MediaState>,
    /// The `hangup` event's reason.
    hangup: Option<Option<String>>,
    /// Janus's trickled candidates, and how many came before its answer was applied.
    remote_trickled: usize,
    remote_early: usize,
    remote_completed: bool,
    channel_open: bool,
    texts: Vec<String>,
    peer_closed: bool,
    /// Bad frames from Janus (dropped by the connection, which goes on).
    bad_frames: Vec<String>,
}

impl Call<'_> {
    /// Runs the peer (and polls Janus on every tick) until `done` holds (`Ok(true)`) or
    /// `deadline` passes (`Ok(false)`). Fails when the peer or the connection does, or on
    /// SIGINT/SIGTERM.
    fn pump(
        &mut self,
        step: &'static str,
        deadline: Instant,
        mut done: impl FnMut(&Peer, &Seen) -> bool,
    ) -> Result<bool, Failure> {
        let Call {
            conn,
            peer,
            handle,
            seen,
            interrupt,
        } = self;
        let outcome = peer
            .run_until(deadline, |peer, event| {
                if let Err(stopped) = interrupt.check(step) {
                    return ControlFlow::Break(Err(stopped));
                }
                match event {
                    PeerEvent::Tick => {
                        if let Err(reason) = poll_janus(conn, *handle, peer, seen, POLL) {
                            return ControlFlow::Break(Err(Failure::at(step, reason)));
                        }
                    }
                    PeerEvent::ChannelOpen { .. } => seen.channel_open = true,
                    PeerEvent::ChannelText(text) => seen.texts.push(text),
                    PeerEvent::Closed => seen.peer_closed = true,
                    _ => {}
                }
                if done(peer, seen) {
                    ControlFlow::Break(Ok(()))
                } else {
                    ControlFlow::Continue(())
                }
            })
            .map_err(Failure::step(step))?;
        match outcome {
            Some(Ok(())) => Ok(true),
            Some(Err(failure)) => Err(failure),
            None => Ok(false),
        }
    }

    fn poll_janus(&mut self, wait: Duration) -> Result<(), String> {
        poll_janus(self.conn, self.handle, &mut self.peer, &mut self.seen, wait)
    }
}

/// Takes every event Janus has sent (waiting at most `wait` when there is none), feeding its
/// trickled candidates to the peer and noting the rest.
fn poll_janus(
    conn: &mut Connection,
    handle: HandleId,
    peer: &mut Peer,
    seen: &mut Seen,
    wait: Duration,
) -> Result<(), String> {
    loop {
        let event = match conn.next_event(wait) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(()),
            // A frame that is not a Janus message: dropped, the connection goes on.
            Err(janus_blocking::Error::Protocol(e)) => {
                seen.bad_frames.push(e.to_string());
                continue;
            }
            Err(e) => return Err(format!("the connection to Janus failed: {e}")),
        };
        match event {
            Event::Handle {
                handle: from,
                event,
                ..
            } if from == handle => match event.kind {
                HandleEventKind::Trickle(candidate) => {
                    let early = !peer.has_remote_description();
                    peer.add_remote_candidate(&candidate)
                        .map_err(|e| format!("Janus trickled a candidate the peer refused: {e}"))?;
                    match candidate {
                        Candidate::Completed => seen.remote_completed = true,
                        Candidate::Ice(_) => {
                            seen.remote_trickled += 1;
                            seen.remote_early += usize::from(early);
                        }
                    }
                }
                HandleEventKind::WebrtcUp => {
                    seen.webrtcup.get_or_insert_with(Instant::now);
                }
                HandleEventKind::Media(state) => seen.media = Some(state),
                HandleEventKind::Hangup { reason } => seen.hangup = Some(reason),
                HandleEventKind::Detached => {
                    return Err("Janus detached the EchoTest handle".to_owned())
                }
                // Plugin events (the EchoTest's "done" after a hangup), slowlink, …
                _ => {}
            },
            Event::Session {
                event: SessionEvent::Ended(end),
                ..
            } => return Err(format!("the session ended: {end:?}")),
            Event::Connection(ConnectionEvent::Closed) => {
                return Err(match conn.close_reason() {
                    Some(why) => format!("the connection to Janus closed: {why}"),
                    None => "the connection to Janus closed".to_owned(),
                })
            }
            Event::Lagged { dropped } => {
                return Err(format!(
                    "{dropped} events from Janus were dropped (event queue full)"
                ))
            }
            _ => {}
        }
    }
}

/// What one call measured, filled in as it goes.
struct Report {
    mode: CandidateMode,
    full_trickle: Option<bool>,
    url: String,
    answer: Option<Duration>,
    answer_candidates: Option<usize>,
    local_trickled: Option<usize>,
    remote_trickled: usize,
    remote_early: usize,
    remote_completed: bool,
    webrtcup: Option<Duration>,
    connected: Option<Duration>,
    media: Option<MediaState>,
    audio: Option<(u64, u64)>,
    sent_text: Option<&'static str>,
    reply: Option<String>,
    hangup: Option<Option<String>>,
    peer_closed: bool,
    bad_frames: Vec<String>,
}

impl Report {
    fn new(target: &Target, mode: CandidateMode) -> Self {
        Self {
            mode,
            full_trickle: target.full_trickle,
            url: target.url.clone(),
            answer: None,
            answer_candidates: None,
            local_trickled: None,
            remote_trickled: 0,
            remote_early: 0,
            remote_completed: false,
            webrtcup: None,
            connected: None,
            media: None,
            audio: None,
            sent_text: None,
            reply: None,
            hangup: None,
            peer_closed: false,
            bad_frames: Vec::new(),
        }
    }

    /// Takes what the call reached from its state.
    fn note(&mut self, call: &Call, started: Instant) {
        let seen = &call.seen;
        self.webrtcup = seen.webrtcup.map(|t| t.saturating_duration_since(started));
        self.connected = call
            .peer
            .connected_at()
            .map(|t| t.saturating_duration_since(started));
        self.remote_trickled = seen.remote_trickled;
        self.remote_early = seen.remote_early;
        self.remote_completed = seen.remote_completed;
        self.media.clone_from(&seen.media);
        if self.audio.is_some() {
            let stats = call.peer.stats();
            self.audio = Some((stats.rtp_sent, stats.rtp_received));
        }
        self.reply = seen.texts.first().cloned();
        self.hangup.clone_from(&seen.hangup);
        self.peer_closed = seen.peer_closed;
        self.bad_frames.clone_from(&seen.bad_frames);
    }

    fn print(&self, outcome: &Result<(), Failure>) {
        let mode = match self.mode {
            CandidateMode::InSdp => "sdp",
            CandidateMode::Trickle => "trickle",
        };
        let janus = match self.full_trickle {
            Some(true) => "janus full_trickle: on",
            Some(false) => "janus full_trickle: off",
            None => "janus: as configured",
        };
        println!("echotest (candidates: {mode}, {janus})");
        line("signalling", format!("janus-blocking over {}", self.url));
        if let Some(answer) = self.answer {
            line("answer", format!("{} after the offer", ms(answer)));
            line("our candidates", self.our_candidates());
            line("janus candidates", self.janus_candidates());
        }
        if let Some(webrtcup) = self.webrtcup {
            let peer = match self.connected {
                Some(at) => format!("peer's ICE+DTLS up after {}", ms(at)),
                None => "peer's ICE+DTLS not up".to_owned(),
            };
            line(
                "webrtcup",
                format!("{} after the offer ({peer})", ms(webrtcup)),
            );
        }
        if let Some(media) = &self.media {
            let kind = media.kind.as_deref().unwrap_or("media");
            let state = if media.receiving {
                "receiving"
            } else {
                "not receiving"
            };
            line("janus media", format!("{state} {kind}"));
        }
        if let Some((sent, echoed)) = self.audio {
            line("audio", format!("{sent} sent, {echoed} echoed"));
        }
        if let Some(text) = self.sent_text {
            let got = match &self.reply {
                Some(reply) => format!("got {reply:?}"),
                None => "got nothing".to_owned(),
            };
            line("data channel", format!("sent {text:?}, {got}"));
        }
        if let Some(reason) = &self.hangup {
            let reason = match reason {
                Some(reason) => format!("reason {reason:?}"),
                None => "no reason given".to_owned(),
            };
            let closed = if self.peer_closed {
                ""
            } else {
                " (the peer did not see DTLS close)"
            };
            line("hangup", format!("{reason}{closed}"));
        }
        for bad in &self.bad_frames {
            line("note", format!("dropped a bad frame from Janus: {bad}"));
        }
        match outcome {
            Ok(()) => line("result", "OK".to_owned()),
            Err(failure @ Failure::Step { .. }) => line("result", format!("FAILED {failure}")),
            Err(failure @ Failure::Interrupted { .. }) => {
                line("result", format!("INTERRUPTED {failure}"))
            }
        }
    }

    fn our_candidates(&self) -> String {
        match self.local_trickled {
            Some(n) => format!("{n} trickled + end-of-candidates"),
            None => "in the offer".to_owned(),
        }
    }

    fn janus_candidates(&self) -> String {
        let mut theirs = Vec::new();
        match self.answer_candidates {
            Some(n) if n > 0 => theirs.push(format!("{n} in its answer")),
            _ => {}
        }
        if self.remote_trickled > 0 || self.remote_completed {
            let end = if self.remote_completed {
                " + end-of-candidates"
            } else {
                ""
            };
            theirs.push(format!(
                "{} trickled{end} ({} before its answer was applied)",
                self.remote_trickled, self.remote_early
            ));
        }
        if theirs.is_empty() {
            theirs.push("none (yet)".to_owned());
        }
        theirs.join(", ")
    }
}

fn line(label: &str, value: String) {
    println!("  {label:<18}{value}");
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Why a call (or the setup) failed: the step and what happened.
#[derive(Debug)]
enum Failure {
    Step {
        step: &'static str,
        reason: String,
    },
    /// Stopped by a signal during `step`; `also`: how the step failed meanwhile (a signal
    /// can also end the step, e.g. Janus got the terminal's SIGINT too).
    Interrupted {
        step: &'static str,
        signal: i32,
        also: Option<String>,
    },
}

impl Failure {
    fn at(step: &'static str, reason: impl fmt::Display) -> Self {
        Failure::Step {
            step,
            reason: reason.to_string(),
        }
    }

    /// For `map_err`: the error of `step`.
    fn step<E: fmt::Display>(step: &'static str) -> impl FnOnce(E) -> Self {
        move |e| Self::at(step, e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Step { step, reason } => write!(f, "at {step}: {reason}"),
            Failure::Interrupted { step, signal, also } => {
                write!(f, "at {step}: stopped by {}", signal_name(*signal))?;
                match also {
                    Some(reason) => write!(f, " (and: {reason})"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for Failure {}

/// The signal that asked us to stop, set from a signal handler; the call checks it on every
/// tick and between steps, then everything is dropped in order (Janus, then its namespace).
struct Interrupt(Arc<AtomicUsize>);

impl Interrupt {
    fn install() -> std::io::Result<Self> {
        let flag = Arc::new(AtomicUsize::new(0));
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            let number = usize::try_from(signal).unwrap_or(usize::MAX);
            signal_hook::flag::register_usize(signal, Arc::clone(&flag), number)?;
        }
        Ok(Self(flag))
    }

    fn signal(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            n => Some(i32::try_from(n).unwrap_or(i32::MAX)),
        }
    }

    fn check(&self, step: &'static str) -> Result<(), Failure> {
        match self.signal() {
            None => Ok(()),
            Some(signal) => Err(Failure::Interrupted {
                step,
                signal,
                also: None,
            }),
        }
    }
}

fn signal_name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".to_owned(),
        SIGTERM => "SIGTERM".to_owned(),
        SIGHUP => "SIGHUP".to_owned(),
        other => format!("signal {other}"),
    }
}

/// The command line.
#[derive(Debug)]
struct Args {
    modes: Vec<CandidateMode>,
    full_trickle: bool,
    janus_url: Option<String>,
    peer_ip: Option<IpAddr>,
    packets: u32,
    cleanup: bool,
    help: bool,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let both = vec![CandidateMode::InSdp, CandidateMode::Trickle];
        let mut parsed = Args {
            modes: both.clone(),
            full_trickle: false,
            janus_url: None,
            peer_ip: None,
            packets: 100,
            cleanup: false,
            help: false,
        };
        while let Some(arg) = args.next() {
            // `--flag=value` or `--flag value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--candidates" => {
                    parsed.modes = match value()?.as_str() {
                        "sdp" => vec![CandidateMode::InSdp],
                        "trickle" => vec![CandidateMode::Trickle],
                        "both" => both.clone(),
                        other => {
                            return Err(format!(
                                "--candidates takes sdp, trickle or both, not {other:?}"
                            ))
                        }
                    }
                }
                "--janus-url" => parsed.janus_url = Some(value()?),
                "--peer-ip" => {
                    let text = value()?;
                    let ip: IpAddr = text
                        .parse()
                        .map_err(|e| format!("--peer-ip {text:?}: {e}"))?;
                    if ip.is_loopback() || ip.is_unspecified() {
                        return Err(format!(
                            "--peer-ip {ip}: Janus does not use loopback for ICE; give an \
                             address of this machine that Janus can reach"
                        ));
                    }
                    parsed.peer_ip = Some(ip);
                }
                "--packets" => {
                    let text = value()?;
                    parsed.packets = match text.parse() {
                        Ok(n) if n > 0 => n,
                        _ => {
                            return Err(format!("--packets takes a positive number, not {text:?}"))
                        }
                    };
                }
                "--full-trickle" | "--cleanup" | "-h" | "--help" if inline.is_some() => {
                    return Err(format!("{flag} takes no value"))
                }
                "--full-trickle" => parsed.full_trickle = true,
                "--cleanup" => parsed.cleanup = true,
                "-h" | "--help" => parsed.help = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        match (&parsed.janus_url, parsed.peer_ip) {
            (Some(_), None) => {
                return Err("--janus-url needs --peer-ip (the address the peer binds to)".into())
            }
            (None, Some(_)) => {
                return Err(
                    "--peer-ip goes with --janus-url (otherwise the peer binds to the namespace's veth)"
                        .into(),
                )
            }
            (Some(_), Some(_)) if parsed.full_trickle => {
                return Err(
                    "--full-trickle configures the Janus this program starts; with --janus-url \
                     it is that server's own nat.full_trickle"
                        .into(),
                )
            }
            _ => {}
        }
        Ok(parsed)
    }
}
