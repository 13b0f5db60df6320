//! `janus-bench-ours --variant blocking|ws|ws-tokio`: the workloads through this workspace's
//! clients, `janus-blocking` (client `ours-blocking`) or `janus-transport-ws` on a
//! single-threaded smol executor (client `ours-ws`) or on a current-thread tokio runtime
//! (client `ours-ws-tokio`). Prints one JSON [`janus_bench_common::Report`] line.

mod blocking;
mod check;
mod ws;
mod ws_tokio;

use std::process::ExitCode;

use janus_bench_common::{run_main, RunArgs};

fn main() -> ExitCode {
    // The client name depends on the variant; `run_main` parses (and reports bad) arguments.
    let variant = RunArgs::from_env().ok().and_then(|args| args.variant);
    match variant.as_deref() {
        None | Some("blocking") => run_main("ours-blocking", blocking::run),
        Some("ws") => run_main("ours-ws", ws::run),
        Some("ws-tokio") => run_main("ours-ws-tokio", ws_tokio::run),
        Some(other) => {
            let other = other.to_owned();
            run_main("ours", move |_, _| {
                Err(format!(
                    "unknown --variant {other:?} (blocking, ws or ws-tokio)"
                ))
            })
        }
    }
}
