//! [`Pool`]: one [`Connection`] per server, with the placement and health rules of
//! [`janus_proto::pool`], driven from the caller's thread.

use std::time::Instant;

use janus_proto::pool::{Health, PoolEvent};
use janus_proto::SessionId;
use janus_ws_connect::{PoolError, PoolServer};

use crate::{AdminConnection, ConnectOptions, Connection, Error};

/// One server: its Janus API connection and, with an Admin API URL, its admin connection.
#[derive(Debug)]
struct Member {
    connection: Connection,
    admin: Option<AdminConnection>,
    /// Why the last ask of the Admin API failed, until one succeeds.
    admin_error: Option<Error>,
}

/// A client over a list of Janus servers, one [`Connection`] each: new sessions go to the
/// least-loaded healthy server, and when a server's connection is lost (or found dead) the
/// pool marks it unhealthy, places nothing there until it is back, and reports the
/// sessions that died with it.
///
/// Sessions cannot move between Janus instances, so failover is placement: the pool never
/// moves a session, it tells you exactly which ones are gone ([`PoolEvent::SessionsLost`]).
/// The rules (placement, health, which sessions are lost, once) are
/// [`janus_proto::pool::Pool`]'s; this type only polls the connections and feeds it.
///
/// Each connection reconnects on its own (the options' [`reconnect`](ConnectOptions::reconnect)
/// policy, or one that never gives up: see
/// [`CommonOptions::pooled`](janus_ws_connect::CommonOptions::pooled)), so a restarted
/// server takes new sessions again. As everywhere in this crate, nothing happens between
/// calls: call [`poll`](Self::poll) by the instant it returns to keep every connection
/// alive and to learn about failures. Work on a session goes through its server's
/// connection ([`connection_mut`](Self::connection_mut)); end it with
/// [`destroy`](Self::destroy), so that the pool does not report it lost. Read each
/// connection's events ([`Connection::next_event`]) as with a single connection.
///
/// ```no_run
/// use std::time::Instant;
/// use janus_blocking::{ConnectOptions, Pool, PoolEvent, PoolServer};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let servers = [
///     PoolServer::new("ws://10.0.0.1:8188").admin("ws://10.0.0.1:7188"),
///     PoolServer::new("ws://10.0.0.2:8188").admin("ws://10.0.0.2:7188"),
/// ];
/// let options = ConnectOptions::new().admin_secret("janusoverlord");
/// let mut pool = Pool::connect(servers, options)?;
/// let (server, session) = pool.create()?;
/// let janus = pool.connection_mut(server).expect("the server it was placed on");
/// let handle = janus.attach(session, "janus.plugin.echotest")?;
/// # let _ = handle;
/// while let Some(due) = pool.poll() {
///     while let Some(event) = pool.poll_event() {
///         match event {
///             PoolEvent::SessionsLost { server, sessions } => {
///                 println!("server {server} lost {sessions:?}: start them again");
///                 let (elsewhere, session) = pool.create()?;
///                 # let _ = (elsewhere, session);
///             }
///             other => println!("{other:?}"),
///         }
///     }
///     std::thread::sleep(due.saturating_duration_since(Instant::now()));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Pool {
    members: Vec<Member>,
    pool: janus_proto::pool::Pool,
}

impl Pool {
    /// Connects to every server (and to its Admin API where a URL is given), in order, with
    /// the same options made [pool options](janus_ws_connect::CommonOptions::pooled). Fails
    /// with [`PoolError::Server`] naming the first server that could not be reached: every
    /// server must be up to build the pool.
    pub fn connect<S: Into<PoolServer>>(
        servers: impl IntoIterator<Item = S>,
        options: ConnectOptions,
    ) -> Result<Self, PoolError> {
        let options = ConnectOptions {
            common: options.common.pooled(),
        };
        let mut members = Vec::new();
        for (server, spec) in servers.into_iter().map(Into::into).enumerate() {
            let fail = |source| PoolError::Server { server, source };
            let connection = Connection::connect(spec.url(), options.clone()).map_err(fail)?;
            let admin = spec
                .admin_url()
                .map(|url| AdminConnection::connect(url, options.clone()))
                .transpose()
                .map_err(fail)?;
            members.push(Member {
                connection,
                admin,
                admin_error: None,
            });
        }
        let pool = janus_proto::pool::Pool::new(members.len());
        Ok(Self { members, pool })
    }

    /// Creates a session on the least-loaded healthy server, and returns that server's
    /// index and the session. First it [polls](Self::poll) every connection (so that a
    /// server that just went down is avoided) and, where an Admin API is known and its
    /// count is stale, asks it for its session count (`list_sessions`).
    ///
    /// [`PoolError::NoHealthyServer`] when every server is down; [`PoolError::Server`]
    /// when the `create` failed on the server chosen (try again: if it went down, the next
    /// one goes elsewhere).
    pub fn create(&mut self) -> Result<(usize, SessionId), PoolError> {
        let _ = self.poll();
        self.ask_admins();
        let placement = self.pool.place().ok_or(PoolError::NoHealthyServer {
            servers: self.members.len(),
        })?;
        let server = placement.server();
        let connection = &mut self.members[server].connection;
        let created = connection.create();
        match created {
            Ok(session) => self.pool.placed(placement, session),
            Err(_) => self.pool.unplaced(placement),
        }
        self.pool
            .observe(server, self.members[server].connection.core());
        created
            .map(|session| (server, session))
            .map_err(|source| PoolError::Server { server, source })
    }

