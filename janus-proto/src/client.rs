//! The Janus API state machine: one [`Client`] per WebSocket connection.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::command::Command;
use crate::config::{Config, Ordering};
use crate::error::{PluginError, ProtocolError, RequestError, UsageError};
use crate::event::{
    ConnectionEvent, Event, HandleEvent, HandleEventKind, Input, Reply, ReplyKind, SessionEnd,
    SessionEvent,
};
use crate::event_queue::EventQueue;
use crate::ids::{HandleId, SessionId, TransactionId, TransactionIds};
use crate::recent::Recent;
use crate::secret::OutFrame;
use crate::transmit_queue::TransmitQueue;
use crate::wire::{
    JanusError, Jsep, PluginData, RawFrame, Request, RequestBody, ServerInfo, ServerMessage,
};

/// The state of a session this client knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Created or claimed on the current connection: keepalives go out, events come here.
    Active,
    /// The connection it lived on closed; [`Command::Claim`] revives it if the server kept it.
    Orphaned,
}

/// The sans-IO state machine of one Janus API connection.
///
/// It owns every session and handle of the connection, correlates replies with requests,
/// routes events, sends keepalives and enforces deadlines. It does no IO and never reads a
/// clock: time comes in as `now` on every call.
///
/// # The loop
///
/// * (A) Mutations: [`submit`](Self::submit) (and [`cancel`](Self::cancel)),
///   [`handle_input`](Self::handle_input) for every frame received and once for a closed
///   connection, [`handle_timeout`](Self::handle_timeout) when the deadline from
///   [`poll_timeout`](Self::poll_timeout) has passed (an early or extra call does nothing).
/// * (B) After any mutation: send every frame from [`poll_transmit`](Self::poll_transmit)
///   (one WebSocket text message each), then take every event from
///   [`poll_event`](Self::poll_event), then wait until the next frame, command, or
///   [`poll_timeout`](Self::poll_timeout).
///
/// Outputs simply queue up until polled; nothing is lost by polling late (up to
/// [`Config::event_queue_capacity`] unsolicited events, beyond which [`Event::Lagged`] says
/// how many were dropped). `now` must not go backwards; an older `now` is taken as the latest
/// one seen.
///
/// ```
/// use std::time::Instant;
/// use janus_proto::{Client, Command, Config, Event, Input, ReplyKind};
///
/// # #[allow(clippy::disallowed_methods)]
/// let now = Instant::now();
/// let mut client = Client::new(Config::new(), now);
/// let txn = client.submit(now, Command::create()).unwrap();
/// let frame = client.poll_transmit().unwrap();
/// assert!(frame.contains(r#""janus":"create""#));
///
/// // The server answers:
/// let reply = r#"{"janus":"success","transaction":"1","data":{"id":42}}"#;
/// client.handle_input(now, Input::text(reply)).unwrap();
/// match client.poll_event() {
///     Some(Event::Completed { txn: t, outcome: Ok(reply) }) => {
///         assert_eq!(t, txn);
///         assert!(matches!(reply.kind, ReplyKind::SessionCreated(id) if id.0 == 42));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// // A keepalive is now scheduled for the session.
/// assert!(client.poll_timeout().is_some());
/// ```
#[derive(Debug)]
pub struct Client {
    config: Config,
    ids: TransactionIds,
    now: Instant,
    closed: bool,
    keepalive_interval: Duration,
    pending: BTreeMap<TransactionId, Pending>,
    /// The pending transactions of each session (by `What::session`), so that ending a
    /// session or handle costs its own transactions, not all of them.
    by_session: BTreeMap<SessionId, BTreeSet<TransactionId>>,
    user_pending: usize,
    timers: BTreeSet<(Instant, Timer)>,
    sessions: BTreeMap<SessionId, Session>,
    handles: BTreeMap<HandleId, Handle>,
    ended_sessions: Recent<SessionId, ()>,
    ended_handles: Recent<HandleId, SessionId>,
    finished: Recent<TransactionId, Finished>,
    transmits: TransmitQueue,
    events: EventQueue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Transaction(TransactionId),
    Keepalive(SessionId),
}

#[derive(Debug)]
struct Pending {
    what: What,
    deadline: Instant,
    stage: Stage,
    /// A keepalive the client sent on its own: its outcome is not reported as `Completed`.
    internal: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Stage {
    /// Waiting behind earlier requests on its handle; the encoded frame.
    Held(OutFrame),
    Sent,
    /// An async plugin request Janus acknowledged.
    Acked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    Info,
    Ping,
    Create(Option<SessionId>),
    Attach(SessionId, Ordering),
    Message(SessionId, HandleId),
    Trickle(SessionId, HandleId),
    Hangup(SessionId, HandleId),
    Detach(SessionId, HandleId),
    Destroy(SessionId),
    Keepalive(SessionId),
    Claim(SessionId, Vec<HandleId>),
}

impl What {
    fn session(&self) -> Option<SessionId> {
        match self {
            What::Info | What::Ping | What::Create(_) => None,
            What::Attach(s, _)
            | What::Message(s, _)
            | What::Trickle(s, _)
            | What::Hangup(s, _)
            | What::Detach(s, _)
            | What::Destroy(s)
            | What::Keepalive(s)
            | What::Claim(s, _) => Some(*s),
        }
    }

