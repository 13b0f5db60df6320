//! The Janus API: [`Client`], a [`Core`] speaking [`JanusApi`] (sessions, handles,
//! keepalives, ordering per handle) over the shared transaction engine.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::command::Command;
use crate::config::{Config, Ordering};
use crate::core::{sealed::Layer, Core};
use crate::engine::Described;
use crate::engine::{Engine, Finished, Stage};
use crate::error::{PluginError, ProtocolError, RequestError, UsageError};
use crate::event::{
    ConnectionEvent, Event, HandleEvent, HandleEventKind, Input, Reply, ReplyKind, SessionEnd,
    SessionEvent,
};
use crate::http::{Method, Route};
use crate::ids::{HandleId, SessionId, TransactionId};
use crate::observe::Observation;
use crate::recent::Recent;
use crate::router::EventTarget;
use crate::secret::OutFrame;
use crate::wire::{
    JanusError, Jsep, PluginData, RawFrame, Request, RequestBody, ServerInfo, ServerMessage,
};

/// The state of a session this client knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Created or claimed on the current connection: keepalives go out, events come here.
    Active,
    /// The connection it lived on closed; [`Command::Claim`] revives it if the server kept it.
    /// When the server's reclaim window is known (from an `info` reply's
    /// `reclaim-session-timeout`), a session not claimed within it ends with
    /// [`SessionEnd::NotReclaimed`]: at once when the window is zero (Janus's default, which
    /// destroys a session when its connection goes).
    Orphaned,
}

/// The sans-IO state machine of one Janus API connection.
///
/// It owns every session and handle of the connection, correlates replies with requests,
/// routes events, sends keepalives and enforces deadlines. The loop and its contract are
/// [`Core`]'s; what is particular to the Janus API is listed here:
///
/// * [`Command`] in; [`Event`] out, with outcomes as [`Reply`].
/// * Each session gets a keepalive every [`Config::keepalive_interval`] of idleness.
/// * Requests on a handle keep their order ([`Ordering`]).
/// * A 458 (no such session) answering any request ends that session here, with
///   [`SessionEnd::Gone`]; a 459 (no such handle) ends that handle, with
///   [`HandleEventKind::Gone`].
/// * Events are routed to the handle and session they name; one naming a handle this client
///   does not know (or a session it never had) is [`ConnectionEvent::Unroutable`].
pub type Client = Core<JanusApi>;

/// The Janus API layer of a [`Client`]: its sessions, handles and keepalives.
#[derive(Debug)]
pub struct JanusApi {
    /// Over HTTP, where each long-poll is a keepalive.
    http: bool,
    /// The configured interval, and whether a `server_info` may shorten it.
    keepalive_base: Duration,
    keepalive_from_server_info: bool,
    keepalive_interval: Duration,
    ordering: Ordering,
    /// The pending transactions of each session (by `What::session`), so that ending a
    /// session or handle costs its own transactions, not all of them.
    by_session: BTreeMap<SessionId, BTreeSet<TransactionId>>,
    keepalives: BTreeSet<(Instant, SessionId)>,
    /// The server's reclaim window, from the last `info` reply.
    reclaim_window: Option<Duration>,
    /// When each orphaned session's reclaim window ends.
    orphans: BTreeSet<(Instant, SessionId)>,
    sessions: BTreeMap<SessionId, Session>,
    handles: BTreeMap<HandleId, Handle>,
    ended_sessions: Recent<SessionId, ()>,
    ended_handles: Recent<HandleId, SessionId>,
    /// Handles our `detach` ended whose `detached` notice has not come yet: their event
    /// queues stay open for it (until it comes, or their session ends).
    awaiting_detached: BTreeMap<HandleId, SessionId>,
    /// While the connection is down or resuming (with a reconnect policy).
    gap: Option<Gap>,
}

/// A reconnect in progress: from the connection's loss until every session is claimed.
#[derive(Debug)]
struct Gap {
    since: Instant,
    /// The new connection is open; the claims below are out.
    connected: bool,
    /// Sessions whose claim has no outcome yet.
    claims: BTreeSet<SessionId>,
    claimed: Vec<SessionId>,
    lost: Vec<(SessionId, SessionEnd)>,
}

/// What the Janus API layer keeps about a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Info,
    Ping,
    Create(Option<SessionId>),
    /// The session, the ordering of the new handle, the plugin.
    Attach(SessionId, Ordering, String),
    Message(SessionId, HandleId),
    Trickle(SessionId, HandleId),
    Hangup(SessionId, HandleId),
    Detach(SessionId, HandleId),
    Destroy(SessionId),
    Keepalive(SessionId),
    Claim(SessionId, Vec<HandleId>),
}

impl What {
    fn session(&self) -> Option<SessionId> {
        match self {
            What::Info | What::Ping | What::Create(_) => None,
            What::Attach(s, ..)
            | What::Message(s, _)
            | What::Trickle(s, _)
            | What::Hangup(s, _)
            | What::Detach(s, _)
            | What::Destroy(s)
            | What::Keepalive(s)
            | What::Claim(s, _) => Some(*s),
        }
    }

    fn handle(&self) -> Option<HandleId> {
        match self {
            What::Message(_, h) | What::Trickle(_, h) | What::Hangup(_, h) | What::Detach(_, h) => {
                Some(*h)
            }
            _ => None,
        }
    }
}

