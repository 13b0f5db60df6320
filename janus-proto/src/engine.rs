//! The transaction engine under both APIs: transaction ids, pending requests and their
//! deadlines, the transmit queue, the memory of finished transactions, the limits, the event
//! queue, and the one place where a transaction ends ([`Engine::finish`]).
//!
//! The Janus API layer ([`JanusApi`](crate::client::JanusApi)) and the Admin API layer
//! ([`AdminApi`](crate::admin::AdminApi)) keep only what is theirs (sessions, handles,
//! keepalives, ordering; the kind of each admin request) and call in here for the rest.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::config::Config;
use crate::error::{ProtocolError, RequestError, UsageError};
use crate::event::{ConnectionEvent, Event, SessionEvent};
use crate::ids::{HandleId, SessionId, TransactionId, TransactionIds};
use crate::observe::{Observation, Observations, Outcome};
use crate::recent::Recent;
use crate::router::{EventTarget, Router};
use crate::secret::OutFrame;
use crate::transmit_queue::TransmitQueue;
use crate::wire::RawFrame;

/// What an API layer tells the engine about a pending request, for its observations.
pub trait Described {
    /// Its kind (see [`Observation::RequestStarted`]).
    fn kind(&self) -> &'static str;
    /// The session it names.
    fn session(&self) -> Option<SessionId>;
    /// The handle it names.
    fn handle(&self) -> Option<HandleId>;
    /// The plugin an `attach` attaches to.
    fn plugin(&self) -> Option<&str> {
        None
    }
}

/// Where a pending request stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Stage {
    /// Waiting behind earlier requests on its handle; the encoded frame.
    Held(OutFrame),
    /// Given to the transmit queue (and maybe to the socket).
    Sent,
    /// An asynchronous plugin request Janus acknowledged.
    Acked,
    /// Waiting for the connection to come back (and its sessions to be claimed); the
    /// encoded frame. Never reached the wire.
    Parked(OutFrame),
}

/// A request that has no outcome yet; `W` is what the API layer keeps about it.
#[derive(Debug)]
pub struct Pending<W> {
    /// What the request is, for the layer.
    pub what: W,
    /// When it times out.
    pub deadline: Instant,
    /// Where it stands.
    pub stage: Stage,
    /// A request the client made on its own (a keepalive): its outcome goes back to the
    /// layer instead of the caller.
    pub internal: bool,
    /// When it was accepted.
    pub opened: Instant,
}

/// What is remembered of a transaction after it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Completed by its event before the ack came: the ack is expected and ignored.
    AwaitingAck,
    /// Timed out, cancelled or lost with the connection after it was sent: a reply that
    /// still comes is reported as late.
    Abandoned,
}

/// A transaction that just ended, handed back to the layer for its own bookkeeping.
#[derive(Debug)]
pub struct Ended<W, R> {
    /// What the request was.
    pub what: W,
    /// Where it stood when it ended.
    pub stage: Stage,
    /// For an internal request, its outcome (nobody else gets it); `None` for the caller's
    /// requests, whose outcome went to the event queue.
    pub internal_outcome: Option<Result<R, RequestError>>,
}

/// The transaction engine. `W`: what the layer keeps about each request; `R`: a successful
/// outcome.
#[derive(Debug)]
pub struct Engine<W, R> {
    ids: TransactionIds,
    now: Instant,
    closed: bool,
    /// The connection is down, or back but not resumed: the caller's frames park.
    suspended: bool,
    /// Parked transactions, in the order their frames go out on resumption.
    parked: VecDeque<TransactionId>,
    /// Keepalives of the client's own that got no answer, in a row.
    keepalive_streak: u32,
    request_timeout: Duration,
    max_pending: usize,
    max_incoming_frame: usize,
    max_outgoing_frame: usize,
    pending: BTreeMap<TransactionId, Pending<W>>,
    /// Pending requests of the caller (internal ones do not count against the limit).
    user_pending: usize,
    deadlines: BTreeSet<(Instant, TransactionId)>,
    finished: Recent<TransactionId, Finished>,
    transmits: TransmitQueue,
    events: Router<R>,
    observations: Observations,
}

