//! `janus-bench-core`: the janus-proto core micro-benchmark (one thread, no runtime).
//!
//! 1. Pretty-printed Janus event frames decoded and routed per second by one
//!    [`janus_proto::Client`] holding a few sessions and handles (set up through `create` and
//!    `attach` replies), every event checked; and, as a baseline, the same frames parsed into a
//!    `serde_json::Value`. Measured here, under the plain system allocator.
//! 2. and 3. Allocations and bytes allocated per frame, and the heap held per idle session and
//!    per handle: measured by `janus-bench-core-alloc` (the sibling program, under a counting
//!    allocator), which this program runs and whose figures it merges.
//!
//! Usage: `janus-bench-core [--frames N] [--quick]`. Prints readable lines, then one JSON line
//! with every figure. Exits non-zero if any frame is refused or any event is missing, extra or
//! of the wrong kind.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use janus_bench_core::{
    measure, serde_json_map_kind, Args, Rate, Setup, HANDLES_PER_SESSION, SESSIONS,
};
use serde_json::Value;

/// Timed rounds per measurement; the median round is reported.
const ROUNDS: u64 = 5;
/// The counting program's own limit.
const ALLOC_TIMEOUT: Duration = Duration::from_secs(300);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("janus-bench-core: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The counting program, installed next to this one.
fn alloc_program() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let path = me.with_file_name(format!(
        "janus-bench-core-alloc{}",
        std::env::consts::EXE_SUFFIX
    ));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: build the whole package (cargo build --release -p janus-bench-core)",
            path.display()
        ))
    }
}

/// Runs the counting program and returns the JSON object it printed.
fn run_alloc(args: &Args, frames: u64) -> Result<serde_json::Map<String, Value>, String> {
    let path = alloc_program()?;
    let mut cmd = Command::new(&path);
    cmd.arg("--frames").arg(frames.to_string());
    if args.quick {
        cmd.arg("--quick");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", path.display()))?;
    let deadline = Instant::now() + ALLOC_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} still running after {ALLOC_TIMEOUT:?}",
                    path.display()
                ));
            }
            Err(e) => return Err(format!("waiting for {}: {e}", path.display())),
        }
    };
    let output = child
        .wait_with_output()
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    if !status.success() {
        return Err(format!("{} failed: {status}", path.display()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .last()
        .ok_or_else(|| format!("{} printed nothing", path.display()))?;
    match serde_json::from_str(line) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(format!(
            "{} printed {line:?}, not a JSON object",
            path.display()
        )),
    }
}

/// A number from the counting program's report.
fn number(map: &serde_json::Map<String, Value>, key: &str) -> Result<f64, String> {
    map.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("janus-bench-core-alloc: no number {key:?} in its report"))
}

fn rounds_text(rate: &Rate) -> String {
    let r: Vec<String> = rate.rounds.iter().map(|r| format!("{:.0}", r)).collect();
    r.join(", ")
}

fn run() -> Result<(), String> {
    let args = Args::parse(std::env::args().skip(1))?;
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mut setup = Setup::new()?;
    let frame_bytes_avg = setup.frame_bytes_avg();
    let mix: Vec<String> = setup
        .kind_counts()
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    println!(
        "janus-proto core micro-benchmark: one thread, {cores} cores on this machine, \
         serde_json map: {}",
        serde_json_map_kind()
    );
    println!(
        "setup: {SESSIONS} sessions x {HANDLES_PER_SESSION} handles (created and attached \
         through replies); {} distinct pretty-printed frames ({}), {frame_bytes_avg:.1} bytes \
         on average",
        setup.pool.len(),
        mix.join(", ")
    );

    let pool = setup.pool.len() as u64;
    setup.route(pool * 4)?;
    setup.baseline(pool * 2)?;
    let routed = measure(args.frames, ROUNDS, |n| setup.route(n))?;
    println!(
        "routed:   {} frames, {:.0} frames/s, {:.0} ns/frame, {:.1} MB/s \
         (median of {ROUNDS} rounds: {})",
        args.frames,
        routed.frames_per_s,
        routed.ns_per_frame,
        routed.mb_per_s,
        rounds_text(&routed)
    );
    let baseline_frames = (args.frames / 2).max(1);
    let baseline = measure(baseline_frames, ROUNDS, |n| setup.baseline(n))?;
    println!(
        "baseline: {baseline_frames} frames through serde_json::from_str::<Value>, {:.0} \
         frames/s, {:.0} ns/frame, {:.1} MB/s (median of {ROUNDS} rounds: {}); routed/baseline \
         = {:.2}x",
        baseline.frames_per_s,
        baseline.ns_per_frame,
        baseline.mb_per_s,
        rounds_text(&baseline),
        routed.frames_per_s / baseline.frames_per_s
    );

    let alloc = run_alloc(&args, args.frames)?;
    let alloc_frames = number(&alloc, "alloc_frames")?;
    let allocs = number(&alloc, "allocs_per_frame")?;
    let bytes = number(&alloc, "bytes_alloc_per_frame")?;
    let b_allocs = number(&alloc, "baseline_allocs_per_frame")?;
    let b_bytes = number(&alloc, "baseline_bytes_alloc_per_frame")?;
    let counted = number(&alloc, "frames_per_s_counted")?;
    let per_session = number(&alloc, "bytes_per_session")?;
    let per_handle = number(&alloc, "bytes_per_handle")?;
    let idle = number(&alloc, "idle_count")?;
    println!(
        "allocations ({alloc_frames:.0} frames, counting allocator): routed {allocs:.2} \
         allocs/frame ({:.2} reallocs), {bytes:.1} bytes/frame; baseline {b_allocs:.2} \
         allocs/frame ({:.2} reallocs), {b_bytes:.1} bytes/frame",
        number(&alloc, "reallocs_per_frame")?,
        number(&alloc, "baseline_reallocs_per_frame")?
    );
    println!(
        "routed under the counting allocator: {counted:.0} frames/s ({:+.1} % against the \
         uncounted figure above, which is the one reported)",
        (counted / routed.frames_per_s - 1.0) * 100.0
    );
    println!(
        "memory held: {per_session:.1} bytes per idle session ({idle:.0} sessions, default \
         keepalive armed), {per_handle:.1} bytes per handle ({idle:.0} handles on one session), \
         {:.0} bytes for an empty client",
        number(&alloc, "bytes_client")?
    );

    let mut report = serde_json::json!({
        "bench": "janus-proto-core",
        "quick": args.quick,
        "cores": cores,
        "serde_json_map": serde_json_map_kind(),
        "sessions": SESSIONS,
        "handles_per_session": HANDLES_PER_SESSION,
        "pool_frames": pool,
        "frame_bytes_avg": frame_bytes_avg,
        "frames": args.frames,
        "frames_per_s": routed.frames_per_s,
        "frames_per_s_rounds": routed.rounds,
        "ns_per_frame": routed.ns_per_frame,
        "mb_per_s": routed.mb_per_s,
        "baseline_frames": baseline_frames,
        "baseline_frames_per_s": baseline.frames_per_s,
        "baseline_ns_per_frame": baseline.ns_per_frame,
        "baseline_mb_per_s": baseline.mb_per_s,
    });
    if let Value::Object(map) = &mut report {
        map.extend(alloc);
    }
    println!("{report}");
    Ok(())
}
