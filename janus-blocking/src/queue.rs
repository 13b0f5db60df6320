//! Events held for `next_event` while a call waits for its own reply.
//!
//! The core's own queue is drained on every turn (the adapter has to look at every event to
//! find the outcome a call waits for), so the bound moves here, with the same capacity
//! ([`Config::event_queue_capacity`](janus_proto::Config::event_queue_capacity)) and the same
//! rule as the core's queue: past it, events that only inform are dropped and counted in a
//! lag notice ([`janus_proto::Event::Lagged`]); events that change state are always kept.

use std::collections::VecDeque;

use janus_proto::{Event, ProtocolError};

/// One thing for `next_event`.
#[derive(Debug)]
pub(crate) enum Item<R> {
    Event(Event<R>),
    /// A frame the core could not use.
    Protocol(ProtocolError),
}

#[derive(Debug)]
pub(crate) struct EventBuffer<R> {
    items: VecDeque<Item<R>>,
    capacity: usize,
    dropped: u64,
}

impl<R> EventBuffer<R> {
    /// A buffer of `capacity` (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, item: Item<R>) {
        if let Item::Event(Event::Lagged { dropped }) = &item {
            // The core dropped some before they reached us: one count for both.
            self.dropped = self.dropped.saturating_add(*dropped);
            return;
        }
        let keeps_state = match &item {
            Item::Event(event) => event.keeps_state(),
            Item::Protocol(_) => false,
        };
        if self.items.len() >= self.capacity && !keeps_state {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if let Some(lagged) = self.take_lag() {
            self.items.push_back(Item::Event(lagged));
        }
        self.items.push_back(item);
    }

    pub(crate) fn pop(&mut self) -> Option<Item<R>> {
        self.items
            .pop_front()
            .or_else(|| self.take_lag().map(Item::Event))
    }

    fn take_lag(&mut self) -> Option<Event<R>> {
        if self.dropped == 0 {
            return None;
        }
        Some(Event::Lagged {
            dropped: std::mem::take(&mut self.dropped),
        })
    }
}

#[cfg(test)]
mod tests {
    use janus_proto::{ConnectionEvent, Reply};

    use super::*;

    fn unroutable() -> Item<Reply> {
        let now = std::time::Instant::now();
        let mut client = janus_proto::Client::new(janus_proto::Config::new(), now);
        client
            .handle_input(
                now,
                janus_proto::Input::text(r#"{"janus":"success","transaction":"x"}"#),
            )
            .ok();
        Item::Event(client.poll_event().expect("an unroutable event"))
    }

    #[test]
    fn overflow_is_counted_and_state_changes_are_kept() {
        let mut q = EventBuffer::new(2);
        for _ in 0..5 {
            q.push(unroutable());
        }
        q.push(Item::Event(Event::Connection(ConnectionEvent::Closed)));
        q.push(Item::Event(Event::Lagged { dropped: 4 }));
        assert!(matches!(q.pop(), Some(Item::Event(Event::Connection(_)))));
        assert!(matches!(q.pop(), Some(Item::Event(Event::Connection(_)))));
        assert!(matches!(
            q.pop(),
            Some(Item::Event(Event::Lagged { dropped: 3 }))
        ));
        assert!(matches!(
            q.pop(),
            Some(Item::Event(Event::Connection(ConnectionEvent::Closed)))
        ));
        assert!(matches!(
            q.pop(),
            Some(Item::Event(Event::Lagged { dropped: 4 }))
        ));
        assert!(q.pop().is_none());
    }
}
