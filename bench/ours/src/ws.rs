//! The workloads through `janus-transport-ws` on one thread, on the runtime a variant picks
//! (its timer behind [`Runtime`]): here smol, `smol::block_on` running a `smol::LocalExecutor`
//! with the connection's driver and the workload spawned on it as two tasks; in
//! [`crate::ws_tokio`] a current-thread tokio runtime. Concurrent requests are plain futures
//! joined together.
//!
//! The workload is a task, as a program's work is, rather than the future `block_on` polls
//! itself: every wake of that future by a task costs the runtime a turn of its reactor for
//! nothing (async-io's `block_on` polls the reactor without waiting when it was woken during
//! its poll: five system calls; tokio's current-thread runtime does a non-blocking
//! `epoll_wait` before it polls it again), where waking a task only queues it. jarust's
//! runner runs its workload the same way.

use std::future::Future;
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::future::{select, try_join_all, Either};
use futures_util::{FutureExt, StreamExt};
use janus_bench_common::{Meter, Report, RunArgs, Workload};
use janus_transport_ws::{connect, AllEvents, Client, ConnectOptions, Error, StreamItem};
use smol::LocalExecutor;

use crate::check::{
    check_echo, check_keepalive, echo_body, micros, Expected, ECHOTEST, REQUEST_TIMEOUT,
};

/// What the workloads need of the runtime they run on, besides the connection: a timer.
pub trait Runtime {
    /// Completes after `duration`.
    fn sleep(duration: Duration) -> impl Future<Output = ()>;
}

/// smol: async-io's timer.
struct Smol;

impl Runtime for Smol {
    async fn sleep(duration: Duration) {
        smol::Timer::after(duration).await;
    }
}

/// Connects and runs `args.workload` on smol.
pub fn run(args: &RunArgs, report: &mut Report) -> Result<(), String> {
    smol::block_on(async {
        let (client, driver) = connect(&args.url, options(args))
            .await
            .map_err(|e| format!("connect to {}: {e}", args.url))?;
        let executor = LocalExecutor::new();
        let driver = executor.spawn(driver);
        // The workload as a task next to the driver (see the module's docs).
        let work = executor.spawn(async {
            let result = workload::<Smol>(&client, args, report).await;
            driver.await;
            result
        });
        executor.run(work).await
    })
}

/// The connection settings of every variant.
pub fn options(args: &RunArgs) -> ConnectOptions {
    // Every unsolicited event of a W2 round or of W3 may wait in its session's or handle's
    // queue until the round is over: make room for all of them.
    let events = args.sessions * (args.handles + 1);
    ConnectOptions::new()
        .request_timeout(REQUEST_TIMEOUT)
        .keepalive_interval(args.keepalive)
        .connect_timeout(REQUEST_TIMEOUT)
        .event_queue_capacity(events.max(1024))
}

/// Runs `args.workload` through `client`, whose driver runs next to it on the same thread,
/// then closes the connection (the driver then ends).
pub async fn workload<R: Runtime>(
    client: &Client,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    let mut events = client.events();
    let result = match args.workload {
        Workload::W1 => w1::<R>(client, &mut events, args, report).await,
        Workload::W2 => w2::<R>(client, &mut events, args, report).await,
        Workload::W3 => w3::<R>(client, &mut events, args, report).await,
    };
    client.close();
    result
}

/// Turns a library error into the report's error text, saying which step failed.
fn ctx(what: &'static str) -> impl Fn(Error) -> String {
    move |e| format!("{what}: {e}")
}

/// W1: the whole life of a session and handle, `iterations` times in sequence.
async fn w1<R: Runtime>(
    client: &Client,
    events: &mut AllEvents,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    let body = echo_body();
    let meter = Meter::start();
    for i in 1..=args.iterations {
        let start = Instant::now();
        let session = client.create().await.map_err(ctx("create"))?;
        let handle = session.attach(ECHOTEST).await.map_err(ctx("attach"))?;
        let reply = handle
            .message(body.clone(), None)
            .await
            .map_err(ctx("message"))?;
        check_echo(&reply.data, &reply.raw, handle.id())?;
        handle.detach().await.map_err(ctx("detach"))?;
        session.destroy().await.map_err(ctx("destroy"))?;
        report.latencies_us.push(micros(start.elapsed()));
        report.replies += 4;
        report.events += 1;

        let mut expected = Expected::default();
        expected.destroyed(session.id());
        report.events += drain::<R>(events, &mut expected).await?;
        report.iteration_done(i, args);
    }
    report.iterations_finished(args);
    meter.finish(report);
    Ok(())
}

