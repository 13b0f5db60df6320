//! The HTTP link against a scripted HTTP server on loopback: what a real Janus does not show
//! on demand (a poll answered with a batch of events, with `keepalive`, with a 5xx, or cut
//! off; a request answered with an HTTP error) and exactly what goes on the wire.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{
    AdminConnection, Config, ConnectError, ConnectOptions, Connection, ConnectionEvent, Disconnect,
    Error, Event, HandleEventKind, HandleId, Reconnect, RequestError, SessionId,
};

const BOUND: Duration = Duration::from_secs(10);

/// A request the server received.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    /// With the query.
    path: String,
    /// The JSON body (`Null` when there is none).
    body: Value,
}

impl Req {
    /// The path without the query.
    fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// A Janus reply to this request: `fields` plus its transaction.
    fn reply(&self, fields: Value) -> Answer {
        Answer::Json(200, self.with_transaction(fields))
    }

    /// `fields` plus the request's transaction.
    fn with_transaction(&self, mut fields: Value) -> Value {
        fields["transaction"] = self.body["transaction"].clone();
        fields
    }
}

/// What the server does with a request.
enum Answer {
    /// Answers with this status and JSON body (the connection is kept).
    Json(u16, Value),
    /// The same, then calls this once the answer is written.
    JsonThen(u16, Value, Box<dyn FnOnce() + Send>),
    /// Closes the connection without answering.
    Close,
    /// Never answers (until the client drops the connection).
    Hold,
}

/// A server at `http://127.0.0.1:<port>/janus` (or `/admin`) answering every request, on
/// every connection, with `handler`, and keeping a log of them.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn start(base: &str, handler: impl Fn(&Req) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}{base}", listener.local_addr().expect("addr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let kept = log.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { return };
                let (log, handler) = (kept.clone(), handler.clone());
                std::thread::spawn(move || serve_connection(tcp, &*handler, &log));
            }
        });
        Server { url, log }
    }

    /// The requests received so far.
    fn requests(&self) -> Vec<Req> {
        self.log.lock().expect("log").clone()
    }

    /// The long-polls received so far.
    fn polls(&self) -> Vec<Req> {
        let polls = self.requests().into_iter();
        polls.filter(|r| r.method == "GET").collect()
    }
}

fn serve_connection(tcp: TcpStream, handler: &dyn Fn(&Req) -> Answer, log: &Mutex<Vec<Req>>) {
    tcp.set_read_timeout(Some(BOUND)).expect("timeout");
    let mut writer = tcp.try_clone().expect("clone");
    let mut reader = BufReader::new(tcp);
    while let Some(req) = read_request(&mut reader) {
        log.lock().expect("log").push(req.clone());
        let (status, body, then) = match handler(&req) {
            Answer::Json(status, body) => (status, body, None),
            Answer::JsonThen(status, body, then) => (status, body, Some(then)),
            Answer::Close => return,
            Answer::Hold => {
                // Until the client hangs up (or the bound).
                let _ = reader.read_to_end(&mut Vec::new());
                return;
            }
        };
        let body = body.to_string();
        let head = format!(
            "HTTP/1.1 {status} Scripted\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        );
        if writer.write_all((head + &body).as_bytes()).is_err() {
            return;
        }
        if let Some(then) = then {
            then();
        }
    }
}

/// The next request; `None` once the client hung up.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Req> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if reader.read_until(b'\n', &mut head).ok()? == 0 {
            return None;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    assert!(request.parse(&head).expect("HTTP").is_complete());
    let length = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |h| {
            std::str::from_utf8(h.value)
                .expect("length")
                .parse()
                .expect("length")
        });
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Req {
        method: request.method.expect("method").to_owned(),
        path: request.path.expect("path").to_owned(),
        body: match length {
            0 => Value::Null,
            _ => serde_json::from_slice(&body).expect("a JSON body"),
        },
    })
}

fn options() -> ConnectOptions {
    ConnectOptions::new()
        .request_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
}

/// `create`, answered with session 42.
fn created(req: &Req) -> Answer {
    req.reply(json!({"janus": "success", "data": {"id": 42}}))
}

/// Turns the connection's loop (reading events, which are returned) until `done` holds.
fn turn_until(conn: &mut Connection, mut done: impl FnMut() -> bool) -> Vec<Event> {
    let until = Instant::now() + BOUND;
    let mut events = Vec::new();
    while !done() {
        assert!(Instant::now() < until, "not within {BOUND:?}: {events:?}");
        if let Some(event) = conn.next_event(Duration::from_millis(20)).expect("events") {
            events.push(event);
        }
    }
    events
}

