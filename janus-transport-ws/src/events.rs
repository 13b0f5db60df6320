//! Event streams: each reads one subscriber's queue in the core (a handle, a session, the
//! connection); this module only knows which stream reads which queue and whom to wake.

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use janus_proto::plugins::{Plugin, PluginEvent};
use janus_proto::{Event, EventTarget, HandleEvent, ProtocolError, SessionEvent};

use crate::shared::{lock, remember_waker};

/// One item of an event stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamItem {
    /// Something Janus said (or the core concluded), exactly as
    /// [`janus_proto::Client::poll_event`] reported it: [`Event::Handle`] and
    /// [`Event::Session`] on handle and session streams, anything on the connection stream.
    Event(Event),
    /// The subscriber's queue was full: this many events meant for it were dropped, just
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

/// Identifies one stream among those opened for the same subscriber.
pub(crate) type StreamId = u64;

/// Which stream reads each subscriber's queue in the core, and where to wake it. The queues
/// themselves are the core's ([`janus_proto::Core::poll_event_for`]): one per handle from its
/// attach on, one per session, one for the connection, each bounded with a lag count.
#[derive(Debug, Default)]
pub(crate) struct Subscribers {
    next: StreamId,
    /// `None`: the stream of every subscriber's events.
    readers: BTreeMap<Option<EventTarget>, (StreamId, Option<Waker>)>,
    /// Frames the core could not use, for the connection stream, at most `capacity`; past
    /// that they are counted in `bad_missed`.
    bad_frames: VecDeque<ProtocolError>,
    bad_missed: u64,
    capacity: usize,
}

impl Subscribers {
    pub(crate) fn new(capacity: usize) -> Self {
        Subscribers {
            capacity: capacity.max(1),
            ..Subscribers::default()
        }
    }

    /// A new stream for `target` (`None`: every subscriber's events); the one reading it
    /// before ends.
    pub(crate) fn subscribe(
        &mut self,
        target: Option<EventTarget>,
        wakes: &mut Vec<Waker>,
    ) -> StreamId {
        self.next += 1;
        let id = self.next;
        if let Some((_, Some(old))) = self.readers.insert(target, (id, None)) {
            wakes.push(old);
        }
        id
    }

    /// A stream is gone; `true` if it was the one reading `target` (nobody does now).
    pub(crate) fn unsubscribe(&mut self, target: Option<EventTarget>, id: StreamId) -> bool {
        let current = self.readers.get(&target).is_some_and(|(c, _)| *c == id);
        if current {
            self.readers.remove(&target);
        }
        current
    }

    /// Wakes the stream reading `target`, if any, and the stream of every event.
    pub(crate) fn wake(&mut self, target: EventTarget, wakes: &mut Vec<Waker>) {
        for key in [Some(target), None] {
            if let Some((_, Some(w))) = self.readers.get_mut(&key).map(|(id, w)| (id, w.take())) {
                wakes.push(w);
            }
        }
    }

    /// Wakes every stream (the connection is over).
    pub(crate) fn wake_all(&mut self, wakes: &mut Vec<Waker>) {
        wakes.extend(self.readers.values_mut().filter_map(|(_, w)| w.take()));
    }

    /// A frame the core rejected, for the connection stream.
    pub(crate) fn bad_frame(&mut self, error: ProtocolError, wakes: &mut Vec<Waker>) {
        if self.bad_frames.len() < self.capacity {
            self.bad_frames.push_back(error);
        } else {
            self.bad_missed += 1;
        }
        self.wake(EventTarget::Connection, wakes);
    }

    /// Whether `id` still reads `target`, remembering its waker if so.
    fn current(&mut self, target: Option<EventTarget>, id: StreamId, cx: &Context<'_>) -> bool {
        match self.readers.get_mut(&target) {
            Some((current, waker)) if *current == id => {
                remember_waker(waker, cx.waker());
                true
            }
            _ => false,
        }
    }
}

/// What a stream needs from its connection's state.
pub(crate) trait EventSource: Send {
    /// The next item for the stream `id` reading `target`.
    fn poll_stream(
        &mut self,
        target: Option<EventTarget>,
        id: StreamId,
        cx: &mut Context<'_>,
        wakes: &mut Vec<Waker>,
    ) -> Poll<Option<StreamItem>>;
    /// How many items wait for `target`.
    fn queued(&self, target: Option<EventTarget>) -> usize;
    /// The stream `id` reading `target` is gone.
    fn unsubscribe(&mut self, target: Option<EventTarget>, id: StreamId);
}

