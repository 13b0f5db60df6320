//! The run loop shared by [`Connection`](crate::Connection) and
//! [`AdminConnection`](crate::AdminConnection): it moves the core's output and input through
//! a [`Pipe`] (frames over a WebSocket or a Unix socket, exchanges over HTTP), reads the
//! clock, and keeps outcomes and events apart. Protocol rules all live in the core.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use janus_http_connect::Done;
use janus_proto::{
    Action, Api, Config, Core, Event, EventTarget, Input, ProtocolError, Request, RequestError,
    TransactionId, UsageError,
};
use janus_ws_connect::{CommonOptions, Observer};

use crate::pipe::{Pipe, Read};
use crate::Error;

/// How to open the connection again when the core asks for a dial: the first URL, the
/// options (with their fallback URLs) and the subprotocol (for WebSocket URLs). Over HTTP a
/// dial is a new link whose first connection is open.
#[derive(Debug)]
pub(crate) struct Dialer {
    pub(crate) url: String,
    pub(crate) protocol: &'static str,
    pub(crate) options: CommonOptions,
    pub(crate) config: Config,
}

impl Dialer {
    /// Connects to the first URL, once the fallback URLs are known to be of its kind.
    pub(crate) fn first(&self) -> Result<Pipe, Error> {
        self.options.check_urls(&self.url)?;
        self.dial(0)
    }

    fn dial(&self, endpoint: usize) -> Result<Pipe, Error> {
        let url = self.options.endpoint(&self.url, endpoint);
        Ok(Pipe::connect(
            url,
            self.protocol,
            &self.options,
            &self.config,
        )?)
    }
}

/// Longest single wait when nothing else bounds it.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// A pipe, a core, the outcomes not yet collected and the events not yet taken.
#[derive(Debug)]
pub(crate) struct Driver<A: Api> {
    /// `None` while the connection is down (for good once the core is closed). Over HTTP
    /// the core drops every exchange when the link goes down ([`Action::Close`]), and so
    /// does dropping the pipe.
    socket: Option<Pipe>,
    dialer: Dialer,
    /// Why the socket last broke, until the core decides whether that ends the connection.
    last_loss: Option<Error>,
    pub(crate) core: Core<A>,
    /// The connection's tracing and metrics.
    observer: Observer,
    /// Transactions submitted here: `None` while pending, then their outcome until
    /// collected.
    #[allow(clippy::type_complexity)]
    calls: BTreeMap<TransactionId, Option<Result<A::Reply, RequestError>>>,
    /// The transaction a typed call waits for: its "accepted" notice is not reported.
    current: Option<TransactionId>,
    /// "Accepted" notices of submitted requests, for `next_event` (at most one per pending
    /// request).
    acks: VecDeque<Event<A::Reply>>,
    /// Frames the core could not use, for `next_event`, in the order they came.
    bad_frames: VecDeque<ProtocolError>,
    close_reason: Option<Error>,
    /// Whether the last read returned a frame (more may be waiting; an HTTP read takes
    /// every exchange already finished, so it leaves this unset).
    readable: bool,
}

impl<A: Api> Driver<A> {
    /// Connects to the dialer's first URL and runs `core` over it.
    pub(crate) fn connect(
        dialer: Dialer,
        core: impl FnOnce(Config) -> Core<A>,
    ) -> Result<Self, Error> {
        let socket = dialer.first()?;
        let core = core(dialer.config.clone());
        Ok(Self {
            socket: Some(socket),
            observer: Observer::new(&dialer.url),
            dialer,
            last_loss: None,
            core,
            calls: BTreeMap::new(),
            current: None,
            acks: VecDeque::new(),
            bad_frames: VecDeque::new(),
            close_reason: None,
            readable: false,
        })
    }

    /// Closed for good: by the caller, by the server without a reconnect policy, or after
    /// the policy gave up.
    pub(crate) fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// Keeps the connection alive while the caller does its own work: sends what is due
    /// (keepalives, pings), takes in what has arrived without waiting for more, fires due
    /// timers (deadlines, pong deadlines, reconnect dials), and returns when it must be
    /// called again at the latest. Fails only when the connection is closed for good.
    pub(crate) fn poll(&mut self) -> Result<Instant, Error> {
        loop {
            self.turn(Some(Instant::now()));
            if self.core.is_closed() {
                return Err(self
                    .close_reason
                    .as_ref()
                    .map_or(RequestError::ConnectionLost.into(), closed_error));
            }
            if !self.readable {
                break;
            }
        }
        self.drain();
        let next = self.core.poll_timeout().unwrap_or_else(|| {
            let now = Instant::now();
            now.checked_add(MAX_WAIT).unwrap_or(now)
        });
        Ok(next)
    }

