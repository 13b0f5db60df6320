//! [`Ledger`]: the bookkeeping that checks every submitted transaction ends exactly once.

use std::collections::BTreeSet;

use crate::event::{ConnectionEvent, Event};
use crate::ids::TransactionId;
use crate::wire::{Request, RequestBody};

/// Every transaction [`Client::submit`](crate::Client::submit) returned, and how it went:
/// the exactly-once contract, checked event by event.
///
/// Feed it what `submit` returned ([`submitted`](Self::submitted)), every event
/// ([`observe`](Self::observe)) and every request put on the wire ([`sent`](Self::sent));
/// each returns the first breach it sees: a transaction returned twice, completed twice,
/// completed or acked without being pending, acked twice, a late reply for a transaction
/// still pending, a request on the wire that nobody submitted and that is not a keepalive
/// of the client's own. At the end, [`all_done`](Self::all_done) says whether every
/// transaction ended.
///
/// ```
/// use janus_proto::testing::Ledger;
/// use janus_proto::{Event, RequestError, TransactionId};
/// let mut ledger = Ledger::new("");
/// ledger.submitted(TransactionId(1)).unwrap();
/// assert!(ledger.all_done().is_err());
/// let done = Event::Completed { txn: TransactionId(1), outcome: Err(RequestError::Cancelled) };
/// ledger.observe(&done).unwrap();
/// assert!(ledger.all_done().is_ok());
/// assert!(ledger.observe(&done).is_err()); // completed twice
/// ```
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// The client's transaction prefix.
    prefix: String,
    pending: BTreeSet<TransactionId>,
    done: BTreeSet<TransactionId>,
    acked: BTreeSet<TransactionId>,
    /// Transactions of requests the client sent on its own (keepalives).
    internal: BTreeSet<String>,
}

