//! [`CommonOptions`]: the connection settings both drivers take, and
//! [`common_options!`](crate::common_options), their builder methods written once.

use std::time::Duration;

use janus_proto::{Config, Reconnect, Secret};

use crate::tls::TlsSettings;

/// The settings both drivers' `ConnectOptions` hold: the protocol configuration, the
/// values of the dedicated setters (kept apart so that they win over [`config`] whatever
/// the order of the calls), the Admin API secret, the connect timeout and TLS trust.
///
/// [`config`]: CommonOptions::config
///
/// ```
/// use std::time::Duration;
/// use janus_ws_connect::CommonOptions;
/// use janus_proto::Config;
///
/// let mut options = CommonOptions::default();
/// options.request_timeout = Some(Duration::from_secs(5));
/// options.config = Config::new().request_timeout(Duration::from_secs(60));
/// assert_eq!(options.protocol_config().request_timeout, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug)]
pub struct CommonOptions {
    /// The protocol configuration the setters below are applied over.
    pub config: Config,
    /// `apisecret`, over [`Config::apisecret`].
    pub apisecret: Option<Secret>,
    /// `token`, over [`Config::token`].
    pub token: Option<Secret>,
    /// Over [`Config::request_timeout`].
    pub request_timeout: Option<Duration>,
    /// Over [`Config::keepalive_interval`].
    pub keepalive_interval: Option<Duration>,
    /// `admin_secret` for Admin API connections, over [`Config::admin_secret`].
    pub admin_secret: Option<Secret>,
    /// Over [`Config::event_queue_capacity`].
    pub event_queue_capacity: Option<usize>,
    /// Bound on TCP connect, TLS and the WebSocket handshake together.
    pub connect_timeout: Duration,
    /// Whom to trust for `wss://`.
    pub tls: TlsSettings,
    /// Over [`Config::ping_interval`] (`Some(None)`: no pings).
    pub ping_interval: Option<Option<Duration>>,
    /// Over [`Config::pong_timeout`].
    pub pong_timeout: Option<Duration>,
    /// Over [`Config::reconnect`]; its endpoints and seed are set by
    /// [`protocol_config`](Self::protocol_config).
    pub reconnect: Option<Reconnect>,
    /// More URLs to dial when reconnecting, after the one connected to first.
    pub fallback_urls: Vec<String>,
}

impl Default for CommonOptions {
    /// [`Config::new`], no setter values, no admin secret, a 10 s connect timeout and
    /// [`TlsSettings::default`].
    fn default() -> Self {
        Self {
            config: Config::new(),
            apisecret: None,
            token: None,
            request_timeout: None,
            keepalive_interval: None,
            admin_secret: None,
            event_queue_capacity: None,
            connect_timeout: Duration::from_secs(10),
            tls: TlsSettings::default(),
            ping_interval: None,
            pong_timeout: None,
            reconnect: None,
            fallback_urls: Vec::new(),
        }
    }
}

impl CommonOptions {
    /// [`config`](Self::config) with the setters' values applied over it, and
    /// [`Config::observe`] on when this build observes (feature `tracing` or `metrics`, see
    /// [`Observer`](crate::Observer)).
    pub fn protocol_config(&self) -> Config {
        let mut config = self.config.clone();
        if crate::observe::OBSERVING {
            config = config.observe(true);
        }
        if let Some(secret) = &self.apisecret {
            config = config.apisecret(secret.clone());
        }
        if let Some(token) = &self.token {
            config = config.token(token.clone());
        }
        if let Some(secret) = &self.admin_secret {
            config = config.admin_secret(secret.clone());
        }
        if let Some(n) = self.event_queue_capacity {
            config = config.event_queue_capacity(n);
        }
        if let Some(timeout) = self.request_timeout {
            config = config.request_timeout(timeout);
        }
        if let Some(interval) = self.keepalive_interval {
            config = config.keepalive_interval(interval);
        }
        if let Some(interval) = self.ping_interval {
            config = config.ping_interval(interval);
        }
        if let Some(timeout) = self.pong_timeout {
            config = config.pong_timeout(timeout);
        }
        if let Some(policy) = self.reconnect.clone().or(config.reconnect.take()) {
            config = config.reconnect(
                policy
                    .endpoints(1 + self.fallback_urls.len())
                    .seed(random_seed()),
            );
        }
        config
    }