    /// Destroys a session the pool placed on `server`: the pool forgets it first, so it is
    /// never reported lost, whatever the outcome of the `destroy`.
    pub fn destroy(&mut self, server: usize, session: SessionId) -> Result<(), PoolError> {
        let servers = self.members.len();
        let member = self
            .members
            .get_mut(server)
            .ok_or(PoolError::NoSuchServer { server, servers })?;
        self.pool.ended(server, session);
        let outcome = member.connection.destroy(session);
        self.pool.observe(server, member.connection.core());
        outcome.map_err(|source| PoolError::Server { server, source })
    }

    /// Keeps every connection alive without waiting (each one's
    /// [`Connection::poll`]: keepalives, pings, frames that arrived, dead links, reconnect
    /// dials) and feeds their state to the pool; then the pool's events are ready in
    /// [`poll_event`](Self::poll_event). Returns the instant by which it must be called
    /// again; `None` once every connection is closed for good (nothing is left to keep). A
    /// reconnect dial that falls due happens inside (bounded by the connect timeout). A
    /// connection closed for good stays closed (the pool reports
    /// [`PoolEvent::ServerClosed`]; [`Connection::close_reason`] says why).
    pub fn poll(&mut self) -> Option<Instant> {
        let mut due: Option<Instant> = None;
        let mut earliest = |at: Result<Instant, Error>| {
            if let Ok(at) = at {
                due = Some(due.map_or(at, |d| d.min(at)));
            }
        };
        for (server, member) in self.members.iter_mut().enumerate() {
            earliest(member.connection.poll());
            if let Some(admin) = member.admin.as_mut() {
                earliest(admin.poll());
            }
            self.pool.observe(server, member.connection.core());
        }
        due
    }

    /// The next thing the pool has to say (see [`PoolEvent`]): a server down, closed or
    /// back up, sessions lost with their server. Filled by [`poll`](Self::poll) and the
    /// other calls.
    pub fn poll_event(&mut self) -> Option<PoolEvent> {
        self.pool.poll_event()
    }

    /// The connection to a server, for its queries.
    pub fn connection(&self, server: usize) -> Option<&Connection> {
        self.members.get(server).map(|m| &m.connection)
    }

    /// The connection to a server, to work on the sessions placed there (attach, messages,
    /// events).
    pub fn connection_mut(&mut self, server: usize) -> Option<&mut Connection> {
        self.members.get_mut(server).map(|m| &mut m.connection)
    }

    /// How many servers.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the pool has no server.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// A server's health, as of the last call that polled it.
    pub fn health(&self, server: usize) -> Option<Health> {
        self.pool.health(server)
    }

    /// A server's load, as placement counts it.
    pub fn load(&self, server: usize) -> Option<usize> {
        self.pool.load(server)
    }

    /// The sessions the pool placed on a server that have not ended.
    pub fn sessions(&self, server: usize) -> Vec<SessionId> {
        self.pool.sessions(server).collect()
    }

    /// Closes every connection (sessions are not destroyed first; see
    /// [`Connection::close`]).
    pub fn close(self) {
        for member in self.members {
            member.connection.close();
            if let Some(admin) = member.admin {
                admin.close();
            }
        }
    }

    /// Why the last ask of a server's Admin API for its session count failed (until one
    /// succeeds). Placement then uses the pool's own count there.
    pub fn admin_error(&self, server: usize) -> Option<&Error> {
        self.members.get(server)?.admin_error.as_ref()
    }

    /// Asks each server whose Admin API count is due for its session count. A server whose
    /// admin connection is down is not asked (that would wait for its reconnect): placement
    /// uses the pool's own count there until the next refresh.
    fn ask_admins(&mut self) {
        for (server, member) in self.members.iter_mut().enumerate() {
            let Some(admin) = member.admin.as_mut() else {
                continue;
            };
            let now = Instant::now();
            if !self.pool.admin_due(server, now) {
                continue;
            }
            let asked = if admin.is_closed() || admin.core().is_reconnecting() {
                Err(janus_proto::RequestError::ConnectionLost.into())
            } else {
                admin.list_sessions()
            };
            match asked {
                Ok(sessions) => {
                    member.admin_error = None;
                    self.pool.admin_load(server, now, sessions.len());
                }
                Err(e) => {
                    member.admin_error = Some(e);
                    self.pool.admin_failed(server, now);
                }
            }
        }
    }
}
