//! The fuzz targets' bodies: each takes the fuzzer's bytes and panics on a broken contract.
//! The cargo-fuzz targets in `fuzz/` are one-line wrappers over these.
//!
//! * [`decode`]: arbitrary bytes into [`ServerMessage::decode`]; whatever decodes survives
//!   encode → decode unchanged.
//! * [`client_frames`]: a [`Client`] holding a session, a handle and requests in flight, fed
//!   arbitrary frames and time jumps.
//! * [`plugin_data`]: arbitrary bytes as the plugin data of an event of every plugin model,
//!   and as a TextRoom data-channel message.
//! * [`client_ops`]: an arbitrary sequence of commands, answers from the [`answers`] model
//!   to the requests the client actually sent (right or foreign transactions, in any order,
//!   duplicated), notifications, time steps, closes and reconnects.
//!
//! Each checks, besides not panicking: after `handle_timeout(now)` the next deadline is
//! after `now`; every transmit is one canonical request; the [`Ledger`] holds (every
//! transaction ends exactly once, acks and late replies only for the right transactions,
//! nothing on the wire that was not submitted but the client's own keepalives); after the
//! final close nothing is pending.

use std::time::{Duration, Instant};

use serde_json::json;

use super::answers::{self, Answer, AnswerId, Answerer, Notice};
use super::{start_instant, Ledger, ServerEncode};
use crate::client::Client;
use crate::command::Command;
use crate::config::{Config, Ordering};
use crate::event::{Event, Input, ReplyKind};
use crate::ids::{HandleId, SessionId, TransactionId};
use crate::link::Reconnect;
use crate::wire::{
    Candidate, IceCandidate, JanusError, Jsep, MediaState, Request, ServerMessage, SlowLink,
    Trickle,
};

/// The session the golden fixtures (and so the seeds) use.
const S: SessionId = SessionId(3783524939493389);
/// The handle the golden fixtures (and so the seeds) use.
const H: HandleId = HandleId(6942190213558236);
/// Most outputs one step may produce before the drain calls it a loop.
const DRAIN_BOUND: usize = 100_000;
/// Most ops one [`client_ops`] input runs.
const MAX_OPS: usize = 512;

/// Arbitrary bytes as the `data` of a plugin event of every model: typing it never panics,
/// and a typed event encodes to JSON (`Other` to `null`). The bytes are also read as a
/// TextRoom data-channel message.
///
/// ```
/// janus_proto::testing::fuzz::plugin_data(br#"{"videoroom":"event","leaving":"ok"}"#);
/// janus_proto::testing::fuzz::plugin_data(b"not json");
/// ```
pub fn plugin_data(data: &[u8]) {
    use crate::plugins::{self, Plugin};
    use crate::wire::PluginData;

    fn check<P: Plugin>(data: &[u8])
    where
        P::Event: serde::Serialize,
    {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let frame = format!(
            r#"{{"janus":"event","session_id":1,"sender":2,"plugindata":{{"plugin":"{}","data":{text}}}}}"#,
            P::PACKAGE
        );
        let Ok(ServerMessage::Event { plugindata, .. }) = ServerMessage::decode(frame.as_bytes())
        else {
            return;
        };
        let plugindata: PluginData = plugindata;
        let event = P::event(&plugindata);
        if let Err(e) = serde_json::to_string(&event) {
            panic!("{}: {event:?} does not encode: {e}", P::PACKAGE);
        }
    }

    check::<plugins::echotest::EchoTest>(data);
    check::<plugins::videoroom::VideoRoom>(data);
    check::<plugins::streaming::Streaming>(data);
    check::<plugins::audiobridge::AudioBridge>(data);
    check::<plugins::textroom::TextRoom>(data);
    check::<plugins::sip::Sip>(data);
    check::<plugins::nosip::NoSip>(data);
    check::<plugins::videocall::VideoCall>(data);
    check::<plugins::recordplay::RecordPlay>(data);
    check::<plugins::voicemail::VoiceMail>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let incoming = plugins::textroom::datachannel::Incoming::from_text(text);
        if let Err(e) = serde_json::to_string(&incoming) {
            panic!("textroom: {incoming:?} does not encode: {e}");
        }
    }
}

