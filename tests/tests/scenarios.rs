//! The real-Janus scenarios both drivers must pass, each written once against
//! [`JanusDriver`] and run through `janus-blocking` and `janus-transport-ws`, over each of
//! Janus's transports they speak ([`Transport`]): its WebSockets (the tests
//! `<scenario>::blocking` and `<scenario>::async_ws`) and its Unix sockets, `SOCK_SEQPACKET`
//! (`<scenario>::blocking_unix` and `<scenario>::async_unix`). They cover every typed
//! request, events, the Admin API, keepalives and session expiry, claim, auth (apisecret,
//! stored tokens), a server killed under the client, 500 requests in flight, a session
//! destroyed behind the client's back, and staying connected (Janus restarts, giving up:
//! [`staying_connected`]).
//!
//! Over WebSockets only, because they are about the WebSocket or need a TCP proxy between
//! client and server: wss, a wrong URL or subprotocol, a burst of events injected by a
//! WebSocket proxy right behind a reply, and the [`staying_connected`] scenarios whose
//! faults come from a TCP proxy (a cut, a black hole, a cut without a reclaim window). Over
//! Unix sockets only: what is wrong with a `unix:` URL, and the request size Janus's Unix
//! sockets transport takes. Where that transport behaves otherwise (it may close a
//! connection whose session timed out; `handle_info` names it), the scenario asks the
//! [`Transport`].
//!
//! What only one driver has (dropping futures, streams, the tokio runtime, blocking
//! `wait`/`cancel` bookkeeping, how a driver reports its end) is in the modules
//! [`blocking`] and [`async_ws`] of this same test binary. Tests that need no special server
//! config share one Janus; the others start their own. Every wait is bounded.

#[path = "scenarios/async_ws.rs"]
mod async_ws;
#[path = "scenarios/blocking.rs"]
mod blocking;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use janus_blocking::request::{
    AddToken, AdminPing, Attach, Claim, Create, Destroy, DestroySession, Detach, DetachHandle,
    GetHandleInfo, Hangup, Info, Keepalive, ListHandles, ListSessions, Message, Ping, RemoveToken,
    Request, SetLogLevel,
};
use janus_blocking::{
    request, AdminRequest, Candidate, Command, Config, ConnectError, ConnectionEvent, Error, Event,
    HandleEventKind, HandleId, IceCandidate, Ordering, PluginReply, Reply, ReplyKind, RequestError,
    SessionEnd, SessionEvent, SessionId, SessionState, SocketError, Trickle, UsageError,
};
use janus_tests::drivers::{JanusAdmin, JanusDriver, Options, Transport, Unix, WebSocket};
use janus_tests::proxy::WsProxy;
use janus_tests::{JanusOptions, JanusServer};
use serde_json::{json, Value};

const ECHOTEST: &str = "janus.plugin.echotest";
const VIDEOROOM: &str = "janus.plugin.videoroom";
const STREAMING: &str = "janus.plugin.streaming";

/// Upper bound of any single wait in these tests.
const BOUND: Duration = Duration::from_secs(15);

/// Runs each scenario (`fn scenario<D: JanusDriver, T: Transport>()`) through both drivers
/// over the three transports: `<scenario>::blocking` and `<scenario>::async_ws` over
/// WebSockets, `<scenario>::blocking_unix` and `<scenario>::async_unix` over Unix sockets,
/// `<scenario>::blocking_http` and `<scenario>::async_http` over HTTP. With
/// `websocket only:`, `http only:` or `unix only:`, each scenario
/// (`fn scenario<D: JanusDriver>()`) runs through both drivers over that transport alone.
macro_rules! through_both_drivers {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use janus_tests::drivers::{AsyncWs, Blocking, Http, Unix, WebSocket};
            #[test]
            fn blocking() {
                super::$scenario::<Blocking, WebSocket>();
            }
            #[test]
            fn async_ws() {
                super::$scenario::<AsyncWs, WebSocket>();
            }
            #[test]
            fn blocking_unix() {
                super::$scenario::<Blocking, Unix>();
            }
            #[test]
            fn async_unix() {
                super::$scenario::<AsyncWs, Unix>();
            }
            #[test]
            fn blocking_http() {
                super::$scenario::<Blocking, Http>();
            }
            #[test]
            fn async_http() {
                super::$scenario::<AsyncWs, Http>();
            }
        }
    )*};
    (websocket only: $($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn blocking() {
                super::$scenario::<janus_tests::drivers::Blocking>();
            }
            #[test]
            fn async_ws() {
                super::$scenario::<janus_tests::drivers::AsyncWs>();
            }
        }
    )*};
    (http only: $($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn blocking_http() {
                super::$scenario::<janus_tests::drivers::Blocking>();
            }
            #[test]
            fn async_http() {
                super::$scenario::<janus_tests::drivers::AsyncWs>();
            }
        }
    )*};
    (unix only: $($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn blocking_unix() {
                super::$scenario::<janus_tests::drivers::Blocking>();
            }
            #[test]
            fn async_unix() {
                super::$scenario::<janus_tests::drivers::AsyncWs>();
            }
        }
    )*};
}

through_both_drivers!(
    info_and_ping,
    create_attach_detach_destroy,
    videoroom_synchronous_requests,
    echotest_asynchronous_requests,
    echotest_through_its_typed_model,
    videoroom_join_and_plugin_error,
    trickle_hangup_detach_keepalive,
    request_deadline_and_cancel,
    five_hundred_requests_in_flight,
    admin_api_requests,
    keepalives_keep_an_idle_session_alive,
    a_session_without_keepalives_expires,
    claim_moves_a_session_between_connections,
    api_secret_and_stored_tokens,
    janus_killed_with_requests_in_flight,
    a_458_answering_a_message_ends_the_session,
);

through_both_drivers!(websocket only:
    wrong_url_and_wrong_subprotocol,
    over_wss,
    a_burst_of_events_right_behind_the_attach_reply_reaches_the_handles_subscriber,
);

through_both_drivers!(http only:
    over_https,
    a_poll_brings_several_events_in_order,
    a_reset_during_a_poll_is_a_connection_loss,
    a_5xx_to_a_poll_is_a_typed_loss_not_a_retry_loop,
);

through_both_drivers!(unix only:
    wrong_unix_urls_and_paths,
    requests_up_to_the_unix_transports_limit,
);

#[path = "scenarios/http.rs"]
mod http;
use http::{
    a_5xx_to_a_poll_is_a_typed_loss_not_a_retry_loop, a_poll_brings_several_events_in_order,
    a_reset_during_a_poll_is_a_connection_loss, events_reach_their_own_session_and_handle,
};

through_both_drivers!(events_reach_their_own_session_and_handle);

