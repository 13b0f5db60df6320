//! The HTTP wire: Janus's REST interface with long-polls. The core decides everything: the
//! route of each request, when a session's long-poll is due, and how a response body (a
//! reply, one event, or an array of them) is fed back. A driver only performs the
//! [`Exchange`]s [`Core::poll_exchange`](crate::Core::poll_exchange) hands out and brings
//! back their responses ([`Core::handle_response`](crate::Core::handle_response)) or their
//! failure ([`Core::handle_exchange_failed`](crate::Core::handle_exchange_failed)).
//!
//! * Requests: `POST` of the same JSON as on a WebSocket, to the base URL (`create`, `ping`),
//!   `/<session>` (`attach`, `claim`, `keepalive`, `destroy`) or `/<session>/<handle>`
//!   (`message`, `trickle`, `hangup`, `detach`); `info` is `GET /info`. The Admin API's go to
//!   its base URL, `/<session>` or `/<session>/<handle>` likewise.
//! * Events: one outstanding `GET /<session>?maxev=N&rid=…` per live session (never one per
//!   handle), with the `apisecret` and `token` as query parameters. Janus counts each poll's
//!   arrival as the session's keepalive, so a poll going out resets the session's keepalive
//!   timer; Janus holds an idle poll for about 30 s and then answers `{"janus":"keepalive"}`
//!   (absorbed; the next poll goes out), so a keepalive request goes out only when the
//!   keepalive interval is shorter than that (a `session_timeout` under a minute).
//! * A poll that gets no answer within 30 s plus [`Config::pong_timeout`](crate::Config::pong_timeout)
//!   means the link is dead; a `5xx` answer to a poll, or an exchange the transport could not
//!   carry out, means it is lost (and, with a reconnect policy, the client claims its sessions
//!   again). A `403` or `404` to a poll ends that session ([`SessionEnd::PollRefused`](crate::SessionEnd::PollRefused)).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::ids::{SessionId, TransactionId};
use crate::secret::Secret;

/// How long Janus holds an idle long-poll before it answers `keepalive`.
pub(crate) const JANUS_POLL_HOLD: Duration = Duration::from_secs(30);

/// Query-value characters sent as they are (RFC 3986 unreserved); all others are
/// percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The id of one HTTP exchange the core handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExchangeId(pub u64);

impl std::fmt::Display for ExchangeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The HTTP method of an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET` (long-polls, `info`).
    Get,
    /// `POST` with a JSON body.
    Post,
}

/// One HTTP request for the driver to make: `method` on the base URL (e.g.
/// `http://host:8088/janus`, or `…/admin`) followed by `path`, with `body` as
/// `application/json` when there is one. Its response goes back with its `id`. Its `Debug`
/// output hides the secrets of the path's query and of the body
/// ([`redact_query`](crate::redact_query), [`redact`](crate::redact)).
#[derive(Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Which exchange this is.
    pub id: ExchangeId,
    /// The method.
    pub method: Method,
    /// What follows the base URL: empty, `/info`, `/<session>`, `/<session>/<handle>`, or a
    /// long-poll's `/<session>?maxev=…`.
    pub path: String,
    /// The JSON body of a `POST`.
    pub body: Option<String>,
    /// Whether this is a session's long-poll (Janus holds it up to 30 s; a driver must not
    /// bound it by its usual request timeout).
    pub long_poll: bool,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("path", &crate::redact_query(&self.path))
            .field("body", &self.body.as_deref().map(crate::redact))
            .field("long_poll", &self.long_poll)
            .finish()
    }
}

/// Where a request goes: what the API layer says for each of its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path after the base URL.
    pub path: String,
}

impl Route {
    /// A `POST` to `path`.
    pub(crate) fn post(path: String) -> Self {
        Route {
            method: Method::Post,
            path,
        }
    }
}

/// What an exchange is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum For {
    /// A request; `keep`: its reply carries the transaction sent (a `POST`), else it is
    /// Janus's own (`GET /info`) and the exchange says which request it answers.
    Request { txn: TransactionId, keep: bool },
    /// A session's long-poll, sent at the instant given.
    Poll { session: SessionId, sent: Instant },
}

/// The HTTP wire's state: exchanges in flight and the sessions being polled.
#[derive(Debug)]
pub(crate) struct HttpWire {
    max_events: u32,
    /// A poll unanswered this long means the link is dead.
    poll_deadline: Duration,
    next: u64,
    exchanges: BTreeMap<ExchangeId, For>,
    /// Sessions with a poll in flight.
    polling: BTreeMap<SessionId, ExchangeId>,
    /// Polls built and not handed out yet.
    ready: VecDeque<Exchange>,
}

impl HttpWire {
    pub(crate) fn new(max_events: u32, pong_timeout: Duration) -> Self {
        Self {
            max_events: max_events.max(1),
            poll_deadline: JANUS_POLL_HOLD + pong_timeout,
            next: 1,
            exchanges: BTreeMap::new(),
            polling: BTreeMap::new(),
            ready: VecDeque::new(),
        }
    }

