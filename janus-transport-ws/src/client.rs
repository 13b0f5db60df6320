//! The Janus API: [`connect`], [`Client`], [`Session`], [`Handle`] and [`Driver`].

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use std::task::{Context, Poll};
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};
use janus_proto::plugins::{self, AttachPlugin, Plugin, PluginRequest, Typed};
use janus_proto::request::{self, Request};
use janus_proto::wire::ServerInfo;
use janus_proto::{
    Command, EventTarget, HandleId, Jsep, PluginReply, Reply, SessionId, SessionState, Trickle,
};
use serde_json::Value;

use crate::driver::{open_connection, DriverEnd, DriverLoop};
use crate::events::{
    AllEvents, ConnectionEvents, EventStream, HandleEvents, PluginEvents, SessionEvents,
};
use crate::options::ConnectOptions;
#[cfg(any(feature = "async-io", feature = "tokio"))]
use crate::runtime::Runtime;
use crate::shared::{Conn, Shared};
use crate::transport::Source;
use crate::{Error, Result};
use janus_ws_connect::JANUS_PROTOCOL;

/// Connects to the Janus API at `url` (`ws://` or `wss://`): TCP (with `TCP_NODELAY`), TLS
/// for `wss://`, then the WebSocket handshake with subprotocol `janus-protocol`. Or, for a
/// `unix:` URL, to the `path` socket of Janus's Unix sockets transport (see
/// [Over a Unix socket](crate#over-a-unix-socket)); or, for an `http://` or `https://` URL
/// (`http://host:8088/janus`), to Janus's HTTP REST transport, opening a first connection
/// (TCP, and TLS for `https://`) before it returns (see [Over HTTP](crate#over-http)).
///
/// Returns the [`Client`] and the [`Driver`]: run the driver (spawn it on your executor, or
/// race it with your own work) or nothing happens. The whole setup is bounded by
/// [`ConnectOptions::connect_timeout`].
///
/// Dials with the runtime it is called on (see [Timers and runtimes](crate#timers-and-runtimes)):
/// inside a tokio runtime (feature `tokio`) a `tokio::net::TcpStream`, else (feature
/// `async-io`) an `async_io::Async<TcpStream>`, whose host name lookup uses the system
/// resolver and blocks the calling task while it runs; a Unix socket waits with the same
/// runtime's reactor, and HTTP's connections are that runtime's TCP sockets. Called outside
/// a tokio runtime without the `async-io` feature, it fails with [`Error::NoTimer`]. Use
/// [`connect_with_stream`] for any other socket. A
/// [`fallback_url`](ConnectOptions::fallback_url) of another kind than `url` (HTTP and a
/// socket) is [`ConnectError::InvalidUrl`](crate::ConnectError::InvalidUrl).
#[cfg(any(feature = "async-io", feature = "tokio"))]
pub async fn connect(url: &str, options: ConnectOptions) -> Result<(Client, Driver)> {
    let runtime = Runtime::current().ok_or(Error::NoTimer)?;
    connect_from(Source::Dial(runtime), url, options).await
}

/// Like [`connect`], over a byte stream you opened that carries a WebSocket: any futures-io
/// `AsyncRead + AsyncWrite` (a Unix stream socket to a WebSocket server, a proxy tunnel, …).
/// For a `wss://` URL, TLS is done over `stream`. Set `TCP_NODELAY` on TCP sockets yourself.
/// A `unix:`, `http://` or `https://` URL is
/// [`ConnectError::InvalidUrl`](crate::ConnectError::InvalidUrl) here: [`connect`] dials
/// Janus's Unix sockets transport and its HTTP connections itself.
///
/// ```no_run
/// # async fn f(stream: smol::net::TcpStream) -> Result<(), janus_transport_ws::Error> {
/// use janus_transport_ws::{connect_with_stream, ConnectOptions};
/// stream.set_nodelay(true)?;
/// let (client, driver) =
///     connect_with_stream(stream, "ws://127.0.0.1:8188", ConnectOptions::new()).await?;
/// # let _ = (client, driver);
/// # Ok(())
/// # }
/// ```
pub async fn connect_with_stream<S>(
    stream: S,
    url: &str,
    options: ConnectOptions,
) -> Result<(Client, Driver)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    connect_from(Source::Given(Box::new(stream)), url, options).await
}

