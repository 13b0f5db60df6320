//! `janus-bench`: the benchmark orchestrator.
//!
//! * `janus-bench serve`: starts a private Janus and prints its URL until killed.
//! * `janus-bench run [--quick] [--rounds R] [--clients LIST] [--out DIR] [--w1-long N]
//!   [--transport ws|http|unix] [--no-syscalls]`:
//!   starts one private Janus, runs the workloads W1, W2, W3 through every client's runner
//!   (over the transport chosen)
//!   (a child process each, so CPU and RSS are the client's own), alternating the clients
//!   round after round, then counts every client's system calls per W1 iteration (two W1
//!   runs under `strace -f -c`), then the W1 long run and the core micro-benchmark; prints
//!   markdown tables and writes `results.json`, `summary.md` and `w1-latency.svg`.
//!
//! Exits non-zero when one of our runners fails (or prints no report), or the core
//! micro-benchmark does; a peer's failure is a finding shown in the tables.

mod child;
mod machine;
mod plan;
mod record;
mod summary;
mod svg;
mod syscalls;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use janus_bench_common::{Report, RunArgs, Workload};
use janus_tests::{JanusOptions, JanusServer};
use serde_json::{json, Value};

use crate::child::{tail, Program};
use crate::machine::Machine;
use crate::plan::{Client, Layout, Options, Runner, Sizes, Transport, USAGE};
use crate::record::{args_json, CoreRun, Run};
use crate::summary::{Context, Summary, WORKLOADS};
use crate::syscalls::{PerIteration, Strace};

