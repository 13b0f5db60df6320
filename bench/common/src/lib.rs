//! What every benchmark runner shares: the workload and its arguments, the one-line JSON
//! [`Report`] a runner prints on stdout, and the CPU and RSS readings in it.
//!
//! A runner is a separate program per client library (ours, jarust, janode) so that each one's
//! CPU time and peak RSS are its own. The orchestrator (`janus-bench`) starts a private Janus,
//! runs every runner on every workload in alternation, and compares their reports.
//!
//! ```no_run
//! use janus_bench_common::{run_main, Workload};
//!
//! fn main() -> std::process::ExitCode {
//!     run_main("example", |args, report| {
//!         match args.workload {
//!             Workload::W1 => { /* create, attach, message, detach, destroy; record latencies */ }
//!             Workload::W2 | Workload::W3 => return Err("not implemented".into()),
//!         }
//!         report.replies += 5;
//!         Ok(())
//!     })
//! }
//! ```

use std::fmt;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use serde::{Deserialize, Serialize};

/// The workloads of `../shared/DESIGN.md`, one websocket each, every reply and event checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// `iterations` times in sequence: create, attach echotest, message
    /// `{"audio":true,"video":true}` and wait for its event, detach, destroy. One latency per
    /// iteration; RSS recorded after `rss_checkpoint` iterations and at the end.
    W1,
    /// `iterations` rounds of: `sessions` concurrent creates, `handles` concurrent attaches in
    /// each, one message per handle all in flight at once, waiting for every event, then
    /// concurrent detaches and destroys. One latency per round.
    W2,
    /// `sessions` sessions created, then held open for `hold` with keepalives every
    /// `keepalive`, then destroyed. One latency: the time to create them all.
    W3,
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Workload::W1 => "w1",
            Workload::W2 => "w2",
            Workload::W3 => "w3",
        })
    }
}

impl FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "w1" => Ok(Workload::W1),
            "w2" => Ok(Workload::W2),
            "w3" => Ok(Workload::W3),
            other => Err(format!("unknown workload {other:?} (w1, w2 or w3)")),
        }
    }
}

/// A runner's command line: `--url URL --workload w1|w2|w3 [--iterations N]
/// [--rss-checkpoint N] [--sessions N] [--handles N] [--hold-ms MS] [--keepalive-ms MS]
/// [--variant NAME]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    /// The Janus API websocket URL (`ws://127.0.0.1:8188`).
    pub url: String,
    /// Which workload to run.
    pub workload: Workload,
    /// W1: sequential iterations; W2: rounds. W3 ignores it.
    pub iterations: usize,
    /// W1: record the RSS after this many iterations too (0: only at the end).
    pub rss_checkpoint: usize,
    /// W2: concurrent sessions per round; W3: sessions held open.
    pub sessions: usize,
    /// W2: handles attached in each session (one message each).
    pub handles: usize,
    /// W3: how long the sessions are held open.
    pub hold: Duration,
    /// W3: the keepalive interval while they are held.
    pub keepalive: Duration,
    /// A runner-specific choice, such as which of our transports (`blocking`, `ws`).
    pub variant: Option<String>,
}

impl RunArgs {
    /// The defaults of DESIGN.md for `workload` against `url`: W1 300 iterations with an RSS
    /// checkpoint at 300; W2 one round of 100 sessions × 5 handles; W3 1000 sessions for 10 s
    /// with a keepalive every 5 s.
    pub fn new(url: &str, workload: Workload) -> Self {
        let (iterations, sessions) = match workload {
            Workload::W1 => (300, 0),
            Workload::W2 => (1, 100),
            Workload::W3 => (1, 1000),
        };
        RunArgs {
            url: url.to_owned(),
            workload,
            iterations,
            rss_checkpoint: if workload == Workload::W1 { 300 } else { 0 },
            sessions,
            handles: 5,
            hold: Duration::from_secs(10),
            keepalive: Duration::from_secs(5),
            variant: None,
        }
    }