async fn connect_from(
    source: Source,
    url: &str,
    options: ConnectOptions,
) -> Result<(Client, Driver)> {
    let config = options.common.protocol_config_for(url);
    let (conn, driver) = open_connection(source, url, JANUS_PROTOCOL, &options, config).await?;
    Ok((Client { conn }, Driver(driver)))
}

/// The future that runs a Janus API connection; resolves with why it ended.
///
/// It owns the connection (the WebSocket, the Unix socket, or the HTTP exchanges and their
/// connections), and it is the only thing that touches it: it sends the frames the clients'
/// requests produce (over HTTP: makes the exchanges, long-polls included), feeds every
/// received frame to the protocol core, fires deadlines and keepalives, completes the
/// request futures and fills the event streams.
/// Nothing happens on the connection unless it is polled: spawn it, or race it with your own
/// work. The crate never spawns it (nor anything else).
///
/// It resolves when the server closes or the connection breaks
/// ([`DriverEnd::ServerClosed`], [`DriverEnd::Lost`]; with a
/// [`reconnect`](ConnectOptions::reconnect) policy it dials again instead, and resolves with
/// [`DriverEnd::Lost`] only once the policy gives up: [`Error::GaveUp`]), when the link is
/// found dead without a policy ([`Error::Dead`]), after [`Client::close`]
/// ([`DriverEnd::Closed`]), or once every [`Client`], [`Session`], [`Handle`] and request
/// future is dropped ([`DriverEnd::ClientsDropped`]). Every pending request then fails with
/// [`RequestError::ConnectionLost`](crate::RequestError::ConnectionLost) and every event stream ends. Dropping the driver before that
/// has the same effect on requests and streams (the socket is simply dropped). Polling it
/// again after it resolved returns `Pending`.
#[derive(Debug)]
#[must_use = "the connection does nothing unless its driver is polled"]
pub struct Driver(DriverLoop<Shared<janus_proto::JanusApi>>);

impl Future for Driver {
    type Output = DriverEnd;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<DriverEnd> {
        self.get_mut().0.poll_drive(cx)
    }
}

/// A handle on one Janus API connection: cheap to clone, `Send + Sync`.
///
/// Every request method submits its request at once and returns a future of its outcome.
/// Awaiting it is optional for the request to go out, but dropping the future before it
/// completes **cancels** the request: the transaction ends there (see
/// [`janus_proto::Client::cancel`]): if it was still held behind earlier requests on its
/// handle it is never sent, and a reply that still comes is reported on the
/// [connection stream](Self::connection_events) as a late reply. Outcomes of requests come only through their futures;
/// unsolicited events come through the [event streams](crate#events).
///
/// The connection lives while any `Client`, [`Session`], [`Handle`] or request future of it
/// exists (and its [`Driver`] runs), or until [`close`](Self::close); event streams do not
/// keep it alive.
#[derive(Clone)]
pub struct Client {
    conn: Conn<janus_proto::JanusApi>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("pending", &self.pending())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Sends any typed request and returns the future of its outcome: the one path under
    /// every method below. A [`Command`] gives the untyped [`Reply`]; a type from
    /// [`request`](crate::request) its typed output. The deadline is the request's own
    /// ([`Request::within`]) or the connection's. Dropping the future cancels the request
    /// (see the type's docs).
    ///
    /// ```no_run
    /// # async fn f(client: janus_transport_ws::Client, session: janus_transport_ws::SessionId)
    /// # -> janus_transport_ws::Result<()> {
    /// use std::time::Duration;
    /// use janus_transport_ws::request::{Attach, Request};
    /// use janus_transport_ws::Ordering;
    /// let attach = Attach::new(session, "janus.plugin.videoroom")
    ///     .opaque_id("room-1")
    ///     .ordering(Ordering::Pipelined)
    ///     .within(Duration::from_secs(2));
    /// let handle = client.call(attach).await?;
    /// # let _ = handle;
    /// # Ok(())
    /// # }
    /// ```
    pub fn call<R>(&self, request: R) -> impl Future<Output = Result<R::Output>> + Send + 'static
    where
        R: Request<Command = Command, Reply = Reply>,
        R::Output: Send + 'static,
    {
        self.conn.call(request)
    }

