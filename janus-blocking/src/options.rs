//! [`ConnectOptions`]: how to connect, and the [`janus_proto::Config`] to run with.

use std::sync::Arc;
use std::time::Duration;

use janus_proto::{Config, Secret};
use janus_ws_connect::rustls;
use janus_ws_connect::{PemSource, TlsSettings};

/// How to connect, and the protocol settings to run the connection with.
///
/// ```
/// use std::time::Duration;
/// use janus_blocking::ConnectOptions;
///
/// let options = ConnectOptions::new()
///     .apisecret("janusrocks")
///     .request_timeout(Duration::from_secs(5))
///     .keepalive_interval(Duration::from_secs(20))
///     .connect_timeout(Duration::from_secs(3))
///     .tls_root_pem(std::path::Path::new("/etc/janus/ca.pem"));
/// assert_eq!(options.protocol_config().request_timeout, Duration::from_secs(5));
/// ```
#[derive(Clone)]
pub struct ConnectOptions {
    pub(crate) config: Config,
    pub(crate) admin_secret: Option<Secret>,
    pub(crate) connect_timeout: Duration,
    pub(crate) tls: TlsSettings,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("config", &self.config)
            .field("admin_secret", &self.admin_secret)
            .field("connect_timeout", &self.connect_timeout)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            config: Config::new(),
            admin_secret: None,
            connect_timeout: Duration::from_secs(10),
            tls: TlsSettings::default(),
        }
    }
}

impl ConnectOptions {
    /// The defaults: [`Config::new`], a 10 s connect timeout, and for `wss://` the Mozilla
    /// root certificates of `webpki-roots`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the whole protocol configuration (the settings below write into it, so call
    /// this first).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The protocol configuration the connection will run with.
    pub fn protocol_config(&self) -> &Config {
        &self.config
    }

    /// `apisecret` for every Janus API request that needs one
    /// ([`Config::apisecret`]).
    pub fn apisecret(mut self, secret: impl Into<Secret>) -> Self {
        self.config = self.config.apisecret(secret);
        self
    }

    /// `token` for every Janus API request that needs one ([`Config::token`]).
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.config = self.config.token(token);
        self
    }

    /// `admin_secret` for every Admin API request (used by
    /// [`AdminConnection`](crate::AdminConnection) only).
    pub fn admin_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.admin_secret = Some(secret.into());
        self
    }

    /// Default deadline of each request ([`Config::request_timeout`], 15 s by default).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config = self.config.request_timeout(timeout);
        self
    }

    /// Interval between keepalives of an idle session ([`Config::keepalive_interval`],
    /// 25 s by default). Keepalives go out while the caller is inside a call or in
    /// [`Connection::next_event`](crate::Connection::next_event).
    pub fn keepalive_interval(mut self, interval: Duration) -> Self {
        self.config = self.config.keepalive_interval(interval);
        self
    }

    /// Bound on establishing the connection: TCP connect, TLS and WebSocket handshakes
    /// (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Also trust the root certificates in this PEM (bytes, or a path to a file) for
    /// `wss://`. May be called several times.
    pub fn tls_root_pem(mut self, pem: impl Into<PemSource>) -> Self {
        self.tls.roots.push(pem.into());
        self
    }

    /// Whether to trust the `webpki-roots` (Mozilla) root certificates too (default `true`).
    pub fn webpki_roots(mut self, on: bool) -> Self {
        self.tls.webpki_roots = on;
        self
    }

    /// Use this rustls configuration for `wss://` as is (the root settings above are then
    /// ignored).
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls.config = Some(config);
        self
    }
}
