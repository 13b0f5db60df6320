//! The Admin API state machine: one [`AdminClient`] per Admin API connection.
//!
//! # Theory of operation
//!
//! The Admin API is plain request/reply: no sessions are created on it, nothing arrives
//! unsolicited, and every request gets exactly one reply (`success`, `pong`, `server_info`
//! or `error`). So the whole state is a table of pending transactions, each with the kind of
//! request it carries (a reply does not say what it answers, so the kind decides its typed
//! view) and a deadline. A transaction leaves the table exactly once, in
//! [`AdminClient`]'s single `finish` path, and that is the only place an
//! [`AdminEvent::Completed`] is produced. Transactions that were given up (deadline, cancel,
//! closed connection) are remembered for a while so that their replies, if they still come,
//! are reported as [`ConnectionEvent::LateReply`] rather than as unknown.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::error::{ProtocolError, RequestError, UsageError};
use crate::event::{ConnectionEvent, Input};
use crate::ids::{TransactionId, TransactionIds};
use crate::recent::Recent;
use crate::secret::{OutFrame, Secret};
use crate::transmit_queue::TransmitQueue;
use crate::wire::admin::{
    parse_object, AdminMessage, AdminReply, AdminReplyKind, AdminRequest, AdminRequestFrame,
    AdminRequestKind,
};
use crate::wire::RawFrame;

/// Settings of an [`AdminClient`]. Build with [`AdminConfig::new`] and the builder methods.
///
/// ```
/// use std::time::Duration;
/// use janus_proto::admin::AdminConfig;
/// let config = AdminConfig::new()
///     .admin_secret("janusoverlord")
///     .request_timeout(Duration::from_secs(5));
/// assert_eq!(config.request_timeout, Duration::from_secs(5));
/// assert!(!format!("{config:?}").contains("janusoverlord"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AdminConfig {
    /// `admin_secret` put on every request that needs it (all but `info` and `ping`).
    pub admin_secret: Option<Secret>,
    /// Prefix of transaction strings (default empty).
    pub transaction_prefix: String,
    /// Default deadline of a request, from submission to its reply (default 15 s).
    pub request_timeout: Duration,
    /// Largest frame accepted from the server, in bytes (default 16 MiB).
    pub max_incoming_frame: usize,
    /// Largest frame this client will send, in bytes (default 4 MiB).
    pub max_outgoing_frame: usize,
    /// Most requests pending at once (default 10 000).
    pub max_pending: usize,
    /// How many abandoned transactions (timed out, cancelled, lost with the connection) are
    /// remembered so that their replies are recognised as late (default 1024).
    pub memory: usize,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            admin_secret: None,
            transaction_prefix: String::new(),
            request_timeout: Duration::from_secs(15),
            max_incoming_frame: 16 << 20,
            max_outgoing_frame: 4 << 20,
            max_pending: 10_000,
            memory: 1024,
        }
    }
}

impl AdminConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`admin_secret`](Self::admin_secret).
    pub fn admin_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.admin_secret = Some(secret.into());
        self
    }

    /// Sets [`transaction_prefix`](Self::transaction_prefix).
    pub fn transaction_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.transaction_prefix = prefix.into();
        self
    }

    /// Sets [`request_timeout`](Self::request_timeout).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets [`max_incoming_frame`](Self::max_incoming_frame).
    pub fn max_incoming_frame(mut self, bytes: usize) -> Self {
        self.max_incoming_frame = bytes;
        self
    }

    /// Sets [`max_outgoing_frame`](Self::max_outgoing_frame).
    pub fn max_outgoing_frame(mut self, bytes: usize) -> Self {
        self.max_outgoing_frame = bytes;
        self
    }

    /// Sets [`max_pending`](Self::max_pending).
    pub fn max_pending(mut self, n: usize) -> Self {
        self.max_pending = n;
        self
    }

    /// Sets [`memory`](Self::memory).
    pub fn memory(mut self, n: usize) -> Self {
        self.memory = n;
        self
    }
}

