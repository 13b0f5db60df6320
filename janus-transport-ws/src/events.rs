//! Event streams: bounded per-handle, per-session and connection queues with a lag signal.

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use janus_proto::{Event, HandleEvent, HandleId, ProtocolError, SessionEvent, SessionId};

use crate::shared::{lock, QueueHost};

/// One item of an event stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamItem {
    /// Something Janus said (or the core concluded), exactly as
    /// [`janus_proto::Client::poll_event`] reported it: [`Event::Handle`] and
    /// [`Event::Session`] on handle and session streams, anything on the connection stream.
    Event(Event),
    /// The stream's buffer was full: this many events meant for it were dropped, just
    /// before this point. The newest events are the ones dropped; the order of the rest is
    /// kept.
    Lagged {
        /// How many events were dropped.
        missed: u64,
    },
    /// A frame from the server that is not a Janus message (connection stream only). It was
    /// dropped and the connection goes on.
    BadFrame(ProtocolError),
}

impl StreamItem {
    /// The event, if this item is one.
    pub fn event(&self) -> Option<&Event> {
        match self {
            StreamItem::Event(e) => Some(e),
            _ => None,
        }
    }

    /// The handle event, if this item is one.
    pub fn handle_event(&self) -> Option<&HandleEvent> {
        match self {
            StreamItem::Event(Event::Handle { event, .. }) => Some(event),
            _ => None,
        }
    }

    /// The session event, if this item is one.
    pub fn session_event(&self) -> Option<&SessionEvent> {
        match self {
            StreamItem::Event(Event::Session { event, .. }) => Some(event),
            _ => None,
        }
    }
}

/// A bounded queue feeding one stream.
#[derive(Debug)]
struct Queue {
    items: VecDeque<StreamItem>,
    missed: u64,
    closed: bool,
    waker: Option<Waker>,
}

impl Queue {
    fn new() -> Self {
        Self {
            items: VecDeque::new(),
            missed: 0,
            closed: false,
            waker: None,
        }
    }
}

/// Identifies one queue.
pub(crate) type QueueId = u64;

/// Every queue of a connection, and which one each handle, session and the connection feed.
#[derive(Debug)]
pub(crate) struct Queues {
    capacity: usize,
    next: QueueId,
    queues: BTreeMap<QueueId, Queue>,
    handles: BTreeMap<HandleId, (SessionId, QueueId)>,
    sessions: BTreeMap<SessionId, QueueId>,
    /// The connection queue; it always exists, buffering until someone subscribes.
    connection: QueueId,
    /// Whether a [`ConnectionEvents`] stream reads the connection queue.
    connection_owned: bool,
}

impl Queues {
    pub(crate) fn new(capacity: usize) -> Self {
        let mut queues = BTreeMap::new();
        queues.insert(0, Queue::new());
        Self {
            capacity: capacity.max(1),
            next: 1,
            queues,
            handles: BTreeMap::new(),
            sessions: BTreeMap::new(),
            connection: 0,
            connection_owned: false,
        }
    }

    fn create(&mut self, closed: bool) -> QueueId {
        let id = self.next;
        self.next += 1;
        let mut q = Queue::new();
        q.closed = closed;
        self.queues.insert(id, q);
        id
    }

    /// Appends to a queue, or counts the item as missed when the queue is full.
    fn push(&mut self, id: QueueId, item: StreamItem, wakes: &mut Vec<Waker>) {
        let cap = self.capacity;
        let Some(q) = self.queues.get_mut(&id) else {
            return;
        };
        if q.closed {
            return;
        }
        if q.items.len() >= cap {
            q.missed += 1;
            return;
        }
        if q.missed > 0 {
            q.items.push_back(StreamItem::Lagged { missed: q.missed });
            q.missed = 0;
        }
        q.items.push_back(item);
        if let Some(w) = q.waker.take() {
            wakes.push(w);
        }
    }

