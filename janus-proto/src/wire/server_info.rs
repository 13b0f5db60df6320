//! The `server_info` reply to `info`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `info` tells about the server. Every field is optional so that other Janus versions
/// decode too; the raw frame keeps whatever is not modelled here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerInfo {
    /// `"Janus WebRTC Server"`.
    pub name: Option<String>,
    /// The numeric version, e.g. 1102.
    pub version: Option<u64>,
    /// The version string, e.g. `"1.1.2"`.
    pub version_string: Option<String>,
    /// The author.
    pub author: Option<String>,
    /// The git commit the server was built from.
    #[serde(rename = "commit-hash")]
    pub commit_hash: Option<String>,
    /// When the server was built.
    #[serde(rename = "compile-time")]
    pub compile_time: Option<String>,
    /// Whether data channels are supported.
    pub data_channels: Option<bool>,
    /// Whether new sessions are accepted (Admin `accept_new_sessions`).
    #[serde(rename = "accepting-new-sessions")]
    pub accepting_new_sessions: Option<bool>,
    /// Seconds of inactivity after which a session expires (0: never).
    #[serde(rename = "session-timeout")]
    pub session_timeout: Option<u64>,
    /// Seconds a session survives its transport going away, to be claimed.
    #[serde(rename = "reclaim-session-timeout")]
    pub reclaim_session_timeout: Option<u64>,
    /// Seconds early trickles are kept before the SDP arrives.
    #[serde(rename = "candidates-timeout")]
    pub candidates_timeout: Option<u64>,
    /// The configured server name.
    #[serde(rename = "server-name")]
    pub server_name: Option<String>,
    /// The local IP Janus uses.
    #[serde(rename = "local-ip")]
    pub local_ip: Option<String>,
    /// Whether IPv6 candidates are gathered.
    pub ipv6: Option<bool>,
    /// ICE-Lite mode.
    #[serde(rename = "ice-lite")]
    pub ice_lite: Option<bool>,
    /// ICE-TCP support.
    #[serde(rename = "ice-tcp")]
    pub ice_tcp: Option<bool>,
    /// Whether Janus trickles its own candidates.
    #[serde(rename = "full-trickle")]
    pub full_trickle: Option<bool>,
    /// Whether mDNS candidates are resolved.
    #[serde(rename = "mdns-enabled")]
    pub mdns_enabled: Option<bool>,
    /// Whether requests need `apisecret`.
    pub api_secret: Option<bool>,
    /// Whether requests need a `token`.
    pub auth_token: Option<bool>,
    /// Whether event handlers are enabled.
    pub event_handlers: Option<bool>,
    /// Whether `opaque_id` is reported in events.
    pub opaqueid_in_api: Option<bool>,
    /// Library versions.
    pub dependencies: BTreeMap<String, String>,
    /// Transport plugins, by package.
    pub transports: BTreeMap<String, ComponentInfo>,
    /// Event handlers, by package.
    pub events: BTreeMap<String, ComponentInfo>,
    /// Loggers, by package.
    pub loggers: BTreeMap<String, ComponentInfo>,
    /// Media plugins, by package (e.g. `janus.plugin.echotest`).
    pub plugins: BTreeMap<String, ComponentInfo>,
}

/// A plugin, transport, logger or event handler as `info` describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComponentInfo {
    /// Display name.
    pub name: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Version string.
    pub version_string: Option<String>,
    /// Numeric version.
    pub version: Option<u64>,
}
