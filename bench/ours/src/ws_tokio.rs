//! The workloads of [`crate::ws`] through `janus-transport-ws` on a current-thread tokio
//! runtime: plain `connect` inside the runtime (the crate's `tokio` feature: tokio's socket and
//! timer), tokio's timer for the workloads, and the connection's driver and the workload
//! spawned as two tasks of the runtime (so on the same thread; the workload a task for the
//! reason [`crate::ws`] gives). Nothing of async-io is touched.

use std::time::Duration;

use janus_bench_common::{Report, RunArgs};
use janus_transport_ws::connect;

use crate::ws::{options, workload, Runtime};

/// tokio: its timer.
struct Tokio;

impl Runtime for Tokio {
    async fn sleep(duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Connects and runs `args.workload` on a current-thread tokio runtime.
pub fn run(args: &RunArgs, report: &mut Report) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async {
        // Inside a tokio runtime, `connect` dials with tokio and the driver uses tokio's timer.
        let (client, driver) = connect(&args.url, options(args))
            .await
            .map_err(|e| format!("connect to {}: {e}", args.url))?;
        // A current-thread runtime: the driver's task runs on this thread, between the
        // workload's polls.
        let driver = tokio::spawn(driver);
        // The workload as a task too (see `crate::ws`), with its own copy of the arguments and
        // the report, handed back at the end.
        let (args, mut mine) = (args.clone(), std::mem::take(report));
        let work = tokio::spawn(async move {
            let result = workload::<Tokio>(&client, &args, &mut mine).await;
            (result, mine)
        });
        let (result, mine) = work.await.map_err(|e| format!("the workload: {e}"))?;
        *report = mine;
        let ended = driver.await;
        result?;
        ended
            .map(drop)
            .map_err(|e| format!("the connection's driver: {e}"))
    })
}