    fn handle(&self) -> Option<HandleId> {
        match self {
            What::Message(_, h) | What::Trickle(_, h) | What::Hangup(_, h) | What::Detach(_, h) => {
                Some(*h)
            }
            _ => None,
        }
    }
}

/// What is remembered of a transaction after it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    /// Completed by its event before the ack came: the ack is expected and ignored.
    AwaitingAck,
    /// Timed out or cancelled: a reply is reported as late.
    Abandoned,
}

#[derive(Debug)]
struct Session {
    state: SessionState,
    keepalive_at: Option<Instant>,
    keepalive_txn: Option<TransactionId>,
    handles: BTreeSet<HandleId>,
}

#[derive(Debug)]
struct Handle {
    session: SessionId,
    ordering: Ordering,
    /// Requests waiting for earlier messages, in submission order.
    held: VecDeque<TransactionId>,
    /// Messages sent and not yet accepted (no ack, reply or error yet).
    unaccepted: BTreeSet<TransactionId>,
    /// Messages sent and not yet finished.
    open: BTreeSet<TransactionId>,
}

/// A reply-type message, before it is matched with its request.
enum Answer {
    ServerInfo(Box<ServerInfo>),
    Pong,
    Success {
        id: Option<u64>,
        plugindata: Option<PluginData>,
    },
    Error(JanusError),
}