/// Arbitrary bytes → [`ServerMessage::decode`]; whatever decodes must survive encode →
/// decode unchanged, and encode to JSON no harder to parse than the input.
///
/// ```
/// janus_proto::testing::fuzz::decode(br#"{"janus":"timeout","session_id":9}"#);
/// janus_proto::testing::fuzz::decode(b"not json");
/// ```
pub fn decode(data: &[u8]) {
    let Ok(msg) = ServerMessage::decode(data) else {
        return;
    };
    let encoded = msg.encode();
    let again = match ServerMessage::decode(encoded.as_bytes()) {
        Ok(again) => again,
        Err(e) => panic!("the encoding of {msg:?} does not decode: {e}\n{encoded}"),
    };
    assert_eq!(again, msg, "decode(encode(x)) != x; encoded: {encoded}");
    assert_eq!(again.encode(), encoded, "encoding is not stable");
    // The encoding is JSON by the grammar, and is no harder for a generic parser than the
    // input: valid JSON `serde_json::Value` cannot hold (a number beyond f64) may pass through
    // in plugindata, but encoding never makes it.
    assert!(serde_json::from_str::<serde::de::IgnoredAny>(&encoded).is_ok());
    if serde_json::from_slice::<serde_json::Value>(data).is_ok() {
        assert!(
            serde_json::from_str::<serde_json::Value>(&encoded).is_ok(),
            "the encoding of a frame serde_json::Value accepts is rejected: {encoded}"
        );
    }
}

/// Separates the steps of a [`client_frames`] input (never in UTF-8).
const SEP: u8 = 0xFF;
/// Starts a control step of a [`client_frames`] input.
const CONTROL: u8 = 0xFE;

/// A [`Client`] holding a session and a handle, with requests in flight, fed arbitrary frames
/// and time jumps.
///
/// Input: steps separated by the byte `0xFF` (so a seed that is one JSON frame is one
/// step). A step starting with `0xFE` is a control step `[0xFE, op, args…]`: op % 4 == 0
/// advances the clock by `args` (little-endian u32, in ms) and fires timers, 1 jumps to the
/// next deadline and fires it, 2 closes the connection, 3 reconnects and claims the session.
/// Any other step is one frame from the server. Also checked: an accepted frame produces an
/// event, except a late `ack` and replies to the client's own keepalives.
///
/// ```
/// janus_proto::testing::fuzz::client_frames(br#"{"janus":"ack","transaction":"3"}"#);
/// ```
pub fn client_frames(data: &[u8]) {
    let mut now = start_instant();
    let mut h = Harness::new(small_config(), now);
    // In flight, so replies can match: "3" message, "4" keepalive, "5" info, "6" ping,
    // "7" trickle, "8" hangup (held behind the message until it has its outcome).
    for command in [
        Command::message(H, json!({"request": "configure"}), None),
        Command::Keepalive { session: S },
        Command::Info,
        Command::Ping,
        Command::Trickle {
            handle: H,
            trickle: Trickle::One(Candidate::Completed),
        },
        Command::Hangup { handle: H },
    ] {
        let txn = h.client.submit(now, command).expect("in-flight submit");
        h.submitted(txn);
    }
    h.step();

    for step in data.split(|b| *b == SEP) {
        let mut frame_accepted = None;
        match step {
            [CONTROL, op, args @ ..] => match op % 4 {
                0 => {
                    now = later(now, le_u32(args));
                    h.fire(now);
                }
                1 => {
                    if let Some(at) = h.client.poll_timeout() {
                        now = now.max(at);
                    }
                    h.fire(now);
                }
                2 => h.close(now),
                _ => {
                    h.client.reconnect(now);
                    let claim = Command::Claim {
                        session: S,
                        handles: vec![H],
                    };
                    if let Ok(txn) = h.client.submit(now, claim) {
                        h.submitted(txn);
                    }
                }
            },
            frame => {
                if h.client
                    .handle_input(now, Input::Frame(frame.to_vec().into()))
                    .is_ok()
                {
                    frame_accepted = Some(frame);
                }
            }
        }
        let events = h.step();
        if let (Some(frame), true) = (frame_accepted, events.is_empty()) {
            let msg = ServerMessage::decode(frame).expect("it was accepted");
            assert!(
                matches!(msg, ServerMessage::Ack { .. })
                    || msg.transaction().is_some_and(|t| h.ledger.is_internal(t)),
                "an accepted frame produced no event: {:?}",
                String::from_utf8_lossy(frame)
            );
        }
    }
    h.finish(now);
}

