//! [`Observer`]: the drivers' tracing and metrics, written once. A driver makes one per
//! connection, hands it the core's [observations](janus_proto::observe) wherever it drains
//! the core, and every frame (or HTTP exchange) it moves; the observer turns them into
//! `tracing` spans and events (feature `tracing`, on by default) and `metrics` counters,
//! gauges and histograms (feature `metrics`). With neither feature it is empty and every call
//! does nothing.
//!
//! # Spans
//!
//! All with target `janus`:
//! * `janus.connection` (INFO) `{url}`, for the observer's life;
//! * `janus.session` (INFO) `{session}`, from the session's creation (or claim) to its end,
//!   inside the connection's;
//! * `janus.handle` (INFO) `{session, handle, plugin}`, from its attach to its end, inside
//!   its session's;
//! * `janus.request` (DEBUG) `{transaction, kind, session, handle, plugin}`, from the
//!   request's submission to its outcome, inside its handle's, session's or connection's.
//!
//! # Events
//!
//! Target `janus`: the connection opened (INFO), lost (WARN), reconnecting and reconnected
//! (INFO), given up (ERROR) and closed (INFO); sessions and handles opened and ended (DEBUG;
//! a session that ends other than by `destroy` at INFO), each request's outcome and latency
//! (DEBUG; WARN for a timeout), keepalive failures, events dropped by a full queue,
//! unroutable frames, errors without a transaction and frames the core refused (WARN), late
//! replies (INFO). Target `janus::frame`, at TRACE: every frame in and out (HTTP: each
//! exchange's method, path and body, each response's status and body), with the values of
//! [`REDACTED_KEYS`](janus_proto::REDACTED_KEYS) hidden. Nothing is formatted (nor redacted)
//! unless a subscriber takes it.
//!
//! # Metrics
//!
//! Labelled only by request kind and outcome, never by id:
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `janus_requests_total` | counter | `kind`, `outcome` | requests ended (the client's own keepalives included) |
//! | `janus_request_duration_seconds` | histogram | `kind` | from submission to outcome |
//! | `janus_pending_requests` | gauge | | requests without an outcome yet |
//! | `janus_sessions` | gauge | | live sessions |
//! | `janus_handles` | gauge | | live handles |
//! | `janus_request_timeouts_total` | counter | | requests that reached their deadline |
//! | `janus_keepalive_failures_total` | counter | | keepalives that failed while their session lived |
//! | `janus_lagged_events_total` | counter | | events dropped because a reader fell behind |
//! | `janus_reconnects_total` | counter | | reconnections that succeeded |
//! | `janus_connection_losses_total` | counter | | connections lost or found dead |
//!
//! `kind` is the request's `janus` name (`create`, `attach`, `message`, `trickle`, `hangup`,
//! `detach`, `destroy`, `keepalive`, `claim`, `info`, `ping`, or an Admin API request's);
//! `outcome` is [`Outcome::label`](janus_proto::observe::Outcome::label). The gauges move
//! up and down, so several connections add up; what a connection still holds when its
//! observer goes is taken off.

use janus_proto::http::{Exchange, ExchangeId};
use janus_proto::observe::Observation;
use janus_proto::{Api, Core};

/// The name of the counter of requests ended, by `kind` and `outcome`.
pub const REQUESTS_TOTAL: &str = "janus_requests_total";
/// The name of the histogram of request latencies in seconds, by `kind`.
pub const REQUEST_DURATION_SECONDS: &str = "janus_request_duration_seconds";
/// The name of the gauge of requests without an outcome yet.
pub const PENDING_REQUESTS: &str = "janus_pending_requests";
/// The name of the gauge of live sessions.
pub const SESSIONS: &str = "janus_sessions";
/// The name of the gauge of live handles.
pub const HANDLES: &str = "janus_handles";
/// The name of the counter of requests that reached their deadline.
pub const REQUEST_TIMEOUTS_TOTAL: &str = "janus_request_timeouts_total";
/// The name of the counter of failed keepalives.
pub const KEEPALIVE_FAILURES_TOTAL: &str = "janus_keepalive_failures_total";
/// The name of the counter of events dropped because a reader fell behind.
pub const LAGGED_EVENTS_TOTAL: &str = "janus_lagged_events_total";
/// The name of the counter of successful reconnections.
pub const RECONNECTS_TOTAL: &str = "janus_reconnects_total";
/// The name of the counter of connections lost or found dead.
pub const CONNECTION_LOSSES_TOTAL: &str = "janus_connection_losses_total";

/// Whether this build observes anything (feature `tracing` or `metrics`): then the drivers'
/// protocol configuration turns [`Config::observe`](janus_proto::Config::observe) on.
pub const OBSERVING: bool = cfg!(any(feature = "tracing", feature = "metrics"));

/// One connection's tracing spans and metrics (see the [module docs](self)).
///
/// ```
/// use std::time::Instant;
/// use janus_ws_connect::janus_proto::{Client, Command};
/// use janus_ws_connect::{CommonOptions, Observer};
///
/// # #[allow(clippy::disallowed_methods)]
/// let now = Instant::now();
/// let mut observer = Observer::new("ws://127.0.0.1:8188");
/// let mut client = Client::new(CommonOptions::default().protocol_config(), now);
/// client.submit(now, Command::create()).unwrap();
/// // Wherever the driver drains the core: the request's span opens.
/// observer.drain(&mut client);
/// while let Some(frame) = client.poll_transmit() {
///     observer.frame_out(&frame); // at TRACE, redacted
///     // … send it
/// }
/// ```
pub struct Observer {
    #[cfg(feature = "tracing")]
    spans: spans::Spans,
    #[cfg(feature = "metrics")]
    live: meters::Live,
}

impl Observer {
    /// The observer of a connection to `url` just opened (its span opens, with the URL less
    /// any user and password in it).
    pub fn new(url: &str) -> Self {
        #[cfg(not(feature = "tracing"))]
        let _ = url;
        Observer {
            #[cfg(feature = "tracing")]
            spans: spans::Spans::new(url),
            #[cfg(feature = "metrics")]
            live: meters::Live::new(),
        }
    }

    /// Takes every observation the core has queued: call it wherever the driver drains the
    /// core's other outputs.
    pub fn drain<A: Api>(&mut self, core: &mut Core<A>) {
        while let Some(observation) = core.poll_observation() {
            self.observe(observation);
        }
    }

    /// Turns one observation into spans, events and metrics.
    fn observe(&mut self, observation: Observation) {
        #[cfg(feature = "metrics")]
        self.live.observe(&observation);
        #[cfg(feature = "tracing")]
        self.spans.observe(observation);
        #[cfg(not(feature = "tracing"))]
        let _ = observation;
    }

    /// A frame going out, logged at TRACE with its secrets hidden.
    pub fn frame_out(&self, frame: &str) {
        #[cfg(feature = "tracing")]
        self.spans.frame("out", frame.as_bytes());
        #[cfg(not(feature = "tracing"))]
        let _ = frame;
    }

    /// A frame that came in, logged at TRACE with its secrets hidden.
    pub fn frame_in(&self, frame: &[u8]) {
        #[cfg(feature = "tracing")]
        self.spans.frame("in", frame);
        #[cfg(not(feature = "tracing"))]
        let _ = frame;
    }

    /// An HTTP exchange starting, logged at TRACE (method, path, body) with its secrets
    /// hidden.
    pub fn exchange_out(&self, exchange: &Exchange) {
        #[cfg(feature = "tracing")]
        self.spans.exchange(exchange);
        #[cfg(not(feature = "tracing"))]
        let _ = exchange;
    }

    /// An HTTP exchange's response, logged at TRACE (status, body) with its secrets hidden.
    pub fn response_in(&self, id: ExchangeId, status: u16, body: &[u8]) {
        #[cfg(feature = "tracing")]
        self.spans.response(id, status, body);
        #[cfg(not(feature = "tracing"))]
        let _ = (id, status, body);
    }
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observer").finish_non_exhaustive()
    }
}

