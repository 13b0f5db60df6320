//! [`FakeJanus`]: a deterministic, sans-IO stand-in for a Janus 1.1.2 server.
//!
//! The server core (sessions, handles, transactions) is here; each plugin it emulates has
//! its own file ([`echotest`], [`videoroom`], [`streaming`]); [`config`] holds its settings,
//! [`faults`] the misbehaviour it injects (latency, reordering, duplicates, lost replies,
//! stray errors, garbage) and the seeded [`Rng`] that drives it; [`validate`] is Janus's
//! top-level request validator.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use serde_json::{json, Value};

use crate::ids::{HandleId, SessionId};
use crate::testing::answers::{
    ack, created, error as error_msg, janus_candidate, plugin_data, plugin_error, plugin_event,
    success,
};
use crate::testing::ServerEncode;
use crate::wire::{
    Candidate, ComponentInfo, Jsep, JsepType, Request, RequestBody, ServerInfo, ServerMessage,
};

mod config;
mod echotest;
mod faults;
mod streaming;
#[cfg(test)]
mod tests;
mod validate;
mod videoroom;

pub use config::{DetachedOnTimeout, FakeConfig};
pub use faults::{FakeStats, Rng};
pub use streaming::DEMO_MOUNTPOINT;
pub use videoroom::DEMO_ROOM;

use faults::Parked;
use validate::{parse_frame, validate, Refusal};

/// The EchoTest plugin package.
pub const ECHOTEST: &str = "janus.plugin.echotest";
/// The VideoRoom plugin package.
pub const VIDEOROOM: &str = "janus.plugin.videoroom";
/// The Streaming plugin package.
pub const STREAMING: &str = "janus.plugin.streaming";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plugin {
    EchoTest,
    VideoRoom,
    Streaming,
}

impl Plugin {
    fn from_package(package: &str) -> Option<Self> {
        match package {
            ECHOTEST => Some(Plugin::EchoTest),
            VIDEOROOM => Some(Plugin::VideoRoom),
            STREAMING => Some(Plugin::Streaming),
            _ => None,
        }
    }

    fn package(self) -> &'static str {
        match self {
            Plugin::EchoTest => ECHOTEST,
            Plugin::VideoRoom => VIDEOROOM,
            Plugin::Streaming => STREAMING,
        }
    }
}

#[derive(Debug)]
struct FakeSession {
    /// The connection generation that owns it; `None` while orphaned.
    owner: Option<u64>,
    last_activity: Instant,
    handles: BTreeMap<HandleId, FakeHandle>,
}

#[derive(Debug)]
struct FakeHandle {
    plugin: Plugin,
    /// Janus sent an offer on this handle: an answer is acceptable.
    janus_offered: bool,
    /// A peer connection was negotiated.
    pc: bool,
    /// VideoRoom: the room joined.
    room: Option<u64>,
    /// Streaming: the mountpoint watched, and whether it was started.
    watching: Option<u64>,
    started: bool,
}

/// A plugin's answer to a `message`.
enum PluginReply {
    /// A synchronous `success` with `plugindata`, and events it causes on other handles.
    Sync {
        data: Value,
        side: Vec<(SessionId, HandleId, Value)>,
    },
    /// `ack` and maybe an `event` with the transaction, then unsolicited follow-ups.
    Async {
        hint: Option<&'static str>,
        event: Option<(Value, Option<Jsep>)>,
        after: Vec<ServerMessage>,
    },
}

/// Owner value of a session claimed by a connection other than the fake's one.
const ELSEWHERE: u64 = u64::MAX;