/// An arbitrary sequence of ops, read from the bytes: commands, answers to the requests the
/// client sent (queued or at once, with the right, another client's or another request's
/// transaction), deliveries of queued answers in any order and duplicated, notifications,
/// cancels, time steps, closes and reconnects, pongs and dials. The first byte says whether
/// the client has a reconnect policy. The client starts with one session and one handle.
///
/// ```
/// janus_proto::testing::fuzz::client_ops(&[10, 12, 0, 0, 21, 0]);
/// ```
pub fn client_ops(data: &[u8]) {
    let now = start_instant();
    // The first byte: whether the client reconnects on its own.
    let (policy, data) = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => (Some(Reconnect::new().max_attempts(3)), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let mut ops = Ops {
        h: Harness::new(small_config().apisecret("fuzz").reconnect(policy), now),
        now,
        txns: Vec::new(),
        sessions: vec![S],
        handles: vec![H],
        outbox: Vec::new(),
        answers: Answerer::new(1 << 40),
    };
    let mut input = Choices(data);
    for _ in 0..MAX_OPS {
        if input.0.is_empty() {
            break;
        }
        ops.run(&mut input);
    }
    ops.h.finish(ops.now);
}

/// Choices read from fuzz input; past its end every choice is 0.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
}

/// A configuration with small memories and queues, so that eviction and overflow paths run.
fn small_config() -> Config {
    Config::new()
        .request_timeout(Duration::from_secs(5))
        .keepalive_interval(Duration::from_secs(3))
        .memory(8)
        .event_queue_capacity(32)
}

/// `now + ms`, saturating instead of overflowing.
fn later(now: Instant, ms: u64) -> Instant {
    now.checked_add(Duration::from_millis(ms)).unwrap_or(now)
}

fn le_u32(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(4)
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

fn pick<T: Clone>(items: &[T], index: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(index) % items.len()].clone())
}

/// A client, its ledger, and the requests it put on the wire.
struct Harness {
    client: Client,
    ledger: Ledger,
    /// Requests the client put on the wire, in order.
    sent: Vec<Request>,
}

impl Harness {
    /// A client holding session [`S`] with handle [`H`] (transactions 1 and 2, done).
    fn new(config: Config, now: Instant) -> Self {
        let mut h = Self {
            ledger: Ledger::new(config.transaction_prefix.clone()),
            client: Client::new(config, now),
            sent: Vec::new(),
        };
        let created = h.establish(now, Command::Create { id: Some(S) }, S.0);
        assert_eq!(created, ReplyKind::SessionCreated(S));
        let attached = h.establish(now, Command::attach(S, "janus.plugin.videoroom"), H.0);
        assert_eq!(attached, ReplyKind::Attached(H));
        h
    }

