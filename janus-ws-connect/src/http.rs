//! HTTP URLs: what an `http://` or `https://` URL names (Janus's HTTP REST transport,
//! `janus.transport.http`), and the wire a connection to one speaks. The drivers make the
//! exchanges.

use janus_proto::{Config, Wire};

use crate::error::ConnectError;
use crate::target::{invalid_url, Target};
use crate::CommonOptions;

/// Events per long-poll response (`maxev`) when the configuration does not say.
pub const DEFAULT_MAX_EVENTS: u32 = 10;

/// The parts of an `http://` or `https://` URL the exchanges of a connection need: where to
/// dial, the `Host` header, and the base path every exchange's path follows (`/janus` for
/// `http://127.0.0.1:8088/janus`, empty for a URL without a path).
///
/// ```
/// use janus_ws_connect::HttpTarget;
///
/// let target = HttpTarget::parse("https://[::1]:8089/janus/")?.expect("an HTTP URL");
/// assert!(target.tcp.secure);
/// assert_eq!((target.tcp.host.as_str(), target.tcp.port), ("::1", 8089));
/// assert_eq!(target.authority, "[::1]:8089");
/// assert_eq!(target.base, "/janus");
/// assert_eq!(HttpTarget::parse("ws://127.0.0.1:8188")?.is_none(), true);
/// # Ok::<(), janus_ws_connect::ConnectError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTarget {
    /// Where to dial; `secure` for `https://`.
    pub tcp: Target,
    /// The `Host` header: the URL's authority (host and port as written).
    pub authority: String,
    /// The URL's path without a trailing `/`.
    pub base: String,
}

impl HttpTarget {
    /// The target of an `http://` or `https://` URL with a host; `None` for a URL of another
    /// scheme; [`ConnectError::InvalidUrl`] for an HTTP URL that cannot be dialled (no host,
    /// a query or fragment after the base path, …).
    #[allow(clippy::new_ret_no_self)]
    pub fn parse(url: &str) -> Result<Option<HttpTarget>, ConnectError> {
        if !is_http(url) {
            return Ok(None);
        }
        let uri: tungstenite::http::Uri = url
            .parse()
            .map_err(|e: tungstenite::http::uri::InvalidUri| invalid_url(url, e.to_string()))?;
        let secure = uri
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("https"));
        let authority = uri
            .authority()
            .filter(|a| !a.host().is_empty())
            .ok_or_else(|| invalid_url(url, "no host".into()))?;
        if authority.as_str().contains('@') {
            return Err(invalid_url(
                url,
                "credentials in an HTTP URL are not sent".into(),
            ));
        }
        if uri.query().is_some() {
            return Err(invalid_url(url, "the base URL takes no query".into()));
        }
        let host = authority.host();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_owned();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        Ok(Some(HttpTarget {
            tcp: Target { secure, host, port },
            authority: authority.as_str().to_owned(),
            base: uri.path().trim_end_matches('/').to_owned(),
        }))
    }
}

/// Whether `url` is an `http://` or `https://` URL (valid or not).
pub fn is_http(url: &str) -> bool {
    let scheme = url.split_once("://").map(|(s, _)| s);
    scheme.is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

impl CommonOptions {
    /// Fails with [`ConnectError::InvalidUrl`] when `url` and the
    /// [`fallback_urls`](Self::fallback_urls) mix HTTP with the message sockets (`ws://`,
    /// `wss://`, `unix:`): a connection speaks one wire for its whole life, since its
    /// sessions are polled over HTTP and pushed to over a socket.
    ///
    /// ```
    /// use janus_ws_connect::CommonOptions;
    ///
    /// let mut options = CommonOptions::default();
    /// options.fallback_urls.push("http://10.0.0.2:8088/janus".into());
    /// assert!(options.check_urls("http://10.0.0.1:8088/janus").is_ok());
    /// assert!(options.check_urls("ws://10.0.0.1:8188").is_err());
    /// ```
    pub fn check_urls(&self, url: &str) -> Result<(), ConnectError> {
        let http = is_http(url);
        match self.fallback_urls.iter().find(|u| is_http(u) != http) {
            Some(other) => Err(invalid_url(
                other,
                format!("a fallback of {url} must be of the same kind: HTTP, or a socket (ws, wss, unix)"),
            )),
            None => Ok(()),
        }
    }

    /// The wire a connection first made to `url` speaks: [`Wire::Http`] for an HTTP URL
    /// (with the configuration's `max_events`, else [`DEFAULT_MAX_EVENTS`]), else
    /// [`Wire::Socket`].
    pub(crate) fn wire_for(config: Config, url: &str) -> Config {
        match (is_http(url), config.wire) {
            (true, Wire::Http { .. }) => config,
            (true, _) => config.http(DEFAULT_MAX_EVENTS),
            (false, _) => config.socket(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_name_a_host_and_a_base_path() {
        let t = HttpTarget::parse("http://127.0.0.1:8088/janus")
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                t.tcp.secure,
                t.tcp.host.as_str(),
                t.tcp.port,
                t.base.as_str()
            ),
            (false, "127.0.0.1", 8088, "/janus")
        );
        let t = HttpTarget::parse("HTTPS://janus.example.org")
            .unwrap()
            .unwrap();
        assert_eq!((t.tcp.secure, t.tcp.port, t.base.as_str()), (true, 443, ""));
        assert_eq!(t.authority, "janus.example.org");
        for url in ["ws://h:1", "unix:/a", "wss://h"] {
            assert_eq!(HttpTarget::parse(url).unwrap(), None, "{url}");
        }
        for url in [
            "http://",
            "http:///janus",
            "http://h/janus?x=1",
            "http://u:p@h/",
        ] {
            assert!(
                matches!(HttpTarget::parse(url), Err(ConnectError::InvalidUrl { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn the_url_picks_the_wire_and_keeps_a_configured_maxev() {
        let options = CommonOptions::default();
        let http = options.protocol_config_for("http://h:8088/janus");
        assert_eq!(
            http.wire,
            Wire::Http {
                max_events: DEFAULT_MAX_EVENTS
            }
        );
        let mut options = CommonOptions {
            config: Config::new().http(3),
            ..CommonOptions::default()
        };
        assert_eq!(
            options.protocol_config_for("https://h/janus").wire,
            Wire::Http { max_events: 3 }
        );
        assert_eq!(options.protocol_config_for("ws://h:1").wire, Wire::Socket);
        options.fallback_urls.push("unix:/a".into());
        assert!(options.check_urls("http://h/janus").is_err());
        assert!(options.check_urls("ws://h:1").is_ok());
    }
}
