//! [`FakeJanus`]: a deterministic, sans-IO stand-in for a Janus 1.1.2 server.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::ids::{HandleId, SessionId};
use crate::secret::Secret;
use crate::testing::ServerEncode;
use crate::wire::{
    Candidate, ComponentInfo, IceCandidate, JanusError, Jsep, JsepType, PluginData, Request,
    RequestBody, ServerInfo, ServerMessage,
};

/// The EchoTest plugin package.
pub const ECHOTEST: &str = "janus.plugin.echotest";
/// The VideoRoom plugin package.
pub const VIDEOROOM: &str = "janus.plugin.videoroom";
/// The Streaming plugin package.
pub const STREAMING: &str = "janus.plugin.streaming";

/// The room every [`FakeJanus`] starts with (as in Janus's sample configuration).
pub const DEMO_ROOM: u64 = 1234;
/// The Streaming mountpoint every [`FakeJanus`] starts with.
pub const DEMO_MOUNTPOINT: u64 = 1;

/// A small seeded pseudo-random generator (SplitMix64): deterministic, no dependencies.
///
/// ```
/// use janus_proto::testing::Rng;
/// let mut a = Rng::new(7);
/// let mut b = Rng::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// assert!(!a.chance(0.0) && a.chance(1.0));
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// `true` with probability `p` (clamped to 0..=1). Draws nothing when `p` is 0 or 1, so
    /// a fault switched off does not shift the other random choices.
    pub fn chance(&mut self, p: f64) -> bool {
        if p.is_nan() || p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
        }
    }

    /// A duration in `range` (its start when the range is empty or a single value).
    pub fn duration(&mut self, range: &RangeInclusive<Duration>) -> Duration {
        let (lo, hi) = (*range.start(), *range.end());
        if hi <= lo {
            return lo;
        }
        let span = u64::try_from((hi - lo).as_nanos()).unwrap_or(u64::MAX);
        lo + Duration::from_nanos(self.below(span.saturating_add(1)))
    }

    /// An id as Janus makes them: in `1..2^53`.
    pub fn janus_id(&mut self) -> u64 {
        (self.next_u64() & 0x1F_FFFF_FFFF_FFFF).max(1)
    }
}

/// What a [`FakeJanus`] sends for the handles of a session that expires (janus-api §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetachedOnTimeout {
    /// Only the `timeout` (what Janus 1.1.2 usually does: the notifier drops the rest).
    Never,
    /// The `timeout`, then a `detached` per handle (the documented behaviour).
    #[default]
    After,
    /// A `detached` per handle, then the `timeout` (seen occasionally).
    Before,
}