/// `url` without the user and password it may carry (`scheme://user:pass@host/…`).
#[cfg(feature = "tracing")]
fn shown_url(url: &str) -> std::borrow::Cow<'_, str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.into();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{}", &rest[authority.len()..]).into(),
        None => url.into(),
    }
}

#[cfg(feature = "tracing")]
mod spans {
    //! The spans of a connection, its sessions, handles and requests, and the events inside
    //! them.

    use std::collections::BTreeMap;

    use janus_proto::http::{Exchange, ExchangeId, Method};
    use janus_proto::observe::{Observation, Outcome};
    use janus_proto::{
        redact, redact_query, ConnectionEvent, HandleId, SessionEnd, SessionId, TransactionId,
    };
    use tracing::{debug, debug_span, error, info, info_span, trace, warn, Span};

    /// The open spans, by id. A span no subscriber wants is not kept.
    pub(super) struct Spans {
        connection: Span,
        sessions: BTreeMap<SessionId, Span>,
        handles: BTreeMap<HandleId, Handle>,
        requests: BTreeMap<TransactionId, Span>,
    }

    /// A live handle: its span, and its plugin for the spans of its requests.
    struct Handle {
        span: Span,
        plugin: Option<String>,
    }

    impl Spans {
        pub(super) fn new(url: &str) -> Self {
            let connection =
                info_span!(target: "janus", "janus.connection", url = %super::shown_url(url));
            info!(target: "janus", parent: &connection, "connected");
            Spans {
                connection,
                sessions: BTreeMap::new(),
                handles: BTreeMap::new(),
                requests: BTreeMap::new(),
            }
        }

