//! A pool of Janus servers, one connection each: where a new session goes, which servers
//! are healthy, and which sessions were lost with a server.
//!
//! Sessions cannot move between Janus instances (their media state lives in the server),
//! so failover is placement: a server whose connection is lost, or found dead by the
//! liveness checks, is marked unhealthy; new sessions avoid it until its connection is back;
//! and every session the pool placed there that died with it is reported, once. Whether a
//! session survived is the connection's own [`Client`]'s business (it claims what it can
//! after a reconnect, and ends what the server no longer has); the pool only reads the
//! outcome.
//!
//! [`Pool`] is sans-IO like the rest of the crate: no IO, no clock (time comes in as a
//! parameter, for the Admin API refresh only), and the same calls always give the same
//! answers. The drivers (`janus-blocking`'s and `janus-transport-ws`'s `Pool`) hold one
//! connection per server and feed it.
//!
//! ## How it is fed
//!
//! After every turn of a server's connection, the driver hands the pool that connection's
//! state: [`Pool::observe`] with its [`Client`], or [`Pool::update`] with the same facts
//! spelt out (its [`Health`] and the sessions it still holds). The pool compares that with
//! what it placed there. It is fed state, not events, on purpose: a connection's events go
//! to whoever reads them (the application), and a state comparison cannot miss or
//! double-count a change however the updates are spaced: a session the pool placed that
//! is no longer in the connection's list is gone, whatever happened in between, and it is
//! reported once because it is then forgotten.
//!
//! ## Placement
//!
//! [`Pool::place`] picks the least-loaded healthy server (ties go to the lowest index) and
//! holds a slot there until the `create` it is for succeeds ([`Pool::placed`]) or fails
//! ([`Pool::unplaced`]), so concurrent creates spread too. A server's load is the number of
//! sessions the pool has there (placed and not ended, plus slots held); where the Admin API
//! reported the server's own count (`list_sessions`, [`Pool::admin_load`]) since its
//! connection last came up, it is that count, plus the pool's sessions placed since the
//! report, less those ended since (never less than the pool's own count).
//!
//! ```
//! use janus_proto::pool::{Health, Pool, PoolEvent};
//! use janus_proto::SessionId;
//!
//! let mut pool = Pool::new(2);
//! // Two creates: one on each server.
//! for id in [1, 2] {
//!     let placement = pool.place().expect("a healthy server");
//!     // ... `create` on server `placement.server()` answered with session `id` ...
//!     pool.placed(placement, SessionId(id));
//! }
//! assert_eq!(pool.server_of(SessionId(1)), Some(0));
//! assert_eq!(pool.server_of(SessionId(2)), Some(1));
//!
//! // Server 0's connection is lost, and its session with it.
//! pool.update(0, Health::Down, []);
//! assert_eq!(pool.poll_event(), Some(PoolEvent::ServerDown { server: 0 }));
//! assert_eq!(
//!     pool.poll_event(),
//!     Some(PoolEvent::SessionsLost { server: 0, sessions: vec![SessionId(1)] })
//! );
//! // New sessions go to server 1 until server 0 is back.
//! assert_eq!(pool.place().map(|p| p.server()), Some(1));
//! ```

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::ids::SessionId;
use crate::link::Reconnect;

/// How a server's connection stands, as the pool sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Connected: new sessions may go there.
    Up,
    /// Lost or found dead, and reconnecting: new sessions avoid it until it is
    /// [`Up`](Self::Up) again.
    Down,
    /// Closed for good (by the caller, without a reconnect policy, or after the policy gave
    /// up): it never comes back, and every session placed there is lost.
    Closed,
}

impl Health {
    /// The health of a connection: [`Closed`](Self::Closed) once it is closed for good,
    /// [`Down`](Self::Down) while it reconnects (lost, or found dead by a missing pong or
    /// failing keepalives), else [`Up`](Self::Up).
    ///
    /// ```
    /// use janus_proto::pool::Health;
    /// use janus_proto::testing::{FakeConfig, Pair};
    /// use janus_proto::{Config, Reconnect};
    ///
    /// let mut pair = Pair::new(Config::new().reconnect(Reconnect::new()), FakeConfig::new());
    /// assert_eq!(Health::of(&pair.client), Health::Up);
    /// pair.server_down = true;
    /// pair.close();
    /// assert_eq!(Health::of(&pair.client), Health::Down);
    /// ```
    pub fn of(client: &Client) -> Health {
        if client.is_closed() {
            Health::Closed
        } else if client.is_reconnecting() {
            Health::Down
        } else {
            Health::Up
        }
    }
}

