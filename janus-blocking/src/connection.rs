//! [`Connection`]: one Janus API connection (a WebSocket, HTTP or a Unix socket), driven from
//! the caller's thread.

use std::time::Duration;

use janus_proto::plugins::{AttachPlugin, Plugin, PluginEvent, PluginHandle};
use janus_proto::request::{self, Request};
use janus_proto::wire::ServerInfo;
use janus_proto::{
    Client, Command, Event, EventTarget, HandleId, JanusApi, Jsep, PluginReply, Reply, SessionId,
    TransactionId, Trickle,
};
use janus_ws_connect::JANUS_PROTOCOL;
use serde_json::Value;

use crate::driver::{Dialer, Driver};
use crate::options::ConnectOptions;
use crate::Error;

/// How long [`Connection::close`] waits for the server's side of the closing handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// One Janus API connection: a WebSocket (subprotocol `janus-protocol`), Janus's HTTP REST
/// transport (see [Over HTTP](crate#over-http)) or a Unix socket of Janus's Unix sockets
/// transport (see [Over a Unix socket](crate#over-a-unix-socket)).
///
/// All IO happens on the calling thread, inside the methods below; the library starts no
/// thread. While a call waits for its reply it also sends keepalives that fall due (over
/// HTTP: keeps each session's long-poll going), enforces request deadlines and sets aside
/// every event that is not its outcome for [`next_event`](Self::next_event). Between calls
/// nothing happens: to keep sessions alive while idle, wait in
/// [`next_event`](Self::next_event), or call [`poll`](Self::poll) by the instant it returns
/// while doing other work.
///
/// Three ways to talk to Janus:
/// * typed requests, each waiting for its own outcome: [`call`](Self::call) with any
///   [`request`](crate::request) type (its own deadline with [`Request::within`], else
///   [`ConnectOptions::request_timeout`]), or the shorthands [`info`](Self::info),
///   [`create`](Self::create), [`attach`](Self::attach), [`message`](Self::message),
///   [`trickle`](Self::trickle), [`hangup`](Self::hangup), [`detach`](Self::detach),
///   [`destroy`](Self::destroy), [`keepalive`](Self::keepalive), [`claim`](Self::claim),
///   [`ping`](Self::ping);
/// * pipelining: [`submit`](Self::submit) any number of [`Command`]s, then
///   [`wait`](Self::wait) for each transaction (in any order) or [`cancel`](Self::cancel) it;
/// * events: [`next_event`](Self::next_event).
#[derive(Debug)]
pub struct Connection {
    driver: Driver<JanusApi>,
}

impl Connection {
    /// Connects to a Janus API endpoint, `ws://host:port/path` or `wss://…`, with subprotocol
    /// `janus-protocol`; `http://host:port/janus` or `https://…`, the base path of Janus's
    /// HTTP REST transport (see [Over HTTP](crate#over-http)); or `unix:/path/of/the/socket`,
    /// the `path` of Janus's Unix sockets transport (see
    /// [Over a Unix socket](crate#over-a-unix-socket)). Over HTTP, connecting opens the
    /// first TCP connection (with TLS for `https://`), kept for the first request.
    ///
    /// Fails with [`Error::Connect`]: [`ConnectError::HandshakeRejected`](crate::ConnectError::HandshakeRejected) when the server closes without answering the
    /// handshake (what Janus does for a wrong subprotocol, e.g. the Admin API's port),
    /// [`ConnectError::InvalidUrl`](crate::ConnectError::InvalidUrl) (also for
    /// [fallback URLs](ConnectOptions::fallback_url) that mix HTTP with the sockets),
    /// [`ConnectError::TimedOut`](crate::ConnectError::TimedOut) or
    /// [`ConnectError::Socket`](crate::ConnectError::Socket) (refused, an untrusted
    /// certificate, no socket at a `unix:` path, …).
    pub fn connect(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        let dialer = Dialer {
            url: url.to_owned(),
            protocol: JANUS_PROTOCOL,
            config: options.common.protocol_config_for(url),
            options: options.common,
        };
        Ok(Self {
            driver: Driver::connect(dialer, |config| {
                Client::new(config, std::time::Instant::now())
            })?,
        })
    }

    // ----- requests ----------------------------------------------------------------------

