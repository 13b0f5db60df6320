//! The run loop shared by [`Connection`](crate::Connection) and
//! [`AdminConnection`](crate::AdminConnection): it moves frames between a [`Socket`] and a
//! sans-IO core, reads the clock, and keeps outcomes and events apart. Protocol rules all
//! live in the core.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use janus_proto::admin::AdminEvent;
use janus_proto::{Event, Input, RequestError, StateMachine, TransactionId, UsageError};

use crate::queue::{EventBuffer, Item};
use crate::socket::{Read, Socket};
use crate::Error;

/// Longest single wait when nothing else bounds it.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// An event a core hands out, seen the way the driver needs to see it.
pub(crate) trait CoreEvent: Sized {
    /// `Some(n)` if this is a notice that `n` events were dropped.
    fn lagged(&self) -> Option<u64>;
    /// The notice that `n` events were dropped, if this kind of event has one (without it,
    /// nothing is ever dropped).
    fn make_lagged(n: u64) -> Option<Self>;
    /// Whether the event changes state (outcomes, sessions, handles, the connection) and so
    /// must never be dropped.
    fn keeps_state(&self) -> bool;
}

/// A socket, a core, the outcomes not yet collected and the events not yet taken.
#[derive(Debug)]
pub(crate) struct Driver<C: StateMachine>
where
    C::Event: CoreEvent,
{
    /// `None` once the connection is closed or broken.
    socket: Option<Socket>,
    pub(crate) core: C,
    /// Transactions submitted here: `None` while pending, then their outcome until
    /// collected.
    #[allow(clippy::type_complexity)]
    calls: BTreeMap<TransactionId, Option<Result<C::Reply, RequestError>>>,
    /// The transaction a typed call waits for: its "accepted" notice is not reported.
    current: Option<TransactionId>,
    events: EventBuffer<C::Event>,
    close_reason: Option<Error>,
}

