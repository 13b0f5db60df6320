//! [`Connection`]: one Janus API WebSocket, driven from the caller's thread.

use std::time::Duration;

use janus_proto::wire::{RawFrame, ServerInfo};
use janus_proto::{
    Client, Command, Event, HandleId, Jsep, Ordering, PluginData, Reply, ReplyKind, SessionId,
    TransactionId, Trickle,
};
use serde_json::Value;

use janus_proto::RequestError;
use janus_ws_connect::JANUS_PROTOCOL;

use crate::driver::Driver;
use crate::options::ConnectOptions;
use crate::socket::Socket;
use crate::Error;

/// How long [`Connection::close`] waits for the server's side of the closing handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// A plugin's answer to [`Connection::message`]: its synchronous reply, or the event that
/// completed an asynchronous request.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginReply {
    /// `plugindata`: the plugin package and its payload.
    pub data: PluginData,
    /// An SDP offer or answer from the plugin (only asynchronous replies carry one).
    pub jsep: Option<Jsep>,
    /// The frame the reply came in.
    pub raw: RawFrame,
}

impl PluginReply {
    /// The plugin's payload as a JSON value (see [`PluginData::value`] for when it fails).
    pub fn value(&self) -> Result<Value, serde_json::Error> {
        self.data.value()
    }
}

/// One Janus API connection (WebSocket subprotocol `janus-protocol`).
///
/// All IO happens on the calling thread, inside the methods below; the library starts no
/// thread. While a call waits for its reply it also sends keepalives that fall due, enforces
/// request deadlines and sets aside every event that is not its outcome for
/// [`next_event`](Self::next_event). Between calls nothing happens: to keep sessions alive
/// while idle, wait in [`next_event`](Self::next_event).
///
/// Three ways to talk to Janus:
/// * typed calls, each waiting for its own outcome: [`info`](Self::info),
///   [`create`](Self::create), [`attach`](Self::attach), [`message`](Self::message),
///   [`trickle`](Self::trickle), [`hangup`](Self::hangup), [`detach`](Self::detach),
///   [`destroy`](Self::destroy), [`keepalive`](Self::keepalive), [`claim`](Self::claim),
///   [`ping`](Self::ping); the `_timeout` variants set that request's deadline instead of
///   [`ConnectOptions::request_timeout`];
/// * pipelining: [`submit`](Self::submit) any number of [`Command`]s, then
///   [`wait`](Self::wait) for each transaction (in any order) or [`cancel`](Self::cancel) it;
/// * events: [`next_event`](Self::next_event).
#[derive(Debug)]
pub struct Connection {
    driver: Driver<Client>,
}

impl Connection {
    /// Connects to a Janus API endpoint, `ws://host:port/path` or `wss://…`, with subprotocol
    /// `janus-protocol`.
    ///
    /// Fails with [`Error::Connect`]: [`ConnectError::HandshakeRejected`](crate::ConnectError::HandshakeRejected) when the server closes without answering the
    /// handshake (what Janus does for a wrong subprotocol, e.g. the Admin API's port),
    /// [`ConnectError::InvalidUrl`](crate::ConnectError::InvalidUrl),
    /// [`ConnectError::TimedOut`](crate::ConnectError::TimedOut) or
    /// [`ConnectError::Socket`](crate::ConnectError::Socket) (refused, an untrusted
    /// certificate, …).
    pub fn connect(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        let config = options.protocol_config();
        let socket = Socket::connect(url, JANUS_PROTOCOL, &options.common, &config)?;
        let capacity = config.event_queue_capacity;
        let core = Client::new(config, std::time::Instant::now());
        Ok(Self {
            driver: Driver::new(socket, core, capacity),
        })
    }

    // ----- typed calls -------------------------------------------------------------------

    /// `info`: what the server is and runs (version, plugins, `session-timeout`, …).
    pub fn info(&mut self) -> Result<ServerInfo, Error> {
        self.info_inner(None)
    }

