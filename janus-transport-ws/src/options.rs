//! [`ConnectOptions`] and [`Timer`]: how to connect, authenticate and keep time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use janus_proto::{Config, Secret};
use janus_ws_connect::rustls;
use janus_ws_connect::{PemSource, TlsSettings};

use crate::runtime::Runtime;
use crate::transport::Setup;

/// A future that completes at (or after) a deadline; what a [`Timer`] makes.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The source of sleeps the [`Driver`](crate::Driver) uses for request deadlines, keepalives,
/// the connect timeout and the close handshake.
///
/// The crate spawns nothing, but a timer needs *something* to wake it up: a reactor. By
/// default the timer is the runtime's the connection is made on (see
/// [Timers and runtimes](crate#timers-and-runtimes)): `Timer::tokio` inside a tokio
/// runtime (feature `tokio`), else `Timer::async_io` (feature `async-io`), whose reactor
/// runs on async-io's own helper thread (started on first use; smol programs have it
/// already). Any other runtime's timer works too:
///
/// ```
/// # use janus_transport_ws::{ConnectOptions, Timer};
/// // Any runtime's "sleep until" works the same way:
/// let timer = Timer::new(|_at| Box::pin(std::future::pending::<()>()));
/// let options = ConnectOptions::new().timer(timer);
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct Timer(Arc<dyn Fn(Instant) -> Sleep + Send + Sync>);

impl Timer {
    /// A timer from a function that returns a future completing at the given instant.
    pub fn new(sleep_until: impl Fn(Instant) -> Sleep + Send + Sync + 'static) -> Self {
        Self(Arc::new(sleep_until))
    }

    /// async-io's `Timer::at`: the reference timer, for smol programs.
    #[cfg(feature = "async-io")]
    pub fn async_io() -> Self {
        Self::new(|at| {
            Box::pin(async move {
                async_io::Timer::at(at).await;
            })
        })
    }

    /// tokio's `sleep_until`, for tokio programs (the driver must then run inside a tokio
    /// runtime).
    #[cfg(feature = "tokio")]
    pub fn tokio() -> Self {
        Self::new(|at| Box::pin(tokio::time::sleep_until(at.into())))
    }

    /// A future that completes at `at`.
    pub fn sleep_until(&self, at: Instant) -> Sleep {
        (self.0)(at)
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Timer(..)")
    }
}

/// How to connect to the Janus API: authentication, deadlines, TLS trust, buffers and the
/// timer. A builder; every setting has a default.
///
/// ```
/// use std::time::Duration;
/// use janus_transport_ws::ConnectOptions;
/// let options = ConnectOptions::new()
///     .apisecret("s3cret")
///     .request_timeout(Duration::from_secs(5))
///     .keepalive_interval(Duration::from_secs(20))
///     .event_buffer(256);
/// # let _ = options;
/// ```
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    pub(crate) config: Config,
    pub(crate) apisecret: Option<Secret>,
    pub(crate) token: Option<Secret>,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) keepalive_interval: Option<Duration>,
    pub(crate) tls: TlsSettings,
    pub(crate) connect_timeout: Duration,
    pub(crate) close_timeout: Duration,
    pub(crate) event_buffer: usize,
    pub(crate) timer: Option<Timer>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            config: Config::new(),
            apisecret: None,
            token: None,
            request_timeout: None,
            keepalive_interval: None,
            tls: TlsSettings::default(),
            connect_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(2),
            event_buffer: 1024,
            timer: None,
        }
    }
}

impl ConnectOptions {
    /// The defaults: no secret or token, janus-proto's [`Config`] defaults (15 s request
    /// timeout, 25 s keepalive), 10 s connect timeout, 1024 events per stream, the webpki
    /// roots for `wss://`, and the timer of the runtime connected on (see [`Timer`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The `apisecret` put on every request that needs it (`api_secret` in `janus.jcfg`).
    pub fn apisecret(mut self, secret: impl Into<Secret>) -> Self {
        self.apisecret = Some(secret.into());
        self
    }

