//! Identifiers: Janus sessions and handles, and this client's transactions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Janus session id.
///
/// Janus generates ids below 2^53; a client may choose its own (up to 2^63 − 1) in `create`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub u64);

/// A Janus plugin handle id (the `sender` of server messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HandleId(pub u64);

/// A transaction of this client: every [`submit`](crate::Client::submit) returns a new one.
///
/// On the wire it is the configured prefix followed by this counter value, e.g. `"c-17"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for HandleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Maps transaction counters to wire strings and back.
#[derive(Debug, Clone)]
pub(crate) struct TransactionIds {
    prefix: String,
    next: u64,
}

impl TransactionIds {
    pub(crate) fn new(prefix: String) -> Self {
        Self { prefix, next: 1 }
    }

    /// The id [`next`](Self::next) will give, without taking it.
    pub(crate) fn peek(&self) -> TransactionId {
        TransactionId(self.next)
    }

    pub(crate) fn next(&mut self) -> TransactionId {
        let id = TransactionId(self.next);
        self.next = self.next.wrapping_add(1);
        id
    }

    pub(crate) fn to_wire(&self, id: TransactionId) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 20);
        s.push_str(&self.prefix);
        // Writing into a String cannot fail.
        let _ = fmt::Write::write_fmt(&mut s, format_args!("{}", id.0));
        s
    }

    /// The transaction a wire string names, if it is one of ours.
    pub(crate) fn parse(&self, s: &str) -> Option<TransactionId> {
        let digits = s.strip_prefix(self.prefix.as_str())?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(TransactionId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip_and_foreign_ones_are_rejected() {
        let mut ids = TransactionIds::new("c-".into());
        let a = ids.next();
        let b = ids.next();
        assert_eq!(ids.to_wire(a), "c-1");
        assert_eq!(ids.parse(&ids.to_wire(b)), Some(b));
        assert_eq!(ids.parse("c-"), None);
        assert_eq!(ids.parse("c-+1"), None);
        assert_eq!(ids.parse("x-1"), None);
        assert_eq!(ids.parse("c-99999999999999999999999"), None);
    }
}
