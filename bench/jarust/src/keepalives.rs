//! Counting jarust's keepalives.
//!
//! jarust sends a session's keepalives from a task it spawns when the session is created, and
//! reports each one only through `tracing` (target `jarust_core::jakeepalive`: "Sending
//! keep-alive", then "Keep-alive success" once Janus acked it, or "Keep-alive failed: ..."). The
//! API offers no other way to see them, so a user who wants to know that they work installs a
//! subscriber; [`KeepaliveCounter`] is one that listens to those events only and counts them.
//! Every other callsite gets [`Interest::never`], so the rest of jarust's tracing stays off.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// The module jarust's keepalive task logs from.
const TARGET: &str = "jarust_core::jakeepalive";

/// Keepalive outcomes seen so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Keepalives jarust sent.
    pub sent: u64,
    /// Keepalives Janus acked.
    pub acked: u64,
    /// Keepalives that failed (error reply, lost ack or timeout).
    pub failed: u64,
    /// The first failure jarust reported.
    pub first_failure: Option<String>,
}

/// The tallies, shared between the subscriber and the workload.
#[derive(Debug, Default)]
pub struct Tally {
    sent: AtomicU64,
    acked: AtomicU64,
    failed: AtomicU64,
    first_failure: Mutex<Option<String>>,
}

impl Tally {
    /// The outcomes counted so far.
    pub fn counts(&self) -> Counts {
        Counts {
            sent: self.sent.load(Ordering::Relaxed),
            acked: self.acked.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            first_failure: self
                .first_failure
                .lock()
                .map(|first| first.clone())
                .unwrap_or_else(|poisoned| poisoned.into_inner().clone()),
        }
    }
}

/// A `tracing` subscriber that counts jarust's keepalive events and ignores everything else.
#[derive(Debug)]
pub struct KeepaliveCounter {
    tally: Arc<Tally>,
}

impl KeepaliveCounter {
    /// Installs a counter as the process's global subscriber and returns its tallies.
    pub fn install() -> Result<Arc<Tally>, String> {
        let tally = Arc::new(Tally::default());
        let counter = KeepaliveCounter {
            tally: Arc::clone(&tally),
        };
        tracing::subscriber::set_global_default(counter)
            .map_err(|e| format!("installing the keepalive counter: {e}"))?;
        Ok(tally)
    }
}

/// The `message` field of an event, formatted.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for KeepaliveCounter {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && metadata.target() == TARGET
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::DEBUG)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        // Never called: no span is enabled. An id is still required.
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message::default();
        event.record(&mut message);
        let tally = &self.tally;
        match message.0.as_str() {
            "Sending keep-alive" => {
                tally.sent.fetch_add(1, Ordering::Relaxed);
            }
            "Keep-alive success" => {
                tally.acked.fetch_add(1, Ordering::Relaxed);
            }
            failure if failure.starts_with("Keep-alive failed") => {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                let mut first = tally
                    .first_failure
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                first.get_or_insert_with(|| failure.to_owned());
            }
            _ => {}
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
