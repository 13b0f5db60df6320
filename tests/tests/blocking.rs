//! `janus-blocking` against a real Janus 1.1.2: every typed call, events, keepalives and
//! session expiry, claim, auth, the Admin API, a server killed under the client, 500
//! requests in flight on one connection, and wss.
//!
//! Tests that need no special server config share one Janus (started on first use, stopped
//! when no test holds it); the others start their own. Every wait is bounded.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use janus_blocking::request::{
    self, Attach, Create, Destroy, Detach, Keepalive, Message, Ping, Request,
};
use janus_blocking::{
    AdminConnection, Candidate, Command, Config, ConnectError, ConnectOptions, Connection,
    ConnectionEvent, Error, Event, HandleEventKind, HandleId, IceCandidate, Ordering, RequestError,
    SessionEnd, SessionEvent, SessionId, SocketError, Trickle,
};
use janus_tests::proxy::{Oversized, WsProxy};
use janus_tests::{JanusOptions, JanusServer};
use serde_json::{json, Value};

const ECHOTEST: &str = "janus.plugin.echotest";
const VIDEOROOM: &str = "janus.plugin.videoroom";
const STREAMING: &str = "janus.plugin.streaming";

/// Upper bound of any single wait in these tests.
const BOUND: Duration = Duration::from_secs(15);

// ----- servers ---------------------------------------------------------------------------

/// The Janus shared by tests that need no special config: started on first use, stopped
/// when the last test holding it is done.
fn shared() -> Arc<JanusServer> {
    static SHARED: Mutex<Weak<JanusServer>> = Mutex::new(Weak::new());
    let mut slot = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(janus) = slot.upgrade() {
        return janus;
    }
    let janus = Arc::new(start(JanusOptions::new().name("blocking-shared")));
    *slot = Arc::downgrade(&janus);
    janus
}

fn start(options: JanusOptions) -> JanusServer {
    JanusServer::start(options).unwrap_or_else(|e| panic!("Janus did not start: {e}"))
}

fn options() -> ConnectOptions {
    ConnectOptions::new()
        .request_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
}

fn connect(url: &str) -> Connection {
    connect_with(url, options())
}

fn connect_with(url: &str, options: ConnectOptions) -> Connection {
    Connection::connect(url, options).unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

fn admin(janus: &JanusServer) -> AdminConnection {
    let options = options().admin_secret(janus.admin_secret());
    AdminConnection::connect(janus.admin_url(), options)
        .unwrap_or_else(|e| panic!("connect to the Admin API: {e}"))
}

// ----- helpers ---------------------------------------------------------------------------

/// Waits (at most [`BOUND`]) for the first event `pick` accepts, failing on a closed
/// connection; returns it and the events skipped on the way.
fn wait_for<T>(
    conn: &mut Connection,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> (T, Vec<Event>) {
    let until = Instant::now() + BOUND;
    let mut skipped = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no matching event within {BOUND:?}; saw {skipped:#?}"
        );
        match conn.next_event(left) {
            Ok(Some(event)) => match pick(&event) {
                Some(found) => return (found, skipped),
                None => skipped.push(event),
            },
            Ok(None) => {}
            Err(e) => panic!("next_event failed: {e}; saw {skipped:#?}"),
        }
    }
}

fn is_detached(event: &Event, handle: HandleId) -> bool {
    matches!(event, Event::Handle { handle: h, event, .. }
        if *h == handle && event.kind == HandleEventKind::Detached)
}

/// A room id no other test uses.
fn room_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = u64::from(std::process::id()) % 10_000 * 100_000;
    1_000_000_000 + base + NEXT.fetch_add(1, AtomicOrdering::Relaxed)
}

fn plugin_value(reply: &janus_blocking::PluginReply, key: &str) -> Value {
    reply
        .value()
        .expect("JSON value")
        .get(key)
        .cloned()
        .unwrap_or(Value::Null)
}

// ----- the Janus API ---------------------------------------------------------------------