/// What an [`AdminClient`] tells its caller, in the order things happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AdminEvent {
    /// A transaction ended: exactly one of these per id [`AdminClient::submit`] returned.
    Completed {
        /// The transaction.
        txn: TransactionId,
        /// Its reply, or why it failed: [`RequestError::Janus`] (an `error` reply, e.g. 403
        /// for a wrong `admin_secret`), [`RequestError::TimedOut`], [`RequestError::Cancelled`],
        /// [`RequestError::ConnectionLost`], or [`RequestError::UnexpectedReply`] for a frame
        /// of a kind no Admin reply has.
        outcome: Result<AdminReply, RequestError>,
    },
    /// Something about the connection as a whole: an error no request can be matched to
    /// ([`ConnectionEvent::Error`], e.g. the 456 Janus sends for a frame it could not
    /// parse), a reply to an abandoned request ([`ConnectionEvent::LateReply`]), a frame for
    /// no transaction of this client ([`ConnectionEvent::Unroutable`]), or the end of the
    /// connection ([`ConnectionEvent::Closed`]).
    Connection(ConnectionEvent),
}

/// The sans-IO state machine of one Admin API connection (WebSocket subprotocol
/// `janus-admin-protocol`).
///
/// It encodes requests (adding `admin_secret` where Janus wants it), correlates replies with
/// requests by transaction, decodes each reply into the typed view for its request, and
/// enforces deadlines. It does no IO and never reads a clock: time comes in as `now` on every
/// call. The contract is the one of [`Client`](crate::Client):
///
/// * (A) Mutations: [`submit`](Self::submit) (and [`cancel`](Self::cancel)),
///   [`handle_input`](Self::handle_input) for every frame received and once for a closed
///   connection, [`handle_timeout`](Self::handle_timeout) when the deadline from
///   [`poll_timeout`](Self::poll_timeout) has passed (an early or extra call does nothing).
/// * (B) After any mutation: send every frame from [`poll_transmit`](Self::poll_transmit)
///   (one WebSocket text message each), then take every event from
///   [`poll_event`](Self::poll_event), then wait until the next frame, request, or
///   [`poll_timeout`](Self::poll_timeout).
///
/// Every submitted transaction ends with exactly one [`AdminEvent::Completed`]. A frame that
/// cannot be used makes [`handle_input`](Self::handle_input) return an error and changes
/// nothing. `now` must not go backwards; an older `now` is taken as the latest one seen.
///
/// ```
/// use std::time::Instant;
/// use janus_proto::admin::{AdminClient, AdminConfig, AdminEvent};
/// use janus_proto::wire::admin::{AdminReplyKind, AdminRequest};
/// use janus_proto::{Input, SessionId};
///
/// # #[allow(clippy::disallowed_methods)]
/// let now = Instant::now();
/// let mut admin = AdminClient::new(AdminConfig::new().admin_secret("janusoverlord"), now);
/// let txn = admin.submit(now, AdminRequest::ListSessions).unwrap();
/// let frame = admin.poll_transmit().unwrap();
/// assert_eq!(
///     frame,
///     r#"{"transaction":"1","janus":"list_sessions","admin_secret":"janusoverlord"}"#
/// );
///
/// // The server answers (indented, as Janus does):
/// let reply = "{\n   \"janus\": \"success\",\n   \"transaction\": \"1\",\n   \"sessions\": [\n      42\n   ]\n}";
/// admin.handle_input(now, Input::text(reply)).unwrap();
/// match admin.poll_event() {
///     Some(AdminEvent::Completed { txn: t, outcome: Ok(reply) }) => {
///         assert_eq!(t, txn);
///         assert_eq!(reply.kind, AdminReplyKind::Sessions(vec![SessionId(42)]));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// assert_eq!(admin.pending(), 0);
/// assert_eq!(admin.poll_timeout(), None);
/// ```
#[derive(Debug)]
pub struct AdminClient {
    config: AdminConfig,
    ids: TransactionIds,
    now: Instant,
    closed: bool,
    pending: BTreeMap<TransactionId, Pending>,
    timers: BTreeSet<(Instant, TransactionId)>,
    /// Transactions given up on: a reply to one of these is late, not unknown.
    abandoned: Recent<TransactionId, ()>,
    transmits: TransmitQueue,
    events: VecDeque<AdminEvent>,
}

#[derive(Debug)]
struct Pending {
    kind: AdminRequestKind,
    deadline: Instant,
}

