//! The workloads of [`crate::ws`] through `janus-transport-ws` on a current-thread tokio
//! runtime: a tokio socket through tokio-util's compat layer, tokio's timer for the driver and
//! the workloads, and the connection's driver spawned on the same runtime (so the same
//! thread) as the workload. Nothing of async-io is touched.

use std::time::Duration;

use janus_bench_common::{Report, RunArgs};
use janus_transport_ws::{connect_with_stream, Timer};
use tokio::net::TcpStream;
use tokio_util::compat::TokioAsyncReadCompatExt;

use crate::check::REQUEST_TIMEOUT;
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
    // `ws://host:port`: the TCP address is what follows the scheme.
    let addr = args
        .url
        .strip_prefix("ws://")
        .map(|rest| rest.split_once('/').map_or(rest, |(addr, _)| addr))
        .ok_or_else(|| format!("{}: the ws-tokio variant takes ws:// URLs", args.url))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async {
        let tcp = tokio::time::timeout(REQUEST_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| format!("connect to {addr}: no connection within {REQUEST_TIMEOUT:?}"))?
            .map_err(|e| format!("connect to {addr}: {e}"))?;
        tcp.set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY on {addr}: {e}"))?;
        let options = options(args).timer(Timer::new(|at| {
            Box::pin(tokio::time::sleep_until(at.into()))
        }));
        let (client, driver) = connect_with_stream(tcp.compat(), &args.url, options)
            .await
            .map_err(|e| format!("connect to {}: {e}", args.url))?;
        // A current-thread runtime: the driver's task runs on this thread, between the
        // workload's polls.
        let driver = tokio::spawn(driver);
        let result = workload::<Tokio>(&client, args, report).await;
        let ended = driver.await;
        result?;
        ended
            .map(drop)
            .map_err(|e| format!("the connection's driver: {e}"))
    })
}