#[test]
fn info_and_ping() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let info = conn.info().expect("info");
    assert_eq!(info.name.as_deref(), Some("Janus WebRTC Server"));
    assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
    assert_eq!(info.version, Some(1102));
    assert_eq!(info.session_timeout, Some(60));
    assert_eq!(info.api_secret, Some(false));
    for plugin in [ECHOTEST, VIDEOROOM, STREAMING] {
        assert!(info.plugins.contains_key(plugin), "{plugin} missing");
    }
    // The client learnt the session timeout: keepalives every 25 s at most (half of 60 s
    // would be 30 s, longer than the default 25 s).
    assert_eq!(conn.core().keepalive_interval(), Duration::from_secs(25));
    conn.ping().expect("ping");
    conn.call(Ping.within(Duration::from_secs(2)))
        .expect("ping");
    conn.close();
}

#[test]
fn create_attach_detach_destroy() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    assert!(session.0 > 0);
    assert_eq!(
        conn.core().session_state(session),
        Some(janus_blocking::SessionState::Active)
    );

    let handle = conn.attach(session, ECHOTEST).expect("attach");
    assert!(handle.0 > 0);
    assert_eq!(conn.core().session_of(handle), Some(session));

    // An unknown plugin: Janus error 460, and no handle.
    match conn.attach(session, "janus.plugin.nosuchplugin") {
        Err(Error::Request(RequestError::Janus(e))) => {
            assert_eq!(e.code, 460);
            assert!(
                e.reason.contains("janus.plugin.nosuchplugin"),
                "{}",
                e.reason
            );
        }
        other => panic!("expected error 460, got {other:?}"),
    }

    // detach: the call succeeds and `detached` comes as an event.
    conn.detach(handle).expect("detach");
    let (_, skipped) = wait_for(&mut conn, |e| is_detached(e, handle).then_some(()));
    assert!(
        skipped.iter().all(|e| !matches!(e, Event::Connection(_))),
        "{skipped:#?}"
    );
    assert_eq!(conn.core().session_of(handle), None);
    // The handle is gone on the client side too.
    match conn.hangup(handle) {
        Err(Error::Usage(janus_blocking::UsageError::HandleEnded(h))) => assert_eq!(h, handle),
        other => panic!("expected a usage error, got {other:?}"),
    }

    // create_with_id: the id asked for, and 468 when it is taken.
    let chosen = SessionId(room_id() * 7);
    assert_eq!(
        conn.call(Create::with_id(chosen)).expect("create_with_id"),
        chosen
    );
    match conn.call(Create::with_id(chosen)) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 468),
        other => panic!("expected error 468, got {other:?}"),
    }

    conn.destroy(session).expect("destroy");
    conn.call(Destroy(chosen).within(Duration::from_secs(5)))
        .expect("destroy");
    assert_eq!(conn.core().session_state(session), None);
    // Destroyed: the client refuses further requests without sending them.
    match conn.attach(session, ECHOTEST) {
        Err(Error::Usage(janus_blocking::UsageError::SessionEnded(s))) => assert_eq!(s, session),
        other => panic!("expected a usage error, got {other:?}"),
    }
    // And the server agrees: claiming it from a second connection gets 458.
    let mut other = connect(janus.ws_url());
    match other.claim(session, &[]) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 458),
        other => panic!("expected error 458, got {other:?}"),
    }
    other.close();
    conn.close();
}