impl Described for What {
    fn kind(&self) -> &'static str {
        match self {
            What::Info => "info",
            What::Ping => "ping",
            What::Create(_) => "create",
            What::Attach(..) => "attach",
            What::Message(..) => "message",
            What::Trickle(..) => "trickle",
            What::Hangup(..) => "hangup",
            What::Detach(..) => "detach",
            What::Destroy(_) => "destroy",
            What::Keepalive(_) => "keepalive",
            What::Claim(..) => "claim",
        }
    }

    fn session(&self) -> Option<SessionId> {
        What::session(self)
    }

    fn handle(&self) -> Option<HandleId> {
        What::handle(self)
    }

    fn plugin(&self) -> Option<&str> {
        match self {
            What::Attach(_, _, plugin) => Some(plugin),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Session {
    state: SessionState,
    keepalive_at: Option<Instant>,
    /// Orphaned: when the server's reclaim window ends.
    orphan_until: Option<Instant>,
    keepalive_txn: Option<TransactionId>,
    handles: BTreeSet<HandleId>,
    /// Over HTTP: Janus refused its poll while its `destroy` was pending (the destroy's reply
    /// ends it; it is not polled meanwhile).
    unpolled: bool,
}

#[derive(Debug)]
struct Handle {
    session: SessionId,
    ordering: Ordering,
    /// Requests waiting for earlier messages, in submission order.
    held: VecDeque<TransactionId>,
    /// Messages sent and not yet accepted (no ack, reply or error yet).
    unaccepted: BTreeSet<TransactionId>,
    /// Messages sent and not yet finished.
    open: BTreeSet<TransactionId>,
}

impl Handle {
    fn new(session: SessionId, ordering: Ordering) -> Self {
        Handle {
            session,
            ordering,
            held: VecDeque::new(),
            unaccepted: BTreeSet::new(),
            open: BTreeSet::new(),
        }
    }
}

/// A reply-type message, before it is matched with its request.
enum Answer {
    ServerInfo(Box<ServerInfo>),
    Pong,
    Success {
        id: Option<u64>,
        plugindata: Option<PluginData>,
    },
    Error(JanusError),
}

type JanusEngine = Engine<What, Reply>;

impl Core<JanusApi> {
    /// The sessions this client holds, with their state.
    pub fn sessions(&self) -> impl Iterator<Item = (SessionId, SessionState)> + '_ {
        self.api.sessions.iter().map(|(id, s)| (*id, s.state))
    }

    /// The state of one session, `None` if it is unknown or has ended.
    pub fn session_state(&self, session: SessionId) -> Option<SessionState> {
        self.api.sessions.get(&session).map(|s| s.state)
    }

    /// The live handles of a session.
    pub fn handles(&self, session: SessionId) -> impl Iterator<Item = HandleId> + '_ {
        self.api
            .sessions
            .get(&session)
            .into_iter()
            .flat_map(|s| s.handles.iter().copied())
    }

    /// The session a live handle belongs to.
    pub fn session_of(&self, handle: HandleId) -> Option<SessionId> {
        self.api.session_of(handle)
    }

    /// The keepalive interval in force (possibly shortened by a `server_info`).
    pub fn keepalive_interval(&self) -> Duration {
        self.api.keepalive_interval
    }
}

impl Layer for JanusApi {
    type Command = Command;
    type Reply = Reply;
    type What = What;

    fn new(config: &Config) -> Self {
        let memory = config.memory;
        // Over HTTP the polls are the keepalives (see `Config::keepalive_interval`).
        let http = matches!(config.wire, crate::config::Wire::Http { .. });
        let keepalive_base = match config.keepalive_interval {
            crate::config::DEFAULT_KEEPALIVE_INTERVAL if http => {
                crate::config::HTTP_KEEPALIVE_INTERVAL
            }
            interval => interval.max(Duration::from_millis(1)),
        };
        JanusApi {
            http,
            keepalive_base,
            keepalive_from_server_info: config.keepalive_from_server_info,
            keepalive_interval: keepalive_base,
            ordering: config.ordering,
            by_session: BTreeMap::new(),
            keepalives: BTreeSet::new(),
            reclaim_window: None,
            orphans: BTreeSet::new(),
            sessions: BTreeMap::new(),
            handles: BTreeMap::new(),
            ended_sessions: Recent::new(memory),
            ended_handles: Recent::new(memory),
            awaiting_detached: BTreeMap::new(),
            gap: None,
        }
    }

    fn submit(
        &mut self,
        engine: &mut JanusEngine,
        config: &Config,
        command: Command,
        timeout: Duration,
    ) -> Result<TransactionId, UsageError> {
        let (body, what) = self.prepare(command)?;
        let frame = encode(engine, config, body)?;
        Ok(self.start(engine, what, frame, timeout, false))
    }

    fn finish(
        &mut self,
        engine: &mut JanusEngine,
        txn: TransactionId,
        outcome: Result<Reply, RequestError>,
        mark: Option<Finished>,
    ) {
        let Some(ended) = engine.finish(txn, outcome, mark) else {
            return;
        };
        if let Some(session) = ended.what.session() {
            if let Some(txns) = self.by_session.get_mut(&session) {
                txns.remove(&txn);
                if txns.is_empty() {
                    self.by_session.remove(&session);
                }
            }
        }
        if let Some(handle) = ended.what.handle() {
            if let Some(h) = self.handles.get_mut(&handle) {
                h.unaccepted.remove(&txn);
                h.open.remove(&txn);
                if matches!(ended.stage, Stage::Held(_)) {
                    h.held.retain(|t| *t != txn);
                }
            }
            self.pump(engine, handle);
        }
        // A keepalive of the client's own.
        let Some(outcome) = ended.internal_outcome else {
            return;
        };
        if let What::Keepalive(session) = &ended.what {
            let session = *session;
            if let Some(s) = self.sessions.get_mut(&session) {
                if s.keepalive_txn == Some(txn) {
                    s.keepalive_txn = None;
                }
            }
            engine.keepalive_answered(!matches!(outcome, Err(RequestError::TimedOut { .. })));
            match outcome {
                Ok(_) | Err(RequestError::ConnectionLost | RequestError::SessionEnded(_)) => {}
                Err(error) => {
                    if self.sessions.contains_key(&session) {
                        engine.push(Event::Session {
                            session,
                            event: SessionEvent::KeepaliveFailed(error),
                        });
                    }
                }
            }
            return;
        }
        // A claim of the client's own, after a reconnect.
        if let What::Claim(session, _) = &ended.what {
            let session = *session;
            let Some(gap) = self.gap.as_mut() else {
                return;
            };
            gap.claims.remove(&session);
            match outcome {
                // `on_answer` makes it active next.
                Ok(_) => gap.claimed.push(session),
                // The connection went again: it stays orphaned for the next one.
                Err(RequestError::ConnectionLost) => {}
                // 458: `on_error` ends it as gone.
                Err(RequestError::Janus(e)) if e.code == 458 => {}
                Err(error) => self.end_session(engine, session, SessionEnd::ClaimFailed(error)),
            }
        }
    }

