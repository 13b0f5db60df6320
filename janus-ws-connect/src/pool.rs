//! What both drivers' pools share: [`PoolServer`] (a server's URLs), [`PoolError`], and the
//! options a pool's connections run with ([`CommonOptions::pooled`]).

use crate::{CommonOptions, Error};

/// One server of a pool: its Janus API URL and, optionally, its Admin API URL. With an
/// Admin API URL the pool places by the server's own session count (`list_sessions`,
/// everyone's sessions), else by the pool's count of its own sessions there.
///
/// ```
/// use janus_ws_connect::PoolServer;
/// let servers = [
///     PoolServer::new("ws://10.0.0.1:8188").admin("ws://10.0.0.1:7188"),
///     PoolServer::from("ws://10.0.0.2:8188"),
/// ];
/// assert_eq!(servers[0].admin_url(), Some("ws://10.0.0.1:7188"));
/// assert_eq!(servers[1].url(), "ws://10.0.0.2:8188");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolServer {
    url: String,
    admin_url: Option<String>,
}

impl PoolServer {
    /// A server at this Janus API URL (`ws://`, `wss://` or `unix:`).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            admin_url: None,
        }
    }

    /// Its Admin API URL (the connection uses the options' `admin_secret`).
    pub fn admin(mut self, url: impl Into<String>) -> Self {
        self.admin_url = Some(url.into());
        self
    }

    /// The Janus API URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The Admin API URL, if any.
    pub fn admin_url(&self) -> Option<&str> {
        self.admin_url.as_deref()
    }
}

impl From<&str> for PoolServer {
    fn from(url: &str) -> Self {
        Self::new(url)
    }
}

impl From<String> for PoolServer {
    fn from(url: String) -> Self {
        Self::new(url)
    }
}

/// Why a pool operation failed.
///
/// ```
/// use janus_ws_connect::{Error, PoolError};
/// use janus_ws_connect::janus_proto::RequestError;
///
/// let e = PoolError::Server { server: 1, source: Error::Request(RequestError::ConnectionLost) };
/// assert_eq!(e.server(), Some(1));
/// assert_eq!(e.to_string(), "server 1: connection lost");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// No server is healthy (every connection is down or closed): nothing can be placed.
    #[error("no healthy server among the pool's {servers}")]
    NoHealthyServer {
        /// How many servers the pool has.
        servers: usize,
    },
    /// There is no server with this index.
    #[error("no server {server} in a pool of {servers}")]
    NoSuchServer {
        /// The index asked for.
        server: usize,
        /// How many servers the pool has.
        servers: usize,
    },
    /// What was asked of one server failed: connecting to it, or a request on it. A
    /// `create` that failed because its server just went down can be tried again: the
    /// pool then places it elsewhere.
    #[error("server {server}: {source}")]
    Server {
        /// Which server (its index).
        server: usize,
        /// How it failed.
        #[source]
        source: Error,
    },
}

impl PoolError {
    /// The server it is about, if one.
    pub fn server(&self) -> Option<usize> {
        match self {
            PoolError::NoSuchServer { server, .. } | PoolError::Server { server, .. } => {
                Some(*server)
            }
            PoolError::NoHealthyServer { .. } => None,
        }
    }
}

impl CommonOptions {
    /// These options as a pool's connection runs with them: it dials only its own server
    /// (no fallback URLs: sessions cannot move between servers), and without a reconnect
    /// policy of the caller's it gets
    /// [`pool::reconnect_policy`](janus_proto::pool::reconnect_policy), which never gives
    /// up, so that a server that comes back takes sessions again.
    ///
    /// ```
    /// use janus_ws_connect::CommonOptions;
    /// let mut options = CommonOptions::default();
    /// options.fallback_urls.push("ws://elsewhere:8188".into());
    /// let pooled = options.pooled();
    /// assert!(pooled.fallback_urls.is_empty());
    /// let policy = pooled.protocol_config().reconnect.expect("a policy");
    /// assert_eq!((policy.endpoints, policy.give_up_after), (1, None));
    /// ```
    pub fn pooled(mut self) -> Self {
        self.fallback_urls.clear();
        if self.reconnect.is_none() && self.config.reconnect.is_none() {
            self.reconnect = Some(janus_proto::pool::reconnect_policy());
        }
        self
    }
}
