//! Stopping cleanly on SIGINT, SIGTERM and SIGHUP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use super::Failure;

/// The signal that asked us to stop, set from a signal handler; the call checks it on every
/// tick and between steps, then everything is dropped in order (Janus, then its namespace).
pub struct Interrupt(Arc<AtomicUsize>);

impl Interrupt {
    /// Installs the handlers of SIGINT, SIGTERM and SIGHUP.
    pub fn install() -> std::io::Result<Self> {
        let flag = Arc::new(AtomicUsize::new(0));
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            let number = usize::try_from(signal).unwrap_or(usize::MAX);
            signal_hook::flag::register_usize(signal, Arc::clone(&flag), number)?;
        }
        Ok(Self(flag))
    }

    /// The signal that came, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            n => Some(i32::try_from(n).unwrap_or(i32::MAX)),
        }
    }

    /// `Err(Interrupted)` at `step` once a signal came.
    pub fn check(&self, step: &'static str) -> Result<(), Failure> {
        match self.signal() {
            None => Ok(()),
            Some(signal) => Err(Failure::Interrupted {
                step,
                signal,
                also: None,
            }),
        }
    }
}

/// The name of a signal number.
pub fn signal_name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".to_owned(),
        SIGTERM => "SIGTERM".to_owned(),
        SIGHUP => "SIGHUP".to_owned(),
        other => format!("signal {other}"),
    }
}
