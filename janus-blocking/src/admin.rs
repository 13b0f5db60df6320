//! [`AdminConnection`]: one Admin API WebSocket, driven from the caller's thread.

use std::time::{Duration, Instant};

use janus_proto::admin::{AdminClient, AdminConfig, AdminEvent};
use janus_proto::wire::admin::{AdminReply, AdminReplyKind, AdminRequest, HandleInfo};
use janus_proto::{HandleId, Secret, SessionId, TransactionId};

use janus_proto::RequestError;
use janus_ws_connect::ADMIN_PROTOCOL;

use crate::driver::Driver;
use crate::options::ConnectOptions;
use crate::socket::Socket;
use crate::Error;

/// How long [`AdminConnection::close`] waits for the server's side of the closing handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// One Admin API connection (WebSocket subprotocol `janus-admin-protocol`, the Admin port,
/// 7188 by default).
///
/// Every request carries the [`ConnectOptions::admin_secret`] where Janus wants it. Any
/// request goes through [`request`](Self::request) (an [`AdminRequest`] in, an
/// [`AdminReply`] out); the common ones have typed helpers. As on [`Connection`](crate::Connection),
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
    driver: Driver<AdminClient>,
}

impl AdminConnection {
    /// Connects to an Admin API endpoint (`ws://…` or `wss://…`) with subprotocol
    /// `janus-admin-protocol`. From `options` it uses the admin secret, the connect
    /// settings, and of the protocol settings the request timeout, frame limits, pending
    /// limit, memory and transaction prefix.
    ///
    /// A Janus API URL (or any server refusing the subprotocol) gives
    /// [`ConnectError::HandshakeRejected`](crate::ConnectError::HandshakeRejected).
    pub fn connect(url: &str, options: ConnectOptions) -> Result<Self, Error> {
        let c = options.protocol_config();
        let socket = Socket::connect(url, ADMIN_PROTOCOL, &options.common, &c)?;
        let mut config = AdminConfig::new()
            .transaction_prefix(c.transaction_prefix.clone())
            .request_timeout(c.request_timeout)
            .max_incoming_frame(c.max_incoming_frame)
            .max_outgoing_frame(c.max_outgoing_frame)
            .max_pending(c.max_pending)
            .memory(c.memory);
        if let Some(secret) = options.common.admin_secret.clone() {
            config = config.admin_secret(secret);
        }
        let core = AdminClient::new(config, Instant::now());
        Ok(Self {
            driver: Driver::new(socket, core, usize::MAX),
        })
    }

    /// Sends a request and waits for its reply (within
    /// [`ConnectOptions::request_timeout`]).
    pub fn request(&mut self, request: AdminRequest) -> Result<AdminReply, Error> {
        self.driver.call(request, None)
    }

    /// [`request`](Self::request) with its own deadline.
    pub fn request_timeout(
        &mut self,
        request: AdminRequest,
        timeout: Duration,
    ) -> Result<AdminReply, Error> {
        self.driver.call(request, Some(timeout))
    }

    /// Sends a request without waiting; collect its reply with [`wait`](Self::wait).
    pub fn submit(&mut self, request: AdminRequest) -> Result<TransactionId, Error> {
        self.driver.submit(request, None)
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
        self.driver.next_event(timeout)
    }

    /// `list_sessions`: every session on the server.
    pub fn list_sessions(&mut self) -> Result<Vec<SessionId>, Error> {
        let reply = self.request(AdminRequest::ListSessions)?;
        match reply.kind {
            AdminReplyKind::Sessions(sessions) => Ok(sessions),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `list_handles`: every handle of a session (458 for an unknown session).
    pub fn list_handles(&mut self, session: SessionId) -> Result<Vec<HandleId>, Error> {
        let reply = self.request(AdminRequest::ListHandles {
            session_id: session,
        })?;
        match reply.kind {
            AdminReplyKind::Handles { handles, .. } => Ok(handles),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `handle_info`: everything Janus knows about a handle.
    pub fn handle_info(
        &mut self,
        session: SessionId,
        handle: HandleId,
    ) -> Result<HandleInfo, Error> {
        let reply = self.request(AdminRequest::HandleInfo {
            session_id: session,
            handle_id: handle,
            plugin_only: None,
        })?;
        match reply.kind {
            AdminReplyKind::HandleInfo { info, .. } => Ok(info),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `set_log_level` (0–7; Janus answers 467 otherwise); returns the level now in force.
    pub fn set_log_level(&mut self, level: u8) -> Result<u8, Error> {
        let reply = self.request(AdminRequest::SetLogLevel { level })?;
        match reply.kind {
            AdminReplyKind::LogLevel(level) => Ok(level),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `add_token` (servers with `token_auth`): a stored token for these plugins (`None`:
    /// all); returns the plugins it may use.
    pub fn add_token(
        &mut self,
        token: impl Into<Secret>,
        plugins: Option<Vec<String>>,
    ) -> Result<Vec<String>, Error> {
        let reply = self.request(AdminRequest::AddToken {
            token: token.into(),
            plugins,
        })?;
        match reply.kind {
            AdminReplyKind::TokenPlugins(plugins) => Ok(plugins),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }

    /// `detach_handle`: detach a handle (its session's owner receives `detached`).
    pub fn detach_handle(&mut self, session: SessionId, handle: HandleId) -> Result<(), Error> {
        self.expect_done(AdminRequest::DetachHandle {
            session_id: session,
            handle_id: handle,
        })
    }

    /// `destroy_session`: destroy a session (its owner is not told).
    pub fn destroy_session(&mut self, session: SessionId) -> Result<(), Error> {
        self.expect_done(AdminRequest::DestroySession {
            session_id: session,
        })
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

    /// Closes the WebSocket.
    pub fn close(mut self) {
        self.driver.close(CLOSE_WAIT);
    }

    fn expect_done(&mut self, request: AdminRequest) -> Result<(), Error> {
        let reply = self.request(request)?;
        match reply.kind {
            AdminReplyKind::Done => Ok(()),
            _ => Err(Error::Request(RequestError::UnexpectedReply(reply.raw))),
        }
    }
}
