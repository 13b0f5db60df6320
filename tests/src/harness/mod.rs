//! Runs a private, real Janus for a test: its own configs (from `tests/janus-config/`), free
//! loopback ports, its own log, stopped on drop, log kept when the test fails.
//!
//! Each test chooses the version with [`JanusOptions::version`]: [`JanusVersion::V1_1_2`]
//! (the default, so a test that does not say runs what it always ran) is Debian 12's package,
//! installed by `scripts/install-janus.sh` when `janus` is missing; [`JanusVersion::V1_4_1`]
//! is built from `../shared/janus-src` by `scripts/build-janus.sh` the first time a test asks
//! for it on a machine (about two minutes on two cores), into a cache prefix outside the
//! checkout (`/var/cache/janus-rs/janus-1.4.1-<sha256 prefix>`, or `JANUS_141_PREFIX`) that
//! later runs reuse; concurrent test binaries wait for one build (`flock`). Either way the
//! program must report the version asked for ([`HarnessError::WrongVersion`]). The same
//! config templates serve both versions; both load every stock plugin (echotest, videoroom,
//! streaming, audiobridge, textroom, sip, nosip, videocall, recordplay, and voicemail, which
//! only 1.1.2 has; see [`JanusVersion::plugins`]) and three transports: WebSockets (free
//! loopback ports), HTTP (REST with long-polls, at [`JanusServer::http_url`],
//! [`JanusServer::https_url`] and [`JanusServer::admin_http_url`], free loopback ports too)
//! and Unix sockets (`SOCK_SEQPACKET`, at [`JanusServer::unix_path`] and
//! [`JanusServer::admin_unix_path`] in the instance's temp folder).
//! [`JanusServer::shared_version`] shares one instance per version among a process's tests.
//!
//! One concept per module: [`JanusOptions`] (what a test may change), [`JanusVersion`] (which
//! Janus, and where its files are), [`JanusServer`] (the running instance), [`HarnessError`]
//! (what went wrong); and privately `install` (Debian package), `build` (a Janus built from
//! source), `config` (templates, ports), `tls` (test certificates), `probe` (readiness),
//! `command` (helper programs).
//!
//! ```no_run
//! use janus_tests::harness::{HarnessError, JanusOptions, JanusServer, JanusVersion};
//!
//! match JanusServer::start(JanusOptions::new().version(JanusVersion::V1_4_1).tls(true)) {
//!     Ok(janus) => println!("wss at {:?}, log at {:?}", janus.wss_url(), janus.log_path()),
//!     Err(HarnessError::Exited { log_tail, .. }) => eprintln!("Janus died:\n{log_tail}"),
//!     Err(other) => eprintln!("{other}"),
//! }
//! ```

mod build;
mod command;
mod config;
mod error;
mod install;
mod options;
mod probe;
mod server;
mod tls;
mod version;

pub use error::HarnessError;
pub use options::JanusOptions;
pub use server::JanusServer;
pub use version::JanusVersion;