/// Settings and faults of a [`FakeJanus`]. The default is a well-behaved Janus 1.1.2 with
/// 1 ms of latency, a 60 s session timeout, no reclaim, half-trickle and no auth; every
/// fault probability is 0.
///
/// Probabilities are drawn from a [`Rng`] seeded with [`seed`](Self::seed), so a run is
/// exactly reproducible.
///
/// ```
/// use std::time::Duration;
/// use janus_proto::testing::{DetachedOnTimeout, FakeConfig};
/// let config = FakeConfig::new()
///     .seed(42)
///     .latency(Duration::from_millis(1)..=Duration::from_millis(20))
///     .event_before_ack(0.5)
///     .reorder_messages(0.2)
///     .session_timeout(Duration::from_secs(10))
///     .detached_on_timeout(DetachedOnTimeout::Never)
///     .api_secret("s3cret");
/// assert_eq!(config.event_before_ack, 0.5);
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FakeConfig {
    /// Seed of every random choice: ids and faults (default 1).
    pub seed: u64,
    /// Time from the server emitting a frame to the client receiving it, drawn per frame
    /// (default exactly 1 ms). Frames still arrive in the order the server emitted them, as
    /// on one WebSocket: Janus's reordering happens before its per-connection FIFO, and is
    /// modelled by the fault knobs below.
    pub latency: RangeInclusive<Duration>,
    /// Inactivity after which a session expires; zero: never (default 60 s).
    pub session_timeout: Duration,
    /// Extra delay before an expired session is noticed (Janus's watchdog makes it
    /// 2–4 s; default 0, for exact tests).
    pub timeout_slack: Duration,
    /// How long a session survives its connection closing, counted from its last activity;
    /// zero: destroyed at once (default 0).
    pub reclaim_session_timeout: Duration,
    /// Janus trickles its own candidates: a `trickle` candidate and a `completed` precede
    /// the ack and the event carrying its SDP (default off).
    pub full_trickle: bool,
    /// `api_secret`: requests other than `info` and `ping` need it (default none).
    pub api_secret: Option<Secret>,
    /// Stored tokens (`token_auth`): requests other than `info` and `ping` need one of them.
    /// With both this and `api_secret`, either one suffices (default none).
    pub tokens: Option<Vec<Secret>>,
    /// Accept `create` (default on; Admin `accept_new_sessions`).
    pub accepting_new_sessions: bool,
    /// What follows a session `timeout` for its handles.
    pub detached_on_timeout: DetachedOnTimeout,
    /// Probability that an async plugin request's `event` is sent before its `ack`.
    pub event_before_ack: f64,
    /// Probability that a `message` is handed to a busy worker: it runs after the next
    /// request received (which thus overtakes it), or after
    /// [`reorder_delay`](Self::reorder_delay) if none comes.
    pub reorder_messages: f64,
    /// Longest wait of a reordered message (default 10 ms).
    pub reorder_delay: Duration,
    /// Probability that a side effect is sent before the reply that caused it: `detached`
    /// before a detach's `success`, VideoRoom `destroyed` before a destroy's `success`.
    pub side_effect_first: f64,
    /// Probability that an unsolicited message (no transaction) is sent twice.
    pub duplicate_events: f64,
    /// Probability that a reply (`success`, `ack`, `error`, `pong`, `server_info`) is lost.
    pub drop_replies: f64,
    /// Probability that a request is answered by a transaction-less error instead of
    /// being executed (as Janus does for requests it cannot validate).
    pub stray_errors: f64,
    /// Probability that a garbage frame (not a Janus message) is sent before a reply.
    pub garbage_frames: f64,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            latency: Duration::from_millis(1)..=Duration::from_millis(1),
            session_timeout: Duration::from_secs(60),
            timeout_slack: Duration::ZERO,
            reclaim_session_timeout: Duration::ZERO,
            full_trickle: false,
            api_secret: None,
            tokens: None,
            accepting_new_sessions: true,
            detached_on_timeout: DetachedOnTimeout::After,
            event_before_ack: 0.0,
            reorder_messages: 0.0,
            reorder_delay: Duration::from_millis(10),
            side_effect_first: 0.0,
            duplicate_events: 0.0,
            drop_replies: 0.0,
            stray_errors: 0.0,
            garbage_frames: 0.0,
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $ty:ty),* $(,)?) => {
        $(
            #[$doc]
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
}

impl FakeConfig {
    /// The defaults: a well-behaved Janus.
    pub fn new() -> Self {
        Self::default()
    }

    setter! {
        /// Sets [`seed`](Self::seed).
        seed: u64,
        /// Sets [`latency`](Self::latency).
        latency: RangeInclusive<Duration>,
        /// Sets [`session_timeout`](Self::session_timeout).
        session_timeout: Duration,
        /// Sets [`timeout_slack`](Self::timeout_slack).
        timeout_slack: Duration,
        /// Sets [`reclaim_session_timeout`](Self::reclaim_session_timeout).
        reclaim_session_timeout: Duration,
        /// Sets [`full_trickle`](Self::full_trickle).
        full_trickle: bool,
        /// Sets [`accepting_new_sessions`](Self::accepting_new_sessions).
        accepting_new_sessions: bool,
        /// Sets [`detached_on_timeout`](Self::detached_on_timeout).
        detached_on_timeout: DetachedOnTimeout,
        /// Sets [`event_before_ack`](Self::event_before_ack).
        event_before_ack: f64,
        /// Sets [`reorder_messages`](Self::reorder_messages).
        reorder_messages: f64,
        /// Sets [`reorder_delay`](Self::reorder_delay).
        reorder_delay: Duration,
        /// Sets [`side_effect_first`](Self::side_effect_first).
        side_effect_first: f64,
        /// Sets [`duplicate_events`](Self::duplicate_events).
        duplicate_events: f64,
        /// Sets [`drop_replies`](Self::drop_replies).
        drop_replies: f64,
        /// Sets [`stray_errors`](Self::stray_errors).
        stray_errors: f64,
        /// Sets [`garbage_frames`](Self::garbage_frames).
        garbage_frames: f64,
    }

    /// Sets [`api_secret`](Self::api_secret).
    pub fn api_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.api_secret = Some(secret.into());
        self
    }

    /// Turns on token auth with these [`tokens`](Self::tokens).
    pub fn tokens<T: Into<Secret>>(mut self, tokens: impl IntoIterator<Item = T>) -> Self {
        self.tokens = Some(tokens.into_iter().map(Into::into).collect());
        self
    }
}

/// Counters of what a [`FakeJanus`] did, to check that a fault was actually exercised.
///
/// ```
/// use janus_proto::testing::{FakeConfig, FakeJanus};
/// let janus = FakeJanus::new(FakeConfig::new());
/// assert_eq!(janus.stats().requests, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeStats {
    /// Requests received (frames that held a Janus request).
    pub requests: u64,
    /// Async plugin events sent before their ack.
    pub events_before_ack: u64,
    /// Messages handed to a busy worker (run after a later request, or late).
    pub reordered: u64,
    /// Messages actually overtaken by a later request.
    pub overtaken: u64,
    /// Side effects sent before the reply that caused them.
    pub side_effects_first: u64,
    /// Unsolicited messages sent twice.
    pub duplicated: u64,
    /// Replies dropped.
    pub dropped: u64,
    /// Requests answered with a transaction-less error instead.
    pub stray_errors: u64,
    /// Garbage frames sent.
    pub garbage: u64,
}

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

