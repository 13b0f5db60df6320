//! A pool of real Janus instances, through both drivers' `Pool` (each scenario written once
//! against [`PoolUnderTest`]; the tests `<scenario>::blocking` and `<scenario>::async_ws`):
//!
//! * two servers; sessions spread over them; one is killed: the pool reports it down and
//!   exactly its sessions lost, new sessions go to the other; it is restarted: once it is
//!   back it takes new sessions again (it is the least loaded);
//! * with Admin API URLs, placement counts everyone's sessions (`list_sessions`), not only
//!   the pool's.
//!
//! Every server is started by the test (Janus's default `reclaim_session_timeout` of 0:
//! sessions die with their connection). Every wait is bounded.

use std::time::{Duration, Instant};

use janus_proto::pool::{Health, PoolEvent};
use janus_proto::{Reconnect, SessionId};
use janus_tests::{JanusOptions, JanusServer};
use janus_ws_connect::{PoolError, PoolServer};

/// Upper bound of any single wait.
const BOUND: Duration = Duration::from_secs(20);

/// Runs each scenario through both drivers: `<scenario>::blocking` and
/// `<scenario>::async_ws`.
macro_rules! through_both_drivers {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn blocking() {
                super::$scenario::<super::Blocking>();
            }
            #[test]
            fn async_ws() {
                super::$scenario::<super::AsyncWs>();
            }
        }
    )*};
}

through_both_drivers!(
    a_killed_server_is_avoided_its_sessions_are_reported_and_it_comes_back,
    placement_counts_everyones_sessions_through_the_admin_api,
);

// ----- the scenarios --------------------------------------------------------------------

fn a_killed_server_is_avoided_its_sessions_are_reported_and_it_comes_back<P: PoolUnderTest>() {
    let mut a = start("pool-a");
    let b = start("pool-b");
    let mut pool = P::connect(vec![a.ws_url().into(), b.ws_url().into()], None);

    // Placement spreads new sessions.
    let created: Vec<(usize, SessionId)> = (0..4).map(|_| create(&mut pool)).collect();
    let servers: Vec<usize> = created.iter().map(|(s, _)| *s).collect();
    assert_eq!(servers, [0, 1, 0, 1], "{}", P::NAME);
    let on = |server: usize| -> Vec<SessionId> {
        let mut ids: Vec<SessionId> = created
            .iter()
            .filter(|(s, _)| *s == server)
            .map(|(_, id)| *id)
            .collect();
        ids.sort();
        ids
    };

    // Kill server 0: it is down, and exactly its sessions are reported lost.
    a.kill().expect("kill Janus a");
    let seen = next_events(&mut pool, 2);
    assert_eq!(
        seen,
        [
            PoolEvent::ServerDown { server: 0 },
            PoolEvent::SessionsLost {
                server: 0,
                sessions: on(0),
            },
        ],
        "{}",
        P::NAME
    );
    assert_eq!(pool.health(0), Some(Health::Down));
    assert_eq!(pool.sessions(0), []);
    assert_eq!(pool.sessions(1), on(1), "server 1 lost nothing");

    // New sessions go to the other server.
    let placed: Vec<usize> = (0..3).map(|_| create(&mut pool).0).collect();
    assert_eq!(placed, [1, 1, 1], "{}", P::NAME);

    // Server 0 comes back: once the pool has reconnected, it takes new sessions again.
    a.restart().expect("restart Janus a");
    let seen = next_events(&mut pool, 1);
    assert_eq!(seen, [PoolEvent::ServerUp { server: 0 }], "{}", P::NAME);
    assert_eq!(pool.health(0), Some(Health::Up));
    let placed: Vec<usize> = (0..2).map(|_| create(&mut pool).0).collect();
    assert_eq!(placed, [0, 0], "{}", P::NAME);

    // A session ended through the pool is not reported; nothing else happened.
    let (server, session) = create(&mut pool);
    pool.destroy(server, session).expect("destroy");
    assert_eq!(pool.next_event(Duration::from_millis(500)), None);
    assert_eq!(pool.sessions(1).len(), 5);
    drop(b);
    pool.close();
}

fn placement_counts_everyones_sessions_through_the_admin_api<P: PoolUnderTest>() {
    let a = start("pool-admin-a");
    let b = start("pool-admin-b");
    let servers = [&a, &b]
        .iter()
        .map(|janus| PoolServer::new(janus.ws_url()).admin(janus.admin_url()))
        .collect();
    let mut pool = P::connect(servers, Some(a.admin_secret()));
    assert_eq!(a.admin_secret(), b.admin_secret());

    // Someone else holds three sessions on server 0.
    let mut other = janus_blocking::Connection::connect(
        a.ws_url(),
        janus_blocking::ConnectOptions::new().request_timeout(Duration::from_secs(5)),
    )
    .expect("connect");
    for _ in 0..3 {
        other.create().expect("create");
    }

    // By the pool's own count server 0 would come first; by Janus's it is the busiest.
    let placed: Vec<usize> = (0..4).map(|_| create(&mut pool).0).collect();
    assert_eq!(placed, [1, 1, 1, 0], "{}", P::NAME);
    assert_eq!(pool.load(0), Some(4));
    other.close();
    pool.close();
}

// ----- helpers --------------------------------------------------------------------------

