//! The link: whether the connection is alive (WebSocket pings with a pong deadline, and
//! keepalives that fail in a row), and, with a [`Reconnect`] policy, the reconnect state
//! machine and its backoff schedule. Everything here is rules on time; the driver only
//! sends the pings and dials when told to ([`Action`]).

use std::time::{Duration, Instant};

/// Something the core asks its driver to do besides sending frames: see
/// [`Core::poll_action`](crate::Core::poll_action).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Send a WebSocket ping (any payload); feed its pong as [`Input::Pong`](crate::Input::Pong).
    Ping,
    /// Drop the socket (no closing handshake is needed): the core found the link dead or
    /// gave it up, and already treats it as closed. Feed nothing more from that socket.
    Close,
    /// Open a new connection to endpoint `endpoint` (an index into the list of
    /// [`Reconnect::endpoints`], the same URL as before when there is one), then feed
    /// [`Input::Connected`](crate::Input::Connected) or, if it failed,
    /// [`Input::Lost`](crate::Input::Lost) with why.
    Dial {
        /// Which endpoint.
        endpoint: usize,
        /// The attempt, from 1.
        attempt: u32,
    },
}

/// Why the client lost its connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disconnect {
    /// The transport reported the connection closed or broken, with its words when it gave
    /// them.
    Closed {
        /// What the transport said.
        why: Option<String>,
    },
    /// Nothing came back (no frame, no pong) within the pong deadline after a ping.
    NoPong {
        /// The deadline that passed.
        waited: Duration,
    },
    /// This many keepalives in a row got no answer.
    KeepalivesFailed {
        /// How many.
        count: u32,
    },
    /// Over HTTP, a long-poll got no answer this long (Janus answers an idle one after
    /// 30 s).
    PollUnanswered {
        /// How long it waited.
        waited: Duration,
    },
    /// Over HTTP, the server answered a long-poll with this error status (`5xx`).
    Http {
        /// The status.
        status: u16,
    },
}

impl std::fmt::Display for Disconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disconnect::Closed { why: Some(why) } => write!(f, "connection closed: {why}"),
            Disconnect::Closed { why: None } => f.write_str("connection closed"),
            Disconnect::NoPong { waited } => write!(f, "no pong within {waited:?} of a ping"),
            Disconnect::KeepalivesFailed { count } => {
                write!(f, "{count} keepalives in a row got no answer")
            }
            Disconnect::PollUnanswered { waited } => {
                write!(f, "a long-poll got no answer within {waited:?}")
            }
            Disconnect::Http { status } => write!(f, "a long-poll got HTTP status {status}"),
        }
    }
}

/// An opt-in reconnect policy: after the connection is lost the client dials again
/// ([`Action::Dial`]) with exponential backoff and jitter, claims every session it had with
/// its handles, and goes on. Bounded by attempts, by time, or both.
///
/// The delay before attempt `n` (from 1) is drawn from `[base / 2, base)` with
/// `base = min(max_delay, first_delay × 2^(n-1))`; the draws come from a generator seeded
/// with [`seed`](Self::seed), so a given seed always gives the same schedule (drivers seed it
/// at random).
///
/// ```
/// use std::time::Duration;
/// use janus_proto::{Config, Reconnect};
/// let config = Config::new().reconnect(
///     Reconnect::new()
///         .endpoints(2)
///         .max_attempts(10)
///         .give_up_after(Duration::from_secs(120)),
/// );
/// assert_eq!(config.reconnect.unwrap().endpoints, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reconnect {
    /// How many endpoints the driver can dial (at least 1). Attempts start with the one that
    /// was lost and go round the list.
    pub endpoints: usize,
    /// Base delay of the first attempt (default 200 ms).
    pub first_delay: Duration,
    /// Largest base delay (default 5 s).
    pub max_delay: Duration,
    /// Most attempts in a row before giving up (default: no limit).
    pub max_attempts: Option<u32>,
    /// Give up when the connection has been down this long (default 60 s).
    pub give_up_after: Option<Duration>,
    /// Seed of the jitter.
    pub seed: u64,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self {
            endpoints: 1,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_attempts: None,
            give_up_after: Some(Duration::from_secs(60)),
            seed: 0,
        }
    }
}

