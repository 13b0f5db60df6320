//! [`Peer`]: a small blocking WebRTC peer on [str0m](https://docs.rs/str0m), for tests and
//! examples that need real media through Janus.
//!
//! It owns one UDP socket (bound on the host end of a [`NetNs`](crate::netns::NetNs) veth) and
//! one `str0m::Rtc`, and drives them from the caller's thread in [`Peer::run_until`]. str0m
//! never reads the clock: this adapter feeds it `Instant::now()` on every input, and obeys its
//! single-mutation rule (every public method that changes the `Rtc` drains its output before
//! returning, queueing the events for the next `run_until`).
//!
//! What it can do:
//! * Offer ([`Peer::offer`]): one Opus audio m-line (sendrecv) and/or one data channel, then
//!   [`accept_answer`](Peer::accept_answer). This is the EchoTest and VideoRoom-publisher side.
//! * Answer ([`Peer::answer`]): accept Janus's offer (a VideoRoom subscriber) and produce the
//!   answer; again for each renegotiation offer (streams added to or removed from the
//!   subscription). With a data channel in Janus's offer (TextRoom), open one with
//!   [`Peer::open_channel`].
//! * Candidates either in the SDP ([`CandidateMode::InSdp`]) or trickled
//!   ([`CandidateMode::Trickle`]: the SDP carries none; send
//!   [`local_candidates`](Peer::local_candidates) with `trickle` requests). Remote candidates
//!   from Janus's trickles go to [`add_remote_candidate`](Peer::add_remote_candidate) at any
//!   time; those arriving before Janus's SDP are kept until it is applied.
//! * Send Opus-shaped audio, one 20 ms frame (one RTP packet) at a time on a 20 ms pace
//!   ([`send_audio`](Peer::send_audio)), with a payload of the test's choosing
//!   ([`set_audio_payload`](Peer::set_audio_payload)) and an audio level header extension
//!   ([`set_audio_level`](Peer::set_audio_level)), and text on the data channel
//!   ([`send_text`](Peer::send_text)); count what comes back ([`stats`](Peer::stats)), or
//!   per m-line and payload from [`PeerEvent::Media`].
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use std::time::{Duration, Instant};
//! use janus_tests::peer::{CandidateMode, OfferOptions, Peer, PeerEvent};
//!
//! # fn main() -> Result<(), janus_tests::peer::PeerError> {
//! let mut peer = Peer::bind("10.203.0.1".parse().unwrap(), CandidateMode::InSdp)?;
//! let offer = peer.offer(OfferOptions::new().audio(true).data_channel(Some("echo")))?;
//! // … send `offer` to Janus with the message, get its answer …
//! # let answer = String::new();
//! peer.accept_answer(&answer)?;
//! peer.send_audio(100);
//! let deadline = Instant::now() + Duration::from_secs(10);
//! peer.run_until(deadline, |peer, event| match event {
//!     PeerEvent::ChannelOpen { .. } => {
//!         let _ = peer.send_text("hello");
//!         ControlFlow::Continue(())
//!     }
//!     PeerEvent::ChannelText(reply) => ControlFlow::Break(reply),
//!     _ => ControlFlow::Continue(()),
//! })?;
//! println!("{:?}", peer.stats());
//! # Ok(())
//! # }
//! ```
#![allow(clippy::disallowed_methods)] // This adapter is where str0m's time comes from.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use janus_proto::{Candidate as JanusCandidate, IceCandidate};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::{ChannelConfig, ChannelId};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcError};

/// One 20 ms Opus frame: TOC byte 0xF8 (CELT-only, full band, 20 ms, mono, one frame) and the
/// two bytes of a silent frame. Janus does not decode it; it only has to look like Opus.
pub const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];
/// RTP ticks of 20 ms at Opus's 48 kHz clock.
const FRAME_TICKS: u64 = 960;
/// Audio frame duration.
const FRAME: Duration = Duration::from_millis(20);
/// Longest wait on the socket, so that [`PeerEvent::Tick`] comes at least this often.
const DEFAULT_TICK: Duration = Duration::from_millis(10);

