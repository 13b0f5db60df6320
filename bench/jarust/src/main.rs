//! The jarust 1.10 runner: W1, W2 and W3 through jarust's public API over one websocket (or,
//! given an `http://…/janus` URL, its Restful interface), the way its documentation and
//! examples use it.
//!
//! - Runtime: a current-thread tokio runtime (jarust's examples use
//!   `#[tokio::main(flavor = "current_thread")]`; jarust spawns its tasks with `tokio::spawn`,
//!   which works there), the like-for-like peer of our transport on a single-threaded executor.
//!   The workload is a task of that runtime, as ours is.
//! - Sessions come from [`JaConnection::create_session`], handles from the echotest plugin's
//!   `attach_echo_test`, which gives each handle its own channel of typed [`PluginEvent`]s; the
//!   message is sent with `send_waiton_ack` (so its ack is checked) and its event is taken from
//!   that handle's channel, which is how jarust correlates an event with its handle.
//! - jarust's `detach` is fire-and-forget: it returns once the request is written and the
//!   success reply is never handed to the caller. What a user can observe is the `detached`
//!   event Janus sends on the handle afterwards, so that is awaited before the destroy, checked
//!   and counted as an event.
//! - jarust keeps replies and acks in two maps of `JaConfig::capacity` entries which are never
//!   emptied: once full, every new entry evicts the previous newest, so a burst of concurrent
//!   replies loses some (a `create` fails with "Error while parsing an incomplete packet"). The
//!   documented knob is `capacity`; [`capacity`] sizes it for everything a workload receives.
//! - jarust never removes a handle's route from its router: each route keeps an unbounded
//!   channel (and its first block of 32 slots) for the connection's life, about 5.5 KB per
//!   handle ever attached, which shows in W1's RSS readings. The public API cannot drop them.
//! - Keepalives are jarust's own task per session, configured in whole seconds; their outcome is
//!   only visible through `tracing`, so W3 counts them with [`keepalives::KeepaliveCounter`].

mod keepalives;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use janus_bench_common::{run_main, Meter, Report, RunArgs, Workload};
use jarust::core::connect;
use jarust::core::jaconfig::{JaConfig, JanusAPI};
use jarust::core::jaconnection::JaConnection;
use jarust::interface::japrotocol::GenericEvent;
use jarust::interface::tgenerator::RandomTransactionGenerator;
use jarust::plugins::echo_test::events::{EchoTestEvent, PluginEvent};
use jarust::plugins::echo_test::handle::EchoTestHandle;
use jarust::plugins::echo_test::jahandle_ext::EchoTest;
use jarust::plugins::echo_test::params::EchoTestStartParams;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::keepalives::{KeepaliveCounter, Tally};

/// Every request's deadline, and the longest wait for an expected event: a dead Janus gives an
/// error, not a hang.
const TIMEOUT: Duration = Duration::from_secs(10);

/// `JaConfig::capacity` when nothing arrives concurrently (the value of jarust's examples).
const SEQUENTIAL_CAPACITY: usize = 32;

fn main() -> ExitCode {
    run_main("jarust", |args, report| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        // The workload runs as a task of the runtime, as a program's work does, rather than
        // as the future `block_on` polls, which costs the runtime a non-blocking `epoll_wait`
        // each time a task wakes it; our runners do the same (see `bench/ours/src/ws.rs`).
        runtime.block_on(async {
            let (args, mut mine) = (args.clone(), std::mem::take(report));
            let work = tokio::spawn(async move {
                let result = run(&args, &mut mine).await;
                (result, mine)
            });
            let (result, mine) = work.await.map_err(|e| format!("the workload: {e}"))?;
            *report = mine;
            result
        })
    })
}