    /// [`info`](Self::info) with its own deadline.
    pub fn info_timeout(&mut self, timeout: Duration) -> Result<ServerInfo, Error> {
        self.info_inner(Some(timeout))
    }

    fn info_inner(&mut self, timeout: Option<Duration>) -> Result<ServerInfo, Error> {
        let reply = self.call(Command::Info, timeout)?;
        match reply.kind {
            ReplyKind::ServerInfo(info) => Ok(*info),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `ping`: a round trip to the server (keeps no session alive).
    pub fn ping(&mut self) -> Result<(), Error> {
        self.expect_ack(Command::Ping, None)
    }

    /// [`ping`](Self::ping) with its own deadline.
    pub fn ping_timeout(&mut self, timeout: Duration) -> Result<(), Error> {
        self.expect_ack(Command::Ping, Some(timeout))
    }

    /// `create`: a new session, with an id Janus picks. Keepalives for it start at once.
    pub fn create(&mut self) -> Result<SessionId, Error> {
        self.create_inner(None, None)
    }

    /// [`create`](Self::create) with its own deadline.
    pub fn create_timeout(&mut self, timeout: Duration) -> Result<SessionId, Error> {
        self.create_inner(None, Some(timeout))
    }

    /// `create` asking for this session id (Janus answers 468 if it is taken).
    pub fn create_with_id(&mut self, id: SessionId) -> Result<SessionId, Error> {
        self.create_inner(Some(id), None)
    }

    /// [`create_with_id`](Self::create_with_id) with its own deadline.
    pub fn create_with_id_timeout(
        &mut self,
        id: SessionId,
        timeout: Duration,
    ) -> Result<SessionId, Error> {
        self.create_inner(Some(id), Some(timeout))
    }

    fn create_inner(
        &mut self,
        id: Option<SessionId>,
        timeout: Option<Duration>,
    ) -> Result<SessionId, Error> {
        let reply = self.call(Command::Create { id }, timeout)?;
        match reply.kind {
            ReplyKind::SessionCreated(session) => Ok(session),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `attach`: a new handle on a plugin, e.g. `janus.plugin.echotest` (Janus answers 460
    /// for an unknown plugin).
    pub fn attach(&mut self, session: SessionId, plugin: &str) -> Result<HandleId, Error> {
        self.attach_inner(Command::attach(session, plugin), None)
    }

    /// [`attach`](Self::attach) with its own deadline.
    pub fn attach_timeout(
        &mut self,
        session: SessionId,
        plugin: &str,
        timeout: Duration,
    ) -> Result<HandleId, Error> {
        self.attach_inner(Command::attach(session, plugin), Some(timeout))
    }

    /// `attach` with an `opaque_id` and the [`Ordering`] of requests on the new handle
    /// (`None`: the connection's default, [`Ordering::Ordered`] unless configured).
    pub fn attach_with(
        &mut self,
        session: SessionId,
        plugin: &str,
        opaque_id: Option<&str>,
        ordering: Option<Ordering>,
    ) -> Result<HandleId, Error> {
        let command = Command::Attach {
            session,
            plugin: plugin.to_owned(),
            opaque_id: opaque_id.map(str::to_owned),
            ordering,
        };
        self.attach_inner(command, None)
    }

    fn attach_inner(
        &mut self,
        command: Command,
        timeout: Option<Duration>,
    ) -> Result<HandleId, Error> {
        let reply = self.call(command, timeout)?;
        match reply.kind {
            ReplyKind::Attached(handle) => Ok(handle),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `message`: a plugin request (`body` must be a JSON object) with an optional SDP.
    ///
    /// Returns the plugin's synchronous reply, or for an asynchronous request the event that
    /// completes it (whether or not its `ack` came first). A plugin-level failure
    /// (`error_code` in `plugindata`) is [`RequestError::Plugin`]; a core one
    /// [`RequestError::Janus`] (both inside [`Error::Request`]).
    pub fn message(
        &mut self,
        handle: HandleId,
        body: Value,
        jsep: Option<Jsep>,
    ) -> Result<PluginReply, Error> {
        self.message_inner(handle, body, jsep, None)
    }

    /// [`message`](Self::message) with its own deadline.
    pub fn message_timeout(
        &mut self,
        handle: HandleId,
        body: Value,
        jsep: Option<Jsep>,
        timeout: Duration,
    ) -> Result<PluginReply, Error> {
        self.message_inner(handle, body, jsep, Some(timeout))
    }

    fn message_inner(
        &mut self,
        handle: HandleId,
        body: Value,
        jsep: Option<Jsep>,
        timeout: Option<Duration>,
    ) -> Result<PluginReply, Error> {
        let reply = self.call(Command::message(handle, body, jsep), timeout)?;
        plugin_reply(reply)
    }

    /// `trickle`: one candidate, several, or end-of-candidates ([`Trickle::completed`]).
    pub fn trickle(&mut self, handle: HandleId, trickle: Trickle) -> Result<(), Error> {
        self.expect_ack(Command::Trickle { handle, trickle }, None)
    }

    /// [`trickle`](Self::trickle) with its own deadline.
    pub fn trickle_timeout(
        &mut self,
        handle: HandleId,
        trickle: Trickle,
        timeout: Duration,
    ) -> Result<(), Error> {
        self.expect_ack(Command::Trickle { handle, trickle }, Some(timeout))
    }

    /// `hangup`: close the handle's peer connection (the handle stays).
    pub fn hangup(&mut self, handle: HandleId) -> Result<(), Error> {
        self.expect_ack(Command::Hangup { handle }, None)
    }

    /// [`hangup`](Self::hangup) with its own deadline.
    pub fn hangup_timeout(&mut self, handle: HandleId, timeout: Duration) -> Result<(), Error> {
        self.expect_ack(Command::Hangup { handle }, Some(timeout))
    }

    /// `detach`: release the handle.
    pub fn detach(&mut self, handle: HandleId) -> Result<(), Error> {
        self.expect_ack(Command::Detach { handle }, None)
    }

    /// [`detach`](Self::detach) with its own deadline.
    pub fn detach_timeout(&mut self, handle: HandleId, timeout: Duration) -> Result<(), Error> {
        self.expect_ack(Command::Detach { handle }, Some(timeout))
    }

    /// `destroy`: end the session (its keepalives stop).
    pub fn destroy(&mut self, session: SessionId) -> Result<(), Error> {
        self.expect_ack(Command::Destroy { session }, None)
    }

    /// [`destroy`](Self::destroy) with its own deadline.
    pub fn destroy_timeout(&mut self, session: SessionId, timeout: Duration) -> Result<(), Error> {
        self.expect_ack(Command::Destroy { session }, Some(timeout))
    }

    /// `keepalive` now (they also go out on their own, see [`ConnectOptions::keepalive_interval`]).
    pub fn keepalive(&mut self, session: SessionId) -> Result<(), Error> {
        self.expect_ack(Command::Keepalive { session }, None)
    }

    /// [`keepalive`](Self::keepalive) with its own deadline.
    pub fn keepalive_timeout(
        &mut self,
        session: SessionId,
        timeout: Duration,
    ) -> Result<(), Error> {
        self.expect_ack(Command::Keepalive { session }, Some(timeout))
    }

    /// `claim`: take over a session created on another connection (or on this one before a
    /// reconnect; the server needs `reclaim_session_timeout` for an orphaned session). Its
    /// events come here from then on; `handles` are the handles of that session this
    /// connection will use.
    pub fn claim(&mut self, session: SessionId, handles: &[HandleId]) -> Result<(), Error> {
        self.claim_inner(session, handles, None)
    }

    /// [`claim`](Self::claim) with its own deadline.
    pub fn claim_timeout(
        &mut self,
        session: SessionId,
        handles: &[HandleId],
        timeout: Duration,
    ) -> Result<(), Error> {
        self.claim_inner(session, handles, Some(timeout))
    }

    fn claim_inner(
        &mut self,
        session: SessionId,
        handles: &[HandleId],
        timeout: Option<Duration>,
    ) -> Result<(), Error> {
        let command = Command::Claim {
            session,
            handles: handles.to_vec(),
        };
        self.expect_ack(command, timeout)
    }

    // ----- pipelining --------------------------------------------------------------------

    /// Sends a request without waiting for its outcome, and returns its transaction. Collect
    /// the outcome with [`wait`](Self::wait) (or give up with [`cancel`](Self::cancel)):
    /// outcomes are kept until then.
    pub fn submit(&mut self, command: Command) -> Result<TransactionId, Error> {
        self.submit_inner(command, None)
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

    /// [`submit`](Self::submit) with this request's own deadline.
    pub fn submit_with_timeout(
        &mut self,
        command: Command,
        timeout: Duration,
    ) -> Result<TransactionId, Error> {
        self.submit_inner(command, Some(timeout))
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

    /// The next event that is not the outcome of a request: [`Event::Handle`] (plugin
    /// events, `webrtcup`, `media`, `hangup`, `detached`, …), [`Event::Session`] (e.g. a
    /// session `timeout`), [`Event::Connection`], [`Event::Acked`] (of submitted requests)
    /// and [`Event::Lagged`]. Waits at most `timeout` (`Ok(None)`: nothing came), sending
    /// keepalives and enforcing deadlines meanwhile.
    ///
    /// [`Error::Protocol`] reports a frame from the server that could not be used; it was
    /// dropped and the connection goes on. Once the connection has closed and its last
    /// events ([`ConnectionEvent::Closed`](janus_proto::ConnectionEvent::Closed) among them)
    /// have been returned, this returns [`RequestError::ConnectionLost`] (in [`Error::Request`]).
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.driver.next_event(timeout)
    }

    // ----- state -------------------------------------------------------------------------

    /// The protocol state machine, for queries: live sessions and handles, the keepalive
    /// interval in force, how many requests are pending.
    pub fn core(&self) -> &Client {
        &self.driver.core
    }

    /// Whether the connection is closed (by [`close`](Self::close), the server, or an error).
    pub fn is_closed(&self) -> bool {
        self.driver.is_closed()
    }

    /// Why the connection closed, if it did on its own (server gone, socket error, or a
    /// message over the limit: [`Error::MessageTooLarge`], answered with close code 1009).
    pub fn close_reason(&self) -> Option<&Error> {
        self.driver.close_reason()
    }

    /// Closes the WebSocket (waiting briefly for the server's side of the closing
    /// handshake). Sessions are not destroyed: Janus drops them, or keeps them for `claim`
    /// when it has a `reclaim_session_timeout`.
    pub fn close(mut self) {
        self.driver.close(CLOSE_WAIT);
    }

    // ----- helpers -----------------------------------------------------------------------

    fn call(&mut self, command: Command, timeout: Option<Duration>) -> Result<Reply, Error> {
        self.driver.call(command, timeout)
    }

    fn submit_inner(
        &mut self,
        command: Command,
        timeout: Option<Duration>,
    ) -> Result<TransactionId, Error> {
        self.driver.submit(command, timeout)
    }

    fn expect_ack(&mut self, command: Command, timeout: Option<Duration>) -> Result<(), Error> {
        let reply = self.call(command, timeout)?;
        match reply.kind {
            ReplyKind::Ack | ReplyKind::Success | ReplyKind::Pong => Ok(()),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }
}

fn plugin_reply(reply: Reply) -> Result<PluginReply, Error> {
    match reply.kind {
        ReplyKind::Plugin { data, jsep } => Ok(PluginReply {
            data,
            jsep,
            raw: reply.raw,
        }),
        _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
    }
}
