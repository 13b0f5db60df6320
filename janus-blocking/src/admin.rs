//! [`AdminConnection`]: one Admin API connection (a WebSocket, HTTP or a Unix socket), driven
//! from the caller's thread.

use std::time::{Duration, Instant};

use janus_proto::admin::{AdminApi, AdminClient, AdminEvent};
use janus_proto::request::{self, Request};
use janus_proto::wire::admin::{AdminReply, AdminRequest, HandleInfo};
use janus_proto::{HandleId, Secret, SessionId, TransactionId};
use janus_ws_connect::ADMIN_PROTOCOL;

use crate::driver::{Dialer, Driver};
use crate::options::ConnectOptions;
use crate::Error;

/// How long [`AdminConnection::close`] waits for the server's side of the closing handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// One Admin API connection: a WebSocket (subprotocol `janus-admin-protocol`, the Admin
/// port, 7188 by default), the Admin API of Janus's HTTP transport
/// (`http://host:7088/admin`, see [Over HTTP](crate#over-http)) or the `admin_path` socket
/// of Janus's Unix sockets transport (`unix:/path`).
///
/// Every request carries the [`ConnectOptions::admin_secret`] where Janus wants it. Any
/// request goes through [`call`](Self::call): an [`AdminRequest`] in, an [`AdminReply`]
/// out, or a typed request from [`request`](crate::request) and its typed output; the
/// common ones have shorthands. As on [`Connection`](crate::Connection),
/// all IO happens inside the calls, on the caller's thread.
///
/// ```no_run
/// use janus_blocking::{AdminConnection, ConnectOptions, Error};
///
/// fn main() -> Result<(), Error> {
///     let options = ConnectOptions::new().admin_secret("janusoverlord");
///     let mut admin = AdminConnection::connect("ws://127.0.0.1:7188", options)?;
///     for session in admin.list_sessions()? {
///         println!("{session}: {:?}", admin.list_handles(session)?);
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct AdminConnection {
    driver: Driver<AdminApi>,
}

impl AdminConnection {
    /// Connects to an Admin API endpoint (`ws://…` or `wss://…`) with subprotocol
    /// `janus-admin-protocol`; to the Admin API of Janus's HTTP transport
    /// (`http://host:7088/admin` or `https://…`, its `admin_base_path`; each request is a
    /// `POST`, see [Over HTTP](crate#over-http)); or to the `admin_path` of Janus's Unix
    /// sockets transport (`unix:/path`; there the path decides the API: the Janus API's
    /// socket answers the Admin API's requests with error 457). From `options` it uses the
    /// admin secret, the connect settings, and of the protocol settings the request timeout,
    /// frame limits, pending limit, event queue capacity, memory and transaction prefix.
    ///
    /// A Janus API WebSocket URL (or any server refusing the subprotocol) gives
    /// [`ConnectError::HandshakeRejected`](crate::ConnectError::HandshakeRejected). Over HTTP
    /// only the TCP connection (and TLS) is made here: a wrong path shows at the first
    /// request ([`RequestError::Http`](crate::RequestError::Http) with the server's status).
    pub fn connect(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        let dialer = Dialer {
            url: url.to_owned(),
            protocol: ADMIN_PROTOCOL,
            config: options.common.protocol_config_for(url),
            options: options.common,
        };
        Ok(Self {
            driver: Driver::connect(dialer, |config| AdminClient::new(config, Instant::now()))?,
        })
    }

    /// Keeps the connection alive between calls (pings, pong deadline, reconnect) without
    /// waiting; returns when it must be called again. See
    /// [`Connection::poll`](crate::Connection::poll).
    pub fn poll(&mut self) -> Result<Instant, Error> {
        self.driver.poll()
    }

    /// Sends any Admin API request and waits for its outcome: an [`AdminRequest`] gives
    /// the [`AdminReply`], a typed one from [`request`](crate::request) its typed output.
    /// Its deadline is its own ([`Request::within`]) or
    /// [`ConnectOptions::request_timeout`].
    pub fn call<R>(&mut self, request: R) -> Result<R::Output, Error>
    where
        R: Request<Command = AdminRequest, Reply = AdminReply>,
    {
        self.driver.call(request)
    }

    /// Sends a request without waiting; collect its reply with [`wait`](Self::wait).
    pub fn submit<R>(&mut self, request: R) -> Result<TransactionId, Error>
    where
        R: Request<Command = AdminRequest, Reply = AdminReply>,
    {
        self.driver.submit(request)
    }

    /// Waits for the reply to a submitted request.
    pub fn wait(&mut self, txn: TransactionId) -> Result<AdminReply, Error> {
        self.driver.wait(txn)
    }

    /// Gives up on a submitted request and forgets its outcome.
    pub fn cancel(&mut self, txn: TransactionId) -> Result<(), Error> {
        self.driver.cancel(txn)
    }

    /// The next event that is not a reply (an error no request can be matched to, a late
    /// reply, an unroutable frame, the connection closing), waiting at most `timeout`.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<AdminEvent>, Error> {
        self.driver.next_event(None, timeout)
    }

    /// `list_sessions`: every session on the server.
    pub fn list_sessions(&mut self) -> Result<Vec<SessionId>, Error> {
        self.call(request::ListSessions)
    }

    /// `list_handles`: every handle of a session (458 for an unknown session).
    pub fn list_handles(&mut self, session: SessionId) -> Result<Vec<HandleId>, Error> {
        self.call(request::ListHandles(session))
    }

    /// `handle_info`: everything Janus knows about a handle.
    pub fn handle_info(
        &mut self,
        session: SessionId,
        handle: HandleId,
    ) -> Result<HandleInfo, Error> {
        self.call(request::GetHandleInfo::new(session, handle))
    }

    /// `set_log_level` (0–7; Janus answers 467 otherwise); returns the level now in force.
    pub fn set_log_level(&mut self, level: u8) -> Result<u8, Error> {
        self.call(request::SetLogLevel(level))
    }

    /// `add_token` (servers with `token_auth`): a stored token for these plugins (`None`:
    /// all); returns the plugins it may use.
    pub fn add_token(
        &mut self,
        token: impl Into<Secret>,
        plugins: Option<Vec<String>>,
    ) -> Result<Vec<String>, Error> {
        self.call(request::AddToken {
            token: token.into(),
            plugins,
        })
    }

    /// `detach_handle`: detach a handle (its session's owner receives `detached`).
    pub fn detach_handle(&mut self, session: SessionId, handle: HandleId) -> Result<(), Error> {
        self.call(request::DetachHandle { session, handle })
    }

    /// `destroy_session`: destroy a session (its owner is not told).
    pub fn destroy_session(&mut self, session: SessionId) -> Result<(), Error> {
        self.call(request::DestroySession(session))
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.driver.is_closed()
    }

    /// Why the connection closed, if it did on its own.
    pub fn close_reason(&self) -> Option<&Error> {
        self.driver.close_reason()
    }

    /// The protocol state machine, for queries (e.g. how many requests are pending).
    pub fn core(&self) -> &AdminClient {
        &self.driver.core
    }

    /// Closes the connection.
    pub fn close(mut self) {
        self.driver.close(CLOSE_WAIT);
    }
}
