//! The HTTP wire on simulated time: the fake Janus behind an emulation of Janus's HTTP
//! transport (replies to their `POST`, events queued per session for its long-poll, an idle
//! poll answered `keepalive` after 30 s, each poll counting as the session's keepalive).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use janus_proto::http::{ExchangeId, Method};
use janus_proto::testing::{start_instant, FakeConfig, FakeJanus, ECHOTEST};
use janus_proto::wire::Request;
use janus_proto::{
    Action, Client, Command, Config, ConnectionEvent, Disconnect, Event, HandleEventKind, HandleId,
    Input, Reconnect, Reply, ReplyKind, RequestError, SessionEnd, SessionEvent, SessionId,
    TransactionId,
};
use serde_json::{json, Value};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A long-poll held by the emulated server.
#[derive(Debug)]
struct Poll {
    id: ExchangeId,
    since: Instant,
    max_events: usize,
}

/// A [`Client`] over HTTP to a [`FakeJanus`] behind an emulated HTTP transport.
struct Http {
    client: Client,
    server: FakeJanus,
    now: Instant,
    /// Requests in flight, by the transaction the server will answer.
    posts: BTreeMap<String, ExchangeId>,
    polls: BTreeMap<SessionId, Poll>,
    queues: BTreeMap<SessionId, VecDeque<Value>>,
    /// Every exchange's method and path, in order.
    routes: Vec<(Method, String)>,
    events: Vec<Event>,
    /// Poll answers to give instead of events: the next poll of any session gets this status.
    poll_status: Option<u16>,
    /// Exchanges fail at the transport.
    unreachable: bool,
    /// The server holds every poll and answers nothing.
    silent: bool,
    next_internal: u64,
}

impl Http {
    fn new(config: Config) -> Self {
        let now = start_instant();
        Http {
            client: Client::new(config, now),
            server: FakeJanus::new(FakeConfig::new().reclaim_session_timeout(secs(30))),
            now,
            posts: BTreeMap::new(),
            polls: BTreeMap::new(),
            queues: BTreeMap::new(),
            routes: Vec::new(),
            events: Vec::new(),
            poll_status: None,
            unreachable: false,
            silent: false,
            next_internal: 0,
        }
    }

    /// A frame the emulated transport sends to the core on its own; its reply is dropped.
    fn internal(&mut self, body: Value) {
        self.next_internal += 1;
        let mut body = body;
        body["transaction"] = format!("internal-{}", self.next_internal).into();
        self.server.handle_frame(self.now, &body.to_string());
    }