impl Client {
    /// A client for a connection that is open at `now`.
    pub fn new(config: Config, now: Instant) -> Self {
        let memory = config.memory;
        Self {
            ids: TransactionIds::new(config.transaction_prefix.clone()),
            now,
            closed: false,
            keepalive_interval: config.keepalive_interval.max(Duration::from_millis(1)),
            pending: BTreeMap::new(),
            by_session: BTreeMap::new(),
            user_pending: 0,
            timers: BTreeSet::new(),
            sessions: BTreeMap::new(),
            handles: BTreeMap::new(),
            ended_sessions: Recent::new(memory),
            ended_handles: Recent::new(memory),
            finished: Recent::new(memory),
            transmits: TransmitQueue::default(),
            events: EventQueue::new(config.event_queue_capacity),
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Submits a request with the default deadline ([`Config::request_timeout`]).
    ///
    /// Returns its transaction; its outcome comes as exactly one [`Event::Completed`].
    pub fn submit(&mut self, now: Instant, command: Command) -> Result<TransactionId, UsageError> {
        let timeout = self.config.request_timeout;
        self.submit_with_timeout(now, command, timeout)
    }

    /// Submits a request that fails with [`RequestError::TimedOut`] if it has no outcome
    /// `timeout` after `now`.
    pub fn submit_with_timeout(
        &mut self,
        now: Instant,
        command: Command,
        timeout: Duration,
    ) -> Result<TransactionId, UsageError> {
        self.advance(now);
        if self.closed {
            return Err(UsageError::Closed);
        }
        if self.user_pending >= self.config.max_pending {
            return Err(UsageError::TooManyPending {
                max: self.config.max_pending,
            });
        }
        let (body, what) = self.prepare(command)?;
        // Take the id only once the frame is accepted: a refused submit changes nothing.
        let mut ids = self.ids.clone();
        let txn = ids.next();
        let frame = self.encode(txn, body)?;
        self.ids = ids;
        let deadline = self.later(timeout);
        self.start(txn, what, frame, deadline, false);
        Ok(txn)
    }

    /// Cancels a pending request: it ends with [`RequestError::Cancelled`]. A request still
    /// held behind earlier ones on its handle, or whose frame [`poll_transmit`](Self::poll_transmit)
    /// has not given out yet, is never sent; a reply to one already sent is reported as
    /// [`ConnectionEvent::LateReply`].
    pub fn cancel(&mut self, now: Instant, txn: TransactionId) -> Result<(), UsageError> {
        self.advance(now);
        let unsent = match self.pending.get(&txn) {
            None => return Err(UsageError::NotPending(txn)),
            Some(p) => match p.stage {
                Stage::Held(_) => true,
                Stage::Sent => self.transmits.withdraw(txn),
                Stage::Acked => false,
            },
        };
        let mark = (!unsent).then_some(Finished::Abandoned);
        self.finish(txn, Err(RequestError::Cancelled), mark);
        Ok(())
    }

    /// Feeds one input: a frame received, or the end of the connection.
    ///
    /// A frame that cannot be used returns an error and changes nothing.
    pub fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), ProtocolError> {
        self.advance(now);
        match input {
            Input::Closed => {
                self.on_closed();
                Ok(())
            }
            Input::Frame(bytes) => self.on_frame(bytes),
        }
    }

    /// Fires every timer due at `now`: request deadlines and keepalives.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        while let Some(&(at, timer)) = self.timers.first() {
            if at > self.now {
                break;
            }
            self.timers.pop_first();
            match timer {
                Timer::Transaction(txn) => {
                    let acked = match self.pending.get(&txn) {
                        Some(p) => p.stage == Stage::Acked,
                        None => continue,
                    };
                    self.finish(
                        txn,
                        Err(RequestError::TimedOut { acked }),
                        Some(Finished::Abandoned),
                    );
                }
                Timer::Keepalive(session) => self.fire_keepalive(session),
            }
        }
    }

    /// The connection is up again after [`Input::Closed`]: requests can be submitted.
    /// Orphaned sessions stay orphaned until claimed.
    pub fn reconnect(&mut self, now: Instant) {
        self.advance(now);
        self.closed = false;
    }

    /// The next frame to send, one JSON object with nothing after it.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<String> {
        self.transmits.pop()
    }

    /// The next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called; `None` when no
    /// timer is armed.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.first().map(|&(at, _)| at)
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The sessions this client holds, with their state.
    pub fn sessions(&self) -> impl Iterator<Item = (SessionId, SessionState)> + '_ {
        self.sessions.iter().map(|(id, s)| (*id, s.state))
    }

    /// The state of one session, `None` if it is unknown or has ended.
    pub fn session_state(&self, session: SessionId) -> Option<SessionState> {
        self.sessions.get(&session).map(|s| s.state)
    }

    /// The live handles of a session.
    pub fn handles(&self, session: SessionId) -> impl Iterator<Item = HandleId> + '_ {
        self.sessions
            .get(&session)
            .into_iter()
            .flat_map(|s| s.handles.iter().copied())
    }

    /// The session a live handle belongs to.
    pub fn session_of(&self, handle: HandleId) -> Option<SessionId> {
        self.handles.get(&handle).map(|h| h.session)
    }

    /// How many submitted requests have no outcome yet.
    pub fn pending(&self) -> usize {
        self.user_pending
    }

    /// The keepalive interval in force (possibly shortened by a `server_info`).
    pub fn keepalive_interval(&self) -> Duration {
        self.keepalive_interval
    }

    /// `now + d`, saturating far in the future instead of overflowing.
    fn later(&self, d: Duration) -> Instant {
        self.now
            .checked_add(d)
            .or_else(|| self.now.checked_add(Duration::from_secs(1 << 32)))
            .unwrap_or(self.now)
    }

    fn advance(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    fn live_session(&self, session: SessionId) -> Result<(), UsageError> {
        if self.sessions.contains_key(&session) {
            Ok(())
        } else if self.ended_sessions.contains(&session) {
            Err(UsageError::SessionEnded(session))
        } else {
            Err(UsageError::UnknownSession(session))
        }
    }

    fn live_handle(&self, handle: HandleId) -> Result<SessionId, UsageError> {
        match self.handles.get(&handle) {
            Some(h) => Ok(h.session),
            None if self.ended_handles.contains(&handle) => Err(UsageError::HandleEnded(handle)),
            None => Err(UsageError::UnknownHandle(handle)),
        }
    }

    fn prepare(&self, command: Command) -> Result<(RequestBody, What), UsageError> {
        Ok(match command {
            Command::Info => (RequestBody::Info, What::Info),
            Command::Ping => (RequestBody::Ping, What::Ping),
            Command::Create { id } => (RequestBody::Create { id }, What::Create(id)),
            Command::Attach {
                session,
                plugin,
                opaque_id,
                ordering,
            } => {
                self.live_session(session)?;
                let ordering = ordering.unwrap_or(self.config.ordering);
                let body = RequestBody::Attach {
                    session_id: session,
                    plugin,
                    opaque_id,
                    loop_index: None,
                };
                (body, What::Attach(session, ordering))
            }
            Command::Message { handle, body, jsep } => {
                if !body.is_object() {
                    return Err(UsageError::BodyNotObject);
                }
                let session = self.live_handle(handle)?;
                let body = RequestBody::Message {
                    session_id: session,
                    handle_id: handle,
                    body,
                    jsep,
                };
                (body, What::Message(session, handle))
            }
            Command::Trickle { handle, trickle } => {
                let session = self.live_handle(handle)?;
                let body = RequestBody::Trickle {
                    session_id: session,
                    handle_id: handle,
                    trickle,
                };
                (body, What::Trickle(session, handle))
            }
            Command::Hangup { handle } => {
                let session = self.live_handle(handle)?;
                let body = RequestBody::Hangup {
                    session_id: session,
                    handle_id: handle,
                };
                (body, What::Hangup(session, handle))
            }
            Command::Detach { handle } => {
                let session = self.live_handle(handle)?;
                let body = RequestBody::Detach {
                    session_id: session,
                    handle_id: handle,
                };
                (body, What::Detach(session, handle))
            }
            Command::Destroy { session } => {
                self.live_session(session)?;
                (
                    RequestBody::Destroy {
                        session_id: session,
                    },
                    What::Destroy(session),
                )
            }
            Command::Keepalive { session } => {
                self.live_session(session)?;
                (
                    RequestBody::Keepalive {
                        session_id: session,
                    },
                    What::Keepalive(session),
                )
            }
            Command::Claim { session, handles } => {
                for &handle in &handles {
                    match self.handles.get(&handle) {
                        Some(h) if h.session != session => {
                            return Err(UsageError::HandleInOtherSession {
                                handle,
                                session: h.session,
                            })
                        }
                        _ => {}
                    }
                }
                (
                    RequestBody::Claim {
                        session_id: session,
                    },
                    What::Claim(session, handles),
                )
            }
        })
    }

    fn encode(&self, txn: TransactionId, body: RequestBody) -> Result<String, UsageError> {
        let auth = body.needs_auth();
        let request = Request {
            transaction: self.ids.to_wire(txn),
            apisecret: if auth {
                self.config.apisecret.clone()
            } else {
                None
            },
            token: if auth {
                self.config.token.clone()
            } else {
                None
            },
            body,
        };
        let frame = request.encode();
        if frame.len() > self.config.max_outgoing_frame {
            return Err(UsageError::FrameTooLarge {
                len: frame.len(),
                max: self.config.max_outgoing_frame,
            });
        }
        Ok(frame)
    }

    /// Registers a transaction and sends it, or holds it behind earlier requests.
    fn start(
        &mut self,
        txn: TransactionId,
        what: What,
        frame: String,
        deadline: Instant,
        internal: bool,
    ) {
        let hold = match (&what, what.handle()) {
            (What::Trickle(..), _) | (_, None) => None,
            (_, Some(h)) => self
                .handles
                .get(&h)
                .filter(|h| h.ordering == Ordering::Ordered)
                .map(|_| h),
        };
        self.timers.insert((deadline, Timer::Transaction(txn)));
        if !internal {
            self.user_pending += 1;
        }
        match hold {
            Some(handle) => {
                self.register(
                    txn,
                    Pending {
                        what,
                        deadline,
                        stage: Stage::Held(OutFrame(frame)),
                        internal,
                    },
                );
                if let Some(h) = self.handles.get_mut(&handle) {
                    h.held.push_back(txn);
                }
                self.pump(handle);
            }
            None => {
                self.register(
                    txn,
                    Pending {
                        what,
                        deadline,
                        stage: Stage::Sent,
                        internal,
                    },
                );
                self.transmit(txn, frame);
            }
        }
    }

    /// Records a new pending transaction (and indexes it by session).
    fn register(&mut self, txn: TransactionId, pending: Pending) {
        if let Some(session) = pending.what.session() {
            self.by_session.entry(session).or_default().insert(txn);
        }
        self.pending.insert(txn, pending);
        debug_assert!(self.index_is_consistent());
    }

    /// Whether `by_session` indexes exactly the pending transactions that have a session
    /// (checked by `debug_assert!` after every change, so every test checks it).
    fn index_is_consistent(&self) -> bool {
        let indexed: usize = self.by_session.values().map(BTreeSet::len).sum();
        let with_session = self.pending.values().filter(|p| p.what.session().is_some());
        indexed == with_session.count()
            && self.by_session.iter().all(|(session, txns)| {
                !txns.is_empty()
                    && txns.iter().all(|t| {
                        self.pending
                            .get(t)
                            .is_some_and(|p| p.what.session() == Some(*session))
                    })
            })
    }

    /// Puts a registered transaction's frame on the wire.
    fn transmit(&mut self, txn: TransactionId, frame: String) {
        self.transmits.push(txn, OutFrame(frame));
        let Some(p) = self.pending.get_mut(&txn) else {
            return;
        };
        p.stage = Stage::Sent;
        if let What::Message(_, handle) = p.what {
            if let Some(h) = self.handles.get_mut(&handle) {
                h.unaccepted.insert(txn);
                h.open.insert(txn);
            }
        }
        if let Some(session) = p.what.session() {
            self.touch(session);
        }
    }

    /// Sends the requests held on a handle that nothing blocks any more.
    fn pump(&mut self, handle: HandleId) {
        // Nothing goes on a closed connection: held requests fail with it instead.
        if self.closed {
            return;
        }
        loop {
            let Some(h) = self.handles.get_mut(&handle) else {
                return;
            };
            let Some(&front) = h.held.front() else {
                return;
            };
            let blocked = match self.pending.get(&front).map(|p| &p.what) {
                Some(What::Message(..)) => !h.unaccepted.is_empty(),
                Some(What::Hangup(..) | What::Detach(..)) => !h.open.is_empty(),
                _ => false,
            };
            if blocked {
                return;
            }
            h.held.pop_front();
            let frame = match self.pending.get_mut(&front) {
                Some(p) => match std::mem::replace(&mut p.stage, Stage::Sent) {
                    Stage::Held(OutFrame(frame)) => frame,
                    other => {
                        p.stage = other;
                        continue;
                    }
                },
                None => continue,
            };
            self.transmit(front, frame);
        }
    }

    /// Ends a transaction with its outcome; the single place where transactions end.
    fn finish(
        &mut self,
        txn: TransactionId,
        outcome: Result<Reply, RequestError>,
        mark: Option<Finished>,
    ) {
        let Some(p) = self.pending.remove(&txn) else {
            return;
        };
        if let Some(session) = p.what.session() {
            if let Some(txns) = self.by_session.get_mut(&session) {
                txns.remove(&txn);
                if txns.is_empty() {
                    self.by_session.remove(&session);
                }
            }
        }
        debug_assert!(self.index_is_consistent());
        self.timers.remove(&(p.deadline, Timer::Transaction(txn)));
        if let Some(mark) = mark {
            self.finished.insert(txn, mark);
        }
        if let Some(handle) = p.what.handle() {
            if let Some(h) = self.handles.get_mut(&handle) {
                h.unaccepted.remove(&txn);
                h.open.remove(&txn);
                if matches!(p.stage, Stage::Held(_)) {
                    h.held.retain(|t| *t != txn);
                }
            }
            self.pump(handle);
        }
        if !p.internal {
            self.user_pending -= 1;
            self.events.push(Event::Completed { txn, outcome });
            return;
        }
        // A keepalive of the client's own.
        if let What::Keepalive(session) = p.what {
            if let Some(s) = self.sessions.get_mut(&session) {
                if s.keepalive_txn == Some(txn) {
                    s.keepalive_txn = None;
                }
            }
            match outcome {
                Ok(_) | Err(RequestError::ConnectionLost | RequestError::SessionEnded(_)) => {}
                Err(error) => {
                    if self.sessions.contains_key(&session) {
                        self.events.push(Event::Session {
                            session,
                            event: SessionEvent::KeepaliveFailed(error),
                        });
                    }
                }
            }
        }
    }

    /// Resets a session's keepalive timer: any request naming it counts as activity.
    fn touch(&mut self, session: SessionId) {
        let at = self.later(self.keepalive_interval);
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        if s.state != SessionState::Active {
            return;
        }
        if let Some(old) = s.keepalive_at.replace(at) {
            self.timers.remove(&(old, Timer::Keepalive(session)));
        }
        self.timers.insert((at, Timer::Keepalive(session)));
    }

    fn fire_keepalive(&mut self, session: SessionId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.keepalive_at = None;
        if self.closed || s.state != SessionState::Active {
            return;
        }
        if s.keepalive_txn.is_some() {
            // The previous one is still out; try again one interval later.
            self.touch(session);
            return;
        }
        let txn = self.ids.next();
        s.keepalive_txn = Some(txn);
        let body = RequestBody::Keepalive {
            session_id: session,
        };
        match self.encode(txn, body) {
            Ok(frame) => {
                let deadline = self.later(self.config.request_timeout);
                self.start(txn, What::Keepalive(session), frame, deadline, true);
            }
            // A keepalive is far below any sane frame limit; if the limit is absurdly small,
            // report it rather than loop.
            Err(_) => {
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.keepalive_txn = None;
                }
                self.events.push(Event::Session {
                    session,
                    event: SessionEvent::KeepaliveFailed(RequestError::Cancelled),
                });
            }
        }
    }

    fn add_session(&mut self, session: SessionId, handles: &[HandleId]) {
        self.ended_sessions.remove(&session);
        let s = self.sessions.entry(session).or_insert_with(|| Session {
            state: SessionState::Active,
            keepalive_at: None,
            keepalive_txn: None,
            handles: BTreeSet::new(),
        });
        s.state = SessionState::Active;
        let ordering = self.config.ordering;
        for &h in handles {
            // A handle that became live in another session after the claim was submitted
            // stays there: the claim's reply does not move it.
            if self.handles.get(&h).is_some_and(|h| h.session != session) {
                continue;
            }
            s.handles.insert(h);
            self.ended_handles.remove(&h);
            self.handles.entry(h).or_insert_with(|| Handle {
                session,
                ordering,
                held: VecDeque::new(),
                unaccepted: BTreeSet::new(),
                open: BTreeSet::new(),
            });
        }
        self.touch(session);
    }

    fn add_handle(&mut self, session: SessionId, handle: HandleId, ordering: Ordering) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.handles.insert(handle);
        self.handles.insert(
            handle,
            Handle {
                session,
                ordering,
                held: VecDeque::new(),
                unaccepted: BTreeSet::new(),
                open: BTreeSet::new(),
            },
        );
    }

    /// Fails every pending request matching `doomed` with `error`: among those of `session`
    /// only, or among all when `session` is `None`.
    fn fail_where(
        &mut self,
        session: Option<SessionId>,
        doomed: impl Fn(&Pending) -> bool,
        error: RequestError,
    ) {
        let txns: Vec<TransactionId> = match session {
            Some(session) => self
                .by_session
                .get(&session)
                .into_iter()
                .flatten()
                .filter(|t| self.pending.get(t).is_some_and(&doomed))
                .copied()
                .collect(),
            None => self
                .pending
                .iter()
                .filter(|(_, p)| doomed(p))
                .map(|(t, _)| *t)
                .collect(),
        };
        for txn in txns {
            let sent = self
                .pending
                .get(&txn)
                .is_some_and(|p| !matches!(p.stage, Stage::Held(_)));
            self.finish(txn, Err(error.clone()), sent.then_some(Finished::Abandoned));
        }
    }

    fn end_session(&mut self, session: SessionId, why: SessionEnd) {
        let Some(s) = self.sessions.remove(&session) else {
            return;
        };
        if let Some(at) = s.keepalive_at {
            self.timers.remove(&(at, Timer::Keepalive(session)));
        }
        self.ended_sessions.insert(session, ());
        for h in &s.handles {
            self.handles.remove(h);
            self.ended_handles.insert(*h, session);
        }
        self.events.push(Event::Session {
            session,
            event: SessionEvent::Ended(why),
        });
        self.fail_where(
            Some(session),
            |p| p.what.session() == Some(session),
            RequestError::SessionEnded(session),
        );
    }

    fn end_handle(&mut self, handle: HandleId) {
        let Some(h) = self.handles.remove(&handle) else {
            return;
        };
        if let Some(s) = self.sessions.get_mut(&h.session) {
            s.handles.remove(&handle);
        }
        self.ended_handles.insert(handle, h.session);
        // A `detach` already sent still gets its own reply; everything else is moot.
        self.fail_where(
            Some(h.session),
            |p| {
                p.what.handle() == Some(handle)
                    && (!matches!(p.what, What::Detach(..)) || matches!(p.stage, Stage::Held(_)))
            },
            RequestError::HandleDetached(handle),
        );
    }

    fn on_closed(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.transmits.clear();
        self.fail_where(None, |_| true, RequestError::ConnectionLost);
        let sessions: Vec<SessionId> = self.sessions.keys().copied().collect();
        for session in sessions {
            if let Some(s) = self.sessions.get_mut(&session) {
                s.state = SessionState::Orphaned;
                s.keepalive_txn = None;
                if let Some(at) = s.keepalive_at.take() {
                    self.timers.remove(&(at, Timer::Keepalive(session)));
                }
            }
            self.events.push(Event::Session {
                session,
                event: SessionEvent::Disconnected,
            });
        }
        self.events.push(Event::Connection(ConnectionEvent::Closed));
    }

    fn on_frame(&mut self, bytes: Bytes) -> Result<(), ProtocolError> {
        if bytes.len() > self.config.max_incoming_frame {
            return Err(ProtocolError::FrameTooLarge {
                len: bytes.len(),
                max: self.config.max_incoming_frame,
            });
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(ProtocolError::NotUtf8);
        };
        let msg = ServerMessage::decode_str(text)?;
        let raw = RawFrame::new(bytes);
        match msg {
            ServerMessage::ServerInfo { transaction, info } => {
                self.on_answer(&transaction, Answer::ServerInfo(info), raw)
            }
            ServerMessage::Pong { transaction } => self.on_answer(&transaction, Answer::Pong, raw),
            ServerMessage::Success {
                transaction,
                id,
                plugindata,
                ..
            } => self.on_answer(&transaction, Answer::Success { id, plugindata }, raw),
            ServerMessage::Error {
                transaction: Some(transaction),
                error,
                ..
            } => self.on_answer(&transaction, Answer::Error(error), raw),
            ServerMessage::Error {
                transaction: None,
                error,
                ..
            } => self
                .events
                .push(Event::Connection(ConnectionEvent::Error { error, raw })),
            ServerMessage::Ack {
                transaction, hint, ..
            } => self.on_ack(&transaction, hint, raw),
            ServerMessage::Event {
                transaction,
                session_id,
                sender,
                plugindata,
                jsep,
            } => self.on_event(
                transaction.as_deref(),
                session_id,
                sender,
                plugindata,
                jsep,
                raw,
            ),
            ServerMessage::WebrtcUp { session_id, sender } => {
                self.route(session_id, sender, HandleEventKind::WebrtcUp, raw)
            }
            ServerMessage::Media {
                session_id,
                sender,
                media,
            } => self.route(session_id, sender, HandleEventKind::Media(media), raw),
            ServerMessage::SlowLink {
                session_id,
                sender,
                slowlink,
            } => self.route(session_id, sender, HandleEventKind::SlowLink(slowlink), raw),
            ServerMessage::Hangup {
                session_id,
                sender,
                reason,
            } => self.route(session_id, sender, HandleEventKind::Hangup { reason }, raw),
            ServerMessage::Trickle {
                session_id,
                sender,
                candidate,
            } => self.route(session_id, sender, HandleEventKind::Trickle(candidate), raw),
            ServerMessage::Detached { session_id, sender } => {
                self.route(session_id, sender, HandleEventKind::Detached, raw);
                if self.session_of(sender) == Some(session_id) {
                    self.end_handle(sender);
                }
            }
            ServerMessage::Timeout { session_id } => {
                if self.sessions.contains_key(&session_id) {
                    self.end_session(session_id, SessionEnd::TimedOut(raw));
                } else {
                    self.unroutable(raw);
                }
            }
            ServerMessage::Unknown {
                janus,
                session_id,
                sender,
                ..
            } => match (session_id, sender) {
                (Some(session), Some(handle)) => {
                    self.route(session, handle, HandleEventKind::Other { janus }, raw)
                }
                (Some(session), None) if self.knows_session(session) => {
                    self.events.push(Event::Session {
                        session,
                        event: SessionEvent::Other { janus, raw },
                    })
                }
                _ => self.unroutable(raw),
            },
        }
        Ok(())
    }

    fn unroutable(&mut self, raw: RawFrame) {
        self.events
            .push(Event::Connection(ConnectionEvent::Unroutable { raw }));
    }

    fn knows_session(&self, session: SessionId) -> bool {
        self.sessions.contains_key(&session) || self.ended_sessions.contains(&session)
    }

    /// A transaction of ours that is on the wire, or what to do with a reply that has none.
    fn sent_transaction(&mut self, transaction: &str, raw: &RawFrame) -> Option<TransactionId> {
        let Some(txn) = self.ids.parse(transaction) else {
            self.unroutable(raw.clone());
            return None;
        };
        match self.pending.get(&txn) {
            Some(p) if !matches!(p.stage, Stage::Held(_)) => Some(txn),
            Some(_) => {
                // A reply to something never sent: not ours after all.
                self.unroutable(raw.clone());
                None
            }
            None => {
                match self.finished.remove(&txn) {
                    Some(Finished::Abandoned | Finished::AwaitingAck) => {
                        self.events
                            .push(Event::Connection(ConnectionEvent::LateReply {
                                txn,
                                raw: raw.clone(),
                            }))
                    }
                    None => self.unroutable(raw.clone()),
                }
                None
            }
        }
    }

    fn on_answer(&mut self, transaction: &str, answer: Answer, raw: RawFrame) {
        let Some(txn) = self.sent_transaction(transaction, &raw) else {
            return;
        };
        let Some(what) = self.pending.get(&txn).map(|p| p.what.clone()) else {
            return;
        };
        let reply = |kind| {
            Ok(Reply {
                kind,
                raw: raw.clone(),
            })
        };
        let outcome = match answer {
            Answer::Error(error) => {
                let gone = error.code == 458;
                self.finish(txn, Err(RequestError::Janus(error.clone())), None);
                // The server no longer has the session: a keepalive or claim refused with 458.
                if let (What::Keepalive(session) | What::Claim(session, _), true) = (&what, gone) {
                    self.end_session(*session, SessionEnd::Gone(error));
                }
                return;
            }
            Answer::ServerInfo(info) if matches!(what, What::Info) => {
                self.learn_session_timeout(&info);
                reply(ReplyKind::ServerInfo(info))
            }
            Answer::Pong if matches!(what, What::Ping) => reply(ReplyKind::Pong),
            // A `server_info` or `pong` answers nothing but `info` or `ping`.
            Answer::ServerInfo(_) | Answer::Pong => Err(RequestError::UnexpectedReply(raw.clone())),
            Answer::Success { id, plugindata } => match (&what, plugindata) {
                (What::Create(requested), _) => match id.map(SessionId).or(*requested) {
                    Some(session) => {
                        self.add_session(session, &[]);
                        reply(ReplyKind::SessionCreated(session))
                    }
                    None => Err(RequestError::UnexpectedReply(raw.clone())),
                },
                (What::Attach(session, ordering), _) => match id.map(HandleId) {
                    // An id already live (here or in another session) cannot be a new handle.
                    Some(handle) if !self.handles.contains_key(&handle) => {
                        self.add_handle(*session, handle, *ordering);
                        reply(ReplyKind::Attached(handle))
                    }
                    _ => Err(RequestError::UnexpectedReply(raw.clone())),
                },
                (What::Message(..), Some(data)) => plugin_outcome(data, None, raw.clone()),
                (What::Trickle(..) | What::Keepalive(_), None) => reply(ReplyKind::Ack),
                (_, None) => reply(ReplyKind::Success),
                (_, Some(_)) => Err(RequestError::UnexpectedReply(raw.clone())),
            },
        };
        let accepted = outcome.is_ok();
        self.finish(txn, outcome, None);
        if !accepted {
            return;
        }
        match what {
            What::Detach(_, handle) => self.end_handle(handle),
            What::Destroy(session) => self.end_session(session, SessionEnd::Destroyed),
            What::Claim(session, handles) => self.add_session(session, &handles),
            _ => {}
        }
    }

    fn learn_session_timeout(&mut self, info: &ServerInfo) {
        if !self.config.keepalive_from_server_info {
            return;
        }
        if let Some(secs) = info.session_timeout.filter(|s| *s > 0) {
            let half = Duration::from_millis(secs.saturating_mul(500));
            self.keepalive_interval = self
                .config
                .keepalive_interval
                .min(half)
                .max(Duration::from_millis(1));
        }
    }

    fn on_ack(&mut self, transaction: &str, hint: Option<String>, raw: RawFrame) {
        // An ack for a message its event already completed is expected: drop it quietly.
        if let Some(txn) = self.ids.parse(transaction) {
            if self.finished.get(&txn) == Some(&Finished::AwaitingAck) {
                self.finished.remove(&txn);
                return;
            }
        }
        let Some(txn) = self.sent_transaction(transaction, &raw) else {
            return;
        };
        let Some(p) = self.pending.get_mut(&txn) else {
            return;
        };
        match p.what {
            What::Message(_, handle) => {
                if p.stage == Stage::Acked {
                    self.unroutable(raw);
                    return;
                }
                p.stage = Stage::Acked;
                if let Some(h) = self.handles.get_mut(&handle) {
                    h.unaccepted.remove(&txn);
                }
                if !p.internal {
                    self.events.push(Event::Acked { txn, hint });
                }
                self.pump(handle);
            }
            _ => self.finish(
                txn,
                Ok(Reply {
                    kind: ReplyKind::Ack,
                    raw,
                }),
                None,
            ),
        }
    }

    fn on_event(
        &mut self,
        transaction: Option<&str>,
        session: SessionId,
        handle: HandleId,
        data: PluginData,
        jsep: Option<Jsep>,
        raw: RawFrame,
    ) {
        let txn = transaction.and_then(|t| self.ids.parse(t));
        if let Some(t) = txn {
            let answers = self
                .pending
                .get(&t)
                .and_then(|p| match (&p.what, &p.stage) {
                    (_, Stage::Held(_)) => None,
                    (What::Message(_, h), stage) if *h == handle => Some(*stage == Stage::Acked),
                    _ => None,
                });
            if let Some(acked) = answers {
                let outcome = plugin_outcome(data, jsep, raw);
                self.finish(t, outcome, (!acked).then_some(Finished::AwaitingAck));
                return;
            }
        }
        self.route(
            session,
            handle,
            HandleEventKind::Plugin { data, jsep, txn },
            raw,
        );
    }

    /// Delivers a handle event, or reports it as unroutable when the session is unknown.
    fn route(
        &mut self,
        session: SessionId,
        handle: HandleId,
        kind: HandleEventKind,
        raw: RawFrame,
    ) {
        let known = self
            .handles
            .get(&handle)
            .is_some_and(|h| h.session == session)
            || self.ended_handles.get(&handle) == Some(&session)
            || self.knows_session(session);
        if known {
            self.events.push(Event::Handle {
                session,
                handle,
                event: HandleEvent { kind, raw },
            });
        } else {
            self.unroutable(raw);
        }
    }
}

/// The outcome of a plugin reply: a plugin error when `data` carries `error_code`.
fn plugin_outcome(
    data: PluginData,
    jsep: Option<Jsep>,
    raw: RawFrame,
) -> Result<Reply, RequestError> {
    match data.error() {
        Some((code, reason)) => Err(RequestError::Plugin(PluginError {
            plugin: data.plugin.clone(),
            code,
            reason,
            data,
        })),
        None => Ok(Reply {
            kind: ReplyKind::Plugin { data, jsep },
            raw,
        }),
    }
}

impl Input {
    /// A text frame.
    pub fn text(text: impl Into<String>) -> Self {
        Input::Frame(Bytes::from(text.into()))
    }
}