#[derive(Debug)]
struct Parked {
    release: Instant,
    request: Request,
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

    /// Queues a frame for the client, keeping the connection's FIFO order.
    fn emit(&mut self, now: Instant, frame: String) {
        if !self.connected {
            return;
        }
        let latency = self.rng.duration(&self.config.latency);
        let due = now.checked_add(latency).unwrap_or(now);
        let due = self.last_due.map_or(due, |last| last.max(due));
        self.last_due = Some(due);
        self.outbox.push_back((due, frame));
    }

    /// A reply to a request: it may be lost, or preceded by garbage.
    fn reply(&mut self, now: Instant, message: ServerMessage) {
        if self.rng.chance(self.config.garbage_frames) {
            self.stats.garbage += 1;
            let garbage = GARBAGE[self.rng.below(GARBAGE.len() as u64) as usize];
            self.emit(now, garbage.to_owned());
        }
        if self.rng.chance(self.config.drop_replies) {
            self.stats.dropped += 1;
            return;
        }
        self.emit(now, message.encode());
    }

    /// A server-initiated message (already known to go to this connection): it may be
    /// duplicated.
    fn unsolicited(&mut self, now: Instant, message: ServerMessage) {
        let frame = message.encode();
        if message.transaction().is_none() && self.rng.chance(self.config.duplicate_events) {
            self.stats.duplicated += 1;
            self.emit(now, frame.clone());
        }
        self.emit(now, frame);
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
        self.reply(
            now,
            ServerMessage::Success {
                transaction: txn,
                session_id: None,
                sender: None,
                id: Some(id.0),
                plugindata: None,
            },
        );
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
        self.reply(
            now,
            ServerMessage::Success {
                transaction: txn,
                session_id: Some(session),
                sender: None,
                id: Some(handle.0),
                plugindata: None,
            },
        );
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
            self.send_to_owner(now, plugin_event(None, session, handle, plugin, data, None));
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
                let plugindata = plugin_data(plugin, data);
                let reply = ServerMessage::Success {
                    transaction: txn,
                    session_id: Some(session),
                    sender: Some(handle),
                    id: None,
                    plugindata: Some(plugindata),
                };
                let side: Vec<ServerMessage> = side
                    .into_iter()
                    .map(|(s, h, data)| plugin_event(None, s, h, plugin, data, None))
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
                    let candidate = Candidate::Ice(IceCandidate {
                        candidate: "candidate:1 1 udp 2015363327 192.0.2.2 43541 typ host"
                            .to_owned(),
                        sdp_mid: None,
                        sdp_mline_index: Some(0),
                    });
                    for candidate in [candidate, Candidate::Completed] {
                        let m = ServerMessage::Trickle {
                            session_id: session,
                            sender: handle,
                            candidate,
                        };
                        self.send_to_owner(now, m);
                    }
                }
                let event = plugin_event(Some(txn), session, handle, plugin, data, jsep);
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

    fn echotest(
        &mut self,
        session: SessionId,
        handle: HandleId,
        body: &Map<String, Value>,
        offer: bool,
    ) -> PluginReply {
        const KNOWN: [&str; 10] = [
            "audio",
            "video",
            "bitrate",
            "record",
            "filename",
            "audiocodec",
            "videocodec",
            "videoprofile",
            "substream",
            "temporal",
        ];
        let bad_type = ["audio", "video", "record"]
            .into_iter()
            .find(|k| body.get(*k).is_some_and(|v| !v.is_boolean()));
        let error = if let Some(key) = bad_type {
            Some(format!("Invalid element type ({key} should be a boolean)"))
        } else if !KNOWN.iter().any(|k| body.contains_key(*k)) {
            Some("Message error: no supported attributes found".to_owned())
        } else {
            None
        };
        let ok = error.is_none();
        let data = match error {
            Some(reason) => plugin_error("echotest", 413, &reason),
            None => json!({"echotest": "event", "result": "ok"}),
        };
        let jsep = (offer && ok).then(|| {
            if let Some(h) = self.handle_mut(session, handle) {
                h.pc = true;
            }
            Jsep::answer(self.sdp("answer"))
        });
        PluginReply::Async {
            hint: Some("I'm taking my time!"),
            event: Some((data, jsep)),
            after: Vec::new(),
        }
    }

