//! What only janus-transport-ws has, against a real Janus 1.1.2: its named methods, event
//! streams (per handle, per session, per connection; where events go, when a stream ends,
//! the lag signal), cancellation by dropping a future, how the driver future ends, and the
//! tokio runtime (over a WebSocket and over a Unix socket). The scenarios both drivers share are in the parent module.
//!
//! Every wait is bounded (`within`), so a bug shows up as a failure, never as a hang. Tests
//! that need no special server config share one Janus; the others start their own.

use std::future::Future;
use std::process::Command as Process;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use futures_util::Stream;
use janus_tests::drivers::{Transport, Unix, WebSocket};
use janus_tests::proxy::{Oversized, WsProxy};
use janus_tests::{JanusOptions, JanusServer};
use janus_transport_ws::request::{Attach, Message, Request};
use janus_transport_ws::{
    connect, connect_admin, Candidate, Client, Config, ConnectOptions, ConnectionEvent, Driver,
    DriverEnd, Error, Event, HandleEventKind, IceCandidate, Ordering, RequestError, SessionEnd,
    SessionEvent, SessionState, StreamItem, Trickle,
};
use serde_json::{json, Value};

use super::{shared, start};

fn options() -> ConnectOptions {
    ConnectOptions::new()
        .request_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
}

// ----- helpers ---------------------------------------------------------------------------

/// Runs `fut`, failing the test if it takes longer than `secs`.
async fn within<T>(secs: f64, what: &str, fut: impl Future<Output = T>) -> T {
    let limit = Duration::from_secs_f64(secs);
    smol::future::or(async { Some(fut.await) }, async {
        smol::Timer::after(limit).await;
        None
    })
    .await
    .unwrap_or_else(|| panic!("{what}: nothing within {limit:?}"))
}

/// Connects and spawns the driver on smol's executor (the test's choice: the crate spawns
/// nothing).
async fn open(url: &str, options: ConnectOptions) -> (Client, smol::Task<DriverEnd>) {
    let (client, driver) = within(10.0, "connect", connect(url, options))
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    (client, smol::spawn(driver))
}

/// Waits for the first stream item `pick` accepts; fails if the stream ends first.
async fn wait_for<S, T>(
    stream: &mut S,
    secs: f64,
    mut pick: impl FnMut(&StreamItem) -> Option<T>,
) -> T
where
    S: Stream<Item = StreamItem> + Unpin,
{
    let mut seen = Vec::new();
    let found = within(secs, "waiting for an event", async {
        while let Some(item) = stream.next().await {
            if let Some(found) = pick(&item) {
                return Some(found);
            }
            seen.push(item);
        }
        None
    })
    .await;
    found.unwrap_or_else(|| panic!("the stream ended first; it had {seen:#?}"))
}

/// Reads a stream to its end; fails if it does not end within `secs`.
async fn drain<S>(stream: &mut S, secs: f64) -> Vec<StreamItem>
where
    S: Stream<Item = StreamItem> + Unpin,
{
    within(secs, "the stream to end", async {
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item);
        }
        items
    })
    .await
}

/// A room id no other test uses.
fn room_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = u64::from(std::process::id()) % 10_000 * 100_000;
    2_000_000_000 + base + NEXT.fetch_add(1_000, AtomicOrdering::Relaxed)
}

fn field(value: &Value, key: &str) -> Value {
    value.get(key).cloned().unwrap_or(Value::Null)
}

fn plugin_event(item: &StreamItem) -> Option<Value> {
    match item.handle_event().map(|e| &e.kind) {
        Some(HandleEventKind::Plugin { data, .. }) => Some(data.value().expect("JSON value")),
        _ => None,
    }
}

// ----- the Janus API ---------------------------------------------------------------------