#[path = "scenarios/staying_connected.rs"]
mod staying_connected;
use staying_connected::{
    a_black_hole_is_found_within_ping_interval_plus_pong_deadline,
    a_cut_reconnects_claims_and_every_id_stays_valid, janus_down_longer_than_the_policy_allows,
    janus_killed_and_restarted_reports_every_session_lost,
    without_a_reclaim_window_sessions_are_lost_at_once,
};

through_both_drivers!(
    janus_killed_and_restarted_reports_every_session_lost,
    janus_down_longer_than_the_policy_allows,
);

through_both_drivers!(websocket only:
    a_cut_reconnects_claims_and_every_id_stays_valid,
    a_black_hole_is_found_within_ping_interval_plus_pong_deadline,
    without_a_reclaim_window_sessions_are_lost_at_once,
);

// ----- servers and helpers ---------------------------------------------------------------

/// The Janus shared by tests that need no special config.
fn shared() -> Arc<JanusServer> {
    JanusServer::shared("scenarios-shared")
}

fn start(options: JanusOptions) -> JanusServer {
    JanusServer::start(options).unwrap_or_else(|e| panic!("Janus did not start: {e}"))
}

fn connect<D: JanusDriver>(url: &str) -> D {
    connect_with(url, &Options::new())
}

fn connect_with<D: JanusDriver>(url: &str, options: &Options) -> D {
    D::connect(url, options).unwrap_or_else(|e| panic!("{}: connect to {url}: {e}", D::NAME))
}

fn admin<D: JanusDriver, T: Transport>(janus: &JanusServer) -> D::Admin {
    D::admin(&T::admin_url(janus), Some(janus.admin_secret()))
        .unwrap_or_else(|e| panic!("{}: connect to the Admin API: {e}", D::NAME))
}

fn message<D: JanusDriver>(
    janus: &mut D,
    handle: HandleId,
    body: Value,
) -> Result<PluginReply, Error> {
    janus.call(Message::new(handle, body))
}

fn attach<D: JanusDriver>(janus: &mut D, session: SessionId, plugin: &str) -> HandleId {
    janus
        .call(Attach::new(session, plugin))
        .unwrap_or_else(|e| panic!("{}: attach {plugin}: {e}", D::NAME))
}

/// A connection to the shared Janus with a session and a handle on `plugin` in it.
fn with_handle<D: JanusDriver, T: Transport>(
    plugin: &str,
) -> (Arc<JanusServer>, D, SessionId, HandleId) {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let session = conn.call(Create::new()).expect("create");
    let handle = attach(&mut conn, session, plugin);
    (janus, conn, session, handle)
}

/// Destroys `session` and closes the connection.
fn destroy_and_close<D: JanusDriver>(mut conn: D, session: SessionId) {
    conn.call(Destroy(session)).expect("destroy");
    conn.close();
}

/// The Janus error code of a request's outcome; panics on anything else.
fn janus_code<T: std::fmt::Debug>(outcome: Result<T, Error>) -> u32 {
    match outcome {
        Err(Error::Request(RequestError::Janus(e))) => e.code,
        other => panic!("expected a Janus error, got {other:?}"),
    }
}

