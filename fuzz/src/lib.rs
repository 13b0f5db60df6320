//! Helpers shared by the janus-proto fuzz targets: a client with a session and a handle,
//! a bounded drain, and a ledger that checks every transaction ends exactly once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use janus_proto::testing::ServerEncode;
use janus_proto::wire::{Request, ServerMessage};
use janus_proto::{
    Client, Command, Config, Event, HandleId, Input, ReplyKind, SessionId, TransactionId,
};

/// The session the golden fixtures (and so the seeds) use.
pub const S: SessionId = SessionId(3783524939493389);
/// The handle the golden fixtures (and so the seeds) use.
pub const H: HandleId = HandleId(6942190213558236);

/// Most outputs one step may produce before the drain gives up and calls it a loop.
pub const DRAIN_BOUND: usize = 100_000;

/// The clock reading a run starts from; everything later is derived from it.
pub fn base() -> Instant {
    Instant::now()
}

/// A configuration with small memories and queues, so that eviction and overflow paths run.
pub fn small_config() -> Config {
    Config::new()
        .request_timeout(Duration::from_secs(5))
        .keepalive_interval(Duration::from_secs(3))
        .memory(8)
        .event_queue_capacity(32)
}

/// What one drain collected.
#[derive(Debug, Default)]
pub struct Drained {
    /// Frames to send.
    pub transmits: Vec<String>,
    /// Events.
    pub events: Vec<Event>,
}

/// Takes every transmit and event, checking each transmit is one well-formed request.
///
/// Panics if the client keeps producing past [`DRAIN_BOUND`]: outputs must run dry.
pub fn drain(client: &mut Client) -> Drained {
    let mut out = Drained::default();
    while let Some(frame) = client.poll_transmit() {
        check_transmit(&frame);
        out.transmits.push(frame);
        assert!(
            out.transmits.len() <= DRAIN_BOUND,
            "transmits never run dry"
        );
    }
    while let Some(event) = client.poll_event() {
        out.events.push(event);
        assert!(out.events.len() <= DRAIN_BOUND, "events never run dry");
    }
    out
}

/// A frame the client sends is one JSON object, nothing after it, and decodes as a request
/// that encodes back to the same text.
pub fn check_transmit(frame: &str) {
    assert!(
        frame.starts_with('{') && frame.ends_with('}'),
        "bytes around the request: {frame:?}"
    );
    let request = Request::decode(frame).expect("the client sends requests it can decode");
    assert_eq!(request.encode(), frame, "request encoding is not stable");
}

/// `handle_timeout(now)` leaves no timer due at or before `now` (no busy loop).
pub fn assert_no_busy_loop(client: &Client, now: Instant) {
    if let Some(at) = client.poll_timeout() {
        assert!(
            at > now,
            "poll_timeout {at:?} is not after handle_timeout({now:?})"
        );
    }
}

/// Every transaction [`Client::submit`] returned, and how it ended.
#[derive(Debug, Default)]
pub struct Ledger {
    submitted: BTreeSet<TransactionId>,
    completed: BTreeMap<TransactionId, usize>,
    /// Requests the client sent on its own (keepalives): their outcomes are not reported.
    internal: BTreeSet<String>,
}

impl Ledger {
    /// Records a transaction `submit` returned; it must be new.
    pub fn submitted(&mut self, txn: TransactionId) {
        assert!(self.submitted.insert(txn), "submit returned {txn} twice");
    }

    /// Checks the `Completed` events: each for a submitted transaction, none twice.
    pub fn observe(&mut self, events: &[Event]) {
        for event in events {
            if let Event::Completed { txn, .. } = event {
                assert!(
                    self.submitted.contains(txn),
                    "Completed for {txn}, which submit never returned"
                );
                let count = self.completed.entry(*txn).or_default();
                *count += 1;
                assert_eq!(*count, 1, "{txn} completed twice");
            }
        }
    }

    /// Notes the transmits: a request whose transaction `submit` never returned is one the
    /// client sent on its own (a keepalive). Assumes the default (empty) transaction prefix.
    pub fn note_sent(&mut self, transmits: &[String]) {
        for frame in transmits {
            let Ok(request) = Request::decode(frame) else {
                continue;
            };
            let ours = request
                .transaction
                .parse()
                .is_ok_and(|n| self.submitted.contains(&TransactionId(n)));
            if !ours {
                assert_eq!(
                    request.body.name(),
                    "keepalive",
                    "the client sent a request nobody submitted: {frame}"
                );
                self.internal.insert(request.transaction);
            }
        }
    }

    /// Whether `transaction` names a request the client sent on its own.
    pub fn is_internal(&self, transaction: &str) -> bool {
        self.internal.contains(transaction)
    }

    /// Whether `txn` has ended.
    pub fn is_completed(&self, txn: TransactionId) -> bool {
        self.completed.contains_key(&txn)
    }

    /// Every submitted transaction ended exactly once.
    pub fn assert_all_completed(&self) {
        let open: Vec<_> = self
            .submitted
            .iter()
            .filter(|t| !self.completed.contains_key(t))
            .collect();
        assert!(open.is_empty(), "never completed: {open:?}");
    }
}

/// Submits `command`, answers it with `success` (`data.id = id`) and returns the reply kind.
pub fn establish(
    client: &mut Client,
    now: Instant,
    ledger: &mut Ledger,
    command: Command,
    id: u64,
) -> ReplyKind {
    let txn = client.submit(now, command).expect("setup submit");
    ledger.submitted(txn);
    let sent = drain(client);
    let request = Request::decode(&sent.transmits[0]).expect("setup request");
    let reply = ServerMessage::Success {
        transaction: request.transaction,
        session_id: request.body.session_id(),
        sender: None,
        id: Some(id),
        plugindata: None,
    };
    client
        .handle_input(now, Input::text(reply.encode()))
        .expect("setup reply");
    let got = drain(client);
    ledger.observe(&got.events);
    match &got.events[..] {
        [Event::Completed {
            txn: t,
            outcome: Ok(reply),
        }] if *t == txn => reply.kind.clone(),
        other => panic!("setup: {other:?}"),
    }
}

/// A client holding session [`S`] with handle [`H`] (transactions 1 and 2).
pub fn client_with_handle(config: Config, now: Instant, ledger: &mut Ledger) -> Client {
    let mut client = Client::new(config, now);
    let created = establish(
        &mut client,
        now,
        ledger,
        Command::Create { id: Some(S) },
        S.0,
    );
    assert_eq!(created, ReplyKind::SessionCreated(S));
    let attached = establish(
        &mut client,
        now,
        ledger,
        Command::attach(S, "janus.plugin.videoroom"),
        H.0,
    );
    assert_eq!(attached, ReplyKind::Attached(H));
    client
}

/// `now + ms`, saturating instead of overflowing.
pub fn later(now: Instant, ms: u64) -> Instant {
    now.checked_add(Duration::from_millis(ms)).unwrap_or(now)
}
