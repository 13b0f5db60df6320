//! The machinery of the echotest example (`tests/examples/echotest.rs`): its command line,
//! the namespace and private Janus it calls, the one connection and session the calls share,
//! restarting Janus between the calls (`--restart-janus`), the peer and connection pumped
//! together, the report, and stopping cleanly on a signal. The example itself is the call.

#![allow(clippy::disallowed_methods)] // A program reads the clock; only janus-proto may not.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use janus_blocking::request::{Destroy, Request as _};
use janus_blocking::{ConnectOptions, Connection, SessionId};
use janus_proto::Reconnect;

use crate::netns::NetNs;
use crate::peer::CandidateMode;
use crate::JanusServer;

mod args;
mod call;
mod interrupt;
mod report;
mod restart;

pub use args::{Args, USAGE};
pub use call::{Call, Seen};
pub use interrupt::{signal_name, Interrupt};
pub use report::{ms, yes_no, Failure, Report};
pub use restart::{restart_janus, Restart, RESTART_BOUND};

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
/// How long the connection keeps dialling after a loss before it gives up.
pub const RECONNECT_GIVE_UP: Duration = Duration::from_secs(30);

/// One call on the connection, in a session: `(connection, session, plan, interrupt,
/// report) -> outcome`.
pub type CallFn =
    fn(&mut Connection, SessionId, &Plan, &Interrupt, &mut Report) -> Result<(), Failure>;

/// What one call is to do.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// The address the peer binds to.
    pub peer_ip: IpAddr,
    /// Where our candidate goes.
    pub mode: CandidateMode,
    /// RTP packets to send.
    pub packets: u32,
}

/// The whole program around a call: parses the command line, sets up (or points at) Janus,
/// connects once, makes the calls (one per candidate mode) with `call` in one session
/// (another when Janus lost it), restarts Janus between them if asked, prints their reports,
/// cleans up, and returns the exit status (1 when a call or the restart failed, 2 for bad
/// arguments, 128+N when stopped by signal N).
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