/// The named methods of `Client`, `Session` and `Handle` (the scenarios go through `call`),
/// and where their events go: a handle's stream gets its events (its own and another
/// handle's doing, also those that came before it was opened) and ends after `detached` or
/// with its session; a session's stream gets the session's end, then ends; a closed
/// client's driver ends with `Closed`, and the client takes no request after.
#[test]
fn named_methods_and_handle_and_session_streams() {
    let janus = shared();
    smol::block_on(async {
        let (client, driver) = open(janus.ws_url(), options()).await;
        let info = within(5.0, "info", client.info()).await.expect("info");
        assert_eq!(info.version_string.as_deref(), Some("1.1.2"));
        within(5.0, "ping", client.ping()).await.expect("ping");
        let session = within(5.0, "create", client.create())
            .await
            .expect("create");
        assert_eq!(session.state(), Some(SessionState::Active));
        let mut session_events = session.events();
        within(5.0, "keepalive", session.keepalive())
            .await
            .expect("keepalive");

        let echo = within(5.0, "attach", session.attach("janus.plugin.echotest"))
            .await
            .expect("attach");
        assert_eq!(echo.session(), session.id());
        assert_eq!(session.handles(), vec![echo.id()]);
        let mut echo_events = echo.events();
        let candidate = Candidate::Ice(IceCandidate::new(
            "candidate:1 1 udp 2122260223 10.203.0.1 50000 typ host",
            "0",
            0,
        ));
        within(5.0, "trickle", echo.trickle(Trickle::One(candidate)))
            .await
            .expect("trickle");
        let reply = within(5.0, "message", echo.message(json!({"audio": true}), None))
            .await
            .expect("message");
        assert_eq!(field(&reply.value().expect("JSON value"), "result"), "ok");
        // EchoTest reacts to a hangup with its `done` event, on the handle stream.
        within(5.0, "hangup", echo.hangup()).await.expect("hangup");
        let done = wait_for(&mut echo_events, 5.0, |item| {
            plugin_event(item).filter(|v| v["result"] == "done")
        })
        .await;
        assert_eq!(done["echotest"], "event");

        // Bob joins from another handle: Alice's handle stream hears of it.
        let room = room_id();
        let alice = session
            .attach_with(Attach::new(session.id(), "janus.plugin.videoroom").opaque_id("alice"))
            .await
            .expect("attach");
        let create = json!({"request": "create", "room": room, "notify_joining": true});
        alice.message(create, None).await.expect("create room");
        let mut alice_events = alice.events();
        let join =
            json!({"request": "join", "ptype": "publisher", "room": room, "display": "alice"});
        alice.message(join, None).await.expect("alice joins");
        let bob = session
            .attach("janus.plugin.videoroom")
            .await
            .expect("attach");
        let join = json!({"request": "join", "ptype": "publisher", "room": room, "display": "bob"});
        bob.message(join, None).await.expect("bob joins");
        let joining = wait_for(&mut alice_events, 5.0, |item| {
            plugin_event(item).filter(|v| v.get("joining").is_some())
        })
        .await;
        assert_eq!(joining["joining"]["display"], "bob", "{joining}");
        let destroy = json!({"request": "destroy", "room": room});
        alice.message(destroy, None).await.expect("destroy room");

        // The Admin API's named methods; Bob, detached there, had no stream open: his
        // `detached` waits in his own queue for a stream opened afterwards.
        let (admin, _admin_driver) = connect_admin(
            janus.admin_url(),
            ConnectOptions::new().admin_secret(janus.admin_secret()),
        )
        .await
        .map(|(admin, driver)| (admin, smol::spawn(driver)))
        .expect("connect_admin");
        let sessions = admin.list_sessions().await.expect("list_sessions");
        assert!(sessions.contains(&session.id()), "{sessions:?}");
        let handles = admin
            .list_handles(session.id())
            .await
            .expect("list_handles");
        assert_eq!(handles.len(), 3, "{handles:?}");
        let info = admin
            .handle_info(session.id(), alice.id())
            .await
            .expect("handle_info");
        assert_eq!(info.opaque_id(), Some("alice"));
        assert_eq!(admin.set_log_level(4).await.expect("set_log_level"), 4);
        // This server has no stored-token auth: 490, but the requests went through.
        for outcome in [
            admin.add_token("tok-named", None).await.map(drop),
            admin.remove_token("tok-named").await,
        ] {
            match outcome {
                Err(Error::Request(RequestError::Janus(e))) => assert_eq!(e.code, 490, "{e}"),
                other => panic!("expected 490, got {other:?}"),
            }
        }
        admin
            .detach_handle(session.id(), bob.id())
            .await
            .expect("detach_handle");
        let bob_items = drain(&mut bob.events(), 5.0).await;
        assert!(
            matches!(
                bob_items
                    .last()
                    .and_then(|i| i.handle_event())
                    .map(|e| &e.kind),
                Some(HandleEventKind::Detached)
            ),
            "Bob's stream ends with his `detached`: {bob_items:#?}"
        );

        // detach: the handle stream ends with `detached`, and the handle takes no request.
        within(5.0, "detach", echo.detach()).await.expect("detach");
        let items = drain(&mut echo_events, 5.0).await;
        assert!(
            items.iter().any(|i| matches!(
                i.handle_event().map(|e| &e.kind),
                Some(HandleEventKind::Detached)
            )),
            "the handle stream ends with `detached`: {items:#?}"
        );
        assert!(!session.handles().contains(&echo.id()));
        match within(5.0, "message", echo.message(json!({"audio": true}), None)).await {
            Err(Error::Usage(_)) => {}
            other => panic!("a detached handle takes no request: {other:?}"),
        }

        // destroy: the session stream ends with the session's end, Alice's stream with it.
        within(5.0, "destroy", session.destroy())
            .await
            .expect("destroy");
        assert_eq!(session.state(), None);
        let items = drain(&mut session_events, 5.0).await;
        assert!(
            items.iter().any(|i| matches!(
                i.session_event(),
                Some(SessionEvent::Ended(SessionEnd::Destroyed))
            )),
            "{items:#?}"
        );
        drain(&mut alice_events, 5.0).await;
        assert_eq!(client.pending(), 0);

        client.close();
        let end = within(5.0, "driver", driver).await;
        assert!(matches!(end, DriverEnd::Closed), "{end:?}");
        match within(5.0, "ping", client.ping()).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("a closed connection takes no request: {other:?}"),
        }
    });
}

