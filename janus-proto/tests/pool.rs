//! The pool of servers on simulated time: placement (by the pool's own count, by an Admin
//! API count, with creates in flight), health (a killed server, a dead link, a blip a
//! reclaim window covers, a policy that gives up), the sessions lost with a server reported
//! exactly once, and recovery. Each server is a [`Pair`] (a client and a fake Janus) fed
//! to one [`Pool`], as a driver does. A property test checks the invariants on random
//! sequences.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use janus_proto::pool::{Health, Pool, PoolEvent};
use janus_proto::testing::{FakeConfig, Pair};
use janus_proto::{Command, Config, Reconnect, SessionId};
use proptest::prelude::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A pool over `n` fake servers, each client reconnecting (fixed seed) and pinging.
struct Cluster {
    servers: Vec<Pair>,
    pool: Pool,
    events: Vec<PoolEvent>,
}

impl Cluster {
    fn new(n: usize, fake: FakeConfig) -> Self {
        Self::with_policy(n, fake, Reconnect::new().seed(7).give_up_after(None))
    }

    fn with_policy(n: usize, fake: FakeConfig, policy: Reconnect) -> Self {
        let servers = (0..n)
            .map(|_| {
                let config = Config::new()
                    .reconnect(policy.clone())
                    .ping_interval(secs(10))
                    .pong_timeout(secs(5));
                let mut pair = Pair::new(config, fake.clone());
                // The first `info`, which tells the client the server's reclaim window.
                pair.drive();
                pair
            })
            .collect();
        let mut cluster = Self {
            servers,
            pool: Pool::new(n),
            events: Vec::new(),
        };
        cluster.observe();
        assert!(cluster.events.is_empty(), "{:?}", cluster.events);
        cluster
    }

    /// What a driver does after every turn: each connection's state to the pool.
    fn observe(&mut self) {
        for (i, pair) in self.servers.iter().enumerate() {
            self.pool.observe(i, &pair.client);
        }
        while let Some(event) = self.pool.poll_event() {
            self.events.push(event);
        }
    }

    fn take_events(&mut self) -> Vec<PoolEvent> {
        std::mem::take(&mut self.events)
    }

    /// A session placed by the pool and created on its server.
    fn create(&mut self) -> (usize, SessionId) {
        let placement = self.pool.place().expect("a healthy server");
        let server = placement.server();
        let session = self.servers[server].create_session();
        self.pool.placed(placement, session);
        self.observe();
        (server, session)
    }

    /// Destroys a session through the pool.
    fn destroy(&mut self, server: usize, session: SessionId) {
        assert!(self.pool.ended(server, session));
        self.servers[server]
            .request(Command::Destroy { session })
            .expect("destroy");
        self.observe();
    }

    /// The server process dies (its sessions with it) and stays down.
    fn kill(&mut self, server: usize) {
        let pair = &mut self.servers[server];
        pair.server_down = true;
        pair.server.restart();
        pair.settle();
        self.observe();
    }

    /// Every server's clock moves by `d`, a second at a time, observed after each.
    fn advance(&mut self, d: Duration) {
        let mut left = d;
        while !left.is_zero() {
            let step = left.min(secs(1));
            for pair in &mut self.servers {
                pair.advance(step);
            }
            self.observe();
            left -= step;
        }
    }

    /// Advances until `server` is healthy again, at most `bound`.
    fn until_up(&mut self, server: usize, bound: Duration) {
        let mut waited = Duration::ZERO;
        while self.pool.health(server) != Some(Health::Up) {
            assert!(waited < bound, "server {server} not back within {bound:?}");
            self.advance(secs(1));
            waited += secs(1);
        }
    }
}

