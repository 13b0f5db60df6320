//! Event routing and buffering: every event goes to the queue of the one subscriber it is
//! for ([`EventTarget`]), and every queue is bounded by one policy.
//!
//! * A request's outcome and its ack go to [`EventTarget::Outcomes`]: the driver collects
//!   them for the caller waiting on the request. Never dropped.
//! * A handle's events go to that handle's queue, which exists from the moment its attach
//!   (or claim) reply is processed, whether or not anyone reads it yet.
//! * A session's own events go to the session's queue, from its create (or claim) reply on.
//! * Everything else (errors no request matches, late replies, unroutable frames, the end of
//!   the connection), and the events of a handle or session whose queue is gone, go to
//!   [`EventTarget::Connection`].
//!
//! Each queue holds up to [`Config::event_queue_capacity`](crate::Config) events. Past that,
//! events that only inform are dropped and counted in one [`Event::Lagged`] at the point
//! where they were lost; events that change state (outcomes, a session's end, `detached`,
//! the connection closing) are never dropped. Every event carries a sequence number, so
//! [`Router::pop_any`] gives the oldest event of all queues: reading through one queue or
//! through all gives each event exactly once, in arrival order.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::event::Event;
use crate::ids::{HandleId, SessionId};

/// Whose queue an event waits in (see [`Core::poll_event_for`](crate::Core::poll_event_for)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventTarget {
    /// Requests' outcomes ([`Event::Completed`]) and acks ([`Event::Acked`]).
    Outcomes,
    /// The connection: what no session or handle queue takes.
    Connection,
    /// One session's own events ([`Event::Session`]).
    Session(SessionId),
    /// One handle's events ([`Event::Handle`]).
    Handle(HandleId),
}

/// One subscriber's events, in order, with their sequence numbers.
#[derive(Debug)]
struct Queue<R> {
    items: VecDeque<(u64, Event<R>)>,
    /// Informative events held (lag notices excluded), for the bound.
    held: usize,
    /// The last item is a lag notice still counting drops.
    counting: bool,
    /// The target has ended: the queue goes away once it is read empty.
    ended: bool,
}

impl<R> Queue<R> {
    fn new() -> Self {
        Queue {
            items: VecDeque::new(),
            held: 0,
            counting: false,
            ended: false,
        }
    }
}

/// The queues of one connection.
#[derive(Debug)]
pub(crate) struct Router<R> {
    capacity: usize,
    next_seq: u64,
    queues: BTreeMap<EventTarget, Queue<R>>,
    /// The sequence number of every queue's first item, to find the oldest event.
    heads: BTreeSet<(u64, EventTarget)>,
    /// Targets that received an event since [`take_ready`](Self::take_ready), among the
    /// subscribed ones.
    ready: BTreeSet<EventTarget>,
    /// Targets someone waits on (`ready` tracks only these, so it stays bounded when
    /// nobody asks).
    subscribed: BTreeSet<EventTarget>,
    /// Someone waits on every target.
    subscribed_all: bool,
}

impl<R> Router<R> {
    /// Queues of `capacity` events each (at least 1); the outcome and connection queues
    /// exist from the start.
    pub(crate) fn new(capacity: usize) -> Self {
        let mut queues = BTreeMap::new();
        queues.insert(EventTarget::Outcomes, Queue::new());
        queues.insert(EventTarget::Connection, Queue::new());
        Router {
            capacity: capacity.max(1),
            next_seq: 0,
            queues,
            heads: BTreeSet::new(),
            ready: BTreeSet::new(),
            subscribed: BTreeSet::new(),
            subscribed_all: false,
        }
    }

    /// Someone waits on `target` (`None`: on every target): [`take_ready`](Self::take_ready)
    /// reports it from now on.
    pub(crate) fn subscribe(&mut self, target: Option<EventTarget>) {
        match target {
            Some(t) => {
                self.subscribed.insert(t);
            }
            None => self.subscribed_all = true,
        }
    }