    /// `info`: the server's description (version, plugins, `session-timeout`, …). Also
    /// shortens the keepalive interval to half the server's session timeout when that is
    /// shorter (see [`ConnectOptions::keepalive_interval`]).
    pub fn info(&self) -> impl Future<Output = Result<ServerInfo>> + Send + 'static {
        self.call(request::Info)
    }

    /// `ping`: a round trip (keeps no session alive).
    pub fn ping(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.call(request::Ping)
    }

    /// `create`: a new session, with an id Janus picks ([`request::Create::with_id`] asks
    /// for one). Keepalives for it start at once.
    pub fn create(&self) -> impl Future<Output = Result<Session>> + Send + 'static {
        self.create_session(request::Create::new())
    }

    /// [`create`](Self::create) with a request of your own: an id of your choosing, or its
    /// own deadline.
    pub fn create_session<R>(
        &self,
        create: R,
    ) -> impl Future<Output = Result<Session>> + Send + 'static
    where
        R: Request<Command = Command, Reply = Reply, Output = SessionId>,
    {
        let created = self.call(create);
        let client = self.clone();
        async move {
            let id = created.await?;
            Ok(Session { client, id })
        }
    }

    /// `claim`: takes over a session that exists on the server (created by another
    /// connection, or orphaned by a closed one when the server has
    /// `reclaim_session_timeout`). From then on its events, and those of `handles`, come to
    /// this connection; keepalives for it start here.
    ///
    /// When two live connections share sessions this way, give each its own
    /// [`janus_proto::Config::transaction_prefix`], so neither mistakes the other's
    /// transactions for its own.
    pub fn claim(
        &self,
        session: SessionId,
        handles: Vec<HandleId>,
    ) -> impl Future<Output = Result<Session>> + Send + 'static {
        let claimed = self.call(request::Claim { session, handles });
        let client = self.clone();
        async move {
            claimed.await?;
            Ok(Session {
                client,
                id: session,
            })
        }
    }

    /// A [`Session`] value for a session id this connection knows (created or claimed);
    /// `None` if it does not know it or it has ended.
    pub fn session(&self, id: SessionId) -> Option<Session> {
        self.session_state(id).map(|_| Session {
            client: self.clone(),
            id,
        })
    }

    /// A [`Handle`] value for a live handle id this connection knows; `None` otherwise.
    pub fn handle(&self, id: HandleId) -> Option<Handle> {
        let session = self.conn.with(|s, _| s.core.session_of(id))?;
        Some(Handle {
            client: self.clone(),
            session,
            id,
        })
    }

    /// The state of a session, `None` if this connection does not know it or it has ended.
    pub fn session_state(&self, id: SessionId) -> Option<SessionState> {
        self.conn.with(|s, _| s.core.session_state(id))
    }

    /// The sessions this connection holds.
    pub fn sessions(&self) -> Vec<(SessionId, SessionState)> {
        self.conn.with(|s, _| s.core.sessions().collect())
    }

    /// Every event that answers no request, oldest first, whoever it is for: see
    /// [`AllEvents`]. Opening a new one ends the previous one.
    ///
    /// ```no_run
    /// # async fn f(client: janus_transport_ws::Client) {
    /// use futures_util::StreamExt;
    /// let mut events = client.events();
    /// while let Some(item) = events.next().await {
    ///     println!("{item:?}");
    /// }
    /// # }
    /// ```
    pub fn events(&self) -> AllEvents {
        let id = self.conn.with(|s, w| s.subscribe(None, w));
        AllEvents(EventStream::new(self.conn.shared.clone(), None, id))
    }

    /// Connection-level events: see [`ConnectionEvents`]. Opening a new one ends the
    /// previous one.
    pub fn connection_events(&self) -> ConnectionEvents {
        let target = EventTarget::Connection;
        let id = self.conn.with(|s, w| s.subscribe(Some(target), w));
        ConnectionEvents(EventStream::new(self.conn.shared.clone(), Some(target), id))
    }

    /// How many requests have no outcome yet (including ones whose futures were dropped
    /// but whose cancellation the core has not processed — none, in practice: cancellation
    /// is immediate).
    pub fn pending(&self) -> usize {
        self.conn.with(|s, _| s.core.pending())
    }

    /// The keepalive interval in force (possibly shortened by an [`info`](Self::info)).
    pub fn keepalive_interval(&self) -> Duration {
        self.conn.with(|s, _| s.core.keepalive_interval())
    }

    /// Closes the connection: pending requests fail with [`RequestError::ConnectionLost`](crate::RequestError::ConnectionLost), the
    /// streams end, the driver sends a close frame, waits (up to
    /// [`ConnectOptions::close_timeout`]) for the server's, and resolves with
    /// [`DriverEnd::Closed`]. Sessions are not destroyed first: Janus destroys them with the
    /// connection unless it keeps them for `reclaim_session_timeout`.
    pub fn close(&self) {
        self.conn.with(|s, w| {
            s.link.close_requested = true;
            s.wake_driver(w);
        });
    }

    /// Whether the connection is down and reconnecting (with a
    /// [`reconnect`](ConnectOptions::reconnect) policy): requests made meanwhile wait, and go
    /// out once every session is claimed.
    pub fn is_reconnecting(&self) -> bool {
        self.conn.with(|s, _| s.core.is_reconnecting())
    }

    /// Whether the connection is over (or closing; with a reconnect policy, once it gave up):
    /// new requests fail with
    /// [`RequestError::ConnectionLost`](crate::RequestError::ConnectionLost).
    pub fn is_closed(&self) -> bool {
        self.conn
            .with(|s, _| s.ended || s.link.close_requested || s.core.is_closed())
    }

    /// Runs `f` on the protocol core, for a reading of its state.
    #[cfg(any(feature = "async-io", feature = "tokio"))]
    pub(crate) fn with_core<R>(&self, f: impl FnOnce(&janus_proto::Client) -> R) -> R {
        self.conn.with(|s, _| f(&s.core))
    }

    /// Wakes `waker` once after the next change to the connection (see
    /// [`Pool::next_event`](crate::Pool::next_event)).
    #[cfg(any(feature = "async-io", feature = "tokio"))]
    pub(crate) fn watch(&self, waker: &std::task::Waker) {
        self.conn.with(|s, _| s.watch(waker));
    }
}