/// The plugin error code of a request's outcome; panics on anything else.
fn plugin_code<T: std::fmt::Debug>(outcome: Result<T, Error>, plugin: &str) -> i64 {
    match outcome {
        Err(Error::Request(RequestError::Plugin(e))) => {
            assert_eq!(e.plugin, plugin);
            e.code
        }
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

fn is_detached(event: &Event, handle: HandleId) -> bool {
    matches!(event, Event::Handle { handle: h, event, .. }
        if *h == handle && event.kind == HandleEventKind::Detached)
}

/// The plugin data of a plugin event of `handle`.
fn plugin_event(event: &Event, handle: HandleId) -> Option<Value> {
    match event {
        Event::Handle {
            handle: h, event, ..
        } if *h == handle => match &event.kind {
            HandleEventKind::Plugin { data, .. } => Some(data.value().expect("JSON value")),
            _ => None,
        },
        _ => None,
    }
}

fn session_ended(event: &Event, session: SessionId) -> Option<SessionEnd> {
    match event {
        Event::Session {
            session: s,
            event: SessionEvent::Ended(end),
        } if *s == session => Some(end.clone()),
        _ => None,
    }
}

/// A room id no other test uses (and the 999 after it).
fn room_id() -> u64 {
    janus_tests::unique_id()
}

fn plugin_value(reply: &PluginReply, key: &str) -> Value {
    reply
        .value()
        .expect("JSON value")
        .get(key)
        .cloned()
        .unwrap_or(Value::Null)
}

fn reply_data(reply: Reply) -> Value {
    match reply.kind {
        ReplyKind::Plugin { data, .. } => data.value().expect("JSON value"),
        other => panic!("unexpected reply {other:?}"),
    }
}

// ----- the Janus API ---------------------------------------------------------------------

fn info_and_ping<D: JanusDriver, T: Transport>() {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let info = conn.call(Info).expect("info");
    assert_eq!(info.name.as_deref(), Some("Janus WebRTC Server"));
    assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
    assert_eq!(info.version, Some(1102));
    assert_eq!(info.session_timeout, Some(60));
    assert_eq!(info.api_secret, Some(false));
    for plugin in [ECHOTEST, VIDEOROOM, STREAMING] {
        assert!(info.plugins.contains_key(plugin), "{plugin} missing");
    }
    // The client learnt the session timeout: keepalives every 25 s at most (half of 60 s
    // would be 30 s, longer than the default 25 s). Over HTTP the polls (at most 30 s
    // apart) cover a 60 s timeout: no keepalive request is needed.
    let interval = match T::POLLS_SESSIONS {
        true => janus_proto::HTTP_KEEPALIVE_INTERVAL,
        false => Duration::from_secs(25),
    };
    assert_eq!(conn.keepalive_interval(), interval);
    conn.call(Ping).expect("ping");
    conn.call(Ping.within(Duration::from_secs(2)))
        .expect("ping");
    conn.close();
}

fn create_attach_detach_destroy<D: JanusDriver, T: Transport>() {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let session = conn.call(Create::new()).expect("create");
    assert!(session.0 > 0);
    assert_eq!(conn.session_state(session), Some(SessionState::Active));

    let handle = attach(&mut conn, session, ECHOTEST);
    assert!(handle.0 > 0);
    assert_eq!(conn.session_of(handle), Some(session));

    // An unknown plugin: Janus error 460, and no handle.
    match conn.call(Attach::new(session, "janus.plugin.nosuchplugin")) {
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
    conn.call(Detach(handle)).expect("detach");
    let (_, skipped) = conn.wait_for(BOUND, |e| is_detached(e, handle).then_some(()));
    assert!(
        skipped.iter().all(|e| !matches!(e, Event::Connection(_))),
        "{skipped:#?}"
    );
    assert_eq!(conn.session_of(handle), None);
    // The handle is gone on the client side too.
    match conn.call(Hangup(handle)) {
        Err(Error::Usage(UsageError::HandleEnded(h))) => assert_eq!(h, handle),
        other => panic!("expected a usage error, got {other:?}"),
    }

    // create_with_id: the id asked for, and 468 when it is taken.
    let chosen = SessionId(room_id() % 1_000_000_000_000 * 7);
    assert_eq!(
        conn.call(Create::with_id(chosen)).expect("create_with_id"),
        chosen
    );
    assert_eq!(janus_code(conn.call(Create::with_id(chosen))), 468);

    conn.call(Destroy(session)).expect("destroy");
    conn.call(Destroy(chosen).within(Duration::from_secs(5)))
        .expect("destroy");
    assert_eq!(conn.session_state(session), None);
    let (end, _) = conn.wait_for(BOUND, |e| session_ended(e, session));
    assert!(matches!(end, SessionEnd::Destroyed), "{end:?}");
    // Destroyed: the client refuses further requests without sending them.
    match conn.call(Attach::new(session, ECHOTEST)) {
        Err(Error::Usage(UsageError::SessionEnded(s))) => assert_eq!(s, session),
        other => panic!("expected a usage error, got {other:?}"),
    }
    assert_eq!(conn.pending(), 0);
    // And the server agrees: claiming it from a second connection gets 458.
    let mut other: D = connect(&T::url(&janus));
    assert_eq!(
        janus_code(other.call(Claim {
            session,
            handles: vec![]
        })),
        458
    );
    other.close();
    conn.close();
}

fn videoroom_synchronous_requests<D: JanusDriver, T: Transport>() {
    let (_janus, mut conn, session, handle) = with_handle::<D, T>(VIDEOROOM);
    let room = room_id();

    let created = message(
        &mut conn,
        handle,
        json!({"request": "create", "room": room, "description": D::NAME}),
    )
    .expect("create room");
    assert_eq!(created.data.plugin, VIDEOROOM);
    assert_eq!(plugin_value(&created, "videoroom"), "created");
    assert_eq!(plugin_value(&created, "room"), room);
    assert!(created.jsep.is_none());

    let exists = message(
        &mut conn,
        handle,
        json!({"request": "exists", "room": room}),
    )
    .expect("exists");
    assert_eq!(plugin_value(&exists, "exists"), true);
    assert_eq!(plugin_value(&exists, "room"), room);

    let list = message(&mut conn, handle, json!({"request": "list"})).expect("list");
    let rooms = plugin_value(&list, "list");
    let ours = rooms
        .as_array()
        .and_then(|l| l.iter().find(|r| r["room"] == room))
        .unwrap_or_else(|| panic!("room {room} not listed in {rooms}"));
    assert_eq!(ours["description"], D::NAME);

    // A plugin error in a synchronous reply (a room that does not exist), and in an
    // asynchronous one (the error comes in the event).
    let missing = json!({"request": "destroy", "room": room + 1});
    assert_eq!(
        plugin_code(message(&mut conn, handle, missing), VIDEOROOM),
        426
    );
    let join = json!({"request": "join", "ptype": "publisher", "room": room + 1});
    assert_eq!(
        plugin_code(message(&mut conn, handle, join), VIDEOROOM),
        426
    );

    let destroyed = conn
        .call(
            Message::new(handle, json!({"request": "destroy", "room": room}))
                .within(Duration::from_secs(5)),
        )
        .expect("destroy room");
    assert_eq!(plugin_value(&destroyed, "videoroom"), "destroyed");
    let gone = message(
        &mut conn,
        handle,
        json!({"request": "exists", "room": room}),
    )
    .expect("exists");
    assert_eq!(plugin_value(&gone, "exists"), false);

    // A body that is not an object is refused before anything is sent.
    assert!(matches!(
        message(&mut conn, handle, json!("exists")),
        Err(Error::Usage(UsageError::BodyNotObject))
    ));
    destroy_and_close(conn, session);
}

fn echotest_asynchronous_requests<D: JanusDriver, T: Transport>() {
    let (_janus, mut conn, session, handle) = with_handle::<D, T>(ECHOTEST);

    // The ack and the event come in either order; the call returns the event either way.
    for i in 0..20 {
        let reply = message(
            &mut conn,
            handle,
            json!({"audio": i % 2 == 0, "video": true}),
        )
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

    // Submitted, then collected: same outcome.
    let pending = conn
        .submit(Command::message(handle, json!({"video": false}), None))
        .expect("submit");
    assert_eq!(
        reply_data(conn.wait(pending).expect("wait"))["result"],
        "ok"
    );

    // An EchoTest plugin error (no known attribute): code 413 inside the event.
    assert_eq!(
        plugin_code(message(&mut conn, handle, json!({"nothing": 1})), ECHOTEST),
        413
    );
    assert_eq!(conn.pending(), 0);
    destroy_and_close(conn, session);
}

/// The EchoTest's typed model, through each driver's one generic `call`: the typed request,
/// its typed reply, a typed plugin error and a typed event.
fn echotest_through_its_typed_model<D: JanusDriver, T: Transport>() {
    use janus_blocking::plugins::echotest::{Configure, EchoTest, ErrorCode, Event as EchoEvent};
    use janus_blocking::plugins::{Plugin, PluginEvent};
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let session = conn.call(Create::new()).expect("create");
    let echo = conn.attach_plugin::<EchoTest>(session).expect("attach");
    let configure = Configure::builder()
        .audio(true)
        .video(false)
        .bitrate(128_000)
        .build();
    let accepted = conn.plugin_call(echo, configure).expect("configure");
    assert_eq!(accepted.value.result, "ok");
    assert!(accepted.jsep.is_none());
    assert_eq!(accepted.data.plugin, EchoTest::PACKAGE);
    // A plugin error, typed by the model (a body the model would never send).
    match message(&mut conn, echo.id(), json!({"nothing": 1})) {
        Err(Error::Request(e)) => {
            assert_eq!(
                EchoTest::request_error(&e),
                Some(ErrorCode::InvalidElement),
                "{e}"
            )
        }
        other => panic!("expected a plugin error, got {other:?}"),
    }
    // EchoTest answers a hangup with its `done` event, typed on the handle's own stream.
    conn.call(Hangup(echo.id())).expect("hangup");
    let until = std::time::Instant::now() + BOUND;
    loop {
        assert!(std::time::Instant::now() < until, "no done event");
        match conn.next_plugin_event(echo, BOUND).expect("event") {
            Some(PluginEvent::Plugin(typed)) if typed.value == EchoEvent::Done => break,
            _ => {}
        }
    }
    destroy_and_close(conn, session);
}

fn videoroom_join_and_plugin_error<D: JanusDriver, T: Transport>() {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let session = conn.call(Create::new()).expect("create");
    let admin_handle = attach(&mut conn, session, VIDEOROOM);
    let alice = attach(&mut conn, session, VIDEOROOM);
    let room = room_id();
    let create = json!({"request": "create", "room": room, "notify_joining": true});
    message(&mut conn, admin_handle, create).expect("create room");

    let join = json!({"request": "join", "ptype": "publisher", "room": room, "display": "alice"});
    let joined = message(&mut conn, alice, join).expect("join");
    assert_eq!(plugin_value(&joined, "videoroom"), "joined");
    assert_eq!(plugin_value(&joined, "room"), room);
    assert!(plugin_value(&joined, "id")
        .as_u64()
        .is_some_and(|id| id > 0));
    assert_eq!(plugin_value(&joined, "publishers"), json!([]));

    let participants = message(
        &mut conn,
        admin_handle,
        json!({"request": "listparticipants", "room": room}),
    )
    .expect("listparticipants");
    let list = plugin_value(&participants, "participants");
    assert_eq!(list[0]["display"], "alice", "{list}");

    // Bob joins from another handle: Alice's handle hears of it, unsolicited.
    let bob = attach(&mut conn, session, VIDEOROOM);
    let join = json!({"request": "join", "ptype": "publisher", "room": room, "display": "bob"});
    message(&mut conn, bob, join).expect("bob joins");
    let (joining, _) = conn.wait_for(BOUND, |e| {
        plugin_event(e, alice).filter(|v| v.get("joining").is_some())
    });
    assert_eq!(joining["joining"]["display"], "bob", "{joining}");

    // Joining a room that does not exist: the plugin's error 426, not a Janus error.
    let other = attach(&mut conn, session, VIDEOROOM);
    let join = json!({"request": "join", "ptype": "publisher", "room": room + 1});
    match message(&mut conn, other, join) {
        Err(Error::Request(RequestError::Plugin(e))) => {
            assert_eq!(e.plugin, VIDEOROOM);
            assert_eq!(e.code, 426);
            assert!(e.reason.contains("No such room"), "{}", e.reason);
        }
        other => panic!("expected plugin error 426, got {other:?}"),
    }

    message(
        &mut conn,
        admin_handle,
        json!({"request": "destroy", "room": room}),
    )
    .expect("destroy room");
    destroy_and_close(conn, session);
}

fn trickle_hangup_detach_keepalive<D: JanusDriver, T: Transport>() {
    let (_janus, mut conn, session, handle) = with_handle::<D, T>(ECHOTEST);

    let candidate = |port: u16| {
        Candidate::Ice(IceCandidate::new(
            format!("candidate:1 1 udp 2122260223 127.0.0.1 {port} typ host"),
            "0",
            0,
        ))
    };
    conn.call(request::Trickle::new(
        handle,
        Trickle::One(candidate(40000)),
    ))
    .expect("one candidate");
    let many = Trickle::Many(vec![candidate(40001), candidate(40002)]);
    conn.call(request::Trickle::new(handle, many))
        .expect("several candidates");
    conn.call(request::Trickle::new(handle, Trickle::completed()).within(Duration::from_secs(5)))
        .expect("completed");

    // hangup succeeds (no peer connection yet); the handle survives it, and EchoTest reacts
    // with its `done` event.
    conn.call(Hangup(handle)).expect("hangup");
    let (done, _) = conn.wait_for(BOUND, |e| {
        plugin_event(e, handle).filter(|v| v["result"] == "done")
    });
    assert_eq!(done["echotest"], "event");
    assert_eq!(conn.session_of(handle), Some(session));
    let reply = message(&mut conn, handle, json!({"audio": true})).expect("message after hangup");
    assert_eq!(plugin_value(&reply, "result"), "ok");

    conn.call(Detach(handle).within(Duration::from_secs(5)))
        .expect("detach");
    conn.wait_for(BOUND, |e| is_detached(e, handle).then_some(()));
    conn.call(Keepalive(session)).expect("keepalive");
    conn.call(Keepalive(session).within(Duration::from_secs(5)))
        .expect("keepalive");
    destroy_and_close(conn, session);
}

fn request_deadline_and_cancel<D: JanusDriver, T: Transport>() {
    let (_janus, mut conn, session, handle) = with_handle::<D, T>(STREAMING);

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

    // A cancelled request: it is no longer pending, the connection goes on.
    let pending = conn
        .submit(Command::message(handle, json!({"request": "stop"}), None))
        .expect("submit");
    assert_eq!(conn.pending(), 1);
    conn.cancel(pending).expect("cancel");
    assert_eq!(conn.pending(), 0);
    let list = message(&mut conn, handle, json!({"request": "list"})).expect("list");
    assert_eq!(plugin_value(&list, "streaming"), "list");
    destroy_and_close(conn, session);
}

fn five_hundred_requests_in_flight<D: JanusDriver, T: Transport>() {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let session = conn.call(Create::new()).expect("create");
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

    let base = room_id();
    let started = Instant::now();
    let mut pending = BTreeMap::new();
    for i in 0..500u64 {
        let room = base + i;
        let handle = handles[(i % 10) as usize];
        let command = Command::message(handle, json!({"request": "exists", "room": room}), None);
        pending.insert(room, conn.submit(command).expect("submit"));
    }
    // In flight, at most all of them: the async driver, on its own thread, may already have
    // had every reply (and the blocking one reads none until asked).
    assert!(conn.pending() <= 500, "{}", conn.pending());
    // Collected in reverse order of submission: the outcomes are kept until asked for.
    let mut seen = BTreeSet::new();
    while let Some((room, request)) = pending.pop_last() {
        let data = reply_data(conn.wait(request).expect("reply"));
        assert_eq!(data["room"], room, "reply for the wrong request");
        assert_eq!(data["exists"], false);
        assert!(seen.insert(room));
    }
    assert_eq!(seen.len(), 500);
    assert_eq!(conn.pending(), 0);
    eprintln!("{}: 500 exists in flight: {:?}", D::NAME, started.elapsed());
    destroy_and_close(conn, session);
}

fn wrong_url_and_wrong_subprotocol<D: JanusDriver>() {
    let janus = shared();
    for url in ["ftp://127.0.0.1:1", "http:///janus", "ws://", "not a url"] {
        match D::connect(url, &Options::new()) {
            Err(Error::Connect(ConnectError::InvalidUrl { .. })) => {}
            other => panic!("{url}: expected InvalidUrl, got {other:?}"),
        }
    }
    // The Admin API port does not speak `janus-protocol`, and the other way round.
    match D::connect(janus.admin_url(), &Options::new()) {
        Err(Error::Connect(ConnectError::HandshakeRejected(why))) => {
            assert!(why.contains("subprotocol"), "{why}")
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
    match D::admin(janus.ws_url(), None) {
        Err(Error::Connect(ConnectError::HandshakeRejected(_))) => {}
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
}

// ----- Unix sockets only --------------------------------------------------------------------

/// What is wrong with a `unix:` URL is said at once and typed: no path, a host, a path too
/// long for a Unix socket are invalid URLs; no socket at the path, or a file that is not
/// one, are socket errors. The path decides which API: the Admin API's requests on the
/// Janus API's socket are answered 457 by Janus.
fn wrong_unix_urls_and_paths<D: JanusDriver>() {
    let janus = shared();
    let too_long = format!("unix:/tmp/{}", "x".repeat(200));
    for url in ["unix:", "unix://janus/api.sock", too_long.as_str()] {
        match D::connect(url, &Options::new()) {
            Err(Error::Connect(ConnectError::InvalidUrl { url: given, .. })) => {
                assert_eq!(given, url)
            }
            other => panic!("{url}: expected InvalidUrl, got {other:?}"),
        }
    }
    let socket = janus.unix_path().expect("the Janus API's Unix socket");
    let missing = socket.with_file_name("no-such.sock");
    let not_a_socket = janus.log_path().expect("Janus's log");
    let cases = [
        (missing.as_path(), std::io::ErrorKind::NotFound),
        (not_a_socket, std::io::ErrorKind::ConnectionRefused),
    ];
    for (path, kind) in cases {
        let url = format!("unix:{}", path.display());
        match D::connect(&url, &Options::new()) {
            Err(Error::Connect(ConnectError::Socket(SocketError::Io(e)))) => {
                assert_eq!(e.kind(), kind, "{url}: {e}")
            }
            other => panic!("{url}: expected {kind:?}, got {other:?}"),
        }
    }
    let mut astray = D::admin(&Unix::url(&janus), Some(janus.admin_secret())).expect("connect");
    assert_eq!(janus_code(astray.call(ListSessions)), 457);
    astray.close();
}

/// Janus's Unix sockets transport drops a request over 8191 bytes without a word; the
/// client refuses one at once instead (`UsageError::FrameTooLarge`, nothing sent), and one
/// just under the limit is answered. Replies have no such limit: a list of rooms larger than
/// Janus's read buffer (8 KiB) comes through whole.
fn requests_up_to_the_unix_transports_limit<D: JanusDriver>() {
    let (_janus, mut conn, session, handle) = with_handle::<D, Unix>(ECHOTEST);
    let padded = |n: usize| json!({"audio": true, "pad": "x".repeat(n)});
    let (len, max) = match message(&mut conn, handle, padded(9_000)) {
        Err(Error::Usage(UsageError::FrameTooLarge { len, max })) => (len, max),
        other => panic!("expected FrameTooLarge, got {other:?}"),
    };
    assert_eq!(max, janus_blocking::PFUNIX_MAX_REQUEST);
    assert_eq!(conn.pending(), 0, "nothing was sent");
    // Exactly at the limit, give or take the digits of the next transaction ids.
    let at_limit = 9_000 - (len - max);
    let reply = message(&mut conn, handle, padded(at_limit - 8)).expect("under the limit");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    assert!(matches!(
        message(&mut conn, handle, padded(at_limit + 8)),
        Err(Error::Usage(UsageError::FrameTooLarge { .. }))
    ));

    let rooms = attach(&mut conn, session, VIDEOROOM);
    let base = room_id();
    let description = "d".repeat(4_000);
    for room in base..base + 5 {
        let create = json!({"request": "create", "room": room, "description": description});
        message(&mut conn, rooms, create).expect("create room");
    }
    let list = message(&mut conn, rooms, json!({"request": "list"})).expect("list");
    let listed = plugin_value(&list, "list");
    let ours = listed.as_array().map_or(0, |l| {
        l.iter()
            .filter(|r| {
                r["room"]
                    .as_u64()
                    .is_some_and(|id| (base..base + 5).contains(&id))
            })
            .filter(|r| r["description"] == description.as_str())
            .count()
    });
    assert_eq!(ours, 5, "{listed}");
    for room in base..base + 5 {
        message(
            &mut conn,
            rooms,
            json!({"request": "destroy", "room": room}),
        )
        .expect("destroy");
    }
    destroy_and_close(conn, session);
}

// ----- the Admin API ---------------------------------------------------------------------

fn admin_api_requests<D: JanusDriver, T: Transport>() {
    let janus = shared();
    let mut conn: D = connect(&T::url(&janus));
    let session = conn.call(Create::new()).expect("create");
    let opaque = format!("opaque-{}", D::NAME);
    let handle = conn
        .call(Attach::new(session, ECHOTEST).opaque_id(opaque.as_str()))
        .expect("attach");

    let mut admin = admin::<D, T>(&janus);
    let sessions = admin.call(ListSessions).expect("list_sessions");
    assert!(sessions.contains(&session), "{session} not in {sessions:?}");
    assert_eq!(
        admin.call(ListHandles(session)).expect("list_handles"),
        vec![handle]
    );
    let info = admin
        .call(GetHandleInfo::new(session, handle))
        .expect("handle_info");
    assert_eq!(info.plugin(), Some(ECHOTEST));
    assert_eq!(info.opaque_id(), Some(opaque.as_str()));
    assert_eq!(info.session_transport(), Some(T::PACKAGE));

    assert_eq!(admin.call(SetLogLevel(5)).expect("set_log_level"), 5);
    assert_eq!(admin.call(SetLogLevel(4)).expect("set_log_level"), 4);
    assert_eq!(
        janus_code(admin.call(AdminRequest::SetLogLevel { level: 9 })),
        467
    );
    assert_eq!(janus_code(admin.call(ListHandles(SessionId(1)))), 458);

    // Detaching from the Admin API reaches the owner as `detached`.
    admin
        .call(DetachHandle { session, handle })
        .expect("detach_handle");
    conn.wait_for(BOUND, |e| is_detached(e, handle).then_some(()));
    assert_eq!(conn.session_of(handle), None);

    // Without the secret, or with a wrong one: 403 (and `ping` needs none).
    let mut anonymous = D::admin(&T::admin_url(&janus), None).expect("connect");
    assert_eq!(janus_code(anonymous.call(ListSessions)), 403);
    anonymous.call(AdminPing).expect("ping needs no secret");
    anonymous.close();
    let mut intruder = D::admin(&T::admin_url(&janus), Some("not-the-secret")).expect("connect");
    assert_eq!(janus_code(intruder.call(ListSessions)), 403);
    intruder.close();

    conn.call(Destroy(session)).expect("destroy");
    let sessions = admin.call(ListSessions).expect("list_sessions");
    assert!(
        !sessions.contains(&session),
        "{session} still in {sessions:?}"
    );
    admin.close();
    conn.close();
}

// ----- sessions: keepalive, expiry, claim -------------------------------------------------

fn keepalives_keep_an_idle_session_alive<D: JanusDriver, T: Transport>() {
    let janus = start(JanusOptions::new().session_timeout(3));
    let options = Options::new().keepalive_interval(Duration::from_secs(1));
    let mut conn: D = connect_with(&T::url(&janus), &options);
    let session = conn.call(Create::new()).expect("create");
    let handle = attach(&mut conn, session, ECHOTEST);
    // Idle for more than twice the session timeout (plus Janus's 2 s watchdog slack),
    // waiting for events (the blocking driver sends keepalives from inside `next_event`).
    let events = conn.idle(Duration::from_secs(8));
    assert!(events.is_empty(), "unexpected events: {events:#?}");
    assert_eq!(conn.session_state(session), Some(SessionState::Active));
    let reply =
        message(&mut conn, handle, json!({"audio": true})).expect("the session is still alive");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    let mut admin = admin::<D, T>(&janus);
    assert!(admin.call(ListSessions).expect("list").contains(&session));
    conn.call(Destroy(session)).expect("destroy");
    admin.close();
    conn.close();
}

fn a_session_without_keepalives_expires<D: JanusDriver, T: Transport>() {
    let janus = start(JanusOptions::new().session_timeout(3));
    let config = Config::new()
        .keepalive_interval(Duration::from_secs(3600))
        .keepalive_from_server_info(false);
    let mut conn: D = connect_with(&T::url(&janus), &Options::new().config(config));
    let info = conn.call(Info).expect("info");
    assert_eq!(info.session_timeout, Some(3));
    let session = conn.call(Create::new()).expect("create");
    let handle = attach(&mut conn, session, ECHOTEST);
    let started = Instant::now();

    // Janus sends `timeout` (and maybe `detached`, before or after it, or not at all).
    let (end, skipped) = conn.wait_for(BOUND, |e| session_ended(e, session));
    match end {
        SessionEnd::TimedOut(raw) => {
            assert_eq!(raw.value().expect("JSON value")["janus"], "timeout");
            assert_eq!(raw.value().expect("JSON value")["session_id"], session.0);
        }
        // Over HTTP Janus drops the session's event queue as it times it out: its `timeout`
        // reaches the poll only if the poll takes it first, else the next poll gets a 404.
        SessionEnd::PollRefused { status: 404 } if T::POLLS_SESSIONS => {}
        other => panic!("expected a timeout, got {other:?}; skipped {skipped:#?}"),
    }
    assert!(started.elapsed() >= Duration::from_secs(3));
    // Before it, at most the handle's `detached` and EchoTest's `"result":"done"`.
    for event in &skipped {
        let trailing = is_detached(event, handle)
            || plugin_event(event, handle).is_some_and(|v| v["result"] == "done");
        assert!(trailing, "unexpected event {event:#?}");
    }
    assert_eq!(conn.session_state(session), None);
    if T::MAY_CLOSE_ON_SESSION_TIMEOUT {
        // Janus's Unix sockets transport means to close the connection right behind the
        // `timeout` (a race in it sometimes leaves it open): the ended session's calls are
        // refused either way, as ended or for the closed connection.
        match message(&mut conn, handle, json!({"audio": true})) {
            Err(Error::Usage(UsageError::HandleEnded(h))) => assert_eq!(h, handle),
            Err(Error::Request(RequestError::ConnectionLost)) => assert!(conn.is_closed()),
            other => panic!("expected a usage error or a closed connection, got {other:?}"),
        }
        match conn.call(Attach::new(session, ECHOTEST)) {
            Err(Error::Usage(UsageError::SessionEnded(s))) => assert_eq!(s, session),
            Err(Error::Request(RequestError::ConnectionLost)) => assert!(conn.is_closed()),
            other => panic!("expected a usage error or a closed connection, got {other:?}"),
        }
    } else {
        match message(&mut conn, handle, json!({"audio": true})) {
            Err(Error::Usage(UsageError::HandleEnded(h))) => assert_eq!(h, handle),
            other => panic!("expected a usage error, got {other:?}"),
        }
        match conn.call(Attach::new(session, ECHOTEST)) {
            Err(Error::Usage(UsageError::SessionEnded(s))) => assert_eq!(s, session),
            other => panic!("expected a usage error, got {other:?}"),
        }
    }
    // The server agrees (asked on a connection of its own). Its 458 also says Janus's
    // session watchdog is done with the session: only then does the first connection go,
    // since a Unix client leaving while Janus times out one of its transport's sessions can
    // deadlock that transport (see the README, "Over a Unix socket").
    let mut other: D = connect(&T::url(&janus));
    let claim = Claim {
        session,
        handles: vec![],
    };
    assert_eq!(janus_code(other.call(claim)), 458);
    other.close();
    if T::MAY_CLOSE_ON_SESSION_TIMEOUT {
        // Dropped rather than closed: it may have closed under the calls above.
        drop(conn);
    } else {
        conn.close();
    }
}

fn claim_moves_a_session_between_connections<D: JanusDriver, T: Transport>() {
    let janus = start(JanusOptions::new().reclaim_session_timeout(20));
    // Two live connections sharing sessions: each its own transaction prefix. Over HTTP the
    // session starts on a WebSocket connection: Janus's HTTP transport mishandles a claim of
    // a session a poll still waits on (see `Transport::POLLS_SESSIONS`).
    let first = match T::POLLS_SESSIONS {
        true => WebSocket::url(&janus),
        false => T::url(&janus),
    };
    let mut a: D = connect_with(
        &first,
        &Options::new().config(Config::new().transaction_prefix("a-")),
    );
    let mut b: D = connect_with(
        &T::url(&janus),
        &Options::new().config(Config::new().transaction_prefix("b-")),
    );
    let session = a.call(Create::new()).expect("create");
    let handle = attach(&mut a, session, ECHOTEST);
    let bystander = attach(&mut a, session, ECHOTEST);
    let claim = || Claim {
        session,
        handles: vec![handle, bystander],
    };

    b.call(claim()).expect("claim");
    assert_eq!(b.session_state(session), Some(SessionState::Active));
    assert_eq!(b.session_of(handle), Some(session));
    // A's request is acknowledged to A, but its event now goes to the owner, B.
    let echo = Message::new(handle, json!({"audio": true}));
    match a.call(echo.within(Duration::from_secs(2))) {
        Err(Error::Request(RequestError::TimedOut { acked: true })) => {}
        other => panic!("A's event should have gone to B: {other:?}"),
    }
    let (event, _) = b.wait_for(BOUND, |e| plugin_event(e, handle));
    assert_eq!(event["result"], "ok", "{event}");

    if T::POLLS_SESSIONS {
        // B polls the session now: it stays B's, and A goes away.
        a.close();
    } else {
        // A takes it back: its requests complete on A again.
        a.call(claim()).expect("claim back");
        let reply = message(&mut a, handle, json!({"audio": true})).expect("message on A");
        assert_eq!(plugin_value(&reply, "result"), "ok");

        // A goes away; the server keeps the session for a claim, and B claims it for good.
        a.close();
        b.call(claim()).expect("claim the orphaned session");
    }
    let reply = message(&mut b, handle, json!({"video": true})).expect("message on B");
    assert_eq!(plugin_value(&reply, "result"), "ok");

    // An event triggered from elsewhere (the Admin API) reaches the new owner too.
    let mut admin = admin::<D, T>(&janus);
    admin
        .call(DetachHandle {
            session,
            handle: bystander,
        })
        .expect("detach_handle");
    b.wait_for(BOUND, |e| is_detached(e, bystander).then_some(()));
    assert_eq!(b.session_of(bystander), None);
    assert_eq!(
        admin.call(ListHandles(session)).expect("list_handles"),
        vec![handle]
    );
    b.call(Hangup(handle)).expect("hangup");
    let (done, _) = b.wait_for(BOUND, |e| {
        plugin_event(e, handle).filter(|v| v["result"] == "done")
    });
    assert_eq!(done["echotest"], "event");
    b.call(Destroy(session)).expect("destroy");
    admin.close();
    b.close();
}

// ----- auth ------------------------------------------------------------------------------

fn api_secret_and_stored_tokens<D: JanusDriver, T: Transport>() {
    let janus = start(
        JanusOptions::new()
            .api_secret(Some("s3cret"))
            .token_auth(true),
    );
    let mut wrong: D = connect_with(&T::url(&janus), &Options::new().apisecret("not-it"));
    // `info` and `ping` need no secret.
    assert_eq!(wrong.call(Info).expect("info").api_secret, Some(true));
    wrong.call(Ping).expect("ping");
    match wrong.call(Create::new()) {
        Err(Error::Request(RequestError::Janus(e))) => {
            assert_eq!(e.code, 403);
            assert!(e.reason.contains("Unauthorized"), "{}", e.reason);
        }
        other => panic!("expected error 403, got {other:?}"),
    }
    let mut none: D = connect(&T::url(&janus));
    assert_eq!(janus_code(none.call(Create::new())), 403);

    let mut right: D = connect_with(&T::url(&janus), &Options::new().apisecret("s3cret"));
    let session = right.call(Create::new()).expect("create with the secret");
    let handle = attach(&mut right, session, ECHOTEST);
    let reply = message(&mut right, handle, json!({"audio": true})).expect("message");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    // The secret is never printed.
    assert!(!format!("{right:?}").contains("s3cret"));
    right.call(Destroy(session)).expect("destroy");

    let mut admin = admin::<D, T>(&janus);
    let token = AddToken {
        token: "tok".into(),
        plugins: Some(vec![ECHOTEST.to_owned()]),
    };
    assert_eq!(
        admin.call(token).expect("add_token"),
        vec![ECHOTEST.to_owned()]
    );
    let mut good: D = connect_with(&T::url(&janus), &Options::new().token("tok"));
    assert_eq!(good.call(Info).expect("info").auth_token, Some(true));
    let session = good.call(Create::new()).expect("create with a good token");
    let handle = attach(&mut good, session, ECHOTEST);
    message(&mut good, handle, json!({"audio": true})).expect("message with the token");
    // The token does not cover the VideoRoom: 405.
    assert_eq!(janus_code(good.call(Attach::new(session, VIDEOROOM))), 405);
    let mut bad: D = connect_with(&T::url(&janus), &Options::new().token("wrong-token"));
    assert_eq!(janus_code(bad.call(Create::new())), 403);
    // A removed token is refused from then on.
    admin.call(RemoveToken("tok".into())).expect("remove_token");
    assert_eq!(
        janus_code(message(&mut good, handle, json!({"audio": true}))),
        403
    );
    for conn in [wrong, none, right, good, bad] {
        conn.close();
    }
    admin.close();
}

// ----- failures --------------------------------------------------------------------------

fn janus_killed_with_requests_in_flight<D: JanusDriver, T: Transport>() {
    let mut janus = start(JanusOptions::new());
    let options = Options::new().request_timeout(Duration::from_secs(30));
    let mut conn: D = connect_with(&T::url(&janus), &options);
    let session = conn.call(Create::new()).expect("create");
    let streaming = conn
        .call(Attach::new(session, STREAMING).ordering(Ordering::Pipelined))
        .expect("attach");
    let echotest = conn
        .call(Attach::new(session, ECHOTEST).ordering(Ordering::Pipelined))
        .expect("attach");

    // 50 requests Janus accepts and never completes (Streaming `stop` on a viewer that never
    // started), and 50 EchoTest messages that may or may not complete before the kill.
    let mut stuck = Vec::new();
    let mut racing = Vec::new();
    for _ in 0..50 {
        let stop = Command::message(streaming, json!({"request": "stop"}), None);
        stuck.push(conn.submit(stop).expect("submit"));
        let echo = Command::message(echotest, json!({"audio": true}), None);
        racing.push(conn.submit(echo).expect("submit"));
    }
    // A round trip behind them: they have all reached Janus.
    conn.call(Ping).expect("ping");

    janus.kill().expect("kill Janus");
    let start = Instant::now();
    for pending in stuck {
        match conn.wait(pending) {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected ConnectionLost, got {other:?}"),
        }
    }
    for pending in racing {
        match conn.wait(pending) {
            Ok(_) | Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected a reply or ConnectionLost, got {other:?}"),
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(conn.pending(), 0);

    // The events say so too: the session is disconnected, then the connection closed.
    let (_, skipped) = conn.wait_for(BOUND, |e| {
        matches!(e, Event::Connection(ConnectionEvent::Closed)).then_some(())
    });
    assert!(
        skipped.iter().any(|e| matches!(e,
            Event::Session { session: s, event: SessionEvent::Disconnected } if *s == session)),
        "{skipped:#?}"
    );
    assert!(conn.is_closed());
    assert_eq!(conn.session_state(session), Some(SessionState::Orphaned));
    assert!(matches!(
        conn.next_event(Duration::from_secs(1)),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    assert!(matches!(
        conn.call(Ping),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    assert!(matches!(
        conn.call(Create::new()),
        Err(Error::Request(RequestError::ConnectionLost))
    ));
    // And a new connection to the dead server fails fast.
    assert!(D::connect(&T::url(&janus), &Options::new()).is_err());
}

// ----- wss ---------------------------------------------------------------------------------

fn over_wss<D: JanusDriver>() {
    over_tls::<D>(JanusServer::wss_url);
}

fn over_https<D: JanusDriver>() {
    over_tls::<D>(JanusServer::https_url);
}

/// Trust, typed requests, large replies and 100 requests in flight over the TLS URL `url` of
/// a Janus with the harness's certificate.
fn over_tls<D: JanusDriver>(url: fn(&JanusServer) -> Option<&str>) {
    let janus = start(JanusOptions::new().tls(true));
    let url = url(&janus).expect("a TLS URL").to_owned();
    let ca = janus.ca_cert_path().expect("CA").to_owned();

    // Without the test CA the certificate is not trusted.
    match D::connect(&url, &Options::new()) {
        Err(Error::Connect(ConnectError::Socket(SocketError::Tls(e)))) => {
            assert!(matches!(e, rustls::Error::InvalidCertificate(_)), "{e:?}");
            assert!(e.to_string().contains("UnknownIssuer"), "{e}");
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }

    let mut conn: D = connect_with(&url, &Options::new().tls_root_pem(ca.as_path()));
    let info = conn.call(Info).expect("info");
    assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
    let session = conn.call(Create::new()).expect("create");
    let handle = attach(&mut conn, session, ECHOTEST);
    let reply = message(&mut conn, handle, json!({"audio": true})).expect("message");
    assert_eq!(plugin_value(&reply, "result"), "ok");
    // A reply larger than one Janus fragment (2800 bytes) and than the socket's read buffer
    // (8 KiB) comes through whole.
    let rooms = conn
        .call(Attach::new(session, VIDEOROOM).ordering(Ordering::Pipelined))
        .expect("attach");
    let room = room_id();
    let description = "x".repeat(20_000);
    let create = json!({"request": "create", "room": room, "description": description});
    message(&mut conn, rooms, create).expect("create room");
    let list = message(&mut conn, rooms, json!({"request": "list"})).expect("list");
    let listed = plugin_value(&list, "list");
    let ours = listed
        .as_array()
        .and_then(|l| l.iter().find(|r| r["room"] == room));
    assert_eq!(
        ours.map(|r| r["description"].clone()),
        Some(json!(description))
    );
    // 100 requests in flight over TLS.
    let pending: Vec<_> = (0..100u64)
        .map(|i| {
            let exists = json!({"request": "exists", "room": room + i});
            conn.submit(Command::message(rooms, exists, None))
                .expect("submit")
        })
        .collect();
    for (i, request) in (0u64..).zip(pending) {
        let data = reply_data(conn.wait(request).expect("exists"));
        assert_eq!(data["room"], room + i);
        assert_eq!(data["exists"], i == 0);
    }
    conn.call(Detach(handle)).expect("detach");
    conn.wait_for(BOUND, |e| is_detached(e, handle).then_some(()));
    conn.call(Destroy(session)).expect("destroy");
    conn.close();

    // The CA given as PEM bytes works as well.
    let pem = std::fs::read(&ca).expect("read CA");
    let options = Options::new().tls_root_pem(pem).webpki_roots(false);
    let mut again: D = connect_with(&url, &options);
    again.call(Ping).expect("ping");
    again.close();
}

// ----- sessions ended behind the client's back ------------------------------------------------

/// A session destroyed through the Admin API: the next `message` is answered with 458, which
/// ends the session on the client too (`SessionEnd::Gone`), and what follows on its handle
/// is refused without being sent.
fn a_458_answering_a_message_ends_the_session<D: JanusDriver, T: Transport>() {
    let (janus, mut conn, session, handle) = with_handle::<D, T>(ECHOTEST);
    let mut admin = admin::<D, T>(&janus);
    admin
        .call(DestroySession(session))
        .expect("destroy_session");
    admin.close();

    match message(&mut conn, handle, json!({"audio": true})) {
        Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 458, "{e}"),
        other => panic!("expected error 458, got {other:?}"),
    }
    assert_eq!(conn.session_state(session), None);
    let (end, _) = conn.wait_for(BOUND, |e| session_ended(e, session));
    match end {
        SessionEnd::Gone(e) => assert_eq!(e.code, 458, "{e}"),
        other => panic!("expected SessionEnd::Gone, got {other:?}"),
    }
    match message(&mut conn, handle, json!({"audio": true})) {
        Err(Error::Usage(UsageError::HandleEnded(h))) => assert_eq!(h, handle),
        Err(Error::Usage(UsageError::SessionEnded(s))) => assert_eq!(s, session),
        other => panic!("expected a usage error, got {other:?}"),
    }
    assert_eq!(conn.pending(), 0);
    conn.close();
}

// ----- events injected by a proxy -------------------------------------------------------------

/// 50 plugin events for a new handle, injected by the proxy in the same TCP write as the
/// `attach` reply that names the handle, so they arrive in the same read: every one reaches
/// that handle's own subscriber (read only after `attach` returned), once, in order, and
/// none goes anywhere else.
fn a_burst_of_events_right_behind_the_attach_reply_reaches_the_handles_subscriber<
    D: JanusDriver,
>() {
    const BURST: u64 = 50;
    let janus = shared();
    let proxy = WsProxy::start(janus.ws_url()).expect("proxy");
    let mut conn: D = connect(&proxy.url());
    let session = conn.call(Create::new()).expect("create through the proxy");
    proxy.inject_after(
        |text| {
            serde_json::from_str::<Value>(text).is_ok_and(|v| {
                v["janus"] == "success" && v["session_id"].is_u64() && v["data"]["id"].is_u64()
            })
        },
        |text| {
            let reply: Value = serde_json::from_str(text).expect("the matched frame");
            (0..BURST)
                .map(|n| {
                    json!({
                        "janus": "event",
                        "session_id": reply["session_id"],
                        "sender": reply["data"]["id"],
                        "plugindata": {"plugin": ECHOTEST, "data": {"n": n}},
                    })
                    .to_string()
                })
                .collect()
        },
    );
    let handle = attach(&mut conn, session, ECHOTEST);

    let mut seen = Vec::new();
    while seen.len() < BURST as usize {
        let event = conn
            .next_handle_event(handle, BOUND)
            .expect("the handle's events")
            .expect("an event within the bound");
        let n = plugin_event(&event, handle).and_then(|v| v["n"].as_u64());
        seen.push(n.unwrap_or_else(|| panic!("not one of the burst: {event:?}")));
    }
    assert_eq!(seen, (0..BURST).collect::<Vec<_>>());
    // None comes twice, and none went to another subscriber.
    let more = conn.idle(Duration::from_millis(300));
    assert!(
        more.iter().all(|e| plugin_event(e, handle).is_none()),
        "{more:#?}"
    );
    destroy_and_close(conn, session);
}