fn lost(server: usize, sessions: &[SessionId]) -> PoolEvent {
    PoolEvent::SessionsLost {
        server,
        sessions: sessions
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// Placement
// ---------------------------------------------------------------------------------------

#[test]
fn new_sessions_go_to_the_least_loaded_server_by_the_pools_own_count() {
    let mut c = Cluster::new(3, FakeConfig::new());
    let placed: Vec<usize> = (0..6).map(|_| c.create().0).collect();
    assert_eq!(placed, [0, 1, 2, 0, 1, 2], "ties go to the lowest index");
    // Ending one of server 1's makes it the least loaded.
    let on_1 = c.pool.sessions(1).next().expect("a session on 1");
    c.destroy(1, on_1);
    assert_eq!(c.pool.load(1), Some(1));
    assert_eq!(c.create().0, 1);
    assert!(
        c.take_events().is_empty(),
        "destroyed through the pool: not lost"
    );
}

#[test]
fn creates_in_flight_hold_their_slot_so_they_spread_too() {
    let mut pool = Pool::new(3);
    let placements: Vec<_> = (0..5).map(|_| pool.place().expect("healthy")).collect();
    let servers: Vec<usize> = placements.iter().map(|p| p.server()).collect();
    assert_eq!(servers, [0, 1, 2, 0, 1]);
    let mut placements = placements.into_iter();
    // The first two fail: their slots are released.
    pool.unplaced(placements.next().unwrap());
    pool.unplaced(placements.next().unwrap());
    for (n, p) in placements.enumerate() {
        pool.placed(p, SessionId(100 + n as u64));
    }
    assert_eq!(
        (0..3).map(|s| pool.load(s).unwrap()).collect::<Vec<_>>(),
        [1, 1, 1]
    );
    assert_eq!(pool.poll_event(), None);
}

#[test]
fn an_admin_count_places_by_everyones_sessions_until_the_server_goes_down() {
    let mut c = Cluster::new(2, FakeConfig::new());
    let now = c.servers[0].now;
    let (first, _) = c.create();
    assert_eq!(first, 0);
    // Server 0's Admin API counts 4 sessions: ours and 3 of someone else's.
    assert!(c.pool.admin_due(0, now));
    c.pool.admin_load(0, now, 4);
    assert!(!c.pool.admin_due(0, now));
    assert_eq!(c.pool.load(0), Some(4));
    let placed: Vec<usize> = (0..4).map(|_| c.create().0).collect();
    assert_eq!(placed, [1, 1, 1, 1]);
    // A tie at 4: server 0 again, and the count goes on from the report.
    assert_eq!(c.create().0, 0);
    assert_eq!(c.pool.load(0), Some(5));
    // Due again after the refresh interval.
    assert!(c.pool.admin_due(0, now + Pool::ADMIN_REFRESH));
    // A failed ask keeps the pool's own count, and is not retried at once.
    c.pool.admin_failed(0, now);
    assert_eq!(c.pool.load(0), Some(2));
    assert!(!c.pool.admin_due(0, now));

    // The count is forgotten when the connection's health changes.
    c.pool.admin_load(0, now, 50);
    assert_eq!(c.pool.load(0), Some(50));
    c.kill(0);
    assert!(!c.pool.admin_due(0, now), "a down server is not asked");
    c.pool.admin_load(0, now, 50);
    c.servers[0].server_down = false;
    c.until_up(0, secs(30));
    assert_eq!(
        c.pool.load(0),
        Some(0),
        "its sessions died, the count is gone"
    );
}

#[test]
fn an_admin_count_below_the_pools_own_is_not_believed() {
    let mut pool = Pool::new(1);
    for id in 1..=3 {
        let p = pool.place().unwrap();
        pool.placed(p, SessionId(id));
    }
    pool.admin_load(0, janus_proto::testing::start_instant(), 1);
    assert_eq!(pool.load(0), Some(3));
}

// ---------------------------------------------------------------------------------------
// Health
// ---------------------------------------------------------------------------------------

#[test]
fn a_killed_server_is_avoided_its_sessions_are_reported_lost_once_and_it_comes_back() {
    let mut c = Cluster::new(2, FakeConfig::new());
    let sessions: Vec<(usize, SessionId)> = (0..4).map(|_| c.create()).collect();
    let on = |server| -> Vec<SessionId> {
        sessions
            .iter()
            .filter(|(s, _)| *s == server)
            .map(|(_, id)| *id)
            .collect()
    };
    assert_eq!((on(0).len(), on(1).len()), (2, 2));

    c.kill(0);
    // Janus's default reclaim window (0, learnt from `info`): the sessions died with it.
    assert_eq!(
        c.take_events(),
        [PoolEvent::ServerDown { server: 0 }, lost(0, &on(0))]
    );
    assert_eq!(c.pool.health(0), Some(Health::Down));
    // Dials fail for a minute: nothing more is reported, nothing goes there.
    c.advance(secs(60));
    assert!(c.servers[0].dials.len() > 3, "{:?}", c.servers[0].dials);
    assert!(c.take_events().is_empty());
    let placed: Vec<usize> = (0..3).map(|_| c.create().0).collect();
    assert_eq!(placed, [1, 1, 1]);
    assert_eq!(c.pool.sessions(0).count(), 0);
    assert_eq!(c.pool.sessions(1).count(), 5);

    // It comes back: the least loaded, it takes the next sessions.
    c.servers[0].server_down = false;
    c.until_up(0, secs(10));
    assert_eq!(c.take_events(), [PoolEvent::ServerUp { server: 0 }]);
    let placed: Vec<usize> = (0..3).map(|_| c.create().0).collect();
    assert_eq!(placed, [0, 0, 0]);
    // Server 1 never lost anything.
    assert_eq!(c.pool.sessions(1).collect::<Vec<_>>().len(), 5);
    assert!(c.take_events().is_empty());
}

#[test]
fn a_blip_within_the_reclaim_window_loses_nothing() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let mut c = Cluster::new(2, fake);
    let (server, session) = c.create();
    assert_eq!(server, 0);
    // The connection drops but the server lives: the session is orphaned, then claimed.
    c.servers[0].close();
    c.observe();
    assert_eq!(c.take_events(), [PoolEvent::ServerDown { server: 0 }]);
    assert_eq!(c.pool.place().map(|p| p.server()), Some(1));
    c.until_up(0, secs(10));
    assert_eq!(c.take_events(), [PoolEvent::ServerUp { server: 0 }]);
    assert_eq!(c.pool.sessions(0).collect::<Vec<_>>(), [session]);
}

#[test]
fn sessions_a_restarted_server_no_longer_has_are_lost_when_their_claim_is_refused() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(30));
    let mut c = Cluster::new(1, fake);
    let (_, a) = c.create();
    let (_, b) = c.create();
    c.kill(0);
    // Orphaned, maybe reclaimable: not lost yet.
    assert_eq!(c.take_events(), [PoolEvent::ServerDown { server: 0 }]);
    assert_eq!(c.pool.place(), None, "no healthy server");
    c.servers[0].server_down = false;
    c.until_up(0, secs(10));
    // The claims got 458: lost, then the server is up.
    assert_eq!(
        c.take_events(),
        [lost(0, &[a, b]), PoolEvent::ServerUp { server: 0 }]
    );
}

