//! Configuration of a [`Client`](crate::Client) or an [`AdminClient`](crate::AdminClient):
//! one set of limits for both.

use std::time::Duration;

use crate::link::Reconnect;
use crate::secret::Secret;

/// How requests on one handle are ordered.
///
/// Janus runs `message` requests on a thread pool, so a `detach` or `hangup` sent right after
/// a message can overtake it, and two pipelined messages can reach the plugin in either order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ordering {
    /// Requests on a handle take effect in the order they were submitted: a `message` is held
    /// until every earlier message on the handle has been accepted by Janus (its ack, reply or
    /// error arrived), and a `hangup` or `detach` until every earlier message has its outcome.
    /// `trickle` is never held (Janus queues early candidates itself).
    #[default]
    Ordered,
    /// Every request goes out at once; Janus may reorder them. For high-rate plugin traffic
    /// whose order does not matter.
    Pipelined,
}

/// Settings of a [`Client`](crate::Client) (Janus API) or an
/// [`AdminClient`](crate::AdminClient) (Admin API). Build with [`Config::new`] and the
/// builder methods. The limits, deadlines and memory apply to both; `apisecret`, `token`,
/// the keepalive settings and the ordering only to the Janus API, `admin_secret` only to the
/// Admin API.
///
/// ```
/// use std::time::Duration;
/// use janus_proto::Config;
/// let config = Config::new()
///     .request_timeout(Duration::from_secs(5))
///     .keepalive_interval(Duration::from_secs(20))
///     .apisecret("s3cret");
/// assert_eq!(config.request_timeout, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Prefix of transaction strings (default empty). Give each connection its own when
    /// several connections share sessions through `claim`.
    pub transaction_prefix: String,
    /// Default deadline of a request, from submission to its outcome (default 15 s).
    pub request_timeout: Duration,
    /// Interval between keepalives of an idle session (default 25 s). Over HTTP each
    /// long-poll going out counts as the session's keepalive (Janus refreshes the session
    /// when a poll arrives), and polls go out at least every 30 s (Janus's hold), so the
    /// default there is [`HTTP_KEEPALIVE_INTERVAL`]: no keepalive request goes out unless an
    /// interval is set shorter or a `server_info` reports a `session_timeout` the polls
    /// cannot cover (35 s or less; then half of it).
    pub keepalive_interval: Duration,
    /// Shorten the keepalive interval to half of the `session-timeout` a `server_info` reply
    /// reports, when that is shorter (default on).
    pub keepalive_from_server_info: bool,
    /// `apisecret` put on every request that needs it.
    pub apisecret: Option<Secret>,
    /// `token` put on every request that needs it.
    pub token: Option<Secret>,
    /// `admin_secret` put on every Admin API request that needs it (all but `info` and
    /// `ping`).
    pub admin_secret: Option<Secret>,
    /// Largest frame accepted from the server, in bytes (default 16 MiB).
    pub max_incoming_frame: usize,
    /// Largest frame this client will send, in bytes (default 4 MiB).
    pub max_outgoing_frame: usize,
    /// Most requests pending at once (default 10 000).
    pub max_pending: usize,
    /// Most events queued before unsolicited ones are dropped and counted in
    /// [`Event::Lagged`](crate::Event::Lagged) (default 65 536). Transaction outcomes are
    /// never dropped.
    pub event_queue_capacity: usize,
    /// Default ordering of requests on a handle.
    pub ordering: Ordering,
    /// How many finished transactions, sessions and handles are remembered, so that late
    /// replies and trailing events are recognised (default 1024 each).
    pub memory: usize,
    /// After this long without anything from the server, the client asks its driver to send
    /// a WebSocket ping ([`Action::Ping`](crate::Action::Ping)); `None`: no pings
    /// (default 10 s).
    pub ping_interval: Option<Duration>,
    /// When nothing (no pong, no frame) comes this long after a ping, the connection is
    /// dead: pending requests fail, the driver drops the socket ([`Action::Close`](crate::Action::Close)),
    /// and the client reconnects if it may (default 5 s). With the default interval a dead
    /// link is found within 15 s of the last thing heard, busy or idle.
    pub pong_timeout: Duration,
    /// This many keepalives in a row without an answer make the connection dead too
    /// (default 2; 0: never).
    pub max_keepalive_failures: u32,
    /// Reconnect after the connection is lost, and claim every session (default: no; the
    /// connection then ends with [`ConnectionEvent::Closed`](crate::ConnectionEvent::Closed)).
    pub reconnect: Option<Reconnect>,
    /// What the core speaks over (default [`Wire::Socket`]).
    pub wire: Wire,
    /// Queue an [`Observation`](crate::observe::Observation) of every request, session,
    /// handle and connection event, for a driver's logs and metrics (default off: nothing
    /// is queued). Whoever turns it on takes them with
    /// [`Core::poll_observation`](crate::Core::poll_observation) after every mutation.
    pub observe: bool,
}

