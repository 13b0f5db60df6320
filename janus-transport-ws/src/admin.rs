//! The Admin API: [`connect_admin`], [`AdminClient`] and [`AdminDriver`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use janus_proto::request::{self, Request};
use janus_proto::wire::admin::{AdminReply, AdminRequest, AdminStatus, HandleInfo};
use janus_proto::wire::ServerInfo;
use janus_proto::{AdminApi, EventTarget, HandleId, Secret, SessionId};

use crate::driver::{open_connection, DriverEnd, DriverLoop};
use crate::events::{ConnectionEvents, EventStream};
use crate::options::ConnectOptions;
#[cfg(any(feature = "async-io", feature = "tokio"))]
use crate::runtime::Runtime;
use crate::shared::{Conn, Shared};
use crate::transport::Source;
use crate::{Error, Result};
use janus_ws_connect::ADMIN_PROTOCOL;

/// Connects to the Admin API at `url` (`ws://` or `wss://`, subprotocol
/// `janus-admin-protocol`; or `unix:`, the `admin_path` of Janus's Unix sockets transport,
/// where the path decides the API: the Janus API's socket answers the Admin API's requests
/// with error 457; or `http://` or `https://`, the HTTP transport's `admin_base_path`, e.g.
/// `http://host:7088/admin`). As [`connect`](crate::connect): run the returned driver. The
/// options are the same [`ConnectOptions`] as for the Janus API; of them it uses
/// [`admin_secret`](ConnectOptions::admin_secret), the connection settings, and of the
/// protocol settings the request timeout, limits, event queue capacity, memory and
/// transaction prefix.
///
/// ```no_run
/// # async fn f() -> janus_transport_ws::Result<()> {
/// use janus_transport_ws::{connect_admin, ConnectOptions};
/// let options = ConnectOptions::new().admin_secret("janusoverlord");
/// let (admin, driver) = connect_admin("ws://127.0.0.1:7188", options).await?;
/// # let _ = (admin, driver);
/// # Ok(())
/// # }
/// ```
#[cfg(any(feature = "async-io", feature = "tokio"))]
pub async fn connect_admin(
    url: &str,
    options: ConnectOptions,
) -> Result<(AdminClient, AdminDriver)> {
    let runtime = Runtime::current().ok_or(Error::NoTimer)?;
    connect_admin_from(Source::Dial(runtime), url, options).await
}

/// Like [`connect_admin`], over a byte stream you opened (see
/// [`connect_with_stream`](crate::connect_with_stream)).
pub async fn connect_admin_with_stream<S>(
    stream: S,
    url: &str,
    options: ConnectOptions,
) -> Result<(AdminClient, AdminDriver)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    connect_admin_from(Source::Given(Box::new(stream)), url, options).await
}

async fn connect_admin_from(
    source: Source,
    url: &str,
    options: ConnectOptions,
) -> Result<(AdminClient, AdminDriver)> {
    let config = options.common.protocol_config_for(url);
    let (conn, driver) = open_connection(source, url, ADMIN_PROTOCOL, &options, config).await?;
    Ok((AdminClient { conn }, AdminDriver(driver)))
}

/// The future that runs an Admin API connection; resolves with why it ended. Everything
/// said of [`Driver`](crate::Driver) holds for it.
#[derive(Debug)]
#[must_use = "the connection does nothing unless its driver is polled"]
pub struct AdminDriver(DriverLoop<Shared<AdminApi>>);

impl Future for AdminDriver {
    type Output = DriverEnd;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<DriverEnd> {
        self.get_mut().0.poll_drive(cx)
    }
}

/// A handle on one Admin API connection: cheap to clone, `Send + Sync`.
///
/// Requests behave as on [`Client`](crate::Client): submitted when the method is called,
/// cancelled when their future is dropped early. Any request goes through
/// [`call`](Self::call); the common ones have shorthands.
#[derive(Clone)]
pub struct AdminClient {
    conn: Conn<AdminApi>,
}