#[test]
fn a_dead_link_found_by_its_pings_is_unhealthy() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(60));
    let mut c = Cluster::new(2, fake);
    let (_, session) = c.create();
    c.servers[0].blackhole = true;
    // Found within a ping interval and a pong deadline.
    for _ in 0..16 {
        if c.pool.health(0) != Some(Health::Up) {
            break;
        }
        c.advance(secs(1));
    }
    assert_eq!(c.take_events(), [PoolEvent::ServerDown { server: 0 }]);
    assert_eq!(c.pool.least_loaded(), Some(1));
    // The redial gets through (a dial clears the black hole), the session is claimed.
    c.until_up(0, secs(10));
    assert_eq!(c.take_events(), [PoolEvent::ServerUp { server: 0 }]);
    assert_eq!(c.pool.sessions(0).collect::<Vec<_>>(), [session]);
}

#[test]
fn a_server_whose_policy_gives_up_is_closed_for_good_with_every_session_lost() {
    let fake = FakeConfig::new().reclaim_session_timeout(secs(300));
    let policy = Reconnect::new().seed(7).max_attempts(3);
    let mut c = Cluster::with_policy(2, fake, policy);
    let (_, a) = c.create();
    let (_, b) = c.create();
    let (_, a2) = c.create();
    c.kill(0);
    assert_eq!(c.take_events(), [PoolEvent::ServerDown { server: 0 }]);
    c.advance(secs(30));
    assert_eq!(
        c.take_events(),
        [PoolEvent::ServerClosed { server: 0 }, lost(0, &[a, a2])]
    );
    assert_eq!(c.pool.health(0), Some(Health::Closed));
    // Closed is final, even if fed otherwise.
    c.pool.update(0, Health::Up, []);
    assert_eq!(c.pool.health(0), Some(Health::Closed));
    assert_eq!(c.pool.poll_event(), None);
    // A create that was in flight when it closed: lost at once.
    let mut late = Pool::new(1);
    let p = late.place().unwrap();
    late.update(0, Health::Closed, []);
    late.placed(p, SessionId(9));
    assert_eq!(
        (late.poll_event(), late.poll_event(), late.poll_event()),
        (
            Some(PoolEvent::ServerDown { server: 0 }),
            Some(PoolEvent::ServerClosed { server: 0 }),
            Some(lost(0, &[SessionId(9)]))
        )
    );
    assert_eq!(c.pool.sessions(1).collect::<Vec<_>>(), [b]);
}