/// A Janus session: its id and a [`Client`]. Cheap to clone.
///
/// Dropping it does **not** destroy the session (the keepalives go on while the connection
/// lives); call [`destroy`](Self::destroy).
#[derive(Clone, Debug)]
pub struct Session {
    client: Client,
    id: SessionId,
}

impl Session {
    /// The session id.
    pub fn id(&self) -> SessionId {
        self.id
    }

    /// The connection.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Its state, `None` once it has ended.
    pub fn state(&self) -> Option<SessionState> {
        self.client.session_state(self.id)
    }

    /// The live handles of this session.
    pub fn handles(&self) -> Vec<HandleId> {
        let id = self.id;
        self.client.conn.with(|s, _| s.core.handles(id).collect())
    }

    /// `attach`: a new handle on `plugin` (e.g. `janus.plugin.echotest`).
    pub fn attach(&self, plugin: &str) -> impl Future<Output = Result<Handle>> + Send + 'static {
        self.attach_with(request::Attach::new(self.id, plugin))
    }

    /// `attach` with a request of your own: an opaque id, an [`Ordering`](crate::Ordering),
    /// its own deadline. The request's session is this one.
    pub fn attach_with<R>(&self, attach: R) -> impl Future<Output = Result<Handle>> + Send + 'static
    where
        R: Request<Command = Command, Reply = Reply, Output = HandleId>,
    {
        let attached = self.client.call(attach);
        let client = self.client.clone();
        let session = self.id;
        async move {
            let id = attached.await?;
            Ok(Handle {
                client,
                session,
                id,
            })
        }
    }

    /// `attach` to plugin `P` (e.g. [`plugins::echotest::EchoTest`]): a handle whose
    /// requests and events are `P`'s model's.
    ///
    /// ```no_run
    /// # async fn example(session: janus_transport_ws::Session) -> janus_transport_ws::Result<()> {
    /// use janus_transport_ws::plugins::echotest::{Configure, EchoTest};
    ///
    /// let echo = session.attach_plugin::<EchoTest>().await?;
    /// let accepted = echo.call(Configure::builder().audio(true).build()).await?;
    /// assert_eq!(accepted.value.result, "ok");
    /// # Ok(())
    /// # }
    /// ```
    pub fn attach_plugin<P: Plugin>(
        &self,
    ) -> impl Future<Output = Result<TypedHandle<P>>> + Send + 'static {
        let attached = self.client.call(AttachPlugin::<P>::new(self.id));
        let client = self.client.clone();
        let session = self.id;
        async move {
            let typed = attached.await?;
            Ok(Handle {
                client,
                session,
                id: typed.id(),
            }
            .typed())
        }
    }

    /// `keepalive` now (they are also sent on their own every keepalive interval).
    pub fn keepalive(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.client.call(request::Keepalive(self.id))
    }

    /// `destroy`: ends the session and its handles.
    pub fn destroy(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.client.call(request::Destroy(self.id))
    }

    /// `claim` this session again on its own connection, with its known handles: takes back
    /// its events after another connection claimed it (see [`Client::claim`]).
    pub fn claim(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.client.call(request::Claim {
            session: self.id,
            handles: self.handles(),
        })
    }

    /// The session's events: see [`SessionEvents`]. Opening a new one ends the previous one.
    /// A stream for a session that has ended (or a closed connection) ends at once.
    pub fn events(&self) -> SessionEvents {
        let target = EventTarget::Session(self.id);
        let id = self.client.conn.with(|s, w| s.subscribe(Some(target), w));
        SessionEvents(EventStream::new(
            self.client.conn.shared.clone(),
            Some(target),
            id,
        ))
    }

    /// A [`Handle`] value for one of this session's handle ids (no check is made; requests
    /// on an unknown handle fail with [`Error::Usage`]).
    pub fn handle(&self, id: HandleId) -> Handle {
        Handle {
            client: self.client.clone(),
            session: self.id,
            id,
        }
    }
}

