//! An arbitrary sequence of commands, server answers synthesized from the requests the
//! client actually sent (right or foreign transactions, delivered in any order, duplicated),
//! unsolicited notifications, time steps, closes and reconnects.
//!
//! The client starts with one session and one handle (ids of the golden fixtures).
//!
//! Checked: nothing panics; after `handle_timeout(now)` the next deadline is after `now`;
//! every `Completed` is for a transaction `submit` returned, and comes once; after the final
//! close every transaction has ended exactly once.
#![no_main]

use arbitrary::Arbitrary;
use janus_proto::testing::ServerEncode;
use janus_proto::wire::{JanusError, PluginData, Request, RequestBody, ServerMessage};
use janus_proto::{
    Candidate, Client, Command, Event, HandleId, IceCandidate, Input, Jsep, Ordering, ReplyKind,
    SessionId, TransactionId, Trickle,
};
use janus_proto_fuzz::{
    assert_no_busy_loop, base, client_with_handle, drain, later, small_config, Ledger, H, S,
};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    Create {
        id: Option<u8>,
    },
    Attach {
        session: u8,
        pipelined: bool,
    },
    Message {
        handle: u8,
        jsep: bool,
    },
    Trickle {
        handle: u8,
        kind: u8,
    },
    Hangup {
        handle: u8,
    },
    Detach {
        handle: u8,
    },
    Destroy {
        session: u8,
    },
    Keepalive {
        session: u8,
    },
    Claim {
        session: u8,
        handles: u8,
    },
    Info,
    Ping,
    Cancel {
        txn: u8,
    },
    /// Queue the server's answer to a request the client sent.
    Answer {
        request: u8,
        how: How,
    },
    /// Answer the latest request at once.
    Reply {
        how: How,
    },
    /// Deliver a queued server frame (any of them: reordering).
    Deliver {
        index: u8,
    },
    /// Deliver a queued server frame and keep it queued (duplication).
    Duplicate {
        index: u8,
    },
    /// Deliver a notification Janus sends on its own.
    Notify {
        handle: u8,
        what: Notice,
    },
    Advance {
        ms: u16,
    },
    /// Jump to the next deadline.
    Fire,
    Close,
    Reconnect,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum How {
    Success,
    Ack {
        hint: bool,
    },
    Error {
        code: u8,
    },
    Event {
        jsep: bool,
    },
    PluginError,
    /// The right answer with another client's transaction.
    Foreign,
    /// The right answer with the transaction of another request this client sent.
    Swapped {
        other: u8,
    },
    /// A core error Janus could not match to a transaction.
    Uncorrelated,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Notice {
    WebrtcUp,
    Media { receiving: bool },
    SlowLink,
    Hangup,
    Detached,
    Timeout,
    Trickle { completed: bool },
    PluginEvent { offer: bool },
    Unknown,
}

const CODES: [u32; 10] = [403, 405, 453, 454, 456, 457, 458, 459, 460, 468];

fn pick<T: Clone>(items: &[T], index: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(index) % items.len()].clone())
}

fn plugindata(data: serde_json::Value) -> PluginData {
    serde_json::from_value(json!({"plugin": "janus.plugin.videoroom", "data": data}))
        .expect("plugindata")
}

struct Harness {
    client: Client,
    now: std::time::Instant,
    ledger: Ledger,
    /// Transactions submit returned, for `Cancel`.
    txns: Vec<TransactionId>,
    /// Requests the client put on the wire.
    sent: Vec<Request>,
    /// Sessions and handles seen (asked for, or given by the server).
    sessions: Vec<SessionId>,
    handles: Vec<HandleId>,
    /// Server frames not delivered yet.
    outbox: Vec<String>,
    next_id: u64,
}

