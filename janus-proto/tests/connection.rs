//! Staying connected, on simulated time against the fake Janus: liveness (pings, pong
//! deadlines, keepalive failures), the reconnect state machine (backoff, claims, the
//! lifecycle events, requests across the gap) and reclaim-window expiry.

use std::time::Duration;

use janus_proto::testing::{FakeConfig, Pair, ECHOTEST};
use janus_proto::{
    Action, Command, Config, ConnectionEvent, Disconnect, Event, HandleId, Reconnect, Reply,
    ReplyKind, RequestError, SessionEnd, SessionEvent, SessionId, SessionState,
};
use serde_json::json;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn echo(handle: HandleId) -> Command {
    Command::message(handle, json!({"audio": true}), None)
}

/// A policy with a fixed seed, so that each test sees one schedule.
fn policy() -> Reconnect {
    Reconnect::new().seed(7)
}

fn reclaiming(secs_: u64) -> FakeConfig {
    FakeConfig::new().reclaim_session_timeout(secs(secs_))
}

/// A pair whose client reconnects; its first `info` (sent on its own) is answered.
fn reconnecting(config: Config, fake: FakeConfig) -> Pair {
    let mut pair = Pair::new(config.reconnect(policy()), fake);
    pair.drive();
    pair
}

fn connection_events(pair: &Pair) -> Vec<&ConnectionEvent> {
    pair.events
        .iter()
        .filter_map(|e| match e {
            Event::Connection(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn disconnects(pair: &Pair) -> Vec<Disconnect> {
    connection_events(pair)
        .into_iter()
        .filter_map(|c| match c {
            ConnectionEvent::Disconnected { why } => Some(why.clone()),
            _ => None,
        })
        .collect()
}

/// The one `Reconnected` so far: (claimed, lost).
#[allow(clippy::type_complexity)]
fn reconnected(pair: &Pair) -> (Vec<SessionId>, Vec<(SessionId, SessionEnd)>) {
    let all: Vec<_> = connection_events(pair)
        .into_iter()
        .filter_map(|c| match c {
            ConnectionEvent::Reconnected { claimed, lost, .. } => {
                Some((claimed.clone(), lost.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(all.len(), 1, "one Reconnected: {:?}", pair.events);
    all.into_iter().next().unwrap_or_default()
}

fn session_end(pair: &Pair, session: SessionId) -> Option<&SessionEnd> {
    pair.events.iter().find_map(|e| match e {
        Event::Session {
            session: s,
            event: SessionEvent::Ended(why),
        } if *s == session => Some(why),
        _ => None,
    })
}

fn is_plugin_reply(outcome: Option<&Result<Reply, RequestError>>) -> bool {
    matches!(
        outcome,
        Some(Ok(Reply {
            kind: ReplyKind::Plugin { .. },
            ..
        }))
    )
}

// ---------------------------------------------------------------------------------------
// Liveness
// ---------------------------------------------------------------------------------------

#[test]
fn an_idle_healthy_link_is_pinged_and_stays_up() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    let session = pair.create_session();
    pair.advance(secs(120));
    assert!(pair.pings.len() >= 5, "pings: {:?}", pair.pings.len());
    assert!(disconnects(&pair).is_empty(), "{:?}", pair.events);
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Active)
    );
}

#[test]
fn a_busy_link_needs_no_ping() {
    let mut pair = Pair::new(Config::new(), FakeConfig::new());
    pair.create_session();
    for _ in 0..60 {
        pair.advance(secs(1));
        pair.request(Command::Ping).expect("pong");
    }
    assert!(pair.pings.is_empty(), "frames prove the link alive");
}

#[test]
fn a_black_hole_is_found_within_ping_interval_plus_pong_deadline() {
    let config = Config::new().ping_interval(secs(10)).pong_timeout(secs(5));
    let mut pair = Pair::new(config, FakeConfig::new());
    let session = pair.create_session();
    let heard = pair.now;
    pair.blackhole = true;
    pair.advance(secs(9));
    let info = pair.submit(Command::Info); // no answer will come
    pair.advance(secs(30));
    assert_eq!(disconnects(&pair), [Disconnect::NoPong { waited: secs(5) }]);
    let found_at = pair
        .events
        .iter()
        .position(|e| matches!(e, Event::Connection(ConnectionEvent::Disconnected { .. })))
        .expect("found");
    // Every pending request fails at once, before the deadline of its own (15 s).
    assert_eq!(pair.outcome(info), Some(&Err(RequestError::ConnectionLost)));
    assert!(matches!(
        pair.events.last(),
        Some(Event::Connection(ConnectionEvent::Closed))
    ));
    assert!(found_at < pair.events.len());
    assert_eq!(pair.pings, [heard + secs(10)]);
    assert!(!pair.connected, "the driver was told to drop the socket");
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Orphaned)
    );
    assert!(pair.client.is_closed());
}

#[test]
fn keepalives_failing_in_a_row_are_found_too() {
    let config = Config::new().ping_interval(None).max_keepalive_failures(2);
    let mut pair = Pair::new(config, FakeConfig::new());
    pair.create_session();
    pair.blackhole = true;
    pair.advance(secs(120));
    assert_eq!(
        disconnects(&pair),
        [Disconnect::KeepalivesFailed { count: 2 }]
    );
    let failed = pair.count_kind("Session.KeepaliveFailed");
    assert_eq!(failed, 2);
}

#[test]
fn a_refused_frame_proves_nothing_and_pongs_do() {
    let config = Config::new().ping_interval(secs(10)).pong_timeout(secs(5));
    let mut pair = Pair::new(config, FakeConfig::new());
    pair.create_session();
    pair.advance(secs(60));
    assert!(disconnects(&pair).is_empty());
    let start = pair.now;
    assert!(pair
        .client
        .handle_input(start, janus_proto::Input::text("garbage"))
        .is_err());
    assert_eq!(
        pair.client.poll_timeout().map(|t| t <= start + secs(10)),
        Some(true)
    );
}

// ---------------------------------------------------------------------------------------
// Reconnect
// ---------------------------------------------------------------------------------------

#[test]
fn the_first_connection_asks_info_to_learn_the_reclaim_window() {
    let pair = reconnecting(Config::new(), reclaiming(20));
    let names: Vec<&str> = pair
        .server
        .received()
        .iter()
        .map(|(_, r)| r.body.name())
        .collect();
    assert_eq!(names, ["info"]);
}

#[test]
fn a_cut_reconnects_claims_and_every_id_stays_valid() {
    let mut pair = reconnecting(Config::new(), reclaiming(20));
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    let cut_at = pair.now;
    pair.server.kill();
    pair.settle();
    assert_eq!(disconnects(&pair), [Disconnect::Closed { why: None }]);
    assert!(pair.client.is_reconnecting());
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Orphaned)
    );
    // A request made during the gap waits, then goes out on the claimed session.
    let during = pair.submit(echo(handle));
    pair.advance(secs(2));
    pair.drive();
    assert_eq!(pair.dials.len(), 1);
    let (claimed, lost) = reconnected(&pair);
    assert_eq!(claimed, [session]);
    assert!(lost.is_empty());
    assert!(is_plugin_reply(pair.outcome(during)));
    assert!(!pair.client.is_reconnecting());
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Active)
    );
    assert_eq!(pair.client.handles(session).collect::<Vec<_>>(), [handle]);
    let after = pair.submit(echo(handle));
    pair.drive();
    assert!(is_plugin_reply(pair.outcome(after)));
    // The claim went out before the waiting request.
    let names: Vec<&str> = pair
        .server
        .received()
        .iter()
        .skip_while(|(at, _)| *at <= cut_at)
        .map(|(_, r)| r.body.name())
        .collect();
    assert_eq!(&names[..3], ["info", "claim", "message"]);
    // Keepalives resume.
    let before = pair.server.received().len();
    pair.advance(secs(60));
    assert!(pair.server.received()[before..]
        .iter()
        .any(|(_, r)| r.body.name() == "keepalive"));
    assert!(pair.server.owns(session));
}

