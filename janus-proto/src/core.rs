//! [`Core`]: the sans-IO state machine of one connection, the same loop for the Janus API
//! ([`Client`](crate::Client)) and the Admin API ([`AdminClient`](crate::AdminClient)).
//!
//! `Core<A>` holds the [`Engine`] (transactions, deadlines, frames out, events out) and an
//! API layer `A` (sessions, handles and keepalives for the Janus API; request kinds for the
//! Admin API). Everything both APIs do is written here once; what differs is the layer's.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::config::Config;
use crate::config::Wire;
use crate::engine::Described;
use crate::engine::{Engine, Finished, Stage};
use crate::error::{ProtocolError, RequestError, UsageError};
use crate::event::{ConnectionEvent, Event, Input};
use crate::http::{Exchange, ExchangeId, For, HttpWire, Route};
use crate::ids::SessionId;
use crate::ids::TransactionId;
use crate::link::{Action, Disconnect, Fired, Link, State};
use crate::observe::Observation;
use crate::request::Request;
use crate::router::EventTarget;
use crate::secret::OutFrame;

pub(crate) mod sealed {
    use super::*;

    /// What an API layer adds to the engine. Sealed: implemented by this crate's two APIs.
    pub trait Layer: Sized + std::fmt::Debug + Send + 'static {
        /// What a request is.
        type Command;
        /// A successful outcome.
        type Reply: std::fmt::Debug + Send + 'static;
        /// What the layer keeps about each pending request.
        type What: Described + std::fmt::Debug + Send + 'static;

        /// A layer for a new connection.
        fn new(config: &Config) -> Self;

        /// Checks, encodes and registers a request of the caller (the engine has admitted
        /// it). Nothing changes when it fails.
        fn submit(
            &mut self,
            engine: &mut Engine<Self::What, Self::Reply>,
            config: &Config,
            command: Self::Command,
            timeout: Duration,
        ) -> Result<TransactionId, UsageError>;

        /// Ends a transaction: [`Engine::finish`] and the layer's own bookkeeping.
        fn finish(
            &mut self,
            engine: &mut Engine<Self::What, Self::Reply>,
            txn: TransactionId,
            outcome: Result<Self::Reply, RequestError>,
            mark: Option<Finished>,
        );

        /// A frame that passed the engine's checks.
        fn on_frame(
            &mut self,
            engine: &mut Engine<Self::What, Self::Reply>,
            text: &str,
            bytes: &Bytes,
        ) -> Result<(), ProtocolError>;

        /// The connection closed; every pending request has already failed.
        fn on_closed(&mut self, engine: &mut Engine<Self::What, Self::Reply>);

        /// The layer's own next timer (keepalives).
        fn next_timer(&self) -> Option<Instant>;

        /// Fires the layer's timer due at the engine's `now`.
        fn fire_timer(&mut self, engine: &mut Engine<Self::What, Self::Reply>, config: &Config);

        /// An in-flight request the connection lost: its frame again (same transaction) if
        /// it is safe to repeat, to go out once the connection is back.
        fn repeat(
            &self,
            _engine: &Engine<Self::What, Self::Reply>,
            _config: &Config,
            _txn: TransactionId,
        ) -> Option<OutFrame> {
            None
        }

        /// The connection went down and will be dialled again; in-flight requests have
        /// ended.
        fn on_link_down(&mut self, _engine: &mut Engine<Self::What, Self::Reply>) {}

        /// A connection is open: the first one (`down_for` is `None`), or one the client
        /// dialled after losing the last, down for `down_for`. The engine is suspended in
        /// the second case; the layer resumes it once it has restored its state, and says
        /// so with [`ConnectionEvent::Reconnected`].
        fn on_connected(
            &mut self,
            engine: &mut Engine<Self::What, Self::Reply>,
            _config: &Config,
            down_for: Option<Duration>,
        ) {
            if let Some(down_for) = down_for {
                engine.resume();
                engine.push(Event::Connection(ConnectionEvent::Reconnected {
                    claimed: Vec::new(),
                    lost: Vec::new(),
                    down_for,
                }));
            }
        }

        /// The client gave up reconnecting; the connection closes next.
        fn on_gave_up(&mut self, _engine: &mut Engine<Self::What, Self::Reply>) {}

