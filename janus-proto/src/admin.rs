//! The Admin API state machine: one [`AdminClient`] per Admin API connection.
//!
//! # Theory of operation
//!
//! The Admin API is plain request/reply: no sessions are created on it, nothing arrives
//! unsolicited, and every request gets exactly one reply (`success`, `pong`, `server_info`
//! or `error`). So the whole state is a table of pending transactions, each with the kind of
//! request it carries (a reply does not say what it answers, so the kind decides its typed
//! view) and a deadline. That table, the deadlines, the transmit queue, the late-reply
//! memory, the limits and the bounded event queue are the transaction engine the Janus API
//! client runs on too ([`Core`]): the Admin API has every guarantee the Janus API has. A
//! transaction ends exactly once, with one [`Event::Completed`]; transactions that were given
//! up (deadline, cancel, closed connection) are remembered for a while so that their
//! replies, if they still come, are reported as [`ConnectionEvent::LateReply`] rather than
//! as unknown.

use std::time::Duration;

use crate::config::Config;
use crate::core::{sealed::Layer, Core};
use crate::engine::Described;
use crate::engine::{Engine, Finished};
use crate::error::{ProtocolError, RequestError, UsageError};
use crate::event::{ConnectionEvent, Event};
use crate::http::Route;
use crate::ids::{HandleId, SessionId, TransactionId};
use crate::wire::admin::{
    parse_object_str, AdminMessage, AdminReply, AdminReplyKind, AdminRequest, AdminRequestFrame,
    AdminRequestKind,
};
use crate::wire::RawFrame;
use bytes::Bytes;

/// What an [`AdminClient`] tells its caller, in the order things happened:
/// [`Event::Completed`] with an [`AdminReply`] (or how the request failed:
/// [`RequestError::Janus`] for an `error` reply, e.g. 403 for a wrong `admin_secret`,
/// [`RequestError::UnexpectedReply`] for a frame of a kind no Admin reply has, or a
/// deadline, cancel or closed connection), [`Event::Connection`] (an error no request can be
/// matched to, such as the 456 Janus sends for a frame it could not parse; a late reply; an
/// unroutable frame; the end of the connection), and [`Event::Lagged`].
pub type AdminEvent = Event<AdminReply>;

/// The sans-IO state machine of one Admin API connection (WebSocket subprotocol
/// `janus-admin-protocol`).
///
/// It encodes requests (adding [`Config::admin_secret`] where Janus wants it), correlates
/// replies with requests by transaction, decodes each reply into the typed view for its
/// request, and enforces deadlines. The loop and its contract are [`Core`]'s, as for the
/// Janus API's [`Client`](crate::Client): [`AdminRequest`] in, [`AdminEvent`] out.
///
/// A request whose payload Janus requires to be a JSON object but is not one is refused
/// with [`UsageError::BodyNotObject`] (`request` of `message_plugin` and the queries, `data`
/// of `custom_event`).
///
/// ```
/// use std::time::Instant;
/// use janus_proto::admin::{AdminClient, AdminEvent};
/// use janus_proto::wire::admin::{AdminReplyKind, AdminRequest};
/// use janus_proto::{Config, Input, SessionId};
///
/// # #[allow(clippy::disallowed_methods)]
/// let now = Instant::now();
/// let mut admin = AdminClient::new(Config::new().admin_secret("janusoverlord"), now);
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
/// // Only the liveness ping is armed: 10 s of silence from now.
/// assert_eq!(admin.poll_timeout(), Some(now + std::time::Duration::from_secs(10)));
/// ```
pub type AdminClient = Core<AdminApi>;

/// The Admin API layer of an [`AdminClient`]: the admin secret (the engine keeps the rest).
#[derive(Debug)]
pub struct AdminApi(());

type AdminEngine = Engine<AdminWhat, AdminReply>;

/// What the Admin API layer keeps about a pending request: its kind (which decides how its
/// reply is read) and the session and handle it names (its route over HTTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminWhat {
    kind: AdminRequestKind,
    session: Option<SessionId>,
    handle: Option<HandleId>,
}