impl fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminClient")
            .field("pending", &self.pending())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl AdminClient {
    /// Sends any Admin API request and returns the future of its outcome: an
    /// [`AdminRequest`] gives the [`AdminReply`] (its [`AdminReplyKind`](crate::AdminReplyKind) is the typed view
    /// for that request), a typed one from [`request`](crate::request) its typed output. Its
    /// deadline is its own ([`Request::within`]) or the connection's.
    pub fn call<R>(&self, request: R) -> impl Future<Output = Result<R::Output>> + Send + 'static
    where
        R: Request<Command = AdminRequest, Reply = AdminReply>,
        R::Output: Send + 'static,
    {
        self.conn.call(request)
    }

    /// `info`: the server's description.
    pub fn info(&self) -> impl Future<Output = Result<ServerInfo>> + Send + 'static {
        self.call(request::AdminInfo)
    }

    /// `ping`: a round trip.
    pub fn ping(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.call(request::AdminPing)
    }

    /// `get_status`: the settings that can be changed at runtime.
    pub fn get_status(&self) -> impl Future<Output = Result<AdminStatus>> + Send + 'static {
        self.call(request::GetStatus)
    }

    /// `list_sessions`: every session on the server.
    pub fn list_sessions(&self) -> impl Future<Output = Result<Vec<SessionId>>> + Send + 'static {
        self.call(request::ListSessions)
    }

    /// `list_handles`: every handle of a session (458 for an unknown session).
    pub fn list_handles(
        &self,
        session: SessionId,
    ) -> impl Future<Output = Result<Vec<HandleId>>> + Send + 'static {
        self.call(request::ListHandles(session))
    }

    /// `handle_info`: everything Janus knows about a handle.
    pub fn handle_info(
        &self,
        session: SessionId,
        handle: HandleId,
    ) -> impl Future<Output = Result<HandleInfo>> + Send + 'static {
        self.call(request::GetHandleInfo::new(session, handle))
    }

    /// `set_log_level` (0–7; Janus answers 467 otherwise); resolves with the level now in
    /// force.
    pub fn set_log_level(&self, level: u8) -> impl Future<Output = Result<u8>> + Send + 'static {
        self.call(request::SetLogLevel(level))
    }

    /// `add_token` (servers with `token_auth`): a stored token for these plugins (`None`:
    /// all); resolves with the plugins it may use.
    pub fn add_token(
        &self,
        token: impl Into<Secret>,
        plugins: Option<Vec<String>>,
    ) -> impl Future<Output = Result<Vec<String>>> + Send + 'static {
        self.call(request::AddToken {
            token: token.into(),
            plugins,
        })
    }

    /// `remove_token`: requests using it fail from then on.
    pub fn remove_token(
        &self,
        token: impl Into<Secret>,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        self.call(request::RemoveToken(token.into()))
    }

    /// `detach_handle`: detaches a handle (its session's owner receives `detached`).
    pub fn detach_handle(
        &self,
        session: SessionId,
        handle: HandleId,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        self.call(request::DetachHandle { session, handle })
    }

    /// `destroy_session`: destroys a session (its owner is not told).
    pub fn destroy_session(
        &self,
        session: SessionId,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        self.call(request::DestroySession(session))
    }

    /// Connection-level events (late replies, uncorrelated errors, unroutable and
    /// undecodable frames, the final close): see [`ConnectionEvents`].
    pub fn connection_events(&self) -> ConnectionEvents {
        let target = EventTarget::Connection;
        let id = self.conn.with(|s, w| s.subscribe(Some(target), w));
        ConnectionEvents(EventStream::new(self.conn.shared.clone(), Some(target), id))
    }

    /// How many requests have no outcome yet.
    pub fn pending(&self) -> usize {
        self.conn.with(|s, _| s.core.pending())
    }

    /// Closes the connection (see [`Client::close`](crate::Client::close)).
    pub fn close(&self) {
        self.conn.with(|s, w| {
            s.link.close_requested = true;
            s.wake_driver(w);
        });
    }

    /// Whether the connection is over (or closing).
    pub fn is_closed(&self) -> bool {
        self.conn.with(|s, _| s.ended || s.link.close_requested)
    }

    /// Whether the connection is down and reconnecting (requests wait for it).
    pub fn is_reconnecting(&self) -> bool {
        self.conn.with(|s, _| s.core.is_reconnecting())
    }
}