        /// Called after every input and timer: the layer finishes what waits for a set of
        /// outcomes (a resumption).
        fn settle(&mut self, _engine: &mut Engine<Self::What, Self::Reply>) {}

        /// Over HTTP: where a request goes.
        fn route(&self, what: &Self::What) -> Route;

        /// Over HTTP: the sessions that need a long-poll.
        fn polled_sessions(&self) -> Vec<SessionId> {
            Vec::new()
        }

        /// Over HTTP: a long-poll of `session` goes out now (Janus counts its arrival as
        /// the session's keepalive).
        fn polling(&mut self, _engine: &Engine<Self::What, Self::Reply>, _session: SessionId) {}

        /// Over HTTP: Janus refused a session's long-poll with `status`.
        fn poll_refused(
            &mut self,
            _engine: &mut Engine<Self::What, Self::Reply>,
            _session: SessionId,
            _status: u16,
        ) {
        }
    }
}

/// An API a [`Core`] speaks: [`JanusApi`](crate::JanusApi) or
/// [`AdminApi`](crate::AdminApi). Sealed.
pub trait Api: sealed::Layer {}

impl<L: sealed::Layer> Api for L {}

/// The sans-IO state machine of one connection: requests and input in; frames, events and
/// the next deadline out. [`Client`](crate::Client) is `Core<JanusApi>`,
/// [`AdminClient`](crate::AdminClient) is `Core<AdminApi>`.
///
/// It does no IO and never reads a clock: time comes in as `now` on every call.
///
/// * (A) Mutations: [`submit`](Self::submit) (and [`cancel`](Self::cancel)),
///   [`handle_input`](Self::handle_input) for every frame received and once for a closed
///   connection, [`handle_timeout`](Self::handle_timeout) when the deadline from
///   [`poll_timeout`](Self::poll_timeout) has passed (an early or extra call does nothing).
/// * (B) After any mutation: send every frame from [`poll_transmit`](Self::poll_transmit)
///   (one WebSocket text message each), then take every event from
///   [`poll_event`](Self::poll_event), then wait until the next frame, request, or
///   [`poll_timeout`](Self::poll_timeout).
///
/// Every submitted transaction ends with exactly one [`Event::Completed`]. Outputs queue up
/// until polled; unsolicited events beyond [`Config::event_queue_capacity`] are dropped and
/// counted in [`Event::Lagged`], events that end a transaction or change state never are. A
/// frame that cannot be used makes [`handle_input`](Self::handle_input) return an error and
/// changes nothing. `now` must not go backwards; an older `now` is taken as the latest one
/// seen.
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
pub struct Core<A: Api> {
    config: Config,
    pub(crate) engine: Engine<A::What, A::Reply>,
    pub(crate) api: A,
    link: Link,
    /// Over HTTP: the exchanges in flight and the sessions polled.
    http: Option<HttpWire>,
}