/// Why a [`Peer`] call failed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// A socket operation failed.
    #[error("{step}: {source}")]
    Io {
        /// What was being done.
        step: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// str0m refused an input or a change.
    #[error("{step}: {source}")]
    Rtc {
        /// What was being done.
        step: &'static str,
        /// str0m's error.
        source: RtcError,
    },
    /// An SDP from the other side could not be parsed.
    #[error("cannot parse the remote {kind} SDP: {reason}")]
    Sdp {
        /// `offer` or `answer`.
        kind: &'static str,
        /// The parser's message.
        reason: String,
    },
    /// A remote candidate could not be parsed.
    #[error("cannot parse the remote candidate {candidate:?}: {reason}")]
    Candidate {
        /// The candidate line.
        candidate: String,
        /// The parser's message.
        reason: String,
    },
    /// The call does not fit the peer's state (e.g. an answer without an offer).
    #[error("{0}")]
    State(&'static str),
    /// Nothing to send on: no negotiated media, channel or codec.
    #[error("cannot send: {0}")]
    NotReady(&'static str),
}

impl PeerError {
    fn io(step: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { step, source }
    }

    fn rtc(step: &'static str) -> impl FnOnce(RtcError) -> Self {
        move |source| Self::Rtc { step, source }
    }
}

/// Where the local ICE candidate goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateMode {
    /// In the SDP (offer or answer); tell Janus `"trickle": false`.
    InSdp,
    /// Not in the SDP: added after it is made, and handed out by
    /// [`Peer::local_candidates`] for `trickle` requests (then send `completed`).
    Trickle,
}

/// What an offer from [`Peer::offer`] contains.
#[derive(Debug, Clone, Default)]
pub struct OfferOptions {
    audio: bool,
    data_channel: Option<String>,
}

impl OfferOptions {
    /// Nothing yet: add audio and/or a data channel.
    pub fn new() -> Self {
        Self::default()
    }

    /// One audio m-line, sendrecv, Opus (str0m's default audio codecs are offered, Opus first).
    pub fn audio(mut self, enabled: bool) -> Self {
        self.audio = enabled;
        self
    }

    /// A data channel with this label (an `m=application` line).
    pub fn data_channel(mut self, label: Option<&str>) -> Self {
        self.data_channel = label.map(str::to_owned);
        self
    }
}

/// Something the peer saw, handed to the [`Peer::run_until`] callback.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PeerEvent {
    /// Nothing new; comes at least every tick (10 ms by default, [`Peer::set_tick`]) so that
    /// the caller can do its own IO (read its signalling socket) from the callback.
    Tick,
    /// The ICE state changed.
    IceState(IceConnectionState),
    /// ICE and DTLS are up (str0m's `Connected`): media may flow.
    Connected,
    /// The remote side added media (answerer side: one per m-line of Janus's offer).
    MediaAdded {
        /// Its mid.
        mid: String,
        /// `audio` or `video`.
        kind: String,
        /// Our direction for it.
        direction: String,
    },
    /// A media frame arrived (for Opus: one RTP packet).
    Media {
        /// The m-line.
        mid: String,
        /// The payload type.
        pt: u8,
        /// The RTP sequence numbers it was made of.
        packets: u64,
        /// Its payload size.
        bytes: usize,
        /// Its payload (tests tell senders apart by what they put in their frames, see
        /// [`Peer::set_audio_payload`]).
        payload: Vec<u8>,
    },
    /// A data channel is open (ours, or one Janus opened).
    ChannelOpen {
        /// Its label.
        label: String,
    },
    /// Text arrived on a data channel.
    ChannelText(String),
    /// Binary data arrived on a data channel.
    ChannelBinary(Vec<u8>),
    /// The remote side closed DTLS or SCTP (Janus hung up).
    Closed,
}

/// Counters of what went through the peer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerStats {
    /// Audio frames (RTP packets) written.
    pub rtp_sent: u64,
    /// RTP packets received, over all m-lines.
    pub rtp_received: u64,
    /// Data channel messages sent.
    pub channel_sent: u64,
    /// Data channel messages received.
    pub channel_received: u64,
    /// UDP datagrams sent.
    pub datagrams_sent: u64,
    /// UDP datagrams received.
    pub datagrams_received: u64,
}