#[test]
fn videoroom_synchronous_requests() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let handle = conn.attach(session, VIDEOROOM).expect("attach");
    let room = room_id();

    let created = conn
        .message(
            handle,
            json!({"request": "create", "room": room, "description": "blocking"}),
            None,
        )
        .expect("create room");
    assert_eq!(created.data.plugin, VIDEOROOM);
    assert_eq!(plugin_value(&created, "videoroom"), "created");
    assert_eq!(plugin_value(&created, "room"), room);
    assert!(created.jsep.is_none());

    let exists = conn
        .message(handle, json!({"request": "exists", "room": room}), None)
        .expect("exists");
    assert_eq!(plugin_value(&exists, "exists"), true);
    assert_eq!(plugin_value(&exists, "room"), room);

    let list = conn
        .message(handle, json!({"request": "list"}), None)
        .expect("list");
    let rooms = plugin_value(&list, "list");
    let ours = rooms
        .as_array()
        .and_then(|l| l.iter().find(|r| r["room"] == room))
        .unwrap_or_else(|| panic!("room {room} not listed in {rooms}"));
    assert_eq!(ours["description"], "blocking");

    let destroyed = conn
        .call(
            Message::new(handle, json!({"request": "destroy", "room": room}))
                .within(Duration::from_secs(5)),
        )
        .expect("destroy room");
    assert_eq!(plugin_value(&destroyed, "videoroom"), "destroyed");
    let gone = conn
        .message(handle, json!({"request": "exists", "room": room}), None)
        .expect("exists");
    assert_eq!(plugin_value(&gone, "exists"), false);

    // A plugin error in a synchronous reply: destroying it again.
    match conn.message(handle, json!({"request": "destroy", "room": room}), None) {
        Err(Error::Request(RequestError::Plugin(e))) => {
            assert_eq!(e.plugin, VIDEOROOM);
            assert_eq!(e.code, 426);
        }
        other => panic!("expected plugin error 426, got {other:?}"),
    }
    // A body that is not an object is refused before anything is sent.
    assert!(matches!(
        conn.message(handle, json!("exists"), None),
        Err(Error::Usage(janus_blocking::UsageError::BodyNotObject))
    ));
    conn.destroy(session).expect("destroy");
    conn.close();
}

#[test]
fn echotest_asynchronous_request() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");

    // The ack and the event come in either order; the call returns the event either way.
    for _ in 0..10 {
        let reply = conn
            .message(handle, json!({"audio": true}), None)
            .expect("echotest message");
        assert_eq!(reply.data.plugin, ECHOTEST);
        assert_eq!(plugin_value(&reply, "echotest"), "event");
        assert_eq!(plugin_value(&reply, "result"), "ok");
        assert!(reply.jsep.is_none());
        assert_eq!(reply.raw.value().expect("JSON value")["janus"], "event");
    }
    // A typed call's own ack is not reported as an event.
    assert!(matches!(
        conn.next_event(Duration::from_millis(50)),
        Ok(None)
    ));

    // Through submit/wait: same outcome.
    let txn = conn
        .submit(Command::message(handle, json!({"video": false}), None))
        .expect("submit");
    let reply = conn.wait(txn).expect("wait");
    match reply.kind {
        janus_blocking::ReplyKind::Plugin { data, .. } => {
            assert_eq!(data.value().expect("JSON value")["result"], "ok")
        }
        other => panic!("unexpected reply {other:?}"),
    }
    // Collected once only.
    assert!(matches!(
        conn.wait(txn),
        Err(Error::Usage(janus_blocking::UsageError::NotPending(t))) if t == txn
    ));

    // An EchoTest plugin error (no known attribute): code 413 inside the event.
    match conn.message(handle, json!({"nothing": 1}), None) {
        Err(Error::Request(RequestError::Plugin(e))) => {
            assert_eq!(e.plugin, ECHOTEST);
            assert_eq!(e.code, 413);
        }
        other => panic!("expected plugin error 413, got {other:?}"),
    }
    conn.destroy(session).expect("destroy");
    conn.close();
}

#[test]
fn videoroom_join_and_plugin_error() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let admin_handle = conn.attach(session, VIDEOROOM).expect("attach");
    let publisher = conn.attach(session, VIDEOROOM).expect("attach");
    let room = room_id();
    conn.message(
        admin_handle,
        json!({"request": "create", "room": room}),
        None,
    )
    .expect("create room");

    let joined = conn
        .message(
            publisher,
            json!({"request": "join", "ptype": "publisher", "room": room, "display": "alice"}),
            None,
        )
        .expect("join");
    assert_eq!(plugin_value(&joined, "videoroom"), "joined");
    assert_eq!(plugin_value(&joined, "room"), room);
    assert!(plugin_value(&joined, "id")
        .as_u64()
        .is_some_and(|id| id > 0));
    assert_eq!(plugin_value(&joined, "publishers"), json!([]));

    let participants = conn
        .message(
            admin_handle,
            json!({"request": "listparticipants", "room": room}),
            None,
        )
        .expect("listparticipants");
    let list = plugin_value(&participants, "participants");
    assert_eq!(list[0]["display"], "alice", "{list}");

    // Joining a room that does not exist: the plugin's error 426, not a Janus error.
    let other = conn.attach(session, VIDEOROOM).expect("attach");
    match conn.message(
        other,
        json!({"request": "join", "ptype": "publisher", "room": room + 1_000_000}),
        None,
    ) {
        Err(Error::Request(RequestError::Plugin(e))) => {
            assert_eq!(e.plugin, VIDEOROOM);
            assert_eq!(e.code, 426);
            assert!(e.reason.contains("No such room"), "{}", e.reason);
        }
        other => panic!("expected plugin error 426, got {other:?}"),
    }

    conn.message(
        admin_handle,
        json!({"request": "destroy", "room": room}),
        None,
    )
    .expect("destroy room");
    conn.destroy(session).expect("destroy");
    conn.close();
}

