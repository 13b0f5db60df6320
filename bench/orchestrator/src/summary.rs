//! Aggregation of the runs (medians, pooled percentiles, peaks, ratios, targets) and the
//! summary's markdown tables.

use std::fmt::Write;

use janus_bench_common::{Report, Workload};
use serde_json::{json, Value};

use crate::machine::Machine;
use crate::plan::{Client, Sizes};
use crate::record::{CoreRun, Run};
use crate::svg::Series;
use crate::syscalls::PerIteration;

/// The workloads, in order.
pub const WORKLOADS: [Workload; 3] = [Workload::W1, Workload::W2, Workload::W3];

/// The aggregate of one client on one workload over the rounds.
#[derive(Debug, Clone)]
pub struct Figures {
    /// Rounds aggregated.
    pub rounds: usize,
    /// Client CPU (user+sys), median over rounds, seconds.
    pub cpu_s: f64,
    /// User CPU alone, median over rounds, seconds.
    pub user_s: f64,
    /// Iterations (W1) or rounds (W2) per run (1 for W3).
    pub iterations: usize,
    /// Wall time, median over rounds, seconds.
    pub wall_s: f64,
    /// Janus's CPU during the run, median over rounds, seconds.
    pub janus_cpu_s: Option<f64>,
    /// Latency percentiles over every iteration of every round, microseconds.
    pub p50_us: u64,
    /// See `p50_us`.
    pub p99_us: u64,
    /// Latency samples pooled.
    pub samples: usize,
    /// Peak RSS, max over rounds, KiB.
    pub peak_rss_kb: u64,
    /// Replies and events checked in one run (the first).
    pub replies: u64,
    /// See `replies`.
    pub events: u64,
}

impl Figures {
    /// Aggregates one client's runs of one workload; the first failure fails it all.
    fn of(runs: &[&Run]) -> Result<Self, String> {
        let mut reports: Vec<(&Run, &Report)> = Vec::new();
        for run in runs {
            match (run.ok_report(), &run.failure) {
                (Some(report), _) => reports.push((run, report)),
                (None, failure) => {
                    let why = failure.as_deref().unwrap_or("no report");
                    return Err(match run.round {
                        Some(round) => format!("round {round}: {why}"),
                        None => why.to_owned(),
                    });
                }
            }
        }
        let Some(&(_, first)) = reports.first() else {
            return Err("not run".to_owned());
        };
        let mut latencies: Vec<u64> = reports
            .iter()
            .flat_map(|(_, r)| r.latencies_us.iter().copied())
            .collect();
        latencies.sort_unstable();
        let janus: Vec<f64> = reports
            .iter()
            .filter_map(|(run, _)| run.janus_cpu_s)
            .collect();
        Ok(Figures {
            rounds: reports.len(),
            cpu_s: median(reports.iter().map(|(_, r)| r.user_s + r.sys_s).collect()),
            user_s: median(reports.iter().map(|(_, r)| r.user_s).collect()),
            iterations: first.iterations.max(1),
            wall_s: median(reports.iter().map(|(_, r)| r.wall_s).collect()),
            janus_cpu_s: (janus.len() == reports.len()).then(|| median(janus)),
            p50_us: percentile(&latencies, 0.50),
            p99_us: percentile(&latencies, 0.99),
            samples: latencies.len(),
            peak_rss_kb: reports
                .iter()
                .map(|(_, r)| r.peak_rss_kb)
                .max()
                .unwrap_or(0),
            replies: first.replies,
            events: first.events,
        })
    }

    /// User CPU per iteration (W1) or round (W2), microseconds.
    pub fn user_us_per_iteration(&self) -> f64 {
        self.user_s * 1e6 / self.iterations as f64
    }

    /// As JSON.
    fn to_json(&self) -> Value {
        json!({
            "rounds": self.rounds,
            "cpu_s_median": self.cpu_s,
            "user_s_median": self.user_s,
            "user_us_per_iteration": self.user_us_per_iteration(),
            "wall_s_median": self.wall_s,
            "janus_cpu_s_median": self.janus_cpu_s,
            "p50_us": self.p50_us,
            "p99_us": self.p99_us,
            "latency_samples": self.samples,
            "peak_rss_kb_max": self.peak_rss_kb,
            "replies_per_run": self.replies,
            "events_per_run": self.events,
        })
    }
}

