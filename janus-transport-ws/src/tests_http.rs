//! The driver over Janus's HTTP REST transport against a scripted HTTP/1.1 server on
//! loopback (std sockets, a thread per connection, answering each request as the test's
//! function says): sessions polled one long-poll at a time, events and keepalives in poll
//! answers, error statuses, a server that drops a poll, a closed port, secrets, the Admin
//! API and a pool; on smol, and on a current-thread tokio runtime.

use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::StreamExt;
use janus_proto::{ConnectionEvent, Event, HandleEventKind, SessionEnd, SessionEvent};
use serde_json::{json, Value};

use crate::*;

const BOUND: Duration = Duration::from_secs(10);

/// A request the server received.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    /// The JSON body; `Null` without one.
    body: Value,
}

impl Req {
    /// `janus` of the body.
    fn janus(&self) -> Option<&str> {
        self.body["janus"].as_str()
    }

    /// A `200` reply naming the request's transaction, with `fields` added.
    fn success(&self, fields: Value) -> Answer {
        let mut reply = json!({"janus": "success", "transaction": self.body["transaction"]});
        if let (Some(reply), Value::Object(fields)) = (reply.as_object_mut(), fields) {
            reply.extend(fields);
        }
        Answer::Reply(200, reply)
    }

    /// Whether this is a long-poll of `session` on the Janus API.
    fn polls(&self, session: u64) -> bool {
        self.method == "GET" && self.path.starts_with(&format!("/janus/{session}?"))
    }
}

/// What the server does with a request.
enum Answer {
    /// Answers with this status and JSON body.
    Reply(u16, Value),
    /// Closes the connection without an answer.
    Close,
    /// Never answers (reads until the client goes).
    Hold,
}

/// The scripted server: every request is logged, then answered as `handler` says, on the
/// connection's own thread (so a handler may block).
struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Req>>>,
}

type Handler = dyn Fn(&Req) -> Answer + Send + Sync;

impl Server {
    fn start(handler: impl Fn(&Req) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let addr = listener.local_addr().expect("address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let shared = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (handler, log) = (handler.clone(), shared.clone());
                std::thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Server { addr, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<Req> {
        self.log.lock().expect("log").clone()
    }
}

/// One connection: requests answered in turn until the client closes it or an answer ends
/// it.
fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Req>>) {
    stream.set_read_timeout(Some(BOUND)).expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    while let Some(req) = read_request(&mut reader) {
        log.lock().expect("log").push(req.clone());
        match handler(&req) {
            Answer::Reply(status, body) => {
                let body = body.to_string();
                let head = format!(
                    "HTTP/1.1 {status} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                if writer.write_all(head.as_bytes()).is_err()
                    || writer.write_all(body.as_bytes()).is_err()
                {
                    return;
                }
            }
            Answer::Close => return,
            Answer::Hold => {
                let _ = reader.read_to_end(&mut Vec::new());
                return;
            }
        }
    }
}

/// The next request on a connection (`None` at its end): the request line, the headers
/// (of which only `Content-Length` counts) and the body.
fn read_request(reader: &mut impl BufRead) -> Option<Req> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut words = line.split_whitespace();
    let (method, path) = (words.next()?.to_owned(), words.next()?.to_owned());
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("a length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let body = match body.is_empty() {
        true => Value::Null,
        false => serde_json::from_slice(&body).expect("a JSON body"),
    };
    Some(Req { method, path, body })
}

/// A plugin event for handle 7 of session 42 with payload `n`.
fn event(n: u64) -> Value {
    json!({"janus": "event", "session_id": 42, "sender": 7,
           "plugindata": {"plugin": "janus.plugin.echotest", "data": {"n": n}}})
}

/// A future that counts its polls.
struct Counted<F> {
    inner: F,
    polls: Arc<AtomicUsize>,
}

impl<F: Future + Unpin> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        Pin::new(&mut self.inner).poll(cx)
    }
}

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    smol::future::or(async { Some(fut.await) }, async {
        smol::Timer::after(BOUND).await;
        None
    })
    .await
    .unwrap_or_else(|| panic!("{what}: nothing within {BOUND:?}"))
}