    /// Submits `command`, answers it with `success` (`data.id = id`), returns the reply kind.
    fn establish(&mut self, now: Instant, command: Command, id: u64) -> ReplyKind {
        let txn = self.client.submit(now, command).expect("setup submit");
        self.submitted(txn);
        self.step();
        let request = self.sent.last().expect("setup request");
        let reply = answers::created(request.transaction.clone(), request.body.session_id(), id);
        self.client
            .handle_input(now, Input::text(reply.encode()))
            .expect("setup reply");
        match &self.step()[..] {
            [Event::Completed {
                txn: t,
                outcome: Ok(reply),
            }] if *t == txn => reply.kind.clone(),
            other => panic!("setup: {other:?}"),
        }
    }

    fn submitted(&mut self, txn: TransactionId) {
        if let Err(e) = self.ledger.submitted(txn) {
            panic!("{e}");
        }
    }

    /// Takes every transmit and event, checking them; returns the events.
    fn step(&mut self) -> Vec<Event> {
        let mut transmits = 0;
        while let Some(frame) = self.client.poll_transmit() {
            transmits += 1;
            assert!(transmits <= DRAIN_BOUND, "transmits never run dry");
            assert!(
                frame.starts_with('{') && frame.ends_with('}'),
                "bytes around the request: {frame:?}"
            );
            let request = Request::decode(&frame).expect("the client sends requests");
            assert_eq!(request.encode(), frame, "request encoding is not stable");
            if let Err(e) = self.ledger.sent(&request) {
                panic!("{e}");
            }
            self.sent.push(request);
        }
        let mut actions = 0;
        while self.client.poll_action().is_some() {
            actions += 1;
            assert!(actions <= DRAIN_BOUND, "actions never run dry");
        }
        let mut events = Vec::new();
        while let Some(event) = self.client.poll_event() {
            if let Err(e) = self.ledger.observe(&event) {
                panic!("{e}");
            }
            events.push(event);
            assert!(events.len() <= DRAIN_BOUND, "events never run dry");
        }
        events
    }

    /// `handle_timeout(now)`, which must leave no timer due at or before `now`.
    fn fire(&mut self, now: Instant) {
        self.client.handle_timeout(now);
        if let Some(at) = self.client.poll_timeout() {
            assert!(
                at > now,
                "poll_timeout {at:?} is not after handle_timeout({now:?})"
            );
        }
    }

    fn close(&mut self, now: Instant) {
        self.client
            .handle_input(now, Input::Closed)
            .expect("closing never fails");
    }

    /// Closes the connection for good: every transaction has ended, exactly once.
    fn finish(&mut self, now: Instant) {
        self.client.close(now);
        self.step();
        if let Err(e) = self.ledger.all_done() {
            panic!("after the close: {e}");
        }
        assert_eq!(self.client.pending(), 0, "pending after close");
    }
}

/// The state of a [`client_ops`] run.
struct Ops {
    h: Harness,
    now: Instant,
    /// Transactions submit returned, for cancels.
    txns: Vec<TransactionId>,
    /// Sessions and handles seen (asked for, or given by the server).
    sessions: Vec<SessionId>,
    handles: Vec<HandleId>,
    /// Server frames not delivered yet.
    outbox: Vec<String>,
    answers: Answerer,
}

/// Core error codes an answer may carry.
const CODES: [u32; 10] = [403, 405, 453, 454, 456, 457, 458, 459, 460, 468];

impl Ops {
    fn submit(&mut self, command: Command) {
        if let Ok(txn) = self.h.client.submit(self.now, command) {
            self.h.submitted(txn);
            self.txns.push(txn);
        }
    }

    fn session(&self, index: u8) -> SessionId {
        pick(&self.sessions, index).unwrap_or(SessionId(u64::from(index)))
    }

    fn handle(&self, index: u8) -> HandleId {
        pick(&self.handles, index).unwrap_or(HandleId(u64::from(index)))
    }

    fn deliver(&mut self, frame: String) {
        // The synthesized frames are valid Janus messages: the client must take them.
        self.h
            .client
            .handle_input(self.now, Input::text(frame))
            .expect("a well-formed server frame is accepted");
    }