/// Sets up (or points at) Janus, makes the calls, prints their reports.
fn run(args: &Args, interrupt: &Interrupt, call: CallFn) -> ExitCode {
    // Declared before the Janus running inside it, so that it is dropped after it.
    let ns: Option<NetNs>;
    let mut janus: Option<JanusServer>;
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
        None => match start_janus(args) {
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

    let tally = make_calls(args, &target, janus.as_mut(), interrupt, call);
    if !tally.ok() && interrupt.signal().is_none() {
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
    tally.print_summary();
    if tally.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// How the calls went.
#[derive(Debug, Default)]
struct Tally {
    made: usize,
    failed: usize,
    /// Janus restarts between the calls that the connection rode out.
    restarts: usize,
    /// A restart between the calls failed (the calls after it were not made).
    restart_failed: bool,
    /// Something after the calls failed (destroying the session).
    cleanup_failed: bool,
}

impl Tally {
    fn ok(&self) -> bool {
        self.failed == 0 && !self.restart_failed && !self.cleanup_failed
    }

    fn print_summary(&self) {
        if self.made < 2 && self.restarts == 0 && !self.restart_failed {
            return;
        }
        let mut summary = format!(
            "echotest: {} of {} calls OK, on one connection",
            self.made - self.failed,
            self.made
        );
        if self.restarts > 0 {
            summary.push_str(
                "; Janus was restarted between them, and the connection reconnected by itself",
            );
        }
        if self.restart_failed {
            summary.push_str("; restarting Janus between the calls failed");
        }
        println!("\n{summary}");
    }
}

/// Connects once, then makes the calls in one session (a new one when the client no longer
/// has it), restarting `janus` between them with `--restart-janus`; destroys the session and
/// closes the connection at the end, whatever happened.
fn make_calls(
    args: &Args,
    target: &Target,
    mut janus: Option<&mut JanusServer>,
    interrupt: &Interrupt,
    call: CallFn,
) -> Tally {
    let mut tally = Tally::default();
    let calls = args.calls();
    let mut conn = match interrupt.check("connect").and_then(|()| connect(target)) {
        Ok(conn) => conn,
        Err(failure) => {
            let outcome = interrupted(Err(failure), interrupt);
            Report::new(target, calls[0], 1).print(&outcome);
            tally.made = 1;
            tally.failed = 1;
            return tally;
        }
    };
    let mut session = None;
    for &mode in &calls {
        if interrupt.signal().is_some() {
            break;
        }
        if tally.made > 0 {
            println!();
            if let Some(janus) = janus.as_deref_mut().filter(|_| args.restart_janus) {
                let mut restart = Restart::default();
                let outcome = interrupted(
                    restart_janus(janus, &mut conn, session, interrupt, &mut restart),
                    interrupt,
                );
                restart.print(&outcome);
                println!();
                if outcome.is_err() {
                    tally.restart_failed = true;
                    break;
                }
                tally.restarts += 1;
            }
        }
        tally.made += 1;
        let mut report = Report::new(target, mode, tally.made);
        let plan = Plan {
            peer_ip: target.peer_ip,
            mode,
            packets: args.packets,
        };
        let outcome = session_for(&mut conn, &mut session, &mut report)
            .and_then(|session| call(&mut conn, session, &plan, interrupt, &mut report));
        let outcome = interrupted(outcome, interrupt);
        report.print(&outcome);
        if outcome.is_err() {
            tally.failed += 1;
        }
    }
    // The session, if the client still has it: briefly when something already failed.
    if let Some(session) = session.filter(|s| conn.core().session_state(*s).is_some()) {
        let bound = if tally.ok() && interrupt.signal().is_none() {
            STEP
        } else {
            CLEANUP_STEP
        };
        if let Err(e) = conn.call(Destroy(session).within(bound)) {
            if tally.ok() {
                eprintln!("echotest: destroying session {session} failed: {e}");
                tally.cleanup_failed = true;
            }
        }
    }
    conn.close();
    tally
}

/// The connection every call goes through. Its reconnect policy (dial again after 100 ms,
/// backing off to 1 s, for at most [`RECONNECT_GIVE_UP`]) lets it outlive a Janus restart: it
/// claims its session again, or says the session is lost.
fn connect(target: &Target) -> Result<Connection, Failure> {
    let policy = Reconnect::new()
        .first_delay(Duration::from_millis(100))
        .max_delay(Duration::from_secs(1))
        .give_up_after(RECONNECT_GIVE_UP);
    let options = ConnectOptions::new()
        .request_timeout(STEP)
        .connect_timeout(STEP)
        .reconnect(policy);
    Connection::connect(&target.url, options).map_err(Failure::step("connect"))
}

/// The session for the next call: the one of the call before while the client still has it,
/// else a new one.
fn session_for(
    conn: &mut Connection,
    session: &mut Option<SessionId>,
    report: &mut Report,
) -> Result<SessionId, Failure> {
    if let Some(kept) = session.filter(|s| conn.core().session_state(*s).is_some()) {
        report.session = Some((kept, false));
        return Ok(kept);
    }
    let created = conn.create().map_err(Failure::step("create"))?;
    *session = Some(created);
    report.session = Some((created, true));
    Ok(created)
}

/// A step that failed once a signal has come counts as interrupted.
fn interrupted(outcome: Result<(), Failure>, interrupt: &Interrupt) -> Result<(), Failure> {
    match (outcome, interrupt.signal()) {
        (Err(Failure::Step { step, reason }), Some(signal)) => Err(Failure::Interrupted {
            step,
            signal,
            also: Some(reason),
        }),
        (outcome, _) => outcome,
    }
}

/// A namespace with a private Janus inside, and how long that took. With `--restart-janus`
/// Janus keeps a session 20 s after its connection goes (`reclaim_session_timeout`), so that
/// the session the restart takes is lost to the restart (458 when claimed), not to the
/// connection's end.
fn start_janus(args: &Args) -> Result<(NetNs, JanusServer, Duration), Failure> {
    let started = Instant::now();
    NetNs::available().map_err(|reason| Failure::at("setup", reason))?;
    let ns = NetNs::create("echotest").map_err(|e| Failure::at("setup", e))?;
    let mut options = ns
        .janus_options()
        .full_trickle(args.full_trickle)
        .name("echotest");
    if args.restart_janus {
        options = options.reclaim_session_timeout(20);
    }
    let janus = JanusServer::start(options).map_err(|e| Failure::at("starting Janus", e))?;
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