    fn step(&mut self) -> bool {
        let now = self.now;
        let mut busy = false;
        while let Some(action) = self.client.poll_action() {
            busy = true;
            if let Action::Close = action {
                // The driver drops every connection: the server forgets their exchanges.
                self.polls.clear();
                self.posts.clear();
            }
            if let Action::Dial { .. } = action {
                let input = if self.unreachable {
                    Input::Lost("refused".into())
                } else {
                    self.server.reconnect();
                    Input::Connected
                };
                self.client.handle_input(now, input).expect("link input");
            }
        }
        while let Some(x) = self.client.poll_exchange() {
            busy = true;
            self.routes.push((x.method, x.path.clone()));
            if self.unreachable {
                self.client
                    .handle_exchange_failed(now, x.id, "refused".into());
                continue;
            }
            match (x.method, x.body) {
                (Method::Post, Some(body)) => {
                    let request = Request::decode(&body).expect("a request");
                    self.posts.insert(request.transaction.clone(), x.id);
                    self.server.handle_frame(now, &body);
                }
                (Method::Get, None) if x.path == "/info" => {
                    let transaction = format!("get-{}", x.id.0);
                    self.posts.insert(transaction.clone(), x.id);
                    let body = json!({"janus": "info", "transaction": transaction});
                    self.server.handle_frame(now, &body.to_string());
                }
                (Method::Get, None) => {
                    let (session, query) = x.path[1..].split_once('?').expect("a poll");
                    let session = SessionId(session.parse().expect("a session id"));
                    let max_events = query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("maxev="))
                        .and_then(|n| n.parse().ok())
                        .expect("maxev");
                    // Janus counts a poll as the session's keepalive.
                    self.internal(json!({"janus": "keepalive", "session_id": session.0}));
                    let poll = Poll {
                        id: x.id,
                        since: now,
                        max_events,
                    };
                    let earlier = self.polls.insert(session, poll);
                    assert!(earlier.is_none(), "two long-polls at once for {session}");
                }
                other => panic!("unexpected exchange {other:?}"),
            }
        }
        while let Some(frame) = self.server.poll_frame(now) {
            busy = true;
            let value: Value = serde_json::from_str(&frame).expect("JSON");
            let kind = value["janus"].as_str().unwrap_or_default();
            let transaction = value["transaction"].as_str().unwrap_or_default();
            if transaction.starts_with("internal-") {
                continue;
            }
            let reply = matches!(kind, "success" | "error" | "ack" | "server_info" | "pong");
            match self.posts.remove(transaction).filter(|_| reply) {
                Some(id) => {
                    let _ = self.client.handle_response(now, id, 200, frame.into());
                }
                None => {
                    if let Some(session) = value["session_id"].as_u64() {
                        self.queues
                            .entry(SessionId(session))
                            .or_default()
                            .push_back(value);
                    }
                }
            }
        }
        if !self.silent {
            busy |= self.answer_polls();
        }
        if self.client.poll_timeout().is_some_and(|t| t <= now) {
            self.client.handle_timeout(now);
            busy = true;
        }
        while let Some(event) = self.client.poll_event() {
            busy = true;
            self.events.push(event);
        }
        busy
    }

    /// Answers the polls that have events (up to their `maxev`), a set status, or have
    /// been idle 30 s.
    fn answer_polls(&mut self) -> bool {
        let now = self.now;
        let mut busy = false;
        let sessions: Vec<SessionId> = self.polls.keys().copied().collect();
        for session in sessions {
            let queue = self.queues.entry(session).or_default();
            let poll = &self.polls[&session];
            let (status, body) = if let Some(status) = self.poll_status.take() {
                (status, String::new())
            } else if !queue.is_empty() {
                let n = poll.max_events.min(queue.len());
                let events: Vec<Value> = queue.drain(..n).collect();
                let body = if poll.max_events == 1 {
                    events[0].to_string()
                } else {
                    Value::Array(events).to_string()
                };
                (200, body)
            } else if now >= poll.since + secs(30) {
                (200, json!({"janus": "keepalive"}).to_string())
            } else {
                continue;
            };
            let Some(poll) = self.polls.remove(&session) else {
                continue;
            };
            busy = true;
            let _ = self
                .client
                .handle_response(now, poll.id, status, body.into());
        }
        busy
    }

    fn settle(&mut self) {
        for _ in 0..10_000 {
            if !self.step() {
                return;
            }
        }
        panic!("livelock");
    }

    /// Moves time forward by `d`, stopping at every timer on the way.
    fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        loop {
            self.settle();
            let next = [
                self.client.poll_timeout(),
                self.server.next_timeout(),
                self.polls
                    .values()
                    .map(|p| p.since + secs(30))
                    .filter(|_| !self.silent)
                    .min(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= target => self.now = self.now.max(t),
                _ => {
                    self.now = target;
                    self.settle();
                    return;
                }
            }
        }
    }

    fn request(&mut self, command: Command) -> Result<Reply, RequestError> {
        let txn = self.client.submit(self.now, command).expect("submit");
        self.advance(Duration::from_millis(100));
        self.outcome(txn).expect("an outcome")
    }

    fn outcome(&self, txn: TransactionId) -> Option<Result<Reply, RequestError>> {
        self.events.iter().find_map(|e| match e {
            Event::Completed { txn: t, outcome } if *t == txn => Some(outcome.clone()),
            _ => None,
        })
    }

    fn create(&mut self) -> SessionId {
        match self.request(Command::create()).map(|r| r.kind) {
            Ok(ReplyKind::SessionCreated(s)) => s,
            other => panic!("create: {other:?}"),
        }
    }

    fn attach(&mut self, session: SessionId) -> HandleId {
        match self
            .request(Command::attach(session, ECHOTEST))
            .map(|r| r.kind)
        {
            Ok(ReplyKind::Attached(h)) => h,
            other => panic!("attach: {other:?}"),
        }
    }

    fn sent_bodies(&self, name: &str) -> usize {
        self.server
            .received()
            .iter()
            .filter(|(_, r)| r.body.name() == name && !r.transaction.starts_with("internal-"))
            .count()
    }
}

fn echo(handle: HandleId) -> Command {
    Command::message(handle, json!({"audio": true}), None)
}

#[test]
fn requests_go_to_their_routes_and_an_async_reply_comes_on_the_long_poll() {
    let mut http = Http::new(Config::new().http(1));
    let info = http.request(Command::Info);
    assert!(matches!(info.map(|r| r.kind), Ok(ReplyKind::ServerInfo(_))));
    let session = http.create();
    let handle = http.attach(session);
    let reply = http.request(echo(handle)).expect("the echotest's event");
    assert!(matches!(reply.kind, ReplyKind::Plugin { .. }));
    http.request(Command::Detach { handle }).expect("detach");
    http.request(Command::Destroy { session }).expect("destroy");
    let routes: Vec<String> = http
        .routes
        .iter()
        .map(|(m, p)| format!("{m:?} {}", p.split('?').next().unwrap_or_default()))
        .collect();
    let (s, h) = (session.0, handle.0);
    assert_eq!(
        routes,
        [
            "Get /info".to_owned(),
            "Post ".to_owned(),
            format!("Get /{s}"),
            format!("Post /{s}"),
            format!("Post /{s}/{h}"),
            format!("Get /{s}"),
            format!("Post /{s}/{h}"),
            format!("Get /{s}"),
            format!("Post /{s}"),
        ]
    );
}