/// Audio frames still to send, and when the next is due.
#[derive(Debug, Default)]
struct AudioPlan {
    remaining: u32,
    next_due: Option<Instant>,
    media_time: u64,
    /// The frame to send instead of [`OPUS_SILENCE`].
    payload: Option<Vec<u8>>,
    /// The audio level (-dBov, 0 loudest, -127 silence) and voice activity to put in the
    /// `ssrc-audio-level` header extension of each frame.
    level: Option<(i8, bool)>,
}

/// A blocking WebRTC peer: one UDP socket, one `str0m::Rtc`. See the [module docs](self).
pub struct Peer {
    rtc: Rtc,
    socket: UdpSocket,
    local_addr: SocketAddr,
    mode: CandidateMode,
    /// Our host candidate, once added to the `Rtc`.
    local: Option<Candidate>,
    pending_offer: Option<SdpPendingOffer>,
    /// Whether the remote SDP (offer or answer) has been applied.
    remote_set: bool,
    /// Remote candidates that came before the remote SDP.
    early_candidates: Vec<Candidate>,
    remote_completed: bool,
    /// The first m-line's mid (for `sdpMid` in trickles).
    first_mid: Option<String>,
    audio_mid: Option<Mid>,
    /// Our own channel (offerer), or the first one opened by the other side.
    channel: Option<ChannelId>,
    channel_open: bool,
    audio: AudioPlan,
    connected_at: Option<Instant>,
    created_at: Instant,
    closed: bool,
    next_timeout: Instant,
    tick: Duration,
    events: VecDeque<PeerEvent>,
    stats: PeerStats,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("local_addr", &self.local_addr)
            .field("mode", &self.mode)
            .field("remote_set", &self.remote_set)
            .field("connected", &self.connected_at.is_some())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// A peer with a UDP socket on `ip` (a free port) and a fresh `Rtc` (crypto: aws-lc-rs).
    pub fn bind(ip: IpAddr, mode: CandidateMode) -> Result<Self, PeerError> {
        let socket = UdpSocket::bind((ip, 0)).map_err(PeerError::io("binding the UDP socket"))?;
        let local_addr = socket
            .local_addr()
            .map_err(PeerError::io("reading the UDP socket's address"))?;
        let now = Instant::now();
        Ok(Self {
            rtc: Rtc::builder().build(now),
            socket,
            local_addr,
            mode,
            local: None,
            pending_offer: None,
            remote_set: false,
            early_candidates: Vec::new(),
            remote_completed: false,
            first_mid: None,
            audio_mid: None,
            channel: None,
            channel_open: false,
            audio: AudioPlan::default(),
            connected_at: None,
            created_at: now,
            closed: false,
            next_timeout: now,
            tick: DEFAULT_TICK,
            events: VecDeque::new(),
            stats: PeerStats::default(),
            buf: vec![0; 2000],
        })
    }

    /// The UDP socket's address (the host candidate's).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// How often [`PeerEvent::Tick`] comes at least (default 10 ms; at least 1 ms).
    pub fn set_tick(&mut self, tick: Duration) {
        self.tick = tick.max(Duration::from_millis(1));
    }

    /// Makes an offer SDP with the media of `options`. With [`CandidateMode::InSdp`] it
    /// carries our host candidate; with [`CandidateMode::Trickle`] it carries none and the
    /// candidate is in [`local_candidates`](Self::local_candidates) right after.
    pub fn offer(&mut self, options: OfferOptions) -> Result<String, PeerError> {
        if self.pending_offer.is_some() || self.remote_set {
            return Err(PeerError::State("an offer was already made or answered"));
        }
        if self.mode == CandidateMode::InSdp {
            self.add_local_candidate()?;
        }
        let mut change = self.rtc.sdp_api();
        if options.audio {
            let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
            self.audio_mid = Some(mid);
        }
        if let Some(label) = options.data_channel {
            self.channel = Some(change.add_channel(label));
        }
        let (offer, pending) = change
            .apply()
            .ok_or(PeerError::State("an offer needs audio or a data channel"))?;
        self.drain()?;
        self.pending_offer = Some(pending);
        let sdp = offer.to_sdp_string();
        self.first_mid = first_mid(&sdp);
        if self.mode == CandidateMode::Trickle {
            self.add_local_candidate()?;
        }
        Ok(sdp)
    }

