//! [`JanusOptions`]: what a test may change about the Janus instance it starts.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::JanusVersion;

/// Settings of a private Janus instance; a builder whose defaults match Janus's own defaults
/// except where a test harness needs otherwise (loopback only, free ports, admin API on).
///
/// ```
/// use janus_tests::{JanusOptions, JanusVersion};
/// let options = JanusOptions::new()
///     .version(JanusVersion::V1_4_1)
///     .session_timeout(10)
///     .api_secret(Some("s3cret"))
///     .tls(true);
/// # let _ = options;
/// ```
#[derive(Clone, Debug)]
pub struct JanusOptions {
    pub(crate) version: JanusVersion,
    pub(crate) session_timeout: u32,
    pub(crate) reclaim_session_timeout: u32,
    pub(crate) api_secret: Option<String>,
    pub(crate) token_auth: bool,
    pub(crate) admin_secret: String,
    pub(crate) full_trickle: bool,
    pub(crate) tls: bool,
    pub(crate) ice_enforce_list: Option<String>,
    pub(crate) ignore_mdns: bool,
    pub(crate) netns: Option<String>,
    pub(crate) bind_ip: Ipv4Addr,
    pub(crate) debug_level: u8,
    pub(crate) name: Option<String>,
    pub(crate) startup_timeout: Duration,
}

impl Default for JanusOptions {
    fn default() -> Self {
        Self {
            version: JanusVersion::V1_1_2,
            session_timeout: 60,
            reclaim_session_timeout: 0,
            api_secret: None,
            token_auth: false,
            admin_secret: "janusoverlord".to_owned(),
            full_trickle: false,
            tls: false,
            ice_enforce_list: None,
            ignore_mdns: false,
            netns: None,
            bind_ip: Ipv4Addr::LOCALHOST,
            debug_level: 4,
            name: None,
            startup_timeout: Duration::from_secs(20),
        }
    }
}

impl JanusOptions {
    /// The defaults: Janus 1.1.2 (Debian's), `session_timeout` 60, `reclaim_session_timeout` 0, no API secret, no
    /// token auth, admin secret `janusoverlord`, half-trickle, no wss, `debug_level` 4,
    /// bound to 127.0.0.1, 20 s startup bound.
    pub fn new() -> Self {
        Self::default()
    }

    /// Which Janus to run (default [`JanusVersion::V1_1_2`], Debian's package). The first
    /// start of [`JanusVersion::V1_4_1`] on a machine builds it from source (minutes; then it
    /// is cached outside the checkout, see `scripts/build-janus.sh`).
    pub fn version(mut self, version: JanusVersion) -> Self {
        self.version = version;
        self
    }

    /// `general.session_timeout` in seconds (0 disables the timeout).
    pub fn session_timeout(mut self, seconds: u32) -> Self {
        self.session_timeout = seconds;
        self
    }

    /// `general.reclaim_session_timeout` in seconds.
    pub fn reclaim_session_timeout(mut self, seconds: u32) -> Self {
        self.reclaim_session_timeout = seconds;
        self
    }

    /// `general.api_secret`: every request but `info`/`ping` must carry it as `apisecret`.
    pub fn api_secret(mut self, secret: Option<&str>) -> Self {
        self.api_secret = secret.map(str::to_owned);
        self
    }

    /// `general.token_auth`: stored tokens, managed through the Admin API.
    pub fn token_auth(mut self, enabled: bool) -> Self {
        self.token_auth = enabled;
        self
    }

    /// `general.admin_secret` for the Admin API.
    pub fn admin_secret(mut self, secret: &str) -> Self {
        self.admin_secret = secret.to_owned();
        self
    }

    /// `nat.full_trickle`: Janus trickles its own candidates too.
    pub fn full_trickle(mut self, enabled: bool) -> Self {
        self.full_trickle = enabled;
        self
    }

    /// Also open a `wss` listener, with a certificate for `localhost` and 127.0.0.1 signed by a
    /// fresh CA whose PEM is at [`JanusServer::ca_cert_path`](crate::JanusServer::ca_cert_path).
    pub fn tls(mut self, enabled: bool) -> Self {
        self.tls = enabled;
        self
    }

    /// `nat.ice_enforce_list`: the only interfaces/addresses used for ICE gathering.
    pub fn ice_enforce_list(mut self, list: Option<&str>) -> Self {
        self.ice_enforce_list = list.map(str::to_owned);
        self
    }

    /// `nat.ignore_mdns`: drop `.local` candidates instead of resolving them.
    pub fn ignore_mdns(mut self, enabled: bool) -> Self {
        self.ignore_mdns = enabled;
        self
    }

    /// Run Janus as `ip netns exec NAME janus …`. The namespace must exist; its loopback is not
    /// the host's, so also set [`bind_ip`](Self::bind_ip) to an address reachable from the host.
    pub fn netns(mut self, name: Option<&str>) -> Self {
        self.netns = name.map(str::to_owned);
        self
    }

    /// The address every websocket listener binds to and clients connect to (default 127.0.0.1).
    pub fn bind_ip(mut self, ip: Ipv4Addr) -> Self {
        self.bind_ip = ip;
        self
    }

    /// `general.debug_level`, 0–7 (default 4).
    pub fn debug_level(mut self, level: u8) -> Self {
        self.debug_level = level;
        self
    }

    /// Name used for the kept log file (`target/janus-logs/NAME-PID.log`); defaults to the
    /// current thread's name, which libtest sets to the test's name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// How long [`JanusServer::start`](crate::JanusServer::start) waits for readiness (20 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }
}