#[test]
fn a_full_stream_drops_the_newest_and_says_how_many() {
    let janus = shared();
    smol::block_on(async {
        let (client, _driver) = open(janus.ws_url(), options().event_queue_capacity(2)).await;
        let session = client.create().await.expect("create");
        let room = room_id();
        let alice = session
            .attach("janus.plugin.videoroom")
            .await
            .expect("attach");
        alice
            .message(
                json!({"request": "create", "room": room, "notify_joining": true}),
                None,
            )
            .await
            .expect("create room");
        alice
            .message(
                json!({"request": "join", "ptype": "publisher", "room": room}),
                None,
            )
            .await
            .expect("join");
        let mut events = alice.events();
        // Six others join: six `joining` events for Alice, into a buffer of two.
        for i in 0..6 {
            let other = session
                .attach("janus.plugin.videoroom")
                .await
                .expect("attach");
            other
                .message(
                    json!({"request": "join", "ptype": "publisher", "room": room, "display": format!("p{i}")}),
                    None,
                )
                .await
                .expect("join");
        }
        // Let the last `joining` arrive (a round trip after the last join).
        client.ping().await.expect("ping");
        smol::Timer::after(Duration::from_millis(200)).await;
        // Two events and the lag notice where the other four were dropped.
        assert_eq!(events.queued(), 3);
        let mut items = Vec::new();
        for _ in 0..3 {
            items.push(within(1.0, "item", events.next()).await.expect("item"));
        }
        assert_eq!(
            plugin_event(&items[0]).expect("event")["joining"]["display"],
            "p0"
        );
        assert_eq!(
            plugin_event(&items[1]).expect("event")["joining"]["display"],
            "p1"
        );
        match items[2] {
            StreamItem::Lagged { missed } => assert_eq!(missed, 4),
            ref other => panic!("expected the lag signal, got {other:?}"),
        }
        // The stream goes on afterwards, in order.
        let late = session
            .attach("janus.plugin.videoroom")
            .await
            .expect("attach");
        late.message(
            json!({"request": "join", "ptype": "publisher", "room": room, "display": "late"}),
            None,
        )
        .await
        .expect("join");
        let joining = wait_for(&mut events, 5.0, plugin_event).await;
        assert_eq!(joining["joining"]["display"], "late");
        alice
            .message(json!({"request": "destroy", "room": room}), None)
            .await
            .expect("destroy room");
        session.destroy().await.expect("destroy");
    });
}