    fn on_frame(
        &mut self,
        engine: &mut JanusEngine,
        text: &str,
        bytes: &Bytes,
    ) -> Result<(), ProtocolError> {
        let msg = ServerMessage::decode_str(text)?;
        let raw = RawFrame::new(bytes.clone());
        match msg {
            ServerMessage::ServerInfo { transaction, info } => {
                self.on_answer(engine, &transaction, Answer::ServerInfo(info), raw)
            }
            ServerMessage::Pong { transaction } => {
                self.on_answer(engine, &transaction, Answer::Pong, raw)
            }
            ServerMessage::Success {
                transaction,
                id,
                plugindata,
                ..
            } => self.on_answer(
                engine,
                &transaction,
                Answer::Success { id, plugindata },
                raw,
            ),
            ServerMessage::Error {
                transaction: Some(transaction),
                error,
                ..
            } => self.on_answer(engine, &transaction, Answer::Error(error), raw),
            ServerMessage::Error {
                transaction: None,
                error,
                ..
            } => engine.push(Event::Connection(ConnectionEvent::Error { error, raw })),
            ServerMessage::Ack {
                transaction, hint, ..
            } => self.on_ack(engine, &transaction, hint, raw),
            ServerMessage::Event {
                transaction,
                session_id,
                sender,
                plugindata,
                jsep,
            } => self.on_event(
                engine,
                transaction.as_deref(),
                session_id,
                sender,
                plugindata,
                jsep,
                raw,
            ),
            ServerMessage::WebrtcUp { session_id, sender } => {
                self.route(engine, session_id, sender, HandleEventKind::WebrtcUp, raw)
            }
            ServerMessage::Media {
                session_id,
                sender,
                media,
            } => self.route(
                engine,
                session_id,
                sender,
                HandleEventKind::Media(media),
                raw,
            ),
            ServerMessage::SlowLink {
                session_id,
                sender,
                slowlink,
            } => self.route(
                engine,
                session_id,
                sender,
                HandleEventKind::SlowLink(slowlink),
                raw,
            ),
            ServerMessage::Hangup {
                session_id,
                sender,
                reason,
            } => self.route(
                engine,
                session_id,
                sender,
                HandleEventKind::Hangup { reason },
                raw,
            ),
            ServerMessage::Trickle {
                session_id,
                sender,
                candidate,
            } => self.route(
                engine,
                session_id,
                sender,
                HandleEventKind::Trickle(candidate),
                raw,
            ),
            ServerMessage::Detached { session_id, sender } => {
                self.route(engine, session_id, sender, HandleEventKind::Detached, raw);
                if self.session_of(sender) == Some(session_id) {
                    self.end_handle(engine, sender);
                } else if self.awaiting_detached.remove(&sender) == Some(session_id) {
                    engine.end_target(EventTarget::Handle(sender));
                }
            }
            ServerMessage::Timeout { session_id } => {
                if self.sessions.contains_key(&session_id) {
                    self.end_session(engine, session_id, SessionEnd::TimedOut(raw));
                } else {
                    engine.unroutable(raw);
                }
            }
            ServerMessage::Unknown {
                janus,
                session_id,
                sender,
                ..
            } => match (session_id, sender) {
                (Some(session), Some(handle)) => self.route(
                    engine,
                    session,
                    handle,
                    HandleEventKind::Other { janus },
                    raw,
                ),
                (Some(session), None) if self.knows_session(session) => {
                    engine.push(Event::Session {
                        session,
                        event: SessionEvent::Other { janus, raw },
                    })
                }
                _ => engine.unroutable(raw),
            },
        }
        Ok(())
    }

    fn on_closed(&mut self, engine: &mut JanusEngine) {
        self.orphan_all(engine);
    }

    fn repeat(
        &self,
        engine: &JanusEngine,
        config: &Config,
        txn: TransactionId,
    ) -> Option<OutFrame> {
        let p = engine.pending(txn).filter(|p| !p.internal)?;
        let body = match p.what {
            What::Info => RequestBody::Info,
            What::Ping => RequestBody::Ping,
            _ => return None,
        };
        encode_as(engine, config, body, engine.wire_id(txn)).ok()
    }

    fn on_link_down(&mut self, engine: &mut JanusEngine) {
        let gap = self.gap.get_or_insert_with(|| Gap {
            since: engine.now(),
            connected: false,
            claims: BTreeSet::new(),
            claimed: Vec::new(),
            lost: Vec::new(),
        });
        gap.connected = false;
        gap.claims.clear();
        gap.claimed.clear();
        self.orphan_all(engine);
    }

    fn on_connected(
        &mut self,
        engine: &mut JanusEngine,
        config: &Config,
        down_for: Option<Duration>,
    ) {
        // The server's reclaim window (and session timeout), learnt on every connection.
        self.start_internal(engine, config, RequestBody::Info, What::Info);
        if down_for.is_none() {
            return;
        }
        let sessions: Vec<(SessionId, Vec<HandleId>)> = self
            .sessions
            .iter()
            .map(|(id, s)| (*id, s.handles.iter().copied().collect()))
            .collect();
        if let Some(gap) = self.gap.as_mut() {
            gap.connected = true;
            gap.claims = sessions.iter().map(|(id, _)| *id).collect();
        }
        for (session, handles) in sessions {
            // Janus's HTTP transport ties no session to a connection (a lost one orphans
            // nothing), and its `claim` mishandles a session another request still polls
            // (1.1.2 to 1.4.1: `janus_http_session_claimed` walks a list it frees as it
            // goes), which a poll of the lost connection may still be. So over HTTP a
            // keepalive asks whether the session is still there instead.
            let body = match self.http {
                true => RequestBody::Keepalive {
                    session_id: session,
                },
                false => RequestBody::Claim {
                    session_id: session,
                },
            };
            self.start_internal(engine, config, body, What::Claim(session, handles));
        }
    }