    /// Parses the process's own arguments.
    pub fn from_env() -> Result<Self, String> {
        Self::parse(std::env::args().skip(1))
    }

    /// Parses `--flag value` pairs; `--url` and `--workload` are required.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            pairs.push((flag, value));
        }
        let find = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(flag, _)| flag == name)
                .map(|(_, value)| value.as_str())
        };
        let url = find("--url").ok_or("--url is required")?;
        let workload: Workload = find("--workload")
            .ok_or("--workload is required")?
            .parse()?;
        let mut run = RunArgs::new(url, workload);
        for (flag, value) in &pairs {
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|e| format!("{flag} {value}: {e}"))
            };
            match flag.as_str() {
                "--url" | "--workload" => {}
                "--iterations" => run.iterations = number()? as usize,
                "--rss-checkpoint" => run.rss_checkpoint = number()? as usize,
                "--sessions" => run.sessions = number()? as usize,
                "--handles" => run.handles = number()? as usize,
                "--hold-ms" => run.hold = Duration::from_millis(number()?),
                "--keepalive-ms" => run.keepalive = Duration::from_millis(number()?),
                "--variant" => run.variant = Some(value.clone()),
                other => return Err(format!("unknown flag {other}")),
            }
        }
        Ok(run)
    }

    /// The command line that [`RunArgs::parse`] turns back into `self`.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = vec![
            "--url".to_owned(),
            self.url.clone(),
            "--workload".to_owned(),
            self.workload.to_string(),
            "--iterations".to_owned(),
            self.iterations.to_string(),
            "--rss-checkpoint".to_owned(),
            self.rss_checkpoint.to_string(),
            "--sessions".to_owned(),
            self.sessions.to_string(),
            "--handles".to_owned(),
            self.handles.to_string(),
            "--hold-ms".to_owned(),
            self.hold.as_millis().to_string(),
            "--keepalive-ms".to_owned(),
            self.keepalive.as_millis().to_string(),
        ];
        if let Some(variant) = &self.variant {
            args.push("--variant".to_owned());
            args.push(variant.clone());
        }
        args
    }
}

/// What a runner prints, as one JSON line on stdout, after its workload.
///
/// CPU and wall time cover the workload only (not process start-up or connecting), so that a
/// runtime's start-up cost does not count; peak RSS is the process's whole life.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The client library, such as `ours-blocking`, `jarust`, `janode`.
    pub client: String,
    /// `w1`, `w2` or `w3`.
    pub workload: String,
    /// Whether every reply and event arrived and was right.
    pub ok: bool,
    /// The first thing that went wrong, when `ok` is false.
    pub error: Option<String>,
    /// Iterations (W1) or rounds (W2) completed.
    pub iterations: usize,
    /// Wall time of the workload, seconds.
    pub wall_s: f64,
    /// User CPU of the workload, seconds.
    pub user_s: f64,
    /// System CPU of the workload, seconds.
    pub sys_s: f64,
    /// Peak resident set size of the process, KiB.
    pub peak_rss_kb: u64,
    /// `(iterations done, current RSS in KiB)` readings.
    pub rss_checkpoints_kb: Vec<(usize, u64)>,
    /// One latency per iteration or round, microseconds.
    pub latencies_us: Vec<u64>,
    /// Replies checked.
    pub replies: u64,
    /// Events checked.
    pub events: u64,
}

impl Report {
    /// Records that W1 iteration `i` is done, reading the RSS if `i` is the checkpoint.
    pub fn iteration_done(&mut self, i: usize, args: &RunArgs) {
        self.iterations = i;
        if i == args.rss_checkpoint {
            self.rss_checkpoints_kb.push((i, current_rss_kb()));
        }
    }