#[test]
fn dropping_a_request_cancels_it_cleanly() {
    let janus = shared();
    smol::block_on(async {
        // The driver runs only where this test polls it, so what it has sent is known.
        let (client, mut driver) = within(10.0, "connect", connect(janus.ws_url(), options()))
            .await
            .expect("connect");
        let mut connection_events = client.connection_events();
        let (session, echo) = driven(&mut driver, async {
            let session = client.create().await.expect("create");
            let echo = session
                .attach("janus.plugin.echotest")
                .await
                .expect("attach");
            (session, echo)
        })
        .await;

        // Dropped before it was ever polled, and dropped after one poll (a timeout race),
        // both before the driver took their frames: never sent.
        let request = echo.message(json!({"audio": true}), None);
        assert_eq!(client.pending(), 1);
        drop(request);
        assert_eq!(client.pending(), 0);
        let raced = smol::future::or(
            async { Some(echo.message(json!({"video": true}), None).await) },
            async { None },
        )
        .await;
        assert!(raced.is_none(), "the ready branch wins the race");
        assert_eq!(client.pending(), 0);

        // Dropped once the driver has sent it: its reply still comes, as a late reply on the
        // connection stream, not as the outcome of anything.
        let sent = echo.message(json!({"audio": false}), None);
        assert!(smol::future::poll_once(&mut driver).await.is_none());
        drop(sent);
        assert_eq!(client.pending(), 0);
        let late = driven(
            &mut driver,
            wait_for(&mut connection_events, 5.0, |item| match item.event() {
                Some(Event::Connection(ConnectionEvent::LateReply { txn, .. })) => Some(*txn),
                _ => None,
            }),
        )
        .await;
        // A ping answered after all of that: only the one request sent left late replies.
        driven(&mut driver, client.ping()).await.expect("ping");
        while let Some(Some(item)) = connection_events.next().now_or_never() {
            match item.event() {
                Some(Event::Connection(ConnectionEvent::LateReply { txn, .. })) => {
                    assert_eq!(*txn, late, "a request dropped before sending went out")
                }
                Some(Event::Connection(ConnectionEvent::Unroutable { raw })) => {
                    panic!("unroutable: {}", raw.as_str())
                }
                _ => {}
            }
        }

        // On an ordered handle a message waits for the previous one to be accepted; dropping
        // the first lets the second go.
        let first = echo.message(json!({"audio": false}), None);
        let second = echo.message(json!({"audio": true}), None);
        drop(first);
        let reply = driven(&mut driver, within(5.0, "second message", second))
            .await
            .expect("the second message is answered");
        assert_eq!(reply.value().expect("JSON value")["result"], "ok");
        assert_eq!(client.pending(), 0);

        // The connection is unharmed.
        driven(&mut driver, client.ping()).await.expect("ping");
        driven(&mut driver, session.destroy())
            .await
            .expect("destroy");
    });
}

/// Runs `work` while polling `driver` (which must not end first).
async fn driven<T>(driver: &mut Driver, work: impl Future<Output = T>) -> T {
    smol::future::or(async { panic!("the driver ended: {}", driver.await) }, work).await
}

#[test]
fn driver_resolves_when_every_client_is_dropped() {
    let janus = shared();
    smol::block_on(async {
        let (client, driver) = within(10.0, "connect", connect(janus.ws_url(), options()))
            .await
            .expect("connect");
        // Raced with our own work instead of spawned.
        let work = async {
            let session = client.create().await.expect("create");
            let handle = session
                .attach("janus.plugin.echotest")
                .await
                .expect("attach");
            handle
                .message(json!({"audio": true}), None)
                .await
                .expect("message");
            drop((client, session, handle));
            // Work done and every handle gone: the driver finishes on its own.
            smol::future::pending::<DriverEnd>().await
        };
        let end = within(10.0, "driver", smol::future::or(driver, work)).await;
        assert!(matches!(end, DriverEnd::ClientsDropped), "{end:?}");

        // The same for an Admin API client.
        let (admin, admin_driver) = connect_admin(janus.admin_url(), ConnectOptions::new())
            .await
            .expect("connect_admin");
        let admin_driver = smol::spawn(admin_driver);
        admin.ping().await.expect("ping needs no secret");
        drop(admin);
        let end = within(5.0, "admin driver", admin_driver).await;
        assert!(matches!(end, DriverEnd::ClientsDropped), "{end:?}");
    });
}