    fn on_gave_up(&mut self, engine: &mut JanusEngine) {
        let sessions: Vec<SessionId> = self.sessions.keys().copied().collect();
        for session in sessions {
            self.end_session(engine, session, SessionEnd::Abandoned);
        }
        self.gap = None;
    }

    fn route(&self, what: &What) -> Route {
        match what {
            What::Info => Route {
                method: Method::Get,
                path: "/info".to_owned(),
            },
            What::Ping | What::Create(_) => Route::post(String::new()),
            What::Attach(s, ..) | What::Destroy(s) | What::Keepalive(s) | What::Claim(s, _) => {
                Route::post(format!("/{s}"))
            }
            What::Message(s, h) | What::Trickle(s, h) | What::Hangup(s, h) | What::Detach(s, h) => {
                Route::post(format!("/{s}/{h}"))
            }
        }
    }

    fn polled_sessions(&self) -> Vec<SessionId> {
        self.sessions
            .iter()
            .filter(|(_, s)| s.state == SessionState::Active && !s.unpolled)
            .map(|(id, _)| *id)
            .collect()
    }

    fn polling(&mut self, engine: &JanusEngine, session: SessionId) {
        self.touch(engine, session);
    }

    fn poll_refused(&mut self, engine: &mut JanusEngine, session: SessionId, status: u16) {
        // The answers to a `destroy` and to the session's poll come on two connections, in
        // either order: a poll refused because the destroy already went through leaves the
        // ending to the destroy's reply.
        let destroying = engine
            .pending_iter()
            .any(|(_, p)| matches!(p.what, What::Destroy(s) if s == session));
        match self.sessions.get_mut(&session) {
            Some(s) if destroying => s.unpolled = true,
            _ => self.end_session(engine, session, SessionEnd::PollRefused { status }),
        }
    }

    fn settle(&mut self, engine: &mut JanusEngine) {
        if !self
            .gap
            .as_ref()
            .is_some_and(|g| g.connected && g.claims.is_empty())
        {
            return;
        }
        let Some(gap) = self.gap.take() else {
            return;
        };
        engine.push(Event::Connection(ConnectionEvent::Reconnected {
            claimed: gap.claimed,
            lost: gap.lost,
            down_for: engine.now().saturating_duration_since(gap.since),
        }));
        engine.resume();
    }

    fn next_timer(&self) -> Option<Instant> {
        let keepalive = self.keepalives.first().map(|&(at, _)| at);
        let orphan = self.orphans.first().map(|&(at, _)| at);
        match (keepalive, orphan) {
            (Some(k), Some(o)) => Some(k.min(o)),
            (k, o) => k.or(o),
        }
    }

    fn fire_timer(&mut self, engine: &mut JanusEngine, config: &Config) {
        let keepalive = self.keepalives.first().map(|&(at, _)| at);
        let orphan = self.orphans.first().map(|&(at, _)| at);
        match (keepalive, orphan) {
            (_, Some(o)) if keepalive.is_none_or(|k| o <= k) => self.expire_orphans(engine),
            _ => {
                if let Some((_, session)) = self.keepalives.pop_first() {
                    self.fire_keepalive(engine, config, session);
                }
            }
        }
    }
}

/// Encodes a request with the next transaction id, adding the secrets it needs.
fn encode(
    engine: &JanusEngine,
    config: &Config,
    body: RequestBody,
) -> Result<OutFrame, UsageError> {
    let (_, transaction) = engine.next_id();
    encode_as(engine, config, body, transaction)
}

/// Encodes a request with the given transaction string, adding the secrets it needs.
fn encode_as(
    engine: &JanusEngine,
    config: &Config,
    body: RequestBody,
    transaction: String,
) -> Result<OutFrame, UsageError> {
    let auth = body.needs_auth();
    let request = Request {
        transaction,
        apisecret: if auth { config.apisecret.clone() } else { None },
        token: if auth { config.token.clone() } else { None },
        body,
    };
    engine.check_frame(request.encode())
}

impl JanusApi {
    /// The connection is gone: every active session is orphaned (its keepalives stop) and
    /// its reclaim window starts, when known; a zero window ends it at once.
    fn orphan_all(&mut self, engine: &mut JanusEngine) {
        // Janus's HTTP transport orphans nothing when a connection goes (its sessions end
        // only by `session_timeout`): no reclaim window applies, and the keepalive sent after
        // the reconnect says whether each session is still there.
        let window = self.reclaim_window.filter(|_| !self.http);
        let until = window.map(|window| engine.later(window));
        for (&session, s) in &mut self.sessions {
            if s.state != SessionState::Active {
                continue;
            }
            s.state = SessionState::Orphaned;
            s.keepalive_txn = None;
            if let Some(at) = s.keepalive_at.take() {
                self.keepalives.remove(&(at, session));
            }
            if let Some(at) = until {
                s.orphan_until = Some(at);
                self.orphans.insert((at, session));
            }
            engine.push(Event::Session {
                session,
                event: SessionEvent::Disconnected,
            });
        }
        // A zero window: the server destroyed them with the connection.
        self.expire_orphans(engine);
    }