impl AdminClient {
    /// A client for an Admin API connection that is open at `now`.
    pub fn new(config: AdminConfig, now: Instant) -> Self {
        Self {
            ids: TransactionIds::new(config.transaction_prefix.clone()),
            now,
            closed: false,
            pending: BTreeMap::new(),
            timers: BTreeSet::new(),
            abandoned: Recent::new(config.memory),
            transmits: TransmitQueue::default(),
            events: VecDeque::new(),
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AdminConfig {
        &self.config
    }

    /// Submits a request with the default deadline ([`AdminConfig::request_timeout`]).
    ///
    /// Returns its transaction; its outcome comes as exactly one [`AdminEvent::Completed`].
    pub fn submit(
        &mut self,
        now: Instant,
        request: AdminRequest,
    ) -> Result<TransactionId, UsageError> {
        let timeout = self.config.request_timeout;
        self.submit_with_timeout(now, request, timeout)
    }

    /// Submits a request that fails with [`RequestError::TimedOut`] if it has no reply
    /// `timeout` after `now`.
    ///
    /// Fails, sending nothing, when the connection is closed, when
    /// [`AdminConfig::max_pending`] requests are pending, when the encoded frame exceeds
    /// [`AdminConfig::max_outgoing_frame`], or when a payload Janus requires to be a JSON
    /// object is not one ([`UsageError::BodyNotObject`]: `request` of `message_plugin` and
    /// the queries, `data` of `custom_event`).
    pub fn submit_with_timeout(
        &mut self,
        now: Instant,
        request: AdminRequest,
        timeout: Duration,
    ) -> Result<TransactionId, UsageError> {
        self.advance(now);
        if self.closed {
            return Err(UsageError::Closed);
        }
        if self.pending.len() >= self.config.max_pending {
            return Err(UsageError::TooManyPending {
                max: self.config.max_pending,
            });
        }
        if let Some((payload, may_be_absent)) = request.object_payload() {
            if !(payload.is_object() || (may_be_absent && payload.is_null())) {
                return Err(UsageError::BodyNotObject);
            }
        }
        let kind = request.kind();
        let txn = self.ids.next();
        let frame = AdminRequestFrame {
            transaction: self.ids.to_wire(txn),
            admin_secret: if kind.needs_secret() {
                self.config.admin_secret.clone()
            } else {
                None
            },
            request,
        }
        .encode();
        if frame.len() > self.config.max_outgoing_frame {
            return Err(UsageError::FrameTooLarge {
                len: frame.len(),
                max: self.config.max_outgoing_frame,
            });
        }
        let deadline = self.later(timeout);
        self.pending.insert(txn, Pending { kind, deadline });
        self.timers.insert((deadline, txn));
        self.transmits.push(txn, OutFrame(frame));
        Ok(txn)
    }

    /// Cancels a pending request: it ends with [`RequestError::Cancelled`]. One whose frame
    /// [`poll_transmit`](Self::poll_transmit) has not given out yet is never sent; the reply to
    /// one already sent, if it still comes, is reported as [`ConnectionEvent::LateReply`].
    pub fn cancel(&mut self, now: Instant, txn: TransactionId) -> Result<(), UsageError> {
        self.advance(now);
        if !self.pending.contains_key(&txn) {
            return Err(UsageError::NotPending(txn));
        }
        let sent = !self.transmits.withdraw(txn);
        self.finish(txn, Err(RequestError::Cancelled), sent);
        Ok(())
    }

    /// Feeds one input: a frame received, or the end of the connection.
    ///
    /// A frame that cannot be used returns an error and changes nothing.
    pub fn handle_input(&mut self, now: Instant, input: Input) -> Result<(), ProtocolError> {
        self.advance(now);
        match input {
            Input::Closed => {
                self.on_closed();
                Ok(())
            }
            Input::Frame(bytes) => self.on_frame(bytes),
        }
    }

    /// Fails every request whose deadline is at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        while let Some(&(at, txn)) = self.timers.first() {
            if at > self.now {
                break;
            }
            self.timers.pop_first();
            self.finish(txn, Err(RequestError::TimedOut { acked: false }), true);
        }
    }

    /// The connection is up again after [`Input::Closed`]: requests can be submitted.
    pub fn reconnect(&mut self, now: Instant) {
        self.advance(now);
        self.closed = false;
    }