/// A W1 long run's memory figures.
#[derive(Debug, Clone)]
pub struct Long {
    /// Iterations run.
    pub iterations: usize,
    /// RSS after 300 iterations, KiB.
    pub rss_checkpoint_kb: u64,
    /// RSS at the end, KiB.
    pub rss_end_kb: u64,
    /// Growth from the first to the second, %.
    pub growth_pct: f64,
    /// Client CPU, seconds.
    pub cpu_s: f64,
    /// User CPU alone, seconds.
    pub user_s: f64,
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Latency p99, microseconds.
    pub p99_us: u64,
}

impl Long {
    /// The figures of one long run.
    fn of(run: &Run) -> Result<Self, String> {
        let report = run.ok_report().ok_or_else(|| {
            run.failure
                .clone()
                .unwrap_or_else(|| "no report".to_owned())
        })?;
        let checkpoint = run.args.rss_checkpoint;
        let at = |i: usize| report.rss_checkpoints_kb.iter().find(|(n, _)| *n == i);
        let first = at(checkpoint).ok_or(format!("no RSS reading after {checkpoint}"))?;
        let last = report
            .rss_checkpoints_kb
            .iter()
            .rev()
            .find(|(n, _)| *n == run.args.iterations)
            .ok_or("no RSS reading at the end")?;
        let mut latencies = report.latencies_us.clone();
        latencies.sort_unstable();
        Ok(Long {
            iterations: run.args.iterations,
            rss_checkpoint_kb: first.1,
            rss_end_kb: last.1,
            growth_pct: (last.1 as f64 - first.1 as f64) / (first.1.max(1) as f64) * 100.0,
            cpu_s: report.user_s + report.sys_s,
            user_s: report.user_s,
            wall_s: report.wall_s,
            p99_us: percentile(&latencies, 0.99),
        })
    }
}

/// Everything the summary shows.
#[derive(Debug)]
pub struct Summary {
    clients: Vec<Client>,
    cells: Vec<(Client, Workload, Result<Figures, String>)>,
    long: Vec<(Client, Result<Long, String>)>,
    syscalls: Vec<(Client, Result<PerIteration, String>)>,
    frames_per_s: Option<f64>,
}

/// The context of a summary: what ran where.
#[derive(Debug)]
pub struct Context<'a> {
    /// The machine.
    pub machine: &'a Machine,
    /// Sizes used.
    pub sizes: Sizes,
    /// Rounds run.
    pub rounds: usize,
    /// Janus's `session_timeout` in force.
    pub session_timeout: u32,
    /// Janus's `debug_level`.
    pub debug_level: u8,
    /// Why janode did not run, if it did not.
    pub janode_skipped: Option<&'a str>,
    /// The W1 long run's iterations, if it ran.
    pub w1_long: Option<usize>,
    /// The transport every client spoke.
    pub transport: crate::plan::Transport,
    /// Why system calls were not counted, if they were not.
    pub syscalls_skipped: Option<&'a str>,
}

impl Summary {
    /// Aggregates the runs.
    pub fn new(
        clients: &[Client],
        runs: &[Run],
        long: &[Run],
        syscalls: &[(Client, Result<PerIteration, String>)],
        core: Option<&CoreRun>,
    ) -> Self {
        let mut cells = Vec::new();
        for workload in WORKLOADS {
            for &client in clients {
                let mine: Vec<&Run> = runs
                    .iter()
                    .filter(|r| r.client == client && r.args.workload == workload)
                    .collect();
                cells.push((client, workload, Figures::of(&mine)));
            }
        }
        let long = long.iter().map(|run| (run.client, Long::of(run))).collect();
        let frames_per_s = core
            .and_then(|c| c.figures.as_ref())
            .and_then(|f| f.get("frames_per_s"))
            .and_then(Value::as_f64);
        Summary {
            clients: clients.to_vec(),
            cells,
            long,
            syscalls: syscalls.to_vec(),
            frames_per_s,
        }
    }