        /// The span of `session`, or the connection's.
        fn session(&self, session: Option<SessionId>) -> &Span {
            session
                .and_then(|s| self.sessions.get(&s))
                .unwrap_or(&self.connection)
        }

        /// The innermost span of a request naming these: its handle's, its session's, or the
        /// connection's.
        fn parent(&self, session: Option<SessionId>, handle: Option<HandleId>) -> &Span {
            match handle.and_then(|h| self.handles.get(&h)) {
                Some(h) if !h.span.is_disabled() => &h.span,
                _ => self.session(session),
            }
        }

        pub(super) fn observe(&mut self, observation: Observation) {
            match observation {
                Observation::RequestStarted {
                    txn,
                    kind,
                    session,
                    handle,
                    plugin,
                    ..
                } => {
                    let plugin = plugin.or_else(|| {
                        handle
                            .and_then(|h| self.handles.get(&h))
                            .and_then(|h| h.plugin.clone())
                    });
                    let span = debug_span!(
                        target: "janus",
                        parent: self.parent(session, handle),
                        "janus.request",
                        transaction = txn.0,
                        kind,
                        session = session.map(|s| s.0),
                        handle = handle.map(|h| h.0),
                        plugin = plugin.as_deref(),
                    );
                    if !span.is_disabled() {
                        self.requests.insert(txn, span);
                    }
                }
                Observation::RequestEnded {
                    txn,
                    session,
                    handle,
                    outcome,
                    latency,
                    ..
                } => {
                    // A request without a span of its own (DEBUG) is told in its handle's,
                    // session's or connection's.
                    let span = match self.requests.remove(&txn) {
                        Some(span) => span,
                        None => self.parent(session, handle).clone(),
                    };
                    let code = match outcome {
                        Outcome::Janus { code } => Some(i64::from(code)),
                        Outcome::Plugin { code } => Some(code),
                        Outcome::Http { status } => Some(i64::from(status)),
                        _ => None,
                    };
                    let timed_out = outcome == Outcome::TimedOut;
                    let outcome = outcome.label();
                    let latency_ms = latency.as_secs_f64() * 1e3;
                    if timed_out {
                        warn!(target: "janus", parent: &span, outcome, latency_ms, "request timed out");
                    } else {
                        debug!(target: "janus", parent: &span, outcome, code, latency_ms, "request ended");
                    }
                }
                Observation::SessionOpened { session } => {
                    let span = info_span!(target: "janus", parent: &self.connection, "janus.session", session = session.0);
                    debug!(target: "janus", parent: &span, "session opened");
                    if !span.is_disabled() {
                        self.sessions.insert(session, span);
                    }
                }
                Observation::SessionEnded { session, why } => {
                    let span = match self.sessions.remove(&session) {
                        Some(span) => span,
                        None => self.connection.clone(),
                    };
                    let why = session_end(&why);
                    if why == "destroyed" {
                        debug!(target: "janus", parent: &span, why, "session ended");
                    } else {
                        info!(target: "janus", parent: &span, why, "session ended");
                    }
                }
                Observation::HandleOpened {
                    session,
                    handle,
                    plugin,
                } => {
                    let span = info_span!(
                        target: "janus",
                        parent: self.session(Some(session)),
                        "janus.handle",
                        session = session.0,
                        handle = handle.0,
                        plugin = plugin.as_deref(),
                    );
                    debug!(target: "janus", parent: &span, "handle opened");
                    self.handles.insert(handle, Handle { span, plugin });
                }
                Observation::HandleEnded { handle, .. } => {
                    if let Some(h) = self.handles.remove(&handle) {
                        debug!(target: "janus", parent: &h.span, "handle ended");
                    }
                }
                Observation::KeepaliveFailed { session, error } => {
                    warn!(target: "janus", parent: self.session(Some(session)), %error, "keepalive failed");
                }
                Observation::Lagged { dropped } => {
                    warn!(target: "janus", parent: &self.connection, dropped, "events dropped: a reader falls behind");
                }
                Observation::FrameRefused { error } => {
                    warn!(target: "janus", parent: &self.connection, %error, "frame refused");
                }
                Observation::Connection(event) => self.connection_event(event),
                _ => {}
            }
        }

