//! One face for both client drivers, so that a real-server scenario is written once and run
//! through each: [`JanusDriver`] (the Janus API) and [`JanusAdmin`] (the Admin API), with
//! [`Blocking`] over `janus-blocking` and [`AsyncWs`] over `janus-transport-ws`; and through
//! each of Janus's transports both drivers speak: [`Transport`], [`WebSocket`], [`Http`] or
//! [`Unix`] (a driver connects through any, by the URL).
//!
//! The methods block the caller's thread whichever driver is under them (the async one runs
//! its driver future on a thread of its own and awaits each request with `smol::block_on`),
//! and return the drivers' own results, so a scenario asserts on the real outcomes. Requests
//! are the typed ones of [`janus_proto::request`] (with their own deadline through
//! [`Request::within`]); events come from the driver's "every event" reader (blocking
//! `next_event`, the async `Client::events` stream) or from one handle's own subscriber, so
//! a change to how events are delivered touches only the two implementations.
//!
//! ```no_run
//! use janus_tests::drivers::{Blocking, JanusDriver, Options, Transport, Unix, WebSocket};
//! use janus_tests::JanusServer;
//! use janus_proto::request::{Attach, Create};
//!
//! fn scenario<D: JanusDriver, T: Transport>(server: &JanusServer) {
//!     let mut janus = D::connect(&T::url(server), &Options::new()).expect("connect");
//!     let session = janus.call(Create::new()).expect("create");
//!     janus.call(Attach::new(session, "janus.plugin.echotest")).expect("attach");
//!     janus.close();
//! }
//! let server = JanusServer::shared("example");
//! scenario::<Blocking, WebSocket>(&server);
//! scenario::<Blocking, Unix>(&server);
//! ```

mod async_ws;
mod blocking;

use std::fmt::Debug;
use std::time::{Duration, Instant};

use janus_proto::plugins::{Plugin, PluginEvent, PluginHandle, PluginRequest, Typed};
use janus_proto::request::Request;
use janus_proto::wire::admin::{AdminReply, AdminRequest};
use janus_proto::{Command, Config, Event, HandleId, Reconnect, Reply, SessionId, SessionState};
use janus_ws_connect::{Error, PemSource};

pub use async_ws::{AsyncAdmin, AsyncWs};
pub use blocking::Blocking;

use crate::JanusServer;

/// One of Janus's transports, as a scenario reaches a server through it: the URLs to give
/// either driver.
pub trait Transport {
    /// The transport's name, for messages.
    const NAME: &'static str;
    /// Janus's name of the transport plugin (what the Admin API's `handle_info` reports as
    /// a session's transport).
    const PACKAGE: &'static str;
    /// Whether Janus may close a client's connection when one of its sessions times out (its
    /// Unix sockets transport means to, and a race in it sometimes leaves it open; its
    /// WebSockets transport leaves it open).
    const MAY_CLOSE_ON_SESSION_TIMEOUT: bool;
    /// Whether clients take a session's events by polling it (HTTP) rather than on the
    /// connection that owns it. Janus's HTTP transport mishandles a `claim` of a session a
    /// poll still waits on (1.1.2 to 1.4.1: `janus_http_session_claimed` walks the list of
    /// waiting polls while freeing it), so scenarios claim only sessions nobody polls.
    const POLLS_SESSIONS: bool;

    /// The Janus API URL of `janus` through this transport.
    fn url(janus: &JanusServer) -> String;

    /// The Admin API URL of `janus` through this transport.
    fn admin_url(janus: &JanusServer) -> String;
}

/// Janus's WebSockets transport: `ws://` URLs.
#[derive(Debug)]
pub struct WebSocket;

/// Janus's Unix sockets transport (`SOCK_SEQPACKET`): `unix:` URLs. Panics for a server
/// without Unix sockets (an external Janus without `JANUS_UNIX_PATH`).
#[derive(Debug)]
pub struct Unix;

/// Janus's HTTP REST transport: `http://` URLs (requests as `POST`s, events by long-poll).
/// Panics for a server without it (an external Janus without `JANUS_HTTP_URL`).
#[derive(Debug)]
pub struct Http;

impl Transport for WebSocket {
    const NAME: &'static str = "WebSocket";
    const PACKAGE: &'static str = "janus.transport.websockets";
    const MAY_CLOSE_ON_SESSION_TIMEOUT: bool = false;
    const POLLS_SESSIONS: bool = false;

    fn url(janus: &JanusServer) -> String {
        janus.ws_url().to_owned()
    }

    fn admin_url(janus: &JanusServer) -> String {
        janus.admin_url().to_owned()
    }
}

impl Transport for Unix {
    const NAME: &'static str = "Unix socket";
    const PACKAGE: &'static str = "janus.transport.pfunix";
    const MAY_CLOSE_ON_SESSION_TIMEOUT: bool = true;
    const POLLS_SESSIONS: bool = false;