fn start(name: &str) -> JanusServer {
    JanusServer::start(JanusOptions::new().reclaim_session_timeout(0).name(name))
        .unwrap_or_else(|e| panic!("Janus did not start: {e}"))
}

fn create<P: PoolUnderTest>(pool: &mut P) -> (usize, SessionId) {
    pool.create()
        .unwrap_or_else(|e| panic!("{}: create: {e}", P::NAME))
}

/// The next `n` pool events, each within [`BOUND`].
fn next_events<P: PoolUnderTest>(pool: &mut P, n: usize) -> Vec<PoolEvent> {
    (0..n)
        .map(|i| {
            pool.next_event(BOUND).unwrap_or_else(|| {
                panic!("{}: event {} of {n} not within {BOUND:?}", P::NAME, i + 1)
            })
        })
        .collect()
}

/// A reconnect policy that retries quickly, so that a restarted server is back soon.
fn quick_reconnect() -> Reconnect {
    Reconnect::new()
        .first_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(500))
        .give_up_after(None)
}

/// One face for both drivers' pools.
trait PoolUnderTest: Sized {
    const NAME: &'static str;
    /// A pool over `servers` (with the admin secret for their Admin APIs).
    fn connect(servers: Vec<PoolServer>, admin_secret: Option<&str>) -> Self;
    fn create(&mut self) -> Result<(usize, SessionId), PoolError>;
    fn destroy(&mut self, server: usize, session: SessionId) -> Result<(), PoolError>;
    /// The next pool event within `wait`, the connections kept alive meanwhile.
    fn next_event(&mut self, wait: Duration) -> Option<PoolEvent>;
    fn health(&mut self, server: usize) -> Option<Health>;
    fn load(&mut self, server: usize) -> Option<usize>;
    fn sessions(&mut self, server: usize) -> Vec<SessionId>;
    fn close(self);
}

struct Blocking(janus_blocking::Pool);

impl PoolUnderTest for Blocking {
    const NAME: &'static str = "janus-blocking";

    fn connect(servers: Vec<PoolServer>, admin_secret: Option<&str>) -> Self {
        let mut options = janus_blocking::ConnectOptions::new()
            .request_timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(5))
            .reconnect(quick_reconnect());
        if let Some(secret) = admin_secret {
            options = options.admin_secret(secret);
        }
        Self(janus_blocking::Pool::connect(servers, options).expect("connect the pool"))
    }

    fn create(&mut self) -> Result<(usize, SessionId), PoolError> {
        self.0.create()
    }

    fn destroy(&mut self, server: usize, session: SessionId) -> Result<(), PoolError> {
        self.0.destroy(server, session)
    }

    fn next_event(&mut self, wait: Duration) -> Option<PoolEvent> {
        let until = Instant::now() + wait;
        loop {
            let due = self.0.poll();
            if let Some(event) = self.0.poll_event() {
                return Some(event);
            }
            let now = Instant::now();
            if now >= until {
                return None;
            }
            let next = due
                .unwrap_or(until)
                .min(until)
                .min(now + Duration::from_millis(20));
            std::thread::sleep(next.saturating_duration_since(now));
        }
    }

    fn health(&mut self, server: usize) -> Option<Health> {
        self.0.health(server)
    }

    fn load(&mut self, server: usize) -> Option<usize> {
        self.0.load(server)
    }

    fn sessions(&mut self, server: usize) -> Vec<SessionId> {
        self.0.sessions(server)
    }

    fn close(self) {
        self.0.close();
    }
}

struct AsyncWs {
    pool: janus_transport_ws::Pool,
    driver: std::thread::JoinHandle<Vec<janus_transport_ws::DriverEnd>>,
}

impl PoolUnderTest for AsyncWs {
    const NAME: &'static str = "janus-transport-ws";

    fn connect(servers: Vec<PoolServer>, admin_secret: Option<&str>) -> Self {
        let mut options = janus_transport_ws::ConnectOptions::new()
            .request_timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(5))
            .reconnect(quick_reconnect());
        if let Some(secret) = admin_secret {
            options = options.admin_secret(secret);
        }
        let (pool, driver) = smol::block_on(janus_transport_ws::connect_pool(servers, options))
            .expect("connect the pool");
        let driver = std::thread::Builder::new()
            .name("janus-pool-driver".into())
            .spawn(move || smol::block_on(driver))
            .expect("a thread for the pool's driver");
        Self { pool, driver }
    }

    fn create(&mut self) -> Result<(usize, SessionId), PoolError> {
        smol::block_on(self.pool.create()).map(|(server, session)| (server, session.id()))
    }

    fn destroy(&mut self, server: usize, session: SessionId) -> Result<(), PoolError> {
        smol::block_on(self.pool.destroy(server, session))
    }

    fn next_event(&mut self, wait: Duration) -> Option<PoolEvent> {
        let timer = async {
            smol::Timer::after(wait).await;
            None
        };
        smol::block_on(smol::future::or(self.pool.next_event(), timer))
    }

    fn health(&mut self, server: usize) -> Option<Health> {
        self.pool.health(server)
    }

    fn load(&mut self, server: usize) -> Option<usize> {
        self.pool.load(server)
    }

    fn sessions(&mut self, server: usize) -> Vec<SessionId> {
        self.pool.sessions(server)
    }

    fn close(self) {
        self.pool.close();
        let ends = self.driver.join().expect("the pool's driver thread");
        assert_eq!(ends.len(), 2, "{ends:?}");
    }
}