        fn connection_event(&self, event: ConnectionEvent) {
            let span = &self.connection;
            match event {
                ConnectionEvent::Disconnected { why } => {
                    warn!(target: "janus", parent: span, %why, "connection lost");
                }
                ConnectionEvent::Reconnecting { attempt, endpoint } => {
                    info!(target: "janus", parent: span, attempt, endpoint, "reconnecting");
                }
                ConnectionEvent::Reconnected {
                    claimed,
                    lost,
                    down_for,
                } => {
                    let (claimed, lost) = (claimed.len(), lost.len());
                    let down_ms = down_for.as_secs_f64() * 1e3;
                    info!(target: "janus", parent: span, claimed, lost, down_ms, "reconnected");
                }
                ConnectionEvent::GaveUp { attempts } => {
                    error!(target: "janus", parent: span, attempts, "gave up reconnecting");
                }
                ConnectionEvent::Closed => {
                    info!(target: "janus", parent: span, "connection closed")
                }
                ConnectionEvent::LateReply { txn, .. } => {
                    info!(target: "janus", parent: span, transaction = txn.0, "late reply");
                }
                ConnectionEvent::Unroutable { raw } => {
                    warn!(target: "janus", parent: span, frame = %redact(raw.as_str()), "unroutable frame");
                }
                ConnectionEvent::Error { error, .. } => {
                    warn!(target: "janus", parent: span, code = error.code, reason = %error.reason, "error without a transaction");
                }
                _ => debug!(target: "janus", parent: span, "connection event"),
            }
        }

        pub(super) fn frame(&self, direction: &'static str, frame: &[u8]) {
            trace!(
                target: "janus::frame",
                parent: &self.connection,
                direction,
                frame = %redact(&String::from_utf8_lossy(frame)),
            );
        }

        pub(super) fn exchange(&self, exchange: &Exchange) {
            let method = match exchange.method {
                Method::Get => "GET",
                Method::Post => "POST",
            };
            trace!(
                target: "janus::frame",
                parent: &self.connection,
                direction = "out",
                exchange = exchange.id.0,
                method,
                path = %redact_query(&exchange.path),
                body = %exchange.body.as_deref().map(redact).unwrap_or_default(),
            );
        }

        pub(super) fn response(&self, id: ExchangeId, status: u16, body: &[u8]) {
            trace!(
                target: "janus::frame",
                parent: &self.connection,
                direction = "in",
                exchange = id.0,
                status,
                body = %redact(&String::from_utf8_lossy(body)),
            );
        }
    }

    /// Why a session ended, in a word.
    fn session_end(why: &SessionEnd) -> &'static str {
        match why {
            SessionEnd::TimedOut(_) => "timed out",
            SessionEnd::Destroyed => "destroyed",
            SessionEnd::Gone(_) => "gone",
            SessionEnd::NotReclaimed { .. } => "not reclaimed",
            SessionEnd::ClaimFailed(_) => "claim failed",
            SessionEnd::Abandoned => "abandoned",
            SessionEnd::PollRefused { .. } => "poll refused",
            _ => "other",
        }
    }
}

#[cfg(feature = "metrics")]
mod meters {
    //! The metrics: counters, gauges and a histogram fed by observations.

    use janus_proto::observe::{Observation, Outcome};
    use janus_proto::ConnectionEvent;
    use metrics::{
        counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
    };