impl Reconnect {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`endpoints`](Self::endpoints) (at least 1).
    pub fn endpoints(mut self, n: usize) -> Self {
        self.endpoints = n.max(1);
        self
    }

    /// Sets [`first_delay`](Self::first_delay) (at least 1 ms).
    pub fn first_delay(mut self, d: Duration) -> Self {
        self.first_delay = d.max(Duration::from_millis(1));
        self
    }

    /// Sets [`max_delay`](Self::max_delay).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n);
        self
    }

    /// Sets [`give_up_after`](Self::give_up_after) (`None`: never, when attempts are not
    /// bounded either).
    pub fn give_up_after(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.give_up_after = d.into();
        self
    }

    /// Sets [`seed`](Self::seed).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The base delay of attempt `attempt` (from 1), before jitter.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        self.first_delay
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_delay.max(self.first_delay))
    }
}

/// The jitter source: splitmix64, seeded by the policy (deterministic).
#[derive(Debug, Clone)]
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A delay in `[base / 2, base)`.
    fn spread(&mut self, base: Duration) -> Duration {
        let half = base / 2;
        let span = (base - half).as_nanos().max(1);
        let extra = u128::from(self.next()) % span;
        half + Duration::from_nanos(u64::try_from(extra).unwrap_or(u64::MAX))
    }
}

/// Where the link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Connected.
    Up,
    /// Lost, with a reconnect policy: waiting to dial (`dial_at`) or dialing.
    Down {
        since: Instant,
        attempt: u32,
        dial_at: Option<Instant>,
    },
    /// Closed for good.
    Closed,
}

/// What a timer of the link decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fired {
    /// Nothing for the core to do (a ping went out, or nothing was due).
    Nothing,
    /// The link is dead.
    Dead(Disconnect),
    /// A dial was asked for.
    Dialing { endpoint: usize, attempt: u32 },
    /// The policy is exhausted.
    GiveUp { attempts: u32 },
}

/// Liveness and reconnect state of one client.
#[derive(Debug)]
pub(crate) struct Link {
    state: State,
    ping_interval: Option<Duration>,
    pong_timeout: Duration,
    max_keepalive_failures: u32,
    /// When something last came from the server.
    heard: Instant,
    /// When the outstanding ping went out.
    ping_sent: Option<Instant>,
    policy: Option<Reconnect>,
    jitter: Jitter,
    /// The endpoint of the current (or last) connection.
    endpoint: usize,
    /// The endpoint of the dial in progress.
    dialed: usize,
    actions: std::collections::VecDeque<Action>,
    /// Why the link last went down.
    last_disconnect: Option<Disconnect>,
    /// Attempts made when the policy was exhausted.
    gave_up: Option<u32>,
}

impl Link {
    pub(crate) fn new(config: &crate::Config, now: Instant) -> Self {
        let policy = config.reconnect.clone();
        // Over HTTP there is nothing to ping: the long-polls show the link is alive.
        let ping_interval = match config.wire {
            crate::Wire::Socket => config.ping_interval,
            crate::Wire::Http { .. } => None,
        };
        Self {
            state: State::Up,
            ping_interval,
            pong_timeout: config.pong_timeout,
            max_keepalive_failures: config.max_keepalive_failures,
            heard: now,
            ping_sent: None,
            jitter: Jitter(policy.as_ref().map_or(0, |p| p.seed)),
            policy,
            endpoint: 0,
            dialed: 0,
            actions: std::collections::VecDeque::new(),
            last_disconnect: None,
            gave_up: None,
        }
    }

    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// Why the link last went down.
    pub(crate) fn last_disconnect(&self) -> Option<&Disconnect> {
        self.last_disconnect.as_ref()
    }

    /// The attempts made, once the policy is exhausted.
    pub(crate) fn gave_up(&self) -> Option<u32> {
        self.gave_up
    }

    /// Records why the link went down.
    pub(crate) fn went_down(&mut self, why: &Disconnect) {
        self.last_disconnect = Some(why.clone());
    }

    pub(crate) fn reconnects(&self) -> bool {
        self.policy.is_some()
    }

    /// Something came from the server: the link is alive.
    pub(crate) fn heard(&mut self, now: Instant) {
        self.heard = now;
        self.ping_sent = None;
    }

    /// Whether `streak` keepalives in a row without an answer make the link dead.
    pub(crate) fn keepalives_dead(&self, streak: u32) -> Option<Disconnect> {
        (self.state == State::Up
            && self.max_keepalive_failures > 0
            && streak >= self.max_keepalive_failures)
            .then_some(Disconnect::KeepalivesFailed { count: streak })
    }

    /// The caller says the connection is up again (a manual reconnect).
    pub(crate) fn reopen(&mut self, now: Instant) {
        self.state = State::Up;
        self.heard(now);
    }