/// Waits (polling every few milliseconds) until `done` holds.
async fn until(what: &str, done: impl Fn() -> bool) {
    within(what, async {
        while !done() {
            smol::Timer::after(Duration::from_millis(5)).await;
        }
    })
    .await
}

/// How the scripted Janus of [`polled_events`] went.
#[derive(Default)]
struct PollCount {
    polls: AtomicUsize,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// A Janus that creates session 42 and attaches handle 7, and answers the session's polls:
/// the first with `keepalive`, the second (once `release` says so) with events 1 and 2, the
/// third with event 3 and the session's timeout.
fn polled_janus(count: Arc<PollCount>, release: Receiver<()>) -> Server {
    let release = Mutex::new(release);
    Server::start(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/janus") if req.janus() == Some("create") => {
            req.success(json!({"data": {"id": 42}}))
        }
        ("POST", "/janus/42") if req.janus() == Some("attach") => {
            req.success(json!({"session_id": 42, "data": {"id": 7}}))
        }
        _ if req.polls(42) => {
            let now = count.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            count.most_in_flight.fetch_max(now, Ordering::SeqCst);
            let answer = match count.polls.fetch_add(1, Ordering::SeqCst) + 1 {
                1 => Answer::Reply(200, json!({"janus": "keepalive"})),
                2 => {
                    let released = release.lock().expect("release").recv_timeout(BOUND);
                    released.expect("released");
                    Answer::Reply(200, json!([event(1), event(2)]))
                }
                3 => Answer::Reply(
                    200,
                    json!([event(3), {"janus": "timeout", "session_id": 42}]),
                ),
                _ => Answer::Hold,
            };
            count.in_flight.fetch_sub(1, Ordering::SeqCst);
            answer
        }
        _ => Answer::Close,
    })
}

/// Sleeps on the test's runtime.
type Pause = fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// Against [`polled_janus`]: the session's events come through its polls in order to the
/// handle's and the session's streams, and the driver sleeps while nothing happens.
async fn polled_events(
    client: &Client,
    driver_polls: &AtomicUsize,
    release: Sender<()>,
    pause: Pause,
) {
    let session = client.create().await.expect("create");
    assert_eq!(session.id(), SessionId(42));
    let handle = session
        .attach("janus.plugin.echotest")
        .await
        .expect("attach");
    let mut handle_events = handle.events();
    let mut session_events = session.events();

    // Once the second poll is out (and held), there is nothing to do: the driver is not
    // polled.
    pause(Duration::from_millis(100)).await;
    let before = driver_polls.load(Ordering::Relaxed);
    pause(Duration::from_millis(300)).await;
    let idle = driver_polls.load(Ordering::Relaxed) - before;
    assert!(idle <= 2, "the driver was polled {idle} times while idle");
    release.send(()).expect("release");

    let n = |item: &StreamItem| match item.handle_event().map(|e| &e.kind) {
        Some(HandleEventKind::Plugin { data, .. }) => {
            data.value().expect("JSON value")["n"].as_i64()
        }
        _ => None,
    };
    let on_handle: Vec<StreamItem> = handle_events.by_ref().collect().await;
    let ns: Vec<Option<i64>> = on_handle.iter().map(n).collect();
    assert_eq!(ns, [Some(1), Some(2), Some(3)], "{on_handle:?}");
    let on_session: Vec<StreamItem> = session_events.by_ref().collect().await;
    assert!(
        matches!(
            on_session.as_slice(),
            [item] if matches!(item.session_event(), Some(SessionEvent::Ended(SessionEnd::TimedOut(_))))
        ),
        "{on_session:?}"
    );
}

/// What [`polled_events`] left in the server's log: one poll at a time, the
/// `keepalive` answer followed by the next poll, none after the session ended, no keepalive
/// requests.
fn check_polls(server: &Server, count: &PollCount) {
    let requests = server.requests();
    let polls: Vec<&Req> = requests.iter().filter(|r| r.polls(42)).collect();
    assert_eq!(polls.len(), 3, "{requests:?}");
    for poll in &polls {
        let rid = poll.path.strip_prefix("/janus/42?maxev=10&rid=");
        assert!(
            rid.is_some_and(|rid| rid.parse::<u64>().is_ok()),
            "{}",
            poll.path
        );
    }
    assert_eq!(count.most_in_flight.load(Ordering::SeqCst), 1);
    let kinds: Vec<Option<&str>> = requests
        .iter()
        .filter(|r| r.method == "POST")
        .map(Req::janus)
        .collect();
    assert_eq!(kinds, [Some("create"), Some("attach")], "{requests:?}");
}