/// Connects and runs `args.workload`.
async fn run(args: &RunArgs, report: &mut Report) -> Result<(), String> {
    let ka_interval = keepalive_secs(args.keepalive)?;
    let keepalives = match args.workload {
        Workload::W3 => Some(KeepaliveCounter::install()?),
        Workload::W1 | Workload::W2 => None,
    };
    // Over HTTP, jarust takes the server's root and its base path apart.
    let (url, api) = match args.url.strip_suffix("/janus") {
        Some(root) if args.url.starts_with("http") => (root.to_owned(), JanusAPI::Restful),
        _ => (args.url.clone(), JanusAPI::WebSocket),
    };
    let config = JaConfig {
        url,
        apisecret: None,
        server_root: "janus".to_owned(),
        capacity: capacity(args),
    };
    let mut connection =
        tokio::time::timeout(TIMEOUT, connect(config, api, RandomTransactionGenerator))
            .await
            .map_err(|_| format!("connect to {}: no answer within {TIMEOUT:?}", args.url))?
            .map_err(|e| format!("connect to {}: {e}", args.url))?;

    let meter = Meter::start();
    let result = match (args.workload, keepalives) {
        (Workload::W1, _) => w1(&mut connection, ka_interval, args, report).await,
        (Workload::W2, _) => w2(&connection, ka_interval, args, report).await,
        (Workload::W3, Some(tally)) => w3(&connection, ka_interval, &tally, args, report).await,
        (Workload::W3, None) => Err("W3 without its keepalive counter".to_owned()),
    };
    meter.finish(report);
    result
}

/// W1: the whole life of a session and handle, `iterations` times in sequence.
async fn w1(
    connection: &mut JaConnection,
    ka_interval: u32,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    let body = echo_body()?;
    for i in 1..=args.iterations {
        let start = Instant::now();
        let session = connection
            .create_session(ka_interval, TIMEOUT)
            .await
            .map_err(ctx("create"))?;
        let (handle, mut events) = session
            .attach_echo_test(TIMEOUT)
            .await
            .map_err(ctx("attach"))?;
        echo(&handle, &mut events, body.clone()).await?;
        let detach_events = detach(&handle, &mut events).await?;
        session
            .into_destroy(TIMEOUT)
            .await
            .map_err(ctx("destroy"))?;
        report.latencies_us.push(micros(start.elapsed()));
        // Replies: create, attach, the message's ack, destroy. Events: the echotest's, then
        // detached (and the echotest's `done`, when it comes).
        report.replies += 4;
        report.events += 1 + detach_events;
        report.iteration_done(i, args);
    }
    report.iterations_finished(args);
    Ok(())
}

/// W2: `iterations` rounds of `sessions` × `handles`, each step all in flight at once.
async fn w2(
    connection: &JaConnection,
    ka_interval: u32,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    let body = echo_body()?;
    for round in 1..=args.iterations {
        let start = Instant::now();
        let sessions = create_sessions(connection, ka_interval, args.sessions).await?;
        let mut handles = try_join_all(
            sessions
                .iter()
                .flat_map(|session| (0..args.handles).map(|_| session.attach_echo_test(TIMEOUT))),
        )
        .await
        .map_err(ctx("attach"))?;
        try_join_all(
            handles
                .iter_mut()
                .map(|(handle, events)| echo(handle, events, body.clone())),
        )
        .await?;
        let detach_events = try_join_all(
            handles
                .iter_mut()
                .map(|(handle, events)| detach(handle, events)),
        )
        .await?;
        let created = sessions.len() as u64;
        destroy_sessions(sessions, "destroy").await?;
        report.latencies_us.push(micros(start.elapsed()));
        // Replies: create and destroy per session, attach and the message's ack per handle.
        // Events: the echotest's and detached (and `done`, when it comes) per handle.
        let attached = handles.len() as u64;
        report.replies += 2 * created + 2 * attached;
        report.events += attached + detach_events.iter().sum::<u64>();
        report.iterations = round;
    }
    Ok(())
}