#[test]
fn trickle_and_hangup() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");

    let candidate = |port: u16| {
        Candidate::Ice(IceCandidate::new(
            format!("candidate:1 1 udp 2122260223 127.0.0.1 {port} typ host"),
            "0",
            0,
        ))
    };
    conn.trickle(handle, Trickle::One(candidate(40000)))
        .expect("one candidate");
    conn.trickle(
        handle,
        Trickle::Many(vec![candidate(40001), candidate(40002)]),
    )
    .expect("several candidates");
    conn.call(request::Trickle::new(handle, Trickle::completed()).within(Duration::from_secs(5)))
        .expect("completed");

    // hangup succeeds (no peer connection yet); the handle survives it.
    conn.hangup(handle).expect("hangup");
    assert_eq!(conn.core().session_of(handle), Some(session));
    let reply = conn
        .message(handle, json!({"audio": true}), None)
        .expect("message after hangup");
    assert_eq!(plugin_value(&reply, "result"), "ok");

    conn.call(Detach(handle).within(Duration::from_secs(5)))
        .expect("detach");
    wait_for(&mut conn, |e| is_detached(e, handle).then_some(()));
    conn.keepalive(session).expect("keepalive");
    conn.call(Keepalive(session).within(Duration::from_secs(5)))
        .expect("keepalive");
    conn.destroy(session).expect("destroy");
    conn.close();
}

#[test]
fn request_deadline_and_cancel() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let handle = conn.attach(session, STREAMING).expect("attach");

    // Streaming `stop` on a viewer that never started: Janus acks it and says nothing more,
    // so the request ends at its own deadline, known to have been accepted.
    let start = Instant::now();
    match conn
        .call(Message::new(handle, json!({"request": "stop"})).within(Duration::from_millis(500)))
    {
        Err(Error::Request(RequestError::TimedOut { acked })) => assert!(acked),
        other => panic!("expected a timeout, got {other:?}"),
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < BOUND,
        "{took:?}"
    );

    // A cancelled request: its outcome is gone, the connection goes on.
    let txn = conn
        .submit(Command::message(handle, json!({"request": "stop"}), None))
        .expect("submit");
    conn.cancel(txn).expect("cancel");
    assert!(matches!(conn.wait(txn), Err(Error::Usage(_))));
    let list = conn
        .message(handle, json!({"request": "list"}), None)
        .expect("list");
    assert_eq!(plugin_value(&list, "streaming"), "list");
    conn.destroy(session).expect("destroy");
    conn.close();
}

