//! Observations on simulated time: what a driver's logs and metrics are made of. Each
//! request starts and ends once, with its kind, ids, outcome and latency on the core's
//! clock; sessions and handles open and end; the connection's events, keepalive failures,
//! dropped events and refused frames are observed; with `Config::observe` off nothing is.

use std::time::Duration;

use janus_proto::observe::{Observation, Outcome};
use janus_proto::testing::{FakeConfig, Pair, ECHOTEST};
use janus_proto::{
    Command, Config, ConnectionEvent, Disconnect, Input, RequestError, SessionEnd, TransactionId,
};
use serde_json::json;

/// Every observation queued so far.
fn observed(pair: &mut Pair) -> Vec<Observation> {
    std::iter::from_fn(|| pair.client.poll_observation()).collect()
}

/// The end of `txn` among `seen`: its kind, outcome and latency.
fn ended(seen: &[Observation], txn: TransactionId) -> (&'static str, Outcome, Duration) {
    seen.iter()
        .find_map(|o| match o {
            Observation::RequestEnded {
                txn: t,
                kind,
                outcome,
                latency,
                ..
            } if *t == txn => Some((*kind, *outcome, *latency)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{txn} never ended: {seen:#?}"))
}

fn latency(ms: u64) -> FakeConfig {
    FakeConfig::new().latency(Duration::from_millis(ms)..=Duration::from_millis(ms))
}

#[test]
fn a_session_s_life_is_observed_with_ids_outcomes_and_latencies() {
    let mut pair = Pair::new(Config::new().observe(true), latency(7));
    let create = pair.submit(Command::create());
    pair.drive();
    let session = pair.client.sessions().next().expect("a session").0;
    let attach = pair.submit(Command::attach(session, ECHOTEST));
    pair.drive();
    let handle = pair.client.handles(session).next().expect("a handle");
    let message = pair.submit(Command::message(handle, json!({"audio": true}), None));
    pair.drive();
    let detach = pair.submit(Command::Detach { handle });
    pair.drive();
    let destroy = pair.submit(Command::Destroy { session });
    pair.drive();
    let seen = observed(&mut pair);

    let started: Vec<_> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::RequestStarted {
                txn,
                kind,
                session,
                handle,
                plugin,
                internal: false,
            } => Some((*txn, *kind, *session, *handle, plugin.clone())),
            _ => None,
        })
        .collect();
    let echotest = Some(ECHOTEST.to_owned());
    assert_eq!(
        started,
        [
            (create, "create", None, None, None),
            (attach, "attach", Some(session), None, echotest.clone()),
            (message, "message", Some(session), Some(handle), None),
            (detach, "detach", Some(session), Some(handle), None),
            (destroy, "destroy", Some(session), None, None),
        ]
    );
    // One round trip each (the fake answers after 7 ms; the echotest's event comes with its
    // reply).
    for (txn, kind) in [
        (create, "create"),
        (attach, "attach"),
        (message, "message"),
        (detach, "detach"),
        (destroy, "destroy"),
    ] {
        assert_eq!(
            ended(&seen, txn),
            (kind, Outcome::Ok, Duration::from_millis(7))
        );
    }
    // The end names the request's session and handle too.
    assert!(seen.iter().any(|o| matches!(
        o,
        Observation::RequestEnded { txn, session: Some(s), handle: Some(h), .. }
            if *txn == message && *s == session && *h == handle
    )));
    let lifecycle: Vec<_> = seen
        .iter()
        .filter(|o| {
            !matches!(
                o,
                Observation::RequestStarted { .. } | Observation::RequestEnded { .. }
            )
        })
        .cloned()
        .collect();
    assert_eq!(
        lifecycle,
        [
            Observation::SessionOpened { session },
            Observation::HandleOpened {
                session,
                handle,
                plugin: echotest,
            },
            Observation::HandleEnded { session, handle },
            Observation::SessionEnded {
                session,
                why: SessionEnd::Destroyed,
            },
        ]
    );
}

#[test]
fn failures_are_observed_with_their_outcome() {
    let mut pair = Pair::new(Config::new().observe(true), latency(2));
    let session = pair.create_session();
    // Janus refuses an unknown plugin (460).
    let refused = pair.submit(Command::attach(session, "janus.plugin.nope"));
    pair.drive();
    let handle = pair.attach(session, ECHOTEST);
    // The echotest refuses a body it does not understand (a plugin error).
    let plugin = pair.submit(Command::message(handle, json!({"audio": "x"}), None));
    pair.drive();
    // A request nothing answers: its deadline.
    pair.blackhole = true;
    let lost = pair.submit_with_timeout(Command::Info, Duration::from_millis(300));
    pair.advance(Duration::from_millis(400));
    let cancelled = pair.submit(Command::Ping);
    pair.cancel(cancelled).expect("pending");
    let seen = observed(&mut pair);

    assert!(matches!(
        ended(&seen, refused),
        ("attach", Outcome::Janus { code: 460 }, _)
    ));
    assert!(matches!(
        ended(&seen, plugin),
        ("message", Outcome::Plugin { code: 413 }, _)
    ));
    assert_eq!(
        ended(&seen, lost),
        ("info", Outcome::TimedOut, Duration::from_millis(300))
    );
    assert_eq!(
        ended(&seen, cancelled),
        ("ping", Outcome::Cancelled, Duration::ZERO)
    );
    assert_eq!(Outcome::TimedOut.label(), "timed_out");
}

#[test]
fn keepalive_failures_and_a_dead_link_are_observed() {
    let config = Config::new()
        .observe(true)
        .keepalive_interval(Duration::from_secs(1))
        .request_timeout(Duration::from_millis(500))
        .ping_interval(None);
    let mut pair = Pair::new(config, FakeConfig::new());
    let session = pair.create_session();
    observed(&mut pair);
    pair.blackhole = true;
    pair.advance(Duration::from_secs(4));
    let seen = observed(&mut pair);

    // Keepalives are the client's own: started and ended as internal requests.
    assert!(seen.iter().any(|o| matches!(
        o,
        Observation::RequestStarted {
            kind: "keepalive",
            internal: true,
            ..
        }
    )));
    let failures = seen
        .iter()
        .filter(|o| {
            matches!(o, Observation::KeepaliveFailed { session: s, error: RequestError::TimedOut { .. } } if *s == session)
        })
        .count();
    assert!(failures >= 1, "{seen:#?}");
    // Two unanswered in a row: the link is dead, then closed (no reconnect policy).
    let connection: Vec<_> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Connection(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        connection,
        [
            ConnectionEvent::Disconnected {
                why: Disconnect::KeepalivesFailed { count: 2 }
            },
            ConnectionEvent::Closed,
        ]
    );
}

#[test]
fn dropped_events_late_replies_and_refused_frames_are_observed() {
    let mut pair = Pair::new(
        Config::new().observe(true).event_queue_capacity(1),
        latency(1),
    );
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    observed(&mut pair);
    // Three unsolicited events for a handle whose queue holds one: two dropped.
    pair.hold_events = true;
    for _ in 0..3 {
        let frame = json!({"janus": "webrtcup", "session_id": session.0, "sender": handle.0});
        pair.server.inject(pair.now, frame.to_string());
    }
    pair.drive();
    // A reply for a request given up on.
    let given_up = pair.submit(Command::Ping);
    pair.step();
    pair.cancel(given_up).expect("pending");
    pair.drive();
    // A frame that is not Janus's.
    let now = pair.now;
    assert!(pair.client.handle_input(now, Input::text("{]")).is_err());
    let seen = observed(&mut pair);

    assert!(
        seen.contains(&Observation::Lagged { dropped: 2 }),
        "{seen:#?}"
    );
    assert!(seen.iter().any(|o| matches!(
        o,
        Observation::Connection(ConnectionEvent::LateReply { txn, .. }) if *txn == given_up
    )));
    assert!(matches!(
        seen.last(),
        Some(Observation::FrameRefused { error }) if error.contains("undecodable")
    ));
}

#[test]
fn nothing_is_observed_unless_asked_for() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    pair.submit(Command::message(handle, json!({"audio": true}), None));
    pair.drive();
    pair.blackhole = true;
    pair.advance(Duration::from_secs(120));
    let now = pair.now;
    assert!(pair.client.handle_input(now, Input::text("{]")).is_err());
    assert!(pair.client.is_closed());
    assert_eq!(observed(&mut pair), []);
}
