//! The workloads through `janus-blocking`: typed calls for W1, pipelining (`submit` many, then
//! `wait` each) for W2 and W3, and `next_event` for the hold (keepalives go out only while the
//! caller is inside the library).

use std::time::Instant;

use janus_bench_common::{Meter, Report, RunArgs, Workload};
use janus_blocking::{
    Command, ConnectOptions, Connection, Error, HandleId, Reply, ReplyKind, SessionId,
    TransactionId,
};

use crate::check::{
    check_echo, check_keepalive, echo_body, micros, Expected, ECHOTEST, REQUEST_TIMEOUT,
};

/// Connects and runs `args.workload`.
pub fn run(args: &RunArgs, report: &mut Report) -> Result<(), String> {
    let options = ConnectOptions::new()
        .request_timeout(REQUEST_TIMEOUT)
        .keepalive_interval(args.keepalive)
        .connect_timeout(REQUEST_TIMEOUT);
    let mut conn = Connection::connect(&args.url, options)
        .map_err(|e| format!("connect to {}: {e}", args.url))?;
    let result = match args.workload {
        Workload::W1 => w1(&mut conn, args, report),
        Workload::W2 => w2(&mut conn, args, report),
        Workload::W3 => w3(&mut conn, args, report),
    };
    conn.close();
    result
}

/// Turns a library error into the report's error text, saying which step failed.
fn ctx(what: &'static str) -> impl Fn(Error) -> String {
    move |e| format!("{what}: {e}")
}

/// W1: the whole life of a session and handle, `iterations` times in sequence.
fn w1(conn: &mut Connection, args: &RunArgs, report: &mut Report) -> Result<(), String> {
    let body = echo_body();
    let meter = Meter::start();
    for i in 1..=args.iterations {
        let start = Instant::now();
        let session = conn.create().map_err(ctx("create"))?;
        let handle = conn.attach(session, ECHOTEST).map_err(ctx("attach"))?;
        let reply = conn
            .message(handle, body.clone(), None)
            .map_err(ctx("message"))?;
        check_echo(&reply.data, &reply.raw, handle)?;
        conn.detach(handle).map_err(ctx("detach"))?;
        conn.destroy(session).map_err(ctx("destroy"))?;
        report.latencies_us.push(micros(start.elapsed()));
        report.replies += 4;
        report.events += 1;

        let mut expected = Expected::default();
        expected.destroyed(session);
        report.events += drain(conn, &mut expected)?;
        report.iteration_done(i, args);
    }
    report.iterations_finished(args);
    meter.finish(report);
    Ok(())
}

/// W2: `iterations` rounds of `sessions` × `handles`, each step all in flight at once.
fn w2(conn: &mut Connection, args: &RunArgs, report: &mut Report) -> Result<(), String> {
    let body = echo_body();
    let meter = Meter::start();
    for round in 1..=args.iterations {
        let start = Instant::now();
        let mut expected = Expected::default();

        let sessions = create_all(conn, args.sessions)?;

        let attaches = sessions
            .iter()
            .flat_map(|&s| (0..args.handles).map(move |_| Command::attach(s, ECHOTEST)));
        let txns = submit_all(conn, attaches)?;
        let handles: Vec<HandleId> = wait_all(conn, txns, "attach", |kind| match kind {
            ReplyKind::Attached(id) => Some(id),
            _ => None,
        })?;

        let messages = handles
            .iter()
            .map(|&h| Command::message(h, body.clone(), None));
        let txns = submit_all(conn, messages)?;
        for (&txn, &handle) in txns.iter().zip(&handles) {
            expected.may_ack(txn);
            let reply = conn.wait(txn).map_err(ctx("message"))?;
            match &reply.kind {
                ReplyKind::Plugin { data, .. } => check_echo(data, &reply.raw, handle)?,
                _ => return Err(format!("message: unexpected reply {}", reply.raw.as_str())),
            }
            report.events += 1;
        }

        let txns = submit_all(
            conn,
            handles.iter().map(|&handle| Command::Detach { handle }),
        )?;
        wait_all(conn, txns, "detach", success)?;
        let txns = submit_all(
            conn,
            sessions.iter().map(|&session| Command::Destroy { session }),
        )?;
        wait_all(conn, txns, "destroy", success)?;
        report.latencies_us.push(micros(start.elapsed()));
        report.replies += (2 * sessions.len() + 2 * handles.len()) as u64;

        sessions.iter().for_each(|&s| expected.destroyed(s));
        report.events += drain(conn, &mut expected)?;
        report.iterations = round;
    }
    meter.finish(report);
    Ok(())
}

