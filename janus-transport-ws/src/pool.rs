//! [`connect_pool`], [`Pool`] and [`PoolDriver`]: one [`Client`] per server, with the
//! placement and health rules of [`janus_proto::pool`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use janus_proto::pool::{Health, Placement, PoolEvent};
use janus_proto::request;
use janus_proto::{RequestError, SessionId};
use janus_ws_connect::{PoolError, PoolServer};

use crate::admin::{connect_admin, AdminClient, AdminDriver};
use crate::client::{connect, Client, Driver, Session};
use crate::driver::DriverEnd;
use crate::options::ConnectOptions;
use crate::Error;

/// Connects to every server of a pool (and to its Admin API where a URL is given), in
/// order, with the same options made [pool
/// options](janus_ws_connect::CommonOptions::pooled) (each connection dials only its own
/// server, and reconnects without giving up unless the options say otherwise). Returns the
/// [`Pool`] and one [`PoolDriver`] that runs every connection: run it, as a
/// [`Driver`]. Fails with [`PoolError::Server`] naming the first server that could not be
/// reached: every server must be up to build the pool.
///
/// ```no_run
/// use janus_transport_ws::{connect_pool, ConnectOptions, PoolEvent, PoolServer};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// smol::block_on(async {
///     let servers = [
///         PoolServer::new("ws://10.0.0.1:8188").admin("ws://10.0.0.1:7188"),
///         PoolServer::new("ws://10.0.0.2:8188").admin("ws://10.0.0.2:7188"),
///     ];
///     let options = ConnectOptions::new().admin_secret("janusoverlord");
///     let (pool, driver) = connect_pool(servers, options).await?;
///     let driver = smol::spawn(driver);
///
///     let (server, session) = pool.create().await?;
///     let handle = session.attach("janus.plugin.echotest").await?;
///     # let _ = handle;
///     while let Some(event) = pool.next_event().await {
///         if let PoolEvent::SessionsLost { server, sessions } = event {
///             println!("server {server} lost {sessions:?}: start them again");
///         }
///     }
///     # let _ = (server, driver);
///     Ok(())
/// })
/// # }
/// ```
pub async fn connect_pool<S: Into<PoolServer>>(
    servers: impl IntoIterator<Item = S>,
    options: ConnectOptions,
) -> Result<(Pool, PoolDriver), PoolError> {
    let options = ConnectOptions {
        common: options.common.pooled(),
        ..options
    };
    let mut members = Vec::new();
    let mut drivers = Vec::new();
    let mut admin_drivers = Vec::new();
    for (server, spec) in servers.into_iter().map(Into::into).enumerate() {
        let fail = |source| PoolError::Server { server, source };
        let (client, driver) = connect(spec.url(), options.clone()).await.map_err(fail)?;
        let admin = match spec.admin_url() {
            Some(url) => {
                let (admin, driver) = connect_admin(url, options.clone()).await.map_err(fail)?;
                admin_drivers.push(Some(driver));
                Some(admin)
            }
            None => None,
        };
        members.push(Member { client, admin });
        drivers.push(Some(driver));
    }
    let n = members.len();
    let pool = Pool {
        inner: Arc::new(Inner {
            members,
            state: Mutex::new(State {
                pool: janus_proto::pool::Pool::new(n),
                admin_errors: (0..n).map(|_| None).collect(),
            }),
        }),
    };
    let driver = PoolDriver {
        ends: (0..drivers.len()).map(|_| None).collect(),
        drivers,
        admins: admin_drivers,
        done: false,
    };
    Ok((pool, driver))
}

/// The future that runs every connection of a [`Pool`] (each server's [`Driver`], and its
/// [`AdminDriver`] if any); what is said of [`Driver`] holds for it. It resolves once every
/// connection has ended (after [`Pool::close`], or once the pool and everything made from
/// it is dropped), with each server's [`DriverEnd`] in server order; the Admin API
/// connections' ends are not reported.
#[derive(Debug)]
#[must_use = "the pool's connections do nothing unless its driver is polled"]
pub struct PoolDriver {
    drivers: Vec<Option<Driver>>,
    admins: Vec<Option<AdminDriver>>,
    ends: Vec<Option<DriverEnd>>,
    done: bool,
}