#[test]
fn five_hundred_requests_in_flight() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let handles: Vec<HandleId> = (0..10)
        .map(|_| {
            conn.call(
                Attach::new(session, VIDEOROOM)
                    .opaque_id("load")
                    .ordering(Ordering::Pipelined),
            )
            .expect("attach")
        })
        .collect();

    let base = room_id() * 1000;
    let mut txns = BTreeMap::new();
    for i in 0..500u64 {
        let room = base + i;
        let handle = handles[(i % 10) as usize];
        let txn = conn
            .submit(Command::message(
                handle,
                json!({"request": "exists", "room": room}),
                None,
            ))
            .expect("submit");
        txns.insert(txn, room);
    }
    assert_eq!(conn.core().pending(), 500);
    // Collect in reverse order of submission: the outcomes are kept until asked for.
    let mut seen = BTreeSet::new();
    for (txn, room) in txns.iter().rev() {
        let reply = conn.wait(*txn).expect("reply");
        let data = match reply.kind {
            janus_blocking::ReplyKind::Plugin { data, .. } => data.value().expect("JSON value"),
            other => panic!("unexpected reply {other:?}"),
        };
        assert_eq!(data["room"], *room, "reply for the wrong request");
        assert_eq!(data["exists"], false);
        assert!(seen.insert(*room));
    }
    assert_eq!(seen.len(), 500);
    assert_eq!(conn.core().pending(), 0);
    conn.destroy(session).expect("destroy");
    conn.close();
}

#[test]
fn wrong_url_and_wrong_subprotocol() {
    let janus = shared();
    for url in ["http://127.0.0.1:1", "ws://", "not a url"] {
        match Connection::connect(url, options()) {
            Err(Error::Connect(ConnectError::InvalidUrl { .. })) => {}
            other => panic!("{url}: expected InvalidUrl, got {other:?}"),
        }
    }
    // The Admin API port does not speak `janus-protocol`, and the other way round.
    match Connection::connect(janus.admin_url(), options()) {
        Err(Error::Connect(ConnectError::HandshakeRejected(why))) => {
            assert!(why.contains("subprotocol"), "{why}")
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
    match AdminConnection::connect(janus.ws_url(), options()) {
        Err(Error::Connect(ConnectError::HandshakeRejected(_))) => {}
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
}

// ----- the Admin API ---------------------------------------------------------------------

#[test]
fn admin_api_requests() {
    let janus = shared();
    let mut conn = connect(janus.ws_url());
    let session = conn.create().expect("create");
    let handle = conn
        .call(Attach::new(session, ECHOTEST).opaque_id("opaque-blocking"))
        .expect("attach");

    let mut admin = admin(&janus);
    let sessions = admin.list_sessions().expect("list_sessions");
    assert!(sessions.contains(&session), "{session} not in {sessions:?}");
    assert_eq!(
        admin.list_handles(session).expect("list_handles"),
        vec![handle]
    );
    let info = admin.handle_info(session, handle).expect("handle_info");
    assert_eq!(info.plugin(), Some(ECHOTEST));
    assert_eq!(info.opaque_id(), Some("opaque-blocking"));
    assert_eq!(info.session_transport(), Some("janus.transport.websockets"));

    assert_eq!(admin.set_log_level(5).expect("set_log_level"), 5);
    assert_eq!(admin.set_log_level(4).expect("set_log_level"), 4);
    match admin.call(janus_blocking::AdminRequest::SetLogLevel { level: 9 }) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 467),
        other => panic!("expected error 467, got {other:?}"),
    }
    match admin.list_handles(SessionId(1)) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 458),
        other => panic!("expected error 458, got {other:?}"),
    }

    // Without the right secret: 403.
    let wrong = options().admin_secret("not-the-secret");
    let mut intruder = AdminConnection::connect(janus.admin_url(), wrong).expect("connect");
    match intruder.list_sessions() {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 403),
        other => panic!("expected error 403, got {other:?}"),
    }
    intruder.close();

    conn.destroy(session).expect("destroy");
    let sessions = admin.list_sessions().expect("list_sessions");
    assert!(
        !sessions.contains(&session),
        "{session} still in {sessions:?}"
    );
    admin.close();
    conn.close();
}

// ----- sessions: keepalive, expiry, claim -------------------------------------------------

/// Waits `idle` inside `next_event`, returning every event seen.
fn idle(conn: &mut Connection, idle: Duration) -> Vec<Event> {
    let until = Instant::now() + idle;
    let mut events = Vec::new();
    while let Some(left) = until
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
    {
        if let Some(event) = conn.next_event(left).expect("next_event") {
            events.push(event);
        }
    }
    events
}