#[test]
fn with_every_server_down_nothing_is_placed_until_one_is_back() {
    let mut c = Cluster::new(2, FakeConfig::new());
    c.create();
    c.create();
    c.kill(0);
    c.kill(1);
    assert_eq!(c.pool.least_loaded(), None);
    assert_eq!(c.pool.place(), None);
    c.servers[1].server_down = false;
    c.until_up(1, secs(10));
    assert_eq!(c.create().0, 1);
}

#[test]
fn a_session_expired_by_a_live_server_is_reported_too() {
    // The server forgets a session (here destroyed behind the client's back, found by
    // the next keepalive's 458): the pool says so, though the server stays up.
    let mut c = Cluster::new(1, FakeConfig::new());
    let (_, session) = c.create();
    assert!(c.servers[0].server.destroy_session(session));
    c.advance(secs(30));
    assert_eq!(c.take_events(), [lost(0, &[session])]);
    assert_eq!(c.pool.health(0), Some(Health::Up));
}

#[test]
fn out_of_range_servers_are_ignored() {
    let mut pool = Pool::new(1);
    pool.update(5, Health::Down, []);
    pool.admin_load(5, janus_proto::testing::start_instant(), 3);
    assert!(!pool.ended(5, SessionId(1)));
    assert_eq!((pool.health(5), pool.load(5)), (None, None));
    assert_eq!(pool.poll_event(), None);
    assert!(Pool::new(0).place().is_none());
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Place,
    /// Completes the n-th open placement (modulo), as created or failed.
    Finish(usize, bool),
    /// The server's state: its health, and which of the pool's sessions there it keeps
    /// (a bit mask over them, in id order).
    Update(usize, Health, u64),
    /// The caller ends the n-th of the pool's sessions (modulo).
    End(usize),
    Admin(usize, usize),
}