// ----- tokio ------------------------------------------------------------------------------

/// A tokio program: `connect` inside a current-thread tokio runtime dials with tokio's
/// socket and keeps time with tokio's timer (no compat layer and no timer in the program).
#[test]
fn tokio_current_thread_runtime_with_plain_connect() {
    let janus = shared();
    on_tokio_current_thread::<WebSocket>(&janus);
}

/// The same over a Unix socket: tokio's reactor waits for it.
#[test]
fn tokio_current_thread_runtime_over_a_unix_socket() {
    let janus = shared();
    on_tokio_current_thread::<Unix>(&janus);
}

/// On a current-thread tokio runtime, `connect` (and `connect_admin`) with the URL of
/// transport `T`: requests, deadlines and keepalives on tokio's timer, and a clean close.
fn on_tokio_current_thread<T: Transport>(janus: &JanusServer) {
    let url = T::url(janus);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let limit = Duration::from_secs(10);
        // Short deadlines, to see the tokio timer fire them.
        let options = options().keepalive_interval(Duration::from_millis(300));
        let (client, driver) = tokio::time::timeout(limit, connect(&url, options))
            .await
            .unwrap_or_else(|_| panic!("connect: no outcome within the bound"))
            .unwrap_or_else(|e| panic!("connect: {e}"));
        let driver = tokio::spawn(driver);

        let session = tokio::time::timeout(limit, client.create())
            .await
            .unwrap_or_else(|_| panic!("create: no outcome within the bound"))
            .expect("create");
        let echo = tokio::time::timeout(limit, session.attach("janus.plugin.echotest"))
            .await
            .unwrap_or_else(|_| panic!("attach: no outcome within the bound"))
            .expect("attach");
        let reply = tokio::time::timeout(limit, echo.message(json!({"audio": true}), None))
            .await
            .unwrap_or_else(|_| panic!("message: no outcome within the bound"))
            .expect("message");
        assert_eq!(reply.value().expect("JSON value")["result"], "ok");
        // A deadline enforced by the tokio timer: 1 ms for a request cannot be met.
        match tokio::time::timeout(
            limit,
            client.call(
                Message::new(echo.id(), json!({"video": true})).within(Duration::from_millis(1)),
            ),
        )
        .await
        {
            Ok(Err(Error::Request(RequestError::TimedOut { .. }))) | Ok(Ok(_)) => {}
            other => panic!("expected a deadline or a reply, got {other:?}"),
        }
        // Keepalives on the tokio timer keep the session going.
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(session.state(), Some(SessionState::Active));
        // The Admin API through the same transport sees the session.
        let admin_options = self::options().admin_secret(janus.admin_secret());
        let (admin, admin_driver) =
            tokio::time::timeout(limit, connect_admin(&T::admin_url(janus), admin_options))
                .await
                .unwrap_or_else(|_| panic!("connect_admin: no outcome within the bound"))
                .unwrap_or_else(|e| panic!("connect_admin: {e}"));
        let admin_driver = tokio::spawn(admin_driver);
        let sessions = tokio::time::timeout(limit, admin.list_sessions())
            .await
            .unwrap_or_else(|_| panic!("list_sessions: no outcome within the bound"))
            .expect("list_sessions");
        assert!(sessions.contains(&session.id()), "{sessions:?}");
        admin.close();
        let end = tokio::time::timeout(limit, admin_driver)
            .await
            .unwrap_or_else(|_| panic!("admin driver: no outcome within the bound"))
            .expect("admin driver task");
        assert!(matches!(end, DriverEnd::Closed), "{end:?}");
        tokio::time::timeout(limit, session.destroy())
            .await
            .unwrap_or_else(|_| panic!("destroy: no outcome within the bound"))
            .expect("destroy");
        client.close();
        let end = tokio::time::timeout(limit, driver)
            .await
            .unwrap_or_else(|_| panic!("driver: no outcome within the bound"))
            .expect("driver task");
        assert!(matches!(end, DriverEnd::Closed), "{end:?}");
    });
}