    /// Records the RSS after the last W1 iteration.
    pub fn iterations_finished(&mut self, args: &RunArgs) {
        self.rss_checkpoints_kb
            .push((args.iterations, current_rss_kb()));
    }
}

/// User and system CPU of this process so far.
pub fn cpu_time() -> (Duration, Duration) {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(usage) => (timeval(usage.user_time()), timeval(usage.system_time())),
        Err(_) => (Duration::ZERO, Duration::ZERO),
    }
}

fn timeval(tv: nix::sys::time::TimeVal) -> Duration {
    let micros = tv.tv_sec() as i128 * 1_000_000 + tv.tv_usec() as i128;
    Duration::from_micros(micros.max(0) as u64)
}

/// Peak resident set size of this process, KiB: `VmHWM` of `/proc/self/status` (the
/// kernel's own high-water mark, which `getrusage`'s `ru_maxrss` can lag behind), else
/// `ru_maxrss`.
pub fn peak_rss_kb() -> u64 {
    status_kb("VmHWM:").unwrap_or_else(|| {
        getrusage(UsageWho::RUSAGE_SELF)
            .map(|usage| usage.max_rss().max(0) as u64)
            .unwrap_or(0)
    })
}

/// Current resident set size of this process, KiB (`VmRSS` of `/proc/self/status`).
pub fn current_rss_kb() -> u64 {
    status_kb("VmRSS:").unwrap_or(0)
}

/// A `kB` field of `/proc/self/status`.
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Measures a workload: wall time and CPU from [`Meter::start`] to [`Meter::finish`].
#[derive(Debug)]
pub struct Meter {
    wall: Instant,
    user: Duration,
    sys: Duration,
}

impl Meter {
    /// Starts measuring now.
    pub fn start() -> Self {
        let (user, sys) = cpu_time();
        Meter {
            wall: Instant::now(),
            user,
            sys,
        }
    }

    /// Writes wall time and CPU since [`Meter::start`] into `report`.
    pub fn finish(&self, report: &mut Report) {
        let (user, sys) = cpu_time();
        report.wall_s = self.wall.elapsed().as_secs_f64();
        report.user_s = user.saturating_sub(self.user).as_secs_f64();
        report.sys_s = sys.saturating_sub(self.sys).as_secs_f64();
    }
}

/// A runner's `main`: parses the arguments, calls `run` (which starts and finishes a
/// [`Meter`] around the workload proper and fills in latencies and counts), then prints the
/// report as one JSON line. Exits non-zero when the arguments are wrong or `run` failed.
pub fn run_main(
    client: &str,
    run: impl FnOnce(&RunArgs, &mut Report) -> Result<(), String>,
) -> ExitCode {
    let args = match RunArgs::from_env() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{client}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut report = Report {
        client: client.to_owned(),
        workload: args.workload.to_string(),
        ..Report::default()
    };
    let result = run(&args, &mut report);
    report.peak_rss_kb = peak_rss_kb();
    report.ok = result.is_ok();
    report.error = result.err();
    match serde_json::to_string(&report) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("{client}: cannot encode the report: {e}");
            return ExitCode::FAILURE;
        }
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_round_trip() {
        let mut args = RunArgs::new("ws://127.0.0.1:8188", Workload::W3);
        args.sessions = 7;
        args.hold = Duration::from_millis(1500);
        args.variant = Some("ws".to_owned());
        assert_eq!(RunArgs::parse(args.to_args()), Ok(args));
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(RunArgs::parse(["--url".to_owned()]).is_err());
        assert!(RunArgs::parse(["--workload".to_owned(), "w9".to_owned()]).is_err());
        let unknown = ["--url", "u", "--workload", "w1", "--bogus", "1"].map(String::from);
        assert!(RunArgs::parse(unknown).is_err());
    }

    #[test]
    fn readings_are_sane() {
        assert!(current_rss_kb() > 0);
        assert!(peak_rss_kb() >= current_rss_kb());
    }
}
