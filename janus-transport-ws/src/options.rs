//! [`ConnectOptions`] and [`Timer`]: how to connect, authenticate and keep time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use janus_ws_connect::CommonOptions;

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
/// timer. A builder; every setting has a default. The dedicated setters
/// ([`apisecret`](Self::apisecret), [`token`](Self::token),
/// [`request_timeout`](Self::request_timeout),
/// [`keepalive_interval`](Self::keepalive_interval)) win over the same fields of
/// [`config`](Self::config), whatever the order of the calls.
///
/// ```
/// use std::time::Duration;
/// use janus_transport_ws::ConnectOptions;
/// let options = ConnectOptions::new()
///     .apisecret("s3cret")
///     .request_timeout(Duration::from_secs(5))
///     .keepalive_interval(Duration::from_secs(20))
///     .event_queue_capacity(256);
/// assert_eq!(options.protocol_config().request_timeout, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    pub(crate) common: CommonOptions,
    pub(crate) close_timeout: Duration,
    pub(crate) timer: Option<Timer>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            common: CommonOptions::default(),
            close_timeout: Duration::from_secs(2),
            timer: None,
        }
    }
}

impl ConnectOptions {
    /// The defaults: no secret or token, janus-proto's [`Config`](janus_proto::Config)
    /// defaults (15 s request timeout, 25 s keepalive, 65 536 events per subscriber), 10 s
    /// connect timeout, the webpki roots for `wss://`, and the timer of the runtime connected on (see
    /// [`Timer`]).
    pub fn new() -> Self {
        Self::default()
    }

    janus_ws_connect::common_options!(common);

    /// How long a closing [`Driver`](crate::Driver) waits for the server to answer its close
    /// frame before it drops the socket (default 2 s).
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// The timer the driver sleeps with (default: the runtime's, see [`Timer`]; required
    /// when no runtime feature applies).
    pub fn timer(mut self, timer: Timer) -> Self {
        self.timer = Some(timer);
        self
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

    /// What establishing the connection takes from these options.
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
            common: &self.common,
            max_incoming,
            timer,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::ConnectOptions;

    #[test]
    fn a_setter_called_before_config_still_wins() {
        let options = ConnectOptions::new()
            .keepalive_interval(Duration::from_secs(4))
            .config(janus_proto::Config::new().transaction_prefix("x"));
        let config = options.protocol_config();
        assert_eq!(config.keepalive_interval, Duration::from_secs(4));
        assert_eq!(config.transaction_prefix, "x");
    }
}