    fn close(&mut self, id: QueueId, wakes: &mut Vec<Waker>) {
        if let Some(q) = self.queues.get_mut(&id) {
            q.closed = true;
            if let Some(w) = q.waker.take() {
                wakes.push(w);
            }
        }
    }

    /// Ends every stream (the connection is gone).
    pub(crate) fn close_all(&mut self, wakes: &mut Vec<Waker>) {
        let ids: Vec<QueueId> = self.queues.keys().copied().collect();
        for id in ids {
            self.close(id, wakes);
        }
        self.handles.clear();
        self.sessions.clear();
    }

    fn session_queue(&self, session: SessionId) -> QueueId {
        self.sessions
            .get(&session)
            .copied()
            .unwrap_or(self.connection)
    }

    /// Routes one event from the core to its stream, and ends streams it finishes.
    pub(crate) fn dispatch(&mut self, event: Event, wakes: &mut Vec<Waker>) {
        match event {
            Event::Handle {
                session,
                handle,
                event,
            } => {
                let detached = matches!(
                    event.kind,
                    janus_proto::HandleEventKind::Detached | janus_proto::HandleEventKind::Gone(_)
                );
                let target = match self.handles.get(&handle) {
                    Some(&(_, q)) => q,
                    None => self.session_queue(session),
                };
                self.push(
                    target,
                    StreamItem::Event(Event::Handle {
                        session,
                        handle,
                        event,
                    }),
                    wakes,
                );
                if detached {
                    if let Some((_, q)) = self.handles.remove(&handle) {
                        self.close(q, wakes);
                    }
                }
            }
            Event::Session { session, event } => {
                let ended = matches!(event, SessionEvent::Ended(_));
                let target = self.session_queue(session);
                self.push(
                    target,
                    StreamItem::Event(Event::Session { session, event }),
                    wakes,
                );
                if ended {
                    if let Some(q) = self.sessions.remove(&session) {
                        self.close(q, wakes);
                    }
                    let gone: Vec<HandleId> = self
                        .handles
                        .iter()
                        .filter(|(_, (s, _))| *s == session)
                        .map(|(h, _)| *h)
                        .collect();
                    for h in gone {
                        if let Some((_, q)) = self.handles.remove(&h) {
                            self.close(q, wakes);
                        }
                    }
                }
            }
            Event::Lagged { dropped } => {
                self.push(
                    self.connection,
                    StreamItem::Lagged { missed: dropped },
                    wakes,
                );
            }
            other => self.push(self.connection, StreamItem::Event(other), wakes),
        }
    }

    /// Reports a frame the core rejected on the connection stream.
    pub(crate) fn bad_frame(&mut self, error: ProtocolError, wakes: &mut Vec<Waker>) {
        self.push(self.connection, StreamItem::BadFrame(error), wakes);
    }

    /// A new queue for a handle; `live` false gives one that is already over.
    pub(crate) fn subscribe_handle(
        &mut self,
        session: SessionId,
        handle: HandleId,
        live: bool,
        wakes: &mut Vec<Waker>,
    ) -> QueueId {
        let id = self.create(!live);
        if live {
            if let Some((_, old)) = self.handles.insert(handle, (session, id)) {
                self.close(old, wakes);
            }
        }
        id
    }

    /// A new queue for a session; `live` false gives one that is already over.
    pub(crate) fn subscribe_session(
        &mut self,
        session: SessionId,
        live: bool,
        wakes: &mut Vec<Waker>,
    ) -> QueueId {
        let id = self.create(!live);
        if live {
            if let Some(old) = self.sessions.insert(session, id) {
                self.close(old, wakes);
            }
        }
        id
    }

    /// The connection queue for a new subscriber: the buffered one if nobody reads it yet.
    pub(crate) fn subscribe_connection(&mut self, wakes: &mut Vec<Waker>) -> QueueId {
        if self.connection_owned {
            let old = self.connection;
            let closed = self.queues.get(&old).is_some_and(|q| q.closed);
            self.close(old, wakes);
            self.connection = self.create(closed);
        }
        self.connection_owned = true;
        self.connection
    }