    fn videoroom(
        &mut self,
        session: SessionId,
        handle: HandleId,
        body: &Map<String, Value>,
        offer: bool,
    ) -> PluginReply {
        let sync = |data| PluginReply::Sync {
            data,
            side: Vec::new(),
        };
        let asynchronous = |data, jsep| PluginReply::Async {
            hint: None,
            event: Some((data, jsep)),
            after: Vec::new(),
        };
        let Some(request) = body.get("request").and_then(Value::as_str) else {
            return sync(plugin_error("videoroom", 429, "Missing element (request)"));
        };
        let room = body.get("room").and_then(Value::as_u64);
        let no_room = |r: u64| plugin_error("videoroom", 426, &format!("No such room ({r})"));
        let missing_room = || plugin_error("videoroom", 429, "Missing element (room)");
        let current = self.handle_mut(session, handle).and_then(|h| h.room);
        match request {
            "create" => {
                let room = room.unwrap_or_else(|| self.rng.janus_id());
                if self.rooms.contains_key(&room) {
                    let reason = format!("Room {room} already exists");
                    return sync(plugin_error("videoroom", 427, &reason));
                }
                let description = body
                    .get("description")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("Room {room}"), str::to_owned);
                self.rooms.insert(room, description);
                sync(json!({"videoroom": "created", "room": room, "permanent": false}))
            }
            "exists" => match room {
                Some(r) => sync(json!({
                    "videoroom": "success", "room": r, "exists": self.rooms.contains_key(&r)
                })),
                None => sync(missing_room()),
            },
            "list" => {
                let list: Vec<Value> = self
                    .rooms
                    .iter()
                    .map(|(room, description)| {
                        json!({
                            "room": room, "description": description, "pin_required": false,
                            "is_private": false, "max_publishers": 3,
                            "num_participants": self.participants(*room).len(),
                        })
                    })
                    .collect();
                sync(json!({"videoroom": "success", "list": list}))
            }
            "destroy" => match room {
                None => sync(missing_room()),
                Some(r) if !self.rooms.contains_key(&r) => sync(no_room(r)),
                Some(r) => {
                    self.rooms.remove(&r);
                    let participants = self.participants(r);
                    let mut side = Vec::new();
                    for (s, h) in participants {
                        if let Some(handle) = self.handle_mut(s, h) {
                            handle.room = None;
                        }
                        side.push((s, h, json!({"videoroom": "destroyed", "room": r})));
                    }
                    PluginReply::Sync {
                        data: json!({"videoroom": "destroyed", "room": r, "permanent": false}),
                        side,
                    }
                }
            },
            "join" => {
                let data = match (room, body.get("ptype").and_then(Value::as_str)) {
                    (None, _) => missing_room(),
                    (_, None) => plugin_error("videoroom", 429, "Missing element (ptype)"),
                    (Some(r), _) if !self.rooms.contains_key(&r) => no_room(r),
                    (_, _) if current.is_some() => {
                        plugin_error("videoroom", 425, "Already in as a publisher on this handle")
                    }
                    (Some(r), Some("publisher")) => {
                        let (id, private_id) = (self.rng.janus_id(), self.rng.below(1 << 32));
                        if let Some(h) = self.handle_mut(session, handle) {
                            h.room = Some(r);
                        }
                        let description = self.rooms.get(&r).cloned().unwrap_or_default();
                        json!({
                            "videoroom": "joined", "room": r, "description": description,
                            "id": id, "private_id": private_id, "publishers": [],
                        })
                    }
                    (_, Some(_)) => plugin_error("videoroom", 430, "Invalid element (ptype)"),
                };
                asynchronous(data, None)
            }
            "configure" | "publish" => match current {
                None => asynchronous(
                    plugin_error("videoroom", 424, "Can't configure (not in a room)"),
                    None,
                ),
                Some(r) => {
                    let jsep = offer.then(|| {
                        if let Some(h) = self.handle_mut(session, handle) {
                            h.pc = true;
                        }
                        Jsep::answer(self.sdp("answer"))
                    });
                    let data = json!({"videoroom": "event", "room": r, "configured": "ok"});
                    asynchronous(data, jsep)
                }
            },
            "leave" => {
                if let Some(h) = self.handle_mut(session, handle) {
                    h.room = None;
                }
                asynchronous(json!({"videoroom": "event", "leaving": "ok"}), None)
            }
            other => sync(plugin_error(
                "videoroom",
                423,
                &format!("Unknown request '{other}'"),
            )),
        }
    }

    /// The handles in a VideoRoom room.
    fn participants(&self, room: u64) -> Vec<(SessionId, HandleId)> {
        self.sessions
            .iter()
            .flat_map(|(s, session)| {
                session
                    .handles
                    .iter()
                    .filter(move |(_, h)| h.room == Some(room))
                    .map(move |(h, _)| (*s, *h))
            })
            .collect()
    }

    fn streaming(
        &mut self,
        session: SessionId,
        handle: HandleId,
        body: &Map<String, Value>,
        answer: bool,
    ) -> PluginReply {
        let sync = |data| PluginReply::Sync {
            data,
            side: Vec::new(),
        };
        let asynchronous = |data: Option<Value>, jsep, after| PluginReply::Async {
            hint: None,
            event: data.map(|d| (d, jsep)),
            after,
        };
        let status = |s: &str| json!({"streaming": "event", "result": {"status": s}});
        let Some(request) = body.get("request").and_then(Value::as_str) else {
            return sync(plugin_error("streaming", 453, "Missing element (request)"));
        };
        let id = body.get("id").and_then(Value::as_u64);
        let no_such = |id: Option<u64>| {
            let id = id.map_or_else(|| "?".to_owned(), |i| i.to_string());
            plugin_error("streaming", 455, &format!("No such mountpoint/stream {id}"))
        };
        let (watching, started) = self
            .handle_mut(session, handle)
            .map_or((None, false), |h| (h.watching, h.started));
        match request {
            "list" => {
                let list: Vec<Value> = self
                    .mountpoints
                    .iter()
                    .map(|id| json!({"id": id, "type": "live", "description": "Fake stream", "enabled": true}))
                    .collect();
                sync(json!({"streaming": "list", "list": list}))
            }
            "info" => match id {
                Some(i) if self.mountpoints.contains(&i) => sync(json!({
                    "streaming": "info",
                    "info": {"id": i, "description": "Fake stream", "enabled": true, "viewers": 0, "type": "live"}
                })),
                _ => sync(no_such(id)),
            },
            "watch" => match id {
                Some(i) if self.mountpoints.contains(&i) => {
                    if let Some(h) = self.handle_mut(session, handle) {
                        h.watching = Some(i);
                        h.janus_offered = true;
                    }
                    let offer = Jsep::offer(self.sdp("offer"));
                    asynchronous(Some(status("preparing")), Some(offer), Vec::new())
                }
                _ => asynchronous(Some(no_such(id)), None, Vec::new()),
            },
            "start" => match watching {
                Some(_) => {
                    if let Some(h) = self.handle_mut(session, handle) {
                        h.started = true;
                        h.pc |= answer;
                    }
                    asynchronous(Some(status("starting")), None, Vec::new())
                }
                None => asynchronous(
                    Some(plugin_error(
                        "streaming",
                        460,
                        "Can't start: no mountpoint set",
                    )),
                    None,
                    Vec::new(),
                ),
            },
            "pause" if started => asynchronous(Some(status("pausing")), None, Vec::new()),
            // Ignored by a viewer that never started: the ack is all there is.
            "pause" | "stop" if !started => asynchronous(None, None, Vec::new()),
            "stop" => {
                if let Some(h) = self.handle_mut(session, handle) {
                    h.started = false;
                    h.watching = None;
                    h.janus_offered = false;
                    h.pc = false;
                }
                let hangup = ServerMessage::Hangup {
                    session_id: session,
                    sender: handle,
                    reason: Some("Close PC".to_owned()),
                };
                asynchronous(Some(status("stopping")), None, vec![hangup])
            }
            other => sync(plugin_error(
                "streaming",
                452,
                &format!("Unknown request '{other}'"),
            )),
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

/// Garbage frames a faulty server might send.
const GARBAGE: [&str; 4] = [
    "not json",
    r#"{"janus":"#,
    r#"{"janus":"success"}"#,
    "[1,2,3]",
];

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

/// Splits a frame into its JSON values the way Janus does: several concatenated objects
/// are fine, but any parse failure, or anything after the last value (even a newline),
/// drops the whole frame with a 454.
fn parse_frame(frame: &str) -> Result<Vec<Value>, String> {
    let invalid = |what: &str| format!("Invalid Janus API request - {what}");
    if frame.trim_start().is_empty() {
        return Err(invalid("'[' or '{' expected near end of file"));
    }
    if frame.ends_with(|c: char| c.is_whitespace()) {
        return Err(invalid("'[' or '{' expected near end of file"));
    }
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_str(frame).into_iter::<Value>() {
        match value {
            Ok(v) => values.push(v),
            Err(e) => return Err(invalid(&e.to_string())),
        }
    }
    Ok(values)
}

/// Why a JSON value is not a request Janus would run.
struct Refusal {
    transaction: Option<String>,
    session_id: Option<SessionId>,
    code: u32,
    reason: String,
}

/// Checks the envelope as Janus's top-level validator does, then decodes the request.
fn validate(value: Value) -> Result<Request, Refusal> {
    let refuse = |transaction: Option<&str>, session_id, code, reason: String| Refusal {
        transaction: transaction.map(str::to_owned),
        session_id,
        code,
        reason,
    };
    let mut object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            let reason = "Missing mandatory element (transaction)".to_owned();
            return Err(refuse(None, None, 456, reason));
        }
        _ => {
            let reason = "Invalid Janus API request - '[' or '{' expected".to_owned();
            return Err(refuse(None, None, 454, reason));
        }
    };
    for field in ["transaction", "janus"] {
        match object.get(field) {
            None => {
                let reason = format!("Missing mandatory element ({field})");
                return Err(refuse(None, None, 456, reason));
            }
            Some(v) if !v.is_string() => {
                let reason = format!("Invalid element type ({field} should be a string)");
                return Err(refuse(None, None, 467, reason));
            }
            Some(_) => {}
        }
    }
    let transaction = object
        .get("transaction")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = object
        .get("janus")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Non-integer ids are ignored as if absent.
    let session_id = object
        .get("session_id")
        .and_then(Value::as_u64)
        .map(SessionId);
    if session_id.is_none() {
        object.remove("session_id");
    }
    let has_handle = object.get("handle_id").is_some_and(Value::is_u64);
    if !has_handle {
        object.remove("handle_id");
    }
    if name == "create" && object.get("id").is_some_and(|id| !id.is_u64()) {
        let reason = "Invalid element type (id should be a positive integer)".to_owned();
        return Err(refuse(None, None, 467, reason));
    }
    let txn = Some(transaction.as_str());
    let level = match name.as_str() {
        "info" | "ping" | "create" => 0,
        "attach" | "destroy" | "keepalive" | "claim" => 1,
        "message" | "trickle" | "hangup" | "detach" => 2,
        _ => 3,
    };
    match (level, session_id, has_handle) {
        (_, None, true) => {
            return Err(refuse(txn, None, 458, "Session not found".to_owned()));
        }
        (0, Some(_), _) | (3, Some(_), _) => {
            let reason = format!("Unknown request '{name}'");
            return Err(refuse(txn, session_id, 453, reason));
        }
        (3, None, _) | (1 | 2, None, _) | (2, Some(_), false) => {
            let reason = format!("Unhandled request '{name}' at this path");
            return Err(refuse(txn, session_id, 457, reason));
        }
        (1, Some(_), true) if name == "attach" || name == "destroy" => {
            let reason = format!("Unhandled request '{name}' at this path");
            return Err(refuse(txn, session_id, 457, reason));
        }
        _ => {}
    }
    object.insert("janus".to_owned(), Value::String(name));
    let text = Value::Object(object).to_string();
    Request::decode(&text).map_err(|e| {
        let reason = format!("Missing mandatory element or invalid element type ({e})");
        refuse(txn, session_id, 456, reason)
    })
}