    /// A client's system calls per W1 iteration, if they were counted.
    fn syscalls(&self, client: Client) -> Option<&PerIteration> {
        self.syscalls
            .iter()
            .find(|(c, _)| *c == client)
            .and_then(|(_, s)| s.as_ref().ok())
    }

    /// The W1 table's system call cell of a client.
    fn syscall_cell(&self, client: Client) -> String {
        match self.syscalls.iter().find(|(c, _)| *c == client) {
            Some((_, Ok(s))) => format!("{:.1}", s.total),
            Some((_, Err(_))) => "FAILED".to_owned(),
            None => "n/a".to_owned(),
        }
    }

    /// A client's figures on a workload, if it succeeded.
    fn figures(&self, client: Client, workload: Workload) -> Option<&Figures> {
        self.cells
            .iter()
            .find(|(c, w, _)| *c == client && *w == workload)
            .and_then(|(_, _, f)| f.as_ref().ok())
    }

    /// `metric` of `ours` over `metric` of `peer` on `workload`, when both succeeded.
    fn ratio(
        &self,
        ours: Client,
        peer: Client,
        workload: Workload,
        metric: fn(&Figures) -> f64,
    ) -> Option<f64> {
        let a = metric(self.figures(ours, workload)?);
        let b = metric(self.figures(peer, workload)?);
        (b > 0.0).then(|| a / b)
    }