    /// A stream is gone: forget its queue and its routes.
    fn unsubscribe(&mut self, id: QueueId) {
        let closed = self.queues.remove(&id).is_some_and(|q| q.closed);
        self.handles.retain(|_, (_, q)| *q != id);
        self.sessions.retain(|_, q| *q != id);
        if self.connection == id {
            self.connection = self.create(closed);
            self.connection_owned = false;
        }
    }

    fn poll_queue(&mut self, id: QueueId, cx: &mut Context<'_>) -> Poll<Option<StreamItem>> {
        let Some(q) = self.queues.get_mut(&id) else {
            return Poll::Ready(None);
        };
        if let Some(item) = q.items.pop_front() {
            return Poll::Ready(Some(item));
        }
        if q.missed > 0 {
            let missed = std::mem::take(&mut q.missed);
            return Poll::Ready(Some(StreamItem::Lagged { missed }));
        }
        if q.closed {
            return Poll::Ready(None);
        }
        if !q.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            q.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    fn len(&self, id: QueueId) -> usize {
        self.queues.get(&id).map_or(0, |q| q.items.len())
    }
}

/// The machinery shared by the three stream types.
pub(crate) struct EventStream {
    shared: Arc<Mutex<dyn QueueHost>>,
    id: QueueId,
}

impl EventStream {
    pub(crate) fn new(shared: Arc<Mutex<dyn QueueHost>>, id: QueueId) -> Self {
        Self { shared, id }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<StreamItem>> {
        let id = self.id;
        lock(&self.shared, |s, _| s.queues().poll_queue(id, cx))
    }

    fn queued(&self) -> usize {
        let id = self.id;
        lock(&self.shared, |s, _| s.queues().len(id))
    }
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("queued", &self.queued())
            .finish()
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let id = self.id;
        lock(&self.shared, |s, _| s.queues().unsubscribe(id));
    }
}

macro_rules! event_stream {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(pub(crate) EventStream);

        impl $name {
            /// How many items wait in the buffer.
            pub fn queued(&self) -> usize {
                self.0.queued()
            }
        }

        impl Stream for $name {
            type Item = StreamItem;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<StreamItem>> {
                self.get_mut().0.poll_next(cx)
            }
        }
    };
}

event_stream! {
    /// The events of one handle ([`Handle::events`](crate::Handle::events)): plugin events
    /// that answer no pending request, `webrtcup`, `media`, `slowlink`, `hangup`, server
    /// `trickle`s and `detached`, each as [`Event::Handle`].
    ///
    /// It ends (yields `None`) after the `detached` event, when the session ends, when the
    /// connection closes, or when another stream is opened for the same handle.
    HandleEvents
}

event_stream! {
    /// The events of one session ([`Session::events`](crate::Session::events)): its
    /// [`Event::Session`] events (`timeout`, destroyed, disconnected, failed keepalives) and
    /// the [`Event::Handle`] events of its handles that have no [`HandleEvents`] stream.
    ///
    /// It ends after [`SessionEvent::Ended`], when the connection closes, or when another
    /// stream is opened for the same session.
    SessionEvents
}

event_stream! {
    /// Connection-level events ([`Client::connection_events`](crate::Client::connection_events)):
    /// uncorrelated Janus errors, late replies, unroutable messages, undecodable frames, the
    /// final [`ConnectionEvent::Closed`](janus_proto::ConnectionEvent::Closed), and every
    /// session or handle event that has no session or handle stream to go to.
    ///
    /// Its buffer exists from the start: events that arrive before the first call of
    /// `connection_events` wait there (up to the buffer size, then counted as lagged). It
    /// ends when the connection is over, or when another connection stream is opened.
    ConnectionEvents
}