#[test]
fn several_sessions_and_handles_each_get_their_own_events_in_order() {
    let mut http = Http::new(Config::new().http(10));
    let mut handles = Vec::new();
    for _ in 0..3 {
        let session = http.create();
        for _ in 0..3 {
            handles.push((session, http.attach(session)));
        }
    }
    // Three events per handle, queued at the server before any poll answers.
    let mut expected: BTreeMap<HandleId, Vec<u64>> = BTreeMap::new();
    for n in 0..3u64 {
        for (session, handle) in &handles {
            let event = json!({"janus": "event", "session_id": session.0, "sender": handle.0,
                "plugindata": {"plugin": ECHOTEST, "data": {"echotest": "event", "n": n}}});
            http.queues.entry(*session).or_default().push_back(event);
            expected.entry(*handle).or_default().push(n);
        }
    }
    http.advance(secs(1));
    let mut got: BTreeMap<HandleId, Vec<u64>> = BTreeMap::new();
    for event in &http.events {
        if let Event::Handle {
            session,
            handle,
            event,
        } = event
        {
            assert!(handles.contains(&(*session, *handle)));
            if let HandleEventKind::Plugin { data, .. } = &event.kind {
                let n = data.value().expect("JSON")["n"].as_u64().expect("n");
                got.entry(*handle).or_default().push(n);
            }
        }
    }
    assert_eq!(got, expected);
    // Each answer of up to ten events was one poll: nine handles' three events in three
    // sessions took one poll each (plus the polls left waiting).
    let polls = http
        .routes
        .iter()
        .filter(|(m, _)| *m == Method::Get)
        .count();
    assert!(polls <= 3 + 3 + 3, "{polls} polls for 27 events");
}

#[test]
fn an_idle_session_stays_alive_on_polls_alone_without_keepalive_requests() {
    let mut http = Http::new(Config::new().http(1));
    let session = http.create();
    http.advance(secs(300));
    assert_eq!(
        http.sent_bodies("keepalive"),
        0,
        "no keepalive requests over HTTP"
    );
    assert!(
        http.server.sessions().contains(&session),
        "the polls kept it"
    );
    assert_eq!(
        http.client.session_state(session),
        Some(janus_proto::SessionState::Active)
    );
    assert!(
        !http
            .events
            .iter()
            .any(|e| matches!(e, Event::Connection(ConnectionEvent::Unroutable { .. }))),
        "keepalive answers are absorbed: {:?}",
        http.events
    );
}

/// Janus refreshes a session when a poll arrives, and holds an idle poll 30 s: a keepalive
/// interval shorter than that (a short `session_timeout`) still sends keepalives between
/// polls.
#[test]
fn a_keepalive_interval_shorter_than_the_poll_hold_still_sends_keepalives() {
    let mut http = Http::new(Config::new().http(1).keepalive_interval(secs(10)));
    let session = http.create();
    http.advance(secs(65));
    let keepalives = http.sent_bodies("keepalive");
    assert!(
        (4..=6).contains(&keepalives),
        "about two per 30 s hold: {keepalives}"
    );
    assert!(http.server.sessions().contains(&session));
}

#[test]
fn a_5xx_to_a_poll_loses_the_connection_and_says_so() {
    let mut http = Http::new(Config::new().http(1));
    let session = http.create();
    let handle = http.attach(session);
    http.poll_status = Some(503);
    let waiting = http.client.submit(http.now, echo(handle)).expect("submit");
    http.advance(secs(1));
    let why = http.events.iter().find_map(|e| match e {
        Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why.clone()),
        _ => None,
    });
    assert_eq!(why, Some(Disconnect::Http { status: 503 }));
    assert!(http.client.is_closed());
    assert!(matches!(
        http.outcome(waiting),
        Some(Err(RequestError::ConnectionLost))
    ));
    // No retry loop: nothing more goes out.
    let before = http.routes.len();
    http.advance(secs(60));
    assert_eq!(http.routes.len(), before);
}

#[test]
fn a_404_to_a_poll_ends_that_session() {
    let mut http = Http::new(Config::new().http(1));
    let session = http.create();
    http.poll_status = Some(404);
    http.advance(secs(1));
    assert!(http.events.iter().any(|e| matches!(e,
        Event::Session { session: s, event: SessionEvent::Ended(SessionEnd::PollRefused { status: 404 }) }
            if *s == session)));
    assert!(!http.client.is_closed());
}

