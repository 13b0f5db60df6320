//! The state shared by a connection's client handles, its streams and its driver: the
//! protocol core, the request waiters and the event queues, behind one `std::sync::Mutex`
//! that is never held across an `.await` (nor while the socket is touched).
//!
//! Everything here serves both the Janus API (`Shared<JanusApi>`) and the Admin API
//! (`Shared<AdminApi>`), through janus-proto's generic [`Core`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::Bytes;
use janus_proto::http::{Exchange, ExchangeId};
use janus_proto::{
    Action, Api, Core, Disconnect, Event, EventTarget, Input, Request, RequestError, TransactionId,
    UsageError,
};
use janus_ws_connect::Observer;

use crate::driver::{DriverEnd, Engine};
use crate::events::{next_item, EventSource, StreamId, StreamItem, Subscribers};
use crate::Error;

/// Locks `shared`, runs `f` with a list to collect wakers in, unlocks, then wakes them.
///
/// A poisoned lock (a panic elsewhere while it was held) is taken over as is: every
/// mutation of the state below is a single call into the core or a map, so the state is
/// consistent between calls.
pub(crate) fn lock<S: ?Sized, R>(
    shared: &Mutex<S>,
    f: impl FnOnce(&mut S, &mut Vec<Waker>) -> R,
) -> R {
    let mut wakes = Vec::new();
    let result = {
        let mut guard = shared.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard, &mut wakes)
    };
    for w in wakes {
        w.wake();
    }
    result
}

/// A request waiting for its outcome.
#[derive(Debug)]
struct Waiter<R> {
    outcome: Option<Result<R, RequestError>>,
    waker: Option<Waker>,
}

/// The requests whose futures are alive, by transaction.
#[derive(Debug)]
pub(crate) struct Waiters<R> {
    map: BTreeMap<TransactionId, Waiter<R>>,
}

impl<R> Waiters<R> {
    pub(crate) fn new() -> Self {
        Self {
            map: BTreeMap::new(),
        }
    }

    pub(crate) fn register(&mut self, txn: TransactionId) {
        self.map.insert(
            txn,
            Waiter {
                outcome: None,
                waker: None,
            },
        );
    }

    /// Stores an outcome. No waiter: its future was dropped (and the request cancelled), so
    /// nobody wants it.
    pub(crate) fn complete(
        &mut self,
        txn: TransactionId,
        outcome: Result<R, RequestError>,
        wakes: &mut Vec<Waker>,
    ) {
        if let Some(w) = self.map.get_mut(&txn) {
            w.outcome = Some(outcome);
            if let Some(waker) = w.waker.take() {
                wakes.push(waker);
            }
        }
    }