    /// Our clients that ran.
    fn ours(&self) -> impl Iterator<Item = Client> + '_ {
        self.clients.iter().copied().filter(|c| c.is_ours())
    }

    /// The peers that ran.
    fn peers(&self) -> impl Iterator<Item = Client> + '_ {
        self.clients.iter().copied().filter(|c| !c.is_ours())
    }

    /// The targets of the issue: (what, client, measured, met).
    fn targets(&self) -> Vec<(String, String, String, Option<bool>)> {
        let mut rows = Vec::new();
        let ratio_row =
            |rows: &mut Vec<_>, what: &str, ours, w, metric: fn(&Figures) -> f64, max| {
                let r = self.ratio(ours, Client::Jarust, w, metric);
                rows.push((
                    what.to_owned(),
                    Client::name(ours).to_owned(),
                    r.map_or("n/a".to_owned(), |r| format!("{r:.2}x")),
                    r.map(|r| r <= max),
                ));
            };
        for ours in self.ours() {
            let limit = if ours == Client::OursBlocking {
                11.0
            } else {
                16.0
            };
            let counted = self.syscalls(ours);
            rows.push((
                format!("W1 system calls per iteration <= {limit:.0}"),
                ours.name().to_owned(),
                counted.map_or("n/a".to_owned(), |s| format!("{:.1}", s.total)),
                counted.map(|s| s.total <= limit),
            ));
            for (w, what) in [(Workload::W1, "W1"), (Workload::W2, "W2")] {
                ratio_row(
                    &mut rows,
                    &format!("{what} client CPU <= 0.5x jarust"),
                    ours,
                    w,
                    cpu,
                    0.5,
                );
                ratio_row(
                    &mut rows,
                    &format!("{what} user CPU <= 0.35x jarust"),
                    ours,
                    w,
                    user,
                    0.35,
                );
            }
            ratio_row(
                &mut rows,
                "W1 p99 <= jarust's",
                ours,
                Workload::W1,
                p99,
                1.0,
            );
            ratio_row(
                &mut rows,
                "W3 peak RSS <= 0.5x jarust",
                ours,
                Workload::W3,
                rss,
                0.5,
            );
            if let Some((_, long)) = self.long.iter().find(|(c, _)| *c == ours) {
                let (measured, met) = match long {
                    Ok(l) => (
                        format!("{:+.1} %", l.growth_pct),
                        Some(l.growth_pct.abs() <= 10.0),
                    ),
                    Err(_) => ("FAILED".to_owned(), Some(false)),
                };
                rows.push((
                    "W1 RSS after the long run within 10 % of RSS after 300".to_owned(),
                    ours.name().to_owned(),
                    measured,
                    met,
                ));
            }
        }
        rows.push((
            "janus-proto >= 1,000,000 pretty-printed event frames/s on one core".to_owned(),
            "janus-proto".to_owned(),
            self.frames_per_s
                .map_or("n/a".to_owned(), |f| format!("{f:.0} frames/s")),
            self.frames_per_s.map(|f| f >= 1_000_000.0),
        ));
        rows
    }

    /// The aggregates as JSON.
    pub fn to_json(&self) -> Value {
        let cells: Vec<Value> = self
            .cells
            .iter()
            .map(|(client, workload, f)| {
                json!({
                    "client": client.name(),
                    "workload": workload.to_string(),
                    "ok": f.is_ok(),
                    "failure": f.as_ref().err(),
                    "figures": f.as_ref().ok().map(Figures::to_json),
                })
            })
            .collect();
        let mut ratios = Vec::new();
        for ours in self.ours() {
            for peer in self.peers() {
                for workload in WORKLOADS {
                    ratios.push(json!({
                        "ours": ours.name(),
                        "peer": peer.name(),
                        "workload": workload.to_string(),
                        "cpu": self.ratio(ours, peer, workload, cpu),
                        "user_cpu": self.ratio(ours, peer, workload, user),
                        "wall": self.ratio(ours, peer, workload, wall),
                        "p99": self.ratio(ours, peer, workload, p99),
                        "peak_rss": self.ratio(ours, peer, workload, rss),
                    }));
                }
            }
        }
        let long: Vec<Value> = self
            .long
            .iter()
            .map(|(client, l)| match l {
                Ok(l) => json!({
                    "client": client.name(),
                    "ok": true,
                    "iterations": l.iterations,
                    "rss_after_300_kb": l.rss_checkpoint_kb,
                    "rss_at_end_kb": l.rss_end_kb,
                    "growth_pct": l.growth_pct,
                    "cpu_s": l.cpu_s,
                    "user_s": l.user_s,
                    "wall_s": l.wall_s,
                    "p99_us": l.p99_us,
                }),
                Err(e) => json!({"client": client.name(), "ok": false, "failure": e}),
            })
            .collect();
        let targets: Vec<Value> = self
            .targets()
            .into_iter()
            .map(|(what, who, measured, met)| {
                json!({"target": what, "client": who, "measured": measured, "met": met})
            })
            .collect();
        let syscalls: Vec<Value> = self
            .syscalls
            .iter()
            .map(|(client, s)| match s {
                Ok(s) => json!({"client": client.name(), "ok": true, "figures": s.to_json()}),
                Err(e) => json!({"client": client.name(), "ok": false, "failure": e}),
            })
            .collect();
        json!({
            "cells": cells,
            "ratios": ratios,
            "w1_long": long,
            "syscalls_per_w1_iteration": syscalls,
            "targets": targets,
        })
    }

    /// The W1 latency series of the chart, one per client that has W1 figures.
    pub fn w1_series(&self, runs: &[Run]) -> Vec<Series> {
        self.clients
            .iter()
            .filter_map(|&client| {
                let f = self.figures(client, Workload::W1)?;
                let mut sorted: Vec<u64> = runs
                    .iter()
                    .filter(|r| r.client == client && r.args.workload == Workload::W1)
                    .filter_map(Run::ok_report)
                    .flat_map(|r| r.latencies_us.iter().copied())
                    .collect();
                sorted.sort_unstable();
                (!sorted.is_empty()).then(|| Series {
                    label: format!(
                        "{} (p50 {} µs, p99 {} µs, n={})",
                        client.name(),
                        f.p50_us,
                        f.p99_us,
                        f.samples
                    ),
                    color: color(client),
                    sorted_us: sorted,
                })
            })
            .collect()
    }

    /// The summary as markdown.
    pub fn markdown(&self, ctx: &Context<'_>, core: Option<&CoreRun>) -> String {
        let mut md = String::new();
        let m = ctx.machine;
        let _ = writeln!(md, "# janus-bench results\n");
        let _ = writeln!(
            md,
            "- Machine: {} ({} cores), Linux {}, {}",
            m.cpu, m.cores, m.kernel, m.os
        );
        let _ = writeln!(
            md,
            "- Janus {}: one private instance for every run, debug_level {}, session_timeout {} s",
            m.janus, ctx.debug_level, ctx.session_timeout
        );
        let _ = writeln!(
            md,
            "- Mode: {}, {} round(s); in each round every workload runs every client once, the \
             client order rotating by one each round",
            if ctx.sizes.quick { "quick" } else { "full" },
            ctx.rounds
        );
        let clients: Vec<&str> = self.clients.iter().map(|c| c.name()).collect();
        let _ = writeln!(
            md,
            "- Clients: {}, all over Janus's {} transport",
            clients.join(", "),
            match ctx.transport {
                crate::plan::Transport::Ws => "WebSocket",
                crate::plan::Transport::Http => "HTTP (REST with long-polls)",
                crate::plan::Transport::Unix => "Unix sockets (SOCK_SEQPACKET)",
            }
        );
        if let Some(node) = &m.node {
            let _ = writeln!(md, "- node {node}");
        }
        if let Some(why) = ctx.janode_skipped {
            let _ = writeln!(md, "- {why}");
        }
        let _ = writeln!(
            md,
            "\nClient CPU is the runner's user+sys during the workload only (after connecting), \
             median over rounds; wall likewise. p50/p99 pool every iteration (W1), round (W2) \
             or the create-all time (W3) of every round. Peak RSS is the runner process's, max \
             over rounds. Janus CPU is the Janus process's user+sys during the whole run \
             (median; /proc clock ticks, 10 ms). User CPU is the user part of client CPU \
             (median), also per iteration (W1) or round (W2). System calls per W1 iteration: \
             every client's runner ran W1 twice under `strace -f -c` (all its threads), the \
             difference of the two counts over the difference of the iterations."
        );
        if let Some(why) = ctx.syscalls_skipped {
            let _ = writeln!(md, "\nSystem calls were not counted: {why}.");
        }

        for workload in WORKLOADS {
            let args = ctx.sizes.args("", workload);
            let title = match workload {
                Workload::W1 => format!(
                    "W1: {} sequential iterations of create, attach echotest, message + event, \
                     detach, destroy",
                    args.iterations
                ),
                Workload::W2 => format!(
                    "W2: {} round(s) of {} sessions x {} handles, every step all in flight",
                    args.iterations, args.sessions, args.handles
                ),
                Workload::W3 => format!(
                    "W3: {} sessions held {} s with a keepalive every {} s, then destroyed",
                    args.sessions,
                    args.hold.as_secs(),
                    args.keepalive.as_secs()
                ),
            };
            let _ = writeln!(md, "\n## {title}\n");
            // W1 and W2 show user CPU per iteration (round), W1 its system calls too.
            let per = match workload {
                Workload::W1 => Some("user µs/iter"),
                Workload::W2 => Some("user µs/round"),
                Workload::W3 => None,
            };
            let mut headers = vec!["client", "status", "client CPU s", "user CPU s"];
            headers.extend(per);
            if workload == Workload::W1 {
                headers.push("syscalls/iter");
            }
            headers.extend([
                "wall s",
                "p50 µs",
                "p99 µs",
                "peak RSS KiB",
                "Janus CPU s",
                "replies/events checked per run",
            ]);
            let rows: Vec<Vec<String>> = self
                .cells
                .iter()
                .filter(|(_, w, _)| *w == workload)
                .map(|(client, _, f)| match f {
                    Ok(f) => {
                        let mut row = vec![
                            client.name().to_owned(),
                            "ok".to_owned(),
                            format!("{:.3}", f.cpu_s),
                            format!("{:.3}", f.user_s),
                        ];
                        if per.is_some() {
                            row.push(format!("{:.1}", f.user_us_per_iteration()));
                        }
                        if workload == Workload::W1 {
                            row.push(self.syscall_cell(*client));
                        }
                        row.extend([
                            format!("{:.3}", f.wall_s),
                            f.p50_us.to_string(),
                            f.p99_us.to_string(),
                            f.peak_rss_kb.to_string(),
                            f.janus_cpu_s
                                .map_or("n/a".to_owned(), |j| format!("{j:.2}")),
                            format!("{}/{}", f.replies, f.events),
                        ]);
                        row
                    }
                    Err(e) => {
                        let mut row =
                            vec![client.name().to_owned(), format!("FAILED: {}", one_line(e))];
                        row.extend(std::iter::repeat_n("-".to_owned(), headers.len() - 2));
                        row
                    }
                })
                .collect();
            md.push_str(&table(&headers, &rows));
        }

        if self.peers().next().is_some() && self.ours().next().is_some() {
            let _ = writeln!(md, "\n## Ratios ours / peer (below 1: ours uses less)\n");
            let mut rows = Vec::new();
            for workload in WORKLOADS {
                for ours in self.ours() {
                    for peer in self.peers() {
                        let fmt =
                            |r: Option<f64>| r.map_or("n/a".to_owned(), |r| format!("{r:.2}"));
                        rows.push(vec![
                            workload.to_string().to_uppercase(),
                            format!("{} / {}", ours.name(), peer.name()),
                            fmt(self.ratio(ours, peer, workload, cpu)),
                            fmt(self.ratio(ours, peer, workload, user)),
                            fmt(self.ratio(ours, peer, workload, wall)),
                            fmt(self.ratio(ours, peer, workload, p99)),
                            fmt(self.ratio(ours, peer, workload, rss)),
                        ]);
                    }
                }
            }
            md.push_str(&table(
                &[
                    "workload",
                    "ratio",
                    "client CPU",
                    "user CPU",
                    "wall",
                    "p99",
                    "peak RSS",
                ],
                &rows,
            ));
        }

        if let Some(n) = ctx.w1_long {
            let _ = writeln!(
                md,
                "\n## W1 long run: {n} iterations, once per client (RSS after 300 and at the end)\n"
            );
            let rows: Vec<Vec<String>> = self
                .long
                .iter()
                .map(|(client, l)| match l {
                    Ok(l) => vec![
                        client.name().to_owned(),
                        "ok".to_owned(),
                        l.rss_checkpoint_kb.to_string(),
                        l.rss_end_kb.to_string(),
                        format!("{:+.1}", l.growth_pct),
                        format!("{:.3}", l.cpu_s),
                        format!("{:.1}", l.user_s * 1e6 / l.iterations.max(1) as f64),
                        format!("{:.3}", l.wall_s),
                        l.p99_us.to_string(),
                    ],
                    Err(e) => {
                        let mut row =
                            vec![client.name().to_owned(), format!("FAILED: {}", one_line(e))];
                        row.extend(std::iter::repeat_n("-".to_owned(), 7));
                        row
                    }
                })
                .collect();
            md.push_str(&table(
                &[
                    "client",
                    "status",
                    "RSS after 300 KiB",
                    "RSS at end KiB",
                    "growth %",
                    "client CPU s",
                    "user µs/iter",
                    "wall s",
                    "p99 µs",
                ],
                &rows,
            ));
        }

        if !self.syscalls.is_empty() {
            let (short, long) = self
                .syscalls
                .iter()
                .find_map(|(_, s)| s.as_ref().ok().map(|s| s.iterations))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "\n## System calls per W1 iteration (strace -f -c: a run of {long} iterations \
                 minus one of {short}, over {})\n",
                long.saturating_sub(short)
            );
            let rows: Vec<Vec<String>> = self
                .syscalls
                .iter()
                .map(|(client, s)| match s {
                    Ok(s) => vec![
                        client.name().to_owned(),
                        format!("{:.1}", s.total),
                        format!("{:.1}", s.errors),
                        s.breakdown(),
                    ],
                    Err(e) => vec![
                        client.name().to_owned(),
                        format!("FAILED: {}", one_line(e)),
                        "-".to_owned(),
                        "-".to_owned(),
                    ],
                })
                .collect();
            md.push_str(&table(&["client", "calls", "failed", "by call"], &rows));
        }

        let _ = writeln!(md, "\n## Targets (measured, not asserted)\n");
        let rows: Vec<Vec<String>> = self
            .targets()
            .into_iter()
            .map(|(what, who, measured, met)| {
                let met = match met {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "n/a",
                };
                vec![what, who, measured, met.to_owned()]
            })
            .collect();
        md.push_str(&table(&["target", "client", "measured", "met"], &rows));

        if let Some(core) = core {
            let _ = writeln!(md, "\n## Core micro-benchmark (janus-bench-core)\n");
            match (&core.failure, &core.figures) {
                (None, Some(figures)) => {
                    let mut rows = Vec::new();
                    flatten("", figures, &mut rows);
                    md.push_str(&table(&["figure", "value"], &rows));
                }
                (failure, _) => {
                    let _ = writeln!(md, "FAILED: {}", failure.as_deref().unwrap_or("no figures"));
                }
            }
        }

        let _ = writeln!(md, "\n## Keepalives (W3)\n");
        let w3 = ctx.sizes.args("", Workload::W3);
        if ctx.session_timeout as u128 * 1000 < w3.hold.as_millis() {
            let _ = writeln!(
                md,
                "Janus ran with session_timeout {} s, well inside the {} s hold: a session that \
                 got no keepalive expires during the hold (Janus then sends `timeout` and answers \
                 458 to the destroy; checked with Janus 1.1.2 and our runner with keepalives \
                 turned off), so every W3 run that passed proves its client's keepalives went \
                 out.",
                ctx.session_timeout,
                w3.hold.as_secs()
            );
        } else {
            let _ = writeln!(
                md,
                "The hold ({} s) is shorter than Janus's session_timeout ({} s) in this mode, so \
                 W3 does not prove by expiry that keepalives went out; the full run does.",
                w3.hold.as_secs(),
                ctx.session_timeout
            );
        }
        md
    }
}