    /// Sends a request of the client's own (its outcome comes back to [`Layer::finish`]).
    fn start_internal(
        &mut self,
        engine: &mut JanusEngine,
        config: &Config,
        body: RequestBody,
        what: What,
    ) {
        // Internal requests are far below any sane frame limit; with an absurd one the
        // request is simply not made (a claim not made ends its session at resumption).
        match encode(engine, config, body) {
            Ok(frame) => {
                let timeout = engine.request_timeout();
                self.start(engine, what, frame, timeout, true);
            }
            Err(_) => {
                if let What::Claim(session, _) = what {
                    if let Some(gap) = self.gap.as_mut() {
                        gap.claims.remove(&session);
                    }
                    self.end_session(engine, session, SessionEnd::Abandoned);
                }
            }
        }
    }

    fn session_of(&self, handle: HandleId) -> Option<SessionId> {
        self.handles.get(&handle).map(|h| h.session)
    }

    fn live_session(&self, session: SessionId) -> Result<(), UsageError> {
        if self.sessions.contains_key(&session) {
            Ok(())
        } else if self.ended_sessions.contains(&session) {
            Err(UsageError::SessionEnded(session))
        } else {
            Err(UsageError::UnknownSession(session))
        }
    }

    fn live_handle(&self, handle: HandleId) -> Result<SessionId, UsageError> {
        match self.handles.get(&handle) {
            Some(h) => Ok(h.session),
            None if self.ended_handles.contains(&handle) => Err(UsageError::HandleEnded(handle)),
            None => Err(UsageError::UnknownHandle(handle)),
        }
    }

    fn knows_session(&self, session: SessionId) -> bool {
        self.sessions.contains_key(&session) || self.ended_sessions.contains(&session)
    }
    fn prepare(&self, command: Command) -> Result<(RequestBody, What), UsageError> {
        Ok(match command {
            Command::Info => (RequestBody::Info, What::Info),
            Command::Ping => (RequestBody::Ping, What::Ping),
            Command::Create { id } => (RequestBody::Create { id }, What::Create(id)),
            Command::Attach {
                session,
                plugin,
                opaque_id,
                ordering,
            } => {
                self.live_session(session)?;
                let ordering = ordering.unwrap_or(self.ordering);
                let what = What::Attach(session, ordering, plugin.clone());
                let body = RequestBody::Attach {
                    session_id: session,
                    plugin,
                    opaque_id,
                    loop_index: None,
                };
                (body, what)
            }
            Command::Message { handle, body, jsep } => {
                if !body.is_object() {
                    return Err(UsageError::BodyNotObject);
                }
                let session = self.live_handle(handle)?;
                let body = RequestBody::Message {
                    session_id: session,
                    handle_id: handle,
                    body,
                    jsep,
                };
                (body, What::Message(session, handle))
            }
            Command::Trickle { handle, trickle } => {
                let session = self.live_handle(handle)?;
                let body = RequestBody::Trickle {
                    session_id: session,
                    handle_id: handle,
                    trickle,
                };
                (body, What::Trickle(session, handle))
            }
            Command::Hangup { handle } => {
                let session = self.live_handle(handle)?;
                let body = RequestBody::Hangup {
                    session_id: session,
                    handle_id: handle,
                };
                (body, What::Hangup(session, handle))
            }
            Command::Detach { handle } => {
                let session = self.live_handle(handle)?;
                let body = RequestBody::Detach {
                    session_id: session,
                    handle_id: handle,
                };
                (body, What::Detach(session, handle))
            }
            Command::Destroy { session } => {
                self.live_session(session)?;
                (
                    RequestBody::Destroy {
                        session_id: session,
                    },
                    What::Destroy(session),
                )
            }
            Command::Keepalive { session } => {
                self.live_session(session)?;
                (
                    RequestBody::Keepalive {
                        session_id: session,
                    },
                    What::Keepalive(session),
                )
            }
            Command::Claim { session, handles } => {
                for &handle in &handles {
                    match self.handles.get(&handle) {
                        Some(h) if h.session != session => {
                            return Err(UsageError::HandleInOtherSession {
                                handle,
                                session: h.session,
                            })
                        }
                        _ => {}
                    }
                }
                (
                    RequestBody::Claim {
                        session_id: session,
                    },
                    What::Claim(session, handles),
                )
            }
        })
    }

    /// Registers a transaction and sends it, or holds it behind earlier requests.
    fn start(
        &mut self,
        engine: &mut JanusEngine,
        what: What,
        frame: OutFrame,
        timeout: Duration,
        internal: bool,
    ) -> TransactionId {
        let hold = match (&what, what.handle()) {
            (What::Trickle(..), _) | (_, None) => None,
            (_, Some(h)) => self
                .handles
                .get(&h)
                .filter(|h| h.ordering == Ordering::Ordered)
                .map(|_| h),
        };
        let session = what.session();
        let txn = engine.open(what, frame, timeout, hold.is_some(), internal);
        if let Some(session) = session {
            self.by_session.entry(session).or_default().insert(txn);
        }
        match hold {
            Some(handle) => {
                if let Some(h) = self.handles.get_mut(&handle) {
                    h.held.push_back(txn);
                }
                self.pump(engine, handle);
            }
            None => self.sent(engine, txn),
        }
        debug_assert!(self.index_is_consistent(engine));
        txn
    }

    /// Whether `by_session` indexes exactly the pending transactions that have a session
    /// (checked by `debug_assert!` after every change, so every test checks it).
    fn index_is_consistent(&self, engine: &JanusEngine) -> bool {
        let indexed: usize = self.by_session.values().map(BTreeSet::len).sum();
        let with_session = engine
            .pending_iter()
            .filter(|(_, p)| p.what.session().is_some());
        indexed == with_session.count()
            && self.by_session.iter().all(|(session, txns)| {
                !txns.is_empty()
                    && txns.iter().all(|t| {
                        engine
                            .pending(*t)
                            .is_some_and(|p| p.what.session() == Some(*session))
                    })
            })
    }

