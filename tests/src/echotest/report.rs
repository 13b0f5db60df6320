//! What a call measured, and why it failed: the report the example prints.

use std::fmt;
use std::time::{Duration, Instant};

use janus_proto::wire::MediaState;
use janus_proto::{HandleId, SessionId};

use super::{signal_name, Call, Target};
use crate::peer::CandidateMode;

/// What one call measured, filled in as it goes.
pub struct Report {
    /// The call's number, from 1.
    pub number: usize,
    /// Where our candidates went.
    pub mode: CandidateMode,
    /// Janus's `full_trickle`, when this program set it.
    pub full_trickle: Option<bool>,
    /// The Janus API URL.
    pub url: String,
    /// The session the call ran in, and whether it was created for it (else it was kept
    /// from the call before).
    pub session: Option<(SessionId, bool)>,
    /// The EchoTest handle.
    pub handle: Option<HandleId>,
    /// Time from the offer to the answer.
    pub answer: Option<Duration>,
    /// Candidates in Janus's answer.
    pub answer_candidates: Option<usize>,
    /// Our candidates trickled (`None`: in the offer).
    pub local_trickled: Option<usize>,
    /// Janus's trickled candidates.
    pub remote_trickled: usize,
    /// How many of them came before its answer was applied.
    pub remote_early: usize,
    /// Janus trickled its end-of-candidates.
    pub remote_completed: bool,
    /// Time from the offer to `webrtcup`.
    pub webrtcup: Option<Duration>,
    /// Time from the offer to the peer's ICE+DTLS.
    pub connected: Option<Duration>,
    /// Janus's latest `media` event.
    pub media: Option<MediaState>,
    /// RTP packets sent and echoed, once audio started.
    pub audio: Option<(u64, u64)>,
    /// The text sent on the data channel.
    pub sent_text: Option<&'static str>,
    /// The first text that came back.
    pub reply: Option<String>,
    /// The `hangup` event's reason.
    pub hangup: Option<Option<String>>,
    /// The peer saw DTLS close.
    pub peer_closed: bool,
    /// Bad frames from Janus.
    pub bad_frames: Vec<String>,
}

impl Report {
    /// An empty report of call `number` to `target` in `mode`.
    pub fn new(target: &Target, mode: CandidateMode, number: usize) -> Self {
        Self {
            number,
            mode,
            full_trickle: target.full_trickle,
            url: target.url.clone(),
            session: None,
            handle: None,
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
    pub fn note(&mut self, call: &Call, started: Instant) {
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

    /// Prints the report, ending with the outcome.
    pub fn print(&self, outcome: &Result<(), Failure>) {
        let mode = match self.mode {
            CandidateMode::InSdp => "sdp",
            CandidateMode::Trickle => "trickle",
        };
        let janus = match self.full_trickle {
            Some(true) => "janus full_trickle: on",
            Some(false) => "janus full_trickle: off",
            None => "janus: as configured",
        };
        println!(
            "echotest call {} (candidates: {mode}, {janus})",
            self.number
        );
        line("signalling", format!("janus-blocking over {}", self.url));
        if let Some((session, new)) = self.session {
            let which = if new {
                "new"
            } else {
                "kept from the call before"
            };
            let handle = match self.handle {
                Some(handle) => format!(", EchoTest handle {handle}"),
                None => String::new(),
            };
            line("session", format!("{session} ({which}){handle}"));
        }
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
        result_line(outcome);
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

/// One line of a report: a label, and what it says.
pub(super) fn line(label: &str, value: String) {
    println!("  {label:<18}{value}");
}

/// The last line of a report: OK, FAILED or INTERRUPTED, and why.
pub(super) fn result_line(outcome: &Result<(), Failure>) {
    match outcome {
        Ok(()) => line("result", "OK".to_owned()),
        Err(failure @ Failure::Step { .. }) => line("result", format!("FAILED {failure}")),
        Err(failure @ Failure::Interrupted { .. }) => {
            line("result", format!("INTERRUPTED {failure}"))
        }
    }
}

/// A duration in milliseconds, for the report.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `yes` or `no`.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Why a call (or the setup) failed: the step and what happened.
#[derive(Debug)]
pub enum Failure {
    /// `step` failed.
    Step {
        /// The step.
        step: &'static str,
        /// What happened.
        reason: String,
    },
    /// Stopped by a signal during `step`.
    Interrupted {
        /// The step.
        step: &'static str,
        /// The signal.
        signal: i32,
        /// How the step failed meanwhile (a signal can also end the step, e.g. Janus got
        /// the terminal's SIGINT too).
        also: Option<String>,
    },
}

impl Failure {
    /// The failure of `step`.
    pub fn at(step: &'static str, reason: impl fmt::Display) -> Self {
        Failure::Step {
            step,
            reason: reason.to_string(),
        }
    }

    /// For `map_err`: the error of `step`.
    pub fn step<E: fmt::Display>(step: &'static str) -> impl FnOnce(E) -> Self {
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