fn error_msg(
    transaction: Option<String>,
    session_id: Option<SessionId>,
    code: u32,
    reason: impl Into<String>,
) -> ServerMessage {
    ServerMessage::Error {
        transaction,
        session_id,
        error: JanusError {
            code,
            reason: reason.into(),
        },
    }
}

fn success(transaction: String, session_id: Option<SessionId>) -> ServerMessage {
    ServerMessage::Success {
        transaction,
        session_id,
        sender: None,
        id: None,
        plugindata: None,
    }
}

fn ack(transaction: String, session_id: SessionId, hint: Option<&str>) -> ServerMessage {
    ServerMessage::Ack {
        transaction,
        session_id: Some(session_id),
        hint: hint.map(str::to_owned),
    }
}

fn plugin_data(plugin: Plugin, data: Value) -> PluginData {
    PluginData {
        plugin: plugin.package().to_owned(),
        // A `Value` always serializes; the fallback (`null`) is never used.
        data: serde_json::value::to_raw_value(&data).unwrap_or_else(|_| Box::<RawValue>::default()),
    }
}

fn plugin_event(
    transaction: Option<String>,
    session: SessionId,
    handle: HandleId,
    plugin: Plugin,
    data: Value,
    jsep: Option<Jsep>,
) -> ServerMessage {
    ServerMessage::Event {
        transaction,
        session_id: session,
        sender: handle,
        plugindata: plugin_data(plugin, data),
        jsep,
    }
}

