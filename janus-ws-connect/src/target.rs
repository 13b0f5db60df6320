//! [`Target`]: where a `ws://` or `wss://` URL points.

use tungstenite::http::Uri;

use crate::error::ConnectError;

/// The parts of a `ws://` or `wss://` URL needed to dial it.
///
/// ```
/// use janus_ws_connect::Target;
///
/// let target = Target::parse("wss://[::1]:8989/janus")?;
/// assert!(target.secure);
/// assert_eq!((target.host.as_str(), target.port), ("::1", 8989));
/// # Ok::<(), janus_ws_connect::ConnectError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `wss://`: TLS over the TCP connection.
    pub secure: bool,
    /// Host name or IP address, without IPv6 brackets.
    pub host: String,
    /// The port given, else 80 for `ws://` and 443 for `wss://`.
    pub port: u16,
}

impl Target {
    /// Parses a `ws://` or `wss://` URL with a host; anything else is
    /// [`ConnectError::InvalidUrl`].
    pub fn parse(url: &str) -> Result<Target, ConnectError> {
        let uri: Uri = url
            .parse()
            .map_err(|e: tungstenite::http::uri::InvalidUri| invalid_url(url, e.to_string()))?;
        let secure = match uri.scheme_str() {
            Some("ws") => false,
            Some("wss") => true,
            _ => {
                return Err(invalid_url(
                    url,
                    "the scheme must be ws, wss or unix".into(),
                ))
            }
        };
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid_url(url, "no host".into()))?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_owned();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        Ok(Target { secure, host, port })
    }
}

/// [`ConnectError::InvalidUrl`] for `url`.
pub(crate) fn invalid_url(url: &str, reason: String) -> ConnectError {
    ConnectError::InvalidUrl {
        url: url.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_into_dial_targets() {
        let t = Target::parse("ws://127.0.0.1:8188").unwrap();
        assert_eq!(
            t,
            Target {
                secure: false,
                host: "127.0.0.1".into(),
                port: 8188
            }
        );
        let t = Target::parse("wss://janus.example.org/ws").unwrap();
        assert!(t.secure);
        assert_eq!(t.port, 443);
        assert_eq!(Target::parse("ws://janus.example.org").unwrap().port, 80);
        assert_eq!(Target::parse("ws://[::1]:9/").unwrap().host, "::1");
    }

    #[test]
    fn urls_that_cannot_be_dialled_are_invalid() {
        for url in ["http://x", "not a url", "ws:///path", "", "ftp://[::1]:9"] {
            match Target::parse(url) {
                Err(ConnectError::InvalidUrl { url: given, .. }) => assert_eq!(given, url),
                other => panic!("{url:?}: {other:?}"),
            }
        }
    }
}