#[test]
fn keepalives_keep_an_idle_session_alive() {
    let janus = start(JanusOptions::new().session_timeout(3));
    let mut conn = connect_with(
        janus.ws_url(),
        options().keepalive_interval(Duration::from_secs(1)),
    );
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");
    // Idle for more than twice the session timeout (plus Janus's 2 s watchdog slack),
    // waiting for events: the keepalives go out from inside `next_event`.
    let events = idle(&mut conn, Duration::from_secs(8));
    assert!(events.is_empty(), "unexpected events: {events:#?}");
    assert_eq!(
        conn.core().session_state(session),
        Some(janus_blocking::SessionState::Active)
    );
    let reply = conn
        .message(handle, json!({"audio": true}), None)
        .expect("the session is still alive");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    let mut admin = admin(&janus);
    assert!(admin.list_sessions().expect("list").contains(&session));
    conn.destroy(session).expect("destroy");
}

#[test]
fn a_session_without_keepalives_expires() {
    let janus = start(JanusOptions::new().session_timeout(3));
    let config = Config::new()
        .keepalive_interval(Duration::from_secs(3600))
        .keepalive_from_server_info(false)
        .request_timeout(Duration::from_secs(10));
    let mut conn = connect_with(janus.ws_url(), ConnectOptions::new().config(config));
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");

    // Janus sends `timeout` (and maybe `detached`, before or after it, or not at all).
    let (end, skipped) = wait_for(&mut conn, |e| match e {
        Event::Session {
            session: s,
            event: SessionEvent::Ended(end),
        } if *s == session => Some(end.clone()),
        _ => None,
    });
    match end {
        SessionEnd::TimedOut(raw) => {
            assert_eq!(raw.value().expect("JSON value")["janus"], "timeout");
            assert_eq!(raw.value().expect("JSON value")["session_id"], session.0);
        }
        other => panic!("expected a timeout, got {other:?}; skipped {skipped:#?}"),
    }
    // Before it, at most the handle's `detached` and EchoTest's `"result":"done"`.
    for event in &skipped {
        let trailing = match event {
            Event::Handle {
                handle: h, event, ..
            } if *h == handle => match &event.kind {
                HandleEventKind::Detached => true,
                HandleEventKind::Plugin { data, .. } => {
                    data.value().expect("JSON value")["result"] == "done"
                }
                _ => false,
            },
            _ => false,
        };
        assert!(trailing, "unexpected event {event:#?}");
    }
    assert_eq!(conn.core().session_state(session), None);
    match conn.message(handle, json!({"audio": true}), None) {
        Err(Error::Usage(janus_blocking::UsageError::HandleEnded(h))) => assert_eq!(h, handle),
        other => panic!("expected a usage error, got {other:?}"),
    }
    // The server agrees.
    match conn.claim(session, &[]) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 458),
        other => panic!("expected error 458, got {other:?}"),
    }
}

#[test]
fn claim_moves_a_session_to_another_connection() {
    let janus = start(JanusOptions::new().reclaim_session_timeout(20));
    let mut first = connect_with(
        janus.ws_url(),
        // The setters of `options()` (request timeout, …) win over the config's.
        options().config(Config::new().transaction_prefix("a-")),
    );
    let session = first.create().expect("create");
    let handle = first.attach(session, ECHOTEST).expect("attach");
    let bystander = first.attach(session, ECHOTEST).expect("attach");
    // The first connection goes away; the server keeps the session for a claim.
    first.close();

    let mut second = connect_with(
        janus.ws_url(),
        // The setters of `options()` (request timeout, …) win over the config's.
        options().config(Config::new().transaction_prefix("b-")),
    );
    second.claim(session, &[handle, bystander]).expect("claim");
    assert_eq!(
        second.core().session_state(session),
        Some(janus_blocking::SessionState::Active)
    );
    assert_eq!(second.core().session_of(handle), Some(session));

    // Asynchronous plugin events now reach the new owner.
    let reply = second
        .message(handle, json!({"audio": true}), None)
        .expect("echotest on the claimed session");
    assert_eq!(plugin_value(&reply, "result"), "ok");

    // An event triggered from elsewhere (the Admin API) reaches the new owner too.
    let mut admin = admin(&janus);
    admin
        .detach_handle(session, bystander)
        .expect("detach_handle");
    let (_, _) = wait_for(&mut second, |e| is_detached(e, bystander).then_some(()));
    assert_eq!(second.core().session_of(bystander), None);
    assert_eq!(
        admin.list_handles(session).expect("list_handles"),
        vec![handle]
    );
    second.destroy(session).expect("destroy");
}

