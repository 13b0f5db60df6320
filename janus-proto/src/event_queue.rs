//! The bounded event queue with an explicit overflow signal.

use std::collections::VecDeque;

use crate::event::Event;

/// Events waiting for the caller. Unsolicited events beyond the capacity are dropped and
/// counted, and an [`Event::Lagged`] takes their place; events that end a transaction or
/// change state are always kept.
#[derive(Debug)]
pub(crate) struct EventQueue<R> {
    queue: VecDeque<Event<R>>,
    capacity: usize,
    dropped: u64,
}

impl<R> EventQueue<R> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, event: Event<R>) {
        if !event.keeps_state() && self.queue.len() >= self.capacity {
            self.dropped += 1;
            return;
        }
        if self.dropped > 0 {
            let dropped = std::mem::take(&mut self.dropped);
            self.queue.push_back(Event::Lagged { dropped });
        }
        self.queue.push_back(event);
    }

    pub(crate) fn pop(&mut self) -> Option<Event<R>> {
        self.queue.pop_front().or_else(|| {
            (self.dropped > 0).then(|| Event::Lagged {
                dropped: std::mem::take(&mut self.dropped),
            })
        })
    }
}