    /// Sends any typed request and waits for its outcome: the one path under every method
    /// below. Its deadline is the request's own ([`Request::within`]) or
    /// [`ConnectOptions::request_timeout`]. Meanwhile keepalives go out and other events are
    /// set aside for [`next_event`](Self::next_event).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use janus_blocking::request::{Attach, Create, Request};
    /// use janus_blocking::{ConnectOptions, Connection, Ordering};
    /// # fn main() -> Result<(), janus_blocking::Error> {
    /// let mut janus = Connection::connect("ws://127.0.0.1:8188", ConnectOptions::new())?;
    /// let session = janus.call(Create::new().within(Duration::from_secs(2)))?;
    /// let attach = Attach::new(session, "janus.plugin.videoroom")
    ///     .opaque_id("room-1")
    ///     .ordering(Ordering::Pipelined);
    /// let handle = janus.call(attach)?;
    /// # let _ = handle;
    /// # Ok(())
    /// # }
    /// ```
    pub fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = Command, Reply = Reply>,
    {
        self.driver.call(request)
    }

    /// `info`: what the server is and runs (version, plugins, `session-timeout`, …).
    pub fn info(&mut self) -> Result<ServerInfo, Error> {
        self.call(request::Info)
    }

    /// `ping`: a round trip to the server (keeps no session alive).
    pub fn ping(&mut self) -> Result<(), Error> {
        self.call(request::Ping)
    }

    /// `create`: a new session, with an id Janus picks. Keepalives for it start at once.
    /// ([`request::Create::with_id`] asks for an id.)
    pub fn create(&mut self) -> Result<SessionId, Error> {
        self.call(request::Create::new())
    }

    /// `attach`: a new handle on a plugin, e.g. `janus.plugin.echotest` (Janus answers 460
    /// for an unknown plugin). ([`request::Attach`] sets an opaque id or an [`Ordering`].)
    ///
    /// [`Ordering`]: crate::Ordering
    pub fn attach(&mut self, session: SessionId, plugin: &str) -> Result<HandleId, Error> {
        self.call(request::Attach::new(session, plugin))
    }

    /// `attach` to plugin `P` (e.g. [`EchoTest`](crate::plugins::echotest::EchoTest)): a handle typed by
    /// it, to address `P`'s requests with [`PluginHandle::request`] and read its typed
    /// events with [`next_plugin_event`](Self::next_plugin_event).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), janus_blocking::Error> {
    /// use janus_blocking::plugins::echotest::{Configure, EchoTest};
    /// use janus_blocking::{ConnectOptions, Connection};
    ///
    /// let mut janus = Connection::connect("ws://127.0.0.1:8188", ConnectOptions::new())?;
    /// let session = janus.create()?;
    /// let echo = janus.attach_plugin::<EchoTest>(session)?;
    /// let accepted = janus.call(echo.request(Configure::builder().audio(true).build()))?;
    /// assert_eq!(accepted.value.result, "ok");
    /// # Ok(())
    /// # }
    /// ```
    pub fn attach_plugin<P: Plugin>(
        &mut self,
        session: SessionId,
    ) -> Result<PluginHandle<P>, Error> {
        self.call(AttachPlugin::<P>::new(session))
    }

    /// `message`: a plugin request (`body` must be a JSON object) with an optional SDP.
    ///
    /// Returns the plugin's synchronous reply, or for an asynchronous request the event that
    /// completes it (whether or not its `ack` came first). A plugin-level failure
    /// (`error_code` in `plugindata`) is a [`RequestError::Plugin`](crate::RequestError::Plugin);
    /// a core one a [`RequestError::Janus`](crate::RequestError::Janus).
    pub fn message(
        &mut self,
        handle: HandleId,
        body: Value,
        jsep: Option<Jsep>,
    ) -> Result<PluginReply, Error> {
        self.call(request::Message { handle, body, jsep })
    }

    /// `trickle`: one candidate, several, or end-of-candidates ([`Trickle::completed`]).
    pub fn trickle(&mut self, handle: HandleId, trickle: Trickle) -> Result<(), Error> {
        self.call(request::Trickle::new(handle, trickle))
    }

    /// `hangup`: close the handle's peer connection (the handle stays).
    pub fn hangup(&mut self, handle: HandleId) -> Result<(), Error> {
        self.call(request::Hangup(handle))
    }

    /// `detach`: release the handle.
    pub fn detach(&mut self, handle: HandleId) -> Result<(), Error> {
        self.call(request::Detach(handle))
    }

    /// `destroy`: end the session (its keepalives stop).
    pub fn destroy(&mut self, session: SessionId) -> Result<(), Error> {
        self.call(request::Destroy(session))
    }

    /// `keepalive` now (they also go out on their own, see [`ConnectOptions::keepalive_interval`]).
    pub fn keepalive(&mut self, session: SessionId) -> Result<(), Error> {
        self.call(request::Keepalive(session))
    }

    /// `claim`: take over a session created on another connection (or on this one before a
    /// reconnect; the server needs `reclaim_session_timeout` for an orphaned session). Its
    /// events come here from then on; `handles` are the handles of that session this
    /// connection will use.
    pub fn claim(&mut self, session: SessionId, handles: &[HandleId]) -> Result<(), Error> {
        self.call(request::Claim {
            session,
            handles: handles.to_vec(),
        })
    }

