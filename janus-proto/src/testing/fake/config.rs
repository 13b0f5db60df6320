//! [`FakeConfig`]: the settings and fault knobs of a [`FakeJanus`](super::FakeJanus).

use std::ops::RangeInclusive;
use std::time::Duration;

use crate::secret::Secret;

#[cfg(doc)]
use super::{FakeJanus, Rng};

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