    /// Bookkeeping once a transaction's frame is queued for the wire.
    fn sent(&mut self, engine: &JanusEngine, txn: TransactionId) {
        let Some(p) = engine.pending(txn) else {
            return;
        };
        if let What::Message(_, handle) = p.what {
            if let Some(h) = self.handles.get_mut(&handle) {
                h.unaccepted.insert(txn);
                h.open.insert(txn);
            }
        }
        if let Some(session) = p.what.session() {
            self.touch(engine, session);
        }
    }

    /// Sends the requests held on a handle that nothing blocks any more.
    fn pump(&mut self, engine: &mut JanusEngine, handle: HandleId) {
        // Nothing goes on a closed connection: held requests fail with it instead.
        if engine.is_closed() {
            return;
        }
        loop {
            let Some(h) = self.handles.get_mut(&handle) else {
                return;
            };
            let Some(&front) = h.held.front() else {
                return;
            };
            let blocked = match engine.pending(front).map(|p| &p.what) {
                Some(What::Message(..)) => !h.unaccepted.is_empty(),
                Some(What::Hangup(..) | What::Detach(..)) => !h.open.is_empty(),
                _ => false,
            };
            if blocked {
                return;
            }
            h.held.pop_front();
            if engine.release(front) {
                self.sent(engine, front);
            }
        }
    }

    /// Resets a session's keepalive timer: any request naming it counts as activity.
    fn touch(&mut self, engine: &JanusEngine, session: SessionId) {
        let at = engine.later(self.keepalive_interval);
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        if s.state != SessionState::Active {
            return;
        }
        if let Some(old) = s.keepalive_at.replace(at) {
            self.keepalives.remove(&(old, session));
        }
        self.keepalives.insert((at, session));
    }