/// Every event left, up to the end of the connection.
fn events_to_the_end(conn: &mut Connection) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        match conn.next_event(BOUND) {
            Ok(Some(event)) => events.push(event),
            Err(Error::Request(RequestError::ConnectionLost)) => return events,
            other => panic!("{other:?} after {events:?}"),
        }
    }
}

#[test]
fn a_session_is_polled_once_at_a_time_and_a_batch_of_events_comes_in_order() {
    let (attached, attach_seen) = mpsc::channel();
    let (attached, attach_seen) = (Mutex::new(attached), Mutex::new(attach_seen));
    let polls = AtomicUsize::new(0);
    let server = Server::start("/janus", move |req| {
        match (req.method.as_str(), req.route()) {
            ("POST", "/janus") => created(req),
            ("POST", "/janus/42") => {
                let attached = attached.lock().expect("lock").clone();
                let reply = json!({"janus": "success", "session_id": 42, "data": {"id": 7}});
                let then = Box::new(move || attached.send(()).expect("send"));
                Answer::JsonThen(200, req.with_transaction(reply), then)
            }
            ("GET", "/janus/42") => match polls.fetch_add(1, Ordering::SeqCst) {
                0 => {
                    // The events of handle 7: once its attach reply is on its way.
                    let seen = attach_seen.lock().expect("lock").recv_timeout(BOUND);
                    seen.expect("the attach");
                    let event = |n| {
                        json!({"janus": "event", "session_id": 42, "sender": 7,
                        "plugindata": {"plugin": "janus.plugin.echotest", "data": {"n": n}}})
                    };
                    Answer::Json(200, json!([event(1), event(2)]))
                }
                1 => Answer::Json(200, json!({"janus": "keepalive"})),
                _ => Answer::Hold,
            },
            _ => Answer::Json(404, Value::Null),
        }
    });
    let mut conn = Connection::connect(&server.url, options()).expect("connect");
    let session = conn.create().expect("create");
    assert_eq!(session, SessionId(42));
    let handle = conn
        .attach(session, "janus.plugin.echotest")
        .expect("attach");
    assert_eq!(handle, HandleId(7));
    for n in [1, 2] {
        match conn.next_handle_event(handle, BOUND).expect("events") {
            Some(Event::Handle { event, .. }) => match event.kind {
                HandleEventKind::Plugin { data, .. } => {
                    assert_eq!(data.data.get(), format!(r#"{{"n":{n}}}"#))
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }
    // The keepalive answer is absorbed and the next poll goes out; it is held, and no other
    // follows while it is.
    let events = turn_until(&mut conn, || server.polls().len() == 3);
    assert!(events.is_empty(), "{events:?}");
    let event = conn.next_event(Duration::from_millis(300)).expect("events");
    assert!(event.is_none(), "{event:?}");
    let polls = server.polls();
    assert_eq!(polls.len(), 3, "{polls:?}");
    let mut rids = Vec::new();
    for poll in &polls {
        let rest = poll.path.strip_prefix("/janus/42?maxev=10&rid=");
        let rid: u64 = rest.expect(&poll.path).parse().expect(&poll.path);
        rids.push(rid);
    }
    assert!(rids.windows(2).all(|w| w[0] < w[1]), "{rids:?}");
    // The polls keep the session alive: no keepalive request.
    let posts: Vec<Value> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.body["janus"].clone())
        .collect();
    assert_eq!(posts, [json!("create"), json!("attach")]);
    conn.close();
}

#[test]
fn a_request_answered_500_fails_with_the_status_and_the_connection_goes_on() {
    let pings = AtomicUsize::new(0);
    let server = Server::start("/janus", move |req| {
        match pings.fetch_add(1, Ordering::SeqCst) {
            0 => Answer::Json(500, json!({"error": "scripted"})),
            _ => req.reply(json!({"janus": "pong"})),
        }
    });
    let mut conn = Connection::connect(&server.url, options()).expect("connect");
    match conn.ping() {
        Err(Error::Request(RequestError::Http { status: 500 })) => {}
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    conn.ping().expect("the next ping");
    assert!(!conn.is_closed());
    let requests = server.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/janus")
    );
    assert_eq!(requests[0].body["janus"], "ping");
}

#[test]
fn a_poll_answered_503_loses_the_connection_and_fails_the_pending_calls() {
    let (held, hold_seen) = mpsc::channel();
    let (held, hold_seen) = (Mutex::new(held), Mutex::new(hold_seen));
    let server = Server::start("/janus", move |req| {
        match (req.method.as_str(), req.route()) {
            ("POST", "/janus") if req.body["janus"] == "create" => created(req),
            ("POST", _) => {
                held.lock().expect("lock").send(()).expect("send");
                Answer::Hold
            }
            _ => {
                // Once the ping is held.
                let seen = hold_seen.lock().expect("lock").recv_timeout(BOUND);
                seen.expect("the ping");
                Answer::Json(503, Value::Null)
            }
        }
    });
    let mut conn = Connection::connect(&server.url, options()).expect("connect");
    conn.create().expect("create");
    let txn = conn.submit(crate::request::Ping).expect("submit");
    match conn.wait(txn) {
        Err(Error::Request(RequestError::ConnectionLost)) => {}
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    let events = events_to_the_end(&mut conn);
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Connection(ConnectionEvent::Disconnected {
                why: Disconnect::Http { status: 503 }
            })
        )),
        "{events:?}"
    );
    assert!(matches!(
        events.last(),
        Some(Event::Connection(ConnectionEvent::Closed))
    ));
    assert!(conn.is_closed());
    assert!(
        matches!(
            conn.close_reason(),
            Some(Error::Dead(Disconnect::Http { status: 503 }))
        ),
        "{:?}",
        conn.close_reason()
    );
}

#[test]
fn the_server_closing_the_socket_during_a_poll_loses_the_connection() {
    let server = Server::start("/janus", |req| match req.method.as_str() {
        "POST" => created(req),
        _ => Answer::Close,
    });
    let mut conn = Connection::connect(&server.url, options()).expect("connect");
    conn.create().expect("create");
    let events = events_to_the_end(&mut conn);
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Connection(ConnectionEvent::Disconnected {
                why: Disconnect::Closed { .. }
            })
        )),
        "{events:?}"
    );
    assert!(
        matches!(conn.close_reason(), Some(Error::Socket(_))),
        "{:?}",
        conn.close_reason()
    );
    assert!(matches!(
        conn.ping(),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
}

#[test]
fn a_request_cut_off_is_repeated_once_the_link_is_back() {
    let pings = AtomicUsize::new(0);
    let server = Server::start("/janus", move |req| match req.method.as_str() {
        // With a reconnect policy the client asks for the reclaim window first.
        "GET" => Answer::Json(200, json!({"janus": "server_info", "name": "Janus"})),
        _ => match pings.fetch_add(1, Ordering::SeqCst) {
            0 => Answer::Close,
            _ => req.reply(json!({"janus": "pong"})),
        },
    });
    let policy = Reconnect::new().first_delay(Duration::from_millis(10));
    let mut conn = Connection::connect(&server.url, options().reconnect(policy)).expect("connect");
    conn.ping().expect("the ping, repeated after the reconnect");
    let mut kinds = Vec::new();
    while let Some(event) = conn.next_event(Duration::ZERO).expect("events") {
        match event {
            Event::Connection(ConnectionEvent::Disconnected { .. }) => kinds.push("disconnected"),
            Event::Connection(ConnectionEvent::Reconnecting { endpoint: 0, .. }) => {
                kinds.push("reconnecting")
            }
            Event::Connection(ConnectionEvent::Reconnected { .. }) => kinds.push("reconnected"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(kinds, ["disconnected", "reconnecting", "reconnected"]);
    let pings: Vec<Value> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.body["transaction"].clone())
        .collect();
    assert_eq!(pings.len(), 2, "{pings:?}");
    assert_eq!(pings[0], pings[1], "the same request, repeated");
    assert!(conn.close_reason().is_none());
}

#[test]
fn connecting_to_a_closed_port_fails_with_a_connect_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://127.0.0.1:{port}/janus");
    match Connection::connect(&url, options()) {
        Err(Error::Connect(ConnectError::Socket(_))) => {}
        other => panic!("expected a refused connection, got {other:?}"),
    }
}

#[test]
fn a_fallback_url_of_another_kind_is_refused_before_dialling() {
    let options = options().fallback_url("ws://127.0.0.1:1");
    match Connection::connect("http://127.0.0.1:1/janus", options) {
        Err(Error::Connect(ConnectError::InvalidUrl { url, .. })) => {
            assert_eq!(url, "ws://127.0.0.1:1")
        }
        other => panic!("expected InvalidUrl, got {other:?}"),
    }
}

#[test]
fn the_apisecret_and_token_go_in_the_poll_query_and_in_the_request_bodies() {
    let server = Server::start("/janus", |req| match req.method.as_str() {
        "POST" => created(req),
        _ => Answer::Hold,
    });
    let options = options()
        .apisecret("s3cret")
        .token("t0ken")
        .config(Config::new().http(3));
    let mut conn = Connection::connect(&server.url, options).expect("connect");
    conn.create().expect("create");
    turn_until(&mut conn, || !server.polls().is_empty());
    let create = &server.requests()[0];
    assert_eq!(
        (&create.body["apisecret"], &create.body["token"]),
        (&json!("s3cret"), &json!("t0ken"))
    );
    let poll = &server.polls()[0];
    let rest = poll.path.strip_prefix("/janus/42?maxev=3&rid=");
    let query = rest.expect(&poll.path).split_once('&').expect(&poll.path).1;
    assert_eq!(query, "apisecret=s3cret&token=t0ken");
}

#[test]
fn an_admin_connection_posts_to_its_path_with_the_admin_secret() {
    let server = Server::start("/admin", |req| {
        req.reply(json!({"janus": "success", "sessions": [1, 2]}))
    });
    let options = options().admin_secret("overlord");
    let mut admin = AdminConnection::connect(&server.url, options).expect("connect");
    assert_eq!(
        admin.list_sessions().expect("list_sessions"),
        [SessionId(1), SessionId(2)]
    );
    let request = &server.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/admin")
    );
    assert_eq!(
        (&request.body["janus"], &request.body["admin_secret"]),
        (&json!("list_sessions"), &json!("overlord"))
    );
    admin.close();
}

#[test]
fn a_submitted_request_goes_out_before_the_next_call() {
    let server = Server::start("/janus", |req| req.reply(json!({"janus": "pong"})));
    let mut conn = Connection::connect(&server.url, options()).expect("connect");
    let txn = conn.submit(crate::request::Ping).expect("submit");
    // Nothing is called meanwhile: the request went out inside `submit`.
    let until = Instant::now() + BOUND;
    while server.requests().is_empty() {
        assert!(Instant::now() < until, "the request did not go out");
        std::thread::sleep(Duration::from_millis(5));
    }
    conn.wait(txn).expect("pong");
}

/// tokio names its threads (workers and blocking pool alike) `tokio-runtime-worker`: none may
/// appear, even with a host name to resolve.
#[cfg(target_os = "linux")]
#[test]
fn the_http_link_starts_no_thread() {
    let server = Server::start("/janus", |req| req.reply(json!({"janus": "pong"})));
    let url = server.url.replace("127.0.0.1", "localhost");
    let mut conn = Connection::connect(&url, options()).expect("connect");
    conn.ping().expect("pong");
    let mut names = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").expect("tasks") {
        let comm = task.expect("task").path().join("comm");
        // A thread that ended meanwhile has no name to read.
        if let Ok(name) = std::fs::read_to_string(comm) {
            names.push(name.trim().to_owned());
        }
    }
    assert!(!names.iter().any(|n| n.starts_with("tokio")), "{names:?}");
    conn.close();
}