#[test]
fn a_session_is_long_polled_once_at_a_time_and_its_events_arrive_in_order() {
    let count = Arc::new(PollCount::default());
    let (release, released) = std::sync::mpsc::channel();
    let server = polled_janus(count.clone(), released);
    smol::block_on(async {
        let (client, driver) = within(
            "connect",
            connect(&server.url("/janus"), ConnectOptions::new()),
        )
        .await
        .expect("connect");
        let polls = Arc::new(AtomicUsize::new(0));
        let driver = smol::spawn(Counted {
            inner: driver,
            polls: polls.clone(),
        });
        let pause: Pause = |d| {
            Box::pin(async move {
                smol::Timer::after(d).await;
            })
        };
        within("events", polled_events(&client, &polls, release, pause)).await;
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
    check_polls(&server, &count);
}

#[cfg(feature = "tokio")]
#[test]
fn the_driver_runs_over_http_on_a_current_thread_tokio_runtime() {
    let count = Arc::new(PollCount::default());
    let (release, released) = std::sync::mpsc::channel();
    let server = polled_janus(count.clone(), released);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let scenario = async {
            let (client, driver) = connect(&server.url("/janus"), ConnectOptions::new())
                .await
                .expect("connect");
            let polls = Arc::new(AtomicUsize::new(0));
            let driver = tokio::spawn(Counted {
                inner: driver,
                polls: polls.clone(),
            });
            let pause: Pause = |d| Box::pin(tokio::time::sleep(d));
            polled_events(&client, &polls, release, pause).await;
            client.close();
            driver.await.expect("driver task")
        };
        let end = tokio::time::timeout(BOUND, scenario)
            .await
            .expect("in time");
        assert!(matches!(end, DriverEnd::Closed), "{end:?}");
    });
    check_polls(&server, &count);
}

#[test]
fn a_request_answered_500_fails_with_its_status_and_the_connection_goes_on() {
    let server = Server::start(|req| match req.janus() {
        Some("create") => Answer::Reply(500, json!({"oops": true})),
        Some("ping") => Answer::Reply(
            200,
            json!({"janus": "pong", "transaction": req.body["transaction"]}),
        ),
        _ => Answer::Close,
    });
    smol::block_on(async {
        let (client, driver) = within(
            "connect",
            connect(&server.url("/janus"), ConnectOptions::new()),
        )
        .await
        .expect("connect");
        let driver = smol::spawn(driver);
        match within("create", client.create()).await {
            Err(Error::Request(RequestError::Http { status: 500 })) => {}
            other => panic!("expected HTTP status 500, got {other:?}"),
        }
        within("ping", client.ping()).await.expect("pong");
        assert!(!client.is_closed());
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
}

/// A Janus that creates session 42, holds every request on it (noting that one came), and
/// answers the session's poll, once such a request came, with `poll`.
fn failing_poll(poll: fn() -> Answer) -> (Server, Arc<AtomicBool>) {
    let held = Arc::new(AtomicBool::new(false));
    let seen = held.clone();
    let server = Server::start(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/janus") => req.success(json!({"data": {"id": 42}})),
        ("POST", "/janus/42") => {
            seen.store(true, Ordering::SeqCst);
            Answer::Hold
        }
        _ if req.polls(42) => {
            for _ in 0..2_000 {
                if seen.load(Ordering::SeqCst) {
                    return poll();
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Answer::Hold
        }
        _ => Answer::Close,
    });
    (server, held)
}

#[test]
fn a_poll_answered_503_loses_the_connection() {
    let (server, held) = failing_poll(|| Answer::Reply(503, json!({})));
    smol::block_on(async {
        let (client, driver) = within(
            "connect",
            connect(&server.url("/janus"), ConnectOptions::new()),
        )
        .await
        .expect("connect");
        let driver = smol::spawn(driver);
        let session = within("create", client.create()).await.expect("create");
        let attach = session.attach("janus.plugin.echotest");
        match within("attach", attach).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected the connection lost, got {other:?}"),
        }
        assert!(held.load(Ordering::SeqCst));
        match within("driver", driver).await {
            DriverEnd::Lost(Error::Dead(Disconnect::Http { status: 503 })) => {}
            other => panic!("expected the loss by status 503, got {other:?}"),
        }
        assert!(client.is_closed());
        match within("create", client.create()).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected the connection closed, got {other:?}"),
        }
    });
}

#[test]
fn a_server_that_closes_a_poll_loses_the_connection() {
    let (server, _held) = failing_poll(|| Answer::Close);
    smol::block_on(async {
        let (client, driver) = within(
            "connect",
            connect(&server.url("/janus"), ConnectOptions::new()),
        )
        .await
        .expect("connect");
        let driver = smol::spawn(driver);
        let session = within("create", client.create()).await.expect("create");
        match within("attach", session.attach("janus.plugin.echotest")).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected the connection lost, got {other:?}"),
        }
        match within("driver", driver).await {
            DriverEnd::Lost(Error::Socket(_)) => {}
            other => panic!("expected a socket error, got {other:?}"),
        }
        assert!(client.is_closed());
    });
}