    /// The connection is gone (or was found dead). With a policy, the first dial is
    /// scheduled and `true` returned; without one the link is closed for good. `close`: the
    /// driver still holds the socket and must drop it.
    pub(crate) fn lost(&mut self, now: Instant, close: bool) -> bool {
        if close {
            self.actions.push_back(Action::Close);
        }
        self.ping_sent = None;
        match (&self.policy, self.state) {
            (Some(_), State::Up) => {
                let dial_at = self.after_backoff(now, 1);
                self.state = State::Down {
                    since: now,
                    attempt: 0,
                    dial_at: Some(dial_at),
                };
                true
            }
            _ => {
                self.state = State::Closed;
                false
            }
        }
    }

    /// A dial failed: the next one is scheduled, or `Err(attempts)` when the policy is
    /// exhausted (the link is then closed).
    pub(crate) fn dial_failed(&mut self, now: Instant) -> Result<(), u32> {
        let State::Down { since, attempt, .. } = self.state else {
            return Ok(());
        };
        if self.exhausted(now, since, attempt) {
            self.state = State::Closed;
            self.gave_up = Some(attempt);
            return Err(attempt);
        }
        let dial_at = self.after_backoff(now, attempt + 1);
        self.state = State::Down {
            since,
            attempt,
            dial_at: Some(dial_at),
        };
        Ok(())
    }

    /// Whether the policy allows no attempt after `attempt`.
    fn exhausted(&self, now: Instant, since: Instant, attempt: u32) -> bool {
        let Some(policy) = &self.policy else {
            return true;
        };
        policy.max_attempts.is_some_and(|max| attempt >= max)
            || policy
                .give_up_after
                .is_some_and(|limit| now.saturating_duration_since(since) >= limit)
    }

    fn after_backoff(&mut self, now: Instant, attempt: u32) -> Instant {
        let base = self
            .policy
            .as_ref()
            .map_or(Duration::ZERO, |p| p.base_delay(attempt));
        let delay = self.jitter.spread(base);
        now.checked_add(delay).unwrap_or(now)
    }

    /// A dial succeeded: the link is up.
    pub(crate) fn connected(&mut self, now: Instant) -> bool {
        match self.state {
            State::Down { dial_at: None, .. } => {
                self.state = State::Up;
                self.endpoint = self.dialed;
                self.heard(now);
                true
            }
            _ => false,
        }
    }

    /// The caller closed the connection: closed for good, no reconnect.
    pub(crate) fn close(&mut self) {
        self.state = State::Closed;
    }

    /// Whether a dial is in progress.
    pub(crate) fn dialing(&self) -> bool {
        matches!(self.state, State::Down { dial_at: None, .. })
    }

    pub(crate) fn next_timer(&self) -> Option<Instant> {
        match self.state {
            State::Up => match self.ping_sent {
                Some(at) => at.checked_add(self.pong_timeout),
                None => self.ping_interval.and_then(|i| self.heard.checked_add(i)),
            },
            State::Down { dial_at, .. } => dial_at,
            State::Closed => None,
        }
    }

    /// Fires the link's timer if it is due at `now`.
    pub(crate) fn fire(&mut self, now: Instant) -> Fired {
        if self.next_timer().is_none_or(|at| at > now) {
            return Fired::Nothing;
        }
        match self.state {
            State::Up => match self.ping_sent {
                Some(_) => Fired::Dead(Disconnect::NoPong {
                    waited: self.pong_timeout,
                }),
                None => {
                    self.ping_sent = Some(now);
                    self.actions.push_back(Action::Ping);
                    Fired::Nothing
                }
            },
            State::Down { since, attempt, .. } => {
                if self.exhausted(now, since, attempt) {
                    self.state = State::Closed;
                    self.gave_up = Some(attempt);
                    return Fired::GiveUp { attempts: attempt };
                }
                let attempt = attempt + 1;
                let endpoints = self.policy.as_ref().map_or(1, |p| p.endpoints.max(1));
                let endpoint = (self.endpoint + attempt as usize - 1) % endpoints;
                self.state = State::Down {
                    since,
                    attempt,
                    dial_at: None,
                };
                self.dialed = endpoint;
                self.actions.push_back(Action::Dial { endpoint, attempt });
                Fired::Dialing { endpoint, attempt }
            }
            State::Closed => Fired::Nothing,
        }
    }

