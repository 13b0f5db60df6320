//! Unix sockets: what a `unix:` URL names, and what Janus's Unix sockets transport
//! (`janus.transport.pfunix`) asks of a client. The drivers open the sockets.

use std::path::Path;

use janus_proto::Config;

use crate::error::ConnectError;
use crate::target::invalid_url;
use crate::CommonOptions;

/// The largest request Janus's Unix sockets transport takes: it reads each packet into a
/// buffer of 8192 bytes and drops a longer one without a word (its request would only end at
/// its deadline); a packet of exactly 8192 bytes makes it write its terminating NUL past that
/// buffer. So a connection with a `unix:` URL sends at most this many bytes per request.
pub const PFUNIX_MAX_REQUEST: usize = 8191;

/// The socket path a `unix:` URL names, `None` for any other URL.
///
/// `unix:/run/janus/api.sock` and `unix:///run/janus/api.sock` name `/run/janus/api.sock`;
/// `unix:janus.sock` is relative to the working directory. The path is taken as written (no
/// percent-decoding). A `unix:` URL with no path, or with a host (`unix://host/…`), is
/// [`ConnectError::InvalidUrl`].
///
/// ```
/// use std::path::Path;
/// use janus_ws_connect::unix_path;
///
/// assert_eq!(unix_path("unix:/run/janus/api.sock")?, Some(Path::new("/run/janus/api.sock")));
/// assert_eq!(unix_path("unix:///run/janus/api.sock")?, Some(Path::new("/run/janus/api.sock")));
/// assert_eq!(unix_path("ws://127.0.0.1:8188")?, None);
/// assert!(unix_path("unix:").is_err());
/// # Ok::<(), janus_ws_connect::ConnectError>(())
/// ```
pub fn unix_path(url: &str) -> Result<Option<&Path>, ConnectError> {
    let Some(rest) = url
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("unix:"))
        .and_then(|_| url.get(5..))
    else {
        return Ok(None);
    };
    let path = match rest.strip_prefix("//") {
        Some(after) if after.starts_with('/') => after,
        Some(_) => {
            let why = "a unix: URL names a path, not a host: unix:/path or unix:///path";
            return Err(invalid_url(url, why.into()));
        }
        None => rest,
    };
    if path.is_empty() {
        return Err(invalid_url(url, "no socket path".into()));
    }
    Ok(Some(Path::new(path)))
}

/// Whether `url` is a `unix:` URL (valid or not).
fn is_unix(url: &str) -> bool {
    !matches!(unix_path(url), Ok(None))
}

impl CommonOptions {
    /// The protocol configuration of a connection first made to `url`:
    /// [`protocol_config`](Self::protocol_config), with
    /// [`max_outgoing_frame`](Config::max_outgoing_frame) lowered to
    /// [`PFUNIX_MAX_REQUEST`] when `url` or one of the
    /// [`fallback_urls`](Self::fallback_urls) is a `unix:` URL, so that a request Janus would
    /// drop fails at once with `UsageError::FrameTooLarge` instead. The URL also picks the
    /// wire: [`Wire::Http`](janus_proto::Wire::Http) for `http://` and `https://` (see
    /// [`HttpTarget`](crate::HttpTarget)), else [`Wire::Socket`](janus_proto::Wire::Socket).
    ///
    /// ```
    /// use janus_ws_connect::{CommonOptions, PFUNIX_MAX_REQUEST};
    ///
    /// let options = CommonOptions::default();
    /// assert_eq!(
    ///     options.protocol_config_for("unix:/run/janus/api.sock").max_outgoing_frame,
    ///     PFUNIX_MAX_REQUEST
    /// );
    /// assert_eq!(options.protocol_config_for("ws://127.0.0.1:8188").max_outgoing_frame, 4 << 20);
    /// ```
    pub fn protocol_config_for(&self, url: &str) -> Config {
        let config = Self::wire_for(self.protocol_config(), url);
        let unix = is_unix(url) || self.fallback_urls.iter().any(|u| is_unix(u));
        if unix && config.max_outgoing_frame > PFUNIX_MAX_REQUEST {
            return config.max_outgoing_frame(PFUNIX_MAX_REQUEST);
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_urls_name_paths() {
        let cases = [
            ("unix:/run/janus.sock", "/run/janus.sock"),
            ("UNIX:/run/janus.sock", "/run/janus.sock"),
            ("unix:///run/janus.sock", "/run/janus.sock"),
            ("unix:janus.sock", "janus.sock"),
            ("unix:/tmp/a b/%20", "/tmp/a b/%20"),
        ];
        for (url, path) in cases {
            assert_eq!(unix_path(url).unwrap(), Some(Path::new(path)), "{url}");
        }
        for url in ["ws://h:1", "wss://h", "unixx:/a", "uni", ""] {
            assert_eq!(unix_path(url).unwrap(), None, "{url}");
        }
        for url in ["unix:", "unix://", "unix://host/path"] {
            match unix_path(url) {
                Err(ConnectError::InvalidUrl { url: given, .. }) => assert_eq!(given, url),
                other => panic!("{url:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_unix_fallback_lowers_the_request_limit_and_a_smaller_one_stays() {
        let mut options = CommonOptions::default();
        options.fallback_urls.push("unix:/run/janus.sock".into());
        assert_eq!(
            options.protocol_config_for("ws://h:1").max_outgoing_frame,
            PFUNIX_MAX_REQUEST
        );
        options.config = Config::new().max_outgoing_frame(100);
        assert_eq!(
            options.protocol_config_for("unix:/a").max_outgoing_frame,
            100
        );
    }
}