    fn id(&mut self) -> ExchangeId {
        let id = ExchangeId(self.next);
        self.next += 1;
        id
    }

    /// Starts a poll for every live session that has none in flight; the sessions it
    /// started one for.
    pub(crate) fn poll_sessions(
        &mut self,
        sessions: impl IntoIterator<Item = SessionId>,
        now: Instant,
        apisecret: Option<&Secret>,
        token: Option<&Secret>,
    ) -> Vec<SessionId> {
        let mut started = Vec::new();
        for session in sessions {
            if self.polling.contains_key(&session) {
                continue;
            }
            let id = self.id();
            let mut path = format!("/{session}?maxev={}&rid={}", self.max_events, id.0);
            for (name, value) in [("apisecret", apisecret), ("token", token)] {
                if let Some(value) = value {
                    let value = utf8_percent_encode(value.expose(), QUERY_VALUE);
                    path.push_str(&format!("&{name}={value}"));
                }
            }
            self.polling.insert(session, id);
            started.push(session);
            self.exchanges.insert(id, For::Poll { session, sent: now });
            self.ready.push_back(Exchange {
                id,
                method: Method::Get,
                path,
                body: None,
                long_poll: true,
            });
        }
        started
    }

    /// The next poll to hand out.
    pub(crate) fn next_poll(&mut self) -> Option<Exchange> {
        self.ready.pop_front()
    }

    /// Wraps a request's frame as an exchange.
    pub(crate) fn request(&mut self, txn: TransactionId, route: Route, frame: String) -> Exchange {
        let id = self.id();
        let (keep, body) = match route.method {
            Method::Post => (true, Some(frame)),
            Method::Get => (false, None),
        };
        self.exchanges.insert(id, For::Request { txn, keep });
        Exchange {
            id,
            method: route.method,
            path: route.path,
            body,
            long_poll: false,
        }
    }

    /// The exchange a response is for, forgotten (`None`: not one in flight).
    pub(crate) fn take(&mut self, id: ExchangeId) -> Option<For> {
        let what = self.exchanges.remove(&id)?;
        if let For::Poll { session, .. } = what {
            if self.polling.get(&session) == Some(&id) {
                self.polling.remove(&session);
            }
        }
        Some(what)
    }

    /// When the oldest poll in flight is overdue.
    pub(crate) fn next_timer(&self) -> Option<Instant> {
        self.exchanges
            .values()
            .filter_map(|f| match f {
                For::Poll { sent, .. } => sent.checked_add(self.poll_deadline),
                For::Request { .. } => None,
            })
            .min()
    }

    /// How long a poll may go unanswered.
    pub(crate) fn poll_deadline(&self) -> Duration {
        self.poll_deadline
    }

    /// The link is gone: every exchange in flight is forgotten (their responses, if the
    /// driver still delivers any, are ignored).
    pub(crate) fn clear(&mut self) {
        self.exchanges.clear();
        self.polling.clear();
        self.ready.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exchange_shows_no_secret_in_its_debug_output() {
        let mut wire = HttpWire::new(4, Duration::from_secs(5));
        let now = crate::testing::start_instant();
        let (secret, token) = (Secret::from("s3cr3t"), Secret::from("t0k3n"));
        wire.poll_sessions([SessionId(7)], now, Some(&secret), Some(&token));
        let poll = wire.next_poll().expect("one poll");
        let body = r#"{"janus":"keepalive","apisecret":"s3cr3t","token":"t0k3n"}"#;
        let post = wire.request(TransactionId(1), Route::post("/7".into()), body.into());
        for exchange in [poll, post] {
            let shown = format!("{exchange:?}");
            assert!(
                !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
                "{shown}"
            );
            assert!(shown.contains(crate::REDACTED), "{shown}");
        }
    }

    #[test]
    fn a_poll_carries_maxev_a_rid_and_the_encoded_secrets_once_per_session() {
        let mut wire = HttpWire::new(4, Duration::from_secs(5));
        let now = crate::testing::start_instant();
        let secret = Secret::from("s&c=r t");
        wire.poll_sessions([SessionId(7), SessionId(7)], now, Some(&secret), None);
        let poll = wire.next_poll().expect("one poll");
        assert_eq!(poll.method, Method::Get);
        assert!(poll.long_poll);
        assert_eq!(poll.path, "/7?maxev=4&rid=1&apisecret=s%26c%3Dr%20t");
        assert_eq!(wire.next_poll(), None, "one poll per session");
        wire.poll_sessions([SessionId(7)], now, None, None);
        assert_eq!(wire.next_poll(), None, "still one in flight");
        assert_eq!(wire.next_timer(), Some(now + Duration::from_secs(35)));
        assert!(matches!(
            wire.take(poll.id),
            Some(For::Poll {
                session: SessionId(7),
                ..
            })
        ));
        wire.poll_sessions([SessionId(7)], now, None, None);
        assert_eq!(
            wire.next_poll().map(|p| p.path),
            Some("/7?maxev=4&rid=2".into())
        );
    }
}
