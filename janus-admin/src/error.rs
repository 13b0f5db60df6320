//! [`CliError`]: every way a run can fail, each with a message for the operator and its exit
//! code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use janus_blocking::{ConnectError, Error, JanusError, RequestError};

/// A failed run. Its message never holds the admin secret.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The secret file could not be read.
    #[error("cannot read the secret file {}: {source}", path.display())]
    SecretFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The secret file holds no secret.
    #[error("the secret file {} is empty", path.display())]
    EmptySecretFile {
        /// The file.
        path: PathBuf,
    },
    /// The secret variable is not text.
    #[error("JANUS_ADMIN_SECRET is not valid UTF-8")]
    SecretVar,
    /// The plugin request is not a JSON object.
    #[error("the request for {plugin} is not a JSON object: {reason}")]
    BadJson {
        /// The plugin it was for.
        plugin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading the plugin request from standard input failed.
    #[error("cannot read the request from standard input: {0}")]
    Stdin(#[source] std::io::Error),
    /// Connecting failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: Error,
    },
    /// Janus answered 403.
    #[error("{} ({} {})", secret_problem(*.given), .error.code, .error.reason)]
    Unauthorized {
        /// Whether a secret was given.
        given: bool,
        /// Janus's error.
        error: JanusError,
    },
    /// Janus answered 458.
    #[error("no such session {session} (Janus error 458)")]
    NoSuchSession {
        /// The session asked about.
        session: u64,
    },
    /// Janus answered 459.
    #[error("no such handle {handle} in session {session} (Janus error 459)")]
    NoSuchHandle {
        /// The session asked about.
        session: u64,
        /// The handle asked about.
        handle: u64,
    },
    /// Janus refused the request otherwise.
    #[error("Janus refused {request}: {} (error {})", .error.reason, .error.code)]
    Refused {
        /// The Admin API request.
        request: &'static str,
        /// Janus's error.
        error: JanusError,
    },
    /// The plugin refused a `message_plugin` request.
    #[error("{plugin} refused the request: {reason} (error {code})")]
    PluginRefused {
        /// The plugin.
        plugin: String,
        /// Its `error_code`.
        code: i64,
        /// Its `error` text.
        reason: String,
    },
    /// No reply in time.
    #[error("no reply to {request} within {}", seconds(*.timeout))]
    TimedOut {
        /// The Admin API request.
        request: &'static str,
        /// The bound.
        timeout: Duration,
    },
    /// The connection ended before the reply.
    #[error("the connection closed before the reply to {request}{}", because(.why))]
    Lost {
        /// The Admin API request.
        request: &'static str,
        /// Why the connection ended, when known.
        why: Option<String>,
    },
    /// A reply that does not fit the request.
    #[error("unexpected reply to {request}: {frame}")]
    Unexpected {
        /// The Admin API request.
        request: &'static str,
        /// The frame.
        frame: String,
    },
    /// Standard output could not be written.
    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),
    /// Anything else the driver reported.
    #[error("{request} failed: {source}")]
    Other {
        /// The Admin API request.
        request: &'static str,
        /// What the driver said.
        #[source]
        source: Error,
    },
}

impl CliError {
    /// The exit code for this failure (the table is in `--help` and the README).
    pub fn exit_code(&self) -> ExitCode {
        use CliError as E;
        ExitCode::from(match self {
            E::Refused { .. } | E::PluginRefused { .. } => 1,
            E::SecretFile { .. }
            | E::EmptySecretFile { .. }
            | E::SecretVar
            | E::BadJson { .. }
            | E::Stdin(_) => 2,
            E::Connect { source, .. } if is_usage(source) => 2,
            E::Connect { .. } | E::TimedOut { .. } | E::Lost { .. } => 3,
            E::Unauthorized { .. } => 4,
            E::NoSuchSession { .. } | E::NoSuchHandle { .. } => 5,
            E::Unexpected { .. } | E::Output(_) | E::Other { .. } => 6,
        })
    }
}

/// Connect errors that are the caller's: a malformed URL or an unusable CA file.
fn is_usage(error: &Error) -> bool {
    matches!(
        error,
        Error::Connect(ConnectError::InvalidUrl { .. } | ConnectError::TlsRoot { .. })
    )
}

/// The context a failed request needs to be explained.
pub struct Context<'a> {
    /// The Admin API request.
    pub request: &'static str,
    /// The session and handle it named, if any.
    pub session: Option<u64>,
    /// The handle it named, if any.
    pub handle: Option<u64>,
    /// Whether an admin secret was given.
    pub secret_given: bool,
    /// The reply bound.
    pub timeout: Duration,
    /// Why the connection closed, if it did.
    pub closed: Option<&'a Error>,
}

impl Context<'_> {
    /// The operator's view of how the request failed.
    pub fn explain(&self, error: Error) -> CliError {
        let request = self.request;
        match error {
            Error::Request(RequestError::Janus(error)) => {
                match (error.code, self.session, self.handle) {
                    (403, _, _) => CliError::Unauthorized {
                        given: self.secret_given,
                        error,
                    },
                    (458, Some(session), _) => CliError::NoSuchSession { session },
                    (459, Some(session), Some(handle)) => {
                        CliError::NoSuchHandle { session, handle }
                    }
                    _ => CliError::Refused { request, error },
                }
            }
            Error::Request(RequestError::TimedOut { .. }) => CliError::TimedOut {
                request,
                timeout: self.timeout,
            },
            Error::Request(RequestError::ConnectionLost | RequestError::Interrupted)
            | Error::Socket(_)
            | Error::Dead(_)
            | Error::GaveUp { .. } => CliError::Lost {
                request,
                why: self.closed.map(ToString::to_string),
            },
            Error::Request(RequestError::UnexpectedReply(frame)) => CliError::Unexpected {
                request,
                frame: frame.as_str().to_owned(),
            },
            source => CliError::Other { request, source },
        }
    }
}

fn secret_problem(given: bool) -> &'static str {
    match given {
        true => "wrong admin secret",
        false => "Janus wants an admin secret: give --secret-file, JANUS_ADMIN_SECRET or --secret",
    }
}

fn because(why: &Option<String>) -> String {
    why.as_ref().map(|w| format!(": {w}")).unwrap_or_default()
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}