fn op(servers: usize) -> impl Strategy<Value = Op> {
    let health = prop_oneof![
        3 => Just(Health::Up),
        2 => Just(Health::Down),
        1 => Just(Health::Closed),
    ];
    prop_oneof![
        4 => Just(Op::Place),
        4 => (any::<usize>(), any::<bool>()).prop_map(|(n, ok)| Op::Finish(n, ok)),
        3 => (0..servers, health, any::<u64>()).prop_map(|(s, h, m)| Op::Update(s, h, m)),
        1 => any::<usize>().prop_map(Op::End),
        1 => (0..servers, 0..20usize).prop_map(|(s, n)| Op::Admin(s, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Placement never picks a server that is not up, and always picks the least loaded
    /// one (the lowest index among equals); no session is reported lost twice, nor one the
    /// pool did not place there, nor one the caller ended; a closed server never comes
    /// back and holds nothing; events describe real health changes.
    #[test]
    fn placement_and_loss_reports_keep_their_invariants(
        servers in 1..5usize,
        ops in proptest::collection::vec(op(4), 1..200),
    ) {
        let now = janus_proto::testing::start_instant();
        let mut pool = Pool::new(servers);
        let mut open = Vec::new();
        let mut next_id = 1u64;
        // The model: where each live session is, what was reported, the health seen.
        let mut placed: BTreeMap<SessionId, usize> = BTreeMap::new();
        let mut reported: BTreeSet<SessionId> = BTreeSet::new();
        let mut ended: BTreeSet<SessionId> = BTreeSet::new();
        let mut health = vec![Health::Up; servers];
        for op in ops {
            match op {
                Op::Place => {
                    let best = (0..servers)
                        .filter(|s| pool.health(*s) == Some(Health::Up))
                        .min_by_key(|s| (pool.load(*s), *s));
                    let placement = pool.place();
                    prop_assert_eq!(placement.as_ref().map(|p| p.server()), best);
                    if let Some(p) = placement {
                        prop_assert_eq!(pool.health(p.server()), Some(Health::Up));
                        open.push(p);
                    }
                }
                Op::Finish(n, ok) if !open.is_empty() => {
                    let p = open.remove(n % open.len());
                    if ok {
                        let id = SessionId(next_id);
                        next_id += 1;
                        placed.insert(id, p.server());
                        pool.placed(p, id);
                    } else {
                        pool.unplaced(p);
                    }
                }
                Op::Finish(..) => {}
                Op::Update(s, h, mask) if s < servers => {
                    let here: Vec<SessionId> = pool.sessions(s).collect();
                    let live = here
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask >> (i % 64) & 1 == 1)
                        .map(|(_, id)| *id);
                    pool.update(s, h, live);
                }
                Op::Update(..) => {}
                Op::End(n) => {
                    let live: Vec<(SessionId, usize)> =
                        placed.iter().map(|(id, s)| (*id, *s)).collect();
                    if !live.is_empty() {
                        let (id, s) = live[n % live.len()];
                        if pool.ended(s, id) {
                            ended.insert(id);
                        }
                        placed.remove(&id);
                    }
                }
                Op::Admin(s, n) if s < servers => pool.admin_load(s, now, n),
                Op::Admin(..) => {}
            }
            while let Some(event) = pool.poll_event() {
                match event {
                    PoolEvent::SessionsLost { server, sessions } => {
                        prop_assert!(!sessions.is_empty());
                        prop_assert!(sessions.windows(2).all(|w| w[0] < w[1]));
                        for id in sessions {
                            prop_assert!(reported.insert(id), "{id} reported twice");
                            prop_assert!(!ended.contains(&id), "{id} was ended by the caller");
                            prop_assert_eq!(placed.remove(&id), Some(server));
                        }
                    }
                    PoolEvent::ServerDown { server } => {
                        prop_assert_eq!(health[server], Health::Up);
                        health[server] = Health::Down;
                    }
                    PoolEvent::ServerClosed { server } => {
                        prop_assert_eq!(health[server], Health::Down);
                        health[server] = Health::Closed;
                    }
                    PoolEvent::ServerUp { server } => {
                        prop_assert_eq!(health[server], Health::Down);
                        health[server] = Health::Up;
                    }
                    other => prop_assert!(false, "unknown event {other:?}"),
                }
            }
            for (s, seen) in health.iter().enumerate() {
                prop_assert_eq!(pool.health(s), Some(*seen));
                if *seen == Health::Closed {
                    prop_assert_eq!(pool.sessions(s).count(), 0);
                }
                let mine: BTreeSet<SessionId> = pool.sessions(s).collect();
                let model: BTreeSet<SessionId> = placed
                    .iter()
                    .filter(|(_, at)| **at == s)
                    .map(|(id, _)| *id)
                    .collect();
                prop_assert_eq!(mine, model);
            }
        }
    }
}
