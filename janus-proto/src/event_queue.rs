//! The bounded event queue with an explicit overflow signal.

use std::collections::VecDeque;

use crate::event::{ConnectionEvent, Event, HandleEventKind};

/// Events waiting for the caller. Unsolicited events beyond the capacity are dropped and
/// counted, and an [`Event::Lagged`] takes their place; events that end a transaction or
/// change state are always kept.
#[derive(Debug)]
pub(crate) struct EventQueue {
    queue: VecDeque<Event>,
    capacity: usize,
    dropped: u64,
}

impl EventQueue {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, event: Event) {
        if !is_essential(&event) && self.queue.len() >= self.capacity {
            self.dropped += 1;
            return;
        }
        if self.dropped > 0 {
            let dropped = std::mem::take(&mut self.dropped);
            self.queue.push_back(Event::Lagged { dropped });
        }
        self.queue.push_back(event);
    }

    pub(crate) fn pop(&mut self) -> Option<Event> {
        self.queue.pop_front().or_else(|| {
            (self.dropped > 0).then(|| Event::Lagged {
                dropped: std::mem::take(&mut self.dropped),
            })
        })
    }
}

/// Events that must never be dropped: outcomes, and changes of session or handle state.
fn is_essential(event: &Event) -> bool {
    match event {
        Event::Completed { .. }
        | Event::Acked { .. }
        | Event::Session { .. }
        | Event::Lagged { .. } => true,
        Event::Handle { event, .. } => matches!(event.kind, HandleEventKind::Detached),
        Event::Connection(c) => matches!(c, ConnectionEvent::Closed),
    }
}
