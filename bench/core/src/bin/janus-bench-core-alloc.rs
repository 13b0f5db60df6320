//! The counting half of the janus-proto core micro-benchmark: allocations and bytes allocated
//! per frame (routed and baseline), and the heap held per idle session and per handle.
//!
//! It runs under `stats_alloc`'s counting allocator, which adds atomic increments to every
//! allocation; `janus-bench-core` runs it after its own, uncounted, throughput measurement and
//! merges the one JSON line it prints on stdout. Usage: `[--frames N] [--quick]`.

use std::alloc::System;
use std::collections::BTreeSet;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use janus_bench_core::frames::{Plugin, Rng};
use janus_bench_core::{attach_handle, create_session, measure, Args, Setup, IDLE_COUNT};
use janus_proto::{Client, Config};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Most frames counted: the counts per frame are the same every cycle of the pool.
const MAX_COUNTED_FRAMES: u64 = 400_000;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("janus-bench-core-alloc: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Bytes allocated and not yet freed.
fn live_bytes() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// `count` distinct Janus-like ids.
fn distinct_ids(rng: &mut Rng, count: usize) -> Vec<u64> {
    let mut seen = BTreeSet::new();
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        let id = rng.janus_id();
        if seen.insert(id) {
            ids.push(id);
        }
    }
    ids
}

fn run() -> Result<String, String> {
    let args = Args::parse(std::env::args().skip(1))?;
    let frames = args.frames.min(MAX_COUNTED_FRAMES);
    let mut setup = Setup::new()?;
    let pool = setup.pool.len() as u64;
    // Warm up: the first clone of each pooled frame allocates its shared header once, and the
    // client's queues reach their working size.
    setup.route(pool * 2)?;
    setup.baseline(pool)?;

    let region = Region::new(GLOBAL);
    setup.route(frames)?;
    let routed = region.change();
    let region = Region::new(GLOBAL);
    setup.baseline(frames)?;
    let baseline = region.change();
    let counted = measure(frames, 3, |n| setup.route(n))?;

    let per = |n: usize| n as f64 / frames as f64;
    let mut rng = Rng::new(0x1d1e_5e55_1015);
    let now = Instant::now();

    // Memory per idle session: sessions created through `create` replies, keepalive timers
    // armed (default interval), nothing else.
    let ids = distinct_ids(&mut rng, IDLE_COUNT);
    let before_client = live_bytes();
    let mut client = Client::new(Config::new(), now);
    let before = live_bytes();
    for id in &ids {
        create_session(&mut client, now, *id)?;
    }
    let after = live_bytes();
    if client.sessions().count() != IDLE_COUNT {
        return Err(format!(
            "{} sessions live, expected {IDLE_COUNT}",
            client.sessions().count()
        ));
    }
    let bytes_client = before - before_client;
    let bytes_per_session = (after - before) as f64 / IDLE_COUNT as f64;
    drop(black_box(client));

    // Memory per handle: handles attached through `attach` replies, all on one session.
    let ids = distinct_ids(&mut rng, IDLE_COUNT + 1);
    let mut client = Client::new(Config::new(), now);
    let session = create_session(&mut client, now, ids[0])?;
    let before = live_bytes();
    for id in &ids[1..] {
        attach_handle(&mut client, now, session, Plugin::EchoTest, *id)?;
    }
    let after = live_bytes();
    if client.handles(session).count() != IDLE_COUNT {
        return Err(format!(
            "{} handles live, expected {IDLE_COUNT}",
            client.handles(session).count()
        ));
    }
    let bytes_per_handle = (after - before) as f64 / IDLE_COUNT as f64;
    drop(black_box(client));

    let out = serde_json::json!({
        "alloc_frames": frames,
        "allocs_per_frame": per(routed.allocations + routed.reallocations),
        "reallocs_per_frame": per(routed.reallocations),
        "bytes_alloc_per_frame": per(routed.bytes_allocated),
        "baseline_allocs_per_frame": per(baseline.allocations + baseline.reallocations),
        "baseline_reallocs_per_frame": per(baseline.reallocations),
        "baseline_bytes_alloc_per_frame": per(baseline.bytes_allocated),
        "frames_per_s_counted": counted.frames_per_s,
        "idle_count": IDLE_COUNT,
        "bytes_client": bytes_client,
        "bytes_per_session": bytes_per_session,
        "bytes_per_handle": bytes_per_handle,
    });
    Ok(out.to_string())
}
