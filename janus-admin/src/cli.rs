//! The command line: global options and one subcommand per Admin API request (clap derive).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use janus_proto::Secret;

/// The help text's closing part: where the secret comes from, exit codes, transports.
const AFTER_HELP: &str = "\
The admin secret is read from --secret-file PATH, else --secret, else the environment variable
JANUS_ADMIN_SECRET. --secret is visible to other users in `ps`: prefer the file or the
variable. The secret is never printed.

Exit codes:
  0  success
  1  Janus (or the plugin, for message-plugin) refused the request
  2  usage: bad arguments, an unreadable secret file, invalid JSON, an unsupported URL
  3  connection: cannot connect, connection lost, or no reply in time
  4  wrong or missing admin secret (Janus error 403)
  5  no such session or handle (Janus error 458 or 459)
  6  anything else: a reply janus-admin does not understand, output it cannot write

The Admin API is reached over any of Janus's transports, by the URL: WebSocket (ws:// or
wss://), HTTP (http:// or https://, the base path included: http://127.0.0.1:7088/admin) or
its Unix socket (unix:/path/of/admin.sock).";

/// janus-admin: the Janus WebRTC Server's Admin API from a shell.
#[derive(Debug, Parser)]
#[command(name = "janus-admin", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Admin API URL: ws:// or wss://, http:// or https:// (with the base path, e.g.
    /// http://127.0.0.1:7088/admin), or unix:/path/of/admin.sock.
    #[arg(
        long,
        env = "JANUS_ADMIN_URL",
        hide_env_values = true,
        default_value = "ws://127.0.0.1:7188",
        global = true
    )]
    pub url: String,

    /// Read the admin secret from this file (its first line; trailing newline ignored).
    #[arg(long, value_name = "PATH", global = true, conflicts_with = "secret")]
    pub secret_file: Option<PathBuf>,

    /// The admin secret itself. Visible in `ps`: prefer --secret-file or JANUS_ADMIN_SECRET.
    #[arg(long, value_name = "SECRET", global = true, value_parser = parse_secret)]
    pub secret: Option<Secret>,

    /// Print the reply's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,

    /// Bound on connecting and on the reply, in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "10", global = true,
          value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Also trust this PEM root certificate for wss:// (besides the usual web roots).
    #[arg(long, value_name = "PATH", global = true)]
    pub ca_file: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand per Admin API request (or group of them).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Server information: version, settings, transports and plugins (`info`).
    Info,
    /// A round trip to the Admin API (`ping`), timed.
    Ping,
    /// The settings that can be changed at runtime (`get_status`).
    Status,
    /// Every session on the server (`list_sessions`).
    Sessions,
    /// Every handle of a session (`list_handles`).
    Handles {
        /// The session id.
        session: u64,
    },
    /// Everything Janus knows about a handle (`handle_info`).
    HandleInfo {
        /// The session id.
        session: u64,
        /// The handle id.
        handle: u64,
        /// Only the plugin's part (no flags, SDPs or WebRTC stats).
        #[arg(long)]
        plugin_only: bool,
    },
    /// Stored tokens (servers with `token_auth`).
    #[command(subcommand)]
    Tokens(Tokens),
    /// Change a setting at runtime (the `set_*` requests).
    #[command(subcommand)]
    Set(Set),
    /// Dump a handle's unencrypted RTP/RTCP to a pcap file on the server.
    #[command(subcommand)]
    Pcap(Capture),
    /// Dump a handle's unencrypted RTP/RTCP to a text file for text2pcap, on the server.
    #[command(subcommand)]
    Text2pcap(Capture),
    /// Destroy a session; its owner is not told (`destroy_session`).
    DestroySession {
        /// The session id.
        session: u64,
    },
    /// Detach a handle; its owner receives `detached` (`detach_handle`).
    DetachHandle {
        /// The session id.
        session: u64,
        /// The handle id.
        handle: u64,
    },
    /// Close a handle's PeerConnection, reason "Admin API" (`hangup_webrtc`).
    HangupWebrtc {
        /// The session id.
        session: u64,
        /// The handle id.
        handle: u64,
    },
    /// Send a request to a plugin, e.g. to create or list rooms (`message_plugin`).
    MessagePlugin {
        /// The plugin package, e.g. janus.plugin.videoroom.
        plugin: String,
        /// The request, a JSON object, e.g. '{"request":"list"}'; `-` reads it from stdin.
        #[arg(value_name = "JSON")]
        request: String,
    },
    /// Accept new sessions, or refuse them to drain the server (`accept_new_sessions`).
    AcceptNewSessions {
        /// on or off.
        accept: Switch,
    },
}

/// `tokens …`.
#[derive(Debug, Subcommand)]
pub enum Tokens {
    /// Every stored token and the plugins it may use (`list_tokens`).
    List,
    /// Add a token, for some plugins or (without --plugin) all of them (`add_token`).
    Add {
        /// The token.
        #[arg(value_parser = parse_secret)]
        token: Secret,
        /// A plugin it may use (repeat for more).
        #[arg(long = "plugin", value_name = "PLUGIN")]
        plugins: Vec<String>,
    },
    /// Remove a token; requests using it fail from then on (`remove_token`).
    Remove {
        /// The token.
        #[arg(value_parser = parse_secret)]
        token: Secret,
    },
    /// Let a token use more plugins (`allow_token`).
    Allow {
        /// The token.
        #[arg(value_parser = parse_secret)]
        token: Secret,
        /// A plugin (repeat for more).
        #[arg(long = "plugin", value_name = "PLUGIN", required = true)]
        plugins: Vec<String>,
    },
    /// Stop a token from using some plugins (`disallow_token`).
    Disallow {
        /// The token.
        #[arg(value_parser = parse_secret)]
        token: Secret,
        /// A plugin (repeat for more).
        #[arg(long = "plugin", value_name = "PLUGIN", required = true)]
        plugins: Vec<String>,
    },
}