    pub(crate) fn poll(
        &mut self,
        txn: TransactionId,
        cx: &mut Context<'_>,
    ) -> Poll<Result<R, RequestError>> {
        let Some(w) = self.map.get_mut(&txn) else {
            // Never registered, or already taken: nothing will come.
            return Poll::Ready(Err(RequestError::Cancelled));
        };
        if let Some(outcome) = w.outcome.take() {
            self.map.remove(&txn);
            return Poll::Ready(outcome);
        }
        if !w.waker.as_ref().is_some_and(|x| x.will_wake(cx.waker())) {
            w.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Forgets a waiter; `true` if its request had no outcome yet.
    pub(crate) fn remove(&mut self, txn: TransactionId) -> bool {
        self.map.remove(&txn).is_some_and(|w| w.outcome.is_none())
    }

    /// Fails every waiter still without an outcome (the connection is gone). The cores end
    /// every transaction on close, so this only guards against a waiter they did not know.
    pub(crate) fn fail_all(&mut self, wakes: &mut Vec<Waker>) {
        for w in self.map.values_mut() {
            if w.outcome.is_none() {
                w.outcome = Some(Err(RequestError::ConnectionLost));
                if let Some(waker) = w.waker.take() {
                    wakes.push(waker);
                }
            }
        }
    }
}

/// A counted reference to a connection's state: the connection lives (its driver keeps
/// running) while one exists.
pub(crate) struct Conn<A: Api> {
    pub(crate) shared: Arc<Mutex<Shared<A>>>,
}

impl<A: Api> Conn<A> {
    /// The first reference (the count starts at one in the state).
    pub(crate) fn first(shared: Arc<Mutex<Shared<A>>>) -> Self {
        Self { shared }
    }

    /// Submits a request and returns the future of its typed outcome (see [`Pending`] on
    /// cancellation).
    pub(crate) fn call<R>(
        &self,
        request: R,
    ) -> impl Future<Output = Result<R::Output, Error>> + Send + 'static
    where
        R: Request<Command = A::Command, Reply = A::Reply>,
        R::Output: Send + 'static,
    {
        let pending = lock(&self.shared, |s, w| s.submit(request, w)).map(|txn| Pending {
            conn: self.clone(),
            txn,
            done: false,
        });
        async move { R::output(pending?.await?).map_err(Error::from) }
    }

    /// Runs `f` on the state.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Shared<A>, &mut Vec<Waker>) -> R) -> R {
        lock(&self.shared, f)
    }
}

impl<A: Api> Clone for Conn<A> {
    fn clone(&self) -> Self {
        lock(&self.shared, |s, _| s.link.clients += 1);
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<A: Api> Drop for Conn<A> {
    fn drop(&mut self) {
        lock(&self.shared, |s, w| {
            s.link.clients = s.link.clients.saturating_sub(1);
            if s.link.clients == 0 {
                s.wake_driver(w);
            }
        });
    }
}

/// A request in flight: resolves with its outcome, cancels it when dropped early.
pub(crate) struct Pending<A: Api> {
    conn: Conn<A>,
    txn: TransactionId,
    done: bool,
}

impl<A: Api> Future for Pending<A> {
    type Output = Result<A::Reply, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let txn = this.txn;
        match lock(&this.conn.shared, |s, _| s.poll_outcome(txn, cx)) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => {
                this.done = true;
                Poll::Ready(r.map_err(Error::from))
            }
        }
    }
}

impl<A: Api> Drop for Pending<A> {
    fn drop(&mut self) {
        if !self.done {
            let txn = self.txn;
            lock(&self.conn.shared, |s, w| s.abandon(txn, w));
        }
    }
}

/// What a connection (Janus API or Admin API) knows of its driver and its users: the
/// driver's waker, how many client handles are alive, and whether a close was asked for.
#[derive(Debug)]
pub(crate) struct DriverLink {
    driver: Option<Waker>,
    /// Live client handles (clients, sessions, handles and request futures hold one).
    pub(crate) clients: usize,
    pub(crate) close_requested: bool,
}

impl DriverLink {
    /// One client handle (the one `connect` returns), no driver polled yet.
    pub(crate) fn new() -> Self {
        DriverLink {
            driver: None,
            clients: 1,
            close_requested: false,
        }
    }

    /// Remembers the driver task's current waker.
    pub(crate) fn register(&mut self, waker: &Waker) {
        remember_waker(&mut self.driver, waker);
    }

    /// Queues the driver's waker to be woken.
    pub(crate) fn wake(&self, wakes: &mut Vec<Waker>) {
        if let Some(w) = &self.driver {
            wakes.push(w.clone());
        }
    }

    /// Why the driver should close the connection now, if it should.
    pub(crate) fn close_request(&self) -> Option<DriverEnd> {
        if self.close_requested {
            Some(DriverEnd::Closed)
        } else if self.clients == 0 {
            Some(DriverEnd::ClientsDropped)
        } else {
            None
        }
    }
}

/// Stores `waker` in `slot` unless the one there already wakes the same task.
pub(crate) fn remember_waker(slot: &mut Option<Waker>, waker: &Waker) {
    if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
        *slot = Some(waker.clone());
    }
}

/// An event that answers no request, as the event streams carry it (`None`: a kind with
/// nothing to route it by).
fn unsolicited<R>(event: Event<R>) -> Option<Event> {
    match event {
        Event::Handle {
            session,
            handle,
            event,
        } => Some(Event::Handle {
            session,
            handle,
            event,
        }),
        Event::Session { session, event } => Some(Event::Session { session, event }),
        Event::Connection(c) => Some(Event::Connection(c)),
        Event::Lagged { dropped } => Some(Event::Lagged { dropped }),
        _ => None,
    }
}