impl Harness {
    fn submit(&mut self, command: Command) {
        if let Ok(txn) = self.client.submit(self.now, command) {
            self.ledger.submitted(txn);
            self.txns.push(txn);
        }
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn session(&self, index: u8) -> SessionId {
        pick(&self.sessions, index).unwrap_or(SessionId(u64::from(index)))
    }

    fn handle(&self, index: u8) -> HandleId {
        pick(&self.handles, index).unwrap_or(HandleId(u64::from(index)))
    }

    fn deliver(&mut self, frame: String) {
        // The synthesized frames are valid Janus messages: the client must take them.
        self.client
            .handle_input(self.now, Input::text(frame))
            .expect("a well-formed server frame is accepted");
    }

    fn answer(&mut self, request: &Request, how: How) -> ServerMessage {
        let transaction = request.transaction.clone();
        let session_id = request.body.session_id();
        let sender = request.body.handle_id();
        let message = matches!(request.body, RequestBody::Message { .. });
        match how {
            How::Success => match &request.body {
                RequestBody::Info => ServerMessage::ServerInfo {
                    transaction,
                    info: Box::new(
                        serde_json::from_value(json!({"session-timeout": 4})).expect("server info"),
                    ),
                },
                RequestBody::Ping => ServerMessage::Pong { transaction },
                RequestBody::Create { id } => ServerMessage::Success {
                    transaction,
                    session_id: None,
                    sender: None,
                    id: Some(match id {
                        Some(id) => id.0,
                        None => self.fresh_id(),
                    }),
                    plugindata: None,
                },
                RequestBody::Attach { .. } => ServerMessage::Success {
                    transaction,
                    session_id,
                    sender: None,
                    id: Some(self.fresh_id()),
                    plugindata: None,
                },
                _ => ServerMessage::Success {
                    transaction,
                    session_id,
                    sender: message.then_some(sender).flatten(),
                    id: None,
                    plugindata: message
                        .then(|| plugindata(json!({"videoroom": "success", "room": 1}))),
                },
            },
            How::Ack { hint } => ServerMessage::Ack {
                transaction,
                session_id,
                hint: hint.then(|| "I'm taking my time!".to_owned()),
            },
            How::Error { code } => ServerMessage::Error {
                transaction: Some(transaction),
                session_id,
                error: JanusError {
                    code: CODES[usize::from(code) % CODES.len()],
                    reason: "fuzz".into(),
                },
            },
            How::Event { jsep } => ServerMessage::Event {
                transaction: Some(transaction),
                session_id: session_id.unwrap_or(SessionId(0)),
                sender: sender.unwrap_or(HandleId(0)),
                plugindata: plugindata(json!({"videoroom": "event", "configured": "ok"})),
                jsep: jsep.then(|| Jsep::answer("v=0\r\n")),
            },
            How::PluginError => ServerMessage::Event {
                transaction: Some(transaction),
                session_id: session_id.unwrap_or(SessionId(0)),
                sender: sender.unwrap_or(HandleId(0)),
                plugindata: plugindata(
                    json!({"videoroom": "event", "error_code": 426, "error": "No such room"}),
                ),
                jsep: None,
            },
            How::Foreign => {
                let mut foreign = request.clone();
                foreign.transaction = format!("other-{}", request.transaction);
                self.answer(&foreign, How::Success)
            }
            How::Swapped { other } => {
                let mut swapped = request.clone();
                if let Some(other) = pick(&self.sent, other) {
                    swapped.transaction = other.transaction;
                }
                self.answer(&swapped, How::Success)
            }
            How::Uncorrelated => ServerMessage::Error {
                transaction: None,
                session_id,
                error: JanusError {
                    code: 467,
                    reason: "Invalid element type (id should be a positive integer)".into(),
                },
            },
        }
    }

    fn notify(&mut self, handle: HandleId, what: Notice) -> ServerMessage {
        let session_id = self
            .client
            .session_of(handle)
            .or_else(|| self.sessions.first().copied())
            .unwrap_or(SessionId(0));
        let sender = handle;
        match what {
            Notice::WebrtcUp => ServerMessage::WebrtcUp { session_id, sender },
            Notice::Media { receiving } => ServerMessage::Media {
                session_id,
                sender,
                media: janus_proto::wire::MediaState {
                    mid: Some("0".into()),
                    kind: Some("audio".into()),
                    receiving,
                    seconds: None,
                    substream: None,
                },
            },
            Notice::SlowLink => ServerMessage::SlowLink {
                session_id,
                sender,
                slowlink: janus_proto::wire::SlowLink {
                    mid: Some("1".into()),
                    media: Some("video".into()),
                    uplink: true,
                    lost: Some(3),
                    nacks: None,
                },
            },
            Notice::Hangup => ServerMessage::Hangup {
                session_id,
                sender,
                reason: Some("DTLS alert".into()),
            },
            Notice::Detached => ServerMessage::Detached { session_id, sender },
            Notice::Timeout => ServerMessage::Timeout { session_id },
            Notice::Trickle { completed } => ServerMessage::Trickle {
                session_id,
                sender,
                candidate: if completed {
                    Candidate::Completed
                } else {
                    Candidate::Ice(IceCandidate {
                        candidate: "candidate:1 1 udp 2015363327 192.0.2.2 43541 typ host".into(),
                        sdp_mid: None,
                        sdp_mline_index: Some(0),
                    })
                },
            },
            Notice::PluginEvent { offer } => ServerMessage::Event {
                transaction: None,
                session_id,
                sender,
                plugindata: plugindata(json!({"videoroom": "event", "leaving": 7})),
                jsep: offer.then(|| Jsep::offer("v=0\r\n")),
            },
            Notice::Unknown => ServerMessage::Unknown {
                janus: "notification".into(),
                transaction: None,
                session_id: Some(session_id),
                sender: Some(sender),
            },
        }
    }

    /// Drains outputs and learns from them: sent requests, new sessions and handles.
    fn step(&mut self) {
        let out = drain(&mut self.client);
        self.ledger.note_sent(&out.transmits);
        self.ledger.observe(&out.events);
        for frame in out.transmits {
            self.sent
                .push(Request::decode(&frame).expect("checked by drain"));
        }
        for event in out.events {
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

    fn fire(&mut self) {
        self.client.handle_timeout(self.now);
        assert_no_busy_loop(&self.client, self.now);
    }

    fn run(&mut self, op: Op) {
        match op {
            Op::Create { id } => {
                let id = id.map(|i| SessionId(1000 + u64::from(i)));
                if let Some(id) = id {
                    if !self.sessions.contains(&id) {
                        self.sessions.push(id);
                    }
                }
                self.submit(Command::Create { id });
            }
            Op::Attach { session, pipelined } => self.submit(Command::Attach {
                session: self.session(session),
                plugin: "janus.plugin.videoroom".into(),
                opaque_id: None,
                ordering: pipelined.then_some(Ordering::Pipelined),
            }),
            Op::Message { handle, jsep } => self.submit(Command::message(
                self.handle(handle),
                json!({"request": "configure"}),
                jsep.then(|| Jsep::offer("v=0\r\n")),
            )),
            Op::Trickle { handle, kind } => {
                let one = Candidate::Ice(IceCandidate::new(
                    "candidate:1 1 udp 1 h 9 typ host",
                    "0",
                    0,
                ));
                let trickle = match kind % 3 {
                    0 => Trickle::One(one),
                    1 => Trickle::Many(vec![one.clone(), one]),
                    _ => Trickle::completed(),
                };
                self.submit(Command::Trickle {
                    handle: self.handle(handle),
                    trickle,
                })
            }
            Op::Hangup { handle } => self.submit(Command::Hangup {
                handle: self.handle(handle),
            }),
            Op::Detach { handle } => self.submit(Command::Detach {
                handle: self.handle(handle),
            }),
            Op::Destroy { session } => self.submit(Command::Destroy {
                session: self.session(session),
            }),
            Op::Keepalive { session } => self.submit(Command::Keepalive {
                session: self.session(session),
            }),
            Op::Claim { session, handles } => {
                let handles = self
                    .handles
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| handles & (1 << (i % 8)) != 0)
                    .map(|(_, h)| *h)
                    .collect();
                self.submit(Command::Claim {
                    session: self.session(session),
                    handles,
                })
            }
            Op::Info => self.submit(Command::Info),
            Op::Ping => self.submit(Command::Ping),
            Op::Cancel { txn } => {
                if let Some(txn) = pick(&self.txns, txn) {
                    let pending = !self.ledger.is_completed(txn);
                    let result = self.client.cancel(self.now, txn);
                    // Cancelling works exactly for the transactions still open.
                    assert_eq!(result.is_ok(), pending, "cancel({txn}) = {result:?}");
                }
            }
            Op::Answer { request, how } => {
                if let Some(request) = pick(&self.sent, request) {
                    let msg = self.answer(&request, how);
                    self.outbox.push(msg.encode());
                }
            }
            Op::Reply { how } => {
                if let Some(request) = self.sent.last().cloned() {
                    let msg = self.answer(&request, how);
                    self.deliver(msg.encode());
                }
            }
            Op::Deliver { index } => {
                if !self.outbox.is_empty() {
                    let frame = self.outbox.remove(usize::from(index) % self.outbox.len());
                    self.deliver(frame);
                }
            }
            Op::Duplicate { index } => {
                if let Some(frame) = self
                    .outbox
                    .get(usize::from(index) % self.outbox.len().max(1))
                {
                    self.deliver(frame.clone());
                }
            }
            Op::Notify { handle, what } => {
                let msg = self.notify(self.handle(handle), what);
                self.deliver(msg.encode());
            }
            Op::Advance { ms } => {
                self.now = later(self.now, u64::from(ms));
                self.fire();
            }
            Op::Fire => {
                if let Some(at) = self.client.poll_timeout() {
                    self.now = self.now.max(at);
                }
                self.fire();
            }
            Op::Close => self
                .client
                .handle_input(self.now, Input::Closed)
                .expect("closing never fails"),
            Op::Reconnect => self.client.reconnect(self.now),
        }
        self.step();
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let now = base();
    let mut ledger = Ledger::default();
    // Start with session S and handle H (transactions #1 and #2, done) so that deep states
    // are a few ops away; more sessions and handles come from the ops.
    let client = client_with_handle(small_config().apisecret("fuzz"), now, &mut ledger);
    let mut h = Harness {
        client,
        now,
        ledger,
        txns: Vec::new(),
        sent: Vec::new(),
        sessions: vec![S],
        handles: vec![H],
        outbox: Vec::new(),
        next_id: 1 << 40,
    };
    for op in ops.into_iter().take(512) {
        h.run(op);
    }
    h.client
        .handle_input(h.now, Input::Closed)
        .expect("closing never fails");
    h.step();
    h.ledger.assert_all_completed();
    assert_eq!(h.client.pending(), 0, "pending after close");
});