    /// Nobody waits on `target` any more.
    pub(crate) fn unsubscribe(&mut self, target: Option<EventTarget>) {
        match target {
            Some(t) => {
                self.subscribed.remove(&t);
                if !self.subscribed_all {
                    self.ready.remove(&t);
                }
            }
            None => {
                self.subscribed_all = false;
                let subscribed = &self.subscribed;
                self.ready.retain(|t| subscribed.contains(t));
            }
        }
    }

    /// Notes that `target` changed, if anyone waits on it.
    fn changed(&mut self, target: EventTarget) {
        if self.subscribed_all || self.subscribed.contains(&target) {
            self.ready.insert(target);
        }
    }

    /// A session or handle became live: its events are queued for it from now on.
    pub(crate) fn open(&mut self, target: EventTarget) {
        let queue = self.queues.entry(target).or_insert_with(Queue::new);
        queue.ended = false;
    }

    /// A session or handle ended: its queue goes away once it has been read empty (events
    /// that come later go to the session's queue or the connection's).
    pub(crate) fn end(&mut self, target: EventTarget) {
        if matches!(target, EventTarget::Outcomes | EventTarget::Connection) {
            return;
        }
        if let Some(queue) = self.queues.get_mut(&target) {
            queue.ended = true;
            if queue.items.is_empty() {
                self.queues.remove(&target);
                // Whoever reads it learns that it is over.
                self.changed(target);
            }
        }
    }

    /// How many events wait for `target` (`None`: for anyone but the outcomes).
    pub(crate) fn len(&self, target: Option<EventTarget>) -> usize {
        match target {
            Some(t) => self.queues.get(&t).map_or(0, |q| q.items.len()),
            None => self
                .queues
                .iter()
                .filter(|(t, _)| **t != EventTarget::Outcomes)
                .map(|(_, q)| q.items.len())
                .sum(),
        }
    }

    /// Whether `target` has a queue: live, or ended with events still to read.
    pub(crate) fn is_open(&self, target: EventTarget) -> bool {
        self.queues.contains_key(&target)
    }

    /// Where an event goes.
    fn target_of(&self, event: &Event<R>) -> EventTarget {
        let wanted = match event {
            Event::Completed { .. } | Event::Acked { .. } => return EventTarget::Outcomes,
            Event::Handle {
                session, handle, ..
            } => {
                if self.queues.contains_key(&EventTarget::Handle(*handle)) {
                    return EventTarget::Handle(*handle);
                }
                EventTarget::Session(*session)
            }
            Event::Session { session, .. } => EventTarget::Session(*session),
            _ => EventTarget::Connection,
        };
        if self.queues.contains_key(&wanted) {
            wanted
        } else {
            EventTarget::Connection
        }
    }

    /// Queues an event for its subscriber; `false` if it was dropped (a full queue counts it
    /// in its [`Event::Lagged`] instead).
    pub(crate) fn push(&mut self, event: Event<R>) -> bool {
        let target = self.target_of(&event);
        let seq = self.next_seq;
        self.next_seq += 1;
        let capacity = self.capacity;
        let Some(queue) = self.queues.get_mut(&target) else {
            return true;
        };
        let keep = event.keeps_state() || queue.held < capacity;
        let item = if keep {
            queue.counting = false;
            queue.held += 1;
            event
        } else if queue.counting {
            if let Some((_, Event::Lagged { dropped })) = queue.items.back_mut() {
                *dropped += 1;
            }
            return false;
        } else {
            queue.counting = true;
            Event::Lagged { dropped: 1 }
        };
        if queue.items.is_empty() {
            self.heads.insert((seq, target));
        }
        // Most queues hold one event at a time (a session's end, a handle's `detached`):
        // room for one first, rather than the four a first push reserves (an event is
        // about 200 bytes, and every session and handle has a queue).
        if queue.items.capacity() == 0 {
            queue.items.reserve_exact(1);
        }
        queue.items.push_back((seq, item));
        self.changed(target);
        keep
    }

    /// The oldest event of `target`.
    pub(crate) fn pop(&mut self, target: EventTarget) -> Option<Event<R>> {
        let queue = self.queues.get_mut(&target)?;
        let (seq, event) = queue.items.pop_front()?;
        self.heads.remove(&(seq, target));
        if !matches!(event, Event::Lagged { .. }) {
            queue.held -= 1;
        }
        match queue.items.front() {
            Some((next, _)) => {
                self.heads.insert((*next, target));
            }
            None => {
                queue.counting = false;
                if queue.ended {
                    self.queues.remove(&target);
                }
            }
        }
        Some(event)
    }

