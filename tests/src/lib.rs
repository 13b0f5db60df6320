//! Integration tests of the Janus client crates against a real Janus server, and the harness
//! that runs that server.
//!
//! [`JanusServer::start`] installs the Debian package `janus` (1.1.2) if needed (through
//! `scripts/install-janus.sh`), or, for [`JanusOptions::version`] [`JanusVersion::V1_4_1`],
//! builds Janus 1.4.1 from source once per machine (through `scripts/build-janus.sh`), starts
//! a private instance from the config templates in `tests/janus-config/` with free loopback
//! ports, and returns once its Janus API and Admin API answer. Dropping it stops Janus; if the test is panicking, or `JANUS_KEEP_LOGS=1`, the
//! Janus log is first copied to `target/janus-logs/<test>-<pid>.log`.
//!
//! ```no_run
//! use janus_tests::{JanusOptions, JanusServer};
//!
//! # fn main() -> Result<(), janus_tests::HarnessError> {
//! let janus = JanusServer::start(JanusOptions::new().api_secret(Some("s3cret")).tls(true))?;
//! let url = janus.wss_url().expect("tls(true) opens a wss listener");
//! let ca = janus.ca_cert_path().expect("tls(true) makes a CA");
//! println!("connect to {url} (subprotocol janus-protocol) trusting {}", ca.display());
//! println!("admin API at {} with secret {}", janus.admin_url(), janus.admin_secret());
//! # Ok(())
//! # }
//! ```
//!
//! To run tests against your own Janus instead, set `JANUS_WS_URL` (and optionally
//! `JANUS_ADMIN_URL`, `JANUS_ADMIN_SECRET`, `JANUS_API_SECRET`) and use
//! [`JanusServer::external`].

#![forbid(unsafe_code)]

#[cfg(feature = "drivers")]
pub mod drivers;
#[cfg(feature = "media")]
pub mod echotest;
pub mod faults;
#[cfg(feature = "drivers")]
pub mod fixtures;
pub mod harness;
pub mod memory;
pub mod netns;
#[cfg(feature = "media")]
pub mod peer;
pub mod proxy;
#[cfg(feature = "media")]
pub mod sfu;

/// A room, mountpoint or user id (and the 999 after it) that no other test of any running
/// test binary uses: the shared Janus servers live as long as a test binary, tests run in
/// parallel, and several binaries run at once.
pub fn unique_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = u64::from(std::process::id()) % 10_000 * 100_000_000;
    1_000_000_000_000 + base + NEXT.fetch_add(1_000, Ordering::Relaxed)
}

pub use harness::{HarnessError, JanusOptions, JanusServer, JanusVersion};

/// The README's Rust snippets (the quickstarts), compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeQuickstarts;