impl<A: Api> Core<A> {
    /// A client for a connection that is open at `now`.
    pub fn new(config: Config, now: Instant) -> Self {
        let mut core = Self {
            engine: Engine::new(&config, now),
            api: A::new(&config),
            link: Link::new(&config, now),
            http: match config.wire {
                Wire::Http { max_events } => Some(HttpWire::new(max_events, config.pong_timeout)),
                _ => None,
            },
            config,
        };
        if core.link.reconnects() {
            core.api.on_connected(&mut core.engine, &core.config, None);
        }
        core
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Submits a request with the default deadline ([`Config::request_timeout`]).
    ///
    /// Returns its transaction; its outcome comes as exactly one [`Event::Completed`].
    /// Fails, sending nothing and changing nothing, when the connection is closed, when
    /// [`Config::max_pending`] requests are pending, when the encoded frame exceeds
    /// [`Config::max_outgoing_frame`], or when the request itself is not valid here (see
    /// [`UsageError`]).
    pub fn submit(
        &mut self,
        now: Instant,
        command: A::Command,
    ) -> Result<TransactionId, UsageError> {
        let timeout = self.engine.request_timeout();
        self.submit_with_timeout(now, command, timeout)
    }

    /// Submits a request that fails with [`RequestError::TimedOut`] if it has no outcome
    /// `timeout` after `now`.
    pub fn submit_with_timeout(
        &mut self,
        now: Instant,
        command: A::Command,
        timeout: Duration,
    ) -> Result<TransactionId, UsageError> {
        self.engine.advance(now);
        self.engine.admit()?;
        self.api
            .submit(&mut self.engine, &self.config, command, timeout)
    }

    /// Submits any [`Request`] (a typed one, or a bare `Command` / `AdminRequest`) with its
    /// own deadline ([`Request::within`]) or the default one: the path drivers use.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use janus_proto::request::{Create, Request};
    /// use janus_proto::{Client, Config};
    ///
    /// # #[allow(clippy::disallowed_methods)]
    /// let now = Instant::now();
    /// let mut client = Client::new(Config::new(), now);
    /// client.submit_request(now, Create::new().within(Duration::from_secs(1))).unwrap();
    /// assert_eq!(client.poll_timeout(), Some(now + Duration::from_secs(1)));
    /// ```
    pub fn submit_request<R>(
        &mut self,
        now: Instant,
        request: R,
    ) -> Result<TransactionId, UsageError>
    where
        R: Request<Command = A::Command>,
    {
        let timeout = request
            .timeout()
            .unwrap_or_else(|| self.engine.request_timeout());
        self.submit_with_timeout(now, request.into_command(), timeout)
    }

    /// Cancels a pending request: it ends with [`RequestError::Cancelled`]. A request still
    /// held behind earlier ones on its handle, or whose frame [`poll_transmit`](Self::poll_transmit)
    /// has not given out yet, is never sent; a reply to one already sent is reported as
    /// [`ConnectionEvent::LateReply`].
    pub fn cancel(&mut self, now: Instant, txn: TransactionId) -> Result<(), UsageError> {
        self.engine.advance(now);
        if self.engine.pending(txn).is_none() {
            return Err(UsageError::NotPending(txn));
        }
        let unsent = self.engine.withdraw(txn);
        let mark = (!unsent).then_some(Finished::Abandoned);
        self.api
            .finish(&mut self.engine, txn, Err(RequestError::Cancelled), mark);
        Ok(())
    }

    /// Feeds one input: a frame received, or the end of the connection.
    ///
    /// A frame that cannot be used returns an error and changes nothing.
    pub fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), ProtocolError> {
        self.engine.advance(now);
        match input {
            Input::Closed => self.on_lost(None),
            Input::Lost(why) => self.on_lost(Some(why)),
            Input::Pong => self.link.heard(self.engine.now()),
            Input::Connected => self.on_connected(),
            Input::Frame(bytes) => {
                let text = self
                    .engine
                    .check_input(&bytes)
                    .inspect_err(|e| self.engine.refused(e))?;
                if let Err(e) = self.api.on_frame(&mut self.engine, text, &bytes) {
                    self.engine.refused(&e);
                    return Err(e);
                }
                // A refused frame changes nothing, not even this.
                self.link.heard(self.engine.now());
            }
        }
        self.after();
        Ok(())
    }