/// A plugin error inside `plugindata.data` (janus-api §5.4).
fn plugin_error(key: &str, code: i64, reason: &str) -> Value {
    let mut data = Map::new();
    data.insert(key.to_owned(), Value::String("event".to_owned()));
    data.insert("error_code".to_owned(), Value::from(code));
    data.insert("error".to_owned(), Value::String(reason.to_owned()));
    Value::Object(data)
}

impl Plugin {
    #[cfg(test)]
    fn all() -> [Plugin; 3] {
        [Plugin::EchoTest, Plugin::VideoRoom, Plugin::Streaming]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::start_instant;

    /// Every frame due up to a second after the fake's latest time.
    fn frames(janus: &mut FakeJanus, now: Instant) -> Vec<Value> {
        let later = janus.now.map_or(now, |t| t.max(now)) + Duration::from_secs(1);
        std::iter::from_fn(|| janus.poll_frame(later))
            .map(|f| serde_json::from_str(&f).unwrap_or(Value::String(f)))
            .collect()
    }

    fn one(janus: &mut FakeJanus, now: Instant, frame: &str) -> Value {
        janus.handle_frame(now, frame);
        let mut out = frames(janus, now);
        assert_eq!(out.len(), 1, "{out:?}");
        out.remove(0)
    }

    #[test]
    fn bad_frames_get_the_transactionless_errors_janus_sends() {
        let now = start_instant();
        let mut janus = FakeJanus::new(FakeConfig::new());
        for (frame, code) in [
            ("", 454),
            ("hello", 454),
            ("5", 454),
            ("[]", 456),
            (r#"{"janus":"ping","transaction":"t"}"#, 0),
            ("{\"janus\":\"ping\",\"transaction\":\"t\"}\n", 454),
            (r#"{"janus":"ping"}"#, 456),
            (r#"{"janus":5,"transaction":"t"}"#, 467),
            (r#"{"janus":"create","transaction":"t","id":-5}"#, 467),
        ] {
            let reply = one(&mut janus, now, frame);
            if code == 0 {
                assert_eq!(reply["janus"], "pong");
            } else {
                assert_eq!(reply["janus"], "error", "{frame:?}");
                assert_eq!(reply["error"]["code"], code, "{frame:?}");
                assert!(reply.get("transaction").is_none(), "{frame:?}");
            }
        }
    }

    #[test]
    fn concatenated_requests_all_run_in_order() {
        let now = start_instant();
        let mut janus = FakeJanus::new(FakeConfig::new());
        let ping = |t: &str| format!(r#"{{"janus":"PING","transaction":"{t}"}}"#);
        janus.handle_frame(now, &format!("{}{}", ping("a"), ping("b")));
        let out = frames(&mut janus, now);
        let txns: Vec<&Value> = out.iter().map(|v| &v["transaction"]).collect();
        assert_eq!(txns, ["a", "b"]);
    }

    #[test]
    fn level_errors_follow_janus() {
        let now = start_instant();
        let mut janus = FakeJanus::new(FakeConfig::new());
        let cases = [
            (r#"{"janus":"keepalive","transaction":"t"}"#, 457),
            (r#"{"janus":"info","transaction":"t","session_id":1}"#, 453),
            (r#"{"janus":"bogus","transaction":"t"}"#, 457),
            (
                r#"{"janus":"keepalive","transaction":"t","session_id":9}"#,
                458,
            ),
            (
                r#"{"janus":"hangup","transaction":"t","session_id":9}"#,
                457,
            ),
            (r#"{"janus":"detach","transaction":"t","handle_id":9}"#, 458),
        ];
        for (frame, code) in cases {
            let reply = one(&mut janus, now, frame);
            assert_eq!(reply["error"]["code"], code, "{frame}");
            assert_eq!(reply["transaction"], "t", "{frame}");
        }
    }

    #[test]
    fn sessions_conflict_and_plugins_must_exist() {
        let now = start_instant();
        let mut janus = FakeJanus::new(FakeConfig::new());
        let created = one(
            &mut janus,
            now,
            r#"{"janus":"create","transaction":"a","id":77}"#,
        );
        assert_eq!(created["data"]["id"], 77);
        let again = one(
            &mut janus,
            now,
            r#"{"janus":"create","transaction":"b","id":77}"#,
        );
        assert_eq!(again["error"]["code"], 468);
        assert_eq!(again["session_id"], 77);
        let sip =
            r#"{"janus":"attach","transaction":"c","session_id":77,"plugin":"janus.plugin.sip"}"#;
        assert_eq!(one(&mut janus, now, sip)["error"]["code"], 460);
        for plugin in Plugin::all() {
            let attach = format!(
                r#"{{"janus":"attach","transaction":"d","session_id":77,"plugin":"{}"}}"#,
                plugin.package()
            );
            assert!(one(&mut janus, now, &attach)["data"]["id"].is_u64());
        }
        assert_eq!(janus.handles(SessionId(77)).len(), 3);
    }

    #[test]
    fn auth_is_checked_on_everything_but_info_and_ping() {
        let now = start_instant();
        let mut janus = FakeJanus::new(FakeConfig::new().api_secret("s").tokens(["tok"]));
        let info = one(&mut janus, now, r#"{"janus":"info","transaction":"a"}"#);
        assert_eq!(info["api_secret"], true);
        assert_eq!(info["auth_token"], true);
        let create = one(&mut janus, now, r#"{"janus":"create","transaction":"b"}"#);
        assert_eq!(create["error"]["code"], 403);
        let bad = r#"{"janus":"create","transaction":"c","apisecret":"x"}"#;
        assert_eq!(one(&mut janus, now, bad)["error"]["code"], 403);
        let secret = r#"{"janus":"create","transaction":"d","apisecret":"s"}"#;
        assert!(one(&mut janus, now, secret)["data"]["id"].is_u64());
        let token = r#"{"janus":"create","transaction":"e","token":"tok"}"#;
        assert!(one(&mut janus, now, token)["data"]["id"].is_u64());
    }

    #[test]
    fn an_expired_session_sends_timeout_and_detached_as_configured() {
        for (mode, expected) in [
            (DetachedOnTimeout::Never, vec!["timeout"]),
            (DetachedOnTimeout::After, vec!["timeout", "detached"]),
            (DetachedOnTimeout::Before, vec!["detached", "timeout"]),
        ] {
            let now = start_instant();
            let config = FakeConfig::new()
                .session_timeout(Duration::from_secs(10))
                .detached_on_timeout(mode);
            let mut janus = FakeJanus::new(config);
            janus.handle_frame(now, r#"{"janus":"create","transaction":"a","id":5}"#);
            let attach = r#"{"janus":"attach","transaction":"b","session_id":5,"plugin":"janus.plugin.echotest"}"#;
            janus.handle_frame(now, attach);
            let replies = [
                janus.poll_frame(now + Duration::from_secs(9)),
                janus.poll_frame(now + Duration::from_secs(9)),
            ];
            assert!(replies
                .iter()
                .all(|r| r.as_deref().is_some_and(|r| r.contains("success"))));
            assert_eq!(janus.next_timeout(), Some(now + Duration::from_secs(10)));
            assert_eq!(janus.poll_frame(now + Duration::from_secs(9)), None);
            let expired = now + Duration::from_secs(10);
            let out: Vec<Value> =
                std::iter::from_fn(|| janus.poll_frame(expired + Duration::from_millis(1)))
                    .filter_map(|f| serde_json::from_str(&f).ok())
                    .collect();
            let kinds: Vec<&str> = out.iter().filter_map(|v| v["janus"].as_str()).collect();
            assert_eq!(kinds, expected, "{mode:?}");
            assert!(janus.sessions().is_empty());
        }
    }

    #[test]
    fn a_killed_connection_orphans_sessions_only_with_reclaim() {
        let now = start_instant();
        for (reclaim, kept) in [(0, false), (30, true)] {
            let config = FakeConfig::new().reclaim_session_timeout(Duration::from_secs(reclaim));
            let mut janus = FakeJanus::new(config);
            one(
                &mut janus,
                now,
                r#"{"janus":"create","transaction":"a","id":5}"#,
            );
            janus.kill();
            janus.handle_frame(now, r#"{"janus":"ping","transaction":"p"}"#);
            assert_eq!(janus.next_delivery(), None);
            assert_eq!(!janus.sessions().is_empty(), kept);
            janus.reconnect();
            let claim = one(
                &mut janus,
                now,
                r#"{"janus":"claim","transaction":"c","session_id":5}"#,
            );
            assert_eq!(claim["janus"], if kept { "success" } else { "error" });
            assert_eq!(janus.owns(SessionId(5)), kept);
        }
    }

    #[test]
    fn nothing_a_client_sends_makes_it_panic() {
        let seeds = [
            r#"{"janus":"create","transaction":"a","id":5}"#,
            r#"{"janus":"attach","transaction":"b","session_id":5,"plugin":"janus.plugin.videoroom"}"#,
            r#"{"janus":"message","transaction":"c","session_id":5,"handle_id":1,"body":{"request":"join","room":1234,"ptype":"publisher"}}"#,
            r#"{"janus":"message","transaction":"d","session_id":5,"handle_id":1,"body":[],"jsep":{"type":"answer","sdp":"v=0"}}"#,
            r#"{"janus":"trickle","transaction":"e","session_id":5,"handle_id":1,"candidates":[{"completed":true}]}"#,
            r#"{"janus":"claim","transaction":"f","session_id":5,"handle_id":1}"#,
            r#"{"janus":"destroy","transaction":"g","session_id":5}"#,
        ];
        let now = start_instant();
        let config = FakeConfig::new()
            .reorder_messages(0.5)
            .event_before_ack(0.5)
            .duplicate_events(0.5)
            .garbage_frames(0.1)
            .stray_errors(0.1);
        let mut janus = FakeJanus::new(config);
        let mut rng = Rng::new(11);
        let tokens = [
            "{", "}", "[", "]", ",", ":", "\"", "0", "-1", "1e400", "null", "ü", " ", "\n",
        ];
        for round in 0..20_000u64 {
            let mut chars: Vec<char> = seeds[rng.below(seeds.len() as u64) as usize]
                .chars()
                .collect();
            for _ in 0..rng.below(4) {
                let at = rng.below(chars.len() as u64 + 1) as usize;
                match rng.below(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 => chars.truncate(at),
                    _ => {
                        let token = tokens[rng.below(tokens.len() as u64) as usize];
                        for (i, c) in token.chars().enumerate() {
                            chars.insert(at + i, c);
                        }
                    }
                }
            }
            let frame: String = chars.into_iter().collect();
            let t = now + Duration::from_millis(round);
            janus.handle_frame(t, &frame);
            while janus.poll_frame(t + Duration::from_millis(20)).is_some() {}
            if round % 5000 == 0 {
                janus.kill();
                janus.reconnect();
            }
        }
        assert!(janus.stats().requests > 1000);
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = Rng::new(3);
        let mut b = Rng::new(3);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let range = Duration::from_millis(5)..=Duration::from_millis(7);
        for _ in 0..100 {
            let d = a.duration(&range);
            assert!(range.contains(&d));
            let id = a.janus_id();
            assert!((1..1 << 53).contains(&id));
        }
        let hits = (0..1000).filter(|_| a.chance(0.3)).count();
        assert!((200..400).contains(&hits), "{hits}");
    }
}