/// A plugin handle: its id, its session's id and a [`Client`]. Cheap to clone.
///
/// Dropping it does **not** detach the handle; call [`detach`](Self::detach).
#[derive(Clone, Debug)]
pub struct Handle {
    client: Client,
    session: SessionId,
    id: HandleId,
}

impl Handle {
    /// The handle id.
    pub fn id(&self) -> HandleId {
        self.id
    }

    /// The id of its session.
    pub fn session(&self) -> SessionId {
        self.session
    }

    /// The connection.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `message`: a plugin request (`body` must be a JSON object) with an optional SDP.
    ///
    /// Resolves with the plugin's synchronous reply or, for an asynchronous request, with
    /// the event that answers it (the `ack` in between is absorbed). A plugin-level error
    /// (`error_code` in the plugin data) is a
    /// [`RequestError::Plugin`](crate::RequestError::Plugin). For its own deadline, call
    /// [`Client::call`] with a [`request::Message`] and [`Request::within`].
    pub fn message(
        &self,
        body: Value,
        jsep: Option<Jsep>,
    ) -> impl Future<Output = Result<PluginReply>> + Send + 'static {
        self.client.call(request::Message {
            handle: self.id,
            body,
            jsep,
        })
    }

    /// `trickle`: one candidate, several, or the end of candidates.
    pub fn trickle(&self, trickle: Trickle) -> impl Future<Output = Result<()>> + Send + 'static {
        self.client.call(request::Trickle::new(self.id, trickle))
    }

    /// `hangup`: closes the handle's peer connection (the handle stays).
    pub fn hangup(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.client.call(request::Hangup(self.id))
    }

    /// `detach`: releases the handle. Its event stream gets the `detached` event and ends.
    pub fn detach(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.client.call(request::Detach(self.id))
    }

    /// The handle's events: see [`HandleEvents`]. Opening a new one ends the previous one.
    /// A stream for a detached handle (or a closed connection) ends at once.
    pub fn events(&self) -> HandleEvents {
        let target = EventTarget::Handle(self.id);
        let id = self.client.conn.with(|s, w| s.subscribe(Some(target), w));
        HandleEvents(EventStream::new(
            self.client.conn.shared.clone(),
            Some(target),
            id,
        ))
    }

    /// This handle typed by plugin `P`, which the caller knows it is attached to (e.g. a
    /// handle from [`Session::attach_with`] or [`Session::handle`]).
    pub fn typed<P: Plugin>(self) -> TypedHandle<P> {
        TypedHandle {
            handle: self,
            plugin: PhantomData,
        }
    }
}

