//! The harness's error type: every variant says which step failed and carries what is needed
//! to diagnose it (the path or command involved, and the tail of the Janus log when there is one).

use std::path::PathBuf;
use std::time::Duration;

use super::JanusVersion;

/// Why the harness could not start, probe or stop a Janus instance.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A file-system or process operation failed.
    #[error("{step}: {path}: {source}")]
    Io {
        /// What the harness was doing.
        step: &'static str,
        /// The file, folder or program involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An external command (installer, `openssl`, `kill`) ran but failed.
    #[error("{step}: `{command}` failed ({status}):\n{output}")]
    Command {
        /// What the harness was doing.
        step: &'static str,
        /// The command line, for copy and paste.
        command: String,
        /// Its exit status.
        status: String,
        /// The tail of its stdout and stderr.
        output: String,
    },
    /// A program the harness needs is still missing after running the installer.
    #[error("`{program}` is not on PATH, even after running {installer}")]
    Missing {
        /// The program looked for.
        program: &'static str,
        /// The installer that was run.
        installer: PathBuf,
    },
    /// The `janus` program found for a version reports another version (or none) in
    /// `janus --version`: say, another Janus earlier on `PATH` than Debian's.
    #[error("{binary} is not Janus {expected}: `janus --version` says {reported:?}")]
    WrongVersion {
        /// The program that was checked.
        binary: PathBuf,
        /// The version the test asked for.
        expected: JanusVersion,
        /// What `janus --version` printed.
        reported: String,
    },
    /// An option cannot be written into a Janus config file.
    #[error("invalid harness option `{option}`: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// Janus exited before it became ready.
    #[error("Janus exited during startup ({status}); log {log}:\n{log_tail}")]
    Exited {
        /// Its exit status.
        status: String,
        /// The log file (copied to `target/janus-logs/` when it could be).
        log: PathBuf,
        /// The last lines of the log and of Janus's stdout/stderr.
        log_tail: String,
    },
    /// Janus kept running but did not answer the readiness probe in time.
    #[error("Janus at {url} not ready after {waited:?}: {reason}; log {log}:\n{log_tail}")]
    NotReady {
        /// The URL probed.
        url: String,
        /// How long the harness waited.
        waited: Duration,
        /// The last probe failure.
        reason: String,
        /// The log file (copied to `target/janus-logs/` when it could be).
        log: PathBuf,
        /// The last lines of the log and of Janus's stdout/stderr.
        log_tail: String,
    },
    /// The operation needs a process the harness started, but this handle is
    /// [`JanusServer::external`](crate::JanusServer::external).
    #[error("`{operation}` is not possible on an external Janus (JANUS_WS_URL)")]
    External {
        /// The refused operation.
        operation: &'static str,
    },
    /// `/proc/PID/stat` could not be parsed.
    #[error("cannot parse /proc/{pid}/stat: {line:?}")]
    ProcStat {
        /// The process.
        pid: u32,
        /// What was read.
        line: String,
    },
}

impl HarnessError {
    pub(crate) fn io(step: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            step,
            path: path.into(),
            source,
        }
    }
}