#[test]
fn a_request_in_flight_is_interrupted_and_info_is_repeated() {
    let mut pair = reconnecting(Config::new(), reclaiming(20).latency(secs(1)..=secs(1)));
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    let message = pair.submit(echo(handle));
    let info = pair.submit(Command::Info);
    pair.settle(); // both on the wire, answers a second away
    pair.server.kill();
    pair.settle();
    assert_eq!(
        pair.outcome(message),
        Some(&Err(RequestError::Interrupted)),
        "it may or may not have been applied"
    );
    assert_eq!(pair.outcome(info), None, "info waits to be repeated");
    pair.advance(secs(10));
    assert!(matches!(
        pair.outcome(info),
        Some(Ok(Reply {
            kind: ReplyKind::ServerInfo(_),
            ..
        }))
    ));
    assert_eq!(pair.completions(info), 1);
}

#[test]
fn a_black_hole_reconnects_like_a_cut() {
    let mut pair = reconnecting(Config::new(), reclaiming(20));
    let session = pair.create_session();
    pair.blackhole = true;
    pair.advance(secs(30));
    assert_eq!(disconnects(&pair), [Disconnect::NoPong { waited: secs(5) }]);
    let (claimed, _) = reconnected(&pair);
    assert_eq!(claimed, [session]);
    assert_eq!(
        pair.client.session_state(session),
        Some(SessionState::Active)
    );
}