impl Ledger {
    /// An empty ledger for a client whose transactions start with `prefix`
    /// ([`Config::transaction_prefix`](crate::Config::transaction_prefix)).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            ..Self::default()
        }
    }

    /// Records a transaction `submit` returned; it must be new.
    pub fn submitted(&mut self, txn: TransactionId) -> Result<(), String> {
        if self.done.contains(&txn) || !self.pending.insert(txn) {
            return Err(format!("submit returned {txn} twice"));
        }
        Ok(())
    }

    /// Checks one event against the transactions seen so far.
    pub fn observe(&mut self, event: &Event) -> Result<(), String> {
        match event {
            Event::Completed { txn, outcome } => {
                if self.done.contains(txn) {
                    return Err(format!("{txn} completed twice, now with {outcome:?}"));
                }
                if !self.pending.remove(txn) {
                    return Err(format!("{txn} completed but submit never returned it"));
                }
                self.done.insert(*txn);
            }
            Event::Acked { txn, .. } => {
                if !self.pending.contains(txn) {
                    return Err(format!("{txn} acked but not pending"));
                }
                if !self.acked.insert(*txn) {
                    return Err(format!("{txn} acked twice"));
                }
            }
            Event::Connection(ConnectionEvent::LateReply { txn, .. })
                if self.pending.contains(txn) =>
            {
                return Err(format!("late reply for {txn}, which is still pending"));
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks a request the client put on the wire: one `submit` returned, or a keepalive
    /// of its own (noted, see [`is_internal`](Self::is_internal)).
    pub fn sent(&mut self, request: &Request) -> Result<(), String> {
        let submitted = self
            .number(&request.transaction)
            .is_some_and(|n| self.pending.contains(&n) || self.done.contains(&n));
        if submitted {
            return Ok(());
        }
        // A client with a reconnect policy sends `info` and `claim` of its own too.
        if !matches!(
            request.body,
            RequestBody::Keepalive { .. } | RequestBody::Info | RequestBody::Claim { .. }
        ) {
            return Err(format!(
                "the client sent a {} nobody submitted (transaction {:?})",
                request.body.name(),
                request.transaction
            ));
        }
        self.internal.insert(request.transaction.clone());
        Ok(())
    }

    /// The transaction id a wire transaction names, if it is one of this client's.
    pub fn number(&self, transaction: &str) -> Option<TransactionId> {
        transaction
            .strip_prefix(self.prefix.as_str())
            .and_then(|n| n.parse().ok())
            .map(TransactionId)
    }

    /// Whether `transaction` names a request the client sent on its own.
    pub fn is_internal(&self, transaction: &str) -> bool {
        self.internal.contains(transaction)
    }

    /// Whether `txn` was submitted and has not ended.
    pub fn is_pending(&self, txn: TransactionId) -> bool {
        self.pending.contains(&txn)
    }

    /// Whether `txn` has ended.
    pub fn is_done(&self, txn: TransactionId) -> bool {
        self.done.contains(&txn)
    }

    /// Whether `txn` was acked.
    pub fn is_acked(&self, txn: TransactionId) -> bool {
        self.acked.contains(&txn)
    }

    /// The transactions submitted and not ended, in order.
    pub fn pending(&self) -> impl Iterator<Item = TransactionId> + '_ {
        self.pending.iter().copied()
    }

    /// How many transactions are submitted and not ended.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Every submitted transaction ended.
    pub fn all_done(&self) -> Result<(), String> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(format!("never completed: {:?}", self.pending))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RequestError;
    use crate::wire::RawFrame;

    fn completed(txn: u64) -> Event {
        Event::Completed {
            txn: TransactionId(txn),
            outcome: Err(RequestError::Cancelled),
        }
    }

    #[test]
    fn ledger_catches_a_double_completion() {
        let mut ledger = Ledger::new("");
        ledger.submitted(TransactionId(1)).unwrap();
        ledger.observe(&completed(1)).unwrap();
        assert!(ledger.observe(&completed(1)).is_err());
    }

    #[test]
    fn ledger_catches_a_completion_never_submitted() {
        let mut ledger = Ledger::new("");
        ledger.submitted(TransactionId(1)).unwrap();
        assert!(ledger.observe(&completed(2)).is_err());
    }

    #[test]
    fn ledger_catches_a_transaction_that_never_ends() {
        let mut ledger = Ledger::new("");
        ledger.submitted(TransactionId(1)).unwrap();
        ledger.submitted(TransactionId(2)).unwrap();
        ledger.observe(&completed(2)).unwrap();
        assert!(ledger.all_done().is_err());
        ledger.observe(&completed(1)).unwrap();
        assert!(ledger.all_done().is_ok());
    }

    #[test]
    fn ledger_catches_a_reused_id_and_stray_acks() {
        let mut ledger = Ledger::new("");
        ledger.submitted(TransactionId(1)).unwrap();
        assert!(ledger.submitted(TransactionId(1)).is_err());
        let ack = |txn| Event::Acked {
            txn: TransactionId(txn),
            hint: None,
        };
        ledger.observe(&ack(1)).unwrap();
        assert!(ledger.observe(&ack(1)).is_err(), "acked twice");
        ledger.observe(&completed(1)).unwrap();
        assert!(ledger.observe(&ack(1)).is_err(), "acked after completion");
        assert!(ledger.submitted(TransactionId(1)).is_err());
    }

    #[test]
    fn ledger_catches_a_late_reply_for_a_pending_transaction() {
        let mut ledger = Ledger::new("");
        ledger.submitted(TransactionId(1)).unwrap();
        let late = Event::Connection(ConnectionEvent::LateReply {
            txn: TransactionId(1),
            raw: RawFrame::new(r#"{"janus":"ack","transaction":"1"}"#.into()),
        });
        assert!(ledger.observe(&late).is_err());
        ledger.observe(&completed(1)).unwrap();
        assert!(ledger.observe(&late).is_ok());
    }

    #[test]
    fn ledger_lets_on_the_wire_only_submitted_requests_and_keepalives() {
        let mut ledger = Ledger::new("c-");
        ledger.submitted(TransactionId(1)).unwrap();
        let ping = |t: &str| Request::new(t, RequestBody::Ping);
        assert!(ledger.sent(&ping("c-1")).is_ok());
        assert!(ledger.sent(&ping("c-2")).is_err(), "never submitted");
        assert!(ledger.sent(&ping("1")).is_err(), "not the client's prefix");
        let keepalive = Request::new(
            "c-2",
            RequestBody::Keepalive {
                session_id: crate::SessionId(7),
            },
        );
        assert!(ledger.sent(&keepalive).is_ok());
        assert!(ledger.is_internal("c-2") && !ledger.is_internal("c-1"));
    }
}