/// W3: `sessions` sessions created concurrently, held for `hold` while jarust sends their
/// keepalives, then destroyed concurrently.
async fn w3(
    connection: &JaConnection,
    ka_interval: u32,
    keepalives: &Tally,
    args: &RunArgs,
    report: &mut Report,
) -> Result<(), String> {
    let start = Instant::now();
    let sessions = create_sessions(connection, ka_interval, args.sessions).await?;
    report.latencies_us.push(micros(start.elapsed()));
    report.replies += sessions.len() as u64;

    tokio::time::sleep(args.hold).await;
    // Counted before the destroys: a keepalive racing a destroy fails with 458, harmlessly.
    let counts = keepalives.counts();
    if let Some(failure) = counts.first_failure {
        return Err(format!(
            "{} of {} keepalives failed during the hold; the first: {failure}",
            counts.failed, counts.sent
        ));
    }
    let due = sessions.len() as u64 * keepalives_due(args.hold, args.keepalive);
    if counts.acked < due {
        return Err(format!(
            "{} keepalives acked during the hold ({} sent), expected at least {due}",
            counts.acked, counts.sent
        ));
    }
    report.replies += counts.acked;

    let created = sessions.len() as u64;
    destroy_sessions(sessions, "destroy (after the hold)").await?;
    report.replies += created;
    report.iterations = 1;
    Ok(())
}

/// `count` sessions created all at once. `create_session` takes the connection mutably, so each
/// request has its own clone (a shared handle to the same websocket).
async fn create_sessions(
    connection: &JaConnection,
    ka_interval: u32,
    count: usize,
) -> Result<Vec<jarust::core::jasession::JaSession>, String> {
    try_join_all((0..count).map(|_| {
        let mut connection = connection.clone();
        async move { connection.create_session(ka_interval, TIMEOUT).await }
    }))
    .await
    .map_err(ctx("create"))
}

/// Destroys every session at once; `what` names the step in an error.
async fn destroy_sessions(
    sessions: Vec<jarust::core::jasession::JaSession>,
    what: &'static str,
) -> Result<(), String> {
    try_join_all(
        sessions
            .into_iter()
            .map(|session| session.into_destroy(TIMEOUT)),
    )
    .await
    .map(drop)
    .map_err(ctx(what))
}

/// Sends the echotest message on `handle`, checks its ack, and takes and checks its event from
/// the handle's own channel.
async fn echo(
    handle: &EchoTestHandle,
    events: &mut UnboundedReceiver<PluginEvent>,
    body: Value,
) -> Result<(), String> {
    handle
        .send_waiton_ack(body, TIMEOUT)
        .await
        .map_err(ctx("message"))?;
    match next_event(events, "message").await? {
        PluginEvent::EchoTestEvent(EchoTestEvent::Result { echotest, result })
            if echotest == "event" && result == "ok" =>
        {
            Ok(())
        }
        other => Err(format!(
            "message: expected the echotest's {{\"echotest\":\"event\",\"result\":\"ok\"}}, got {other:?}"
        )),
    }
}

/// Detaches `handle` and waits for the `detached` event on its channel: jarust's `detach` is
/// fire-and-forget (it never hands over Janus's reply), and this event is the only confirmation
/// it lets a user see. It must be awaited before the session is destroyed: Janus sends it after
/// its reply to the detach, and drops it if the session is gone by then. The echotest may say
/// `{"echotest":"event","result":"done"}` first, as it tears down. Returns the events seen.
async fn detach(
    handle: &EchoTestHandle,
    events: &mut UnboundedReceiver<PluginEvent>,
) -> Result<u64, String> {
    handle.detach().await.map_err(ctx("detach"))?;
    let mut seen = 1;
    loop {
        match next_event(events, "detach").await? {
            PluginEvent::GenericEvent(GenericEvent::Detached) => return Ok(seen),
            PluginEvent::EchoTestEvent(EchoTestEvent::Result { echotest, result })
                if echotest == "event" && result == "done" =>
            {
                seen += 1;
            }
            other => {
                return Err(format!(
                    "detach: expected the detached event, got {other:?}"
                ))
            }
        }
    }
}

