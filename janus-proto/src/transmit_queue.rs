//! Request frames waiting for the transport to take them with `poll_transmit`.

use std::collections::VecDeque;

use crate::ids::TransactionId;
use crate::secret::OutFrame;

/// Frames in the order they must go out, each tagged with its transaction so that a request
/// cancelled before the transport took its frame is never sent at all.
#[derive(Debug, Default)]
pub(crate) struct TransmitQueue(VecDeque<(TransactionId, OutFrame)>);

impl TransmitQueue {
    /// Queues `txn`'s frame behind the others.
    pub(crate) fn push(&mut self, txn: TransactionId, frame: OutFrame) {
        self.0.push_back((txn, frame));
    }

    /// The next frame to send.
    pub(crate) fn pop(&mut self) -> Option<String> {
        self.0.pop_front().map(|(_, frame)| frame.0)
    }

    /// The next frame to send, with its transaction.
    pub(crate) fn pop_with_txn(&mut self) -> Option<(TransactionId, String)> {
        self.0.pop_front().map(|(txn, frame)| (txn, frame.0))
    }

    /// Takes `txn`'s frame out of the queue; `false` when the transport already took it.
    pub(crate) fn withdraw(&mut self, txn: TransactionId) -> bool {
        // A request is usually cancelled soon after it was queued: search from the back.
        match self.0.iter().rposition(|(t, _)| *t == txn) {
            Some(i) => self.0.remove(i).is_some(),
            None => false,
        }
    }

    /// Takes every frame, in order.
    pub(crate) fn take_all(&mut self) -> VecDeque<(TransactionId, OutFrame)> {
        std::mem::take(&mut self.0)
    }

    /// Forgets every frame (the connection is gone).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str) -> OutFrame {
        OutFrame(text.to_owned())
    }

    #[test]
    fn frames_go_out_in_order_and_a_withdrawn_one_never_does() {
        let mut q = TransmitQueue::default();
        q.push(TransactionId(1), frame("a"));
        q.push(TransactionId(2), frame("b"));
        q.push(TransactionId(3), frame("c"));
        assert!(q.withdraw(TransactionId(2)));
        assert!(!q.withdraw(TransactionId(2)));
        assert_eq!(q.pop().as_deref(), Some("a"));
        assert!(!q.withdraw(TransactionId(1)), "already taken");
        assert_eq!(q.pop().as_deref(), Some("c"));
        assert_eq!(q.pop(), None);
        q.push(TransactionId(4), frame("d"));
        q.clear();
        assert_eq!(q.pop(), None);
    }
}