impl Described for AdminWhat {
    fn kind(&self) -> &'static str {
        self.kind.name()
    }

    fn session(&self) -> Option<SessionId> {
        self.session
    }

    fn handle(&self) -> Option<HandleId> {
        self.handle
    }
}

impl Core<AdminApi> {
    /// The kind of a pending request, `None` if it is not pending.
    pub fn pending_kind(&self, txn: TransactionId) -> Option<AdminRequestKind> {
        self.engine.pending(txn).map(|p| p.what.kind)
    }
}

impl Layer for AdminApi {
    type Command = AdminRequest;
    type Reply = AdminReply;
    type What = AdminWhat;

    fn new(_: &Config) -> Self {
        AdminApi(())
    }

    fn submit(
        &mut self,
        engine: &mut AdminEngine,
        config: &Config,
        request: AdminRequest,
        timeout: Duration,
    ) -> Result<TransactionId, UsageError> {
        if let Some((payload, may_be_absent)) = request.object_payload() {
            if !(payload.is_object() || (may_be_absent && payload.is_null())) {
                return Err(UsageError::BodyNotObject);
            }
        }
        let kind = request.kind();
        let what = AdminWhat {
            kind,
            session: request.session_id(),
            handle: request.handle_id(),
        };
        let (_, transaction) = engine.next_id();
        let frame = AdminRequestFrame {
            transaction,
            admin_secret: if kind.needs_secret() {
                config.admin_secret.clone()
            } else {
                None
            },
            request,
        }
        .encode();
        let frame = engine.check_frame(frame)?;
        Ok(engine.open(what, frame, timeout, false, false))
    }

    fn finish(
        &mut self,
        engine: &mut AdminEngine,
        txn: TransactionId,
        outcome: Result<AdminReply, RequestError>,
        mark: Option<Finished>,
    ) {
        engine.finish(txn, outcome, mark);
    }

    fn on_frame(
        &mut self,
        engine: &mut AdminEngine,
        text: &str,
        bytes: &Bytes,
    ) -> Result<(), ProtocolError> {
        let value = parse_object_str(text)?;
        let message = AdminMessage::classify(&value)?;
        let raw = RawFrame::new(bytes.clone());
        match message {
            AdminMessage::Reply { transaction } => {
                if let Some(txn) = engine.answered(&transaction, &raw) {
                    if let Some(kind) = engine.pending(txn).map(|p| p.what.kind) {
                        let kind = AdminReplyKind::from_frame(kind, &value);
                        engine.finish(txn, Ok(AdminReply { kind, raw }), None);
                    }
                }
            }
            AdminMessage::Error {
                transaction: Some(transaction),
                error,
                ..
            } => {
                if let Some(txn) = engine.answered(&transaction, &raw) {
                    engine.finish(txn, Err(RequestError::Janus(error)), None);
                }
            }
            AdminMessage::Error {
                transaction: None,
                error,
                ..
            } => engine.push(Event::Connection(ConnectionEvent::Error { error, raw })),
            AdminMessage::Unknown {
                transaction: Some(transaction),
                ..
            } => {
                if let Some(txn) = engine.answered(&transaction, &raw) {
                    engine.finish(txn, Err(RequestError::UnexpectedReply(raw)), None);
                }
            }
            AdminMessage::Unknown {
                transaction: None, ..
            } => engine.unroutable(raw),
        }
        Ok(())
    }

    fn on_closed(&mut self, _: &mut AdminEngine) {}

    fn next_timer(&self) -> Option<std::time::Instant> {
        None
    }

    fn fire_timer(&mut self, _: &mut AdminEngine, _: &Config) {}

    fn route(&self, what: &AdminWhat) -> Route {
        match (what.session, what.handle) {
            (Some(s), Some(h)) => Route::post(format!("/{s}/{h}")),
            (Some(s), None) => Route::post(format!("/{s}")),
            _ => Route::post(String::new()),
        }
    }
}