/// A handle attached to plugin `P` ([`Session::attach_plugin`]): its requests are `P`'s
/// model's [`PluginRequest`]s and its events are typed by `P`. The untyped [`Handle`] under
/// it does the rest (trickle, hangup, detach, raw messages). Cheap to clone.
///
/// It is the async counterpart of the core's [`plugins::PluginHandle`], which it wraps with
/// the connection.
pub struct TypedHandle<P> {
    handle: Handle,
    plugin: PhantomData<fn() -> P>,
}

impl<P> Clone for TypedHandle<P> {
    fn clone(&self) -> Self {
        Self {
            handle: self.handle.clone(),
            plugin: PhantomData,
        }
    }
}

impl<P: Plugin> fmt::Debug for TypedHandle<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedHandle")
            .field("plugin", &P::PACKAGE)
            .field("handle", &self.handle)
            .finish()
    }
}

impl<P: Plugin> TypedHandle<P> {
    /// The untyped handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The handle id.
    pub fn id(&self) -> HandleId {
        self.handle.id
    }

    /// The core's typed id of this handle, to address a request yourself (for example with
    /// its own deadline: `client.call(handle.plugin_handle().request(r).within(d))`).
    pub fn plugin_handle(&self) -> plugins::PluginHandle<P> {
        plugins::PluginHandle::new(self.handle.id)
    }

    /// A request of `P`'s model; resolves with its typed outcome (the synchronous reply, or
    /// the event that answers an asynchronous request). A plugin-level failure is a
    /// [`RequestError::Plugin`](crate::RequestError::Plugin), whose code
    /// [`Plugin::request_error`] types.
    pub fn call<M>(
        &self,
        request: M,
    ) -> impl Future<Output = Result<Typed<M::Response>>> + Send + 'static
    where
        M: PluginRequest<Plugin = P>,
        M::Response: Send + 'static,
    {
        self.handle
            .client
            .call(self.plugin_handle().request(request))
    }

    /// The handle's events typed by `P`: see [`PluginEvents`]. Opening a new one (typed or
    /// not) ends the previous one.
    pub fn events(&self) -> PluginEvents<P> {
        PluginEvents::new(self.handle.events())
    }
}
