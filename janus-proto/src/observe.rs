//! Observations: what a core did, for logs and metrics, as plain data.
//!
//! With [`Config::observe`](crate::Config::observe) on, a [`Core`](crate::Core) queues an
//! [`Observation`] whenever a request starts or ends (with its kind, ids, outcome and
//! latency on the core's clock), a session or handle comes or goes, and for every event about
//! the connection's health (losses, reconnects, late replies, unroutable frames, server
//! errors without a transaction, keepalive failures, events dropped by a full queue, frames
//! refused). A driver takes them with [`Core::poll_observation`](crate::Core::poll_observation)
//! wherever it drains the core's other outputs, and turns them into tracing spans and events
//! or metrics; the core itself logs nothing and reads no clock, so it stays deterministic.
//! With it off (the default) nothing is queued.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use janus_proto::observe::{Observation, Outcome};
//! use janus_proto::{Client, Command, Config, Input};
//!
//! # #[allow(clippy::disallowed_methods)]
//! let start = Instant::now();
//! let mut client = Client::new(Config::new().observe(true), start);
//! client.submit(start, Command::create()).unwrap();
//! let later = start + Duration::from_millis(3);
//! let reply = r#"{"janus":"success","transaction":"1","data":{"id":42}}"#;
//! client.handle_input(later, Input::text(reply)).unwrap();
//!
//! let seen: Vec<Observation> = std::iter::from_fn(|| client.poll_observation()).collect();
//! assert!(matches!(seen[0], Observation::RequestStarted { kind: "create", .. }));
//! assert!(matches!(seen[1], Observation::SessionOpened { session } if session.0 == 42));
//! assert!(matches!(
//!     seen[2],
//!     Observation::RequestEnded { kind: "create", outcome: Outcome::Ok, latency, .. }
//!         if latency == Duration::from_millis(3)
//! ));
//! ```

use std::time::Duration;

use crate::error::{ProtocolError, RequestError};
use crate::event::{ConnectionEvent, SessionEnd};
use crate::ids::{HandleId, SessionId, TransactionId};

/// Something a core did, for logs and metrics (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Observation {
    /// A request was accepted (it goes out now, or once what holds it is done).
    RequestStarted {
        /// Its transaction.
        txn: TransactionId,
        /// What it is: the Janus API's `janus` value (`create`, `attach`, `message`,
        /// `trickle`, `hangup`, `detach`, `destroy`, `keepalive`, `claim`, `info`, `ping`)
        /// or the Admin API's (`list_sessions`, `add_token`, …).
        kind: &'static str,
        /// The session it names.
        session: Option<SessionId>,
        /// The handle it names.
        handle: Option<HandleId>,
        /// For an `attach`, the plugin (a handle's plugin is in its
        /// [`HandleOpened`](Self::HandleOpened)).
        plugin: Option<String>,
        /// A request the client made on its own (a keepalive, the `info` at connect, a
        /// claim after a reconnect), not one of the caller's.
        internal: bool,
    },
    /// A request ended: exactly once for each [`RequestStarted`](Self::RequestStarted).
    RequestEnded {
        /// Its transaction.
        txn: TransactionId,
        /// What it was (as in [`RequestStarted`](Self::RequestStarted)).
        kind: &'static str,
        /// The session it named.
        session: Option<SessionId>,
        /// The handle it named.
        handle: Option<HandleId>,
        /// How it ended.
        outcome: Outcome,
        /// From its start to its end, on the core's clock.
        latency: Duration,
        /// A request the client made on its own.
        internal: bool,
    },
    /// A session became live here: created, or claimed from elsewhere.
    SessionOpened {
        /// The session.
        session: SessionId,
    },
    /// A live session ended (its handles ended with it, each with its
    /// [`HandleEnded`](Self::HandleEnded) first).
    SessionEnded {
        /// The session.
        session: SessionId,
        /// Why.
        why: SessionEnd,
    },
    /// A handle became live here: attached, or claimed with its session.
    HandleOpened {
        /// Its session.
        session: SessionId,
        /// The handle.
        handle: HandleId,
        /// The plugin it is attached to (unknown for a handle claimed from elsewhere).
        plugin: Option<String>,
    },
    /// A live handle ended: detached, gone, or with its session.
    HandleEnded {
        /// Its session.
        session: SessionId,
        /// The handle.
        handle: HandleId,
    },
    /// A keepalive of the client's own failed (timed out or refused) while its session is
    /// not known to be gone (as [`SessionEvent::KeepaliveFailed`](crate::SessionEvent::KeepaliveFailed)).
    KeepaliveFailed {
        /// The session.
        session: SessionId,
        /// How it failed.
        error: RequestError,
    },
    /// Events that only inform were dropped because a subscriber's queue was full (the
    /// subscriber gets an [`Event::Lagged`](crate::Event::Lagged)); this many, since the last
    /// observation of something else.
    Lagged {
        /// How many.
        dropped: u64,
    },
    /// A frame the core could not use (the error [`handle_input`](crate::Core::handle_input)
    /// or [`handle_response`](crate::Core::handle_response) returned), in words.
    FrameRefused {
        /// Why.
        error: String,
    },
    /// An event about the connection, as the caller gets it: a loss
    /// ([`ConnectionEvent::Disconnected`]), a reconnect attempt or success, giving up, the
    /// close, a late reply, an unroutable frame or an error without a transaction.
    Connection(ConnectionEvent),
}

