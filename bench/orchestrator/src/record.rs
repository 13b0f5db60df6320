//! What one run left behind, as recorded in `results.json`.

use janus_bench_common::{Report, RunArgs};
use serde_json::{json, Value};

use crate::plan::Client;

/// One run of one runner.
#[derive(Debug)]
pub struct Run {
    /// The round (from 1), or `None` for the W1 long run.
    pub round: Option<usize>,
    /// Its place in the round's order (from 1).
    pub position: usize,
    /// Whose runner.
    pub client: Client,
    /// Its command line.
    pub args: RunArgs,
    /// How the process ended (`exit 0`, `signal 9`, `timed out after …`).
    pub status: String,
    /// The report it printed, if any.
    pub report: Option<Report>,
    /// Janus's own CPU (user+sys) during the run, seconds.
    pub janus_cpu_s: Option<f64>,
    /// Why the run counts as failed; `None` when it succeeded.
    pub failure: Option<String>,
    /// The end of its stderr (and of any stdout that was not the report).
    pub output_tail: String,
}

impl Run {
    /// The report, when the run succeeded.
    pub fn ok_report(&self) -> Option<&Report> {
        match (&self.failure, &self.report) {
            (None, Some(report)) => Some(report),
            _ => None,
        }
    }

    /// As JSON, with the whole report.
    pub fn to_json(&self) -> Value {
        json!({
            "round": self.round,
            "position": self.position,
            "client": self.client.name(),
            "workload": self.args.workload.to_string(),
            "args": args_json(&self.args),
            "status": self.status,
            "ok": self.failure.is_none(),
            "failure": self.failure,
            "janus_cpu_s": self.janus_cpu_s,
            "report": self.report.as_ref().and_then(|r| serde_json::to_value(r).ok()),
            "output_tail": self.output_tail,
        })
    }
}

/// A runner's arguments as JSON (the URL left out: it changes every time).
pub fn args_json(args: &RunArgs) -> Value {
    json!({
        "workload": args.workload.to_string(),
        "iterations": args.iterations,
        "rss_checkpoint": args.rss_checkpoint,
        "sessions": args.sessions,
        "handles": args.handles,
        "hold_ms": u64::try_from(args.hold.as_millis()).unwrap_or(u64::MAX),
        "keepalive_ms": u64::try_from(args.keepalive.as_millis()).unwrap_or(u64::MAX),
        "variant": args.variant,
    })
}

/// The core micro-benchmark's run.
#[derive(Debug)]
pub struct CoreRun {
    /// How the process ended.
    pub status: String,
    /// Its human lines.
    pub lines: Vec<String>,
    /// Its JSON line.
    pub figures: Option<Value>,
    /// Why it counts as failed.
    pub failure: Option<String>,
}

impl CoreRun {
    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "status": self.status,
            "ok": self.failure.is_none(),
            "failure": self.failure,
            "lines": self.lines,
            "figures": self.figures,
        })
    }
}