#[test]
fn after_a_restart_claim_gets_458_and_every_session_is_reported_lost() {
    let mut pair = reconnecting(Config::new(), reclaiming(20));
    let first = pair.create_session();
    let second = pair.create_session();
    let handle = pair.attach(first, ECHOTEST);
    pair.server.restart();
    pair.advance(secs(5));
    let (claimed, lost) = reconnected(&pair);
    assert!(claimed.is_empty());
    let lost_ids: Vec<SessionId> = lost.iter().map(|(s, _)| *s).collect();
    assert_eq!(lost_ids, [first, second]);
    for (_, why) in &lost {
        assert!(
            matches!(why, SessionEnd::Gone(e) if e.code == 458),
            "{why:?}"
        );
    }
    assert_eq!(pair.client.session_state(first), None);
    assert_eq!(pair.client.session_of(handle), None);
    // The new process works.
    let fresh = pair.create_session();
    assert_eq!(pair.client.session_state(fresh), Some(SessionState::Active));
}

#[test]
fn with_no_reclaim_window_sessions_are_lost_as_soon_as_the_link_goes() {
    let mut pair = reconnecting(Config::new(), reclaiming(0));
    let session = pair.create_session();
    pair.server.kill();
    pair.settle();
    assert_eq!(
        session_end(&pair, session),
        Some(&SessionEnd::NotReclaimed {
            window: Duration::ZERO
        })
    );
    pair.advance(secs(5));
    let (claimed, lost) = reconnected(&pair);
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
}

#[test]
fn a_reclaim_window_that_passes_while_down_ends_the_session() {
    let mut pair = reconnecting(Config::new(), reclaiming(5));
    let session = pair.create_session();
    pair.server_down = true;
    pair.server.kill();
    pair.advance(secs(4));
    assert!(session_end(&pair, session).is_none());
    pair.advance(secs(2));
    assert_eq!(
        session_end(&pair, session),
        Some(&SessionEnd::NotReclaimed { window: secs(5) })
    );
    pair.server_down = false;
    pair.advance(secs(10));
    let (claimed, lost) = reconnected(&pair);
    assert!(claimed.is_empty());
    assert_eq!(lost.len(), 1);
}

