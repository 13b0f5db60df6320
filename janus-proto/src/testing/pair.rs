//! [`Pair`]: a [`Client`] wired to a [`FakeJanus`] on simulated time.

use std::time::{Duration, Instant};

use crate::client::Client;
use crate::command::Command;
use crate::config::Config;
use crate::error::{ProtocolError, RequestError, UsageError};
use crate::event::{
    ConnectionEvent, Event, HandleEvent, HandleEventKind, Input, Reply, ReplyKind, SessionEvent,
};
use crate::ids::{HandleId, SessionId, TransactionId};
use crate::link::Action;

use crate::wire::Request;

use super::fake::{FakeConfig, FakeJanus};
use super::ledger::Ledger;
use super::start_instant;

/// Most steps at one instant before [`Pair`] declares a livelock.
const MAX_STEPS: usize = 10_000;
/// Most time jumps in one [`Pair::drive`] or [`Pair::advance`].
const MAX_JUMPS: usize = 1_000_000;

/// A [`Client`] and a [`FakeJanus`] joined by a simulated connection, on simulated time
/// (quinn's test `Pair`).
///
/// Frames from the client reach the server at once; frames from the server take
/// [`FakeConfig::latency`]. Time moves only when asked: [`drive`](Self::drive) runs until no
/// frame is in flight, [`advance`](Self::advance) moves the clock and fires both sides'
/// timers in order. Every event the client emits lands in [`events`](Self::events).
///
/// Every transaction submitted through the pair, every event and every request on the wire
/// goes through its [`Ledger`]: a transaction that ends twice, an ack or a late reply out of
/// place, or a request nobody submitted panics at once.
///
/// ```
/// use janus_proto::testing::{FakeConfig, Pair};
/// use janus_proto::{Command, Config, Event, ReplyKind};
///
/// let mut pair = Pair::new(Config::new(), FakeConfig::new());
/// let session = pair.create_session();
/// let handle = pair.attach(session, "janus.plugin.echotest");
/// let txn = pair.submit(Command::message(handle, serde_json::json!({"audio": true}), None));
/// pair.drive();
/// let reply = pair.outcome(txn).unwrap().as_ref().unwrap();
/// assert!(matches!(&reply.kind, ReplyKind::Plugin { .. }));
/// assert_eq!(pair.completions(txn), 1);
/// assert_eq!(pair.count_kind("Acked"), 1);
/// ```
#[derive(Debug)]
pub struct Pair {
    /// The client under test.
    pub client: Client,
    /// The fake server.
    pub server: FakeJanus,
    /// The simulated time.
    pub now: Instant,
    /// Every event the client emitted, in order.
    pub events: Vec<Event>,
    /// Frames the client refused (`handle_input` returned an error), with the time.
    pub errors: Vec<(Instant, ProtocolError)>,
    /// When set, events stay in the client's queue until [`drain_events`](Self::drain_events)
    /// (to let the queue fill up).
    pub hold_events: bool,
    /// The exactly-once bookkeeping of every transaction submitted through the pair.
    pub ledger: Ledger,
    /// Whether the client's socket is open (it has not been told otherwise).
    pub connected: bool,
    /// Frames and pings in both directions vanish (a half-open connection).
    pub blackhole: bool,
    /// The server refuses new connections: dials fail.
    pub server_down: bool,
    /// Every dial the client asked for, with its time.
    pub dials: Vec<(Instant, Action)>,
    /// Every ping the client sent, with its time.
    pub pings: Vec<Instant>,
}

impl Pair {
    /// A client with `config` connected to a fake with `fake`, starting at
    /// [`start_instant`].
    pub fn new(config: Config, fake: FakeConfig) -> Self {
        Self::with_start(config, fake, start_instant())
    }

    /// The same, starting at `start`.
    ///
    /// ```
    /// use janus_proto::testing::{start_instant, FakeConfig, Pair};
    /// use janus_proto::Config;
    /// let start = start_instant();
    /// let pair = Pair::with_start(Config::new(), FakeConfig::new(), start);
    /// assert_eq!(pair.now, start);
    /// ```
    pub fn with_start(config: Config, fake: FakeConfig, start: Instant) -> Self {
        Self {
            ledger: Ledger::new(config.transaction_prefix.clone()),
            client: Client::new(config, start),
            server: FakeJanus::new(fake),
            now: start,
            events: Vec::new(),
            errors: Vec::new(),
            hold_events: false,
            connected: true,
            blackhole: false,
            server_down: false,
            dials: Vec::new(),
            pings: Vec::new(),
        }
    }