/// What carries the core's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Wire {
    /// One two-way message socket: a WebSocket, or a Unix `SOCK_SEQPACKET` socket (Janus's
    /// pfunix). Frames go out with [`Core::poll_transmit`](crate::Core::poll_transmit) and
    /// come in as [`Input::Frame`](crate::Input::Frame).
    #[default]
    Socket,
    /// Janus's HTTP REST interface: requests and long-polls as
    /// [`Exchange`](crate::http::Exchange)s from [`Core::poll_exchange`](crate::Core::poll_exchange),
    /// their responses through [`Core::handle_response`](crate::Core::handle_response) (see
    /// [`http`](crate::http)). No WebSocket pings and no keepalive requests: the long-polls
    /// keep the sessions alive and show the link is.
    Http {
        /// At most this many events per long-poll response (`maxev`, at least 1).
        max_events: u32,
    },
}

/// The default [`Config::keepalive_interval`].
pub const DEFAULT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(25);

/// The keepalive interval over HTTP when [`Config::keepalive_interval`] is left at its
/// default: longer than Janus holds an idle long-poll (30 s) plus a pong deadline, so that
/// the polls alone keep the sessions alive.
pub const HTTP_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(35);

impl Default for Config {
    fn default() -> Self {
        Self {
            transaction_prefix: String::new(),
            request_timeout: Duration::from_secs(15),
            keepalive_interval: DEFAULT_KEEPALIVE_INTERVAL,
            keepalive_from_server_info: true,
            apisecret: None,
            token: None,
            admin_secret: None,
            max_incoming_frame: 16 << 20,
            max_outgoing_frame: 4 << 20,
            max_pending: 10_000,
            event_queue_capacity: 65_536,
            ordering: Ordering::Ordered,
            memory: 1024,
            ping_interval: Some(Duration::from_secs(10)),
            pong_timeout: Duration::from_secs(5),
            max_keepalive_failures: 2,
            reconnect: None,
            wire: Wire::Socket,
            observe: false,
        }
    }
}

impl Config {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
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

    /// Sets [`keepalive_interval`](Self::keepalive_interval) (at least 1 ms).
    pub fn keepalive_interval(mut self, interval: Duration) -> Self {
        self.keepalive_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Sets [`keepalive_from_server_info`](Self::keepalive_from_server_info).
    pub fn keepalive_from_server_info(mut self, on: bool) -> Self {
        self.keepalive_from_server_info = on;
        self
    }

    /// Sets [`apisecret`](Self::apisecret).
    pub fn apisecret(mut self, secret: impl Into<Secret>) -> Self {
        self.apisecret = Some(secret.into());
        self
    }

    /// Sets [`token`](Self::token).
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets [`admin_secret`](Self::admin_secret).
    pub fn admin_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.admin_secret = Some(secret.into());
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

    /// Sets [`event_queue_capacity`](Self::event_queue_capacity) (at least 1).
    pub fn event_queue_capacity(mut self, n: usize) -> Self {
        self.event_queue_capacity = n.max(1);
        self
    }

    /// Sets the default [`Ordering`].
    pub fn ordering(mut self, ordering: Ordering) -> Self {
        self.ordering = ordering;
        self
    }

    /// Sets [`memory`](Self::memory).
    pub fn memory(mut self, n: usize) -> Self {
        self.memory = n;
        self
    }

    /// Sets [`ping_interval`](Self::ping_interval) (at least 1 ms; `None`: no pings).
    pub fn ping_interval(mut self, interval: impl Into<Option<Duration>>) -> Self {
        self.ping_interval = interval.into().map(|i| i.max(Duration::from_millis(1)));
        self
    }

    /// Sets [`pong_timeout`](Self::pong_timeout) (at least 1 ms).
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.pong_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets [`max_keepalive_failures`](Self::max_keepalive_failures).
    pub fn max_keepalive_failures(mut self, n: u32) -> Self {
        self.max_keepalive_failures = n;
        self
    }

    /// Speaks Janus's HTTP REST interface ([`Wire::Http`]) with up to `max_events` events per
    /// long-poll response.
    pub fn http(mut self, max_events: u32) -> Self {
        self.wire = Wire::Http {
            max_events: max_events.max(1),
        };
        self
    }

    /// Speaks over one two-way message socket ([`Wire::Socket`], the default): a WebSocket
    /// or a Unix socket.
    pub fn socket(mut self) -> Self {
        self.wire = Wire::Socket;
        self
    }

    /// Sets [`observe`](Self::observe).
    ///
    /// ```
    /// use std::time::Instant;
    /// use janus_proto::{Client, Command, Config};
    ///
    /// # #[allow(clippy::disallowed_methods)]
    /// let now = Instant::now();
    /// let mut quiet = Client::new(Config::new(), now);
    /// quiet.submit(now, Command::create()).unwrap();
    /// assert!(quiet.poll_observation().is_none());
    ///
    /// let mut observed = Client::new(Config::new().observe(true), now);
    /// observed.submit(now, Command::create()).unwrap();
    /// assert!(observed.poll_observation().is_some());
    /// ```
    pub fn observe(mut self, on: bool) -> Self {
        self.observe = on;
        self
    }

    /// Sets the [`reconnect`](Self::reconnect) policy.
    pub fn reconnect(mut self, policy: impl Into<Option<Reconnect>>) -> Self {
        self.reconnect = policy.into();
        self
    }
}