/// How a request ended, without its payload: what a metric can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A reply.
    Ok,
    /// Janus refused it (`"janus":"error"`), with this code.
    Janus {
        /// Janus's code.
        code: u32,
    },
    /// The plugin refused it (`error_code` in `plugindata`), with this code.
    Plugin {
        /// The plugin's code.
        code: i64,
    },
    /// Its deadline passed.
    TimedOut,
    /// The connection closed for good first.
    ConnectionLost,
    /// The connection was lost after it went out (reconnecting).
    Interrupted,
    /// Over HTTP, an error status.
    Http {
        /// The status.
        status: u16,
    },
    /// The caller cancelled it.
    Cancelled,
    /// Its session ended first.
    SessionEnded,
    /// Its handle was detached first.
    HandleDetached,
    /// Janus answered with something that does not fit it.
    UnexpectedReply,
}

impl Outcome {
    /// The outcome of a request that ended with `outcome`.
    ///
    /// ```
    /// use janus_proto::observe::Outcome;
    /// use janus_proto::RequestError;
    /// let timed_out: Result<(), _> = Err(RequestError::TimedOut { acked: false });
    /// assert_eq!(Outcome::of(&timed_out), Outcome::TimedOut);
    /// assert_eq!(Outcome::of(&Ok::<(), RequestError>(())), Outcome::Ok);
    /// ```
    pub fn of<R>(outcome: &Result<R, RequestError>) -> Self {
        match outcome {
            Ok(_) => Outcome::Ok,
            Err(RequestError::Janus(e)) => Outcome::Janus { code: e.code },
            Err(RequestError::Plugin(e)) => Outcome::Plugin { code: e.code },
            Err(RequestError::TimedOut { .. }) => Outcome::TimedOut,
            Err(RequestError::ConnectionLost) => Outcome::ConnectionLost,
            Err(RequestError::Interrupted) => Outcome::Interrupted,
            Err(RequestError::Http { status }) => Outcome::Http { status: *status },
            Err(RequestError::Cancelled) => Outcome::Cancelled,
            Err(RequestError::SessionEnded(_)) => Outcome::SessionEnded,
            Err(RequestError::HandleDetached(_)) => Outcome::HandleDetached,
            Err(RequestError::UnexpectedReply(_)) => Outcome::UnexpectedReply,
        }
    }

    /// A short name without the code, for a metric's label: `ok`, `janus_error`,
    /// `plugin_error`, `timed_out`, `connection_lost`, `interrupted`, `http_error`,
    /// `cancelled`, `session_ended`, `handle_detached` or `unexpected_reply`.
    ///
    /// ```
    /// use janus_proto::observe::Outcome;
    /// assert_eq!(Outcome::Janus { code: 458 }.label(), "janus_error");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Janus { .. } => "janus_error",
            Outcome::Plugin { .. } => "plugin_error",
            Outcome::TimedOut => "timed_out",
            Outcome::ConnectionLost => "connection_lost",
            Outcome::Interrupted => "interrupted",
            Outcome::Http { .. } => "http_error",
            Outcome::Cancelled => "cancelled",
            Outcome::SessionEnded => "session_ended",
            Outcome::HandleDetached => "handle_detached",
            Outcome::UnexpectedReply => "unexpected_reply",
        }
    }
}

/// The queue of observations, present only while observing.
#[derive(Debug, Default)]
pub(crate) struct Observations {
    queue: Option<std::collections::VecDeque<Observation>>,
}

impl Observations {
    /// A queue that records (`on`) or ignores everything.
    pub(crate) fn new(on: bool) -> Self {
        Self {
            queue: on.then(std::collections::VecDeque::new),
        }
    }

    /// Whether observations are recorded.
    pub(crate) fn on(&self) -> bool {
        self.queue.is_some()
    }

    /// Records what `make` builds, if observing (it is not called otherwise).
    pub(crate) fn push(&mut self, make: impl FnOnce() -> Observation) {
        if let Some(queue) = self.queue.as_mut() {
            queue.push_back(make());
        }
    }

    /// Records one dropped event, adding it to a [`Observation::Lagged`] just before.
    pub(crate) fn dropped(&mut self) {
        let Some(queue) = self.queue.as_mut() else {
            return;
        };
        match queue.back_mut() {
            Some(Observation::Lagged { dropped }) => *dropped += 1,
            _ => queue.push_back(Observation::Lagged { dropped: 1 }),
        }
    }

    /// Records a frame the core refused.
    pub(crate) fn refused(&mut self, error: &ProtocolError) {
        self.push(|| Observation::FrameRefused {
            error: error.to_string(),
        });
    }

    /// The oldest observation.
    pub(crate) fn pop(&mut self) -> Option<Observation> {
        self.queue.as_mut()?.pop_front()
    }
}