    /// Submits a command now.
    pub fn try_submit(&mut self, command: Command) -> Result<TransactionId, UsageError> {
        let txn = self.client.submit(self.now, command)?;
        self.record(txn);
        Ok(txn)
    }

    /// Submits a command now.
    ///
    /// # Panics
    ///
    /// If the client refuses it; use [`try_submit`](Self::try_submit) to see the error.
    pub fn submit(&mut self, command: Command) -> TransactionId {
        match self.try_submit(command) {
            Ok(txn) => txn,
            Err(e) => panic!("submit refused: {e}"),
        }
    }

    /// Submits a command with its own deadline.
    ///
    /// # Panics
    ///
    /// If the client refuses it.
    pub fn submit_with_timeout(&mut self, command: Command, timeout: Duration) -> TransactionId {
        match self.client.submit_with_timeout(self.now, command, timeout) {
            Ok(txn) => {
                self.record(txn);
                txn
            }
            Err(e) => panic!("submit refused: {e}"),
        }
    }

    fn record(&mut self, txn: TransactionId) {
        if let Err(e) = self.ledger.submitted(txn) {
            panic!("{e}");
        }
    }

    /// Cancels a pending request now.
    pub fn cancel(&mut self, txn: TransactionId) -> Result<(), UsageError> {
        self.client.cancel(self.now, txn)
    }

    /// One round at the current time: the client's frames go to the server, the server's
    /// frames due now go to the client, the client's due timers fire, and its events are
    /// collected. Returns whether anything happened.
    pub fn step(&mut self) -> bool {
        let now = self.now;
        let mut progressed = false;
        if self.connected && !self.server.is_connected() {
            // The server side went away: the client's socket reports it.
            self.connected = false;
            let _ = self.client.handle_input(now, Input::Closed);
            progressed = true;
        }
        while let Some(action) = self.client.poll_action() {
            progressed = true;
            self.act(action);
        }
        while let Some(frame) = self.client.poll_transmit() {
            progressed = true;
            let request = Request::decode(&frame)
                .unwrap_or_else(|e| panic!("the client sent a non-request ({e}): {frame}"));
            if let Err(e) = self.ledger.sent(&request) {
                panic!("{e}");
            }
            if self.connected && !self.blackhole {
                self.server.handle_frame(now, &frame);
            }
        }
        while let Some(frame) = self.server.poll_frame(now) {
            progressed = true;
            if !self.connected || self.blackhole {
                continue;
            }
            if let Err(e) = self.client.handle_input(now, Input::text(frame)) {
                self.errors.push((now, e));
            }
        }
        if self.client.poll_timeout().is_some_and(|t| t <= now) {
            self.client.handle_timeout(now);
            progressed = true;
        }
        if !self.hold_events {
            progressed |= self.drain_events();
        }
        progressed
    }

    /// Steps until nothing happens at the current time.
    ///
    /// # Panics
    ///
    /// After 10 000 steps at one instant (a livelock).
    pub fn settle(&mut self) {
        for _ in 0..MAX_STEPS {
            if !self.step() {
                return;
            }
        }
        panic!(
            "livelock: still busy after {MAX_STEPS} steps at {:?}",
            self.now
        );
    }

    /// Runs until no frame is in flight: steps, and while the server still has something
    /// on its way, moves time to the earliest timer of either side (so a request deadline
    /// that comes first fires first). Never waits for a client timer alone (keepalives run
    /// forever); use [`advance`](Self::advance) for that.
    ///
    /// # Panics
    ///
    /// On a livelock (see [`settle`](Self::settle)) or after a million time jumps.
    pub fn drive(&mut self) {
        for _ in 0..MAX_JUMPS {
            self.settle();
            let Some(delivery) = self.server.next_delivery() else {
                return;
            };
            let next = [self.client.poll_timeout(), self.server.next_timeout()]
                .into_iter()
                .flatten()
                .fold(delivery, Instant::min);
            self.now = self.now.max(next);
        }
        panic!("drive did not finish after {MAX_JUMPS} time jumps");
    }