/// What the pool tells its caller, in the order it learnt it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolEvent {
    /// The server's connection is no longer [`Health::Up`]: new sessions avoid it.
    ServerDown {
        /// Which server (its index).
        server: usize,
    },
    /// The server's connection is closed for good: it will not come back. Follows a
    /// [`ServerDown`](Self::ServerDown) for the same server.
    ServerClosed {
        /// Which server.
        server: usize,
    },
    /// Sessions the pool placed on the server ended without the caller ending them
    /// ([`Pool::ended`]): lost with their server (its connection closed and they were not
    /// reclaimed, a claim was refused, the reconnect policy gave up) or expired by it. Each
    /// session is reported once, in id order. After a [`ServerDown`](Self::ServerDown) for
    /// the same server when they went with it.
    SessionsLost {
        /// Which server.
        server: usize,
        /// The sessions.
        sessions: Vec<SessionId>,
    },
    /// The server's connection is back: it takes new sessions again.
    ServerUp {
        /// Which server.
        server: usize,
    },
}

/// A slot held on a server for a session being created: see [`Pool::place`]. Give it back
/// with [`Pool::placed`] or [`Pool::unplaced`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a placement holds a slot on its server until `placed` or `unplaced`"]
pub struct Placement {
    server: usize,
    ticket: u64,
}

impl Placement {
    /// The server to create the session on.
    pub fn server(&self) -> usize {
        self.server
    }
}

/// What the Admin API last said about a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admin {
    /// Nothing since the connection last came up.
    Unknown,
    /// `list_sessions` counted `sessions` at `at`, when the pool's own load was `ours`.
    Counted {
        sessions: usize,
        ours: usize,
        at: Instant,
    },
    /// Asking failed at `at`.
    Failed { at: Instant },
}

/// One server of the pool.
#[derive(Debug)]
struct Server {
    health: Health,
    /// Sessions placed here and not known to have ended.
    sessions: BTreeSet<SessionId>,
    /// Slots held by placements in progress.
    held: BTreeSet<u64>,
    admin: Admin,
}

impl Server {
    fn own_load(&self) -> usize {
        self.sessions.len() + self.held.len()
    }

    fn load(&self) -> usize {
        let own = self.own_load();
        match self.admin {
            Admin::Counted { sessions, ours, .. } => {
                sessions.saturating_add(own).saturating_sub(ours).max(own)
            }
            Admin::Unknown | Admin::Failed { .. } => own,
        }
    }
}

/// The placement and health state machine of a pool of servers (see the [module
/// docs](self)). Servers are numbered from 0 in the order given to the driver.
///
/// Servers start [`Health::Up`]: a driver builds the pool once every connection is open.
/// A server index out of range is ignored by every method (and answers `None` or `false`).
#[derive(Debug)]
pub struct Pool {
    servers: Vec<Server>,
    events: VecDeque<PoolEvent>,
    next_ticket: u64,
    admin_refresh: Duration,
}

impl Pool {
    /// How long an Admin API session count is used before it is due again
    /// ([`admin_refresh`](Self::admin_refresh)), by default.
    pub const ADMIN_REFRESH: Duration = Duration::from_secs(1);

    /// A pool of `servers` servers, all [`Health::Up`] and empty.
    pub fn new(servers: usize) -> Self {
        Self {
            servers: (0..servers)
                .map(|_| Server {
                    health: Health::Up,
                    sessions: BTreeSet::new(),
                    held: BTreeSet::new(),
                    admin: Admin::Unknown,
                })
                .collect(),
            events: VecDeque::new(),
            next_ticket: 0,
            admin_refresh: Self::ADMIN_REFRESH,
        }
    }

    /// Sets how long an Admin API count (or a failure to get one) stands before
    /// [`admin_due`](Self::admin_due) asks again (default [`Self::ADMIN_REFRESH`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use janus_proto::pool::Pool;
    /// let pool = Pool::new(3).admin_refresh(Duration::from_secs(5));
    /// assert_eq!(pool.len(), 3);
    /// ```
    pub fn admin_refresh(mut self, refresh: Duration) -> Self {
        self.admin_refresh = refresh;
        self
    }

    /// How many servers.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Whether the pool has no server (then nothing can be placed).
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// A server's health.
    pub fn health(&self, server: usize) -> Option<Health> {
        self.servers.get(server).map(|s| s.health)
    }

    /// A server's load, as placement counts it (see the [module docs](self#placement)).
    pub fn load(&self, server: usize) -> Option<usize> {
        self.servers.get(server).map(Server::load)
    }

