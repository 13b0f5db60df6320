//! Staying connected against a real Janus, through both drivers: a TCP cut and a black hole
//! from a [`FaultProxy`], Janus killed and restarted, no reclaim window, and a server down
//! longer than the reconnect policy allows. Janus keeps sessions for 20 s
//! (`reclaim_session_timeout`) unless the test says otherwise.
//!
//! Janus killed and restarted, and a server down for good, run over both of its transports
//! (over a Unix socket the connection dials the same path again); the scenarios whose faults
//! come from the TCP proxy (a cut, a black hole, a cut without a reclaim window) run over
//! WebSockets only: a Unix socket cannot be black-holed (the kernel reports a dead peer at
//! once), and a cut of one is what a killed Janus does to it.

use std::time::{Duration, Instant};

use janus_blocking::request::{Attach, Create, Detach, Message, Ping};
use janus_blocking::{
    Command, ConnectionEvent, Disconnect, Error, Event, HandleEventKind, Reconnect, RequestError,
    SessionEnd, SessionEvent, SessionId, SessionState,
};
use janus_tests::drivers::{JanusDriver, Options, Transport};
use janus_tests::faults::FaultProxy;
use janus_tests::JanusOptions;
use serde_json::json;

use super::{connect_with, start, BOUND, ECHOTEST};

/// Quick retries, bounded well inside the tests' waits.
fn reconnecting() -> Options {
    Options::new().reconnect(
        Reconnect::new()
            .first_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1))
            .give_up_after(Duration::from_secs(30)),
    )
}

fn reclaiming() -> JanusOptions {
    JanusOptions::new().reclaim_session_timeout(20)
}

/// Waits for the next `Reconnected`: (claimed, lost), and the events on the way.
#[allow(clippy::type_complexity)]
fn reconnected<D: JanusDriver>(
    conn: &mut D,
) -> ((Vec<SessionId>, Vec<(SessionId, SessionEnd)>), Vec<Event>) {
    conn.wait_for(BOUND, |e| match e {
        Event::Connection(ConnectionEvent::Reconnected { claimed, lost, .. }) => {
            Some((claimed.clone(), lost.clone()))
        }
        _ => None,
    })
}

fn disconnect(events: &[Event]) -> Option<&Disconnect> {
    events.iter().find_map(|e| match e {
        Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why),
        _ => None,
    })
}

fn echo<D: JanusDriver>(conn: &mut D, handle: janus_blocking::HandleId) {
    let reply = conn
        .call(Message::new(handle, json!({"audio": true})))
        .unwrap_or_else(|e| panic!("{}: echotest message: {e}", D::NAME));
    assert_eq!(reply.data.plugin, ECHOTEST);
}

pub(super) fn a_cut_reconnects_claims_and_every_id_stays_valid<D: JanusDriver>() {
    let janus = start(reclaiming());
    let proxy = FaultProxy::start(janus.ws_url()).expect("proxy");
    let mut conn: D = connect_with(&proxy.url(), &reconnecting());
    let session = conn.call(Create::new()).expect("create");
    let handle = conn.call(Attach::new(session, ECHOTEST)).expect("attach");
    echo(&mut conn, handle);
    assert!(conn
        .next_handle_event(handle, Duration::ZERO)
        .expect("the handle's subscriber is open")
        .is_none());

    proxy.cut();
    let ((claimed, lost), skipped) = reconnected(&mut conn);
    assert!(
        matches!(disconnect(&skipped), Some(Disconnect::Closed { .. })),
        "{skipped:#?}"
    );
    assert_eq!(claimed, [session]);
    assert!(lost.is_empty(), "{lost:?}");
    assert_eq!(proxy.connections(), 2, "one reconnect");
    assert_eq!(conn.session_state(session), Some(SessionState::Active));
    assert_eq!(conn.session_of(handle), Some(session));

    // The next request works on the same ids, and the handle's subscriber still gets its
    // events: Janus's `detached` notice after a detach.
    echo(&mut conn, handle);
    conn.call(Detach(handle)).expect("detach");
    let until = Instant::now() + BOUND;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{}: no detached event", D::NAME);
        match conn.next_handle_event(handle, left) {
            Ok(Some(Event::Handle { event, .. })) if event.kind == HandleEventKind::Detached => {
                break
            }
            Ok(_) => {}
            Err(e) => panic!("{}: the handle's subscriber: {e}", D::NAME),
        }
    }
    conn.close();
}

pub(super) fn a_black_hole_is_found_within_ping_interval_plus_pong_deadline<D: JanusDriver>() {
    let janus = start(reclaiming());
    let proxy = FaultProxy::start(janus.ws_url()).expect("proxy");
    let (interval, deadline) = (Duration::from_secs(1), Duration::from_secs(1));
    let options = reconnecting()
        .ping_interval(Some(interval))
        .pong_timeout(deadline);
    let mut conn: D = connect_with(&proxy.url(), &options);
    let session = conn.call(Create::new()).expect("create");
    // An idle, healthy link stays up: its pings are answered.
    let idle = conn.idle(interval * 3);
    assert!(disconnect(&idle).is_none(), "{idle:#?}");

    proxy.black_hole();
    let black_hole = Instant::now();
    let (why, _) = conn.wait_for(BOUND, |e| match e {
        Event::Connection(ConnectionEvent::Disconnected { why }) => Some(why.clone()),
        _ => None,
    });
    let found_after = black_hole.elapsed();
    assert_eq!(why, Disconnect::NoPong { waited: deadline });
    // Nothing came or went; the pong deadline found it (with room for a slow machine).
    assert!(
        found_after < interval + deadline + Duration::from_secs(2),
        "{}: found after {found_after:?}",
        D::NAME
    );
    let ((claimed, _), _) = reconnected(&mut conn);
    assert_eq!(claimed, [session]);
    conn.call(Ping).expect("ping on the new connection");
    conn.close();
}

