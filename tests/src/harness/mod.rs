//! Runs a private, real Janus 1.1.2 for a test: its own configs (from `tests/janus-config/`),
//! free loopback ports, its own log, stopped on drop, log kept when the test fails.
//!
//! One concept per module: [`JanusOptions`] (what a test may change), [`JanusServer`] (the
//! running instance), [`HarnessError`] (what went wrong); and privately `install` (Debian
//! package), `config` (templates, ports), `tls` (test certificates), `probe` (readiness),
//! `command` (helper programs).
//!
//! ```no_run
//! use janus_tests::harness::{HarnessError, JanusOptions, JanusServer};
//!
//! match JanusServer::start(JanusOptions::new().tls(true)) {
//!     Ok(janus) => println!("wss at {:?}, log at {:?}", janus.wss_url(), janus.log_path()),
//!     Err(HarnessError::Exited { log_tail, .. }) => eprintln!("Janus died:\n{log_tail}"),
//!     Err(other) => eprintln!("{other}"),
//! }
//! ```

mod command;
mod config;
mod error;
mod install;
mod options;
mod probe;
mod server;
mod tls;

pub use error::HarnessError;
pub use options::JanusOptions;
pub use server::JanusServer;