/// A sans-IO fake Janus server for tests: requests in, frames out, no clock, no IO.
///
/// It models sessions (with ownership, inactivity timeout and reclaim), handles, auth, the
/// core requests, and three plugins: `janus.plugin.echotest` (async), `janus.plugin.videoroom`
/// (sync `create`/`exists`/`list`/`destroy`, async `join`/`configure`/`publish`/`leave`) and
/// `janus.plugin.streaming` (sync `list`/`info`, async `watch`/`start`/`pause`/`stop`). It
/// answers with the JSON shapes of janus-api.md, and reorders, duplicates, delays and drops
/// the way Janus does when [`FakeConfig`] asks it to. It never panics on what a client
/// sends: bad frames get the error Janus would send.
///
/// Time comes in as `now` on every call; [`next_timeout`](Self::next_timeout) says when
/// something is next due (a frame in flight, a reordered message, a session expiring).
///
/// ```
/// use std::time::{Duration, Instant};
/// use janus_proto::testing::{FakeConfig, FakeJanus};
///
/// # #[allow(clippy::disallowed_methods)]
/// let now = Instant::now();
/// let mut janus = FakeJanus::new(FakeConfig::new());
/// janus.handle_frame(now, r#"{"janus":"ping","transaction":"t1"}"#);
/// assert_eq!(janus.poll_frame(now), None); // 1 ms of latency
/// let due = janus.next_delivery().unwrap();
/// assert_eq!(due, now + Duration::from_millis(1));
/// assert_eq!(janus.poll_frame(due).unwrap(), r#"{"janus":"pong","transaction":"t1"}"#);
///
/// // Garbage gets a transaction-less 454, as from Janus.
/// janus.handle_frame(due, "hello");
/// let error = janus.poll_frame(due + Duration::from_millis(1)).unwrap();
/// assert!(error.starts_with(r#"{"janus":"error","error":{"code":454"#));
/// ```
#[derive(Debug)]
pub struct FakeJanus {
    config: FakeConfig,
    rng: Rng,
    now: Option<Instant>,
    connected: bool,
    connection: u64,
    accepting: bool,
    sessions: BTreeMap<SessionId, FakeSession>,
    rooms: BTreeMap<u64, String>,
    mountpoints: BTreeSet<u64>,
    outbox: VecDeque<(Instant, String)>,
    last_due: Option<Instant>,
    parked: Vec<Parked>,
    received: Vec<(Instant, Request)>,
    executed: Vec<(Instant, Request)>,
    stats: FakeStats,
}