#[test]
fn a_lost_connection_is_dialled_again_and_its_session_confirmed() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let server = Server::start(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/janus/info") => Answer::Reply(
            200,
            json!({"janus": "server_info", "transaction": "own", "name": "Janus WebRTC Server",
                   "session-timeout": 60, "reclaim-session-timeout": 30}),
        ),
        ("POST", "/janus") if req.janus() == Some("create") => {
            req.success(json!({"data": {"id": 42}}))
        }
        // Janus's HTTP transport ties no session to a connection: a keepalive confirms it.
        ("POST", "/janus/42") if req.janus() == Some("keepalive") => Answer::Reply(
            200,
            json!({"janus": "ack", "session_id": 42, "transaction": req.body["transaction"]}),
        ),
        // The first poll finds the server gone; the one after the confirmation is held.
        _ if req.polls(42) => match seen.fetch_add(1, Ordering::SeqCst) {
            0 => Answer::Close,
            _ => Answer::Hold,
        },
        _ => Answer::Close,
    });
    smol::block_on(async {
        let policy = Reconnect::new()
            .first_delay(Duration::from_millis(10))
            .max_attempts(3);
        let options = ConnectOptions::new().reconnect(policy);
        let (client, driver) = within("connect", connect(&server.url("/janus"), options))
            .await
            .expect("connect");
        let driver = smol::spawn(driver);
        let mut connection = client.connection_events();
        let session = within("create", client.create()).await.expect("create");
        until("the poll after the confirmation", || {
            polls.load(Ordering::SeqCst) == 2
        })
        .await;
        let reconnected = within("events", async {
            while let Some(item) = connection.next().await {
                if let StreamItem::Event(Event::Connection(ConnectionEvent::Reconnected {
                    ..
                })) = item
                {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(reconnected);
        assert_eq!(session.state(), Some(SessionState::Active));
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
    let requests = server.requests();
    let kinds: Vec<_> = requests.iter().filter_map(|r| r.janus()).collect();
    assert!(!kinds.contains(&"claim"), "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| **k == "keepalive").count(),
        1,
        "{kinds:?}"
    );
}

#[test]
fn a_poll_answered_404_ends_its_session_only() {
    let server = Server::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/janus") if req.janus() == Some("create") => {
            req.success(json!({"data": {"id": 42}}))
        }
        ("POST", "/janus") if req.janus() == Some("ping") => Answer::Reply(
            200,
            json!({"janus": "pong", "transaction": req.body["transaction"]}),
        ),
        _ if req.polls(42) => Answer::Reply(404, json!({})),
        _ => Answer::Close,
    });
    smol::block_on(async {
        let (client, driver) = within(
            "connect",
            connect(&server.url("/janus"), ConnectOptions::new()),
        )
        .await
        .expect("connect");
        let driver = smol::spawn(driver);
        let session = within("create", client.create()).await.expect("create");
        let ended: Vec<StreamItem> = within("session stream", session.events().collect()).await;
        assert!(
            matches!(
                ended.as_slice(),
                [item] if matches!(item.session_event(), Some(SessionEvent::Ended(SessionEnd::PollRefused { .. })))
            ),
            "{ended:?}"
        );
        within("ping", client.ping()).await.expect("pong");
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
}

#[test]
fn connecting_to_a_closed_port_fails() {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    smol::block_on(async {
        let url = format!("http://{addr}/janus");
        match within("connect", connect(&url, ConnectOptions::new())).await {
            Err(Error::Connect(ConnectError::Socket(SocketError::Io(e)))) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused)
            }
            other => panic!("expected the connection refused, got {other:?}"),
        }
    });
}

#[test]
fn the_apisecret_and_token_go_in_post_bodies_and_on_the_poll() {
    let server = Server::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/janus") => req.success(json!({"data": {"id": 42}})),
        _ => Answer::Hold,
    });
    smol::block_on(async {
        let options = ConnectOptions::new().apisecret("s3cret&x y").token("t0ken");
        let (client, driver) = within("connect", connect(&server.url("/janus"), options))
            .await
            .expect("connect");
        let driver = smol::spawn(driver);
        within("create", client.create()).await.expect("create");
        until("the poll", || server.requests().iter().any(|r| r.polls(42))).await;
        client.close();
        assert!(matches!(within("driver", driver).await, DriverEnd::Closed));
    });
    let requests = server.requests();
    let create = &requests[0];
    assert_eq!(create.janus(), Some("create"));
    assert_eq!(create.body["apisecret"], "s3cret&x y");
    assert_eq!(create.body["token"], "t0ken");
    let poll = requests.iter().find(|r| r.polls(42)).expect("a poll");
    assert!(
        poll.path.ends_with("&apisecret=s3cret%26x%20y&token=t0ken"),
        "{}",
        poll.path
    );
}