    /// Applies Janus's answer to our [`offer`](Self::offer), then the remote candidates that
    /// came before it.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), PeerError> {
        let pending = self
            .pending_offer
            .take()
            .ok_or(PeerError::State("an answer came but no offer is pending"))?;
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| PeerError::Sdp {
            kind: "answer",
            reason: e.to_string(),
        })?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(PeerError::rtc("applying the answer"))?;
        self.drain()?;
        self.remote_set = true;
        self.flush_early_candidates()
    }

    /// Accepts Janus's offer (a VideoRoom subscriber's) and returns our answer SDP, carrying
    /// our candidate with [`CandidateMode::InSdp`]. Remote candidates that came before it are
    /// applied; [`PeerEvent::MediaAdded`] reports its m-lines.
    ///
    /// Called again on an answering peer, it accepts Janus's renegotiation offer (a
    /// subscription that gained or lost streams) on the same connection; the answer carries
    /// the same candidate, and new m-lines come as [`PeerEvent::MediaAdded`].
    pub fn answer(&mut self, offer_sdp: &str) -> Result<String, PeerError> {
        if self.pending_offer.is_some() {
            return Err(PeerError::State("an offer of ours is pending"));
        }
        if self.remote_set && self.local.is_none() {
            return Err(PeerError::State("an offer was already made or answered"));
        }
        let renegotiation = self.remote_set;
        let offer = SdpOffer::from_sdp_string(offer_sdp).map_err(|e| PeerError::Sdp {
            kind: "offer",
            reason: e.to_string(),
        })?;
        if self.mode == CandidateMode::InSdp && !renegotiation {
            self.add_local_candidate()?;
        }
        self.first_mid = first_mid(offer_sdp);
        let answer = self
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(PeerError::rtc("accepting the offer"))?;
        self.drain()?;
        self.remote_set = true;
        if self.mode == CandidateMode::Trickle && !renegotiation {
            self.add_local_candidate()?;
        }
        self.flush_early_candidates()?;
        Ok(answer.to_sdp_string())
    }

    /// Opens a data channel labelled `label` on the negotiated `m=application` line, without
    /// a new offer (DCEP, once SCTP is up): the answerer's side of a data-channel-only
    /// PeerConnection Janus offered (TextRoom), where Janus waits for the peer to open one.
    /// [`PeerEvent::ChannelOpen`] tells when it is open; [`send_text`](Self::send_text) uses it.
    pub fn open_channel(&mut self, label: &str) -> Result<(), PeerError> {
        if !self.remote_set {
            return Err(PeerError::State("a channel needs the SDP exchanged first"));
        }
        let config = ChannelConfig {
            label: label.to_owned(),
            ..ChannelConfig::default()
        };
        let id = self.rtc.direct_api().create_data_channel(config);
        self.channel = Some(id);
        self.drain()
    }

    /// Our candidates as Janus `trickle` wants them (`sdpMid` of the first m-line,
    /// `sdpMLineIndex` 0: Janus bundles). Empty before the SDP is made.
    pub fn local_candidates(&self) -> Vec<IceCandidate> {
        let mid = self.first_mid.clone().unwrap_or_else(|| "0".to_owned());
        self.local
            .iter()
            .map(|c| IceCandidate::new(c.to_sdp_string(), mid.clone(), 0))
            .collect()
    }

    /// A remote candidate from a Janus `trickle` (or `completed`). Before Janus's SDP has been
    /// applied it is kept, and applied right after it.
    pub fn add_remote_candidate(&mut self, candidate: &JanusCandidate) -> Result<(), PeerError> {
        let line = match candidate {
            JanusCandidate::Completed => {
                self.remote_completed = true;
                return Ok(());
            }
            JanusCandidate::Ice(ice) => ice.candidate.as_str(),
        };
        let text = line.trim().trim_start_matches("a=");
        let parsed = Candidate::from_sdp_string(text).map_err(|e| PeerError::Candidate {
            candidate: line.to_owned(),
            reason: e.to_string(),
        })?;
        if self.remote_set {
            self.rtc.add_remote_candidate(parsed);
            self.drain()
        } else {
            self.early_candidates.push(parsed);
            Ok(())
        }
    }

    /// Whether the remote SDP (Janus's answer or offer) has been applied; until then remote
    /// candidates are kept aside.
    pub fn has_remote_description(&self) -> bool {
        self.remote_set
    }

    /// Whether Janus said it has no more candidates (`{"completed":true}`).
    pub fn remote_candidates_completed(&self) -> bool {
        self.remote_completed
    }

    /// Queues `frames` Opus frames (one RTP packet each, [`OPUS_SILENCE`]) to be sent by
    /// [`run_until`](Self::run_until), one every 20 ms once connected, with the negotiated
    /// Opus payload type and timestamps advancing 960 ticks per frame (str0m numbers them).
    pub fn send_audio(&mut self, frames: u32) {
        self.audio.remaining += frames;
    }

    /// What each frame queued by [`send_audio`](Self::send_audio) carries from now on:
    /// `payload` instead of [`OPUS_SILENCE`] (a VideoRoom only forwards it, so a test can
    /// mark each sender's frames, e.g. the silent frame with a byte appended; the AudioBridge
    /// decodes it, so there it must be real Opus).
    pub fn set_audio_payload(&mut self, payload: Option<Vec<u8>>) {
        self.audio.payload = payload;
    }

    /// The audio level (-dBov: 0 loudest, -127 silence) and voice activity sent in each
    /// frame's `ssrc-audio-level` header extension from now on (str0m negotiates it as
    /// extension 1); `None`: no extension. Janus's talking detection reads it.
    pub fn set_audio_level(&mut self, level: Option<(i8, bool)>) {
        self.audio.level = level;
    }

    /// Audio frames queued by [`send_audio`](Self::send_audio) and not yet sent.
    pub fn audio_pending(&self) -> u32 {
        self.audio.remaining
    }

    /// Sends `text` on the data channel. Fails before [`PeerEvent::ChannelOpen`].
    pub fn send_text(&mut self, text: &str) -> Result<(), PeerError> {
        let id = self
            .channel
            .filter(|_| self.channel_open)
            .ok_or(PeerError::NotReady("no open data channel"))?;
        let mut channel = self
            .rtc
            .channel(id)
            .ok_or(PeerError::NotReady("the data channel is gone"))?;
        let written = channel
            .write(false, text.as_bytes())
            .map_err(PeerError::rtc("writing to the data channel"))?;
        self.drain()?;
        if !written {
            return Err(PeerError::NotReady("the data channel's buffer is full"));
        }
        self.stats.channel_sent += 1;
        Ok(())
    }

    /// The counters so far.
    pub fn stats(&self) -> PeerStats {
        self.stats
    }

    /// How long after [`bind`](Self::bind) ICE and DTLS came up, if they did.
    pub fn connected_after(&self) -> Option<Duration> {
        self.connected_at.map(|t| t - self.created_at)
    }

    /// When ICE and DTLS came up, if they did.
    pub fn connected_at(&self) -> Option<Instant> {
        self.connected_at
    }

    /// Whether ICE and DTLS are up.
    pub fn is_connected(&self) -> bool {
        self.connected_at.is_some() && !self.closed
    }

    /// Whether the remote side closed the connection ([`PeerEvent::Closed`]).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The negotiated Opus payload type of the audio m-line, once known.
    pub fn opus_pt(&mut self) -> Option<u8> {
        let mid = self.audio_mid?;
        self.opus_pt_of(mid).map(|pt| *pt)
    }

    /// Closes our side (DTLS close_notify) and sends what that produces.
    pub fn close(&mut self) -> Result<(), PeerError> {
        self.rtc.close().map_err(PeerError::rtc("closing"))?;
        self.drain()
    }

    /// Drives the connection until `f` breaks (returning `Some` of its value) or `deadline`
    /// passes (returning `None`): receives datagrams (waiting on the socket for at most one
    /// tick), feeds str0m its timeouts, sends its transmits and due audio frames, and calls
    /// `f` with every [`PeerEvent`], plus a [`PeerEvent::Tick`] each round. `f` may call the
    /// peer's methods (e.g. [`send_text`](Self::send_text)).
    pub fn run_until<T>(
        &mut self,
        deadline: Instant,
        mut f: impl FnMut(&mut Peer, PeerEvent) -> ControlFlow<T>,
    ) -> Result<Option<T>, PeerError> {
        loop {
            while let Some(event) = self.events.pop_front() {
                if let ControlFlow::Break(value) = f(self, event) {
                    return Ok(Some(value));
                }
            }
            if let ControlFlow::Break(value) = f(self, PeerEvent::Tick) {
                return Ok(Some(value));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            if self.audio_due(now) {
                self.write_audio_frame(now)?;
                continue;
            }
            let mut wake = deadline.min(self.next_timeout).min(now + self.tick);
            if let Some(due) = self.audio.next_due.filter(|_| self.audio.remaining > 0) {
                wake = wake.min(due);
            }
            self.receive_until(wake)?;
        }
    }

    /// Waits for one datagram until `wake`, and feeds it (or the timeout) to str0m.
    fn receive_until(&mut self, wake: Instant) -> Result<(), PeerError> {
        let wait = wake
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        self.socket
            .set_read_timeout(Some(wait))
            .map_err(PeerError::io("setting the socket's timeout"))?;
        self.buf.resize(2000, 0);
        match self.socket.recv_from(&mut self.buf) {
            Ok((n, source)) => {
                self.stats.datagrams_received += 1;
                let now = Instant::now();
                let Ok(contents) = self.buf[..n].try_into() else {
                    // Neither STUN, DTLS, RTP nor RTCP: not for us.
                    return self.timeout(now);
                };
                let input = Input::Receive(
                    now,
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.local_addr,
                        contents,
                    },
                );
                self.rtc
                    .handle_input(input)
                    .map_err(PeerError::rtc("handling a datagram"))?;
                self.drain()
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                self.timeout(Instant::now())
            }
            // An ICMP port unreachable from an earlier send shows up here; not fatal.
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => self.timeout(Instant::now()),
            Err(e) => Err(PeerError::Io {
                step: "receiving a datagram",
                source: e,
            }),
        }
    }

    fn timeout(&mut self, now: Instant) -> Result<(), PeerError> {
        self.rtc
            .handle_input(Input::Timeout(now))
            .map_err(PeerError::rtc("handling a timeout"))?;
        self.drain()
    }

    fn audio_due(&self, now: Instant) -> bool {
        self.audio.remaining > 0
            && self.connected_at.is_some()
            && !self.closed
            && self.audio.next_due.is_none_or(|due| due <= now)
    }

    fn write_audio_frame(&mut self, now: Instant) -> Result<(), PeerError> {
        let mid = self
            .audio_mid
            .ok_or(PeerError::NotReady("no audio m-line"))?;
        let pt = self
            .opus_pt_of(mid)
            .ok_or(PeerError::NotReady("Opus was not negotiated"))?;
        let writer = self
            .rtc
            .writer(mid)
            .ok_or(PeerError::NotReady("the audio m-line cannot send"))?;
        let time = MediaTime::new(self.audio.media_time, Frequency::FORTY_EIGHT_KHZ);
        let writer = match self.audio.level {
            Some((level, voice)) => writer.audio_level(level, voice),
            None => writer,
        };
        let payload = self
            .audio
            .payload
            .clone()
            .unwrap_or_else(|| OPUS_SILENCE.to_vec());
        writer
            .write(pt, now, time, payload)
            .map_err(PeerError::rtc("writing an audio frame"))?;
        self.drain()?;
        self.stats.rtp_sent += 1;
        self.audio.remaining -= 1;
        self.audio.media_time += FRAME_TICKS;
        // Keep the 20 ms grid; after a stall, restart it from now rather than bursting.
        let next = self.audio.next_due.map_or(now, |due| due) + FRAME;
        self.audio.next_due = Some(if next < now { now + FRAME } else { next });
        Ok(())
    }

    fn opus_pt_of(&mut self, mid: Mid) -> Option<Pt> {
        let writer = self.rtc.writer(mid)?;
        let pt = writer
            .payload_params()
            .find(|p| p.spec().codec == Codec::Opus)
            .map(|p| p.pt());
        pt
    }

    fn add_local_candidate(&mut self) -> Result<(), PeerError> {
        let candidate =
            Candidate::host(self.local_addr, "udp").map_err(|e| PeerError::Candidate {
                candidate: self.local_addr.to_string(),
                reason: e.to_string(),
            })?;
        let added = self.rtc.add_local_candidate(candidate).cloned();
        self.drain()?;
        self.local = Some(added.ok_or(PeerError::State("str0m refused our host candidate"))?);
        Ok(())
    }

    fn flush_early_candidates(&mut self) -> Result<(), PeerError> {
        for candidate in std::mem::take(&mut self.early_candidates) {
            self.rtc.add_remote_candidate(candidate);
            self.drain()?;
        }
        Ok(())
    }

    /// Polls str0m until it returns a timeout: sends transmits, queues events.
    fn drain(&mut self) -> Result<(), PeerError> {
        loop {
            match self.rtc.poll_output().map_err(PeerError::rtc("polling"))? {
                Output::Timeout(at) => {
                    self.next_timeout = at;
                    return Ok(());
                }
                Output::Transmit(t) => {
                    self.stats.datagrams_sent += 1;
                    if let Err(e) = self.socket.send_to(&t.contents, t.destination) {
                        // UDP: a failed send is a lost packet, which ICE and RTP cope with.
                        if e.kind() != ErrorKind::ConnectionRefused {
                            return Err(PeerError::Io {
                                step: "sending a datagram",
                                source: e,
                            });
                        }
                    }
                }
                Output::Event(event) => self.on_event(event),
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        let event = match event {
            Event::Connected => {
                self.connected_at.get_or_insert_with(Instant::now);
                PeerEvent::Connected
            }
            Event::IceConnectionStateChange(state) => PeerEvent::IceState(state),
            Event::MediaAdded(added) => {
                if added.kind == MediaKind::Audio && self.audio_mid.is_none() {
                    self.audio_mid = Some(added.mid);
                }
                PeerEvent::MediaAdded {
                    mid: added.mid.to_string(),
                    kind: format!("{:?}", added.kind).to_lowercase(),
                    direction: format!("{:?}", added.direction).to_lowercase(),
                }
            }
            Event::MediaData(data) => {
                let packets = (**data.seq_range.end())
                    .saturating_sub(**data.seq_range.start())
                    .saturating_add(1);
                self.stats.rtp_received += packets;
                PeerEvent::Media {
                    mid: data.mid.to_string(),
                    pt: *data.pt,
                    packets,
                    bytes: data.data.len(),
                    payload: data.data.to_vec(),
                }
            }
            Event::ChannelOpen(id, label) => {
                if self.channel.is_none() {
                    self.channel = Some(id);
                }
                if self.channel == Some(id) {
                    self.channel_open = true;
                }
                PeerEvent::ChannelOpen { label }
            }
            Event::ChannelData(data) => {
                self.stats.channel_received += 1;
                if data.binary {
                    PeerEvent::ChannelBinary(data.data)
                } else {
                    PeerEvent::ChannelText(String::from_utf8_lossy(&data.data).into_owned())
                }
            }
            Event::ChannelClose(id) => {
                if self.channel == Some(id) {
                    self.channel_open = false;
                }
                return;
            }
            Event::Closed => {
                self.closed = true;
                PeerEvent::Closed
            }
            _ => return,
        };
        self.events.push_back(event);
    }
}

/// The mid of the first m-line: the first `a=mid:` line.
fn first_mid(sdp: &str) -> Option<String> {
    sdp.lines()
        .find_map(|l| l.trim().strip_prefix("a=mid:"))
        .map(str::to_owned)
}