    pub(crate) fn close_reason(&self) -> Option<&Error> {
        self.close_reason.as_ref()
    }

    /// Submits a request (with its own deadline, if it has one) and sends it at once.
    pub(crate) fn submit<R>(&mut self, request: R) -> Result<TransactionId, Error>
    where
        R: Request<Command = A::Command>,
    {
        let txn = self.core.submit_request(Instant::now(), request)?;
        self.calls.insert(txn, None);
        self.drain();
        Ok(txn)
    }

    /// Submits every request, then sends them together (one flush, usually one write). All
    /// or nothing: when one cannot be submitted, those before it are cancelled (a reply that
    /// still comes is a late reply) and its error is returned.
    pub(crate) fn submit_all(
        &mut self,
        requests: impl IntoIterator<Item = A::Command>,
    ) -> Result<Vec<TransactionId>, Error> {
        let now = Instant::now();
        let mut txns = Vec::new();
        for request in requests {
            match self.core.submit(now, request) {
                Ok(txn) => {
                    self.calls.insert(txn, None);
                    txns.push(txn);
                }
                Err(e) => {
                    for txn in txns {
                        self.calls.remove(&txn);
                        // Submitted just above with no input since: pending, so this succeeds.
                        let cancelled = self.core.cancel(now, txn);
                        debug_assert!(cancelled.is_ok(), "{cancelled:?}");
                    }
                    self.drain();
                    return Err(e.into());
                }
            }
        }
        self.drain();
        Ok(txns)
    }

    /// Submits a request, waits for its outcome and gives its typed output; its "accepted"
    /// notice is not reported.
    pub(crate) fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = A::Command, Reply = A::Reply>,
    {
        let txn = self.submit(request)?;
        self.current = Some(txn);
        let outcome = self.wait(txn);
        self.current = None;
        R::output(outcome?).map_err(Error::from)
    }

    /// Turns the loop until `txn` has its outcome (the core guarantees one by its deadline).
    pub(crate) fn wait(&mut self, txn: TransactionId) -> Result<A::Reply, Error> {
        loop {
            match self.calls.get(&txn) {
                None => return Err(Error::Usage(UsageError::NotPending(txn))),
                Some(Some(_)) => {
                    return match self.calls.remove(&txn) {
                        Some(Some(outcome)) => outcome.map_err(Error::from),
                        _ => Err(Error::Usage(UsageError::NotPending(txn))),
                    };
                }
                Some(None) if self.core.is_closed() => {
                    // Cannot happen (closing fails every pending request); never hang.
                    self.calls.remove(&txn);
                    return Err(RequestError::ConnectionLost.into());
                }
                Some(None) => self.turn(None),
            }
        }
    }

    /// Gives up on a pending request and forgets its outcome.
    pub(crate) fn cancel(&mut self, txn: TransactionId) -> Result<(), Error> {
        self.core.cancel(Instant::now(), txn)?;
        self.drain();
        self.calls.remove(&txn);
        Ok(())
    }

    /// The next event for `target` (`None`: the oldest of any subscriber but the outcomes),
    /// waiting at most `timeout`, and reading the socket at least once so that a zero
    /// timeout still makes progress. `Ok(None)`: nothing came in time.
    ///
    /// A session or handle whose queue is gone (it ended and its last event was read) gives
    /// [`UsageError::SessionEnded`] or [`UsageError::HandleEnded`] at once.
    pub(crate) fn next_event(
        &mut self,
        target: Option<EventTarget>,
        timeout: Duration,
    ) -> Result<Option<Event<A::Reply>>, Error> {
        // `None`: a timeout too large to represent, i.e. forever.
        let until = Instant::now().checked_add(timeout);
        let mut turned = false;
        loop {
            self.drain();
            if let Some(event) = self.take(target)? {
                return Ok(Some(event));
            }
            if self.core.is_closed() {
                return Err(RequestError::ConnectionLost.into());
            }
            if turned && until.is_some_and(|u| Instant::now() >= u) {
                return Ok(None);
            }
            self.turn(until);
            turned = true;
        }
    }