/// W2: `iterations` rounds of `sessions` × `handles`, each step all in flight at once.
async fn w2<R: Runtime>(
    client: &Client,
    events: &mut AllEvents,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    let body = echo_body();
    let meter = Meter::start();
    for round in 1..=args.iterations {
        let start = Instant::now();
        let sessions = try_join_all((0..args.sessions).map(|_| client.create()))
            .await
            .map_err(ctx("create"))?;
        let handles = try_join_all(
            sessions
                .iter()
                .flat_map(|s| (0..args.handles).map(move |_| s.attach(ECHOTEST))),
        )
        .await
        .map_err(ctx("attach"))?;
        let replies = try_join_all(handles.iter().map(|h| h.message(body.clone(), None)))
            .await
            .map_err(ctx("message"))?;
        for (reply, handle) in replies.iter().zip(&handles) {
            check_echo(&reply.data, &reply.raw, handle.id())?;
        }
        try_join_all(handles.iter().map(|h| h.detach()))
            .await
            .map_err(ctx("detach"))?;
        try_join_all(sessions.iter().map(|s| s.destroy()))
            .await
            .map_err(ctx("destroy"))?;
        report.latencies_us.push(micros(start.elapsed()));
        report.replies += (2 * sessions.len() + 2 * handles.len()) as u64;
        report.events += replies.len() as u64;

        let mut expected = Expected::default();
        sessions.iter().for_each(|s| expected.destroyed(s.id()));
        report.events += drain::<R>(events, &mut expected).await?;
        report.iterations = round;
    }
    meter.finish(report);
    Ok(())
}

/// W3: `sessions` sessions created concurrently, held for `hold` while the driver sends the
/// keepalives, then destroyed concurrently.
async fn w3<R: Runtime>(
    client: &Client,
    events: &mut AllEvents,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    check_keepalive(client.keepalive_interval(), args)?;
    let meter = Meter::start();
    let start = Instant::now();
    let sessions = try_join_all((0..args.sessions).map(|_| client.create()))
        .await
        .map_err(ctx("create"))?;
    report.latencies_us.push(micros(start.elapsed()));

    // Nothing is expected during the hold: a session timeout or a failed keepalive would
    // show up on the connection stream.
    let watch = async {
        match events.next().await {
            Some(item) => format!("during the hold: unexpected {item:?}"),
            None => "during the hold: the connection ended".to_owned(),
        }
    };
    if let Either::Right((e, _)) = select(pin!(R::sleep(args.hold)), pin!(watch)).await {
        return Err(e);
    }

    try_join_all(sessions.iter().map(|s| s.destroy()))
        .await
        .map_err(ctx("destroy (after the hold)"))?;
    report.replies += 2 * sessions.len() as u64;
    let mut expected = Expected::default();
    sessions.iter().for_each(|s| expected.destroyed(s.id()));
    report.events += drain::<R>(events, &mut expected).await?;
    report.iterations = 1;
    meter.finish(report);
    Ok(())
}

/// Takes events from the stream of all events until every expected one has come (at most
/// [`REQUEST_TIMEOUT`] each); returns how many came from Janus.
async fn drain<R: Runtime>(events: &mut AllEvents, expected: &mut Expected) -> Result<u64, String> {
    let mut from_janus = 0;
    while !expected.done() {
        // Usually the event is already there: no timer needed then.
        let item = match events.next().now_or_never() {
            Some(item) => item,
            None => within::<R, _>(REQUEST_TIMEOUT, events.next())
                .await
                .ok_or_else(|| expected.missing())?,
        };
        match item {
            Some(StreamItem::Event(event)) => from_janus += u64::from(expected.observe(&event)?),
            Some(other) => return Err(format!("unexpected {other:?}")),
            None => return Err("the connection ended".to_owned()),
        }
    }
    Ok(from_janus)
}

/// `future`'s output, or `None` if it takes longer than `limit`.
async fn within<R: Runtime, T>(limit: Duration, future: impl Future<Output = T>) -> Option<T> {
    match select(pin!(future), pin!(R::sleep(limit))).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}