impl Future for PoolDriver {
    type Output = Vec<DriverEnd>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<DriverEnd>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Pending;
        }
        for (slot, end) in this.drivers.iter_mut().zip(this.ends.iter_mut()) {
            if let Some(driver) = slot {
                if let Poll::Ready(e) = Pin::new(driver).poll(cx) {
                    *end = Some(e);
                    *slot = None;
                }
            }
        }
        for slot in &mut this.admins {
            if let Some(driver) = slot {
                if Pin::new(driver).poll(cx).is_ready() {
                    *slot = None;
                }
            }
        }
        if this.drivers.iter().any(Option::is_some) || this.admins.iter().any(Option::is_some) {
            return Poll::Pending;
        }
        this.done = true;
        Poll::Ready(this.ends.iter_mut().filter_map(Option::take).collect())
    }
}

/// One server: its Janus API client and, with an Admin API URL, its admin client.
struct Member {
    client: Client,
    admin: Option<AdminClient>,
}

/// The sans-IO pool and the last Admin API failure of each server.
struct State {
    pool: janus_proto::pool::Pool,
    admin_errors: Vec<Option<Arc<Error>>>,
}

struct Inner {
    members: Vec<Member>,
    state: Mutex<State>,
}

/// A client over a list of Janus servers, one [`Client`] each (made by [`connect_pool`]):
/// new sessions go to the least-loaded healthy server, and when a server's connection is
/// lost (or found dead) the pool marks it unhealthy, places nothing there until it is
/// back, and reports the sessions that died with it. Cheap to clone, `Send + Sync`.
///
/// Sessions cannot move between Janus instances, so failover is placement: the pool never
/// moves a session, it tells you exactly which ones are gone ([`PoolEvent::SessionsLost`],
/// from [`next_event`](Self::next_event)). The rules are
/// [`janus_proto::pool::Pool`]'s; this type only reads each connection's state (kept
/// current by the [`PoolDriver`]) and feeds it. Work on a session through the [`Session`]
/// [`create`](Self::create) returns; end it with [`destroy`](Self::destroy), so that the
/// pool does not report it lost. Each client's event streams work as usual
/// ([`client`](Self::client)).
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("servers", &self.len())
            .finish_non_exhaustive()
    }
}

/// A placement whose `create` is in flight: released if the future is dropped first.
struct Held<'a> {
    pool: &'a Pool,
    placement: Option<Placement>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(placement) = self.placement.take() {
            self.pool.state(|s| s.pool.unplaced(placement));
        }
    }
}

