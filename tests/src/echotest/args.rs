//! The example's command line.
//!
//! ```text
//! echotest [--candidates sdp|trickle|both] [--full-trickle] [--packets N] [--restart-janus]
//! echotest --janus-url ws://HOST:8188 --peer-ip IP [--candidates …] [--packets N]
//! echotest --cleanup
//! ```
//!
//! * `--candidates`: where the peer puts its ICE candidate: in the offer (`sdp`), or in
//!   `trickle` requests after it (`trickle`). Default: both, one call after the other.
//! * `--full-trickle`: start Janus with `nat.full_trickle = true`, so that Janus trickles its
//!   own candidates too (they typically arrive *before* its answer: the connection sets them
//!   aside while `message` waits, and the peer keeps them until the answer is applied).
//! * `--janus-url URL --peer-ip IP`: use an existing Janus instead; the peer binds to `IP`,
//!   which Janus must be able to reach (and which must not be loopback).
//! * `--packets N`: RTP packets to send (default 100, one every 20 ms).
//! * `--restart-janus`: restart the private Janus between the calls (with one candidate mode,
//!   that mode is called twice). The calls share one connection, which reconnects by itself;
//!   the second call runs on a new session, the first one's being lost with the restart.
//! * `--cleanup`: only remove namespaces and veths left by dead runs, and exit.

use std::net::IpAddr;

use crate::peer::CandidateMode;

/// The usage text.
pub const USAGE: &str = "\
usage: echotest [--candidates sdp|trickle|both] [--full-trickle] [--packets N]
                [--restart-janus]
       echotest --janus-url ws://HOST:PORT --peer-ip IP [--candidates ...] [--packets N]
       echotest --cleanup

A WebRTC call through Janus's EchoTest plugin: janus-blocking for signalling, a str0m peer
for media. Without --janus-url it needs root: it runs a private Janus in a network namespace.

  --candidates MODE  our ICE candidate in the offer (sdp) or trickled (trickle);
                     default: both, one call after the other
  --full-trickle     start Janus with nat.full_trickle (Janus trickles its candidates too)
  --packets N        Opus-shaped RTP packets to send, one per 20 ms (default 100)
  --restart-janus    restart Janus between the calls (one mode: called twice); the
                     connection reconnects by itself, the next call gets a new session
  --janus-url URL    use this Janus instead of starting one (then --peer-ip is required)
  --peer-ip IP       the address the peer binds to (with --janus-url); Janus must reach it
  --cleanup          remove namespaces and veths left by dead runs, then exit
";

/// The command line.
#[derive(Debug)]
pub struct Args {
    /// The calls to make: one per candidate mode, in order.
    pub modes: Vec<CandidateMode>,
    /// Start Janus with `nat.full_trickle`.
    pub full_trickle: bool,
    /// Call this Janus instead of starting one.
    pub janus_url: Option<String>,
    /// The address the peer binds to (with `janus_url`).
    pub peer_ip: Option<IpAddr>,
    /// RTP packets to send.
    pub packets: u32,
    /// Restart the private Janus between the calls.
    pub restart_janus: bool,
    /// Only remove what dead runs left, and exit.
    pub cleanup: bool,
    /// Print the usage, and exit.
    pub help: bool,
}

impl Args {
    /// Parses the arguments (without the program name).
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let both = vec![CandidateMode::InSdp, CandidateMode::Trickle];
        let mut parsed = Args {
            modes: both.clone(),
            full_trickle: false,
            janus_url: None,
            peer_ip: None,
            packets: 100,
            restart_janus: false,
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
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--candidates" => {
                    parsed.modes = match value()?.as_str() {
                        "sdp" => vec![CandidateMode::InSdp],
                        "trickle" => vec![CandidateMode::Trickle],
                        "both" => both.clone(),
                        other => {
                            return Err(format!(
                                "--candidates takes sdp, trickle or both, not {other:?}"
                            ))
                        }
                    }
                }
                "--janus-url" => parsed.janus_url = Some(value()?),
                "--peer-ip" => {
                    let text = value()?;
                    let ip: IpAddr = text
                        .parse()
                        .map_err(|e| format!("--peer-ip {text:?}: {e}"))?;
                    if ip.is_loopback() || ip.is_unspecified() {
                        return Err(format!(
                            "--peer-ip {ip}: Janus does not use loopback for ICE; give an \
                             address of this machine that Janus can reach"
                        ));
                    }
                    parsed.peer_ip = Some(ip);
                }
                "--packets" => {
                    let text = value()?;
                    parsed.packets = match text.parse() {
                        Ok(n) if n > 0 => n,
                        _ => {
                            return Err(format!("--packets takes a positive number, not {text:?}"))
                        }
                    };
                }
                "--full-trickle" | "--restart-janus" | "--cleanup" | "-h" | "--help"
                    if inline.is_some() =>
                {
                    return Err(format!("{flag} takes no value"))
                }
                "--full-trickle" => parsed.full_trickle = true,
                "--restart-janus" => parsed.restart_janus = true,
                "--cleanup" => parsed.cleanup = true,
                "-h" | "--help" => parsed.help = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        match (&parsed.janus_url, parsed.peer_ip) {
            (Some(_), None) => {
                return Err("--janus-url needs --peer-ip (the address the peer binds to)".into())
            }
            (None, Some(_)) => {
                return Err(
                    "--peer-ip goes with --janus-url (otherwise the peer binds to the namespace's veth)"
                        .into(),
                )
            }
            (Some(_), Some(_)) if parsed.full_trickle => {
                return Err(
                    "--full-trickle configures the Janus this program starts; with --janus-url \
                     it is that server's own nat.full_trickle"
                        .into(),
                )
            }
            (Some(_), Some(_)) if parsed.restart_janus => {
                return Err(
                    "--restart-janus restarts the Janus this program starts; it cannot restart \
                     the one at --janus-url"
                        .into(),
                )
            }
            _ => {}
        }
        Ok(parsed)
    }

    /// The calls to make, in order: one per candidate mode; with
    /// [`restart_janus`](Self::restart_janus), at least two (a single mode is called twice).
    pub fn calls(&self) -> Vec<CandidateMode> {
        match self.modes.as_slice() {
            [mode] if self.restart_janus => vec![*mode, *mode],
            modes => modes.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn restart_janus_makes_at_least_two_calls() -> Result<(), String> {
        let both = [CandidateMode::InSdp, CandidateMode::Trickle];
        assert_eq!(parse(&[])?.calls(), both);
        assert_eq!(parse(&["--restart-janus"])?.calls(), both);
        let one = parse(&["--candidates", "trickle", "--restart-janus"])?;
        assert_eq!(
            one.calls(),
            [CandidateMode::Trickle, CandidateMode::Trickle]
        );
        assert_eq!(
            parse(&["--candidates=sdp"])?.calls(),
            [CandidateMode::InSdp]
        );
        Ok(())
    }

    #[test]
    fn restart_janus_is_for_the_private_janus_only() {
        let external = [
            "--janus-url",
            "ws://192.0.2.1:8188",
            "--peer-ip",
            "192.0.2.2",
        ];
        assert!(parse(&external).is_ok());
        let restart = [&external[..], &["--restart-janus"]].concat();
        let error = parse(&restart).expect_err("--restart-janus with --janus-url");
        assert!(error.contains("--restart-janus"), "{error}");
        assert!(parse(&["--restart-janus=yes"]).is_err());
    }
}
