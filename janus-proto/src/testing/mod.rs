//! Test support (feature `testing`): a model of Janus's answers, a sans-IO fake Janus, a
//! simulated-time driver, an exactly-once ledger, and the fuzz targets' bodies.
//!
//! * [`answers`]: one model of what Janus sends: given a request and a chosen
//!   [`Answer`](answers::Answer), the reply; the [`Notice`](answers::Notice)s it sends on
//!   its own; the constructors the fake builds every reply from.
//! * [`FakeJanus`]: a deterministic fake Janus 1.1.2 built on the [`wire`](crate::wire)
//!   model: sessions, handles, keepalive and expiry, claim, auth, and the EchoTest,
//!   VideoRoom and Streaming plugins. [`FakeConfig`] makes it misbehave the way the real
//!   one does (janus-api §6): events before acks, messages overtaken by later requests,
//!   side effects before their replies, duplicated events, latency, lost replies,
//!   transaction-less errors and garbage frames, all from a seeded [`Rng`].
//! * [`Pair`]: a [`Client`](crate::Client) wired to a [`FakeJanus`], on simulated time:
//!   [`Pair::drive`] until nothing is in flight, [`Pair::advance`] to move the clock.
//! * [`Ledger`]: the exactly-once bookkeeping of transactions, used by [`Pair`], the
//!   property tests and the fuzz targets.
//! * [`ServerEncode`]: a [`ServerMessage`](crate::wire::ServerMessage) encoded as Janus
//!   sends it.
//! * [`fuzz`]: the bodies of the cargo-fuzz targets.
//!
//! Nothing here reads a clock except [`start_instant`], which gives the simulation its
//! starting point.
//!
//! ```
//! use std::time::Duration;
//! use janus_proto::testing::{FakeConfig, Pair};
//! use janus_proto::{Command, Config, Event, RequestError};
//!
//! // A Janus that sends events before acks half of the time and drops every reply.
//! let fake = FakeConfig::new().event_before_ack(0.5).drop_replies(1.0);
//! let mut pair = Pair::new(Config::new().request_timeout(Duration::from_secs(5)), fake);
//! let txn = pair.submit(Command::Ping);
//! pair.drive();
//! assert_eq!(pair.outcome(txn), None);
//! pair.advance(Duration::from_secs(5));
//! assert_eq!(
//!     pair.outcome(txn),
//!     Some(&Err(RequestError::TimedOut { acked: false }))
//! );
//! ```

use std::time::Instant;

pub mod answers;
mod encode;
mod fake;
pub mod fuzz;
mod ledger;
mod pair;

pub use encode::ServerEncode;
pub use ledger::Ledger;

pub use fake::{
    DetachedOnTimeout, FakeConfig, FakeJanus, FakeStats, Rng, DEMO_MOUNTPOINT, DEMO_ROOM, ECHOTEST,
    STREAMING, VIDEOROOM,
};
pub use pair::{event_kind, Pair};

/// A starting point for simulated time: the only place this crate reads the clock.
///
/// ```
/// let start = janus_proto::testing::start_instant();
/// let config = janus_proto::Config::new().ping_interval(None);
/// let client = janus_proto::Client::new(config, start);
/// assert_eq!(client.poll_timeout(), None);
/// ```
#[allow(clippy::disallowed_methods)]
pub fn start_instant() -> Instant {
    Instant::now()
}
