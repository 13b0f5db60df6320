//! [`ConnectOptions`]: how to connect, and the [`janus_proto::Config`] to run with.

use janus_ws_connect::CommonOptions;

/// How to connect, and the protocol settings to run the connection with. A builder; every
/// setting has a default. The dedicated setters ([`apisecret`](Self::apisecret),
/// [`token`](Self::token), [`request_timeout`](Self::request_timeout),
/// [`keepalive_interval`](Self::keepalive_interval)) win over the same fields of
/// [`config`](Self::config), whatever the order of the calls.
///
/// Keepalives, pings, request deadlines and reconnects are kept while the caller is inside a
/// call, in [`Connection::next_event`](crate::Connection::next_event), or in
/// [`Connection::poll`](crate::Connection::poll).
///
/// ```
/// use std::time::Duration;
/// use janus_blocking::{Config, ConnectOptions};
///
/// let options = ConnectOptions::new()
///     .apisecret("janusrocks")
///     .request_timeout(Duration::from_secs(5))
///     .keepalive_interval(Duration::from_secs(20))
///     .connect_timeout(Duration::from_secs(3))
///     .tls_root_pem(std::path::Path::new("/etc/janus/ca.pem"))
///     .config(Config::new().max_incoming_frame(1 << 20));
/// let config = options.protocol_config();
/// assert_eq!(config.request_timeout, Duration::from_secs(5));
/// assert_eq!(config.max_incoming_frame, 1 << 20);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    pub(crate) common: CommonOptions,
}

impl ConnectOptions {
    /// The defaults: [`Config::new`](janus_proto::Config::new), a 10 s connect timeout, and
    /// for `wss://` the Mozilla root certificates of `webpki-roots`.
    pub fn new() -> Self {
        Self::default()
    }

    janus_ws_connect::common_options!(common);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::ConnectOptions;

    #[test]
    fn a_setter_called_before_config_still_wins() {
        let options = ConnectOptions::new()
            .request_timeout(Duration::from_secs(3))
            .config(janus_proto::Config::new().max_pending(7));
        let config = options.protocol_config();
        assert_eq!(
            (config.request_timeout, config.max_pending),
            (Duration::from_secs(3), 7)
        );
    }
}