    fn url(janus: &JanusServer) -> String {
        unix_url(janus.unix_path(), "JANUS_UNIX_PATH")
    }

    fn admin_url(janus: &JanusServer) -> String {
        unix_url(janus.admin_unix_path(), "JANUS_ADMIN_UNIX_PATH")
    }
}

impl Transport for Http {
    const NAME: &'static str = "HTTP";
    const PACKAGE: &'static str = "janus.transport.http";
    const MAY_CLOSE_ON_SESSION_TIMEOUT: bool = false;
    const POLLS_SESSIONS: bool = true;

    fn url(janus: &JanusServer) -> String {
        let url = janus.http_url();
        let url = url.unwrap_or_else(|| panic!("this Janus has no HTTP URL (set JANUS_HTTP_URL)"));
        url.to_owned()
    }

    fn admin_url(janus: &JanusServer) -> String {
        let url = janus.admin_http_url();
        let url = url.unwrap_or_else(|| {
            panic!("this Janus has no Admin HTTP URL (set JANUS_ADMIN_HTTP_URL)")
        });
        url.to_owned()
    }
}

/// The `unix:` URL of `path`.
fn unix_url(path: Option<&std::path::Path>, variable: &str) -> String {
    match path {
        Some(path) => format!("unix:{}", path.display()),
        None => panic!("this Janus has no Unix socket (for your own Janus, set {variable})"),
    }
}

/// The connect options a scenario sets, applied to either driver's own options type.
#[derive(Clone, Debug)]
pub struct Options {
    config: Option<Config>,
    request_timeout: Duration,
    connect_timeout: Duration,
    keepalive_interval: Option<Duration>,
    apisecret: Option<String>,
    token: Option<String>,
    tls_root_pem: Option<PemSource>,
    webpki_roots: Option<bool>,
    reconnect: Option<Reconnect>,
    ping_interval: Option<Option<Duration>>,
    pong_timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

impl Options {
    /// A 10 s request timeout and a 5 s connect timeout; the drivers' defaults otherwise.
    pub fn new() -> Self {
        Options {
            config: None,
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            keepalive_interval: None,
            apisecret: None,
            token: None,
            tls_root_pem: None,
            webpki_roots: None,
            reconnect: None,
            ping_interval: None,
            pong_timeout: None,
        }
    }

    /// Reconnects after a loss with this policy (none: a loss closes the connection).
    pub fn reconnect(mut self, policy: Reconnect) -> Self {
        self.reconnect = Some(policy);
        self
    }

    /// Pings after this long without anything from the server (`None`: never).
    pub fn ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = Some(interval);
        self
    }

    /// The pong deadline.
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.pong_timeout = Some(timeout);
        self
    }

    /// The core's configuration (the other setters win over its fields).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Default deadline of a request.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Interval between keepalives of an idle session.
    pub fn keepalive_interval(mut self, interval: Duration) -> Self {
        self.keepalive_interval = Some(interval);
        self
    }

    /// The `apisecret` sent with every request that needs it.
    pub fn apisecret(mut self, secret: &str) -> Self {
        self.apisecret = Some(secret.to_owned());
        self
    }

    /// The stored token sent with every request that needs it.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Trusts the CA in `pem` for `wss://`.
    pub fn tls_root_pem(mut self, pem: impl Into<PemSource>) -> Self {
        self.tls_root_pem = Some(pem.into());
        self
    }

    /// Whether to trust the Mozilla roots too.
    pub fn webpki_roots(mut self, on: bool) -> Self {
        self.webpki_roots = Some(on);
        self
    }
}

/// Applies [`Options`] to a driver's options type (both have the same setters, from
/// `janus_ws_connect::common_options!`).
macro_rules! apply_options {
    ($options:expr, $target:expr) => {{
        let options: &$crate::drivers::Options = $options;
        let mut target = $target
            .request_timeout(options.request_timeout)
            .connect_timeout(options.connect_timeout);
        if let Some(config) = &options.config {
            target = target.config(config.clone());
        }
        if let Some(interval) = options.keepalive_interval {
            target = target.keepalive_interval(interval);
        }
        if let Some(secret) = &options.apisecret {
            target = target.apisecret(secret.as_str());
        }
        if let Some(token) = &options.token {
            target = target.token(token.as_str());
        }
        if let Some(pem) = &options.tls_root_pem {
            target = target.tls_root_pem(pem.clone());
        }
        if let Some(on) = options.webpki_roots {
            target = target.webpki_roots(on);
        }
        if let Some(policy) = &options.reconnect {
            target = target.reconnect(policy.clone());
        }
        if let Some(interval) = options.ping_interval {
            target = target.ping_interval(interval);
        }
        if let Some(timeout) = options.pong_timeout {
            target = target.pong_timeout(timeout);
        }
        target
    }};
}
use apply_options;