    /// Fires every timer due at `now`: request deadlines, then the API's timers
    /// (keepalives, reclaim windows), then the link's (pings, pong deadlines, dials).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.engine.advance(now);
        loop {
            let now = self.engine.now();
            let deadline = self.engine.next_deadline().filter(|at| *at <= now);
            let timer = self.api.next_timer().filter(|at| *at <= now);
            let link = self.link.next_timer().filter(|at| *at <= now);
            let poll = self.poll_timer().filter(|at| *at <= now);
            let Some(first) = [deadline, timer, link, poll].into_iter().flatten().min() else {
                return;
            };
            // At the same instant: deadlines, then the API's timers, then the link's.
            if deadline == Some(first) {
                let Some(txn) = self.engine.pop_due() else {
                    return;
                };
                let acked = self
                    .engine
                    .pending(txn)
                    .is_some_and(|p| p.stage == Stage::Acked);
                self.api.finish(
                    &mut self.engine,
                    txn,
                    Err(RequestError::TimedOut { acked }),
                    Some(Finished::Abandoned),
                );
            } else if timer == Some(first) {
                self.api.fire_timer(&mut self.engine, &self.config);
            } else if poll == Some(first) {
                let waited = self.http.as_ref().map(HttpWire::poll_deadline);
                if let Some(waited) = waited {
                    self.link_down(Disconnect::PollUnanswered { waited }, true);
                }
            } else {
                match self.link.fire(now) {
                    Fired::Nothing => {}
                    Fired::Dead(why) => self.link_down(why, true),
                    Fired::Dialing { endpoint, attempt } => {
                        self.engine
                            .push(Event::Connection(ConnectionEvent::Reconnecting {
                                attempt,
                                endpoint,
                            }))
                    }
                    Fired::GiveUp { attempts } => self.give_up(attempts),
                }
            }
            self.after();
        }
    }

    /// The connection is up again after [`Input::Closed`], opened by the caller (without a
    /// reconnect policy): requests can be submitted. Orphaned sessions stay orphaned until
    /// claimed, or until the server's reclaim window (known from `info`) is over: then they
    /// end with [`SessionEnd::NotReclaimed`](crate::SessionEnd::NotReclaimed).
    pub fn reconnect(&mut self, now: Instant) {
        self.engine.advance(now);
        self.engine.reopen();
        self.link.reopen(self.engine.now());
    }

    /// The caller closes the connection for good (no reconnect): every pending request
    /// fails with [`RequestError::ConnectionLost`], sessions are orphaned, and
    /// [`ConnectionEvent::Closed`] comes. The driver closes its socket itself.
    pub fn close(&mut self, now: Instant) {
        self.engine.advance(now);
        self.link.close();
        self.on_closed();
    }

    /// Something the driver must do besides sending frames: send a WebSocket ping, drop the
    /// socket, or dial again (see [`Action`]). Take them all after every mutation, like
    /// frames.
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Action> {
        self.link.poll_action()
    }

    /// Why the connection last went down (`None`: it never did, or only the caller closed
    /// it).
    pub fn last_disconnect(&self) -> Option<&Disconnect> {
        self.link.last_disconnect()
    }

    /// The attempts made, once the reconnect policy is exhausted
    /// ([`ConnectionEvent::GaveUp`]).
    pub fn gave_up(&self) -> Option<u32> {
        self.link.gave_up()
    }

    /// Whether the connection is down and the client is reconnecting (requests submitted
    /// meanwhile wait, and go out once the sessions are claimed).
    pub fn is_reconnecting(&self) -> bool {
        matches!(self.link.state(), State::Down { .. })
    }

    /// The next frame to send, one JSON object with nothing after it. Over HTTP
    /// ([`Wire::Http`]) there are none: see [`poll_exchange`](Self::poll_exchange).
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<String> {
        if self.http.is_some() {
            return None;
        }
        self.engine.poll_transmit()
    }

    /// Over HTTP ([`Wire::Http`]): the next HTTP request to make, a request or a session's
    /// long-poll (see [`http`](crate::http)). Make each (concurrently: a long-poll is held by
    /// the server), then give its response to [`handle_response`](Self::handle_response), or
    /// say it failed with [`handle_exchange_failed`](Self::handle_exchange_failed).
    ///
    /// ```
    /// use std::time::Instant;
    /// use janus_proto::http::Method;
    /// use janus_proto::{Client, Command, Config, Event};
    ///
    /// # #[allow(clippy::disallowed_methods)]
    /// let now = Instant::now();
    /// let mut client = Client::new(Config::new().http(10), now);
    /// client.submit(now, Command::create()).unwrap();
    /// let create = client.poll_exchange().unwrap();
    /// assert_eq!((create.method, create.path.as_str()), (Method::Post, ""));
    /// let reply = r#"{"janus":"success","transaction":"1","data":{"id":42}}"#;
    /// client.handle_response(now, create.id, 200, reply.into()).unwrap();
    /// assert!(matches!(client.poll_event(), Some(Event::Completed { .. })));
    /// // The new session's long-poll.
    /// let poll = client.poll_exchange().unwrap();
    /// assert_eq!((poll.method, poll.path.as_str()), (Method::Get, "/42?maxev=10&rid=2"));
    /// ```
    #[must_use]
    pub fn poll_exchange(&mut self) -> Option<Exchange> {
        let http = self.http.as_mut()?;
        if let Some(poll) = http.next_poll() {
            return Some(poll);
        }
        let (txn, frame) = self.engine.poll_transmit_with_txn()?;
        let route = match self.engine.pending(txn) {
            Some(p) => self.api.route(&p.what),
            None => Route::post(String::new()),
        };
        Some(http.request(txn, route, frame))
    }

    /// Over HTTP: the response to exchange `id`, with its status and body. A request's
    /// reply is taken like a frame; a long-poll's events (one, or an array of up to
    /// `max_events`) are taken in order, and Janus's idle `keepalive` answer is absorbed; the
    /// session's next poll follows. A status other than `200` ends the request with
    /// [`RequestError::Http`]; to a poll, `403` or `404` ends its session
    /// ([`SessionEnd::PollRefused`](crate::SessionEnd::PollRefused)) and any other loses
    /// the connection ([`Disconnect::Http`]). A response to an exchange no longer in flight
    /// (from before a reconnect) is ignored. An error names the first part of the body that
    /// could not be used; the others were taken.
    pub fn handle_response(
        &mut self,
        now: Instant,
        id: ExchangeId,
        status: u16,
        body: Bytes,
    ) -> Result<(), ProtocolError> {
        self.engine.advance(now);
        let Some(what) = self.http.as_mut().and_then(|h| h.take(id)) else {
            return Ok(());
        };
        let result = match what {
            For::Request { txn, .. } if status != 200 => {
                let mark = self.engine.was_sent(txn).then_some(Finished::Abandoned);
                self.api.finish(
                    &mut self.engine,
                    txn,
                    Err(RequestError::Http { status }),
                    mark,
                );
                Ok(())
            }
            For::Request { keep: true, .. } => self.take_frame(body),
            For::Request { txn, keep: false } => {
                let transaction = self.engine.wire_id(txn);
                match with_transaction(&body, &transaction) {
                    Some(body) => self.take_frame(body),
                    None => self.take_frame(body),
                }
            }
            For::Poll { session, .. } => {
                self.link.heard(self.engine.now());
                match status {
                    200 => self.take_events(&body),
                    403 | 404 => {
                        self.api.poll_refused(&mut self.engine, session, status);
                        Ok(())
                    }
                    _ => {
                        self.link_down(Disconnect::Http { status }, true);
                        Ok(())
                    }
                }
            }
        };
        self.after();
        result
    }

    /// Over HTTP: exchange `id` could not be carried out (refused, reset, timed out): the
    /// connection is lost, as a closed WebSocket would be.
    pub fn handle_exchange_failed(&mut self, now: Instant, id: ExchangeId, why: String) {
        self.engine.advance(now);
        if self.http.as_mut().and_then(|h| h.take(id)).is_some() {
            self.on_lost(Some(why));
        }
        self.after();
    }

    /// A frame from an HTTP body.
    fn take_frame(&mut self, body: Bytes) -> Result<(), ProtocolError> {
        let taken = self
            .engine
            .check_input(&body)
            .and_then(|text| self.api.on_frame(&mut self.engine, text, &body));
        if let Err(e) = &taken {
            self.engine.refused(e);
            return taken;
        }
        self.link.heard(self.engine.now());
        Ok(())
    }

    /// A long-poll's body: one message or an array of them; `keepalive` is absorbed.
    fn take_events(&mut self, body: &Bytes) -> Result<(), ProtocolError> {
        let text = self
            .engine
            .check_input(body)
            .inspect_err(|e| self.engine.refused(e))?;
        let parts: Vec<Bytes> = if text.trim_start().starts_with('[') {
            let list: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)
                .map_err(|e| ProtocolError::Decode(crate::wire::DecodeError::from(e)))
                .inspect_err(|e| self.engine.refused(e))?;
            list.iter()
                .map(|raw| body.slice_ref(raw.get().as_bytes()))
                .collect()
        } else {
            vec![body.clone()]
        };
        let mut first_error = None;
        for part in parts {
            if is_keepalive(&part) {
                continue;
            }
            if let Err(e) = self.take_frame(part) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// When the oldest long-poll in flight is overdue (over HTTP).
    fn poll_timer(&self) -> Option<Instant> {
        self.http.as_ref().and_then(HttpWire::next_timer)
    }

    /// The next event: the oldest of all subscribers' queues (see [`EventTarget`]), so
    /// that a caller reading only here sees every event once, in arrival order.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event<A::Reply>> {
        self.engine.poll_event()
    }

    /// The next event for one subscriber: a request's outcome or ack
    /// ([`EventTarget::Outcomes`]), the connection's events, one session's own events, or
    /// one handle's events. A handle's queue exists from the moment its attach (or claim)
    /// reply is processed, so none of its events goes elsewhere because nobody was reading
    /// yet. Reading here and through [`poll_event`](Self::poll_event) may be mixed: each
    /// event comes out once.
    ///
    /// ```
    /// use janus_proto::testing::{FakeConfig, Pair, ECHOTEST};
    /// use janus_proto::{Config, EventTarget};
    ///
    /// let mut pair = Pair::new(Config::new(), FakeConfig::new());
    /// let session = pair.create_session();
    /// let handle = pair.attach(session, ECHOTEST);
    /// // The handle has its queue from its attach reply on, read or not.
    /// assert!(pair.client.is_open(EventTarget::Handle(handle)));
    /// assert!(pair.client.poll_event_for(EventTarget::Handle(handle)).is_none());
    /// ```
    #[must_use]
    pub fn poll_event_for(&mut self, target: EventTarget) -> Option<Event<A::Reply>> {
        self.engine.poll_event_for(target)
    }

    /// Says that someone waits on `target`'s events (`None`: on every target's), so that
    /// [`poll_ready`](Self::poll_ready) reports it. A driver that wakes readers calls it
    /// when a reader appears, and [`unsubscribe`](Self::unsubscribe) when it goes.
    pub fn subscribe(&mut self, target: Option<EventTarget>) {
        self.engine.subscribe(target);
    }

    /// Nobody waits on `target` any more.
    pub fn unsubscribe(&mut self, target: Option<EventTarget>) {
        self.engine.unsubscribe(target);
    }

    /// A subscribed target ([`subscribe`](Self::subscribe)) that received an event since
    /// the last call, or whose queue went away (its session or handle ended and every event
    /// of it was read); `None` when there is none. A driver turns these into wake-ups.
    /// Only subscribed targets are tracked, so a caller that never subscribes pays nothing.
    #[must_use]
    pub fn poll_ready(&mut self) -> Option<EventTarget> {
        self.engine.poll_ready()
    }

    /// How many events wait for `target` (`None`: for any subscriber but the outcomes).
    pub fn queued(&self, target: Option<EventTarget>) -> usize {
        self.engine.queued(target)
    }

    /// Whether `target` has a queue: the outcome and connection queues always; a session's
    /// or handle's while it is live, and after it ended until its last event is read.
    pub fn is_open(&self, target: EventTarget) -> bool {
        self.engine.is_open(target)
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called; `None` when no
    /// timer is armed.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.engine.next_deadline(),
            self.api.next_timer(),
            self.link.next_timer(),
            self.poll_timer(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next [`Observation`] of what the core did, oldest first, when
    /// [`Config::observe`] is on (`None` at once when it is off). A driver that turns it on
    /// takes them all after every mutation, as it takes events.
    ///
    /// ```
    /// use std::time::Instant;
    /// use janus_proto::observe::Observation;
    /// use janus_proto::{Client, Config, Input};
    ///
    /// # #[allow(clippy::disallowed_methods)]
    /// let now = Instant::now();
    /// let mut client = Client::new(Config::new().observe(true), now);
    /// assert!(client.handle_input(now, Input::text("not json")).is_err());
    /// assert!(matches!(client.poll_observation(), Some(Observation::FrameRefused { .. })));
    /// ```
    #[must_use]
    pub fn poll_observation(&mut self) -> Option<Observation> {
        self.engine.poll_observation()
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.engine.is_closed()
    }

    /// How many submitted requests have no outcome yet.
    pub fn pending(&self) -> usize {
        self.engine.user_pending()
    }

    /// The transport says the connection is gone (or a dial failed).
    fn on_lost(&mut self, why: Option<String>) {
        match self.link.state() {
            State::Up => self.link_down(Disconnect::Closed { why }, false),
            State::Down { .. } if self.link.dialing() => {
                if let Err(attempts) = self.link.dial_failed(self.engine.now()) {
                    self.give_up(attempts);
                }
            }
            State::Down { .. } => {}
            State::Closed => self.on_closed(),
        }
    }

    /// A dial succeeded (or, without one asked for, the caller reopened the connection).
    fn on_connected(&mut self) {
        let now = self.engine.now();
        let since = match self.link.state() {
            State::Down { since, .. } => since,
            _ => {
                self.reconnect(now);
                return;
            }
        };
        if self.link.connected(now) {
            self.engine.reopen();
            let down_for = now.saturating_duration_since(since);
            self.api
                .on_connected(&mut self.engine, &self.config, Some(down_for));
        }
    }

    /// The connection is lost or dead. With a reconnect policy: in-flight requests end
    /// ([`RequestError::Interrupted`]; `info` and `ping` are repeated instead), the
    /// caller's other requests wait, and a dial is scheduled. Without: closed for good.
    /// `close`: the driver still has the socket and must drop it.
    fn link_down(&mut self, why: Disconnect, close: bool) {
        self.link.went_down(&why);
        // Over HTTP one failed exchange says nothing of the others: every connection goes.
        let close = close || self.http.is_some();
        if let Some(http) = self.http.as_mut() {
            http.clear();
        }
        self.engine
            .push(Event::Connection(ConnectionEvent::Disconnected { why }));
        if !self.link.lost(self.engine.now(), close) {
            self.on_closed();
            return;
        }
        for txn in self.engine.suspend() {
            if let Some(frame) = self.api.repeat(&self.engine, &self.config, txn) {
                self.engine.repark(txn, frame);
                continue;
            }
            let internal = self.engine.pending(txn).is_some_and(|p| p.internal);
            let error = if internal {
                RequestError::ConnectionLost
            } else {
                RequestError::Interrupted
            };
            self.api
                .finish(&mut self.engine, txn, Err(error), Some(Finished::Abandoned));
        }
        self.api.on_link_down(&mut self.engine);
    }

    /// The reconnect policy is exhausted: closed for good.
    fn give_up(&mut self, attempts: u32) {
        self.engine
            .push(Event::Connection(ConnectionEvent::GaveUp { attempts }));
        self.api.on_gave_up(&mut self.engine);
        self.on_closed();
    }

    /// After every input and timer: the layer's settling, then the keepalive count.
    fn after(&mut self) {
        self.api.settle(&mut self.engine);
        if let (Some(http), State::Up) = (self.http.as_mut(), self.link.state()) {
            let started = http.poll_sessions(
                self.api.polled_sessions(),
                self.engine.now(),
                self.config.apisecret.as_ref(),
                self.config.token.as_ref(),
            );
            for session in started {
                self.api.polling(&self.engine, session);
            }
        }
        if let Some(why) = self.link.keepalives_dead(self.engine.keepalive_streak()) {
            self.link_down(why, true);
            self.api.settle(&mut self.engine);
        }
    }

    fn on_closed(&mut self) {
        self.link.close();
        if !self.engine.close() {
            return;
        }
        let txns: Vec<TransactionId> = self.engine.pending_iter().map(|(t, _)| t).collect();
        for txn in txns {
            let mark = self.engine.was_sent(txn).then_some(Finished::Abandoned);
            self.api.finish(
                &mut self.engine,
                txn,
                Err(RequestError::ConnectionLost),
                mark,
            );
        }
        self.api.on_closed(&mut self.engine);
        self.engine.push(Event::Connection(ConnectionEvent::Closed));
    }
}

/// Whether a long-poll part is Janus's idle `{"janus":"keepalive"}` answer.
fn is_keepalive(part: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(borrow)]
        janus: std::borrow::Cow<'a, str>,
    }
    serde_json::from_slice::<Kind>(part).is_ok_and(|k| k.janus == "keepalive")
}

/// `body` (a JSON object) with its `transaction` set to `transaction`: Janus answers
/// `GET /info` with a transaction of its own. `None` if it is not an object.
fn with_transaction(body: &[u8], transaction: &str) -> Option<Bytes> {
    let mut value: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).ok()?;
    value.insert("transaction".into(), transaction.into());
    serde_json::to_vec(&value).ok().map(Bytes::from)
}