impl<W: Described, R> Engine<W, R> {
    /// An engine for a connection open at `now`.
    pub fn new(config: &Config, now: Instant) -> Self {
        Self {
            ids: TransactionIds::new(config.transaction_prefix.clone()),
            now,
            closed: false,
            suspended: false,
            parked: VecDeque::new(),
            keepalive_streak: 0,
            request_timeout: config.request_timeout,
            max_pending: config.max_pending,
            max_incoming_frame: config.max_incoming_frame,
            max_outgoing_frame: config.max_outgoing_frame,
            pending: BTreeMap::new(),
            user_pending: 0,
            deadlines: BTreeSet::new(),
            finished: Recent::new(config.memory),
            transmits: TransmitQueue::default(),
            events: Router::new(config.event_queue_capacity),
            observations: Observations::new(config.observe),
        }
    }

    /// Moves time forward; an older `now` is taken as the latest one seen.
    pub fn advance(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    /// The latest time seen.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// `now + d`, saturating far in the future instead of overflowing.
    pub fn later(&self, d: Duration) -> Instant {
        self.now
            .checked_add(d)
            .or_else(|| self.now.checked_add(Duration::from_secs(1 << 32)))
            .unwrap_or(self.now)
    }

    /// The default deadline of a request.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Whether a request of the caller may be submitted now.
    pub fn admit(&self) -> Result<(), UsageError> {
        if self.closed {
            return Err(UsageError::Closed);
        }
        if self.user_pending >= self.max_pending {
            return Err(UsageError::TooManyPending {
                max: self.max_pending,
            });
        }
        Ok(())
    }

    /// The id the next transaction will get, and its wire string. Nothing is spent until
    /// [`open`](Self::open): a refused submit changes nothing.
    pub fn next_id(&self) -> (TransactionId, String) {
        let txn = self.ids.peek();
        (txn, self.ids.to_wire(txn))
    }

    /// Checks an encoded request against the outgoing frame limit.
    pub fn check_frame(&self, frame: String) -> Result<OutFrame, UsageError> {
        if frame.len() > self.max_outgoing_frame {
            return Err(UsageError::FrameTooLarge {
                len: frame.len(),
                max: self.max_outgoing_frame,
            });
        }
        Ok(OutFrame(frame))
    }

    /// Registers the transaction [`next_id`](Self::next_id) gave, due `timeout` from now.
    /// With `hold`, its frame waits in the pending table until [`release`](Self::release);
    /// otherwise it is queued for transmission at once.
    pub fn open(
        &mut self,
        what: W,
        frame: OutFrame,
        timeout: Duration,
        hold: bool,
        internal: bool,
    ) -> TransactionId {
        let txn = self.ids.next();
        self.observations.push(|| Observation::RequestStarted {
            txn,
            kind: what.kind(),
            session: what.session(),
            handle: what.handle(),
            plugin: what.plugin().map(str::to_owned),
            internal,
        });
        let deadline = self.later(timeout);
        self.deadlines.insert((deadline, txn));
        if !internal {
            self.user_pending += 1;
        }
        let stage = if hold {
            Stage::Held(frame)
        } else if self.suspended && !internal {
            self.parked.push_back(txn);
            Stage::Parked(frame)
        } else {
            self.transmits.push(txn, frame);
            Stage::Sent
        };
        self.pending.insert(
            txn,
            Pending {
                what,
                deadline,
                stage,
                internal,
                opened: self.now,
            },
        );
        txn
    }

    /// Queues a held request's frame for transmission; `false` if it was not held.
    pub fn release(&mut self, txn: TransactionId) -> bool {
        let Some(p) = self.pending.get_mut(&txn) else {
            return false;
        };
        match std::mem::replace(&mut p.stage, Stage::Sent) {
            Stage::Held(frame) if self.suspended && !p.internal => {
                p.stage = Stage::Parked(frame);
                self.parked.push_back(txn);
                true
            }
            Stage::Held(frame) => {
                self.transmits.push(txn, frame);
                true
            }
            other => {
                p.stage = other;
                false
            }
        }
    }

    /// A pending request.
    pub fn pending(&self, txn: TransactionId) -> Option<&Pending<W>> {
        self.pending.get(&txn)
    }

    /// A pending request, to change its stage.
    pub fn pending_mut(&mut self, txn: TransactionId) -> Option<&mut Pending<W>> {
        self.pending.get_mut(&txn)
    }

    /// Every pending request.
    pub fn pending_iter(&self) -> impl Iterator<Item = (TransactionId, &Pending<W>)> {
        self.pending.iter().map(|(t, p)| (*t, p))
    }

    /// How many requests of the caller have no outcome yet.
    pub fn user_pending(&self) -> usize {
        self.user_pending
    }

    /// Whether `txn` is abandoned if it ends now without a reply: it went to the transmit
    /// queue, so a reply may still come.
    pub fn was_sent(&self, txn: TransactionId) -> bool {
        self.pending
            .get(&txn)
            .is_some_and(|p| !matches!(p.stage, Stage::Held(_) | Stage::Parked(_)))
    }

    /// Takes a cancelled request out of the transmit queue if the transport has not taken it
    /// yet. `true`: it never reaches the wire.
    pub fn withdraw(&mut self, txn: TransactionId) -> bool {
        match self.pending.get(&txn).map(|p| &p.stage) {
            Some(Stage::Held(_)) => true,
            Some(Stage::Parked(_)) => {
                self.parked.retain(|t| *t != txn);
                true
            }
            Some(Stage::Sent) => self.transmits.withdraw(txn),
            _ => false,
        }
    }

    /// Ends a transaction with its outcome: the single place where transactions end. Its
    /// deadline is disarmed, `mark` (if any) is remembered for replies still to come, and
    /// the caller's [`Event::Completed`] is queued. `None` if `txn` was not pending.
    pub fn finish(
        &mut self,
        txn: TransactionId,
        outcome: Result<R, RequestError>,
        mark: Option<Finished>,
    ) -> Option<Ended<W, R>> {
        let p = self.pending.remove(&txn)?;
        self.deadlines.remove(&(p.deadline, txn));
        if let Some(mark) = mark {
            self.finished.insert(txn, mark);
        }
        let now = self.now;
        self.observations.push(|| Observation::RequestEnded {
            txn,
            kind: p.what.kind(),
            session: p.what.session(),
            handle: p.what.handle(),
            outcome: Outcome::of(&outcome),
            latency: now.saturating_duration_since(p.opened),
            internal: p.internal,
        });
        let internal_outcome = if p.internal {
            Some(outcome)
        } else {
            self.user_pending -= 1;
            self.queue(Event::Completed { txn, outcome });
            None
        };
        Some(Ended {
            what: p.what,
            stage: p.stage,
            internal_outcome,
        })
    }

    /// The pending transaction a reply names. A reply to a transaction that was given up
    /// is reported as [`ConnectionEvent::LateReply`], one to no transaction of ours (or to
    /// one never sent) as [`ConnectionEvent::Unroutable`].
    pub fn answered(&mut self, transaction: &str, raw: &RawFrame) -> Option<TransactionId> {
        let Some(txn) = self.ids.parse(transaction) else {
            self.unroutable(raw.clone());
            return None;
        };
        match self.pending.get(&txn) {
            Some(p) if !matches!(p.stage, Stage::Held(_) | Stage::Parked(_)) => Some(txn),
            Some(_) => {
                // A reply to something never sent: not ours after all.
                self.unroutable(raw.clone());
                None
            }
            None => {
                if self.finished.remove(&txn).is_some() {
                    self.queue(Event::Connection(ConnectionEvent::LateReply {
                        txn,
                        raw: raw.clone(),
                    }));
                } else {
                    self.unroutable(raw.clone());
                }
                None
            }
        }
    }

    /// Whether `transaction` names a request its event already completed, whose ack is
    /// therefore expected; the ack is then forgotten.
    pub fn expected_ack(&mut self, transaction: &str) -> bool {
        match self.ids.parse(transaction) {
            Some(txn) if self.finished.get(&txn) == Some(&Finished::AwaitingAck) => {
                self.finished.remove(&txn);
                true
            }
            _ => false,
        }
    }

    /// The transaction a wire string names, if it is one of ours.
    pub fn parse_id(&self, transaction: &str) -> Option<TransactionId> {
        self.ids.parse(transaction)
    }

    /// Checks a received frame against the size limit and for UTF-8 (the only validation
    /// before it is decoded).
    pub fn check_input<'a>(&self, bytes: &'a Bytes) -> Result<&'a str, ProtocolError> {
        if bytes.len() > self.max_incoming_frame {
            return Err(ProtocolError::FrameTooLarge {
                len: bytes.len(),
                max: self.max_incoming_frame,
            });
        }
        std::str::from_utf8(bytes).map_err(|_| ProtocolError::NotUtf8)
    }

    /// Marks the connection closed and forgets unsent frames; `false` if it already was.
    pub fn close(&mut self) -> bool {
        if self.closed {
            return false;
        }
        self.closed = true;
        self.suspended = false;
        self.parked.clear();
        self.transmits.clear();
        true
    }

    /// The connection is up again (after [`close`](Self::close) or
    /// [`suspend`](Self::suspend)); with a suspension, the caller's frames stay parked until
    /// [`resume`](Self::resume).
    pub fn reopen(&mut self) {
        self.closed = false;
    }

    /// The connection is lost and will be dialled again: the caller's frames not yet taken
    /// by the transport are parked (they never reached the wire) and new ones park too;
    /// the internal ones are dropped. Returns the transactions that are in flight (taken by
    /// the transport, acknowledged, or internal): they cannot be answered any more.
    pub fn suspend(&mut self) -> Vec<TransactionId> {
        self.suspended = true;
        self.keepalive_streak = 0;
        for (txn, frame) in self.transmits.take_all() {
            match self.pending.get_mut(&txn) {
                Some(p) if !p.internal => {
                    p.stage = Stage::Parked(frame);
                    self.parked.push_back(txn);
                }
                _ => {}
            }
        }
        self.pending
            .iter()
            .filter(|(_, p)| p.internal || matches!(p.stage, Stage::Sent | Stage::Acked))
            .map(|(t, _)| *t)
            .collect()
    }

    /// Parks an in-flight request again with a new frame, to repeat it on resumption (for
    /// requests that are safe to repeat).
    pub fn repark(&mut self, txn: TransactionId, frame: OutFrame) {
        if let Some(p) = self.pending.get_mut(&txn) {
            p.stage = Stage::Parked(frame);
            self.parked.push_back(txn);
        }
    }

    /// The connection is back and its sessions are claimed: parked frames go out, in order.
    pub fn resume(&mut self) {
        self.suspended = false;
        while let Some(txn) = self.parked.pop_front() {
            let Some(p) = self.pending.get_mut(&txn) else {
                continue;
            };
            if let Stage::Parked(frame) = std::mem::replace(&mut p.stage, Stage::Sent) {
                self.transmits.push(txn, frame);
            }
        }
    }

    /// Whether the caller's frames park (see [`suspend`](Self::suspend)).
    pub fn is_suspended(&self) -> bool {
        self.suspended
    }

    /// Counts a keepalive of the client's own: answered (`true`) or not.
    pub fn keepalive_answered(&mut self, answered: bool) {
        if answered {
            self.keepalive_streak = 0;
        } else {
            self.keepalive_streak += 1;
        }
    }

    /// How many keepalives in a row got no answer.
    pub fn keepalive_streak(&self) -> u32 {
        self.keepalive_streak
    }

    /// The wire string of a transaction.
    pub fn wire_id(&self, txn: TransactionId) -> String {
        self.ids.to_wire(txn)
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The earliest request deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|&(at, _)| at)
    }

    /// Disarms and returns the earliest deadline if it is due.
    pub fn pop_due(&mut self) -> Option<TransactionId> {
        match self.deadlines.first() {
            Some(&(at, _)) if at <= self.now => self.deadlines.pop_first().map(|(_, t)| t),
            _ => None,
        }
    }

    /// Queues an event for the caller.
    pub fn push(&mut self, event: Event<R>) {
        self.queue(event);
    }

    /// Reports a frame nothing can be routed to.
    pub fn unroutable(&mut self, raw: RawFrame) {
        self.queue(Event::Connection(ConnectionEvent::Unroutable { raw }));
    }

    /// Queues an event for its subscriber, observing what needs it: every event about the
    /// connection, a failed keepalive, an event a full queue dropped.
    fn queue(&mut self, event: Event<R>) {
        if self.observations.on() {
            match &event {
                Event::Connection(c) => {
                    let c = c.clone();
                    self.observations.push(|| Observation::Connection(c));
                }
                Event::Session {
                    session,
                    event: SessionEvent::KeepaliveFailed(error),
                } => {
                    let (session, error) = (*session, error.clone());
                    self.observations
                        .push(|| Observation::KeepaliveFailed { session, error });
                }
                _ => {}
            }
            if !self.events.push(event) {
                self.observations.dropped();
            }
            return;
        }
        self.events.push(event);
    }

    /// Records an observation (if observing; `make` is not called otherwise).
    pub fn observe(&mut self, make: impl FnOnce() -> Observation) {
        self.observations.push(make);
    }

    /// Records a frame the core refused (if observing).
    pub fn refused(&mut self, error: &ProtocolError) {
        self.observations.refused(error);
    }

    /// The oldest observation.
    pub fn poll_observation(&mut self) -> Option<Observation> {
        self.observations.pop()
    }

    /// The next frame to send.
    pub fn poll_transmit(&mut self) -> Option<String> {
        self.transmits.pop()
    }

    /// The next frame to send, with its transaction (to route it).
    pub fn poll_transmit_with_txn(&mut self) -> Option<(TransactionId, String)> {
        self.transmits.pop_with_txn()
    }

    /// The oldest event of all subscribers.
    pub fn poll_event(&mut self) -> Option<Event<R>> {
        self.events.pop_any()
    }

    /// The oldest event of one subscriber.
    pub fn poll_event_for(&mut self, target: EventTarget) -> Option<Event<R>> {
        self.events.pop(target)
    }

    /// Someone waits on `target` (`None`: on every target).
    pub fn subscribe(&mut self, target: Option<EventTarget>) {
        self.events.subscribe(target);
    }

    /// Nobody waits on `target` any more.
    pub fn unsubscribe(&mut self, target: Option<EventTarget>) {
        self.events.unsubscribe(target);
    }

    /// A subscriber that received an event, or whose queue went away, since the last call.
    pub fn poll_ready(&mut self) -> Option<EventTarget> {
        self.events.take_ready()
    }

    /// How many events wait for a subscriber (`None`: for anyone but the outcomes).
    pub fn queued(&self, target: Option<EventTarget>) -> usize {
        self.events.len(target)
    }

    /// Whether a subscriber's queue exists.
    pub fn is_open(&self, target: EventTarget) -> bool {
        self.events.is_open(target)
    }

    /// A session or handle became live: it gets its own queue.
    pub fn open_target(&mut self, target: EventTarget) {
        self.events.open(target);
    }

    /// A session or handle ended: its queue goes once read empty.
    pub fn end_target(&mut self, target: EventTarget) {
        self.events.end(target);
    }
}