    /// The next frame to send, one JSON object with nothing after it.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<String> {
        self.transmits.pop()
    }

    /// The next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<AdminEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called; `None` when no
    /// request is pending.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.first().map(|&(at, _)| at)
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// How many submitted requests have no outcome yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The kind of a pending request, `None` if it is not pending.
    pub fn pending_kind(&self, txn: TransactionId) -> Option<AdminRequestKind> {
        self.pending.get(&txn).map(|p| p.kind)
    }

    /// `now + d`, saturating far in the future instead of overflowing.
    fn later(&self, d: Duration) -> Instant {
        self.now
            .checked_add(d)
            .or_else(|| self.now.checked_add(Duration::from_secs(1 << 32)))
            .unwrap_or(self.now)
    }

    fn advance(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    /// Ends a transaction with its outcome; the single place where transactions end.
    /// `abandon`: remember it so that a reply still to come is reported as late.
    fn finish(
        &mut self,
        txn: TransactionId,
        outcome: Result<AdminReply, RequestError>,
        abandon: bool,
    ) {
        let Some(p) = self.pending.remove(&txn) else {
            return;
        };
        self.timers.remove(&(p.deadline, txn));
        if abandon {
            self.abandoned.insert(txn, ());
        }
        self.events
            .push_back(AdminEvent::Completed { txn, outcome });
    }

    fn on_closed(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.transmits.clear();
        let txns: Vec<TransactionId> = self.pending.keys().copied().collect();
        for txn in txns {
            self.finish(txn, Err(RequestError::ConnectionLost), true);
        }
        self.events
            .push_back(AdminEvent::Connection(ConnectionEvent::Closed));
    }

    fn on_frame(&mut self, bytes: Bytes) -> Result<(), ProtocolError> {
        if bytes.len() > self.config.max_incoming_frame {
            return Err(ProtocolError::FrameTooLarge {
                len: bytes.len(),
                max: self.config.max_incoming_frame,
            });
        }
        if std::str::from_utf8(&bytes).is_err() {
            return Err(ProtocolError::NotUtf8);
        }
        let value = parse_object(&bytes)?;
        let message = AdminMessage::classify(&value)?;
        let raw = RawFrame::new(bytes);
        match message {
            AdminMessage::Reply { transaction } => {
                if let Some((txn, kind)) = self.pending_for(&transaction, &raw) {
                    let kind = AdminReplyKind::from_frame(kind, &value);
                    self.finish(txn, Ok(AdminReply { kind, raw }), false);
                }
            }
            AdminMessage::Error {
                transaction: Some(transaction),
                error,
                ..
            } => {
                if let Some((txn, _)) = self.pending_for(&transaction, &raw) {
                    self.finish(txn, Err(RequestError::Janus(error)), false);
                }
            }
            AdminMessage::Error {
                transaction: None,
                error,
                ..
            } => self
                .events
                .push_back(AdminEvent::Connection(ConnectionEvent::Error {
                    error,
                    raw,
                })),
            AdminMessage::Unknown {
                transaction: Some(transaction),
                ..
            } => {
                if let Some((txn, _)) = self.pending_for(&transaction, &raw) {
                    self.finish(txn, Err(RequestError::UnexpectedReply(raw)), false);
                }
            }
            AdminMessage::Unknown {
                transaction: None, ..
            } => self.unroutable(raw),
        }
        Ok(())
    }

    /// The pending transaction a wire string names; otherwise reports the frame as a late
    /// reply or as unroutable.
    fn pending_for(
        &mut self,
        transaction: &str,
        raw: &RawFrame,
    ) -> Option<(TransactionId, AdminRequestKind)> {
        let Some(txn) = self.ids.parse(transaction) else {
            self.unroutable(raw.clone());
            return None;
        };
        if let Some(p) = self.pending.get(&txn) {
            return Some((txn, p.kind));
        }
        if self.abandoned.remove(&txn).is_some() {
            self.events
                .push_back(AdminEvent::Connection(ConnectionEvent::LateReply {
                    txn,
                    raw: raw.clone(),
                }));
        } else {
            self.unroutable(raw.clone());
        }
        None
    }

    fn unroutable(&mut self, raw: RawFrame) {
        self.events
            .push_back(AdminEvent::Connection(ConnectionEvent::Unroutable { raw }));
    }
}