// ----- auth ------------------------------------------------------------------------------

#[test]
fn api_secret_is_required() {
    let janus = start(JanusOptions::new().api_secret(Some("blocking-secret")));
    let mut wrong = connect_with(janus.ws_url(), options().apisecret("not-it"));
    // `info` needs no secret.
    assert_eq!(wrong.info().expect("info").api_secret, Some(true));
    match wrong.create() {
        Err(Error::Request(RequestError::Janus(e))) => {
            assert_eq!(e.code, 403);
            assert!(e.reason.contains("Unauthorized"), "{}", e.reason);
        }
        other => panic!("expected error 403, got {other:?}"),
    }
    let mut none = connect(janus.ws_url());
    assert!(matches!(none.create(), Err(Error::Request(RequestError::Janus(e))) if e.code == 403));

    let mut right = connect_with(janus.ws_url(), options().apisecret("blocking-secret"));
    let session = right.create().expect("create");
    let handle = right.attach(session, ECHOTEST).expect("attach");
    let reply = right
        .message(handle, json!({"audio": true}), None)
        .expect("message");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    // The secret is never printed.
    assert!(!format!("{right:?}").contains("blocking-secret"));
    right.destroy(session).expect("destroy");
}

#[test]
fn stored_tokens_are_checked() {
    let janus = start(JanusOptions::new().token_auth(true));
    let mut admin = admin(&janus);
    let plugins = admin
        .add_token("blocking-token", Some(vec![ECHOTEST.to_owned()]))
        .expect("add_token");
    assert_eq!(plugins, vec![ECHOTEST.to_owned()]);

    let mut good = connect_with(janus.ws_url(), options().token("blocking-token"));
    assert_eq!(good.info().expect("info").auth_token, Some(true));
    let session = good.create().expect("create with a good token");
    let handle = good.attach(session, ECHOTEST).expect("attach");
    good.message(handle, json!({"audio": true}), None)
        .expect("message");
    // The token does not cover the VideoRoom: 405.
    match good.attach(session, VIDEOROOM) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 405),
        other => panic!("expected error 405, got {other:?}"),
    }

    let mut bad = connect_with(janus.ws_url(), options().token("wrong-token"));
    match bad.create() {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 403),
        other => panic!("expected error 403, got {other:?}"),
    }
    good.destroy(session).expect("destroy");
}

// ----- failures --------------------------------------------------------------------------