#[test]
fn a_pool_of_http_servers_places_and_destroys_sessions() {
    let server = || {
        Server::start("/janus", |req| match (req.method.as_str(), req.route()) {
            // Pool connections reconnect: they ask for the reclaim window first.
            ("GET", "/janus/info") => Answer::Json(200, json!({"janus": "server_info"})),
            ("GET", _) => Answer::Hold,
            _ if req.body["janus"] == "create" => created(req),
            _ => req.reply(json!({"janus": "success", "session_id": 42})),
        })
    };
    let servers = [server(), server()];
    let urls: Vec<&str> = servers.iter().map(|s| s.url.as_str()).collect();
    let mut pool = crate::Pool::connect(urls, options()).expect("connect");
    let (placed, session) = pool.create().expect("create");
    assert_eq!(session, SessionId(42));
    pool.destroy(placed, session).expect("destroy");
    let destroyed = servers[placed]
        .requests()
        .into_iter()
        .any(|r| r.path == "/janus/42" && r.body["janus"] == "destroy");
    assert!(destroyed);
}

#[test]
fn many_pipelined_requests_all_get_their_replies() {
    let server = Server::start("/janus", |req| req.reply(json!({"janus": "pong"})));
    let mut conn = Connection::connect(&server.url, options()).expect("connect");
    let txns = conn
        .submit_all((0..40).map(|_| crate::Command::Ping))
        .expect("submit");
    for txn in txns {
        conn.wait(txn).expect("pong");
    }
    assert_eq!(server.requests().len(), 40);
}