    fn fire_keepalive(&mut self, engine: &mut JanusEngine, config: &Config, session: SessionId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.keepalive_at = None;
        if engine.is_closed() || s.state != SessionState::Active {
            return;
        }
        if s.keepalive_txn.is_some() {
            // The previous one is still out; try again one interval later.
            self.touch(engine, session);
            return;
        }
        let body = RequestBody::Keepalive {
            session_id: session,
        };
        match encode(engine, config, body) {
            Ok(frame) => {
                let timeout = engine.request_timeout();
                let txn = self.start(engine, What::Keepalive(session), frame, timeout, true);
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.keepalive_txn = Some(txn);
                }
            }
            // A keepalive is far below any sane frame limit; if the limit is absurdly small,
            // report it rather than loop.
            Err(_) => engine.push(Event::Session {
                session,
                event: SessionEvent::KeepaliveFailed(RequestError::Cancelled),
            }),
        }
    }

    fn add_session(&mut self, engine: &mut JanusEngine, session: SessionId, handles: &[HandleId]) {
        self.ended_sessions.remove(&session);
        engine.open_target(EventTarget::Session(session));
        if !self.sessions.contains_key(&session) {
            engine.observe(|| Observation::SessionOpened { session });
        }
        let s = self.sessions.entry(session).or_insert_with(|| Session {
            state: SessionState::Active,
            keepalive_at: None,
            orphan_until: None,
            keepalive_txn: None,
            handles: BTreeSet::new(),
            unpolled: false,
        });
        s.state = SessionState::Active;
        s.unpolled = false;
        if let Some(at) = s.orphan_until.take() {
            self.orphans.remove(&(at, session));
        }
        for &h in handles {
            // A handle that became live in another session after the claim was submitted
            // stays there: the claim's reply does not move it.
            if self.handles.get(&h).is_some_and(|h| h.session != session) {
                continue;
            }
            s.handles.insert(h);
            self.ended_handles.remove(&h);
            engine.open_target(EventTarget::Handle(h));
            if !self.handles.contains_key(&h) {
                self.handles.insert(h, Handle::new(session, self.ordering));
                engine.observe(|| Observation::HandleOpened {
                    session,
                    handle: h,
                    plugin: None,
                });
            }
        }
        self.touch(engine, session);
    }

    fn add_handle(
        &mut self,
        engine: &mut JanusEngine,
        session: SessionId,
        handle: HandleId,
        ordering: Ordering,
        plugin: &str,
    ) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.handles.insert(handle);
        engine.open_target(EventTarget::Handle(handle));
        self.handles.insert(handle, Handle::new(session, ordering));
        engine.observe(|| Observation::HandleOpened {
            session,
            handle,
            plugin: Some(plugin.to_owned()),
        });
    }

    /// Fails every pending request of `session` matching `doomed` with `error`.
    fn fail_where(
        &mut self,
        engine: &mut JanusEngine,
        session: SessionId,
        doomed: impl Fn(&What, &Stage) -> bool,
        error: RequestError,
    ) {
        let txns: Vec<TransactionId> = self
            .by_session
            .get(&session)
            .into_iter()
            .flatten()
            .filter(|t| {
                engine
                    .pending(**t)
                    .is_some_and(|p| doomed(&p.what, &p.stage))
            })
            .copied()
            .collect();
        for txn in txns {
            let mark = engine.was_sent(txn).then_some(Finished::Abandoned);
            self.finish(engine, txn, Err(error.clone()), mark);
        }
    }

    /// Ends the orphaned sessions whose reclaim window is over.
    fn expire_orphans(&mut self, engine: &mut JanusEngine) {
        let now = engine.now();
        while let Some(&(at, session)) = self.orphans.first() {
            if at > now {
                return;
            }
            self.orphans.remove(&(at, session));
            if let Some(s) = self.sessions.get_mut(&session) {
                s.orphan_until = None;
            }
            let window = self.reclaim_window.unwrap_or_default();
            self.end_session(engine, session, SessionEnd::NotReclaimed { window });
        }
    }

    fn end_session(&mut self, engine: &mut JanusEngine, session: SessionId, why: SessionEnd) {
        if let Some(handles) = self.forget_session(engine, session) {
            self.session_ended(engine, session, handles, why);
        }
    }

    /// Removes a session and its handles from the live state; its handles, if it was live.
    fn forget_session(
        &mut self,
        engine: &mut JanusEngine,
        session: SessionId,
    ) -> Option<BTreeSet<HandleId>> {
        let s = self.sessions.remove(&session)?;
        if let Some(at) = s.keepalive_at {
            self.keepalives.remove(&(at, session));
        }
        if let Some(at) = s.orphan_until {
            self.orphans.remove(&(at, session));
        }
        self.ended_sessions.insert(session, ());
        for &handle in &s.handles {
            self.handles.remove(&handle);
            self.ended_handles.insert(handle, session);
            engine.observe(|| Observation::HandleEnded { session, handle });
        }
        Some(s.handles)
    }

    /// Says that a forgotten session ended, fails its pending requests and ends its queues
    /// (and its handles').
    fn session_ended(
        &mut self,
        engine: &mut JanusEngine,
        session: SessionId,
        handles: BTreeSet<HandleId>,
        why: SessionEnd,
    ) {
        if let Some(gap) = self.gap.as_mut() {
            gap.lost.push((session, why.clone()));
        }
        engine.observe(|| Observation::SessionEnded {
            session,
            why: why.clone(),
        });
        engine.push(Event::Session {
            session,
            event: SessionEvent::Ended(why),
        });
        self.fail_where(
            engine,
            session,
            |_, _| true,
            RequestError::SessionEnded(session),
        );
        engine.end_target(EventTarget::Session(session));
        let detaching: Vec<HandleId> = self
            .awaiting_detached
            .iter()
            .filter(|(_, s)| **s == session)
            .map(|(h, _)| *h)
            .collect();
        for handle in detaching {
            self.awaiting_detached.remove(&handle);
            engine.end_target(EventTarget::Handle(handle));
        }
        for handle in handles {
            engine.end_target(EventTarget::Handle(handle));
        }
    }

    fn end_handle(&mut self, engine: &mut JanusEngine, handle: HandleId) {
        if let Some(session) = self.forget_handle(engine, handle) {
            self.handle_ended(engine, session, handle);
        }
    }

    /// Removes a handle from the live state; its session, if it was live.
    fn forget_handle(&mut self, engine: &mut JanusEngine, handle: HandleId) -> Option<SessionId> {
        let h = self.handles.remove(&handle)?;
        if let Some(s) = self.sessions.get_mut(&h.session) {
            s.handles.remove(&handle);
        }
        self.ended_handles.insert(handle, h.session);
        let session = h.session;
        engine.observe(|| Observation::HandleEnded { session, handle });
        Some(session)
    }

    /// Fails the pending requests of a forgotten handle and ends its queue.
    fn handle_ended(&mut self, engine: &mut JanusEngine, session: SessionId, handle: HandleId) {
        self.fail_handle_requests(engine, session, handle);
        engine.end_target(EventTarget::Handle(handle));
    }

    /// Fails the pending requests of a forgotten handle.
    fn fail_handle_requests(
        &mut self,
        engine: &mut JanusEngine,
        session: SessionId,
        handle: HandleId,
    ) {
        // A `detach` already sent still gets its own reply; everything else is moot.
        self.fail_where(
            engine,
            session,
            |what, stage| {
                what.handle() == Some(handle)
                    && (!matches!(what, What::Detach(..)) || matches!(stage, Stage::Held(_)))
            },
            RequestError::HandleDetached(handle),
        );
    }

    /// Janus answered a request with an error. A 458 (no such session) or 459 (no such
    /// handle) ends that session or handle here too: it is forgotten before the request
    /// ends, so that nothing held behind the request is released onto a session or handle
    /// the server no longer has.
    fn on_error(
        &mut self,
        engine: &mut JanusEngine,
        txn: TransactionId,
        what: &What,
        error: JanusError,
        raw: RawFrame,
    ) {
        let session_gone = match (error.code, what.session()) {
            (458, Some(session)) => self.forget_session(engine, session).map(|h| (session, h)),
            _ => None,
        };
        let handle_gone = match (error.code, what.handle()) {
            (459, Some(handle)) => self.forget_handle(engine, handle).map(|s| (s, handle)),
            _ => None,
        };
        self.finish(engine, txn, Err(RequestError::Janus(error.clone())), None);
        if let Some((session, handles)) = session_gone {
            self.session_ended(engine, session, handles, SessionEnd::Gone(error));
        } else if let Some((session, handle)) = handle_gone {
            engine.push(Event::Handle {
                session,
                handle,
                event: HandleEvent {
                    kind: HandleEventKind::Gone(error),
                    raw,
                },
            });
            self.handle_ended(engine, session, handle);
        }
    }

    fn on_answer(
        &mut self,
        engine: &mut JanusEngine,
        transaction: &str,
        answer: Answer,
        raw: RawFrame,
    ) {
        let Some(txn) = engine.answered(transaction, &raw) else {
            return;
        };
        let Some(what) = engine.pending(txn).map(|p| p.what.clone()) else {
            return;
        };
        let reply = |kind| {
            Ok(Reply {
                kind,
                raw: raw.clone(),
            })
        };
        let outcome = match answer {
            Answer::Error(error) => {
                self.on_error(engine, txn, &what, error, raw);
                return;
            }
            Answer::ServerInfo(info) if matches!(what, What::Info) => {
                self.learn_session_timeout(&info);
                self.reclaim_window = info.reclaim_session_timeout.map(Duration::from_secs);
                reply(ReplyKind::ServerInfo(info))
            }
            Answer::Pong if matches!(what, What::Ping) => reply(ReplyKind::Pong),
            // A `server_info` or `pong` answers nothing but `info` or `ping`.
            Answer::ServerInfo(_) | Answer::Pong => Err(RequestError::UnexpectedReply(raw.clone())),
            Answer::Success { id, plugindata } => match (&what, plugindata) {
                (What::Create(requested), _) => match id.map(SessionId).or(*requested) {
                    Some(session) => {
                        self.add_session(engine, session, &[]);
                        reply(ReplyKind::SessionCreated(session))
                    }
                    None => Err(RequestError::UnexpectedReply(raw.clone())),
                },
                (What::Attach(session, ordering, plugin), _) => match id.map(HandleId) {
                    // An id already live (here or in another session) cannot be a new handle.
                    Some(handle) if !self.handles.contains_key(&handle) => {
                        self.add_handle(engine, *session, handle, *ordering, plugin);
                        reply(ReplyKind::Attached(handle))
                    }
                    _ => Err(RequestError::UnexpectedReply(raw.clone())),
                },
                (What::Message(..), Some(data)) => plugin_outcome(data, None, raw.clone()),
                (What::Trickle(..) | What::Keepalive(_), None) => reply(ReplyKind::Ack),
                (_, None) => reply(ReplyKind::Success),
                (_, Some(_)) => Err(RequestError::UnexpectedReply(raw.clone())),
            },
        };
        let accepted = outcome.is_ok();
        self.finish(engine, txn, outcome, None);
        if !accepted {
            return;
        }
        match what {
            // Janus's `detached` notice may still come: the handle's queue waits for it.
            What::Detach(session, handle) if self.forget_handle(engine, handle).is_some() => {
                self.awaiting_detached.insert(handle, session);
                self.fail_handle_requests(engine, session, handle);
            }
            What::Destroy(session) => self.end_session(engine, session, SessionEnd::Destroyed),
            What::Claim(session, handles) => self.add_session(engine, session, &handles),
            _ => {}
        }
    }

    fn learn_session_timeout(&mut self, info: &ServerInfo) {
        if !self.keepalive_from_server_info {
            return;
        }
        if let Some(secs) = info.session_timeout.filter(|s| *s > 0) {
            let timeout = Duration::from_secs(secs);
            if self.http && timeout > crate::config::HTTP_KEEPALIVE_INTERVAL {
                // The polls (at most 30 s apart) keep it alive.
                return;
            }
            let half = timeout / 2;
            self.keepalive_interval = self.keepalive_base.min(half).max(Duration::from_millis(1));
        }
    }

    fn on_ack(
        &mut self,
        engine: &mut JanusEngine,
        transaction: &str,
        hint: Option<String>,
        raw: RawFrame,
    ) {
        // An ack for a message its event already completed is expected: drop it quietly.
        if engine.expected_ack(transaction) {
            return;
        }
        let Some(txn) = engine.answered(transaction, &raw) else {
            return;
        };
        let Some(p) = engine.pending_mut(txn) else {
            return;
        };
        match p.what {
            What::Message(_, handle) => {
                if p.stage == Stage::Acked {
                    engine.unroutable(raw);
                    return;
                }
                p.stage = Stage::Acked;
                let internal = p.internal;
                if let Some(h) = self.handles.get_mut(&handle) {
                    h.unaccepted.remove(&txn);
                }
                if !internal {
                    engine.push(Event::Acked { txn, hint });
                }
                self.pump(engine, handle);
            }
            _ => {
                // Over HTTP a session is confirmed after a reconnect by a keepalive, which
                // Janus acks.
                let confirmed = match &p.what {
                    What::Claim(session, handles) => Some((*session, handles.clone())),
                    _ => None,
                };
                let reply = Reply {
                    kind: ReplyKind::Ack,
                    raw,
                };
                self.finish(engine, txn, Ok(reply), None);
                if let Some((session, handles)) = confirmed {
                    self.add_session(engine, session, &handles);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_event(
        &mut self,
        engine: &mut JanusEngine,
        transaction: Option<&str>,
        session: SessionId,
        handle: HandleId,
        data: PluginData,
        jsep: Option<Jsep>,
        raw: RawFrame,
    ) {
        let txn = transaction.and_then(|t| engine.parse_id(t));
        if let Some(t) = txn {
            let answers = engine.pending(t).and_then(|p| match (&p.what, &p.stage) {
                (_, Stage::Held(_)) => None,
                (What::Message(_, h), stage) if *h == handle => Some(*stage == Stage::Acked),
                _ => None,
            });
            if let Some(acked) = answers {
                let outcome = plugin_outcome(data, jsep, raw);
                self.finish(
                    engine,
                    t,
                    outcome,
                    (!acked).then_some(Finished::AwaitingAck),
                );
                return;
            }
        }
        self.route(
            engine,
            session,
            handle,
            HandleEventKind::Plugin { data, jsep, txn },
            raw,
        );
    }

    /// Delivers a handle event: to a live handle of that session, or a handle of it that
    /// ended recently (trailing events). Anything else is unroutable.
    fn route(
        &mut self,
        engine: &mut JanusEngine,
        session: SessionId,
        handle: HandleId,
        kind: HandleEventKind,
        raw: RawFrame,
    ) {
        let known = self
            .handles
            .get(&handle)
            .is_some_and(|h| h.session == session)
            || self.ended_handles.get(&handle) == Some(&session);
        if known {
            engine.push(Event::Handle {
                session,
                handle,
                event: HandleEvent { kind, raw },
            });
        } else {
            engine.unroutable(raw);
        }
    }
}

/// The outcome of a plugin reply: a plugin error when `data` carries `error_code`.
fn plugin_outcome(
    data: PluginData,
    jsep: Option<Jsep>,
    raw: RawFrame,
) -> Result<Reply, RequestError> {
    match data.error() {
        Some((code, reason)) => Err(RequestError::Plugin(PluginError {
            plugin: data.plugin.clone(),
            code,
            reason,
            data,
        })),
        None => Ok(Reply {
            kind: ReplyKind::Plugin { data, jsep },
            raw,
        }),
    }
}

impl Input {
    /// A text frame.
    pub fn text(text: impl Into<String>) -> Self {
        Input::Frame(Bytes::from(text.into()))
    }
}