/// The next item of the stream `id` reading `target`, given the next core event for it
/// (`None`: none now), whether the core still has a queue for it, and whether the connection
/// is over.
pub(crate) fn next_item(
    subscribers: &mut Subscribers,
    target: Option<EventTarget>,
    id: StreamId,
    cx: &mut Context<'_>,
    event: impl FnOnce() -> Option<Event>,
    open: bool,
    ended: bool,
) -> Poll<Option<StreamItem>> {
    if !subscribers.current(target, id, cx) {
        // Another stream took over this subscriber.
        return Poll::Ready(None);
    }
    if matches!(target, None | Some(EventTarget::Connection)) {
        if let Some(e) = subscribers.bad_frames.pop_front() {
            return Poll::Ready(Some(StreamItem::BadFrame(e)));
        }
        if subscribers.bad_missed > 0 {
            let missed = std::mem::take(&mut subscribers.bad_missed);
            return Poll::Ready(Some(StreamItem::Lagged { missed }));
        }
    }
    match event() {
        Some(Event::Lagged { dropped }) => {
            Poll::Ready(Some(StreamItem::Lagged { missed: dropped }))
        }
        Some(event) => Poll::Ready(Some(StreamItem::Event(event))),
        None if ended || !open => Poll::Ready(None),
        None => Poll::Pending,
    }
}

/// The machinery shared by the three stream types.
pub(crate) struct EventStream {
    shared: Arc<Mutex<dyn EventSource>>,
    target: Option<EventTarget>,
    id: StreamId,
}

impl EventStream {
    pub(crate) fn new(
        shared: Arc<Mutex<dyn EventSource>>,
        target: Option<EventTarget>,
        id: StreamId,
    ) -> Self {
        Self { shared, target, id }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<StreamItem>> {
        let (target, id) = (self.target, self.id);
        lock(&self.shared, |s, w| s.poll_stream(target, id, cx, w))
    }

    fn queued(&self) -> usize {
        let target = self.target;
        lock(&self.shared, |s, _| s.queued(target))
    }
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("target", &self.target)
            .field("queued", &self.queued())
            .finish()
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let (target, id) = (self.target, self.id);
        lock(&self.shared, |s, _| s.unsubscribe(target, id));
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
    /// [`Event::Session`] events (`timeout`, destroyed, disconnected, failed keepalives), and
    /// events of a handle of it that ended and whose own stream was already read to its end.
    ///
    /// It ends after [`SessionEvent::Ended`], when the connection closes, or when another
    /// stream is opened for the same session.
    SessionEvents
}

event_stream! {
    /// Every event that answers no request, of every subscriber (the connection, each
    /// session, each handle), oldest first ([`Client::events`](crate::Client::events)): what
    /// the other streams would give, for a program with one event loop. Each event comes
    /// out once, whichever stream reads it. It ends when the connection is over, or when
    /// another such stream is opened.
    AllEvents
}

event_stream! {
    /// Connection-level events ([`Client::connection_events`](crate::Client::connection_events)):
    /// uncorrelated Janus errors, late replies, unroutable messages, undecodable frames, the
    /// final [`ConnectionEvent::Closed`](janus_proto::ConnectionEvent::Closed), and the
    /// events of a session that ended and whose own stream was already read to its end.
    ///
    /// Its queue exists from the start: events that arrive before the first call of
    /// `connection_events` wait there (up to the queue's bound, then counted as lagged). It
    /// ends when the connection is over, or when another connection stream is opened.
    ConnectionEvents
}

/// The events of one handle typed by its plugin `P`
/// ([`TypedHandle::events`](crate::TypedHandle::events)): what [`HandleEvents`] gives, with
/// `P`'s own events as [`PluginEvent::Plugin`] and the rest (WebRTC state, hangup, detach,
/// [`Event::Lagged`] for a full queue) as [`PluginEvent::Other`]. It ends when
/// [`HandleEvents`] would.
pub struct PluginEvents<P> {
    events: HandleEvents,
    plugin: std::marker::PhantomData<fn() -> P>,
}

impl<P> std::fmt::Debug for PluginEvents<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PluginEvents").field(&self.events).finish()
    }
}

impl<P: Plugin> PluginEvents<P> {
    pub(crate) fn new(events: HandleEvents) -> Self {
        Self {
            events,
            plugin: std::marker::PhantomData,
        }
    }

    /// How many items wait in the buffer.
    pub fn queued(&self) -> usize {
        self.events.queued()
    }
}

impl<P: Plugin> Stream for PluginEvents<P> {
    type Item = PluginEvent<P::Event>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            return match Pin::new(&mut this.events).poll_next(cx) {
                Poll::Ready(Some(StreamItem::Event(event))) => {
                    Poll::Ready(Some(PluginEvent::of::<P>(event)))
                }
                Poll::Ready(Some(StreamItem::Lagged { missed })) => {
                    Poll::Ready(Some(PluginEvent::Other(Event::Lagged { dropped: missed })))
                }
                // Bad frames go to the connection's stream only (see `next_item`).
                Poll::Ready(Some(StreamItem::BadFrame(_))) => continue,
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}