impl FakeJanus {
    /// A fake server with one open connection.
    pub fn new(config: FakeConfig) -> Self {
        let mut rooms = BTreeMap::new();
        rooms.insert(DEMO_ROOM, "Demo Room".to_owned());
        Self {
            rng: Rng::new(config.seed),
            accepting: config.accepting_new_sessions,
            config,
            now: None,
            connected: true,
            connection: 0,
            sessions: BTreeMap::new(),
            rooms,
            mountpoints: BTreeSet::from([DEMO_MOUNTPOINT]),
            outbox: VecDeque::new(),
            last_due: None,
            parked: Vec::new(),
            received: Vec::new(),
            executed: Vec::new(),
            stats: FakeStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FakeConfig {
        &self.config
    }

    /// What it did so far.
    pub fn stats(&self) -> &FakeStats {
        &self.stats
    }

    /// Every request received, in arrival order, with its arrival time.
    ///
    /// ```
    /// use janus_proto::testing::{start_instant, FakeConfig, FakeJanus};
    /// let now = start_instant();
    /// let mut janus = FakeJanus::new(FakeConfig::new());
    /// janus.handle_frame(now, r#"{"janus":"info","transaction":"a"}"#);
    /// assert_eq!(janus.received()[0].1.body.name(), "info");
    /// ```
    pub fn received(&self) -> &[(Instant, Request)] {
        &self.received
    }

    /// Every request in the order it took effect, with that time. Differs from
    /// [`received`](Self::received) when a message was overtaken
    /// ([`FakeConfig::reorder_messages`]); requests refused before running (bad auth, a
    /// stray error) are missing.
    pub fn executed(&self) -> &[(Instant, Request)] {
        &self.executed
    }

    /// Whether the client's connection is open.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The live sessions.
    pub fn sessions(&self) -> Vec<SessionId> {
        self.sessions.keys().copied().collect()
    }

    /// The live handles of a session (empty when it does not exist).
    pub fn handles(&self, session: SessionId) -> Vec<HandleId> {
        self.sessions
            .get(&session)
            .map(|s| s.handles.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Whether the session's unsolicited messages come to the fake's connection (it is
    /// neither orphaned nor claimed elsewhere).
    pub fn owns(&self, session: SessionId) -> bool {
        self.sessions
            .get(&session)
            .is_some_and(|s| s.owner == Some(self.connection))
    }

    /// The VideoRoom rooms that exist.
    pub fn rooms(&self) -> Vec<u64> {
        self.rooms.keys().copied().collect()
    }

    /// Handles one frame from the client. Replies are queued for [`poll_frame`](Self::poll_frame);
    /// nothing happens while the connection is closed.
    pub fn handle_frame(&mut self, now: Instant, frame: &str) {
        let now = self.advance(now);
        self.tick(now);
        if !self.connected {
            return;
        }
        match parse_frame(frame) {
            Ok(values) => {
                for value in values {
                    self.handle_value(now, value);
                }
            }
            Err(reason) => self.reply(now, error_msg(None, None, 454, reason)),
        }
    }

    /// The next frame due by `now`, in the order the server emitted them. Also runs what
    /// came due by `now`: reordered messages and session expiry.
    pub fn poll_frame(&mut self, now: Instant) -> Option<String> {
        let now = self.advance(now);
        self.tick(now);
        match self.outbox.front() {
            Some((due, _)) if *due <= now => self.outbox.pop_front().map(|(_, frame)| frame),
            _ => None,
        }
    }

    /// When the next frame in flight is due, or a reordered message will run: `None` when
    /// nothing is in flight.
    pub fn next_delivery(&self) -> Option<Instant> {
        let frame = self.outbox.front().map(|(due, _)| *due);
        let parked = self.parked.first().map(|p| p.release);
        earliest(frame, parked)
    }

    /// When [`poll_frame`](Self::poll_frame) next has something to do: a delivery, or a
    /// session expiring or an orphan being reaped.
    pub fn next_timeout(&self) -> Option<Instant> {
        self.sessions
            .values()
            .filter_map(|s| self.expiry(s))
            .fold(self.next_delivery(), |a, b| earliest(a, Some(b)))
    }

    /// The connection closes (killed by either side): frames in flight are lost, sessions
    /// it owns are destroyed or, with
    /// [`reclaim_session_timeout`](FakeConfig::reclaim_session_timeout), orphaned.
    pub fn kill(&mut self) {
        if !self.connected {
            return;
        }
        // Janus still runs the messages its workers hold; their replies go nowhere.
        self.connected = false;
        for parked in std::mem::take(&mut self.parked) {
            self.execute(parked.release, parked.request);
        }
        self.outbox.clear();
        let reclaim = !self.config.reclaim_session_timeout.is_zero();
        let connection = self.connection;
        self.sessions.retain(|_, s| {
            if s.owner != Some(connection) {
                return true;
            }
            s.owner = None;
            reclaim
        });
    }

    /// The server process dies and a new one starts: the connection closes, and every
    /// session and handle is gone.
    pub fn restart(&mut self) {
        self.kill();
        self.sessions.clear();
    }

    /// A new connection from the client: orphaned sessions can be claimed on it.
    pub fn reconnect(&mut self) {
        if self.connected {
            return;
        }
        self.connected = true;
        self.connection += 1;
        self.last_due = None;
    }

    /// Sends a raw frame to the client, as if from Janus.
    ///
    /// ```
    /// use janus_proto::testing::{start_instant, FakeConfig, FakeJanus};
    /// let now = start_instant();
    /// use std::time::Duration;
    /// let mut janus = FakeJanus::new(FakeConfig::new().latency(Duration::ZERO..=Duration::ZERO));
    /// janus.inject(now, "not json");
    /// assert_eq!(janus.poll_frame(now).as_deref(), Some("not json"));
    /// ```
    pub fn inject(&mut self, now: Instant, frame: impl Into<String>) {
        let now = self.advance(now);
        self.emit(now, frame.into());
    }

    /// Sends a core error without transaction (like Janus's answer to a request it could not
    /// validate).
    pub fn inject_error(&mut self, now: Instant, code: u32, reason: &str) {
        let now = self.advance(now);
        self.emit(now, error_msg(None, None, code, reason).encode());
    }

    /// Sends a server-initiated message for the session it names, to its owner only (a
    /// session orphaned or claimed elsewhere gets nothing here), possibly twice
    /// ([`FakeConfig::duplicate_events`]). Returns whether it was sent.
    ///
    /// ```
    /// use janus_proto::testing::{start_instant, FakeConfig, FakeJanus};
    /// use janus_proto::wire::ServerMessage;
    /// use janus_proto::{HandleId, SessionId};
    /// let mut janus = FakeJanus::new(FakeConfig::new());
    /// let up = ServerMessage::WebrtcUp { session_id: SessionId(1), sender: HandleId(2) };
    /// assert!(!janus.notify(start_instant(), up)); // no such session
    /// ```
    pub fn notify(&mut self, now: Instant, message: ServerMessage) -> bool {
        let now = self.advance(now);
        let Some(session) = message_session(&message) else {
            return false;
        };
        if !self.owns(session) || !self.connected {
            return false;
        }
        self.unsolicited(now, message);
        true
    }

    /// Admin `destroy_session`: the session vanishes and its owner is told nothing.
    pub fn destroy_session(&mut self, session: SessionId) -> bool {
        self.sessions.remove(&session).is_some()
    }

    /// Admin `detach_handle`: the handle vanishes and its owner receives `detached`.
    pub fn detach_handle(&mut self, now: Instant, session: SessionId, handle: HandleId) -> bool {
        let now = self.advance(now);
        let removed = self
            .sessions
            .get_mut(&session)
            .and_then(|s| s.handles.remove(&handle))
            .is_some();
        if removed && self.owns(session) {
            self.unsolicited(
                now,
                ServerMessage::Detached {
                    session_id: session,
                    sender: handle,
                },
            );
        }
        removed
    }

    /// Another connection claims the session: unsolicited messages stop coming here
    /// (requests from here still work, as on Janus).
    pub fn claim_elsewhere(&mut self, session: SessionId) -> bool {
        match self.sessions.get_mut(&session) {
            Some(s) => {
                s.owner = Some(ELSEWHERE);
                true
            }
            None => false,
        }
    }

    /// Admin `accept_new_sessions`.
    pub fn set_accepting(&mut self, accept: bool) {
        self.accepting = accept;
    }

    fn advance(&mut self, now: Instant) -> Instant {
        let now = self.now.map_or(now, |t| t.max(now));
        self.now = Some(now);
        now
    }

    /// Runs what came due by `now`, in time order.
    fn tick(&mut self, now: Instant) {
        loop {
            let parked = self.parked.first().map(|p| p.release);
            let expiring = self
                .sessions
                .iter()
                .filter_map(|(id, s)| self.expiry(s).map(|at| (at, *id)))
                .min();
            match (parked, expiring) {
                (Some(p), e) if p <= now && e.is_none_or(|(at, _)| p <= at) => {
                    let parked = self.parked.remove(0);
                    self.execute(parked.release, parked.request);
                }
                (_, Some((at, session))) if at <= now => self.expire(at, session),
                _ => return,
            }
        }
    }

    /// When a session ends by itself, if ever.
    fn expiry(&self, s: &FakeSession) -> Option<Instant> {
        let timeout = (!self.config.session_timeout.is_zero())
            .then(|| {
                s.last_activity
                    .checked_add(self.config.session_timeout)?
                    .checked_add(self.config.timeout_slack)
            })
            .flatten();
        let reap = match (s.owner, self.config.reclaim_session_timeout) {
            (None, reclaim) if !reclaim.is_zero() => s.last_activity.checked_add(reclaim),
            _ => None,
        };
        earliest(timeout, reap)
    }

    fn expire(&mut self, at: Instant, session: SessionId) {
        let ours = self.owns(session) && self.connected;
        let Some(s) = self.sessions.remove(&session) else {
            return;
        };
        // An orphan is reaped silently; so is a session whose owner is elsewhere (for us).
        if !ours {
            return;
        }
        let detached: Vec<ServerMessage> = s
            .handles
            .keys()
            .map(|&h| ServerMessage::Detached {
                session_id: session,
                sender: h,
            })
            .collect();
        let timeout = ServerMessage::Timeout {
            session_id: session,
        };
        match self.config.detached_on_timeout {
            DetachedOnTimeout::Never => self.unsolicited(at, timeout),
            DetachedOnTimeout::After => {
                self.unsolicited(at, timeout);
                for m in detached {
                    self.unsolicited(at, m);
                }
            }
            DetachedOnTimeout::Before => {
                for m in detached {
                    self.unsolicited(at, m);
                }
                self.unsolicited(at, timeout);
            }
        }
    }

    /// A message for a session's owner, if that is this connection.
    fn send_to_owner(&mut self, now: Instant, message: ServerMessage) {
        if message_session(&message).is_some_and(|s| self.owns(s)) {
            self.unsolicited(now, message);
        }
    }

    fn handle_value(&mut self, now: Instant, value: Value) {
        let request = match validate(value) {
            Ok(request) => request,
            Err(Refusal {
                transaction,
                session_id,
                code,
                reason,
            }) => {
                if transaction.is_some() {
                    self.stats.requests += 1;
                }
                self.reply(now, error_msg(transaction, session_id, code, &reason));
                return;
            }
        };
        self.stats.requests += 1;
        self.received.push((now, request.clone()));
        if self.rng.chance(self.config.stray_errors) {
            self.stats.stray_errors += 1;
            let reason = "Invalid element type (injected fault: request not executed)";
            self.reply(now, error_msg(None, None, 467, reason));
            return;
        }
        let session = request.body.session_id();
        if request.body.needs_auth() && !self.authorized(&request) {
            let error = error_msg(
                Some(request.transaction),
                session,
                403,
                "Unauthorized request (wrong or missing secret/token)",
            );
            self.reply(now, error);
            return;
        }
        // Any request naming an existing session is activity, even one that fails later.
        if let Some(s) = session.and_then(|id| self.sessions.get_mut(&id)) {
            s.last_activity = now;
        }
        if matches!(request.body, RequestBody::Message { .. })
            && self.rng.chance(self.config.reorder_messages)
        {
            self.stats.reordered += 1;
            let release = now.checked_add(self.config.reorder_delay).unwrap_or(now);
            self.parked.push(Parked { release, request });
            return;
        }
        self.execute(now, request);
        // Messages held by busy workers run after the request that overtook them.
        let parked = std::mem::take(&mut self.parked);
        self.stats.overtaken += parked.len() as u64;
        for p in parked {
            self.execute(now, p.request);
        }
    }

    fn authorized(&self, request: &Request) -> bool {
        let secret = self
            .config
            .api_secret
            .as_ref()
            .map(|s| request.apisecret.as_ref() == Some(s));
        let token = self.config.tokens.as_ref().map(|tokens| {
            request
                .token
                .as_ref()
                .is_some_and(|t| tokens.iter().any(|k| k == t))
        });
        match (secret, token) {
            (None, None) => true,
            (a, b) => a == Some(true) || b == Some(true),
        }
    }

    /// Runs a validated, authorised request.
    fn execute(&mut self, now: Instant, request: Request) {
        self.executed.push((now, request.clone()));
        let txn = request.transaction;
        match request.body {
            RequestBody::Info => {
                let info = self.server_info();
                self.reply(
                    now,
                    ServerMessage::ServerInfo {
                        transaction: txn,
                        info: Box::new(info),
                    },
                );
            }
            RequestBody::Ping => self.reply(now, ServerMessage::Pong { transaction: txn }),
            RequestBody::Create { id } => self.create(now, txn, id),
            RequestBody::Attach {
                session_id, plugin, ..
            } => self.attach(now, txn, session_id, &plugin),
            RequestBody::Message {
                session_id,
                handle_id,
                body,
                jsep,
            } => self.message(now, txn, session_id, handle_id, body, jsep),
            RequestBody::Trickle {
                session_id,
                handle_id,
                ..
            } => {
                if self.lookup(now, &txn, session_id, Some(handle_id)) {
                    self.reply(now, ack(txn, session_id, None));
                }
            }
            RequestBody::Hangup {
                session_id,
                handle_id,
            } => self.hangup(now, txn, session_id, handle_id),
            RequestBody::Detach {
                session_id,
                handle_id,
            } => self.detach(now, txn, session_id, handle_id),
            RequestBody::Destroy { session_id } => {
                if self.lookup(now, &txn, session_id, None) {
                    // No per-handle messages: the session is flagged destroyed first.
                    self.sessions.remove(&session_id);
                    self.reply(now, success(txn, Some(session_id)));
                }
            }
            RequestBody::Keepalive { session_id } => {
                if self.lookup(now, &txn, session_id, None) {
                    self.reply(now, ack(txn, session_id, None));
                }
            }
            RequestBody::Claim { session_id } => {
                if self.lookup(now, &txn, session_id, None) {
                    if let Some(s) = self.sessions.get_mut(&session_id) {
                        s.owner = Some(self.connection);
                    }
                    self.reply(now, success(txn, Some(session_id)));
                }
            }
        }
    }

    /// Checks that the session (and handle) exist, answering 458/459 when not.
    fn lookup(
        &mut self,
        now: Instant,
        txn: &str,
        session: SessionId,
        handle: Option<HandleId>,
    ) -> bool {
        let reason = match (self.sessions.get(&session), handle) {
            (None, _) => (458, format!("No such session {session}")),
            (Some(s), Some(h)) if !s.handles.contains_key(&h) => {
                (459, format!("No such handle {h} in session {session}"))
            }
            _ => return true,
        };
        self.reply(
            now,
            error_msg(Some(txn.to_owned()), Some(session), reason.0, &reason.1),
        );
        false
    }

    fn server_info(&self) -> ServerInfo {
        let component = |name: &str| ComponentInfo {
            name: Some(name.to_owned()),
            author: Some("Meetecho s.r.l.".to_owned()),
            description: Some(format!("Fake {name}")),
            version_string: Some("0.0.1".to_owned()),
            version: Some(1),
        };
        ServerInfo {
            name: Some("Janus WebRTC Server".to_owned()),
            version: Some(1102),
            version_string: Some("1.1.2".to_owned()),
            author: Some("Meetecho s.r.l.".to_owned()),
            data_channels: Some(true),
            accepting_new_sessions: Some(self.accepting),
            session_timeout: Some(self.config.session_timeout.as_secs()),
            reclaim_session_timeout: Some(self.config.reclaim_session_timeout.as_secs()),
            candidates_timeout: Some(45),
            server_name: Some("FakeJanus".to_owned()),
            full_trickle: Some(self.config.full_trickle),
            api_secret: Some(self.config.api_secret.is_some()),
            auth_token: Some(self.config.tokens.is_some()),
            opaqueid_in_api: Some(false),
            transports: BTreeMap::from([(
                "janus.transport.websockets".to_owned(),
                component("JANUS WebSockets transport plugin"),
            )]),
            plugins: [
                (ECHOTEST, "JANUS EchoTest plugin"),
                (VIDEOROOM, "JANUS VideoRoom plugin"),
                (STREAMING, "JANUS Streaming plugin"),
            ]
            .into_iter()
            .map(|(pkg, name)| (pkg.to_owned(), component(name)))
            .collect(),
            ..ServerInfo::default()
        }
    }

    fn create(&mut self, now: Instant, txn: String, id: Option<SessionId>) {
        if !self.accepting {
            let e = error_msg(Some(txn), None, 472, "Currently not accepting new sessions");
            return self.reply(now, e);
        }
        let id = match id.filter(|id| id.0 != 0) {
            Some(id) if self.sessions.contains_key(&id) => {
                let e = error_msg(Some(txn), Some(id), 468, "Session ID already in use");
                return self.reply(now, e);
            }
            Some(id) => id,
            None => loop {
                let id = SessionId(self.rng.janus_id());
                if !self.sessions.contains_key(&id) {
                    break id;
                }
            },
        };
        self.sessions.insert(
            id,
            FakeSession {
                owner: Some(self.connection),
                last_activity: now,
                handles: BTreeMap::new(),
            },
        );
        self.reply(now, created(txn, None, id.0));
    }

    fn attach(&mut self, now: Instant, txn: String, session: SessionId, plugin: &str) {
        if !self.lookup(now, &txn, session, None) {
            return;
        }
        let Some(plugin) = Plugin::from_package(plugin) else {
            let e = error_msg(
                Some(txn),
                Some(session),
                460,
                format!("No such plugin '{plugin}'"),
            );
            return self.reply(now, e);
        };
        let handle = loop {
            let id = HandleId(self.rng.janus_id());
            if self.sessions.values().all(|s| !s.handles.contains_key(&id)) {
                break id;
            }
        };
        if let Some(s) = self.sessions.get_mut(&session) {
            s.handles.insert(
                handle,
                FakeHandle {
                    plugin,
                    janus_offered: false,
                    pc: false,
                    room: None,
                    watching: None,
                    started: false,
                },
            );
        }
        self.reply(now, created(txn, Some(session), handle.0));
    }

    fn hangup(&mut self, now: Instant, txn: String, session: SessionId, handle: HandleId) {
        if !self.lookup(now, &txn, session, Some(handle)) {
            return;
        }
        self.reply(now, success(txn, Some(session)));
        let Some(h) = self.handle_mut(session, handle) else {
            return;
        };
        let (plugin, had_pc) = (h.plugin, std::mem::take(&mut h.pc));
        h.janus_offered = false;
        h.started = false;
        if plugin == Plugin::EchoTest {
            let data = json!({"echotest": "event", "result": "done"});
            self.send_to_owner(
                now,
                plugin_event(None, session, handle, plugin.package(), &data, None),
            );
        }
        if had_pc {
            let m = ServerMessage::Hangup {
                session_id: session,
                sender: handle,
                reason: Some("Janus API".to_owned()),
            };
            self.send_to_owner(now, m);
        }
    }

    fn detach(&mut self, now: Instant, txn: String, session: SessionId, handle: HandleId) {
        if !self.lookup(now, &txn, session, Some(handle)) {
            return;
        }
        if let Some(s) = self.sessions.get_mut(&session) {
            s.handles.remove(&handle);
        }
        let reply = success(txn, Some(session));
        let detached = ServerMessage::Detached {
            session_id: session,
            sender: handle,
        };
        if self.rng.chance(self.config.side_effect_first) {
            self.stats.side_effects_first += 1;
            self.send_to_owner(now, detached);
            self.reply(now, reply);
        } else {
            self.reply(now, reply);
            self.send_to_owner(now, detached);
        }
    }

    fn handle_mut(&mut self, session: SessionId, handle: HandleId) -> Option<&mut FakeHandle> {
        self.sessions.get_mut(&session)?.handles.get_mut(&handle)
    }

    fn message(
        &mut self,
        now: Instant,
        txn: String,
        session: SessionId,
        handle: HandleId,
        body: Value,
        jsep: Option<Jsep>,
    ) {
        if !self.lookup(now, &txn, session, Some(handle)) {
            return;
        }
        let core_error =
            |code: u32, reason: &str| error_msg(Some(txn.clone()), Some(session), code, reason);
        let Some(body) = body.as_object() else {
            let e = core_error(467, "Invalid element type (body should be an object)");
            return self.reply(now, e);
        };
        let Some((plugin, janus_offered)) = self
            .handle_mut(session, handle)
            .map(|h| (h.plugin, h.janus_offered))
        else {
            return;
        };
        // The core checks the SDP before the plugin sees it.
        if let Some(jsep) = &jsep {
            let refusal = match &jsep.kind {
                JsepType::Other(kind) => {
                    Some((464, format!("JSEP error: unknown message type '{kind}'")))
                }
                _ if !jsep.sdp.starts_with("v=") => {
                    Some((465, "Invalid SDP (doesn't start with v=)".to_owned()))
                }
                JsepType::Answer if !janus_offered => {
                    Some((469, "Unexpected ANSWER (did we offer?)".to_owned()))
                }
                _ => None,
            };
            if let Some((code, reason)) = refusal {
                let e = core_error(code, &reason);
                return self.reply(now, e);
            }
        }
        let offer = jsep.as_ref().is_some_and(|j| j.kind == JsepType::Offer);
        let answer = jsep.as_ref().is_some_and(|j| j.kind == JsepType::Answer);
        let reply = match plugin {
            Plugin::EchoTest => self.echotest(session, handle, body, offer),
            Plugin::VideoRoom => self.videoroom(session, handle, body, offer),
            Plugin::Streaming => self.streaming(session, handle, body, answer),
        };
        match reply {
            PluginReply::Sync { data, side } => {
                let plugindata = plugin_data(plugin.package(), &data);
                let reply = ServerMessage::Success {
                    transaction: txn,
                    session_id: Some(session),
                    sender: Some(handle),
                    id: None,
                    plugindata: Some(plugindata),
                };
                let side: Vec<ServerMessage> = side
                    .into_iter()
                    .map(|(s, h, data)| plugin_event(None, s, h, plugin.package(), &data, None))
                    .collect();
                if !side.is_empty() && self.rng.chance(self.config.side_effect_first) {
                    self.stats.side_effects_first += 1;
                    for m in side {
                        self.send_to_owner(now, m);
                    }
                    self.reply(now, reply);
                } else {
                    self.reply(now, reply);
                    for m in side {
                        self.send_to_owner(now, m);
                    }
                }
            }
            PluginReply::Async { hint, event, after } => {
                let ack = ack(txn.clone(), session, hint);
                let Some((data, jsep)) = event else {
                    self.reply(now, ack);
                    return;
                };
                if jsep.is_some() && self.config.full_trickle {
                    // Janus's candidates go out before the ack and the SDP.
                    let candidate = janus_candidate();
                    for candidate in [candidate, Candidate::Completed] {
                        let m = ServerMessage::Trickle {
                            session_id: session,
                            sender: handle,
                            candidate,
                        };
                        self.send_to_owner(now, m);
                    }
                }
                let event = plugin_event(Some(txn), session, handle, plugin.package(), &data, jsep);
                if self.rng.chance(self.config.event_before_ack) {
                    self.stats.events_before_ack += 1;
                    self.send_to_owner(now, event);
                    self.reply(now, ack);
                } else {
                    self.reply(now, ack);
                    self.send_to_owner(now, event);
                }
                for m in after {
                    self.send_to_owner(now, m);
                }
            }
        }
    }

    fn sdp(&mut self, kind: &str) -> String {
        let version = self.rng.janus_id();
        format!(
            "v=0\r\no=- {version} 2 IN IP4 192.0.2.2\r\ns=FakeJanus {kind}\r\nt=0 0\r\n\
             m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 192.0.2.2\r\na=mid:0\r\n"
        )
    }
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn message_session(message: &ServerMessage) -> Option<SessionId> {
    match message {
        ServerMessage::Event { session_id, .. }
        | ServerMessage::WebrtcUp { session_id, .. }
        | ServerMessage::Media { session_id, .. }
        | ServerMessage::SlowLink { session_id, .. }
        | ServerMessage::Hangup { session_id, .. }
        | ServerMessage::Detached { session_id, .. }
        | ServerMessage::Timeout { session_id }
        | ServerMessage::Trickle { session_id, .. } => Some(*session_id),
        ServerMessage::Success { session_id, .. }
        | ServerMessage::Ack { session_id, .. }
        | ServerMessage::Error { session_id, .. }
        | ServerMessage::Unknown { session_id, .. } => *session_id,
        ServerMessage::ServerInfo { .. } | ServerMessage::Pong { .. } => None,
    }
}
