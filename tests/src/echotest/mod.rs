//! The machinery of the echotest example (`tests/examples/echotest.rs`): its command line,
//! the namespace and private Janus it calls, the peer and connection pumped together, the
//! report, and stopping cleanly on a signal. The example itself is the call.

#![allow(clippy::disallowed_methods)] // A program reads the clock; only janus-proto may not.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::netns::NetNs;
use crate::peer::CandidateMode;
use crate::JanusServer;

mod args;
mod call;
mod interrupt;
mod report;

pub use args::{Args, USAGE};
pub use call::{Call, Seen};
pub use interrupt::{signal_name, Interrupt};
pub use report::{ms, yes_no, Failure, Report};

/// The EchoTest plugin.
pub const PLUGIN: &str = "janus.plugin.echotest";
/// What the EchoTest plugin puts before data-channel text it echoes.
pub const ECHO_PREFIX: &str = "Janus EchoTest here! You wrote: ";
/// Bound of each signalling step and of `webrtcup` (from the offer) and the `hangup` event.
pub const STEP: Duration = Duration::from_secs(10);
/// Bound of the best-effort `destroy` after a failure.
pub const CLEANUP_STEP: Duration = Duration::from_secs(2);
/// One audio frame per RTP packet.
pub const FRAME: Duration = Duration::from_millis(20);
/// How long echoes may trail the last packet sent.
pub const SETTLE: Duration = Duration::from_millis(300);
/// The share of packets that must come back.
pub const MIN_ECHOED_PERCENT: u64 = 90;
/// How long one poll of the Janus connection may wait when nothing has arrived, from the
/// peer's loop (which ticks every 10 ms).
pub const POLL: Duration = Duration::from_millis(1);

/// One call: `(target, candidate mode, packets, interrupt, report) -> outcome`.
pub type CallFn = fn(&Target, CandidateMode, u32, &Interrupt, &mut Report) -> Result<(), Failure>;

/// The whole program around a call: parses the command line, sets up (or points at) Janus,
/// makes one call per candidate mode with `call`, prints their reports, cleans up, and
/// returns the exit status (1 when a call failed, 2 for bad arguments, 128+N when stopped by
/// signal N).
pub fn main(call: CallFn) -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("echotest: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.cleanup {
        let removed = NetNs::cleanup_stale();
        println!("echotest: cleanup removed {removed} namespace(s) and veth(s) of dead runs");
        return ExitCode::SUCCESS;
    }
    let interrupt = match Interrupt::install() {
        Ok(interrupt) => interrupt,
        Err(e) => {
            eprintln!("echotest: cannot install the SIGINT/SIGTERM handler: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = run(&args, &interrupt, call);
    if let Some(signal) = interrupt.signal() {
        eprintln!("echotest: stopped by {}; cleaned up", signal_name(signal));
        return ExitCode::from(128u8.saturating_add(u8::try_from(signal).unwrap_or(0)));
    }
    code
}

/// Sets up (or points at) Janus, makes one call per candidate mode, prints their reports.
fn run(args: &Args, interrupt: &Interrupt, call: CallFn) -> ExitCode {
    // Declared before the Janus running inside it, so that it is dropped after it.
    let ns: Option<NetNs>;
    let janus: Option<JanusServer>;
    let target = match &args.janus_url {
        Some(url) => {
            let Some(peer_ip) = args.peer_ip else {
                eprintln!("echotest: --janus-url needs --peer-ip");
                return ExitCode::from(2);
            };
            ns = None;
            janus = None;
            Target {
                url: url.clone(),
                peer_ip,
                full_trickle: None,
            }
        }
        None => match start_janus(args.full_trickle) {
            Ok((namespace, server, setup_time)) => {
                println!(
                    "setup: namespace {} (peer {} <-> Janus {} on {}), Janus ready in {}",
                    namespace.name(),
                    namespace.host_ip(),
                    namespace.inner_ip(),
                    namespace.inner_if(),
                    ms(setup_time),
                );
                let target = Target {
                    url: server.ws_url().to_owned(),
                    peer_ip: namespace.host_ip().into(),
                    full_trickle: Some(args.full_trickle),
                };
                ns = Some(namespace);
                janus = Some(server);
                target
            }
            Err(failure) => {
                eprintln!("echotest: {failure}");
                return ExitCode::FAILURE;
            }
        },
    };

    let mut failed = 0;
    let mut made = 0;
    for &mode in &args.modes {
        if interrupt.signal().is_some() {
            break;
        }
        if made > 0 {
            println!();
        }
        made += 1;
        let mut report = Report::new(&target, mode);
        // A step that fails once a signal has come counts as interrupted.
        let outcome = match (
            call(&target, mode, args.packets, interrupt, &mut report),
            interrupt.signal(),
        ) {
            (Err(Failure::Step { step, reason }), Some(signal)) => Err(Failure::Interrupted {
                step,
                signal,
                also: Some(reason),
            }),
            (outcome, _) => outcome,
        };
        report.print(&outcome);
        if outcome.is_err() {
            failed += 1;
        }
    }
    if failed > 0 && interrupt.signal().is_none() {
        if let Some(janus) = &janus {
            match janus.keep_log() {
                Ok(Some(path)) => eprintln!("echotest: Janus log kept at {}", path.display()),
                Ok(None) => {}
                Err(e) => eprintln!("echotest: could not keep the Janus log: {e}"),
            }
        }
    }
    drop(janus);
    drop(ns);
    if made > 1 {
        println!("\nechotest: {} of {made} calls OK", made - failed);
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A namespace with a private Janus inside, and how long that took.
fn start_janus(full_trickle: bool) -> Result<(NetNs, JanusServer, Duration), Failure> {
    let started = Instant::now();
    NetNs::available().map_err(|reason| Failure::at("setup", reason))?;
    let ns = NetNs::create("echotest").map_err(|e| Failure::at("setup", e))?;
    let janus = JanusServer::start(
        ns.janus_options()
            .full_trickle(full_trickle)
            .name("echotest"),
    )
    .map_err(|e| Failure::at("starting Janus", e))?;
    Ok((ns, janus, started.elapsed()))
}

/// Where Janus is and where the peer binds.
pub struct Target {
    /// The Janus API URL.
    pub url: String,
    /// The address the peer binds to.
    pub peer_ip: IpAddr,
    /// Whether Janus trickles its own candidates; `None`: someone else's Janus, configured
    /// as it is.
    pub full_trickle: Option<bool>,
}