#[test]
fn a_poll_unanswered_past_its_deadline_is_a_dead_link() {
    let mut http = Http::new(Config::new().http(1).pong_timeout(secs(5)));
    http.create();
    http.silent = true;
    http.advance(secs(40));
    let why = http.events.iter().find_map(|e| match e {
        Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why.clone()),
        _ => None,
    });
    assert_eq!(why, Some(Disconnect::PollUnanswered { waited: secs(35) }));
}

#[test]
fn an_exchange_that_fails_loses_the_connection_and_a_policy_confirms_the_sessions() {
    let policy = Reconnect::new()
        .seed(3)
        .first_delay(Duration::from_millis(100));
    let mut http = Http::new(Config::new().http(1).reconnect(policy));
    http.advance(secs(1)); // the client's own `info`
    let session = http.create();
    let handle = http.attach(session);
    // Unreachable: exchanges fail. (Janus's HTTP transport ties no session to a connection,
    // so nothing is orphaned at the server.)
    http.unreachable = true;
    let lost = http.client.submit(http.now, echo(handle)).expect("submit");
    http.advance(secs(1));
    assert!(matches!(
        http.events.iter().find_map(|e| match e {
            Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why),
            _ => None,
        }),
        Some(Disconnect::Closed { .. })
    ));
    // Its own exchange failed: it may or may not have reached Janus.
    assert_eq!(http.outcome(lost), Some(Err(RequestError::Interrupted)));
    // One made while the connection is down waits for the sessions to be confirmed.
    let waiting = http.client.submit(http.now, echo(handle)).expect("submit");
    http.advance(Duration::from_millis(10));
    assert_eq!(http.outcome(waiting), None, "it waits");
    http.unreachable = false;
    http.advance(secs(10));
    let claimed = http.events.iter().find_map(|e| match e {
        Event::Connection(ConnectionEvent::Reconnected { claimed, .. }) => Some(claimed.clone()),
        _ => None,
    });
    assert_eq!(claimed, Some(vec![session]));
    // Confirmed by a keepalive, not a `claim` (which Janus's HTTP transport mishandles
    // while a poll of the session may still be held).
    assert!(http
        .routes
        .contains(&(Method::Post, format!("/{}", session.0))));
    assert_eq!(http.sent_bodies("claim"), 0);
    assert!(http.sent_bodies("keepalive") >= 1);
    assert!(matches!(
        http.outcome(waiting),
        Some(Ok(Reply {
            kind: ReplyKind::Plugin { .. },
            ..
        }))
    ));
}

/// The answers to a `destroy` and to its session's poll come on two connections, in either
/// order: a poll refused (404) because the destroy already went through does not end the
/// session as refused, nor is it polled again; the destroy's reply ends it as destroyed.
#[test]
fn a_poll_refused_while_the_destroy_is_pending_leaves_the_ending_to_the_destroy() {
    let now = start_instant();
    let mut client = Client::new(Config::new().http(1), now);
    let create = client.submit(now, Command::create()).expect("create");
    let post = client.poll_exchange().expect("the create");
    let transaction = Request::decode(post.body.as_deref().expect("a body"))
        .expect("a request")
        .transaction;
    let reply = json!({"janus": "success", "transaction": transaction, "data": {"id": 42}});
    client
        .handle_response(now, post.id, 200, reply.to_string().into())
        .expect("the reply");
    let poll = client.poll_exchange().expect("the session's poll");
    assert_eq!(poll.method, Method::Get);
    let destroy = client
        .submit(
            now,
            Command::Destroy {
                session: SessionId(42),
            },
        )
        .expect("destroy");
    let post = client.poll_exchange().expect("the destroy");
    let transaction = Request::decode(post.body.as_deref().expect("a body"))
        .expect("a request")
        .transaction;
    client
        .handle_response(now, poll.id, 404, Default::default())
        .expect("the refusal");
    assert_eq!(client.poll_exchange(), None, "not polled again");
    let reply = json!({"janus": "success", "transaction": transaction, "session_id": 42});
    client
        .handle_response(now, post.id, 200, reply.to_string().into())
        .expect("the reply");
    let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    let done = |txn| {
        events
            .iter()
            .any(|e| matches!(e, Event::Completed { txn: t, outcome: Ok(_) } if *t == txn))
    };
    assert!(done(create) && done(destroy), "{events:#?}");
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Session {
                event: SessionEvent::Ended(SessionEnd::Destroyed),
                ..
            }
        )),
        "{events:#?}"
    );
    assert_eq!(client.session_state(SessionId(42)), None);
}