    // ----- pipelining --------------------------------------------------------------------

    /// Sends a request without waiting for its outcome, and returns its transaction. Collect
    /// the outcome with [`wait`](Self::wait) (or give up with [`cancel`](Self::cancel)):
    /// outcomes are kept until then. Any [`Command`] or typed request, with its own deadline
    /// if it has one ([`Request::within`]).
    pub fn submit<R>(&mut self, request: R) -> Result<TransactionId, Error>
    where
        R: Request<Command = Command, Reply = Reply>,
    {
        self.driver.submit(request)
    }

    /// [`submit`](Self::submit) of many requests at once: they go out together (one flush of
    /// the socket instead of one per request), in order, and their transactions come back in
    /// the same order. All or nothing: if one cannot be submitted (for example
    /// [`UsageError::TooManyPending`](janus_proto::UsageError::TooManyPending)), the ones
    /// before it are cancelled as by [`cancel`](Self::cancel) and its error is returned.
    ///
    /// ```no_run
    /// use janus_blocking::{Command, ConnectOptions, Connection, ReplyKind};
    /// # fn main() -> Result<(), janus_blocking::Error> {
    /// let mut conn = Connection::connect("ws://127.0.0.1:8188", ConnectOptions::new())?;
    /// let txns = conn.submit_all((0..100).map(|_| Command::Create { id: None }))?;
    /// for txn in txns {
    ///     if let ReplyKind::SessionCreated(session) = conn.wait(txn)?.kind {
    ///         println!("created {session}");
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn submit_all(
        &mut self,
        commands: impl IntoIterator<Item = Command>,
    ) -> Result<Vec<TransactionId>, Error> {
        self.driver.submit_all(commands)
    }

    /// Waits for the outcome of a submitted request; meanwhile keepalives go out and other
    /// events are set aside for [`next_event`](Self::next_event). Returns within the
    /// request's deadline: every request ends (reply, error, deadline, connection lost).
    ///
    /// [`Error::Usage`] ([`UsageError::NotPending`](janus_proto::UsageError::NotPending)) if `txn` was not submitted here or its
    /// outcome was already collected.
    pub fn wait(&mut self, txn: TransactionId) -> Result<Reply, Error> {
        self.driver.wait(txn)
    }

    /// Gives up on a pending request: its outcome is discarded (a later
    /// [`wait`](Self::wait) for it is a [`UsageError::NotPending`](janus_proto::UsageError::NotPending)), and a reply that still
    /// comes is reported as [`ConnectionEvent::LateReply`](janus_proto::ConnectionEvent::LateReply).
    /// A request still held behind earlier ones on its handle is never sent.
    pub fn cancel(&mut self, txn: TransactionId) -> Result<(), Error> {
        self.driver.cancel(txn)
    }

    // ----- events ------------------------------------------------------------------------