#[test]
fn giving_up_fails_everything_and_ends_every_session() {
    let config = Config::new().reconnect(policy().max_attempts(3));
    let mut pair = Pair::new(config, reclaiming(600));
    pair.drive();
    let session = pair.create_session();
    let handle = pair.attach(session, ECHOTEST);
    pair.server_down = true;
    pair.server.kill();
    pair.settle();
    let waiting = pair.submit(echo(handle));
    pair.advance(secs(60));
    let kinds: Vec<String> = connection_events(&pair)
        .into_iter()
        .map(|c| {
            format!("{c:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Disconnected",
            "Reconnecting",
            "Reconnecting",
            "Reconnecting",
            "GaveUp",
            "Closed"
        ]
    );
    assert_eq!(pair.dials.len(), 3);
    assert!(matches!(
        pair.outcome(waiting),
        Some(Err(
            RequestError::SessionEnded(_) | RequestError::ConnectionLost
        ))
    ));
    assert_eq!(session_end(&pair, session), Some(&SessionEnd::Abandoned));
    assert_eq!(pair.client.pending(), 0);
    assert_eq!(pair.client.poll_timeout(), None, "nothing left to wait for");
    assert!(pair.client.is_closed());
}

#[test]
fn backoff_is_bounded_and_the_same_seed_gives_the_same_dials() {
    let dial_gaps = |seed: u64| {
        let policy = Reconnect::new()
            .seed(seed)
            .first_delay(Duration::from_millis(100))
            .max_delay(secs(2))
            .max_attempts(8);
        let mut pair = Pair::new(Config::new().reconnect(policy), FakeConfig::new());
        pair.drive();
        pair.server_down = true;
        let lost_at = pair.now;
        pair.server.kill();
        pair.advance(secs(60));
        let mut last = lost_at;
        pair.dials
            .iter()
            .map(|(at, _)| {
                let gap = *at - last;
                last = *at;
                gap
            })
            .collect::<Vec<Duration>>()
    };
    let gaps = dial_gaps(1);
    assert_eq!(gaps.len(), 8);
    for (n, gap) in gaps.iter().enumerate() {
        let base = Duration::from_millis(100 * (1 << n)).min(secs(2));
        assert!(
            *gap >= base / 2 && *gap < base,
            "attempt {n}: {gap:?} of {base:?}"
        );
    }
    assert_eq!(gaps, dial_gaps(1));
    assert_ne!(gaps, dial_gaps(2));
}

#[test]
fn dials_go_round_the_endpoints() {
    let config = Config::new().reconnect(policy().endpoints(2).max_attempts(4));
    let mut pair = Pair::new(config, FakeConfig::new());
    pair.drive();
    pair.server_down = true;
    pair.server.kill();
    pair.advance(secs(60));
    let endpoints: Vec<usize> = pair
        .dials
        .iter()
        .map(|(_, d)| match d {
            Action::Dial { endpoint, .. } => *endpoint,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(endpoints, [0, 1, 0, 1]);
}

#[test]
fn a_second_cut_while_claiming_keeps_the_sessions_for_the_next_connection() {
    let mut pair = reconnecting(Config::new(), reclaiming(60).latency(secs(1)..=secs(1)));
    let session = pair.create_session();
    pair.server.kill();
    pair.settle();
    // Until the claim is out, then cut again.
    let deadline = pair.now + secs(30);
    while pair.server.received().last().map(|(_, r)| r.body.name()) != Some("claim") {
        assert!(pair.now < deadline, "no claim went out");
        let next = pair.client.poll_timeout().expect("a dial is due");
        pair.advance_to(next);
    }
    pair.server.kill();
    pair.advance(secs(30));
    let (claimed, lost) = reconnected(&pair);
    assert_eq!(claimed, [session]);
    assert!(lost.is_empty());
    assert_eq!(disconnects(&pair).len(), 2);
}

#[test]
fn closing_by_the_caller_never_reconnects() {
    let mut pair = reconnecting(Config::new(), reclaiming(20));
    pair.create_session();
    let now = pair.now;
    pair.client.close(now);
    pair.connected = false;
    pair.advance(secs(60));
    assert!(pair.dials.is_empty());
    assert!(disconnects(&pair).is_empty());
    assert_eq!(pair.count_kind("Connection.Closed"), 1);
}

// ---------------------------------------------------------------------------------------
// Random faults keep the contract
// ---------------------------------------------------------------------------------------

/// One step of a random life of a reconnecting client.
#[derive(Debug, Clone)]
enum Step {
    Create,
    Attach,
    Message,
    Info,
    Ping,
    /// Moves time forward this many milliseconds.
    Wait(u64),
    /// The TCP connection ends.
    Cut,
    /// The connection goes silent.
    BlackHole,
    /// Janus restarts: every session is gone.
    Restart,
    /// Janus refuses (or accepts again) new connections.
    Down(bool),
}

fn arb_step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        3 => Just(Step::Create),
        3 => Just(Step::Attach),
        4 => Just(Step::Message),
        1 => Just(Step::Info),
        1 => Just(Step::Ping),
        6 => (0u64..20_000).prop_map(Step::Wait),
        1 => Just(Step::Cut),
        1 => Just(Step::BlackHole),
        1 => Just(Step::Restart),
        1 => any::<bool>().prop_map(Step::Down),
    ]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Whatever the faults, every request ends exactly once (the pair's ledger panics on a
    /// second outcome), and once the server is reachable again every session the client
    /// still holds is active: none stays orphaned, and the lifecycle events pair up.
    #[test]
    fn random_faults_keep_the_contract(
        steps in proptest::collection::vec(arb_step(), 1..60),
        reclaim in proptest::prelude::prop_oneof![proptest::prelude::Just(0u64), 1u64..40],
        attempts in proptest::option::of(1u32..6),
    ) {
        let mut policy = policy().give_up_after(secs(90));
        if let Some(n) = attempts {
            policy = policy.max_attempts(n);
        }
        let mut pair = Pair::new(Config::new().reconnect(policy), reclaiming(reclaim));
        let mut submitted = Vec::new();
        for step in steps {
            let session = pair.client.sessions().map(|(s, _)| s).last();
            let handle = session.and_then(|s| pair.client.handles(s).last());
            let command = match step {
                Step::Create => Some(Command::create()),
                Step::Attach => session.map(|s| Command::attach(s, ECHOTEST)),
                Step::Message => handle.map(echo),
                Step::Info => Some(Command::Info),
                Step::Ping => Some(Command::Ping),
                Step::Wait(ms) => {
                    pair.advance(Duration::from_millis(ms));
                    None
                }
                Step::Cut => {
                    pair.server.kill();
                    None
                }
                Step::BlackHole => {
                    pair.blackhole = true;
                    None
                }
                Step::Restart => {
                    pair.server.restart();
                    None
                }
                Step::Down(down) => {
                    pair.server_down = down;
                    None
                }
            };
            if let Some(command) = command {
                // Refused when closed for good (after giving up): nothing to end then.
                if let Ok(txn) = pair.try_submit(command) {
                    submitted.push(txn);
                }
            }
            pair.settle();
        }
        // The server comes back for good; everything settles.
        pair.server_down = false;
        pair.advance(secs(200));
        for txn in &submitted {
            proptest::prop_assert_eq!(pair.completions(*txn), 1, "{:?}", txn);
        }
        proptest::prop_assert_eq!(pair.client.pending(), 0);
        let closed = pair.client.is_closed();
        for (session, state) in pair.client.sessions() {
            proptest::prop_assert!(
                closed || state == SessionState::Active,
                "{} is {:?} on a live connection", session, state
            );
        }
        let count = |kind: &str| pair.count_kind(kind);
        let (down, back, gave_up) = (
            count("Connection.Disconnected"),
            count("Connection.Reconnected"),
            count("Connection.GaveUp"),
        );
        proptest::prop_assert!(
            back + gave_up == down,
            "every loss ends in a reconnect or in giving up: {} {} {}", down, back, gave_up
        );
        proptest::prop_assert_eq!(count("Connection.Closed"), usize::from(closed));
    }
}