// ----- keepalive, expiry, claim -----------------------------------------------------------

/// A session's stream ends when the session expires; `Client::claim` and `Session::claim`
/// move a session, and the claimed handle's stream on the new owner gets its events.
#[test]
fn a_session_stream_ends_on_expiry_and_claims_move_handle_streams() {
    let janus = start(
        JanusOptions::new()
            .session_timeout(3)
            .reclaim_session_timeout(10)
            .name("async-timeouts"),
    );
    let url = janus.ws_url().to_owned();
    smol::block_on(async {
        let expiry = async {
            let config = Config::new().keepalive_from_server_info(false);
            let (client, _driver) = open(
                &url,
                options()
                    .config(config)
                    .keepalive_interval(Duration::from_secs(3600)),
            )
            .await;
            let session = client.create().await.expect("create");
            let mut events = session.events();
            let why = wait_for(&mut events, 12.0, |item| match item.session_event() {
                Some(SessionEvent::Ended(why)) => Some(why.clone()),
                _ => None,
            })
            .await;
            assert!(matches!(why, SessionEnd::TimedOut(_)), "{why:?}");
            assert_eq!(session.state(), None);
            // The session stream ends with the session.
            drain(&mut events, 2.0).await;
            match session.attach("janus.plugin.echotest").await {
                Err(Error::Usage(_)) => {}
                other => panic!("an expired session takes no request: {other:?}"),
            }
        };
        let claim = async {
            let keepalive = Duration::from_secs(1);
            let (a, a_driver) = open(
                &url,
                options()
                    .config(Config::new().transaction_prefix("a-"))
                    .keepalive_interval(keepalive),
            )
            .await;
            let (b, _b_driver) = open(
                &url,
                options()
                    .config(Config::new().transaction_prefix("b-"))
                    .keepalive_interval(keepalive),
            )
            .await;
            let session = a.create().await.expect("create");
            let handle = session
                .attach("janus.plugin.echotest")
                .await
                .expect("attach");

            let claimed = b
                .claim(session.id(), vec![handle.id()])
                .await
                .expect("claim");
            assert_eq!(claimed.state(), Some(SessionState::Active));
            let b_handle = claimed.handle(handle.id());
            let mut b_events = b_handle.events();
            b_handle.hangup().await.expect("hangup");
            let done = wait_for(&mut b_events, 5.0, |i| {
                plugin_event(i).filter(|v| v["result"] == "done")
            })
            .await;
            assert_eq!(done["echotest"], "event");

            // A takes it back: its requests complete on A again.
            within(5.0, "claim back", session.claim())
                .await
                .expect("claim back");
            let reply = within(
                5.0,
                "message on A",
                handle.message(json!({"audio": true}), None),
            )
            .await
            .expect("message on A");
            assert_eq!(reply.value().expect("JSON value")["result"], "ok");
            a.close();
            within(5.0, "A's driver", a_driver).await;
            b.claim(session.id(), vec![handle.id()])
                .await
                .expect("claim again")
                .destroy()
                .await
                .expect("destroy");
        };
        within(
            25.0,
            "expiry and claim",
            // Boxed: large futures side by side overflow a test thread's stack.
            smol::future::zip(Box::pin(expiry), Box::pin(claim)),
        )
        .await;
    });
}

// ----- failures ---------------------------------------------------------------------------