    use super::*;

    /// What this connection adds to the gauges, taken off when it goes.
    pub(super) struct Live {
        pending: u64,
        sessions: u64,
        handles: u64,
    }

    impl Live {
        /// Describes the metrics to the recorder in place.
        pub(super) fn new() -> Self {
            use metrics::Unit;
            describe_counter!(REQUESTS_TOTAL, "Requests ended, by kind and outcome");
            describe_histogram!(
                REQUEST_DURATION_SECONDS,
                Unit::Seconds,
                "Request latency from submission to outcome, by kind"
            );
            describe_gauge!(PENDING_REQUESTS, "Requests without an outcome yet");
            describe_gauge!(SESSIONS, "Live sessions");
            describe_gauge!(HANDLES, "Live handles");
            describe_counter!(
                REQUEST_TIMEOUTS_TOTAL,
                "Requests that reached their deadline"
            );
            describe_counter!(KEEPALIVE_FAILURES_TOTAL, "Keepalives that failed");
            describe_counter!(
                LAGGED_EVENTS_TOTAL,
                "Events dropped because a reader fell behind"
            );
            describe_counter!(RECONNECTS_TOTAL, "Reconnections that succeeded");
            describe_counter!(CONNECTION_LOSSES_TOTAL, "Connections lost or found dead");
            Live {
                pending: 0,
                sessions: 0,
                handles: 0,
            }
        }

        pub(super) fn observe(&mut self, observation: &Observation) {
            match observation {
                Observation::RequestStarted { .. } => up(&mut self.pending, PENDING_REQUESTS),
                Observation::RequestEnded {
                    kind,
                    outcome,
                    latency,
                    ..
                } => {
                    down(&mut self.pending, PENDING_REQUESTS);
                    counter!(REQUESTS_TOTAL, "kind" => *kind, "outcome" => outcome.label())
                        .increment(1);
                    histogram!(REQUEST_DURATION_SECONDS, "kind" => *kind)
                        .record(latency.as_secs_f64());
                    if *outcome == Outcome::TimedOut {
                        counter!(REQUEST_TIMEOUTS_TOTAL).increment(1);
                    }
                }
                Observation::SessionOpened { .. } => up(&mut self.sessions, SESSIONS),
                Observation::SessionEnded { .. } => down(&mut self.sessions, SESSIONS),
                Observation::HandleOpened { .. } => up(&mut self.handles, HANDLES),
                Observation::HandleEnded { .. } => down(&mut self.handles, HANDLES),
                Observation::KeepaliveFailed { .. } => {
                    counter!(KEEPALIVE_FAILURES_TOTAL).increment(1)
                }
                Observation::Lagged { dropped } => {
                    counter!(LAGGED_EVENTS_TOTAL).increment(*dropped)
                }
                Observation::Connection(ConnectionEvent::Disconnected { .. }) => {
                    counter!(CONNECTION_LOSSES_TOTAL).increment(1)
                }
                Observation::Connection(ConnectionEvent::Reconnected { .. }) => {
                    counter!(RECONNECTS_TOTAL).increment(1)
                }
                _ => {}
            }
        }
    }

    impl Drop for Live {
        fn drop(&mut self) {
            gauge!(PENDING_REQUESTS).decrement(self.pending as f64);
            gauge!(SESSIONS).decrement(self.sessions as f64);
            gauge!(HANDLES).decrement(self.handles as f64);
        }
    }

    fn up(count: &mut u64, gauge: &'static str) {
        *count += 1;
        gauge!(gauge).increment(1.0);
    }

    fn down(count: &mut u64, gauge: &'static str) {
        if *count > 0 {
            *count -= 1;
            gauge!(gauge).decrement(1.0);
        }
    }
}

#[cfg(all(test, feature = "tracing"))]
mod tests {
    use super::shown_url;

    #[test]
    fn urls_are_shown_without_their_credentials() {
        assert_eq!(shown_url("ws://127.0.0.1:8188"), "ws://127.0.0.1:8188");
        assert_eq!(
            shown_url("https://user:pw@janus.example/janus?x=@"),
            "https://janus.example/janus?x=@"
        );
        assert_eq!(shown_url("unix:/run/janus.sock"), "unix:/run/janus.sock");
    }
}
