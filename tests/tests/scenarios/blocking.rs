//! What only `janus-blocking` has, against a real Janus 1.1.2: its named methods, the
//! bookkeeping of `submit`/`wait`/`cancel` (no IO until asked, outcomes kept until collected,
//! collected once), the acks of submitted requests as events, and the reason a connection
//! ended. The scenarios both drivers share are in the parent module.
//!
//! Every wait is bounded.

use std::collections::BTreeSet;
use std::time::Duration;

use janus_blocking::request::{Attach, Request};
use janus_blocking::{
    AdminConnection, Candidate, Command, Config, ConnectOptions, Connection, Error, Event,
    HandleEventKind, IceCandidate, Ordering, RequestError, Trickle, UsageError,
};
use janus_tests::proxy::{Oversized, WsProxy};
use janus_tests::JanusOptions;

use super::start;
use serde_json::json;

const ECHOTEST: &str = "janus.plugin.echotest";
const STREAMING: &str = "janus.plugin.streaming";

fn options() -> ConnectOptions {
    ConnectOptions::new()
        .request_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
}

fn connect_with(url: &str, options: ConnectOptions) -> Connection {
    Connection::connect(url, options).unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

/// Waits (at most 15 s) for the first event `pick` accepts, failing on a closed connection.
fn wait_for<T>(conn: &mut Connection, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
    let until = std::time::Instant::now() + Duration::from_secs(15);
    let mut skipped = Vec::new();
    loop {
        let left = until.saturating_duration_since(std::time::Instant::now());
        assert!(!left.is_zero(), "no matching event; saw {skipped:#?}");
        if let Some(event) = conn.next_event(left).expect("next_event") {
            match pick(&event) {
                Some(found) => return found,
                None => skipped.push(event),
            }
        }
    }
}

/// Every named method of `Connection` and `AdminConnection` (the scenarios go through
/// `call` with typed requests).
#[test]
fn the_named_methods() {
    let janus = start(JanusOptions::new().token_auth(true).name("blocking-named"));
    let mut admin = AdminConnection::connect(
        janus.admin_url(),
        options().admin_secret(janus.admin_secret()),
    )
    .expect("connect to the Admin API");
    let plugins = admin.add_token("blocking-token", None).expect("add_token");
    assert!(plugins.iter().any(|p| p == ECHOTEST), "{plugins:?}");
    let mut conn = connect_with(janus.ws_url(), options().token("blocking-token"));
    assert_eq!(conn.info().expect("info").auth_token, Some(true));
    conn.ping().expect("ping");
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");
    let candidate = Candidate::Ice(IceCandidate::new(
        "candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host",
        "0",
        0,
    ));
    conn.trickle(handle, Trickle::One(candidate))
        .expect("trickle");
    let reply = conn
        .message(handle, json!({"audio": true}), None)
        .expect("message");
    assert_eq!(reply.value().expect("JSON value")["result"], "ok");
    conn.hangup(handle).expect("hangup");
    conn.keepalive(session).expect("keepalive");

    assert!(admin
        .list_sessions()
        .expect("list_sessions")
        .contains(&session));
    assert_eq!(
        admin.list_handles(session).expect("list_handles"),
        vec![handle]
    );
    let info = admin.handle_info(session, handle).expect("handle_info");
    assert_eq!(info.plugin(), Some(ECHOTEST));
    assert_eq!(admin.set_log_level(4).expect("set_log_level"), 4);

    // Moved to a second connection, then detached and destroyed from there.
    let mut other = connect_with(
        janus.ws_url(),
        options()
            .token("blocking-token")
            .config(Config::new().transaction_prefix("b-")),
    );
    other.claim(session, &[handle]).expect("claim");
    other.detach(handle).expect("detach");
    wait_for(&mut other, |e| {
        matches!(e, Event::Handle { handle: h, event, .. }
            if *h == handle && event.kind == HandleEventKind::Detached)
        .then_some(())
    });
    other.destroy(session).expect("destroy");

    // The Admin API ends a handle and a session it did not create.
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");
    admin.detach_handle(session, handle).expect("detach_handle");
    admin.destroy_session(session).expect("destroy_session");
    assert!(!admin
        .list_sessions()
        .expect("list_sessions")
        .contains(&session));
    other.close();
    conn.close();
    admin.close();
}

/// `submit` does no IO beyond the write: every submitted request is pending until `wait`
/// or `next_event` reads; a submitted request's ack comes out of `next_event`; an outcome is
/// collected once; a cancelled request has none; and once the server is killed the
/// connection keeps why it ended.
#[test]
fn submit_wait_and_cancel_bookkeeping() {
    let mut janus = start(JanusOptions::new().name("blocking-bookkeeping"));
    let mut conn = connect_with(janus.ws_url(), options());
    let session = conn.create().expect("create");
    let streaming = conn
        .call(Attach::new(session, STREAMING).ordering(Ordering::Pipelined))
        .expect("attach");
    let echotest = conn.attach(session, ECHOTEST).expect("attach");

    // Streaming `stop` on a viewer that never started: accepted, never completed.
    let stuck: BTreeSet<_> = (0..5)
        .map(|_| {
            conn.submit(Command::message(
                streaming,
                json!({"request": "stop"}),
                None,
            ))
            .expect("submit")
        })
        .collect();
    let echo = conn
        .submit(Command::message(echotest, json!({"audio": true}), None))
        .expect("submit");
    assert_eq!(conn.core().pending(), 6);
    let mut acked = BTreeSet::new();
    while acked.len() < stuck.len() {
        acked.insert(wait_for(&mut conn, |e| match e {
            Event::Acked { txn, .. } if stuck.contains(txn) => Some(*txn),
            _ => None,
        }));
    }

    conn.wait(echo).expect("wait");
    assert!(matches!(
        conn.wait(echo),
        Err(Error::Usage(UsageError::NotPending(t))) if t == echo
    ));
    let cancelled = *stuck.first().expect("a stuck request");
    conn.cancel(cancelled).expect("cancel");
    assert!(matches!(conn.wait(cancelled), Err(Error::Usage(_))));
    // A request with its own deadline, through `submit`.
    let late = conn
        .submit(
            Command::message(streaming, json!({"request": "stop"}), None)
                .within(Duration::from_millis(200)),
        )
        .expect("submit");
    assert!(matches!(
        conn.wait(late),
        Err(Error::Request(RequestError::TimedOut { acked: true }))
    ));

    janus.kill().expect("kill Janus");
    for txn in stuck.iter().filter(|t| **t != cancelled) {
        assert!(matches!(
            conn.wait(*txn),
            Err(Error::Request(RequestError::ConnectionLost))
        ));
    }
    assert!(conn.is_closed());
    assert!(conn.close_reason().is_some(), "{:?}", conn.close_reason());
}

/// A message over `max_incoming_frame` is refused from its frame header: the connection is
/// closed with code 1009, the reason names both numbers, pending calls fail, and the 64 MiB
/// the proxy streams never land in memory.
#[test]
fn a_message_over_the_limit_closes_with_1009_without_buffering_it() {
    let janus = start(JanusOptions::new().name("blocking-oversized"));
    let proxy = WsProxy::start(janus.ws_url()).expect("proxy");
    let options = options().config(Config::new().max_incoming_frame(Oversized::LIMIT));
    let mut conn = connect_with(&proxy.url(), options);
    conn.create().expect("create through the proxy");

    let oversized = Oversized::inject(&proxy).expect("inject");
    // The ping's reply comes after the oversized header on the wire: the ping fails.
    match conn.ping() {
        Err(Error::Request(RequestError::ConnectionLost)) => {}
        other => panic!("expected the connection lost, got {other:?}"),
    }
    match conn.close_reason() {
        Some(Error::MessageTooLarge { size, limit }) => {
            assert_eq!((*size as u64, *limit), (Oversized::SIZE, Oversized::LIMIT))
        }
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    assert!(conn.is_closed());
    let growth = oversized.check(&proxy).expect("close frame and memory");
    println!("peak RSS growth while refusing the message: {growth} bytes");
}

/// A caller that does its own work for twice the session timeout keeps its session by
/// calling `poll` whenever the instant it returned comes; one that does not loses it.
#[test]
fn a_caller_busy_elsewhere_keeps_its_session_by_polling() {
    let janus = start(JanusOptions::new().session_timeout(3));
    let mut polled = connect_with(janus.ws_url(), options());
    let mut idle = connect_with(janus.ws_url(), options());
    let mut sessions = Vec::new();
    for conn in [&mut polled, &mut idle] {
        // `info` teaches the client the 3 s session timeout: keepalives every 1.5 s.
        conn.info().expect("info");
        sessions.push(conn.create().expect("create"));
    }
    let busy_until = std::time::Instant::now() + Duration::from_secs(7);
    let mut due = polled.poll().expect("poll");
    let mut polls = 0;
    while std::time::Instant::now() < busy_until {
        // The caller's own work, in slices that end by the instant `poll` asked for.
        let left = due.saturating_duration_since(std::time::Instant::now());
        std::thread::sleep(left.min(Duration::from_millis(200)));
        if std::time::Instant::now() >= due {
            due = polled.poll().expect("poll");
            polls += 1;
        }
    }
    assert!(polls >= 4, "polled {polls} times");
    polled
        .attach(sessions[0], ECHOTEST)
        .expect("the polled session is alive");
    while let Some(event) = polled.next_event(Duration::ZERO).expect("events") {
        assert!(
            !matches!(event, Event::Session { .. }),
            "nothing happened to the polled session: {event:?}"
        );
    }
    // The control: the same time away without `poll`, and Janus expired the session.
    let gone = idle.attach(sessions[1], ECHOTEST);
    assert!(
        matches!(&gone, Err(e) if e.janus_code() == Some(458))
            || matches!(gone, Err(Error::Request(RequestError::SessionEnded(_)))),
        "{gone:?}"
    );
}