    /// The answer to `request` the next choices describe.
    fn answer(&mut self, request: &Request, input: &mut Choices) -> ServerMessage {
        let answer = match input.u8() % 9 {
            0 => Answer::Natural(input.u8()),
            1 => Answer::Ack(input.bool().then(|| "I'm taking my time!".to_owned())),
            2 => Answer::Error(JanusError {
                code: CODES[usize::from(input.u8()) % CODES.len()],
                reason: "fuzz".into(),
            }),
            3 => Answer::Event {
                data: json!({"videoroom": "event", "configured": "ok"}),
                jsep: input.bool().then(|| Jsep::answer("v=0\r\n")),
                sender: None,
            },
            4 => Answer::Event {
                data: answers::plugin_error("videoroom", 426, "No such room"),
                jsep: None,
                sender: None,
            },
            5 => Answer::Success {
                id: if input.bool() {
                    AnswerId::Fresh
                } else {
                    AnswerId::Absent
                },
                plugindata: None,
                sender: input.bool(),
            },
            6 => {
                // The right answer with another client's transaction.
                let mut foreign = request.clone();
                foreign.transaction = format!("other-{}", request.transaction);
                return self.answers.natural(&foreign, input.u8());
            }
            7 => {
                // The right answer with the transaction of another request this client sent.
                let mut swapped = request.clone();
                if let Some(other) = pick(&self.h.sent, input.u8()) {
                    swapped.transaction = other.transaction;
                }
                return self.answers.natural(&swapped, input.u8());
            }
            _ => {
                // A core error Janus could not match to a transaction.
                let reason = "Invalid element type (id should be a positive integer)";
                return answers::error(None, request.body.session_id(), 467, reason);
            }
        };
        self.answers.answer(request, &answer)
    }

    /// The notification the next choices describe, for `handle`.
    fn notice(&self, handle: HandleId, input: &mut Choices) -> ServerMessage {
        let session_id = self
            .h
            .client
            .session_of(handle)
            .or_else(|| self.sessions.first().copied())
            .unwrap_or(SessionId(0));
        let notice = match input.u8() % 9 {
            0 => Notice::WebrtcUp,
            1 => Notice::Media(MediaState {
                mid: Some("0".into()),
                kind: Some("audio".into()),
                receiving: input.bool(),
                seconds: None,
                substream: None,
            }),
            2 => Notice::SlowLink(SlowLink {
                mid: Some("1".into()),
                media: Some("video".into()),
                uplink: true,
                lost: Some(3),
                nacks: None,
            }),
            3 => Notice::Hangup(Some("DTLS alert".into())),
            4 => Notice::Detached,
            5 => Notice::Timeout,
            6 => Notice::Trickle(if input.bool() {
                Candidate::Completed
            } else {
                answers::janus_candidate()
            }),
            7 => Notice::Event {
                data: json!({"videoroom": "event", "leaving": 7}),
                jsep: input.bool().then(|| Jsep::offer("v=0\r\n")),
                transaction: None,
            },
            _ => Notice::Unknown {
                janus: "notification".into(),
                session: true,
                sender: true,
            },
        };
        notice.message(session_id, handle)
    }

    /// Drains outputs and learns the sessions and handles the server handed out.
    fn step(&mut self) {
        for event in self.h.step() {
            if let Event::Completed {
                outcome: Ok(reply), ..
            } = event
            {
                match reply.kind {
                    ReplyKind::SessionCreated(s) if !self.sessions.contains(&s) => {
                        self.sessions.push(s)
                    }
                    ReplyKind::Attached(h) if !self.handles.contains(&h) => self.handles.push(h),
                    _ => {}
                }
            }
        }
    }