/// A Janus API connection through one driver (see the module docs). Every method blocks
/// until its outcome.
pub trait JanusDriver: Debug + Sized {
    /// The driver's name, for messages.
    const NAME: &'static str;
    /// A request sent and not yet collected.
    type Pending;
    /// The driver's Admin API connection.
    type Admin: JanusAdmin;

    /// Connects to the Janus API at `url`.
    fn connect(url: &str, options: &Options) -> Result<Self, Error>;

    /// Connects to the Admin API at `url` with `secret` (none: the server refuses what needs
    /// it).
    fn admin(url: &str, secret: Option<&str>) -> Result<Self::Admin, Error>;

    /// Sends a typed request and waits for its outcome (its own deadline, or the
    /// connection's).
    fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = Command, Reply = Reply> + 'static,
        R::Output: Send + 'static;

    /// Attaches plugin `P` through the driver's typed attach (blocking: `attach_plugin`;
    /// async: `Session::attach_plugin`).
    fn attach_plugin<P: Plugin>(&mut self, session: SessionId) -> Result<PluginHandle<P>, Error>;

    /// Sends a plugin model's request through the driver's typed handle (blocking: `call`
    /// with `PluginHandle::request`; async: `TypedHandle::call`).
    fn plugin_call<M>(
        &mut self,
        handle: PluginHandle<M::Plugin>,
        request: M,
    ) -> Result<Typed<M::Response>, Error>
    where
        M: PluginRequest + 'static,
        M::Response: Send + 'static;

    /// The next event of a typed handle, typed by its plugin (blocking:
    /// `next_plugin_event`; async: the handle's `PluginEvents` stream).
    fn next_plugin_event<P: Plugin>(
        &mut self,
        handle: PluginHandle<P>,
        wait: Duration,
    ) -> Result<Option<PluginEvent<P::Event>>, Error>;

    /// Sends `command` now; its outcome is collected with [`wait`](Self::wait), in any order.
    fn submit(&mut self, command: Command) -> Result<Self::Pending, Error>;

    /// The outcome of a submitted request.
    fn wait(&mut self, pending: Self::Pending) -> Result<Reply, Error>;

    /// Gives up on a submitted request (blocking: `cancel`; async: dropping its future).
    fn cancel(&mut self, pending: Self::Pending) -> Result<(), Error>;

    /// The next event, waiting at most `wait`; `Err(ConnectionLost)` once the connection
    /// is closed and every event was taken.
    fn next_event(&mut self, wait: Duration) -> Result<Option<Event>, Error>;

    /// The next event of one handle only (its own subscriber: `next_handle_event`, or the
    /// handle's stream), waiting at most `wait`; `Err(Usage(HandleEnded))` once the handle
    /// ended and every event of it was taken.
    fn next_handle_event(
        &mut self,
        handle: HandleId,
        wait: Duration,
    ) -> Result<Option<Event>, Error>;

    /// The state of `session` as the client sees it; `None` once it ended or if unknown.
    fn session_state(&self, session: SessionId) -> Option<SessionState>;

    /// The session `handle` belongs to, while the handle lives.
    fn session_of(&self, handle: HandleId) -> Option<SessionId>;

    /// How many requests are in flight.
    fn pending(&self) -> usize;

    /// The interval keepalives go out at.
    fn keepalive_interval(&self) -> Duration;

    /// Whether the connection is closed (by us or lost).
    fn is_closed(&self) -> bool;

    /// Closes the connection, waiting for the close handshake.
    fn close(self);

    /// Waits (at most `bound`) for the first event `pick` accepts, failing the test on a
    /// closed connection or when none comes; returns it and the events skipped on the way.
    fn wait_for<T>(
        &mut self,
        bound: Duration,
        mut pick: impl FnMut(&Event) -> Option<T>,
    ) -> (T, Vec<Event>) {
        let until = Instant::now() + bound;
        let mut skipped = Vec::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{}: no matching event within {bound:?}; saw {skipped:#?}",
                Self::NAME
            );
            match self.next_event(left) {
                Ok(Some(event)) => match pick(&event) {
                    Some(found) => return (found, skipped),
                    None => skipped.push(event),
                },
                Ok(None) => {}
                Err(e) => panic!("{}: next_event failed: {e}; saw {skipped:#?}", Self::NAME),
            }
        }
    }

    /// Waits `time` for events, returning every event seen (keepalives go out meanwhile).
    fn idle(&mut self, time: Duration) -> Vec<Event> {
        let until = Instant::now() + time;
        let mut events = Vec::new();
        while let Some(left) = until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        {
            if let Some(event) = self.next_event(left).expect("next_event") {
                events.push(event);
            }
        }
        events
    }
}

/// An Admin API connection through one driver.
pub trait JanusAdmin: Debug + Sized {
    /// Sends a typed Admin API request and waits for its outcome.
    fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = AdminRequest, Reply = AdminReply> + 'static,
        R::Output: Send + 'static;

    /// Closes the connection.
    fn close(self);
}