#[test]
fn janus_killed_with_requests_in_flight() {
    let mut janus = start(JanusOptions::new().name("async-kill"));
    let pid = janus.pid().expect("own process").to_string();
    smol::block_on(async {
        let (client, driver) = open(janus.ws_url(), options()).await;
        let mut connection_events = client.connection_events();
        let session = client.create().await.expect("create");
        let mut session_events = session.events();
        let echo = session
            .attach("janus.plugin.echotest")
            .await
            .expect("attach");
        let vr = session
            .attach_with(
                Attach::new(session.id(), "janus.plugin.videoroom").ordering(Ordering::Pipelined),
            )
            .await
            .expect("attach");

        // Freeze Janus so the requests stay in flight, then kill it.
        let stopped = Process::new("kill")
            .args(["-STOP", &pid])
            .status()
            .expect("kill -STOP");
        assert!(stopped.success());
        let mut in_flight: FuturesUnordered<std::pin::Pin<Box<dyn Future<Output = Error> + Send>>> =
            FuturesUnordered::new();
        for i in 0..20 {
            let reply = vr.message(json!({"request": "exists", "room": i}), None);
            in_flight.push(Box::pin(async move { reply.await.expect_err("no reply") }));
        }
        let reply = echo.message(json!({"audio": true}), None);
        in_flight.push(Box::pin(async move { reply.await.expect_err("no reply") }));
        let ping = client.ping();
        in_flight.push(Box::pin(async move { ping.await.expect_err("no pong") }));
        smol::Timer::after(Duration::from_millis(300)).await;
        assert_eq!(client.pending(), 22);

        let killed_at = Instant::now();
        janus.kill().expect("kill");
        let mut failed = 0;
        within(5.0, "every request to fail", async {
            while let Some(error) = in_flight.next().await {
                assert!(
                    matches!(error, Error::Request(RequestError::ConnectionLost)),
                    "{error:?}"
                );
                failed += 1;
            }
        })
        .await;
        assert_eq!(failed, 22);
        let end = within(5.0, "the driver", driver).await;
        assert!(matches!(end, DriverEnd::Lost(_)), "{end:?}");
        assert!(end.is_error());
        eprintln!("failed {:?} after the kill: {end}", killed_at.elapsed());
        assert_eq!(client.pending(), 0);
        assert!(client.is_closed());

        let items = drain(&mut session_events, 5.0).await;
        assert!(
            items
                .iter()
                .any(|i| matches!(i.session_event(), Some(SessionEvent::Disconnected))),
            "{items:#?}"
        );
        let items = drain(&mut connection_events, 5.0).await;
        assert!(
            items
                .iter()
                .any(|i| matches!(i.event(), Some(Event::Connection(ConnectionEvent::Closed)))),
            "{items:#?}"
        );
        assert_eq!(session.state(), Some(SessionState::Orphaned));
        assert!(
            echo.events().next().await.is_none(),
            "streams of a dead connection end"
        );
    });
}

/// A message over `max_incoming_frame` is refused from its frame header: the driver sends a
/// close frame with code 1009 and ends with the reason naming both numbers, pending requests
/// fail, and the 64 MiB the proxy streams never land in memory.
#[test]
fn a_message_over_the_limit_closes_with_1009_without_buffering_it() {
    let janus = shared();
    let proxy = WsProxy::start(janus.ws_url()).expect("proxy");
    smol::block_on(async {
        let options = options().config(Config::new().max_incoming_frame(Oversized::LIMIT));
        let (client, driver) = open(&proxy.url(), options).await;
        within(10.0, "create", client.create())
            .await
            .expect("create through the proxy");

        let oversized = Oversized::inject(&proxy).expect("inject");
        // The ping's reply comes after the oversized header on the wire: the ping fails.
        match within(10.0, "ping", client.ping()).await {
            Err(Error::Request(RequestError::ConnectionLost)) => {}
            other => panic!("expected the connection lost, got {other:?}"),
        }
        match within(10.0, "driver end", driver).await {
            DriverEnd::Lost(Error::MessageTooLarge { size, limit }) => {
                assert_eq!((size as u64, limit), (Oversized::SIZE, Oversized::LIMIT))
            }
            other => panic!("expected MessageTooLarge, got {other:?}"),
        }
        let growth = oversized.check(&proxy).expect("close frame and memory");
        println!("peak RSS growth while refusing the message: {growth} bytes");
    });
}
