//! The checks both variants make: the echotest's answer, and the unsolicited events a workload
//! must see, may see, and must not see.

use std::collections::BTreeSet;
use std::time::Duration;

use janus_bench_common::RunArgs;
use janus_proto::wire::RawFrame;
use janus_proto::{
    Event, HandleEventKind, HandleId, PluginData, SessionEnd, SessionEvent, SessionId,
    TransactionId,
};
use serde::Deserialize;
use serde_json::{json, Value};

/// The plugin every workload attaches.
pub const ECHOTEST: &str = "janus.plugin.echotest";

/// Every request's deadline, and the longest wait for an expected event: a dead Janus gives an
/// error, not a hang.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The message each handle sends (no jsep).
pub fn echo_body() -> Value {
    json!({"audio": true, "video": true})
}

/// What the echotest answers: `{"echotest":"event","result":"ok"}`.
#[derive(Deserialize)]
struct EchoResult<'a> {
    echotest: &'a str,
    result: Option<&'a str>,
}

/// The handle an event frame came from.
#[derive(Deserialize)]
struct Sender {
    sender: u64,
}

/// Checks a message's answer: it comes from the echotest, on `handle`, and says `ok`.
pub fn check_echo(data: &PluginData, raw: &RawFrame, handle: HandleId) -> Result<(), String> {
    if data.plugin != ECHOTEST {
        return Err(format!("answer from {:?}, not the echotest", data.plugin));
    }
    let result: EchoResult<'_> = data
        .parse()
        .map_err(|e| format!("echotest data {}: {e}", data.data.get()))?;
    if result.echotest != "event" || result.result != Some("ok") {
        return Err(format!("echotest answered {}", data.data.get()));
    }
    let sender: Sender = serde_json::from_slice(raw.as_bytes())
        .map_err(|e| format!("echotest event without a sender ({e}): {}", raw.as_str()))?;
    if sender.sender != handle.0 {
        return Err(format!(
            "the event for handle {handle} came from handle {}",
            sender.sender
        ));
    }
    Ok(())
}

/// The unsolicited events of a workload. Required: the end of every session it destroyed
/// (the library reports it when `destroy` succeeds). Welcome whenever they come: a handle's
/// `detached` and the echotest's `{"echotest":"event","result":"done"}` (Janus sends them
/// from its own threads while it tears the handle down, and drops them when the session is
/// already gone, so not every handle gets them), and the "accepted" notices of submitted
/// messages. Anything else is an error.
#[derive(Debug, Default)]
pub struct Expected {
    destroyed: BTreeSet<SessionId>,
    acks: BTreeSet<TransactionId>,
}

impl Expected {
    /// Expects the end of `session` by `destroy`.
    pub fn destroyed(&mut self, session: SessionId) {
        self.destroyed.insert(session);
    }

    /// Tolerates an "accepted" notice for `txn` (`ack` of an asynchronous plugin request
    /// submitted without a typed call).
    pub fn may_ack(&mut self, txn: TransactionId) {
        self.acks.insert(txn);
    }

    /// Whether every required event has been seen.
    pub fn done(&self) -> bool {
        self.destroyed.is_empty()
    }

    /// What is still required, for an error message.
    pub fn missing(&self) -> String {
        format!(
            "the end of {} destroyed sessions was never reported",
            self.destroyed.len()
        )
    }

    /// Takes one event; returns whether it came from Janus (`done`, `detached`) rather than
    /// from the library itself (the end of a destroyed session, an ack notice). An event
    /// nobody expected is an error.
    pub fn observe(&mut self, event: &Event) -> Result<bool, String> {
        match event {
            Event::Handle { event, .. }
                if matches!(event.kind, HandleEventKind::Detached) || is_done(&event.kind) =>
            {
                Ok(true)
            }
            Event::Session {
                session,
                event: SessionEvent::Ended(SessionEnd::Destroyed),
            } if self.destroyed.remove(session) => Ok(false),
            Event::Acked { txn, .. } if self.acks.remove(txn) => Ok(false),
            other => Err(format!("unexpected event: {other:?}")),
        }
    }
}

/// Whether a handle event is the echotest's `done`.
fn is_done(kind: &HandleEventKind) -> bool {
    match kind {
        HandleEventKind::Plugin {
            data, txn: None, ..
        } if data.plugin == ECHOTEST => data
            .parse::<EchoResult<'_>>()
            .is_ok_and(|r| r.echotest == "event" && r.result == Some("done")),
        _ => false,
    }
}

/// Microseconds, for a latency.
pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// W3 holds sessions for longer than Janus's session timeout: it only proves keepalives if the
/// client sends them at the interval asked for.
pub fn check_keepalive(in_force: Duration, args: &RunArgs) -> Result<(), String> {
    if in_force == args.keepalive {
        Ok(())
    } else {
        Err(format!(
            "keepalive interval in force is {in_force:?}, not {:?}",
            args.keepalive
        ))
    }
}