    /// The `token` put on every request that needs it (`token_auth` in `janus.jcfg`).
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Default deadline of a request, from submission to its outcome.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Interval between keepalives of an idle session. It is shortened to half the server's
    /// `session-timeout` once an [`info`](crate::Client::info) reply reports a shorter one
    /// (see [`Config::keepalive_from_server_info`]).
    pub fn keepalive_interval(mut self, interval: Duration) -> Self {
        self.keepalive_interval = Some(interval);
        self
    }

    /// Every other setting of the protocol core (transaction prefix, limits, ordering, …).
    /// The dedicated setters of this type ([`apisecret`](Self::apisecret),
    /// [`token`](Self::token), [`request_timeout`](Self::request_timeout),
    /// [`keepalive_interval`](Self::keepalive_interval)) win over the same fields here,
    /// whatever the order of the calls.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Also trusts the root certificates of this PEM (its bytes, or a path to a file; one or
    /// more `CERTIFICATE` blocks) for `wss://`. May be called several times.
    pub fn tls_root_pem(mut self, pem: impl Into<PemSource>) -> Self {
        self.tls.roots.push(pem.into());
        self
    }

    /// Whether to trust the `webpki-roots` (Mozilla) root certificates too (default `true`).
    pub fn webpki_roots(mut self, on: bool) -> Self {
        self.tls.webpki_roots = on;
        self
    }

    /// A complete rustls client configuration for `wss://`, used as is (the root settings
    /// above are then ignored).
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls.config = Some(config);
        self
    }

    /// Bound on the whole connection setup: TCP, TLS and the WebSocket handshake (default
    /// 10 s). Exceeding it fails with
    /// [`ConnectError::TimedOut`](crate::ConnectError::TimedOut).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a closing [`Driver`](crate::Driver) waits for the server to answer its close
    /// frame before it drops the socket (default 2 s).
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Capacity of each event stream (default 1024, at least 1). When a stream is full, new
    /// events for it are dropped and counted, and the stream then yields
    /// [`StreamItem::Lagged`](crate::StreamItem::Lagged) with the count.
    pub fn event_buffer(mut self, capacity: usize) -> Self {
        self.event_buffer = capacity.max(1);
        self
    }

    /// The timer the driver sleeps with (default: the runtime's, see [`Timer`]; required
    /// when no runtime feature applies).
    pub fn timer(mut self, timer: Timer) -> Self {
        self.timer = Some(timer);
        self
    }

    /// The core configuration with this type's overrides applied.
    pub(crate) fn core_config(&self) -> Config {
        let mut config = self.config.clone();
        if let Some(s) = &self.apisecret {
            config = config.apisecret(s.clone());
        }
        if let Some(t) = &self.token {
            config = config.token(t.clone());
        }
        if let Some(d) = self.request_timeout {
            config = config.request_timeout(d);
        }
        if let Some(d) = self.keepalive_interval {
            config = config.keepalive_interval(d);
        }
        config
    }

    /// The timer to use: the one given, else the current runtime's, else
    /// [`Error::NoTimer`](crate::Error::NoTimer).
    pub(crate) fn resolve_timer(&self) -> crate::Result<Timer> {
        match (&self.timer, Runtime::current()) {
            (Some(timer), _) => Ok(timer.clone()),
            (None, Some(runtime)) => Ok(runtime.timer()),
            (None, None) => Err(crate::Error::NoTimer),
        }
    }

    /// What establishing the WebSocket takes from these options.
    pub(crate) fn setup<'a>(
        &'a self,
        url: &'a str,
        subprotocol: &'static str,
        max_incoming: usize,
        timer: &'a Timer,
    ) -> Setup<'a> {
        Setup {
            url,
            subprotocol,
            tls: &self.tls,
            max_incoming,
            connect_timeout: self.connect_timeout,
            timer,
        }
    }
}