/// W3: `sessions` sessions created (pipelined), held for `hold` while keepalives go out, then
/// destroyed (pipelined).
fn w3(conn: &mut Connection, args: &RunArgs, report: &mut Report) -> Result<(), String> {
    check_keepalive(conn.core().keepalive_interval(), args)?;
    let meter = Meter::start();
    let start = Instant::now();
    let sessions = create_all(conn, args.sessions)?;
    report.latencies_us.push(micros(start.elapsed()));

    // Sit in `next_event` for the hold: that is where the keepalives go out. Nothing else is
    // expected meanwhile (a timeout or a failed keepalive would show up here).
    let until = Instant::now() + args.hold;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        if let Some(event) = conn.next_event(left).map_err(ctx("hold"))? {
            return Err(format!("during the hold: unexpected event {event:?}"));
        }
    }

    let txns = submit_all(
        conn,
        sessions.iter().map(|&session| Command::Destroy { session }),
    )?;
    wait_all(conn, txns, "destroy (after the hold)", success)?;
    report.replies += 2 * sessions.len() as u64;
    let mut expected = Expected::default();
    sessions.iter().for_each(|&s| expected.destroyed(s));
    report.events += drain(conn, &mut expected)?;
    report.iterations = 1;
    meter.finish(report);
    Ok(())
}

/// Creates `n` sessions, all requests in flight at once.
fn create_all(conn: &mut Connection, n: usize) -> Result<Vec<SessionId>, String> {
    let txns = submit_all(conn, (0..n).map(|_| Command::Create { id: None }))?;
    wait_all(conn, txns, "create", |kind| match kind {
        ReplyKind::SessionCreated(id) => Some(id),
        _ => None,
    })
}

/// Submits every command at once.
fn submit_all(
    conn: &mut Connection,
    commands: impl Iterator<Item = Command>,
) -> Result<Vec<TransactionId>, String> {
    conn.submit_all(commands).map_err(ctx("submit"))
}

/// Waits for every transaction in turn, turning each reply into a `T` (or an error naming
/// `what`).
fn wait_all<T>(
    conn: &mut Connection,
    txns: Vec<TransactionId>,
    what: &'static str,
    extract: impl Fn(ReplyKind) -> Option<T>,
) -> Result<Vec<T>, String> {
    txns.into_iter()
        .map(|txn| {
            let Reply { kind, raw } = conn.wait(txn).map_err(ctx(what))?;
            extract(kind).ok_or_else(|| format!("{what}: unexpected reply {}", raw.as_str()))
        })
        .collect()
}

/// `detach` and `destroy` answer `success`.
fn success(kind: ReplyKind) -> Option<()> {
    matches!(kind, ReplyKind::Success).then_some(())
}

/// Takes events until every expected one has come (at most [`REQUEST_TIMEOUT`] each);
/// returns how many came from Janus.
fn drain(conn: &mut Connection, expected: &mut Expected) -> Result<u64, String> {
    let mut from_janus = 0;
    while !expected.done() {
        match conn.next_event(REQUEST_TIMEOUT).map_err(ctx("events"))? {
            Some(event) => from_janus += u64::from(expected.observe(&event)?),
            None => return Err(expected.missing()),
        }
    }
    Ok(from_janus)
}