/// Everything of one connection that is not the socket.
#[derive(Debug)]
pub(crate) struct Shared<A: Api> {
    pub(crate) core: Core<A>,
    waiters: Waiters<A::Reply>,
    pub(crate) subscribers: Subscribers,
    pub(crate) link: DriverLink,
    /// The driver has finished or was dropped: nothing will be sent or received any more.
    pub(crate) ended: bool,
    /// Pool readers watching this connection's state: woken (once) after the next change.
    watchers: Vec<Waker>,
    /// The connection's tracing and metrics.
    observer: Observer,
}

impl<A: Api> Shared<A> {
    pub(crate) fn new(core: Core<A>, observer: Observer) -> Self {
        let capacity = core.config().event_queue_capacity;
        Self {
            observer,
            core,
            waiters: Waiters::new(),
            subscribers: Subscribers::new(capacity),
            link: DriverLink::new(),
            ended: false,
            watchers: Vec::new(),
        }
    }

    /// Wakes `waker` (once) after the next input, timer, close or request: whatever may
    /// change the connection's health or sessions.
    #[cfg(any(feature = "async-io", feature = "tokio"))]
    pub(crate) fn watch(&mut self, waker: &Waker) {
        if !self.watchers.iter().any(|w| w.will_wake(waker)) {
            self.watchers.push(waker.clone());
        }
    }

    /// Hands every outcome to its waiter, and wakes the streams whose queue in the core
    /// has something new (or went away).
    fn drain(&mut self, wakes: &mut Vec<Waker>) {
        while let Some(event) = self.core.poll_event_for(EventTarget::Outcomes) {
            // An ack only says the outcome is on its way; the request keeps waiting.
            if let Event::Completed { txn, outcome } = event {
                self.waiters.complete(txn, outcome, wakes);
            }
        }
        while let Some(target) = self.core.poll_ready() {
            self.subscribers.wake(target, wakes);
        }
        wakes.append(&mut self.watchers);
        self.observer.drain(&mut self.core);
    }

    /// A new stream for `target` (`None`: every target); the one reading it before ends.
    pub(crate) fn subscribe(
        &mut self,
        target: Option<EventTarget>,
        wakes: &mut Vec<Waker>,
    ) -> StreamId {
        self.core.subscribe(target);
        self.subscribers.subscribe(target, wakes)
    }
}

/// What client handles and request futures do to a connection's state.
impl<A: Api> Shared<A> {
    /// Submits a request and registers its waiter.
    fn submit<R>(&mut self, request: R, wakes: &mut Vec<Waker>) -> Result<TransactionId, UsageError>
    where
        R: Request<Command = A::Command>,
    {
        if self.ended {
            return Err(UsageError::Closed);
        }
        let txn = self.core.submit_request(Instant::now(), request)?;
        self.waiters.register(txn);
        self.drain(wakes);
        self.wake_driver(wakes);
        Ok(txn)
    }

    /// Polls a request's outcome.
    fn poll_outcome(
        &mut self,
        txn: TransactionId,
        cx: &mut Context<'_>,
    ) -> Poll<Result<A::Reply, RequestError>> {
        self.waiters.poll(txn, cx)
    }

    /// A request's future was dropped: end its transaction if it is still open.
    fn abandon(&mut self, txn: TransactionId, wakes: &mut Vec<Waker>) {
        if self.waiters.remove(txn) {
            // The core reports `Cancelled`, which nobody waits for any more; a request held
            // behind this one on its handle may now go out, so the driver has work.
            let _ = self.core.cancel(Instant::now(), txn);
            self.drain(wakes);
            self.wake_driver(wakes);
        }
    }

    /// Wakes the driver.
    pub(crate) fn wake_driver(&self, wakes: &mut Vec<Waker>) {
        self.link.wake(wakes);
    }
}

impl<A: Api> EventSource for Shared<A> {
    fn poll_stream(
        &mut self,
        target: Option<EventTarget>,
        id: StreamId,
        cx: &mut Context<'_>,
        wakes: &mut Vec<Waker>,
    ) -> Poll<Option<StreamItem>> {
        let open = target.is_none_or(|t| self.core.is_open(t));
        let (core, waiters) = (&mut self.core, &mut self.waiters);
        let next = || match target {
            Some(t) => core.poll_event_for(t).and_then(unsolicited),
            // Outcomes are handed to their waiters after every input, so none is queued
            // here; should one be, it still goes to its waiter, never to a stream.
            None => loop {
                match core.poll_event()? {
                    Event::Completed { txn, outcome } => waiters.complete(txn, outcome, wakes),
                    Event::Acked { .. } => {}
                    event => break unsolicited(event),
                }
            },
        };
        next_item(
            &mut self.subscribers,
            target,
            id,
            cx,
            next,
            open,
            self.ended,
        )
    }