    fn command(&mut self, input: &mut Choices) {
        let command = match input.u8() % 11 {
            0 => {
                let id = input
                    .bool()
                    .then(|| SessionId(1000 + u64::from(input.u8())));
                if let Some(id) = id.filter(|id| !self.sessions.contains(id)) {
                    self.sessions.push(id);
                }
                Command::Create { id }
            }
            1 => Command::Attach {
                session: self.session(input.u8()),
                plugin: "janus.plugin.videoroom".into(),
                opaque_id: None,
                ordering: input.bool().then_some(Ordering::Pipelined),
            },
            2 => Command::message(
                self.handle(input.u8()),
                json!({"request": "configure"}),
                input.bool().then(|| Jsep::offer("v=0\r\n")),
            ),
            3 => {
                let handle = self.handle(input.u8());
                let one = Candidate::Ice(IceCandidate::new(
                    "candidate:1 1 udp 1 h 9 typ host",
                    "0",
                    0,
                ));
                let trickle = match input.u8() % 3 {
                    0 => Trickle::One(one),
                    1 => Trickle::Many(vec![one.clone(), one]),
                    _ => Trickle::completed(),
                };
                Command::Trickle { handle, trickle }
            }
            4 => Command::Hangup {
                handle: self.handle(input.u8()),
            },
            5 => Command::Detach {
                handle: self.handle(input.u8()),
            },
            6 => Command::Destroy {
                session: self.session(input.u8()),
            },
            7 => Command::Keepalive {
                session: self.session(input.u8()),
            },
            8 => {
                let session = self.session(input.u8());
                let mask = input.u8();
                let handles = self
                    .handles
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << (i % 8)) != 0)
                    .map(|(_, h)| *h)
                    .collect();
                Command::Claim { session, handles }
            }
            9 => Command::Info,
            _ => Command::Ping,
        };
        self.submit(command);
    }

    /// Runs the op the next choices describe.
    fn run(&mut self, input: &mut Choices) {
        match input.u8() % 13 {
            0 => self.command(input),
            1 => {
                if let Some(txn) = pick(&self.txns, input.u8()) {
                    let pending = self.h.ledger.is_pending(txn);
                    let result = self.h.client.cancel(self.now, txn);
                    // Cancelling works exactly for the transactions still open.
                    assert_eq!(result.is_ok(), pending, "cancel({txn}) = {result:?}");
                }
            }
            2 => {
                // Queue the server's answer to a request the client sent.
                if let Some(request) = pick(&self.h.sent, input.u8()) {
                    let msg = self.answer(&request, input);
                    self.outbox.push(msg.encode());
                }
            }
            3 => {
                // Answer the latest request at once.
                if let Some(request) = self.h.sent.last().cloned() {
                    let msg = self.answer(&request, input);
                    self.deliver(msg.encode());
                }
            }
            4 => {
                // Deliver a queued server frame (any of them: reordering).
                let index = usize::from(input.u8());
                if !self.outbox.is_empty() {
                    let frame = self.outbox.remove(index % self.outbox.len());
                    self.deliver(frame);
                }
            }
            5 => {
                // Deliver a queued server frame and keep it queued (duplication).
                let index = usize::from(input.u8());
                if let Some(frame) = self.outbox.get(index % self.outbox.len().max(1)) {
                    self.deliver(frame.clone());
                }
            }
            6 => {
                let handle = self.handle(input.u8());
                let msg = self.notice(handle, input);
                self.deliver(msg.encode());
            }
            7 => {
                self.now = later(self.now, u64::from(input.u16()));
                self.h.fire(self.now);
            }
            8 => {
                // Jump to the next deadline.
                if let Some(at) = self.h.client.poll_timeout() {
                    self.now = self.now.max(at);
                }
                self.h.fire(self.now);
            }
            9 => self.h.close(self.now),
            10 => self.h.client.reconnect(self.now),
            11 => {
                // The transport's side of the link: a pong, a dial that worked, one that
                // failed.
                let input = match input.u8() % 3 {
                    0 => Input::Pong,
                    1 => Input::Connected,
                    _ => Input::Lost("fuzz".into()),
                };
                self.h
                    .client
                    .handle_input(self.now, input)
                    .expect("link inputs never fail");
            }
            _ => self.command(input),
        }
        self.step();
    }
}