    /// The sessions the pool placed on a server and that have not ended, in id order.
    pub fn sessions(&self, server: usize) -> impl Iterator<Item = SessionId> + '_ {
        self.servers
            .get(server)
            .into_iter()
            .flat_map(|s| s.sessions.iter().copied())
    }

    /// The server a live session was placed on (the lowest index, should two servers
    /// have given the same id).
    pub fn server_of(&self, session: SessionId) -> Option<usize> {
        self.servers
            .iter()
            .position(|s| s.sessions.contains(&session))
    }

    /// The least-loaded healthy server (ties go to the lowest index); `None` when no server
    /// is [`Health::Up`]. Holds nothing: see [`place`](Self::place).
    pub fn least_loaded(&self) -> Option<usize> {
        self.servers
            .iter()
            .enumerate()
            .filter(|(_, s)| s.health == Health::Up)
            .min_by_key(|(i, s)| (s.load(), *i))
            .map(|(i, _)| i)
    }

    /// Picks the server for a new session ([`least_loaded`](Self::least_loaded)) and holds
    /// a slot there, counted in its load, until the session is created
    /// ([`placed`](Self::placed)) or the attempt failed ([`unplaced`](Self::unplaced)).
    /// `None` when no server is healthy.
    ///
    /// ```
    /// use janus_proto::pool::Pool;
    /// let mut pool = Pool::new(2);
    /// let first = pool.place().unwrap();
    /// let second = pool.place().unwrap();
    /// // Two creates in flight at once still spread.
    /// assert_eq!((first.server(), second.server()), (0, 1));
    /// pool.unplaced(first);
    /// pool.unplaced(second);
    /// assert_eq!(pool.load(0), Some(0));
    /// ```
    pub fn place(&mut self) -> Option<Placement> {
        let server = self.least_loaded()?;
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.servers[server].held.insert(ticket);
        Some(Placement { server, ticket })
    }

    /// The session was created where `placement` said: it counts in the server's load until
    /// it ends. Placed on a server closed meanwhile, it is reported lost at once; on one
    /// that is down, at the next update that no longer lists it.
    pub fn placed(&mut self, placement: Placement, session: SessionId) {
        let Some(s) = self.servers.get_mut(placement.server) else {
            return;
        };
        s.held.remove(&placement.ticket);
        if s.health == Health::Closed {
            self.events.push_back(PoolEvent::SessionsLost {
                server: placement.server,
                sessions: vec![session],
            });
        } else {
            s.sessions.insert(session);
        }
    }

    /// The create `placement` was for failed (or was abandoned): its slot is released.
    pub fn unplaced(&mut self, placement: Placement) {
        if let Some(s) = self.servers.get_mut(placement.server) {
            s.held.remove(&placement.ticket);
        }
    }

    /// The caller ended a session it placed (`destroy`), or hands it over elsewhere: the
    /// pool forgets it without reporting it lost. Returns whether the pool had it there.
    pub fn ended(&mut self, server: usize, session: SessionId) -> bool {
        self.servers
            .get_mut(server)
            .is_some_and(|s| s.sessions.remove(&session))
    }

    /// Takes a server's connection state: its [`Health`] and the sessions it still holds
    /// (active or orphaned). What changed becomes events: [`PoolEvent::ServerDown`] (and
    /// [`PoolEvent::ServerClosed`]) when it stops being up, then
    /// [`PoolEvent::SessionsLost`] for the pool's sessions there missing from `live` (all of
    /// them once it is closed), then [`PoolEvent::ServerUp`] when it is up again. Closed is
    /// final: a later update cannot reopen it. Feeding the same state twice changes
    /// nothing.
    ///
    /// ```
    /// use janus_proto::pool::{Health, Pool, PoolEvent};
    /// use janus_proto::SessionId;
    ///
    /// let mut pool = Pool::new(1);
    /// let placement = pool.place().unwrap();
    /// pool.placed(placement, SessionId(7));
    /// pool.update(0, Health::Down, [SessionId(7)]); // orphaned, not lost yet
    /// assert_eq!(pool.poll_event(), Some(PoolEvent::ServerDown { server: 0 }));
    /// assert_eq!(pool.poll_event(), None);
    /// pool.update(0, Health::Up, [SessionId(7)]); // claimed after the reconnect
    /// assert_eq!(pool.poll_event(), Some(PoolEvent::ServerUp { server: 0 }));
    /// assert_eq!(pool.sessions(0).collect::<Vec<_>>(), [SessionId(7)]);
    /// ```
    pub fn update(
        &mut self,
        server: usize,
        health: Health,
        live: impl IntoIterator<Item = SessionId>,
    ) {
        let Some(s) = self.servers.get_mut(server) else {
            return;
        };
        let was = s.health;
        let health = if was == Health::Closed {
            Health::Closed
        } else {
            health
        };
        if health != was {
            s.health = health;
            // A count from before the change says nothing about the server now.
            s.admin = Admin::Unknown;
            if was == Health::Up {
                self.events.push_back(PoolEvent::ServerDown { server });
            }
            if health == Health::Closed {
                self.events.push_back(PoolEvent::ServerClosed { server });
            }
        }
        let lost: Vec<SessionId> = if health == Health::Closed {
            std::mem::take(&mut s.sessions).into_iter().collect()
        } else {
            let live: BTreeSet<SessionId> = live.into_iter().collect();
            let lost: Vec<SessionId> = s.sessions.difference(&live).copied().collect();
            for session in &lost {
                s.sessions.remove(session);
            }
            lost
        };
        if !lost.is_empty() {
            self.events.push_back(PoolEvent::SessionsLost {
                server,
                sessions: lost,
            });
        }
        if health != was && health == Health::Up {
            self.events.push_back(PoolEvent::ServerUp { server });
        }
    }

    /// [`update`](Self::update) from a server's [`Client`]: its [`Health::of`] and its
    /// [`sessions`](Client::sessions). Call it after every turn of that connection.
    ///
    /// ```
    /// use janus_proto::pool::{Pool, PoolEvent};
    /// use janus_proto::testing::{FakeConfig, Pair};
    /// use janus_proto::Config;
    ///
    /// let mut pair = Pair::new(Config::new(), FakeConfig::new());
    /// let mut pool = Pool::new(1);
    /// let placement = pool.place().unwrap();
    /// let session = pair.create_session();
    /// pool.placed(placement, session);
    /// pair.close(); // no reconnect policy: closed for good
    /// pool.observe(0, &pair.client);
    /// assert_eq!(pool.poll_event(), Some(PoolEvent::ServerDown { server: 0 }));
    /// assert_eq!(pool.poll_event(), Some(PoolEvent::ServerClosed { server: 0 }));
    /// assert_eq!(
    ///     pool.poll_event(),
    ///     Some(PoolEvent::SessionsLost { server: 0, sessions: vec![session] })
    /// );
    /// assert_eq!(pool.place(), None);
    /// ```
    pub fn observe(&mut self, server: usize, client: &Client) {
        self.update(
            server,
            Health::of(client),
            client.sessions().map(|(id, _)| id),
        );
    }

    /// Whether the server's session count should be asked of its Admin API
    /// (`list_sessions`) now: it is up and has no count (or failure) younger than the
    /// [refresh interval](Self::admin_refresh). Only servers with an Admin API URL are
    /// asked; the others are placed by the pool's own count.
    ///
    /// ```
    /// use std::time::Duration;
    /// use janus_proto::pool::Pool;
    /// # let now = janus_proto::testing::start_instant();
    /// let mut pool = Pool::new(2);
    /// assert!(pool.admin_due(0, now));
    /// pool.admin_load(0, now, 10); // someone else has 10 sessions on server 0
    /// assert!(!pool.admin_due(0, now + Duration::from_millis(500)));
    /// assert!(pool.admin_due(0, now + Pool::ADMIN_REFRESH));
    /// assert_eq!(pool.load(0), Some(10));
    /// assert_eq!(pool.place().map(|p| p.server()), Some(1));
    /// ```
    pub fn admin_due(&self, server: usize, now: Instant) -> bool {
        let Some(s) = self.servers.get(server) else {
            return false;
        };
        let due = |at: Instant| {
            at.checked_add(self.admin_refresh)
                .is_none_or(|until| now >= until)
        };
        s.health == Health::Up
            && match s.admin {
                Admin::Unknown => true,
                Admin::Counted { at, .. } | Admin::Failed { at } => due(at),
            }
    }

    /// The server's Admin API counted `sessions` sessions (everyone's, not only the
    /// pool's) at `now`: placement uses it (see the [module docs](self#placement)) until
    /// the connection's health changes. Ignored unless the server is up.
    pub fn admin_load(&mut self, server: usize, now: Instant, sessions: usize) {
        if let Some(s) = self.servers.get_mut(server) {
            if s.health == Health::Up {
                s.admin = Admin::Counted {
                    sessions,
                    ours: s.own_load(),
                    at: now,
                };
            }
        }
    }

    /// Asking the server's Admin API failed at `now`: placement uses the pool's own count
    /// there, and it is not asked again before the refresh interval has passed.
    pub fn admin_failed(&mut self, server: usize, now: Instant) {
        if let Some(s) = self.servers.get_mut(server) {
            s.admin = Admin::Failed { at: now };
        }
    }

    /// The next event (see [`PoolEvent`]), oldest first.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<PoolEvent> {
        self.events.pop_front()
    }
}

/// The reconnect policy a pool's connection runs with when none is configured: it never
/// gives up (attempts every 5 s at most, after the first quick ones), so that a server
/// restarted after any outage takes sessions again. A pool's connection also dials only
/// its own server (no fallback URLs): sessions cannot move between servers.
///
/// ```
/// use janus_proto::pool;
/// let policy = pool::reconnect_policy();
/// assert_eq!((policy.max_attempts, policy.give_up_after), (None, None));
/// ```
pub fn reconnect_policy() -> Reconnect {
    Reconnect::new().give_up_after(None)
}