#[test]
fn the_admin_api_and_a_pool_work_over_http() {
    let server = Server::start(
        |req| match (req.method.as_str(), req.path.as_str(), req.janus()) {
            ("POST", "/admin", Some("list_sessions")) if req.body["admin_secret"] == "pw" => {
                req.success(json!({"sessions": [1, 2]}))
            }
            ("POST", "/janus", Some("create")) => req.success(json!({"data": {"id": 42}})),
            // A pooled connection reconnects, so it asks for the server's reclaim window; Janus
            // answers `GET /info` with a transaction of its own.
            ("GET", "/janus/info", None) => Answer::Reply(
                200,
                json!({"janus": "server_info", "transaction": "own", "name": "Janus WebRTC Server",
                   "session-timeout": 60, "reclaim-session-timeout": 0}),
            ),
            _ if req.polls(42) => Answer::Hold,
            _ => Answer::Close,
        },
    );
    smol::block_on(async {
        let options = ConnectOptions::new().admin_secret("pw");
        let servers = [PoolServer::new(server.url("/janus")).admin(server.url("/admin"))];
        let (pool, driver) = within("connect", connect_pool(servers, options))
            .await
            .expect("connect");
        let driver = smol::spawn(driver);
        let (index, session) = within("create", pool.create()).await.expect("create");
        assert_eq!((index, session.id()), (0, SessionId(42)));
        assert_eq!(pool.admin_error(0).map(|e| e.to_string()), None);
        pool.close();
        let ends = within("driver", driver).await;
        assert!(matches!(ends.as_slice(), [DriverEnd::Closed]), "{ends:?}");
    });
    let kinds: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.janus().map(str::to_owned))
        .collect();
    assert_eq!(kinds, [Some("list_sessions".into()), Some("create".into())]);
}

#[test]
fn http_needs_its_own_connections_and_one_kind_of_url() {
    smol::block_on(async {
        let stream = smol::io::Cursor::new(Vec::<u8>::new());
        let url = "http://127.0.0.1:8088/janus";
        match connect_with_stream(stream, url, ConnectOptions::new()).await {
            Err(Error::Connect(ConnectError::InvalidUrl { url: given, reason })) => {
                assert_eq!(given, url);
                assert!(reason.contains("http://"), "{reason}");
            }
            other => panic!("expected an invalid URL, got {other:?}"),
        }
        let options = ConnectOptions::new().fallback_url("ws://127.0.0.1:8188");
        match connect(url, options).await {
            Err(Error::Connect(ConnectError::InvalidUrl { .. })) => {}
            other => panic!("expected an invalid URL, got {other:?}"),
        }
    });
}