    /// The next event that is not the outcome of a request, from any subscriber, oldest
    /// first: [`Event::Handle`] (plugin events, `webrtcup`, `media`, `hangup`, `detached`,
    /// …), [`Event::Session`] (e.g. a session `timeout`), [`Event::Connection`],
    /// [`Event::Acked`] (of submitted requests) and [`Event::Lagged`]. Waits at most
    /// `timeout` (`Ok(None)`: nothing came), sending keepalives and enforcing deadlines
    /// meanwhile. Events can also be read per handle ([`next_handle_event`](Self::next_handle_event))
    /// or per session ([`next_session_event`](Self::next_session_event)); each event comes
    /// out once, whichever way it is read.
    ///
    /// Each subscriber (the connection, each session, each handle from its attach on) holds
    /// up to [`Config::event_queue_capacity`](crate::Config::event_queue_capacity) events;
    /// past that, events that only inform are dropped and counted in an [`Event::Lagged`]
    /// where they were lost, and events that change state are always kept.
    ///
    /// [`Error::Protocol`] reports a frame from the server that could not be used; it was
    /// dropped and the connection goes on. Once the connection has closed and its last
    /// events ([`ConnectionEvent::Closed`](janus_proto::ConnectionEvent::Closed) among them)
    /// have been returned, this returns [`RequestError::ConnectionLost`](crate::RequestError::ConnectionLost) (in [`Error::Request`]).
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.driver.next_event(None, timeout)
    }

    /// The next event of one handle ([`Event::Handle`] and its [`Event::Lagged`]), waiting
    /// at most `timeout`. Its events wait for it from the moment its attach reply came,
    /// whether or not anyone reads them yet. Once the handle has ended (`detached`, its
    /// session's end) and its last event was read, this is a
    /// [`UsageError::HandleEnded`](crate::UsageError::HandleEnded).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use janus_blocking::{ConnectOptions, Connection};
    /// # fn main() -> Result<(), janus_blocking::Error> {
    /// let mut janus = Connection::connect("ws://127.0.0.1:8188", ConnectOptions::new())?;
    /// let session = janus.create()?;
    /// let handle = janus.attach(session, "janus.plugin.echotest")?;
    /// while let Some(event) = janus.next_handle_event(handle, Duration::from_secs(1))? {
    ///     println!("{event:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn next_handle_event(
        &mut self,
        handle: HandleId,
        timeout: Duration,
    ) -> Result<Option<Event>, Error> {
        self.driver
            .next_event(Some(EventTarget::Handle(handle)), timeout)
    }

    /// The next event of a handle typed by its plugin `P`: `P`'s own events as
    /// [`PluginEvent::Plugin`], the rest (WebRTC state, hangup, detach, `Lagged`) as
    /// [`PluginEvent::Other`]; otherwise as [`next_handle_event`](Self::next_handle_event).
    pub fn next_plugin_event<P: Plugin>(
        &mut self,
        handle: PluginHandle<P>,
        timeout: Duration,
    ) -> Result<Option<PluginEvent<P::Event>>, Error> {
        Ok(self
            .next_handle_event(handle.id(), timeout)?
            .map(PluginEvent::of::<P>))
    }

    /// The next event of one session itself ([`Event::Session`]: its end, `Disconnected`,
    /// a failed keepalive, …), waiting at most `timeout`. Once the session has ended and its
    /// last event was read, this is a
    /// [`UsageError::SessionEnded`](crate::UsageError::SessionEnded).
    pub fn next_session_event(
        &mut self,
        session: SessionId,
        timeout: Duration,
    ) -> Result<Option<Event>, Error> {
        self.driver
            .next_event(Some(EventTarget::Session(session)), timeout)
    }

    // ----- state -------------------------------------------------------------------------

    /// The protocol state machine, for queries: live sessions and handles, the keepalive
    /// interval in force, how many requests are pending.
    pub fn core(&self) -> &Client {
        &self.driver.core
    }

    /// Keeps the connection alive while the caller does its own work, on the caller's
    /// thread: sends the keepalives and pings that are due, takes in every frame that has
    /// arrived (without waiting for more), fires due deadlines, finds a dead connection
    /// (pong deadline), and reconnects when a [`reconnect`](ConnectOptions::reconnect)
    /// policy allows it (the dial happens inside this call). Returns the instant by which
    /// it must be called again; calling it later costs nothing but the timeliness of what
    /// was due meanwhile, and a dead link is reported no later than that call. Events it
    /// takes in wait for [`next_event`](Self::next_event).
    ///
    /// Fails only when the connection is closed for good ([`close_reason`](Self::close_reason)
    /// says why: e.g. [`Error::Dead`] without a reconnect policy, or [`Error::GaveUp`]).
    ///
    /// ```no_run
    /// use std::time::Instant;
    /// use janus_blocking::{ConnectOptions, Connection};
    /// # fn do_some_work() {}
    /// # fn main() -> Result<(), janus_blocking::Error> {
    /// let mut janus = Connection::connect("ws://127.0.0.1:8188", ConnectOptions::new())?;
    /// let session = janus.create()?;
    /// let mut due = janus.poll()?;
    /// for _ in 0..1000 {
    ///     do_some_work(); // in slices shorter than the time to `due`
    ///     if Instant::now() >= due {
    ///         due = janus.poll()?;
    ///     }
    /// }
    /// # let _ = session;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll(&mut self) -> Result<std::time::Instant, Error> {
        self.driver.poll()
    }

    /// Whether the connection is closed for good (by [`close`](Self::close), by the server
    /// or an error without a reconnect policy, or after the policy gave up). While it
    /// reconnects it is not closed: requests wait for it.
    pub fn is_closed(&self) -> bool {
        self.driver.is_closed()
    }

    /// Whether the connection is down and reconnecting.
    pub fn is_reconnecting(&self) -> bool {
        self.driver.core.is_reconnecting()
    }

    /// Why the connection closed, if it did on its own (server gone, socket error, a dead
    /// link ([`Error::Dead`]), an exhausted reconnect policy ([`Error::GaveUp`]), or a
    /// message over the limit: [`Error::MessageTooLarge`], answered with close code 1009).
    pub fn close_reason(&self) -> Option<&Error> {
        self.driver.close_reason()
    }

    /// Closes the connection (waiting briefly for the server's side: the WebSocket closing
    /// handshake, or a Unix socket's end of file). Sessions are not destroyed: Janus drops them, or keeps them for `claim`
    /// when it has a `reclaim_session_timeout`.
    pub fn close(mut self) {
        self.driver.close(CLOSE_WAIT);
    }
}