impl<C: StateMachine> Driver<C>
where
    C::Event: CoreEvent,
    C::Reply: std::fmt::Debug,
    C::Event: std::fmt::Debug,
{
    pub(crate) fn new(socket: Socket, core: C, event_capacity: usize) -> Self {
        Self {
            socket: Some(socket),
            core,
            calls: BTreeMap::new(),
            current: None,
            events: EventBuffer::new(event_capacity),
            close_reason: None,
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.socket.is_none()
    }

    pub(crate) fn close_reason(&self) -> Option<&Error> {
        self.close_reason.as_ref()
    }

    /// Submits a request and sends it at once.
    pub(crate) fn submit(
        &mut self,
        request: C::Request,
        timeout: Option<Duration>,
    ) -> Result<TransactionId, Error> {
        let txn = self.core.submit_request(Instant::now(), request, timeout)?;
        self.calls.insert(txn, None);
        self.drain();
        Ok(txn)
    }

    /// Submits every request, then sends them together (one flush, usually one write). All
    /// or nothing: when one cannot be submitted, those before it are cancelled (a reply that
    /// still comes is a late reply) and its error is returned.
    pub(crate) fn submit_all(
        &mut self,
        requests: impl IntoIterator<Item = C::Request>,
    ) -> Result<Vec<TransactionId>, Error> {
        let now = Instant::now();
        let mut txns = Vec::new();
        for request in requests {
            match self.core.submit_request(now, request, None) {
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

    /// Submits a request and waits for its outcome; its "accepted" notice is not reported.
    pub(crate) fn call(
        &mut self,
        request: C::Request,
        timeout: Option<Duration>,
    ) -> Result<C::Reply, Error> {
        let txn = self.submit(request, timeout)?;
        self.current = Some(txn);
        let outcome = self.wait(txn);
        self.current = None;
        outcome
    }

    /// Turns the loop until `txn` has its outcome (the core guarantees one by its deadline).
    pub(crate) fn wait(&mut self, txn: TransactionId) -> Result<C::Reply, Error> {
        loop {
            match self.calls.get(&txn) {
                None => return Err(Error::Usage(UsageError::NotPending(txn))),
                Some(Some(_)) => {
                    return match self.calls.remove(&txn) {
                        Some(Some(outcome)) => outcome.map_err(Error::from),
                        _ => Err(Error::Usage(UsageError::NotPending(txn))),
                    };
                }
                Some(None) if self.socket.is_none() => {
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

    /// The next event that is not an outcome, waiting at most `timeout` (and reading the
    /// socket at least once, so that a zero timeout still makes progress).
    pub(crate) fn next_event(&mut self, timeout: Duration) -> Result<Option<C::Event>, Error> {
        // `None`: a timeout too large to represent, i.e. forever.
        let until = Instant::now().checked_add(timeout);
        let mut turned = false;
        loop {
            self.drain();
            match self.events.pop() {
                Some(Item::Event(event)) => return Ok(Some(event)),
                Some(Item::Protocol(e)) => return Err(Error::Protocol(e)),
                None => {}
            }
            if self.socket.is_none() {
                return Err(RequestError::ConnectionLost.into());
            }
            if turned && until.is_some_and(|u| Instant::now() >= u) {
                return Ok(None);
            }
            self.turn(until);
            turned = true;
        }
    }

    /// Closes the WebSocket, waiting at most `wait` for the server's side of the closing
    /// handshake; pending requests fail with `ConnectionLost`.
    pub(crate) fn close(&mut self, wait: Duration) {
        if let Some(mut socket) = self.socket.take() {
            socket.close(wait);
            let _ = self.core.handle_input(Instant::now(), Input::Closed);
            self.drain();
        }
    }

    /// One turn of the run loop: fire due timers, wait for one frame (at most until the next
    /// deadline of the core or `until`, and at least 1 ms), feed it, drain the outputs.
    fn turn(&mut self, until: Option<Instant>) {
        self.drain();
        let now = Instant::now();
        if self.core.poll_timeout().is_some_and(|at| at <= now) {
            self.core.handle_timeout(now);
            self.drain();
        }
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        let deadline = match (self.core.poll_timeout(), until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let wait = deadline.map_or(MAX_WAIT, |d| d.saturating_duration_since(now));
        match socket.read(wait) {
            Read::Frame(bytes) => {
                let now = Instant::now();
                if let Err(e) = self.core.handle_input(now, Input::Frame(bytes)) {
                    self.events.push(Item::Protocol(e));
                }
                // A steady stream of frames must not starve the timers.
                if self.core.poll_timeout().is_some_and(|at| at <= now) {
                    self.core.handle_timeout(now);
                }
            }
            Read::Idle => self.core.handle_timeout(Instant::now()),
            Read::Closed(why) => self.lost(why),
        }
        self.drain();
    }

    /// Sends every frame the core wants sent, then sorts its events: outcomes to `calls`,
    /// the rest to the event buffer.
    fn drain(&mut self) {
        let mut broken = None;
        if let Some(socket) = self.socket.as_mut() {
            let mut wrote = false;
            while let Some(frame) = self.core.poll_transmit() {
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
        if let Some(why) = broken {
            self.lost(why);
        }
        while let Some(event) = self.core.poll_event() {
            match C::outcome(event) {
                Ok((txn, outcome)) => {
                    if let Some(slot) = self.calls.get_mut(&txn) {
                        *slot = Some(outcome);
                    }
                }
                Err(event) if self.current.is_some() && C::acked(&event) == self.current => {}
                Err(event) => self.events.push(Item::Event(event)),
            }
        }
    }

    /// The socket is gone: the core fails every pending request with `ConnectionLost` (the
    /// caller drains its events next).
    fn lost(&mut self, why: Error) {
        self.socket = None;
        if self.close_reason.is_none() {
            self.close_reason = Some(why);
        }
        // `Input::Closed` cannot fail.
        let _ = self.core.handle_input(Instant::now(), Input::Closed);
    }
}

impl CoreEvent for Event {
    fn lagged(&self) -> Option<u64> {
        match self {
            Event::Lagged { dropped } => Some(*dropped),
            _ => None,
        }
    }

    fn make_lagged(n: u64) -> Option<Self> {
        Some(Event::Lagged { dropped: n })
    }

    /// The core's own rule for its queue (`janus_proto` keeps it private).
    fn keeps_state(&self) -> bool {
        Event::keeps_state(self)
    }
}

impl CoreEvent for AdminEvent {
    fn lagged(&self) -> Option<u64> {
        None
    }

    fn make_lagged(_: u64) -> Option<Self> {
        None
    }

    fn keeps_state(&self) -> bool {
        true
    }
}