    pub(crate) fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn start() -> Instant {
        static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        *START.get_or_init(crate::testing::start_instant)
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_in_half_to_whole() {
        let policy = Reconnect::new()
            .first_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(2));
        let bases: Vec<u64> = (1..=8)
            .map(|n| policy.base_delay(n).as_millis() as u64)
            .collect();
        assert_eq!(bases, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
        assert_eq!(policy.base_delay(u32::MAX), Duration::from_secs(2));
        let mut jitter = Jitter(7);
        for n in 1..=1000 {
            let base = policy.base_delay(n % 9);
            let d = jitter.spread(base);
            assert!(
                d >= base / 2 && d < base.max(Duration::from_nanos(1)),
                "{d:?} of {base:?}"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule_and_another_seed_another() {
        let schedule = |seed| {
            let config = Config::new().reconnect(Reconnect::new().seed(seed).max_attempts(6));
            let mut link = Link::new(&config, start());
            let mut now = start();
            assert!(link.lost(now, false));
            let mut delays = Vec::new();
            while let Some(at) = link.next_timer() {
                delays.push(at - now);
                now = at;
                match link.fire(now) {
                    Fired::Dialing { .. } => {
                        if link.dial_failed(now).is_err() {
                            break;
                        }
                    }
                    Fired::GiveUp { .. } => break,
                    other => panic!("{other:?}"),
                }
            }
            delays
        };
        assert_eq!(schedule(1), schedule(1));
        assert_ne!(schedule(1), schedule(2));
        assert_eq!(schedule(1).len(), 6, "six attempts, then it gives up");
    }

    #[test]
    fn a_ping_goes_out_after_an_idle_interval_and_no_pong_is_death() {
        let config = Config::new()
            .ping_interval(Duration::from_secs(10))
            .pong_timeout(Duration::from_secs(5));
        let mut link = Link::new(&config, start());
        assert_eq!(link.next_timer(), Some(start() + Duration::from_secs(10)));
        // Frames keep it quiet.
        link.heard(start() + Duration::from_secs(8));
        assert_eq!(link.fire(start() + Duration::from_secs(10)), Fired::Nothing);
        assert_eq!(link.poll_action(), None);
        let at = start() + Duration::from_secs(18);
        assert_eq!(link.fire(at), Fired::Nothing);
        assert_eq!(link.poll_action(), Some(Action::Ping));
        assert_eq!(link.next_timer(), Some(at + Duration::from_secs(5)));
        assert_eq!(
            link.fire(at + Duration::from_secs(5)),
            Fired::Dead(Disconnect::NoPong {
                waited: Duration::from_secs(5)
            })
        );
    }

    #[test]
    fn keepalive_failures_in_a_row_are_death_only_while_up() {
        let config = Config::new().max_keepalive_failures(2);
        let mut link = Link::new(&config, start());
        assert_eq!(link.keepalives_dead(1), None);
        assert_eq!(
            link.keepalives_dead(2),
            Some(Disconnect::KeepalivesFailed { count: 2 })
        );
        link.lost(start(), false);
        assert_eq!(link.keepalives_dead(5), None);
    }

    #[test]
    fn attempts_go_round_the_endpoints_from_the_lost_one() {
        let config = Config::new().reconnect(Reconnect::new().endpoints(3));
        let mut link = Link::new(&config, start());
        let mut now = start();
        let dial = |link: &mut Link, now: &mut Instant| {
            *now = link.next_timer().unwrap();
            match link.fire(*now) {
                Fired::Dialing { endpoint, .. } => endpoint,
                other => panic!("{other:?}"),
            }
        };
        link.lost(now, false);
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(dial(&mut link, &mut now));
            link.dial_failed(now).unwrap();
        }
        seen.push(dial(&mut link, &mut now));
        assert!(
            link.connected(now),
            "the fifth attempt (endpoint 1) connects"
        );
        link.lost(now, false);
        for _ in 0..3 {
            seen.push(dial(&mut link, &mut now));
            link.dial_failed(now).unwrap();
        }
        assert_eq!(seen, [0, 1, 2, 0, 1, 1, 2, 0]);
    }

    #[test]
    fn giving_up_after_a_time_is_checked_before_each_attempt() {
        let config = Config::new().reconnect(
            Reconnect::new()
                .first_delay(Duration::from_secs(1))
                .max_delay(Duration::from_secs(1))
                .give_up_after(Duration::from_secs(3)),
        );
        let mut link = Link::new(&config, start());
        link.lost(start(), false);
        let mut attempts = 0;
        loop {
            let now = link.next_timer().expect("a timer while down");
            assert!(now - start() < Duration::from_secs(4));
            match link.fire(now) {
                Fired::Dialing { attempt, .. } => {
                    attempts = attempt;
                    if link.dial_failed(now).is_err() {
                        break;
                    }
                }
                Fired::GiveUp { attempts: n } => {
                    assert_eq!(n, attempts);
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(attempts >= 3, "{attempts}");
        assert_eq!(link.state(), State::Closed);
        assert_eq!(link.next_timer(), None);
    }
}