    /// The oldest event of all queues.
    pub(crate) fn pop_any(&mut self) -> Option<Event<R>> {
        let &(_, target) = self.heads.first()?;
        self.pop(target)
    }

    /// The subscribed targets that received an event, or whose queue went away, since the
    /// last call.
    pub(crate) fn take_ready(&mut self) -> Option<EventTarget> {
        self.ready.pop_first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ConnectionEvent, Reply};

    fn closed() -> Event<Reply> {
        Event::Connection(ConnectionEvent::Closed)
    }

    fn lagged(dropped: u64) -> Event<Reply> {
        Event::Lagged { dropped }
    }

    #[test]
    fn a_full_queue_counts_its_drops_where_they_happened_and_keeps_state_changes() {
        let mut router: Router<Reply> = Router::new(2);
        let session = EventTarget::Session(SessionId(1));
        router.open(session);
        let other = || Event::Session {
            session: SessionId(1),
            event: crate::SessionEvent::Disconnected,
        };
        // Disconnected keeps state: never dropped.
        for _ in 0..3 {
            router.push(other());
        }
        assert_eq!(router.queues[&session].items.len(), 3);
        for _ in 0..3 {
            assert_eq!(router.pop(session), Some(other()));
        }
        assert_eq!(router.pop(session), None);
    }

    #[test]
    fn informative_events_past_the_bound_become_one_lag_notice_in_place() {
        let mut router: Router<Reply> = Router::new(2);
        let unroutable = || {
            Event::Connection(ConnectionEvent::LateReply {
                txn: crate::TransactionId(1),
                raw: crate::wire::RawFrame::new(bytes::Bytes::from_static(b"{}")),
            })
        };
        for _ in 0..5 {
            router.push(unroutable());
        }
        router.push(closed());
        router.push(unroutable());
        let got: Vec<_> = std::iter::from_fn(|| router.pop(EventTarget::Connection)).collect();
        assert_eq!(
            got,
            [unroutable(), unroutable(), lagged(3), closed(), lagged(1)]
        );
    }

    #[test]
    fn reading_one_queue_or_all_gives_arrival_order_and_an_ended_queue_goes_away() {
        let mut router: Router<Reply> = Router::new(8);
        router.subscribe(None);
        let handle = EventTarget::Handle(HandleId(2));
        let session = EventTarget::Session(SessionId(1));
        router.open(session);
        router.open(handle);
        let detached = Event::Handle {
            session: SessionId(1),
            handle: HandleId(2),
            event: crate::HandleEvent {
                kind: crate::HandleEventKind::Detached,
                raw: crate::wire::RawFrame::new(bytes::Bytes::from_static(b"{}")),
            },
        };
        router.push(detached.clone());
        router.push(closed());
        router.end(handle);
        assert!(router.is_open(handle), "not read yet");
        assert_eq!(router.pop_any(), Some(detached.clone()));
        assert!(!router.is_open(handle), "read empty after its end");
        // A trailing event of the gone handle goes to its session.
        router.push(detached.clone());
        assert_eq!(router.pop_any(), Some(closed()));
        assert_eq!(router.pop(session), Some(detached));
        let ready: Vec<_> = std::iter::from_fn(|| router.take_ready()).collect();
        assert_eq!(
            ready,
            [EventTarget::Connection, session, handle],
            "every target that changed"
        );
    }

    #[test]
    fn only_subscribed_targets_are_reported_ready() {
        let mut router: Router<Reply> = Router::new(8);
        router.push(closed());
        assert_eq!(
            router.take_ready(),
            None,
            "nobody waits: nothing is tracked"
        );
        router.subscribe(Some(EventTarget::Connection));
        router.push(closed());
        assert_eq!(router.take_ready(), Some(EventTarget::Connection));
        router.push(closed());
        router.unsubscribe(Some(EventTarget::Connection));
        assert_eq!(router.take_ready(), None);
    }
}