    /// Moves time forward by `d`, stopping at every timer of either side on the way.
    /// Frames still in flight at the end stay in flight.
    ///
    /// ```
    /// use std::time::Duration;
    /// use janus_proto::testing::{FakeConfig, Pair};
    /// use janus_proto::Config;
    /// let mut pair = Pair::new(Config::new(), FakeConfig::new());
    /// pair.create_session();
    /// let before = pair.server.received().len();
    /// pair.advance(Duration::from_secs(60)); // two keepalives (every 25 s)
    /// let keepalives = pair.server.received()[before..]
    ///     .iter()
    ///     .filter(|(_, r)| r.body.name() == "keepalive")
    ///     .count();
    /// assert_eq!(keepalives, 2);
    /// ```
    pub fn advance(&mut self, d: Duration) {
        let target = self.now.checked_add(d).unwrap_or(self.now);
        self.advance_to(target);
    }

    /// Moves time forward to `target` (see [`advance`](Self::advance)).
    ///
    /// # Panics
    ///
    /// On a livelock or after a million time jumps.
    pub fn advance_to(&mut self, target: Instant) {
        for _ in 0..MAX_JUMPS {
            self.settle();
            let next = [self.client.poll_timeout(), self.server.next_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= target => self.now = self.now.max(t),
                _ => {
                    self.now = self.now.max(target);
                    self.settle();
                    return;
                }
            }
        }
        panic!("advance did not finish after {MAX_JUMPS} time jumps");
    }

    /// The connection is lost, seen from both sides (frames in flight are lost).
    pub fn close(&mut self) {
        self.server.kill();
        self.connected = false;
        // `Closed` cannot fail.
        let _ = self.client.handle_input(self.now, Input::Closed);
        self.settle();
    }

    /// A new connection opened by the caller (no reconnect policy): the server accepts it
    /// and the client is told it is up.
    pub fn reconnect(&mut self) {
        self.server.reconnect();
        self.connected = true;
        self.client.reconnect(self.now);
        self.settle();
    }

    /// Does what the client asked its driver to do: a ping is answered at once (unless the
    /// connection is a black hole), a close drops the connection, a dial connects unless
    /// [`server_down`](Self::server_down).
    fn act(&mut self, action: Action) {
        let now = self.now;
        match action {
            Action::Ping => {
                self.pings.push(now);
                if self.connected && !self.blackhole {
                    let _ = self.client.handle_input(now, Input::Pong);
                }
            }
            Action::Close => {
                self.connected = false;
                self.server.kill();
            }
            dial @ Action::Dial { .. } => {
                self.dials.push((now, dial));
                if self.server_down {
                    let refused = Input::Lost("connection refused".to_owned());
                    let _ = self.client.handle_input(now, refused);
                } else {
                    self.blackhole = false;
                    self.server.reconnect();
                    self.connected = true;
                    let _ = self.client.handle_input(now, Input::Connected);
                }
            }
        }
    }

    /// Moves the client's queued events into [`events`](Self::events); returns whether
    /// there were any.
    pub fn drain_events(&mut self) -> bool {
        let before = self.events.len();
        while let Some(event) = self.client.poll_event() {
            if let Err(e) = self.ledger.observe(&event) {
                panic!("{e}");
            }
            self.events.push(event);
        }
        self.events.len() > before
    }

    /// Takes the events collected so far.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The outcome of a transaction (the first [`Event::Completed`] for it).
    pub fn outcome(&self, txn: TransactionId) -> Option<&Result<Reply, RequestError>> {
        self.events.iter().find_map(|e| match e {
            Event::Completed { txn: t, outcome } if *t == txn => Some(outcome),
            _ => None,
        })
    }

    /// How many [`Event::Completed`] there are for a transaction (it must be exactly one
    /// once it has ended).
    pub fn completions(&self, txn: TransactionId) -> usize {
        self.count(|e| matches!(e, Event::Completed { txn: t, .. } if *t == txn))
    }