/// Janus's log level during the benchmark: errors only, so logging does not weigh on its CPU.
const DEBUG_LEVEL: u8 = 2;
/// The W1 long run's iterations unless `--w1-long` says otherwise.
const W1_LONG: usize = 10_000;
/// W1 iterations of the warm-up run.
const WARM_UP: usize = 50;
/// Bound on the core micro-benchmark.
const CORE_LIMIT: Duration = Duration::from_secs(900);
/// Lines of a failed child's output kept in the results.
const TAIL_LINES: usize = 20;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("serve") => serve(),
        Some("run") => match Options::parse(args) {
            Ok(options) => match run(&options) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("janus-bench: {e}");
                    ExitCode::FAILURE
                }
            },
            Err(e) => {
                eprintln!("janus-bench: {e}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `janus-bench serve`.
fn serve() -> ExitCode {
    let janus = match JanusServer::start(JanusOptions::new().debug_level(DEBUG_LEVEL)) {
        Ok(janus) => janus,
        Err(e) => {
            eprintln!("janus-bench: cannot start Janus: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("JANUS_WS_URL={} pid={:?}", janus.ws_url(), janus.pid());
    loop {
        std::thread::park();
    }
}

/// `janus-bench run`: `Ok(false)` when one of ours failed.
fn run(options: &Options) -> Result<bool, String> {
    let layout = Layout::find()?;
    let (runners, janode_skipped) =
        layout.runners(options.clients.as_deref(), options.transport)?;
    if let Some(why) = &janode_skipped {
        println!("{why}");
    }
    let sizes = Sizes {
        quick: options.quick,
    };
    let rounds = options.rounds.unwrap_or(if options.quick { 1 } else { 3 });
    let w1_long = match options.w1_long {
        Some(0) => None,
        Some(n) => Some(n),
        None => (!options.quick).then_some(W1_LONG),
    };
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| layout.bench.join("results"));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let machine = Machine::probe(runners.iter().any(|r| r.client == Client::Janode));
    let session_timeout = sizes.session_timeout().unwrap_or(60);
    let janus = JanusServer::start(
        JanusOptions::new()
            .debug_level(DEBUG_LEVEL)
            .session_timeout(session_timeout)
            .name("janus-bench"),
    )
    .map_err(|e| format!("cannot start Janus: {e}"))?;
    let url = match options.transport {
        Transport::Ws => janus.ws_url().to_owned(),
        Transport::Http => janus.http_url().ok_or("Janus has no HTTP URL")?.to_owned(),
        Transport::Unix => {
            let path = janus.unix_path().ok_or("Janus has no Unix socket")?;
            format!("unix:{}", path.display())
        }
    };
    let clients: Vec<Client> = runners.iter().map(|r| r.client).collect();
    let names: Vec<&str> = clients.iter().map(|c| c.name()).collect();
    println!(
        "janus-bench: {} mode, {rounds} round(s), clients {}; Janus {} at {url} (pid {}, \
         session_timeout {session_timeout} s); CPU {} ({} cores)",
        if options.quick { "quick" } else { "full" },
        names.join(", "),
        machine.janus,
        janus.pid().map_or("?".to_owned(), |p| p.to_string()),
        machine.cpu,
        machine.cores
    );

    // Janus's first sessions cost it more (allocations, plugin state): warm it up with a
    // short W1 that counts for nobody.
    if let Some(first) = runners.first() {
        let mut args = sizes.args(&url, Workload::W1);
        args.iterations = WARM_UP;
        args.rss_checkpoint = 0;
        let warm = run_one(&janus, first, args, None, 0);
        println!("warm-up (not counted): {}", describe(&warm));
    }

    let mut runs = Vec::new();
    for round in 1..=rounds {
        let mut order = runners.clone();
        let shift = (round - 1) % order.len().max(1);
        order.rotate_left(shift);
        for workload in WORKLOADS {
            for (i, runner) in order.iter().enumerate() {
                let args = sizes.args(&url, workload);
                let run = run_one(&janus, runner, args, Some(round), i + 1);
                println!("round {round}/{rounds} {}", describe(&run));
                runs.push(run);
            }
        }
    }
    let strace = if options.no_syscalls {
        Err("not counted (--no-syscalls)".to_owned())
    } else {
        Strace::find()
    };
    let mut counted = Vec::new();
    match &strace {
        Ok(strace) => {
            for runner in &runners {
                let c = count_syscalls(&janus, strace, runner, sizes, &url, &out);
                match &c.figures {
                    Ok(f) => println!(
                        "W1 system calls ({} and {} iterations under strace -f -c) {}: {:.1} \
                         per iteration: {}",
                        f.iterations.0,
                        f.iterations.1,
                        runner.client.name(),
                        f.total,
                        f.breakdown()
                    ),
                    Err(e) => println!("W1 system calls {}: FAILED: {e}", runner.client.name()),
                }
                counted.push(c);
            }
        }
        Err(why) => println!("system calls not counted: {why}"),
    }
    let mut long = Vec::new();
    if let Some(n) = w1_long {
        for runner in &runners {
            let run = run_one(&janus, runner, sizes.long(&url, n), None, 1);
            println!("W1 long run ({n} iterations) {}", describe(&run));
            long.push(run);
        }
    }
    drop(janus);

    let core = layout
        .core()
        .map(|program| run_core(&program, options.quick));
    if core.is_none() {
        println!("core micro-benchmark skipped: janus-bench-core is not built");
    }

    let syscall_figures: Vec<_> = counted
        .iter()
        .map(|c| (c.client, c.figures.clone()))
        .collect();
    let summary = Summary::new(&clients, &runs, &long, &syscall_figures, core.as_ref());
    let ctx = Context {
        machine: &machine,
        sizes,
        rounds,
        session_timeout,
        debug_level: DEBUG_LEVEL,
        janode_skipped: janode_skipped.as_deref(),
        w1_long,
        transport: options.transport,
        syscalls_skipped: strace.as_ref().err().map(String::as_str),
    };
    let markdown = summary.markdown(&ctx, core.as_ref());
    println!("\n{markdown}");

    let ours_failed: Vec<String> = runs
        .iter()
        .chain(&long)
        .filter(|r| r.client.is_ours())
        .filter_map(|r| {
            r.failure
                .as_ref()
                .map(|f| format!("{} {}: {f}", r.client.name(), r.args.workload))
        })
        .chain(
            core.as_ref()
                .and_then(|c| c.failure.as_ref())
                .map(|f| format!("core micro-benchmark: {f}")),
        )
        .collect();

    let results = json!({
        "generated_by": "janus-bench run",
        "mode": if options.quick { "quick" } else { "full" },
        "rounds": rounds,
        "clients": names,
        "janode_skipped": janode_skipped,
        "machine": machine.to_json(),
        "janus": {
            "version": machine.janus,
            "debug_level": DEBUG_LEVEL,
            "session_timeout_s": session_timeout,
        },
        "sizes": {
            "w1": args_json(&sizes.args("", Workload::W1)),
            "w2": args_json(&sizes.args("", Workload::W2)),
            "w3": args_json(&sizes.args("", Workload::W3)),
            "w1_long_iterations": w1_long,
        },
        "runs": runs.iter().map(Run::to_json).collect::<Vec<Value>>(),
        "w1_long": long.iter().map(Run::to_json).collect::<Vec<Value>>(),
        "syscalls": {
            "skipped": strace.as_ref().err(),
            "clients": counted.iter().map(Counted::to_json).collect::<Vec<Value>>(),
        },
        "core": core.as_ref().map(CoreRun::to_json),
        "summary": summary.to_json(),
        "ours_failed": ours_failed,
    });
    write(&out.join("results.json"), &pretty(&results)?)?;
    write(&out.join("summary.md"), &markdown)?;
    let series = summary.w1_series(&runs);
    let chart_title = "W1 per-iteration latency: cumulative distribution";
    match svg::latency_cdf(chart_title, &series) {
        Some(chart) => write(&out.join("w1-latency.svg"), &chart)?,
        None => println!("no W1 latencies to draw"),
    }
    println!(
        "results in {}: results.json, summary.md, w1-latency.svg",
        out.display()
    );

    if ours_failed.is_empty() {
        Ok(true)
    } else {
        eprintln!("janus-bench: FAILED:");
        for failure in &ours_failed {
            eprintln!("  {}", failure.lines().next().unwrap_or_default());
        }
        Ok(false)
    }
}

/// One client's two W1 runs under strace, and what they give.
struct Counted {
    client: Client,
    runs: Vec<Run>,
    figures: Result<PerIteration, String>,
}

impl Counted {
    fn to_json(&self) -> Value {
        json!({
            "client": self.client.name(),
            "ok": self.figures.is_ok(),
            "failure": self.figures.as_ref().err(),
            "figures": self.figures.as_ref().ok().map(PerIteration::to_json),
            "runs": self.runs.iter().map(Run::to_json).collect::<Vec<Value>>(),
        })
    }
}

/// Runs `runner` on W1 twice under `strace -f -c` (the short and the long run of
/// [`Sizes::syscall_runs`]), its tables written into `out`; the system calls per iteration
/// are the difference.
fn count_syscalls(
    janus: &JanusServer,
    strace: &Strace,
    runner: &Runner,
    sizes: Sizes,
    url: &str,
    out: &Path,
) -> Counted {
    let (short, long) = sizes.syscall_runs();
    let mut runs = Vec::new();
    let mut tables = Vec::new();
    for iterations in [short, long] {
        let table = out.join(format!(
            "strace-{}-w1-{iterations}.txt",
            runner.client.name()
        ));
        let traced = Runner {
            program: strace.wrap(&runner.program, &table),
            ..runner.clone()
        };
        let run = run_one(janus, &traced, sizes.counted(url, iterations), None, 1);
        let counts = match &run.failure {
            Some(f) => Err(format!("the run of {iterations} iterations failed: {f}")),
            None => std::fs::read_to_string(&table)
                .map_err(|e| format!("cannot read {}: {e}", table.display()))
                .and_then(|text| syscalls::parse(&text)),
        };
        runs.push(run);
        tables.push(counts);
    }
    let figures = match (&tables[0], &tables[1]) {
        (Ok(s), Ok(l)) => PerIteration::between((short, s), (long, l)),
        (Err(e), _) | (_, Err(e)) => Err(e.clone()),
    };
    Counted {
        client: runner.client,
        runs,
        figures,
    }
}

/// Runs one runner once, with Janus's CPU read around it.
fn run_one(
    janus: &JanusServer,
    runner: &Runner,
    mut args: RunArgs,
    round: Option<usize>,
    position: usize,
) -> Run {
    args.variant = runner.variant.map(str::to_owned);
    let before = janus.cpu_time();
    let finished = child::run(&runner.program, &args.to_args(), Sizes::limit(&args));
    let after = janus.cpu_time();
    let janus_cpu_s = match (before, after) {
        (Ok(b), Ok(a)) => Some(a.saturating_sub(b).as_secs_f64()),
        _ => None,
    };
    let (report, other_stdout) = find_report(&finished.stdout);
    let mut output = other_stdout;
    output.push_str(&finished.stderr);
    let expected = runner.client.name();
    let failure = match &report {
        None => Some(format!(
            "no report ({}): {}",
            finished.status,
            tail(&output, 3).replace('\n', " / ")
        )),
        Some(r) if !r.ok => Some(r.error.clone().unwrap_or_else(|| "ok=false".to_owned())),
        Some(r) if r.client != expected || r.workload != args.workload.to_string() => {
            Some(format!(
                "report is for {} {}, not {expected} {}",
                r.client, r.workload, args.workload
            ))
        }
        Some(_) if !finished.success => Some(format!("report ok but {}", finished.status)),
        Some(_) => None,
    };
    Run {
        round,
        position,
        client: runner.client,
        args,
        status: finished.status,
        report,
        janus_cpu_s,
        failure,
        output_tail: tail(&output, TAIL_LINES),
    }
}

/// The last stdout line that is a [`Report`], and the other lines.
fn find_report(stdout: &str) -> (Option<Report>, String) {
    let lines: Vec<&str> = stdout.lines().collect();
    let found = lines.iter().enumerate().rev().find_map(|(i, line)| {
        let line = line.trim();
        line.starts_with('{')
            .then(|| serde_json::from_str::<Report>(line).ok())
            .flatten()
            .map(|report| (i, report))
    });
    match found {
        Some((i, report)) => {
            let mut rest = String::new();
            for (j, line) in lines.iter().enumerate() {
                if j != i {
                    rest.push_str(line);
                    rest.push('\n');
                }
            }
            (Some(report), rest)
        }
        None => (None, stdout.to_owned()),
    }
}

/// One progress line.
fn describe(run: &Run) -> String {
    let head = format!("{} {}", run.args.workload, run.client.name());
    match (&run.failure, run.ok_report()) {
        (None, Some(r)) => {
            let mut sorted = r.latencies_us.clone();
            sorted.sort_unstable();
            format!(
                "{head}: ok, client CPU {:.3} s, wall {:.3} s, p99 {} µs, peak RSS {} KiB, Janus CPU {}",
                r.user_s + r.sys_s,
                r.wall_s,
                summary::percentile(&sorted, 0.99),
                r.peak_rss_kb,
                run.janus_cpu_s
                    .map_or("n/a".to_owned(), |j| format!("{j:.2} s"))
            )
        }
        (failure, _) => format!(
            "{head}: FAILED ({}): {}",
            run.status,
            failure.as_deref().unwrap_or("no report")
        ),
    }
}

/// Runs the core micro-benchmark, echoing its human lines.
fn run_core(program: &Program, quick: bool) -> CoreRun {
    println!("\ncore micro-benchmark: {}", program.display());
    let args: Vec<String> = if quick {
        vec!["--quick".to_owned()]
    } else {
        Vec::new()
    };
    let finished = child::run(program, &args, CORE_LIMIT);
    let mut lines = Vec::new();
    let mut figures = None;
    for line in finished.stdout.lines() {
        match serde_json::from_str::<Value>(line.trim()) {
            Ok(value @ Value::Object(_)) => figures = Some(value),
            _ => {
                println!("  {line}");
                lines.push(line.to_owned());
            }
        }
    }
    let failure = if !finished.success {
        Some(format!(
            "{}: {}",
            finished.status,
            tail(&finished.stderr, 3).replace('\n', " / ")
        ))
    } else if figures.is_none() {
        Some("no JSON line".to_owned())
    } else {
        None
    };
    if let Some(f) = &failure {
        println!("  FAILED: {f}");
    }
    CoreRun {
        status: finished.status,
        lines,
        figures,
        failure,
    }
}

/// The results as indented JSON.
fn pretty(value: &Value) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| format!("cannot encode the results: {e}"))
}

/// Writes a results file.
fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_found_among_other_lines() {
        let report = Report {
            client: "janode".to_owned(),
            workload: "w1".to_owned(),
            ok: true,
            ..Report::default()
        };
        let line = serde_json::to_string(&report).expect("encodes");
        let stdout = format!("hello\n{{not json\n{line}\nbye\n");
        let (found, rest) = find_report(&stdout);
        assert_eq!(found, Some(report));
        assert_eq!(rest, "hello\n{not json\nbye\n");
        assert_eq!(find_report("nothing").0, None);
    }

    #[test]
    fn run_options() {
        let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let o = Options::parse(args(
            "--quick --rounds 2 --clients ours-ws,ours-ws-tokio,jarust --w1-long=5",
        ))
        .expect("parses");
        assert!(o.quick);
        assert_eq!(o.rounds, Some(2));
        assert_eq!(
            o.clients,
            Some(vec![Client::OursWs, Client::OursWsTokio, Client::Jarust])
        );
        assert_eq!(o.w1_long, Some(5));
        assert!(Options::parse(args("--clients nope")).is_err());
        assert!(Options::parse(args("--rounds")).is_err());
        assert!(Options::parse(args("--bogus 1")).is_err());
    }

    #[test]
    fn every_client_is_named_by_its_report_name() {
        let names: Vec<&str> = Client::ALL.iter().map(|c| c.name()).collect();
        let o = Options::parse(["--clients".to_owned(), names.join(",")]).expect("parses");
        assert_eq!(o.clients, Some(Client::ALL.to_vec()));
        let ours: Vec<Client> = Client::ALL.into_iter().filter(|c| c.is_ours()).collect();
        assert_eq!(
            ours,
            [Client::OursBlocking, Client::OursWs, Client::OursWsTokio]
        );
    }

    #[test]
    fn keepalives_are_proven_by_expiry_in_full_mode_only() {
        assert_eq!(Sizes { quick: false }.session_timeout(), Some(6));
        assert_eq!(Sizes { quick: true }.session_timeout(), None);
    }
}