pub(super) fn janus_killed_and_restarted_reports_every_session_lost<
    D: JanusDriver,
    T: Transport,
>() {
    let mut janus = start(reclaiming());
    let mut conn: D = connect_with(&T::url(&janus), &reconnecting());
    let first = conn.call(Create::new()).expect("create");
    let second = conn.call(Create::new()).expect("create");
    let handle = conn.call(Attach::new(first, ECHOTEST)).expect("attach");

    janus.kill().expect("kill -9");
    conn.wait_for(BOUND, |e| {
        matches!(e, Event::Connection(ConnectionEvent::Disconnected { .. })).then_some(())
    });
    janus.restart().expect("restart");
    let ((claimed, lost), skipped) = reconnected(&mut conn);
    assert!(claimed.is_empty(), "{claimed:?}");
    let mut lost_ids: Vec<SessionId> = lost.iter().map(|(s, _)| *s).collect();
    lost_ids.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(lost_ids, expected);
    for (session, why) in &lost {
        assert!(
            matches!(why, SessionEnd::Gone(e) if e.code == 458),
            "{session}: {why:?}"
        );
        assert!(
            skipped.iter().any(|e| matches!(e,
                Event::Session { session: s, event: SessionEvent::Ended(SessionEnd::Gone(_)) }
                    if s == session)),
            "each lost session has its own Ended event: {skipped:#?}"
        );
        assert_eq!(conn.session_state(*session), None);
    }
    assert_eq!(conn.session_of(handle), None);

    // New sessions work on the new process.
    let fresh = conn.call(Create::new()).expect("create on the new process");
    let handle = conn.call(Attach::new(fresh, ECHOTEST)).expect("attach");
    echo(&mut conn, handle);
    conn.close();
}

pub(super) fn without_a_reclaim_window_sessions_are_lost_at_once<D: JanusDriver>() {
    let janus = start(JanusOptions::new().reclaim_session_timeout(0));
    let proxy = FaultProxy::start(janus.ws_url()).expect("proxy");
    let mut conn: D = connect_with(&proxy.url(), &reconnecting());
    let session = conn.call(Create::new()).expect("create");
    proxy.cut();
    let ((claimed, lost), skipped) = reconnected(&mut conn);
    let ended = skipped.iter().position(|e| {
        matches!(e, Event::Session { session: s, event: SessionEvent::Ended(
            SessionEnd::NotReclaimed { window }) } if *s == session && window.is_zero())
    });
    let reconnecting = skipped
        .iter()
        .position(|e| matches!(e, Event::Connection(ConnectionEvent::Reconnecting { .. })));
    assert!(
        matches!((ended, reconnecting), (Some(e), Some(r)) if e < r),
        "the session ends as the link goes, before any dial: {skipped:#?}"
    );
    assert!(claimed.is_empty());
    assert_eq!(
        lost,
        [(
            session,
            SessionEnd::NotReclaimed {
                window: Duration::ZERO
            }
        )]
    );
    conn.call(Create::new()).expect("a new session");
    conn.close();
}

pub(super) fn janus_down_longer_than_the_policy_allows<D: JanusDriver, T: Transport>() {
    let mut janus = start(reclaiming());
    let policy = Reconnect::new()
        .first_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(200))
        .max_attempts(3);
    let mut conn: D = connect_with(&T::url(&janus), &Options::new().reconnect(policy));
    let session = conn.call(Create::new()).expect("create");
    let handle = conn.call(Attach::new(session, ECHOTEST)).expect("attach");
    janus.kill().expect("kill -9");
    // Made during the outage (or just before the client noticed): it must end too.
    let waiting = conn
        .submit(Command::message(handle, json!({"audio": true}), None))
        .expect("submit");
    let (attempts, skipped) = conn.wait_for(BOUND, |e| match e {
        Event::Connection(ConnectionEvent::GaveUp { attempts }) => Some(*attempts),
        _ => None,
    });
    assert_eq!(attempts, 3);
    let dials = skipped
        .iter()
        .filter(|e| matches!(e, Event::Connection(ConnectionEvent::Reconnecting { .. })))
        .count();
    assert_eq!(dials, 3, "{skipped:#?}");
    match conn.wait(waiting) {
        Err(Error::Request(
            RequestError::ConnectionLost
            | RequestError::Interrupted
            | RequestError::SessionEnded(_),
        )) => {}
        other => panic!("{}: expected the request to fail, got {other:?}", D::NAME),
    }
    conn.wait_for(BOUND, |e| {
        matches!(e, Event::Connection(ConnectionEvent::Closed)).then_some(())
    });
    assert_eq!(conn.pending(), 0);
    assert_eq!(conn.session_state(session), None, "abandoned");
    assert!(conn.is_closed());
    let next = conn.next_event(Duration::from_secs(1));
    assert!(
        matches!(
            next,
            Ok(Some(Event::Session { .. })) | Err(Error::Request(RequestError::ConnectionLost))
        ),
        "{next:?}"
    );
}