/// `set …`: every `set_*` request of the Admin API.
#[derive(Debug, Subcommand)]
pub enum Set {
    /// Log level, 0 (none) to 7 (huge) (`set_log_level`).
    LogLevel {
        /// The level.
        #[arg(value_parser = clap::value_parser!(u8).range(0..=7))]
        level: u8,
    },
    /// Session timeout in seconds, 0 for none; for one session, -1 means the global one
    /// (`set_session_timeout`).
    SessionTimeout {
        /// Seconds.
        #[arg(allow_negative_numbers = true)]
        seconds: i64,
        /// Only this session's timeout.
        #[arg(long, value_name = "SESSION")]
        session: Option<u64>,
    },
    /// Timestamps in log lines (`set_log_timestamps`).
    LogTimestamps {
        /// on or off.
        switch: Switch,
    },
    /// Colours in log lines (`set_log_colors`).
    LogColors {
        /// on or off.
        switch: Switch,
    },
    /// Lock debugging (`set_locking_debug`).
    LockingDebug {
        /// on or off.
        switch: Switch,
    },
    /// Reference-counter debugging (`set_refcount_debug`).
    RefcountDebug {
        /// on or off.
        switch: Switch,
    },
    /// libnice debugging (`set_libnice_debug`).
    LibniceDebug {
        /// on or off.
        switch: Switch,
    },
    /// Minimum NACK queue window in milliseconds (`set_min_nack_queue`).
    MinNackQueue {
        /// Milliseconds.
        milliseconds: u64,
    },
    /// NACK optimizations (`set_nack_optimizations`).
    NackOptimizations {
        /// on or off.
        switch: Switch,
    },
    /// Seconds without media before a `media` event (`set_no_media_timer`).
    NoMediaTimer {
        /// Seconds.
        seconds: u64,
    },
    /// Lost packets per second that make a `slowlink` event, 0 for none
    /// (`set_slowlink_threshold`).
    SlowlinkThreshold {
        /// Packets per second.
        packets: u64,
    },
}

/// `pcap start|stop` and `text2pcap start|stop`.
#[derive(Debug, Subcommand)]
pub enum Capture {
    /// Start dumping (`start_pcap` / `start_text2pcap`).
    Start {
        /// The session id.
        session: u64,
        /// The handle id.
        handle: u64,
        #[command(flatten)]
        file: CaptureFile,
    },
    /// Stop dumping (`stop_pcap` / `stop_text2pcap`).
    Stop {
        /// The session id.
        session: u64,
        /// The handle id.
        handle: u64,
    },
}

/// Where a capture goes, on the server.
#[derive(Debug, Clone, Args)]
pub struct CaptureFile {
    /// Folder on the server (default: Janus's current folder).
    #[arg(long)]
    pub folder: Option<String>,
    /// File name (default: a random one).
    #[arg(long)]
    pub filename: Option<String>,
    /// Bytes to keep of each packet (default: all).
    #[arg(long, value_name = "BYTES")]
    pub truncate: Option<u32>,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Turn it on.
    On,
    /// Turn it off.
    Off,
}

impl Switch {
    /// Whether it is `on`.
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// A secret from the command line, kept out of `Debug` output.
fn parse_secret(text: &str) -> Result<Secret, String> {
    match text {
        "" => Err("must not be empty".to_owned()),
        text => Ok(Secret::new(text)),
    }
}

/// A positive number of seconds, fractions allowed.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err("must be more than 0 and at most 86400 seconds".to_owned());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command, Set};

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_after_a_subcommand_and_its_positionals() {
        let args = [
            "janus-admin",
            "message-plugin",
            "p",
            "{}",
            "--json",
            "--timeout",
            "2",
        ];
        let cli = Cli::try_parse_from(args).expect("valid arguments");
        assert!(cli.json);
        assert!(matches!(cli.command, Command::MessagePlugin { .. }));
    }

    #[test]
    fn a_secret_given_as_a_flag_is_not_in_debug_output() {
        let cli = Cli::try_parse_from(["janus-admin", "--secret", "hunter2", "sessions"])
            .expect("valid arguments");
        assert!(!format!("{cli:?}").contains("hunter2"));
    }

    #[test]
    fn negative_session_timeouts_and_bounded_log_levels() {
        let cli = Cli::try_parse_from(["janus-admin", "set", "session-timeout", "-1"])
            .expect("valid arguments");
        assert!(matches!(
            cli.command,
            Command::Set(Set::SessionTimeout { seconds: -1, .. })
        ));
        assert!(Cli::try_parse_from(["janus-admin", "set", "log-level", "8"]).is_err());
        assert!(Cli::try_parse_from(["janus-admin", "--timeout", "0", "info"]).is_err());
    }
}
