//! `--restart-janus`: the private Janus is restarted between two calls, while the calls'
//! one connection rides it out (it reconnects by itself, and reports the session Janus lost).

use std::process::ExitStatus;
use std::time::{Duration, Instant};

use janus_blocking::{Connection, ConnectionEvent, Event, SessionEnd, SessionId};
use janus_proto::Disconnect;

use super::report::{line, result_line};
use super::{ms, Failure, Interrupt};
use crate::{HarnessError, JanusServer};

/// Bound of a restart and of the reconnect after it: Janus's stop (at most 10 s before
/// SIGKILL), its start (at most its 20 s startup timeout), and a last dial.
pub const RESTART_BOUND: Duration = Duration::from_secs(40);
/// How long one read of the connection may wait while Janus restarts.
const READ: Duration = Duration::from_millis(50);

/// What restarting Janus did, for the report.
#[derive(Debug, Default)]
pub struct Restart {
    /// Janus's process id before the restart.
    pub old_pid: Option<u32>,
    /// How Janus stopped (SIGTERM), and how long that took.
    pub stopped: Option<(ExitStatus, Duration)>,
    /// The new process's id, and how long it took to answer once started.
    pub started: Option<(Option<u32>, Duration)>,
    /// Why the connection went down.
    pub disconnected: Option<Disconnect>,
    /// The dials made (the last `Reconnecting` attempt).
    pub attempts: u32,
    /// How long the connection was down (from `Reconnected`).
    pub down_for: Option<Duration>,
    /// The sessions claimed after the reconnect.
    pub claimed: Vec<SessionId>,
    /// The sessions lost, with why.
    pub lost: Vec<(SessionId, SessionEnd)>,
}

/// Stops Janus (SIGTERM) and starts it again on the same ports, on a thread of its own,
/// while this thread drives `conn` and reads its events: it sees Janus go, dials until Janus
/// is back, tries to claim `session`, and says `Reconnected`. Fails when Janus does not come
/// back, the client gives up, the connection closes, or `session` is not among the lost (a
/// restarted Janus has no sessions); all within [`RESTART_BOUND`].
pub fn restart_janus(
    janus: &mut JanusServer,
    conn: &mut Connection,
    session: Option<SessionId>,
    interrupt: &Interrupt,
    restart: &mut Restart,
) -> Result<(), Failure> {
    let deadline = Instant::now() + RESTART_BOUND;
    restart.old_pid = janus.pid();
    std::thread::scope(|scope| {
        let mut restarting = Some(scope.spawn(|| stop_and_start(janus)));
        loop {
            if let Some(thread) = restarting.take_if(|t| t.is_finished()) {
                let (status, stopped, pid, started) = thread
                    .join()
                    .expect("the thread restarting Janus")
                    .map_err(Failure::step("restarting Janus"))?;
                restart.stopped = Some((status, stopped));
                restart.started = Some((pid, started));
            }
            if restarting.is_none() && restart.down_for.is_some() {
                return check_lost(session, restart);
            }
            // On a signal the restart still ends (within its own bounds) before the scope.
            interrupt.check("reconnect")?;
            if Instant::now() >= deadline {
                return Err(Failure::at(
                    "reconnect",
                    format!(
                        "Janus restarted: {}; reconnected: {} (within {} s)",
                        super::yes_no(restarting.is_none()),
                        super::yes_no(restart.down_for.is_some()),
                        RESTART_BOUND.as_secs()
                    ),
                ));
            }
            read_event(conn, restart)?;
        }
    })
}

/// SIGTERM, then Janus again with the same configs and ports: how it ended, how long the
/// stop took, the new process's id, and how long it took to answer.
fn stop_and_start(
    janus: &mut JanusServer,
) -> Result<(ExitStatus, Duration, Option<u32>, Duration), HarnessError> {
    let started = Instant::now();
    let status = janus.stop()?;
    let stopped = started.elapsed();
    janus.restart()?;
    Ok((status, stopped, janus.pid(), started.elapsed() - stopped))
}

/// Reads one event of the connection (waiting at most [`READ`]) and notes what it says about
/// the reconnect.
fn read_event(conn: &mut Connection, restart: &mut Restart) -> Result<(), Failure> {
    let event = match conn.next_event(READ) {
        Ok(event) => event,
        // A frame that is not a Janus message: dropped, the connection goes on.
        Err(janus_blocking::Error::Protocol(_)) => None,
        Err(e) => return Err(Failure::at("reconnect", e)),
    };
    match event {
        Some(Event::Connection(ConnectionEvent::Disconnected { why })) => {
            restart.disconnected = Some(why);
        }
        Some(Event::Connection(ConnectionEvent::Reconnecting { attempt, .. })) => {
            restart.attempts = restart.attempts.max(attempt);
        }
        Some(Event::Connection(ConnectionEvent::Reconnected {
            claimed,
            lost,
            down_for,
        })) => {
            restart.claimed = claimed;
            restart.lost = lost;
            restart.down_for = Some(down_for);
        }
        Some(Event::Connection(ConnectionEvent::GaveUp { attempts })) => {
            return Err(Failure::at(
                "reconnect",
                format!("the client gave up after {attempts} attempts"),
            ))
        }
        Some(Event::Connection(ConnectionEvent::Closed)) => {
            return Err(Failure::at("reconnect", "the connection closed"))
        }
        // The lost session's own `Ended`, keepalive outcomes, …
        _ => {}
    }
    Ok(())
}

/// The session of the call before (if any) must be among the lost.
fn check_lost(session: Option<SessionId>, restart: &Restart) -> Result<(), Failure> {
    match session {
        Some(session) if !restart.lost.iter().any(|(lost, _)| *lost == session) => {
            Err(Failure::at(
                "reconnect",
                format!(
                    "session {session} was not lost with the restart (claimed {:?}, lost {:?})",
                    restart.claimed, restart.lost
                ),
            ))
        }
        _ => Ok(()),
    }
}

impl Restart {
    /// Prints what the restart did, ending with the outcome.
    pub fn print(&self, outcome: &Result<(), Failure>) {
        println!("janus restart (between the calls; the program and its connection go on)");
        if let Some((status, took)) = self.stopped {
            line(
                "janus stopped",
                format!("{}SIGTERM, {status} after {}", pid(self.old_pid), ms(took)),
            );
        }
        if let Some((new_pid, took)) = self.started {
            line(
                "janus started",
                format!(
                    "{}again on the same ports, answering after {}",
                    pid(new_pid),
                    ms(took)
                ),
            );
        }
        if let Some(why) = &self.disconnected {
            line("connection lost", why.to_string());
        }
        if let Some(down_for) = self.down_for {
            line(
                "reconnected",
                format!(
                    "by itself after {} attempt(s), down for {}",
                    self.attempts,
                    ms(down_for)
                ),
            );
            line("sessions claimed", sessions(self.claimed.iter().copied()));
            let lost = self.lost.iter().map(|(session, end)| match end {
                SessionEnd::Gone(error) => {
                    format!("{session} (gone: {} {})", error.code, error.reason)
                }
                other => format!("{session} ({other:?})"),
            });
            line("sessions lost", sessions(lost));
        }
        result_line(outcome);
    }
}

/// `pid N: `, or nothing.
fn pid(pid: Option<u32>) -> String {
    pid.map(|pid| format!("pid {pid}: ")).unwrap_or_default()
}

/// A list for the report, or `none`.
fn sessions<T: ToString>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|item| item.to_string()).collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
