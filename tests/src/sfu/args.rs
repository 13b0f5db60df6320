//! The example's command line.
//!
//! ```text
//! videoroom_sfu [--publishers N] [--hold SECONDS] [--janus-version 1.1.2|1.4.1]
//! videoroom_sfu --janus-url ws://HOST:8188 --peer-ip IP [--publishers N] [--hold SECONDS]
//! videoroom_sfu --cleanup
//! ```

use std::net::IpAddr;
use std::time::Duration;

use crate::JanusVersion;

/// The usage text.
pub const USAGE: &str = "\
usage: videoroom_sfu [--publishers N] [--hold SECONDS] [--janus-version 1.1.2|1.4.1]
       videoroom_sfu --janus-url ws://HOST:PORT --peer-ip IP [--publishers N] [--hold SECONDS]
       videoroom_sfu --cleanup

The VideoRoom SFU flow: N publishers send audio into a room, one subscriber follows them
(subscribes to each publisher that appears, drops each that goes), the publishers leave
one by one. janus-transport-ws (smol) for signalling, str0m peers for media. Without
--janus-url it needs root: it runs a private Janus in a network namespace.

  --publishers N         publishers (1 to 16, default 2)
  --hold SECONDS         how long all publish together before they leave (default 2)
  --janus-version V      the Janus to start: 1.1.2 (Debian's package, default) or 1.4.1
                         (built from source once per machine)
  --janus-url URL        use this Janus instead of starting one (then --peer-ip is required)
  --peer-ip IP           the address the peers bind to (with --janus-url); Janus must reach it
  --cleanup              remove namespaces and veths left by dead runs, then exit
";

/// The command line.
#[derive(Debug)]
pub struct Args {
    /// Publishers.
    pub publishers: usize,
    /// How long all publish together before they leave.
    pub hold: Duration,
    /// The Janus to start.
    pub version: JanusVersion,
    /// Use this Janus instead of starting one.
    pub janus_url: Option<String>,
    /// The address the peers bind to (with `janus_url`).
    pub peer_ip: Option<IpAddr>,
    /// Only remove what dead runs left, and exit.
    pub cleanup: bool,
    /// Print the usage, and exit.
    pub help: bool,
}

impl Args {
    /// Parses the arguments (without the program name).
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Args {
            publishers: 2,
            hold: Duration::from_secs(2),
            version: JanusVersion::V1_1_2,
            janus_url: None,
            peer_ip: None,
            cleanup: false,
            help: false,
        };
        while let Some(arg) = args.next() {
            // `--flag=value` or `--flag value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg, None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "--publishers" => {
                    let v = value("--publishers")?;
                    parsed.publishers = match v.parse::<usize>() {
                        Ok(n @ 1..=16) => n,
                        _ => return Err(format!("--publishers: 1 to 16, not {v:?}")),
                    };
                }
                "--hold" => {
                    let v = value("--hold")?;
                    parsed.hold = v
                        .parse::<f64>()
                        .ok()
                        .and_then(|s| Duration::try_from_secs_f64(s).ok())
                        .filter(|d| *d <= Duration::from_secs(60))
                        .ok_or_else(|| format!("--hold: 0 to 60 seconds, not {v:?}"))?;
                }
                "--janus-version" => {
                    let v = value("--janus-version")?;
                    parsed.version = JanusVersion::ALL
                        .into_iter()
                        .find(|version| version.as_str() == v)
                        .ok_or_else(|| format!("--janus-version: 1.1.2 or 1.4.1, not {v:?}"))?;
                }
                "--janus-url" => parsed.janus_url = Some(value("--janus-url")?),
                "--peer-ip" => {
                    let v = value("--peer-ip")?;
                    parsed.peer_ip = Some(
                        v.parse()
                            .map_err(|_| format!("--peer-ip: not an IP address: {v:?}"))?,
                    );
                }
                "--cleanup" => parsed.cleanup = true,
                "--help" | "-h" => parsed.help = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if parsed.janus_url.is_some() != parsed.peer_ip.is_some() {
            return Err("--janus-url and --peer-ip go together".to_owned());
        }
        Ok(parsed)
    }
}