#[test]
fn janus_killed_with_requests_in_flight() {
    let mut janus = start(JanusOptions::new());
    let mut conn = connect_with(
        janus.ws_url(),
        options().request_timeout(Duration::from_secs(30)),
    );
    let session = conn.create().expect("create");
    let streaming = conn
        .call(Attach::new(session, STREAMING).ordering(Ordering::Pipelined))
        .expect("attach");
    let echotest = conn
        .call(Attach::new(session, ECHOTEST).ordering(Ordering::Pipelined))
        .expect("attach");

    // 50 requests Janus accepts and never completes (Streaming `stop` on a viewer that never
    // started), and 50 EchoTest messages that may or may not complete before the kill.
    let mut stuck = BTreeSet::new();
    let mut racing = BTreeSet::new();
    for _ in 0..50 {
        stuck.insert(
            conn.submit(Command::message(
                streaming,
                json!({"request": "stop"}),
                None,
            ))
            .expect("submit"),
        );
        racing.insert(
            conn.submit(Command::message(echotest, json!({"audio": true}), None))
                .expect("submit"),
        );
    }
    // Every `stop` has been accepted (its ack arrives as an event of a submitted request).
    let mut acked = BTreeSet::new();
    while acked.len() < stuck.len() {
        let (txn, _) = wait_for(&mut conn, |e| match e {
            Event::Acked { txn, .. } if stuck.contains(txn) => Some(*txn),
            _ => None,
        });
        acked.insert(txn);
    }

    janus.kill().expect("kill Janus");
    let start = Instant::now();
    for txn in &stuck {
        match conn.wait(*txn) {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected ConnectionLost, got {other:?}"),
        }
    }
    for txn in &racing {
        match conn.wait(*txn) {
            Ok(_) | Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected a reply or ConnectionLost, got {other:?}"),
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );

    // The events say so too, then the connection reports itself lost.
    wait_for(&mut conn, |e| {
        matches!(e, Event::Connection(ConnectionEvent::Closed)).then_some(())
    });
    assert!(conn.is_closed());
    assert!(conn.close_reason().is_some());
    assert!(matches!(
        conn.next_event(Duration::from_secs(1)),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    assert!(matches!(
        conn.ping(),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    assert!(matches!(
        conn.create(),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    // And a new connection to the dead server fails fast.
    assert!(Connection::connect(janus.ws_url(), options()).is_err());
}

// ----- wss ---------------------------------------------------------------------------------

#[test]
fn over_wss() {
    let janus = start(JanusOptions::new().tls(true));
    let url = janus.wss_url().expect("wss url").to_owned();
    let ca = janus.ca_cert_path().expect("CA").to_owned();

    // Without the test CA the certificate is not trusted.
    match Connection::connect(&url, options()) {
        Err(Error::Connect(ConnectError::Socket(SocketError::Tls(e)))) => {
            assert!(matches!(e, rustls::Error::InvalidCertificate(_)), "{e:?}")
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }

    let mut conn = connect_with(&url, options().tls_root_pem(ca.as_path()));
    let info = conn.info().expect("info");
    assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
    let session = conn.create().expect("create");
    let handle = conn.attach(session, ECHOTEST).expect("attach");
    let reply = conn
        .message(handle, json!({"audio": true}), None)
        .expect("message");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    // A reply larger than one Janus fragment (2800 bytes) and than the socket's read buffer
    // (8 KiB) comes through whole.
    let rooms = conn.attach(session, VIDEOROOM).expect("attach");
    let room = room_id();
    let description = "x".repeat(20_000);
    conn.message(
        rooms,
        json!({"request": "create", "room": room, "description": description}),
        None,
    )
    .expect("create room");
    let list = conn
        .message(rooms, json!({"request": "list"}), None)
        .expect("list");
    let listed = plugin_value(&list, "list");
    let ours = listed
        .as_array()
        .and_then(|l| l.iter().find(|r| r["room"] == room));
    assert_eq!(
        ours.map(|r| r["description"].clone()),
        Some(json!(description))
    );
    // 100 pipelined requests over TLS.
    let txns: Vec<_> = (0..100u64)
        .map(|i| {
            conn.submit(Command::message(
                rooms,
                json!({"request": "exists", "room": room + i}),
                None,
            ))
            .expect("submit")
        })
        .collect();
    for (i, txn) in txns.into_iter().enumerate() {
        let reply = conn.wait(txn).expect("exists");
        let janus_blocking::ReplyKind::Plugin { data, .. } = reply.kind else {
            panic!("unexpected reply");
        };
        assert_eq!(data.value().expect("JSON value")["room"], room + i as u64);
        assert_eq!(data.value().expect("JSON value")["exists"], i == 0);
    }
    conn.detach(handle).expect("detach");
    wait_for(&mut conn, |e| is_detached(e, handle).then_some(()));
    conn.destroy(session).expect("destroy");
    conn.close();

    // The CA given as PEM bytes works as well.
    let pem = std::fs::read(&ca).expect("read CA");
    let mut again = connect_with(&url, options().tls_root_pem(pem).webpki_roots(false));
    again.ping().expect("ping");
    again.close();
}

/// A message over `max_incoming_frame` is refused from its frame header: the connection is
/// closed with code 1009, the reason names both numbers, pending calls fail, and the 64 MiB
/// the proxy streams never land in memory.
#[test]
fn a_message_over_the_limit_closes_with_1009_without_buffering_it() {
    let janus = shared();
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