    /// An event for `target` that is already here.
    fn take(&mut self, target: Option<EventTarget>) -> Result<Option<Event<A::Reply>>, Error> {
        if matches!(target, None | Some(EventTarget::Connection)) {
            if let Some(e) = self.bad_frames.pop_front() {
                return Err(Error::Protocol(e));
            }
        }
        let Some(target) = target else {
            return Ok(self.acks.pop_front().or_else(|| self.core.poll_event()));
        };
        if let Some(event) = self.core.poll_event_for(target) {
            return Ok(Some(event));
        }
        match target {
            _ if self.core.is_open(target) => Ok(None),
            EventTarget::Session(s) => Err(UsageError::SessionEnded(s).into()),
            EventTarget::Handle(h) => Err(UsageError::HandleEnded(h).into()),
            EventTarget::Outcomes | EventTarget::Connection => Ok(None),
        }
    }

    /// Closes the connection, waiting at most `wait` for the server's side of the closing
    /// handshake; pending requests fail with `ConnectionLost`.
    pub(crate) fn close(&mut self, wait: Duration) {
        if let Some(mut socket) = self.socket.take() {
            socket.close(wait);
        }
        if !self.core.is_closed() {
            self.core.close(Instant::now());
            self.drain();
        }
    }

    /// One turn of the run loop: fire due timers, wait for one frame or for HTTP exchanges
    /// to finish (at most until the next deadline of the core or `until`, and at least 1 ms),
    /// feed what came, drain the outputs. While the connection is down, wait for the core's
    /// next timer (a dial) instead.
    fn turn(&mut self, until: Option<Instant>) {
        self.drain();
        self.readable = false;
        let now = Instant::now();
        if self.core.poll_timeout().is_some_and(|at| at <= now) {
            self.core.handle_timeout(now);
            self.drain();
        }
        let deadline = match (self.core.poll_timeout(), until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let wait = deadline.map_or(MAX_WAIT, |d| d.saturating_duration_since(now));
        let Some(socket) = self.socket.as_mut() else {
            if !self.core.is_closed() {
                // Down, reconnecting: nothing to read until the core dials.
                std::thread::sleep(wait.min(MAX_WAIT));
                self.core.handle_timeout(Instant::now());
                self.drain();
            }
            return;
        };
        match socket.read(wait) {
            Read::Frame(bytes) => {
                self.readable = true;
                self.observer.frame_in(&bytes);
                let now = Instant::now();
                if let Err(e) = self.core.handle_input(now, Input::Frame(bytes)) {
                    self.bad_frames.push_back(e);
                }
                // A steady stream of frames must not starve the timers.
                if self.core.poll_timeout().is_some_and(|at| at <= now) {
                    self.core.handle_timeout(now);
                }
            }
            Read::Exchanges(done) => {
                // The first failure is the loss; the others only follow from it.
                let mut loss = None;
                for done in done {
                    if let Some(why) = self.finished(done) {
                        loss.get_or_insert(why);
                    }
                }
                if loss.is_some() {
                    self.last_loss = loss;
                }
                let now = Instant::now();
                if self.core.poll_timeout().is_some_and(|at| at <= now) {
                    self.core.handle_timeout(now);
                }
            }
            Read::Pong => {
                self.readable = true;
                let _ = self.core.handle_input(Instant::now(), Input::Pong);
            }
            Read::Idle => self.core.handle_timeout(Instant::now()),
            Read::Closed(why) => self.lost(why),
        }
        self.drain();
    }

    /// Sends every frame (or starts every HTTP exchange) the core wants sent and does what
    /// else it asks (pings, dropping a dead socket, dialling again), then collects the outcomes for `calls` (the other
    /// events stay in the core's queues until asked for).
    fn drain(&mut self) {
        // Requests' spans open before their frames are logged.
        self.observer.drain(&mut self.core);
        loop {
            self.write_frames();
            let Some(action) = self.core.poll_action() else {
                break;
            };
            match action {
                Action::Ping => match self.socket.as_mut().map(Pipe::ping) {
                    // A Unix socket answers at once (see `Pipe::ping`).
                    Some(Ok(true)) => {
                        let _ = self.core.handle_input(Instant::now(), Input::Pong);
                    }
                    Some(Err(why)) => self.lost(why),
                    Some(Ok(false)) | None => {}
                },
                // Dead: the core already treats it as closed.
                Action::Close => self.socket = None,
                Action::Dial { endpoint, .. } => match self.dialer.dial(endpoint) {
                    Ok(socket) => {
                        self.socket = Some(socket);
                        let _ = self.core.handle_input(Instant::now(), Input::Connected);
                    }
                    Err(why) => {
                        let input = Input::Lost(why.to_string());
                        self.last_loss = Some(why);
                        let _ = self.core.handle_input(Instant::now(), input);
                    }
                },
                _ => {}
            }
        }
        if self.core.is_closed() && self.close_reason.is_none() {
            self.close_reason = Some(self.why_closed());
        }
        while let Some(event) = self.core.poll_event_for(EventTarget::Outcomes) {
            match event {
                Event::Completed { txn, outcome } => {
                    if let Some(slot) = self.calls.get_mut(&txn) {
                        *slot = Some(outcome);
                    }
                }
                Event::Acked { txn, .. } if self.current == Some(txn) => {}
                Event::Acked { txn, .. } if !self.calls.contains_key(&txn) => {}
                ack => self.acks.push_back(ack),
            }
        }
        self.observer.drain(&mut self.core);
    }

    /// Why the core closed the connection for good.
    fn why_closed(&mut self) -> Error {
        if let Some(attempts) = self.core.gave_up() {
            return Error::GaveUp { attempts };
        }
        match (self.last_loss.take(), self.core.last_disconnect()) {
            (Some(e), Some(janus_proto::Disconnect::Closed { .. })) => e,
            (_, Some(dead)) => Error::Dead(dead.clone()),
            (Some(e), None) => e,
            (None, None) => RequestError::ConnectionLost.into(),
        }
    }

    /// Writes the core's frames and flushes them; over HTTP, starts the core's exchanges
    /// and sets them going.
    fn write_frames(&mut self) {
        let mut broken = None;
        match self.socket.as_mut() {
            Some(Pipe::Socket(socket)) => {
                let mut wrote = false;
                while let Some(frame) = self.core.poll_transmit() {
                    self.observer.frame_out(&frame);
                    if let Err(e) = socket.write(frame) {
                        broken = Some(e);
                        break;
                    }
                    wrote = true;
                }
                if broken.is_none() && wrote {
                    broken = socket.flush().err();
                }
            }
            Some(Pipe::Http(http)) => {
                let mut started = false;
                while let Some(exchange) = self.core.poll_exchange() {
                    self.observer.exchange_out(&exchange);
                    http.start(exchange);
                    started = true;
                }
                if started {
                    http.send();
                }
            }
            None => {}
        }
        if let Some(why) = broken {
            self.lost(why);
        }
    }

    /// Feeds what an HTTP exchange came to: its response (a body the core cannot use is
    /// reported like a bad frame), or why it could not be carried out (the link is lost, as
    /// when a socket breaks: the core drops every exchange and fails or repeats the pending
    /// requests), which is returned.
    fn finished(&mut self, done: Done) -> Option<Error> {
        let now = Instant::now();
        match done {
            Done::Response { id, status, body } => {
                self.observer.response_in(id, status, &body);
                if let Err(e) = self.core.handle_response(now, id, status, body) {
                    self.bad_frames.push_back(e);
                }
                None
            }
            Done::Failed { id, error } => {
                self.core.handle_exchange_failed(now, id, error.to_string());
                Some(error)
            }
            // Only a dial opens a connection, and it waits for that itself.
            Done::Opened(_) => None,
        }
    }

    /// The socket is gone: the core fails every pending request with `ConnectionLost` (the
    /// caller drains its events next).
    fn lost(&mut self, why: Error) {
        self.socket = None;
        let input = Input::Lost(why.to_string());
        self.last_loss = Some(why);
        // `Input::Lost` cannot fail.
        let _ = self.core.handle_input(Instant::now(), input);
    }
}

/// The error [`Driver::poll`] gives once the connection is closed: the close reason's kind and
/// words (the original stays in `close_reason`).
fn closed_error(e: &Error) -> Error {
    match e {
        Error::Dead(why) => Error::Dead(why.clone()),
        Error::GaveUp { attempts } => Error::GaveUp {
            attempts: *attempts,
        },
        Error::Request(r) => Error::Request(r.clone()),
        _ => RequestError::ConnectionLost.into(),
    }
}