/// Client CPU, for ratios.
fn cpu(f: &Figures) -> f64 {
    f.cpu_s
}

/// User CPU, for ratios.
fn user(f: &Figures) -> f64 {
    f.user_s
}

/// Wall time, for ratios.
fn wall(f: &Figures) -> f64 {
    f.wall_s
}

/// p99 latency, for ratios.
fn p99(f: &Figures) -> f64 {
    f.p99_us as f64
}

/// Peak RSS, for ratios.
fn rss(f: &Figures) -> f64 {
    f.peak_rss_kb as f64
}

/// The chart colour of a client.
fn color(client: Client) -> &'static str {
    match client {
        Client::OursBlocking => "#1f77b4",
        Client::OursWs => "#2ca02c",
        Client::OursWsTokio => "#9467bd",
        Client::Jarust => "#d62728",
        Client::Janode => "#ff7f0e",
    }
}

/// Median of the values (mean of the middle two for an even count); 0 for none.
pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Nearest-rank percentile of sorted values; 0 for none.
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A markdown table.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    let rule: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, _)| {
            if i == 0 {
                "---".to_owned()
            } else {
                "---:".to_owned()
            }
        })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// An error on one line, shortened for a table cell.
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

/// Key/value rows for every scalar of a JSON object (nested keys dotted, arrays joined).
fn flatten(prefix: &str, value: &Value, rows: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, v, rows);
            }
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(scalar).collect();
            rows.push(vec![prefix.to_owned(), items.join(", ")]);
        }
        other => rows.push(vec![prefix.to_owned(), scalar(other)]),
    }
}

/// A JSON scalar as table text (floats rounded).
fn scalar(value: &Value) -> String {
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u.to_string(),
            (_, Some(i), _) => i.to_string(),
            (_, _, Some(f)) if f.abs() >= 100.0 => format!("{f:.0}"),
            (_, _, Some(f)) => format!("{f:.2}"),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(Vec::new()), 0.0);
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn flattening_and_tables() {
        let mut rows = Vec::new();
        flatten(
            "",
            &json!({"a": 1, "b": {"c": 2.5}, "d": [1, 2]}),
            &mut rows,
        );
        assert_eq!(
            rows,
            vec![
                vec!["a".to_owned(), "1".to_owned()],
                vec!["b.c".to_owned(), "2.50".to_owned()],
                vec!["d".to_owned(), "1, 2".to_owned()],
            ]
        );
        let t = table(&["x", "y"], &[vec!["a|b".to_owned(), "1".to_owned()]]);
        assert_eq!(t, "| x | y |\n| --- | ---: |\n| a\\|b | 1 |\n");
    }
}