/// The next event of a handle, within [`TIMEOUT`].
async fn next_event(
    events: &mut UnboundedReceiver<PluginEvent>,
    what: &str,
) -> Result<PluginEvent, String> {
    match tokio::time::timeout(TIMEOUT, events.recv()).await {
        Ok(Some(event)) => Ok(event),
        Ok(None) => Err(format!("{what}: the handle's event channel closed")),
        Err(_) => Err(format!("{what}: no event within {TIMEOUT:?}")),
    }
}

/// The message every handle sends: `{"audio":true,"video":true}`, through the plugin's typed
/// parameters.
fn echo_body() -> Result<Value, String> {
    EchoTestStartParams {
        audio: Some(true),
        video: Some(true),
        ..Default::default()
    }
    .try_into()
    .map_err(|e: serde_json::Error| format!("encoding the echotest message: {e}"))
}

/// `JaConfig::capacity`, the size of jarust's reply map and ack map, which keep every entry
/// until full and then evict the newest one on each insert: large enough for everything the
/// workload receives, so that no reply of a concurrent burst is evicted before its caller took
/// it. W1 never has more than two replies outstanding, so the examples' value does.
fn capacity(args: &RunArgs) -> usize {
    let needed = match args.workload {
        Workload::W1 => SEQUENTIAL_CAPACITY,
        Workload::W2 => {
            let sessions = args.iterations * args.sessions;
            // Replies: create, destroy, and per handle attach and detach. Acks: one per message,
            // and room for one keepalive per session should a round outlast the interval.
            let replies = sessions * (2 + 2 * args.handles);
            let acks = sessions * (args.handles + 1);
            replies.max(acks)
        }
        Workload::W3 => {
            // Replies: create and destroy. Acks: the keepalives of the hold, of the creates and
            // destroys around it, and one spare.
            let rounds = (args.hold.as_millis() / args.keepalive.as_millis().max(1)) as usize;
            args.sessions * 2.max(rounds + 2)
        }
    };
    needed.max(SEQUENTIAL_CAPACITY)
}

/// jarust's keepalive interval, which it takes in whole seconds.
fn keepalive_secs(interval: Duration) -> Result<u32, String> {
    if interval.subsec_nanos() != 0 || interval.as_secs() == 0 {
        return Err(format!(
            "jarust takes the keepalive interval in whole seconds (at least one), not {interval:?}"
        ));
    }
    u32::try_from(interval.as_secs())
        .map_err(|_| format!("keepalive interval {interval:?} too long for jarust"))
}

/// How many keepalives each session must have had acked by the end of a `hold`: those due at
/// least a margin (half an interval, at most one second) before it ends. A session's first one
/// is due an interval after its creation, which is no later than the start of the hold.
fn keepalives_due(hold: Duration, interval: Duration) -> u64 {
    let margin = (interval / 2).min(Duration::from_secs(1));
    let interval = interval.as_micros().max(1);
    (hold.saturating_sub(margin).as_micros() / interval) as u64
}

/// A latency in microseconds.
fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

/// Turns a jarust error into the report's error, saying which step failed.
fn ctx(what: &'static str) -> impl Fn(jarust::interface::Error) -> String {
    move |e| format!("{what}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_body_is_the_workload_message() {
        assert_eq!(
            echo_body(),
            Ok(serde_json::json!({"audio": true, "video": true}))
        );
    }

    #[test]
    fn keepalives_due_leave_a_margin() {
        let s = Duration::from_secs;
        assert_eq!(keepalives_due(s(10), s(5)), 1);
        assert_eq!(keepalives_due(s(11), s(5)), 2);
        assert_eq!(keepalives_due(s(4), s(5)), 0);
    }

    #[test]
    fn keepalive_interval_is_whole_seconds() {
        assert_eq!(keepalive_secs(Duration::from_secs(5)), Ok(5));
        assert!(keepalive_secs(Duration::from_millis(1500)).is_err());
        assert!(keepalive_secs(Duration::ZERO).is_err());
    }
}
