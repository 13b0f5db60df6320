//! # janus-proto: the sans-IO core of a Janus WebRTC Server client
//!
//! This crate speaks the [Janus](https://janus.conf.meetecho.com/) JSON API (and its Admin
//! API) as a pure state machine. Frames and timer ticks go in; frames to send, events and the
//! next deadline come out. It does no IO, reads no clock, starts no thread and has no async:
//! the same inputs always give byte-identical outputs, so it can be tested on simulated time,
//! property-tested and fuzzed. The transports (`janus-blocking`, `janus-transport-ws`) move
//! bytes between it and a WebSocket and hold no protocol logic of their own.
//!
//! The public interface is:
//! * [`Client`]: one Janus API connection (sessions, handles, transactions, keepalives).
//! * [`AdminClient`]: one Admin API connection. Both are a [`Core`], the one loop over the
//!   one transaction engine.
//! * [`Command`] in, [`Event`] out; [`Config`] and [`Ordering`] to tune them.
//! * [`request`]: typed requests, each with its typed outcome ([`Request`]).
//! * [`plugins`]: typed models of the stock plugins (requests, replies, events, error codes).
//! * [`wire`]: the stateless wire model of every message.
//! * [`pool`]: placement and health over a pool of servers, one connection each.
//! * [`observe`]: what a core did, as data for a driver's logs and metrics, and
//!   [`redact`]: a frame with its secrets hidden, for logging it.
//! * `testing` (feature `testing`): a model of Janus's answers, a sans-IO fake Janus, a
//!   simulated-time driver, an exactly-once ledger and the fuzz targets' bodies.
//!
//! ## The run loop
//!
//! Wait for one thing (a frame, a command of yours, or the deadline), feed it in, then drain
//! the outputs: transmits first, then events, then read the next deadline.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use janus_proto::{Client, Command, Config, Event, Input};
//!
//! /// Stand-in for a WebSocket: here, a fake Janus that answers `create`.
//! fn exchange(frame: &str) -> Vec<String> {
//!     let req: serde_json::Value = serde_json::from_str(frame).unwrap();
//!     let txn = req["transaction"].as_str().unwrap();
//!     vec![format!(r#"{{"janus":"success","transaction":"{txn}","data":{{"id":7}}}}"#)]
//! }
//!
//! # #[allow(clippy::disallowed_methods)]
//! let start = Instant::now();
//! let mut client = Client::new(Config::new(), start);
//! let create = client.submit(start, Command::create()).unwrap();
//! let mut now = start;
//! let mut inbox = Vec::new();
//! loop {
//!     // 1. Send everything the client wants sent.
//!     while let Some(frame) = client.poll_transmit() {
//!         inbox.extend(exchange(&frame));
//!     }
//!     // 2. Hand every event to the application.
//!     while let Some(event) = client.poll_event() {
//!         if let Event::Completed { txn, outcome } = event {
//!             assert_eq!(txn, create);
//!             assert!(outcome.is_ok());
//!             return;
//!         }
//!     }
//!     // 3. Wait for the next input: a frame, or the deadline.
//!     match inbox.pop() {
//!         Some(frame) => client.handle_input(now, Input::text(frame)).unwrap(),
//!         None => {
//!             now = client.poll_timeout().unwrap_or(now + Duration::from_secs(1));
//!             client.handle_timeout(now);
//!         }
//!     }
//! }
//! ```
//!
//! ## Time
//!
//! Every mutation takes `now: Instant`; [`Client::poll_timeout`] says when
//! [`Client::handle_timeout`] is next due (`None`: nothing armed). After
//! `handle_timeout(now)` the next deadline is always later than `now`, so a loop never spins.
//! An early or repeated `handle_timeout` does nothing; a `now` older than one already seen is
//! taken as the latest. Deadlines: each request has one ([`Config::request_timeout`], or
//! [`Client::submit_with_timeout`](Core::submit_with_timeout)); each session gets a keepalive every
//! [`Config::keepalive_interval`] of idleness.
//!
//! ## Errors versus events
//!
//! * A Rust `Err` means the call itself could not be carried out and nothing changed:
//!   [`UsageError`] from [`Client::submit`] (your mistake: unknown handle, closed connection,
//!   too many pending), [`ProtocolError`] from [`Client::handle_input`] (the server's: a frame
//!   that is not a Janus message; it is dropped and the connection goes on).
//! * Everything Janus says is an [`Event`], failures included: a request's outcome is one
//!   [`Event::Completed`] holding `Ok(Reply)` or `Err(`[`RequestError`]`)`, where a Janus
//!   core error ([`RequestError::Janus`]) and a plugin error ([`RequestError::Plugin`], from
//!   `error_code` inside `plugindata`) are kept apart because their codes overlap. Errors no
//!   request can be matched to arrive as [`ConnectionEvent::Error`].
//!
//! Every transaction ends exactly once: reply, Janus error, plugin error, its deadline, the
//! connection closing, its session or handle ending, or [`Client::cancel`]. Nothing Janus
//! sends is dropped: every event carries its [`wire::RawFrame`], and messages that cannot be
//! routed arrive as [`ConnectionEvent::Unroutable`].
//!
//! ## Where each rule lives
//!
//! Every protocol rule is written once, in the file named here, and both APIs and every
//! driver go through it.
//!
//! | rule | file |
//! |---|---|
//! | Transaction ids: counted, prefixed, spent only when a request is accepted | `engine.rs` (`ids.rs` for the wire form) |
//! | A transaction ends exactly once (`Engine::finish`), its deadline, the pending limit | `engine.rs` |
//! | Frames go out in order; a request cancelled before its frame was taken never goes out | `engine.rs`, `transmit_queue.rs` |
//! | Late replies of given-up requests are recognised, expected late acks absorbed | `engine.rs` (with `recent.rs`) |
//! | Incoming frame limit and single UTF-8 check; outgoing frame limit | `engine.rs` |
//! | Each event goes to one subscriber's queue (outcomes, connection, a session, a handle from its attach on); every queue is bounded, past the bound notices drop into one `Lagged` count in place, state changes never | `router.rs` (with `event.rs`'s `Event::keeps_state`) |
//! | The run loop both APIs share: submit, cancel, input, timers, close | `core.rs` |
//! | Sessions, handles, keepalives, ordering per handle, claim | `client.rs` |
//! | Correlating replies, acks and events (event before ack, ack after outcome) | `client.rs` |
//! | A 458 ends its session, a 459 its handle, locally; events route only to known handles | `client.rs` |
//! | Admin API replies decoded by the kind of request they answer; `admin_secret` | `admin.rs` (wire model in `wire/admin.rs`) |
//! | Which reply fits which request, and its typed output | `request.rs` |
//! | What each stock plugin's requests, replies, events and error codes look like; a plugin request is a typed request of the core | `plugins/` (one module per plugin; the generic path in `plugins/mod.rs`) |
//! | Placement over a pool of servers (least loaded healthy), health, sessions lost with a server | `pool.rs` |
//! | Secrets never in `Debug` | `secret.rs` |
//! | Secrets never in logs: which fields hide, in frames and in long-poll query strings | `redact.rs` |
//! | What is observed (requests with kind, ids, outcome and latency; sessions, handles, connection events, lag, refused frames), queued only when asked for | `observe.rs`, recorded by `engine.rs` (requests, events) and `client.rs` (sessions, handles) |
//! | What every message on the wire looks like | `wire/` |
//!
//! ## Panics
//!
//! None on any input: every frame, command and time step either works or returns an error
//! value. This is checked by property tests and fuzz targets. A panic is a bug.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod admin;
mod client;
mod command;
mod config;
mod core;
mod engine;
mod error;
mod event;
pub mod http;
mod ids;
mod link;
pub mod observe;
pub mod plugins;
pub mod pool;
mod recent;
mod redact;
pub mod request;
mod router;
mod secret;
#[cfg(feature = "testing")]
pub mod testing;
mod transmit_queue;
pub mod wire;

pub use admin::{AdminApi, AdminClient, AdminEvent};
pub use client::{Client, JanusApi, SessionState};
pub use command::Command;
pub use config::{Config, Ordering, Wire, DEFAULT_KEEPALIVE_INTERVAL, HTTP_KEEPALIVE_INTERVAL};
pub use core::{Api, Core};
pub use error::{PluginError, ProtocolError, RequestError, UsageError};
pub use event::{
    ConnectionEvent, Event, HandleEvent, HandleEventKind, Input, Reply, ReplyKind, SessionEnd,
    SessionEvent,
};
pub use ids::{HandleId, SessionId, TransactionId};
pub use link::{Action, Disconnect, Reconnect};
pub use redact::{redact, redact_query, REDACTED, REDACTED_KEYS};
pub use request::{PluginReply, Request};
pub use router::EventTarget;
pub use secret::Secret;
pub use wire::{Candidate, IceCandidate, JanusError, Jsep, JsepType, PluginData, Trickle};

/// The README's examples, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