    fn queued(&self, target: Option<EventTarget>) -> usize {
        self.core.queued(target)
    }

    fn unsubscribe(&mut self, target: Option<EventTarget>, id: StreamId) {
        if self.subscribers.unsubscribe(target, id) {
            self.core.unsubscribe(target);
        }
    }
}

impl<A: Api> Engine for Shared<A> {
    fn on_frame(&mut self, now: Instant, frame: Bytes, wakes: &mut Vec<Waker>) {
        self.observer.frame_in(&frame);
        if let Err(e) = self.core.handle_input(now, Input::Frame(frame)) {
            self.subscribers.bad_frame(e, wakes);
        }
        self.drain(wakes);
    }

    fn on_timeout(&mut self, now: Instant, wakes: &mut Vec<Waker>) {
        self.core.handle_timeout(now);
        self.drain(wakes);
    }

    fn on_closed(&mut self, now: Instant, wakes: &mut Vec<Waker>) {
        if self.ended {
            return;
        }
        self.ended = true;
        // The end of the driver: closed for good, whatever the reconnect policy.
        self.core.close(now);
        self.drain(wakes);
        self.waiters.fail_all(wakes);
        self.subscribers.wake_all(wakes);
    }

    fn poll_transmit(&mut self) -> Option<String> {
        let frame = self.core.poll_transmit()?;
        self.observer.frame_out(&frame);
        Some(frame)
    }

    fn poll_exchange(&mut self) -> Option<Exchange> {
        let exchange = self.core.poll_exchange()?;
        self.observer.exchange_out(&exchange);
        Some(exchange)
    }

    fn on_response(
        &mut self,
        now: Instant,
        id: ExchangeId,
        status: u16,
        body: Bytes,
        wakes: &mut Vec<Waker>,
    ) {
        self.observer.response_in(id, status, &body);
        // A body that cannot be used is reported as a bad frame is.
        if let Err(e) = self.core.handle_response(now, id, status, body) {
            self.subscribers.bad_frame(e, wakes);
        }
        self.drain(wakes);
    }

    fn on_exchange_failed(
        &mut self,
        now: Instant,
        id: ExchangeId,
        why: String,
        wakes: &mut Vec<Waker>,
    ) {
        self.core.handle_exchange_failed(now, id, why);
        self.drain(wakes);
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.core.poll_timeout()
    }

    fn register_driver(&mut self, waker: &Waker) {
        self.link.register(waker);
    }

    fn close_request(&self) -> Option<DriverEnd> {
        self.link.close_request()
    }

    fn on_pong(&mut self, now: Instant, wakes: &mut Vec<Waker>) {
        // A pong is always accepted.
        let _ = self.core.handle_input(now, Input::Pong);
        self.drain(wakes);
    }

    fn on_lost(&mut self, now: Instant, why: String, wakes: &mut Vec<Waker>) {
        // A loss is always accepted.
        let _ = self.core.handle_input(now, Input::Lost(why));
        self.drain(wakes);
    }

    fn on_connected(&mut self, now: Instant, wakes: &mut Vec<Waker>) {
        // A connection is always accepted.
        let _ = self.core.handle_input(now, Input::Connected);
        self.drain(wakes);
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.core.poll_action()
    }

    fn closed_end(&self, last_loss: Option<Error>) -> Option<DriverEnd> {
        if !self.core.is_closed() {
            return None;
        }
        if let Some(attempts) = self.core.gave_up() {
            return Some(DriverEnd::Lost(Error::GaveUp { attempts }));
        }
        let error = match (last_loss, self.core.last_disconnect()) {
            (Some(e), Some(Disconnect::Closed { .. }) | None) => e,
            (None, Some(Disconnect::Closed { .. }) | None) => RequestError::ConnectionLost.into(),
            // No pong, keepalives unanswered, over HTTP a long-poll unanswered or refused
            // with a `5xx` status.
            (_, Some(dead)) => Error::Dead(dead.clone()),
        };
        Some(DriverEnd::Lost(error))
    }

    fn reconnects(&self) -> bool {
        self.core.config().reconnect.is_some()
    }
}