    /// The URL of endpoint `endpoint` of a connection first made to `url`: `url` itself,
    /// then the [`fallback_urls`](Self::fallback_urls) in order.
    pub fn endpoint<'a>(&'a self, url: &'a str, endpoint: usize) -> &'a str {
        match endpoint.checked_sub(1) {
            None => url,
            Some(i) => self.fallback_urls.get(i).map_or(url, String::as_str),
        }
    }
}

/// A seed for the reconnect jitter, from the standard library's per-process random keys
/// (so that many clients restarted together do not dial in step).
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x006a_616e_7573);
    hasher.finish()
}

/// The builder methods of a driver's `ConnectOptions` over its [`CommonOptions`] field
/// `$field`: the same names, behaviour and docs in both drivers. Used inside an `impl`
/// block.
#[macro_export]
macro_rules! common_options {
    ($field:ident) => {
        /// The `apisecret` put on every Janus API request that needs one (`api_secret` in
        /// `janus.jcfg`). Wins over the configuration's, whatever the order of the calls.
        pub fn apisecret(mut self, secret: impl Into<$crate::janus_proto::Secret>) -> Self {
            self.$field.apisecret = Some(secret.into());
            self
        }

        /// The `token` put on every Janus API request that needs one (`token_auth` in
        /// `janus.jcfg`). Wins over the configuration's, whatever the order of the calls.
        pub fn token(mut self, token: impl Into<$crate::janus_proto::Secret>) -> Self {
            self.$field.token = Some(token.into());
            self
        }

        /// The `admin_secret` put on every Admin API request that needs one (all but `info`
        /// and `ping`); used by Admin API connections only.
        pub fn admin_secret(mut self, secret: impl Into<$crate::janus_proto::Secret>) -> Self {
            self.$field.admin_secret = Some(secret.into());
            self
        }

        /// Default deadline of a request, from submission to its outcome (15 s unless the
        /// configuration says otherwise). Wins over the configuration's, whatever the order
        /// of the calls.
        pub fn request_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field.request_timeout = Some(timeout);
            self
        }

        /// Interval between keepalives of an idle session (25 s unless the configuration
        /// says otherwise); make it shorter than the server's `session_timeout`. Wins over
        /// the configuration's, whatever the order of the calls.
        pub fn keepalive_interval(mut self, interval: ::std::time::Duration) -> Self {
            self.$field.keepalive_interval = Some(interval);
            self
        }

        /// How many events each subscriber (the connection, each session, each handle) holds
        /// before events that only inform are dropped and counted in a lag notice (65 536
        /// unless the configuration says otherwise; at least 1); events that change state
        /// are always kept. Wins over the configuration's, whatever the order of the calls.
        pub fn event_queue_capacity(mut self, capacity: usize) -> Self {
            self.$field.event_queue_capacity = Some(capacity);
            self
        }

        /// After this long without anything from the server a WebSocket ping goes out
        /// (10 s by default; `None`: never). See [`pong_timeout`](Self::pong_timeout).
        ///
        /// Janus's Unix sockets transport has no ping: over a `unix:` URL the driver answers
        /// the core's ping itself, since the kernel reports a dead peer on the socket (end
        /// of file, or connection reset) as soon as it dies. A server that hangs without
        /// dying is still found by keepalives that go unanswered.
        pub fn ping_interval(mut self, interval: impl Into<Option<::std::time::Duration>>) -> Self {
            self.$field.ping_interval = Some(interval.into());
            self
        }

        /// When nothing comes back this long after a ping (5 s by default), the connection is
        /// dead: pending requests fail at once, the socket is dropped, and the connection
        /// reconnects if [`reconnect`](Self::reconnect) allows it. With the defaults a dead
        /// link is found within 15 s, busy or idle.
        pub fn pong_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field.pong_timeout = Some(timeout);
            self
        }

        /// Reconnects after the connection is lost, with this policy (backoff, bounds): the
        /// same URL first, then each of [`fallback_url`](Self::fallback_url) in turn; every
        /// session is claimed with its handles, and the ids the caller holds stay valid. The
        /// jitter is seeded at random.
        pub fn reconnect(mut self, policy: $crate::janus_proto::Reconnect) -> Self {
            self.$field.reconnect = Some(policy);
            self
        }

        /// One more URL to dial when reconnecting (after the first one): `ws://`, `wss://`
        /// or `unix:`. May be called several times.
        pub fn fallback_url(mut self, url: impl Into<String>) -> Self {
            self.$field.fallback_urls.push(url.into());
            self
        }

        /// Bound on establishing the connection: TCP connect, TLS and the WebSocket
        /// handshake together, or a Unix socket's connect (10 s by default). Exceeding it fails with
        /// [`ConnectError::TimedOut`](crate::ConnectError::TimedOut).
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field.connect_timeout = timeout;
            self
        }

        /// Also trusts the root certificates of this PEM (its bytes, or a path to a file;
        /// one or more `CERTIFICATE` blocks) for `wss://`. May be called several times.
        pub fn tls_root_pem(mut self, pem: impl Into<$crate::PemSource>) -> Self {
            self.$field.tls.roots.push(pem.into());
            self
        }

        /// Whether to trust the `webpki-roots` (Mozilla) root certificates too (default
        /// `true`).
        pub fn webpki_roots(mut self, on: bool) -> Self {
            self.$field.tls.webpki_roots = on;
            self
        }

        /// A complete rustls client configuration for `wss://`, used as is (the root
        /// settings above are then ignored).
        pub fn tls_config(
            mut self,
            config: ::std::sync::Arc<$crate::rustls::ClientConfig>,
        ) -> Self {
            self.$field.tls.config = Some(config);
            self
        }

        /// Every other setting of the protocol core (transaction prefix, limits such as
        /// `max_incoming_frame`, ordering, …). The dedicated setters
        /// ([`apisecret`](Self::apisecret), [`token`](Self::token),
        /// [`request_timeout`](Self::request_timeout),
        /// [`keepalive_interval`](Self::keepalive_interval),
        /// [`admin_secret`](Self::admin_secret),
        /// [`event_queue_capacity`](Self::event_queue_capacity)) win over the same fields here,
        /// whatever the order of the calls.
        pub fn config(mut self, config: $crate::janus_proto::Config) -> Self {
            self.$field.config = config;
            self
        }

        /// The protocol configuration the connection will run with: [`config`](Self::config)
        /// with the dedicated setters applied over it. A connection to a `unix:` URL (or with
        /// one among its fallbacks) also lowers `max_outgoing_frame` to what Janus's Unix
        /// sockets transport takes ([`PFUNIX_MAX_REQUEST`](crate::PFUNIX_MAX_REQUEST)).
        pub fn protocol_config(&self) -> $crate::janus_proto::Config {
            self.$field.protocol_config()
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_win_over_the_config_whatever_the_order() {
        let base = Config::new()
            .apisecret("from config")
            .request_timeout(Duration::from_secs(60))
            .keepalive_interval(Duration::from_secs(50));
        let options = CommonOptions {
            config: base,
            apisecret: Some("from setter".into()),
            keepalive_interval: Some(Duration::from_secs(7)),
            ..CommonOptions::default()
        };
        let config = options.protocol_config();
        assert_eq!(config.keepalive_interval, Duration::from_secs(7));
        assert_eq!(config.request_timeout, Duration::from_secs(60));
        assert_eq!(
            config.apisecret.as_ref().map(|s| s.expose()),
            Some("from setter")
        );
    }
}