impl Pool {
    /// Creates a session on the least-loaded healthy server, and returns that server's
    /// index and the session. Where an Admin API is known and its count is stale, it first
    /// asks it for the server's session count (`list_sessions`). Dropping the future before
    /// it completes releases the slot it held on its server (a session the server may
    /// still create is then not the pool's).
    ///
    /// [`PoolError::NoHealthyServer`] when every server is down; [`PoolError::Server`]
    /// when the `create` failed on the server chosen (try again: if it went down, the next
    /// one goes elsewhere).
    pub fn create(
        &self,
    ) -> impl Future<Output = Result<(usize, Session), PoolError>> + Send + 'static {
        let pool = self.clone();
        async move {
            pool.ask_admins().await;
            let placement = pool
                .state(|s| {
                    pool.observe_all(s);
                    s.pool.place()
                })
                .ok_or(PoolError::NoHealthyServer {
                    servers: pool.len(),
                })?;
            let server = placement.server();
            let mut held = Held {
                pool: &pool,
                placement: Some(placement),
            };
            let created = pool.inner.members[server].client.create().await;
            if let Some(placement) = held.placement.take() {
                pool.state(|s| {
                    match &created {
                        Ok(session) => s.pool.placed(placement, session.id()),
                        Err(_) => s.pool.unplaced(placement),
                    }
                    pool.observe(s, server);
                });
            }
            created
                .map(|session| (server, session))
                .map_err(|source| PoolError::Server { server, source })
        }
    }

    /// Destroys a session the pool placed on `server`: the pool forgets it first, so it is
    /// never reported lost, whatever the outcome of the `destroy`.
    pub fn destroy(
        &self,
        server: usize,
        session: SessionId,
    ) -> impl Future<Output = Result<(), PoolError>> + Send + 'static {
        let pool = self.clone();
        async move {
            let servers = pool.len();
            let member = pool
                .inner
                .members
                .get(server)
                .ok_or(PoolError::NoSuchServer { server, servers })?;
            pool.state(|s| s.pool.ended(server, session));
            let outcome = member.client.call(request::Destroy(session)).await;
            pool.state(|s| pool.observe(s, server));
            outcome.map_err(|source| PoolError::Server { server, source })
        }
    }

    /// The next thing the pool has to say (see [`PoolEvent`]): a server down, closed or
    /// back up, sessions lost with their server; waits until there is one. `None` once
    /// every server's connection is closed for good and every event was read.
    pub fn next_event(&self) -> impl Future<Output = Option<PoolEvent>> + Send + 'static {
        let pool = self.clone();
        std::future::poll_fn(move |cx| {
            // Watch first: a change after the look below wakes this task.
            for member in &pool.inner.members {
                member.client.watch(cx.waker());
            }
            pool.state(|s| {
                pool.observe_all(s);
                if let Some(event) = s.pool.poll_event() {
                    return Poll::Ready(Some(event));
                }
                let all_closed =
                    (0..s.pool.len()).all(|i| s.pool.health(i) == Some(Health::Closed));
                if all_closed {
                    Poll::Ready(None)
                } else {
                    Poll::Pending
                }
            })
        })
    }

    /// The next event if there is one now, without waiting (see
    /// [`next_event`](Self::next_event)).
    pub fn poll_event(&self) -> Option<PoolEvent> {
        self.state(|s| {
            self.observe_all(s);
            s.pool.poll_event()
        })
    }

    /// The client of a server, for its sessions, streams and queries.
    pub fn client(&self, server: usize) -> Option<&Client> {
        self.inner.members.get(server).map(|m| &m.client)
    }

    /// How many servers.
    pub fn len(&self) -> usize {
        self.inner.members.len()
    }

    /// Whether the pool has no server.
    pub fn is_empty(&self) -> bool {
        self.inner.members.is_empty()
    }

    /// A server's health, as of now.
    pub fn health(&self, server: usize) -> Option<Health> {
        self.state(|s| {
            self.observe_all(s);
            s.pool.health(server)
        })
    }

    /// A server's load, as placement counts it.
    pub fn load(&self, server: usize) -> Option<usize> {
        self.state(|s| s.pool.load(server))
    }

    /// The sessions the pool placed on a server that have not ended.
    pub fn sessions(&self, server: usize) -> Vec<SessionId> {
        self.state(|s| s.pool.sessions(server).collect())
    }

    /// Why the last ask of a server's Admin API for its session count failed (until one
    /// succeeds). Placement then uses the pool's own count there.
    pub fn admin_error(&self, server: usize) -> Option<Arc<Error>> {
        self.state(|s| s.admin_errors.get(server).cloned().flatten())
    }

    /// Closes every connection (sessions are not destroyed first; see [`Client::close`]);
    /// the [`PoolDriver`] then resolves.
    pub fn close(&self) {
        for member in &self.inner.members {
            member.client.close();
            if let Some(admin) = &member.admin {
                admin.close();
            }
        }
    }

    fn state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut state)
    }

    /// Feeds one server's connection state to the pool (the state lock is held, then the
    /// connection's: always in that order).
    fn observe(&self, state: &mut State, server: usize) {
        if let Some(member) = self.inner.members.get(server) {
            member
                .client
                .with_core(|core| state.pool.observe(server, core));
        }
    }

    fn observe_all(&self, state: &mut State) {
        for server in 0..self.inner.members.len() {
            self.observe(state, server);
        }
    }

    /// Asks each server whose Admin API count is due for its session count. A server whose
    /// admin connection is down is not asked (that would wait for its reconnect): placement
    /// uses the pool's own count there until the next refresh.
    async fn ask_admins(&self) {
        for (server, member) in self.inner.members.iter().enumerate() {
            let Some(admin) = &member.admin else {
                continue;
            };
            let now = Instant::now();
            if !self.state(|s| {
                self.observe(s, server);
                s.pool.admin_due(server, now)
            }) {
                continue;
            }
            let asked = if admin.is_closed() || admin.is_reconnecting() {
                Err(RequestError::ConnectionLost.into())
            } else {
                admin.list_sessions().await
            };
            self.state(|s| match asked {
                Ok(sessions) => {
                    s.admin_errors[server] = None;
                    s.pool.admin_load(server, now, sessions.len());
                }
                Err(e) => {
                    s.admin_errors[server] = Some(Arc::new(e));
                    s.pool.admin_failed(server, now);
                }
            });
        }
    }
}