    /// How many events match `predicate`.
    pub fn count(&self, predicate: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|e| predicate(e)).count()
    }

    /// How many events are of a kind, as named by [`event_kind`].
    ///
    /// ```
    /// use janus_proto::testing::{FakeConfig, Pair};
    /// use janus_proto::Config;
    /// let mut pair = Pair::new(Config::new(), FakeConfig::new());
    /// pair.create_session();
    /// pair.close();
    /// assert_eq!(pair.count_kind("Connection.Closed"), 1);
    /// assert_eq!(pair.count_kind("Session.Disconnected"), 1);
    /// ```
    pub fn count_kind(&self, kind: &str) -> usize {
        self.count(|e| event_kind(e) == kind)
    }

    /// The events of one handle, in order.
    pub fn handle_events(&self, handle: HandleId) -> Vec<&HandleEvent> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Handle {
                    handle: h, event, ..
                } if *h == handle => Some(event),
                _ => None,
            })
            .collect()
    }

    /// Submits, drives, and returns the outcome.
    ///
    /// # Panics
    ///
    /// If the client refuses the command, or it has no outcome once nothing is in flight
    /// (use [`submit`](Self::submit) and [`advance`](Self::advance) for requests that end
    /// at their deadline).
    pub fn request(&mut self, command: Command) -> Result<Reply, RequestError> {
        let txn = self.submit(command);
        self.drive();
        match self.outcome(txn) {
            Some(outcome) => outcome.clone(),
            None => panic!("{txn} has no outcome after drive()"),
        }
    }

    /// Creates a session and returns its id.
    ///
    /// # Panics
    ///
    /// If `create` does not succeed.
    pub fn create_session(&mut self) -> SessionId {
        match self.request(Command::create()) {
            Ok(Reply {
                kind: ReplyKind::SessionCreated(session),
                ..
            }) => session,
            other => panic!("create failed: {other:?}"),
        }
    }

    /// Attaches a handle to `plugin` and returns its id.
    ///
    /// # Panics
    ///
    /// If `attach` does not succeed.
    pub fn attach(&mut self, session: SessionId, plugin: &str) -> HandleId {
        match self.request(Command::attach(session, plugin)) {
            Ok(Reply {
                kind: ReplyKind::Attached(handle),
                ..
            }) => handle,
            other => panic!("attach failed: {other:?}"),
        }
    }
}

/// A short name for an event's kind, e.g. `"Completed"`, `"Handle.Detached"`,
/// `"Connection.Unroutable"`.
///
/// ```
/// use janus_proto::testing::event_kind;
/// use janus_proto::Event;
/// assert_eq!(event_kind(&Event::Lagged { dropped: 3 }), "Lagged");
/// ```
pub fn event_kind(event: &Event) -> &'static str {
    match event {
        Event::Completed { .. } => "Completed",
        Event::Acked { .. } => "Acked",
        Event::Lagged { .. } => "Lagged",
        Event::Handle { event, .. } => match event.kind {
            HandleEventKind::Plugin { .. } => "Handle.Plugin",
            HandleEventKind::WebrtcUp => "Handle.WebrtcUp",
            HandleEventKind::Media(_) => "Handle.Media",
            HandleEventKind::SlowLink(_) => "Handle.SlowLink",
            HandleEventKind::Hangup { .. } => "Handle.Hangup",
            HandleEventKind::Detached => "Handle.Detached",
            HandleEventKind::Gone(_) => "Handle.Gone",
            HandleEventKind::Trickle(_) => "Handle.Trickle",
            HandleEventKind::Other { .. } => "Handle.Other",
        },
        Event::Session { event, .. } => match event {
            SessionEvent::Ended(_) => "Session.Ended",
            SessionEvent::Disconnected => "Session.Disconnected",
            SessionEvent::KeepaliveFailed(_) => "Session.KeepaliveFailed",
            SessionEvent::Other { .. } => "Session.Other",
        },
        Event::Connection(c) => match c {
            ConnectionEvent::Error { .. } => "Connection.Error",
            ConnectionEvent::LateReply { .. } => "Connection.LateReply",
            ConnectionEvent::Unroutable { .. } => "Connection.Unroutable",
            ConnectionEvent::Closed => "Connection.Closed",
            ConnectionEvent::Disconnected { .. } => "Connection.Disconnected",
            ConnectionEvent::Reconnecting { .. } => "Connection.Reconnecting",
            ConnectionEvent::Reconnected { .. } => "Connection.Reconnected",
            ConnectionEvent::GaveUp { .. } => "Connection.GaveUp",
        },
    }
}
