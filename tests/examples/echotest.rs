//! The main job: a real WebRTC call through Janus's EchoTest plugin, signalled with this
//! workspace's `janus-blocking` client and carried by a str0m peer (`janus_tests::peer`).
//!
//! Per call: attach `janus.plugin.echotest`, send an offer (one Opus audio m-line and a data
//! channel), apply Janus's answer, wait for `webrtcup`, send Opus-shaped RTP packets and a
//! data-channel message and count what the plugin echoes, hang up (and wait for the `hangup`
//! event), detach. The calls share one connection (with a reconnect policy) and one session,
//! made before the first call and destroyed after the last (a new one is made when the client
//! no longer has it, e.g. once Janus restarted). Then a short report per call; the exit
//! status is 1 when any step failed (the report names it), 2 for bad arguments, 128+N when
//! stopped by signal N.
//!
//! By default it needs root: it makes a network namespace (`janus_tests::netns`), starts a
//! private Janus inside it with the test harness, and binds the peer on the host end of the
//! veth (Janus skips loopback when gathering candidates). `scripts/echotest.sh` installs what
//! is missing, builds this and runs it, and cleans up after it, also when interrupted.
//!
//! Options (`--help` lists them): `--candidates sdp|trickle|both`, `--full-trickle`,
//! `--packets N`, `--restart-janus` (restart the private Janus between two calls: the
//! connection reconnects by itself, reports the first call's session lost, and the second
//! call runs in a new one), `--janus-url URL --peer-ip IP` to call an existing Janus,
//! `--cleanup`.
//!
//! Everything around the call (command line, namespace and Janus, the connection and session,
//! the restart, the report, signals) is in `janus_tests::echotest`; what is here is the call
//! itself.

#![allow(clippy::disallowed_methods)] // A program reads the clock; only janus-proto may not.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use janus_blocking::request::{Detach, Request};
use janus_blocking::{Candidate, Connection, HandleId, Jsep, JsepType, SessionId, Trickle};
use janus_tests::echotest::{
    self, yes_no, Call, Failure, Interrupt, Plan, Report, Seen, CLEANUP_STEP, ECHO_PREFIX, FRAME,
    MIN_ECHOED_PERCENT, PLUGIN, SETTLE, STEP,
};
use janus_tests::peer::{CandidateMode, OfferOptions, Peer};
use serde_json::json;

/// The text sent on the data channel.
const TEXT: &str = "hello";

fn main() -> ExitCode {
    echotest::main(call)
}

/// One call in `session` on its own EchoTest handle, detached whatever happens.
fn call(
    conn: &mut Connection,
    session: SessionId,
    plan: &Plan,
    interrupt: &Interrupt,
    report: &mut Report,
) -> Result<(), Failure> {
    interrupt.check("attach")?;
    let handle = conn
        .attach(session, PLUGIN)
        .map_err(Failure::step("attach"))?;
    report.handle = Some(handle);
    let outcome = on_handle(conn, handle, plan, interrupt, report);
    let detached = match &outcome {
        Ok(()) => conn.detach(handle).map_err(Failure::step("detach")),
        // Best effort, briefly: the call already failed.
        Err(_) => {
            let _ = conn.call(Detach(handle).within(CLEANUP_STEP));
            Ok(())
        }
    };
    outcome.and(detached)
}

/// Offer, answer, webrtcup, media, hangup.
fn on_handle(
    conn: &mut Connection,
    handle: HandleId,
    plan: &Plan,
    interrupt: &Interrupt,
    report: &mut Report,
) -> Result<(), Failure> {
    let Plan {
        peer_ip,
        mode,
        packets,
    } = *plan;
    let mut peer = Peer::bind(peer_ip, mode).map_err(Failure::step("offer"))?;
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
